/*
 * task_flow.c -- the flowing-input task: objects moving with integer
 * velocities on a periodic ring or torus, a few frames shown and the
 * following ones to predict, after the moving-MNIST task Keller trains
 * flow-equivariant RNNs on ("Flow equivariant recurrent neural
 * networks", NeurIPS 2025).
 *
 * The medium is a ring of N units (H = 1 row of W = N) or an H x W
 * torus.  Each object is a template -- a Gaussian bump of
 * DK_FLOW_BUMP_SIGMA units and peak 1 centred on the origin, a
 * Fashion-MNIST row of 28 pixels on a ring, or a 28 x 28 image on a
 * sheet, starting at the origin -- placed at a random position p and
 * moving with a velocity v drawn from the set: frame s shows it rolled by
 * p + v s, so that the value at (i, j) is template[(i - p_r - v_r s) mod
 * H][(j - p_c - v_c s) mod W].  Objects add up and the sum is clipped to
 * 1, as the paper's frames are.  One object's frames are thus exact
 * permutations of one another.
 *
 * The paper's model sees the first frames and then, step after step, its
 * own previous prediction (detached from the gradient).  The batch here
 * holds zero input during the prediction steps: run on it as it is, a
 * model must carry the motion in its state; in a closed loop
 * (dk_bptt_set_feedback and dk_model_run_feedback from step frames_in:
 * dk-train --feedback, dk-run --feedback) those inputs are replaced by
 * the model's own previous outputs.  The target
 * at step s is frame s: the frame shown during the first frames_in
 * steps, the frame to predict after them, where alone the mask is 1.
 *
 * Draw order, per example and object in turn: the velocity (an index
 * into the set; on a sheet given by values, the row's value and then the
 * column's), the position (the unit; on a sheet the row, then the
 * column), then for the fmnist pattern the image (uniform over the
 * split) and on a ring its row, uniform over the rows that are not all
 * zero.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stream/layout.h"
#include "train/task_impl.h"

/* Velocity components parsed from text: beyond this the medium could not
   hold them anyway (its axes are bounded by MAX_AXIS). */
#define MAX_COMPONENT 1000000
/* Units along one axis: keeps p + v s mod the axis in size_t. */
#define MAX_AXIS ((size_t)1 << 20)

static const char *const pattern_names[DK_NFLOW_PATTERN] = {"bump", "fmnist"};

const char *dk_flow_pattern_name(dk_flow_pattern pattern)
{
	return (unsigned)pattern < DK_NFLOW_PATTERN ? pattern_names[pattern] : NULL;
}

int dk_flow_pattern_from_name(const char *name, dk_flow_pattern *pattern)
{
	for (int i = 0; i < DK_NFLOW_PATTERN; i++)
		if (name && !strcmp(pattern_names[i], name)) {
			*pattern = (dk_flow_pattern)i;
			return DK_OK;
		}
	return DK_EINVAL;
}

/* ---- the velocity set ---- */

/* An integer at *s (an optional sign, then digits), advancing *s. */
static int parse_int(const char **s, int *out)
{
	const char *p = *s;
	const char *digits = *p == '-' || *p == '+' ? p + 1 : p;
	if (!isdigit((unsigned char)*digits))
		return DK_EINVAL;
	char *end;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (errno || v < -MAX_COMPONENT || v > MAX_COMPONENT)
		return DK_EINVAL;
	*s = end;
	*out = (int)v;
	return DK_OK;
}

