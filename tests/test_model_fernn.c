/*
 * test_model_fernn.c -- the flow-equivariant RNN (fernn) and its twin
 * the G-RNN (grnn), on rings and on sheets: the checks of model_check.h
 * for several sizes; the step against its formula written out with the
 * velocity shift done first as its own array (torch.roll's direction);
 * flow equivariance of the fernn, and its absence in the grnn with the
 * same weights; the same seed giving both the same parameters (the
 * fernn's readout pools over its velocities first); the spec's refusals.
 * On a sheet the same holds with T_nu the roll by nu_y rows and nu_x
 * columns, velocities in {-v .. v}^2, and the induction below word for
 * word with vectors for nu and mu (shifts along rows and columns
 * commute).
 *
 * The flow.  Write T_s for the shift by s units toward higher indices,
 * (T_s h)[i] = h[(i - s) mod N], and h_nu(t) for slice nu of the state
 * after t steps, step t taking input u(t) (t = 0, 1, ...).  The cell is
 * h_nu(t + 1) = relu(W * T_nu h_nu(t) + U * u(t) + b), the convolutions
 * commute with T, and T_nu T_{mu (t - 1)} = T_{mu t} T_{nu - mu}.  So
 * with the input moved at velocity mu, u'(t) = T_{mu t} u(t), and the
 * start h'_nu(0) = T_{-mu} h_{nu - mu}(0), induction on t gives
 *
 *	h'_nu(t) = T_{mu (t - 1)} h_{nu - mu}(t)
 *
 * for every nu with nu - mu in V: the flow moves each slice by mu (t - 1)
 * and relabels the velocities by mu.  Slices whose nu - mu falls outside
 * V = {-v .. v} have no partner (the truncation of V); on a ring of N =
 * 2 v + 1 units the velocities are the whole group Z_N (T_nu depends
 * only on nu mod N), nu - mu is taken mod N and every slice, hence also
 * the maximum over V, is equivariant.  Both runs do the same operations
 * on permuted data, in the same order per unit (the shift is folded into
 * the index a tap reads), so the error is 0 or a few ulps: the bound
 * 1e-12 on the relative error leaves room for either.  The grnn has V =
 * {0}: moving the input at mu != 0 asks slice 0 to follow slice -mu,
 * which it does not have, and it fails to by order 1.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

static dk_model *make(const char *kind, size_t c, size_t n, size_t v, size_t in,
                      uint64_t seed)
{
	dk_model_spec spec = {.kind = kind, .channels = c, .units = n, .velocities = v,
	                      .inputs = in, .outputs = 2, .gain = 1, .seed = seed};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&spec, &m, err, sizeof err))
		printf("# create %s: %s\n", kind, err);
	return m;
}

/* The same on an H x W sheet. */
static dk_model *make_sheet(const char *kind, size_t c, size_t H, size_t W, size_t v,
                            size_t in, uint64_t seed)
{
	dk_model_spec spec = {.kind = kind, .channels = c, .height = H, .width = W,
	                      .velocities = v, .inputs = in, .outputs = 2, .gain = 1,
	                      .seed = seed};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&spec, &m, err, sizeof err))
		printf("# create %s on a sheet: %s\n", kind, err);
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

/* b away from its initial 0, so that every parameter is exercised. */
static void set_bias(dk_model *m, double phase)
{
	size_t cnt = 0;
	double *b = param(m, "model/b", &cnt);
	for (size_t k = 0; k < cnt; k++)
		b[k] = 0.2 * sin(phase + 1.7 * (double)k);
}

/* out[j][i] = in[j][(i - s) mod N] for C rows of N: T_s. */
static void shift(size_t C, size_t N, long s, const double *in, double *out)
{
	long n = (long)N, r = ((s % n) + n) % n;
	for (size_t j = 0; j < C; j++)
		for (size_t i = 0; i < N; i++)
			out[j * N + ((long)i + r) % n] = in[j * N + i];
}

