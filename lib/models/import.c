/*
 * import.c -- PyTorch's nn.RNN, nn.GRU and nn.LSTM weights (and an
 * nn.Linear readout) into a dynkit model: find the tensors by their
 * PyTorch names, infer the kind and sizes from their shapes, make the
 * model and overwrite its parameters; and back, a model's parameters
 * under PyTorch's names.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "models/import.h"
#include "models/import_impl.h"
#include "models/model_impl.h"

/* Is name key itself, or does it end in ".key" or "/key"? */
static int has_suffix(const char *name, const char *key)
{
	size_t n = strlen(name), k = strlen(key);
	if (n == k)
		return !strcmp(name, key);
	return n > k && !strcmp(name + n - k, key) &&
	       (name[n - k - 1] == '.' || name[n - k - 1] == '/');
}

long dk_import_find_one(const dk_bundle *b, const char *key, char *err, size_t errlen)
{
	long found = -1;
	for (size_t i = 0; i < dk_bundle_size(b); i++)
		if (has_suffix(dk_bundle_name(b, i), key)) {
			if (found >= 0) {
				dk_errorf(DK_EFORMAT, err, errlen, "ambiguous: both '%s' and '%s' are %s",
				     dk_bundle_name(b, (size_t)found), dk_bundle_name(b, i), key);
				return -2;
			}
			found = (long)i;
		}
	return found;
}

static int contains(const char *s, const char *part) { return strstr(s, part) != NULL; }

/* Is this a recurrent parameter (any layer or direction) of nn.RNN & co? */
static int is_recurrent(const char *name)
{
	return contains(name, "weight_ih_l") || contains(name, "weight_hh_l") ||
	       contains(name, "bias_ih_l") || contains(name, "bias_hh_l") ||
	       contains(name, "weight_hr_l");
}

static int shape_is(const dk_tensor *t, int rank, size_t d0, size_t d1)
{
	return t->rank == rank && t->shape[0] == d0 && (rank < 2 || t->shape[1] == d1);
}

static void shape_text(const dk_tensor *t, char *buf, size_t cap)
{
	dk_shape_format(buf, cap, t->rank, t->shape);
}

int dk_import_put(dk_model *m, const char *param, const dk_tensor *t, int add)
{
	size_t off, count;
	if (dk_model_param_find(m, param, &off, &count) || count != t->count)
		return DK_EINVAL;
	for (size_t i = 0; i < count; i++) {
		double v = dk_tensor_get_real(t, i);
		/* adding a zero keeps the value as it is, -0.0 included, so the
		   zeros dk_export_torch writes give back the bias bit for bit */
		m->theta[off + i] = add ? (v != 0 ? m->theta[off + i] + v : m->theta[off + i]) : v;
	}
	return DK_OK;
}

int dk_import_real(const dk_tensor *t)
{
	return t->dtype == DK_F8 || t->dtype == DK_F4;
}

