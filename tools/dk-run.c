/*
 * dk-run -- run a model on an input sequence: its states and outputs,
 * and, when the input carries a task's target and mask, the loss.
 *
 *	dk-gen flipflop --batch 8 | dk-run model.npy > run.npy
 *
 * The input is a stream holding "input" (time, batch, feature), as dk-gen
 * writes it, or a plain .npy of that shape (PyTorch's default layout);
 * an optional "h0" (batch, state) sets the initial state.  Finding them,
 * the run, the loss and the records are lib/train/run_batch.c's.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

typedef struct {
	const char *output;
	size_t max_elements;
	int no_states;
	size_t feedback;   /* --feedback STEP; 0: none */
} options;

static void usage(void)
{
	printf("Usage: dk-run [OPTION]... MODEL [INPUT]\n"
	       "Run MODEL on the input sequence INPUT (standard input when absent or -).\n"
	       "Writes states (time, batch, state) and output (time, batch, output);\n"
	       "when INPUT has target and mask tensors, also run/loss (and run/accuracy\n"
	       "for classification).  A model with a head (nwm, cnn --classes) runs on images\n"
	       "(batch, channel, row, col): output (batch, row, col, class), run/labels,\n"
	       "and with target labels run/loss, run/accuracy, run/iou_foreground.\n"
	       "\n"
	       "  -n, --no-states       leave the states out\n"
	       "      --feedback STEP   closed loop: from step STEP (counted from 0; the\n"
	       "                        flow task's frames_in) each step's input is the\n"
	       "                        output of the step before\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* Run and gather the results (lib/train/run_batch.h); returns the exit
   status. */
static int run(const options *o, const dk_model *m, const dk_bundle *in,
               const char *src, dk_bundle *out)
{
	dk_run_batch rb;
	char err[256];
	int st, status = TOOL_EXIT_FAIL;
	if (dk_run_batch_read(&rb, m, in, o->max_elements, err, sizeof err)) {
		tool_warn(src, "%s", err);
		return TOOL_EXIT_FAIL;
	}
	if (dk_run_batch_set_feedback(&rb, m, o->feedback, err, sizeof err)) {
		tool_warn(src, "%s", err);
		dk_run_batch_clear(&rb);
		return TOOL_EXIT_FAIL;
	}
	if ((st = dk_run_batch_run(&rb, m))) {
		tool_warn(NULL, "%s", dk_strerror(st));
	} else {
		/* a target that does not fit the outputs (a model imported
		   without its readout) leaves the run itself worth writing */
		if (dk_run_batch_loss(&rb, err, sizeof err))
			tool_warn(src, "no loss computed: %s", err);
		if ((st = dk_run_batch_to_bundle(&rb, !o->no_states, out)))
			tool_warn(NULL, "%s", dk_strerror(st));
		else
			status = TOOL_EXIT_OK;
	}
	dk_run_batch_clear(&rb);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"no-states", no_argument, NULL, 'n'},
		{"feedback", required_argument, NULL, 'F'},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	int c;
	tool_init_numeric("dk-run", argv);
	while ((c = getopt_long(argc, argv, "no:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 'n': o.no_states = 1; break;
		case 'F':
			o.feedback = tool_parse_count("--feedback", optarg);
			if (!o.feedback)
				tool_usage_error("--feedback: step 0 has no step before it");
			break;
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
	                     o.feedback ? json_pack("{s:s, s:b, s:I}", "model", model_path,
	                                            "states", !o.no_states, "feedback",
	                                            (json_int_t)o.feedback)
	                     : json_pack("{s:s, s:b}", "model", model_path, "states",
	                                 !o.no_states));
	dk_model_free(m);
	dk_bundle_free(mb);
	dk_bundle_free(in);
	dk_bundle_free(out);
	return status;
}