static void test_checks(void)
{
	static const struct { const char *kind; size_t c, n, v, in; } cases[] = {
		{"fernn", 2, 7, 1, 1}, {"fernn", 2, 7, 2, 2}, {"fernn", 1, 2, 1, 1},
		{"fernn", 2, 3, 1, 0}, {"grnn", 2, 7, 0, 2}, {"grnn", 1, 1, 0, 1},
		/* wider than a tile of wconv.c's loops in both instruction sets
		   (8 and 6 output channels, 24 and 8 units), with tails */
		{"fernn", 9, 29, 1, 2},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		char label[96];
		snprintf(label, sizeof label, "%s C=%zu N=%zu V=%zu I=%zu", cases[k].kind,
		         cases[k].c, cases[k].n, cases[k].v, cases[k].in);
		dk_model *m = make(cases[k].kind, cases[k].c, cases[k].n, cases[k].v,
		                   cases[k].in, 3 + k);
		if (!ok(m != NULL, "%s: create", label))
			continue;
		set_bias(m, (double)k);
		dk_check_model_of(m, label);
	}
	/* sheets, also with sides shorter than the kernel (its taps add up) */
	static const struct { const char *kind; size_t c, h, w, v, in; } sheets[] = {
		{"fernn", 2, 4, 5, 1, 1}, {"fernn", 1, 3, 3, 1, 2}, {"fernn", 1, 2, 1, 1, 1},
		{"fernn", 1, 3, 4, 2, 0}, {"grnn", 2, 4, 5, 0, 2}, {"grnn", 1, 1, 1, 0, 1},
	};
	for (size_t k = 0; k < sizeof sheets / sizeof *sheets; k++) {
		char label[96];
		snprintf(label, sizeof label, "%s C=%zu sheet %zux%zu V=%zu I=%zu",
		         sheets[k].kind, sheets[k].c, sheets[k].h, sheets[k].w, sheets[k].v,
		         sheets[k].in);
		dk_model *m = make_sheet(sheets[k].kind, sheets[k].c, sheets[k].h, sheets[k].w,
		                         sheets[k].v, sheets[k].in, 40 + k);
		if (!ok(m != NULL, "%s: create", label))
			continue;
		set_bias(m, 0.5 + (double)k);
		dk_check_model_of(m, label);
	}
}

/*
 * The step against the cell written out: each slice rolled by its
 * velocity into an array of its own, then the circular cross-correlation
 * with taps i - 1, i, i + 1 of it and of the input; R rows.
 */
static void test_formula(size_t C, size_t N, size_t V, size_t NI)
{
	enum { R = 2 };
	size_t S = 2 * V + 1, n = S * C * N;
	dk_model *m = make("fernn", C, N, V, NI, 9);
	set_bias(m, 0.5);
	const double *W = param(m, "model/W", NULL), *U = param(m, "model/U", NULL);
	const double *b = param(m, "model/b", NULL);
	double *x = malloc(R * n * sizeof *x), *u = malloc(R * NI * N * sizeof *u);
	double *xn = malloc(R * n * sizeof *xn), *rolled = malloc(C * N * sizeof *rolled);
	double worst = 0;
	size_t negative = 0;
	for (size_t i = 0; i < R * n; i++)
		x[i] = sin(1.0 + 1.3 * (double)i);
	for (size_t i = 0; i < R * NI * N; i++)
		u[i] = cos(2.0 + 0.7 * (double)i);
	dk_model_work *w = dk_model_work_alloc(m, R);
	dk_model_step(m, w, R, x, u, xn, NULL);
	for (size_t r = 0; r < R; r++)
		for (size_t a = 0; a < S; a++) {
			shift(C, N, (long)a - (long)V, x + r * n + a * C * N, rolled);
			for (size_t k = 0; k < C; k++)
				for (size_t i = 0; i < N; i++) {
					double t = b[k];
					for (size_t d = 0; d < 3; d++) {
						size_t q = (i + d + N - 1) % N;
						for (size_t j = 0; j < C; j++)
							t += W[(k * C + j) * 3 + d] * rolled[j * N + q];
						for (size_t l = 0; l < NI; l++)
							t += U[(k * NI + l) * 3 + d] * u[(r * NI + l) * N + q];
					}
					negative += t < 0;
					worst = fmax(worst, fabs((t > 0 ? t : 0) -
					                         xn[r * n + (a * C + k) * N + i]));
				}
		}
	/* at most 3 (C + NI) + 1 = 34 products of values below 1 added:
	   rounding is ~1e-14 */
	ok(worst < 1e-13, "C=%zu N=%zu V=%zu: step is relu(W * roll(h_nu, nu) + U * u + b), "
	   "taps i-1, i, i+1 (worst %.2g)", C, N, V, worst);
	ok(negative > 0 && negative < R * n,
	   "the formula test reaches both sides of the relu (%zu of %zu negative)", negative,
	   R * n);
	dk_model_work_free(w);
	dk_model_free(m);
	free(x);
	free(u);
	free(xn);
	free(rolled);
}

