/*
 * nwm_impl.h -- what the two halves of the oscillator sheet share (not
 * installed): nwm.c, the sheet's step and its derivatives, and
 * nwm_encoders.c, its encoders of the image with the workspace that
 * keeps them (the memo of omega and alpha per row), y0's encoder as the
 * kind's start, and the sums of sequence mode (model.h).  The model
 * itself is described at the top of nwm.c.
 */
#ifndef DK_MODELS_NWM_IMPL_H
#define DK_MODELS_NWM_IMPL_H

#include <stddef.h>

#include "models/conv2d.h"
#include "models/conv_stack.h"
#include "models/model_impl.h"

/* The three encoders: omega's, alpha's, y0's. */
enum { DK_NWM_OMEGA, DK_NWM_ALPHA, DK_NWM_Y0, DK_NWM_ENCODERS };

/* Offsets of the parameters in theta: the coupling, and each encoder's
   first (its layers follow, as conv_stack.h lays them out). */
typedef struct { size_t W, b, enc[DK_NWM_ENCODERS]; } dk_nwm_params;

dk_nwm_params dk_nwm_params_of(const dk_model *m);
/* The coupling's convolution: circular, with bias b, one state per call. */
dk_conv2d_spec dk_nwm_coupling_spec(const dk_model *m);
/* Encoder e: I -> M -> M (-> M for y0) -> C, 3x3, zero padding, relus
   (y0's last a tanh), one state per call. */
dk_conv_stack_spec dk_nwm_encoder_spec(const dk_model *m, int e);

/* Most lanes of a workspace: parts of a batch worked at once, each
   with scratch of its own. */
#define DK_NWM_LANES 8

/*
 * The scratch of one lane, seen through its pointers (nwm_encoders.c
 * lays it out): the lane's workspaces of the coupling and the encoders,
 * a cache for one state (3 N, N = C H W), five temporaries of N (T1 ..
 * T4, O), one of the image (U2), y0's encoder's hidden layers and y0;
 * and what the lanes share: the rows of the memo, an image of zeros for
 * a missing image (U), the flag of sequence mode, the memo, and the
 * rows of the coupling's parameter gradients (grads, grad_rows of
 * dk_nwm_coupling_params each).
 */
typedef struct {
	dk_conv2d *coupling;
	dk_conv_stack *enc[DK_NWM_ENCODERS];
	size_t rows;
	double *cache, *T1, *T2, *T3, *T4, *O, *U, *U2, *hid_y0, *Y0;
	double *sequence; /* one double: 1 in sequence mode, else 0 */
	double *params; /* the memo's copy of omega's and alpha's parameters */
	double *memo;   /* its rows */
	double *grads;
	size_t grad_rows;
} dk_nwm_scratch;

/* The scratch of work's first lane, its memo emptied if the encoders'
   parameters changed since it was made.  Call it before the lanes'
   work: dk_nwm_lane does not check. */
dk_nwm_scratch dk_nwm_carve(const dk_model *m, double *work);
/* The scratch of lane k, below the team's size (row_team.h). */
dk_nwm_scratch dk_nwm_lane(const dk_model *m, double *work, size_t k);
/* The coupling's parameters: W (C C 9) and b (C), one run of theta. */
size_t dk_nwm_coupling_params(const dk_model *m);
size_t dk_nwm_work_size(const dk_model *m, size_t batch);
int dk_nwm_work_open(const dk_model *m, double *work, size_t batch);
void dk_nwm_work_close(double *work);

/* The image of row r, or the scratch's zeros. */
const double *dk_nwm_image(const dk_model *m, const dk_nwm_scratch *s, const double *u,
                           size_t r);

/* Omega's and alpha's encoders of row r's image ur and their hidden
   layers, from the memo (made anew unless it holds ur already). */
typedef struct { const double *omega, *alpha, *hid_omega, *hid_alpha; } dk_nwm_encoded;
dk_nwm_encoded dk_nwm_encode(const dk_model *m, dk_nwm_scratch *s, size_t r,
                             const double *ur);

/*
 * Sequence mode: a vjp in the mode (*s->sequence) that defers the
 * encoders' share calls dk_nwm_sums_ready before it touches row r's memo
 * (sums of another image than ur are released into gp first), then
 * dk_nwm_sums_add with the step's gradients of omega and alpha.
 */
void dk_nwm_sums_ready(const dk_model *m, dk_nwm_scratch *s, size_t r, const double *ur,
                       double *gp);
void dk_nwm_sums_add(const dk_model *m, dk_nwm_scratch *s, size_t r, const double *ur,
                     const double *gw, const double *gal);
void dk_nwm_sequence_begin(const dk_model *m, double *work);
void dk_nwm_sequence_end(const dk_model *m, double *work, double *gparams);

/* The start: y0 from its encoder of the image, z0 = 0. */
size_t dk_nwm_start_cache_size(const dk_model *m);
int dk_nwm_start(const dk_model *m, double *work, size_t B, const double *u, double *x0,
                 double *cache);
int dk_nwm_start_vjp(const dk_model *m, double *work, size_t B, const double *u,
                     const double *cache, const double *gx0, double *gu, double *gp);

#endif