int dk_import_readout(const dk_bundle *src, const dk_import_spec *spec, size_t n,
                      int (*own)(const char *name), const dk_tensor **rwp,
                      const dk_tensor **rbp, size_t *outputsp, dk_import_info *info,
                      char *err, size_t errlen)
{
	char s1[128];
	const dk_tensor *rw = NULL, *rb = NULL;
	long iw = -1, ib = -1;
	if (spec->readout) {
		char key[300];
		snprintf(key, sizeof key, "%s.weight", spec->readout);
		if ((iw = dk_import_find_one(src, key, err, errlen)) == -2)
			return DK_EFORMAT;
		if (iw < 0)
			return dk_errorf(DK_ENOTFOUND, err, errlen, "missing tensor %s (the readout)", key);
		snprintf(key, sizeof key, "%s.bias", spec->readout);
		if ((ib = dk_import_find_one(src, key, err, errlen)) == -2)
			return DK_EFORMAT;
	} else {
		for (size_t i = 0; i < dk_bundle_size(src); i++) {
			const char *name = dk_bundle_name(src, i);
			size_t l = strlen(name);
			if (own(name) || l < 7 || strcmp(name + l - 7, ".weight"))
				continue;
			if (iw >= 0) {
				info->readout_ambiguous = 1;
				return dk_errorf(DK_EFORMAT, err, errlen,
				            "two readouts? both %s and %s: the readout's prefix "
				            "must be given", dk_bundle_name(src, (size_t)iw), name);
			}
			iw = (long)i;
		}
		if (iw >= 0) {
			const char *wname = dk_bundle_name(src, (size_t)iw);
			char key[300];
			snprintf(key, sizeof key, "%.*sbias", (int)(strlen(wname) - 6), wname);
			ib = dk_bundle_find(src, key);
		}
	}
	size_t outputs = spec->outputs ? spec->outputs : 1;
	if (iw >= 0) {
		rw = dk_bundle_tensor(src, (size_t)iw);
		snprintf(info->readout_weight, sizeof info->readout_weight, "%s",
		         dk_bundle_name(src, (size_t)iw));
		if (!dk_import_real(rw) || rw->rank != 2 || rw->shape[1] != n || !rw->shape[0] ||
		    (spec->outputs && rw->shape[0] != spec->outputs)) {
			shape_text(rw, s1, sizeof s1);
			return dk_errorf(DK_EFORMAT, err, errlen, "%s: shape %s %s, want (outputs, %zu)%s",
			            info->readout_weight, s1, dk_dtype_name(rw->dtype), n,
			            spec->outputs ? " with the outputs asked for" : "");
		}
		outputs = rw->shape[0];
		if (ib >= 0) {
			rb = dk_bundle_tensor(src, (size_t)ib);
			snprintf(info->readout_bias, sizeof info->readout_bias, "%s",
			         dk_bundle_name(src, (size_t)ib));
			if (!dk_import_real(rb) || !shape_is(rb, 1, outputs, 0)) {
				shape_text(rb, s1, sizeof s1);
				return dk_errorf(DK_EFORMAT, err, errlen, "%s: shape %s, want (%zu,)",
				            info->readout_bias, s1, outputs);
			}
		}
	} else {
		info->zero_readout = 1;
	}
	*rwp = rw;
	*rbp = rb;
	*outputsp = outputs;
	return DK_OK;
}

int dk_import_spec_check(const dk_import_spec *spec, char *err, size_t errlen)
{
	const char *kind = spec->kind;
	if (kind && strcmp(kind, "rnn") && strcmp(kind, "gru") && strcmp(kind, "lstm") &&
	    strcmp(kind, "wrnn"))
		return dk_errorf(DK_EINVAL, err, errlen, "unknown model '%s' (PyTorch's "
		                 "are rnn, gru and lstm; and wrnn, the Wave-RNN's "
		                 "authors' cell)", kind);
	if (kind && !strcmp(kind, "wrnn"))
		return spec->act == DK_ACT_DEFAULT || spec->act == DK_ACT_RELU ? DK_OK
		       : dk_errorf(DK_EINVAL, err, errlen, "the wrnn's nonlinearity is relu, "
		                   "not %s", dk_act_name(spec->act));
	dk_act act = spec->act == DK_ACT_DEFAULT ? DK_ACT_TANH : spec->act;
	if (act != DK_ACT_TANH && act != DK_ACT_RELU)
		return dk_errorf(DK_EINVAL, err, errlen, "the nonlinearity %s is not "
		                 "PyTorch's (tanh or relu)", dk_act_name(spec->act));
	if (kind && strcmp(kind, "rnn") && act != DK_ACT_TANH)
		return dk_errorf(DK_EINVAL, err, errlen, "only the rnn's nonlinearity is "
		                 "chosen; %s's are fixed", kind);
	return DK_OK;
}

