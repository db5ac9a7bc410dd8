/*
 * test_nwm_sequence.c -- the model interface's sequence mode (model.h,
 * dk_model_sequence_begin) on the nwm, whose vjp then sums the
 * gradients of omega and alpha over a walk back and takes them back
 * through their encoders once: a walk back in the mode against the same
 * walk outside it (the one-step vjps, as they always were), with the
 * image changing in the middle of the run and two rows of different
 * images; what the mode must leave as it was (the state's gradient, a
 * vjp given the image's gradient, a vjp after the end); and BPTT, which
 * runs in the mode, against a walk back of one-step vjps written out
 * here, for a model with a head and for one with per-step outputs.
 *
 * Tolerance: the mode sums the same terms in another order (over the
 * steps first, then through the encoders' layers, instead of through
 * the layers at each step), so its parameter gradient differs from the
 * one-step walk's by round-off: a few units of 1e-16 relative to the
 * gradient's norm for these few steps (norm-wise: components that
 * cancel are measured against the whole).  1e-12 leaves room for that,
 * and a term left out or counted twice (a step's share missed at a
 * change of image, or released twice) is far above it.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define SEQ_TOL 1e-12

static double rel_err(const double *got, const double *want, size_t n)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		num += (got[i] - want[i]) * (got[i] - want[i]);
		den += want[i] * want[i];
	}
	return sqrt(num) / fmax(sqrt(den), 1e-300);
}

static void fill(dk_rng *r, double *v, size_t n, double scale)
{
	for (size_t i = 0; i < n; i++)
		v[i] = dk_rng_normal(r, scale);
}

/* An nwm of a small sheet, every parameter moved off its start (the
   encoders' last biases spread around 0, so that relus are cut). */
static dk_model *make_wide(size_t channels, size_t classes, size_t steps, uint64_t seed)
{
	dk_model_spec spec = {.kind = "nwm", .channels = channels, .height = 4, .width = 5,
	                      .inputs = 2, .hidden = 3, .seed = seed,
	                      .outputs = classes ? 0 : 3, .classes = classes,
	                      .steps = steps};
	dk_model *m = NULL;
	char err[256];
	if (dk_model_create(&spec, &m, err, sizeof err)) {
		printf("# create: %s\n", err);
		return NULL;
	}
	dk_rng *r = dk_rng_alloc(seed + 100);
	double *th = dk_model_params(m);
	for (size_t i = 0; i < dk_model_param_count(m); i++)
		th[i] += dk_rng_normal(r, 0.3);
	dk_rng_free(r);
	return m;
}

static dk_model *make(size_t classes, size_t steps, uint64_t seed)
{
	return make_wide(2, classes, steps, seed);
}

/* The share of the parameters named prefix... in g: its offset and count
   (the encoders' tensors are consecutive). */
static void span(dk_model *m, const char *first, const char *last, size_t *off, size_t *cnt)
{
	size_t o0, c0, o1, c1;
	dk_model_param_find(m, first, &o0, &c0);
	dk_model_param_find(m, last, &o1, &c1);
	*off = o0;
	*cnt = o1 + c1 - o0;
}

/*
 * A walk back over T steps of NB rows, in sequence mode when in_mode (not
 * ended here): the gradient g_t reaching each state xs_t added to h, a
 * one-step vjp from it into gx, gp added to; the images u + t u_stride.
 * h ends as the gradient of the first state.
 */
static void walk_back(dk_model *m, dk_model_work *w, size_t NB, size_t T,
                      const double *xs, const double *u, size_t u_stride,
                      const double *cache, const double *g, double *h, double *gx,
                      double *gp, int in_mode)
{
	size_t n = dk_model_state_size(m), c = dk_model_cache_size(m);
	memset(h, 0, NB * n * sizeof *h);
	if (in_mode)
		dk_model_sequence_begin(m, w);
	for (size_t t = T; t-- > 0;) {
		for (size_t i = 0; i < NB * n; i++)
			h[i] += g[t * NB * n + i];
		dk_model_vjp(m, w, NB, xs + t * NB * n, u + t * u_stride, cache + t * NB * c, h, gx,
		             NULL, gp);
		memcpy(h, gx, NB * n * sizeof *h);
	}
}

