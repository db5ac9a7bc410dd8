/*
 * fernn.c -- the flow-equivariant RNN of Keller ("Flow equivariant
 * recurrent neural networks", NeurIPS 2025) on a ring or on a sheet, and
 * its non-equivariant twin, the G-RNN: the same cell with the one
 * velocity 0.
 *
 * The hidden state is lifted over a set of velocities V: on a ring V =
 * {-v .. v} (spec.velocities = v), on a sheet of H rows and W columns
 * (spec.height, spec.width) V = {-v .. v}^2, pairs (nu_x, nu_y) with
 * nu_x along the columns and nu_y along the rows; the grnn has V = {0}
 * (or {(0, 0)}).  There is one slice h_nu of C channels per velocity.  A
 * step moves each slice by its own velocity, then applies one recurrent
 * circular convolution shared by every slice (nothing mixes the slices),
 * adds the input's circular convolution, the same for every slice, and a
 * bias.  On a sheet, with p, q = 0, 1, 2 the taps along rows and columns:
 *
 *	h_nu'[k][r][c] = relu(b[k]
 *	    + sum_j sum_{p,q} W[k][j][p][q] h_nu[j][(r + p - 1 - nu_y) mod H][(c + q - 1 - nu_x) mod W]
 *	    + sum_l sum_{p,q} U[k][l][p][q] u[l][(r + p - 1) mod H][(c + q - 1) mod W])
 *
 * i.e. h_nu' = relu(W * T_nu h_nu + U * u + b), with T_nu the roll by
 * nu_y rows and nu_x columns toward higher indices ((T_nu h)[r][c] =
 * h[r - nu_y][c - nu_x], torch.roll(h, (nu_y, nu_x), (-2, -1))) and "*"
 * PyTorch's Conv2d (a cross-correlation, kernel 3 x 3, circular padding
 * 1).  A ring of N units is the same cell on one row with a kernel of 3
 * taps along it (Conv1d): nu_y = 0, no p.  T_nu depends on the velocity
 * modulo the ring's or sheet's sides only: velocities past half a side
 * repeat others, which is allowed (their slices move alike), and so are
 * sides shorter than the kernel (its taps then add up).
 *
 * This follows the author's cell (akandykeller/FERNN,
 * moving_mnist_fp/moving_mnist_models.py, FERNN_Cell): the slices are
 * rolled by their velocity (nu_y along rows, nu_x along columns) before
 * the recurrent convolution, both convolutions have kernel 3 with
 * circular padding 1, the input's convolution is computed once and
 * broadcast over V, and the nonlinearity is a relu.  Their convolutions
 * have no bias; here b (one per channel, the same at every unit and
 * velocity, so the cell stays equivariant) starts at 0, so the model as
 * made is theirs.  Their readout takes the maximum over V before a
 * decoder; here too (model.h: readout_pool), before the linear readout of
 * every kind, so W_out is outputs x C N (C H W) for both kinds.
 *
 * Because the convolutions commute with shifts and T_nu T_{mu t} =
 * T_{mu (t + 1)} T_{nu - mu}, an input moving at velocity mu (u_t shifted
 * by mu t) gives the states h'_nu(t) = T_{mu (t - 1)} h_{nu - mu}(t) of
 * the unmoved input, started from h'_nu(0) = T_{-mu} h_{nu - mu}(0), for
 * every slice whose nu - mu is in V (tests/test_model_fernn.c).
 *
 * The state is stored velocity-major, then channel, then unit: on a ring
 * unit i of channel k of velocity nu at ((nu + v) C + k) N + i, so the
 * layout is (2 v + 1) C periodic rings of N units; on a sheet the
 * velocities go in the author's order, nu_x major, (nu_x + v) (2 v + 1) +
 * nu_y + v, and unit (r, c) of channel k of slice a at ((a C + k) H + r)
 * W + c, so the layout is (2 v + 1)^2 C periodic sheets of H x W.  The
 * input of a step is I channels on the ring or sheet, channel-major (I N
 * or I H W values).  Parameters, in this order: model/W (C, C, 3), model/U
 * (C, I, 3), model/b (C), in PyTorch's Conv1d layout, on a sheet model/W
 * (C, C, 3, 3) and model/U (C, I, 3, 3) in Conv2d's; then the readout's.
 * None depends on V, so a fernn and a grnn of the same sizes and seed
 * start with the same parameters.
 *
 * Initialisation "random" (the only one), PyTorch's default for Conv1d
 * and Conv2d: with K the taps of a kernel (3, or 9 on a sheet), W
 * uniform on [-g, g], g = gain / sqrt(K C), U on [-1/sqrt(K I),
 * 1/sqrt(K I)], drawn in that order; b = 0.
 *
 * The convolutions are plain loops over a state at a time, the roll of a
 * slice folded into the offset each tap reads: the models this cell is
 * studied with are small, the same loops serve rings and sheets, and a
 * velocity's roll needs no array of its own (conv2d.h would need one per
 * slice, and a workspace per model).  The step caches the pre-activation.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "models/model_impl.h"

/* Offsets of the parameters in theta. */
typedef struct { size_t W, U, b; } fernn_params;

