/*
 * model.c -- what every model kind shares: the parameter vector and its
 * named views, the readout (linear, or after a maximum over blocks), workspaces, conversion to and from
 * bundles of model/... tensors, and the dense Jacobian built from jvp.
 */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "base/tensor.h"
#include "models/model_impl.h"

struct dk_model_work {
	double *buf;  /* owned: the kind's scratch */
	double *cols; /* owned: 2 n, a unit vector and a column, for the
	                 Jacobian from jvp */
	double *head;  /* owned: the head's scratch, or NULL without one */
	size_t batch;
	void (*close)(double *work); /* the kind's work_close, once opened */
};

static const dk_model_ops *const kinds[] = {&dk_rnn_ops, &dk_wrnn_ops, &dk_gru_ops,
                                             &dk_lstm_ops, &dk_ctrnn_ops, &dk_nwm_ops, &dk_cnn_ops,
                                             &dk_fernn_ops, &dk_grnn_ops,
                                             &dk_multiregion_ops};

const dk_model_ops *dk_model_ops_find(const char *kind)
{
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
		if (!strcmp(kinds[k]->kind, kind))
			return kinds[k];
	return NULL;
}

size_t dk_model_add_param(dk_model *m, const char *name, int rank,
                          const size_t *shape, const char *const *axes)
{
	if (m->nview == DK_MODEL_MAX_PARAMS) { /* a kind's bug: build refuses it */
		m->ntheta = SIZE_MAX;
		return 0;
	}
	dk_param_view *v = &m->view[m->nview++];
	snprintf(v->name, sizeof v->name, "%s", name);
	v->rank = rank;
	v->count = 1;
	for (int k = 0; k < rank; k++) {
		v->shape[k] = shape[k];
		v->axes[k] = axes[k];
		v->count *= shape[k];
	}
	v->offset = m->ntheta;
	/* sizes come from options and attrs: a count that overflows leaves
	   ntheta at SIZE_MAX, which build refuses */
	size_t count;
	if (dk_shape_count(rank, shape, sizeof(double), &count) ||
	    m->ntheta > SIZE_MAX / sizeof(double) - count) {
		m->ntheta = SIZE_MAX;
		v->count = 0;
	} else {
		m->ntheta += v->count;
	}
	return v->offset;
}

/* Lay out the kind's parameters and the readout, and allocate them. */
static int build(const dk_model_spec *spec, dk_model **out, char *err,
                 size_t errlen)
{
	*out = NULL;
	const dk_model_ops *ops = spec->kind ? dk_model_ops_find(spec->kind) : NULL;
	if (!ops)
		return dk_errorf(DK_EINVAL, err, errlen, "unknown model kind '%s'",
		            spec->kind ? spec->kind : "");
	dk_model *m = calloc(1, sizeof *m);
	if (!m)
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	m->ops = ops;
	m->spec = *spec;
	m->spec.kind = ops->kind;
	if (m->spec.act == DK_ACT_DEFAULT) /* a loaded model that names none */
		m->spec.act = ops->act_default ? ops->act_default : DK_ACT_TANH;
	snprintf(m->init_name, sizeof m->init_name, "%s", spec->init ? spec->init : "");
	m->spec.init = m->init_name;
	snprintf(m->integrator_name, sizeof m->integrator_name, "%s",
	         spec->integrator ? spec->integrator : "");
	m->spec.integrator = m->integrator_name;
	snprintf(m->readout_name, sizeof m->readout_name, "%s",
	         spec->readout ? spec->readout : "");
	m->spec.readout = m->readout_name;
	int st = ops->layout(m, err, errlen);
	if (st) {
		free(m);
		return st;
	}
	if (!m->readout_in || m->readout_in > m->n)
		m->readout_in = m->n;
	if (m->readout_pool < 1 || m->readout_pool > m->n / m->readout_in)
		m->readout_pool = 1;
	if (!m->input_size)
		m->input_size = m->spec.inputs;
	size_t wshape[2] = {spec->outputs, m->readout_in}, bshape[1] = {spec->outputs};
	static const char *const waxes[2] = {"output", "unit"}, *const baxes[1] = {"output"};
	m->readout_w = dk_model_add_param(m, "model/readout/W", 2, wshape, waxes);
	m->readout_b = dk_model_add_param(m, "model/readout/b", 1, bshape, baxes);
	if (m->ntheta == SIZE_MAX) {
		free(m);
		return dk_errorf(DK_ELIMIT, err, errlen, "%s: the count of parameters of %zu "
		                 "units, %zu inputs and %zu outputs overflows", ops->kind,
		                 spec->units, spec->inputs, spec->outputs);
	}
	m->theta = calloc(m->ntheta ? m->ntheta : 1, sizeof *m->theta);
	if (!m->theta) {
		size_t count = m->ntheta;
		free(m);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory for %zu parameters", count);
	}
	*out = m;
	return DK_OK;
}

