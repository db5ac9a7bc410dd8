/*
 * shapes_iou_npy.c -- dk_shapes_iou_foreground on .npy records, for
 * tests/shapes.sh to compare with the score written in NumPy (a test
 * program, not a tool: dk-run has no per-pixel run to score yet).
 *
 *	shapes_iou_npy CLASSES < in
 *
 * reads pred and target, <i8 label maps (batch, row, col) of one shape,
 * as plain records on stdin, and prints the foreground intersection over
 * union and accuracy, "%.17g %.17g".  Exit 0, or 1 with a message.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_PROG "shapes_iou_npy"
#include "npy_prog.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return fail("usage: CLASSES");
	size_t classes = strtoul(argv[1], NULL, 10);
	dk_stream_reader *r = dk_stream_reader_alloc(0, "stdin");
	dk_tensor *pred = next_of(r, DK_I8, 3), *target = next_of(r, DK_I8, 3);
	dk_stream_reader_free(r);
	if (!pred || !target || memcmp(pred->shape, target->shape, 3 * sizeof(size_t)))
		return fail("want two <i8 records pred and target of one 3-d shape");
	double iou, acc;
	char err[256];
	int st = dk_shapes_iou_foreground(pred->shape[0], pred->shape[1] * pred->shape[2], classes,
	                                  pred->data, target->data, &iou, &acc, err, sizeof err);
	dk_tensor_free(pred);
	dk_tensor_free(target);
	if (st)
		return fail(err);
	printf("%.17g %.17g\n", iou, acc);
	return 0;
}
