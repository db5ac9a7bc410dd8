/*
 * run_steps.c -- a test-only runner of a model over a sequence, until
 * dk-run exists: reads a model stream and an input .npy of shape (time,
 * batch, feature) (PyTorch's default layout), and writes to the standard
 * output one bare .npy of the states after each step, shape (time,
 * batch, state size), starting from the zero state or from the (batch,
 * state size) .npy given third.  For lstm the state is [h, c].
 *
 *	run_steps MODEL INPUT [STATE0] > states.npy
 *
 * Used by tests/gates_numpy.sh; not installed.
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynkit.h"

static int die(const char *what)
{
	fprintf(stderr, "run_steps: %s\n", what);
	return 1;
}

/* The first tensor of the stream in path, as f8. */
static dk_tensor *read_first(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	dk_stream_reader *r = dk_stream_reader_alloc(fd, path);
	const dk_record *rec;
	dk_tensor *t = NULL, *f8 = NULL;
	if (r && dk_stream_next(r, &rec) == DK_OK && rec && dk_stream_read_tensor(r, &t) == DK_OK &&
	    dk_tensor_convert(t, DK_F8, &f8) != DK_OK)
		f8 = NULL;
	dk_tensor_free(t);
	dk_stream_reader_free(r);
	close(fd);
	return f8;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4)
		return die("usage: run_steps MODEL INPUT [STATE0]");
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return die("cannot open the model");
	dk_stream_reader *r = dk_stream_reader_alloc(fd, argv[1]);
	dk_bundle *b = dk_bundle_alloc();
	dk_model *m = NULL;
	char err[256] = "";
	int st = r && b ? dk_bundle_read(b, r) : DK_ENOMEM;
	if (!st)
		st = dk_model_from_bundle(b, &m, err, sizeof err);
	dk_bundle_free(b);
	dk_stream_reader_free(r);
	close(fd);
	if (st)
		return die(err[0] ? err : "cannot read the model");

	size_t n = dk_model_state_size(m), in = dk_model_input_size(m);
	dk_tensor *u = read_first(argv[2]);
	if (!u || u->rank != 3 || u->shape[2] != in)
		return die("INPUT must be (time, batch, inputs)");
	size_t T = u->shape[0], B = u->shape[1];
	size_t shape[3] = {T, B, n};
	dk_tensor *states = dk_tensor_alloc(DK_F8, 0, 3, shape);
	double *x = calloc(B * n + 1, sizeof *x);
	if (!states || !x)
		return die("out of memory");
	if (argc == 4) {
		dk_tensor *x0 = read_first(argv[3]);
		if (!x0 || x0->count != B * n)
			return die("STATE0 must hold batch x state size values");
		memcpy(x, x0->data, B * n * sizeof *x);
		dk_tensor_free(x0);
	}
	dk_model_work *w = dk_model_work_alloc(m, B);
	double *out = states->data;
	const double *ud = u->data;
	for (size_t t = 0; t < T; t++) {
		if (dk_model_step(m, w, B, x, ud + t * B * in, out + t * B * n, NULL))
			return die("step failed");
		memcpy(x, out + t * B * n, B * n * sizeof *x);
	}
	dk_stream_writer *wr = dk_stream_writer_alloc(STDOUT_FILENO);
	st = wr ? dk_stream_write_tensor(wr, states) : DK_ENOMEM;
	if (!st)
		st = dk_stream_writer_flush(wr);
	dk_stream_writer_free(wr);
	dk_model_work_free(w);
	dk_model_free(m);
	dk_tensor_free(u);
	dk_tensor_free(states);
	free(x);
	return st ? die("write error") : 0;
}
