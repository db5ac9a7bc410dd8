/*
 * pixel_head.c -- the per-pixel readout of whole trajectories (features
 * over time, then an MLP shared by all pixels), its forward pass and its
 * adjoint; see pixel_head.h.
 *
 * A pixel at a time: its trajectory is gathered from the states into the
 * workspace, its features and the MLP's activations computed there, and
 * (in the adjoint) everything sent back through the same scratch.  The
 * fft is a direct sum over the T steps with tables of cosines and sines
 * made once: T is tens of steps, where a plan would gain nothing.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "base/status.h"
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

/* Where each piece of the workspace and of the parameters lies. */
typedef struct {
	double *cos, *sin;     /* T x K' each: cos(2 pi k t / T), at t K' + k */
	double *traj, *feat, *re, *im, *a1, *h1, *a2, *h2;
	double *gh1, *gh2, *gfeat, *gtraj;
	double *logits;        /* K: the adjoint's forward pass writes them */
} scratch;

typedef struct {
	size_t A, w1, b1, w2, b2, w3, b3; /* offsets; A unused but for linear */
} offsets;

static scratch carve(const dk_pixel_head_dims *d, double *w)
{
	size_t T = d->steps, Kp = dk_pixel_head_freqs(d), C = d->channels;
	size_t F = dk_pixel_head_features(d);
	scratch s;
	s.cos = w;
	s.sin = s.cos + T * Kp;
	s.traj = s.sin + T * Kp;
	s.feat = s.traj + T * C;
	s.re = s.feat + F;
	s.im = s.re + Kp * C;
	s.a1 = s.im + Kp * C;
	s.h1 = s.a1 + H1;
	s.a2 = s.h1 + H1;
	s.h2 = s.a2 + H2;
	s.gh1 = s.h2 + H2;
	s.gh2 = s.gh1 + H1;
	s.gfeat = s.gh2 + H2;
	s.gtraj = s.gfeat + F;
	s.logits = s.gtraj + T * C;
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
	size_t F = dk_pixel_head_features(d);
	return 2 * T * Kp + 2 * T * C + 2 * F + 2 * Kp * C + 3 * (H1 + H2) + d->classes;
}

void dk_pixel_head_work_init(const dk_pixel_head_dims *d, double *work)
{
	scratch s = carve(d, work);
	size_t T = d->steps, Kp = dk_pixel_head_freqs(d);
	for (size_t t = 0; t < T; t++)
		for (size_t k = 0; k < Kp; k++) {
			/* k t mod T keeps the angle in [0, 2 pi): its cosine is then
			   as exact as at a small angle */
			double a = 2 * M_PI * (double)(k * t % T) / (double)T;
			s.cos[t * Kp + k] = cos(a);
			s.sin[t * Kp + k] = sin(a);
		}
}

/* y[t][c] of pixel p of example b. */
static void gather(const dk_pixel_head_dims *d, size_t B, const double *states,
                   size_t b, size_t p, double *traj)
{
	size_t T = d->steps, C = d->channels, P = d->pixels;
	size_t t0 = d->readout == DK_PIXEL_HEAD_LAST ? T - 1 : 0;
	for (size_t t = t0; t < T; t++) {
		const double *x = states + (t * B + b) * d->stride + p;
		for (size_t c = 0; c < C; c++)
			traj[t * C + c] = x[c * P];
	}
}

/* out = W in + bias, W (rows x cols). */
static void affine(const double *W, const double *bias, size_t rows, size_t cols,
                   const double *in, double *out)
{
	for (size_t i = 0; i < rows; i++) {
		double acc = bias[i];
		const double *w = W + i * cols;
		for (size_t j = 0; j < cols; j++)
			acc += w[j] * in[j];
		out[i] = acc;
	}
}

/* One pixel's features and MLP, its trajectory in s->traj. */
static void pixel_forward(const dk_pixel_head_dims *d, const double *th, scratch *s,
                          double *logits)
{
	size_t T = d->steps, C = d->channels, Kp = dk_pixel_head_freqs(d);
	size_t F = dk_pixel_head_features(d);
	offsets o = layout(d);
	switch (d->readout) {
	case DK_PIXEL_HEAD_LINEAR:
		for (size_t k = 0; k < Kp; k++)
			for (size_t c = 0; c < C; c++) {
				double acc = 0;
				for (size_t t = 0; t < T; t++)
					acc += th[o.A + k * T + t] * s->traj[t * C + c];
				s->feat[k * C + c] = acc;
			}
		break;
	case DK_PIXEL_HEAD_FFT:
		for (size_t k = 0; k < Kp; k++)
			for (size_t c = 0; c < C; c++) {
				double re = 0, im = 0;
				for (size_t t = 0; t < T; t++) {
					re += s->traj[t * C + c] * s->cos[t * Kp + k];
					im -= s->traj[t * C + c] * s->sin[t * Kp + k];
				}
				s->re[k * C + c] = re;
				s->im[k * C + c] = im;
				s->feat[k * C + c] = hypot(re, im);
			}
		break;
	default:
		memcpy(s->feat, s->traj + (T - 1) * C, C * sizeof *s->feat);
		break;
	}
	affine(th + o.w1, th + o.b1, H1, F, s->feat, s->a1);
	for (size_t i = 0; i < H1; i++)
		s->h1[i] = s->a1[i] > 0 ? s->a1[i] : 0;
	affine(th + o.w2, th + o.b2, H2, H1, s->h1, s->a2);
	for (size_t i = 0; i < H2; i++)
		s->h2[i] = s->a2[i] > 0 ? s->a2[i] : 0;
	affine(th + o.w3, th + o.b3, d->classes, H2, s->h2, logits);
}