/* The kind's defaults into s, and the checks that need the kind. */
static int resolve_spec(const dk_model_ops *ops, dk_model_spec *s, char *err,
                        size_t errlen)
{
	dk_act own = ops->act_default ? ops->act_default : DK_ACT_TANH;
	if (s->act == DK_ACT_DEFAULT)
		s->act = own;
	if (s->act < DK_ACT_TANH || s->act > DK_ACT_IDENTITY)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no such nonlinearity",
		                 ops->kind);
	if (ops->act_fixed && s->act != own)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: the nonlinearity is "
		                 "fixed (%s), not %s", ops->kind,
		                 dk_act_name(own), dk_act_name(s->act));
	if (!s->init || !*s->init)
		s->init = ops->init_default ? ops->init_default : "random";
	if (ops->has_channels && !s->channels)
		s->channels = 1;
	if (!ops->has_channels && s->channels)
		return dk_errorf(DK_EINVAL, err, errlen, "%s has no channels; only the "
		                 "wrnn, fernn, grnn, nwm and cnn have", ops->kind);
	if (!ops->has_sheet && (s->height || s->width))
		return dk_errorf(DK_EINVAL, err, errlen, "height and width (a sheet) "
		                 "apply only to the nwm, cnn, fernn and grnn, not %s", ops->kind);
	if ((ops->has_sheet == DK_SHEET_REQUIRED && (!s->height || !s->width)) ||
	    (ops->has_sheet == DK_SHEET_OPTIONAL && !s->height != !s->width))
		return dk_errorf(DK_EINVAL, err, errlen, "%s: the sheet's height and "
		                 "width must be at least 1", ops->kind);
	if (!ops->has_hidden && s->hidden)
		return dk_errorf(DK_EINVAL, err, errlen, "hidden (the width of the "
		                 "encoders' layers) applies only to the nwm, not %s", ops->kind);
	if (!ops->has_layers && s->layers)
		return dk_errorf(DK_EINVAL, err, errlen, "layers apply only to the "
		                 "cnn, not %s", ops->kind);
	if (!ops->has_velocities && s->velocities)
		return dk_errorf(DK_EINVAL, err, errlen, "velocities apply only to the "
		                 "fernn, not %s", ops->kind);
	if (ops->has_velocities && !s->velocities)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: velocities must be at "
		                 "least 1", ops->kind);
	if (!ops->has_regions && (s->regions || s->a || s->b || s->signs || s->gains ||
	                          s->disorder))
		return dk_errorf(DK_EINVAL, err, errlen, "regions, the couplings a, "
		                 "b, signs and the gains apply only to the multiregion kind, not %s",
		                 ops->kind);
	if (ops->has_regions && !s->regions)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: regions must be at "
		                 "least 1", ops->kind);
	if (!ops->has_head && (s->classes || s->steps || (s->readout && *s->readout)))
		return dk_errorf(DK_EINVAL, err, errlen, "classes, steps and readout (a head "
		                 "over time) apply only to the nwm and cnn, not %s", ops->kind);
	if (!isfinite(s->gain))
		return dk_errorf(DK_EINVAL, err, errlen, "%s: the gain is not a finite "
		                 "number", ops->kind);
	if (!ops->field) {
		const char *field = s->dt != 0 ? "dt" : s->tau != 0 ? "tau"
		                    : s->integrator && *s->integrator ? "integrator"
		                    : s->rank ? "rank" : NULL;
		if (field && !strcmp(field, "dt"))
			return dk_errorf(DK_EINVAL, err, errlen, "dt applies only to "
			                 "continuous-time models (ctrnn, nwm, multiregion), "
			                 "not %s", ops->kind);
		if (field)
			return dk_errorf(DK_EINVAL, err, errlen, "%s applies only to "
			                 "the ctrnn, not %s", field, ops->kind);
	} else if (ops->dt_only) {
		const char *field = s->tau != 0 ? "tau"
		                    : s->integrator && *s->integrator ? "integrator"
		                    : s->rank ? "rank" : NULL;
		if (field)
			return dk_errorf(DK_EINVAL, err, errlen, "%s applies only to "
			                 "the ctrnn, not %s", field, ops->kind);
	}
	return DK_OK;
}