static fernn_params params(const dk_model *m)
{
	return (fernn_params){m->view[0].offset, m->view[1].offset, m->view[2].offset};
}

/* The medium: H rows of W units (a ring is one row), and the kernel: KH
   rows of 3 taps (KH 1 on a ring, 3 on a sheet). */
typedef struct { size_t H, W, KH; } medium;

static int on_sheet(const dk_model *m)
{
	return m->spec.height != 0;
}

static medium medium_of(const dk_model *m)
{
	if (on_sheet(m))
		return (medium){m->spec.height, m->spec.width, 3};
	return (medium){1, m->spec.units, 1};
}

/* Taps of one kernel: 3, or 9 on a sheet. */
static size_t taps(const dk_model *m)
{
	return medium_of(m).KH * 3;
}

/* Velocities along one axis: 2 v + 1, or 1 for the grnn. */
static size_t per_axis(const dk_model *m)
{
	return 2 * m->spec.velocities + 1;
}

/* Slices of the lifted state: 2 v + 1 on a ring, (2 v + 1)^2 on a sheet. */
static size_t slices(const dk_model *m)
{
	size_t A = per_axis(m);
	return on_sheet(m) ? A * A : A;
}

/* Units of one slice: C H W. */
static size_t slice_units(const dk_model *m)
{
	medium md = medium_of(m);
	return m->spec.channels * md.H * md.W;
}

/* (a - b) mod n for a, b >= 0, without going negative. */
static size_t diff_mod(size_t a, size_t b, size_t n)
{
	return (a % n + n - b % n) % n;
}

/*
 * The offsets (ro, co) with ((r + ro) mod H, (c + co) mod W) the unit tap
 * (p, q) of slice a reads at (r, c): r + p - ph - nu_y and c + q - 1 -
 * nu_x, ph the kernel's half height (0 on a ring).  Slice a SIZE_MAX: no
 * velocity (the input's kernel).
 */
static void tap_offset(const dk_model *m, size_t a, size_t p, size_t q,
                       size_t *ro, size_t *co)
{
	medium md = medium_of(m);
	size_t v = m->spec.velocities, A = per_axis(m);
	/* nu = index - v: p - ph - nu_y = (p + v) - (ph + iy), each part
	   non-negative; likewise along the columns */
	size_t ix = v, iy = v;
	if (a != SIZE_MAX) {
		ix = on_sheet(m) ? a / A : a;
		iy = on_sheet(m) ? a % A : v;
	}
	*ro = diff_mod(p + v, md.KH / 2 + iy, md.H);
	*co = diff_mod(q + v, 1 + ix, md.W);
}

/* y[r][c] += w x[(r + ro) mod H][(c + co) mod W] over one H x W plane. */
static void tap_add(medium md, size_t ro, size_t co, double w, const double *x,
                    double *y)
{
	for (size_t r = 0; r < md.H; r++) {
		const double *xr = x + ((r + ro) % md.H) * md.W;
		double *yr = y + r * md.W;
		for (size_t c = 0; c < md.W; c++)
			yr[c] += w * xr[(c + co) % md.W];
	}
}

