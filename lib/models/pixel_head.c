/*
 * pixel_head.c -- the per-pixel readout of whole trajectories (features
 * over time, then an MLP shared by all pixels), its forward pass and its
 * adjoint; see pixel_head.h.
 *
 * A block of up to BLOCK pixels of one example at a time: the block's
 * trajectories are gathered from the states (a pixel's neighbours are
 * neighbours in a state, so each (step, channel) is one contiguous run),
 * and every layer is one matrix product over the block, the features
 * over time too: A Y for linear, and for the fft products with tables of
 * cosines and sines made once (T is tens of steps, where a plan would
 * gain nothing).  The adjoint goes back through the same scratch.
 * Products of a block's 64 rows gain nothing from OpenBLAS's threads,
 * whose workers would then spin beside the model's own (nwm.c's rows)
 * for the rest of the step: the head runs with OpenBLAS on one thread
 * (the same bits: a product's entries are each made the same way
 * however OpenBLAS splits it).
 */
#include <config.h>

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "linalg/blas_alone.h"
#include "models/model_impl.h"
#include "models/pixel_head.h"

#define H1 DK_PIXEL_HEAD_HIDDEN1
#define H2 DK_PIXEL_HEAD_HIDDEN2

static const char *const readout_names[DK_NPIXEL_HEAD] = {"linear", "fft", "last"};

const char *dk_pixel_readout_name(dk_pixel_readout r)
{
	return (unsigned)r < DK_NPIXEL_HEAD ? readout_names[r] : NULL;
}

int dk_pixel_readout_from_name(const char *name, dk_pixel_readout *r)
{
	for (int i = 0; name && i < DK_NPIXEL_HEAD; i++)
		if (!strcmp(name, readout_names[i])) {
			*r = (dk_pixel_readout)i;
			return DK_OK;
		}
	return DK_EINVAL;
}

size_t dk_pixel_head_freqs(const dk_pixel_head_dims *d)
{
	return d->steps / 2 + 1;
}

size_t dk_pixel_head_features(const dk_pixel_head_dims *d)
{
	return d->readout == DK_PIXEL_HEAD_LAST ? d->channels
	                                        : dk_pixel_head_freqs(d) * d->channels;
}

int dk_pixel_head_params(const dk_pixel_head_dims *d, size_t shapes[7][2],
                         int ranks[7], const char *names[7])
{
	size_t F = dk_pixel_head_features(d);
	int k = 0;
	if (d->readout == DK_PIXEL_HEAD_LINEAR) {
		names[k] = "fc_time";
		ranks[k] = 2;
		shapes[k][0] = dk_pixel_head_freqs(d);
		shapes[k++][1] = d->steps;
	}
	const size_t io[3][2] = {{H1, F}, {H2, H1}, {d->classes, H2}};
	static const char *const wn[3] = {"mlp_w1", "mlp_w2", "mlp_w3"};
	static const char *const bn[3] = {"mlp_b1", "mlp_b2", "mlp_b3"};
	for (int l = 0; l < 3; l++) {
		names[k] = wn[l];
		ranks[k] = 2;
		shapes[k][0] = io[l][0];
		shapes[k++][1] = io[l][1];
		names[k] = bn[l];
		ranks[k] = 1;
		shapes[k][0] = io[l][0];
		shapes[k++][1] = 1;
	}
	return k;
}

/* Pixels of one example taken at once. */
#define BLOCK 64

/* Where each piece of the workspace lies: the tables [k][t], then per
   block Y [t][c][q] (T C n), the features over time F [k][c][q] (the
   fft's real part) and its imaginary part Im, the rows of the MLP
   (X n x F, a1, h1 n x 64, a2, h2 n x 32, z n x K), and their gradients,
   gF and gIm laid out as F, gY as Y. */
typedef struct {
	double *cos, *sin;
	double *Y, *F, *Im, *X, *a1, *h1, *a2, *h2, *z;
	double *gX, *gh1, *gh2, *gF, *gIm, *gY;
} scratch;

