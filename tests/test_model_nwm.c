/*
 * test_model_nwm.c -- the oscillator sheet kind: the checks of
 * model_check.h for several sheets (one and two image channels, a 1 x 1
 * sheet where every tap wraps onto the one cell, and parameters moved
 * off their initialisation so that cross-channel coupling and dead relus
 * are exercised); the step and the start (y0 from the image) against
 * their equations written out here with plain loops; the whole gradient
 * of a run (the start and T steps) against finite differences; the
 * Laplacian start, which turns a small state with no image into the
 * damped wave equation; the layout; the spec's checks and the attrs.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

/* The encoders' hidden width of most checks: small, so that finite
   differences over every parameter stay quick. */
#define M_TEST 3

static dk_model *make(size_t C, size_t H, size_t W, size_t nin, double dt)
{
	dk_model_spec spec = {.kind = "nwm", .channels = C, .height = H, .width = W,
	                      .inputs = nin, .outputs = 2, .dt = dt, .seed = 3,
	                      .hidden = M_TEST};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&spec, &m, err, sizeof err))
		printf("# create: %s\n", err);
	return m;
}

static double *param(dk_model *m, const char *name)
{
	size_t off, cnt;
	if (dk_model_param_find(m, name, &off, &cnt))
		return NULL;
	return dk_model_params(m) + off;
}

/* Every parameter moved by N(0, scale^2), the encoders' biases spread
   around 0 so that some omega and alpha are cut by the relu. */
static void perturb(dk_model *m, uint64_t seed, double scale)
{
	dk_rng *r = dk_rng_alloc(seed);
	double *th = dk_model_params(m);
	for (size_t i = 0; i < dk_model_param_count(m); i++)
		th[i] += dk_rng_normal(r, scale);
	size_t C = dk_model_spec_of(m)->channels;
	double *ew = param(m, "model/enc_omega/2/b"), *ea = param(m, "model/enc_alpha/2/b");
	for (size_t k = 0; k < C; k++) {
		ew[k] = dk_rng_normal(r, 0.5);
		ea[k] = dk_rng_normal(r, 0.5);
	}
	dk_rng_free(r);
}

/* a mod n for a possibly negative a */
static size_t wrap(long a, size_t n)
{
	long m = (long)n;
	return (size_t)(((a % m) + m) % m);
}

/*
 * One 3x3 layer with zero padding, written out: out[k][i][j] = act(b[k] +
 * sum_c sum_p sum_q W[k][c][p][q] in[c][i+p-1][j+q-1]), terms outside the
 * sheet left out; act 'r' relu, 't' tanh.
 */
static void reference_layer(size_t cin, size_t cout, size_t H, size_t Wd, const double *W,
                            const double *b, const double *in, double *out, char act)
{
	for (size_t k = 0; k < cout; k++)
		for (size_t i = 0; i < H; i++)
			for (size_t j = 0; j < Wd; j++) {
				double a = b[k];
				for (size_t p = 0; p < 3; p++)
					for (size_t q = 0; q < 3; q++) {
						long ii = (long)i + (long)p - 1, jj = (long)j + (long)q - 1;
						if (ii < 0 || jj < 0 || ii >= (long)H || jj >= (long)Wd)
							continue;
						for (size_t c = 0; c < cin; c++)
							a += W[((k * cin + c) * 3 + p) * 3 + q] *
							     in[(c * H + (size_t)ii) * Wd + (size_t)jj];
					}
				out[(k * H + i) * Wd + j] = act == 't' ? tanh(a) : a > 0 ? a : 0;
			}
}

/* The encoder named enc (enc_omega, enc_alpha: three relu layers; enc_y0:
   three relus and a tanh) of the image u (NULL: zeros), into out (C H W). */
