/*
 * model.h -- the one interface behind which every recurrent model lives.
 *
 * A model maps a batch of B states x (B x n, row-major, one state per row)
 * and inputs u (B x m) to the next states: x' = F(x, u).  Continuous-time
 * models integrate their vector field over dt in F (and expose the field
 * itself).  Around F the interface offers what the analyses and the
 * training need, and nothing else: Jacobian-vector products with respect
 * to the state (jvp), vector-Jacobian products with respect to state,
 * input and parameters (vjp), the dense Jacobian, and the readout y =
 * W_out x + b_out.  Analyses use only these calls, never a model's
 * internals, so a new model gets every analysis.
 *
 * The readout reads the first k entries of the state: k = n for every
 * kind but lstm, whose state is [h, c] (n = 2 units) and whose readout
 * reads h alone (k = units), as a PyTorch nn.Linear on the LSTM's output
 * does; W_out is outputs x k.  The fernn's readout first takes, for each
 * channel and unit, the maximum over its S velocity slices (k = n / S
 * entries, S = 2 V + 1, (2 V + 1)^2 on a sheet), as the paper's model
 * pools before its decoder;
 * so its readout is piecewise linear, and its W_out, outputs x C N, is
 * the grnn's (S = 1).
 *
 * Parameters live in one contiguous vector (so optimisers, clipping and
 * gradients treat them as one array) and are seen as named tensors
 * model/... (so the stream carries them and NumPy reads them).  Each
 * model/... tensor's metadata carries the model's attrs (kind, sizes,
 * nonlinearity, ...).
 *
 * Compute calls take a workspace, allocated once per batch size
 * (dk_model_work_alloc), and do not allocate.
 */
#ifndef DK_MODELS_MODEL_H
#define DK_MODELS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/tensor.h"
#include "stream/bundle.h"
#include "stream/layout.h"

/* Elementwise nonlinearities.  DK_ACT_DEFAULT, the zero of a spec, is the
   kind's own (relu for wrnn, tanh otherwise); a model never holds it. */
typedef enum {
	DK_ACT_DEFAULT, DK_ACT_TANH, DK_ACT_RELU, DK_ACT_ERF, DK_ACT_IDENTITY
} dk_act;

/*
 * How a model is made: sizes, nonlinearity, initialisation.  A zero (or
 * NULL, or DK_ACT_DEFAULT) field takes the kind's default; each kind's
 * policy (the wrnn is relu, starts as a delay line and has 1 channel
 * unless told; the gated kinds' nonlinearities are fixed; only
 * continuous-time kinds have dt, and only the ctrnn tau, an integrator
 * and a rank; only the nwm (always) and the fernn and grnn (or a ring)
 * have a sheet, only the fernn velocities, only
 * the multiregion network regions and couplings) is
 * decided and checked by dk_model_create, not by its callers.
 */
typedef struct dk_model_spec {
	const char *kind;      /* "rnn", "wrnn", ... */
	size_t units;          /* state size n (rnn), units per ring (wrnn);
	                          nwm, cnn, fernn or grnn on a sheet:
	                          height width, or 0 */
	size_t channels;       /* rings (wrnn, fernn, grnn) or sheets (nwm);
	                          0 where it does not apply */
	size_t height, width;  /* the sheet of the nwm, fernn or grnn: rows
	                          and columns (0 where it does not apply;
	                          fernn, grnn: 0 on a ring) */
	size_t hidden;         /* nwm: the channels of its encoders' hidden
	                          layers (0: the default, 11); 0 for every
	                          other kind */
	size_t layers;         /* cnn: its 3x3 convolutions, each channels
	                          wide (1 to 32); 0 for every other kind */
	size_t velocities;     /* fernn: V, its velocities -V .. V (at least
	                          1), on a sheet pairs in {-V .. V}^2; 0 for
	                          every other kind (grnn: {0}) */
	size_t inputs;         /* m */
	size_t outputs;        /* readout size */
	dk_act act;
	const char *init;      /* "identity", "random", "orthogonal", "shift", ... */
	double gain;           /* scale of random initialisations */
	uint64_t seed;
	/* continuous-time models (0 where it does not apply; for ctrnn, 0
	   or "" takes the default: dt 0.1, tau 1, euler, rank 0) */
	double dt;             /* integration step of F */
	double tau;            /* time constant */
	const char *integrator; /* "euler" or "rk4" */
	size_t rank;           /* rank of a low-rank part m n^T / N */
	/* the multiregion network (0 and NULL for every other kind): its
	   regions P (units is then N per region), and the couplings a, b,
	   signs (P each; signs NULL: all +1) its initialisation reads */
	size_t regions;
	const double *a, *b, *signs;
	/* its within-region disorder: the gains g_mu (P; NULL: none) the
	   initialisation reads, and whether the model has the disorder's
	   parameters (set from gains when made; read from the attrs) */
	const double *gains;
	int disorder;
	/* a head that reads whole trajectories (nwm, and the cnn, whose
	   one step it reads: steps 1, readout last; 0 and NULL for every
	   other kind): classes K per pixel (0: no head), the steps T
	   of a sequence it reads, and its readout over time ("linear",
	   "fft" or "last"; NULL or "": linear).  A model with a head has no
	   per-step outputs (outputs 0). */
	size_t classes, steps;
	const char *readout;
} dk_model_spec;

