/*
 * dk-init -- write a new model, initialised as its options say, as a
 * stream of model/... tensors.
 *
 *	dk-init rnn --units 64 --inputs 3 --outputs 3 --act tanh --init random
 *	dk-init gru --units 128 --inputs 1 --outputs 3
 *	dk-init ctrnn --units 200 --gain 1.5 --phi erf --dt 0.05 --integrator rk4
 *	dk-init wrnn --channels 6 --units 100 --inputs 10 --outputs 10
 *	dk-init nwm --channels 2 --sheet 32,32 --inputs 1 --outputs 4
 *	dk-init cnn --layers 8 --channels 16 --sheet 32,32 --inputs 1 --classes 6
 *	dk-init fernn --channels 4 --units 32 --velocities 2 --inputs 1
 *	dk-init fernn --channels 2 --sheet 16,16 --velocities 1 --inputs 1
 *	dk-init multiregion --units 1000 --a 2,1.5,1.2 --b 0.5,0.5,0.5
 *
 * The model is created by the library (dk_model_create); this tool only
 * reads the options and writes the result, with its provenance.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_options.h"

typedef struct {
	model_options m;
	const char *output;
	size_t max_elements; /* unused: dk-init reads no stream */
} options;

static void usage(void)
{
	printf("Usage: dk-init MODEL [OPTION]...\n"
	       "Write a new MODEL, initialised, as a stream of model/... tensors.\n"
	       "\n"
	       "Models:\n"
	       "  rnn    h' = act(W h + V u + b); --init identity with --act relu is\n"
	       "         the iRNN\n"
	       "  wrnn   h' = relu(conv(h) + V u + b), conv circular with kernel 3, over\n"
	       "         C rings of N units each: the Wave-RNN\n"
	       "  gru    PyTorch's nn.GRU (gates r, z, n; model/weight_ih, weight_hh,\n"
	       "         bias_ih, bias_hh); state h\n"
	       "  lstm   PyTorch's nn.LSTM (gates i, f, g, o); state [h, c], 2 units;\n"
	       "         the readout reads h\n"
	       "  ctrnn  tau dx/dt = -x + (J + m n^T/N) phi(x) + B u + b, integrated\n"
	       "         over dt; J_ij ~ N(0, G^2/N), m and n (N x R) N(0, 1)\n"
	       "  nwm    the oscillator sheet: C channels on an H x W torus, state [y, z],\n"
	       "         z' = z + dt (tanh(W * y + b) - omega y - alpha z), y' = y + dt z',\n"
	       "         W a 3x3 circular convolution (the Laplacian at first); omega,\n"
	       "         alpha and the start y0 (z0 = 0) local CNNs of the input image\n"
	       "         (3x3 layers of --hidden channels); needs --sheet\n"
	       "  cnn    the local-CNN baseline: --layers 3x3 convolutions of C channels\n"
	       "         with zero padding and relus, one step x' = S(u) that forgets the\n"
	       "         state; with --classes K the head reads its C channels per pixel;\n"
	       "         needs --sheet and --layers\n"
	       "  fernn  the flow-equivariant RNN: C channels on a ring of N units per\n"
	       "         velocity nu in -V..V, h_nu' = relu(W * roll(h_nu, nu) + U * u + b),\n"
	       "         W and U circular with kernel 3, u I channels on the ring; the\n"
	       "         readout reads the maximum over nu; needs --velocities.  With\n"
	       "         --sheet H,W on an H x W torus: nu = (nu_x, nu_y) in {-V..V}^2\n"
	       "         (nu_x along columns, nu_y along rows), kernels 3x3\n"
	       "  grnn   the same cell with the one velocity 0 (the G-RNN), on a ring\n"
	       "         or a sheet; the same seed gives it the fernn's parameters\n"
	       "  multiregion  P regions of N units, dx^mu/dt = -x^mu + sum_nu m^{mu nu}\n"
	       "         (n^{mu nu} . phi(x^nu))/N + B u, phi = erf(sqrt(pi) x/2), held\n"
	       "         matrix-free; loadings drawn with <n^{mu nu} m^{nu rho}> =\n"
	       "         delta_{mu rho} c^{mu nu}, c from --a, --b, --signs; B = 0\n"
	       "\n"
	       MODEL_OPTIONS_HELP
	       "      --steps T        the same as --head-steps\n"
	       "  -S, --seed S         random seed (default 1)\n"
	       "  -o, --output FILE    write FILE atomically instead of stdout\n"
	       "  -h, --help           show this help and exit\n"
	       "      --version        show the version and exit\n"
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* The model attrs the library wrote on the bundle's first tensor. */
static json_t *bundle_model_attrs(const dk_bundle *b)
{
	if (!dk_bundle_size(b))
		return NULL;
	return json_object_get(dk_meta_attrs(dk_bundle_meta(b, 0)), "model");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		MODEL_LONGOPTS,
		{"seed", required_argument, NULL, 'S'},
		{"steps", required_argument, NULL, MODEL_OPT_HEAD_STEPS},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {0};
	int c;
	model_options_init(&o.m);
	tool_init_numeric("dk-init", argv);
	while ((c = getopt_long(argc, argv, MODEL_SHORTOPTS "S:o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements) ||
		    model_option(&o.m, c, optarg))
			continue;
		if (c == 'o')
			o.output = optarg;
	}
	if (optind != argc - 1)
		tool_usage_error(optind < argc ? "one MODEL only" : "which MODEL? (rnn, wrnn, gru, lstm, ctrnn, nwm, cnn, fernn, grnn, multiregion)");

	dk_model *m;
	if (model_options_create(&o.m, argv[optind], &m))
		return TOOL_EXIT_FAIL;
	int continuous = dk_model_is_continuous(m);
	dk_bundle *b = dk_bundle_alloc();
	int st = b ? dk_model_to_bundle(m, b) : DK_ENOMEM;
	dk_model_free(m);
	json_t *prov = NULL;
	if (!st) {
		prov = tool_provenance(model_options_json(&o.m, continuous ? bundle_model_attrs(b) : NULL));
		st = prov ? tool_bundle_stamp(b, prov) : DK_ENOMEM;
	}
	json_decref(prov);
	if (st) {
		tool_warn(NULL, "%s", dk_strerror(st));
		dk_bundle_free(b);
		return TOOL_EXIT_FAIL;
	}
	int status = tool_write_bundle(o.output, b);
	dk_bundle_free(b);
	return status;
}
