/*
 * test_train.c -- backpropagation through time against central finite
 * differences of the whole sequence loss, the optimisers against their
 * update rules worked by hand, and clipping against its definition.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define T 6
#define B 3

static void check_bptt_of(dk_model_spec spec, const char *kind, const char *act,
                          int classify);

static void check_bptt(const char *kind, const char *act, int classify)
{
	dk_model_spec spec = {.kind = kind, .units = 5, .inputs = 2, .outputs = 3,
	                      .channels = strcmp(kind, "wrnn") ? 0 : 2,
	                      .init = "random", .gain = 1.1, .seed = 3};
	dk_act_from_name(act, &spec.act);
	check_bptt_of(spec, kind, act, classify);
}

/* The gradient of a whole run, the model's start included (the nwm's y0
   from its encoder of the image), against finite differences. */
static void check_bptt_of(dk_model_spec spec, const char *kind, const char *act,
                          int classify)
{
	dk_model *m;
	char err[256];
	if (!ok(dk_model_create(&spec, &m, err, sizeof err) == DK_OK, "%s %s: create", kind, act))
		return;
	size_t np = dk_model_param_count(m), nu = T * B * dk_model_input_size(m);
	dk_rng *r = dk_rng_alloc(1);
	double *u = malloc(nu * sizeof *u);
	for (size_t i = 0; i < nu; i++)
		u[i] = dk_rng_normal(r, 1.0);
	size_t tb[2] = {T, B}, tbo[3] = {T, B, 3};
	dk_tensor *mask = dk_tensor_alloc(DK_F8, 0, 2, tb);
	dk_tensor *target = classify ? dk_tensor_alloc(DK_I8, 0, 2, tb)
	                             : dk_tensor_alloc(DK_F8, 0, 3, tbo);
	for (size_t i = 0; i < T * B; i++) {
		((double *)mask->data)[i] = i % 4 == 1 ? 0 : 1 + 0.5 * (i % 3);
		if (classify)
			((int64_t *)target->data)[i] = (int64_t)dk_rng_index(r, 3);
	}
	for (size_t i = 0; !classify && i < T * B * 3; i++)
		((double *)target->data)[i] = dk_rng_normal(r, 1.0);
	dk_bptt *bp = dk_bptt_alloc(m, T, B);
	double *grad = malloc(np * sizeof *grad), loss, acc;
	ok(dk_bptt_loss_grad(bp, m, u, target, mask, &loss, &acc, grad) == DK_OK,
	   "%s %s: loss and gradient", kind, act);
	ok(classify ? acc >= 0 && acc <= 1 : isnan(acc), "%s %s: accuracy only for labels", kind, act);
	double *theta = dk_model_params(m), num = 0, den = 0;
	for (size_t k = 0; k < np; k++) {
		double keep = theta[k], lp, lm;
		theta[k] = keep + 1e-6;
		dk_bptt_loss_grad(bp, m, u, target, mask, &lp, &acc, NULL);
		theta[k] = keep - 1e-6;
		dk_bptt_loss_grad(bp, m, u, target, mask, &lm, &acc, NULL);
		theta[k] = keep;
		double fd = (lp - lm) / 2e-6;
		num += (fd - grad[k]) * (fd - grad[k]);
		den += fd * fd;
	}
	double e = sqrt(num / den);
	ok(e < 1e-6, "%s %s %s: BPTT gradient over %zu parameters matches finite differences (rel err %.2g)",
	   kind, act, classify ? "xent" : "mse", np, e);
	free(grad);
	free(u);
	dk_bptt_free(bp);
	dk_tensor_free(mask);
	dk_tensor_free(target);
	dk_rng_free(r);
	dk_model_free(m);
}

static void check_optim(void)
{
	dk_optim_opts o;
	dk_optim_opts_init(&o);
	o.lr = 0.1;
	dk_optim *op = dk_optim_alloc(&o, 2);
	double theta[2] = {1, 1}, g[2] = {3, -4}, norm;
	dk_optim_step(op, theta, g, &norm);
	is_close(norm, 5, 1e-15, "gradient norm reported");
	/* first Adam step: m_hat = g, v_hat = g^2, so the step is lr g / (|g| + eps) */
	is_close(theta[0], 1 - 0.1 * 3 / (3 + 1e-8), 1e-15, "first Adam step moves by lr sign(g)");
	is_close(theta[1], 1 + 0.1 * 4 / (4 + 1e-8), 1e-15, "in each coordinate");
	/* second step with g' = (1, 1): m = (0.9*0.3 + 0.1, ...), bias-corrected */
	double g2[2] = {1, 1};
	dk_optim_step(op, theta, g2, NULL);
	double m0 = 0.9 * 0.3 + 0.1 * 1, v0 = 0.999 * 0.001 * 9 + 0.001 * 1;
	double want = 1 - 0.3 / (3 + 1e-8) - 0.1 * (m0 / (1 - 0.81)) / (sqrt(v0 / (1 - 0.998001)) + 1e-8);
	is_close(theta[0], want, 1e-14, "second Adam step, with bias correction");
	dk_optim_free(op);

	o.kind = DK_OPTIM_SGD;
	o.momentum = 0.5;
	o.clip = 1;
	op = dk_optim_alloc(&o, 2);
	double th[2] = {0, 0}, h[2] = {3, 4};
	dk_optim_step(op, th, h, NULL);
	/* clipped to norm 1 (1/(5 + 1e-6) of itself), then theta -= lr g */
	is_close(h[0], 3 / (5 + 1e-6), 1e-15, "clipping scales by c / (norm + 1e-6)");
	is_close(th[0], -0.1 * 3 / (5 + 1e-6), 1e-15, "first SGD step");
	double h2[2] = {0.3, 0.4};
	dk_optim_step(op, th, h2, NULL);
	is_close(th[0], -0.1 * 3 / (5 + 1e-6) - 0.1 * (0.5 * 3 / (5 + 1e-6) + 0.3), 1e-15,
	         "SGD momentum: buf = mu buf + g");
	double bad[2] = {NAN, 0};
	ok(dk_optim_step(op, th, bad, NULL) == DK_ENUMERIC, "a NaN gradient is refused");
	dk_optim_free(op);
}

int main(void)
{
	const char *acts[] = {"tanh", "relu", "erf"};
	for (int a = 0; a < 3; a++) {
		check_bptt("rnn", acts[a], 0);
		check_bptt("rnn", acts[a], 1);
	}
	/* every kind trains through the same interface */
	check_bptt("wrnn", "relu", 0);
	check_bptt("gru", "tanh", 0);
	check_bptt("lstm", "tanh", 1);
	check_bptt("ctrnn", "tanh", 0);
	check_bptt("ctrnn", "erf", 1);
	/* the oscillator sheet, whose run starts from its image's y0 */
	dk_model_spec nwm = {.kind = "nwm", .channels = 2, .height = 2, .width = 3,
	                     .inputs = 1, .outputs = 3, .hidden = 2, .seed = 3};
	check_bptt_of(nwm, "nwm", "tanh", 1);
	check_optim();
	return tap_done();
}
