/*
 * eigvals.c -- eigenvalues as a stream holds them, for the pictures that
 * draw them (eig) or mark points by them (pca): whether they are a map's
 * or a flow's, and each value as a complex number whether the tensor is
 * complex or real.
 *
 * The convention is --convention's, else a key "convention" in the
 * tensor's attrs or in an object one level down (dk-jac writes it at the
 * top, dk-fixed under "fp"), else a map's.
 */
#include <config.h>

#include "base/complex_make.h"
#include "plot.h"

/* The convention named in the attrs of m; 0 when none is. */
static int attrs_convention(const dk_meta *m, dk_convention *c)
{
	json_t *attrs = m ? dk_meta_attrs(m) : NULL, *v;
	const char *key;
	const char *name = json_string_value(json_object_get(attrs, "convention"));
	json_object_foreach(attrs, key, v) {
		if (name)
			break;
		name = json_string_value(json_object_get(v, "convention"));
	}
	return name && dk_convention_from_name(name, c) == DK_OK;
}

dk_convention plot_convention(const plot_options *o, const dk_bundle *b, long i)
{
	dk_convention c = DK_MAP;
	if (o->have_convention)
		return o->convention;
	if (i >= 0 && attrs_convention(dk_bundle_meta(b, (size_t)i), &c))
		return c;
	return DK_MAP;
}

/* The j-th eigenvalue, its parts kept exactly (infinite and NaN parts
   too: re + im * I would mix them). */
double complex plot_eig_value(const dk_tensor *t, size_t j)
{
	if (t->dtype == DK_C16) {
		const double *v = (const double *)t->data + 2 * j;
		return dk_complex_make(v[0], v[1]);
	}
	return dk_complex_make(dk_tensor_get_real(t, j), 0);
}
