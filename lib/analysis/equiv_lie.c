/*
 * equiv_lie.c -- the Lie derivative of a step along the continuous
 * shift of its rings or sheets (see equiv_lie.h), and its records.
 *
 * The spectral derivative of a periodic line of L units is a real
 * circulant: (D x)_i = sum_j d[(i - j) mod L] x_j with
 * d[m] = -(w / L) sum_k k sin(k w m) over the signed wavenumbers k
 * (|k| < L / 2), the kernel the DFT route multiplies by i k w.  Built
 * once per axis and applied line by line it costs L^2 per line, which
 * for the media of these models (tens to hundreds of units a side) is
 * no more than an FFT's set-up, and needs no plans.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/equiv_fshift.h"
#include "analysis/equiv_impl.h"
#include "analysis/equiv_lie.h"
#include "base/status.h"
#include "stream/names.h"

void dk_equiv_lie_result_clear(dk_equiv_lie_result *r)
{
	free(r->lie);
	free(r->secant);
	memset(r, 0, sizeof *r);
}

/* The kernel d of the spectral derivative on L units. */
static void derivative_kernel(size_t L, double *d)
{
	double w = 2 * M_PI / (double)L;
	for (size_t m = 0; m < L; m++) {
		double s = 0;
		for (size_t k = 1; 2 * k < L; k++)  /* k and -k together */
			s += 2 * (double)k * sin(w * (double)(k * m % L));
		d[m] = -w * s / (double)L;
	}
}

/*
 * out = D x along axis (0: the rows' direction, y; 1: the columns', x)
 * for B states of channels of H x W, with the kernel d of that axis.
 */
static void derivative(medium md, size_t B, int axis, const double *d,
                       const double *x, double *out)
{
	size_t L = axis ? md.W : md.H, step = axis ? 1 : md.W;
	size_t lines = md.C * (axis ? md.H : md.W), n = md.C * md.H * md.W;
	for (size_t b = 0; b < B; b++)
		for (size_t l = 0; l < lines; l++) {
			/* the first unit of line l: a row (axis 1) or a column */
			size_t c = axis ? l / md.H : l / md.W;
			size_t first = axis ? c * md.H * md.W + (l % md.H) * md.W
			                    : c * md.H * md.W + l % md.W;
			const double *xl = x + b * n + first;
			double *ol = out + b * n + first;
			for (size_t i = 0; i < L; i++) {
				double s = 0;
				for (size_t j = 0; j < L; j++)
					s += d[(i + L - j) % L] * xl[j * step];
				ol[i * step] = s;
			}
		}
}

/* The relative distance of the rows of a from those of b, divided by s
   |ref| row by row, into out[b * stride]: 0 / 0 is 0, x / 0 and NaN are
   infinity. */
static void row_ratios(size_t B, size_t n, const double *a, const double *b,
                       const double *ref, double s, double *out, size_t stride)
{
	for (size_t k = 0; k < B; k++) {
		double num = 0, den = 0;
		for (size_t i = 0; i < n; i++) {
			double d = a[k * n + i] - b[k * n + i];
			num += d * d;
			den += ref[k * n + i] * ref[k * n + i];
		}
		double v = num == 0 ? 0 : den == 0 ? INFINITY : sqrt(num / den) / s;
		out[k * stride] = isnan(v) ? INFINITY : v;
	}
}

/* The secant of the shift by s along axis (0: y, 1: x) at the B states
   x into out (stride axes), with f = F(x) and df = D F(x); xs, fs, tf
   are scratch.  The model's status. */
static int secant(const dk_model *m, dk_model_work *w, dk_equiv_fshift *fs,
                  medium md, size_t B, int axis, double s, const double *x,
                  const double *f, const double *df, double *xs, double *fx,
                  double *tf, double *out, size_t stride)
{
	size_t n = md.C * md.H * md.W, planes = B * md.C;
	double sx = axis ? s : 0, sy = axis ? 0 : s;
	dk_equiv_fshift_apply(fs, planes, sx, sy, x, xs);
	dk_equiv_fshift_apply(fs, planes, sx, sy, f, tf);
	int st = dk_model_step(m, w, B, xs, NULL, fx, NULL);
	if (!st)
		row_ratios(B, n, fx, tf, df, s, out, stride);
	return st;
}

