/*
 * wave_pattern.c -- the pattern of a sheet's phase-gradient field:
 * synchrony, a plane wave, a spiral about the phase singularity that
 * persists in one place, a target whose gradient lines meet at its
 * centre (fitted by least squares), or none: a field that does not stay
 * or is not resolved, as noise's (see wave.h for the rule).
 */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "analysis/wave.h"
#include "analysis/wave_internal.h"

/* A spiral: the cell whose winding persists longest; its centre the
   windings' centroid over that cell and its neighbours of the same
   sign (not across a periodic sheet's wrap). */
static int spiral(const dk_wave_field *f, double centre[2], double *sense)
{
	size_t best = 0, n = f->cy * f->cx;
	for (size_t q = 1; q < n; q++)
		if (abs(f->charge[q]) > abs(f->charge[best]))
			best = q;
	int top = f->charge[best];
	if (!((double)abs(top) >= DK_WAVE_SPIRAL_PERSISTENCE * (double)f->steps) ||
	    top == 0)
		return 0;
	size_t bi = best / f->cx, bj = best % f->cx;
	double sum = 0, ci = 0, cj = 0;
	for (size_t i = bi > 0 ? bi - 1 : 0; i <= bi + 1 && i < f->cy; i++)
		for (size_t j = bj > 0 ? bj - 1 : 0; j <= bj + 1 && j < f->cx; j++) {
			int q = f->charge[i * f->cx + j];
			if ((q > 0) != (top > 0) || q == 0)
				continue;
			double a = abs(q);
			sum += a, ci += a * ((double)i + 0.5), cj += a * ((double)j + 0.5);
		}
	centre[0] = ci / sum, centre[1] = cj / sum;
	/* the phase falls by a cycle counter-clockwise about a pattern
	   turning counter-clockwise (at a positive frequency) */
	*sense = top > 0 ? -f->sign : f->sign;
	return 1;
}

/* A target: the point nearest, in the weighted least-squares sense, to
   every cell's line along its propagation direction, and the weighted
   mean radial component of that direction about it. */
static int target(const dk_wave_field *f, double centre[2], double *sense)
{
	double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
	size_t n = f->cy * f->cx;
	for (size_t q = 0; q < n; q++) {
		double g = hypot(f->gx[q], f->gy[q]), w = f->weight[q];
		if (!(g > 0) || !(w > 0))
			continue;
		/* the normal to the line, in (col, row) */
		double nx = -f->gy[q] / g, ny = f->gx[q] / g;
		double x = (double)(q % f->cx) + 0.5, y = (double)(q / f->cx) + 0.5;
		double d = nx * x + ny * y;
		a11 += w * nx * nx, a12 += w * nx * ny, a22 += w * ny * ny;
		b1 += w * nx * d, b2 += w * ny * d;
	}
	double det = a11 * a22 - a12 * a12, tr = a11 + a22;
	if (!(det > 1e-9 * tr * tr))
		return 0; /* parallel lines: no one point */
	double cx = (a22 * b1 - a12 * b2) / det, cy = (a11 * b2 - a12 * b1) / det;
	double radial = 0, W = 0;
	for (size_t q = 0; q < n; q++) {
		double g = hypot(f->gx[q], f->gy[q]), w = f->weight[q];
		double rx = (double)(q % f->cx) + 0.5 - cx;
		double ry = (double)(q / f->cx) + 0.5 - cy, r = hypot(rx, ry);
		if (!(g > 0) || !(w > 0) || r < 1)
			continue;
		/* the propagation direction is -sign times the gradient */
		radial -= f->sign * w * (f->gx[q] * rx + f->gy[q] * ry) / (g * r);
		W += w;
	}
	radial = W > 0 ? radial / W : 0;
	/* a centre beyond the sheet is a curved front coming in: a plane
	   wave, or none */
	if (!(fabs(radial) >= DK_WAVE_TARGET_RADIAL) || !(cy >= 0) || !(cx >= 0) ||
	    !(cy <= (double)f->H - 1) || !(cx <= (double)f->W - 1))
		return 0;
	centre[0] = cy, centre[1] = cx;
	*sense = radial > 0 ? 1 : -1;
	return 1;
}

void dk_wave_pattern_find(const dk_wave_field *f, double *pattern,
                          double centre[2], double *sense)
{
	double side = (double)(f->H > f->W ? f->H : f->W);
	centre[0] = centre[1] = NAN;
	*sense = 0;
	if (!(f->gradient * side >= DK_WAVE_SYNCHRONY_PHASE))
		*pattern = DK_WAVE_PATTERN_SYNCHRONY;
	else if (!(f->coherence >= DK_WAVE_MIN_COHERENCE) ||
	         !(f->gradient <= 1 / DK_WAVE_MIN_WAVELENGTH))
		*pattern = DK_WAVE_PATTERN_NONE; /* no field that stays, or none
		                                    resolved: noise */
	else if (spiral(f, centre, sense))
		*pattern = DK_WAVE_PATTERN_SPIRAL;
	else if (target(f, centre, sense))
		*pattern = DK_WAVE_PATTERN_TARGET;
	else if (f->directionality >= DK_WAVE_PLANE_DIRECTIONALITY)
		*pattern = DK_WAVE_PATTERN_PLANE;
	else
		*pattern = DK_WAVE_PATTERN_NONE;
}
