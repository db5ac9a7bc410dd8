/*
 * eig.c -- dk-plot eig: eigenvalues in the complex plane.
 *
 * The eigenvalues are -s's tensor, else jac/eig (dk-jac), else fp/eig
 * (dk-fixed --jac), else the stream's one complex tensor; (point, k) or
 * (k), complex or real.  data.txt holds "re im class" lines for the
 * finite ones, each point's eigenvalues coloured by its class: its
 * unstable directions (jac/index beside jac/eig, fp/index beside fp/eig,
 * else counted from its eigenvalues as the convention reads them): 0
 * stable, 1, 2 or more, each class present one title in the key.  A
 * map's are drawn with
 * the unit circle, a flow's with the imaginary axis (and an x range that
 * keeps it in view): the border of stability in each convention.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "plot.h"

/* The entry of the eigenvalues to draw: -s, else jac/eig, else fp/eig,
   else the only complex tensor; -1 (warned) when there is none. */
static long find_eig(const plot_options *o, const dk_bundle *b)
{
	const char *src = o->input;
	long i = -1;
	if (o->select) {
		if ((i = dk_bundle_find(b, o->select)) < 0)
			tool_warn(src, "no tensor named %s", o->select);
		return i;
	}
	if ((i = dk_bundle_find(b, DK_NAME_JAC_EIG)) >= 0 ||
	    (i = dk_bundle_find(b, DK_NAME_FP_EIG)) >= 0)
		return i;
	for (size_t k = 0; k < dk_bundle_size(b); k++)
		if (dk_bundle_tensor(b, k)->dtype == DK_C16) {
			if (i >= 0) {
				tool_warn(src, "no " DK_NAME_JAC_EIG " or " DK_NAME_FP_EIG ", and "
				          "more than one complex tensor (%s, %s): choose with -s",
				          dk_bundle_name(b, (size_t)i), dk_bundle_name(b, k));
				return -1;
			}
			i = (long)k;
		}
	if (i < 0)
		tool_warn(src, "no eigenvalues: no tensor " DK_NAME_JAC_EIG " or "
		          DK_NAME_FP_EIG " (dk-jac and dk-fixed --jac write them), and "
		          "no complex tensor");
	return i;
}

/* The classes drawn apart: a point's unstable directions, 2 for two or
   more. */
static const struct {
	const char *title, *colour;
} eig_class[3] = {
	{"stable (index 0)", "#1f4e96"},
	{"index 1", "#e08a00"},
	{"index 2 or more", "#c0392b"},
};

/* The class of point p: from the index tensor beside the eigenvalues
   when it fits, else the count of its eigenvalues beyond the border of
   stability (|z| > 1 for a map, Re z > 0 for a flow; 1e-10 inside it as
   dk-jac's default tolerance). */
static int point_class(const dk_tensor *index, const dk_tensor *t, size_t p, size_t per,
                       dk_convention conv)
{
	double k = 0;
	if (index) {
		k = dk_tensor_get_real(index, p);
	} else {
		for (size_t j = 0; j < per; j++) {
			double complex z = plot_eig_value(t, p * per + j);
			k += conv == DK_MAP ? cabs(z) > 1 + 1e-10 : creal(z) > 1e-10;
		}
	}
	return k >= 2 ? 2 : k >= 1 ? 1 : 0;
}

/* Write data.txt: the finite eigenvalues of the points x per values of
   t with their class (counted in count[3]), and the range lo .. hi of
   their real parts (0 included).  Returns how many there were, or
   SIZE_MAX (warned) on a write error. */
static size_t write_values(plot_script *s, const dk_tensor *t, const dk_tensor *index,
                           dk_convention conv, size_t points, size_t per, double *lo,
                           double *hi, size_t count[3])
{
	size_t finite = 0;
	*lo = *hi = 0;
	FILE *f = plot_file(s, "data.txt");
	if (!f)
		return SIZE_MAX;
	for (size_t p = 0; p < points; p++) {
		int c = point_class(index, t, p, per, conv);
		for (size_t j = 0; j < per; j++) {
			double complex z = plot_eig_value(t, p * per + j);
			double re = creal(z), im = cimag(z);
			if (!isfinite(re) || !isfinite(im))
				continue;
			finite++;
			*lo = fmin(*lo, re);
			*hi = fmax(*hi, re);
			count[c]++;
			fprintf(f, "%.17g %.17g %d\n", re, im, c);
		}
	}
	return plot_file_close(f, "data.txt") ? SIZE_MAX : finite;
}

int plot_eig(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	long at = find_eig(o, b);
	if (at < 0)
		return TOOL_EXIT_FAIL;
	const dk_tensor *t = dk_bundle_tensor(b, (size_t)at);
	const char *name = dk_bundle_name(b, (size_t)at);
	if (!*name)
		name = "the tensor";
	if (t->dtype == DK_BYTES || t->rank > 2) {
		tool_warn(o->input, "%s: eigenvalues are a complex (or real) (point, k) "
		          "or (k) tensor", name);
		return TOOL_EXIT_FAIL;
	}
	dk_convention conv = plot_convention(o, b, at);
	size_t points = t->rank == 2 ? t->shape[0] : 1;
	size_t per = points ? t->count / points : 0;
	/* the index beside the eigenvalues, when it has a real value a point */
	const char *iname = !strcmp(name, DK_NAME_JAC_EIG) ? DK_NAME_JAC_INDEX
	                    : !strcmp(name, DK_NAME_FP_EIG) ? DK_NAME_FP_INDEX : NULL;
	const dk_tensor *index = iname ? dk_bundle_get(b, iname) : NULL;
	if (index && (index->count != points || index->dtype == DK_C16 ||
	              index->dtype == DK_BYTES))
		index = NULL;
	double lo, hi;
	size_t count[3] = {0};
	size_t finite = write_values(s, t, index, conv, points, per, &lo, &hi, count);
	if (finite == SIZE_MAX)
		return TOOL_EXIT_FAIL;
	if (!finite) {
		tool_warn(o->input, "%s: no finite eigenvalue to plot", name);
		return TOOL_EXIT_FAIL;
	}
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	fprintf(gp, "set size ratio -1\nset grid\nset xlabel 'Re'\nset ylabel 'Im'\n"
	            "set tics out\nset key outside bottom center horizontal\n");
	if (conv == DK_MAP)
		fprintf(gp, "set parametric\nset trange [0:2*pi]\n"
		            "plot cos(t), sin(t) with lines lc rgb '#888888' dt 2 notitle");
	else {
		double pad = 0.05 * (hi - lo > 0 ? hi - lo : 1);
		fprintf(gp, "set xrange [%.17g:%.17g]\n"
		            "set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb '#888888' dt 2\n"
		            "plot 1/0 notitle", lo - pad, hi + pad);
	}
	for (int c = 0; c < 3; c++)
		if (count[c])
			fprintf(gp, ", \\\n     'data.txt' using 1:($3 == %d ? $2 : 1/0) with points "
			        "pt 7 ps 0.7 lc rgb '%s' title '%s'", c, eig_class[c].colour,
			        eig_class[c].title);
	fputs("\n", gp);
	return plot_script_end(gp);
}
