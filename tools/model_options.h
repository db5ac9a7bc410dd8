/*
 * model_options.h -- the options that make a new model (--channels,
 * --units, --inputs, --outputs, --act/--phi, --init, --gain, the seed,
 * the continuous-time --dt, --tau, --integrator, --rank, the --sheet
 * of the nwm, fernn and grnn, the nwm's --hidden, the fernn's --velocities,
 * the multiregion network's --regions, --a, --b, --signs, the nwm's head
 * --classes, --head-steps, --readout, the cnn's --layers), as dk-init takes
 * them and dk-train takes them to create the model it trains.
 *
 * The long options return the short letters dk-init has always had
 * (-c -n -i -O -a -I -g, and -S for the seed), so a tool that takes both
 * these and task_options.h's must leave those letters free; the
 * continuous-time options have codes of their own, above any a tool or
 * the task options use (as --sheet has).
 */
#ifndef DK_MODEL_OPTIONS_H
#define DK_MODEL_OPTIONS_H

#include "tool.h"

enum {
	MODEL_OPT_DT = 0x400, MODEL_OPT_TAU, MODEL_OPT_INTEGRATOR, MODEL_OPT_RANK,
	MODEL_OPT_SHEET, MODEL_OPT_VELOCITIES, MODEL_OPT_REGIONS, MODEL_OPT_A,
	MODEL_OPT_B, MODEL_OPT_SIGNS, MODEL_OPT_HIDDEN, MODEL_OPT_CLASSES,
	MODEL_OPT_HEAD_STEPS, MODEL_OPT_READOUT, MODEL_OPT_LAYERS, MODEL_OPT_END
};

/* The most values of --a, --b, --signs (one per region). */
#define MODEL_MAX_COUPLINGS 64

/* The short options, for getopt's option string. */
#define MODEL_SHORTOPTS "c:n:i:O:a:I:g:"

/* Every model option but the seed, whose name differs between tools
   (dk-init: --seed, -S; dk-train: --model-seed, its --seed being the
   batches'); give it as {"NAME", required_argument, NULL, 'S'}. */
#define MODEL_LONGOPTS \
	{"channels", required_argument, NULL, 'c'}, \
	{"units", required_argument, NULL, 'n'}, \
	{"inputs", required_argument, NULL, 'i'}, \
	{"outputs", required_argument, NULL, 'O'}, \
	{"act", required_argument, NULL, 'a'}, \
	{"phi", required_argument, NULL, 'a'}, \
	{"init", required_argument, NULL, 'I'}, \
	{"gain", required_argument, NULL, 'g'}, \
	{"dt", required_argument, NULL, MODEL_OPT_DT}, \
	{"tau", required_argument, NULL, MODEL_OPT_TAU}, \
	{"integrator", required_argument, NULL, MODEL_OPT_INTEGRATOR}, \
	{"rank", required_argument, NULL, MODEL_OPT_RANK}, \
	{"sheet", required_argument, NULL, MODEL_OPT_SHEET}, \
	{"velocities", required_argument, NULL, MODEL_OPT_VELOCITIES}, \
	{"regions", required_argument, NULL, MODEL_OPT_REGIONS}, \
	{"a", required_argument, NULL, MODEL_OPT_A}, \
	{"b", required_argument, NULL, MODEL_OPT_B}, \
	{"signs", required_argument, NULL, MODEL_OPT_SIGNS}, \
	{"hidden", required_argument, NULL, MODEL_OPT_HIDDEN}, \
	{"classes", required_argument, NULL, MODEL_OPT_CLASSES}, \
	{"head-steps", required_argument, NULL, MODEL_OPT_HEAD_STEPS}, \
	{"readout", required_argument, NULL, MODEL_OPT_READOUT}, \
	{"layers", required_argument, NULL, MODEL_OPT_LAYERS}