/* The adjoint: x[(r + ro) mod H][(c + co) mod W] += w y[r][c]. */
static void tap_add_adjoint(medium md, size_t ro, size_t co, double w,
                            const double *y, double *x)
{
	for (size_t r = 0; r < md.H; r++) {
		double *xr = x + ((r + ro) % md.H) * md.W;
		const double *yr = y + r * md.W;
		for (size_t c = 0; c < md.W; c++)
			xr[(c + co) % md.W] += w * yr[c];
	}
}

/* sum over the plane of y[r][c] x[(r + ro) mod H][(c + co) mod W]. */
static double tap_dot(medium md, size_t ro, size_t co, const double *y,
                      const double *x)
{
	double t = 0;
	for (size_t r = 0; r < md.H; r++) {
		const double *xr = x + ((r + ro) % md.H) * md.W;
		const double *yr = y + r * md.W;
		for (size_t c = 0; c < md.W; c++)
			t += yr[c] * xr[(c + co) % md.W];
	}
	return t;
}

static int layout(dk_model *m, char *err, size_t errlen)
{
	dk_model_spec *s = &m->spec;
	const char *kind = m->ops->kind;
	size_t C = s->channels, I = s->inputs, v = s->velocities;
	int sheet = s->height || s->width;
	if (sheet && (!s->height || !s->width))
		return dk_errorf(DK_EINVAL, err, errlen, "%s: the sheet's height and "
		                 "width must both be at least 1", kind);
	size_t HW = s->units;
	if (sheet) {
		if (__builtin_mul_overflow(s->height, s->width, &HW))
			return dk_errorf(DK_EINVAL, err, errlen, "%s: a sheet of %zu x %zu "
			                 "is too large", kind, s->height, s->width);
		if (s->units && s->units != HW)
			return dk_errorf(DK_EINVAL, err, errlen, "%s: units is the sheet's "
			                 "H W = %zu, not %zu", kind, HW, s->units);
		s->units = HW;
	}
	if (!C || !HW)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: channels and units must "
		                 "be at least 1", kind);
	if (m->ops->has_velocities && !v)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: velocities must be at "
		                 "least 1", kind);
	if (!m->ops->has_velocities && v)
		return dk_errorf(DK_EINVAL, err, errlen, "velocities apply only to the "
		                 "fernn, not %s", kind);
	/* no parameter grows with the medium but the readout's weights
	   (outputs x C H W): with at least one output, a model read from a
	   file is no larger than its tensors, whatever its attrs say */
	if (!s->outputs)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: outputs must be at least 1",
		                 kind);
	/* the state (S C H W, S = 2 v + 1 or its square), the input (I H W),
	   the scratch (2 C H W + the state) and the kernels (K C C, K C I)
	   must fit, with room to spare */
	size_t limit = SIZE_MAX / sizeof(double) / 16, S = 2 * v + 1, SC, CN, n, P, CC, CI;
	size_t K = sheet ? 9 : 3;
	if (v > limit || (sheet && __builtin_mul_overflow(S, S, &S)) ||
	    __builtin_mul_overflow(S, C, &SC) ||
	    __builtin_mul_overflow(C, HW, &CN) || __builtin_mul_overflow(SC, HW, &n) ||
	    __builtin_mul_overflow(I, HW, &P) || __builtin_mul_overflow(C, C, &CC) ||
	    __builtin_mul_overflow(C, I, &CI) || n > limit || P > limit ||
	    CC > limit / K || CI > limit / K) {
		if (sheet)
			return dk_errorf(DK_EINVAL, err, errlen, "%s: %zu channels, %zu "
			                 "inputs and velocities -%zu .. %zu squared on a "
			                 "%zu x %zu sheet is too large", kind, C, I, v, v,
			                 s->height, s->width);
		return dk_errorf(DK_EINVAL, err, errlen, "%s: %zu channels, %zu inputs and "
		                 "velocities -%zu .. %zu on a ring of %zu units is too large",
		                 kind, C, I, v, v, HW);
	}
	m->n = n;
	m->input_size = P;
	m->readout_in = CN;
	m->readout_pool = S;
	s->act = DK_ACT_RELU; /* always */
	static const char *const w_axes[4] = {"channel_out", "channel_in", "tap_row",
	                                      "tap_col"};
	static const char *const u_axes[4] = {"channel", "input", "tap_row", "tap_col"};
	static const char *const w1_axes[3] = {"channel_out", "channel_in", "tap"};
	static const char *const u1_axes[3] = {"channel", "input", "tap"};
	static const char *const b_axes[1] = {"channel"};
	size_t ws[4] = {C, C, 3, 3}, us[4] = {C, I, 3, 3}, bs[1] = {C};
	if (sheet) {
		dk_model_add_param(m, "model/W", 4, ws, w_axes);
		dk_model_add_param(m, "model/U", 4, us, u_axes);
	} else {
		dk_model_add_param(m, "model/W", 3, ws, w1_axes);
		dk_model_add_param(m, "model/U", 3, us, u1_axes);
	}
	dk_model_add_param(m, "model/b", 1, bs, b_axes);
	return DK_OK;
}

