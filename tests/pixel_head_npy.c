/*
 * pixel_head_npy.c -- the per-pixel head over whole trajectories
 * (lib/models/pixel_head.h) on .npy records, for tests/pixel_head_torch.sh
 * to compare with torch (a test program, not a tool).
 *
 *	pixel_head_npy linear|fft|last C H W K < in > out
 *
 * reads the head's parameters (one vector, in the order of
 * dk_pixel_head_params), states (T, B, n) with n >= C H W, and glogits
 * (B, H W, K) as plain <f8 records on stdin, and writes the logits (B,
 * H W, K), then gstates (T, B, n) and the parameters' gradient, as plain
 * records on stdout.  Exit 0, or 1 with a message.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_PROG "pixel_head_npy"
#include "npy_prog.h"
#include "models/pixel_head.h"

int main(int argc, char **argv)
{
	if (argc != 6)
		return fail("usage: linear|fft|last C H W K");
	dk_pixel_head_dims d = {.channels = strtoul(argv[2], NULL, 10),
	                        .pixels = strtoul(argv[3], NULL, 10) * strtoul(argv[4], NULL, 10),
	                        .classes = strtoul(argv[5], NULL, 10)};
	if (dk_pixel_readout_from_name(argv[1], &d.readout))
		return fail("readout: linear, fft or last");
	dk_stream_reader *r = dk_stream_reader_alloc(0, "stdin");
	dk_tensor *p = next_of(r, DK_F8, 1), *s = next_of(r, DK_F8, 3), *g = next_of(r, DK_F8, 3);
	dk_stream_reader_free(r);
	if (!p || !s || !g)
		return fail("want <f8 records params (1-d), states (3-d), glogits (3-d)");
	d.steps = s->shape[0];
	d.stride = s->shape[2];
	size_t B = s->shape[1], shapes[7][2], count = 0;
	int ranks[7];
	const char *names[7];
	int k = dk_pixel_head_params(&d, shapes, ranks, names);
	for (int i = 0; i < k; i++)
		count += shapes[i][0] * (ranks[i] == 2 ? shapes[i][1] : 1);
	if (p->count != count || d.stride < d.channels * d.pixels ||
	    g->count != B * d.pixels * d.classes)
		return fail("the sizes of params, states and glogits do not fit");
	double *work = malloc(dk_pixel_head_work_size(&d) * sizeof *work);
	dk_tensor *z = dk_tensor_alloc(DK_F8, 0, 3, g->shape);
	dk_tensor *gs = dk_tensor_alloc(DK_F8, 0, 3, s->shape);
	dk_tensor *gp = dk_tensor_alloc(DK_F8, 0, 1, p->shape);
	if (!work || !z || !gs || !gp)
		return fail("out of memory");
	memset(gp->data, 0, gp->count * sizeof(double));
	dk_pixel_head_work_init(&d, work);
	dk_pixel_head_forward(&d, p->data, work, B, s->data, z->data);
	dk_pixel_head_vjp(&d, p->data, work, B, s->data, g->data, gs->data, gp->data);
	dk_stream_writer *w = dk_stream_writer_alloc(1);
	int st = !w || dk_stream_write_tensor(w, z) || dk_stream_write_tensor(w, gs) ||
	         dk_stream_write_tensor(w, gp) || dk_stream_writer_flush(w);
	dk_stream_writer_free(w);
	free(work);
	dk_tensor_free(p); dk_tensor_free(s); dk_tensor_free(g);
	dk_tensor_free(z); dk_tensor_free(gs); dk_tensor_free(gp);
	return st ? fail("cannot write stdout") : 0;
}