int dk_model_create(const dk_model_spec *spec, dk_model **out, char *err,
                    size_t errlen)
{
	dk_model *m;
	dk_model_spec s = *spec;
	const dk_model_ops *ops = s.kind ? dk_model_ops_find(s.kind) : NULL;
	int st = ops ? resolve_spec(ops, &s, err, errlen) : DK_OK;
	if (st)
		return st;
	spec = &s;
	st = build(spec, &m, err, errlen);
	if (st)
		return st;
	dk_rng *rng = dk_rng_alloc(spec->seed);
	if (!rng) {
		dk_model_free(m);
		return dk_errorf(DK_ENOMEM, err, errlen, "out of memory");
	}
	st = m->ops->init(m, rng, err, errlen);
	/* the readout starts small and random, as nn.Linear's does */
	if (!st) {
		size_t k = m->readout_in;
		double scale = 1 / sqrt((double)(k ? k : 1));
		for (size_t i = 0; i < spec->outputs * k; i++)
			m->theta[m->readout_w + i] = scale * (2 * dk_rng_uniform(rng) - 1);
	}
	dk_rng_free(rng);
	if (st) {
		dk_model_free(m);
		return st;
	}
	*out = m;
	return DK_OK;
}

void dk_model_free(dk_model *m)
{
	if (!m)
		return;
	free(m->theta);
	free(m);
}

const char *dk_model_kind(const dk_model *m) { return m->ops->kind; }
const dk_model_spec *dk_model_spec_of(const dk_model *m) { return &m->spec; }

int dk_model_check_inputs(const dk_model *m, size_t nu, char *err,
                          size_t errlen)
{
	if (nu != m->input_size)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%zu values; the model takes %zu inputs", nu,
		                 m->input_size);
	return DK_OK;
}
size_t dk_model_state_size(const dk_model *m) { return m->n; }
size_t dk_model_input_size(const dk_model *m) { return m->input_size; }
size_t dk_model_output_size(const dk_model *m) { return m->spec.outputs; }
size_t dk_model_readout_input_size(const dk_model *m) { return m->readout_in; }
size_t dk_model_readout_pool(const dk_model *m) { return m->readout_pool; }
double *dk_model_params(dk_model *m) { return m->theta; }

int dk_model_layout(const dk_model *m, dk_layout *out)
{
	*out = (dk_layout){0};
	if (!m->ops->spatial)
		return 0;
	m->ops->spatial(m, out);
	return out->rank > 0;
}
size_t dk_model_param_count(const dk_model *m) { return m->ntheta; }
size_t dk_model_cache_size(const dk_model *m) { return m->ops->cache_size(m); }

int dk_model_cache_is_state(const dk_model *m)
{
	return m->ops->cache_is_state && m->ops->cache_is_state(m);
}

int dk_model_param_find(const dk_model *m, const char *name, size_t *offset,
                        size_t *count)
{
	for (size_t k = 0; k < m->nview; k++)
		if (!strcmp(m->view[k].name, name)) {
			*offset = m->view[k].offset;
			*count = m->view[k].count;
			return DK_OK;
		}
	return DK_ENOTFOUND;
}

/* ---- bundles ---- */

