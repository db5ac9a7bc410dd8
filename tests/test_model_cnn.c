/*
 * test_model_cnn.c -- the local-CNN baseline kind: the checks of
 * model_check.h (finite differences of the step wrt the input and every
 * parameter; jvp and the Jacobian, zero wrt the state) for several
 * stacks, with and without a head, at their start and with parameters
 * moved so that relus cut; the step against the stack written out here
 * with plain loops; the parameter count against its formula; the spec's
 * checks and the attrs' round trip.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

static double *param(dk_model *m, const char *name)
{
	size_t off, cnt;
	if (dk_model_param_find(m, name, &off, &cnt))
		return NULL;
	return dk_model_params(m) + off;
}

/* Every parameter moved by N(0, scale^2): the biases spread around 0
   cut some relus. */
static void perturb(dk_model *m, uint64_t seed, double scale)
{
	dk_rng *r = dk_rng_alloc(seed);
	double *th = dk_model_params(m);
	for (size_t i = 0; i < dk_model_param_count(m); i++)
		th[i] += dk_rng_normal(r, scale);
	dk_rng_free(r);
}

/*
 * The stack written out: out[k][i][j] = relu(b[k] + sum_c sum_p sum_q
 * W[k][c][p][q] in[c][i+p-1][j+q-1]), taps outside the sheet left out,
 * layer after layer.
 */
static void reference_step(dk_model *m, const double *u, double *out)
{
	const dk_model_spec *s = dk_model_spec_of(m);
	size_t H = s->height, Wd = s->width, C = s->channels, HW = H * Wd;
	size_t big = (C > s->inputs ? C : s->inputs) * HW;
	double *a = calloc(big, sizeof *a), *b = calloc(big, sizeof *b);
	memcpy(a, u, s->inputs * HW * sizeof *a);
	for (size_t l = 0; l < s->layers; l++) {
		char name[64];
		snprintf(name, sizeof name, "model/conv/%zu/W", l);
		const double *W = param(m, name);
		snprintf(name, sizeof name, "model/conv/%zu/b", l);
		const double *bias = param(m, name);
		size_t cin = l ? C : s->inputs;
		for (size_t k = 0; k < C; k++)
			for (size_t i = 0; i < H; i++)
				for (size_t j = 0; j < Wd; j++) {
					double v = bias[k];
					for (size_t p = 0; p < 3; p++)
						for (size_t q = 0; q < 3; q++) {
							long ii = (long)i + (long)p - 1, jj = (long)j + (long)q - 1;
							if (ii < 0 || jj < 0 || ii >= (long)H || jj >= (long)Wd)
								continue;
							for (size_t c = 0; c < cin; c++)
								v += W[((k * cin + c) * 3 + p) * 3 + q] *
								     a[(c * H + (size_t)ii) * Wd + (size_t)jj];
						}
					b[(k * H + i) * Wd + j] = v > 0 ? v : 0;
				}
		double *t = a;
		a = b;
		b = t;
	}
	memcpy(out, a, C * HW * sizeof *out);
	free(a);
	free(b);
}

/* The step is the stack of the image, whatever the state, to 1e-13:
   the same sums (at most 9 C terms of order 1 a layer) in another order
   differ by rounding, a few 1e-16 a layer. */
static void test_formula(size_t L, size_t C, size_t H, size_t W, size_t nin)
{
	dk_model_spec spec = {.kind = "cnn", .layers = L, .channels = C, .height = H,
	                      .width = W, .inputs = nin, .outputs = 1, .seed = 7};
	dk_model *m = NULL;
	char err[256];
	if (!ok(!dk_model_create(&spec, &m, err, sizeof err), "create L=%zu C=%zu", L, C))
		return;
	perturb(m, 11, 0.2);
	size_t n = dk_model_state_size(m), in = dk_model_input_size(m);
	ok(n == C * H * W && in == nin * H * W, "L=%zu C=%zu: state C H W, input I H W", L, C);
	dk_rng *r = dk_rng_alloc(3);
	double *x = malloc(2 * n * sizeof *x), *u = malloc(2 * in * sizeof *u);
	double *xn = malloc(2 * n * sizeof *xn), *want = malloc(n * sizeof *want);
	fill(r, x, 2 * n, 1.0);
	fill(r, u, 2 * in, 1.0);
	dk_model_work *w = dk_model_work_alloc(m, 2);
	dk_model_step(m, w, 2, x, u, xn, NULL);
	double worst = 0, top = 0;
	size_t live = 0;
	for (int b = 0; b < 2; b++) {
		reference_step(m, u + b * in, want);
		for (size_t i = 0; i < n; i++) {
			worst = fmax(worst, fabs(xn[b * n + i] - want[i]));
			top = fmax(top, fabs(want[i]));
			live += want[i] > 0;
		}
	}
	ok(worst <= 1e-13 * fmax(top, 1) && live > 0 && live < 2 * n,
	   "L=%zu C=%zu %zux%zu I=%zu: the step is the stack written out (err %.2g, %zu of "
	   "%zu live)", L, C, H, W, nin, worst, live, 2 * n);
	/* the state is forgotten: another state, the same bits */
	double *xn2 = malloc(2 * n * sizeof *xn2);
	fill(r, x, 2 * n, 3.0);
	dk_model_step(m, w, 2, x, u, xn2, NULL);
	ok(!memcmp(xn, xn2, 2 * n * sizeof *xn), "L=%zu C=%zu: the step does not read the state",
	   L, C);
	double *J = malloc(n * n * sizeof *J);
	for (size_t i = 0; i < n * n; i++)
		J[i] = 1;
	dk_model_jacobian(m, w, x, u, J);
	int zero = 1;
	for (size_t i = 0; i < n * n; i++)
		zero &= J[i] == 0;
	ok(zero, "L=%zu C=%zu: the Jacobian wrt the state is zero", L, C);
	free(J);
	free(xn2);
	dk_model_work_free(w);
	dk_rng_free(r);
	free(x);
	free(u);
	free(xn);
	free(want);
	dk_model_free(m);
}