typedef struct {
	size_t A, w1, b1, w2, b2, w3, b3; /* offsets; A used by linear only */
} offsets;

static scratch carve(const dk_pixel_head_dims *d, double *w)
{
	size_t T = d->steps, Kp = dk_pixel_head_freqs(d), C = d->channels;
	size_t F = dk_pixel_head_features(d), n = BLOCK;
	scratch s;
	s.cos = w;
	s.sin = s.cos + Kp * T;
	s.Y = s.sin + Kp * T;
	s.F = s.Y + T * C * n;
	s.Im = s.F + Kp * C * n;
	s.X = s.Im + Kp * C * n;
	s.a1 = s.X + n * F;
	s.h1 = s.a1 + n * H1;
	s.a2 = s.h1 + n * H1;
	s.h2 = s.a2 + n * H2;
	s.z = s.h2 + n * H2;
	s.gX = s.z + n * d->classes;
	s.gh1 = s.gX + n * F;
	s.gh2 = s.gh1 + n * H1;
	s.gF = s.gh2 + n * H2;
	s.gIm = s.gF + Kp * C * n;
	s.gY = s.gIm + Kp * C * n;
	return s;
}

static offsets layout(const dk_pixel_head_dims *d)
{
	size_t F = dk_pixel_head_features(d), o = 0;
	offsets p;
	p.A = 0;
	if (d->readout == DK_PIXEL_HEAD_LINEAR)
		o = dk_pixel_head_freqs(d) * d->steps;
	p.w1 = o;
	p.b1 = p.w1 + H1 * F;
	p.w2 = p.b1 + H1;
	p.b2 = p.w2 + H2 * H1;
	p.w3 = p.b2 + H2;
	p.b3 = p.w3 + d->classes * H2;
	return p;
}

size_t dk_pixel_head_work_size(const dk_pixel_head_dims *d)
{
	size_t T = d->steps, Kp = dk_pixel_head_freqs(d), C = d->channels;
	size_t F = dk_pixel_head_features(d), n = BLOCK;
	return 2 * Kp * T + 2 * T * C * n + 4 * Kp * C * n + 2 * n * F +
	       3 * n * (H1 + H2) + n * d->classes;
}

void dk_pixel_head_work_init(const dk_pixel_head_dims *d, double *work)
{
	scratch s = carve(d, work);
	size_t T = d->steps, Kp = dk_pixel_head_freqs(d);
	for (size_t k = 0; k < Kp; k++)
		for (size_t t = 0; t < T; t++) {
			/* k t mod T keeps the angle in [0, 2 pi): its cosine is then
			   as exact as at a small angle */
			double a = 2 * M_PI * (double)(k * t % T) / (double)T;
			s.cos[k * T + t] = cos(a);
			s.sin[k * T + t] = sin(a);
		}
}

/* Y of pixels p0 .. p0 + n - 1 of example b (the last step's alone for
   last). */
static void gather(const dk_pixel_head_dims *d, size_t B, const double *states,
                   size_t b, size_t p0, size_t n, double *Y)
{
	size_t T = d->steps, C = d->channels, P = d->pixels;
	size_t t0 = d->readout == DK_PIXEL_HEAD_LAST ? T - 1 : 0;
	for (size_t t = t0; t < T; t++)
		for (size_t c = 0; c < C; c++)
			memcpy(Y + (t * C + c) * n, states + (t * B + b) * d->stride + c * P + p0,
			       n * sizeof *Y);
}

/* out (n x rows) = in (n x cols) W^T + bias, W (rows x cols). */
static void affine(const double *W, const double *bias, size_t rows, size_t cols,
                   size_t n, const double *in, double *out)
{
	for (size_t q = 0; q < n; q++)
		memcpy(out + q * rows, bias, rows * sizeof *out);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)rows, (int)cols,
	            1.0, in, (int)cols, W, (int)cols, 1.0, out, (int)rows);
}