static json_t *model_attrs(const dk_model *m)
{
	const dk_model_spec *s = &m->spec;
	json_t *a = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:f, s:I}",
	                      "kind", m->ops->kind, "state_size", (json_int_t)m->n,
	                      "units", (json_int_t)s->units, "channels", (json_int_t)s->channels,
	                      "inputs", (json_int_t)s->inputs, "outputs", (json_int_t)s->outputs,
	                      "act", dk_act_name(s->act), "init", s->init, "gain", s->gain,
	                      "seed", (json_int_t)s->seed);
	/* an imported model was made by no initialisation of ours: a gain and
	   a seed would only mislead */
	if (a && s->init && !strcmp(s->init, "torch")) {
		json_object_del(a, "gain");
		json_object_del(a, "seed");
	}
	/* the sheet and the continuous-time settings, only for the models
	   that have them */
	if (a && m->ops->has_sheet && s->height) {
		json_t *c = json_pack("{s:I, s:I}", "height", (json_int_t)s->height,
		                      "width", (json_int_t)s->width);
		if (!c || json_object_update(a, c)) {
			json_decref(a);
			a = NULL;
		}
		json_decref(c);
	}
	if (a && m->ops->has_hidden &&
	    json_object_set_new(a, "hidden", json_integer((json_int_t)s->hidden))) {
		json_decref(a);
		a = NULL;
	}
	if (a && m->ops->has_layers &&
	    json_object_set_new(a, "layers", json_integer((json_int_t)s->layers))) {
		json_decref(a);
		a = NULL;
	}
	if (a && m->ops->has_velocities &&
	    json_object_set_new(a, "velocities", json_integer((json_int_t)s->velocities))) {
		json_decref(a);
		a = NULL;
	}
	if (a && m->ops->has_regions &&
	    (json_object_set_new(a, "regions", json_integer((json_int_t)s->regions)) ||
	     json_object_set_new(a, "disorder", json_boolean(s->disorder)))) {
		json_decref(a);
		a = NULL;
	}
	if (a && m->head.steps &&
	    (json_object_set_new(a, "classes", json_integer((json_int_t)s->classes)) ||
	     json_object_set_new(a, "steps", json_integer((json_int_t)s->steps)) ||
	     json_object_set_new(a, "readout", json_string(s->readout)))) {
		json_decref(a);
		a = NULL;
	}
	if (a && m->ops->dt_only) {
		if (json_object_set_new(a, "dt", json_real(s->dt))) {
			json_decref(a);
			a = NULL;
		}
	} else if (a && m->ops->field) {
		json_t *c = json_pack("{s:f, s:f, s:s, s:I}", "dt", s->dt, "tau", s->tau,
		                      "integrator", s->integrator, "rank", (json_int_t)s->rank);
		if (!c || json_object_update(a, c)) {
			json_decref(a);
			a = NULL;
		}
		json_decref(c);
	}
	return a;
}

int dk_model_to_bundle(const dk_model *m, dk_bundle *b)
{
	for (size_t k = 0; k < m->nview; k++) {
		const dk_param_view *v = &m->view[k];
		dk_tensor *t = dk_tensor_alloc(DK_F8, 0, v->rank, v->shape);
		dk_meta *meta = dk_meta_new(v->name);
		json_t *attrs = model_attrs(m);
		int st = t && meta && attrs ? DK_OK : DK_ENOMEM;
		if (!st)
			st = dk_meta_set_axes(meta, v->axes, (size_t)v->rank);
		if (!st) {
			st = dk_meta_set_attr(meta, "model", attrs);
			attrs = NULL;
		}
		json_decref(attrs);
		if (st) {
			dk_tensor_free(t);
			dk_meta_free(meta);
			return st;
		}
		memcpy(t->data, m->theta + v->offset, v->count * sizeof(double));
		if ((st = dk_bundle_add(b, v->name, meta, t)))
			return st;
	}
	return DK_OK;
}

static size_t attr_size(json_t *attrs, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(attrs, key));
	return v > 0 ? (size_t)v : 0;
}

/*
 * A continuous-time setting (dt, tau) from the attrs: absent is 0, which
 * the kind takes as its default; present, it must be a positive finite
 * number, since a 0 written by hand would otherwise silently become the
 * default.
 */
static int attr_time(json_t *attrs, const char *key, double *v, char *err,
                     size_t errlen)
{
	json_t *j = json_object_get(attrs, key);
	*v = j ? json_number_value(j) : 0;
	if (j && !(json_is_number(j) && *v > 0 && isfinite(*v)))
		return dk_errorf(DK_EFORMAT, err, errlen, "model attrs: %s must be a "
		                 "positive number", key);
	return DK_OK;
}