/* A periodic ring or sheet per velocity and channel, velocity-major. */
static void spatial(const dk_model *m, dk_layout *out)
{
	size_t SC = slices(m) * m->spec.channels;
	if (on_sheet(m))
		*out = dk_layout_sheets(SC, m->spec.height, m->spec.width, 1);
	else
		*out = dk_layout_rings(SC, m->spec.units, 1);
}

static int init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	if (strcmp(m->spec.init, "random"))
		return dk_errorf(DK_EINVAL, err, errlen, "%s: unknown initialisation "
		                 "'%s' (random)", m->ops->kind, m->spec.init);
	fernn_params p = params(m);
	size_t C = m->spec.channels, I = m->spec.inputs, K = taps(m);
	double gw = m->spec.gain / sqrt((double)(K * C));
	for (size_t i = 0; i < C * C * K; i++)
		m->theta[p.W + i] = gw * (2 * dk_rng_uniform(rng) - 1);
	double gu = I ? 1 / sqrt((double)(K * I)) : 0;
	for (size_t i = 0; i < C * I * K; i++)
		m->theta[p.U + i] = gu * (2 * dk_rng_uniform(rng) - 1);
	return DK_OK;
}

/*
 * Scratch, in doubles, a state at a time: the input's convolution plus
 * the bias (C N), the sum over velocities of the pre-activations'
 * gradients (C N), a pre-activation when the caller has no cache and the
 * pre-activation's gradient (the state's size each).
 */
static size_t work_size(const dk_model *m, size_t batch)
{
	(void)batch;
	return 2 * slice_units(m) + 2 * m->n;
}

static size_t cache_size(const dk_model *m)
{
	return m->n;
}

/* c (C H W) = b + U * u; u NULL: b alone. */
static void input_term(const dk_model *m, const double *u, double *c)
{
	fernn_params p = params(m);
	medium md = medium_of(m);
	size_t C = m->spec.channels, I = m->spec.inputs, N = md.H * md.W;
	const double *U = m->theta + p.U, *b = m->theta + p.b;
	for (size_t k = 0; k < C; k++)
		for (size_t i = 0; i < N; i++)
			c[k * N + i] = b[k];
	if (!u)
		return;
	for (size_t k = 0; k < C; k++)
		for (size_t l = 0; l < I; l++)
			for (size_t pr = 0; pr < md.KH; pr++)
				for (size_t q = 0; q < 3; q++) {
					size_t ro, co;
					tap_offset(m, SIZE_MAX, pr, q, &ro, &co);
					tap_add(md, ro, co, U[((k * I + l) * md.KH + pr) * 3 + q],
					        u + l * N, c + k * N);
				}
}

/* y (one slice, C H W) = beta y + W * T_nu h, h slice a of a state. */
static void conv_slice(const dk_model *m, size_t a, const double *h, double beta,
                       double *y)
{
	medium md = medium_of(m);
	size_t C = m->spec.channels, N = md.H * md.W;
	const double *W = m->theta + params(m).W;
	for (size_t i = 0; i < C * N; i++)
		y[i] = beta != 0 ? beta * y[i] : 0;
	for (size_t pr = 0; pr < md.KH; pr++)
		for (size_t q = 0; q < 3; q++) {
			size_t ro, co;
			tap_offset(m, a, pr, q, &ro, &co);
			for (size_t k = 0; k < C; k++)
				for (size_t j = 0; j < C; j++)
					tap_add(md, ro, co, W[((k * C + j) * md.KH + pr) * 3 + q],
					        h + j * N, y + k * N);
		}
}