int dk_flow_velocities_parse(const char *text, dk_task_params *p, char *err,
                             size_t errlen)
{
	int v[DK_FLOW_MAX_VELOCITIES][2];
	size_t n = 0;
	int pairs = -1; /* unknown until the first item */
	const char *s = text ? text : "";
	for (;;) {
		const char *item = s;
		int a, b;
		if (parse_int(&s, &a))
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "flow: velocities: '%s' is not an integer, a range A..B "
			                    "or a pair ROW:COL", item);
		int is_pair = *s == ':';
		if (pairs >= 0 && is_pair != pairs)
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "flow: velocities: pairs ROW:COL and single values mixed");
		pairs = is_pair;
		if (is_pair) {
			s++;
			if (parse_int(&s, &b))
				return dk_task_fail(err, errlen, DK_EINVAL,
				                    "flow: velocities: '%s' is not a pair ROW:COL", item);
			if (n == DK_FLOW_MAX_VELOCITIES)
				goto too_many;
			v[n][0] = a, v[n][1] = b, n++;
		} else {
			b = a;
			if (s[0] == '.' && s[1] == '.') {
				s += 2;
				if (parse_int(&s, &b))
					return dk_task_fail(err, errlen, DK_EINVAL,
					                    "flow: velocities: '%s' is not a range A..B", item);
				if (b < a)
					return dk_task_fail(err, errlen, DK_EINVAL,
					                    "flow: velocities: the range %d..%d is empty", a, b);
			}
			for (long x = a; x <= b; x++) {
				if (n == DK_FLOW_MAX_VELOCITIES)
					goto too_many;
				v[n][0] = (int)x, v[n][1] = 0, n++;
			}
		}
		if (!*s)
			break;
		if (*s != ',')
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "flow: velocities: '%s': a comma or the end expected", s);
		s++;
	}
	memcpy(p->velocities, v, n * sizeof v[0]);
	p->nvelocities = n;
	p->velocity_pairs = pairs;
	return DK_OK;
too_many:
	return dk_task_fail(err, errlen, DK_EINVAL, "flow: velocities: more than %d",
	                    DK_FLOW_MAX_VELOCITIES);
}

/* ---- checking ---- */

/* The medium's rows and columns: a ring is one row. */
static void medium(const dk_task_params *p, size_t *H, size_t *W)
{
	int ring = !p->sheet[0] && !p->sheet[1];
	*H = ring ? 1 : p->sheet[0];
	*W = ring ? p->units : p->sheet[1];
}

/* A velocity component fits an axis of n units when it is under half of
   it, so that no two velocities move alike (v and v + n would). */
static int component_fits(int v, size_t n)
{
	return (size_t)labs((long)v) * 2 < n;
}

static int check_velocities(const dk_task_params *p, size_t H, size_t W,
                            char *err, size_t errlen)
{
	int ring = !p->sheet[0];
	if (p->nvelocities < 1 || p->nvelocities > DK_FLOW_MAX_VELOCITIES)
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "flow: %zu velocities; 1 to %d are possible",
		                    p->nvelocities, DK_FLOW_MAX_VELOCITIES);
	if (p->velocity_pairs && ring)
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "flow: velocity pairs ROW:COL need a sheet, not a ring");
	for (size_t i = 0; i < p->nvelocities; i++) {
		const int *v = p->velocities[i];
		if (p->velocity_pairs) {
			if (!component_fits(v[0], H) || !component_fits(v[1], W))
				return dk_task_fail(err, errlen, DK_EINVAL,
				                    "flow: the velocity %d:%d is not under half of the "
				                    "sheet's %zu rows and %zu columns", v[0], v[1], H, W);
		} else if (ring && !component_fits(v[0], W)) {
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "flow: the velocity %d is not under half of the "
			                    "ring's %zu units", v[0], W);
		} else if (!ring && !component_fits(v[0], H < W ? H : W)) {
			/* a value is a component along both axes */
			return dk_task_fail(err, errlen, DK_EINVAL,
			                    "flow: the velocity component %d is not under half "
			                    "of the sheet's side of %zu units", v[0], H < W ? H : W);
		}
		for (size_t k = 0; k < i; k++) {
			if (p->velocities[k][0] != v[0])
				continue;
			if (!p->velocity_pairs)
				return dk_task_fail(err, errlen, DK_EINVAL,
				                    "flow: the velocity %d is listed twice", v[0]);
			if (p->velocities[k][1] == v[1])
				return dk_task_fail(err, errlen, DK_EINVAL,
				                    "flow: the velocity %d:%d is listed twice", v[0], v[1]);
		}
	}
	return DK_OK;
}

