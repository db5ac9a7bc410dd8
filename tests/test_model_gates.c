/*
 * test_model_gates.c -- the gru and lstm kinds: the checks of
 * model_check.h for several sizes (with and without inputs), several
 * steps against PyTorch's equations written out with plain loops over
 * the named parameters (no BLAS), the lstm readout reading h alone, and
 * the initialisation's uniform bound.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

#define STEPS 4

static double sig(double a) { return 1 / (1 + exp(-a)); }

static const double *param(dk_model *m, const char *name, size_t want)
{
	size_t off, cnt;
	if (dk_model_param_find(m, name, &off, &cnt) || cnt != want)
		return NULL;
	return dk_model_params(m) + off;
}

/* sum_k W[row, k] v[k] for a row-major matrix with cols columns. */
static double row_dot(const double *W, size_t row, size_t cols, const double *v)
{
	double s = 0;
	for (size_t k = 0; k < cols; k++)
		s += W[row * cols + k] * v[k];
	return s;
}

/* Inputs u[t][r][k] and a starting state, the same for every test. */
static void fill_inputs(double *u, size_t T, size_t Bn, size_t in)
{
	for (size_t t = 0; t < T; t++)
		for (size_t r = 0; r < Bn; r++)
			for (size_t k = 0; k < in; k++)
				u[(t * Bn + r) * in + k] = 1.5 * sin(0.7 + 3.1 * t + 1.3 * r + 0.9 * k);
}

/* STEPS gru steps from h0, against the equations of torch.nn.GRU. */
static void test_gru_equations(size_t n, size_t in, int null_input)
{
	dk_model_spec spec = {.kind = "gru", .units = n, .inputs = in, .outputs = 2,
	                      .init = "random", .seed = 21};
	dk_model *m;
	char err[256];
	if (!ok(dk_model_create(&spec, &m, err, sizeof err) == DK_OK, "gru %zu/%zu: create", n, in))
		return;
	const double *Wih = param(m, "model/weight_ih", 3 * n * in);
	const double *Whh = param(m, "model/weight_hh", 3 * n * n);
	const double *bih = param(m, "model/bias_ih", 3 * n);
	const double *bhh = param(m, "model/bias_hh", 3 * n);
	ok(Wih && Whh && bih && bhh, "gru %zu/%zu: PyTorch's four tensors, 3 units of gates", n, in);
	enum { Bn = 2 };
	double *u = malloc((STEPS * Bn * in + 1) * sizeof *u);
	double *h = malloc(Bn * n * sizeof *h), *ref = malloc(Bn * n * sizeof *ref);
	double *next = malloc(Bn * n * sizeof *next), *cache = malloc(Bn * 4 * n * sizeof *cache);
	fill_inputs(u, STEPS, Bn, in);
	for (size_t i = 0; i < Bn * n; i++)
		h[i] = ref[i] = 0.8 * cos(0.3 + 1.7 * i);
	dk_model_work *w = dk_model_work_alloc(m, Bn);
	double worst = 0;
	for (size_t t = 0; t < STEPS; t++) {
		const double *ut = null_input ? NULL : u + t * Bn * in;
		dk_model_step(m, w, Bn, h, ut, next, t % 2 ? cache : NULL);
		memcpy(h, next, Bn * n * sizeof *h);
		for (size_t r = 0; r < Bn; r++) {
			const double *x = ut ? ut + r * in : NULL, *hp = ref + r * n;
			double hn[64];
			for (size_t i = 0; i < n; i++) {
				/* rows i, n + i, 2n + i of the stacked matrices: r, z, n */
				double gi[3], gh[3];
				for (int q = 0; q < 3; q++) {
					size_t row = q * n + i;
					gi[q] = bih[row] + (x ? row_dot(Wih, row, in, x) : 0);
					gh[q] = bhh[row] + row_dot(Whh, row, n, hp);
				}
				double rg = sig(gi[0] + gh[0]), zg = sig(gi[1] + gh[1]);
				double ng = tanh(gi[2] + rg * gh[2]);
				hn[i] = (1 - zg) * ng + zg * hp[i];
			}
			memcpy(ref + r * n, hn, n * sizeof *hn);
		}
		for (size_t i = 0; i < Bn * n; i++)
			worst = fmax(worst, fabs(h[i] - ref[i]));
	}
	ok(worst < 1e-13, "gru %zu/%zu%s: %d steps are PyTorch's equations (worst %.2g)", n, in,
	   null_input ? " (no input)" : "", STEPS, worst);
	dk_model_work_free(w);
	free(u); free(h); free(ref); free(next); free(cache);
	dk_model_free(m);
}

