/*
 * nwm_encoders.c -- the oscillator sheet's encoders of the image (nwm.c
 * describes the model): the workspace the kind computes in, which keeps
 * omega's and alpha's encoders per row of the batch (the memo); y0's
 * encoder, the kind's start (dk_model_start); and the sums of sequence
 * mode (model.h), in which the gradients that reach omega and alpha are
 * summed over a walk back and taken back through their encoders once.
 *
 * The workspace: the row team's slots (row_team.h: as many threads as
 * OpenBLAS uses, at most DK_NWM_LANES and the batch), a header (each
 * lane's workspaces of the coupling and the encoders and its
 * temporaries, allocated when the workspace is opened, one lane a
 * thread of the team: a cache for one state (3 N, N = C H W), five
 * temporaries of N, one of the image (I H W), y0's encoder's hidden
 * layers (3 M H W) and y0 (N); the rows of the memo, the lanes), then
 * doubles that the lanes share: an image of zeros, the flag of sequence
 * mode; the memo of omega's and alpha's encoders: a copy of their
 * parameters, and per row of the batch a flag, the image, omega, alpha
 * and their hidden layers (4 M H W), followed by the row's sums: a flag,
 * the image they are of, g_omega and g_alpha (2 N); last, the
 * coupling's parameter gradients of up to GRAD_ROWS rows, which the vjp
 * makes apart (nwm.c).  Rows touch only their own memo, sums and
 * gradient, so parts of a batch may run at once, each in a lane.
 *
 * The memo: the image is the input of every step, and in a run it is
 * the same at every step, so its encoders, which cost several times the
 * rest of a step, would be made again at each step and again in each
 * vjp.  A row's omega and alpha are taken from the memo when the row's
 * image and the encoders' parameters are, byte for byte, those they were
 * made from: the same bits as making them again (the same calls on the
 * same bytes).  Any other image, or parameters changed (by an optimiser
 * step, or a finite difference), makes them anew.
 *
 * The sums: in sequence mode a step's vjp adds the gradients of omega
 * and alpha of each row to its sums instead of taking them through the
 * encoders (three convolutions each, backward for the weights and the
 * inputs: most of a step's vjp); the end of the sequence takes each
 * row's sums back once.  The sums keep a copy of their image, so that a
 * row whose image changes within the sequence has its sums of the
 * former image released first, through that image's encoders.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "models/nwm_impl.h"
#include "models/row_team.h"

dk_nwm_params dk_nwm_params_of(const dk_model *m)
{
	/* views: W, b, then omega's 6, alpha's 6, y0's 8 */
	return (dk_nwm_params){m->view[0].offset, m->view[1].offset,
	                       {m->view[2].offset, m->view[8].offset, m->view[14].offset}};
}

dk_conv2d_spec dk_nwm_coupling_spec(const dk_model *m)
{
	dk_conv2d_spec s = dk_conv2d_spec_default();
	s.batch = 1;
	s.in_channels = s.out_channels = m->spec.channels;
	s.height = m->spec.height;
	s.width = m->spec.width;
	s.kernel_h = s.kernel_w = 3;
	s.padding = DK_CONV2D_CIRCULAR;
	return s;
}

dk_conv_stack_spec dk_nwm_encoder_spec(const dk_model *m, int e)
{
	dk_conv_stack_spec s = {.batch = 1, .height = m->spec.height,
	                        .width = m->spec.width, .kernel = 3,
	                        .padding = DK_CONV2D_ZERO, .bias = 1};
	s.layers = e == DK_NWM_Y0 ? 4 : 3;
	s.channels[0] = m->spec.inputs;
	for (size_t l = 1; l < s.layers; l++)
		s.channels[l] = m->spec.hidden;
	s.channels[s.layers] = m->spec.channels;
	for (size_t l = 0; l < s.layers; l++)
		s.act[l] = DK_ACT_RELU;
	if (e == DK_NWM_Y0)
		s.act[s.layers - 1] = DK_ACT_TANH;
	return s;
}

/* Units of one sheet of channels: C H W. */
static size_t sheet_units(const dk_model *m)
{
	return m->n / 2;
}

/* Doubles of encoder e's hidden layers, one state. */
static size_t hidden_size(const dk_model *m, int e)
{
	dk_conv_stack_spec s = dk_nwm_encoder_spec(m, e);
	return dk_conv_stack_cache_size(&s);
}

/* ---- the workspace ---- */

/* Rows of the coupling's parameter gradients kept apart at once. */
#define GRAD_ROWS 16

typedef struct {
	dk_conv2d *coupling[DK_NWM_LANES];
	dk_conv_stack *enc[DK_NWM_LANES][DK_NWM_ENCODERS];
	double *temps[DK_NWM_LANES]; /* the lanes' temporaries (lane_size) */
	size_t rows;  /* of the memo: the batch the workspace was opened for */
	size_t lanes; /* with workspaces of their own: the team's size */
} header;