/* The count: the first layer 9 I C + C, each other 9 C^2 + C, the head's
   MLP (C -> 64 -> 32 -> K, with biases); no readout with a head. */
static void test_count(size_t L, size_t C, size_t nin, size_t K)
{
	dk_model_spec spec = {.kind = "cnn", .layers = L, .channels = C, .height = 4,
	                      .width = 5, .inputs = nin, .classes = K};
	dk_model *m = NULL;
	char err[256];
	int st = dk_model_create(&spec, &m, err, sizeof err);
	size_t want = 9 * nin * C + C + (L - 1) * (9 * C * C + C) + 64 * C + 64 + 64 * 32 + 32 +
	              32 * K + K;
	ok(!st && dk_model_param_count(m) == want && dk_model_head_steps(m) == 1 &&
	   dk_model_head_classes(m) == K && !strcmp(dk_model_spec_of(m)->readout, "last"),
	   "L=%zu C=%zu I=%zu K=%zu: %zu parameters, a head of one step reading the last "
	   "(%s)", L, C, nin, K, want, st ? err : "ok");
	dk_model_free(m);
}

static void test_spec(void)
{
	dk_model_spec good = {.kind = "cnn", .layers = 2, .channels = 2, .height = 3,
	                      .width = 3, .inputs = 1, .classes = 3};
	dk_model_spec s = good;
	s.layers = 0;
	check_refused(s, "no layers", "layers");
	s.layers = 33;
	check_refused(s, "33 layers", "layers");
	s = good;
	s.steps = 2;
	check_refused(s, "a head of 2 steps", "steps");
	s = good;
	s.readout = "fft";
	check_refused(s, "the fft readout", "readout");
	s = good;
	s.height = 0;
	check_refused(s, "no sheet", "sheet");
	s = good;
	s.inputs = 0;
	check_refused(s, "no inputs", "inputs");
	s = good;
	s.act = DK_ACT_TANH;
	check_refused(s, "tanh", "fixed");
	s = good;
	s.hidden = 3;
	check_refused(s, "hidden", "hidden");
	s = good;
	s.kind = "nwm";
	check_refused(s, "layers on an nwm", "layers");
	s = good;
	s.classes = 0;
	check_refused(s, "neither a head nor outputs", "outputs");
	s = good;
	s.init = "laplacian";
	check_refused(s, "another initialisation", "initialisation");
}

/* The attrs hold the layers and the head; the model read back steps the
   same bits. */
static void test_attrs(void)
{
	dk_model_spec spec = {.kind = "cnn", .layers = 3, .channels = 2, .height = 3,
	                      .width = 4, .inputs = 2, .classes = 4, .seed = 9};
	dk_model *m = NULL, *back = NULL;
	char err[256];
	dk_model_create(&spec, &m, err, sizeof err);
	dk_bundle *b = dk_bundle_alloc();
	int st = dk_model_to_bundle(m, b);
	if (!st)
		st = dk_model_from_bundle(b, &back, err, sizeof err);
	const dk_model_spec *bs = back ? dk_model_spec_of(back) : NULL;
	ok(!st && bs && bs->layers == 3 && bs->height == 3 && bs->width == 4 &&
	   bs->classes == 4 && bs->steps == 1 && !strcmp(bs->readout, "last"),
	   "from the bundle: the same layers, sheet and head (%s)", st ? err : "ok");
	if (back) {
		double u[24], x1[24], x2[24];
		for (size_t i = 0; i < 24; i++)
			u[i] = sin(0.3 * (double)i);
		dk_model_work *w = dk_model_work_alloc(m, 1), *wb = dk_model_work_alloc(back, 1);
		dk_model_step(m, w, 1, NULL, u, x1, NULL);
		dk_model_step(back, wb, 1, NULL, u, x2, NULL);
		ok(!memcmp(x1, x2, sizeof x1), "the model from the bundle steps the same bits");
		dk_model_work_free(w);
		dk_model_work_free(wb);
	}
	dk_model_free(back);
	dk_bundle_free(b);
	dk_model_free(m);
}

