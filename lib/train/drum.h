/*
 * drum.h -- hearing the shape of a drum: a fixed wave equation rung
 * inside a shape on a sheet, the frequencies it rings at, and the size
 * and class of the shape read back from them by linear maps, after
 * "Traveling waves integrate spatial information through time" (Jacobs,
 * Budzinski, Muller, Ba and Keller, 2025).  No training: the sheet is fixed and
 * only the readouts are fitted.
 *
 * The shapes.  One shape a sheet of H x W pixels, at a uniform position
 * with at least one pixel of background around it, of one of seven
 * classes:
 *
 *	0 square       side uniform on 4 .. min(H, W) - 2
 *	1 rectangle    sides uniform on 4 .. H - 2 and 4 .. W - 2, unequal
 *	2 I  3 O  4 T  5 S or Z  6 J or L
 *	               a tetromino (all 19 fixed ones, turned and mirrored
 *	               as in shapes.h) of cells c x c pixels, c uniform on
 *	               2 .. the largest that fits
 *
 * (the class uniform among those p->shapes allows).  Its size is the
 * square root of its area in pixels: the side of a square, 2 c of a
 * tetromino; its mask is 1 inside, 0 outside.
 *
 * The drum.  On the mask, y_tt = lap y inside (the 5-point Laplacian)
 * and y = 0 outside and on the sheet's edge: the Dirichlet problem, the
 * limit of an infinite stiffness outside.  Its modes are the
 * eigenvectors of the masked Laplacian L (the Laplacian restricted to
 * the inside pixels, -4 on the diagonal); a mode of L of eigenvalue
 * -lambda is turned by the sheet models' symplectic Euler step (z' = z
 * + dt lap y, y' = y + dt z', dt = DK_DRUM_DT) by an angle theta per
 * step with cos theta = 1 - dt^2 lambda / 2, exactly: its angular
 * frequency is theta / dt, which tends to sqrt(lambda) as dt -> 0.  The
 * drum starts at rest from y = 1 inside, and is recorded as the sum of
 * y over the inside pixels, a microphone over the whole drum; both the
 * start and the recording weigh a mode by its sum over the shape, so
 * the fundamental, one-signed, rings loudest.
 *
 * The frequencies.  The recording of T steps, its mean removed, under a
 * Hann window, padded to 4 T points: the DK_DRUM_FEATURES strongest
 * peaks of its power spectrum (each the largest value within the
 * window's main lobe, two bins either side, so that no sidelobe counts),
 * each refined to the maximum of the windowed recording's discrete-time
 * Fourier transform within a padded bin (the wave analysis's
 * refinement), in radians per unit time (theta / dt), strongest first;
 * NaN where fewer peaks stand out.
 */
#ifndef DK_TRAIN_DRUM_H
#define DK_TRAIN_DRUM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "stream/bundle.h"
#include "train/task.h"

#define DK_DRUM_DT 0.1
#define DK_DRUM_CLASSES 7
#define DK_DRUM_FEATURES 4
#define DK_DRUM_MIN_SIDE 12
#define DK_DRUM_MAX_SIDE 256
#define DK_DRUM_MIN_STEPS 256
#define DK_DRUM_MAX_STEPS (1u << 20)
#define DK_DRUM_MAX_SEED (UINT64_MAX / 2)  /* 2 seed + 1 must fit */

/* The classes a batch draws from. */
typedef enum {
	DK_DRUM_ALL,          /* all seven */
	DK_DRUM_SQUARES,
	DK_DRUM_RECTANGLES,   /* non-square */
	DK_DRUM_TETROMINOES,  /* the five families */
	DK_DRUM_NSHAPES
} dk_drum_shapes;

const char *dk_drum_shapes_name(dk_drum_shapes s);
/* 0, or -1 for a name that is none of all, squares, rectangles,
   tetrominoes. */
int dk_drum_shapes_from_name(const char *name, dk_drum_shapes *s);

typedef struct dk_drum_params {
	size_t sheet[2];      /* rows and columns, DK_DRUM_MIN_SIDE ..
	                         DK_DRUM_MAX_SIDE each */
	size_t batch;         /* sheets, >= 1 */
	uint64_t seed;        /* at most DK_DRUM_MAX_SEED */
	dk_split split;       /* train draws from 2 seed, test from 2 seed + 1 */
	size_t steps;         /* T, DK_DRUM_MIN_STEPS .. DK_DRUM_MAX_STEPS */
	dk_drum_shapes shapes;
	size_t modes;         /* the readout's features: the frequencies of
	                         the modes strongest 1 .. DK_DRUM_FEATURES */
} dk_drum_params;