/* STEPS lstm steps from [h0, c0], against the equations of torch.nn.LSTM. */
static void test_lstm_equations(size_t n, size_t in, int null_input)
{
	dk_model_spec spec = {.kind = "lstm", .units = n, .inputs = in, .outputs = 2,
	                      .init = "random", .seed = 22};
	dk_model *m;
	char err[256];
	if (!ok(dk_model_create(&spec, &m, err, sizeof err) == DK_OK, "lstm %zu/%zu: create", n, in))
		return;
	ok(dk_model_state_size(m) == 2 * n, "lstm %zu/%zu: the state is [h, c], 2 units", n, in);
	const double *Wih = param(m, "model/weight_ih", 4 * n * in);
	const double *Whh = param(m, "model/weight_hh", 4 * n * n);
	const double *bih = param(m, "model/bias_ih", 4 * n);
	const double *bhh = param(m, "model/bias_hh", 4 * n);
	ok(Wih && Whh && bih && bhh, "lstm %zu/%zu: PyTorch's four tensors, 4 units of gates", n, in);
	enum { Bn = 2 };
	size_t N = 2 * n;
	double *u = malloc((STEPS * Bn * in + 1) * sizeof *u);
	double *x = malloc(Bn * N * sizeof *x), *ref = malloc(Bn * N * sizeof *ref);
	double *next = malloc(Bn * N * sizeof *next), *cache = malloc(Bn * 5 * n * sizeof *cache);
	fill_inputs(u, STEPS, Bn, in);
	for (size_t i = 0; i < Bn * N; i++)
		x[i] = ref[i] = 0.8 * cos(0.3 + 1.7 * i);
	dk_model_work *w = dk_model_work_alloc(m, Bn);
	double worst = 0;
	for (size_t t = 0; t < STEPS; t++) {
		const double *ut = null_input ? NULL : u + t * Bn * in;
		dk_model_step(m, w, Bn, x, ut, next, t % 2 ? cache : NULL);
		memcpy(x, next, Bn * N * sizeof *x);
		for (size_t r = 0; r < Bn; r++) {
			const double *v = ut ? ut + r * in : NULL;
			const double *hp = ref + r * N, *cp = hp + n;
			double hn[64], cn[64];
			for (size_t i = 0; i < n; i++) {
				/* rows i, n + i, 2n + i, 3n + i: the gates i, f, g, o */
				double a[4];
				for (int q = 0; q < 4; q++) {
					size_t row = q * n + i;
					a[q] = bih[row] + (v ? row_dot(Wih, row, in, v) : 0) +
					       bhh[row] + row_dot(Whh, row, n, hp);
				}
				double ig = sig(a[0]), fg = sig(a[1]), gg = tanh(a[2]), og = sig(a[3]);
				cn[i] = fg * cp[i] + ig * gg;
				hn[i] = og * tanh(cn[i]);
			}
			memcpy(ref + r * N, hn, n * sizeof *hn);
			memcpy(ref + r * N + n, cn, n * sizeof *cn);
		}
		for (size_t i = 0; i < Bn * N; i++)
			worst = fmax(worst, fabs(x[i] - ref[i]));
	}
	ok(worst < 1e-13, "lstm %zu/%zu%s: %d steps are PyTorch's equations (worst %.2g)", n, in,
	   null_input ? " (no input)" : "", STEPS, worst);
	dk_model_work_free(w);
	free(u); free(x); free(ref); free(next); free(cache);
	dk_model_free(m);
}

/* The lstm readout reads h and not c: outputs x units weights, and no
   dependence on (or gradient into) the c half of the state. */
