/*
 * test_wconv.c -- the Wave-RNN's direct convolution loops (wconv.c), in
 * every instruction set this CPU runs, against the sums written out in
 * long double: channels 1 to 27 (the tiles' full and partial sizes),
 * rings of 1 to 100 units (full vectors, single ones, masked ends), row
 * strides wider than the rows, with and without accumulation; values
 * beyond each row's end must be left as they were.  The kernel gradient
 * likewise over lines of 1 to 411 values.  And the AVX2 and AVX-512
 * convolutions, which do the same fused multiply-adds in the same order
 * per value, must give the same bits.
 */
#include <config.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/wconv.h"
#include "tap.h"

static const char *const isa_name[] = {"plain", "AVX2", "AVX-512"};

/* A value in [-1, 1) from a 64-bit LCG. */
static double draw(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 9007199254740992.0 * 2 - 1;
}

#define SENTINEL 1234.5

/*
 * The worst error of dk_wconv_apply over c channels of n units, each as
 * a multiple of its bound: a chain of k = 3c + 1 rounded additions (or
 * fused multiply-adds) is within k u sum |term| of the exact sum (u =
 * 2^-53, plus u of the products when they are rounded apart); we allow
 * k 2^-52 sum |term|, twice the bound.  Returns -1 when a value beyond
 * a row's end changed.
 */
static double apply_error(dk_wconv_isa isa, size_t c, size_t n, int accumulate,
                          unsigned long long seed, double *Yout)
{
	size_t ldp = n + 2 + (c % 3), ldy = n + 1 + (n % 2);
	double *W = malloc(c * c * 3 * sizeof *W), *P = malloc(c * ldp * sizeof *P);
	double *Y = malloc(c * ldy * sizeof *Y), *Y0 = malloc(c * ldy * sizeof *Y0);
	unsigned long long s = seed;
	for (size_t i = 0; i < c * c * 3; i++)
		W[i] = draw(&s);
	for (size_t i = 0; i < c * ldp; i++)
		P[i] = draw(&s);
	for (size_t k = 0; k < c; k++)
		for (size_t i = 0; i < ldy; i++)
			Y0[k * ldy + i] = i < n ? draw(&s) : SENTINEL;
	memcpy(Y, Y0, c * ldy * sizeof *Y);
	dk_wconv_apply(isa, c, n, W, P, ldp, accumulate, Y, ldy);
	double worst = 0;
	for (size_t k = 0; k < c; k++)
		for (size_t i = 0; i < ldy; i++) {
			if (i >= n) {
				if (Y[k * ldy + i] != SENTINEL)
					worst = -1;
				continue;
			}
			long double sum = accumulate ? Y0[k * ldy + i] : 0;
			long double mag = fabsl(sum);
			for (size_t j = 0; j < c; j++)
				for (size_t d = 0; d < 3; d++) {
					long double t = (long double)W[(k * c + j) * 3 + d] * P[j * ldp + i + d];
					sum += t;
					mag += fabsl(t);
				}
			double bound = (double)(3 * c + 1) * DBL_EPSILON * (double)mag;
			double e = fabs((double)((long double)Y[k * ldy + i] - sum)) / bound;
			if (worst >= 0 && !(e <= worst))
				worst = e; /* NaN too */
		}
	if (Yout)
		memcpy(Yout, Y, c * ldy * sizeof *Y);
	free(W), free(P), free(Y), free(Y0);
	return worst;
}

/* The same for dk_wconv_kernel_grad over lines of L values into c x c x
   3 sums already holding values: chains of L + 1 additions, the lanes'
   partial sums among them. */