#define SLOTS (DK_ROW_TEAM_SLOTS + (sizeof(header) + sizeof(double) - 1) / sizeof(double))

static header header_of(const double *work)
{
	header h;
	memcpy(&h, work + DK_ROW_TEAM_SLOTS, sizeof h);
	return h;
}

/* Omega's and alpha's parameters: one run of theta, omega's first. */
static size_t encoder_params(const dk_model *m)
{
	dk_conv_stack_spec o = dk_nwm_encoder_spec(m, DK_NWM_OMEGA);
	dk_conv_stack_spec a = dk_nwm_encoder_spec(m, DK_NWM_ALPHA);
	return dk_conv_stack_param_count(&o) + dk_conv_stack_param_count(&a);
}

size_t dk_nwm_coupling_params(const dk_model *m)
{
	size_t C = m->spec.channels;
	return 9 * C * C + C;
}

/* Doubles of a row of the memo: flag, image, omega, alpha, hidden;
   then the row's sums of sequence mode: flag, image, g_omega, g_alpha. */
static size_t memo_row(const dk_model *m)
{
	return 2 + 2 * m->input_size + 4 * sheet_units(m) + hidden_size(m, DK_NWM_OMEGA) +
	       hidden_size(m, DK_NWM_ALPHA);
}

/* Doubles of a lane: cache, T1 .. T4, O, U2, y0's hidden layers, Y0. */
static size_t lane_size(const dk_model *m)
{
	return 9 * sheet_units(m) + m->input_size + hidden_size(m, DK_NWM_Y0);
}

static size_t rows_of(size_t batch)
{
	return batch ? batch : 1;
}

static size_t grad_rows_of(size_t batch)
{
	return rows_of(batch) < GRAD_ROWS ? rows_of(batch) : GRAD_ROWS;
}

/* The scratch seen from lane k: its own workspaces and temporaries,
   and the part all lanes share. */
static dk_nwm_scratch lane_scratch(const dk_model *m, double *work, size_t k)
{
	size_t N = sheet_units(m), P = m->input_size;
	header h = header_of(work);
	dk_nwm_scratch s;
	s.coupling = h.coupling[k];
	for (int e = 0; e < DK_NWM_ENCODERS; e++)
		s.enc[e] = h.enc[k][e];
	s.rows = h.rows;
	s.cache = h.temps[k];
	s.T1 = s.cache + 3 * N;
	s.T2 = s.T1 + N;
	s.T3 = s.T2 + N;
	s.T4 = s.T3 + N;
	s.O = s.T4 + N;
	s.U2 = s.O + N;
	s.hid_y0 = s.U2 + P;
	s.Y0 = s.hid_y0 + hidden_size(m, DK_NWM_Y0);
	s.U = work + SLOTS;
	s.sequence = s.U + P;
	s.params = s.sequence + 1;
	s.memo = s.params + encoder_params(m);
	s.grads = s.memo + h.rows * memo_row(m);
	s.grad_rows = grad_rows_of(h.rows);
	return s;
}

dk_nwm_scratch dk_nwm_lane(const dk_model *m, double *work, size_t k)
{
	return lane_scratch(m, work, k);
}

dk_nwm_scratch dk_nwm_carve(const dk_model *m, double *work)
{
	dk_nwm_scratch s = lane_scratch(m, work, 0);
	/* parameters changed since the memo was made: none of it holds */
	const double *th = m->theta + dk_nwm_params_of(m).enc[DK_NWM_OMEGA];
	size_t np = encoder_params(m);
	if (memcmp(s.params, th, np * sizeof *th)) {
		memcpy(s.params, th, np * sizeof *th);
		for (size_t r = 0; r < s.rows; r++)
			s.memo[r * memo_row(m)] = 0;
	}
	return s;
}

size_t dk_nwm_work_size(const dk_model *m, size_t batch)
{
	return SLOTS + m->input_size + 1 + encoder_params(m) + rows_of(batch) * memo_row(m) +
	       grad_rows_of(batch) * dk_nwm_coupling_params(m);
}

/* The workspaces of the lanes in h (those not NULL). */
static void free_lanes(header *h)
{
	for (size_t k = 0; k < DK_NWM_LANES; k++) {
		dk_conv2d_free(h->coupling[k]);
		for (int e = 0; e < DK_NWM_ENCODERS; e++)
			dk_conv_stack_free(h->enc[k][e]);
		free(h->temps[k]);
	}
}

