/*
 * gated.c -- what the gated kinds (gru, lstm) share: PyTorch's parameter
 * layout of G gates and its uniform initialisation.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "models/model_impl.h"

int dk_gated_layout(dk_model *m, size_t gates, char *err, size_t errlen)
{
	const char *kind = m->ops->kind;
	size_t n = m->spec.units, in = m->spec.inputs;
	if (n == 0) {
		snprintf(err, errlen, "%s: units must be at least 1", kind);
		return DK_EINVAL;
	}
	if (m->spec.act != DK_ACT_TANH) {
		snprintf(err, errlen, "%s: the nonlinearities are fixed (sigmoid gates, tanh); "
		         "not %s", kind, dk_act_name(m->spec.act));
		return DK_EINVAL;
	}
	static const char *const ih_axes[2] = {"gate_unit", "input"};
	static const char *const hh_axes[2] = {"gate_unit", "unit_in"};
	static const char *const b_axes[1] = {"gate_unit"};
	size_t ih[2] = {gates * n, in}, hh[2] = {gates * n, n}, bs[1] = {gates * n};
	dk_model_add_param(m, "model/weight_ih", 2, ih, ih_axes);
	dk_model_add_param(m, "model/weight_hh", 2, hh, hh_axes);
	dk_model_add_param(m, "model/bias_ih", 1, bs, b_axes);
	dk_model_add_param(m, "model/bias_hh", 1, bs, b_axes);
	return DK_OK;
}

int dk_gated_init(dk_model *m, dk_rng *rng, char *err, size_t errlen)
{
	const char *init = m->spec.init; /* "random" when none was given */
	if (strcmp(init, "random")) {
		snprintf(err, errlen, "%s: unknown initialisation '%s' (random: PyTorch's uniform)",
		         m->ops->kind, init);
		return DK_EINVAL;
	}
	/* the four gate tensors are the first views, one after another */
	double k = 1 / sqrt((double)m->spec.units);
	size_t end = m->view[3].offset + m->view[3].count;
	for (size_t i = m->view[0].offset; i < end; i++)
		m->theta[i] = k * (2 * dk_rng_uniform(rng) - 1);
	return DK_OK;
}
