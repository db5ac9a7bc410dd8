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
 * On a sheet each convolution is one product per slice of the state
 * unfolded, 9 C x H W (fernn_sheet.c); the plain loops it replaced, a
 * state at a time with the roll of a slice folded into the offset each
 * tap reads, stay here as the reference the tests compare it with
 * (fernn_sheet.h) and build the Jacobian.  On a ring, what the cell is
 * trained on, each slice is copied once into a padded ring with its roll
 * folded in (P[j][m] = h_nu[j][(m - 1 - nu) mod N]) and convolved in the
 * wrnn's direct loops (wconv.c: each value one chain of fused
 * multiply-adds over channel and tap, whichever tile or thread computes
 * it).  They replaced three small DGEMMs per slice (W_d times the view
 * P[:, d ..]) that summed in another order: trained ring models' last
 * bits changed with them.  The adjoint is the convolution by the kernel
 * transposed with its taps reversed, of g rolled back; the kernel's
 * gradient runs along all the slices of a row at once.  A row's work is
 * too small to share among threads, so the batch rows are split into
 * BLOCKS blocks, a number fixed by the batch size alone, run by a team of
 * threads (base/team.h) as many as OpenBLAS uses; each block sums its
 * parameter gradients apart and the blocks are added in order, so the
 * results are the same bits for any number of threads
 * (tests/fernn_threads.sh).  The step caches the pre-activation.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "base/team.h"
#include "models/fernn_sheet.h"
#include "models/model_impl.h"
#include "models/row_team.h"
#include "models/wconv.h"

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
 * The loops' scratch, in doubles, a state at a time: the input's
 * convolution plus the bias (C N), the sum over velocities of the
 * pre-activations' gradients (C N), a pre-activation when the caller has
 * no cache and the pre-activation's gradient (the state's size each).
 */
static size_t loops_size(const dk_model *m)
{
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

static int loops_step(const dk_model *m, double *work, size_t B, const double *x,
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

static int loops_jvp(const dk_model *m, double *work, size_t B, const double *x,
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
   and, gU and gb not NULL, the gradients of U (G against u) and b (G
   summed) added to them. */
static void input_vjp(const dk_model *m, const double *u, const double *G,
                      double *gu, double *gU, double *gb)
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
					if (gU && u)
						gU[ui] += tap_dot(md, ro, co, G + k * N, u + l * N);
				}
		}
	for (size_t k = 0; gb && k < C; k++) {
		double t = 0;
		for (size_t i = 0; i < N; i++)
			t += G[k * N + i];
		gb[k] += t;
	}
}

/*
 * With g = relu'(A) gxn: gx_nu = T_nu^T W^T g_nu (each slice its own
 * shift back), gu = U^T (sum over nu of g_nu), and the gradients of W
 * (g_nu against T_nu h_nu, summed over nu), U (the summed g against u)
 * and b (the summed g).  gx is overwritten, gparams accumulated.
 */
static int loops_vjp(const dk_model *m, double *work, size_t B, const double *x,
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
		input_vjp(m, ur, G, gu ? gu + r * m->input_size : NULL,
		          gp ? gp + p.U : NULL, gp ? gp + p.b : NULL);
	}
	return DK_OK;
}

/* The loops as the reference (fernn_sheet.h), without a cache. */
size_t dk_fernn_loops_scratch(const dk_model *m)
{
	return loops_size(m);
}

int dk_fernn_loops_step(const dk_model *m, double *work, size_t B,
                        const double *x, const double *u, double *xn)
{
	return loops_step(m, work, B, x, u, xn, NULL);
}

int dk_fernn_loops_jvp(const dk_model *m, double *work, size_t B,
                       const double *x, const double *u, const double *dx,
                       double *dxn)
{
	return loops_jvp(m, work, B, x, u, NULL, dx, dxn);
}

int dk_fernn_loops_vjp(const dk_model *m, double *work, size_t B,
                       const double *x, const double *u, const double *gxn,
                       double *gx, double *gu, double *gp)
{
	return loops_vjp(m, work, B, x, u, NULL, gxn, gx, gu, gp);
}

/* ---- on a ring: padded rings and small products, rows in blocks ---- */

