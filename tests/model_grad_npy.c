/*
 * model_grad_npy.c -- a model with a head (model.h: nwm, cnn) run on
 * images and taken back through the head, its T steps and its start,
 * for tests/cnn_torch.sh to compare with torch (a test program, not a
 * tool).
 *
 *	model_grad_npy < in > out
 *
 * reads a stream holding the model's model/... records, "input" (B, I,
 * H, W) images and "glogits" (B, H W, K), and writes as plain <f8
 * records the logits (B, H W, K) the head makes from the run (the start
 * from the first image, then T steps, each given the image), then the
 * gradients of <glogits, logits> wrt every parameter (the model's
 * vector) and wrt the images (B, I H W).  Exit 0, or 1 with a message.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_PROG "model_grad_npy"
#include "npy_prog.h"

int main(void)
{
	char err[256];
	dk_bundle *b = dk_bundle_alloc();
	dk_stream_reader *r = dk_stream_reader_alloc(0, "stdin");
	if (!b || !r || dk_bundle_read(b, r))
		return fail("cannot read stdin");
	dk_stream_reader_free(r);
	dk_model *m;
	if (dk_model_from_bundle(b, &m, err, sizeof err))
		return fail(err);
	dk_tensor *x = dk_bundle_get(b, "input"), *g = dk_bundle_get(b, "glogits");
	size_t T = dk_model_head_steps(m), n = dk_model_state_size(m);
	size_t in = dk_model_input_size(m), P = dk_model_head_pixels(m);
	size_t K = dk_model_head_classes(m);
	if (!T || !x || !g || x->dtype != DK_F8 || g->dtype != DK_F8 || x->rank != 4)
		return fail("want a model with a head, <f8 input (B, I, H, W) and glogits");
	size_t B = x->shape[0], nc = dk_model_cache_size(m), ns = dk_model_start_cache_size(m);
	if (x->count != B * in || g->count != B * P * K)
		return fail("the sizes of input and glogits do not fit the model");
	size_t np = dk_model_param_count(m);
	const double *u = x->data;
	double *x0 = calloc(B * n, sizeof *x0), *S = calloc(T * B * n, sizeof *S);
	double *cache = calloc(T * B * (nc ? nc : 1), sizeof *cache);
	double *scache = calloc(B * (ns ? ns : 1), sizeof *scache);
	double *gS = calloc(T * B * n, sizeof *gS), *gx = calloc(B * n, sizeof *gx);
	double *gxn = calloc(B * n, sizeof *gxn), *gu1 = calloc(B * in, sizeof *gu1);
	size_t zshape[3] = {B, P, K}, pshape[1] = {np}, ushape[2] = {B, in};
	dk_tensor *z = dk_tensor_alloc(DK_F8, 0, 3, zshape);
	dk_tensor *gp = dk_tensor_alloc(DK_F8, 0, 1, pshape);
	dk_tensor *gu = dk_tensor_alloc(DK_F8, 0, 2, ushape);
	dk_model_work *w = dk_model_work_alloc(m, B);
	if (!x0 || !S || !cache || !scache || !gS || !gx || !gxn || !gu1 || !z || !gp || !gu || !w)
		return fail("out of memory");
	memset(gp->data, 0, np * sizeof(double));
	memset(gu->data, 0, B * in * sizeof(double));
	/* forward: the start, T steps, the head */
	dk_model_start(m, w, B, u, x0, scache);
	for (size_t t = 0; t < T; t++)
		dk_model_step(m, w, B, t ? S + (t - 1) * B * n : x0, u, S + t * B * n,
		              cache + t * B * nc);
	dk_model_head(m, w, B, S, z->data);
	/* backward: the head, the steps from the last, the start */
	dk_model_head_vjp(m, w, B, S, g->data, gS, gp->data);
	double *gpd = gp->data, *gud = gu->data;
	memcpy(gxn, gS + (T - 1) * B * n, B * n * sizeof *gxn);
	for (size_t t = T; t-- > 0;) {
		dk_model_vjp(m, w, B, t ? S + (t - 1) * B * n : x0, u, cache + t * B * nc, gxn,
		             gx, gu1, gpd);
		for (size_t i = 0; i < B * in; i++)
			gud[i] += gu1[i];
		for (size_t i = 0; i < B * n; i++)
			gxn[i] = gx[i] + (t ? gS[(t - 1) * B * n + i] : 0);
	}
	dk_model_start_vjp(m, w, B, u, scache, gxn, gu1, gpd);
	for (size_t i = 0; i < B * in; i++)
		gud[i] += gu1[i];
	dk_stream_writer *sw = dk_stream_writer_alloc(1);
	int st = !sw || dk_stream_write_tensor(sw, z) || dk_stream_write_tensor(sw, gp) ||
	         dk_stream_write_tensor(sw, gu) || dk_stream_writer_flush(sw);
	dk_stream_writer_free(sw);
	dk_model_work_free(w);
	dk_model_free(m);
	dk_bundle_free(b);
	free(x0); free(S); free(cache); free(scache); free(gS); free(gx); free(gxn); free(gu1);
	dk_tensor_free(z); dk_tensor_free(gp); dk_tensor_free(gu);
	return st ? fail("cannot write stdout") : 0;
}
