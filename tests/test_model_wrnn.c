/*
 * test_model_wrnn.c -- the Wave-RNN kind: the checks of model_check.h
 * for several sizes (one channel of three units without inputs, rings of
 * one and two units where the taps fold onto each other), the step
 * against its formula written out, the shift and solo initialisations,
 * the paper's parameter count, the random initialisation's variance, and
 * a batch large enough for the convolution's blocks and chunks against
 * its rows one at a time.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

static dk_model *make(size_t c, size_t n, size_t in, size_t out,
                      const char *init, double gain, uint64_t seed)
{
	dk_model_spec spec = {.kind = "wrnn", .channels = c, .units = n, .inputs = in,
	                      .outputs = out, .init = init, .gain = gain, .seed = seed};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&spec, &m, err, sizeof err))
		printf("# create: %s\n", err);
	return m;
}

static double *param(dk_model *m, const char *name, size_t *count)
{
	size_t off, cnt;
	if (dk_model_param_find(m, name, &off, &cnt))
		return NULL;
	if (count)
		*count = cnt;
	return dk_model_params(m) + off;
}

/*
 * The step against relu(cb + sum W h shifted + V u + b), plain loops,
 * with few inputs (a loop in wrnn.c) and more (a DGEMM there).
 */
static void test_formula(size_t in)
{
	enum { C = 3, N = 5, R = 2, MAXIN = 8 };
	dk_model *m = make(C, N, in, 1, "random", 1.4, 5);
	double *W = param(m, "model/conv/W", NULL), *cb = param(m, "model/conv/b", NULL);
	double *V = param(m, "model/V", NULL), *b = param(m, "model/b", NULL);
	for (int k = 0; k < C; k++) /* the init leaves the conv bias at 0 */
		cb[k] = 0.3 * sin(4.0 + k);
	double x[R][C * N], u[R][MAXIN], xn[R][C * N], worst = 0;
	int negative = 0;
	for (int r = 0; r < R; r++) {
		for (int i = 0; i < C * N; i++)
			x[r][i] = sin(1.0 + 7 * r + i);
		for (size_t a = 0; a < in; a++)
			u[r][a] = cos(2.0 + 3 * r + (double)a);
	}
	/* u is R rows of in inputs, packed */
	double packed[R * MAXIN];
	for (int r = 0; r < R; r++)
		for (size_t a = 0; a < in; a++)
			packed[r * in + a] = u[r][a];
	dk_model_work *w = dk_model_work_alloc(m, R);
	dk_model_step(m, w, R, &x[0][0], packed, &xn[0][0], NULL);
	for (int r = 0; r < R; r++)
		for (int k = 0; k < C; k++)
			for (int i = 0; i < N; i++) {
				double a = cb[k] + b[k * N + i];
				for (int j = 0; j < C; j++)
					for (int d = 0; d < 3; d++)
						a += W[(k * C + j) * 3 + d] * x[r][j * N + (i + d - 1 + N) % N];
				for (size_t q = 0; q < in; q++)
					a += V[(k * N + i) * in + q] * u[r][q];
				negative += a < 0;
				worst = fmax(worst, fabs((a > 0 ? a : 0) - xn[r][k * N + i]));
			}
	ok(worst < 1e-14, "%zu inputs: step is relu(conv(h) + cb + V u + b), conv circular with taps i-1, i, i+1 (worst %.2g)",
	   in, worst);
	ok(negative > 0 && negative < R * C * N,
	   "%zu inputs: the formula test reaches both sides of the relu (%d of %d negative)", in,
	   negative, R * C * N);
	dk_model_work_free(w);
	dk_model_free(m);
}