void dk_pixel_head_forward(const dk_pixel_head_dims *d, const double *params,
                           double *work, size_t B, const double *states,
                           double *logits)
{
	scratch s = carve(d, work);
	size_t P = d->pixels, K = d->classes;
	for (size_t b = 0; b < B; b++)
		for (size_t p = 0; p < P; p++) {
			gather(d, B, states, b, p, s.traj);
			pixel_forward(d, params, &s, logits + (b * P + p) * K);
		}
}

/*
 * The adjoint of a linear layer out = W in + bias: gW += gout in^T, gbias
 * += gout, and gin = W^T gout where gin is not NULL.
 */
static void affine_vjp(const double *W, size_t rows, size_t cols, const double *in,
                       const double *gout, double *gW, double *gbias, double *gin)
{
	if (gin)
		memset(gin, 0, cols * sizeof *gin);
	for (size_t i = 0; i < rows; i++) {
		double g = gout[i];
		gbias[i] += g;
		if (g == 0)
			continue;
		const double *w = W + i * cols;
		double *gw = gW + i * cols;
		for (size_t j = 0; j < cols; j++)
			gw[j] += g * in[j];
		if (gin)
			for (size_t j = 0; j < cols; j++)
				gin[j] += w[j] * g;
	}
}

/* One pixel's adjoint: the forward pass again, then back to gtraj. */
static void pixel_vjp(const dk_pixel_head_dims *d, const double *th, scratch *s,
                      const double *glogits, double *gp)
{
	size_t T = d->steps, C = d->channels, Kp = dk_pixel_head_freqs(d);
	size_t F = dk_pixel_head_features(d), K = d->classes;
	offsets o = layout(d);
	affine_vjp(th + o.w3, K, H2, s->h2, glogits, gp + o.w3, gp + o.b3, s->gh2);
	for (size_t i = 0; i < H2; i++)
		if (!(s->a2[i] > 0))
			s->gh2[i] = 0;
	affine_vjp(th + o.w2, H2, H1, s->h1, s->gh2, gp + o.w2, gp + o.b2, s->gh1);
	for (size_t i = 0; i < H1; i++)
		if (!(s->a1[i] > 0))
			s->gh1[i] = 0;
	affine_vjp(th + o.w1, H1, F, s->feat, s->gh1, gp + o.w1, gp + o.b1, s->gfeat);
	switch (d->readout) {
	case DK_PIXEL_HEAD_LINEAR:
		memset(s->gtraj, 0, T * C * sizeof *s->gtraj);
		for (size_t k = 0; k < Kp; k++) {
			const double *a = th + o.A + k * T;
			double *ga = gp + o.A + k * T;
			for (size_t c = 0; c < C; c++) {
				double g = s->gfeat[k * C + c];
				for (size_t t = 0; t < T; t++) {
					ga[t] += g * s->traj[t * C + c];
					s->gtraj[t * C + c] += a[t] * g;
				}
			}
		}
		break;
	case DK_PIXEL_HEAD_FFT:
		/* d|X_k| / dy_t = (Re X_k cos - Im X_k sin) / |X_k|, 0 at X_k = 0 */
		memset(s->gtraj, 0, T * C * sizeof *s->gtraj);
		for (size_t k = 0; k < Kp; k++)
			for (size_t c = 0; c < C; c++) {
				double mag = s->feat[k * C + c];
				if (mag == 0)
					continue;
				double g = s->gfeat[k * C + c] / mag;
				double gr = g * s->re[k * C + c], gi = g * s->im[k * C + c];
				for (size_t t = 0; t < T; t++)
					s->gtraj[t * C + c] += gr * s->cos[t * Kp + k] -
					                       gi * s->sin[t * Kp + k];
			}
		break;
	default:
		memcpy(s->gtraj + (T - 1) * C, s->gfeat, C * sizeof *s->gtraj);
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
	for (size_t b = 0; b < B; b++)
		for (size_t p = 0; p < P; p++) {
			gather(d, B, states, b, p, s.traj);
			pixel_forward(d, params, &s, s.logits);
			pixel_vjp(d, params, &s, glogits + (b * P + p) * K, gparams);
			for (size_t t = t0; t < T; t++) {
				double *g = gstates + (t * B + b) * d->stride + p;
				for (size_t c = 0; c < C; c++)
					g[c * P] = s.gtraj[t * C + c];
			}
		}
}