static void judge(dk_equiv_lie_result *r)
{
	r->max = 0, r->worst = 0;
	for (size_t b = 0; b < r->samples; b++)
		for (size_t a = 0; a < r->axes; a++)
			if (r->lie[b * r->axes + a] > r->max)
				r->max = r->lie[b * r->axes + a], r->worst = b;
	r->equivariant = r->max <= r->tolerance;
	if (r->equivariant)
		snprintf(r->summary, sizeof r->summary, "equivariant to continuous "
		         "shifts to %g: the Lie derivative of the step is at most %.3g "
		         "of |D F| over %zu states", r->tolerance, r->max, r->samples);
	else
		snprintf(r->summary, sizeof r->summary, "not equivariant to "
		         "continuous shifts to %g: the Lie derivative of the step "
		         "reaches %.3g of |D F| (sample %zu of %zu)", r->tolerance,
		         r->max, r->worst, r->samples);
}

int dk_equiv_lie_run(const dk_model *m, const dk_equiv_options *o,
                     const dk_equiv_start *s, dk_equiv_lie_result *r,
                     char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	int st = dk_equiv_options_check(o, err, errlen);
	if (!st && o->group != DK_EQUIV_SHIFT)
		st = dk_errorf(DK_EINVAL, err, errlen, "group: the Lie derivative is "
		               "that of the shifts, not of a flow");
	if (!st)
		st = dk_equiv_layout(m, o, &r->layout, err, errlen);
	if (st)
		return st;
	size_t n = dk_model_state_size(m), B = s->batch;
	if (B == 0 || !s->x0)
		return dk_errorf(DK_EINVAL, err, errlen, "the start has no states");
	if (dk_equiv_first_not_finite(B * n, s->x0) < B * n)
		return dk_errorf(DK_EINVAL, err, errlen, "state %zu of the start is "
		                 "not finite", dk_equiv_first_not_finite(B * n, s->x0) / n);
	medium md = dk_equiv_medium_of(&r->layout);
	r->axes = r->layout.rank == 3 ? 2 : 1;
	r->samples = B, r->tolerance = o->tolerance;
	snprintf(r->how, sizeof r->how, "%s", s->how);
	size_t Lmax = md.H > md.W ? md.H : md.W;
	double *d = malloc(Lmax * sizeof *d);
	double *f = malloc(B * n * sizeof *f), *dx = malloc(B * n * sizeof *dx);
	double *jdx = malloc(B * n * sizeof *jdx), *df = malloc(B * n * sizeof *df);
	dk_model_work *w = dk_model_work_alloc(m, B);
	r->lie = malloc(B * r->axes * sizeof *r->lie);
	r->shift = o->lie_shift;
	int sec = o->lie_shift > 0;
	dk_equiv_fshift *fs = sec ? dk_equiv_fshift_alloc(md.H, md.W) : NULL;
	double *xs = sec ? malloc(B * n * sizeof *xs) : NULL;
	double *fx = sec ? malloc(B * n * sizeof *fx) : NULL;
	double *tf = sec ? malloc(B * n * sizeof *tf) : NULL;
	r->secant = sec ? malloc(B * r->axes * sizeof *r->secant) : NULL;
	if (!d || !f || !dx || !jdx || !df || !w || !r->lie ||
	    (sec && (!fs || !xs || !fx || !tf || !r->secant)))
		st = dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	if (!st && (st = dk_model_step(m, w, B, s->x0, NULL, f, NULL)))
		st = dk_errorf(st, err, errlen, "the model's step: %s", dk_strerror(st));
	for (size_t a = 0; !st && a < r->axes; a++) {
		/* on a ring the one axis is the columns' (H = 1) */
		int axis = r->axes == 1 ? 1 : (int)a;
		derivative_kernel(axis ? md.W : md.H, d);
		derivative(md, B, axis, d, s->x0, dx);
		derivative(md, B, axis, d, f, df);
		if ((st = dk_model_jvp(m, w, B, s->x0, NULL, NULL, dx, jdx))) {
			st = dk_errorf(st, err, errlen, "the model's jvp: %s",
			               dk_strerror(st));
			break;
		}
		row_ratios(B, n, jdx, df, df, 1, r->lie + a, r->axes);
		if (sec && (st = secant(m, w, fs, md, B, axis, o->lie_shift, s->x0, f,
		                        df, xs, fx, tf, r->secant + a, r->axes)))
			st = dk_errorf(st, err, errlen, "the model's step: %s",
			               dk_strerror(st));
	}
	free(d), free(f), free(dx), free(jdx), free(df);
	free(xs), free(fx), free(tf);
	dk_equiv_fshift_free(fs);
	dk_model_work_free(w);
	if (st)
		dk_equiv_lie_result_clear(r);
	else
		judge(r);
	return st;
}