static void test_lstm_readout(void)
{
	dk_model_spec spec = {.kind = "lstm", .units = 5, .inputs = 2, .outputs = 3,
	                      .init = "random", .seed = 4};
	dk_model *m;
	char err[256];
	dk_model_create(&spec, &m, err, sizeof err);
	size_t off, cnt;
	dk_model_param_find(m, "model/readout/W", &off, &cnt);
	ok(cnt == 15 && dk_model_readout_input_size(m) == 5,
	   "lstm readout: W_out is outputs x units (reads h)");
	double x[2][10], y1[2][3], y2[2][3], gy[2][3], gx[2][10];
	for (int r = 0; r < 2; r++) {
		for (int i = 0; i < 10; i++)
			x[r][i] = sin(1.0 + 10 * r + i);
		for (int k = 0; k < 3; k++)
			gy[r][k] = cos(2.0 + 3 * r + k);
	}
	dk_model_readout(m, 2, &x[0][0], &y1[0][0]);
	for (int r = 0; r < 2; r++)
		for (int i = 5; i < 10; i++)
			x[r][i] += 10;
	dk_model_readout(m, 2, &x[0][0], &y2[0][0]);
	ok(!memcmp(y1, y2, sizeof y1), "lstm readout: changing c changes no output");
	memset(gx, 0x7f, sizeof gx);
	dk_model_readout_vjp(m, 2, &x[0][0], &gy[0][0], &gx[0][0], NULL);
	int zero = 1;
	for (int r = 0; r < 2; r++)
		for (int i = 5; i < 10; i++)
			zero &= gx[r][i] == 0;
	ok(zero, "lstm readout vjp: the c half of the gradient is zero");
	dk_model_free(m);

	/* gru and rnn read the whole state, as before */
	spec.kind = "gru";
	dk_model_create(&spec, &m, err, sizeof err);
	ok(dk_model_readout_input_size(m) == dk_model_state_size(m), "gru readout reads all of h");
	dk_model_free(m);
}

/* Every weight and bias uniform on [-1/sqrt(n), 1/sqrt(n)], filling it. */
static void test_init(const char *kind, size_t G)
{
	size_t n = 30, in = 7;
	dk_model_spec spec = {.kind = kind, .units = n, .inputs = in, .outputs = 1,
	                      .init = "random", .seed = 8};
	dk_model *m;
	char err[256];
	dk_model_create(&spec, &m, err, sizeof err);
	const char *names[] = {"model/weight_ih", "model/weight_hh", "model/bias_ih", "model/bias_hh"};
	size_t counts[] = {G * n * in, G * n * n, G * n, G * n};
	double k = 1 / sqrt((double)n), big = 0, sum = 0;
	size_t total = 0;
	int inside = 1;
	for (int p = 0; p < 4; p++) {
		const double *v = param(m, names[p], counts[p]);
		if (!v) {
			inside = 0;
			continue;
		}
		for (size_t i = 0; i < counts[p]; i++) {
			inside &= fabs(v[i]) <= k;
			big = fmax(big, fabs(v[i]));
			sum += v[i];
		}
		total += counts[p];
	}
	ok(inside, "%s init: every weight and bias within 1/sqrt(units)", kind);
	ok(big > 0.99 * k, "%s init: the draws reach the bound (max %.4f of %.4f)", kind, big, k);
	/* the mean of U(-k, k) over total draws: standard error k / sqrt(3 total) */
	ok(fabs(sum / total) < 4 * k / sqrt(3.0 * total), "%s init: mean near 0 (%.2g)", kind,
	   sum / total);
	dk_model_free(m);

	dk_model *again;
	dk_model_create(&spec, &m, err, sizeof err);
	dk_model_create(&spec, &again, err, sizeof err);
	ok(!memcmp(dk_model_params(m), dk_model_params(again),
	           dk_model_param_count(m) * sizeof(double)),
	   "%s init: the same seed gives the same parameters", kind);
	dk_model_free(m);
	dk_model_free(again);

	spec.init = "identity";
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && strstr(err, "identity"),
	   "%s: other initialisations refused: %s", kind, err);
	spec.init = "random";
	spec.act = DK_ACT_RELU;
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && strstr(err, "relu"),
	   "%s: another nonlinearity refused: %s", kind, err);
	spec.act = DK_ACT_TANH;
	spec.units = 0;
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL, "%s: zero units refused", kind);
}

int main(void)
{
	const char *kinds[] = {"gru", "lstm"};
	const size_t sizes[][3] = {{1, 1, 1}, {4, 3, 2}, {9, 5, 3}, {6, 0, 2}};
	for (int k = 0; k < 2; k++)
		for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
			dk_model_spec spec = {.kind = kinds[k], .units = sizes[s][0],
			                      .inputs = sizes[s][1], .outputs = sizes[s][2],
			                      .init = "random", .seed = 11 + s};
			char label[64];
			snprintf(label, sizeof label, "%s units %zu inputs %zu", kinds[k],
			         sizes[s][0], sizes[s][1]);
			dk_check_model(&spec, label);
		}
	test_gru_equations(7, 3, 0);
	test_gru_equations(1, 2, 0);
	test_gru_equations(5, 0, 1);
	test_gru_equations(5, 3, 1);
	test_lstm_equations(7, 3, 0);
	test_lstm_equations(1, 2, 0);
	test_lstm_equations(5, 0, 1);
	test_lstm_equations(5, 3, 1);
	test_lstm_readout();
	test_init("gru", 3);
	test_init("lstm", 4);
	return tap_done();
}
