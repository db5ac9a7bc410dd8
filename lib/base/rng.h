/*
 * rng.h -- the random numbers of libdynkit: seeded, reproducible streams.
 *
 * Every random draw in dynkit (initialisations, task data, sampling of
 * states) comes from a dk_rng created from an explicit 64-bit seed, so the
 * same seed gives the same bytes on every machine.  It is GSL's MT19937
 * (gsl_rng_mt19937), seeded with the low 32 bits of the seed mixed with
 * the high ones; normal deviates use GSL's ziggurat.
 */
#ifndef DK_BASE_RNG_H
#define DK_BASE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct dk_rng dk_rng;

/* A generator seeded with seed; NULL when out of memory. */
dk_rng *dk_rng_alloc(uint64_t seed);
void dk_rng_free(dk_rng *r);

/* Uniform on [0, 1). */
double dk_rng_uniform(dk_rng *r);
/* Uniform integer in [0, n), n >= 1. */
size_t dk_rng_index(dk_rng *r, size_t n);
/* Normal with mean 0 and standard deviation sigma. */
double dk_rng_normal(dk_rng *r, double sigma);
/* A uniformly random permutation of 0..n-1 into perm. */
void dk_rng_permutation(dk_rng *r, size_t *perm, size_t n);

/*
 * The generator's whole state as bytes, so a checkpoint can resume the
 * very same stream: dk_rng_state_size bytes, written by get and read by
 * set.  set checks the bytes as input: DK_EINVAL when size is not the
 * generator's, DK_EFORMAT when they are no state MT19937 can be in (its
 * index out of range, a word past 32 bits, the 19937 bits all zero);
 * err says which, and the generator is left as it was.
 */
size_t dk_rng_state_size(const dk_rng *r);
void dk_rng_state_get(const dk_rng *r, void *state);
int dk_rng_state_set(dk_rng *r, const void *state, size_t size, char *err,
                     size_t errlen);

#endif