static void reference_encoder(dk_model *m, const char *enc, const double *u, double *out)
{
	const dk_model_spec *s = dk_model_spec_of(m);
	size_t H = s->height, Wd = s->width, M = s->hidden, L = strcmp(enc, "enc_y0") ? 3 : 4;
	size_t HW = H * Wd, big = (M > s->channels ? M : s->channels) + s->inputs;
	double *a = calloc(big * HW, sizeof *a), *b = calloc(big * HW, sizeof *b);
	if (u)
		memcpy(a, u, s->inputs * HW * sizeof *a);
	for (size_t l = 0; l < L; l++) {
		char name[64];
		snprintf(name, sizeof name, "model/%s/%zu/W", enc, l);
		const double *W = param(m, name);
		snprintf(name, sizeof name, "model/%s/%zu/b", enc, l);
		size_t cin = l ? M : s->inputs, cout = l + 1 < L ? M : s->channels;
		reference_layer(cin, cout, H, Wd, W, param(m, name), a, b,
		                l + 1 == L && L == 4 ? 't' : 'r');
		double *t = a;
		a = b;
		b = t;
	}
	memcpy(out, a, s->channels * HW * sizeof *out);
	free(a);
	free(b);
}

/*
 * One step of the equations, written out: (W * y)[k][i][j] = b[k] +
 * sum_c sum_p sum_q W[k][c][p][q] y[c][i+p-1 mod H][j+q-1 mod W], omega
 * and alpha the encoders' of the image, then z' and y'.
 */
static void reference_step(dk_model *m, const double *x, const double *u, double *xn)
{
	const dk_model_spec *s = dk_model_spec_of(m);
	size_t C = s->channels, H = s->height, Wd = s->width;
	size_t N = C * H * Wd;
	const double *W = param(m, "model/W"), *b = param(m, "model/b");
	double *omega = malloc(N * sizeof *omega), *alpha = malloc(N * sizeof *alpha);
	reference_encoder(m, "enc_omega", u, omega);
	reference_encoder(m, "enc_alpha", u, alpha);
	for (size_t k = 0; k < C; k++)
		for (size_t i = 0; i < H; i++)
			for (size_t j = 0; j < Wd; j++) {
				double a = b[k];
				for (size_t p = 0; p < 3; p++)
					for (size_t q = 0; q < 3; q++) {
						long ii = (long)i + (long)p - 1, jj = (long)j + (long)q - 1;
						for (size_t c = 0; c < C; c++)
							a += W[((k * C + c) * 3 + p) * 3 + q] *
							     x[(c * H + wrap(ii, H)) * Wd + wrap(jj, Wd)];
					}
				size_t e = (k * H + i) * Wd + j;
				double zn = x[N + e] + s->dt * (tanh(a) - omega[e] * x[e] - alpha[e] * x[N + e]);
				xn[N + e] = zn;
				xn[e] = x[e] + s->dt * zn;
			}
	free(omega);
	free(alpha);
}

/* The step against the reference, with an image and without. */
static void test_formula(size_t C, size_t H, size_t W, size_t nin)
{
	dk_model *m = make(C, H, W, nin, 0.07);
	perturb(m, 17, 0.4);
	size_t n = dk_model_state_size(m), N = n / 2, P = nin * H * W;
	double *x = malloc(n * sizeof *x), *u = malloc(P * sizeof *u);
	double *xn = malloc(n * sizeof *xn), *ref = malloc(n * sizeof *ref);
	for (size_t i = 0; i < n; i++)
		x[i] = sin(1.0 + 0.7 * (double)i);
	for (size_t i = 0; i < P; i++)
		u[i] = cos(2.0 + 1.3 * (double)i);
	dk_model_work *w = dk_model_work_alloc(m, 1);
	/* the same sums in other orders: rounding, about 1e-16 per term */
	dk_model_step(m, w, 1, x, u, xn, NULL);
	reference_step(m, x, u, ref);
	double e = rel_err(xn, ref, n);
	ok(N == C * H * W && e < 1e-13, "nwm %zux%zux%zu I=%zu: the step is the equations "
	   "(rel err %.2g)", C, H, W, nin, e);
	dk_model_step(m, w, 1, x, NULL, xn, NULL);
	reference_step(m, x, NULL, ref);
	e = rel_err(xn, ref, n);
	ok(e < 1e-13, "nwm %zux%zux%zu: without an image (rel err %.2g)", C, H, W, e);
	dk_model_work_free(w);
	free(x); free(u); free(xn); free(ref);
	dk_model_free(m);
}