int dk_task_flow_check(const dk_task_params *p, dk_task *t, char *err,
                       size_t errlen)
{
	if (p->objects < 1 || p->objects > DK_FLOW_MAX_OBJECTS)
		return dk_task_fail(err, errlen, DK_EINVAL, "flow: %zu objects; 1 to %d are possible",
		                    p->objects, DK_FLOW_MAX_OBJECTS);
	if ((unsigned)p->pattern >= DK_NFLOW_PATTERN)
		return dk_task_fail(err, errlen, DK_EINVAL, "flow: unknown pattern %d", (int)p->pattern);
	if ((unsigned)p->split >= DK_NSPLIT)
		return dk_task_fail(err, errlen, DK_EINVAL, "flow: unknown split %d", (int)p->split);
	if (p->frames_in < 1 || p->frames_out < 1)
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "flow: at least 1 frame in and 1 out, not %zu and %zu",
		                    p->frames_in, p->frames_out);
	if (p->frames_in > SIZE_MAX - p->frames_out)
		return dk_task_fail(err, errlen, DK_EINVAL, "flow: the frames overflow");
	int ring = !p->sheet[0] && !p->sheet[1];
	if (!ring && (p->sheet[0] < 3 || p->sheet[1] < 3 || p->sheet[0] > MAX_AXIS ||
	              p->sheet[1] > MAX_AXIS))
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "flow: a sheet of %zu x %zu units; each side must be 3 to %zu",
		                    p->sheet[0], p->sheet[1], MAX_AXIS);
	if (ring && (p->units < 3 || p->units > MAX_AXIS))
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "flow: a ring of %zu units; 3 to %zu are possible", p->units, MAX_AXIS);
	size_t H, W;
	medium(p, &H, &W);
	if (p->pattern == DK_FLOW_FMNIST && ring && W < DK_FMNIST_SIDE)
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "flow: a ring of %zu units cannot hold a row of 28 pixels", W);
	if (p->pattern == DK_FLOW_FMNIST && !ring && (H < DK_FMNIST_SIDE || W < DK_FMNIST_SIDE))
		return dk_task_fail(err, errlen, DK_EINVAL,
		                    "flow: a sheet of %zu x %zu units cannot hold an image of 28 x 28",
		                    H, W);
	int st = check_velocities(p, H, W, err, errlen);
	if (st)
		return st;
	t->steps = p->frames_in + p->frames_out;
	t->inputs = t->outputs = H * W; /* each at most 2^20: no overflow */
	t->classify = 0;
	return DK_OK;
}

int dk_task_flow_prepare(dk_task *t, const char *data_dir, char *err,
                         size_t errlen)
{
	if (t->params.pattern == DK_FLOW_FMNIST)
		return dk_task_fmnist_load(t, data_dir, err, errlen);
	size_t H, W;
	medium(&t->params, &H, &W);
	t->flow_bump = malloc(H * W * sizeof *t->flow_bump);
	if (!t->flow_bump)
		return dk_task_fail(err, errlen, DK_ENOMEM, "out of memory");
	/* distances around the ring or torus: to the origin the short way */
	double two_var = 2 * DK_FLOW_BUMP_SIGMA * DK_FLOW_BUMP_SIGMA;
	for (size_t i = 0; i < H; i++) {
		double di = (double)(i < H - i ? i : H - i);
		for (size_t j = 0; j < W; j++) {
			double dj = (double)(j < W - j ? j : W - j);
			t->flow_bump[i * W + j] = exp(-(di * di + dj * dj) / two_var);
		}
	}
	return DK_OK;
}

/* ---- attrs and JSON ---- */

int dk_task_flow_layout(const dk_task *t, json_t **layout)
{
	size_t H, W;
	medium(&t->params, &H, &W);
	dk_layout l = t->params.sheet[0] ? dk_layout_sheets(1, H, W, 1)
	                                 : dk_layout_rings(1, W, 1);
	*layout = dk_layout_to_json(&l);
	return *layout ? DK_OK : DK_ENOMEM;
}

int dk_task_flow_attrs(const dk_task *t, json_t *a)
{
	if (t->params.pattern != DK_FLOW_BUMP)
		return 0;
	return json_object_set_new(a, "bump_sigma", json_real(DK_FLOW_BUMP_SIGMA));
}