int dk_model_from_bundle(const dk_bundle *b, dk_model **out, char *err,
                         size_t errlen)
{
	*out = NULL;
	long first = dk_bundle_match(b, "model/*", 0);
	if (first < 0)
		return dk_errorf(DK_ENOTFOUND, err, errlen, "no model/... tensors in the input");
	json_t *attrs = json_object_get(dk_meta_attrs(dk_bundle_meta(b, (size_t)first)), "model");
	const char *kind = json_string_value(json_object_get(attrs, "kind"));
	if (!kind)
		return dk_errorf(DK_EFORMAT, err, errlen, "%s has no model attrs with a kind",
		            dk_bundle_name(b, (size_t)first));
	dk_model_spec spec = {
		.kind = kind,
		.units = attr_size(attrs, "units"),
		.channels = attr_size(attrs, "channels"),
		.height = attr_size(attrs, "height"),
		.width = attr_size(attrs, "width"),
		.velocities = attr_size(attrs, "velocities"),
		.hidden = attr_size(attrs, "hidden"),
		.layers = attr_size(attrs, "layers"),
		.inputs = attr_size(attrs, "inputs"),
		.outputs = attr_size(attrs, "outputs"),
		.init = json_string_value(json_object_get(attrs, "init")),
		.gain = json_number_value(json_object_get(attrs, "gain")),
		.seed = (uint64_t)json_integer_value(json_object_get(attrs, "seed")),
		.integrator = json_string_value(json_object_get(attrs, "integrator")),
		.rank = attr_size(attrs, "rank"),
		.regions = attr_size(attrs, "regions"),
		.disorder = json_is_true(json_object_get(attrs, "disorder")),
		.classes = attr_size(attrs, "classes"),
		.steps = attr_size(attrs, "steps"),
		.readout = json_string_value(json_object_get(attrs, "readout")),
	};
	int st;
	if ((st = attr_time(attrs, "dt", &spec.dt, err, errlen)) ||
	    (st = attr_time(attrs, "tau", &spec.tau, err, errlen)))
		return st;
	const char *act = json_string_value(json_object_get(attrs, "act"));
	if (act && dk_act_from_name(act, &spec.act))
		return dk_errorf(DK_EFORMAT, err, errlen, "unknown nonlinearity '%s'", act);
	dk_model *m;
	st = build(&spec, &m, err, errlen);
	if (st)
		return st;
	for (size_t k = 0; k < m->nview; k++) {
		const dk_param_view *v = &m->view[k];
		dk_tensor *t = dk_bundle_get(b, v->name), *f8 = NULL;
		int shape_ok = t && t->rank == v->rank;
		for (int a = 0; shape_ok && a < v->rank; a++)
			shape_ok = t->shape[a] == v->shape[a];
		/* the message first: v lives in m */
		if (!shape_ok) {
			char want[128];
			dk_shape_format(want, sizeof want, v->rank, v->shape);
			st = dk_errorf(DK_EFORMAT, err, errlen, "%s: %s, want shape %s for this %s model",
			               v->name, t ? "wrong shape" : "missing", want, kind);
			dk_model_free(m);
			return st;
		}
		if (t->dtype == DK_C16) { /* a conversion would drop the imaginary part */
			st = dk_errorf(DK_EFORMAT, err, errlen, "%s: complex values; a model's "
			               "parameters are real", v->name);
			dk_model_free(m);
			return st;
		}
		if (t->dtype != DK_F8 &&
		    (st = dk_tensor_convert_named(t, DK_F8, &f8, v->name, err, errlen))) {
			dk_model_free(m);
			return st;
		}
		memcpy(m->theta + v->offset, (f8 ? f8 : t)->data, v->count * sizeof(double));
		dk_tensor_free(f8);
		/* a NaN or an infinity would pass through every analysis and
		   come out as results that look like any others */
		for (size_t i = 0; i < v->count; i++) {
			double x = m->theta[v->offset + i];
			if (!isfinite(x)) {
				st = dk_errorf(DK_EFORMAT, err, errlen, "%s: element %zu is %g; a "
				               "model's parameters are finite", v->name, i, x);
				dk_model_free(m);
				return st;
			}
		}
	}
	*out = m;
	return DK_OK;
}

/* ---- computing ---- */

dk_model_work *dk_model_work_alloc(const dk_model *m, size_t batch)
{
	/* the kinds' work grows no faster than batch times that of one
	   state, so a batch whose product with it fits cannot wrap */
	size_t one = m->ops->work_size(m, 1) + 2 * m->n + 1, shape[2] = {batch, one}, count;
	if (dk_shape_count(2, shape, sizeof(double), &count))
		return NULL;
	dk_model_work *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	size_t need = m->ops->work_size(m, batch ? batch : 1);
	w->buf = malloc((need ? need : 1) * sizeof(double));
	w->cols = malloc((2 * m->n + 1) * sizeof(double));
	w->batch = batch;
	if (m->head.steps) {
		w->head = malloc(dk_pixel_head_work_size(&m->head) * sizeof(double));
		if (w->head)
			dk_pixel_head_work_init(&m->head, w->head);
	}
	if (!w->buf || !w->cols || (m->head.steps && !w->head)) {
		dk_model_work_free(w);
		return NULL;
	}
	if (m->ops->work_open) {
		if (m->ops->work_open(m, w->buf, batch ? batch : 1)) {
			dk_model_work_free(w);
			return NULL;
		}
		w->close = m->ops->work_close;
	}
	return w;
}