/*
 * A run of T steps on two rows, the image of steps 0 .. T/2 - 1 one and
 * of the rest another, a random gradient g_t reaching every state: the
 * walk back of one-step vjps outside the mode, then in it.
 */
static void check_walk(void)
{
	enum { NB = 2, T = 6 };
	dk_model *m = make(0, 0, 7);
	if (!ok(m != NULL, "nwm made"))
		return;
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m), np = dk_model_param_count(m);
	size_t c = dk_model_cache_size(m), K = dk_model_start_cache_size(m);
	double *u = malloc(T * NB * P * sizeof *u), *g = malloc(T * NB * n * sizeof *g);
	double *xs = malloc((T + 1) * NB * n * sizeof *xs);
	double *cache = malloc(T * NB * c * sizeof *cache), *sc = malloc(NB * K * sizeof *sc);
	double *gh = malloc(NB * n * sizeof *gh), *gx = malloc(NB * n * sizeof *gx);
	double *gh_seq = malloc(NB * n * sizeof *gh_seq), *gu = malloc(NB * P * sizeof *gu);
	double *gp = calloc(np, sizeof *gp), *gp_seq = calloc(np, sizeof *gp_seq);
	double *before_end = malloc(np * sizeof *before_end);
	double *one = calloc(np, sizeof *one), *one_seq = calloc(np, sizeof *one_seq);
	dk_rng *r = dk_rng_alloc(21);
	fill(r, u, NB * P, 1);
	fill(r, u + (T / 2) * NB * P, NB * P, 1);
	for (size_t t = 1; t < T; t++)
		if (t != T / 2)
			memcpy(u + t * NB * P, u + (t - 1) * NB * P, NB * P * sizeof *u);
	fill(r, g, T * NB * n, 1);
	dk_rng_free(r);
	dk_model_work *w = dk_model_work_alloc(m, NB);
	dk_model_start(m, w, NB, u, xs, sc);
	for (size_t t = 0; t < T; t++)
		dk_model_step(m, w, NB, xs + t * NB * n, u + t * NB * P, xs + (t + 1) * NB * n,
		              cache + t * NB * c);

	/* twice: outside the mode (pass 0), in it (pass 1) */
	for (int pass = 0; pass < 2; pass++) {
		double *h = pass ? gh_seq : gh, *p = pass ? gp_seq : gp;
		walk_back(m, w, NB, T, xs, u, NB * P, cache, g, h, gx, p, pass);
		if (pass) {
			memcpy(before_end, p, np * sizeof *p);
			dk_model_sequence_end(m, w, p);
		}
		dk_model_start_vjp(m, w, NB, u, sc, h, NULL, p);
	}
	double e = rel_err(gp_seq, gp, np);
	ok(e < SEQ_TOL, "a walk back of %d steps, the image changed half way: the "
	   "parameters' gradient in sequence mode is the one-step vjps' (rel err %.2g)", T, e);
	ok(!memcmp(gh_seq, gh, NB * n * sizeof *gh),
	   "the state's gradient is the same bits in the mode (the same calls)");
	/* the mode did defer: before its end, omega's and alpha's encoders
	   miss the first image's share (the second's was released at the
	   change), while the coupling's gradient is whole */
	size_t off, cnt, offw, cntw;
	span(m, "model/enc_omega/0/W", "model/enc_alpha/2/b", &off, &cnt);
	span(m, "model/W", "model/b", &offw, &cntw);
	double miss = rel_err(before_end + off, gp + off, cnt);
	ok(miss > 1e-3 && rel_err(before_end + offw, gp + offw, cntw) < SEQ_TOL,
	   "before the end the encoders' gradient is partial (%.2g off), the coupling's "
	   "whole", miss);

	/* a vjp given the image's gradient in the mode is the one-step vjp,
	   bit for bit; and after the end a vjp is too */
	double *gu_seq = malloc(NB * P * sizeof *gu_seq), *gx1 = malloc(NB * n * sizeof *gx1);
	double *one_gu = calloc(np, sizeof *one_gu);
	dk_model_vjp(m, w, NB, xs, u, cache, g, gx, NULL, one);
	dk_model_vjp(m, w, NB, xs, u, cache, g, gx, gu, one_gu);
	dk_model_sequence_begin(m, w);
	dk_model_vjp(m, w, NB, xs, u, cache, g, gx1, gu_seq, one_seq);
	ok(!memcmp(one_seq, one_gu, np * sizeof *one) && !memcmp(gu_seq, gu, NB * P * sizeof *gu),
	   "in the mode, a vjp given gu takes everything back at once (the same bits)");
	/* begin again drops what an unfinished sequence summed */
	memset(one_seq, 0, np * sizeof *one_seq);
	dk_model_vjp(m, w, NB, xs, u, cache, g, gx1, NULL, one_seq);
	dk_model_sequence_begin(m, w);
	memset(one_seq, 0, np * sizeof *one_seq);
	dk_model_vjp(m, w, NB, xs, u, cache, g, gx1, NULL, one_seq);
	dk_model_sequence_end(m, w, one_seq);
	e = rel_err(one_seq, one, np);
	ok(e < SEQ_TOL, "begin again forgets an unfinished sum: one step in the mode is "
	   "the one-step vjp (rel err %.2g)", e);
	memset(one_seq, 0, np * sizeof *one_seq);
	dk_model_vjp(m, w, NB, xs, u, cache, g, gx1, NULL, one_seq);
	ok(!memcmp(one_seq, one, np * sizeof *one), "after the end a vjp is the one-step "
	   "vjp again (the same bits)");
	dk_model_work_free(w);
	free(u); free(g); free(xs); free(cache); free(sc); free(gh); free(gx); free(gh_seq);
	free(gu); free(gp); free(gp_seq); free(before_end); free(one); free(one_seq);
	free(gu_seq); free(gx1); free(one_gu);
	dk_model_free(m);
}