/*
 * As made, with no image, b = 0 and a state of size A = 1e-5, a step is
 * the leapfrog of the damped wave equation y_tt = lap y - omega0 y -
 * alpha0 y_t (lap the 5-point Laplacian on the torus, omega0 and alpha0
 * what the encoders make of an image of zeros, pixel by pixel: the plain
 * loops' encoders, whose sums in another order add about 1e-16), up to
 * tanh(a) - a ~ a^3 / 3 with |a| <= 8 A: an error below dt (8 A)^3 / 3 ~
 * 2e-14, 2e-9 of A.  Hence 1e-7.  With an image of zeros the same.
 */
static void test_wave(void)
{
	enum { C = 2, H = 5, W = 6, N = C * H * W };
	dk_model *m = make(C, H, W, 1, 0);
	const dk_model_spec *s = dk_model_spec_of(m);
	double x[2 * N], xn[2 * N], want[2 * N], u[H * W] = {0}, dt = s->dt, A = 1e-5;
	double om[N], al[N];
	reference_encoder(m, "enc_omega", NULL, om);
	reference_encoder(m, "enc_alpha", NULL, al);
	for (size_t i = 0; i < 2 * N; i++)
		x[i] = A * sin(0.3 + 1.7 * (double)i);
	for (size_t k = 0; k < C; k++)
		for (size_t i = 0; i < H; i++)
			for (size_t j = 0; j < W; j++) {
				const double *y = x + k * H * W;
				size_t e = i * W + j;
				double lap = y[wrap((long)i - 1, H) * W + j] + y[wrap((long)i + 1, H) * W + j] +
				             y[i * W + wrap((long)j - 1, W)] + y[i * W + wrap((long)j + 1, W)] -
				             4 * y[e];
				double z = x[N + k * H * W + e];
				double zn = z + dt * (lap - om[k * H * W + e] * y[e] - al[k * H * W + e] * z);
				want[N + k * H * W + e] = zn;
				want[k * H * W + e] = y[e] + dt * zn;
			}
	dk_model_work *w = dk_model_work_alloc(m, 1);
	dk_model_step(m, w, 1, x, NULL, xn, NULL);
	double e = rel_err(xn, want, 2 * N);
	ok(fabs(dt - 0.1) < 1e-15 && e < 1e-7, "laplacian start, no image: the damped wave "
	   "equation's step (rel err %.2g)", e);
	dk_model_step(m, w, 1, x, u, xn, NULL);
	e = rel_err(xn, want, 2 * N);
	ok(e < 1e-7, "laplacian start, an image of zeros: the same (rel err %.2g)", e);
	double omin = om[0], amin = al[0], omax = om[0], amax = al[0];
	for (size_t i = 0; i < N; i++) {
		omin = fmin(omin, om[i]), omax = fmax(omax, om[i]);
		amin = fmin(amin, al[i]), amax = fmax(amax, al[i]);
	}
	/* the last layers' biases 1 and 0.1, their weights a tenth of
	   PyTorch's: within a few tenths of those */
	ok(omin > 0.5 && omax < 1.5 && amin > 0.01 && amax < 0.6,
	   "omega and alpha start positive, near 1 and 0.1 (omega %.3g .. %.3g, alpha "
	   "%.3g .. %.3g)", omin, omax, amin, amax);
	dk_model_work_free(w);
	dk_model_free(m);
}

/*
 * With no image (u NULL) the vjp takes another path for the encoders'
 * biases (sums, no convolution of the image): it must give what an image
 * of zeros gives, to rounding (the same sums in another order; 1e-14).
 */
