/*
 * conv_stack_npy.c -- the stack of convolutions and nonlinearities on .npy
 * records, for tests/conv_stack_torch.sh to compare with torch (a test
 * program, not a tool).
 *
 *	conv_stack_npy CHANNELS ACTS K zero|circular BIAS < in > out
 *
 * CHANNELS is c0,c1,...,cL, ACTS the L nonlinearities (relu, tanh,
 * identity) comma-separated.  Reads x (B, c0, H, W), theta (the
 * parameters as conv_stack.h lays them out) and g (B, cL, H, W) as plain
 * <f8 records on stdin, and writes y, then the vjps of g: gx and gtheta,
 * as plain records on stdout.  Exit 0, or 1 with a message.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_PROG "conv_stack_npy"
#include "npy_prog.h"

int main(int argc, char **argv)
{
	if (argc != 6)
		return fail("usage: CHANNELS ACTS K zero|circular BIAS");
	dk_conv_stack_spec s = {0};
	char *p = argv[1], *end;
	size_t n = 0;
	while (n <= DK_CONV_STACK_MAX_LAYERS) {
		s.channels[n++] = strtoul(p, &end, 10);
		if (*end != ',')
			break;
		p = end + 1;
	}
	s.layers = n - 1;
	char *acts = argv[2];
	for (size_t l = 0; l < s.layers; l++) {
		char *tok = strtok(l ? NULL : acts, ",");
		if (!tok || dk_act_from_name(tok, &s.act[l]))
			return fail("ACTS: one of relu, tanh, identity per layer");
	}
	s.kernel = strtoul(argv[3], NULL, 10);
	s.padding = strcmp(argv[4], "circular") ? DK_CONV2D_ZERO : DK_CONV2D_CIRCULAR;
	s.bias = atoi(argv[5]);

	dk_stream_reader *r = dk_stream_reader_alloc(0, "stdin");
	dk_tensor *x = next_of(r, DK_F8, 4), *theta = next_of(r, DK_F8, 1), *g = next_of(r, DK_F8, 4);
	dk_stream_reader_free(r);
	if (!x || !theta || !g)
		return fail("want <f8 records x (4-d), theta (1-d), g (4-d)");
	s.batch = x->shape[0];
	s.height = x->shape[2];
	s.width = x->shape[3];
	char err[256];
	dk_conv_stack *cs;
	if (dk_conv_stack_alloc(&s, &cs, err, sizeof err))
		return fail(err);
	if (x->shape[1] != s.channels[0] || theta->count != dk_conv_stack_param_count(&s) ||
	    g->count != s.batch * s.channels[s.layers] * s.height * s.width)
		return fail("the shapes of theta and g do not fit x's");
	size_t ys[4] = {s.batch, s.channels[s.layers], s.height, s.width};
	dk_tensor *y = dk_tensor_alloc(DK_F8, 0, 4, ys);
	dk_tensor *gx = dk_tensor_alloc(DK_F8, 0, 4, x->shape);
	dk_tensor *gt = dk_tensor_alloc(DK_F8, 0, 1, theta->shape);
	double *cache = malloc((s.batch * dk_conv_stack_cache_size(&s) + 1) * sizeof *cache);
	if (!y || !gx || !gt || !cache)
		return fail("out of memory");
	memset(gt->data, 0, gt->count * sizeof(double));
	dk_conv_stack_forward(cs, s.batch, theta->data, x->data, cache, y->data);
	dk_conv_stack_vjp(cs, s.batch, theta->data, x->data, cache, y->data, g->data,
	                  gx->data, gt->data);
	dk_stream_writer *w = dk_stream_writer_alloc(1);
	int st = !w || dk_stream_write_tensor(w, y) || dk_stream_write_tensor(w, gx) ||
	         dk_stream_write_tensor(w, gt) || dk_stream_writer_flush(w);
	dk_stream_writer_free(w);
	dk_tensor_free(x); dk_tensor_free(theta); dk_tensor_free(g);
	dk_tensor_free(y); dk_tensor_free(gx); dk_tensor_free(gt);
	free(cache);
	dk_conv_stack_free(cs);
	return st ? fail("cannot write stdout") : 0;
}