/* The defaults: 32 x 32, batch 1, seed 0, train, 4096 steps, all
   classes, 1 mode. */
void dk_drum_params_init(dk_drum_params *p);
/* The parameters as JSON (attrs, provenance); NULL when out of memory. */
json_t *dk_drum_params_to_json(const dk_drum_params *p);
/* DK_EINVAL with err naming the field for a parameter out of range. */
int dk_drum_params_check(const dk_drum_params *p, char *err, size_t errlen);

/*
 * The drum on one mask of H x W values (nonzero inside; the first and
 * last rows and columns must be 0), T steps: the DK_DRUM_FEATURES
 * strongest frequencies into freq (NaN for the missing), strongest
 * first.  The workspace is for masks of H x W and records of T steps
 * (DK_EINVAL for sizes that are 0 or overflow, DK_ENOMEM);
 * dk_drum_frequencies gives DK_EINVAL for an empty mask or one that
 * touches the edge.
 */
typedef struct dk_drum_work dk_drum_work;
int dk_drum_work_alloc(dk_drum_work **w, size_t H, size_t W, size_t T);
void dk_drum_work_free(dk_drum_work *w);
int dk_drum_frequencies(dk_drum_work *w, const double *mask, double *freq,
                        char *err, size_t errlen);

/* A batch of sheets: masks (batch, H, W), sizes, classes and the
   frequencies (batch, DK_DRUM_FEATURES). */
typedef struct dk_drum_batch {
	size_t batch, H, W;
	double *mask, *size, *freq;
	int64_t *cls;
} dk_drum_batch;

/* Draw p->batch sheets and ring them.  DK_EINVAL for bad parameters,
   DK_ELIMIT for sizes that overflow, DK_ENOMEM; err says which. */
int dk_drum_batch_make(const dk_drum_params *p, dk_drum_batch **out,
                       char *err, size_t errlen);
void dk_drum_batch_free(dk_drum_batch *b);

/*
 * A batch of p->batch sheets into b, as the records DK_NAME_DRUM_MASK
 * (batch, channel, row, col), DK_NAME_DRUM_SIZE (batch),
 * DK_NAME_DRUM_CLASS (batch, i8) and DK_NAME_DRUM_FREQUENCY (batch,
 * mode), with the parameters and the class names in their attrs.
 * DK_EINVAL for bad parameters, DK_ENOMEM; err says which.
 */
int dk_drum_generate(const dk_drum_params *p, dk_bundle *b, char *err,
                     size_t errlen);
/* The class names, "square" .. "J/L". */
const char *dk_drum_class_name(int cls);

/*
 * The linear readout: size ~ c_0 + sum_k c_k / freq_k over the first
 * p->modes frequencies (a missing one, NaN, counts as 1 / freq = 0),
 * fitted by least squares on the train split of p (p->batch sheets,
 * p->split ignored) and scored on the test split of as many.  The
 * scores, of the test split: the root mean square error of the size,
 * its fraction of variance explained (NaN when the sizes do not vary),
 * and the accuracy, the fraction of sheets whose size is read to within
 * half a pixel.  And the class: a least-squares map from 1, the ratios
 * r_k = freq_k / freq_0 (0 < k < p->modes; 0 for a missing one) and
 * their squares to the class one-hot, the class read as the largest
 * answer; its score the fraction of test sheets classed right (with one
 * mode, the most common class of the train split).
 */
typedef struct dk_drum_fit {
	size_t modes;
	double coef[DK_DRUM_FEATURES + 1];
	/* (2 modes - 1) x DK_DRUM_CLASSES, feature-major */
	double class_coef[(2 * DK_DRUM_FEATURES - 1) * DK_DRUM_CLASSES];
	double train_rms, test_rms, test_r2, test_accuracy;
	double test_class_accuracy;
} dk_drum_fit;

int dk_drum_fit_run(const dk_drum_params *p, dk_drum_fit *fit, char *err,
                    size_t errlen);
/* The fit as records DK_NAME_DRUM_COEF, the 0-d DK_NAME_DRUM_*_RMS,
   DK_NAME_DRUM_TEST_R2, DK_NAME_DRUM_TEST_ACCURACY, and
   DK_NAME_DRUM_CLASS_COEF (feature, class) and the 0-d
   DK_NAME_DRUM_TEST_CLASS_ACCURACY; DK_ENOMEM. */
int dk_drum_fit_to_bundle(const dk_drum_params *p, const dk_drum_fit *fit,
                          dk_bundle *b);

#endif