/* Blocks of batch rows, and the least work (B S C C N multiply-adds of
   one convolution over the batch) for which waking a helper pays. */
#define BLOCKS 8
#define TEAM_MIN_WORK 250000

/*
 * The scratch, in doubles: a pointer to the team (or NULL) in the first
 * DK_ROW_TEAM_SLOTS, the loops' scratch (loops_size), the taps W_d (3 C C), and
 * on a ring for each block: the input term (C N), a pre-activation and
 * its gradient (n each), their sum over velocities (C N), two padded
 * rings (2 C (N + 2)), the block's gradients of W_d, U and b (3 C C
 * + 3 C I + C), and the padded input and its gradient (2 I (N + 2));
 * on a sheet instead the products' scratch (dk_fernn_sheet_scratch), a
 * pre-activation and its gradient (n each).
 */

typedef struct {
	dk_team *team;
	double *loops, *Wt, *blk;
	size_t stride;
} scratch;

typedef struct { double *c, *A, *g, *G, *P, *Q, *gW, *gU, *gb, *Pu, *Qu; } block_scratch;

static size_t blocks(size_t B)
{
	return B < BLOCKS ? B : BLOCKS;
}

static size_t block_size(const dk_model *m)
{
	size_t C = m->spec.channels, I = m->spec.inputs, N = m->spec.units;
	return 2 * slice_units(m) + 2 * m->n + 2 * slices(m) * C * (N + 2) + 3 * C * C +
	       3 * C * I + C + 2 * I * (N + 2);
}

static size_t work_size(const dk_model *m, size_t batch)
{
	size_t C = m->spec.channels;
	return DK_ROW_TEAM_SLOTS + loops_size(m) + 3 * C * C +
	       (on_sheet(m) ? dk_fernn_sheet_scratch(m) + 2 * m->n
	                    : blocks(batch) * block_size(m));
}

static scratch carve(const dk_model *m, double *work)
{
	size_t C = m->spec.channels;
	scratch s;
	s.team = dk_row_team_of(work);
	s.loops = work + DK_ROW_TEAM_SLOTS;
	s.Wt = s.loops + loops_size(m);
	s.blk = s.Wt + 3 * C * C;
	s.stride = block_size(m);
	return s;
}

static block_scratch block_of(const dk_model *m, const scratch *s, size_t k)
{
	size_t C = m->spec.channels, I = m->spec.inputs, N = m->spec.units;
	size_t CN = slice_units(m), n = m->n;
	block_scratch b;
	b.c = s->blk + k * s->stride;
	b.A = b.c + CN;
	b.g = b.A + n;
	b.G = b.g + n;
	b.P = b.G + CN;
	b.Q = b.P + slices(m) * C * (N + 2);
	b.gW = b.Q + slices(m) * C * (N + 2);
	b.gU = b.gW + 3 * C * C;
	b.gb = b.gU + 3 * C * I;
	b.Pu = b.gb + C;
	b.Qu = b.Pu + I * (N + 2);
	return b;
}

static int work_open(const dk_model *m, double *work, size_t batch)
{
	double flops = (double)batch * (double)slices(m) * (double)slice_units(m) *
	               (double)m->spec.channels;
	return dk_row_team_put(work, (int)blocks(batch),
	                       !on_sheet(m) && flops >= TEAM_MIN_WORK);
}

/* Rows [*r0, *r1) of block k of nb over B rows. */
static void block_rows(size_t B, size_t nb, size_t k, size_t *r0, size_t *r1)
{
	*r0 = k * B / nb;
	*r1 = (k + 1) * B / nb;
}

/* The kernel of the adjoint: Wt[j][k][d] = W[k][j][2 - d], so that
   W^T applied to a gradient g is the convolution by Wt of g's padded
   ring (as in wrnn.c). */
static void adjoint_kernel(const dk_model *m, double *Wt)
{
	size_t C = m->spec.channels;
	const double *W = m->theta + params(m).W;
	for (size_t j = 0; j < C; j++)
		for (size_t k = 0; k < C; k++)
			for (size_t d = 0; d < 3; d++)
				Wt[(j * C + k) * 3 + d] = W[(k * C + j) * 3 + 2 - d];
}