/* The pre-activation of one state into A (n): every slice's W * T_nu h,
   plus b + U * u (computed into c). */
static void preact(const dk_model *m, const double *x, const double *u, double *c,
                   double *A)
{
	size_t CN = slice_units(m), S = slices(m);
	input_term(m, u, c);
	for (size_t a = 0; a < S; a++) {
		memcpy(A + a * CN, c, CN * sizeof *A);
		conv_slice(m, a, x + a * CN, 1.0, A + a * CN);
	}
}

static int step(const dk_model *m, double *work, size_t B, const double *x,
                const double *u, double *xn, double *cache)
{
	size_t n = m->n, P = m->input_size;
	double *c = work, *A = work + 2 * slice_units(m);
	for (size_t r = 0; r < B; r++) {
		double *a = cache ? cache + r * n : A;
		preact(m, x + r * n, u ? u + r * P : NULL, c, a);
		dk_act_relu_mask(a, a, xn + r * n, n);
	}
	return DK_OK;
}

/* The pre-activation of row r: the cache's, or computed into the scratch. */
static const double *row_preact(const dk_model *m, double *work, const double *x,
                                const double *u, const double *cache, size_t r)
{
	size_t n = m->n;
	if (cache)
		return cache + r * n;
	double *A = work + 2 * slice_units(m);
	preact(m, x + r * n, u ? u + r * m->input_size : NULL, work, A);
	return A;
}

static int jvp(const dk_model *m, double *work, size_t B, const double *x,
               const double *u, const double *cache, const double *dx,
               double *dxn)
{
	size_t n = m->n, CN = slice_units(m), S = slices(m);
	for (size_t r = 0; r < B; r++) {
		const double *A = row_preact(m, work, x, u, cache, r);
		double *out = dxn + r * n;
		for (size_t a = 0; a < S; a++)
			conv_slice(m, a, dx + r * n + a * CN, 0.0, out + a * CN);
		dk_act_relu_mask(A, out, out, n);
	}
	return DK_OK;
}

/* The input's part of the vjp for one state: gu = U^T G (overwritten)
   and, gp not NULL, the gradients of U (G against u) and b (G summed). */
static void input_vjp(const dk_model *m, const double *u, const double *G,
                      double *gu, double *gp)
{
	fernn_params p = params(m);
	medium md = medium_of(m);
	size_t C = m->spec.channels, I = m->spec.inputs, N = md.H * md.W;
	const double *U = m->theta + p.U;
	if (gu)
		memset(gu, 0, m->input_size * sizeof *gu);
	for (size_t pr = 0; pr < md.KH; pr++)
		for (size_t q = 0; q < 3; q++) {
			size_t ro, co;
			tap_offset(m, SIZE_MAX, pr, q, &ro, &co);
			for (size_t k = 0; k < C; k++)
				for (size_t l = 0; l < I; l++) {
					size_t ui = ((k * I + l) * md.KH + pr) * 3 + q;
					if (gu)
						tap_add_adjoint(md, ro, co, U[ui], G + k * N, gu + l * N);
					if (gp && u)
						gp[p.U + ui] += tap_dot(md, ro, co, G + k * N, u + l * N);
				}
		}
	for (size_t k = 0; gp && k < C; k++) {
		double t = 0;
		for (size_t i = 0; i < N; i++)
			t += G[k * N + i];
		gp[p.b + k] += t;
	}
}

/*
 * With g = relu'(A) gxn: gx_nu = T_nu^T W^T g_nu (each slice its own
 * shift back), gu = U^T (sum over nu of g_nu), and the gradients of W
 * (g_nu against T_nu h_nu, summed over nu), U (the summed g against u)
 * and b (the summed g).  gx is overwritten, gparams accumulated.
 */