int dk_nwm_work_open(const dk_model *m, double *work, size_t batch)
{
	/* a team for the rows of a batch (a row's step is large work: its
	   convolutions), a lane for each of its threads */
	size_t most = rows_of(batch) < DK_NWM_LANES ? rows_of(batch) : DK_NWM_LANES;
	int st = dk_row_team_put(work, (int)most, rows_of(batch) > 1);
	if (st)
		return st;
	dk_team *t = dk_row_team_of(work);
	header h = {.rows = rows_of(batch), .lanes = t ? (size_t)dk_team_size(t) : 1};
	dk_conv2d_spec cs = dk_nwm_coupling_spec(m);
	char err[192];
	for (size_t k = 0; k < h.lanes && !st; k++) {
		h.temps[k] = calloc(lane_size(m), sizeof *h.temps[k]);
		st = h.temps[k] ? dk_conv2d_alloc(&cs, &h.coupling[k], err, sizeof err)
		                : DK_ENOMEM;
		for (int e = 0; e < DK_NWM_ENCODERS && !st; e++) {
			dk_conv_stack_spec es = dk_nwm_encoder_spec(m, e);
			st = dk_conv_stack_alloc(&es, &h.enc[k][e], err, sizeof err);
		}
	}
	if (st) {
		free_lanes(&h);
		dk_row_team_close(work);
		return DK_ENOMEM;
	}
	memcpy(work + DK_ROW_TEAM_SLOTS, &h, sizeof h);
	/* a missing image is an image of zeros; the memo starts empty (its
	   rows' flags 0), outside sequence mode, with no sums */
	memset(work + SLOTS, 0, (dk_nwm_work_size(m, batch) - SLOTS) * sizeof *work);
	return DK_OK;
}

void dk_nwm_work_close(double *work)
{
	header h = header_of(work);
	free_lanes(&h);
	dk_row_team_close(work);
}

/* ---- omega's and alpha's encoders ---- */

const double *dk_nwm_image(const dk_model *m, const dk_nwm_scratch *s, const double *u,
                           size_t r)
{
	return u ? u + r * m->input_size : s->U;
}

/* The memo's row r: [flag, image, omega, alpha, omega's hidden layers,
   alpha's] (carve has checked the parameters). */
dk_nwm_encoded dk_nwm_encode(const dk_model *m, dk_nwm_scratch *s, size_t r,
                             const double *ur)
{
	size_t N = sheet_units(m), P = m->input_size;
	double *row = s->memo + r * memo_row(m), *img = row + 1, *om = img + P, *al = om + N;
	double *ho = al + N, *ha = ho + hidden_size(m, DK_NWM_OMEGA);
	if (!row[0] || memcmp(img, ur, P * sizeof *ur)) {
		dk_nwm_params p = dk_nwm_params_of(m);
		dk_conv_stack_forward(s->enc[DK_NWM_OMEGA], 1, m->theta + p.enc[DK_NWM_OMEGA], ur,
		                      ho, om);
		dk_conv_stack_forward(s->enc[DK_NWM_ALPHA], 1, m->theta + p.enc[DK_NWM_ALPHA], ur,
		                      ha, al);
		memcpy(img, ur, P * sizeof *ur);
		row[0] = 1;
	}
	return (dk_nwm_encoded){om, al, ho, ha};
}

/* ---- the sums of sequence mode ---- */

/* Row r's sums, after its memo: [flag, image, g_omega, g_alpha]. */
typedef struct { double *flag, *image, *omega, *alpha; } sums;

static sums sums_of(const dk_model *m, const dk_nwm_scratch *s, size_t r)
{
	size_t N = sheet_units(m), P = m->input_size;
	double *q = s->memo + r * memo_row(m) + 1 + P + 2 * N + hidden_size(m, DK_NWM_OMEGA) +
	            hidden_size(m, DK_NWM_ALPHA);
	return (sums){q, q + 1, q + 1 + P, q + 1 + P + N};
}

/* Take row r's sums back through omega's and alpha's encoders into gp
   (NULL: dropped) and empty them.  The encoders' hidden layers come
   from the memo, made again if it holds another image by now. */
static void release(const dk_model *m, dk_nwm_scratch *s, size_t r, double *gp)
{
	sums q = sums_of(m, s, r);
	if (!q.flag[0])
		return;
	q.flag[0] = 0;
	if (!gp)
		return;
	dk_nwm_params p = dk_nwm_params_of(m);
	const double *th = m->theta;
	dk_nwm_encoded e = dk_nwm_encode(m, s, r, q.image);
	dk_conv_stack_vjp(s->enc[DK_NWM_OMEGA], 1, th + p.enc[DK_NWM_OMEGA], q.image,
	                  e.hid_omega, e.omega, q.omega, NULL, gp + p.enc[DK_NWM_OMEGA]);
	dk_conv_stack_vjp(s->enc[DK_NWM_ALPHA], 1, th + p.enc[DK_NWM_ALPHA], q.image,
	                  e.hid_alpha, e.alpha, q.alpha, NULL, gp + p.enc[DK_NWM_ALPHA]);
}