void dk_model_work_free(dk_model_work *w)
{
	if (!w)
		return;
	if (w->close)
		w->close(w->buf);
	free(w->buf);
	free(w->cols);
	free(w->head);
	free(w);
}

int dk_model_step(const dk_model *m, dk_model_work *w, size_t B,
                  const double *x, const double *u, double *xn,
                  double *cache)
{
	if (B > w->batch)
		return DK_EINVAL;
	return m->ops->step(m, w->buf, B, x, u, xn, cache);
}

int dk_model_jvp(const dk_model *m, dk_model_work *w, size_t B,
                 const double *x, const double *u, const double *cache,
                 const double *dx, double *dxn)
{
	if (B > w->batch)
		return DK_EINVAL;
	return m->ops->jvp(m, w->buf, B, x, u, cache, dx, dxn);
}

int dk_model_vjp(const dk_model *m, dk_model_work *w, size_t B,
                 const double *x, const double *u, const double *cache,
                 const double *gxn, double *gx, double *gu, double *gparams)
{
	if (B > w->batch)
		return DK_EINVAL;
	return m->ops->vjp(m, w->buf, B, x, u, cache, gxn, gx, gu, gparams);
}

int dk_model_sequence_begin(const dk_model *m, dk_model_work *w)
{
	if (m->ops->sequence_begin)
		m->ops->sequence_begin(m, w->buf);
	return DK_OK;
}

int dk_model_sequence_end(const dk_model *m, dk_model_work *w, double *gparams)
{
	if (m->ops->sequence_end)
		m->ops->sequence_end(m, w->buf, gparams);
	return DK_OK;
}

int dk_model_has_start(const dk_model *m)
{
	return m->ops->start != NULL;
}

size_t dk_model_start_cache_size(const dk_model *m)
{
	return m->ops->start ? m->ops->start_cache_size(m) : 0;
}

int dk_model_start(const dk_model *m, dk_model_work *w, size_t B,
                   const double *u, double *x0, double *cache)
{
	if (B > w->batch)
		return DK_EINVAL;
	if (!m->ops->start) {
		memset(x0, 0, B * m->n * sizeof *x0);
		return DK_OK;
	}
	return m->ops->start(m, w->buf, B, u, x0, cache);
}

int dk_model_start_vjp(const dk_model *m, dk_model_work *w, size_t B,
                       const double *u, const double *cache, const double *gx0,
                       double *gu, double *gparams)
{
	if (B > w->batch)
		return DK_EINVAL;
	if (!m->ops->start) {
		if (gu)
			memset(gu, 0, B * m->input_size * sizeof *gu);
		return DK_OK;
	}
	return m->ops->start_vjp(m, w->buf, B, u, cache, gx0, gu, gparams);
}

int dk_model_is_continuous(const dk_model *m)
{
	return m->ops->field != NULL;
}

double dk_model_step_time(const dk_model *m)
{
	return m->ops->field ? m->spec.dt : 1.0;
}

int dk_model_field(const dk_model *m, dk_model_work *w, size_t B,
                   const double *x, const double *u, double *f)
{
	if (!m->ops->field || B > w->batch)
		return DK_EINVAL;
	return m->ops->field(m, w->buf, B, x, u, f);
}

int dk_model_field_jvp(const dk_model *m, dk_model_work *w, size_t B,
                       const double *x, const double *u, const double *dx,
                       double *df)
{
	if (!m->ops->field_jvp || B > w->batch)
		return DK_EINVAL;
	return m->ops->field_jvp(m, w->buf, B, x, u, dx, df);
}

int dk_model_field_vjp(const dk_model *m, dk_model_work *w, size_t B,
                       const double *x, const double *u, const double *gf,
                       double *gx)
{
	if (!m->ops->field_vjp || B > w->batch)
		return DK_EINVAL;
	return m->ops->field_vjp(m, w->buf, B, x, u, gf, gx);
}

int dk_model_jacobian(const dk_model *m, dk_model_work *w, const double *x,
                      const double *u, double *J)
{
	if (w->batch < 1)
		return DK_EINVAL;
	if (m->ops->jacobian)
		return m->ops->jacobian(m, w->buf, x, u, J);
	/* column j is J e_j: one jvp per unit vector */
	size_t n = m->n;
	double *e = w->cols, *col = w->cols + n;
	memset(e, 0, n * sizeof *e);
	for (size_t j = 0; j < n; j++) {
		e[j] = 1;
		int st = m->ops->jvp(m, w->buf, 1, x, u, NULL, e, col);
		e[j] = 0;
		if (st)
			return st;
		for (size_t i = 0; i < n; i++)
			J[i * n + j] = col[i];
	}
	return DK_OK;
}