static void test_no_image(void)
{
	dk_model *m = make(2, 3, 4, 2, 0);
	perturb(m, 9, 0.3);
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m), np = dk_model_param_count(m);
	double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g), *u = calloc(P, sizeof *u);
	double *gx0 = malloc(n * sizeof *gx0), *gx1 = malloc(n * sizeof *gx1);
	double *gu0 = malloc(P * sizeof *gu0), *gu1 = malloc(P * sizeof *gu1);
	double *gp0 = calloc(np, sizeof *gp0), *gp1 = calloc(np, sizeof *gp1);
	for (size_t i = 0; i < n; i++) {
		x[i] = sin(0.9 * (double)i);
		g[i] = cos(1.1 * (double)i);
	}
	dk_model_work *w = dk_model_work_alloc(m, 1);
	dk_model_vjp(m, w, 1, x, NULL, NULL, g, gx0, gu0, gp0);
	dk_model_vjp(m, w, 1, x, u, NULL, g, gx1, gu1, gp1);
	double e = fmax(rel_err(gx0, gx1, n), fmax(rel_err(gu0, gu1, P), rel_err(gp0, gp1, np)));
	ok(e < 1e-14, "vjp without an image is that of an image of zeros (rel err %.2g)", e);
	dk_model_work_free(w);
	free(x); free(g); free(u); free(gx0); free(gx1); free(gu0); free(gu1);
	free(gp0); free(gp1);
	dk_model_free(m);
}

/*
 * The start: y0 the encoder's of the image (the plain loops'; the same
 * sums in other orders, 1e-13), z0 = 0; with and without a cache, the
 * same bits; with no image, that of an image of zeros.
 */
static void test_start(size_t C, size_t H, size_t W, size_t nin)
{
	dk_model *m = make(C, H, W, nin, 0);
	perturb(m, 23, 0.3);
	enum { NB = 2 };
	size_t n = dk_model_state_size(m), N = n / 2, P = dk_model_input_size(m);
	size_t K = dk_model_start_cache_size(m);
	double *u = malloc(NB * P * sizeof *u), *x0 = malloc(NB * n * sizeof *x0);
	double *x1 = malloc(NB * n * sizeof *x1), *ref = malloc(N * sizeof *ref);
	double *cache = malloc(NB * K * sizeof *cache);
	for (size_t i = 0; i < NB * P; i++)
		u[i] = cos(0.4 + 0.9 * (double)i);
	dk_model_work *w = dk_model_work_alloc(m, NB);
	ok(dk_model_has_start(m) && K > N, "nwm: a start, with a cache of its encoder (%zu)", K);
	dk_model_start(m, w, NB, u, x0, cache);
	dk_model_start(m, w, NB, u, x1, NULL);
	double e = 0, z = 0;
	for (size_t r = 0; r < NB; r++) {
		reference_encoder(m, "enc_y0", u + r * P, ref);
		e = fmax(e, rel_err(x0 + r * n, ref, N));
		for (size_t i = 0; i < N; i++)
			z = fmax(z, fabs(x0[r * n + N + i]));
	}
	ok(e < 1e-13 && z == 0, "nwm %zux%zux%zu I=%zu: y0 is the encoder's of the image "
	   "(rel err %.2g), z0 = 0", C, H, W, nin, e);
	ok(!memcmp(x0, x1, NB * n * sizeof *x0), "the start without a cache: the same bits");
	dk_model_start(m, w, 1, NULL, x1, NULL);
	reference_encoder(m, "enc_y0", NULL, ref);
	e = rel_err(x1, ref, N);
	ok(e < 1e-13, "the start without an image: an image of zeros (rel err %.2g)", e);
	dk_model_work_free(w);
	free(u); free(x0); free(x1); free(ref); free(cache);
	dk_model_free(m);
}