static void relu(const double *a, double *h, size_t count)
{
	dk_act_relu_mask(a, a, h, count);
}

/* The block's features X and the MLP's rows, its Y in s->Y; the logits
   (n x K) into z. */
static void block_forward(const dk_pixel_head_dims *d, const double *th, scratch *s,
                          size_t n, double *z)
{
	size_t T = d->steps, C = d->channels, Kp = dk_pixel_head_freqs(d);
	size_t F = dk_pixel_head_features(d), Cn = C * n;
	offsets o = layout(d);
	int kp = (int)Kp, cn = (int)Cn, ti = (int)T;
	switch (d->readout) {
	case DK_PIXEL_HEAD_LINEAR:
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kp, cn, ti, 1.0,
		            th + o.A, ti, s->Y, cn, 0.0, s->F, cn);
		for (size_t kc = 0; kc < Kp * C; kc++)
			for (size_t q = 0; q < n; q++)
				s->X[q * F + kc] = s->F[kc * n + q];
		break;
	case DK_PIXEL_HEAD_FFT:
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kp, cn, ti, 1.0,
		            s->cos, ti, s->Y, cn, 0.0, s->F, cn);
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kp, cn, ti, -1.0,
		            s->sin, ti, s->Y, cn, 0.0, s->Im, cn);
		for (size_t kc = 0; kc < Kp * C; kc++)
			for (size_t q = 0; q < n; q++)
				s->X[q * F + kc] = hypot(s->F[kc * n + q], s->Im[kc * n + q]);
		break;
	default:
		for (size_t c = 0; c < C; c++)
			for (size_t q = 0; q < n; q++)
				s->X[q * F + c] = s->Y[((T - 1) * C + c) * n + q];
		break;
	}
	affine(th + o.w1, th + o.b1, H1, F, n, s->X, s->a1);
	relu(s->a1, s->h1, n * H1);
	affine(th + o.w2, th + o.b2, H2, H1, n, s->h1, s->a2);
	relu(s->a2, s->h2, n * H2);
	affine(th + o.w3, th + o.b3, d->classes, H2, n, s->h2, z);
}

void dk_pixel_head_forward(const dk_pixel_head_dims *d, const double *params,
                           double *work, size_t B, const double *states,
                           double *logits)
{
	scratch s = carve(d, work);
	size_t P = d->pixels, K = d->classes;
	int threads = dk_blas_alone();
	for (size_t b = 0; b < B; b++)
		for (size_t p0 = 0; p0 < P; p0 += BLOCK) {
			size_t n = P - p0 < BLOCK ? P - p0 : BLOCK;
			gather(d, B, states, b, p0, n, s.Y);
			block_forward(d, params, &s, n, logits + (b * P + p0) * K);
		}
	dk_blas_restore(threads);
}

/*
 * The adjoint of out = in W^T + bias over n rows: gW += gout^T in, gbias
 * += the column sums of gout, and gin = gout W.
 */
static void affine_vjp(const double *W, size_t rows, size_t cols, size_t n,
                       const double *in, const double *gout, double *gW, double *gbias,
                       double *gin)
{
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)rows, (int)cols, (int)n,
	            1.0, gout, (int)rows, in, (int)cols, 1.0, gW, (int)cols);
	for (size_t q = 0; q < n; q++)
		for (size_t i = 0; i < rows; i++)
			gbias[i] += gout[q * rows + i];
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)cols, (int)rows,
	            1.0, gout, (int)rows, W, (int)cols, 0.0, gin, (int)cols);
}

/* g = 0 where the pre-activation a is not positive: relu' (0) = 0. */
static void relu_vjp(const double *a, double *g, size_t count)
{
	dk_act_relu_mask(a, g, g, count);
}

/* One block's adjoint, its forward pass done: gparams added to, gY
   made (its last step's alone for last). */