enum { STEPS = 20 };

/* STEPS steps of m from h0 driven by u (STEPS x P): states H (STEPS + 1 x n). */
static void run(dk_model *m, const double *h0, const double *u, double *H)
{
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m);
	dk_model_work *w = dk_model_work_alloc(m, 1);
	memcpy(H, h0, n * sizeof *H);
	for (size_t t = 0; t < STEPS; t++)
		dk_model_step(m, w, 1, H + t * n, u + t * P, H + (t + 1) * n, NULL);
	dk_model_work_free(w);
}

/* The partner in V = {-v .. v} of velocity nu - mu: its slice index, or
   -1 outside V; on the whole group (wrap) taken mod 2 v + 1. */
static long partner(long nu, long mu, long v, int wrap)
{
	long p = nu - mu, S = 2 * v + 1;
	if (wrap)
		p = ((p + v) % S + S) % S - v;
	return p < -v || p > v ? -1 : p + v;
}

typedef struct { double paired, edge, pooled; long relu_off, entries; } flow_err;

/*
 * Run m from h0 under u and from the flowed start under the input moved
 * at mu; the relative errors of h'_nu(t) against T_{mu (t - 1)}
 * h_{nu - mu}(t) over t = 1 .. STEPS, over slices with a partner
 * (paired) and without (edge, against the same slice of the unmoved
 * run moved alike), and of the maximum over V.
 */
static flow_err flow(dk_model *m, long mu, int wrap, const double *h0, const double *u)
{
	const dk_model_spec *s = dk_model_spec_of(m);
	size_t C = s->channels, N = s->units, NI = s->inputs, CN = C * N;
	size_t n = dk_model_state_size(m), P = NI * N;
	long v = (long)s->velocities, S = 2 * v + 1;
	double *u2 = malloc(STEPS * P * sizeof *u2), *h2 = malloc(n * sizeof *h2);
	double *H = malloc((STEPS + 1) * n * sizeof *H), *H2 = malloc((STEPS + 1) * n * sizeof *H2);
	double *want = malloc(CN * sizeof *want);
	double num[3] = {0}, den[3] = {0};
	flow_err e = {0};
	for (size_t t = 0; t < STEPS; t++)
		shift(NI, N, mu * (long)t, u + t * P, u2 + t * P);
	for (long a = 0; a < S; a++) {
		long p = partner(a - v, mu, v, wrap);
		/* a slice without a partner starts as its own, moved alike */
		shift(C, N, -mu, h0 + (p < 0 ? a : p) * CN, h2 + a * CN);
	}
	run(m, h0, u, H);
	run(m, h2, u2, H2);
	for (size_t t = 1; t <= STEPS; t++) {
		const double *ht = H + t * n, *h2t = H2 + t * n;
		long move = mu * ((long)t - 1);
		for (long a = 0; a < S; a++) {
			long p = partner(a - v, mu, v, wrap);
			int c = p < 0;
			shift(C, N, move, ht + (c ? a : p) * CN, want);
			for (size_t i = 0; i < CN; i++) {
				double d = h2t[a * CN + i] - want[i];
				num[c] += d * d;
				den[c] += want[i] * want[i];
				e.relu_off += h2t[a * CN + i] == 0;
				e.entries++;
			}
		}
		/* the maximum over V, moved by mu (t - 1) */
		double *pool = malloc(CN * sizeof *pool), *pool2 = malloc(CN * sizeof *pool2);
		for (size_t i = 0; i < CN; i++) {
			pool[i] = ht[i];
			pool2[i] = h2t[i];
			for (long a = 1; a < S; a++) {
				pool[i] = fmax(pool[i], ht[a * CN + i]);
				pool2[i] = fmax(pool2[i], h2t[a * CN + i]);
			}
		}
		shift(C, N, move, pool, want);
		for (size_t i = 0; i < CN; i++) {
			num[2] += (pool2[i] - want[i]) * (pool2[i] - want[i]);
			den[2] += want[i] * want[i];
		}
		free(pool);
		free(pool2);
	}
	e.paired = den[0] > 0 ? sqrt(num[0] / den[0]) : -1;
	e.edge = den[1] > 0 ? sqrt(num[1] / den[1]) : -1;
	e.pooled = den[2] > 0 ? sqrt(num[2] / den[2]) : -1;
	free(u2); free(h2); free(H); free(H2); free(want);
	return e;
}