/* sum over t = 1 .. T of <g_t, x_t>, x_0 the start of u, x_t = F(x_{t-1}, u). */
static double run_objective(dk_model *m, dk_model_work *w, size_t NB, size_t T,
                            const double *u, const double *g, double *xs)
{
	size_t n = dk_model_state_size(m);
	double L = 0;
	dk_model_start(m, w, NB, u, xs, NULL);
	for (size_t t = 1; t <= T; t++) {
		dk_model_step(m, w, NB, xs + (t - 1) * NB * n, u, xs + t * NB * n, NULL);
		for (size_t i = 0; i < NB * n; i++)
			L += g[(t - 1) * NB * n + i] * xs[t * NB * n + i];
	}
	return L;
}

/*
 * The whole gradient of a run (the start and T steps of one image)
 * against central differences, over every parameter and every pixel of
 * the image: backpropagation through the steps' vjps, then the start's.
 * h = 1e-6 for the parameters and 1e-5 for the image (model_check.h's
 * steps: truncation h^2 ~ 1e-12 and 1e-10 times the third derivative,
 * rounding eps |L| / h), hence 1e-6.
 */
static void test_run_gradient(size_t C, size_t H, size_t W, size_t nin, size_t M, size_t T)
{
	dk_model_spec spec = {.kind = "nwm", .channels = C, .height = H, .width = W,
	                      .inputs = nin, .outputs = 1, .seed = 4, .hidden = M};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&spec, &m, err, sizeof err)) {
		ok(0, "create: %s", err);
		return;
	}
	perturb(m, 31, 0.3);
	enum { NB = 2 };
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m), np = dk_model_param_count(m);
	size_t K = dk_model_start_cache_size(m), c = dk_model_cache_size(m);
	double *u = malloc(NB * P * sizeof *u), *g = malloc(T * NB * n * sizeof *g);
	double *xs = malloc((T + 1) * NB * n * sizeof *xs), *cache = malloc(T * NB * c * sizeof *cache);
	double *sc = malloc(NB * K * sizeof *sc), *gh = malloc(NB * n * sizeof *gh);
	double *gx = malloc(NB * n * sizeof *gx), *gu = calloc(NB * P, sizeof *gu);
	double *gut = malloc(NB * P * sizeof *gut), *gp = calloc(np, sizeof *gp);
	double *fdp = malloc(np * sizeof *fdp), *fdu = malloc(NB * P * sizeof *fdu);
	dk_rng *r = dk_rng_alloc(12);
	fill(r, u, NB * P, 1);
	fill(r, g, T * NB * n, 1);
	dk_rng_free(r);
	dk_model_work *w = dk_model_work_alloc(m, NB);
	/* forward with the caches, then back */
	dk_model_start(m, w, NB, u, xs, sc);
	for (size_t t = 1; t <= T; t++)
		dk_model_step(m, w, NB, xs + (t - 1) * NB * n, u, xs + t * NB * n,
		              cache + (t - 1) * NB * c);
	memset(gh, 0, NB * n * sizeof *gh);
	for (size_t t = T; t >= 1; t--) {
		for (size_t i = 0; i < NB * n; i++)
			gh[i] += g[(t - 1) * NB * n + i];
		dk_model_vjp(m, w, NB, xs + (t - 1) * NB * n, u, cache + (t - 1) * NB * c, gh, gx,
		             gut, gp);
		for (size_t i = 0; i < NB * P; i++)
			gu[i] += gut[i];
		memcpy(gh, gx, NB * n * sizeof *gh);
	}
	dk_model_start_vjp(m, w, NB, u, sc, gh, gut, gp);
	for (size_t i = 0; i < NB * P; i++)
		gu[i] += gut[i];

	double *th = dk_model_params(m);
	for (size_t k = 0; k < np; k++) {
		double keep = th[k];
		th[k] = keep + 1e-6;
		double fp = run_objective(m, w, NB, T, u, g, xs);
		th[k] = keep - 1e-6;
		double fm = run_objective(m, w, NB, T, u, g, xs);
		th[k] = keep;
		fdp[k] = (fp - fm) / 2e-6;
	}
	for (size_t k = 0; k < NB * P; k++) {
		double keep = u[k];
		u[k] = keep + 1e-5;
		double fp = run_objective(m, w, NB, T, u, g, xs);
		u[k] = keep - 1e-5;
		double fm = run_objective(m, w, NB, T, u, g, xs);
		u[k] = keep;
		fdu[k] = (fp - fm) / 2e-5;
	}
	double ep = rel_err(gp, fdp, np), eu = rel_err(gu, fdu, NB * P);
	/* the start's share: y0's encoder's parameters have a gradient */
	size_t off, cnt;
	dk_model_param_find(m, "model/enc_y0/0/W", &off, &cnt);
	ok(ep < 1e-6 && fabs(gp[off]) > 0, "nwm %zux%zux%zu I=%zu M=%zu: a run's gradient "
	   "(start and %zu steps) over %zu parameters vs finite differences (rel err %.2g)",
	   C, H, W, nin, M, T, np, ep);
	ok(eu < 1e-6, "the same run's gradient wrt the image vs finite differences "
	   "(rel err %.2g)", eu);
	dk_model_work_free(w);
	free(u); free(g); free(xs); free(cache); free(sc); free(gh); free(gx); free(gu);
	free(gut); free(gp); free(fdp); free(fdu);
	dk_model_free(m);
}