static json_t *velocities_json(const dk_task_params *p)
{
	json_t *a = json_array();
	int bad = !a;
	for (size_t i = 0; !bad && i < p->nvelocities; i++) {
		const int *v = p->velocities[i];
		bad = json_array_append_new(a, p->velocity_pairs ? json_pack("[ii]", v[0], v[1])
		                                                 : json_integer(v[0]));
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

int dk_task_flow_to_json(const dk_task_params *p, json_t *j)
{
	int bad = 0;
	if (p->sheet[0] || p->sheet[1])
		bad |= json_object_set_new(j, "sheet", json_pack("[II]", (json_int_t)p->sheet[0],
		                                                 (json_int_t)p->sheet[1]));
	else
		bad |= json_object_set_new(j, "units", json_integer((json_int_t)p->units));
	bad |= json_object_set_new(j, "objects", json_integer((json_int_t)p->objects));
	bad |= json_object_set_new(j, "pattern", json_string(dk_flow_pattern_name(p->pattern)));
	bad |= json_object_set_new(j, "frames_in", json_integer((json_int_t)p->frames_in));
	bad |= json_object_set_new(j, "frames_out", json_integer((json_int_t)p->frames_out));
	bad |= json_object_set_new(j, "velocities", velocities_json(p));
	if (p->pattern == DK_FLOW_FMNIST) {
		bad |= json_object_set_new(j, "split", json_string(dk_split_name(p->split)));
		bad |= json_object_set_new(j, "data_dir",
		                           json_string(p->data_dir ? p->data_dir : DK_FMNIST_DIR));
	}
	return bad ? DK_ENOMEM : DK_OK;
}

/* A JSON integer in 0 .. SIZE_MAX into *n. */
static int size_value(json_t *v, size_t *n)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return DK_EINVAL;
	*n = (size_t)json_integer_value(v);
	return DK_OK;
}

/* A JSON integer within the parser's bounds into *x. */
static int component_value(json_t *v, int *x)
{
	if (!json_is_integer(v) || json_integer_value(v) < -MAX_COMPONENT ||
	    json_integer_value(v) > MAX_COMPONENT)
		return DK_EINVAL;
	*x = (int)json_integer_value(v);
	return DK_OK;
}

static int velocities_value(json_t *a, dk_task_params *p)
{
	size_t n = json_array_size(a);
	if (!json_is_array(a) || n < 1 || n > DK_FLOW_MAX_VELOCITIES)
		return DK_EINVAL;
	int pairs = json_is_array(json_array_get(a, 0));
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		int *out = p->velocities[i];
		out[1] = 0;
		if (pairs ? json_array_size(v) != 2 || component_value(json_array_get(v, 0), &out[0]) ||
		            component_value(json_array_get(v, 1), &out[1])
		          : component_value(v, &out[0]))
			return DK_EINVAL;
	}
	p->nvelocities = n;
	p->velocity_pairs = pairs;
	return DK_OK;
}

int dk_task_flow_from_json(json_t *j, dk_task_params *p)
{
	json_t *v;
	if ((v = json_object_get(j, "units")) && size_value(v, &p->units))
		return DK_EINVAL;
	if ((v = json_object_get(j, "sheet")) &&
	    (json_array_size(v) != 2 || size_value(json_array_get(v, 0), &p->sheet[0]) ||
	     size_value(json_array_get(v, 1), &p->sheet[1])))
		return DK_EINVAL;
	if ((v = json_object_get(j, "objects")) && size_value(v, &p->objects))
		return DK_EINVAL;
	if ((v = json_object_get(j, "pattern")) &&
	    dk_flow_pattern_from_name(json_string_value(v), &p->pattern))
		return DK_EINVAL;
	if ((v = json_object_get(j, "frames_in")) && size_value(v, &p->frames_in))
		return DK_EINVAL;
	if ((v = json_object_get(j, "frames_out")) && size_value(v, &p->frames_out))
		return DK_EINVAL;
	if ((v = json_object_get(j, "velocities")) && velocities_value(v, p))
		return DK_EINVAL;
	return DK_OK;
}

/* ---- the frames ---- */