/* The roll of slice a along the ring, nu mod N in 0 .. N - 1. */
static size_t roll_of(const dk_model *m, size_t a)
{
	return diff_mod(a, m->spec.velocities, m->spec.units);
}

/* P[j][i] = h[j][(i - 1 - s) mod N] for i = 0 .. N + 1, rows of stride
   ld: the C rings of h rolled by s toward higher indices, then padded by
   one unit each side. */
static void pad_rolled(size_t C, size_t N, size_t s, const double *h, double *P,
                       size_t ld)
{
	size_t first = (2 * N - 1 - s) % N;
	for (size_t j = 0; j < C; j++) {
		const double *r = h + j * N;
		double *p = P + j * ld;
		/* runs of the ring, wrapping around (more than once when N < 2) */
		for (size_t i = 0, e = first; i < N + 2; e = 0) {
			size_t len = N - e < N + 2 - i ? N - e : N + 2 - i;
			memcpy(p + i, r + e, len * sizeof *p);
			i += len;
		}
	}
}

/* Y (C x N) = (accumulate ? Y : 0) + the convolution by the kernel K (C
   x C x 3, Conv1d's layout) of the padded rings P: one slice's
   convolution, in wconv.c's direct loops. */
static void ring_conv(size_t C, size_t N, const double *K, const double *P,
                      int accumulate, double *Y)
{
	dk_wconv_apply(dk_wconv_isa_best(), C, N, K, P, N + 2, accumulate, Y, N);
}

/* c (C x N) = b + U * u (u NULL: b alone), Pu the padded u. */
static void ring_input_term(const dk_model *m, const double *u, double *Pu, double *c)
{
	fernn_params p = params(m);
	size_t C = m->spec.channels, I = m->spec.inputs, N = m->spec.units;
	const double *U = m->theta + p.U, *bias = m->theta + p.b;
	for (size_t k = 0; k < C; k++)
		for (size_t i = 0; i < N; i++)
			c[k * N + i] = bias[k];
	if (!u)
		return;
	pad_rolled(I, N, 0, u, Pu, N + 2);
	for (size_t k = 0; k < C; k++)
		for (size_t l = 0; l < I; l++)
			for (size_t d = 0; d < 3; d++) {
				double w = U[(k * I + l) * 3 + d], *ck = c + k * N;
				const double *pu = Pu + l * (N + 2) + d;
				for (size_t i = 0; i < N; i++)
					ck[i] += w * pu[i];
			}
}

/* The input's part of the vjp on a ring, as input_vjp: gu = U^T G
   (overwritten; its padded form gathered in Qu, then folded), and added
   to gU and gb (when not NULL) the gradients of U and b. */
static void ring_input_vjp(const dk_model *m, const double *u, const double *G,
                           double *gu, double *gU, double *gb, double *Pu,
                           double *Qu)
{
	fernn_params p = params(m);
	size_t C = m->spec.channels, I = m->spec.inputs, N = m->spec.units;
	const double *U = m->theta + p.U;
	if (gu) {
		memset(Qu, 0, I * (N + 2) * sizeof *Qu);
		for (size_t k = 0; k < C; k++)
			for (size_t l = 0; l < I; l++)
				for (size_t d = 0; d < 3; d++) {
					double w = U[(k * I + l) * 3 + d], *q = Qu + l * (N + 2) + d;
					const double *gk = G + k * N;
					for (size_t i = 0; i < N; i++)
						q[i] += w * gk[i];
				}
		/* padded entry i is unit (i - 1) mod N */
		for (size_t l = 0; l < I; l++) {
			const double *q = Qu + l * (N + 2);
			double *g = gu + l * N;
			memcpy(g, q + 1, N * sizeof *g);
			g[N - 1] += q[0];
			g[0] += q[N + 1];
		}
	}
	if (gU && u) {
		pad_rolled(I, N, 0, u, Pu, N + 2);
		for (size_t k = 0; k < C; k++)
			for (size_t l = 0; l < I; l++)
				for (size_t d = 0; d < 3; d++) {
					const double *pu = Pu + l * (N + 2) + d, *gk = G + k * N;
					double t = 0;
					for (size_t i = 0; i < N; i++)
						t += gk[i] * pu[i];
					gU[(k * I + l) * 3 + d] += t;
				}
	}
	for (size_t k = 0; gb && k < C; k++) {
		double t = 0;
		for (size_t i = 0; i < N; i++)
			t += G[k * N + i];
		gb[k] += t;
	}
}