int dk_import_torch(const dk_bundle *src, const dk_import_spec *spec, dk_model **out,
                    dk_import_info *info, char *err, size_t errlen)
{
	static const char *const keys[4] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
	                                    "bias_hh_l0"};
	dk_import_info local;
	if (!info)
		info = &local;
	memset(info, 0, sizeof *info);
	*out = NULL;
	int st = dk_import_spec_check(spec, err, errlen);
	if (st)
		return st;
	/* the Wave-RNN's cell: asked for, or its Wy where nn.RNN's weights
	   are not */
	if ((spec->kind && !strcmp(spec->kind, "wrnn")) ||
	    (!spec->kind && dk_import_find_one(src, "weight_hh_l0", NULL, 0) == -1 &&
	     dk_import_find_one(src, "Wy.weight", NULL, 0) >= 0))
		return dk_import_wrnn(src, spec, out, info, err, errlen);
	const dk_tensor *t[4] = {NULL};
	for (int k = 0; k < 4; k++) {
		long i = dk_import_find_one(src, keys[k], err, errlen);
		if (i == -2)
			return DK_EFORMAT;
		if (i >= 0) {
			t[k] = dk_bundle_tensor(src, (size_t)i);
			char *dst[4] = {info->weight_ih, info->weight_hh, info->bias_ih, info->bias_hh};
			snprintf(dst[k], sizeof info->weight_ih, "%s", dk_bundle_name(src, (size_t)i));
			if (!dk_import_real(t[k]))
				return dk_errorf(DK_EFORMAT, err, errlen, "%s: dtype %s, want f8 or f4",
				            dk_bundle_name(src, (size_t)i), dk_dtype_name(t[k]->dtype));
		}
	}
	for (size_t i = 0; i < dk_bundle_size(src); i++) {
		const char *name = dk_bundle_name(src, i);
		if (contains(name, "_l1") && is_recurrent(name))
			return dk_errorf(DK_EFORMAT, err, errlen,
			            "%s: only one-layer networks are imported (num_layers=1)", name);
		if (contains(name, "_reverse") && is_recurrent(name))
			return dk_errorf(DK_EFORMAT, err, errlen,
			            "%s: only one-direction networks are imported (bidirectional=False)",
			            name);
		if (contains(name, "weight_hr_l"))
			return dk_errorf(DK_EFORMAT, err, errlen,
			            "%s: LSTMs with projections (proj_size) are not imported", name);
	}
	for (int k = 0; k < 2; k++)
		if (!t[k])
			return dk_errorf(DK_ENOTFOUND, err, errlen, "missing tensor %s (nor any name ending "
			            "in .%s)", keys[k], keys[k]);
	if (!t[2] != !t[3])
		return dk_errorf(DK_ENOTFOUND, err, errlen, "missing tensor %s (%s is there; without "
		            "biases give neither)", t[2] ? keys[3] : keys[2], t[2] ? keys[2] : keys[3]);

	/* the kind and sizes from weight_hh: (G n) x n */
	char s1[128], s2[128];
	const dk_tensor *whh = t[1], *wih = t[0];
	if (whh->rank != 2 || whh->shape[1] == 0 || whh->shape[0] % whh->shape[1]) {
		shape_text(whh, s1, sizeof s1);
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: shape %s is not (G units, units)",
		            info->weight_hh, s1);
	}
	size_t n = whh->shape[1], G = whh->shape[0] / n;
	const char *kind = G == 1 ? "rnn" : G == 3 ? "gru" : G == 4 ? "lstm" : NULL;
	if (spec->kind) {
		size_t want = !strcmp(spec->kind, "rnn") ? 1 : !strcmp(spec->kind, "gru") ? 3
		              : !strcmp(spec->kind, "lstm") ? 4 : 0;
		if (!want)
			return dk_errorf(DK_EINVAL, err, errlen, "unknown model '%s' (rnn, gru, lstm)",
			            spec->kind);
		if (want != G) {
			shape_text(whh, s1, sizeof s1);
			return dk_errorf(DK_EFORMAT, err, errlen,
			            "%s: shape %s is not that of a %s (%zu x units rows)",
			            info->weight_hh, s1, spec->kind, want);
		}
		kind = spec->kind;
	}
	if (!kind) {
		shape_text(whh, s1, sizeof s1);
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "%s: shape %s: %zu x units rows is none of rnn (1), gru (3), lstm (4)",
		            info->weight_hh, s1, G);
	}
	if (wih->rank != 2 || wih->shape[0] != G * n) {
		shape_text(wih, s1, sizeof s1);
		shape_text(whh, s2, sizeof s2);
		return dk_errorf(DK_EFORMAT, err, errlen,
		            "%s: shape %s does not fit %s %s (want (%zu, inputs))", info->weight_ih,
		            s1, info->weight_hh, s2, G * n);
	}
	size_t m = wih->shape[1];
	for (int k = 2; k < 4; k++)
		if (t[k] && !shape_is(t[k], 1, G * n, 0)) {
			shape_text(t[k], s1, sizeof s1);
			return dk_errorf(DK_EFORMAT, err, errlen, "%s: shape %s, want (%zu,)",
			            k == 2 ? info->bias_ih : info->bias_hh, s1, G * n);
		}
	dk_import_spec as_found = *spec;
	as_found.kind = kind;
	st = dk_import_spec_check(&as_found, err, errlen);
	if (st)
		return st;

	/* the readout */
	const dk_tensor *rw = NULL, *rb = NULL;
	size_t outputs;
	if ((st = dk_import_readout(src, spec, n, is_recurrent, &rw, &rb, &outputs, info,
	                            err, errlen)))
		return st;

	dk_model_spec ms = {.kind = kind, .units = n, .inputs = m, .outputs = outputs,
	                    .act = spec->act, .init = "random", .gain = 1, .seed = 1};
	dk_model *model;
	st = dk_model_create(&ms, &model, err, errlen);
	if (st)
		return st;
	memset(model->theta, 0, model->ntheta * sizeof *model->theta);
	if (!strcmp(kind, "rnn")) {
		st = dk_import_put(model, "model/W", whh, 0);
		if (!st) st = dk_import_put(model, "model/V", wih, 0);
		if (!st && t[2]) st = dk_import_put(model, "model/b", t[2], 0);
		if (!st && t[3]) st = dk_import_put(model, "model/b", t[3], 1);
	} else {
		st = dk_import_put(model, "model/weight_ih", wih, 0);
		if (!st) st = dk_import_put(model, "model/weight_hh", whh, 0);
		if (!st && t[2]) st = dk_import_put(model, "model/bias_ih", t[2], 0);
		if (!st && t[3]) st = dk_import_put(model, "model/bias_hh", t[3], 0);
	}
	if (!st && rw) st = dk_import_put(model, "model/readout/W", rw, 0);
	if (!st && rb) st = dk_import_put(model, "model/readout/b", rb, 0);
	if (st) {
		dk_model_free(model);
		return dk_errorf(st, err, errlen, "internal error: the %s model's layout", kind);
	}
	/* the attrs say where the weights came from, not an initialisation */
	snprintf(model->init_name, sizeof model->init_name, "torch");
	*out = model;
	return DK_OK;
}

