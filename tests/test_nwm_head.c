/*
 * test_nwm_head.c -- the nwm with a head over whole trajectories
 * (pixel_head.h): the gradient of the training loss (BPTT through T
 * steps, the head's logits, the per-pixel cross-entropy with unlabelled
 * pixels left out) against central finite differences of the loss, for
 * each readout over time; the parameters' names and shapes, a bundle
 * round trip, and the spec's refusals.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define C 2
#define H 4
#define W 5
#define T 6
#define K 3
#define NB 2
/* Central differences of the loss with h = 1e-6 are accurate to about
   h^2 ~ 1e-12 times its third derivative and eps |L| / h ~ 1e-10 in
   rounding; 1e-6 relative to the gradient's norm leaves room for both,
   and a wrong term of the adjoint is far above it. */
#define FD_H 1e-6
#define FD_TOL 1e-6

static dk_model *make(const char *readout, char *err, size_t errlen)
{
	dk_model_spec spec = {.kind = "nwm", .channels = C, .height = H, .width = W,
	                      .inputs = 1, .classes = K, .steps = T, .readout = readout,
	                      .seed = 5};
	dk_model *m = NULL;
	if (dk_model_create(&spec, &m, err, errlen))
		return NULL;
	return m;
}

static double loss_of(dk_bptt *bp, dk_model *m, const double *in,
                      const dk_tensor *labels, double *grad)
{
	double loss = NAN, acc;
	if (dk_bptt_loss_grad(bp, m, in, labels, NULL, &loss, &acc, grad))
		return NAN;
	return loss;
}

static void check_readout(const char *readout)
{
	char err[256];
	dk_model *m = make(readout, err, sizeof err);
	if (!ok(m != NULL, "%s: made", readout)) {
		printf("# %s\n", err);
		return;
	}
	size_t np = dk_model_param_count(m), P = H * W, ni = dk_model_input_size(m);
	double *theta = dk_model_params(m);
	dk_rng *r = dk_rng_alloc(11);
	/* encoders moved off their start, so that the image drives omega
	   and alpha strongly, a coupling between the channels, and a bias b
	   of the coupling: from the zero state only tanh(b) sets the sheet
	   moving, and with b = 0 it would stay at rest, the image unread */
	size_t off, count;
	const char *moved[] = {"model/W", "model/b", "model/enc_omega", "model/enc_alpha"};
	for (size_t k = 0; k < 4; k++)
		if (!dk_model_param_find(m, moved[k], &off, &count))
			for (size_t i = 0; i < count; i++)
				theta[off + i] += dk_rng_normal(r, 0.5);
	double *in = malloc(T * NB * ni * sizeof *in), *img = malloc(NB * ni * sizeof *img);
	dk_tensor *labels = dk_tensor_alloc(DK_I8, 0, 2, (size_t[]){NB, P});
	for (size_t i = 0; i < NB * ni; i++)
		img[i] = dk_rng_uniform(r);
	for (size_t t = 0; t < T; t++)
		memcpy(in + t * NB * ni, img, NB * ni * sizeof *img);
	int64_t *lab = labels->data;
	for (size_t i = 0; i < NB * P; i++) /* -1 (none) now and then */
		lab[i] = (int64_t)dk_rng_index(r, K + 1) - 1;
	dk_bptt *bp = dk_bptt_alloc(m, T, NB);
	double *grad = malloc(np * sizeof *grad), *fd = malloc(np * sizeof *fd);
	double *an = malloc(np * sizeof *an);
	double L = loss_of(bp, m, in, labels, grad);
	ok(isfinite(L) && L > 0, "%s: the loss %g is finite and positive", readout, L);
	/* every parameter of the sheet and of fc_time, every third of the MLP */
	size_t mlp = 0, used = 0;
	dk_model_param_find(m, "model/mlp_w1", &mlp, &count);
	for (size_t i = 0; i < np; i++) {
		if (i >= mlp && i % 3)
			continue;
		double keep = theta[i];
		theta[i] = keep + FD_H;
		double lp = loss_of(bp, m, in, labels, NULL);
		theta[i] = keep - FD_H;
		double lm = loss_of(bp, m, in, labels, NULL);
		theta[i] = keep;
		fd[used] = (lp - lm) / (2 * FD_H);
		an[used++] = grad[i];
	}
	double num = 0, den = 0;
	for (size_t i = 0; i < used; i++) {
		num += (fd[i] - an[i]) * (fd[i] - an[i]);
		den += fd[i] * fd[i];
	}
	double rel = sqrt(num) / sqrt(den);
	ok(den > 0 && rel < FD_TOL, "%s: the gradient of %zu parameters is the loss's "
	   "finite differences (relative error %.2g)", readout, used, rel);
	/* the sheet's own parameters get a gradient through the head */
	dk_model_param_find(m, "model/enc_omega", &off, &count);
	double norm = 0;
	for (size_t i = 0; i < count; i++)
		norm += grad[off + i] * grad[off + i];
	ok(norm > 0, "%s: the encoders' gradient is not zero", readout);

	/* a bundle round trip keeps the head */
	dk_bundle *b = dk_bundle_alloc();
	dk_model *m2 = NULL;
	int st = dk_model_to_bundle(m, b) || dk_model_from_bundle(b, &m2, err, sizeof err);
	ok(!st && m2 && dk_model_head_steps(m2) == T && dk_model_head_classes(m2) == K &&
	   !strcmp(dk_model_spec_of(m2)->readout, readout) &&
	   dk_model_param_count(m2) == np &&
	   !memcmp(dk_model_params(m2), theta, np * sizeof *theta),
	   "%s: a bundle round trip keeps the head", readout);
	dk_model_free(m2);
	dk_bundle_free(b);
	free(grad);
	free(fd);
	free(an);
	free(in);
	free(img);
	dk_tensor_free(labels);
	dk_bptt_free(bp);
	dk_rng_free(r);
	dk_model_free(m);
}