/*
 * The workspace keeps each row's omega and alpha for its image: after an
 * encoder's weight is changed in place (as an optimiser does), or with
 * another image, a step must give what a fresh workspace gives, bit for
 * bit (both make the encoders by the same calls on the same bytes); and
 * the same image again, the same bits.
 */
static void test_memo(void)
{
	dk_model *m = make(2, 4, 5, 1, 0);
	perturb(m, 5, 0.3);
	enum { NB = 2 };
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m);
	double x[NB * 80], u[NB * 20], u2[NB * 20], a[NB * 80], b[NB * 80];
	for (size_t i = 0; i < NB * n; i++)
		x[i] = sin(0.3 * (double)i);
	for (size_t i = 0; i < NB * P; i++) {
		u[i] = cos(0.7 * (double)i);
		u2[i] = u[i] + (i == 3 ? 0.25 : 0);
	}
	dk_model_work *w = dk_model_work_alloc(m, NB), *fresh;
	dk_model_step(m, w, NB, x, u, a, NULL);
	param(m, "model/enc_alpha/1/W")[4] += 0.5;
	dk_model_step(m, w, NB, x, u, a, NULL);
	fresh = dk_model_work_alloc(m, NB);
	dk_model_step(m, fresh, NB, x, u, b, NULL);
	dk_model_work_free(fresh);
	int same = !memcmp(a, b, sizeof a);
	dk_model_step(m, w, NB, x, u2, a, NULL);
	fresh = dk_model_work_alloc(m, NB);
	dk_model_step(m, fresh, NB, x, u2, b, NULL);
	dk_model_work_free(fresh);
	same = same && !memcmp(a, b, sizeof a);
	dk_model_step(m, w, NB, x, u2, b, NULL);
	ok(same && !memcmp(a, b, sizeof a) && n == 80 && P == 20,
	   "the workspace's omega and alpha follow changed weights and images (the same bits "
	   "as a fresh workspace's)");
	dk_model_work_free(w);
	dk_model_free(m);
}