int dk_export_torch(const dk_model *m, const char *readout, dk_bundle *out, char *err,
                    size_t errlen)
{
	const char *kind = dk_model_kind(m);
	int rnn = !strcmp(kind, "rnn");
	if (!strcmp(kind, "wrnn"))
		return dk_export_wrnn(m, readout, out, err, errlen);
	if (!rnn && strcmp(kind, "gru") && strcmp(kind, "lstm"))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "PyTorch has no module for the %s: only rnn, gru, lstm and "
		                 "wrnn (its authors' cell) are exported", kind);
	if (rnn && m->spec.act != DK_ACT_TANH && m->spec.act != DK_ACT_RELU)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "rnn: act %s: nn.RNN's nonlinearity is tanh or relu",
		                 dk_act_name(m->spec.act));
	if (!readout)
		readout = "readout";
	char rw[300], rb[300];
	snprintf(rw, sizeof rw, "%s.weight", readout);
	snprintf(rb, sizeof rb, "%s.bias", readout);
	/* the model's own tensors have the shapes PyTorch's have: rename */
	const char *const from[6] = {rnn ? "model/V" : "model/weight_ih",
	                             rnn ? "model/W" : "model/weight_hh",
	                             rnn ? "model/b" : "model/bias_ih",
	                             rnn ? "model/b" : "model/bias_hh",
	                             "model/readout/W", "model/readout/b"};
	const char *const to[6] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
	                           rw, rb};
	dk_bundle *mb = dk_bundle_alloc();
	int st = mb ? dk_model_to_bundle(m, mb) : DK_ENOMEM;
	for (int k = 0; k < 6 && !st; k++) {
		const dk_tensor *t = dk_bundle_get(mb, from[k]);
		dk_tensor *c = NULL;
		if (!t) {
			st = dk_errorf(DK_EINVAL, err, errlen, "internal error: no %s in the %s", from[k],
			               kind);
			break;
		}
		if ((st = dk_tensor_convert(t, DK_F8, &c)))
			break;
		if (rnn && k == 3) /* nn.RNN's second bias: the sum is all in the first */
			memset(c->data, 0, dk_tensor_nbytes(c));
		if ((st = dk_bundle_add(out, to[k], NULL, c)))
			break;
	}
	dk_bundle_free(mb);
	if (st == DK_ENOMEM)
		dk_errorf(st, err, errlen, "out of memory");
	return st;
}