void dk_nwm_sums_ready(const dk_model *m, dk_nwm_scratch *s, size_t r, const double *ur,
                       double *gp)
{
	sums q = sums_of(m, s, r);
	if (q.flag[0] && memcmp(q.image, ur, m->input_size * sizeof *ur))
		release(m, s, r, gp);
}

void dk_nwm_sums_add(const dk_model *m, dk_nwm_scratch *s, size_t r, const double *ur,
                     const double *gw, const double *gal)
{
	size_t N = sheet_units(m);
	sums q = sums_of(m, s, r);
	if (!q.flag[0]) {
		memcpy(q.image, ur, m->input_size * sizeof *ur);
		memcpy(q.omega, gw, N * sizeof *gw);
		memcpy(q.alpha, gal, N * sizeof *gal);
		q.flag[0] = 1;
		return;
	}
	for (size_t i = 0; i < N; i++) {
		q.omega[i] += gw[i];
		q.alpha[i] += gal[i];
	}
}

void dk_nwm_sequence_begin(const dk_model *m, double *work)
{
	dk_nwm_scratch s = dk_nwm_carve(m, work);
	*s.sequence = 1;
	for (size_t r = 0; r < s.rows; r++)
		sums_of(m, &s, r).flag[0] = 0;
}

void dk_nwm_sequence_end(const dk_model *m, double *work, double *gparams)
{
	dk_nwm_scratch s = dk_nwm_carve(m, work);
	for (size_t r = 0; r < s.rows; r++)
		release(m, &s, r, gparams);
	*s.sequence = 0;
}

/* ---- the start: y0 from the image, z0 = 0 ---- */

size_t dk_nwm_start_cache_size(const dk_model *m)
{
	return hidden_size(m, DK_NWM_Y0) + sheet_units(m);
}

/* What the parts of the start read and write. */
typedef struct {
	const dk_model *m;
	double *work, *x0, *cache;
	const double *u;
} start_job;

/* Rows [r0, r1) of the start, with lane k's scratch. */
static void start_part(void *p, size_t k, size_t r0, size_t r1)
{
	const start_job *j = p;
	const dk_model *m = j->m;
	dk_nwm_scratch s = dk_nwm_lane(m, j->work, k);
	size_t N = sheet_units(m), K = dk_nwm_start_cache_size(m);
	const double *th = m->theta + dk_nwm_params_of(m).enc[DK_NWM_Y0];
	for (size_t r = r0; r < r1; r++) {
		double *hid = j->cache ? j->cache + r * K : s.hid_y0;
		double *y0 = j->cache ? hid + hidden_size(m, DK_NWM_Y0) : j->x0 + r * m->n;
		dk_conv_stack_forward(s.enc[DK_NWM_Y0], 1, th, dk_nwm_image(m, &s, j->u, r), hid,
		                      y0);
		if (j->cache)
			memcpy(j->x0 + r * m->n, y0, N * sizeof *y0);
		memset(j->x0 + r * m->n + N, 0, N * sizeof *j->x0);
	}
}

/* The rows' starts are independent: shared as the steps are (nwm.c). */
int dk_nwm_start(const dk_model *m, double *work, size_t B, const double *u, double *x0,
                 double *cache)
{
	start_job j = {m, work, x0, cache, u};
	dk_row_team_share_numbered(work, B, start_part, &j);
	return DK_OK;
}

int dk_nwm_start_vjp(const dk_model *m, double *work, size_t B, const double *u,
                     const double *cache, const double *gx0, double *gu, double *gp)
{
	dk_nwm_scratch s = dk_nwm_carve(m, work);
	size_t K = dk_nwm_start_cache_size(m);
	const double *th = m->theta + dk_nwm_params_of(m).enc[DK_NWM_Y0];
	for (size_t r = 0; r < B; r++) {
		const double *ur = dk_nwm_image(m, &s, u, r), *hid = s.hid_y0, *y0 = s.Y0;
		if (cache) {
			hid = cache + r * K;
			y0 = hid + hidden_size(m, DK_NWM_Y0);
		} else {
			dk_conv_stack_forward(s.enc[DK_NWM_Y0], 1, th, ur, s.hid_y0, s.Y0);
		}
		/* z0 is 0 whatever the image: only y0's gradient goes back */
		dk_conv_stack_vjp(s.enc[DK_NWM_Y0], 1, th, ur, hid, y0, gx0 + r * m->n,
		                  gu ? gu + r * m->input_size : NULL,
		                  gp ? gp + dk_nwm_params_of(m).enc[DK_NWM_Y0] : NULL);
	}
	return DK_OK;
}
