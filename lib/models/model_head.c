/*
 * model_head.c -- a kind's head over whole trajectories (pixel_head.h)
 * declared among its parameters, checked and initialised: what the
 * kinds that may have one (nwm) share.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "base/status.h"
#include "models/model_impl.h"

/* Longest sequence a head reads: the fft's tables grow as T^2 / 2. */
#define HEAD_MAX_STEPS 4096
/* Most classes per pixel. */
#define HEAD_MAX_CLASSES 65536

int dk_model_add_head(dk_model *m, size_t channels, size_t pixels, char *err,
                      size_t errlen)
{
	dk_model_spec *s = &m->spec;
	const char *kind = m->ops->kind;
	if (!s->classes) {
		if (s->steps || (s->readout && *s->readout))
			return dk_errorf(DK_EINVAL, err, errlen, "%s: steps and readout "
			                 "are those of a head: give its classes too", kind);
		return DK_OK;
	}
	if (s->classes < 2 || s->classes > HEAD_MAX_CLASSES)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: classes must be 2 to %d, "
		                 "not %zu", kind, HEAD_MAX_CLASSES, s->classes);
	if (s->steps < 1 || s->steps > HEAD_MAX_STEPS)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: the head's steps must be "
		                 "1 to %d, not %zu", kind, HEAD_MAX_STEPS, s->steps);
	if (s->outputs)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: a model with a head "
		                 "(classes) has no per-step outputs, not %zu", kind,
		                 s->outputs);
	dk_pixel_readout r = DK_PIXEL_HEAD_LINEAR;
	if (s->readout && *s->readout && dk_pixel_readout_from_name(s->readout, &r))
		return dk_errorf(DK_EINVAL, err, errlen, "%s: unknown readout '%s' "
		                 "(linear, fft or last)", kind, s->readout);
	snprintf(m->readout_name, sizeof m->readout_name, "%s", dk_pixel_readout_name(r));
	s->readout = m->readout_name;
	m->head = (dk_pixel_head_dims){.steps = s->steps, .channels = channels,
	                               .pixels = pixels, .classes = s->classes,
	                               .stride = m->n, .readout = r};
	size_t shapes[7][2];
	int ranks[7];
	const char *names[7];
	int k = dk_pixel_head_params(&m->head, shapes, ranks, names);
	static const char *const w_axes[2] = {"out", "in"}, *const b_axes[1] = {"out"};
	static const char *const t_axes[2] = {"frequency", "time"};
	m->head_params = m->ntheta;
	for (int i = 0; i < k; i++) {
		char name[64];
		snprintf(name, sizeof name, "model/%s", names[i]);
		int time = i == 0 && r == DK_PIXEL_HEAD_LINEAR;
		dk_model_add_param(m, name, ranks[i], shapes[i],
		                   time ? t_axes : ranks[i] == 2 ? w_axes : b_axes);
	}
	return DK_OK;
}

void dk_model_init_head(dk_model *m, dk_rng *rng)
{
	if (!m->head.steps)
		return;
	size_t shapes[7][2], at = m->head_params;
	int ranks[7];
	const char *names[7];
	int k = dk_pixel_head_params(&m->head, shapes, ranks, names);
	size_t fan_in = 1;
	for (int i = 0; i < k; i++) {
		/* a bias takes the fan-in of the weight before it */
		if (ranks[i] == 2)
			fan_in = shapes[i][1];
		size_t count = ranks[i] == 2 ? shapes[i][0] * shapes[i][1] : shapes[i][0];
		double bound = 1 / sqrt((double)fan_in);
		for (size_t j = 0; j < count; j++)
			m->theta[at + j] = bound * (2 * dk_rng_uniform(rng) - 1);
		at += count;
	}
}
