/*
 * test_model.c -- the model interface and the rnn kind: the checks of
 * model_check.h for every nonlinearity, the step against its formula
 * written out, and the initialisations against what they promise.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_check.h"

/* The rnn step against the formula written out with plain loops. */
static void test_rnn_formula(void)
{
	dk_model_spec spec = {.kind = "rnn", .units = 6, .inputs = 2, .outputs = 1,
	                      .act = DK_ACT_TANH, .init = "random", .gain = 1.5, .seed = 5};
	dk_model *m;
	char err[256];
	dk_model_create(&spec, &m, err, sizeof err);
	size_t wo, vo, bo, cnt;
	dk_model_param_find(m, "model/W", &wo, &cnt);
	dk_model_param_find(m, "model/V", &vo, &cnt);
	dk_model_param_find(m, "model/b", &bo, &cnt);
	const double *th = dk_model_params(m);
	double x[2][6], u[2][2], xn[2][6], worst = 0;
	for (int r = 0; r < 2; r++) {
		for (int i = 0; i < 6; i++)
			x[r][i] = sin(1.0 + 7 * r + i);
		for (int k = 0; k < 2; k++)
			u[r][k] = cos(2.0 + 3 * r + k);
	}
	dk_model_work *w = dk_model_work_alloc(m, 2);
	dk_model_step(m, w, 2, &x[0][0], &u[0][0], &xn[0][0], NULL);
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < 6; i++) {
			double a = th[bo + i];
			for (int j = 0; j < 6; j++)
				a += th[wo + 6 * i + j] * x[r][j];
			for (int k = 0; k < 2; k++)
				a += th[vo + 2 * i + k] * u[r][k];
			worst = fmax(worst, fabs(tanh(a) - xn[r][i]));
		}
	ok(worst < 1e-15, "rnn step is tanh(W h + V u + b) (worst %.2g)", worst);
	dk_model_work_free(w);
	dk_model_free(m);
}

static void test_inits(void)
{
	dk_model_spec spec = {.kind = "rnn", .units = 40, .inputs = 2, .outputs = 1,
	                      .act = DK_ACT_RELU, .init = "identity", .gain = 1, .seed = 3};
	dk_model *m;
	char err[256];
	dk_model_create(&spec, &m, err, sizeof err);
	size_t off, cnt;
	dk_model_param_find(m, "model/W", &off, &cnt);
	double *W = dk_model_params(m) + off;
	int identity = cnt == 1600;
	for (size_t i = 0; i < 40; i++)
		for (size_t j = 0; j < 40; j++)
			identity &= W[i * 40 + j] == (i == j);
	ok(identity, "identity init: W = I (the iRNN)");
	dk_model_free(m);

	spec.init = "orthogonal";
	spec.gain = 1.5;
	dk_model_create(&spec, &m, err, sizeof err);
	W = dk_model_params(m) + off;
	double worst = 0;
	for (size_t i = 0; i < 40; i++)
		for (size_t j = 0; j < 40; j++) {
			double s = 0;
			for (size_t k = 0; k < 40; k++)
				s += W[k * 40 + i] * W[k * 40 + j];
			worst = fmax(worst, fabs(s - (i == j ? 2.25 : 0)));
		}
	ok(worst < 1e-12, "orthogonal init: W^T W = gain^2 I (worst %.2g)", worst);
	dk_model_free(m);

	spec.init = "random";
	spec.units = 400;
	spec.gain = 2;
	dk_model_create(&spec, &m, err, sizeof err);
	dk_model_param_find(m, "model/W", &off, &cnt);
	W = dk_model_params(m) + off;
	double s2 = 0;
	for (size_t i = 0; i < cnt; i++)
		s2 += W[i] * W[i];
	/* variance g^2/n = 0.01 over 160000 draws: standard error 0.01 sqrt(2/160000) */
	is_close(s2 / cnt, 0.01, 0.0002, "random init: Var W_ij = gain^2 / n");
	dk_model_free(m);

	spec.init = "nonsense";
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && strstr(err, "nonsense"),
	   "unknown initialisation refused: %s", err);
	spec.kind = "lstmx";
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL && strstr(err, "unknown model kind"),
	   "unknown kind refused: %s", err);
	spec.kind = "rnn";
	spec.units = 0;
	ok(dk_model_create(&spec, &m, err, sizeof err) == DK_EINVAL, "zero units refused");

	/* the spec is validated by the library, whoever built it */
	static const struct {
		dk_model_spec spec;
		const char *what, *says;
	} bad[] = {
		{{.kind = "rnn", .units = 4, .gain = NAN}, "a NaN gain", "gain"},
		{{.kind = "rnn", .units = 4, .gain = INFINITY}, "an infinite gain", "gain"},
		{{.kind = "rnn", .units = 4, .channels = 2}, "channels on an rnn", "channels"},
		{{.kind = "rnn", .units = 4, .dt = 0.1}, "dt on a discrete-time model", "dt"},
		{{.kind = "gru", .units = 4, .rank = 1}, "a rank on a gru", "rank"},
		{{.kind = "lstm", .units = 4, .act = DK_ACT_RELU}, "relu on an lstm", "relu"},
		{{.kind = "wrnn", .units = 4, .act = DK_ACT_ERF}, "erf on a wrnn", "erf"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		m = NULL;
		err[0] = 0;
		ok(dk_model_create(&bad[k].spec, &m, err, sizeof err) == DK_EINVAL && !m &&
		   strstr(err, bad[k].says) && !strstr(err, "--"),
		   "refused: %s (%s)", bad[k].what, err);
		dk_model_free(m);
	}
	/* a zeroed spec takes each kind's own defaults, and says which */
	static const struct { const char *kind, *act, *init; size_t channels; } own[] = {
		{"rnn", "tanh", "random", 0}, {"wrnn", "relu", "shift", 1},
		{"gru", "tanh", "random", 0}, {"ctrnn", "tanh", "random", 0},
	};
	for (size_t k = 0; k < sizeof own / sizeof *own; k++) {
		dk_model_spec s = {.kind = own[k].kind, .units = 3, .inputs = 1, .outputs = 1};
		m = NULL;
		int st = dk_model_create(&s, &m, err, sizeof err);
		const dk_model_spec *made = st ? NULL : dk_model_spec_of(m);
		ok(made && !strcmp(dk_act_name(made->act), own[k].act) &&
		   !strcmp(made->init, own[k].init) && made->channels == own[k].channels,
		   "%s: defaults %s, %s, %zu channels", own[k].kind, own[k].act, own[k].init,
		   own[k].channels);
		dk_model_free(m);
	}
}

