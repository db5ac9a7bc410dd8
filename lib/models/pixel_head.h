/*
 * pixel_head.h -- a readout of whole trajectories, pixel by pixel (not
 * installed: only lib/models/ and the tests see it).
 *
 * After T steps of a model on a sheet of P = H W pixels with C channels,
 * each pixel has its trajectory y[t][c] (t < T, c < C).  The head makes
 * features of that trajectory and passes them through a small MLP shared
 * by all pixels, giving the pixel's K logits, as the per-pixel readouts
 * of Jacobs, Budzinski, Muller, Ba and Keller ("Traveling waves integrate
 * spatial information through time", 2025):
 *
 *	linear  f[k C + c] = sum_t A[k][t] y[t][c], A (K', T) learned and
 *	        shared by every pixel and channel, K' = T / 2 + 1
 *	fft     f[k C + c] = |sum_t y[t][c] exp(-2 pi i k t / T)|, k < K'
 *	        (the magnitude of the real FFT over time)
 *	last    f[c] = y[T - 1][c]
 *
 * then logits = W3 relu(W2 relu(W1 f + b1) + b2) + b3 with W1 (64, F),
 * W2 (32, 64), W3 (K, 32) (PyTorch's Linear layout, out x in).  The
 * gradient of |X| at X = 0 is taken as 0, as PyTorch's; relu' (0) = 0.
 *
 * The parameters are consecutive in one vector, in the order A (linear
 * only), W1, b1, W2, b2, W3, b3.  Every pass goes a block of pixels at a
 * time through a workspace of dk_pixel_head_work_size doubles, prepared
 * once by dk_pixel_head_work_init (the cosines and sines of the fft), and
 * allocates nothing.
 */
#ifndef DK_MODELS_PIXEL_HEAD_H
#define DK_MODELS_PIXEL_HEAD_H

#include <stddef.h>

typedef enum {
	DK_PIXEL_HEAD_LINEAR, DK_PIXEL_HEAD_FFT, DK_PIXEL_HEAD_LAST, DK_NPIXEL_HEAD
} dk_pixel_readout;

#define DK_PIXEL_HEAD_HIDDEN1 64
#define DK_PIXEL_HEAD_HIDDEN2 32

typedef struct dk_pixel_head_dims {
	size_t steps;      /* T */
	size_t channels;   /* C: the channels of y read */
	size_t pixels;     /* P = H W */
	size_t classes;    /* K */
	size_t stride;     /* doubles from one state to the next (the
	                      model's state size; y is its first C P) */
	dk_pixel_readout readout;
} dk_pixel_head_dims;

/* "linear", "fft", "last"; NULL out of range.  DK_EINVAL for another name. */
const char *dk_pixel_readout_name(dk_pixel_readout r);
int dk_pixel_readout_from_name(const char *name, dk_pixel_readout *r);

/* K' = T / 2 + 1: the frequencies of the fft, the rows of A. */
size_t dk_pixel_head_freqs(const dk_pixel_head_dims *d);
/* F: the features of a pixel (K' C, or C for last). */
size_t dk_pixel_head_features(const dk_pixel_head_dims *d);
/* The shapes of the parameters in order (rank 2 or 1, at most 7 of
   them); returns how many.  names[i] are "fc_time", "mlp_w1", ... */
int dk_pixel_head_params(const dk_pixel_head_dims *d, size_t shapes[7][2],
                         int ranks[7], const char *names[7]);
size_t dk_pixel_head_work_size(const dk_pixel_head_dims *d);
void dk_pixel_head_work_init(const dk_pixel_head_dims *d, double *work);

/*
 * logits (B, P, K) from states (T, B, stride): the pixel p of example b
 * at step t reads states[(t B + b) stride + c P + p].
 */
void dk_pixel_head_forward(const dk_pixel_head_dims *d, const double *params,
                           double *work, size_t B, const double *states,
                           double *logits);
/*
 * Given glogits = dL/dlogits (B, P, K): gstates (T, B, stride) is
 * overwritten with dL/dstates (zero but for the C P entries of y read),
 * and gparams (the head's, in the order of params) is added to.
 */
void dk_pixel_head_vjp(const dk_pixel_head_dims *d, const double *params,
                       double *work, size_t B, const double *states,
                       const double *glogits, double *gstates,
                       double *gparams);

#endif