/* The pre-activation of one row on a ring into A (n), b + U * u in c. */
static void ring_preact(const dk_model *m, const double *x,
                        const double *u, block_scratch *b, double *A)
{
	size_t C = m->spec.channels, N = m->spec.units, CN = slice_units(m);
	const double *W = m->theta + params(m).W;
	ring_input_term(m, u, b->Pu, b->c);
	for (size_t sl = 0; sl < slices(m); sl++) {
		memcpy(A + sl * CN, b->c, CN * sizeof *A);
		pad_rolled(C, N, roll_of(m, sl), x + sl * CN, b->P, N + 2);
		ring_conv(C, N, W, b->P, 1, A + sl * CN);
	}
}

/* What the blocks of one call share. */
typedef struct {
	const dk_model *m;
	const scratch *s;
	size_t B, nb;
	const double *x, *u, *A, *dx, *gxn;
	double *out, *xn, *gx, *gu;
	int grads;
} job;

/* Block k of the forward: out = b + U * u + W * T_nu x per slice, and
   xn = relu(out) when wanted. */
static void forward_block(void *arg, size_t k)
{
	const job *J = arg;
	const dk_model *m = J->m;
	size_t n = m->n, P = m->input_size, r0, r1;
	block_scratch b = block_of(m, J->s, k);
	block_rows(J->B, J->nb, k, &r0, &r1);
	for (size_t r = r0; r < r1; r++) {
		double *a = J->out ? J->out + r * n : b.A;
		ring_preact(m, J->x + r * n, J->u ? J->u + r * P : NULL, &b, a);
		dk_act_relu_mask(a, a, J->xn + r * n, n);
	}
}

static int ring_step(const dk_model *m, double *work, size_t B, const double *x,
                     const double *u, double *xn, double *cache)
{
	scratch s = carve(m, work);
	job J = {.m = m, .s = &s, .B = B, .nb = blocks(B), .x = x, .u = u,
	         .out = cache, .xn = xn};
	dk_team_run(s.team, forward_block, &J, J.nb);
	return DK_OK;
}

/* Block k of the tangent: out = relu'(A) W * T_nu dx per slice, A the
   cache's or recomputed. */
static void jvp_block(void *arg, size_t k)
{
	const job *J = arg;
	const dk_model *m = J->m;
	size_t C = m->spec.channels, N = m->spec.units, CN = slice_units(m), n = m->n;
	size_t S = slices(m), P = m->input_size, r0, r1;
	const double *W = m->theta + params(m).W;
	block_scratch b = block_of(m, J->s, k);
	block_rows(J->B, J->nb, k, &r0, &r1);
	for (size_t r = r0; r < r1; r++) {
		const double *A = J->A ? J->A + r * n : b.A;
		if (!J->A)
			ring_preact(m, J->x + r * n, J->u ? J->u + r * P : NULL, &b, b.A);
		double *out = J->out + r * n;
		for (size_t sl = 0; sl < S; sl++) {
			pad_rolled(C, N, roll_of(m, sl), J->dx + r * n + sl * CN, b.P, N + 2);
			ring_conv(C, N, W, b.P, 0, out + sl * CN);
		}
		dk_act_relu_mask(A, out, out, n);
	}
}

static int ring_jvp(const dk_model *m, double *work, size_t B, const double *x,
                    const double *u, const double *cache, const double *dx,
                    double *dxn)
{
	scratch s = carve(m, work);
	job J = {.m = m, .s = &s, .B = B, .nb = blocks(B), .x = x, .u = u, .A = cache,
	         .dx = dx, .out = dxn};
	dk_team_run(s.team, jvp_block, &J, J.nb);
	return DK_OK;
}