/*
 * A model stream with a tensor missing, of the wrong shape, or complex:
 * refused with a message that names the tensor (written before the
 * half-built model is freed: the sanitizer build checks it).
 */
static void test_bundle_errors(void)
{
	dk_model_spec spec = {.kind = "rnn", .units = 3, .inputs = 2, .outputs = 1,
	                      .act = DK_ACT_TANH, .init = "random", .gain = 1, .seed = 2};
	char err[256];
	dk_model *m, *back;
	if (!ok(dk_model_create(&spec, &m, err, sizeof err) == DK_OK, "create: %s", err))
		return;
	for (int c = 0; c < 3; c++) {
		dk_bundle *b = dk_bundle_alloc();
		dk_model_to_bundle(m, b);
		dk_tensor *V = dk_bundle_get(b, "model/V");
		if (c == 0) /* said to be a gru: its model/weight_ih is missing */
			json_object_set_new(json_object_get(dk_meta_attrs(dk_bundle_meta(b, 0)),
			                                    "model"), "kind", json_string("gru"));
		else if (c == 1) /* a wrong shape: (2, 3) for (3, 2) */
			V->shape[0] = 2, V->shape[1] = 3;
		else { /* complex values, which a conversion would make real */
			void *d = realloc(V->data, 2 * V->count * sizeof(double));
			if (!d)
				abort();
			V->data = d;
			V->dtype = DK_C16;
		}
		int st = dk_model_from_bundle(b, &back, err, sizeof err);
		const char *want[] = {"model/weight_ih: missing, want shape (9, 2) for this gru model",
		                      "model/V: wrong shape, want shape (3, 2)",
		                      "model/V: complex values"};
		ok(st != DK_OK && !back && strstr(err, want[c]),
		   "from_bundle refuses %s: %s", c == 0 ? "a missing tensor"
		   : c == 1 ? "a wrong shape" : "complex values", err);
		dk_bundle_free(b);
	}
	dk_model_free(m);

	/* a ctrnn whose attrs say tau 0 (or dt -1, or dt "0.1") is refused,
	   not run with the default */
	dk_model_spec ct = {.kind = "ctrnn", .units = 3, .inputs = 1, .outputs = 1,
	                    .act = DK_ACT_TANH, .init = "random", .gain = 1, .seed = 2};
	err[0] = 0;
	if (!ok(dk_model_create(&ct, &m, err, sizeof err) == DK_OK, "create ctrnn%s", err))
		return;
	const struct { const char *key, *label; json_t *value; } bad[] = {
		{"tau", "0", json_real(0)},
		{"dt", "-1", json_real(-1)},
		{"dt", "as a string", json_string("0.1")},
	};
	for (size_t c = 0; c < sizeof bad / sizeof *bad; c++) {
		dk_bundle *b = dk_bundle_alloc();
		dk_model_to_bundle(m, b);
		json_t *a = json_object_get(dk_meta_attrs(dk_bundle_meta(b, 0)), "model");
		json_object_set_new(a, bad[c].key, bad[c].value);
		int st = dk_model_from_bundle(b, &back, err, sizeof err);
		char want[64];
		snprintf(want, sizeof want, "%s must be a positive number", bad[c].key);
		ok(st != DK_OK && !back && strstr(err, want), "from_bundle refuses %s %s: %s",
		   bad[c].key, bad[c].label, err);
		dk_bundle_free(b);
	}
	/* and reads the model back when they are kept */
	dk_bundle *b = dk_bundle_alloc();
	dk_model_to_bundle(m, b);
	err[0] = 0;
	ok(dk_model_from_bundle(b, &back, err, sizeof err) == DK_OK && back,
	   "from_bundle reads a ctrnn back%s", err);
	dk_model_free(back);
	dk_bundle_free(b);
	dk_model_free(m);
}

int main(void)
{
	const char *acts[] = {"tanh", "relu", "erf", "identity"};
	for (int a = 0; a < 4; a++) {
		dk_model_spec spec = {.kind = "rnn", .units = 7, .inputs = 3, .outputs = 2,
		                      .init = "random", .gain = 1.2, .seed = 11};
		dk_act_from_name(acts[a], &spec.act);
		char label[64];
		snprintf(label, sizeof label, "rnn %s", acts[a]);
		dk_check_model(&spec, label);
	}
	dk_model_spec noinput = {.kind = "rnn", .units = 5, .inputs = 0, .outputs = 1,
	                         .act = DK_ACT_TANH, .init = "orthogonal", .gain = 1, .seed = 1};
	dk_check_model(&noinput, "rnn tanh without inputs");
	test_rnn_formula();
	test_inits();
	test_bundle_errors();
	return tap_done();
}
