/*
 * pca.c -- dk-plot pca: fixed points and trajectories in the plane of the
 * first two principal components of the states, or in the space of the
 * first three (--components 3, drawn by splot).
 *
 * The components are dk_pca_fit's, of the states (time, batch, unit)
 * dk-run writes, else of the fixed points fp/x dk-fixed writes; both are
 * projected on them by dk_pca_project.  traj.txt holds the trajectories,
 * batch element after batch element with a blank line between them;
 * fp.txt the fixed points with their class: fixed or slow (fp/kind 1 or
 * 0), and stable, unstable or unknown by jac/stable, else by the
 * eigenvalues fp/eig or jac/eig as dk_spectrum_classify reads them;
 * diverged points (fp/kind 2) are left out.  Each class present is one
 * title in the key; slow points are drawn first and faint, so that the
 * fixed points stand over them.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "plot.h"

/* The classes of fixed points drawn apart: 3 * slow + stability, the
   stability 0 stable, 1 unstable, 2 unknown. */
static const struct {
	const char *title, *style;
} fp_class[6] = {
	{"fixed point, stable", "pt 7 ps 1.4 lc rgb '#1f4e96'"},
	{"fixed point, unstable", "pt 6 ps 1.4 lw 2 lc rgb '#1f4e96'"},
	{"fixed point", "pt 7 ps 1.4 lc rgb '#1f4e96'"},
	{"slow point, stable", "pt 5 ps 0.7 lc rgb '#f2c27a'"},
	{"slow point, unstable", "pt 4 ps 0.7 lc rgb '#f2c27a'"},
	{"slow point", "pt 5 ps 0.7 lc rgb '#f2c27a'"},
};

/* What says the stability of the points: jac/stable, or eigenvalues with
   a row per point in their convention, or neither. */
typedef struct {
	const dk_tensor *stable, *eig; /* borrowed from the bundle; NULL: none */
	dk_convention conv;
	double complex *row;           /* one row of eig (owned) */
} stability_source;

static int stability_open(stability_source *ss, const plot_options *o,
                          const dk_bundle *b, size_t points)
{
	*ss = (stability_source){0};
	const dk_tensor *s = dk_bundle_get(b, DK_NAME_JAC_STABLE);
	if (s && s->count == points && s->dtype != DK_C16 && s->dtype != DK_BYTES) {
		ss->stable = s;
		return 0;
	}
	long at = dk_bundle_find(b, DK_NAME_FP_EIG);
	if (at < 0)
		at = dk_bundle_find(b, DK_NAME_JAC_EIG);
	const dk_tensor *e = at >= 0 ? dk_bundle_tensor(b, (size_t)at) : NULL;
	if (!e || e->dtype == DK_BYTES || e->rank != 2 || e->shape[0] != points ||
	    e->shape[1] == 0)
		return 0;
	if (!(ss->row = malloc(e->shape[1] * sizeof *ss->row))) {
		tool_warn(NULL, "out of memory");
		return 1;
	}
	ss->eig = e;
	ss->conv = plot_convention(o, b, at);
	return 0;
}

/* The stability of point p: 0 stable, 1 unstable, 2 unknown (no source,
   or an eigenvalue whose modulus (map) or real part (flow) is NaN). */
static int stability(const stability_source *ss, size_t p)
{
	if (ss->stable)
		return dk_tensor_get_real(ss->stable, p) != 0 ? 0 : 1;
	if (!ss->eig)
		return 2;
	size_t k = ss->eig->shape[1];
	for (size_t j = 0; j < k; j++) {
		ss->row[j] = plot_eig_value(ss->eig, p * k + j);
		if (isnan(ss->conv == DK_MAP ? cabs(ss->row[j]) : creal(ss->row[j])))
			return 2;
	}
	return dk_spectrum_classify(ss->row, k, ss->conv, 0).stable ? 0 : 1;
}