/* A delta at unit i of ring k moves to unit i - 1 mod n, step by step. */
static void test_shift(void)
{
	enum { C = 3, N = 7, IN = 2 };
	dk_model *m = make(C, N, IN, 1, NULL, 1, 1);
	dk_model_work *w = dk_model_work_alloc(m, 1);
	double x[C * N], xn[C * N], u[IN] = {0, 0};
	int moved = 1;
	for (int k = 0; k < C; k++)
		for (int i = 0; i < N; i++) {
			memset(x, 0, sizeof x);
			x[k * N + i] = 1;
			dk_model_step(m, w, 1, x, u, xn, NULL);
			for (int q = 0; q < C * N; q++)
				moved &= xn[q] == (q == k * N + (i + N - 1) % N);
			dk_model_step(m, w, 1, x, NULL, xn, NULL); /* NULL: zero input */
			for (int q = 0; q < C * N; q++)
				moved &= xn[q] == (q == k * N + (i + N - 1) % N);
		}
	ok(moved, "shift init: a delta at unit i of ring k goes to unit i-1 mod n in one step");

	/* n steps bring a pattern back: a wave of speed one around the ring */
	double h[C * N], start[C * N];
	for (int q = 0; q < C * N; q++)
		start[q] = h[q] = 1 + sin(q);
	for (int t = 0; t < N; t++) {
		dk_model_step(m, w, 1, h, u, xn, NULL);
		memcpy(h, xn, sizeof h);
		if (t == 2) {
			int ok3 = 1;
			for (int k = 0; k < C; k++)
				for (int i = 0; i < N; i++)
					ok3 &= h[k * N + i] == start[k * N + (i + 3) % N];
			ok(ok3, "shift init: after 3 steps h[k][i] = h0[k][i + 3]");
		}
	}
	ok(!memcmp(h, start, sizeof h), "shift init: n steps go once around the ring");

	/* the solo input: weight 1 from every input into unit 0 of every ring */
	size_t vc;
	double *V = param(m, "model/V", &vc), *b = param(m, "model/b", NULL);
	double *W = param(m, "model/conv/W", NULL), *cb = param(m, "model/conv/b", NULL);
	int solo = vc == C * N * IN, kern = 1, zero = 1;
	for (int k = 0; k < C * N; k++)
		for (int a = 0; a < IN; a++)
			solo &= V[k * IN + a] == (k % N == 0);
	for (int k = 0; k < C; k++)
		for (int j = 0; j < C; j++)
			for (int d = 0; d < 3; d++)
				kern &= W[(k * C + j) * 3 + d] == (k == j && d == 2);
	for (int k = 0; k < C; k++)
		zero &= cb[k] == 0;
	for (int q = 0; q < C * N; q++)
		zero &= b[q] == 0;
	ok(solo, "solo init: V[k n + i][a] = 1 if i = 0, else 0");
	ok(kern, "shift init: W[k][k] = [0, 0, 1], the rest 0");
	ok(zero, "shift init: conv bias and input bias 0");
	memset(x, 0, sizeof x);
	u[0] = 0.5;
	u[1] = 2;
	dk_model_step(m, w, 1, x, u, xn, NULL);
	int in0 = 1;
	for (int q = 0; q < C * N; q++)
		in0 &= xn[q] == (q % N == 0 ? 2.5 : 0);
	ok(in0, "solo init: the inputs' sum enters unit 0 of every ring");

	/* the Jacobian at a positive state is the shift permutation */
	double *J = malloc(C * N * C * N * sizeof *J);
	for (int q = 0; q < C * N; q++)
		x[q] = 1 + 0.1 * q;
	dk_model_jacobian(m, w, x, u, J);
	int perm = 1;
	for (int r = 0; r < C * N; r++)
		for (int q = 0; q < C * N; q++)
			perm &= J[r * C * N + q] == (q / N == r / N && q % N == (r % N + 1) % N);
	ok(perm, "shift init: the Jacobian is the permutation h[k][i] <- h[k][i+1]");
	free(J);
	dk_model_work_free(w);
	dk_model_free(m);
}

/* The names, shapes and total of the paper's copy-task model. */
static void test_count(void)
{
	dk_model *m = make(6, 100, 10, 10, NULL, 1, 1);
	is_int(dk_model_param_count(m), 12724, "c=6 n=100 inputs=10 outputs=10: 12,724 parameters");
	is_int(dk_model_state_size(m), 600, "state size c n = 600");
	dk_bundle *b = dk_bundle_alloc();
	dk_model_to_bundle(m, b);
	static const char *const names[] = {"model/conv/W", "model/conv/b", "model/V", "model/b",
	                                    "model/readout/W", "model/readout/b"};
	static const size_t counts[] = {108, 6, 6000, 600, 6000, 10};
	int same = dk_bundle_size(b) == 6;
	for (size_t k = 0; same && k < 6; k++) {
		size_t off, cnt;
		same = !strcmp(dk_bundle_name(b, k), names[k]) &&
		       !dk_model_param_find(m, names[k], &off, &cnt) && cnt == counts[k];
	}
	ok(same, "tensors in order: conv/W (108), conv/b (6), V (6000), b (600), readout W (6000), b (10)");
	dk_tensor *W = dk_bundle_get(b, "model/conv/W"), *V = dk_bundle_get(b, "model/V");
	ok(W && W->rank == 3 && W->shape[0] == 6 && W->shape[1] == 6 && W->shape[2] == 3,
	   "model/conv/W has shape (6, 6, 3)");
	ok(V && V->rank == 2 && V->shape[0] == 600 && V->shape[1] == 10,
	   "model/V has shape (600, 10)");
	dk_bundle_free(b);
	dk_model_free(m);
	m = make(27, 100, 1, 1, NULL, 1, 1);
	is_int(dk_model_param_count(m), 27 * 27 * 3 + 27 + 2700 + 2700 + 2700 + 1,
	       "c=27 n=100 inputs=1 outputs=1: 3c^2 + c + 2cn + cn o + o parameters");
	dk_model_free(m);
}