static void block_vjp(const dk_pixel_head_dims *d, const double *th, scratch *s,
                      size_t n, const double *g3, double *gp)
{
	size_t T = d->steps, C = d->channels, Kp = dk_pixel_head_freqs(d);
	size_t F = dk_pixel_head_features(d), K = d->classes, Cn = C * n;
	offsets o = layout(d);
	int kp = (int)Kp, cn = (int)Cn, ti = (int)T;
	affine_vjp(th + o.w3, K, H2, n, s->h2, g3, gp + o.w3, gp + o.b3, s->gh2);
	relu_vjp(s->a2, s->gh2, n * H2);
	affine_vjp(th + o.w2, H2, H1, n, s->h1, s->gh2, gp + o.w2, gp + o.b2, s->gh1);
	relu_vjp(s->a1, s->gh1, n * H1);
	affine_vjp(th + o.w1, H1, F, n, s->X, s->gh1, gp + o.w1, gp + o.b1, s->gX);
	switch (d->readout) {
	case DK_PIXEL_HEAD_LINEAR:
		for (size_t kc = 0; kc < Kp * C; kc++)
			for (size_t q = 0; q < n; q++)
				s->gF[kc * n + q] = s->gX[q * F + kc];
		/* gA += gF Y^T, gY = A^T gF */
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, kp, ti, cn, 1.0, s->gF, cn,
		            s->Y, cn, 1.0, gp + o.A, ti);
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ti, cn, kp, 1.0, th + o.A,
		            ti, s->gF, cn, 0.0, s->gY, cn);
		break;
	case DK_PIXEL_HEAD_FFT:
		/* |X| = hypot(Re, Im), Re = cos Y, Im = -sin Y: the gradient of
		   each goes back as Re / |X| and Im / |X| of it, 0 at X = 0 */
		for (size_t kc = 0; kc < Kp * C; kc++)
			for (size_t q = 0; q < n; q++) {
				double mag = s->X[q * F + kc], g = mag > 0 ? s->gX[q * F + kc] / mag : 0;
				s->gF[kc * n + q] = g * s->F[kc * n + q];
				s->gIm[kc * n + q] = g * s->Im[kc * n + q];
			}
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ti, cn, kp, 1.0, s->cos, ti,
		            s->gF, cn, 0.0, s->gY, cn);
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ti, cn, kp, -1.0, s->sin, ti,
		            s->gIm, cn, 1.0, s->gY, cn);
		break;
	default:
		for (size_t c = 0; c < C; c++)
			for (size_t q = 0; q < n; q++)
				s->gY[((T - 1) * C + c) * n + q] = s->gX[q * F + c];
		break;
	}
}

void dk_pixel_head_vjp(const dk_pixel_head_dims *d, const double *params,
                       double *work, size_t B, const double *states,
                       const double *glogits, double *gstates, double *gparams)
{
	scratch s = carve(d, work);
	size_t T = d->steps, C = d->channels, P = d->pixels, K = d->classes;
	size_t t0 = d->readout == DK_PIXEL_HEAD_LAST ? T - 1 : 0;
	memset(gstates, 0, T * B * d->stride * sizeof *gstates);
	int threads = dk_blas_alone();
	for (size_t b = 0; b < B; b++)
		for (size_t p0 = 0; p0 < P; p0 += BLOCK) {
			size_t n = P - p0 < BLOCK ? P - p0 : BLOCK;
			gather(d, B, states, b, p0, n, s.Y);
			block_forward(d, params, &s, n, s.z);
			block_vjp(d, params, &s, n, glogits + (b * P + p0) * K, gparams);
			for (size_t t = t0; t < T; t++)
				for (size_t c = 0; c < C; c++)
					memcpy(gstates + (t * B + b) * d->stride + c * P + p0,
					       s.gY + (t * C + c) * n, n * sizeof *gstates);
		}
	dk_blas_restore(threads);
}
