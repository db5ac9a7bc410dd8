/*
 * dk-plot -- pictures of streams through gnuplot: the loss curve of a
 * training run, the space-time raster of a network's states, eigenvalues
 * in the complex plane, and fixed points with trajectories in the plane
 * of their first two principal components, as PNG or SVG.
 *
 *	dk-train --task flipflop --steps 500 < net.npy | dk-plot loss -o loss.png
 *	dk-run net.npy in.npy | dk-plot raster --batch 2 -o raster.svg
 *	dk-jac net.npy fp.npy | dk-plot eig -o eig.png
 *	cat fp.npy run.npy | dk-plot pca -o pca.png
 *
 * The tool only moves data: it reads the tensors, writes them with a
 * gnuplot script into a private mkdtemp(3) directory, runs gnuplot there
 * (fork and exec, no shell; the script names only its own files, never a
 * user's string), and copies the picture to stdout or, atomically, to -o.
 * Slicing a ring's channel out of the states is dk_tensor_plane's job,
 * and the principal components are dk_pca_fit's.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"

enum kind { KIND_LOSS, KIND_RASTER, KIND_EIG, KIND_PCA };
/* How eigenvalues are read: of a map (stable inside the unit circle) or
   of a flow (stable left of the imaginary axis); NONE: by the attrs. */
enum convention { CONV_NONE, CONV_MAP, CONV_FLOW };
enum format { FORMAT_NONE, FORMAT_PNG, FORMAT_SVG };
enum { OPT_LINEAR = TOOL_OPT_FIRST_FREE, OPT_FORMAT, OPT_SIZE, OPT_BATCH,
       OPT_CHANNEL, OPT_UNITS, OPT_CONVENTION };

#define SIZE_MAX_PIXELS 16384

typedef struct {
	enum kind kind;
	enum format format;
	const char *output, *select, *input;
	unsigned width, height;
	int linear;
	size_t batch, channel, units; /* channel SIZE_MAX: none; units 0: none */
	int have_batch;
	enum convention convention;
	size_t max_elements;
} options;

/* The scratch directory and the files in it, all removed at the end. */
static const char *const scratch_files[] = {
	"data.bin", "data.txt", "plot.gp", "plot.png", "plot.svg", "gnuplot.err",
	"traj.txt", "fp.txt",
};

