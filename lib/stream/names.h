/*
 * names.h -- the names of the records dynkit's tools read and write.
 *
 * A record's name is a path (dk-stream(5), "Names"); tools find their
 * inputs and label their outputs by these names, and man/dk-stream.5
 * lists each of them under "Record names" (tests/names.sh checks that
 * every name here is documented there).  A name is written once, here;
 * code uses the macro, never the literal.
 */
#ifndef DK_STREAM_NAMES_H
#define DK_STREAM_NAMES_H

/* task data (dk-gen), read by dk-run and dk-train */
#define DK_NAME_INPUT   "input"   /* (time, batch, input) */
#define DK_NAME_TARGET  "target"  /* (time, batch, output) or class labels */
#define DK_NAME_MASK    "mask"    /* (time, batch): which steps count;
                                     or (time, batch, output) */
#define DK_NAME_H0      "h0"      /* (batch, state): initial states */

/* a run of a model (dk-run) */
#define DK_NAME_STATES  "states"  /* (time, batch, state) */
#define DK_NAME_OUTPUT  "output"  /* (time, batch, output) */
#define DK_NAME_RUN_LOSS     "run/loss"
#define DK_NAME_RUN_ACCURACY "run/accuracy"
#define DK_NAME_RUN_LABELS   "run/labels"   /* (batch, row, col) */
#define DK_NAME_RUN_IOU_FOREGROUND "run/iou_foreground"

/* the drum (dk-gen drum): the shapes' masks (batch, channel, row, col),
   sizes and classes (batch), the frequencies (batch, mode); and its
   linear readouts (dk-gen drum --fit): the size's coefficients
   (feature), the class's (feature, class), the scores (0-d) */
#define DK_NAME_DRUM_MASK          "drum/mask"
#define DK_NAME_DRUM_SIZE          "drum/size"
#define DK_NAME_DRUM_CLASS         "drum/class"
#define DK_NAME_DRUM_FREQUENCY     "drum/frequency"
#define DK_NAME_DRUM_COEF          "drum/coef"
#define DK_NAME_DRUM_TRAIN_RMS     "drum/train_rms"
#define DK_NAME_DRUM_TEST_RMS      "drum/test_rms"
#define DK_NAME_DRUM_TEST_R2       "drum/test_r2"
#define DK_NAME_DRUM_TEST_ACCURACY "drum/test_accuracy"
#define DK_NAME_DRUM_CLASS_COEF    "drum/class_coef"
#define DK_NAME_DRUM_TEST_CLASS_ACCURACY "drum/test_class_accuracy"

/* training (dk-train) */
#define DK_NAME_TRAIN_LOSS "train/loss"
#define DK_NAME_TRAIN_LOG  "train/log"
#define DK_NAME_TRAIN_STEP "train/step"
/* ... and a checkpoint's state besides (dk-train -o FILE --checkpoint) */
#define DK_NAME_TRAIN_OPTIM     "train/optim"
#define DK_NAME_TRAIN_RNG       "train/rng"
#define DK_NAME_TRAIN_EPOCH_RNG "train/epoch_rng"

/* fixed and slow points (dk-fixed) */
#define DK_NAME_FP_ALL   "fp/*"
#define DK_NAME_FP_X     "fp/x"
#define DK_NAME_FP_Q     "fp/q"
#define DK_NAME_FP_ITERS "fp/iters"
#define DK_NAME_FP_KIND  "fp/kind"
#define DK_NAME_FP_EIG   "fp/eig"
#define DK_NAME_FP_INDEX "fp/index"
#define DK_NAME_FP_OUTPUT "fp/output"
#define DK_NAME_FP_U      "fp/u"

/* Jacobians and their spectra (dk-jac) */
#define DK_NAME_JAC_X       "jac/x"
#define DK_NAME_JAC_EIG     "jac/eig"
#define DK_NAME_JAC_COND    "jac/cond"
#define DK_NAME_JAC_RESID   "jac/resid"
#define DK_NAME_JAC_INDEX   "jac/index"
#define DK_NAME_JAC_STABLE  "jac/stable"
#define DK_NAME_JAC_KIND    "jac/kind"
#define DK_NAME_JAC_RIGHT   "jac/right"
#define DK_NAME_JAC_LEFT    "jac/left"
#define DK_NAME_JAC_SCHUR_T "jac/schur_t"
#define DK_NAME_JAC_SCHUR_Z "jac/schur_z"
#define DK_NAME_JAC_INPUT   "jac/input"

