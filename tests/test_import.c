/*
 * test_import.c -- PyTorch-named tensors into models: the kind from the
 * shapes, suffix matching with module prefixes and its ambiguity, the
 * rnn's mapping (W = weight_hh, V = weight_ih, b = bias_ih + bias_hh),
 * gru/lstm tensors copied as they are, the readout found, named or made
 * zero, and the errors for missing tensors and shapes that disagree.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static dk_tensor *filled(int rank, size_t d0, size_t d1, double base)
{
	size_t shape[2] = {d0, d1};
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, rank, shape);
	for (size_t i = 0; i < t->count; i++)
		((double *)t->data)[i] = base + 0.001 * (double)i;
	return t;
}

/* nn.RNN/GRU/LSTM's four tensors (G gates, n units, m inputs) under prefix. */
static dk_bundle *torch_bundle(const char *prefix, size_t G, size_t n, size_t m)
{
	dk_bundle *b = dk_bundle_alloc();
	char name[128];
	snprintf(name, sizeof name, "%sweight_ih_l0", prefix);
	dk_bundle_add(b, name, NULL, filled(2, G * n, m, 1));
	snprintf(name, sizeof name, "%sweight_hh_l0", prefix);
	dk_bundle_add(b, name, NULL, filled(2, G * n, n, 2));
	snprintf(name, sizeof name, "%sbias_ih_l0", prefix);
	dk_bundle_add(b, name, NULL, filled(1, G * n, 0, 3));
	snprintf(name, sizeof name, "%sbias_hh_l0", prefix);
	dk_bundle_add(b, name, NULL, filled(1, G * n, 0, 4));
	return b;
}

static const double *param(dk_model *m, const char *name, size_t *count)
{
	size_t off;
	if (dk_model_param_find(m, name, &off, count))
		return NULL;
	return dk_model_params(m) + off;
}

