/*
 * dmft.c -- dk-plot dmft: what dk-dmft wrote, by what the stream holds.
 *
 * A sweep (a sweep/NAME record, dk-dmft --params): the solution's
 * leading number -- Delta0 (scs), q (map) or A (multiregion, every start
 * and region) -- against the first value of the first swept parameter,
 * row by row, in sweep.txt ("x y..."); with scs --simulate, sim.txt
 * holds the simulated Delta0's mean and spread (standard deviation over
 * the networks, 0 for one) per row.
 * The multiregion two-time theory (dmft/S_t, dmft/delta_t): the currents
 * S^{mu nu}(t), one line per pair (st.txt: "t S11 S12 ... SPP"), over
 * each region's Delta^mu(t, t) (delta.txt: "t D1 ... DP"), t = j dt from
 * the attrs' dt.
 * scs (dmft/tau, dmft/delta): Delta(tau) as a line (theory.txt: "tau
 * Delta"), and with sim/delta the simulation's mean over the networks
 * and its spread as points with error bars (sim.txt: "tau mean sd"),
 * lags past half its window (NaN) left out.
 */
#include <config.h>

#include <math.h>
#include <string.h>

#include "plot.h"

/* t if it is a real f8 tensor of rank rank (any rank for -1), else NULL
   (warned when present, naming it). */
static const dk_tensor *get(const plot_options *o, const dk_bundle *b,
                            const char *name, int rank)
{
	const dk_tensor *t = dk_bundle_get(b, name);
	if (t && (t->dtype != DK_F8 || (rank >= 0 && t->rank != rank) ||
	          !t->count)) {
		if (rank >= 0)
			tool_warn(o->input, "%s: not a non-empty f8 tensor of rank %d",
			          name, rank);
		else
			tool_warn(o->input, "%s: not a non-empty f8 tensor", name);
		return NULL;
	}
	return t;
}

/* The mean and standard deviation (divisor n) of v[0], v[stride], ...
   (n of them) over the finite ones; NaN when none is. */
static void mean_sd(const double *v, size_t n, size_t stride, double *mean,
                    double *sd)
{
	double s = 0, ss = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i * stride])) {
			s += v[i * stride];
			k++;
		}
	*mean = k ? s / (double)k : NAN;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i * stride]))
			ss += (v[i * stride] - *mean) * (v[i * stride] - *mean);
	*sd = k ? sqrt(ss / (double)k) : NAN;
}

static const char *const COLOURS[] = {"#1f4e96", "#c0392b", "#27864a",
                                      "#8e44ad", "#d35400", "#2c3e50"};
#define NCOLOURS (sizeof COLOURS / sizeof *COLOURS)

/* ---- a sweep ---- */

