/*
 * points.c -- find the states an analysis starts from in a bundle and lay
 * them out as one state per row (see points.h).
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/points.h"
#include "base/status.h"
#include "stream/names.h"

long dk_points_find(const dk_bundle *b, const char *const *names,
                    size_t count, char *err, size_t errlen)
{
	char wanted[256] = "";
	for (size_t k = 0; k < count; k++) {
		long i = dk_bundle_find(b, names[k]);
		if (i >= 0)
			return i;
		size_t used = strlen(wanted);
		snprintf(wanted + used, sizeof wanted - used, "%s%s",
		         k ? " or " : "", names[k]);
	}
	long found = -1;
	for (size_t k = 0; k < dk_bundle_size(b); k++) {
		if (strncmp(dk_bundle_name(b, k), "model/", 6) == 0)
			continue;
		if (found >= 0) {
			dk_errorf(DK_EINVAL, err, errlen,
			          "no tensor named %s, and more than one other "
			          "tensor (%s, %s)", wanted,
			          dk_bundle_name(b, (size_t)found),
			          dk_bundle_name(b, k));
			return -1;
		}
		found = (long)k;
	}
	if (found < 0 && dk_bundle_size(b) == 0)
		dk_errorf(DK_EINVAL, err, errlen, "no states: the stream holds no tensors");
	else if (found < 0)
		dk_errorf(DK_EINVAL, err, errlen, "no states: no tensor named %s; the "
		          "stream holds only a model's tensors (%s, ...)", wanted,
		          dk_bundle_name(b, 0));
	return found;
}

int dk_points_from_bundle(const dk_bundle *b, size_t n, dk_tensor **out,
                          const char **name, char *err, size_t errlen)
{
	*out = NULL;
	static const char *const names[] = {DK_NAME_FP_X, DK_NAME_STATES};
	long i = dk_points_find(b, names, 2, err, errlen);
	if (i < 0)
		return DK_EINVAL;
	const char *nm = dk_bundle_name(b, (size_t)i);
	const dk_tensor *t = dk_bundle_tensor(b, (size_t)i);
	if (t->rank < 1 || t->shape[t->rank - 1] != n)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: the last axis must be the state (%zu), "
		                 "not %zu", *nm ? nm : DK_NAME_STATES, n,
		                 t->rank < 1 ? (size_t)0 : t->shape[t->rank - 1]);
	if (t->count == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no states",
		                 *nm ? nm : DK_NAME_STATES);
	if (t->dtype == DK_C16 || t->dtype == DK_BYTES)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "%s: states must be real, not %s",
		                 *nm ? nm : DK_NAME_STATES, dk_dtype_name(t->dtype));
	dk_tensor *f8;
	int rc = dk_tensor_convert_named(t, DK_F8, &f8, *nm ? nm : DK_NAME_STATES, err, errlen);
	if (rc)
		return rc;
	const double *v = f8->data;
	for (size_t k = 0; k < f8->count; k++)
		if (!isfinite(v[k])) {
			dk_tensor_free(f8);
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "%s: state %zu holds a non-finite value",
			                 *nm ? nm : DK_NAME_STATES, k / n);
		}
	/* Flatten every leading axis: the data are already row-major. */
	f8->shape[0] = f8->count / n;
	f8->shape[1] = n;
	f8->rank = 2;
	*out = f8;
	if (name)
		*name = nm;
	return DK_OK;
}

int dk_points_inputs_from_bundle(const dk_bundle *b, size_t P, size_t m,
                                 dk_tensor **out, char *err, size_t errlen)
{
	*out = NULL;
	const dk_tensor *t = dk_bundle_get(b, DK_NAME_INPUT);
	if (!t)
		return dk_errorf(DK_EINVAL, err, errlen, "no tensor named %s beside the "
		                 "states", DK_NAME_INPUT);
	if (t->rank < 1 || t->shape[t->rank - 1] != m || (m ? t->count / m : 0) != P)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: want %zu rows of %zu inputs, "
		                 "one per state (its last axis the model's inputs)",
		                 DK_NAME_INPUT, P, m);
	if (t->dtype == DK_C16 || t->dtype == DK_BYTES)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: inputs must be real, not %s",
		                 DK_NAME_INPUT, dk_dtype_name(t->dtype));
	dk_tensor *f8;
	int rc = dk_tensor_convert_named(t, DK_F8, &f8, DK_NAME_INPUT, err, errlen);
	if (rc)
		return rc;
	const double *v = f8->data;
	for (size_t k = 0; k < f8->count; k++)
		if (!isfinite(v[k])) {
			dk_tensor_free(f8);
			return dk_errorf(DK_EINVAL, err, errlen, "%s: row %zu holds a non-finite "
			                 "value", DK_NAME_INPUT, k / m);
		}
	f8->shape[0] = P;
	f8->shape[1] = m;
	f8->rank = 2;
	*out = f8;
	return DK_OK;
}
