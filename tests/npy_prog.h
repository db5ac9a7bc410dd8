/*
 * npy_prog.h -- what the tests' .npy programs (conv2d_npy, conv_stack_npy,
 * pixel_head_npy, shapes_iou_npy, model_grad_npy) share: a message and
 * exit status 1 for a failure, and the next record of stdin as a tensor
 * of one dtype and rank.  Define NPY_PROG (the program's name) before
 * including it.
 */
#ifndef DK_TESTS_NPY_PROG_H
#define DK_TESTS_NPY_PROG_H

#include <stdio.h>

#include "dynkit.h"

static inline int fail(const char *what)
{
	fprintf(stderr, "%s: %s\n", NPY_PROG, what);
	return 1;
}

/* the next record as a tensor, NULL at the end, on an error or when it
   is not of dtype and rank */
static inline dk_tensor *next_of(dk_stream_reader *r, dk_dtype dtype, int rank)
{
	const dk_record *rec;
	dk_tensor *t = NULL;
	if (dk_stream_next(r, &rec) || !rec || dk_stream_read_tensor(r, &t))
		return NULL;
	if (t->dtype != dtype || t->rank != rank) {
		dk_tensor_free(t);
		return NULL;
	}
	return t;
}

#endif
