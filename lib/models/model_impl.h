/*
 * model_impl.h -- what a model kind implements behind model.h (not
 * installed: only lib/models/ sees it).
 *
 * A kind declares its parameter tensors (layout), fills them (init), and
 * computes F, its tangent and its adjoint.  model.c does the rest for
 * every kind: the parameter vector, the readout, workspaces, bundles,
 * attrs, and the dense Jacobian from jvp where a kind has no formula.
 */
#ifndef DK_MODELS_MODEL_IMPL_H
#define DK_MODELS_MODEL_IMPL_H

#include <jansson.h>

#include "base/rng.h"
#include "models/model.h"
#include "models/pixel_head.h"

#define DK_MODEL_MAX_PARAMS 80 /* a cnn of 32 layers with a head: 73 */
#define DK_PARAM_MAX_RANK 4

/* dk_model_ops.has_sheet */
#define DK_SHEET_REQUIRED 1
#define DK_SHEET_OPTIONAL 2

typedef struct dk_param_view {
	char name[64];                    /* "model/W" */
	int rank;
	size_t shape[DK_PARAM_MAX_RANK];
	const char *axes[DK_PARAM_MAX_RANK]; /* static strings */
	size_t offset, count;             /* where in the parameter vector */
} dk_param_view;

typedef struct dk_model_ops {
	const char *kind;
	/* The kind's policy, applied by dk_model_create: the nonlinearity
	   of DK_ACT_DEFAULT (0: tanh) and whether it is the only one
	   allowed (DK_ACT_DEFAULT here: tanh), the initialisation of an empty init (NULL: "random"),
	   and whether the kind has channels (an absent count then means 1). */
	dk_act act_default;
	int act_fixed;
	const char *init_default;
	int has_channels;
	/* DK_SHEET_REQUIRED for a kind on sheets only (nwm): spec.height and
	   width are required; DK_SHEET_OPTIONAL for a kind on rings or sheets
	   (fernn, grnn): both or neither; 0: refused. */
	int has_sheet;
	/* 1 for the kind lifted over velocities (fernn): spec.velocities is
	   required, and refused for every other kind. */
	int has_velocities;
	/* 1 for a kind with hidden layers of a width spec.hidden (nwm: its
	   encoders); spec.hidden is refused for every other kind. */
	int has_hidden;
	/* 1 for a kind of a number of layers (cnn): spec.layers is refused
	   for every other kind. */
	int has_layers;
	/* 1 for the multiregion kind: spec.regions is required, and it and
	   the couplings a, b, signs are refused for every other kind. */
	int has_regions;
	/* 1 for a continuous-time kind whose only setting is dt (nwm: its
	   integrator is fixed); tau, integrator and rank are then refused. */
	int dt_only;
	/* 1 for a kind that may have a head (nwm, cnn): spec.classes, steps and
	   readout are refused for every other kind.  layout declares the
	   head (dk_model_add_head) when spec.classes is set. */
	int has_head;
	/* Check the sizes in m->spec, set m->n, and declare the parameters
	   with dk_model_add_param (the readout is added after).  A kind whose
	   readout reads only the first k < n state entries (lstm: h, not c)
	   sets m->readout_in = k here; 0 means the whole state.  A kind
	   whose readout takes the maximum over S blocks of k entries (fernn:
	   its velocities) sets m->readout_in = k and m->readout_pool = S,
	   S k = n.  A kind
	   whose input is more than spec.inputs values (nwm: an image of
	   spec.inputs channels) sets m->input_size; 0 means spec.inputs. */
	int (*layout)(dk_model *m, char *err, size_t errlen);
	/* Optional: where the state's units sit in space (dk_model_layout);
	   NULL for a kind without a spatial layout. */
	void (*spatial)(const dk_model *m, dk_layout *out);
	/* Optional: the actions the kind declares beyond SHIFT, which
	   model.c declares for every kind with a spatial layout
	   (DK_MODEL_ACTS_*, model.h). */
	unsigned (*actions)(const dk_model *m);
	/* Fill the parameters (all zero on entry) as m->spec says. */
	int (*init)(dk_model *m, dk_rng *rng, char *err, size_t errlen);
	/* Doubles of scratch for a batch, and of cache per state. */
	size_t (*work_size)(const dk_model *m, size_t batch);
	size_t (*cache_size)(const dk_model *m);
	/* Optional: 1 when the cache of a step is the state it makes (what
	   jvp and vjp need follows from it), for dk_model_cache_is_state. */
	int (*cache_is_state)(const dk_model *m);
	/* Optional: a kind whose scratch holds more than doubles (wrnn: its
	   team of threads) sets it up after the scratch is allocated for a
	   batch, and releases it before the scratch is freed (without the
	   model, which may be gone by then). */
	int (*work_open)(const dk_model *m, double *work, size_t batch);
	void (*work_close)(double *work);
	int (*step)(const dk_model *m, double *work, size_t B, const double *x,
	            const double *u, double *xn, double *cache);
	int (*jvp)(const dk_model *m, double *work, size_t B, const double *x,
	           const double *u, const double *cache, const double *dx,
	           double *dxn);
	int (*vjp)(const dk_model *m, double *work, size_t B, const double *x,
	           const double *u, const double *cache, const double *gxn,
	           double *gx, double *gu, double *gparams);
	/* Optional: the initial state made from the first input (nwm: y0
	   from its encoder of the image, z0 = 0), for dk_model_start, with
	   start_cache_size doubles per state of what start_vjp needs; NULL
	   for a kind that starts at 0.  u may be NULL (zero input), and so
	   may start_vjp's cache (then made again), gu and gparams (skipped);
	   start_vjp overwrites gu and adds to gparams, as vjp does. */
	size_t (*start_cache_size)(const dk_model *m);
	int (*start)(const dk_model *m, double *work, size_t B, const double *u,
	             double *x0, double *cache);
	int (*start_vjp)(const dk_model *m, double *work, size_t B, const double *u,
	                 const double *cache, const double *gx0, double *gu,
	                 double *gparams);
	/* Optional: sequence mode (model.h, dk_model_sequence_begin) for a
	   kind whose step has a part that depends on its input alone (nwm):
	   begin sets the mode in the scratch and forgets any earlier sums;
	   end takes the sums back into gparams (NULL: dropped) and leaves
	   the mode.  NULL: the mode changes nothing. */
	void (*sequence_begin)(const dk_model *m, double *work);
	void (*sequence_end)(const dk_model *m, double *work, double *gparams);
	/* Optional: the dense Jacobian at one state. */
	int (*jacobian)(const dk_model *m, double *work, const double *x,
	                const double *u, double *J);
	/* Continuous-time kinds only (NULL otherwise): the vector field,
	   its tangent and its adjoint with respect to the state. */
	int (*field)(const dk_model *m, double *work, size_t B, const double *x,
	             const double *u, double *f);
	int (*field_jvp)(const dk_model *m, double *work, size_t B,
	                 const double *x, const double *u, const double *dx,
	                 double *df);
	int (*field_vjp)(const dk_model *m, double *work, size_t B,
	                 const double *x, const double *u, const double *gf,
	                 double *gx);
} dk_model_ops;

