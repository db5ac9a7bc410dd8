/*
 * rng.c -- seeded random streams over GSL's MT19937.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/numeric.h"
#include "base/status.h"
#include "base/rng.h"

struct dk_rng {
	gsl_rng *gen; /* owned */
};

dk_rng *dk_rng_alloc(uint64_t seed)
{
	dk_numeric_init();
	dk_rng *r = malloc(sizeof *r);
	if (!r)
		return NULL;
	r->gen = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r->gen) {
		free(r);
		return NULL;
	}
	/* MT19937 takes 32 bits; fold the high half in so every bit counts.
	   GSL maps seed 0 to its default seed, which is fine. */
	gsl_rng_set(r->gen, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu));
	return r;
}

void dk_rng_free(dk_rng *r)
{
	if (!r)
		return;
	gsl_rng_free(r->gen);
	free(r);
}

double dk_rng_uniform(dk_rng *r)
{
	return gsl_rng_uniform(r->gen);
}

size_t dk_rng_index(dk_rng *r, size_t n)
{
	return (size_t)gsl_rng_uniform_int(r->gen, (unsigned long)n);
}

double dk_rng_normal(dk_rng *r, double sigma)
{
	return gsl_ran_gaussian_ziggurat(r->gen, sigma);
}

void dk_rng_permutation(dk_rng *r, size_t *perm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
		size_t j = dk_rng_index(r, i);
		size_t t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
}

size_t dk_rng_state_size(const dk_rng *r)
{
	return gsl_rng_size(r->gen);
}

void dk_rng_state_get(const dk_rng *r, void *state)
{
	memcpy(state, gsl_rng_state(r->gen), gsl_rng_size(r->gen));
}

int dk_rng_state_set(dk_rng *r, const void *state, size_t size)
{
	if (size != gsl_rng_size(r->gen))
		return DK_EINVAL;
	memcpy(gsl_rng_state(r->gen), state, size);
	return DK_OK;
}
