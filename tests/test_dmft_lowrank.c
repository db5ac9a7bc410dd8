/*
 * test_dmft_lowrank.c -- the low-rank mean-field solver (lowrank.h)
 * from the inside: a rank-two network whose second direction carries
 * nothing has the rank-one network's branches (which holds the layout of
 * means and covariance, input included); the branches of an odd
 * structure come in pairs +-kappa; the records' names, shapes and types;
 * a simulation without a theory lands on no branch; the options refused,
 * naming the field.  The equations themselves are held against SciPy,
 * closed forms and simulations in tests/dmft_lowrank.sh.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

/* rank one with an input: M = (M_m, M_n, M_I), Sigma with Cov(n, m),
   Cov(n, I), Cov(m, I); the small M_I leaves three branches, none at
   kappa = 0 */
static dk_dmft_lowrank_options rank_one(void)
{
	dk_dmft_lowrank_options o = dk_dmft_lowrank_options_default();
	o.gain = 0.7;
	double mean[3] = {1.2, 1.8, 0.05};
	double cov[3][3] = {{1, 0.4, 0.1}, {0.4, 1.5, 0.2}, {0.1, 0.2, 0.5}};
	memcpy(o.mean, mean, sizeof mean);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			o.cov[i][j] = cov[i][j];
	return o;
}

/* The same network as rank two, m^2 = n^2 = 0: order m1 m2 n1 n2 I. */
static dk_dmft_lowrank_options embedded(const dk_dmft_lowrank_options *one)
{
	dk_dmft_lowrank_options o = *one;
	static const int at[3] = {0, 2, 4};   /* m1, n1, I in rank two */
	memset(o.mean, 0, sizeof o.mean);
	memset(o.cov, 0, sizeof o.cov);
	o.rank = 2;
	for (int i = 0; i < 3; i++) {
		o.mean[at[i]] = one->mean[i];
		for (int j = 0; j < 3; j++)
			o.cov[at[i]][at[j]] = one->cov[i][j];
	}
	return o;
}

static void test_embedding(void)
{
	char err[256];
	dk_dmft_lowrank_options o1 = rank_one(), o2 = embedded(&o1);
	dk_dmft_lowrank_result *r1 = malloc(sizeof *r1), *r2 = malloc(sizeof *r2);
	int s1 = dk_dmft_lowrank_solve(&o1, r1, err, sizeof err);
	int s2 = dk_dmft_lowrank_solve(&o2, r2, err, sizeof err);
	ok(!s1 && !s2 && r1->branches == 3 && r1->branches == r2->branches,
	   "rank two with an empty second direction: as many branches as rank "
	   "one (%zu, %zu)", r1->branches, r2->branches);
	/* the same equations solved to 1e-12 each: 1e-10 between them */
	double worst = 0;
	for (size_t b = 0; !s1 && !s2 && b < r1->branches && b < r2->branches; b++) {
		const dk_dmft_lowrank_branch *a = &r1->branch[b], *c = &r2->branch[b];
		double d[] = {a->kappa[0] - c->kappa[0], c->kappa[1],
		              a->mu - c->mu, a->delta0 - c->delta0,
		              a->delta_inf - c->delta_inf,
		              a->bulk_radius - c->bulk_radius,
		              a->outliers[0][0] - c->outliers[0][0],
		              c->outliers[1][0], c->outliers[1][1],
		              (double)(a->state - c->state)};
		for (size_t i = 0; i < sizeof d / sizeof *d; i++)
			if (!(fabs(d[i]) <= worst))
				worst = fabs(d[i]);
	}
	ok(worst < 1e-10, "... and the same branches, kappa_2 = 0 and a second "
	   "outlier 0 (largest difference %.3g)", worst);
	free(r1);
	free(r2);
}

