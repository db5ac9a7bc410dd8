/*
 * test_points.c -- the states an analysis starts from: which tensor is
 * taken, leading axes flattened into points, and the refusals.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

static dk_tensor *ramp(int rank, const size_t *shape)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, rank, shape);
	for (size_t i = 0; i < t->count; i++)
		((double *)t->data)[i] = (double)i;
	return t;
}

int main(void)
{
	char err[256];
	dk_tensor *p = NULL;
	const char *name = NULL;

	dk_bundle *b = dk_bundle_alloc();
	size_t s3[] = {4, 3, 5}, s2[] = {2, 5}, s1[] = {5};
	dk_bundle_add(b, "model/W", NULL, ramp(1, s1));
	dk_bundle_add(b, "states", NULL, ramp(3, s3));
	is_int(dk_points_from_bundle(b, 5, &p, &name, err, sizeof err), DK_OK,
	       "states (time, batch, unit) are found");
	ok(p && p->rank == 2 && p->shape[0] == 12 && p->shape[1] == 5,
	   "flattened to 12 points of 5");
	ok(p && ((double *)p->data)[7 * 5 + 2] == 37, "in row-major order");
	is_str(name, "states", "under the name states");
	dk_tensor_free(p);

	dk_bundle_add(b, "fp/x", NULL, ramp(2, s2));
	is_int(dk_points_from_bundle(b, 5, &p, &name, err, sizeof err), DK_OK,
	       "fp/x is preferred");
	ok(p && p->shape[0] == 2, "two fixed points");
	is_str(name, "fp/x", "named fp/x");
	dk_tensor_free(p);

	is_int(dk_points_from_bundle(b, 4, &p, NULL, err, sizeof err), DK_EINVAL,
	       "a last axis other than the state size is refused");
	ok(strstr(err, "last axis") != NULL, "and said: %s", err);
	ok(p == NULL, "with no tensor returned");
	dk_bundle_free(b);

	b = dk_bundle_alloc();
	dk_bundle_add(b, "", NULL, ramp(1, s1));
	is_int(dk_points_from_bundle(b, 5, &p, &name, err, sizeof err), DK_OK,
	       "a single bare vector is one point");
	ok(p && p->shape[0] == 1 && p->shape[1] == 5, "of 5 units");
	dk_tensor_free(p);
	dk_bundle_add(b, "other", NULL, ramp(1, s1));
	is_int(dk_points_from_bundle(b, 5, &p, NULL, err, sizeof err), DK_EINVAL,
	       "two candidate tensors are ambiguous");
	ok(strstr(err, "more than one") != NULL, "and said: %s", err);
	dk_bundle_free(b);

	b = dk_bundle_alloc();
	dk_tensor *bad = ramp(2, s2);
	((double *)bad->data)[6] = NAN;
	dk_bundle_add(b, "states", NULL, bad);
	is_int(dk_points_from_bundle(b, 5, &p, NULL, err, sizeof err), DK_EINVAL,
	       "a NaN state is refused");
	ok(strstr(err, "state 1") != NULL, "naming the state: %s", err);
	dk_bundle_free(b);

	b = dk_bundle_alloc();
	dk_bundle_add(b, "model/W", NULL, ramp(1, s1));
	is_int(dk_points_from_bundle(b, 5, &p, NULL, err, sizeof err), DK_EINVAL,
	       "model tensors alone hold no states");
	dk_bundle_free(b);
	return tap_done();
}
