/*
 * equiv.h -- how far a model is from equivariant under a group acting on
 * its state and input: the cyclic shifts of rings and sheets, and the
 * flows on rings and sheets, shifts that grow with time.
 *
 * A shift g acts on a state whose units lie on C periodic rings of n
 * units (or C periodic sheets of H x W) by rolling every channel alike:
 * on a ring by M, (g x)[c][i] = x[c][(i - M) mod n], so that a positive
 * shift carries activity toward increasing index (NumPy's np.roll(x, M)
 * along the unit axis); on a sheet by (dy, dx) along rows and columns,
 * (g x)[c][r][k] = x[c][(r - dy) mod H][(k - dx) mod W].  The input is
 * shifted alike when it lies on the same medium, that is when its width
 * is a whole multiple of one ring's (sheet's) units: it is then that
 * many channels of it.  Otherwise the input is left as it is, and the
 * result says so.
 *
 * Over B trajectories of T steps, x_{t+1} = F(x_t, u_t), the run
 * measures for each group element g, in relative Euclidean norm per
 * trajectory and the maximum over them:
 *
 *   step error        |F(g x_t, g u_t) - g F(x_t, u_t)| / |F(x_t, u_t)|
 *                     over every t (the step with its input);
 *   free step error   the same with zero input (the recurrent part alone);
 *   trajectory error  |y_t - g x_t| / |x_t| at each t = 1..T, with y the
 *                     run from g x_0 driven by g u_t.
 *
 * A flow at velocity mu moves the input by mu t at step t,
 * u'(t) = T_{mu t} u(t), where T_s is the shift by s above on a ring,
 * and on a sheet, for a velocity mu = (mu_x, mu_y), the shift by
 * (dy, dx) = (mu_y t, mu_x t): x is along the columns and y along the
 * rows, as dk-wave's directions are (angles from the column axis toward
 * the row axis), and as the fernn's velocities are.  The state of a
 * lifted model (the fernn) is one slice per velocity nu of its V: on
 * rings 2 v + 1 slices, V = {-v .. v}, each C rings of n units; on
 * sheets (2 v + 1)^2 slices, V = {-v .. v}^2 in the order nu_x, then
 * nu_y, each C sheets; stored by velocity, then channel, then unit; any
 * other model is one slice (v = 0).  A lifted model is measured on its
 * own medium only (its velocities move it there).  The flowed run starts from h'_nu(0) = T_{-mu} h_{nu - mu}(0) and
 * is compared, at each t = 1..T, with
 *
 *   h'_nu(t) = T_{mu (t - 1)} h_{nu - mu}(t)
 *
 * over the slices nu whose partner nu - mu lies in V (on sheets, both
 * components; the trajectory
 * error, relative over those slices together).  A model without a lift
 * has its one slice as its own partner: start T_{-mu} x0, target
 * T_{mu (t - 1)} x_t.  Its velocity need not be whole: a fractional
 * mu t moves states and inputs by the FFT's phase shift
 * (equiv_fshift.h), exact for band-limited states; whole velocities
 * move them by permutation.  A lifted model's velocities are whole,
 * and so are the flows it is measured under.  A slice without a partner starts as its own
 * slice moved by -mu; it is not judged, but its error against its own
 * slice moved alike is reported (the truncation of V, which theory does
 * not bound).  The step errors are not
 * defined for flows and are not measured.
 *
 * The sign flip g x = -x, g u = -u and a permutation of the units, g x
 * = x[p] (NumPy's indexing: P = I[p], so (P W P^T)[i][j] = W[p_i][p_j])
 * and g u = u[q] when an input permutation q is given (else u), are
 * each one group element, measured as a shift is (step, free step and
 * trajectory errors); equiv/shifts then holds -1 (sign) or 1 (perm),
 * and the layout of the result is the units, one ring of n that does not
 * wrap around.
 * Which groups a model supports is what it declares (dk_model_actions_of,
 * models/model.h): shifts where it has a spatial layout, flows where it
 * is lifted over velocities (fernn, grnn), sign flips where its
 * nonlinearity is odd, permutations where its units are interchangeable
 * by its form (rnn, ctrnn); rings or a sheet given in the options
 * override the declaration for shifts and flows.  A group the model
 * does not declare is refused with a message naming those it does.
 *
 * A zero denominator with a zero numerator counts as 0, with a nonzero
 * one as infinity.  The starts and inputs are N(0, 1) draws from a seed
 * or those of a stream (input and h0, as dk-run reads them).  The model
 * is reached only through the model interface (models/model.h).
 */
#ifndef DK_ANALYSIS_EQUIV_H
#define DK_ANALYSIS_EQUIV_H

#include <stddef.h>
#include <stdint.h>

