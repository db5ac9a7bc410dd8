/*
 * test_rng.c -- the seeded generator: reproducible, seed-dependent, and
 * with the moments its distributions must have (tolerances are several
 * standard errors of the sample size used).
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

int main(void)
{
	dk_rng *a = dk_rng_alloc(42), *b = dk_rng_alloc(42), *c = dk_rng_alloc(43);
	int same = 1, differ = 0;
	for (int i = 0; i < 1000; i++) {
		double x = dk_rng_uniform(a), y = dk_rng_uniform(b), z = dk_rng_uniform(c);
		same &= x == y;
		differ += x != z;
	}
	ok(same, "the same seed gives the same stream");
	ok(differ > 990, "another seed gives another stream");
	/* seeds that differ only above bit 32 still give different streams */
	dk_rng *hi = dk_rng_alloc(42 + ((uint64_t)1 << 40)), *lo = dk_rng_alloc(42);
	differ = 0;
	for (int i = 0; i < 100; i++)
		differ += dk_rng_uniform(hi) != dk_rng_uniform(lo);
	ok(differ > 90, "high seed bits are folded in");
	dk_rng_free(hi);
	dk_rng_free(lo);

	const int n = 200000;
	double s1 = 0, s2 = 0, s4 = 0, u1 = 0;
	for (int i = 0; i < n; i++) {
		double g = dk_rng_normal(a, 2.0);
		s1 += g;
		s2 += g * g;
		s4 += g * g * g * g;
		u1 += dk_rng_uniform(a);
	}
	/* standard errors: mean 2/sqrt(n) = 0.0045, variance 4 sqrt(2/n) = 0.013 */
	is_close(s1 / n, 0.0, 0.02, "normal mean 0");
	is_close(s2 / n, 4.0, 0.06, "normal variance sigma^2 = 4");
	is_close(s4 / n / 16, 3.0, 0.1, "normal kurtosis 3");
	is_close(u1 / n, 0.5, 0.005, "uniform mean 1/2");

	size_t perm[100], seen[100] = {0};
	dk_rng_permutation(a, perm, 100);
	int valid = 1, moved = 0;
	for (int i = 0; i < 100; i++) {
		valid &= perm[i] < 100 && !seen[perm[i]]++;
		moved += perm[i] != (size_t)i;
	}
	ok(valid, "a permutation holds each index once");
	ok(moved > 80, "and moves most of them");
	size_t counts[5] = {0};
	for (int i = 0; i < 50000; i++)
		counts[dk_rng_index(a, 5)]++;
	int flat = 1;
	for (int k = 0; k < 5; k++)
		flat &= fabs(counts[k] - 10000.0) < 400; /* 4.5 standard errors */
	ok(flat, "dk_rng_index is uniform over 0..4");
	/* a saved state resumes the very same stream */
	size_t size = dk_rng_state_size(a);
	unsigned char *state = malloc(size);
	dk_rng_state_get(a, state);
	double first[5];
	for (int i = 0; i < 5; i++)
		first[i] = dk_rng_normal(a, 1.0);
	ok(dk_rng_state_set(c, state, size, NULL, 0) == DK_OK, "state restored into another generator");
	int resumed = 1;
	for (int i = 0; i < 5; i++)
		resumed &= dk_rng_normal(c, 1.0) == first[i];
	ok(resumed, "which then draws the same numbers");
	ok(dk_rng_state_set(c, state, size - 1, NULL, 0) == DK_EINVAL, "a state of the wrong size is refused");
	/* a state is input: GSL indexes its words with the index unchecked.
	   Its layout is GSL's (624 unsigned longs, then the int index). */
	unsigned long words[624];
	int index;
	memcpy(words, state, sizeof words);
	memcpy(&index, (unsigned char *)state + sizeof words, sizeof index);
	ok(index >= 0 && index <= 624, "the state's index is at 624 * 8 bytes (%d)", index);
	unsigned char *bad = malloc(size);
	char err[200];
	static const int bad_index[] = {-1, -5, INT32_MIN, 625, INT32_MAX};
	for (size_t k = 0; k < sizeof bad_index / sizeof *bad_index; k++) {
		memcpy(bad, state, size);
		memcpy(bad + sizeof words, &bad_index[k], sizeof(int));
		err[0] = 0;
		ok(dk_rng_state_set(c, bad, size, err, sizeof err) == DK_EFORMAT &&
		   strstr(err, "index"), "index %d is refused: %s", bad_index[k], err);
	}
	for (int k = 0; k <= 624; k += 624) { /* both ends are states MT19937 takes */
		memcpy(bad, state, size);
		memcpy(bad + sizeof words, &k, sizeof k);
		ok(dk_rng_state_set(c, bad, size, NULL, 0) == DK_OK, "index %d is taken", k);
	}
	memset(bad, 0, size);
	ok(dk_rng_state_set(c, bad, size, err, sizeof err) == DK_EFORMAT && strstr(err, "all zero"),
	   "an all-zero state is refused: %s", err);
	unsigned long top = 0x80000000ul; /* only mt[0]'s top bit: a state the recurrence can use */
	memcpy(bad, &top, sizeof top);
	ok(dk_rng_state_set(c, bad, size, NULL, 0) == DK_OK, "mt[0]'s top bit alone is a state");
	top = 0x7ffffffful; /* mt[0]'s lower bits never enter the recurrence */
	memcpy(bad, &top, sizeof top);
	ok(dk_rng_state_set(c, bad, size, NULL, 0) == DK_EFORMAT, "mt[0]'s lower bits alone are not");
	memcpy(bad, state, size);
	words[7] |= 1ul << 32;
	memcpy(bad, words, sizeof words);
	ok(dk_rng_state_set(c, bad, size, err, sizeof err) == DK_EFORMAT && strstr(err, "word 7"),
	   "a word past 32 bits is refused: %s", err);
	/* a refused state leaves the generator as it was */
	dk_rng_state_set(c, state, size, NULL, 0);
	double want = dk_rng_uniform(c);
	dk_rng_state_set(c, state, size, NULL, 0);
	dk_rng_state_set(c, bad, size, NULL, 0);
	ok(dk_rng_uniform(c) == want, "a refused state changes nothing");
	free(bad);
	free(state);
	dk_rng_free(a);
	dk_rng_free(b);
	dk_rng_free(c);
	dk_rng_free(NULL);
	return tap_done();
}
