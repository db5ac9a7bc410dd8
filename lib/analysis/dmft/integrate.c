/*
 * integrate.c -- one time step of the rate network dx/dt = -x + J phi(x)
 * by Euler's rule, Heun's (explicit trapezoidal, second order) or the
 * classical fourth-order Runge-Kutta rule, for scs --simulate (dmft.h).
 * Each rule's cost is one product of J with phi per stage: 1, 2 or 4.
 */
#include <config.h>

#include <string.h>

#include <cblas.h>

#include "analysis/dmft/dmft.h"
#include "base/status.h"

static const char *const names[] = {"euler", "heun", "rk4"};

const char *dk_dmft_integrator_name(dk_dmft_integrator m)
{
	return (unsigned)m < sizeof names / sizeof *names ? names[m] : NULL;
}

int dk_dmft_integrator_from_name(const char *name, dk_dmft_integrator *m)
{
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(name, names[i])) {
			*m = (dk_dmft_integrator)i;
			return DK_OK;
		}
	return DK_EINVAL;
}

/* out = -y + J phi(y); f is N scratch. */
static void field(const double *J, size_t N, const dk_dmft_phi *phi,
                  const double *y, double *f, double *out)
{
	for (size_t i = 0; i < N; i++)
		f[i] = phi->phi(y[i]);
	memcpy(out, y, N * sizeof *out);
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)N, 1, J, (int)N, f,
	            1, -1, out, 1);
}

/* y = x + h k */
static void axpy(size_t N, const double *x, double h, const double *k,
                 double *y)
{
	for (size_t i = 0; i < N; i++)
		y[i] = x[i] + h * k[i];
}

void dk_dmft_rate_step(const double *J, size_t N, const dk_dmft_phi *phi,
                       dk_dmft_integrator m, double dt, double *x, double *work)
{
	double *f = work, *y = work + N, *k1 = work + 2 * N, *k2 = work + 3 * N,
	       *k3 = work + 4 * N, *k4 = work + 5 * N;
	switch (m) {
	case DK_DMFT_HEUN:
		field(J, N, phi, x, f, k1);
		axpy(N, x, dt, k1, y);
		field(J, N, phi, y, f, k2);
		for (size_t i = 0; i < N; i++)
			x[i] += dt / 2 * (k1[i] + k2[i]);
		return;
	case DK_DMFT_RK4:
		field(J, N, phi, x, f, k1);
		axpy(N, x, dt / 2, k1, y);
		field(J, N, phi, y, f, k2);
		axpy(N, x, dt / 2, k2, y);
		field(J, N, phi, y, f, k3);
		axpy(N, x, dt, k3, y);
		field(J, N, phi, y, f, k4);
		for (size_t i = 0; i < N; i++)
			x[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
		return;
	case DK_DMFT_EULER:
	default:
		/* x <- (1 - dt) x + dt J phi(x), in one product */
		for (size_t i = 0; i < N; i++)
			f[i] = phi->phi(x[i]);
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)N, dt, J,
		            (int)N, f, 1, 1 - dt, x, 1);
		return;
	}
}