/* The help lines of these options (the seed's line is the tool's). */
#define MODEL_OPTIONS_HELP \
	"  -c, --channels C     rings of the wrnn, fernn and grnn, sheets of the\n" \
	"                       nwm, each layer's of the cnn (default 1)\n" \
	"  -n, --units N        units (default 64): the state size, or units per\n" \
	"                       ring of the wrnn, fernn and grnn; lstm's state\n" \
	"                       [h, c] holds 2N; nwm: H W, its default;\n" \
	"                       multiregion: per region\n" \
	"  -i, --inputs I       input size (default 1); nwm: the image's\n" \
	"                       channels, each H x W; fernn, grnn: channels of\n" \
	"                       the input, each on the ring of N units\n" \
	"  -O, --outputs O      readout size (default 1)\n" \
	"  -a, --act F          nonlinearity: tanh, relu, erf, identity\n" \
	"                       (default tanh; gru and lstm: tanh only; the\n" \
	"                       wrnn's is relu)\n" \
	"      --phi F          the same as --act\n" \
	"  -I, --init KIND      rnn: identity, random or orthogonal (default\n" \
	"                       random); wrnn: shift or random (default shift);\n" \
	"                       gru, lstm, ctrnn, fernn, grnn: random only;\n" \
	"                       nwm: laplacian; multiregion: paper\n" \
	"  -g, --gain G         W = G I, W_ij ~ N(0, G^2/N), or W = G Q; wrnn\n" \
	"                       random: kernel ~ N(0, G^2/(3C)); fernn, grnn:\n" \
	"                       kernel uniform on [-G, G]/sqrt(3C) (default 1;\n" \
	"                       not used by gru and lstm); multiregion: G or\n" \
	"                       G1,..,GP, the disorder g_mu chi^mu within each\n" \
	"                       region (P N^2 doubles; default none)\n" \
	"      --dt DT          ctrnn, nwm, multiregion: integration step (default\n" \
	"                       0.1; multiregion 0.05)\n" \
	"      --tau TAU        ctrnn: time constant (default 1)\n" \
	"      --integrator M   ctrnn: euler or rk4 (default euler)\n" \
	"      --rank R         ctrnn: rank of the part m n^T/N (default 0)\n" \
	"      --sheet H,W      nwm, cnn (required), fernn, grnn (instead of a ring):\n" \
	"                       the sheet's rows and columns\n" \
	"      --hidden M       nwm: channels of its encoders' hidden layers\n" \
	"                       (default 11)\n" \
	"      --layers L       cnn: its 3x3 convolutions (1 to 32, required)\n" \
	"      --velocities V   fernn: its velocities -V .. V, V at least 1\n" \
	"                       (required)\n" \
	"      --regions P      multiregion: regions of --units N units each\n" \
	"                       (default: the count of --a)\n" \
	"      --a A1,..,AP     multiregion: each region's own loop c^{mu mu}\n" \
	"      --b B1,..,BP     multiregion: the loops between regions, c^{mu nu}\n" \
	"                       = s_mu s_nu sqrt(b_mu b_nu) (--a, --b required)\n" \
	"      --signs S1,..    multiregion: each +1 or -1 (default all +1)\n" \
	"      --classes K      nwm: a head of K classes per pixel over the whole\n" \
	"                       sequence (no per-step outputs then); cnn: of\n" \
	"                       its one step\n" \
	"      --head-steps T   nwm with --classes: the steps it reads (required)\n" \
	"      --readout R      nwm with --classes: linear, fft or last over time\n" \
	"                       (default linear)\n"

typedef struct {
	dk_model_spec spec;
	int given[128];     /* by short letter: which options were set */
	int ct_given[MODEL_OPT_END - MODEL_OPT_DT]; /* the continuous-time ones,
	                                               --sheet, --velocities, the
	                                               multiregion's */
	double a[MODEL_MAX_COUPLINGS], b[MODEL_MAX_COUPLINGS],
	       signs[MODEL_MAX_COUPLINGS]; /* --a, --b, --signs */
	size_t na, nb, nsigns;
	double gains[MODEL_MAX_COUPLINGS]; /* --gain as a list */
	size_t ngains;
	char init[32];      /* the initialisation the model was made with */
	char readout[16];   /* and its head's readout over time */
} model_options;

/* dk-init's defaults: 64 units, 1 input, 1 output, gain 1, seed 1; the
   nonlinearity, initialisation and channels are the kind's own (the
   library's defaults, dk_model_create). */
void model_options_init(model_options *m);
/* Take getopt's c if it is a model option (or 'S', the seed); returns 0
   if it is not.  Malformed values are usage errors (exit 2). */
int model_option(model_options *m, int c, const char *arg);
/* Did the command line give any model option (the seed included)? */
int model_options_any(const model_options *m);
/* The first model option given, as "--units", for messages; NULL if none. */
const char *model_options_first(const model_options *m);
/*
 * Set the kind and the defaults that depend on it (the wrnn is relu, one
 * ring and shift-initialised unless told; the others' init is random;
 * with --sheet and no --units, the units are left to the sheet),
 * make the model, and check that the continuous-time options apply.
 * Usage errors exit 2; other failures warn and return nonzero.
 */
int model_options_create(model_options *m, const char *kind, dk_model **out);
/* The settings after defaults, as dk-init's provenance records them;
   with the sheet, and for a continuous-time model dt, tau, integrator
   and rank (those it has), taken
   from the model's attrs (model_attrs, may be NULL) where the library
   filled in its defaults.  NULL when out of memory. */
json_t *model_options_json(const model_options *m, json_t *model_attrs);

#endif
