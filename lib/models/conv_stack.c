/*
 * conv_stack.c -- the stack of convolutions and nonlinearities of
 * conv_stack.h: the spec's checks, a conv2d workspace per layer, and the
 * forward pass, its tangent wrt the input and its adjoint.
 *
 * The backward passes walk the layers with two scratch buffers of the
 * widest layer's (batch, channels, H, W), in turn the gradient (or
 * tangent) reaching a layer's output and the one it sends on.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "models/conv_stack.h"
#include "models/model_impl.h"

struct dk_conv_stack {
	dk_conv_stack_spec spec;
	dk_conv2d *conv[DK_CONV_STACK_MAX_LAYERS]; /* owned, one per layer */
	double *A, *B;                             /* owned: the scratch pair */
};

static int act_ok(dk_act a)
{
	return a == DK_ACT_RELU || a == DK_ACT_TANH || a == DK_ACT_IDENTITY;
}

/* The conv2d spec of layer l. */
static dk_conv2d_spec layer_spec(const dk_conv_stack_spec *s, size_t l)
{
	dk_conv2d_spec c = dk_conv2d_spec_default();
	c.batch = s->batch;
	c.in_channels = s->channels[l];
	c.out_channels = s->channels[l + 1];
	c.height = s->height;
	c.width = s->width;
	c.kernel_h = c.kernel_w = s->kernel;
	c.padding = s->padding;
	c.bias = s->bias ? 1 : 0;
	return c;
}

int dk_conv_stack_check(const dk_conv_stack_spec *s, char *err, size_t errlen)
{
	if (!s->batch)
		return dk_errorf(DK_EINVAL, err, errlen, "conv stack: batch must be at least 1");
	if (!s->layers || s->layers > DK_CONV_STACK_MAX_LAYERS)
		return dk_errorf(DK_EINVAL, err, errlen, "conv stack: layers must be 1 to %d, "
		                 "not %zu", DK_CONV_STACK_MAX_LAYERS, s->layers);
	if (!s->kernel || s->kernel % 2 == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "conv stack: the kernel must be odd, "
		                 "not %zu", s->kernel);
	/* every size the passes compute: the parameters, a state of the
	   widest layer times the batch, and the cache */
	size_t total = 0, cache = 0, HW, widest = 0;
	if (__builtin_mul_overflow(s->height, s->width, &HW))
		return dk_errorf(DK_EINVAL, err, errlen, "conv stack: a %zu x %zu sheet is "
		                 "too large", s->height, s->width);
	for (size_t l = 0; l < s->layers; l++) {
		if (!act_ok(s->act[l]))
			return dk_errorf(DK_EINVAL, err, errlen, "conv stack: act[%zu] must be "
			                 "relu, tanh or identity", l);
		dk_conv2d_spec c = layer_spec(s, l);
		char why[192];
		if (dk_conv2d_spec_check(&c, NULL, why, sizeof why))
			return dk_errorf(DK_EINVAL, err, errlen, "conv stack: layer %zu: %s", l, why);
		size_t w, out;
		if (__builtin_mul_overflow(c.out_channels, c.in_channels * s->kernel * s->kernel, &w) ||
		    __builtin_add_overflow(total, w + c.out_channels, &total) ||
		    __builtin_mul_overflow(c.out_channels, HW, &out) ||
		    (l + 1 < s->layers && __builtin_add_overflow(cache, out, &cache)))
			return dk_errorf(DK_EINVAL, err, errlen, "conv stack: layer %zu is too large", l);
		if (c.in_channels > widest)
			widest = c.in_channels;
		if (c.out_channels > widest)
			widest = c.out_channels;
	}
	size_t scratch;
	if (__builtin_mul_overflow(widest, HW, &scratch) ||
	    __builtin_mul_overflow(scratch, s->batch, &scratch) ||
	    __builtin_mul_overflow(cache, s->batch, &cache) ||
	    scratch > SIZE_MAX / sizeof(double) / 2 || cache > SIZE_MAX / sizeof(double) ||
	    total > SIZE_MAX / sizeof(double))
		return dk_errorf(DK_EINVAL, err, errlen, "conv stack: too large for batch %zu",
		                 s->batch);
	return DK_OK;
}

size_t dk_conv_stack_weights(const dk_conv_stack_spec *s, size_t layer)
{
	size_t off = 0;
	for (size_t l = 0; l < layer; l++)
		off += s->channels[l + 1] * (s->channels[l] * s->kernel * s->kernel +
		                             (s->bias ? 1 : 0));
	return off;
}

size_t dk_conv_stack_biases(const dk_conv_stack_spec *s, size_t layer)
{
	return dk_conv_stack_weights(s, layer) +
	       s->channels[layer + 1] * s->channels[layer] * s->kernel * s->kernel;
}

size_t dk_conv_stack_param_count(const dk_conv_stack_spec *s)
{
	return dk_conv_stack_weights(s, s->layers);
}

size_t dk_conv_stack_cache_size(const dk_conv_stack_spec *s)
{
	size_t n = 0;
	for (size_t l = 0; l + 1 < s->layers; l++)
		n += s->channels[l + 1] * s->height * s->width;
	return n;
}