/*
 * The coupling's gradient, which the mode's vjp makes a row at a time
 * apart (from -0) and adds in row order after its rows (shared among
 * threads when OpenBLAS has several), against the vjp outside the mode,
 * which adds each row's straight into the parameters' gradient: the
 * same bits, for the coupling by GEMM (2 channels) and by Winograd (8).
 * Five rows, so that a team of any size splits them.
 */
static void check_coupling_bits(size_t channels)
{
	enum { NB = 5, T = 4 };
	dk_model *m = make_wide(channels, 0, 0, 13);
	if (!ok(m != NULL, "nwm of %zu channels made", channels))
		return;
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m), np = dk_model_param_count(m);
	size_t c = dk_model_cache_size(m);
	double *u = malloc(NB * P * sizeof *u), *g = malloc(T * NB * n * sizeof *g);
	double *xs = malloc((T + 1) * NB * n * sizeof *xs), *cache = malloc(T * NB * c * sizeof *cache);
	double *gx = malloc(NB * n * sizeof *gx), *h = malloc(NB * n * sizeof *h);
	double *gp[2] = {calloc(np, sizeof(double)), calloc(np, sizeof(double))};
	dk_rng *r = dk_rng_alloc(23);
	fill(r, u, NB * P, 1);
	fill(r, g, T * NB * n, 1);
	fill(r, xs, NB * n, 0.5);
	dk_rng_free(r);
	dk_model_work *w = dk_model_work_alloc(m, NB);
	for (size_t t = 0; t < T; t++)
		dk_model_step(m, w, NB, xs + t * NB * n, u, xs + (t + 1) * NB * n, cache + t * NB * c);
	for (int pass = 0; pass < 2; pass++) {
		walk_back(m, w, NB, T, xs, u, 0, cache, g, h, gx, gp[pass], pass);
		if (pass)
			dk_model_sequence_end(m, w, gp[pass]);
	}
	size_t offw, cntw;
	span(m, "model/W", "model/b", &offw, &cntw);
	ok(!memcmp(gp[1] + offw, gp[0] + offw, cntw * sizeof(double)),
	   "%zu channels: the coupling's gradient in the mode, rows apart, is the bits of "
	   "the rows added in turn", channels);
	dk_model_work_free(w);
	free(u); free(g); free(xs); free(cache); free(gx); free(h); free(gp[0]); free(gp[1]);
	dk_model_free(m);
}