/* A random start (both signs) and input for m. */
static void draw(dk_model *m, uint64_t seed, double **h0, double **u)
{
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m);
	dk_rng *r = dk_rng_alloc(seed);
	*h0 = malloc(n * sizeof **h0);
	*u = malloc(STEPS * P * sizeof **u);
	fill(r, *h0, n, 1.0);
	fill(r, *u, STEPS * P, 1.0);
	dk_rng_free(r);
}

static void test_equivariance(void)
{
	enum { C = 2, N = 11, V = 2, NI = 2 };
	dk_model *f = make("fernn", C, N, V, NI, 17), *g = make("grnn", C, N, 0, NI, 17);
	set_bias(f, 0.3);
	set_bias(g, 0.3);
	ok(!memcmp(dk_model_params(f), dk_model_params(g), dk_model_param_count(g) * sizeof(double)),
	   "the same seed gives the fernn and the grnn the same parameters, bit for bit");
	size_t cw, cu, cb;
	const double *fW = param(f, "model/W", &cw), *fU = param(f, "model/U", &cu);
	const double *fb = param(f, "model/b", &cb);
	ok(!memcmp(fW, param(g, "model/W", NULL), cw * sizeof *fW) &&
	   !memcmp(fU, param(g, "model/U", NULL), cu * sizeof *fU),
	   "the same seed gives the fernn and the grnn the same W and U, bit for bit");
	ok(!memcmp(fb, param(g, "model/b", NULL), cb * sizeof *fb),
	   "and the same b");
	size_t np = dk_model_param_count(f);
	ok(np == dk_model_param_count(g) && dk_model_readout_input_size(f) == C * N &&
	   dk_model_readout_pool(f) == 2 * V + 1 && dk_model_readout_pool(g) == 1,
	   "both have %zu parameters: the fernn's readout pools its %d velocities to C N = %d",
	   np, 2 * V + 1, C * N);

	double *h0, *u;
	draw(f, 23, &h0, &u);
	for (long mu = -V; mu <= V; mu++) {
		flow_err e = flow(f, mu, 0, h0, u);
		ok(e.paired >= 0 && e.paired < 1e-12,
		   "fernn, flow at velocity %ld in V: slices with a partner in V are "
		   "equivariant (rel err %.2g)", mu, e.paired);
		/* the truncation of V: reported, bound by nothing */
		printf("# fernn, velocity %ld: slices without a partner (%ld of %d) rel err %.3g; "
		       "max over V rel err %.3g; %ld of %ld entries at relu's 0\n", mu,
		       mu < 0 ? -mu : mu, 2 * V + 1, e.edge, e.pooled, e.relu_off, e.entries);
		if (mu == 0)
			ok(e.edge < 0 && e.pooled < 1e-12,
			   "fernn, velocity 0: every slice has its partner, the max over V too");
		if (mu == V)
			ok(e.relu_off > e.entries / 20 && e.relu_off < e.entries - e.entries / 20,
			   "the flowed run reaches both sides of the relu (%ld of %ld at 0)",
			   e.relu_off, e.entries);
	}
	free(h0);
	free(u);

	/* the grnn: slice 0 asked to follow a velocity it does not have */
	draw(g, 23, &h0, &u);
	for (long mu = -1; mu <= 1; mu += 2) {
		flow_err e = flow(g, mu, 0, h0, u);
		ok(e.edge > 0.1, "grnn with the fernn's weights, velocity %ld: not equivariant "
		   "(rel err %.3g, order 1)", mu, e.edge);
	}
	flow_err e = flow(g, 0, 0, h0, u);
	ok(e.paired >= 0 && e.paired < 1e-12, "grnn, velocity 0 (no flow): the same run "
	   "(rel err %.2g)", e.paired);
	free(h0);
	free(u);
	dk_model_free(f);
	dk_model_free(g);
}