static void test_random(void)
{
	/* 3 c^2 = 30000 draws of variance gain^2/(3c) = 4/300: the sample
	   variance's standard error is 0.8 % of it; allow 4 % */
	enum { C = 100, N = 2, IN = 3 };
	dk_model *m = make(C, N, IN, 1, "random", 2, 9);
	size_t cnt;
	double *W = param(m, "model/conv/W", &cnt), s1 = 0, s2 = 0;
	for (size_t i = 0; i < cnt; i++) {
		s1 += W[i];
		s2 += W[i] * W[i];
	}
	double v = 4.0 / 300, mean = s1 / cnt, var = s2 / cnt - mean * mean;
	ok(fabs(var / v - 1) < 0.04, "random init: Var W = gain^2 / (3 c) within 4 %% (ratio %.4f)",
	   var / v);
	ok(fabs(mean) < 4 * sqrt(v / cnt), "random init: mean W within 4 standard errors of 0 (%.2g)",
	   mean);
	double *V = param(m, "model/V", &cnt), *b = param(m, "model/b", NULL);
	double k = 1 / sqrt((double)(C * N)), vmax = 0, bmax = 0;
	for (size_t i = 0; i < cnt; i++)
		vmax = fmax(vmax, fabs(V[i]));
	for (size_t i = 0; i < C * N; i++)
		bmax = fmax(bmax, fabs(b[i]));
	ok(vmax <= k && vmax > 0.9 * k && bmax <= k && bmax > 0.9 * k,
	   "random init: V and b uniform within 1/sqrt(c n)");
	dk_model_free(m);

	dk_model_spec spec = {.kind = "wrnn", .channels = 2, .units = 4, .inputs = 1,
	                      .outputs = 1, .init = "identity", .gain = 1};
	char err[256];
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && strstr(err, "identity"),
	   "unknown initialisation refused: %s", err);
	spec.init = "shift";
	spec.channels = 0; /* a spec's zero is the kind's default: one ring */
	m = NULL;
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_OK && m &&
	   dk_model_state_size(m) == spec.units, "no channels given: one ring");
	dk_model_free(m);
	spec.channels = 2;
	spec.units = 0;
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL, "zero units refused: %s", err);
}

/* The nonlinearity is relu, and no other is taken; the init is named. */
static void test_attrs(void)
{
	dk_model_spec spec = {.kind = "wrnn", .channels = 2, .units = 3, .inputs = 1,
	                      .outputs = 1, .act = DK_ACT_TANH};
	dk_model *m = NULL;
	char err[256];
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && !m &&
	   strstr(err, "relu"), "a wrnn asked for tanh is refused: %s", err);
	spec.act = DK_ACT_DEFAULT;
	dk_model_create(&spec, &m, err, sizeof err);
	dk_bundle *b = dk_bundle_alloc();
	dk_model_to_bundle(m, b);
	json_t *a = json_object_get(dk_meta_attrs(dk_bundle_meta(b, 0)), "model");
	is_str(json_string_value(json_object_get(a, "act")), "relu", "attrs: act is relu");
	is_str(json_string_value(json_object_get(a, "init")), "shift", "attrs: the default init is shift");
	is_int(json_integer_value(json_object_get(a, "channels")), 2, "attrs: channels");
	is_int(json_integer_value(json_object_get(a, "units")), 3, "attrs: units per ring");
	is_int(json_integer_value(json_object_get(a, "state_size")), 6, "attrs: state size c n");
	dk_bundle_free(b);
	dk_model_free(m);
}

/*
 * A batch of 45 rows (8 blocks of 5 or 6 rows, the kernel gradient's
 * sums taken over chunks of up to 4 rows) against the rows one at a
 * time: the same step, tangent and input gradient, and parameter
 * gradients that are the sum of the rows'.  c = 9, n = 37 fill the
 * direct loops' tiles and leave partial ones.  The batch adds the rows'
 * sums in another order (by chunks, blocks, vector lanes), so the
 * gradients agree to round-off: within 1e-12 of the sum of magnitudes
 * (45 rows of 37 sums of about 1 each: errors near 1e-14).
 */
