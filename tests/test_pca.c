/*
 * test_pca.c -- principal components against an exact construction: a
 * cloud mean + 3 cos(wt) u1 + 2 sin(wt) u2 + cos(2wt) u3/2 over a whole
 * period, whose covariance is exactly sum s_i^2 (R/2) u_i u_i^T / (R-1)
 * for orthonormal u_i (the waves are orthogonal and of zero mean), and
 * the refusals.
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dynkit.h"
#include "tap.h"

#define R 64
#define N 5

int main(void)
{
	/* an orthonormal basis: a Householder reflection I - 2 v v^T / v.v */
	double v[N] = {1, -2, 0.5, 3, 1}, vv = 0, U[N][N];
	for (int i = 0; i < N; i++)
		vv += v[i] * v[i];
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			U[i][j] = (i == j) - 2 * v[i] * v[j] / vv;
	const double mean[N] = {0.3, -1, 2, 0, 5}, s[3] = {3, 2, 0.5};
	double *X = malloc(R * N * sizeof *X);
	for (int t = 0; t < R; t++) {
		double w = 2 * M_PI * t / R, a[3] = {cos(w), sin(w), cos(2 * w)};
		for (int j = 0; j < N; j++) {
			X[t * N + j] = mean[j];
			for (int c = 0; c < 3; c++)
				X[t * N + j] += s[c] * a[c] * U[c][j];
		}
	}
	char err[256];
	dk_pca *p = NULL;
	is_int(dk_pca_fit(X, R, N, 3, &p, err, sizeof err), DK_OK, "fit 3 of 5 components");
	double dv = 0, dc = 0, dm = 0;
	for (int c = 0; p && c < 3; c++) {
		double want = s[c] * s[c] * (R / 2.0) / (R - 1), dot = 0;
		dv = fmax(dv, fabs(p->variance[c] - want) / want);
		for (int j = 0; j < N; j++)
			dot += p->components[c * N + j] * U[c][j];
		dc = fmax(dc, 1 - fabs(dot));
	}
	for (int j = 0; p && j < N; j++)
		dm = fmax(dm, fabs(p->mean[j] - mean[j]));
	ok(p && dv < 1e-12, "variances s^2 (R/2)/(R-1), in decreasing order (rel. err %.2g)", dv);
	ok(p && dc < 1e-12, "components are +-u_i (1 - |cos| %.2g)", dc);
	ok(p && dm < 1e-13, "the mean is the cloud's centre (%.2g)", dm);
	double tot = (9 + 4 + 0.25) * (R / 2.0) / (R - 1);
	ok(p && fabs(p->total - tot) < 1e-12 * tot, "total variance %.6f", p ? p->total : NAN);
	int signs = 1;
	for (int c = 0; p && c < 3; c++) {
		size_t big = 0;
		for (size_t j = 1; j < N; j++)
			if (fabs(p->components[c * N + j]) > fabs(p->components[c * N + big]))
				big = j;
		signs &= p->components[c * N + big] > 0;
	}
	ok(p && signs, "each component's largest entry is positive");
	double Y[R * 3], dy = 0;
	if (p)
		dk_pca_project(p, X, R, Y);
	for (int t = 0; p && t < R; t++) {
		double w = 2 * M_PI * t / R, a[3] = {cos(w), sin(w), cos(2 * w)};
		for (int c = 0; c < 3; c++) {
			double dot = 0;
			for (int j = 0; j < N; j++)
				dot += p->components[c * N + j] * U[c][j];
			dy = fmax(dy, fabs(Y[t * 3 + c] - copysign(1, dot) * s[c] * a[c]));
		}
	}
	ok(p && dy < 1e-12, "projections are the waves s_i a_i(t), up to sign (%.2g)", dy);
	dk_pca_free(p);
	dk_pca_free(NULL);

	p = NULL;
	is_int(dk_pca_fit(X, 1, N, 2, &p, err, sizeof err), DK_EINVAL, "one state: %s", err);
	is_int(dk_pca_fit(X, R, N, 6, &p, err, sizeof err), DK_EINVAL, "k > n: %s", err);
	is_int(dk_pca_fit(X, R, N, 0, &p, err, sizeof err), DK_EINVAL, "k = 0");
	X[7] = NAN;
	is_int(dk_pca_fit(X, R, N, 2, &p, err, sizeof err), DK_EINVAL, "a NaN: %s", err);
	ok(p == NULL, "and no result");
	free(X);
	return tap_done();
}
