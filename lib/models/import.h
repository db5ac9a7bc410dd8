/*
 * import.h -- a model from weights named as PyTorch names them.
 *
 * torch.nn.RNN, nn.GRU and nn.LSTM (one layer, one direction) keep their
 * parameters as weight_ih_l0, weight_hh_l0, bias_ih_l0 and bias_hh_l0; a
 * state_dict prefixes them with the module's name ("rnn.weight_ih_l0"),
 * so each is found as the name that is the key itself or ends in "." or
 * "/" and the key; two such names are an error (ambiguous).  A readout
 * nn.Linear is PREFIX.weight (outputs x units) and, optionally,
 * PREFIX.bias.
 *
 * The kind comes from the shapes: weight_hh_l0 is (G n) x n with G = 1
 * (rnn), 3 (gru) or 4 (lstm), unless spec says it.  gru and lstm take the
 * four tensors as they are (model/weight_ih, ...: the same layout and
 * gate order); an rnn takes W = weight_hh, V = weight_ih and
 * b = bias_ih + bias_hh, with the nonlinearity of spec (tanh by default,
 * as nn.RNN).  When both biases are absent (bias=False) they are zero.
 *
 * The readout: spec->readout names its prefix; without it, the one
 * X.weight in the bundle that is not a recurrent weight, if there is one
 * (two are an error: say which with a prefix); without any, a readout of
 * spec->outputs (default 1) outputs, all weights zero.
 */
#ifndef DK_MODELS_IMPORT_H
#define DK_MODELS_IMPORT_H

#include <stddef.h>

#include "models/model.h"
#include "stream/bundle.h"

typedef struct dk_import_spec {
	const char *kind;     /* "rnn", "gru", "lstm", or NULL: from the shapes */
	dk_act act;           /* rnn only: DK_ACT_TANH or DK_ACT_RELU */
	const char *readout;  /* prefix of the readout's weight and bias, or NULL */
	size_t outputs;       /* outputs of the zero readout when there is none
	                         (0: 1); must match a readout found, if not 0 */
} dk_import_spec;

/* What dk_import_torch found, for messages and provenance. */
typedef struct dk_import_info {
	char weight_ih[256], weight_hh[256], bias_ih[256], bias_hh[256]; /* "" if absent */
	char readout_weight[256], readout_bias[256];                     /* "" if absent */
	int zero_readout;     /* no readout found: its weights are zero */
	int readout_ambiguous; /* failed: two readouts, and no prefix given */
} dk_import_info;

/*
 * DK_OK when spec asks for something PyTorch has: a kind among rnn, gru
 * and lstm (or none), an rnn's tanh or relu, a gated kind's own tanh;
 * DK_EINVAL with a message otherwise.  dk_import_torch checks it too.
 */
int dk_import_spec_check(const dk_import_spec *spec, char *err, size_t errlen);

/*
 * The model from src's tensors.  DK_ENOTFOUND for a missing tensor,
 * DK_EFORMAT for shapes that do not fit together or an ambiguous name,
 * DK_EINVAL for a spec that does not fit; err says which.  info may be
 * NULL.
 */
int dk_import_torch(const dk_bundle *src, const dk_import_spec *spec, dk_model **out,
                    dk_import_info *info, char *err, size_t errlen);

/*
 * The inverse of dk_import_torch: m's parameters, as f8 tensors named as
 * PyTorch names them, added to out -- weight_ih_l0, weight_hh_l0,
 * bias_ih_l0, bias_hh_l0, then the readout as an nn.Linear,
 * READOUT.weight and READOUT.bias (readout NULL: "readout").  A gru or
 * lstm gives its four tensors as they are; an rnn gives W, V, and its one
 * bias b whole in bias_ih_l0 with zeros in bias_hh_l0 (PyTorch adds the
 * two).  Importing what this writes gives m's parameters bit for bit.
 * DK_EINVAL, with err, for kinds PyTorch has no module for (wrnn, ctrnn,
 * ...) and for an rnn whose nonlinearity is not tanh or relu.
 */
int dk_export_torch(const dk_model *m, const char *readout, dk_bundle *out, char *err,
                    size_t errlen);

#endif
