/*
 * eig.c -- dk-plot eig: eigenvalues in the complex plane.
 *
 * The eigenvalues are -s's tensor, else jac/eig (dk-jac), else fp/eig
 * (dk-fixed --jac), else the stream's one complex tensor; (point, k) or
 * (k), complex or real.  data.txt holds "re im point" lines for the
 * finite ones, each point coloured by its index.  A map's are drawn with
 * the unit circle, a flow's with the imaginary axis (and an x range that
 * keeps it in view): the border of stability in each convention.
 */
#include <config.h>

#include <math.h>
#include <stdint.h>

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

/* Write data.txt: the finite eigenvalues of the points x per values of
   t, and the range lo .. hi of their real parts (0 included).  Returns
   how many there were, or SIZE_MAX (warned) on a write error. */
static size_t write_values(plot_script *s, const dk_tensor *t, size_t points,
                           size_t per, double *lo, double *hi)
{
	size_t finite = 0;
	*lo = *hi = 0;
	FILE *f = plot_file(s, "data.txt");
	if (!f)
		return SIZE_MAX;
	for (size_t p = 0; p < points; p++)
		for (size_t j = 0; j < per; j++) {
			double complex z = plot_eig_value(t, p * per + j);
			double re = creal(z), im = cimag(z);
			if (!isfinite(re) || !isfinite(im))
				continue;
			finite++;
			*lo = fmin(*lo, re);
			*hi = fmax(*hi, re);
			fprintf(f, "%.17g %.17g %zu\n", re, im, p);
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
	double lo, hi;
	size_t finite = write_values(s, t, points, per, &lo, &hi);
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
	            "unset key\nset tics out\n");
	const char *pts = points > 1 ? "lc palette" : "lc rgb '#1f4e96'";
	if (points > 1)
		fprintf(gp, "set cbrange [0:%zu]\nset cblabel 'point'\nset rmargin 12\n%s"
		            "set palette defined (0 '#1f4e96', 1 '#2ca02c', 2 '#e08a00')\n",
		        points - 1, points <= 10 ? "set cbtics 1\n" : "");
	if (conv == DK_MAP) {
		fprintf(gp, "set parametric\nset trange [0:2*pi]\n"
		            "plot cos(t), sin(t) with lines lc rgb '#888888' dt 2, "
		            "'data.txt' using 1:2:3 with points pt 7 ps 0.7 %s\n", pts);
	} else {
		double pad = 0.05 * (hi - lo > 0 ? hi - lo : 1);
		fprintf(gp, "set xrange [%.17g:%.17g]\n"
		            "set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb '#888888' dt 2\n"
		            "plot 'data.txt' using 1:2:3 with points pt 7 ps 0.7 %s\n",
		        lo - pad, hi + pad, pts);
	}
	return plot_script_end(gp);
}