/* Lyapunov spectra (dk-lyap) */
#define DK_NAME_LYAP_EXPONENTS   "lyap/exponents"
#define DK_NAME_LYAP_STDERR      "lyap/stderr"
#define DK_NAME_LYAP_TRACE       "lyap/trace"
#define DK_NAME_LYAP_TRACE_STEPS "lyap/trace_steps"
#define DK_NAME_LYAP_DIMENSION   "lyap/dimension"
#define DK_NAME_LYAP_ENTROPY     "lyap/entropy"
#define DK_NAME_LYAP_CHECK       "lyap/check"

/* traveling waves on rings (dk-wave): each (batch, ring) */
#define DK_NAME_WAVE_SPEED          "wave/speed"
#define DK_NAME_WAVE_WAVELENGTH     "wave/wavelength"
#define DK_NAME_WAVE_FREQUENCY      "wave/frequency"
#define DK_NAME_WAVE_TRAVELING      "wave/traveling"
#define DK_NAME_WAVE_DIAGONAL_POWER "wave/diagonal_power"
/* the phase method's (dk-wave --method phase): each (batch, ring), the
   series (time, batch, ring) */
#define DK_NAME_WAVE_DIRECTIONALITY     "wave/directionality"
#define DK_NAME_WAVE_SPEED_SPREAD       "wave/speed_spread"
#define DK_NAME_WAVE_WAVELENGTH_SPREAD  "wave/wavelength_spread"
#define DK_NAME_WAVE_FREQUENCY_SPREAD   "wave/frequency_spread"
#define DK_NAME_WAVE_NEGATIVE_FREQUENCY "wave/negative_frequency"
#define DK_NAME_WAVE_SPEED_SERIES       "wave/speed_series"
/* on sheets (dk-wave on (channel, row, col) states): each (batch,
   channel), the centre (batch, channel, 2) */
#define DK_NAME_WAVE_DIRECTION "wave/direction"
#define DK_NAME_WAVE_PATTERN   "wave/pattern"
#define DK_NAME_WAVE_CENTRE    "wave/centre"
#define DK_NAME_WAVE_SENSE     "wave/sense"
/* the k-omega power spectrum (dk-wave --spectrum): rings (batch, ring,
   wavenumber, frequency), sheets (batch, channel, row_wavenumber,
   col_wavenumber, frequency); the axes' values, cycles per unit and per
   step */
#define DK_NAME_WAVE_SPECTRUM           "wave/spectrum"
#define DK_NAME_WAVE_WAVENUMBER         "wave/wavenumber"
#define DK_NAME_WAVE_ROW_WAVENUMBER     "wave/row_wavenumber"
#define DK_NAME_WAVE_COL_WAVENUMBER     "wave/col_wavenumber"
#define DK_NAME_WAVE_SPECTRUM_FREQUENCY "wave/spectrum_frequency"

/* equivariance (dk-equiv): the group elements (element, axis), the
   errors per element, per element and time step, and the largest (0-d) */
#define DK_NAME_EQUIV_SHIFTS           "equiv/shifts"
#define DK_NAME_EQUIV_ERROR            "equiv/error"
#define DK_NAME_EQUIV_STEP_ERROR       "equiv/step_error"
#define DK_NAME_EQUIV_FREE_ERROR       "equiv/free_error"
#define DK_NAME_EQUIV_TRAJECTORY_ERROR "equiv/trajectory_error"
#define DK_NAME_EQUIV_MAX              "equiv/max"
/* dk-equiv --group perm's input: the permutations of state and input */
#define DK_NAME_EQUIV_PERM             "equiv/perm"
#define DK_NAME_EQUIV_INPUT_PERM       "equiv/input_perm"
/* dk-equiv --objects: per fixed point and shift (point, element), the
   shifted point's residual, distance to the set and nearest point of it,
   and spectrum difference; per shift (element, field) the Lyapunov
   exponents' difference; the missing orbit members (missing, field) */
#define DK_NAME_EQUIV_ORBIT_RESIDUAL   "equiv/orbit_residual"
#define DK_NAME_EQUIV_ORBIT_DISTANCE   "equiv/orbit_distance"
#define DK_NAME_EQUIV_ORBIT_NEAREST    "equiv/orbit_nearest"
#define DK_NAME_EQUIV_ORBIT_SPECTRUM   "equiv/orbit_spectrum"
#define DK_NAME_EQUIV_ORBIT_LYAPUNOV   "equiv/orbit_lyapunov"
#define DK_NAME_EQUIV_MISSING          "equiv/missing"
/* dk-equiv --lie: the relative Lie derivative per sample and axis of the
   continuous shift (sample, axis), and the largest (0-d) */