struct dk_model {
	const dk_model_ops *ops;
	dk_model_spec spec;      /* kind and init point to static strings */
	char init_name[32];      /* owned copy behind spec.init */
	char integrator_name[16]; /* owned copy behind spec.integrator */
	size_t n;                /* state size */
	double *theta;           /* owned: every parameter */
	size_t ntheta;
	dk_param_view view[DK_MODEL_MAX_PARAMS];
	size_t nview;
	size_t readout_in;       /* the readout reads x[0 .. readout_in) */
	size_t readout_pool;     /* or the maximum over this many blocks of
	                            readout_in entries (0 or 1: none) */
	size_t input_size;       /* values of one step's input: spec.inputs,
	                            or what layout sets (nwm: I H W) */
	size_t readout_w, readout_b; /* offsets of W_out, b_out in theta */
	/* the head (head.steps 0: none) and where its parameters start */
	dk_pixel_head_dims head;
	size_t head_params;
	char readout_name[16];   /* owned copy behind spec.readout */
};

/*
 * Check spec.classes, steps and readout of a kind that may have a head
 * and, when classes is set, declare the head's parameters (model/fc_time,
 * model/mlp_w1, ...) reading y, the first channels P entries of each
 * state (channels sheets of P pixels).  DK_EINVAL with err.
 */
int dk_model_add_head(dk_model *m, size_t channels, size_t pixels, char *err,
                      size_t errlen);
/* Fill the head's parameters as PyTorch's Linear does: uniform on
   [-1/sqrt(in), 1/sqrt(in)], weights and biases. */
void dk_model_init_head(dk_model *m, dk_rng *rng);

/* Declare a parameter tensor; returns its offset in theta. */
size_t dk_model_add_param(dk_model *m, const char *name, int rank,
                          const size_t *shape, const char *const *axes);

/* The gated kinds' shared part (gated.c): PyTorch's four tensors of G
   gates (model/weight_ih, weight_hh, bias_ih, bias_hh), checked sizes,
   and its uniform initialisation on [-1/sqrt(units), 1/sqrt(units)]. */
int dk_gated_layout(dk_model *m, size_t gates, char *err, size_t errlen);
int dk_gated_init(dk_model *m, dk_rng *rng, char *err, size_t errlen);

/* The actions of a kind of interchangeable units with one elementwise
   nonlinearity (rnn, ctrnn): PERM, and SIGN when the nonlinearity is odd
   (tanh, erf, identity; not relu). */
unsigned dk_model_unit_actions(const dk_model *m);

/* The kinds there are, for lookup by name. */
const dk_model_ops *dk_model_ops_find(const char *kind);
extern const dk_model_ops dk_rnn_ops;
extern const dk_model_ops dk_gru_ops;
extern const dk_model_ops dk_lstm_ops;
extern const dk_model_ops dk_ctrnn_ops; /* ctrnn.c */
extern const dk_model_ops dk_wrnn_ops;
extern const dk_model_ops dk_nwm_ops;   /* nwm.c */
extern const dk_model_ops dk_cnn_ops;   /* cnn.c */
extern const dk_model_ops dk_fernn_ops; /* fernn.c */
extern const dk_model_ops dk_grnn_ops;  /* fernn.c */
extern const dk_model_ops dk_multiregion_ops; /* multiregion.c */

/*
 * y[i] = v[i] where a[i] > 0, else +0: relu (v = a), and products with its
 * slope.  A mask of bits rather than a branch: half the pre-activations
 * are negative, and a mispredicted branch per element can cost as much as
 * the matrix product before it.  y may be v.
 */
void dk_act_relu_mask(const double *a, const double *v, double *y, size_t n);

/* y = act(y) elementwise, and d = act'(a) from the pre-activation a. */
void dk_act_apply(dk_act act, const double *a, double *y, size_t n);
void dk_act_derivative(dk_act act, const double *a, double *d, size_t n);
/* Both in one pass over a where the slope follows from the value (tanh:
   1 - y^2, relu: the same mask): the step of a training run needs both.
   No two of a, y and d overlap. */
void dk_act_apply_slope(dk_act act, const double *restrict a,
                        double *restrict y, double *restrict d, size_t n);

#endif
