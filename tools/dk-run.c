/*
 * dk-run -- run a model on an input sequence: its states and outputs,
 * and, when the input carries a task's target and mask, the loss.
 *
 *	dk-gen flipflop --batch 8 | dk-run model.npy > run.npy
 *
 * The input is a stream holding "input" (time, batch, feature), as dk-gen
 * writes it, or a plain .npy of that shape (PyTorch's default layout);
 * an optional "h0" (batch, state) sets the initial state.
 */
#include <config.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

typedef struct {
	const char *output;
	size_t max_elements;
	int no_states;
} options;

static void usage(void)
{
	printf("Usage: dk-run [OPTION]... MODEL [INPUT]\n"
	       "Run MODEL on the input sequence INPUT (standard input when absent or -).\n"
	       "Writes states (time, batch, state) and output (time, batch, output);\n"
	       "when INPUT has target and mask tensors, also run/loss (and run/accuracy\n"
	       "for classification).\n"
	       "\n"
	       "  -n, --no-states       leave the states out\n"
	       "  -o, --output FILE     write FILE atomically instead of stdout\n"
	       "      --max-elements N  refuse tensors of more than N elements\n"
	       "                        (default 2^30)\n"
	       "  -h, --help            show this help and exit\n"
	       "      --version         show the version and exit\n"
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	exit(fclose(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

/* The input sequence: "input", else the only tensor; as f8. */
static dk_tensor *find_input(const dk_bundle *in, const char *src)
{
	dk_tensor *x = dk_bundle_get(in, "input");
	if (!x && dk_bundle_size(in) == 1)
		x = dk_bundle_tensor(in, 0);
	if (!x) {
		tool_warn(src, "no tensor named input (and more than one tensor)");
		return NULL;
	}
	if (x->rank != 3) {
		tool_warn(src, "input must be (time, batch, feature), not rank %d", x->rank);
		return NULL;
	}
	dk_tensor *f8;
	if (dk_tensor_convert(x, DK_F8, &f8)) {
		tool_warn(src, "input: cannot convert %s to f8", dk_dtype_name(x->dtype));
		return NULL;
	}
	return f8;
}

static int add(dk_bundle *b, const char *name, dk_tensor *t,
               const char *const *axes, size_t naxes)
{
	dk_meta *m = dk_meta_new(name);
	if (!m || (naxes && dk_meta_set_axes(m, axes, naxes))) {
		dk_meta_free(m);
		dk_tensor_free(t);
		return DK_ENOMEM;
	}
	return dk_bundle_add(b, name, m, t);
}

static dk_tensor *scalar(double v)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 0, NULL);
	if (t)
		((double *)t->data)[0] = v;
	return t;
}

/* Run and gather the results; returns the exit status. */
static int run(const options *o, const dk_model *m, const dk_bundle *in,
               const char *src, dk_bundle *out)
{
	dk_tensor *x = find_input(in, src);
	if (!x)
		return TOOL_EXIT_FAIL;
	size_t T = x->shape[0], B = x->shape[1], n = dk_model_state_size(m);
	size_t no = dk_model_output_size(m);
	if (x->shape[2] != dk_model_input_size(m)) {
		tool_warn(src, "input has %zu features; the model takes %zu",
		          x->shape[2], dk_model_input_size(m));
		dk_tensor_free(x);
		return TOOL_EXIT_FAIL;
	}
	const dk_tensor *h0 = dk_bundle_get(in, "h0");
	if (h0 && (h0->dtype != DK_F8 || h0->rank != 2 || h0->shape[0] != B || h0->shape[1] != n)) {
		tool_warn(src, "h0 must be f8 (%zu, %zu)", B, n);
		dk_tensor_free(x);
		return TOOL_EXIT_FAIL;
	}
	size_t sshape[3] = {T, B, n}, yshape[3] = {T, B, no}, count;
	if (dk_shape_count(3, sshape, sizeof(double), &count) || count > o->max_elements) {
		tool_warn(src, "states of (%zu, %zu, %zu) exceed the limit of %zu elements",
		          T, B, n, o->max_elements);
		dk_tensor_free(x);
		return TOOL_EXIT_FAIL;
	}
	dk_tensor *states = dk_tensor_alloc(DK_F8, 0, 3, sshape);
	dk_tensor *y = dk_tensor_alloc(DK_F8, 0, 3, yshape);
	int st = states && y ? dk_model_run(m, T, B, h0 ? h0->data : NULL, x->data,
	                                     states->data, y->data)
	                     : DK_ENOMEM;
	dk_tensor_free(x);
	const dk_tensor *target = dk_bundle_get(in, "target"), *mask = dk_bundle_get(in, "mask");
	double loss = NAN, acc = NAN;
	char err[256];
	if (!st && target && mask && dk_loss_eval(y, target, mask, &loss, &acc, err, sizeof err)) {
		tool_warn(src, "loss: %s", err);
		dk_tensor_free(states);
		dk_tensor_free(y);
		return TOOL_EXIT_FAIL;
	}
	static const char *const axes[3] = {"time", "batch", "unit"};
	static const char *const yaxes[3] = {"time", "batch", "output"};
	if (!st && !o->no_states)
		st = add(out, "states", states, axes, 3);
	else
		dk_tensor_free(states);
	if (!st)
		st = add(out, "output", y, yaxes, 3);
	else
		dk_tensor_free(y);
	if (!st && !isnan(loss))
		st = add(out, "run/loss", scalar(loss), NULL, 0);
	if (!st && !isnan(acc))
		st = add(out, "run/accuracy", scalar(acc), NULL, 0);
	if (st) {
		tool_warn(NULL, "%s", dk_strerror(st));
		return TOOL_EXIT_FAIL;
	}
	return TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"no-states", no_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	int c;
	tool_init("dk-run", argv);
	while ((c = getopt_long(argc, argv, "no:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 'n': o.no_states = 1; break;
		case 'o': o.output = optarg; break;
		}
	}
	if (optind >= argc || argc - optind > 2)
		tool_usage_error(optind >= argc ? "which MODEL?" : "one MODEL and one INPUT");
	const char *model_path = argv[optind];
	const char *input_path = optind + 1 < argc ? argv[optind + 1] : "-";
	if (!strcmp(model_path, "-") && !strcmp(input_path, "-"))
		tool_usage_error("MODEL and INPUT cannot both be standard input");

	dk_bundle *mb = tool_read_bundle(model_path, o.max_elements);
	dk_bundle *in = mb ? tool_read_bundle(input_path, o.max_elements) : NULL;
	dk_model *m = NULL;
	char err[256];
	int status = TOOL_EXIT_FAIL;
	if (in && dk_model_from_bundle(mb, &m, err, sizeof err))
		tool_warn(model_path, "%s", err);
	dk_bundle *out = dk_bundle_alloc();
	if (m && out)
		status = run(&o, m, in, input_path, out);
	status = tool_finish(status, o.output, out,
	                     json_pack("{s:s, s:b}", "model", model_path, "states",
	                               !o.no_states));
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(in);
	dk_bundle_free(out);
	return status;
}