/*
 * A batch of 19 states runs the stack in chunks (16, then 3) with the
 * step's cache laid out chunk by chunk: its step, and its vjp from that
 * cache, against 19 runs of one state (gparams summed).  The two sum in
 * other orders (products over several states at once), so they agree to
 * rounding: each entry is a sum of at most some thousands of terms of
 * order one, within 1e-12 of the largest entry.
 */
#define NB 19 /* the states of test_chunks */

static void test_chunks(void)
{
	dk_model_spec spec = {.kind = "cnn", .layers = 3, .channels = 3, .height = 4,
	                      .width = 5, .inputs = 2, .outputs = 1, .seed = 9};
	dk_model *m = NULL;
	char err[256];
	if (!ok(!dk_model_create(&spec, &m, err, sizeof err), "create for chunks: %s", err))
		return;
	perturb(m, 13, 0.2);
	size_t n = dk_model_state_size(m), in = dk_model_input_size(m);
	size_t P = dk_model_param_count(m), K = dk_model_cache_size(m);
	dk_rng *r = dk_rng_alloc(21);
	double *u = malloc(NB * in * sizeof *u), *gxn = malloc(NB * n * sizeof *gxn);
	double *xn = malloc(NB * n * sizeof *xn), *xn1 = malloc(n * sizeof *xn1);
	double *cache = malloc(NB * K * sizeof *cache), *gx = malloc(NB * n * sizeof *gx);
	double *gu = malloc(NB * in * sizeof *gu), *gu1 = malloc(in * sizeof *gu1);
	double *gp = calloc(P, sizeof *gp), *gp1 = calloc(P, sizeof *gp1);
	fill(r, u, NB * in, 1.0);
	fill(r, gxn, NB * n, 1.0);
	dk_model_work *w = dk_model_work_alloc(m, NB), *w1 = dk_model_work_alloc(m, 1);
	dk_model_step(m, w, NB, NULL, u, xn, cache);
	dk_model_vjp(m, w, NB, NULL, u, cache, gxn, gx, gu, gp);
	double ex = 0, eu = 0, top = 1;
	for (size_t b = 0; b < NB; b++) {
		dk_model_step(m, w1, 1, NULL, u + b * in, xn1, NULL);
		dk_model_vjp(m, w1, 1, NULL, u + b * in, NULL, gxn + b * n, gx, gu1, gp1);
		for (size_t i = 0; i < n; i++) {
			ex = fmax(ex, fabs(xn[b * n + i] - xn1[i]));
			top = fmax(top, fabs(xn1[i]));
		}
		for (size_t i = 0; i < in; i++) {
			eu = fmax(eu, fabs(gu[b * in + i] - gu1[i]));
			top = fmax(top, fabs(gu1[i]));
		}
	}
	double ep = 0;
	for (size_t i = 0; i < P; i++) {
		ep = fmax(ep, fabs(gp[i] - gp1[i]));
		top = fmax(top, fabs(gp1[i]));
	}
	ok(ex <= 1e-12 * top && eu <= 1e-12 * top && ep <= 1e-12 * top,
	   "a batch of %d in chunks: the step, the input's and the parameters' gradients "
	   "as one state at a time (errors %.2g, %.2g, %.2g of %.3g)", NB, ex, eu, ep, top);
	dk_model_work_free(w);
	dk_model_work_free(w1);
	dk_rng_free(r);
	free(u); free(gxn); free(xn); free(xn1); free(cache); free(gx);
	free(gu); free(gu1); free(gp); free(gp1);
	dk_model_free(m);
}

int main(void)
{
	test_chunks();
	struct { size_t L, C, H, W, nin, K; } cases[] = {
		{1, 2, 3, 4, 1, 0}, {2, 2, 4, 3, 2, 0}, {3, 1, 1, 1, 1, 0}, {2, 3, 3, 3, 1, 3},
		{3, 2, 2, 5, 2, 4},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		dk_model_spec spec = {.kind = "cnn", .layers = cases[k].L, .channels = cases[k].C,
		                      .height = cases[k].H, .width = cases[k].W,
		                      .inputs = cases[k].nin, .outputs = cases[k].K ? 0 : 2,
		                      .classes = cases[k].K, .seed = 5 + k};
		char label[96];
		snprintf(label, sizeof label, "cnn L=%zu C=%zu %zux%zu I=%zu K=%zu", cases[k].L,
		         cases[k].C, cases[k].H, cases[k].W, cases[k].nin, cases[k].K);
		dk_check_model(&spec, label);
		dk_model *m = NULL;
		char err[256];
		if (dk_model_create(&spec, &m, err, sizeof err)) {
			ok(0, "%s: create %s", label, err);
			continue;
		}
		perturb(m, 40 + k, 0.3);
		strncat(label, " perturbed", sizeof label - strlen(label) - 1);
		dk_check_model_of(m, label);
	}
	test_formula(1, 2, 3, 4, 1);
	test_formula(3, 2, 5, 4, 2);
	test_formula(4, 3, 2, 1, 1);
	test_count(8, 28, 1, 6);
	test_count(2, 3, 2, 5);
	test_count(32, 2, 1, 6); /* the most layers: 73 parameter tensors */
	test_spec();
	test_attrs();
	return tap_done();
}