size_t dk_model_head_steps(const dk_model *m) { return m->head.steps; }
size_t dk_model_head_pixels(const dk_model *m) { return m->head.pixels; }
size_t dk_model_head_classes(const dk_model *m) { return m->head.classes; }

int dk_model_head(const dk_model *m, dk_model_work *w, size_t B,
                  const double *states, double *logits)
{
	if (!m->head.steps || !w->head || B > w->batch)
		return DK_EINVAL;
	dk_pixel_head_forward(&m->head, m->theta + m->head_params, w->head, B, states,
	                      logits);
	return DK_OK;
}

int dk_model_head_vjp(const dk_model *m, dk_model_work *w, size_t B,
                      const double *states, const double *glogits,
                      double *gstates, double *gparams)
{
	if (!m->head.steps || !w->head || B > w->batch)
		return DK_EINVAL;
	dk_pixel_head_vjp(&m->head, m->theta + m->head_params, w->head, B, states,
	                  glogits, gstates, gparams + m->head_params);
	return DK_OK;
}

/* Entry e of the pooled row x: its maximum over the S blocks of k, and
   the first block that holds it. */
static double pooled(const double *x, size_t S, size_t k, size_t e, size_t *at)
{
	double best = x[e];
	*at = 0;
	for (size_t a = 1; a < S; a++)
		if (x[a * k + e] > best) {
			best = x[a * k + e];
			*at = a;
		}
	return best;
}

/* Entries of z pooled at a time in the forward readout: a buffer on the
   stack, and an outputs x POOL_CHUNK product OpenBLAS runs in the
   calling thread for up to 72 outputs (below its threading threshold of
   9216 elements), so the bits do not depend on its thread count there. */
#define POOL_CHUNK 128

/* y += W_out z, z the maximum over the S blocks, POOL_CHUNK entries of a
   row at a time (the readout has no workspace to hold z). */
static void readout_pooled(const dk_model *m, size_t B, const double *x, double *y)
{
	size_t o = m->spec.outputs, n = m->n, k = m->readout_in, S = m->readout_pool, at;
	const double *W = m->theta + m->readout_w;
	double z[POOL_CHUNK];
	for (size_t b = 0; b < B; b++)
		for (size_t e0 = 0; e0 < k; e0 += POOL_CHUNK) {
			size_t len = k - e0 < POOL_CHUNK ? k - e0 : POOL_CHUNK;
			for (size_t e = 0; e < len; e++)
				z[e] = pooled(x + b * n, S, k, e0 + e, &at);
			cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)o, (int)len, 1.0,
			            W + e0, (int)k, z, 1, 1.0, y + b * o, 1);
		}
}

/* The readout reads the first k of the n entries of each state row. */
int dk_model_readout(const dk_model *m, size_t B, const double *x, double *y)
{
	size_t o = m->spec.outputs, n = m->n, k = m->readout_in;
	for (size_t b = 0; b < B; b++)
		memcpy(y + b * o, m->theta + m->readout_b, o * sizeof *y);
	if (m->readout_pool > 1) {
		readout_pooled(m, B, x, y);
		return DK_OK;
	}
	if (B && o && k)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)o,
		            (int)k, 1.0, x, (int)n, m->theta + m->readout_w, (int)k,
		            1.0, y, (int)o);
	return DK_OK;
}

/*
 * The adjoint of readout_pooled: each entry's gradient to the block
 * holding its maximum.  gx's rows serve as scratch first (S >= 2 blocks
 * of k, so a row holds 2 k): z in [0, k), for gW_out += gy^T z (o x B)(B
 * x k), then gz = gy W_out (B x o)(o x k) in [k, 2 k); the scatter of
 * entry e reads gz[e] before it writes the S slots of e.
 */