typedef struct dk_model dk_model;
typedef struct dk_model_work dk_model_work;

/*
 * A new model of spec, initialised; DK_EINVAL with err for a bad spec:
 * an unknown kind, sizes of 0, a gain that is not finite, a nonlinearity
 * or field the kind does not have.  Messages name the spec's fields, not
 * any tool's options.
 */
int dk_model_create(const dk_model_spec *spec, dk_model **out, char *err,
                    size_t errlen);
/* The spec m was made from, defaults filled in (its strings are m's). */
const dk_model_spec *dk_model_spec_of(const dk_model *m);
/* A model from the model/... tensors of a bundle. */
int dk_model_from_bundle(const dk_bundle *b, dk_model **out, char *err,
                         size_t errlen);
/* Add the model's parameters, as model/... tensors with attrs, to b. */
int dk_model_to_bundle(const dk_model *m, dk_bundle *b);
void dk_model_free(dk_model *m);

const char *dk_model_kind(const dk_model *m);
/* nu input values fit m (one per model input): DK_OK, or DK_EINVAL with
   a message saying how many it takes. */
int dk_model_check_inputs(const dk_model *m, size_t nu, char *err,
                          size_t errlen);
size_t dk_model_state_size(const dk_model *m);
/* Values of one step's input: spec.inputs, but for the nwm, whose input
   is an image of spec.inputs channels on its sheet (inputs H W), and the
   fernn and grnn, whose input is spec.inputs channels on their ring or
   sheet (inputs units, units = H W on a sheet). */
size_t dk_model_input_size(const dk_model *m);
size_t dk_model_output_size(const dk_model *m);
/* k: how many leading state entries the readout reads, or the size of
   each of the blocks it pools. */
size_t dk_model_readout_input_size(const dk_model *m);
/* S: how many consecutive blocks of k entries the readout takes the
   maximum over, entry by entry (fernn: its velocities); 1 for every
   kind that reads its first k entries linearly. */
size_t dk_model_readout_pool(const dk_model *m);

/*
 * Where the state's units sit in space: 1 with *out filled for a model
 * that has a spatial layout (wrnn: its channels, each a periodic ring of
 * units; fernn, grnn: a periodic ring or sheet per velocity and channel; nwm: its
 * y then its z channels, each a periodic sheet), 0 with out->rank = 0
 * for one that has none.  dk-run writes it
 * into the attrs of the states (stream/layout.h), where dk-wave finds it.
 */
int dk_model_layout(const dk_model *m, dk_layout *out);

/*
 * The group actions a model declares: what its state and input are made
 * of, so that an analysis knows which transformations g it may apply,
 * g x to a state and g u to an input, and expect F(g x, g u) = g F(x, u)
 * of an equivariant model.  Every action is a signed permutation of the
 * units, g x = s x[p]:
 *
 *   SHIFT  the cyclic shifts of the periodic rings or sheets of
 *          dk_model_layout (wrnn, fernn, grnn, nwm), the input moved
 *          alike when it lies on the same medium;
 *   FLOW   shifts that grow with time, acting on each velocity slice of
 *          the lift (fernn: velocities v, slices in the order of
 *          dk_model_layout's channels; grnn: v = 0, one slice);
 *   SIGN   x -> -x, u -> -u (p the identity, s = -1): declared where the
 *          nonlinearity is odd (rnn, ctrnn with tanh, erf or identity),
 *          so that only the biases can break it;
 *   PERM   a permutation of the units, x -> x[p] (and the input's, u ->
 *          u[q], when one is given): declared by the kinds whose units
 *          are interchangeable by their form (rnn, ctrnn), where
 *          W = P W P^T, V = P V Q^T, b = P b makes it exact.
 *
 * Whether a declared action is a symmetry of the given parameters is
 * what an analysis measures; a kind that does not declare one has a form
 * that the action does not preserve.
 */