/* The states (NULL for none) and fixed points (NULL for none) to draw,
   checked; nonzero (warned) when they cannot be drawn together. */
static int find_inputs(const plot_options *o, const dk_bundle *b, const char *sname,
                       size_t dims, const dk_tensor **st, const dk_tensor **fx)
{
	const char *src = o->input;
	*st = dk_bundle_get(b, sname);
	*fx = dk_bundle_get(b, DK_NAME_FP_X);
	if (o->select && !*st) {
		tool_warn(src, "no tensor named %s", sname);
		return 1;
	}
	if (!*st && !*fx) {
		tool_warn(src, "no fixed points (" DK_NAME_FP_X ", as dk-fixed writes) and "
		          "no states (" DK_NAME_STATES ", as dk-run writes)");
		return 1;
	}
	const dk_tensor *s = *st, *x = *fx;
	if ((s && (s->rank < 2 || s->rank > 3 || s->dtype == DK_C16 || s->dtype == DK_BYTES)) ||
	    (x && (x->rank != 2 || x->dtype == DK_C16 || x->dtype == DK_BYTES))) {
		tool_warn(src, "states are real (time, batch, unit) or (time, unit), and "
		          DK_NAME_FP_X " real (point, unit)");
		return 1;
	}
	size_t n = s ? s->shape[s->rank - 1] : x->shape[1];
	if (s && x && x->shape[1] != n) {
		tool_warn(src, DK_NAME_FP_X " has %zu units and %s %zu", x->shape[1], sname, n);
		return 1;
	}
	const dk_tensor *fit = s ? s : x;
	if (n < dims || fit->count / n < 2) {
		tool_warn(src, "%s: %zu principal components need at least %zu units "
		          "and 2 states; it has %zu units and %zu states",
		          s ? sname : DK_NAME_FP_X, dims, dims, n, fit->count / n);
		return 1;
	}
	return 0;
}

/* Print the pca->k coordinates y, space-separated, without a newline. */
static void print_coords(FILE *f, const dk_pca *pca, const double *y)
{
	for (size_t j = 0; j < pca->k; j++)
		fprintf(f, "%s%.17g", j ? " " : "", y[j]);
}

/* Write traj.txt: the projections of the states s8 (T, B, n), f8. */
static int write_trajectories(plot_script *s, const dk_pca *pca, const dk_tensor *s8)
{
	FILE *f = plot_file(s, "traj.txt");
	if (!f)
		return 1;
	size_t n = pca->n, T = s8 ? s8->shape[0] : 0;
	size_t B = s8 && s8->rank == 3 ? s8->shape[1] : 1;
	for (size_t bi = 0; s8 && bi < B; bi++) {
		for (size_t t = 0; t < T; t++) {
			double y[3];
			dk_pca_project(pca, (const double *)s8->data + (t * B + bi) * n, 1, y);
			print_coords(f, pca, y);
			fputs("\n", f);
		}
		fputs("\n", f);
	}
	return plot_file_close(f, "traj.txt");
}

/* Write fp.txt: the projections of the fixed points x8 (points, n), f8
   or NULL, with their classes, counted in count. */
static int write_points(const plot_options *o, const dk_bundle *b, plot_script *s,
                        const dk_pca *pca, const dk_tensor *x8, size_t count[6])
{
	size_t points = x8 ? x8->shape[0] : 0;
	const dk_tensor *kind = dk_bundle_get(b, DK_NAME_FP_KIND);
	if (kind && (kind->count != points || kind->dtype == DK_C16 || kind->dtype == DK_BYTES)) {
		tool_warn(o->input, DK_NAME_FP_KIND " has %zu values for %zu fixed points; "
		          "not used", kind->count, points);
		kind = NULL;
	}
	stability_source ss;
	FILE *f = stability_open(&ss, o, b, points) ? NULL : plot_file(s, "fp.txt");
	for (size_t p = 0; f && p < points; p++) {
		double y[3];
		if (kind && dk_tensor_get_real(kind, p) == DK_FIXED_DIVERGED)
			continue;
		dk_pca_project(pca, (const double *)x8->data + p * pca->n, 1, y);
		int slow = kind && dk_tensor_get_real(kind, p) == DK_FIXED_SLOW;
		int c = 3 * slow + stability(&ss, p);
		count[c]++;
		print_coords(f, pca, y);
		fprintf(f, " %d\n", c);
	}
	free(ss.row);
	return !f || plot_file_close(f, "fp.txt");
}

