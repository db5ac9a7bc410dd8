/*
 * conv2d_impl.h -- what conv2d.c and conv2d_winograd.c share (internal):
 * the layer's workspace, the padding of a state and its adjoint.
 */
#ifndef DK_MODELS_CONV2D_IMPL_H
#define DK_MODELS_CONV2D_IMPL_H

#include <stddef.h>

#include "models/conv2d.h"

/* The part of a chunk of Winograd's tile rows in one state. */
typedef struct dk_conv2d_segment {
	size_t n, ti0, ti1, base; /* the state, its tile rows, their first column */
} dk_conv2d_segment;

struct dk_conv2d {
	dk_conv2d_spec spec;
	dk_conv2d_shape shape;
	size_t hp, wp;   /* the padded input's rows and columns (Winograd: rounded
	                    up to whole tiles, the extra row or column zero) */
	size_t taps;     /* in kh kw: the inner size of the product */
	size_t *row_src; /* hp: the input row padded row r copies, or NONE (owned) */
	size_t *col_src; /* wp: the same for columns (owned) */
	double *P;       /* in hp wp: one padded state, or its gradient (owned) */
	double *X;       /* GEMM: taps Ho Wo, the im2col matrix (owned) */
	/* Winograd (conv2d_winograd.c): tiles of 2 x 2 outputs */
	size_t tiles_h, tiles_w; /* per state: rows and columns of tiles */
	size_t chunk;    /* rows of tiles transformed together (across states):
	                    chunk tiles_w tiles per product */
	dk_conv2d_segment *seg; /* chunk + 1: a chunk's parts (owned) */
	double *Pg;      /* in hp wp: a padded state's gradient (owned) */
	double *U;       /* 16 out in: the transformed kernel (owned) */
	double *gU;      /* 16 out in: its gradient (owned) */
	double *V;       /* 16 in (chunk tiles_w): transformed inputs (owned) */
	double *M;       /* 16 out (chunk tiles_w): transformed outputs (owned) */
	double *R;       /* 6 wp: rows of a transform in progress (owned) */
};

/* P = the state x padded. */
void dk_conv2d_pad(const dk_conv2d *c, const double *x);
/* gx = the adjoint of the padding applied to P (a padded gradient, in
   the layout of c->P). */
void dk_conv2d_fold(const dk_conv2d *c, const double *P, double *gx);

/* 1 when the spec's shape has a Winograd product: a 3 x 3 kernel,
   stride 1, padding 1 ("same"). */
int dk_conv2d_winograd_fits(const dk_conv2d_spec *s, const dk_conv2d_shape *sh);

/* y = W * x + b (b NULL: none) for B states, by Winograd's F(2x2, 3x3). */
void dk_conv2d_winograd_forward(dk_conv2d *c, size_t B, const double *x,
                                const double *W, const double *b, double *y);

/* Given gy: gx = the input's gradient (NULL to skip), gW += and gb +=
   the parameters' (gW NULL to skip both; gb NULL to skip it). */
void dk_conv2d_winograd_vjp(dk_conv2d *c, size_t B, const double *x,
                            const double *W, const double *gy, double *gx,
                            double *gW, double *gb);

#endif