static double grad_error(dk_wconv_isa isa, size_t c, size_t L, unsigned long long seed)
{
	size_t ldg = L + 1, ldp = L + 2 + (L % 3);
	double *G = malloc(c * ldg * sizeof *G), *P = malloc(c * ldp * sizeof *P);
	double *gW = malloc(c * c * 3 * sizeof *gW), *g0 = malloc(c * c * 3 * sizeof *g0);
	unsigned long long s = seed;
	for (size_t i = 0; i < c * ldg; i++)
		G[i] = draw(&s);
	for (size_t i = 0; i < c * ldp; i++)
		P[i] = draw(&s);
	for (size_t i = 0; i < c * c * 3; i++)
		g0[i] = gW[i] = draw(&s);
	dk_wconv_kernel_grad(isa, c, L, G, ldg, P, ldp, gW);
	double worst = 0;
	for (size_t k = 0; k < c; k++)
		for (size_t j = 0; j < c; j++)
			for (size_t d = 0; d < 3; d++) {
				size_t e = (k * c + j) * 3 + d;
				long double sum = 0, mag = 0;
				for (size_t t = 0; t < L; t++) {
					long double v = (long double)G[k * ldg + t] * P[j * ldp + t + d];
					sum += v;
					mag += fabsl(v);
				}
				sum += g0[e];
				mag += fabs(g0[e]);
				double bound = (double)(L + 2) * DBL_EPSILON * (double)mag;
				double r = fabs((double)((long double)gW[e] - sum)) / bound;
				if (!(r <= worst))
					worst = r;
			}
	free(G), free(P), free(gW), free(g0);
	return worst;
}

int main(void)
{
	static const size_t cs[] = {1, 2, 3, 4, 5, 8, 9, 27};
	static const size_t ns[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100};
	static const size_t Ls[] = {1, 3, 4, 7, 8, 13, 100, 408, 411};
	int tried = 0;
	for (int isa = DK_WCONV_PLAIN; isa <= DK_WCONV_AVX512; isa++) {
		if (!dk_wconv_isa_usable((dk_wconv_isa)isa)) {
			printf("# %s: not run by this CPU\n", isa_name[isa]);
			continue;
		}
		tried++;
		double worst = 0, gworst = 0;
		int untouched = 1;
		for (size_t a = 0; a < sizeof cs / sizeof *cs; a++)
			for (size_t b = 0; b < sizeof ns / sizeof *ns; b++)
				for (int acc = 0; acc < 2; acc++) {
					double e = apply_error((dk_wconv_isa)isa, cs[a], ns[b], acc,
					                       1000 * a + 10 * b + (unsigned)acc, NULL);
					if (e < 0)
						untouched = 0;
					else if (!(e <= worst))
						worst = e;
				}
		ok(worst <= 1, "%s: convolution within its rounding bound, c 1..27, n 1..100 "
		   "(worst %.3g of the bound)", isa_name[isa], worst);
		ok(untouched, "%s: the values beyond each row's end untouched", isa_name[isa]);
		for (size_t a = 0; a < sizeof cs / sizeof *cs; a++)
			for (size_t b = 0; b < sizeof Ls / sizeof *Ls; b++) {
				double e = grad_error((dk_wconv_isa)isa, cs[a], Ls[b], 77 + 100 * a + b);
				if (!(e <= gworst))
					gworst = e;
			}
		ok(gworst <= 1, "%s: kernel gradient within its rounding bound, c 1..27, "
		   "lines 1..411 (worst %.3g of the bound)", isa_name[isa], gworst);
	}
	ok(tried >= 1 && dk_wconv_isa_usable(dk_wconv_isa_best()),
	   "the code chosen for this CPU (%s) runs on it", isa_name[dk_wconv_isa_best()]);

	if (dk_wconv_isa_usable(DK_WCONV_AVX2) && dk_wconv_isa_usable(DK_WCONV_AVX512)) {
		int same = 1;
		for (size_t a = 0; a < sizeof cs / sizeof *cs; a++)
			for (size_t b = 0; b < sizeof ns / sizeof *ns; b++) {
				size_t c = cs[a], n = ns[b], ldy = n + 1 + (n % 2);
				double *y4 = malloc(c * ldy * sizeof *y4), *y8 = malloc(c * ldy * sizeof *y8);
				apply_error(DK_WCONV_AVX2, c, n, 1, 5 + a + 100 * b, y4);
				apply_error(DK_WCONV_AVX512, c, n, 1, 5 + a + 100 * b, y8);
				same &= !memcmp(y4, y8, c * ldy * sizeof *y4);
				free(y4), free(y8);
			}
		ok(same, "AVX2 and AVX-512 convolutions: the same bits (the same chain of "
		   "fused multiply-adds per value)");
	} else {
		printf("# AVX2 and AVX-512 not both run by this CPU: their bits not compared\n");
	}
	return tap_done();
}