static void check_names(void)
{
	char err[256];
	dk_model *m = make("linear", err, sizeof err);
	size_t off, count;
	/* K' = T / 2 + 1 frequencies, F = K' C features */
	ok(m && !dk_model_param_find(m, "model/fc_time", &off, &count) &&
	   count == (T / 2 + 1) * T, "linear: model/fc_time is (T/2+1, T)");
	ok(m && !dk_model_param_find(m, "model/mlp_w1", &off, &count) &&
	   count == 64 * (T / 2 + 1) * C, "linear: model/mlp_w1 is (64, K' C)");
	ok(m && !dk_model_param_find(m, "model/mlp_w3", &off, &count) && count == K * 32,
	   "model/mlp_w3 is (classes, 32)");
	ok(m && dk_model_output_size(m) == 0, "a model with a head has no per-step outputs");
	dk_model_free(m);
	m = make("last", err, sizeof err);
	ok(m && dk_model_param_find(m, "model/fc_time", &off, &count) &&
	   !dk_model_param_find(m, "model/mlp_w1", &off, &count) && count == 64 * C,
	   "last: no fc_time, model/mlp_w1 is (64, C)");
	dk_model_free(m);
}

static void check_refusals(void)
{
	char err[256];
	dk_model *m = make("cosine", err, sizeof err);
	ok(!m && strstr(err, "readout"), "an unknown readout is refused (%s)", err);
	dk_model_spec spec = {.kind = "nwm", .channels = 1, .height = 4, .width = 4,
	                      .inputs = 1, .classes = K, .steps = 0};
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && strstr(err, "steps"),
	   "a head of 0 steps is refused (%s)", err);
	spec.steps = 4;
	spec.outputs = 2;
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && strstr(err, "outputs"),
	   "a head with per-step outputs is refused (%s)", err);
	spec = (dk_model_spec){.kind = "rnn", .units = 4, .inputs = 1, .outputs = 1,
	                       .classes = 3, .steps = 4};
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && strstr(err, "nwm"),
	   "a head on another kind is refused (%s)", err);
}

int main(void)
{
	check_readout("linear");
	check_readout("fft");
	check_readout("last");
	check_names();
	check_refusals();
	return tap_done();
}
