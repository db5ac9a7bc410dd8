/*
 * conv2d.h -- a 2-D convolution layer, and its tangent and adjoint, for
 * the models on sheets (the oscillator sheet, local CNNs, conv RNNs,
 * flow-equivariant RNNs).
 *
 * Tensors are PyTorch's: the input x is (batch, in, H, W), the weights W
 * (out, in, kh, kw), the bias b (out), the output y (batch, out, Ho, Wo),
 * all C-order doubles.  The product is PyTorch's conv2d, a
 * cross-correlation:
 *
 *	y[n][o][i][j] = b[o] + sum_c sum_p sum_q W[o][c][p][q]
 *	                       x[n][c][i sh + p - ph][j sw + q - pw]
 *
 * where an index outside the input reads zero (zero padding) or wraps
 * around modulo H and W (circular padding, PyTorch's
 * padding_mode='circular'; here the padding may also exceed the input,
 * wrapping more than once).  ph and pw are added on each side.
 *
 * The layer is linear in x for fixed (W, b) and in (W, b) for fixed x, so
 * its Jacobian-vector products are the product itself: the jvp wrt the
 * input is dx without the bias, the one wrt the parameters dW * x + db.
 * The vector-Jacobian products are the adjoints: wrt the input a
 * transposed convolution (overwriting gx, as a model's vjp overwrites its
 * state's gradient), wrt W and b sums over the batch added to gW and gb
 * (as a model's vjp adds to its parameters' gradient).
 *
 * As with GSL and FFTW, a spec is validated once, into a workspace that
 * holds the scratch of that shape; the compute calls do not allocate.  A
 * workspace serves one call at a time.
 */
#ifndef DK_MODELS_CONV2D_H
#define DK_MODELS_CONV2D_H

#include <stddef.h>

typedef enum {
	DK_CONV2D_ZERO = 0,    /* outside the input is zero */
	DK_CONV2D_CIRCULAR = 1 /* the input wraps around: a torus */
} dk_conv2d_padding;

/* How the products are computed; they agree to rounding. */
typedef enum {
	DK_CONV2D_AUTO = 0, /* whichever is faster for the shape (conv2d.c):
	                       DIRECT for one output channel, else WINOGRAD
	                       where it fits from 8 input channels, else GEMM */
	DK_CONV2D_GEMM,     /* im2col and one DGEMM per state */
	DK_CONV2D_DIRECT,   /* loops over the taps (the weights' gradient by
	                       im2col and DGEMM) */
	DK_CONV2D_WINOGRAD  /* Winograd's F(2x2, 3x3), sixteen DGEMMs over the
	                       tiles of several states at once: only a 3x3
	                       kernel, stride 1, padding 1 ("same") */
} dk_conv2d_method;

/* The padding of a side "same": (k - 1) / 2, for an odd kernel. */
#define DK_CONV2D_SAME ((size_t)-1)

typedef struct dk_conv2d_spec {
	size_t batch;              /* states per call, at most; >= 1 */
	size_t in_channels;        /* >= 1 */
	size_t out_channels;       /* >= 1 */
	size_t height, width;      /* of the input, >= 1 */
	size_t kernel_h, kernel_w; /* >= 1, at most the padded input */
	size_t stride_h, stride_w; /* >= 1 */
	dk_conv2d_padding padding;
	size_t pad_h, pad_w;       /* added on each side, or DK_CONV2D_SAME */
	int bias;                  /* 1: y has a bias b (out) */
	dk_conv2d_method method;
} dk_conv2d_spec;

/* All sizes 0 (to be set), stride 1, zero padding "same", a bias, AUTO. */
dk_conv2d_spec dk_conv2d_spec_default(void);

/* The sizes a valid spec implies. */
typedef struct dk_conv2d_shape {
	size_t pad_h, pad_w;       /* resolved: never DK_CONV2D_SAME */
	size_t out_h, out_w;       /* (H + 2 ph - kh) / sh + 1, ... */
	size_t in_size;            /* doubles of one input state: in H W */
	size_t out_size;           /* doubles of one output state: out Ho Wo */
	size_t weight_count;       /* out in kh kw */
	dk_conv2d_method method;   /* resolved: never AUTO */
} dk_conv2d_shape;

/*
 * DK_OK and *shape (when not NULL) for a valid spec; DK_EINVAL with a
 * message naming the field for a size of 0, an unknown padding or method,
 * WINOGRAD for a shape it does not fit, "same" with an even kernel, a kernel larger than the padded input, or
 * sizes whose products overflow (or exceed the BLAS's int).
 */
int dk_conv2d_spec_check(const dk_conv2d_spec *spec, dk_conv2d_shape *shape,
                         char *err, size_t errlen);

typedef struct dk_conv2d dk_conv2d;

/* A workspace for spec (copied), into *out; DK_EINVAL as
   dk_conv2d_spec_check, DK_ENOMEM. */
int dk_conv2d_alloc(const dk_conv2d_spec *spec, dk_conv2d **out, char *err,
                    size_t errlen);
void dk_conv2d_free(dk_conv2d *c);

const dk_conv2d_spec *dk_conv2d_get_spec(const dk_conv2d *c);
const dk_conv2d_shape *dk_conv2d_get_shape(const dk_conv2d *c);

/*
 * Each call acts on B states (1 <= B <= spec.batch; DK_EINVAL otherwise)
 * and returns DK_OK.  No output may overlap an input.
 */

/* y = W * x + b (b is read only when spec.bias). */
int dk_conv2d_forward(dk_conv2d *c, size_t B, const double *x,
                      const double *W, const double *b, double *y);

/* dy = W * dx: the tangent wrt the input (no bias). */
int dk_conv2d_jvp_input(dk_conv2d *c, size_t B, const double *W,
                        const double *dx, double *dy);

/* dy = dW * x + db: the tangent wrt the parameters (db read only when
   spec.bias). */
int dk_conv2d_jvp_params(dk_conv2d *c, size_t B, const double *x,
                         const double *dW, const double *db, double *dy);

/* gx = (dy/dx)^T gy: the transposed convolution of gy (overwrites gx). */
int dk_conv2d_vjp_input(dk_conv2d *c, size_t B, const double *W,
                        const double *gy, double *gx);

/*
 * gW += sum over the batch of (dy/dW)^T gy and, when spec.bias, gb +=
 * the sums of gy over states and positions (gb is not touched
 * otherwise and may be NULL).
 */
int dk_conv2d_vjp_params(dk_conv2d *c, size_t B, const double *x,
                         const double *gy, double *gW, double *gb);

/*
 * Both adjoints in one call, as dk_conv2d_vjp_input (gx NULL: skipped)
 * and dk_conv2d_vjp_params (gW NULL: skipped, gb with it): the same
 * results, cheaper where the two share work (WINOGRAD transforms gy
 * once).  x is read only for gW, W only for gx.
 */
int dk_conv2d_vjp(dk_conv2d *c, size_t B, const double *x, const double *W,
                  const double *gy, double *gx, double *gW, double *gb);

#endif