/*
 * Block k of the adjoint, row by row: g = relu'(A) gxn; per slice gx_nu
 * = T_nu^T W^T g_nu, the convolution by the adjoint kernel Wt of g_nu
 * rolled back by nu and padded; G = sum over nu of g_nu for the input's
 * part; and the block's gradients: g_nu against the padded, rolled x_nu
 * for W, and the input's for U and b.  W's gradient sums g[k][i]
 * P[j][i + d] over the slices at once: the padded rings of every slice
 * laid end to end in P (a line of S (N + 2) per channel) and the g_nu
 * likewise in Q with zeros over the padding, so that wconv.c's sums run
 * along one long line.
 */
static void vjp_block(void *arg, size_t k)
{
	const job *J = arg;
	const dk_model *m = J->m;
	fernn_params p = params(m);
	size_t C = m->spec.channels, N = m->spec.units, CN = slice_units(m), n = m->n;
	size_t S = slices(m), P = m->input_size, line = S * (N + 2), r0, r1;
	block_scratch b = block_of(m, J->s, k);
	block_rows(J->B, J->nb, k, &r0, &r1);
	if (J->grads)
		memset(b.gW, 0, (3 * C * C + (p.b - p.U) + C) * sizeof *b.gW);
	for (size_t r = r0; r < r1; r++) {
		const double *A = J->A ? J->A + r * n : b.A;
		const double *ur = J->u ? J->u + r * P : NULL;
		if (!J->A)
			ring_preact(m, J->x + r * n, ur, &b, b.A);
		dk_act_relu_mask(A, J->gxn + r * n, b.g, n);
		memset(b.G, 0, CN * sizeof *b.G);
		for (size_t sl = 0; sl < S; sl++)
			for (size_t e = 0; e < CN; e++)
				b.G[e] += b.g[sl * CN + e];
		for (size_t sl = 0; J->gx && sl < S; sl++) {
			/* gx_nu[j][i] = sum_d sum_k W[k][j][d] g_nu[k][(i + nu - d + 1) mod N]
			   = sum_k sum_d Wt[j][k][d] Q[k][i + d], Q = g_nu rolled by -nu
			   and padded */
			pad_rolled(C, N, (N - roll_of(m, sl)) % N, b.g + sl * CN, b.Q, N + 2);
			ring_conv(C, N, J->s->Wt, b.Q, 0, J->gx + r * n + sl * CN);
		}
		if (J->grads) {
			for (size_t sl = 0; sl < S; sl++) {
				pad_rolled(C, N, roll_of(m, sl), J->x + r * n + sl * CN,
				           b.P + sl * (N + 2), line);
				for (size_t j = 0; j < C; j++) {
					double *q = b.Q + j * line + sl * (N + 2);
					memcpy(q, b.g + sl * CN + j * N, N * sizeof *q);
					q[N] = q[N + 1] = 0;
				}
			}
			/* the last slice's padding is past the line's L: not read */
			dk_wconv_kernel_grad(dk_wconv_isa_best(), C, line - 2, b.Q, line, b.P,
			                     line, b.gW);
		}
		ring_input_vjp(m, ur, b.G, J->gu ? J->gu + r * P : NULL,
		               J->grads ? b.gU : NULL, J->grads ? b.gb : NULL, b.Pu, b.Qu);
	}
}

static int ring_vjp(const dk_model *m, double *work, size_t B, const double *x,
                    const double *u, const double *cache, const double *gxn,
                    double *gx, double *gu, double *gp)
{
	fernn_params p = params(m);
	size_t C = m->spec.channels;
	scratch s = carve(m, work);
	adjoint_kernel(m, s.Wt);
	job J = {.m = m, .s = &s, .B = B, .nb = blocks(B), .x = x, .u = u, .A = cache,
	         .gxn = gxn, .gx = gx, .gu = gu, .grads = gp != NULL};
	dk_team_run(s.team, vjp_block, &J, J.nb);
	/* the blocks' sums, in block order; gW is in W's layout */
	for (size_t k = 0; gp && k < J.nb; k++) {
		block_scratch b = block_of(m, &s, k);
		for (size_t i = 0; i < 3 * C * C; i++)
			gp[p.W + i] += b.gW[i];
		for (size_t i = 0; i < p.b - p.U; i++)
			gp[p.U + i] += b.gU[i];
		for (size_t i = 0; i < C; i++)
			gp[p.b + i] += b.gb[i];
	}
	return DK_OK;
}