static void test_pairs_and_records(void)
{
	char err[256];
	dk_dmft_lowrank_options o = dk_dmft_lowrank_options_default();
	dk_dmft_lowrank_result *r = malloc(sizeof *r);
	int st = dk_dmft_lowrank_solve(&o, r, err, sizeof err);
	ok(!st && r->branches == 3, "the default structure: three branches (%zu)",
	   r->branches);
	if (st || r->branches != 3) {
		free(r);
		return;
	}
	const dk_dmft_lowrank_branch *b = r->branch;
	/* phi odd, M_I = 0: the equations are odd in kappa, so the pair's
	   kappa and Delta0 agree to their residuals */
	ok(fabs(b[0].kappa[0] + b[2].kappa[0]) < 1e-10 &&
	   fabs(b[0].delta0 - b[2].delta0) < 1e-10 && fabs(b[1].kappa[0]) < 1e-10,
	   "... -kappa, 0, +kappa (%.17g, %.3g, %.17g)", b[0].kappa[0],
	   b[1].kappa[0], b[2].kappa[0]);
	ok(b[0].state == DK_DMFT_LOWRANK_STABLE && b[2].state == DK_DMFT_LOWRANK_STABLE &&
	   b[1].state == DK_DMFT_LOWRANK_UNSTABLE,
	   "... the pair stable, kappa = 0 unstable");

	dk_bundle *out = dk_bundle_alloc();
	st = out ? dk_dmft_lowrank_to_bundle(r, out) : DK_ENOMEM;
	dk_tensor *kappa = out ? dk_bundle_get(out, DK_NAME_DMFT_KAPPA) : NULL;
	dk_tensor *outl = out ? dk_bundle_get(out, DK_NAME_DMFT_OUTLIERS) : NULL;
	dk_tensor *state = out ? dk_bundle_get(out, DK_NAME_DMFT_STATE) : NULL;
	ok(!st && kappa && kappa->rank == 2 && kappa->shape[0] == 3 &&
	   kappa->shape[1] == 1 && outl && outl->dtype == DK_C16 &&
	   outl->shape[0] == 3 && state && state->shape[0] == 3,
	   "records: dmft/kappa (3, 1), dmft/outliers complex (3, 1), dmft/state (3)");
	ok(kappa && ((double *)kappa->data)[2] == b[2].kappa[0] && outl &&
	   ((double *)outl->data)[2] == b[1].outliers[0][0] &&
	   ((double *)outl->data)[3] == b[1].outliers[0][1] && state &&
	   ((double *)state->data)[1] == DK_DMFT_LOWRANK_UNSTABLE,
	   "... holding the branches' values in order");
	static const char *const names[] = {DK_NAME_DMFT_MU, DK_NAME_DMFT_DELTA0,
	        DK_NAME_DMFT_DELTA_INF, DK_NAME_DMFT_BULK_RADIUS};
	int all = out != NULL;
	for (size_t i = 0; all && i < sizeof names / sizeof *names; i++) {
		dk_tensor *t = dk_bundle_get(out, names[i]);
		all = t && t->rank == 1 && t->shape[0] == 3;
	}
	ok(all, "... and mu, delta0, delta_inf, bulk_radius one per branch");
	dk_bundle_free(out);

	/* a simulation without a theory: no branch to land on */
	dk_dmft_sim_options s = dk_dmft_sim_options_default();
	s.units = 60;
	s.networks = 2;
	s.transient = 10;
	s.steps = 5;
	dk_dmft_lowrank_sim_result sr;
	st = dk_dmft_lowrank_simulate(&o, &s, NULL, &sr, err, sizeof err);
	ok(!st && sr.branch[0] == -1 && sr.branch[1] == -1 &&
	   isfinite(sr.kappa[1]) && sr.delta0[0] > 0 &&
	   isnan(sr.kappa_error[0][0]) && isnan(sr.delta0_error[1]),
	   "simulate without a theory: branch -1, finite kappa, no discrepancy");
	if (!st)
		dk_dmft_lowrank_sim_result_clear(&sr);
	st = dk_dmft_lowrank_simulate(&o, &s, r, &sr, err, sizeof err);
	/* the discrepancy of two networks by hand, to rounding */
	double e0 = st ? NAN : sr.kappa[0] - r->branch[sr.branch[0]].kappa[0];
	double e1 = st ? NAN : sr.kappa[1] - r->branch[sr.branch[1]].kappa[0];
	ok(!st && sr.branch[0] != 1 && sr.branch[1] != 1 && sr.branch[0] >= 0 &&
	   sr.branch[1] >= 0 &&
	   fabs(sr.kappa_error[0][0] - (e0 + e1) / 2) < 1e-14 &&
	   fabs(sr.kappa_error[0][1] - fabs(e0 - e1) / sqrt(2)) < 1e-14,
	   "... with it, each network on a stable branch (%lld, %lld), and the "
	   "discrepancy's mean and sd",
	   st ? -2LL : (long long)sr.branch[0], st ? -2LL : (long long)sr.branch[1]);
	if (!st)
		dk_dmft_lowrank_sim_result_clear(&sr);
	dk_dmft_lowrank_sim_result_clear(NULL);
	free(r);
}

static void test_options(void)
{
	struct {
		const char *field;
		dk_dmft_lowrank_options o;
	} bad[9];
	for (int i = 0; i < 9; i++)
		bad[i].o = dk_dmft_lowrank_options_default();
	bad[0].field = "rank";
	bad[0].o.rank = 0;
	bad[1].field = "rank";
	bad[1].o.rank = 3;
	bad[2].field = "gain";
	bad[2].o.gain = -0.1;
	bad[3].field = "gain";
	bad[3].o.gain = NAN;
	bad[4].field = "phi";
	bad[4].o.phi = NULL;
	bad[5].field = "mean[1]";
	bad[5].o.mean[1] = INFINITY;
	bad[6].field = "cov[0][0]";
	bad[6].o.cov[0][0] = -1;
	bad[7].field = "symmetric";
	bad[7].o.cov[1][0] = 0.5;
	bad[8].field = "positive semidefinite";
	bad[8].o.cov[1][0] = bad[8].o.cov[0][1] = 1.5;
	for (int i = 0; i < 9; i++) {
		char err[256] = "";
		dk_dmft_lowrank_result *r = malloc(sizeof *r);
		int st = dk_dmft_lowrank_solve(&bad[i].o, r, err, sizeof err);
		ok(st == DK_EINVAL && strstr(err, bad[i].field) && r->branches == 0,
		   "%s refused (%s)", bad[i].field, err);
		free(r);
	}
	/* a correlation of exactly 1 is positive semidefinite */
	dk_dmft_lowrank_options o = dk_dmft_lowrank_options_default();
	o.cov[0][1] = o.cov[1][0] = 1;
	char err[256] = "";
	ok(dk_dmft_lowrank_options_check(&o, err, sizeof err) == DK_OK,
	   "a correlation of 1 is accepted (%s)", err);
}

int main(void)
{
	dk_numeric_init();
	test_embedding();
	test_pairs_and_records();
	test_options();
	return tap_done();
}
