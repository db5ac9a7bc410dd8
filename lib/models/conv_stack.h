/*
 * conv_stack.h -- L layers of 2-D convolution, each followed by an
 * elementwise nonlinearity, on a sheet whose size every layer keeps: the
 * local CNNs of the sheet models (the oscillator sheet's encoders, a
 * local-CNN baseline).
 *
 * Layer l (0 <= l < L) maps channels[l] sheets to channels[l + 1]:
 *
 *	a_l = W_l * a_{l-1} + b_l,  a_l <- act[l](a_l),  a_{-1} = x,
 *
 * W_l (channels[l + 1], channels[l], k, k) a convolution of conv2d.h with
 * an odd kernel k, stride 1 and "same" padding ((k - 1) / 2 each side,
 * zero or circular), b_l its bias (channels[l + 1]); act[l] is relu, tanh
 * or the identity (none).  Tensors are PyTorch's: x (batch, channels[0],
 * H, W), y = a_{L-1} (batch, channels[L], H, W), so that the stack is
 * nn.Sequential(Conv2d, act, Conv2d, act, ...) with the same weights.
 *
 * The parameters are one vector, layer by layer: W_0, b_0, W_1, b_1, ...
 * (no b_l without a bias); dk_conv_stack_weights and dk_conv_stack_biases
 * give where each is.
 *
 * The forward pass keeps, in a cache the caller gives, every hidden
 * layer's output a_0 .. a_{L-2}: the backward passes read them (and y)
 * back, and take each nonlinearity's slope from its output (relu: a > 0,
 * tanh: 1 - a^2).  As conv2d.h, a spec is validated once into a
 * workspace that holds the scratch of that shape; the passes do not
 * allocate, and a workspace serves one call at a time.
 */
#ifndef DK_MODELS_CONV_STACK_H
#define DK_MODELS_CONV_STACK_H

#include <stddef.h>

#include "models/conv2d.h"
#include "models/model.h"

#define DK_CONV_STACK_MAX_LAYERS 32

typedef struct dk_conv_stack_spec {
	size_t batch;        /* states per call, at most; >= 1 */
	size_t layers;       /* L, 1 .. DK_CONV_STACK_MAX_LAYERS */
	/* channels[0] the input's, channels[l + 1] layer l's output; >= 1 */
	size_t channels[DK_CONV_STACK_MAX_LAYERS + 1];
	/* after layer l: DK_ACT_RELU, DK_ACT_TANH or DK_ACT_IDENTITY */
	dk_act act[DK_CONV_STACK_MAX_LAYERS];
	size_t height, width; /* of the sheet, >= 1 */
	size_t kernel;        /* k, odd */
	dk_conv2d_padding padding;
	int bias;             /* 1: every layer has a bias */
} dk_conv_stack_spec;

/*
 * DK_OK for a valid spec; DK_EINVAL with a message naming the field for
 * a count of 0 or past the maximum, an even kernel or one larger than the
 * padded sheet, a nonlinearity other than the three, an unknown padding,
 * or sizes whose products overflow.
 */
int dk_conv_stack_check(const dk_conv_stack_spec *spec, char *err, size_t errlen);

typedef struct dk_conv_stack dk_conv_stack;

/* A workspace for spec (copied) into *out; DK_EINVAL as
   dk_conv_stack_check, DK_ENOMEM. */
int dk_conv_stack_alloc(const dk_conv_stack_spec *spec, dk_conv_stack **out,
                        char *err, size_t errlen);
void dk_conv_stack_free(dk_conv_stack *s);

const dk_conv_stack_spec *dk_conv_stack_get_spec(const dk_conv_stack *s);

/* Of a valid spec: the parameters' count, where W_l and b_l start in the
   vector (b_l: only with a bias), and the cache's doubles per state (the
   hidden layers' outputs; 0 for one layer). */
size_t dk_conv_stack_param_count(const dk_conv_stack_spec *spec);
size_t dk_conv_stack_weights(const dk_conv_stack_spec *spec, size_t layer);
size_t dk_conv_stack_biases(const dk_conv_stack_spec *spec, size_t layer);
size_t dk_conv_stack_cache_size(const dk_conv_stack_spec *spec);

/*
 * Each pass acts on B states (1 <= B <= spec.batch; DK_EINVAL otherwise)
 * with the parameters theta and returns DK_OK; the cache (B times
 * dk_conv_stack_cache_size doubles) is the one the forward pass filled
 * for the same x and theta.  No output may overlap an input.
 */

/* y = the stack of x; the hidden layers' outputs into cache. */
int dk_conv_stack_forward(dk_conv_stack *s, size_t B, const double *theta,
                          const double *x, double *cache, double *y);

/* dy = (dy/dx) dx: the tangent wrt the input. */
int dk_conv_stack_jvp_input(dk_conv_stack *s, size_t B, const double *theta,
                            const double *cache, const double *y,
                            const double *dx, double *dy);

/*
 * Given gy = dL/dy: gx = (dy/dx)^T gy (overwritten; NULL to skip) and
 * gtheta += (dy/dtheta)^T gy summed over the batch (NULL to skip).
 */
int dk_conv_stack_vjp(dk_conv_stack *s, size_t B, const double *theta,
                      const double *x, const double *cache, const double *y,
                      const double *gy, double *gx, double *gtheta);

#endif