#include "models/model.h"
#include "stream/bundle.h"
#include "stream/layout.h"

typedef enum {
	DK_EQUIV_SHIFT,  /* cyclic shifts of rings and sheets */
	DK_EQUIV_FLOW,   /* shifts that grow with time: velocities */
	DK_EQUIV_SIGN,   /* x -> -x, u -> -u */
	DK_EQUIV_PERM    /* x -> x[p], u -> u[q] (or u) */
} dk_equiv_group;

/* "shift", "flow", "sign" or "perm", and back (DK_EINVAL for another
   name). */
const char *dk_equiv_group_name(dk_equiv_group g);
int dk_equiv_group_from_name(const char *name, dk_equiv_group *g);

#define DK_EQUIV_STEPS_DEFAULT 50
#define DK_EQUIV_SAMPLES_DEFAULT 8
#define DK_EQUIV_TOLERANCE_DEFAULT 1e-9

typedef struct dk_equiv_options {
	dk_equiv_group group;
	size_t shift;        /* M >= 1, or 0: every shift 1 .. n - 1 (on
	                        sheets: along rows 1 .. H - 1 and along
	                        columns 1 .. W - 1) */
	double velocity;     /* flow: mu != 0, or 0: every nonzero mu in
	                        -v .. v for a lifted model, else -1 and 1;
	                        on sheets mu_x, of the pair below; whole for
	                        a lifted model, else any real of magnitude
	                        at most 1e9 (a fractional one moves through
	                        the FFT, equiv_fshift.h) */
	double velocity_y;   /* flow on sheets: mu_y, along the rows */
	int velocity_pair;   /* 1: (velocity, velocity_y) is one sheet
	                        velocity, not (0, 0); 0 on rings and for
	                        every velocity on sheets (the nonzero ones
	                        of {-v .. v}^2, else (+-1, 0) and (0, +-1)) */
	size_t steps;        /* T >= 1, or 0: the default (the input's
	                        length with a stream's input) */
	size_t samples;      /* random trajectories B >= 1 (a stream's input
	                        brings its own batch) */
	uint64_t seed;       /* their starts and inputs */
	double tolerance;    /* the verdict's, finite and > 0 */
	size_t rings;        /* C rings, whatever the model's layout says
	                        (0: the layout's) */
	size_t sheet[2];     /* sheets of rows x cols, whatever the layout
	                        says (0, 0: the layout's) */
	const int64_t *perm; /* perm: p, a permutation of the state's units
	                        (borrowed), perm_units of them */
	size_t perm_units;
	const int64_t *input_perm; /* perm: q, of the input's values, or
	                        NULL: the input is left as it is */
	size_t input_perm_units;
	double lie_shift;    /* the Lie derivative's: also the secant of the
	                        shift by this real s, finite and > 0, or 0:
	                        none (equiv_lie.h) */
} dk_equiv_options;

dk_equiv_options dk_equiv_options_default(void);

/* DK_EINVAL with a message naming the field for options out of range. */
int dk_equiv_options_check(const dk_equiv_options *o, char *err,
                           size_t errlen);

/*
 * The permutations of b for the group perm, borrowed into o: the record
 * equiv/perm (i8, (unit,)) and, when b holds it, equiv/input_perm (i8,
 * (unit,)); o stays valid while b lives.  DK_EINVAL with a message for a
 * missing or malformed record (whether it is a permutation of the right
 * size is dk_equiv_run's to check, against the model).
 */
int dk_equiv_perm_from_bundle(const dk_bundle *b, dk_equiv_options *o,
                              char *err, size_t errlen);

/*
 * The periodic rings or sheets the state of m lies on: o's rings or
 * sheet when set (they must divide the state), else the model's own
 * layout (dk_model_layout).  DK_ENOTFOUND with a message naming the
 * groups m declares when there is none; DK_EINVAL with a message when rings or sheet do not divide the
 * state, or the layout does not wrap around or does not cover it.
 */
int dk_equiv_layout(const dk_model *m, const dk_equiv_options *o,
                    dk_layout *out, char *err, size_t errlen);

/* Where the trajectories start and what drives them. */
typedef struct dk_equiv_start {
	size_t batch, steps;  /* B trajectories of T steps */
	double *x0;           /* owned: B x n */
	double *u;            /* owned: T x B x m (row t, entry b at
	                         (t B + b) m), or NULL when m = 0 */
	char how[96];         /* where they came from, for the attrs */
} dk_equiv_start;

/* B = o->samples random starts and T = o->steps (or the default) steps
   of random inputs, N(0, 1), from o->seed.  DK_ENOMEM. */
int dk_equiv_start_random(dk_equiv_start *s, const dk_model *m,
                          const dk_equiv_options *o, char *err,
                          size_t errlen);