#define DK_MODEL_ACTS_SHIFT 1u
#define DK_MODEL_ACTS_FLOW  2u
#define DK_MODEL_ACTS_SIGN  4u
#define DK_MODEL_ACTS_PERM  8u

typedef struct dk_model_actions {
	unsigned groups;     /* DK_MODEL_ACTS_* */
	dk_layout medium;    /* SHIFT, FLOW: dk_model_layout's (else rank 0) */
	size_t velocities;   /* FLOW: v of the lift, 0 without one */
} dk_model_actions;

/* The actions m declares; returns out->groups. */
unsigned dk_model_actions_of(const dk_model *m, dk_model_actions *out);
/* "shift", "flow", "sign", "perm" for one DK_MODEL_ACTS_* bit; NULL for
   anything else. */
const char *dk_model_action_name(unsigned act);
/* The names of the bits of groups, comma-separated ("none" for 0), into
   buf (truncated to cap). */
void dk_model_action_names(unsigned groups, char *buf, size_t cap);
/* Apply one action as a signed permutation to B rows of width k:
   out[b][i] = sign in[b][perm[i]] (perm NULL: the identity).  out may
   not be in. */
void dk_model_act_apply(const size_t *perm, double sign, size_t B, size_t k,
                        const double *in, double *out);

/* The parameter vector (owned by the model) and its length. */
double *dk_model_params(dk_model *m);
size_t dk_model_param_count(const dk_model *m);
/* The offset and size in the vector of the parameter named name. */
int dk_model_param_find(const dk_model *m, const char *name, size_t *offset,
                        size_t *count);

/* Scratch space for batches of up to batch states. */
dk_model_work *dk_model_work_alloc(const dk_model *m, size_t batch);
void dk_model_work_free(dk_model_work *w);

/*
 * xn = F(x, u) for B states.  u may be NULL (zero input).  When cache is
 * not NULL it receives what jvp and vjp need at this step
 * (dk_model_cache_size doubles per state), saving them the recomputation.
 */
int dk_model_step(const dk_model *m, dk_model_work *w, size_t B,
                  const double *x, const double *u, double *xn,
                  double *cache);
size_t dk_model_cache_size(const dk_model *m);
/*
 * 1 when a step's cache is a copy of the state it makes (rnn with relu
 * or tanh: the slope follows from the value).  A caller that keeps every
 * state, as BPTT does, may then pass NULL as the step's cache and the
 * state xn it made as the cache of jvp and vjp at (x, u), and keep no
 * cache of its own.
 */
int dk_model_cache_is_state(const dk_model *m);

/* dxn = (dF/dx) dx at (x, u); cache from dk_model_step, or NULL.  dxn
   may not be dx. */
int dk_model_jvp(const dk_model *m, dk_model_work *w, size_t B,
                 const double *x, const double *u, const double *cache,
                 const double *dx, double *dxn);

/*
 * Given gxn = dL/dxn: gx = (dF/dx)^T gxn, gu = (dF/du)^T gxn (if not
 * NULL), and gparams += (dF/dtheta)^T gxn summed over the batch (if not
 * NULL; a vector of dk_model_param_count doubles).
 */
int dk_model_vjp(const dk_model *m, dk_model_work *w, size_t B,
                 const double *x, const double *u, const double *cache,
                 const double *gxn, double *gx, double *gu,
                 double *gparams);

/*
 * Sequence mode: the gradient of a whole run, taken back once where a
 * kind allows it.  Part of a step may depend on the input alone and
 * not on the state (the nwm: omega and alpha, made from the image by
 * their encoders), the same at every step of a run on one input.  A
 * step's vjp takes the gradient that reaches that part back through it
 * at once; summed over the steps first and taken back once, it costs
 * one such pass a run instead of one a step, as autograd does it.
 *
 * Between dk_model_sequence_begin and dk_model_sequence_end on a
 * workspace, a vjp called with gu NULL and gparams not NULL adds to
 * gparams all of its share but that part's, whose gradient it adds,
 * per row of the batch, to a sum in the workspace; dk_model_sequence_end
 * takes each row's sum back through the part into gparams (if not NULL)
 * and leaves the mode.  So the sum of gparams over a walk back and the
 * end is the gradient the same vjps give outside the mode, to round-off
 * (the sum is taken in another order).  A row whose input changes
 * within the mode has its sum for the former input taken back first,
 * into the gparams of the vjp that sees the change.  A vjp given gu
 * (the input's gradient of that step is wanted now) takes everything
 * back at once, as outside the mode.  Therefore: every vjp in the mode
 * and the end are given the same gparams vector, and the parameters do
 * not change between begin and end.  Outside the mode, the default of a
 * new workspace, a vjp is the one step it always is; begin again drops
 * what an unfinished sequence had summed.  For a kind without such a
 * part both calls do nothing.  BPTT (train/bptt.h) runs its walk back
 * in this mode.
 */