static void readout_pooled_vjp(const dk_model *m, size_t B, const double *x,
                               const double *gy, double *gx, double *gparams)
{
	size_t o = m->spec.outputs, n = m->n, k = m->readout_in, S = m->readout_pool, at;
	const double *W = m->theta + m->readout_w;
	int oi = (int)o, ki = (int)k, ni = (int)n, Bi = (int)B;
	if (gparams) {
		for (size_t b = 0; b < B; b++)
			for (size_t e = 0; e < k; e++)
				gx[b * n + e] = pooled(x + b * n, S, k, e, &at);
		if (o)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, oi, ki, Bi, 1.0,
			            gy, oi, gx, ni, 1.0, gparams + m->readout_w, ki);
		for (size_t b = 0; b < B; b++)
			for (size_t j = 0; j < o; j++)
				gparams[m->readout_b + j] += gy[b * o + j];
	}
	if (o)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Bi, ki, oi, 1.0,
		            gy, oi, W, ki, 0.0, gx + k, ni);
	else
		for (size_t b = 0; b < B; b++)
			memset(gx + b * n + k, 0, k * sizeof *gx);
	for (size_t b = 0; b < B; b++) {
		double *g = gx + b * n;
		for (size_t e = 0; e < k; e++) {
			double ge = g[k + e];
			pooled(x + b * n, S, k, e, &at);
			for (size_t a = 0; a < S; a++)
				g[a * k + e] = a == at ? ge : 0;
		}
	}
}

int dk_model_readout_vjp(const dk_model *m, size_t B, const double *x,
                         const double *gy, double *gx, double *gparams)
{
	size_t o = m->spec.outputs, n = m->n, k = m->readout_in;
	if (!B || !n)
		return DK_OK;
	if (m->readout_pool > 1) {
		readout_pooled_vjp(m, B, x, gy, gx, gparams);
		return DK_OK;
	}
	/* gx[:, :k] = gy W_out: (B x o)(o x k); the entries past k are unread */
	if (o && k)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)k,
		            (int)o, 1.0, gy, (int)o, m->theta + m->readout_w, (int)k,
		            0.0, gx, (int)n);
	else
		for (size_t b = 0; b < B; b++)
			memset(gx + b * n, 0, k * sizeof *gx);
	for (size_t b = 0; k < n && b < B; b++)
		memset(gx + b * n + k, 0, (n - k) * sizeof *gx);
	if (gparams && o) {
		/* gW_out += gy^T x[:, :k]: (o x B)(B x k); gb_out += column sums of gy */
		if (k)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)o, (int)k,
			            (int)B, 1.0, gy, (int)o, x, (int)n, 1.0,
			            gparams + m->readout_w, (int)k);
		for (size_t b = 0; b < B; b++)
			for (size_t j = 0; j < o; j++)
				gparams[m->readout_b + j] += gy[b * o + j];
	}
	return DK_OK;
}

unsigned dk_model_actions_of(const dk_model *m, dk_model_actions *out)
{
	*out = (dk_model_actions){0};
	if (dk_model_layout(m, &out->medium))
		out->groups |= DK_MODEL_ACTS_SHIFT;
	if (m->ops->actions)
		out->groups |= m->ops->actions(m);
	if (out->groups & DK_MODEL_ACTS_FLOW)
		out->velocities = m->spec.velocities;
	return out->groups;
}

const char *dk_model_action_name(unsigned act)
{
	switch (act) {
	case DK_MODEL_ACTS_SHIFT: return "shift";
	case DK_MODEL_ACTS_FLOW: return "flow";
	case DK_MODEL_ACTS_SIGN: return "sign";
	case DK_MODEL_ACTS_PERM: return "perm";
	default: return NULL;
	}
}

void dk_model_action_names(unsigned groups, char *buf, size_t cap)
{
	size_t len = 0;
	if (cap)
		buf[0] = '\0';
	for (unsigned bit = 1; bit <= DK_MODEL_ACTS_PERM; bit <<= 1)
		if ((groups & bit) && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s",
			                        len ? ", " : "", dk_model_action_name(bit));
	if (!groups && cap)
		snprintf(buf, cap, "none");
}

void dk_model_act_apply(const size_t *perm, double sign, size_t B, size_t k,
                        const double *in, double *out)
{
	for (size_t b = 0; b < B; b++)
		for (size_t i = 0; i < k; i++)
			out[b * k + i] = sign * in[b * k + (perm ? perm[i] : i)];
}

unsigned dk_model_unit_actions(const dk_model *m)
{
	dk_act a = m->spec.act;
	int odd = a == DK_ACT_TANH || a == DK_ACT_ERF || a == DK_ACT_IDENTITY;
	return DK_MODEL_ACTS_PERM | (odd ? DK_MODEL_ACTS_SIGN : 0);
}
