/*
 * conv2d_npy.c -- the 2-D convolution layer on .npy records, for
 * tests/conv2d_torch.sh to compare with torch (a test program, not a
 * tool: there is no tool for a layer).
 *
 *	conv2d_npy SH SW PH PW zero|circular BIAS gemm|direct < in > out
 *
 * reads x (B, in, H, W), W (out, in, kh, kw), b (out) when BIAS is 1, and
 * g (B, out, Ho, Wo) as plain <f8 records on stdin, and writes y = W * x
 * + b, then the vjps of g: gx, gW and (with a bias) gb, as plain records
 * on stdout.  Exit 0, or 1 with a message.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_PROG "conv2d_npy"
#include "npy_prog.h"

int main(int argc, char **argv)
{
	if (argc != 8)
		return fail("usage: SH SW PH PW zero|circular BIAS gemm|direct");
	dk_conv2d_spec s = dk_conv2d_spec_default();
	s.stride_h = strtoul(argv[1], NULL, 10);
	s.stride_w = strtoul(argv[2], NULL, 10);
	s.pad_h = strtoul(argv[3], NULL, 10);
	s.pad_w = strtoul(argv[4], NULL, 10);
	s.padding = strcmp(argv[5], "circular") ? DK_CONV2D_ZERO : DK_CONV2D_CIRCULAR;
	s.bias = atoi(argv[6]);
	s.method = strcmp(argv[7], "gemm") ? DK_CONV2D_DIRECT : DK_CONV2D_GEMM;

	dk_stream_reader *r = dk_stream_reader_alloc(0, "stdin");
	dk_tensor *x = next_of(r, DK_F8, 4), *W = next_of(r, DK_F8, 4), *b = s.bias ? next_of(r, DK_F8, 1) : NULL;
	dk_tensor *g = next_of(r, DK_F8, 4);
	dk_stream_reader_free(r);
	if (!x || !W || (s.bias && !b) || !g)
		return fail("want <f8 records x (4-d), W (4-d), b (1-d, with a bias), g (4-d)");
	s.batch = x->shape[0];
	s.in_channels = x->shape[1];
	s.height = x->shape[2];
	s.width = x->shape[3];
	s.out_channels = W->shape[0];
	s.kernel_h = W->shape[2];
	s.kernel_w = W->shape[3];
	char err[256];
	dk_conv2d *c;
	if (dk_conv2d_alloc(&s, &c, err, sizeof err))
		return fail(err);
	const dk_conv2d_shape *sh = dk_conv2d_get_shape(c);
	if (W->shape[1] != s.in_channels || (b && b->shape[0] != s.out_channels) ||
	    g->count != s.batch * sh->out_size)
		return fail("the shapes of W, b and g do not fit x's");
	size_t ys[4] = {s.batch, s.out_channels, sh->out_h, sh->out_w};
	dk_tensor *y = dk_tensor_alloc(DK_F8, 0, 4, ys);
	dk_tensor *gx = dk_tensor_alloc(DK_F8, 0, 4, x->shape);
	dk_tensor *gW = dk_tensor_alloc(DK_F8, 0, 4, W->shape);
	dk_tensor *gb = dk_tensor_alloc(DK_F8, 0, 1, &s.out_channels);
	if (!y || !gx || !gW || !gb)
		return fail("out of memory");
	memset(gW->data, 0, gW->count * sizeof(double));
	memset(gb->data, 0, gb->count * sizeof(double));
	dk_conv2d_forward(c, s.batch, x->data, W->data, b ? b->data : NULL, y->data);
	dk_conv2d_vjp_input(c, s.batch, W->data, g->data, gx->data);
	dk_conv2d_vjp_params(c, s.batch, x->data, g->data, gW->data, gb->data);
	dk_stream_writer *w = dk_stream_writer_alloc(1);
	int st = !w || dk_stream_write_tensor(w, y) || dk_stream_write_tensor(w, gx) ||
	         dk_stream_write_tensor(w, gW) || (s.bias && dk_stream_write_tensor(w, gb)) ||
	         dk_stream_writer_flush(w);
	dk_stream_writer_free(w);
	dk_tensor_free(x); dk_tensor_free(W); dk_tensor_free(b); dk_tensor_free(g);
	dk_tensor_free(y); dk_tensor_free(gx); dk_tensor_free(gW); dk_tensor_free(gb);
	dk_conv2d_free(c);
	return st ? fail("cannot write stdout") : 0;
}