/* 2 C sheets of H x W, y's then z's, periodic in rows and columns. */
static void test_layout(void)
{
	dk_model *m = make(3, 4, 7, 2, 0);
	dk_layout l;
	ok(dk_model_layout(m, &l) == 1 && l.rank == 3 && l.shape[0] == 6 && l.shape[1] == 4 &&
	   l.shape[2] == 7 && !l.periodic[0] && l.periodic[1] && l.periodic[2] &&
	   !strcmp(l.axes[1], "row") && !strcmp(l.axes[2], "col"),
	   "layout: 2C = 6 sheets of 4 x 7, a torus");
	ok(dk_layout_units(&l) == dk_model_state_size(m) && dk_model_input_size(m) == 2 * 4 * 7,
	   "the layout covers the state (2 C H W); the input is I H W");
	ok(dk_model_is_continuous(m) && dk_model_step_time(m) == dk_model_spec_of(m)->dt,
	   "continuous-time: a step covers dt");
	dk_model_free(m);
}

static void test_spec(void)
{
	dk_model_spec good = {.kind = "nwm", .channels = 2, .height = 3, .width = 4,
	                      .inputs = 1, .outputs = 1};
	dk_model_spec s = good;
	s.height = 0;
	check_refused(s, "no height", "height");
	s = good;
	s.width = 0;
	check_refused(s, "no width", "width");
	s = good;
	s.inputs = 0;
	check_refused(s, "no image channels", "inputs");
	s = good;
	s.tau = 2;
	check_refused(s, "tau", "tau");
	s = good;
	s.integrator = "rk4";
	check_refused(s, "an integrator", "integrator");
	s = good;
	s.rank = 1;
	check_refused(s, "a rank", "rank");
	s = good;
	s.act = DK_ACT_RELU;
	check_refused(s, "a nonlinearity other than tanh", "tanh");
	s = good;
	s.init = "random";
	check_refused(s, "an unknown initialisation", "laplacian");
	s = good;
	s.units = 11;
	check_refused(s, "units other than H W", "units");
	s = good;
	s.outputs = 0;
	check_refused(s, "no outputs", "outputs");
	s = good;
	s.dt = -1;
	check_refused(s, "a negative dt", "dt");
	s = good;
	s.height = (size_t)1 << 40;
	s.width = (size_t)1 << 40;
	check_refused(s, "a sheet whose size overflows", "too large");
	dk_model_spec r = {.kind = "rnn", .units = 4, .inputs = 1, .outputs = 1, .height = 3,
	                   .width = 3};
	check_refused(r, "a sheet for an rnn", "nwm");
	r.kind = "wrnn";
	check_refused(r, "a sheet for a wrnn", "nwm");
	dk_model_spec h = {.kind = "rnn", .units = 4, .inputs = 1, .outputs = 1, .hidden = 3};
	check_refused(h, "hidden for an rnn", "hidden");

	dk_model *m = NULL;
	char err[256];
	s = good;
	s.units = 12; /* H W: the same as none */
	ok(dk_model_create(&s, &m, err, sizeof err) == DK_OK, "units = H W taken");
	dk_model_free(m);
	m = NULL;
	size_t off, cnt;
	ok(dk_model_create(&good, &m, err, sizeof err) == DK_OK &&
	   dk_model_spec_of(m)->hidden == 11 &&
	   !dk_model_param_find(m, "model/enc_omega/1/W", &off, &cnt) && cnt == 11 * 11 * 9 &&
	   !dk_model_param_find(m, "model/enc_y0/3/W", &off, &cnt) && cnt == 2 * 11 * 9,
	   "hidden: 11 by default, the encoders' layers of that width");
	dk_model_free(m);
}

/* The attrs: the sheet and dt, none of the ctrnn's settings; a model
   from them has the same sheet and steps the same bits. */