static int draw_sweep(const plot_options *o, const dk_bundle *b, plot_script *s,
                      long ip)
{
	const char *pname = dk_bundle_name(b, (size_t)ip);
	const dk_tensor *p = dk_bundle_tensor(b, (size_t)ip);
	const char *yname = dk_bundle_get(b, DK_NAME_DMFT_DELTA0) ? DK_NAME_DMFT_DELTA0 :
	                    dk_bundle_get(b, DK_NAME_DMFT_Q) ? DK_NAME_DMFT_Q :
	                    dk_bundle_get(b, DK_NAME_DMFT_A) ? DK_NAME_DMFT_A : NULL;
	const dk_tensor *y = yname ? get(o, b, yname, -1) : NULL;
	if (!y || p->dtype != DK_F8 || p->rank < 1 || !p->count ||
	    y->rank < 1 || y->shape[0] != p->shape[0]) {
		tool_warn(o->input, "%s: no dmft/delta0, dmft/q or dmft/A of its "
		          "rows to draw against it", pname);
		return TOOL_EXIT_FAIL;
	}
	size_t rows = p->shape[0], per = p->count / rows, cols = y->count / rows;
	const double *pv = p->data, *yv = y->data;
	FILE *f = plot_file(s, "sweep.txt");
	if (!f)
		return TOOL_EXIT_FAIL;
	for (size_t r = 0; r < rows; r++) {
		fprintf(f, "%.17g", pv[r * per]);
		for (size_t c = 0; c < cols; c++)
			fprintf(f, " %.17g", yv[r * cols + c]);
		fputc('\n', f);
	}
	if (plot_file_close(f, "sweep.txt"))
		return TOOL_EXIT_FAIL;
	const dk_tensor *sim = !strcmp(yname, DK_NAME_DMFT_DELTA0) ?
		get(o, b, DK_NAME_SIM_DELTA0, 2) : NULL;
	if (sim && sim->shape[0] != rows)
		sim = NULL;
	if (sim) {
		if (!(f = plot_file(s, "sim.txt")))
			return TOOL_EXIT_FAIL;
		size_t nets = sim->shape[1];
		for (size_t r = 0; r < rows; r++) {
			double m, sd;
			mean_sd((const double *)sim->data + r * nets, nets, 1, &m, &sd);
			fprintf(f, "%.17g %.17g %.17g\n", pv[r * per], m, sd);
		}
		if (plot_file_close(f, "sim.txt"))
			return TOOL_EXIT_FAIL;
	}
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	fprintf(gp, "set xlabel '%s%s'\nset ylabel '%s'\nset grid\nset key top left\n",
	        pname + strlen(DK_SWEEP_PREFIX), per > 1 ? " (first value)" : "",
	        yname);
	fprintf(gp, "plot 'sweep.txt' using 1:2 with linespoints pt 7 ps 0.6 lw 1.5 "
	        "lc rgb '%s' title '%s'", COLOURS[0], cols > 1 ? "column 1" : "theory");
	for (size_t c = 1; c < cols && c < 64; c++)
		fprintf(gp, ", \\\n     '' using 1:%zu with points pt 7 ps 0.6 lc rgb '%s' "
		        "title 'column %zu'", c + 2, COLOURS[c % NCOLOURS], c + 1);
	if (sim)
		fprintf(gp, ", \\\n     'sim.txt' using 1:2:3 with yerrorbars pt 5 "
		        "ps 0.7 lc rgb '%s' title 'simulation'", COLOURS[1]);
	fputs("\n", gp);
	return plot_script_end(gp);
}

/* ---- the multiregion two-time theory ---- */

static int draw_two_time(const plot_options *o, const dk_bundle *b,
                         plot_script *s, const dk_tensor *S)
{
	const dk_tensor *D = get(o, b, DK_NAME_DMFT_DELTA_T, 2);
	long i = dk_bundle_find(b, DK_NAME_DMFT_S_T);
	json_t *attrs = dk_meta_attrs(dk_bundle_meta(b, (size_t)i));
	double dt = json_number_value(json_object_get(
		json_object_get(attrs, "dmft"), "dt"));
	size_t T = S->shape[0], P = S->shape[1];
	if (S->shape[2] != P || !D || D->shape[0] != T || D->shape[1] != P ||
	    !(dt > 0)) {
		tool_warn(o->input, "%s (time, region, region) needs %s (time, "
		          "region) beside it and attrs dmft.dt", DK_NAME_DMFT_S_T,
		          DK_NAME_DMFT_DELTA_T);
		return TOOL_EXIT_FAIL;
	}
	const double *sv = S->data, *dv = D->data;
	FILE *f = plot_file(s, "st.txt");
	if (!f)
		return TOOL_EXIT_FAIL;
	for (size_t j = 0; j < T; j++) {
		fprintf(f, "%.17g", (double)j * dt);
		for (size_t k = 0; k < P * P; k++)
			fprintf(f, " %.17g", sv[j * P * P + k]);
		fputc('\n', f);
	}
	if (plot_file_close(f, "st.txt") || !(f = plot_file(s, "delta.txt")))
		return TOOL_EXIT_FAIL;
	for (size_t j = 0; j < T; j++) {
		fprintf(f, "%.17g", (double)j * dt);
		for (size_t k = 0; k < P; k++)
			fprintf(f, " %.17g", dv[j * P + k]);
		fputc('\n', f);
	}
	if (plot_file_close(f, "delta.txt"))
		return TOOL_EXIT_FAIL;
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	/* fixed margins: the two panels share their time axis's span */
	fprintf(gp, "set multiplot layout 2,1\nset grid\nset key outside right\n"
	        "set lmargin at screen 0.12\nset rmargin at screen 0.78\n"
	        "set ylabel 'S^{mu nu}(t)'\nplot ");
	for (size_t k = 0; k < P * P; k++)
		fprintf(gp, "%s'st.txt' using 1:%zu with lines lw 1.5 lc rgb '%s' "
		        "dt %zu title 'S %zu%zu'", k ? ", \\\n     " : "", k + 2,
		        COLOURS[k / P % NCOLOURS], k % P + 1, k / P + 1, k % P + 1);
	fprintf(gp, "\nset xlabel 't'\nset ylabel 'Delta^mu(t, t)'\nplot ");
	for (size_t k = 0; k < P; k++)
		fprintf(gp, "%s'delta.txt' using 1:%zu with lines lw 1.5 lc rgb '%s' "
		        "title 'region %zu'", k ? ", \\\n     " : "", k + 2,
		        COLOURS[k % NCOLOURS], k + 1);
	fputs("\nunset multiplot\n", gp);
	return plot_script_end(gp);
}