/* Write plot.gp: the axes with their share of the variance, the
   trajectories when there are states, each class of point present; with
   three components a 3-D splot whose floor is at the lowest point. */
static int write_script(const plot_options *o, plot_script *s, const dk_pca *pca,
                        int states, const size_t count[6])
{
	static const char axis[3] = {'x', 'y', 'z'};
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	double tot = pca->total > 0 ? pca->total : 1;
	int three = pca->k == 3;
	/* three labels along the box's edges have room for less */
	for (size_t j = 0; j < pca->k; j++)
		fprintf(gp, "set %clabel 'PC%zu (%.1f%%%s)'\n", axis[j], j + 1,
		        100 * pca->variance[j] / tot, three ? "" : " of the variance");
	fputs("set grid\nset tics out\n", gp);
	if (three)
		fputs("set xyplane 0\nset view 60, 30\nset zlabel rotate parallel\n"
		      "set key top center horizontal maxcols 3\n", gp);
	else
		fputs("set key outside bottom center horizontal\n", gp);
	const char *sep = three ? "splot " : "plot ";
	const char *using = three ? "1:2:3" : "1:2";
	if (states) {
		fprintf(gp, "%s'traj.txt' using %s with lines lw 0.8 lc rgb '#9aa5b1' "
		            "title 'trajectories'", sep, using);
		sep = ", \\\n     ";
	}
	for (int k = 0; k < 6; k++) {
		int c = (k + 3) % 6; /* the slow points first, under the fixed */
		if (!count[c])
			continue;
		if (three)
			fprintf(gp, "%s'fp.txt' using 1:2:($4 == %d ? $3 : 1/0) with points %s "
			            "title '%s'", sep, c, fp_class[c].style, fp_class[c].title);
		else
			fprintf(gp, "%s'fp.txt' using 1:($3 == %d ? $2 : 1/0) with points %s "
			            "title '%s'", sep, c, fp_class[c].style, fp_class[c].title);
		sep = ", \\\n     ";
	}
	fputs("\n", gp);
	return plot_script_end(gp);
}

int plot_pca(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	const char *sname = o->select ? o->select : DK_NAME_STATES;
	size_t dims = o->components ? o->components : 2;
	const dk_tensor *st, *fx;
	if (find_inputs(o, b, sname, dims, &st, &fx))
		return TOOL_EXIT_FAIL;
	dk_tensor *s8 = NULL, *x8 = NULL; /* the states and fixed points as f8 */
	dk_pca *pca = NULL;
	char err[256];
	size_t count[6] = {0};
	int status = TOOL_EXIT_FAIL;
	if ((st && dk_tensor_convert(st, DK_F8, &s8)) || (fx && dk_tensor_convert(fx, DK_F8, &x8))) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	const dk_tensor *fit = s8 ? s8 : x8;
	size_t n = fit->shape[fit->rank - 1];
	if (dk_pca_fit(fit->data, fit->count / n, n, dims, &pca, err, sizeof err)) {
		tool_warn(o->input, "%s: %s", st ? sname : DK_NAME_FP_X, err);
		goto done;
	}
	if (!write_trajectories(s, pca, s8) && !write_points(o, b, s, pca, x8, count))
		status = write_script(o, s, pca, st != NULL, count);
done:
	dk_pca_free(pca);
	dk_tensor_free(s8);
	dk_tensor_free(x8);
	return status;
}