/* On a ring of 2 v + 1 units V is all of Z_N: every slice and the
   maximum over V are equivariant, for any integer velocity. */
static void test_whole_group(void)
{
	enum { C = 2, N = 5, V = 2, NI = 1 };
	dk_model *f = make("fernn", C, N, V, NI, 29);
	set_bias(f, 1.1);
	double *h0, *u;
	draw(f, 31, &h0, &u);
	static const long mus[] = {1, -2, 3, 7};
	for (size_t k = 0; k < sizeof mus / sizeof *mus; k++) {
		flow_err e = flow(f, mus[k], 1, h0, u);
		ok(e.edge < 0 && e.paired >= 0 && e.paired < 1e-12 && e.pooled < 1e-12,
		   "fernn on Z_5, velocity %ld: every slice (rel err %.2g) and the max over V "
		   "(%.2g) equivariant", mus[k], e.paired, e.pooled);
	}
	free(h0);
	free(u);
	dk_model_free(f);
}

static void test_spec(void)
{
	char err[256];
	dk_model *m = NULL;
	dk_model_spec s = {.kind = "fernn", .channels = 2, .units = 5, .inputs = 1,
	                   .outputs = 1, .gain = 1, .seed = 1};
	int st = dk_model_create(&s, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "velocities"), "fernn without velocities: refused (%s)",
	   err);
	static const char *const others[] = {"grnn", "rnn", "wrnn", "gru"};
	for (size_t k = 0; k < sizeof others / sizeof *others; k++) {
		dk_model_spec o = s;
		o.kind = others[k];
		o.velocities = 1;
		if (strcmp(others[k], "grnn") && strcmp(others[k], "wrnn"))
			o.channels = 0;
		err[0] = '\0';
		st = dk_model_create(&o, &m, err, sizeof err);
		ok(st == DK_EINVAL && strstr(err, "velocities"), "%s with velocities: refused (%s)",
		   others[k], err);
	}
	s.velocities = 1;
	s.outputs = 0;
	st = dk_model_create(&s, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "outputs"), "fernn with 0 outputs: refused (%s)", err);
	s.outputs = 1;
	s.velocities = SIZE_MAX / 2;
	st = dk_model_create(&s, &m, err, sizeof err);
	ok(st == DK_EINVAL, "fernn with 2^63 velocities: refused (%s)", err);
	s.velocities = 1;
	s.init = "shift";
	st = dk_model_create(&s, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "initialisation"), "fernn init shift: refused (%s)", err);
	s.init = NULL;
	st = dk_model_create(&s, &m, err, sizeof err);
	dk_layout l;
	ok(st == DK_OK && dk_model_layout(m, &l) && l.rank == 2 && l.shape[0] == 3 * 2 &&
	   l.shape[1] == 5 && dk_model_state_size(m) == 30 && dk_model_input_size(m) == 5,
	   "fernn C=2 N=5 V=1 I=1: state 30, input 5, layout 6 rings of 5");
	dk_model_free(m);
}

/* out[j][r][c] = in[j][(r - sy) mod H][(c - sx) mod W] for C planes of H
   x W: T_(sx, sy), sx along the columns, sy along the rows. */
static void shift2(size_t C, size_t H, size_t W, long sx, long sy, const double *in,
                   double *out)
{
	long h = (long)H, w = (long)W, ry = ((sy % h) + h) % h, rx = ((sx % w) + w) % w;
	for (size_t j = 0; j < C; j++)
		for (size_t r = 0; r < H; r++)
			for (size_t c = 0; c < W; c++)
				out[(j * H + ((long)r + ry) % h) * W + ((long)c + rx) % w] =
					in[(j * H + r) * W + c];
}