typedef struct {
	size_t vr, vc;        /* the velocity, mod H and mod W */
	size_t pr, pc;        /* the position at frame 0 */
	const uint8_t *image; /* fmnist: the template's first pixel */
} object;

/* v mod n in 0 .. n-1. */
static size_t wrap(int v, size_t n)
{
	long m = (long)v % (long)n;
	return (size_t)(m < 0 ? m + (long)n : m);
}

static void draw_object(const dk_task *t, size_t H, size_t W, dk_rng *r, object *o)
{
	const dk_task_params *p = &t->params;
	int ring = !p->sheet[0];
	*o = (object){0};
	if (ring) {
		o->vc = wrap(p->velocities[dk_rng_index(r, p->nvelocities)][0], W);
	} else if (p->velocity_pairs) {
		const int *v = p->velocities[dk_rng_index(r, p->nvelocities)];
		o->vr = wrap(v[0], H), o->vc = wrap(v[1], W);
	} else {
		o->vr = wrap(p->velocities[dk_rng_index(r, p->nvelocities)][0], H);
		o->vc = wrap(p->velocities[dk_rng_index(r, p->nvelocities)][0], W);
	}
	if (!ring)
		o->pr = dk_rng_index(r, H);
	o->pc = dk_rng_index(r, W);
	if (p->pattern != DK_FLOW_FMNIST)
		return;
	const size_t side = DK_FMNIST_SIDE, pixels = side * side;
	o->image = (const uint8_t *)t->images->data +
	           dk_rng_index(r, t->images->shape[0]) * pixels;
	if (!ring)
		return;
	/* a row with ink: every image the loader takes has some (a blank one
	   gives the first row) */
	size_t inked[DK_FMNIST_SIDE], n = 0;
	for (size_t i = 0; i < side; i++)
		for (size_t j = 0; j < side; j++)
			if (o->image[i * side + j]) {
				inked[n++] = i;
				break;
			}
	o->image += (n ? inked[dk_rng_index(r, n)] : 0) * side;
}

/* The object's value at (i, j) of the frame whose roll is (sr, sc). */
static double object_value(const dk_task *t, const object *o, size_t H, size_t W,
                           size_t sr, size_t sc, size_t i, size_t j)
{
	size_t ki = (i + H - sr) % H, kj = (j + W - sc) % W;
	if (!o->image)
		return t->flow_bump[ki * W + kj];
	/* a ring's row is a template of one row */
	size_t rows = t->params.sheet[0] ? DK_FMNIST_SIDE : 1;
	return ki < rows && kj < DK_FMNIST_SIDE ? o->image[ki * DK_FMNIST_SIDE + kj] / 255.0 : 0;
}

void dk_task_fill_flow(const dk_task *t, dk_rng *r, dk_task_batch *b)
{
	const dk_task_params *p = &t->params;
	size_t H, W;
	medium(p, &H, &W);
	size_t n = H * W, batch = p->batch, steps = t->steps;
	double *x = b->input->data, *y = b->target->data, *mask = b->mask->data;
	for (size_t e = 0; e < batch; e++) {
		object obj[DK_FLOW_MAX_OBJECTS];
		for (size_t k = 0; k < p->objects; k++)
			draw_object(t, H, W, r, &obj[k]);
		for (size_t s = 0; s < steps; s++) {
			double *frame = y + (s * batch + e) * n;
			for (size_t k = 0; k < p->objects; k++) {
				/* p + v s, each factor already below the axis's
				   2^20 units */
				size_t sr = (obj[k].pr + obj[k].vr * (s % H)) % H;
				size_t sc = (obj[k].pc + obj[k].vc * (s % W)) % W;
				for (size_t i = 0; i < H; i++)
					for (size_t j = 0; j < W; j++)
						frame[i * W + j] += object_value(t, &obj[k], H, W, sr, sc, i, j);
			}
			for (size_t u = 0; u < n; u++)
				frame[u] = frame[u] < 1 ? frame[u] : 1;
			if (s < p->frames_in)
				memcpy(x + (s * batch + e) * n, frame, n * sizeof *frame);
			else
				mask[s * batch + e] = 1;
		}
	}
}