/*
 * BPTT of a model with a head against its walk back written out with
 * one-step vjps (bptt.c's head_loss_grad without the mode): the start,
 * T steps, the head's logits and the per-pixel cross-entropy (label -1
 * now and then: no pixel weight), back through the head, the steps and
 * the start.
 */
static void check_bptt_head(void)
{
	enum { NB = 2, T = 5, K = 3 };
	dk_model *m = make(K, T, 9);
	if (!ok(m != NULL, "nwm with a head made"))
		return;
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m), np = dk_model_param_count(m);
	size_t c = dk_model_cache_size(m), sK = dk_model_start_cache_size(m);
	size_t px = dk_model_head_pixels(m), Bn = NB * n;
	double *u = malloc(T * NB * P * sizeof *u), *xs = malloc((T + 1) * Bn * sizeof *xs);
	double *cache = malloc(T * NB * c * sizeof *cache), *sc = malloc(NB * sK * sizeof *sc);
	double *logits = malloc(NB * px * K * sizeof *logits);
	double *glogits = malloc(NB * px * K * sizeof *glogits);
	double *weight = malloc(NB * px * sizeof *weight), *gstates = malloc(T * Bn * sizeof *gstates);
	double *gh = calloc(Bn, sizeof *gh), *gx = malloc(Bn * sizeof *gx);
	double *want = calloc(np, sizeof *want), *got = malloc(np * sizeof *got);
	dk_tensor *labels = dk_tensor_alloc(DK_I8, 0, 2, (size_t[]){NB, px});
	int64_t *lab = labels->data;
	dk_rng *r = dk_rng_alloc(31);
	fill(r, u, NB * P, 1);
	for (size_t t = 1; t < T; t++) /* one image a run, as the shapes task */
		memcpy(u + t * NB * P, u, NB * P * sizeof *u);
	for (size_t i = 0; i < NB * px; i++) {
		lab[i] = (int64_t)dk_rng_index(r, K + 1) - 1;
		weight[i] = lab[i] >= 0;
	}
	dk_rng_free(r);
	dk_model_work *w = dk_model_work_alloc(m, NB);
	double loss, acc, L;
	dk_model_start(m, w, NB, u, xs, sc);
	for (size_t t = 0; t < T; t++)
		dk_model_step(m, w, NB, xs + t * Bn, u + t * NB * P, xs + (t + 1) * Bn,
		              cache + t * NB * c);
	dk_model_head(m, w, NB, xs + Bn, logits);
	dk_loss_xent(1, NB * px, K, logits, lab, weight, &loss, &acc, glogits);
	dk_model_head_vjp(m, w, NB, xs + Bn, glogits, gstates, want);
	for (size_t t = T; t-- > 0;) {
		for (size_t i = 0; i < Bn; i++)
			gh[i] += gstates[t * Bn + i];
		dk_model_vjp(m, w, NB, xs + t * Bn, u + t * NB * P, cache + t * NB * c, gh, gx,
		             NULL, want);
		memcpy(gh, gx, Bn * sizeof *gh);
	}
	dk_model_start_vjp(m, w, NB, u, sc, gh, NULL, want);
	dk_bptt *bp = dk_bptt_alloc(m, T, NB);
	int st = dk_bptt_loss_grad(bp, m, u, labels, NULL, &L, &acc, got);
	double e = rel_err(got, want, np);
	ok(!st && e < SEQ_TOL && L == loss, "BPTT of a model with a head (%d steps): the "
	   "gradient is the one-step vjps' walk back (rel err %.2g)", T, e);
	dk_bptt_free(bp);
	dk_model_work_free(w);
	dk_tensor_free(labels);
	free(u); free(xs); free(cache); free(sc); free(logits); free(glogits); free(weight);
	free(gstates); free(gh); free(gx); free(want); free(got);
	dk_model_free(m);
}