int dk_equiv_lie_to_bundle(const dk_equiv_lie_result *r, dk_bundle *b)
{
	static const char *const axes[2] = {"sample", "axis"};
	json_t *equiv = json_pack("{s:s, s:o, s:I, s:f, s:s, s:[s]}",
	        "group", "lie", "layout", dk_layout_to_json(&r->layout),
	        "samples", (json_int_t)r->samples, "tolerance", r->tolerance,
	        "start", r->how, "axes", r->axes == 2 ? "y" : "x");
	if (equiv && r->axes == 2 &&
	    json_array_append_new(json_object_get(equiv, "axes"), json_string("x"))) {
		json_decref(equiv);
		equiv = NULL;
	}
	json_t *attrs = equiv ? json_pack("{s:O}", "equiv", equiv) : NULL;
	int st = attrs ? DK_OK : DK_ENOMEM;
	size_t shape[2] = {r->samples, r->axes};
	dk_tensor *t = st ? NULL : dk_tensor_alloc(DK_F8, 0, 2, shape);
	if (t)
		memcpy(t->data, r->lie, r->samples * r->axes * sizeof *r->lie);
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_LIE, t, axes, 2, attrs);
	json_decref(attrs);
	attrs = NULL;
	if (!st && (json_object_set_new(equiv, "equivariant",
	                                json_boolean(r->equivariant)) ||
	            json_object_set_new(equiv, "worst",
	                                json_integer((json_int_t)r->worst)) ||
	            json_object_set_new(equiv, "summary", json_string(r->summary)) ||
	            !(attrs = json_pack("{s:O}", "equiv", equiv))))
		st = DK_ENOMEM;
	dk_tensor *mx = st ? NULL : dk_tensor_alloc(DK_F8, 0, 0, NULL);
	if (mx)
		*(double *)mx->data = isfinite(r->max) ? r->max : INFINITY;
	if (!st)
		st = dk_bundle_add_record(b, DK_NAME_EQUIV_LIE_MAX, mx, NULL, 0, attrs);
	json_decref(attrs);
	attrs = NULL;
	if (!st && r->secant) {
		dk_tensor *sc = dk_tensor_alloc(DK_F8, 0, 2, shape);
		if (sc)
			memcpy(sc->data, r->secant, r->samples * r->axes * sizeof *r->secant);
		if (json_object_set_new(equiv, "shift", json_real(r->shift)) ||
		    !(attrs = json_pack("{s:O}", "equiv", equiv)))
			st = DK_ENOMEM;
		if (!st)
			st = dk_bundle_add_record(b, DK_NAME_EQUIV_LIE_SECANT, sc, axes, 2,
			                          attrs);
		else
			dk_tensor_free(sc);
	}
	json_decref(attrs);
	json_decref(equiv);
	return st;
}