#define DK_NAME_EQUIV_LIE              "equiv/lie"
#define DK_NAME_EQUIV_LIE_MAX          "equiv/lie_max"
#define DK_NAME_EQUIV_LIE_SECANT       "equiv/lie_secant"

/* dynamical mean-field theory (dk-dmft): scs, the rate network's
   autocorrelation (0-d, and on the tau grid), and map, the random map's
   order parameters (0-d) */
#define DK_NAME_DMFT_DELTA0   "dmft/delta0"
#define DK_NAME_DMFT_DECAY    "dmft/decay"
#define DK_NAME_DMFT_TAU      "dmft/tau"
#define DK_NAME_DMFT_DELTA    "dmft/delta"
#define DK_NAME_DMFT_CPHI     "dmft/cphi"
#define DK_NAME_DMFT_Q        "dmft/q"
#define DK_NAME_DMFT_CHI1     "dmft/chi1"
#define DK_NAME_DMFT_LYAPUNOV "dmft/lyapunov"
/* multiregion (dk-dmft multiregion): the fixed points of the currents
   (start, region, region), their row sums of squares (start, region),
   their residuals (start), and T-hat's eigenvalues (eigenvalue) and
   largest real part (0-d) */
#define DK_NAME_DMFT_S           "dmft/S"
#define DK_NAME_DMFT_A           "dmft/A"
#define DK_NAME_DMFT_RESIDUAL    "dmft/residual"
#define DK_NAME_DMFT_THAT_EIG    "dmft/that_eig"
#define DK_NAME_DMFT_THAT_MAX_RE "dmft/that_max_re"
/* ... and with disorder (dk-dmft multiregion --gain), the nonstationary
   theory: the currents (time, region, region), each region's variance
   (time, region), and its autocorrelation at the last time (lag, region) */
#define DK_NAME_DMFT_S_T         "dmft/S_t"
#define DK_NAME_DMFT_DELTA_T     "dmft/delta_t"
#define DK_NAME_DMFT_DELTA_LAG   "dmft/delta_lag"
/* ... and the map simulated beside it (dk-dmft map --simulate), per network */
#define DK_NAME_SIM_Q         "sim/q"
#define DK_NAME_SIM_LYAPUNOV  "sim/lyapunov"
/* ... and the rate network simulated (dk-dmft scs --simulate): Delta0
   (network) and Delta on the lags of dmft/tau (network, tau) */
#define DK_NAME_SIM_DELTA0    "sim/delta0"
#define DK_NAME_SIM_DELTA     "sim/delta"
/* ... and the multiregion network simulated (dk-dmft multiregion
   --simulate): its currents (network, step, region, region) and their
   row sums of squares averaged over the measured steps (network, region) */
#define DK_NAME_SIM_S         "sim/S"
#define DK_NAME_SIM_A         "sim/A"
/* ... and with disorder (dk-dmft multiregion --gain --simulate), the
   means over the networks of the currents (time, region, region) and of
   each region's variance (time, region) */
#define DK_NAME_SIM_S_T       "sim/S_t"
#define DK_NAME_SIM_DELTA_T   "sim/delta_t"

/* low-rank structure with disorder (dk-dmft lowrank): per branch, kappa
   (branch, rank), mu, dmft/delta0 above, Delta_inf, the bulk radius, the
   state (branch) and the outliers (branch, rank; complex) */
#define DK_NAME_DMFT_KAPPA       "dmft/kappa"
#define DK_NAME_DMFT_MU          "dmft/mu"
#define DK_NAME_DMFT_DELTA_INF   "dmft/delta_inf"
#define DK_NAME_DMFT_BULK_RADIUS "dmft/bulk_radius"
#define DK_NAME_DMFT_OUTLIERS    "dmft/outliers"
#define DK_NAME_DMFT_STATE       "dmft/state"
/* ... and simulated (dk-dmft lowrank --simulate), per network: kappa
   (network, rank), mu, sim/delta0 above, Delta_inf, the nearest branch */
#define DK_NAME_SIM_KAPPA        "sim/kappa"
#define DK_NAME_SIM_MU           "sim/mu"
#define DK_NAME_SIM_DELTA_INF    "sim/delta_inf"
#define DK_NAME_SIM_BRANCH       "sim/branch"
/* a sweep (dk-dmft --params): each swept parameter's values by row,
   under this prefix and the option's name (sweep/gain, ...) */
#define DK_NAME_SWEEP_ALL "sweep/*"
#define DK_SWEEP_PREFIX   "sweep/"

#endif