/*
 * BPTT of a model with per-step outputs (bptt.c's loss_grad: the readout
 * of every step the mask weighs, mse) against the walk written out, the
 * images different at every step (so each vjp in the mode releases the
 * sums of the step after it).
 */
static void check_bptt_outputs(void)
{
	enum { NB = 2, T = 4, O = 3 };
	dk_model *m = make(0, 0, 11);
	if (!ok(m != NULL, "nwm with outputs made"))
		return;
	size_t n = dk_model_state_size(m), P = dk_model_input_size(m), np = dk_model_param_count(m);
	size_t c = dk_model_cache_size(m), sK = dk_model_start_cache_size(m), Bn = NB * n;
	double *u = malloc(T * NB * P * sizeof *u), *xs = malloc((T + 1) * Bn * sizeof *xs);
	double *cache = malloc(T * NB * c * sizeof *cache), *sc = malloc(NB * sK * sizeof *sc);
	double *y = malloc(T * NB * O * sizeof *y), *gy = malloc(T * NB * O * sizeof *gy);
	double *gh = calloc(Bn, sizeof *gh), *gx = malloc(Bn * sizeof *gx);
	double *want = calloc(np, sizeof *want), *got = malloc(np * sizeof *got);
	dk_tensor *target = dk_tensor_alloc(DK_F8, 0, 3, (size_t[]){T, NB, O});
	dk_tensor *mask = dk_tensor_alloc(DK_F8, 0, 2, (size_t[]){T, NB});
	double *tg = target->data, *mk = mask->data;
	dk_rng *r = dk_rng_alloc(41);
	fill(r, u, T * NB * P, 1);
	fill(r, tg, T * NB * O, 1);
	for (size_t i = 0; i < T * NB; i++)
		mk[i] = 1 + (double)(i % 3);
	dk_rng_free(r);
	dk_model_work *w = dk_model_work_alloc(m, NB);
	double loss, acc, L;
	dk_model_start(m, w, NB, u, xs, sc);
	for (size_t t = 0; t < T; t++) {
		dk_model_step(m, w, NB, xs + t * Bn, u + t * NB * P, xs + (t + 1) * Bn,
		              cache + t * NB * c);
		dk_model_readout(m, NB, xs + (t + 1) * Bn, y + t * NB * O);
	}
	dk_loss_mse(T, NB, O, y, tg, mk, &loss, gy);
	for (size_t t = T; t-- > 0;) {
		dk_model_readout_vjp(m, NB, xs + (t + 1) * Bn, gy + t * NB * O, gx, want);
		for (size_t i = 0; i < Bn; i++)
			gh[i] += gx[i];
		dk_model_vjp(m, w, NB, xs + t * Bn, u + t * NB * P, cache + t * NB * c, gh, gx,
		             NULL, want);
		memcpy(gh, gx, Bn * sizeof *gh);
	}
	dk_model_start_vjp(m, w, NB, u, sc, gh, NULL, want);
	dk_bptt *bp = dk_bptt_alloc(m, T, NB);
	int st = dk_bptt_loss_grad(bp, m, u, target, mask, &L, &acc, got);
	double e = rel_err(got, want, np);
	ok(!st && e < SEQ_TOL && L == loss, "BPTT with per-step outputs, a new image every "
	   "step: the gradient is the one-step vjps' walk back (rel err %.2g)", e);
	/* and again: the workspace left the mode at the end of the first */
	st = dk_bptt_loss_grad(bp, m, u, target, mask, &L, &acc, got);
	e = rel_err(got, want, np);
	ok(!st && e < SEQ_TOL, "the same again on the same BPTT (rel err %.2g)", e);
	dk_bptt_free(bp);
	dk_model_work_free(w);
	dk_tensor_free(target);
	dk_tensor_free(mask);
	free(u); free(xs); free(cache); free(sc); free(y); free(gy); free(gh); free(gx);
	free(want); free(got);
	dk_model_free(m);
}

int main(void)
{
	check_walk();
	check_coupling_bits(2);
	check_coupling_bits(8);
	check_bptt_head();
	check_bptt_outputs();
	return tap_done();
}