int dk_model_sequence_begin(const dk_model *m, dk_model_work *w);
int dk_model_sequence_end(const dk_model *m, dk_model_work *w, double *gparams);

/*
 * The state a run starts from, given its first input: x0 = S(u) for the
 * kinds that make it from the input (the nwm: y0 from an encoder of the
 * image, z0 = 0), x0 = 0 for every other kind.  u is B x m, or NULL for
 * a zero input.  When cache is not NULL it receives what start_vjp needs
 * (dk_model_start_cache_size doubles per state; 0 for a kind that starts
 * at 0).  Runs and training start there when not given an initial
 * state.
 */
int dk_model_has_start(const dk_model *m);
size_t dk_model_start_cache_size(const dk_model *m);
int dk_model_start(const dk_model *m, dk_model_work *w, size_t B,
                   const double *u, double *x0, double *cache);
/*
 * Given gx0 = dL/dx0: gu = (dS/du)^T gx0 (if not NULL; zeros for a kind
 * that starts at 0), and gparams += (dS/dtheta)^T gx0 summed over the
 * batch (if not NULL).  cache from dk_model_start at the same u, or NULL.
 */
int dk_model_start_vjp(const dk_model *m, dk_model_work *w, size_t B,
                       const double *u, const double *cache, const double *gx0,
                       double *gu, double *gparams);

/*
 * Continuous-time models also expose the vector field f whose flow F
 * integrates over dt, so fixed points can be sought in the flow
 * convention (f = 0) as well as the map convention (F(x) = x).  For a
 * discrete-time model these return DK_EINVAL.
 */
int dk_model_is_continuous(const dk_model *m);
/* f(x, u) for B states. */
int dk_model_field(const dk_model *m, dk_model_work *w, size_t B,
                   const double *x, const double *u, double *f);
/* df = (df/dx) dx. */
int dk_model_field_jvp(const dk_model *m, dk_model_work *w, size_t B,
                       const double *x, const double *u, const double *dx,
                       double *df);
/* gx = (df/dx)^T gf. */
int dk_model_field_vjp(const dk_model *m, dk_model_work *w, size_t B,
                       const double *x, const double *u, const double *gf,
                       double *gx);

/* The time one step of F covers: dt for a continuous-time model, 1 for a
   discrete-time one (a step is then the unit of time). */
double dk_model_step_time(const dk_model *m);

/* The dense n x n Jacobian dF/dx at one state (row-major). */
int dk_model_jacobian(const dk_model *m, dk_model_work *w, const double *x,
                      const double *u, double *J);

/* y = W_out x[0 .. k) + b_out for B states (B x outputs); with S > 1
   blocks, y = W_out z + b_out, z[e] = max over a < S of x[a k + e]. */
int dk_model_readout(const dk_model *m, size_t B, const double *x,
                     double *y);
/* gx = W_out^T gy (overwrites all n entries per state: zero past k;
   with S > 1 blocks, W_out^T gy at the block holding each maximum, the
   first of equal ones, and zero elsewhere); gparams += readout
   gradients. */
int dk_model_readout_vjp(const dk_model *m, size_t B, const double *x,
                         const double *gy, double *gx, double *gparams);

/*
 * The head: a readout of the T states of a whole sequence, pixel by
 * pixel (lib/models/pixel_head.h), beside the per-step readout.
 * head_steps is T (0: m has no head); head_pixels P = H W and
 * head_classes K.  dk_model_head makes logits (B, P, K), pixel by pixel,
 * from states (T x B x n: the states after steps 1 .. T), so that a
 * row-wise cross-entropy applies to the B P rows; the work must have
 * been allocated for at least B.  head_vjp overwrites gstates (T x B x
 * n) with dL/dstates for glogits = dL/dlogits and adds the head's
 * parameter gradients to gparams.  DK_EINVAL for a model without a head.
 */
size_t dk_model_head_steps(const dk_model *m);
size_t dk_model_head_pixels(const dk_model *m);
size_t dk_model_head_classes(const dk_model *m);
int dk_model_head(const dk_model *m, dk_model_work *w, size_t B,
                  const double *states, double *logits);
int dk_model_head_vjp(const dk_model *m, dk_model_work *w, size_t B,
                      const double *states, const double *glogits,
                      double *gstates, double *gparams);

/* Elementwise nonlinearity by name ("tanh", "relu", "erf", "identity"). */
int dk_act_from_name(const char *name, dk_act *act);
const char *dk_act_name(dk_act act);

#endif