/*
 * The step on a sheet against the cell written out: each slice rolled by
 * (nu_x, nu_y) into an array of its own (slices in the order nu_x, then
 * nu_y), then the circular 3 x 3 cross-correlation of it and of the
 * input, taps (r - 1 .. r + 1, c - 1 .. c + 1).
 */
static void test_formula_sheet(void)
{
	enum { C = 2, H = 4, W = 5, V = 1, A = 2 * V + 1, S = A * A, NI = 2, R = 2,
	       N = H * W };
	dk_model *m = make_sheet("fernn", C, H, W, V, NI, 19);
	set_bias(m, 0.7);
	const double *Wt = param(m, "model/W", NULL), *U = param(m, "model/U", NULL);
	const double *b = param(m, "model/b", NULL);
	double x[R][S * C * N], u[R][NI * N], xn[R][S * C * N], rolled[C * N], worst = 0;
	int negative = 0;
	for (int r = 0; r < R; r++) {
		for (int i = 0; i < S * C * N; i++)
			x[r][i] = sin(1.0 + 7 * r + 1.3 * i);
		for (int i = 0; i < NI * N; i++)
			u[r][i] = cos(2.0 + 3 * r + 0.7 * i);
	}
	dk_model_work *w = dk_model_work_alloc(m, R);
	dk_model_step(m, w, R, &x[0][0], &u[0][0], &xn[0][0], NULL);
	for (int r = 0; r < R; r++)
		for (int a = 0; a < S; a++) {
			shift2(C, H, W, a / A - V, a % A - V, &x[r][a * C * N], rolled);
			for (int k = 0; k < C; k++)
				for (int i = 0; i < H; i++)
					for (int j = 0; j < W; j++) {
						double t = b[k];
						for (int p = 0; p < 3; p++)
							for (int q = 0; q < 3; q++) {
								int at = ((i + p - 1 + H) % H) * W + (j + q - 1 + W) % W;
								for (int l = 0; l < C; l++)
									t += Wt[((k * C + l) * 3 + p) * 3 + q] *
									     rolled[l * N + at];
								for (int l = 0; l < NI; l++)
									t += U[((k * NI + l) * 3 + p) * 3 + q] *
									     u[r][l * N + at];
							}
						negative += t < 0;
						worst = fmax(worst, fabs((t > 0 ? t : 0) -
						             xn[r][(a * C + k) * N + i * W + j]));
					}
		}
	/* some 40 products of values below 2: rounding is ~1e-14 */
	ok(worst < 1e-12, "sheet: step is relu(W * roll(h_nu, (nu_y, nu_x)) + U * u + b), "
	   "3x3 circular taps (worst %.2g)", worst);
	ok(negative > 0 && negative < R * S * C * N,
	   "the sheet's formula test reaches both sides of the relu (%d of %d negative)",
	   negative, R * S * C * N);
	dk_model_work_free(w);
	dk_model_free(m);
}

/* The flow of flow() on a sheet: velocity (mx, my), partners (nu_x -
   mx, nu_y - my) in V^2, slices in the order nu_x, then nu_y. */
