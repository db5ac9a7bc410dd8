/*
 * sweep.h -- a parameter sweep at the level of streams: a stream of
 * parameters, one value (or one list of values) per row, checked once;
 * and the records of one solve per row stacked into records with a new
 * leading axis "row".
 *
 * A parameter stream holds f8 tensors, each of shape (rows) or (rows,
 * k): row i of each gives the values of one parameter for solve i (k of
 * them for a parameter that is a list).  What a name means is the
 * caller's (dk-dmft takes its option names): this file checks the form
 * and the values, and stacks results without knowing what they are, so
 * that any solver whose records keep their shapes from row to row can be
 * swept.
 */
#ifndef DK_STREAM_SWEEP_H
#define DK_STREAM_SWEEP_H

#include <stddef.h>

#include "stream/bundle.h"

/* The most rows a sweep takes. */
#define DK_SWEEP_MAX_ROWS 1000000

/*
 * Check the parameter stream p: at least one tensor; each named, its
 * name one of the count names of allowed, f8, of rank 1 or 2 with at
 * least one value per row, every value finite, and every tensor of the
 * same number of rows, 1 to DK_SWEEP_MAX_ROWS, into *rows.  DK_EINVAL
 * with a message naming the tensor (and the row of a non-finite value)
 * otherwise.
 */
int dk_sweep_params_check(const dk_bundle *p, const char *const *allowed,
                          size_t count, size_t *rows, char *err, size_t errlen);

/* The k values of row i of parameter tensor t (checked as above). */
const double *dk_sweep_param_row(const dk_tensor *t, size_t row, size_t *k);

/* The stacked records of a sweep being filled in, row by row. */
typedef struct dk_sweep dk_sweep;

/* Room for rows rows; NULL when out of memory. */
dk_sweep *dk_sweep_alloc(size_t rows);
void dk_sweep_free(dk_sweep *s);

/*
 * Copy the records of row's solve, b, into the stack.  Row 0 fixes the
 * names, their order, dtypes and shapes, and the axes and attrs the
 * stacked records keep; every later row must match it: DK_EINVAL with a
 * message naming the row and the record otherwise.  Rows are added in
 * order, each once.  DK_ENOMEM, DK_ELIMIT for a stack too large.
 */
int dk_sweep_add(dk_sweep *s, size_t row, const dk_bundle *b, char *err,
                 size_t errlen);

/*
 * Once every row is in: the stacked records into out, each of shape
 * (rows, ...row 0's shape), axes "row" and row 0's, row 0's attrs and
 * "sweep": {"rows": rows, "params": [the names of p]} (the attrs that
 * name a swept parameter are row 0's: the values of every row are the
 * prefix records); and each parameter tensor of p under prefix + its
 * name, axes "row" (and "value" for a list).  The stack is emptied.
 * DK_EINVAL when a row is missing, DK_ENOMEM.
 */
int dk_sweep_to_bundle(dk_sweep *s, const dk_bundle *p, const char *prefix,
                       dk_bundle *out);

#endif