int main(void)
{
	dk_import_spec spec = {.act = DK_ACT_TANH};
	dk_model *m;
	dk_import_info info;
	char err[512];
	static const char *const kinds[3] = {"rnn", "gru", "lstm"};
	static const size_t gates[3] = {1, 3, 4};
	for (int k = 0; k < 3; k++) {
		dk_bundle *b = torch_bundle("net.", gates[k], 5, 3);
		int st = dk_import_torch(b, &spec, &m, &info, err, sizeof err);
		is_int(st, DK_OK, "%s: imported (%s)", kinds[k], st ? err : "");
		if (st) {
			dk_bundle_free(b);
			continue;
		}
		is_str(dk_model_kind(m), kinds[k], "%s: the kind from the shapes", kinds[k]);
		is_int(dk_model_input_size(m), 3, "%s: 3 inputs", kinds[k]);
		is_int(dk_model_output_size(m), 1, "%s: a readout of 1 output", kinds[k]);
		ok(info.zero_readout, "%s: the readout is zero, and info says so", kinds[k]);
		is_str(info.weight_ih, "net.weight_ih_l0", "%s: found through its prefix", kinds[k]);
		size_t c;
		const double *ro = param(m, "model/readout/W", &c);
		int zero = 1;
		for (size_t i = 0; i < c; i++)
			zero &= ro[i] == 0;
		ok(zero && c == 5, "%s: readout weights all zero", kinds[k]);
		if (k == 0) {
			const double *W = param(m, "model/W", &c), *V, *bb;
			const dk_tensor *whh = dk_bundle_get(b, "net.weight_hh_l0");
			ok(c == 25 && !memcmp(W, whh->data, 25 * sizeof *W), "rnn: W = weight_hh");
			V = param(m, "model/V", &c);
			ok(c == 15 && !memcmp(V, dk_bundle_get(b, "net.weight_ih_l0")->data, 15 * sizeof *V),
			   "rnn: V = weight_ih");
			bb = param(m, "model/b", &c);
			const double *bi = dk_bundle_get(b, "net.bias_ih_l0")->data;
			const double *bh = dk_bundle_get(b, "net.bias_hh_l0")->data;
			int sum = c == 5;
			for (size_t i = 0; sum && i < 5; i++)
				sum = bb[i] == bi[i] + bh[i];
			ok(sum, "rnn: b = bias_ih + bias_hh");
		} else {
			static const char *const ps[4] = {"model/weight_ih", "model/weight_hh",
			                                  "model/bias_ih", "model/bias_hh"};
			static const char *const ts[4] = {"net.weight_ih_l0", "net.weight_hh_l0",
			                                  "net.bias_ih_l0", "net.bias_hh_l0"};
			int same = 1;
			for (int j = 0; j < 4; j++) {
				const double *p = param(m, ps[j], &c);
				const dk_tensor *t = dk_bundle_get(b, ts[j]);
				same &= p && c == t->count && !memcmp(p, t->data, c * sizeof *p);
			}
			ok(same, "%s: the four tensors copied as they are", kinds[k]);
		}
		dk_model_free(m);
		/* the kind named, and a wrong one */
		dk_import_spec s2 = spec;
		s2.kind = kinds[(k + 1) % 3];
		is_int(dk_import_torch(b, &s2, &m, NULL, err, sizeof err), DK_EFORMAT,
		       "%s: --model %s against its shapes refused", kinds[k], s2.kind);
		/* a readout found by itself */
		dk_bundle_add(b, "fc.weight", NULL, filled(2, 2, 5, 7));
		dk_bundle_add(b, "fc.bias", NULL, filled(1, 2, 0, 8));
		st = dk_import_torch(b, &spec, &m, &info, err, sizeof err);
		ok(!st && dk_model_output_size(m) == 2 && !info.zero_readout &&
		   !strcmp(info.readout_bias, "fc.bias"), "%s: fc.weight/fc.bias found", kinds[k]);
		if (!st) {
			const double *bo = param(m, "model/readout/b", &c);
			ok(c == 2 && bo[1] == 8.001, "%s: readout bias copied", kinds[k]);
			dk_model_free(m);
		}
		dk_bundle_free(b);
	}

	/* ambiguity, missing tensors, bad shapes */
	dk_bundle *b = torch_bundle("a.", 3, 4, 2);
	dk_bundle_add(b, "b.weight_hh_l0", NULL, filled(2, 12, 4, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_EFORMAT,
	       "two names ending in weight_hh_l0: ambiguous");
	ok(strstr(err, "ambiguous") != NULL, "the message says ambiguous (%s)", err);
	dk_bundle_free(b);

	b = torch_bundle("", 3, 4, 2);
	dk_bundle_add(b, "xweight_hh_l0", NULL, filled(2, 12, 4, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_OK,
	       "'xweight_hh_l0' is not a match (only after '.' or '/')");
	dk_model_free(m);
	dk_bundle_free(b);

	b = dk_bundle_alloc();
	dk_bundle_add(b, "weight_ih_l0", NULL, filled(2, 12, 2, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_ENOTFOUND,
	       "weight_hh_l0 missing: DK_ENOTFOUND");
	ok(strstr(err, "weight_hh_l0") != NULL, "the message names it (%s)", err);
	dk_bundle_add(b, "weight_hh_l0", NULL, filled(2, 12, 4, 0));
	dk_bundle_add(b, "bias_ih_l0", NULL, filled(1, 12, 0, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_ENOTFOUND,
	       "one bias without the other: DK_ENOTFOUND");
	dk_bundle_add(b, "bias_hh_l0", NULL, filled(1, 11, 0, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_EFORMAT,
	       "a bias of the wrong length: DK_EFORMAT");
	dk_bundle_add(b, "bias_hh_l0", NULL, filled(1, 12, 0, 0));
	dk_bundle_add(b, "weight_ih_l0", NULL, filled(2, 8, 2, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_EFORMAT,
	       "weight_ih rows unlike weight_hh's: DK_EFORMAT");
	dk_bundle_add(b, "weight_ih_l0", NULL, filled(2, 12, 2, 0));
	dk_bundle_add(b, "weight_hh_l0", NULL, filled(2, 8, 4, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_EFORMAT,
	       "weight_hh of 2 x units rows: no such kind");
	dk_bundle_add(b, "weight_hh_l0", NULL, filled(2, 12, 4, 0));
	dk_bundle_add(b, "weight_ih_l1", NULL, filled(2, 12, 4, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_EFORMAT,
	       "a second layer refused");
	dk_bundle_free(b);

	/* readouts: two candidates, a named one, an --outputs that disagrees */
	b = torch_bundle("", 1, 4, 2);
	dk_bundle_add(b, "fc.weight", NULL, filled(2, 3, 4, 0));
	dk_bundle_add(b, "head.weight", NULL, filled(2, 2, 4, 0));
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_EFORMAT,
	       "two X.weight: refused");
	dk_import_spec s3 = spec;
	s3.readout = "head";
	is_int(dk_import_torch(b, &s3, &m, &info, err, sizeof err), DK_OK, "--readout head");
	ok(dk_model_output_size(m) == 2 && !info.readout_bias[0], "head: 2 outputs, no bias");
	dk_model_free(m);
	s3.readout = "nope";
	is_int(dk_import_torch(b, &s3, &m, NULL, err, sizeof err), DK_ENOTFOUND,
	       "--readout nope: DK_ENOTFOUND");
	s3.readout = "fc";
	s3.outputs = 2;
	is_int(dk_import_torch(b, &s3, &m, NULL, err, sizeof err), DK_EFORMAT,
	       "--outputs 2 against fc's 3: refused");
	s3.readout = "head";
	s3.act = DK_ACT_RELU;
	is_int(dk_import_torch(b, &s3, &m, NULL, err, sizeof err), DK_OK, "rnn with relu");
	is_str(dk_act_name(DK_ACT_RELU), "relu", "relu's name");
	dk_model_free(m);
	s3.act = DK_ACT_ERF;
	is_int(dk_import_torch(b, &s3, &m, NULL, err, sizeof err), DK_EINVAL, "rnn with erf: refused");
	dk_bundle_free(b);

	/* a model made by import goes through its bundle and back */
	b = torch_bundle("", 4, 3, 2);
	is_int(dk_import_torch(b, &spec, &m, NULL, err, sizeof err), DK_OK, "lstm again");
	dk_bundle *out = dk_bundle_alloc();
	is_int(dk_model_to_bundle(m, out), DK_OK, "to a bundle");
	dk_model *m2;
	is_int(dk_model_from_bundle(out, &m2, err, sizeof err), DK_OK, "and back (init torch)");
	ok(dk_model_param_count(m2) == dk_model_param_count(m) &&
	   !memcmp(dk_model_params(m2), dk_model_params(m),
	           dk_model_param_count(m) * sizeof(double)), "the same parameters");
	dk_model_free(m2);
	dk_model_free(m);
	dk_bundle_free(out);
	dk_bundle_free(b);
	return tap_done();
}