static flow_err flow_sheet(dk_model *m, long mx, long my, const double *h0,
                           const double *u)
{
	const dk_model_spec *s = dk_model_spec_of(m);
	size_t C = s->channels, H = s->height, W = s->width, NI = s->inputs;
	size_t N = H * W, CN = C * N, n = dk_model_state_size(m), P = NI * N;
	long v = (long)s->velocities, A = 2 * v + 1, S = A * A;
	double *u2 = malloc(STEPS * P * sizeof *u2), *h2 = malloc(n * sizeof *h2);
	double *Hs = malloc((STEPS + 1) * n * sizeof *Hs);
	double *H2 = malloc((STEPS + 1) * n * sizeof *H2);
	double *want = malloc(CN * sizeof *want), *pool = malloc(2 * CN * sizeof *pool);
	double num[3] = {0}, den[3] = {0};
	long part[S];
	flow_err e = {0};
	for (long a = 0; a < S; a++) {
		long px = a / A - mx, py = a % A - my;
		part[a] = px < 0 || px >= A || py < 0 || py >= A ? -1 : px * A + py;
	}
	for (size_t t = 0; t < STEPS; t++)
		shift2(NI, H, W, mx * (long)t, my * (long)t, u + t * P, u2 + t * P);
	for (long a = 0; a < S; a++)
		shift2(C, H, W, -mx, -my, h0 + (part[a] < 0 ? a : part[a]) * CN, h2 + a * CN);
	run(m, h0, u, Hs);
	run(m, h2, u2, H2);
	for (size_t t = 1; t <= STEPS; t++) {
		const double *ht = Hs + t * n, *h2t = H2 + t * n;
		long sx = mx * ((long)t - 1), sy = my * ((long)t - 1);
		for (long a = 0; a < S; a++) {
			int c = part[a] < 0;
			shift2(C, H, W, sx, sy, ht + (c ? a : part[a]) * CN, want);
			for (size_t i = 0; i < CN; i++) {
				double d = h2t[a * CN + i] - want[i];
				num[c] += d * d;
				den[c] += want[i] * want[i];
				e.relu_off += h2t[a * CN + i] == 0;
				e.entries++;
			}
		}
		/* the maximum over V, moved by mu (t - 1) */
		for (size_t i = 0; i < CN; i++) {
			pool[i] = ht[i];
			pool[CN + i] = h2t[i];
			for (long a = 1; a < S; a++) {
				pool[i] = fmax(pool[i], ht[a * CN + i]);
				pool[CN + i] = fmax(pool[CN + i], h2t[a * CN + i]);
			}
		}
		shift2(C, H, W, sx, sy, pool, want);
		for (size_t i = 0; i < CN; i++) {
			num[2] += (pool[CN + i] - want[i]) * (pool[CN + i] - want[i]);
			den[2] += want[i] * want[i];
		}
	}
	e.paired = den[0] > 0 ? sqrt(num[0] / den[0]) : -1;
	e.edge = den[1] > 0 ? sqrt(num[1] / den[1]) : -1;
	e.pooled = den[2] > 0 ? sqrt(num[2] / den[2]) : -1;
	free(u2); free(h2); free(Hs); free(H2); free(want); free(pool);
	return e;
}

/* Flow equivariance on a sheet: the fernn's slices with a partner for
   every mu in V^2 and beyond it, the grnn's order-1 failure. */