static void test_batch_rows(size_t in)
{
	enum { C = 9, N = 37, ROWS = 45 };
	size_t S = C * N;
	dk_model *m = make(C, N, in, 1, "random", 1.2, 21);
	size_t np = dk_model_param_count(m);
	double *x = malloc(ROWS * S * sizeof *x), *u = malloc(ROWS * (in + 1) * sizeof *u);
	double *g = malloc(ROWS * S * sizeof *g), *xn = malloc(ROWS * S * sizeof *xn);
	double *gx = malloc(ROWS * S * sizeof *gx), *gu = malloc(ROWS * (in + 1) * sizeof *gu);
	double *dxn = malloc(ROWS * S * sizeof *dxn), *one = malloc(S * sizeof *one);
	double *gp = calloc(np, sizeof *gp), *gp1 = calloc(np, sizeof *gp1);
	double *mag = calloc(np, sizeof *mag), *gpr = malloc(np * sizeof *gpr);
	for (size_t i = 0; i < ROWS * S; i++) {
		x[i] = sin(0.7 * (double)i + 0.3);
		g[i] = cos(1.3 * (double)i);
	}
	for (size_t i = 0; i < ROWS * in; i++)
		u[i] = sin(2.1 * (double)i + 1);
	dk_model_work *wb = dk_model_work_alloc(m, ROWS), *w1 = dk_model_work_alloc(m, 1);
	dk_model_step(m, wb, ROWS, x, u, xn, NULL);
	dk_model_jvp(m, wb, ROWS, x, u, NULL, g, dxn);
	dk_model_vjp(m, wb, ROWS, x, u, NULL, g, gx, in ? gu : NULL, gp);
	double worst_rows = 0, worst_gp = 0;
	for (size_t r = 0; r < ROWS; r++) {
		const double *ur = in ? u + r * in : NULL;
		dk_model_step(m, w1, 1, x + r * S, ur, one, NULL);
		for (size_t i = 0; i < S; i++)
			worst_rows = fmax(worst_rows, fabs(one[i] - xn[r * S + i]));
		dk_model_jvp(m, w1, 1, x + r * S, ur, NULL, g + r * S, one);
		for (size_t i = 0; i < S; i++)
			worst_rows = fmax(worst_rows, fabs(one[i] - dxn[r * S + i]));
		memset(gpr, 0, np * sizeof *gpr);
		double gur[8];
		dk_model_vjp(m, w1, 1, x + r * S, ur, NULL, g + r * S, one, in ? gur : NULL, gpr);
		for (size_t i = 0; i < S; i++)
			worst_rows = fmax(worst_rows, fabs(one[i] - gx[r * S + i]));
		for (size_t a = 0; a < in; a++)
			worst_rows = fmax(worst_rows, fabs(gur[a] - gu[r * in + a]));
		for (size_t i = 0; i < np; i++) {
			gp1[i] += gpr[i];
			mag[i] += fabs(gpr[i]);
		}
	}
	for (size_t i = 0; i < np; i++)
		worst_gp = fmax(worst_gp, fabs(gp[i] - gp1[i]) / (mag[i] + 1e-300));
	/* a row alone and in the batch: the same sums in the same order, but
	   for the input gradient, a BLAS product of another shape */
	ok(worst_rows < 1e-13, "%zu inputs: 45 rows at once, step, tangent and input "
	   "gradients as one at a time (worst %.2g)", in, worst_rows);
	ok(worst_gp < 1e-12, "%zu inputs: the parameter gradient of 45 rows is the sum of "
	   "the rows' (worst %.2g of the magnitudes)", in, worst_gp);
	dk_model_work_free(wb);
	dk_model_work_free(w1);
	free(x), free(u), free(g), free(xn), free(gx), free(gu), free(dxn), free(one);
	free(gp), free(gp1), free(mag), free(gpr);
	dk_model_free(m);
}

int main(void)
{
	struct { size_t c, n, in; const char *init; } cases[] = {
		{1, 3, 0, "shift"}, {1, 3, 0, "random"}, {1, 3, 2, "random"},
		{3, 5, 2, "random"}, {2, 4, 3, "shift"}, {2, 1, 2, "random"},
		{2, 2, 1, "random"}, {4, 6, 1, "random"}, {3, 4, 6, "random"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		dk_model_spec spec = {.kind = "wrnn", .channels = cases[k].c, .units = cases[k].n,
		                      .inputs = cases[k].in, .outputs = 2, .init = cases[k].init,
		                      .gain = 1.3, .seed = 11 + k};
		char label[64];
		snprintf(label, sizeof label, "wrnn c=%zu n=%zu in=%zu %s", cases[k].c, cases[k].n,
		         cases[k].in, cases[k].init);
		dk_check_model(&spec, label);
	}
	test_formula(2);
	test_formula(7);
	test_batch_rows(2);
	test_batch_rows(5);
	test_shift();
	test_count();
	test_random();
	test_attrs();
	return tap_done();
}