static void usage(void)
{
	printf("Usage: dk-plot KIND [OPTION]... [FILE]\n"
	       "Draw a picture of the stream FILE (standard input when absent or -)\n"
	       "through gnuplot, as PNG or SVG.  KIND is one of:\n"
	       "  loss    the training loss (train/loss, as dk-train writes it) against\n"
	       "          the step, on a logarithmic scale\n"
	       "  raster  the space-time raster of states (time, batch, unit), as\n"
	       "          dk-run writes them: unit across, time down, one batch element\n"
	       "  eig     eigenvalues (jac/eig, fp/eig, or the one complex tensor) in\n"
	       "          the complex plane, with the unit circle of a map or the\n"
	       "          imaginary axis of a flow\n"
	       "  pca     fixed points (fp/x) and trajectories (states) in the plane\n"
	       "          of the first two principal components of the states,\n"
	       "          fixed and slow points (fp/kind) apart, stable and unstable\n"
	       "          ones (jac/stable, fp/eig or jac/eig) marked\n"
	       "\n"
	       "  -o, --output FILE     write FILE atomically instead of stdout\n"
	       "      --format png|svg  the picture's format (default: by the extension\n"
	       "                        of -o FILE, else png)\n"
	       "      --size WxH        the picture's size in pixels (default 640x480)\n"
	       "  -s, --select NAME     plot the tensor NAME (default train/loss for\n"
	       "                        loss, states for raster and pca, the first of\n"
	       "                        jac/eig and fp/eig for eig)\n"
	       "      --convention map|flow  eig, pca: eigenvalues of a map or of a\n"
	       "                        flow (default: the eigenvalues' attrs say, else\n"
	       "                        map)\n"
	       "      --linear          loss: a linear loss axis\n"
	       "      --batch B         raster: the batch element (default 0)\n"
	       "      --channel C       raster: only the units of ring C of a Wave-RNN,\n"
	       "                        C*N .. C*N+N-1, with N from --units or from\n"
	       "                        the model attributes in the stream\n"
	       "      --units N         raster: the units per channel\n"
	       "      --max-elements N  refuse tensors of more than N elements\n"
	       "                        (default 2^30)\n"
	       "  -h, --help            show this help and exit\n"
	       "      --version         show the version and exit\n"
	       "\n"
	       "The program run is gnuplot (Debian package gnuplot-nox), or $DK_GNUPLOT.\n"
	       "Exit status: 0 on success, 1 on error, 2 on usage error.\n");
	exit(fclose(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

static void parse_size(const char *arg, unsigned *w, unsigned *h)
{
	char *end;
	errno = 0;
	unsigned long a = isdigit((unsigned char)*arg) ? strtoul(arg, &end, 10) : 0;
	if (a && errno == 0 && (*end == 'x' || *end == 'X') &&
	    isdigit((unsigned char)end[1])) {
		unsigned long b = strtoul(end + 1, &end, 10);
		if (errno == 0 && *end == '\0' && b && a <= SIZE_MAX_PIXELS &&
		    b <= SIZE_MAX_PIXELS) {
			*w = (unsigned)a;
			*h = (unsigned)b;
			return;
		}
	}
	tool_usage_error("--size: '%s' is not WxH with W and H in 1..%d", arg,
	                 SIZE_MAX_PIXELS);
}

static enum format format_by_name(const char *name)
{
	if (!strcasecmp(name, "png"))
		return FORMAT_PNG;
	if (!strcasecmp(name, "svg"))
		return FORMAT_SVG;
	return FORMAT_NONE;
}

/* ---- the scratch directory --------------------------------------------- */

static char scratch[PATH_MAX];

static void scratch_path(char *buf, size_t cap, const char *file)
{
	snprintf(buf, cap, "%s/%s", scratch, file);
}

static int scratch_make(void)
{
	const char *t = getenv("TMPDIR");
	if (!t || !*t)
		t = "/tmp";
	if ((size_t)snprintf(scratch, sizeof scratch, "%s/dk-plot.XXXXXX", t) >=
	        sizeof scratch - 32 || !mkdtemp(scratch)) {
		tool_warn(scratch, "cannot make a temporary directory: %s",
		          strerror(errno ? errno : ENAMETOOLONG));
		*scratch = '\0';
		return 1;
	}
	return 0;
}

static void scratch_remove(void)
{
	if (!*scratch)
		return;
	char p[PATH_MAX + 32];
	for (size_t i = 0; i < sizeof scratch_files / sizeof *scratch_files; i++) {
		scratch_path(p, sizeof p, scratch_files[i]);
		unlink(p);
	}
	rmdir(scratch);
	*scratch = '\0';
}

/* Open a scratch file for writing with stdio; NULL (warned) on failure. */
static FILE *scratch_create(const char *file)
{
	char p[PATH_MAX + 32];
	scratch_path(p, sizeof p, file);
	FILE *f = fopen(p, "w");
	if (!f)
		tool_warn(p, "%s", strerror(errno));
	return f;
}

static int scratch_finish(FILE *f, const char *file)
{
	if (ferror(f) | (fclose(f) != 0)) {
		tool_warn(file, "cannot write the temporary file");
		return 1;
	}
	return 0;
}

/* ---- the data and the scripts ------------------------------------------ */

static void script_terminal(FILE *gp, const options *o)
{
	if (o->format == FORMAT_SVG)
		fprintf(gp, "set terminal svg size %u,%u background rgb 'white'\n"
		            "set output 'plot.svg'\n", o->width, o->height);
	else
		fprintf(gp, "set terminal pngcairo size %u,%u\n"
		            "set output 'plot.png'\n", o->width, o->height);
}

/* Write data.txt (step, loss) and plot.gp; returns the exit status. */
static int prepare_loss(const options *o, const dk_bundle *b, const char *src)
{
	const dk_tensor *t = dk_bundle_get(b, o->select);
	if (!t) {
		tool_warn(src, "no tensor named %s%s", o->select,
		          strcmp(o->select, "train/loss") ? ""
		          : " (dk-train writes one with the model)");
		return TOOL_EXIT_FAIL;
	}
	if (t->rank != 1 || t->dtype == DK_C16 || t->dtype == DK_BYTES) {
		tool_warn(src, "%s: a loss curve is a 1-D real tensor", o->select);
		return TOOL_EXIT_FAIL;
	}
	FILE *f = scratch_create("data.txt");
	if (!f)
		return TOOL_EXIT_FAIL;
	size_t finite = 0, positive = 0;
	for (size_t i = 0; i < t->count; i++) {
		double v = dk_tensor_get_real(t, i);
		if (!isfinite(v))
			continue;
		finite++;
		positive += v > 0;
		fprintf(f, "%zu %.17g\n", i + 1, v);
	}
	if (scratch_finish(f, "data.txt"))
		return TOOL_EXIT_FAIL;
	if (!finite) {
		tool_warn(src, "%s: no finite value to plot", o->select);
		return TOOL_EXIT_FAIL;
	}
	int log = !o->linear;
	if (log && !positive) {
		tool_warn(src, "%s: no positive value for a log scale; plotting it linear",
		          o->select);
		log = 0;
	}
	FILE *gp = scratch_create("plot.gp");
	if (!gp)
		return TOOL_EXIT_FAIL;
	script_terminal(gp, o);
	fprintf(gp, "set xlabel 'step'\nset ylabel 'loss'\nset grid\nunset key\n");
	if (log)
		fprintf(gp, "set logscale y\n");
	fprintf(gp, "plot 'data.txt' using 1:2 with %s lw 1.5 lc rgb '#1f4e96'\n",
	        finite == 1 ? "points pt 7" : "lines");
	return scratch_finish(gp, "plot.gp") ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

/* The units per ring of a Wave-RNN described in the stream's attrs, or 0. */
static size_t attrs_units(const dk_bundle *b, size_t *channels)
{
	for (size_t i = 0; i < dk_bundle_size(b); i++) {
		const dk_meta *m = dk_bundle_meta(b, i);
		json_t *attrs = m ? dk_meta_attrs(m) : NULL;
		json_t *model = attrs ? json_object_get(attrs, "model") : NULL;
		json_t *u = json_object_get(model, "units");
		json_t *c = json_object_get(model, "channels");
		if (json_is_integer(u) && json_is_integer(c) && json_integer_value(u) > 0 &&
		    json_integer_value(c) > 0) {
			*channels = (size_t)json_integer_value(c);
			return (size_t)json_integer_value(u);
		}
	}
	return 0;
}

/* Write data.bin (time rows of units, f8) and plot.gp. */
static int prepare_raster(const options *o, const dk_bundle *b, const char *src)
{
	const dk_tensor *t = dk_bundle_get(b, o->select);
	if (!t) {
		tool_warn(src, "no tensor named %s%s", o->select,
		          strcmp(o->select, "states") ? "" : " (dk-run writes one)");
		return TOOL_EXIT_FAIL;
	}
	if ((t->rank != 3 && t->rank != 2) || t->dtype == DK_C16 || t->dtype == DK_BYTES) {
		tool_warn(src, "%s: a raster is of a real (time, batch, unit) or "
		          "(time, unit) tensor", o->select);
		return TOOL_EXIT_FAIL;
	}
	size_t T = t->shape[0], B = t->rank == 3 ? t->shape[1] : 1;
	size_t U = t->shape[t->rank - 1], first = 0, count = U;
	if (o->batch >= B) {
		tool_warn(src, "%s: no batch element %zu (of %zu)", o->select, o->batch, B);
		return TOOL_EXIT_FAIL;
	}
	if (o->channel != SIZE_MAX) {
		size_t channels = 0, n = o->units ? o->units : attrs_units(b, &channels);
		if (!n) {
			tool_warn(src, "--channel: how many units per channel? give --units "
			          "(the stream has no model attrs saying so)");
			return TOOL_EXIT_FAIL;
		}
		if ((channels && o->channel >= channels) || o->channel >= U / n) {
			tool_warn(src, "%s: no channel %zu of %zu units in %zu units", o->select,
			          o->channel, n, U);
			return TOOL_EXIT_FAIL;
		}
		first = o->channel * n;
		count = n;
	}
	if (T == 0 || count == 0) {
		tool_warn(src, "%s: nothing to plot (no time steps or no units)", o->select);
		return TOOL_EXIT_FAIL;
	}
	double *plane = malloc(T * count * sizeof *plane);
	if (!plane) {
		tool_warn(NULL, "out of memory");
		return TOOL_EXIT_FAIL;
	}
	int st = dk_tensor_plane(t, o->batch, first, count, plane);
	FILE *f = st ? NULL : scratch_create("data.bin");
	if (f)
		fwrite(plane, sizeof *plane, T * count, f);
	free(plane);
	if (st) {
		tool_warn(src, "%s: %s", o->select, dk_strerror(st));
		return TOOL_EXIT_FAIL;
	}
	if (!f || scratch_finish(f, "data.bin"))
		return TOOL_EXIT_FAIL;
	FILE *gp = scratch_create("plot.gp");
	if (!gp)
		return TOOL_EXIT_FAIL;
	script_terminal(gp, o);
	if (o->channel != SIZE_MAX)
		fprintf(gp, "set xlabel 'unit (channel %zu)'\n", o->channel);
	else
		fprintf(gp, "set xlabel 'unit'\n");
	fprintf(gp, "set ylabel 'time'\nunset key\nset tics out\n"
	            "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n"
	            "plot 'data.bin' binary array=(%zu,%zu) format='%%float64' "
	            "endian=little with image\n",
	        count - 1, T - 1, count, T);
	return scratch_finish(gp, "plot.gp") ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

/* ---- eigenvalues and principal components ------------------------------- */

/* "map" or "flow" under the key convention in attrs or in an object one
   level down (such as attrs.jac), else CONV_NONE. */
static enum convention attrs_convention(const dk_meta *m)
{
	json_t *attrs = m ? dk_meta_attrs(m) : NULL, *v;
	const char *key;
	const char *c = json_string_value(json_object_get(attrs, "convention"));
	json_object_foreach(attrs, key, v) {
		if (c)
			break;
		c = json_string_value(json_object_get(v, "convention"));
	}
	if (c && !strcmp(c, "map"))
		return CONV_MAP;
	if (c && !strcmp(c, "flow"))
		return CONV_FLOW;
	return CONV_NONE;
}

/* The convention for the eigenvalues at entry i: the option's, else the
   attrs', else a map's. */
static enum convention convention_of(const options *o, const dk_bundle *b, long i)
{
	enum convention c = o->convention;
	if (!c && i >= 0)
		c = attrs_convention(dk_bundle_meta(b, (size_t)i));
	return c ? c : CONV_MAP;
}

/* The entry of the eigenvalues to draw: -s, else jac/eig, else fp/eig,
   else the only complex tensor; -1 (warned) when there is none. */
static long find_eig(const options *o, const dk_bundle *b, const char *src)
{
	long i = -1;
	if (o->select) {
		if ((i = dk_bundle_find(b, o->select)) < 0)
			tool_warn(src, "no tensor named %s", o->select);
		return i;
	}
	if ((i = dk_bundle_find(b, "jac/eig")) >= 0 || (i = dk_bundle_find(b, "fp/eig")) >= 0)
		return i;
	for (size_t k = 0; k < dk_bundle_size(b); k++)
		if (dk_bundle_tensor(b, k)->dtype == DK_C16) {
			if (i >= 0) {
				tool_warn(src, "no jac/eig or fp/eig, and more than one complex "
				          "tensor (%s, %s): choose with -s", dk_bundle_name(b, (size_t)i),
				          dk_bundle_name(b, k));
				return -1;
			}
			i = (long)k;
		}
	if (i < 0)
		tool_warn(src, "no eigenvalues: no tensor jac/eig or fp/eig (dk-jac and "
		          "dk-fixed --jac write them), and no complex tensor");
	return i;
}

/* The real and imaginary parts of element j of t (complex or real). */
static void eig_value(const dk_tensor *t, size_t j, double *re, double *im)
{
	if (t->dtype == DK_C16) {
		const double *z = (const double *)t->data + 2 * j;
		*re = z[0];
		*im = z[1];
	} else {
		*re = dk_tensor_get_real(t, j);
		*im = 0;
	}
}

/* Write data.txt (re, im, point) and plot.gp. */
static int prepare_eig(const options *o, const dk_bundle *b, const char *src)
{
	long at = find_eig(o, b, src);
	if (at < 0)
		return TOOL_EXIT_FAIL;
	const dk_tensor *t = dk_bundle_tensor(b, (size_t)at);
	const char *name = dk_bundle_name(b, (size_t)at);
	if (t->dtype == DK_BYTES || t->rank > 2) {
		tool_warn(src, "%s: eigenvalues are a complex (or real) (point, k) or (k) "
		          "tensor", *name ? name : "the tensor");
		return TOOL_EXIT_FAIL;
	}
	enum convention conv = convention_of(o, b, at);
	size_t points = t->rank == 2 ? t->shape[0] : 1;
	size_t per = points ? t->count / points : 0, finite = 0;
	double lo = 0, hi = 0; /* the real parts' range, 0 included */
	FILE *f = scratch_create("data.txt");
	if (!f)
		return TOOL_EXIT_FAIL;
	for (size_t p = 0; p < points; p++)
		for (size_t j = 0; j < per; j++) {
			double re, im;
			eig_value(t, p * per + j, &re, &im);
			if (!isfinite(re) || !isfinite(im))
				continue;
			finite++;
			lo = fmin(lo, re);
			hi = fmax(hi, re);
			fprintf(f, "%.17g %.17g %zu\n", re, im, p);
		}
	if (scratch_finish(f, "data.txt"))
		return TOOL_EXIT_FAIL;
	if (!finite) {
		tool_warn(src, "%s: no finite eigenvalue to plot", *name ? name : "the tensor");
		return TOOL_EXIT_FAIL;
	}
	FILE *gp = scratch_create("plot.gp");
	if (!gp)
		return TOOL_EXIT_FAIL;
	script_terminal(gp, o);
	fprintf(gp, "set size ratio -1\nset grid\nset xlabel 'Re'\nset ylabel 'Im'\n"
	            "unset key\nset tics out\n");
	const char *pts = points > 1 ? "lc palette" : "lc rgb '#1f4e96'";
	if (points > 1)
		fprintf(gp, "set cbrange [0:%zu]\nset cblabel 'point'\nset rmargin 12\n%s"
		            "set palette defined (0 '#1f4e96', 1 '#2ca02c', 2 '#e08a00')\n",
		        points - 1, points <= 10 ? "set cbtics 1\n" : "");
	if (conv == CONV_MAP) {
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
	return scratch_finish(gp, "plot.gp") ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

/* The stability of fixed point p: 1 stable, 0 unstable, -1 unknown, from
   jac/stable, else fp/eig, else jac/eig, when they have a row per point. */
static int stability(const dk_bundle *b, const options *o, size_t points, size_t p)
{
	const dk_tensor *s = dk_bundle_get(b, "jac/stable");
	if (s && s->count == points && s->dtype != DK_C16 && s->dtype != DK_BYTES)
		return dk_tensor_get_real(s, p) != 0;
	long at = dk_bundle_find(b, "fp/eig");
	if (at < 0)
		at = dk_bundle_find(b, "jac/eig");
	const dk_tensor *e = at >= 0 ? dk_bundle_tensor(b, (size_t)at) : NULL;
	if (!e || e->dtype == DK_BYTES || e->rank != 2 || e->shape[0] != points ||
	    e->shape[1] == 0)
		return -1;
	enum convention conv = convention_of(o, b, at);
	double worst = -INFINITY;
	for (size_t j = 0; j < e->shape[1]; j++) {
		double re, im;
		eig_value(e, p * e->shape[1] + j, &re, &im);
		double v = conv == CONV_MAP ? hypot(re, im) : re;
		if (isnan(v))
			return -1;
		worst = fmax(worst, v);
	}
	return conv == CONV_MAP ? worst < 1 : worst < 0;
}

/* The classes of fixed points drawn apart, by fp/kind and stability. */
static const struct {
	const char *title, *style;
} fp_class[6] = {
	{"fixed point, stable", "pt 7 ps 1.4 lc rgb '#1f4e96'"},
	{"fixed point, unstable", "pt 6 ps 1.4 lw 2 lc rgb '#1f4e96'"},
	{"fixed point", "pt 7 ps 1.4 lc rgb '#1f4e96'"},
	{"slow point, stable", "pt 5 ps 1.2 lc rgb '#e08a00'"},
	{"slow point, unstable", "pt 4 ps 1.2 lw 2 lc rgb '#e08a00'"},
	{"slow point", "pt 5 ps 1.2 lc rgb '#e08a00'"},
};

/* Write traj.txt (the states' projections, a blank line between batch
   elements), fp.txt (the fixed points', with their class) and plot.gp. */
static int prepare_pca(const options *o, const dk_bundle *b, const char *src)
{
	const char *sname = o->select ? o->select : "states";
	const dk_tensor *st = dk_bundle_get(b, sname), *fx = dk_bundle_get(b, "fp/x");
	if (o->select && !st) {
		tool_warn(src, "no tensor named %s", sname);
		return TOOL_EXIT_FAIL;
	}
	if (!st && !fx) {
		tool_warn(src, "no fixed points (fp/x, as dk-fixed writes) and no states "
		          "(states, as dk-run writes)");
		return TOOL_EXIT_FAIL;
	}
	if ((st && (st->rank < 2 || st->rank > 3 || st->dtype == DK_C16 || st->dtype == DK_BYTES)) ||
	    (fx && (fx->rank != 2 || fx->dtype == DK_C16 || fx->dtype == DK_BYTES))) {
		tool_warn(src, "states are real (time, batch, unit) or (time, unit), and "
		          "fp/x real (point, unit)");
		return TOOL_EXIT_FAIL;
	}
	size_t n = st ? st->shape[st->rank - 1] : fx->shape[1];
	if (st && fx && fx->shape[1] != n) {
		tool_warn(src, "fp/x has %zu units and %s %zu", fx->shape[1], sname, n);
		return TOOL_EXIT_FAIL;
	}
	const dk_tensor *fit = st ? st : fx;
	size_t rows = fit->count / (n ? n : 1);
	if (n < 2 || rows < 2) {
		tool_warn(src, "%s: a plane of principal components needs at least 2 units "
		          "and 2 states", st ? sname : "fp/x");
		return TOOL_EXIT_FAIL;
	}
	dk_tensor *f8 = NULL, *x8 = NULL;
	dk_pca *pca = NULL;
	char err[256];
	int status = TOOL_EXIT_FAIL;
	if (dk_tensor_convert(fit, DK_F8, &f8) || (st && fx && dk_tensor_convert(fx, DK_F8, &x8))) {
		tool_warn(NULL, "out of memory");
		goto done;
	}
	if (dk_pca_fit(f8->data, rows, n, 2, &pca, err, sizeof err)) {
		tool_warn(src, "%s: %s", st ? sname : "fp/x", err);
		goto done;
	}
	const dk_tensor *fp8 = st ? x8 : f8; /* the fixed points as f8, or NULL */
	size_t T = st ? st->shape[0] : 0, B = st && st->rank == 3 ? st->shape[1] : 1;
	FILE *f = scratch_create("traj.txt");
	if (!f)
		goto done;
	for (size_t bi = 0; st && bi < B; bi++) {
		for (size_t t = 0; t < T; t++) {
			double y[2];
			dk_pca_project(pca, (const double *)f8->data + (t * B + bi) * n, 1, y);
			fprintf(f, "%.17g %.17g\n", y[0], y[1]);
		}
		fputs("\n", f);
	}
	if (scratch_finish(f, "traj.txt"))
		goto done;
	size_t points = fp8 ? fp8->shape[0] : 0, count[6] = {0};
	const dk_tensor *kind = dk_bundle_get(b, "fp/kind");
	if (kind && (kind->count != points || kind->dtype == DK_C16 || kind->dtype == DK_BYTES)) {
		tool_warn(src, "fp/kind has %zu values for %zu fixed points; not used",
		          kind->count, points);
		kind = NULL;
	}
	if (!(f = scratch_create("fp.txt")))
		goto done;
	for (size_t p = 0; p < points; p++) {
		double y[2];
		dk_pca_project(pca, (const double *)fp8->data + p * n, 1, y);
		int slow = kind && dk_tensor_get_real(kind, p) == 0;
		int s = stability(b, o, points, p);
		int c = 3 * slow + (s == 1 ? 0 : s == 0 ? 1 : 2);
		count[c]++;
		fprintf(f, "%.17g %.17g %d\n", y[0], y[1], c);
	}
	if (scratch_finish(f, "fp.txt"))
		goto done;
	FILE *gp = scratch_create("plot.gp");
	if (!gp)
		goto done;
	script_terminal(gp, o);
	double tot = pca->total > 0 ? pca->total : 1;
	fprintf(gp, "set xlabel 'PC1 (%.1f%% of the variance)'\n"
	            "set ylabel 'PC2 (%.1f%% of the variance)'\n"
	            "set grid\nset tics out\nset key outside bottom center horizontal\n",
	        100 * pca->variance[0] / tot, 100 * pca->variance[1] / tot);
	const char *sep = "plot ";
	if (st) {
		fprintf(gp, "%s'traj.txt' using 1:2 with lines lw 0.8 lc rgb '#9aa5b1' "
		            "title 'trajectories'", sep);
		sep = ", \\\n     ";
	}
	for (int c = 0; c < 6; c++)
		if (count[c]) {
			fprintf(gp, "%s'fp.txt' using 1:($3 == %d ? $2 : 1/0) with points %s "
			            "title '%s'", sep, c, fp_class[c].style, fp_class[c].title);
			sep = ", \\\n     ";
		}
	fputs("\n", gp);
	status = scratch_finish(gp, "plot.gp") ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
done:
	dk_pca_free(pca);
	dk_tensor_free(f8);
	dk_tensor_free(x8);
	return status;
}

/* ---- gnuplot ------------------------------------------------------------ */

/* Print what gnuplot said on stderr, each line after "dk-plot: gnuplot: ". */
static void relay_gnuplot_errors(void)
{
	char p[PATH_MAX + 32], line[512];
	scratch_path(p, sizeof p, "gnuplot.err");
	FILE *f = fopen(p, "r");
	int n = 0;
	while (f && fgets(line, sizeof line, f) && n < 20) {
		line[strcspn(line, "\n")] = '\0';
		if (*line && strspn(line, " ^") != strlen(line)) {
			tool_warn("gnuplot", "%s", line);
			n++;
		}
	}
	if (f)
		fclose(f);
}

/* Run gnuplot on plot.gp in the scratch directory; returns the exit status. */
static int run_gnuplot(void)
{
	const char *prog = getenv("DK_GNUPLOT");
	char abs[PATH_MAX];
	if (!prog || !*prog)
		prog = "gnuplot";
	else if (strchr(prog, '/') && *prog != '/' && realpath(prog, abs))
		prog = abs; /* the child runs in the scratch directory */
	int report[2];
	if (pipe2(report, O_CLOEXEC)) {
		tool_warn(NULL, "pipe: %s", strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		tool_warn(NULL, "fork: %s", strerror(errno));
		close(report[0]);
		close(report[1]);
		return TOOL_EXIT_FAIL;
	}
	if (pid == 0) {
		int err = errno = 0;
		int null = open("/dev/null", O_RDWR);
		int log = chdir(scratch) ? -1
		          : open("gnuplot.err", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (null < 0 || log < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(log, 2) < 0) {
			err = errno;
		} else {
			execlp(prog, prog, "plot.gp", (char *)NULL);
			err = errno;
		}
		if (write(report[1], &err, sizeof err) < 0)
			err = 0;
		_exit(127);
	}
	close(report[1]);
	int err = 0;
	ssize_t got;
	while ((got = read(report[0], &err, sizeof err)) < 0 && errno == EINTR)
		;
	close(report[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			tool_warn(prog, "waitpid: %s", strerror(errno));
			return TOOL_EXIT_FAIL;
		}
	if (got == (ssize_t)sizeof err) {
		if (err == ENOENT)
			tool_warn(prog, "not found: install gnuplot (the Debian package "
			          "gnuplot-nox) or set DK_GNUPLOT");
		else
			tool_warn(prog, "cannot run: %s", strerror(err));
		return TOOL_EXIT_FAIL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return TOOL_EXIT_OK;
	relay_gnuplot_errors();
	if (WIFEXITED(status))
		tool_warn(prog, "failed (exit status %d)", WEXITSTATUS(status));
	else
		tool_warn(prog, "killed by signal %d", WTERMSIG(status));
	return TOOL_EXIT_FAIL;
}

/* Copy the picture gnuplot wrote to stdout or -o; returns the exit status. */
static int deliver(const options *o)
{
	char p[PATH_MAX + 32];
	scratch_path(p, sizeof p, o->format == FORMAT_SVG ? "plot.svg" : "plot.png");
	int in = open(p, O_RDONLY);
	if (in < 0) {
		tool_warn("gnuplot", "wrote no picture: %s", strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	tool_output out;
	if (tool_output_open(&out, o->output)) {
		close(in);
		return TOOL_EXIT_FAIL;
	}
	char buf[65536];
	ssize_t n;
	size_t total = 0;
	int ok = 1;
	while (ok && (n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tool_warn(p, "%s", strerror(errno));
			ok = 0;
			break;
		}
		total += (size_t)n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out.fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				tool_warn(o->output ? o->output : "stdout", "write error: %s",
				          strerror(errno));
				ok = 0;
				break;
			}
			off += w;
		}
	}
	close(in);
	if (ok && total == 0) {
		tool_warn("gnuplot", "wrote an empty picture");
		ok = 0;
	}
	return tool_output_close(&out, ok);
}

/* ---- main --------------------------------------------------------------- */

static size_t parse_index(const char *opt, const char *arg)
{
	return tool_parse_count(opt, arg);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"select", required_argument, NULL, 's'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"size", required_argument, NULL, OPT_SIZE},
		{"linear", no_argument, NULL, OPT_LINEAR},
		{"batch", required_argument, NULL, OPT_BATCH},
		{"channel", required_argument, NULL, OPT_CHANNEL},
		{"units", required_argument, NULL, OPT_UNITS},
		{"convention", required_argument, NULL, OPT_CONVENTION},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.width = 640, .height = 480, .channel = SIZE_MAX,
	             .max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	int c;
	tool_init("dk-plot", argv);
	while ((c = getopt_long(argc, argv, "o:s:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 'o': o.output = optarg; break;
		case 's': o.select = optarg; break;
		case OPT_FORMAT:
			if (!(o.format = format_by_name(optarg)))
				tool_usage_error("--format: '%s' is not png or svg", optarg);
			break;
		case OPT_SIZE: parse_size(optarg, &o.width, &o.height); break;
		case OPT_LINEAR: o.linear = 1; break;
		case OPT_BATCH: o.batch = parse_index("--batch", optarg); o.have_batch = 1; break;
		case OPT_CHANNEL: o.channel = parse_index("--channel", optarg); break;
		case OPT_UNITS:
			if (!(o.units = parse_index("--units", optarg)))
				tool_usage_error("--units: must be at least 1");
			break;
		case OPT_CONVENTION:
			if (!strcmp(optarg, "map"))
				o.convention = CONV_MAP;
			else if (!strcmp(optarg, "flow"))
				o.convention = CONV_FLOW;
			else
				tool_usage_error("--convention: map or flow, not '%s'", optarg);
			break;
		}
	}
	if (optind >= argc)
		tool_usage_error("which KIND of plot? loss, raster, eig or pca");
	const char *kind = argv[optind];
	if (!strcmp(kind, "loss"))
		o.kind = KIND_LOSS;
	else if (!strcmp(kind, "raster"))
		o.kind = KIND_RASTER;
	else if (!strcmp(kind, "eig"))
		o.kind = KIND_EIG;
	else if (!strcmp(kind, "pca"))
		o.kind = KIND_PCA;
	else
		tool_usage_error("unknown KIND '%s' (loss, raster, eig or pca)", kind);
	if (argc - optind > 2)
		tool_usage_error("one FILE at most");
	o.input = optind + 1 < argc ? argv[optind + 1] : "-";
	if (o.kind != KIND_RASTER && (o.have_batch || o.channel != SIZE_MAX || o.units))
		tool_usage_error("--batch, --channel and --units are for raster");
	if (o.kind != KIND_LOSS && o.linear)
		tool_usage_error("--linear is for loss");
	if (o.convention && o.kind != KIND_EIG && o.kind != KIND_PCA)
		tool_usage_error("--convention is for eig and pca");
	if (o.units && o.channel == SIZE_MAX)
		tool_usage_error("--units goes with --channel");
	if (!o.select && (o.kind == KIND_LOSS || o.kind == KIND_RASTER))
		o.select = o.kind == KIND_LOSS ? "train/loss" : "states";
	if (!o.format && o.output) {
		const char *dot = strrchr(o.output, '.');
		if (!dot || strchr(dot, '/') || !(o.format = format_by_name(dot + 1)))
			tool_usage_error("cannot tell the format of '%s' by its extension: "
			                 "give --format png or svg", o.output);
	}
	if (!o.format)
		o.format = FORMAT_PNG;
	if (!o.output && isatty(STDOUT_FILENO))
		tool_usage_error("will not write a picture to a terminal: give -o FILE");

	dk_bundle *b = tool_read_bundle(o.input, o.max_elements);
	if (!b)
		return TOOL_EXIT_FAIL;
	int status = scratch_make() ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
	if (status == TOOL_EXIT_OK)
		status = o.kind == KIND_LOSS     ? prepare_loss(&o, b, o.input)
		         : o.kind == KIND_RASTER ? prepare_raster(&o, b, o.input)
		         : o.kind == KIND_EIG    ? prepare_eig(&o, b, o.input)
		                                 : prepare_pca(&o, b, o.input);
	dk_bundle_free(b);
	if (status == TOOL_EXIT_OK)
		status = run_gnuplot();
	if (status == TOOL_EXIT_OK)
		status = deliver(&o);
	scratch_remove();
	return status;
}
