/*
 * dk-import -- a model from PyTorch's weights: nn.RNN, nn.GRU or nn.LSTM
 * (one layer) and an optional nn.Linear readout, given as .npy files (or
 * a directory of them) named as PyTorch names the parameters, a .npz or
 * a .safetensors file, written as a stream of model/... tensors.
 *
 *	dk-import --from torch gru_state.npz > model.npy
 *	dk-import --from torch --model rnn --act relu weights/ > model.npy
 *	dk-import --to torch -o gru_state.npz model.npy
 *
 * With --to torch it goes the other way: a model's parameters under
 * PyTorch's names, as a .npz, a .safetensors or a directory of .npy
 * files, for nn.RNN/nn.GRU/nn.LSTM and an nn.Linear's load_state_dict.
 *
 * The files are read into one bundle of named tensors (lib/stream/
 * container.c); the library makes the model from it (lib/models/
 * import.c); this tool reads the options and files and writes the result
 * with its provenance.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

enum { OPT_FROM = TOOL_OPT_FIRST_FREE, OPT_READOUT, OPT_TO };

typedef struct {
	dk_import_spec spec;
	const char *output;
	size_t max_elements;
	int act_given, from_given, outputs_given;
	int to_torch;  /* --to torch: export */
} options;

static void usage(void)
{
	printf("Usage: dk-import --from torch [OPTION]... FILE...\n"
	       "       dk-import --to torch -o FILE [--readout PREFIX] [MODEL]\n"
	       "Write the model whose PyTorch weights FILEs hold as a stream of model/...\n"
	       "tensors.  A FILE is a .npy file (or a directory of them) named as PyTorch\n"
	       "names the parameter (weight_ih_l0.npy ...), a .npz, or a .safetensors;\n"
	       "- is standard input.  Names may carry a module prefix (rnn.weight_ih_l0).\n"
	       "A Wave-RNN as its authors' cell keeps it (cell.Wx.weight, cell.Wx.bias,\n"
	       "cell.Wy.weight, cell.Wy.bias) is a wrnn.\n"
	       "\n"
	       "With --to torch, write MODEL's (an rnn, gru, lstm or wrnn; standard input\n"
	       "when absent or -) parameters under PyTorch's names to FILE: a .npz, a\n"
	       ".safetensors (F64), or else a directory of .npy files; an rnn's bias\n"
	       "goes whole into bias_ih_l0, with zeros in bias_hh_l0.\n"
	       "\n"
	       "      --from torch      the weights' source: torch (the default and only one)\n"
	       "      --to torch        export MODEL to FILE (-o) for PyTorch\n"
	       "  -m, --model KIND      rnn, gru, lstm or wrnn (default: from the names and\n"
	       "                        shapes)\n"
	       "  -a, --act F           rnn: tanh or relu (default tanh)\n"
	       "      --readout PREFIX  the readout is PREFIX.weight and PREFIX.bias (default:\n"
	       "                        the one X.weight besides the recurrent weights;\n"
	       "                        --to torch: readout)\n"
	       "  -O, --outputs O       outputs of the all-zero readout made when there is\n"
	       "                        none (default 1); with a readout, it must have O\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* One file operand's tensors into b ("-": standard input); 0, or a
   warning and 1. */
static int read_file(const char *path, size_t max_elements, dk_bundle *b)
{
	char err[1024];
	int fd = tool_open_input(path);
	if (fd < 0)
		return 1;
	int st = dk_container_read_fd(fd, path, max_elements, b, err, sizeof err);
	tool_close_input(fd);
	if (st)
		tool_warn(path, "%s", err);
	return st != DK_OK;
}

/* A directory operand's *.npy files into b; 0, or a warning and 1. */
static int read_dir(const char *path, size_t max_elements, dk_bundle *b)
{
	char err[1024];
	int st = dk_container_read_dir(path, max_elements, b, err, sizeof err);
	if (st)
		tool_warn(NULL, "%s", err);
	return st != DK_OK;
}

static json_t *options_json(const options *o, const dk_model *m, char **files, int nfiles,
                            const dk_import_info *info)
{
	json_t *f = json_array();
	for (int i = 0; f && i < nfiles; i++)
		if (json_array_append_new(f, json_string(files[i]))) {
			json_decref(f);
			f = NULL;
		}
	json_t *t = json_pack("{s:s, s:s, s:s, s:s}", "weight_ih", info->weight_ih,
	                      "weight_hh", info->weight_hh, "bias_ih", info->bias_ih,
	                      "bias_hh", info->bias_hh);
	if (t && info->readout_weight[0])
		json_object_set_new(t, "readout_weight", json_string(info->readout_weight));
	if (t && info->readout_bias[0])
		json_object_set_new(t, "readout_bias", json_string(info->readout_bias));
	/* the nonlinearity as made: without --act, the kind's own */
	return json_pack("{s:s, s:s, s:s, s:s?, s:b, s:o, s:o}", "from", "torch",
	                 "model", dk_model_kind(m), "act", dk_act_name(dk_model_spec_of(m)->act),
	                 "readout", o->spec.readout,
	                 "zero_readout", info->zero_readout, "files", f, "tensors", t);
}

/* --to torch: the model's parameters under PyTorch's names, to -o. */
static int export_torch(const options *o, const char *path)
{
	dk_bundle *mb = tool_read_bundle(path, o->max_elements);
	if (!mb)
		return TOOL_EXIT_FAIL;
	dk_model *m = NULL;
	dk_bundle *out = dk_bundle_alloc();
	char err[1024];
	int st = out ? dk_model_from_bundle(mb, &m, err, sizeof err) : DK_ENOMEM;
	if (st == DK_ENOMEM)
		snprintf(err, sizeof err, "out of memory");
	if (!st)
		st = dk_export_torch(m, o->spec.readout, out, err, sizeof err);
	json_t *meta = NULL;
	if (!st) { /* what the weights cannot say, for whoever reads them */
		meta = json_pack("{s:s, s:s}", "format", "pt", "model", dk_model_kind(m));
		json_t *act = json_object_get(json_object_get(dk_meta_attrs(dk_bundle_meta(mb, 0)),
		                                              "model"), "act");
		if (meta && !strcmp(dk_model_kind(m), "rnn") && json_is_string(act))
			json_object_set(meta, "nonlinearity", act);
		st = meta ? dk_container_write(out, dk_container_for_path(o->output), o->output, meta, err,
		                               sizeof err)
		          : DK_ENOMEM;
	}
	if (st)
		tool_warn(st == DK_EIO ? NULL : path, "%s", err);
	json_decref(meta);
	dk_model_free(m);
	dk_bundle_free(out);
	dk_bundle_free(mb);
	return st ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		{"model", required_argument, NULL, 'm'},
		{"act", required_argument, NULL, 'a'},
		{"readout", required_argument, NULL, OPT_READOUT},
		{"outputs", required_argument, NULL, 'O'},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.spec = {.act = DK_ACT_DEFAULT}, .max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	int c;
	tool_init_numeric("dk-import", argv);
	while ((c = getopt_long(argc, argv, "m:a:O:o:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case OPT_FROM:
			if (strcmp(optarg, "torch"))
				tool_usage_error("--from: unknown source '%s' (torch)", optarg);
			o.from_given = 1;
			break;
		case OPT_TO:
			if (strcmp(optarg, "torch"))
				tool_usage_error("--to: unknown destination '%s' (torch)", optarg);
			o.to_torch = 1;
			break;
		case 'm':
			o.spec.kind = optarg;
			break;
		case 'a':
			if (dk_act_from_name(optarg, &o.spec.act))
				tool_usage_error("--act: '%s' is not tanh or relu", optarg);
			o.act_given = 1;
			break;
		case OPT_READOUT:
			if (!*optarg)
				tool_usage_error("--readout: an empty prefix");
			o.spec.readout = optarg;
			break;
		case 'O':
			o.spec.outputs = tool_parse_nonzero_count("--outputs", optarg);
			o.outputs_given = 1;
			break;
		case 'o': o.output = optarg; break;
		}
	}
	if (o.to_torch) {
		if (o.from_given)
			tool_usage_error("--from and --to: one direction at a time");
		if (o.spec.kind || o.act_given || o.outputs_given)
			tool_usage_error("--to torch: the model says its kind, nonlinearity and outputs "
			                 "(no --model, --act, --outputs)");
		if (!o.output)
			tool_usage_error("--to torch writes a file or directory: which? (-o FILE)");
		if (argc - optind > 1)
			tool_usage_error("--to torch: one MODEL only");
		return export_torch(&o, optind < argc ? argv[optind] : "-");
	}
	if (optind == argc)
		tool_usage_error("which FILE? (.npy files or a directory of them, .npz, .safetensors)");
	char err[1024];
	if (dk_import_spec_check(&o.spec, err, sizeof err))
		tool_usage_error("--model, --act: %s", err);

	dk_bundle *src = dk_bundle_alloc();
	if (!src) {
		tool_warn(NULL, "out of memory");
		return TOOL_EXIT_FAIL;
	}
	for (int i = optind; i < argc; i++) {
		struct stat sb;
		int bad = strcmp(argv[i], "-") && stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)
		          ? read_dir(argv[i], o.max_elements, src)
		          : read_file(argv[i], o.max_elements, src);
		if (bad) {
			dk_bundle_free(src);
			return TOOL_EXIT_FAIL;
		}
	}

	dk_model *m;
	dk_import_info info;
	int st = dk_import_torch(src, &o.spec, &m, &info, err, sizeof err);
	dk_bundle_free(src);
	if (st) {
		tool_warn(NULL, "%s%s", err, info.readout_ambiguous
		          ? " (say which with --readout PREFIX)" : "");
		return TOOL_EXIT_FAIL;
	}
	if (info.zero_readout && isatty(STDERR_FILENO))
		tool_warn(NULL, "no readout (X.weight) among the tensors: its %zu output%s %s zero",
		          dk_model_output_size(m), dk_model_output_size(m) == 1 ? "" : "s",
		          dk_model_output_size(m) == 1 ? "is" : "are");
	dk_bundle *b = dk_bundle_alloc();
	st = b ? dk_model_to_bundle(m, b) : DK_ENOMEM;
	json_t *prov = NULL;
	if (!st) {
		prov = tool_provenance(options_json(&o, m, argv + optind,
		                                    argc - optind, &info));
		st = prov ? tool_bundle_stamp(b, prov) : DK_ENOMEM;
	}
	json_decref(prov);
	dk_model_free(m);
	if (st) {
		tool_warn(NULL, "%s", dk_strerror(st));
		dk_bundle_free(b);
		return TOOL_EXIT_FAIL;
	}
	int status = tool_write_bundle(o.output, b);
	dk_bundle_free(b);
	return status;
}