static void test_attrs(void)
{
	dk_model *m = make(2, 3, 5, 2, 0.25), *back = NULL;
	dk_bundle *b = dk_bundle_alloc();
	dk_model_to_bundle(m, b);
	json_t *a = json_object_get(dk_meta_attrs(dk_bundle_meta(b, 0)), "model");
	is_str(json_string_value(json_object_get(a, "kind")), "nwm", "attrs: kind");
	is_str(json_string_value(json_object_get(a, "init")), "laplacian", "attrs: init laplacian");
	is_str(json_string_value(json_object_get(a, "act")), "tanh", "attrs: act tanh");
	is_int(json_integer_value(json_object_get(a, "height")), 3, "attrs: height");
	is_int(json_integer_value(json_object_get(a, "width")), 5, "attrs: width");
	is_int(json_integer_value(json_object_get(a, "units")), 15, "attrs: units per sheet H W");
	is_int(json_integer_value(json_object_get(a, "state_size")), 60, "attrs: state 2 C H W");
	is_int(json_integer_value(json_object_get(a, "hidden")), M_TEST, "attrs: hidden");
	ok(json_real_value(json_object_get(a, "dt")) == 0.25 && !json_object_get(a, "tau") &&
	   !json_object_get(a, "integrator") && !json_object_get(a, "rank"),
	   "attrs: dt, and no tau, integrator or rank");
	char err[256];
	int st = dk_model_from_bundle(b, &back, err, sizeof err);
	ok(st == DK_OK && back && dk_model_spec_of(back)->height == 3 &&
	   dk_model_spec_of(back)->width == 5 && dk_model_spec_of(back)->dt == 0.25,
	   "from the bundle: the same sheet and dt (%s)", st ? err : "ok");
	if (back) {
		size_t n = dk_model_state_size(m);
		double x[60], u[30], x1[60], x2[60];
		for (size_t i = 0; i < n; i++)
			x[i] = cos(0.5 * (double)i);
		for (size_t i = 0; i < 30; i++)
			u[i] = sin(0.2 * (double)i);
		dk_model_work *w = dk_model_work_alloc(m, 1), *wb = dk_model_work_alloc(back, 1);
		dk_model_step(m, w, 1, x, u, x1, NULL);
		dk_model_step(back, wb, 1, x, u, x2, NULL);
		ok(!memcmp(x1, x2, sizeof x1), "the model from the bundle steps the same bits");
		dk_model_work_free(w);
		dk_model_work_free(wb);
	}
	dk_model_free(back);
	dk_bundle_free(b);
	dk_model_free(m);
}

int main(void)
{
	struct { size_t C, H, W, nin, M; double dt; } cases[] = {
		{2, 5, 6, 1, M_TEST, 0}, {2, 5, 6, 2, M_TEST, 0}, {1, 1, 1, 1, M_TEST, 0.3},
		{3, 2, 3, 2, M_TEST, 0.05}, {1, 2, 2, 1, 0, 0},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		dk_model_spec spec = {.kind = "nwm", .channels = cases[k].C,
		                      .height = cases[k].H, .width = cases[k].W,
		                      .inputs = cases[k].nin, .outputs = 2, .dt = cases[k].dt,
		                      .seed = 5 + k, .hidden = cases[k].M};
		char label[80];
		snprintf(label, sizeof label, "nwm C=%zu %zux%zu I=%zu", cases[k].C, cases[k].H,
		         cases[k].W, cases[k].nin);
		dk_check_model(&spec, label);
		dk_model *m = NULL;
		char err[256];
		if (dk_model_create(&spec, &m, err, sizeof err)) {
			ok(0, "%s: create %s", label, err);
			continue;
		}
		perturb(m, 40 + k, 0.3);
		snprintf(label, sizeof label, "nwm C=%zu %zux%zu I=%zu perturbed", cases[k].C,
		         cases[k].H, cases[k].W, cases[k].nin);
		dk_check_model_of(m, label);
	}
	test_formula(2, 5, 6, 1);
	test_formula(3, 4, 3, 2);
	test_formula(1, 1, 2, 1);
	test_wave();
	test_start(2, 5, 6, 1);
	test_start(3, 4, 3, 2);
	test_run_gradient(2, 4, 5, 1, M_TEST, 4);
	test_run_gradient(1, 3, 3, 2, 2, 3);
	test_no_image();
	test_memo();
	test_layout();
	test_spec();
	test_attrs();
	return tap_done();
}
