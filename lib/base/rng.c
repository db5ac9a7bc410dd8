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

/* GSL's MT19937 state (gsl/rng/mt.c): 624 words of 32 bits, each in an
   unsigned long, and the index of the next word to temper (624: the
   block is used up and is regenerated at the next draw). */
#define MT_N 624
typedef struct {
	unsigned long mt[MT_N];
	int mti;
} mt_state;

int dk_rng_state_set(dk_rng *r, const void *state, size_t size, char *err,
                     size_t errlen)
{
	if (size != gsl_rng_size(r->gen) || size != sizeof(mt_state))
		return dk_errorf(DK_EINVAL, err, errlen, "the generator state has %zu bytes, "
		                 "not %zu", size, gsl_rng_size(r->gen));
	mt_state s;
	memcpy(&s, state, sizeof s); /* state need not be aligned */
	/* GSL indexes mt with mti and no check */
	if (s.mti < 0 || s.mti > MT_N)
		return dk_errorf(DK_EFORMAT, err, errlen, "the generator state's index is %d, "
		                 "not in 0..%d", s.mti, MT_N);
	/* words past 32 bits would give draws outside [0, 2^32) */
	int any = (s.mt[0] & 0x80000000ul) != 0;
	for (size_t i = 0; i < MT_N; i++) {
		if (s.mt[i] > 0xfffffffful)
			return dk_errorf(DK_EFORMAT, err, errlen, "the generator state's word %zu "
			                 "has more than 32 bits", i);
		any |= i > 0 && s.mt[i] != 0;
	}
	/* the recurrence uses the top bit of mt[0] and all of the rest: when
	   these 19937 bits are 0, every draw to come is 0 */
	if (!any)
		return dk_errorf(DK_EFORMAT, err, errlen, "the generator state is all zero");
	memcpy(gsl_rng_state(r->gen), state, size);
	return DK_OK;
}
