/*
 * act.c -- the elementwise nonlinearities of the models and their slopes.
 *
 * erf is the rate function of the multiregion DMFT papers,
 * phi(x) = erf(sqrt(pi) x / 2), whose slope at 0 is 1 like tanh's.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "base/status.h"
#include "models/model_impl.h"
#include "models/vmath.h"

static const char *const act_names[] = {
	[DK_ACT_TANH] = "tanh", [DK_ACT_RELU] = "relu",
	[DK_ACT_ERF] = "erf", [DK_ACT_IDENTITY] = "identity",
};

int dk_act_from_name(const char *name, dk_act *act)
{
	for (size_t k = 0; k < sizeof act_names / sizeof *act_names; k++)
		if (act_names[k] && !strcmp(name, act_names[k])) {
			*act = (dk_act)k;
			return DK_OK;
		}
	return DK_EINVAL;
}

const char *dk_act_name(dk_act act)
{
	return (unsigned)act < sizeof act_names / sizeof *act_names && act_names[act]
	       ? act_names[act] : "default";
}

void dk_act_relu_mask(const double *a, const double *v, double *y, size_t n)
{
	size_t i = dk_vrelu_mask(a, v, y, n); /* AVX2 or AVX-512 where there are */
#if defined(__x86_64__)
	/* the rest two at a time with SSE2, which every x86-64 has: the
	   compare's mask and'ed with v, the same bits as the loop below; y
	   may be a or v, each pair read before it is written */
	const __m128d zero = _mm_setzero_pd();
	for (; i + 2 <= n; i += 2)
		_mm_storeu_pd(y + i, _mm_and_pd(_mm_cmpgt_pd(_mm_loadu_pd(a + i), zero),
		                                _mm_loadu_pd(v + i)));
#endif
	for (; i < n; i++) {
		uint64_t bits;
		memcpy(&bits, v + i, sizeof bits);
		bits &= -(uint64_t)(a[i] > 0);
		memcpy(y + i, &bits, sizeof bits);
	}
}

void dk_act_apply(dk_act act, const double *a, double *y, size_t n)
{
	const double c = sqrt(M_PI) / 2;
	switch (act) {
	case DK_ACT_DEFAULT: /* models hold it resolved; tanh for the kinds here */
	case DK_ACT_TANH: dk_vtanh(a, y, n); break;
	case DK_ACT_RELU: dk_act_relu_mask(a, a, y, n); break;
	case DK_ACT_ERF: dk_verf_scaled(c, a, y, n); break;
	case DK_ACT_IDENTITY: if (y != a) memmove(y, a, n * sizeof *y); break;
	}
}

void dk_act_apply_slope(dk_act act, const double *restrict a,
                        double *restrict y, double *restrict d, size_t n)
{
	switch (act) {
	case DK_ACT_TANH: /* the slope from the value: no second tanh */
		dk_vtanh(a, y, n);
		for (size_t i = 0; i < n; i++)
			d[i] = 1 - y[i] * y[i];
		break;
	case DK_ACT_RELU: /* the value and its 0/1 slope from one mask */
		for (size_t i = 0; i < n; i++) {
			uint64_t on = -(uint64_t)(a[i] > 0), bits, one;
			memcpy(&bits, a + i, sizeof bits);
			memcpy(&one, &(double){1.0}, sizeof one);
			bits &= on;
			one &= on;
			memcpy(y + i, &bits, sizeof bits);
			memcpy(d + i, &one, sizeof one);
		}
		break;
	default:
		dk_act_apply(act, a, y, n);
		dk_act_derivative(act, a, d, n);
	}
}

void dk_act_derivative(dk_act act, const double *a, double *d, size_t n)
{
	switch (act) {
	case DK_ACT_DEFAULT: /* as in dk_act_apply */
	case DK_ACT_TANH:
		dk_vtanh(a, d, n);
		for (size_t i = 0; i < n; i++)
			d[i] = 1 - d[i] * d[i];
		break;
	case DK_ACT_RELU: for (size_t i = 0; i < n; i++) d[i] = (double)(a[i] > 0); break;
	case DK_ACT_ERF: /* d/dx erf(c x) = 2c/sqrt(pi) exp(-c^2 x^2) = exp(-pi x^2 / 4) */
		for (size_t i = 0; i < n; i++) d[i] = exp(-M_PI * a[i] * a[i] / 4);
		break;
	case DK_ACT_IDENTITY: for (size_t i = 0; i < n; i++) d[i] = 1; break;
	}
}