/* ---- scs ---- */

static int draw_scs(const plot_options *o, const dk_bundle *b, plot_script *s,
                    const dk_tensor *tau, const dk_tensor *delta)
{
	const dk_tensor *sim = get(o, b, DK_NAME_SIM_DELTA, 2);
	size_t n = tau->count;
	if (delta->count != n || (sim && sim->shape[1] != n)) {
		tool_warn(o->input, "%s, %s%s: not one value per lag",
		          DK_NAME_DMFT_TAU, DK_NAME_DMFT_DELTA,
		          sim ? " and " DK_NAME_SIM_DELTA : "");
		return TOOL_EXIT_FAIL;
	}
	const double *tv = tau->data, *dv = delta->data;
	FILE *f = plot_file(s, "theory.txt");
	if (!f)
		return TOOL_EXIT_FAIL;
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%.17g %.17g\n", tv[k], dv[k]);
	if (plot_file_close(f, "theory.txt"))
		return TOOL_EXIT_FAIL;
	size_t shown = 0;
	if (sim) {
		if (!(f = plot_file(s, "sim.txt")))
			return TOOL_EXIT_FAIL;
		for (size_t k = 0; k < n; k++) {
			double m, sd;
			mean_sd((const double *)sim->data + k, sim->shape[0], n, &m, &sd);
			if (!isfinite(m))
				continue;   /* past half the window */
			fprintf(f, "%.17g %.17g %.17g\n", tv[k], m, sd);
			shown++;
		}
		if (plot_file_close(f, "sim.txt"))
			return TOOL_EXIT_FAIL;
	}
	FILE *gp = plot_script_begin(s, o);
	if (!gp)
		return TOOL_EXIT_FAIL;
	fprintf(gp, "set xlabel 'tau'\nset ylabel 'Delta(tau)'\nset grid\n"
	        "set key top right\n"
	        "plot 'theory.txt' using 1:2 with lines lw 2 lc rgb '%s' "
	        "title 'theory'", COLOURS[0]);
	if (shown)
		fprintf(gp, ", \\\n     'sim.txt' using 1:2:3 with yerrorbars pt 7 "
		        "ps 0.5 lc rgb '%s' title 'simulation'", COLOURS[1]);
	fputs("\n", gp);
	return plot_script_end(gp);
}

int plot_dmft(const plot_options *o, const dk_bundle *b, plot_script *s)
{
	long ip = dk_bundle_match(b, DK_NAME_SWEEP_ALL, 0);
	if (ip >= 0)
		return draw_sweep(o, b, s, ip);
	const dk_tensor *S = dk_bundle_get(b, DK_NAME_DMFT_S_T);
	if (S)
		return (S = get(o, b, DK_NAME_DMFT_S_T, 3)) ?
		       draw_two_time(o, b, s, S) : TOOL_EXIT_FAIL;
	const dk_tensor *tau = get(o, b, DK_NAME_DMFT_TAU, 1);
	const dk_tensor *delta = get(o, b, DK_NAME_DMFT_DELTA, 1);
	if (tau && delta)
		return draw_scs(o, b, s, tau, delta);
	tool_warn(o->input, "no dk-dmft records to draw: scs's %s and %s, "
	          "multiregion --gain's %s, or a sweep's %s", DK_NAME_DMFT_TAU,
	          DK_NAME_DMFT_DELTA, DK_NAME_DMFT_S_T, DK_NAME_SWEEP_ALL);
	return TOOL_EXIT_FAIL;
}