static int vjp(const dk_model *m, double *work, size_t B, const double *x,
               const double *u, const double *cache, const double *gxn,
               double *gx, double *gu, double *gp)
{
	fernn_params p = params(m);
	medium md = medium_of(m);
	size_t n = m->n, CN = slice_units(m), S = slices(m);
	size_t C = m->spec.channels, N = md.H * md.W;
	const double *W = m->theta + p.W;
	double *G = work + CN, *g = work + 2 * CN + n;
	for (size_t r = 0; r < B; r++) {
		const double *A = row_preact(m, work, x, u, cache, r);
		const double *xr = x + r * n, *ur = u ? u + r * m->input_size : NULL;
		double *gxr = gx + r * n;
		dk_act_relu_mask(A, gxn + r * n, g, n);
		memset(G, 0, CN * sizeof *G);
		for (size_t a = 0; a < S; a++)
			for (size_t e = 0; e < CN; e++)
				G[e] += g[a * CN + e];
		memset(gxr, 0, n * sizeof *gxr);
		for (size_t a = 0; a < S; a++)
			for (size_t pr = 0; pr < md.KH; pr++)
				for (size_t q = 0; q < 3; q++) {
					size_t ro, co;
					tap_offset(m, a, pr, q, &ro, &co);
					for (size_t k = 0; k < C; k++)
						for (size_t j = 0; j < C; j++) {
							size_t wi = ((k * C + j) * md.KH + pr) * 3 + q;
							const double *ga = g + a * CN + k * N;
							tap_add_adjoint(md, ro, co, W[wi], ga,
							                gxr + a * CN + j * N);
							if (gp)
								gp[p.W + wi] += tap_dot(md, ro, co, ga,
								                        xr + a * CN + j * N);
						}
				}
		input_vjp(m, ur, G, gu ? gu + r * m->input_size : NULL, gp);
	}
	return DK_OK;
}

/*
 * J = diag(relu'(A)) times a block-diagonal matrix, one block per
 * velocity: row (nu, k, r, c) holds W[k][j][p][q] at column (nu, j, (r +
 * p - 1 - nu_y) mod H, (c + q - 1 - nu_x) mod W) (on a ring the row and
 * p drop out; taps add up on sides shorter than 3).
 */
static int jacobian(const dk_model *m, double *work, const double *x,
                    const double *u, double *J)
{
	medium md = medium_of(m);
	size_t n = m->n, CN = slice_units(m), S = slices(m);
	size_t C = m->spec.channels, N = md.H * md.W;
	const double *W = m->theta + params(m).W;
	const double *A = row_preact(m, work, x, u, NULL, 0);
	memset(J, 0, n * n * sizeof *J);
	for (size_t a = 0; a < S; a++)
		for (size_t pr = 0; pr < md.KH; pr++)
			for (size_t q = 0; q < 3; q++) {
				size_t ro, co;
				tap_offset(m, a, pr, q, &ro, &co);
				for (size_t k = 0; k < C; k++)
					for (size_t i = 0; i < N; i++) {
						size_t row = a * CN + k * N + i, rr = i / md.W, cc = i % md.W;
						if (!(A[row] > 0))
							continue;
						size_t col = ((rr + ro) % md.H) * md.W + (cc + co) % md.W;
						for (size_t j = 0; j < C; j++)
							J[row * n + a * CN + j * N + col] +=
								W[((k * C + j) * md.KH + pr) * 3 + q];
					}
			}
	return DK_OK;
}

/* Flows act on the velocity slices of the lift (one for the grnn). */
static unsigned actions(const dk_model *m)
{
	(void)m;
	return DK_MODEL_ACTS_FLOW;
}

const dk_model_ops dk_fernn_ops = {
	.kind = "fernn",
	.act_default = DK_ACT_RELU,
	.act_fixed = 1,
	.init_default = "random",
	.has_channels = 1,
	.has_sheet = DK_SHEET_OPTIONAL,
	.has_velocities = 1,
	.layout = layout,
	.spatial = spatial,
	.actions = actions,
	.init = init,
	.work_size = work_size,
	.cache_size = cache_size,
	.step = step,
	.jvp = jvp,
	.vjp = vjp,
	.jacobian = jacobian,
};

const dk_model_ops dk_grnn_ops = {
	.kind = "grnn",
	.act_default = DK_ACT_RELU,
	.act_fixed = 1,
	.init_default = "random",
	.has_channels = 1,
	.has_sheet = DK_SHEET_OPTIONAL,
	.layout = layout,
	.spatial = spatial,
	.actions = actions,
	.init = init,
	.work_size = work_size,
	.cache_size = cache_size,
	.step = step,
	.jvp = jvp,
	.vjp = vjp,
	.jacobian = jacobian,
};
