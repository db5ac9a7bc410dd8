/*
 * import_wrnn.c -- the Wave-RNN as its authors' PyTorch code keeps it
 * (Keller et al., ICLR 2024; akandykeller/Wave_RNNs, conv_rnn_model.py):
 * the cell h' = act(Wx x + Wy * h), Wx an nn.Linear(inputs, C n) and Wy
 * an nn.Conv1d(C, C, 3, padding 1, circular) over C rings of n units
 * (h viewed as (C, n), channel-major), and a readout nn.Linear(C n,
 * outputs).  A coRNN's state_dict names them cell.Wx.weight, cell.Wx.bias,
 * cell.Wy.weight, cell.Wy.bias, readout.weight and readout.bias.  They
 * are exactly dynkit's wrnn (wrnn.c): model/V, model/b, model/conv/W,
 * model/conv/b and the readout, with relu, the cell's default (the wrnn's
 * only nonlinearity).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "models/import_impl.h"
#include "models/model_impl.h"

static const char *const keys[4] = {"Wx.weight", "Wx.bias", "Wy.weight", "Wy.bias"};

/* Is name one of the cell's own tensors? */
static int is_cell(const char *name)
{
	for (int k = 0; k < 4; k++) {
		size_t n = strlen(name), l = strlen(keys[k]);
		if (n >= l && !strcmp(name + n - l, keys[k]) &&
		    (n == l || name[n - l - 1] == '.' || name[n - l - 1] == '/'))
			return 1;
	}
	return 0;
}

int dk_import_wrnn(const dk_bundle *src, const dk_import_spec *spec, dk_model **out,
                   dk_import_info *info, char *err, size_t errlen)
{
	const dk_tensor *t[4] = {NULL};
	const char *name[4] = {""};
	for (int k = 0; k < 4; k++) {
		long i = dk_import_find_one(src, keys[k], err, errlen);
		if (i == -2)
			return DK_EFORMAT;
		if (i < 0 && k % 2 == 0)
			return dk_errorf(DK_ENOTFOUND, err, errlen, "missing tensor %s (nor any name "
			                 "ending in .%s): not a Wave-RNN cell", keys[k], keys[k]);
		if (i < 0)
			continue;
		t[k] = dk_bundle_tensor(src, (size_t)i);
		name[k] = dk_bundle_name(src, (size_t)i);
		if (!dk_import_real(t[k]))
			return dk_errorf(DK_EFORMAT, err, errlen, "%s: dtype %s, want f8 or f4",
			                 name[k], dk_dtype_name(t[k]->dtype));
	}
	snprintf(info->weight_ih, sizeof info->weight_ih, "%s", name[0]);
	snprintf(info->bias_ih, sizeof info->bias_ih, "%s", name[1]);
	snprintf(info->weight_hh, sizeof info->weight_hh, "%s", name[2]);
	snprintf(info->bias_hh, sizeof info->bias_hh, "%s", name[3]);
	const dk_tensor *wx = t[0], *wy = t[2];
	char s1[128], s2[128];
	if (wy->rank != 3 || !wy->shape[0] || wy->shape[1] != wy->shape[0] ||
	    wy->shape[2] != 3) {
		dk_shape_format(s1, sizeof s1, wy->rank, wy->shape);
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: shape %s is not (channels, "
		                 "channels, 3): a Conv1d of kernel 3 from C channels to C",
		                 name[2], s1);
	}
	size_t C = wy->shape[0];
	if (wx->rank != 2 || !wx->shape[0] || wx->shape[0] % C) {
		dk_shape_format(s1, sizeof s1, wx->rank, wx->shape);
		dk_shape_format(s2, sizeof s2, wy->rank, wy->shape);
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: shape %s is not (channels x "
		                 "units, inputs) for %s %s", name[0], s1, name[2], s2);
	}
	size_t n = wx->shape[0] / C, inputs = wx->shape[1];
	if ((t[1] && (t[1]->rank != 1 || t[1]->shape[0] != C * n)) ||
	    (t[3] && (t[3]->rank != 1 || t[3]->shape[0] != C))) {
		int k = t[1] && (t[1]->rank != 1 || t[1]->shape[0] != C * n) ? 1 : 3;
		dk_shape_format(s1, sizeof s1, t[k]->rank, t[k]->shape);
		return dk_errorf(DK_EFORMAT, err, errlen, "%s: shape %s, want (%zu,)", name[k],
		                 s1, k == 1 ? C * n : C);
	}
	const dk_tensor *rw, *rb;
	size_t outputs;
	int st = dk_import_readout(src, spec, C * n, is_cell, &rw, &rb, &outputs, info,
	                           err, errlen);
	if (st)
		return st;
	dk_model_spec ms = {.kind = "wrnn", .units = n, .channels = C, .inputs = inputs,
	                    .outputs = outputs, .act = spec->act, .seed = 1};
	dk_model *model;
	if ((st = dk_model_create(&ms, &model, err, errlen)))
		return st;
	memset(model->theta, 0, model->ntheta * sizeof *model->theta);
	st = dk_import_put(model, "model/V", wx, 0);
	if (!st && t[1]) st = dk_import_put(model, "model/b", t[1], 0);
	if (!st) st = dk_import_put(model, "model/conv/W", wy, 0);
	if (!st && t[3]) st = dk_import_put(model, "model/conv/b", t[3], 0);
	if (!st && rw) st = dk_import_put(model, "model/readout/W", rw, 0);
	if (!st && rb) st = dk_import_put(model, "model/readout/b", rb, 0);
	if (st) {
		dk_model_free(model);
		return dk_errorf(st, err, errlen, "internal error: the wrnn's layout");
	}
	snprintf(model->init_name, sizeof model->init_name, "torch");
	*out = model;
	return DK_OK;
}

int dk_export_wrnn(const dk_model *m, const char *readout, dk_bundle *out, char *err,
                   size_t errlen)
{
	if (!readout)
		readout = "readout";
	char rw[300], rb[300];
	snprintf(rw, sizeof rw, "%s.weight", readout);
	snprintf(rb, sizeof rb, "%s.bias", readout);
	const char *const from[6] = {"model/V", "model/b", "model/conv/W", "model/conv/b",
	                             "model/readout/W", "model/readout/b"};
	const char *const to[6] = {"cell.Wx.weight", "cell.Wx.bias", "cell.Wy.weight",
	                           "cell.Wy.bias", rw, rb};
	dk_bundle *mb = dk_bundle_alloc();
	int st = mb ? dk_model_to_bundle(m, mb) : DK_ENOMEM;
	for (int k = 0; k < 6 && !st; k++) {
		const dk_tensor *t = dk_bundle_get(mb, from[k]);
		dk_tensor *c = NULL;
		if (!t) {
			st = dk_errorf(DK_EINVAL, err, errlen, "internal error: no %s in the wrnn",
			               from[k]);
			break;
		}
		if ((st = dk_tensor_convert(t, DK_F8, &c)) ||
		    (st = dk_bundle_add(out, to[k], NULL, c)))
			break;
	}
	dk_bundle_free(mb);
	if (st == DK_ENOMEM)
		dk_errorf(st, err, errlen, "out of memory");
	return st;
}