/* ---- on a sheet: a state at a time through fernn_sheet.c ---- */

/* The sheet's scratch in the work: the products', then a pre-activation
   *A and a gradient *g (n each). */
static double *sheet_work(const dk_model *m, double *work, double **A, double **g)
{
	double *w = carve(m, work).blk;
	*A = w + dk_fernn_sheet_scratch(m);
	*g = *A + m->n;
	return w;
}

/* Row r's pre-activation: the cache's, or computed into A. */
static const double *sheet_preact(const dk_model *m, double *w, const double *x,
                                  const double *u, const double *cache, size_t r,
                                  double *A)
{
	size_t n = m->n;
	if (cache)
		return cache + r * n;
	dk_fernn_sheet_preact(m, w, x + r * n, u ? u + r * m->input_size : NULL, A);
	return A;
}

static int sheet_step(const dk_model *m, double *work, size_t B, const double *x,
                      const double *u, double *xn, double *cache)
{
	size_t n = m->n, P = m->input_size;
	double *A, *g, *w = sheet_work(m, work, &A, &g);
	for (size_t r = 0; r < B; r++) {
		double *a = cache ? cache + r * n : A;
		dk_fernn_sheet_preact(m, w, x + r * n, u ? u + r * P : NULL, a);
		dk_act_relu_mask(a, a, xn + r * n, n);
	}
	return DK_OK;
}

static int sheet_jvp(const dk_model *m, double *work, size_t B, const double *x,
                     const double *u, const double *cache, const double *dx,
                     double *dxn)
{
	size_t n = m->n;
	double *A, *g, *w = sheet_work(m, work, &A, &g);
	for (size_t r = 0; r < B; r++) {
		const double *a = sheet_preact(m, w, x, u, cache, r, A);
		dk_fernn_sheet_tangent(m, w, dx + r * n, dxn + r * n);
		dk_act_relu_mask(a, dxn + r * n, dxn + r * n, n);
	}
	return DK_OK;
}

static int sheet_vjp(const dk_model *m, double *work, size_t B, const double *x,
                     const double *u, const double *cache, const double *gxn,
                     double *gx, double *gu, double *gp)
{
	size_t n = m->n, P = m->input_size;
	double *A, *g, *w = sheet_work(m, work, &A, &g);
	for (size_t r = 0; r < B; r++) {
		const double *a = sheet_preact(m, w, x, u, cache, r, A);
		dk_act_relu_mask(a, gxn + r * n, g, n);
		dk_fernn_sheet_adjoint(m, w, x + r * n, u ? u + r * P : NULL, g,
		                       gx ? gx + r * n : NULL, gu ? gu + r * P : NULL, gp);
	}
	return DK_OK;
}

/* ---- the kind's entry points: rings and sheets as above ---- */

static int step(const dk_model *m, double *work, size_t B, const double *x,
                const double *u, double *xn, double *cache)
{
	if (!on_sheet(m))
		return ring_step(m, work, B, x, u, xn, cache);
	return sheet_step(m, work, B, x, u, xn, cache);
}

static int jvp(const dk_model *m, double *work, size_t B, const double *x,
               const double *u, const double *cache, const double *dx,
               double *dxn)
{
	if (!on_sheet(m))
		return ring_jvp(m, work, B, x, u, cache, dx, dxn);
	return sheet_jvp(m, work, B, x, u, cache, dx, dxn);
}

static int vjp(const dk_model *m, double *work, size_t B, const double *x,
               const double *u, const double *cache, const double *gxn,
               double *gx, double *gu, double *gp)
{
	if (!on_sheet(m))
		return ring_vjp(m, work, B, x, u, cache, gxn, gx, gu, gp);
	return sheet_vjp(m, work, B, x, u, cache, gxn, gx, gu, gp);
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
	const double *A = row_preact(m, carve(m, work).loops, x, u, NULL, 0);
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
	.work_open = work_open,
	.work_close = dk_row_team_close,
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
	.work_open = work_open,
	.work_close = dk_row_team_close,
	.step = step,
	.jvp = jvp,
	.vjp = vjp,
	.jacobian = jacobian,
};