/* The input (time, batch, m) of b, its first o->steps steps (all when
   0), from b's h0, else the model's start at the first step's input
   (dk_model_start, as dk-run starts; zero states for a kind without
   one).  DK_EINVAL with a message when b has no input, it does not fit
   m, or it is shorter than o->steps; the start's status. */
int dk_equiv_start_from_bundle(dk_equiv_start *s, const dk_model *m,
                               const dk_bundle *b, const dk_equiv_options *o,
                               char *err, size_t errlen);
void dk_equiv_start_clear(dk_equiv_start *s);

/* The part the verdict blames. */
typedef enum {
	DK_EQUIV_BREAKS_NONE,       /* equivariant to the tolerance */
	DK_EQUIV_BREAKS_STATE,      /* the step without input is not */
	DK_EQUIV_BREAKS_INPUT,      /* the step is, but not with its input */
	DK_EQUIV_BREAKS_TRAJECTORY  /* each step is, to the tolerance, but
	                               the dynamics amplify the differences */
} dk_equiv_breaks;

const char *dk_equiv_breaks_name(dk_equiv_breaks b);

typedef struct dk_equiv_result {
	dk_equiv_group group;
	dk_layout layout;         /* the medium the shifts act on */
	size_t elements;          /* group elements measured */
	size_t axes;              /* 1 (rings) or 2 (sheets: shifts (dy, dx),
	                             flow velocities (mu_x, mu_y)) */
	int64_t *shifts;          /* owned: elements x axes (flow: the
	                             velocities when all are whole, else
	                             NULL) */
	double *moves;            /* owned, flow: elements x axes, the
	                             velocities (NULL for the other groups) */
	int fractional;           /* flow: 1 when a velocity is not whole */
	size_t slices;            /* flow: 2 v + 1 velocity slices, (2 v +
	                             1)^2 on sheets (else 1) */
	size_t velocities;        /* flow: v of the lift (0 without) */
	size_t *compared;         /* owned, flow: slices with a partner, per
	                             element (NULL for shifts) */
	double *unpartnered_error; /* owned, flow: per element, the largest
	                             trajectory error of the slices without a
	                             partner against their own slice moved
	                             alike, reported and never judged; NaN
	                             when every slice has one */
	size_t steps, batch;      /* T, B */
	double *step_error;       /* owned: elements (flow: NaN, undefined) */
	double *free_error;       /* owned: elements (flow: NaN, undefined) */
	double *trajectory_error; /* owned: elements x T */
	double *error;            /* owned: elements: the largest of the three
	                             (flow: of the trajectory errors) */
	double max;               /* over every element */
	int input_transformed;    /* 1 when the input was shifted too */
	size_t input_channels;    /* then: its channels on the medium */
	double tolerance;
	int equivariant;          /* max <= tolerance */
	dk_equiv_breaks breaks;
	size_t worst;             /* the element of the largest error */
	size_t first_step;        /* the first step (1..T) at which some
	                             trajectory error exceeds the tolerance,
	                             or 0 */
	char summary[256];        /* the verdict in words */
	char how[96];             /* the start's */
} dk_equiv_result;

/*
 * Measure m under o from s into r (whose arrays it allocates; clear r
 * with dk_equiv_result_clear).  DK_EINVAL with a message for bad options
 * or a trajectory that stops being finite; DK_ENOTFOUND or DK_EINVAL from
 * dk_equiv_layout; DK_ENOMEM.
 */
int dk_equiv_run(const dk_model *m, const dk_equiv_options *o,
                 const dk_equiv_start *s, dk_equiv_result *r, char *err,
                 size_t errlen);
void dk_equiv_result_clear(dk_equiv_result *r);

/*
 * The result as records (equiv_records.c), each with the attrs "equiv"
 * (group, layout, steps, batch, tolerance, start, input_transformed):
 *
 *	equiv/shifts            i8 (element, axis)  the group elements
 *	equiv/error             f8 (element)        the largest of the below
 *	equiv/step_error        f8 (element)
 *	equiv/free_error        f8 (element)
 *	equiv/trajectory_error  f8 (element, time)  time 1..T
 *	equiv/max               f8 ()  attrs also: equivariant, breaks,
 *	                               worst (its shift), first_step, summary
 *
 * For a flow equiv/shifts holds the velocities (on sheets (mu_x, mu_y),
 * x along the columns: the order of --velocity, not that of a shift's
 * (dy, dx)), as f8 when one is fractional, the step records are
 * left out (the step errors are not defined for flows), and the attrs
 * also hold velocities (v), slices_compared and unpartnered_error (per
 * element).
 * Non-finite numbers are null in the attrs.  DK_ENOMEM.
 */
int dk_equiv_to_bundle(const dk_equiv_result *r, dk_bundle *b);

#endif