int dk_conv_stack_alloc(const dk_conv_stack_spec *spec, dk_conv_stack **out,
                        char *err, size_t errlen)
{
	*out = NULL;
	int st = dk_conv_stack_check(spec, err, errlen);
	if (st)
		return st;
	dk_conv_stack *s = calloc(1, sizeof *s);
	if (!s)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	s->spec = *spec;
	size_t widest = 0;
	for (size_t l = 0; l <= spec->layers; l++)
		if (spec->channels[l] > widest)
			widest = spec->channels[l];
	size_t n = spec->batch * widest * spec->height * spec->width;
	s->A = malloc(n * sizeof *s->A);
	s->B = malloc(n * sizeof *s->B);
	st = s->A && s->B ? DK_OK : DK_ENOMEM;
	for (size_t l = 0; l < spec->layers && !st; l++) {
		dk_conv2d_spec c = layer_spec(spec, l);
		st = dk_conv2d_alloc(&c, &s->conv[l], err, errlen);
	}
	if (st) {
		dk_conv_stack_free(s);
		return st == DK_ENOMEM ? dk_errorf(DK_ENOMEM, err, errlen, "out of memory") : st;
	}
	*out = s;
	return DK_OK;
}

void dk_conv_stack_free(dk_conv_stack *s)
{
	if (!s)
		return;
	for (size_t l = 0; l < s->spec.layers; l++)
		dk_conv2d_free(s->conv[l]);
	free(s->A);
	free(s->B);
	free(s);
}

const dk_conv_stack_spec *dk_conv_stack_get_spec(const dk_conv_stack *s)
{
	return &s->spec;
}

/* ---- the passes ---- */

/* Doubles of layer l's output for B states. */
static size_t out_size(const dk_conv_stack_spec *s, size_t l, size_t B)
{
	return B * s->channels[l + 1] * s->height * s->width;
}

/* Where layer l's output is kept: the cache for a hidden layer, y for
   the last. */
static const double *output_of(const dk_conv_stack_spec *s, size_t l, size_t B,
                               const double *cache, const double *y)
{
	if (l + 1 == s->layers)
		return y;
	for (size_t j = 0; j < l; j++)
		cache += out_size(s, j, B);
	return cache;
}

/* g *= act'(a) from the output a, for n entries. */
static void slope(dk_act act, const double *a, double *g, size_t n)
{
	if (act == DK_ACT_RELU) {
		dk_act_relu_mask(a, g, g, n);
	} else if (act == DK_ACT_TANH) {
		for (size_t i = 0; i < n; i++)
			g[i] *= 1 - a[i] * a[i];
	}
}

static int batch_ok(const dk_conv_stack *s, size_t B)
{
	return B >= 1 && B <= s->spec.batch;
}

int dk_conv_stack_forward(dk_conv_stack *s, size_t B, const double *theta,
                          const double *x, double *cache, double *y)
{
	const dk_conv_stack_spec *sp = &s->spec;
	if (!batch_ok(s, B))
		return DK_EINVAL;
	const double *in = x;
	for (size_t l = 0; l < sp->layers; l++) {
		double *out = (double *)output_of(sp, l, B, cache, y);
		size_t n = out_size(sp, l, B);
		dk_conv2d_forward(s->conv[l], B, in, theta + dk_conv_stack_weights(sp, l),
		                  sp->bias ? theta + dk_conv_stack_biases(sp, l) : NULL, out);
		if (sp->act[l] == DK_ACT_RELU) {
			dk_act_relu_mask(out, out, out, n);
		} else if (sp->act[l] == DK_ACT_TANH) {
			for (size_t i = 0; i < n; i++)
				out[i] = tanh(out[i]);
		}
		in = out;
	}
	return DK_OK;
}

int dk_conv_stack_jvp_input(dk_conv_stack *s, size_t B, const double *theta,
                            const double *cache, const double *y,
                            const double *dx, double *dy)
{
	const dk_conv_stack_spec *sp = &s->spec;
	if (!batch_ok(s, B))
		return DK_EINVAL;
	const double *d = dx;
	for (size_t l = 0; l < sp->layers; l++) {
		double *out = l + 1 == sp->layers ? dy : (d == s->A ? s->B : s->A);
		dk_conv2d_jvp_input(s->conv[l], B, theta + dk_conv_stack_weights(sp, l), d, out);
		slope(sp->act[l], output_of(sp, l, B, cache, y), out, out_size(sp, l, B));
		d = out;
	}
	return DK_OK;
}

int dk_conv_stack_vjp(dk_conv_stack *s, size_t B, const double *theta,
                      const double *x, const double *cache, const double *y,
                      const double *gy, double *gx, double *gtheta)
{
	const dk_conv_stack_spec *sp = &s->spec;
	if (!batch_ok(s, B))
		return DK_EINVAL;
	size_t L = sp->layers;
	double *g = s->A, *next = s->B;
	memcpy(g, gy, out_size(sp, L - 1, B) * sizeof *g);
	slope(sp->act[L - 1], y, g, out_size(sp, L - 1, B));
	for (size_t l = L; l-- > 0;) {
		const double *in = l ? output_of(sp, l - 1, B, cache, y) : x;
		const double *W = theta + dk_conv_stack_weights(sp, l);
		/* both adjoints in one call: Winograd's transforms gy once */
		dk_conv2d_vjp(s->conv[l], B, in, W, g, l ? next : gx,
		              gtheta ? gtheta + dk_conv_stack_weights(sp, l) : NULL,
		              gtheta && sp->bias ? gtheta + dk_conv_stack_biases(sp, l) : NULL);
		if (!l)
			break;
		slope(sp->act[l - 1], in, next, out_size(sp, l - 1, B));
		double *swap = g;
		g = next;
		next = swap;
	}
	return DK_OK;
}