static void test_equivariance_sheet(void)
{
	enum { C = 2, H = 5, W = 6, V = 1, NI = 1 };
	dk_model *f = make_sheet("fernn", C, H, W, V, NI, 37);
	dk_model *g = make_sheet("grnn", C, H, W, 0, NI, 37);
	if (!ok(f && g, "a fernn on a 5x6 sheet (V = 1) and a grnn with the same seed")) {
		dk_model_free(f);
		dk_model_free(g);
		return;
	}
	set_bias(f, 0.9);
	set_bias(g, 0.9);
	size_t np = dk_model_param_count(f);
	ok(np == dk_model_param_count(g) &&
	   !memcmp(dk_model_params(f), dk_model_params(g), np * sizeof(double)) &&
	   dk_model_readout_pool(f) == 9 && dk_model_readout_input_size(f) == C * H * W,
	   "sheet: the same seed gives both the same %zu parameters, bit for bit; the "
	   "fernn pools its 9 velocities to C H W", np);
	double *h0, *u;
	draw(f, 41, &h0, &u);
	for (long mx = -V; mx <= V; mx++)
		for (long my = -V; my <= V; my++) {
			flow_err e = flow_sheet(f, mx, my, h0, u);
			ok(e.paired >= 0 && e.paired < 1e-12,
			   "fernn on a sheet, flow at velocity (%ld, %ld) in V^2: slices with a "
			   "partner are equivariant (rel err %.2g)", mx, my, e.paired);
			printf("# fernn on a sheet, velocity (%ld, %ld): slices without a partner "
			       "rel err %.3g; max over V rel err %.3g\n", mx, my, e.edge, e.pooled);
			if (!mx && !my)
				ok(e.edge < 0 && e.pooled < 1e-12, "fernn on a sheet, velocity "
				   "(0, 0): every slice has its partner, the max over V too");
			if (mx == V && my == -V)
				ok(e.relu_off > e.entries / 20 && e.relu_off < e.entries - e.entries / 20,
				   "the flowed run on the sheet reaches both sides of the relu "
				   "(%ld of %ld at 0)", e.relu_off, e.entries);
		}
	/* beyond V: the few slices with a partner stay exact, the others
	   (the truncation of V) are reported */
	static const long beyond[][2] = {{2, 1}, {-2, 0}, {2, -2}};
	for (size_t k = 0; k < sizeof beyond / sizeof *beyond; k++) {
		flow_err e = flow_sheet(f, beyond[k][0], beyond[k][1], h0, u);
		ok(e.paired >= 0 && e.paired < 1e-12 && e.edge > 0.1,
		   "fernn on a sheet, velocity (%ld, %ld) beyond V: slices with a partner "
		   "exact (rel err %.2g), those without off by %.3g", beyond[k][0],
		   beyond[k][1], e.paired, e.edge);
	}
	free(h0);
	free(u);
	draw(g, 41, &h0, &u);
	static const long unit[][2] = {{1, 0}, {0, 1}, {-1, 1}};
	for (size_t k = 0; k < sizeof unit / sizeof *unit; k++) {
		flow_err e = flow_sheet(g, unit[k][0], unit[k][1], h0, u);
		ok(e.edge > 0.1, "grnn on a sheet with the fernn's weights, velocity (%ld, "
		   "%ld): not equivariant (rel err %.3g, order 1)", unit[k][0], unit[k][1],
		   e.edge);
	}
	free(h0);
	free(u);
	dk_model_free(f);
	dk_model_free(g);
}

static void test_spec_sheet(void)
{
	char err[256];
	dk_model *m = NULL;
	dk_model_spec s = {.kind = "fernn", .channels = 2, .height = 5, .width = 6,
	                   .velocities = 1, .inputs = 2, .outputs = 1, .gain = 1, .seed = 1};
	int st = dk_model_create(&s, &m, err, sizeof err);
	dk_layout l;
	ok(st == DK_OK && dk_model_layout(m, &l) && l.rank == 3 && l.shape[0] == 9 * 2 &&
	   l.shape[1] == 5 && l.shape[2] == 6 && l.periodic[1] && l.periodic[2] &&
	   dk_model_state_size(m) == 540 && dk_model_input_size(m) == 60 &&
	   dk_model_spec_of(m)->units == 30,
	   "fernn C=2 on 5x6, V=1, I=2: state 540, input 60, units 30, layout 18 sheets");
	dk_model_free(m);
	m = NULL;
	dk_model_spec o = s;
	o.width = 0;
	st = dk_model_create(&o, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "width"), "fernn with a height and no width: "
	   "refused (%s)", err);
	o = s;
	o.units = 7;
	st = dk_model_create(&o, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "units"), "fernn on 5x6 with 7 units: refused (%s)",
	   err);
	o = s;
	o.height = o.width = SIZE_MAX / 4;
	st = dk_model_create(&o, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "too large"), "fernn on a sheet of 2^62 x 2^62: "
	   "refused (%s)", err);
	o = s;
	o.kind = "rnn", o.channels = 0, o.velocities = 0, o.units = 0;
	st = dk_model_create(&o, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "sheet"), "rnn with a sheet: refused (%s)", err);
	o = s;
	o.kind = "grnn";
	st = dk_model_create(&o, &m, err, sizeof err);
	ok(st == DK_EINVAL && strstr(err, "velocities"), "grnn on a sheet with velocities: "
	   "refused (%s)", err);
}

int main(void)
{
	test_checks();
	test_formula(2, 6, 2, 2);
	test_formula(9, 29, 1, 2); /* past wconv.c's tiles, as in test_checks */
	test_equivariance();
	test_whole_group();
	test_spec();
	test_formula_sheet();
	test_equivariance_sheet();
	test_spec_sheet();
	return tap_done();
}
