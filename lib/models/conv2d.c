/*
 * conv2d.c -- the 2-D convolution layer of conv2d.h: the spec's checks,
 * the workspace, and the product, its tangents and adjoints.
 *
 * Every call first copies one state into a padded scratch P (in, Hp, Wp),
 * Hp = H + 2 ph, Wp = W + 2 pw, filling the border with zeros or with the
 * wrapped input, so that the rest never tests a bound: tap (p, q) of
 * output (i, j) reads P[c][i sh + p][j sw + q].  The adjoint of the
 * padding ("fold") adds each padded cell's gradient back to the input
 * cell it copied.  Which input cell a padded row or column copies is
 * worked out once, in the workspace (NONE for a zero border).
 *
 * Two ways to do the forward product and the input's adjoint, which
 * agree to rounding:
 *   GEMM: im2col copies P into a matrix X (in kh kw, Ho Wo), row
 *   (c, p, q) holding what tap (c, p, q) sees at every output; then
 *   y = W X (out x in kh kw times in kh kw x Ho Wo) per state, and the
 *   input's gradient is col2im(W^T g).
 *   DIRECT: loops over the taps, each an AXPY of an output row with a
 *   strided row of P (or the reverse, for the adjoint).
 * The weights' gradient g X^T is always by GEMM: as loops it is a dot
 * product per tap, which the compiler does not vectorise (it may not
 * reorder the sum), and it measured 2.4 to 21 times slower.
 *
 * bench/conv2d.sh, batch 16, circular "same" padding, two runs on a
 * shared 2-core AMD EPYC (load 1 to 1.5; OpenBLAS's Cooperlake kernels,
 * the loops compiled for plain x86-64): with one output channel the
 * loops took 0.7 to 1.2 of GEMM's time for the forward and 0.43 to 0.55
 * for the adjoint, whatever the input channels (1 to 8, kernels 3x3 and
 * 5x5, sheets 32x32 and 64x64): the product is then a matrix-vector one
 * that barely pays for the copy into X, and col2im's scattered adds cost
 * more than the loops'.  With 2 outputs GEMM wins the forward (1.3 to
 * 2.1) and they are even on the adjoint (0.85 to 1.1); from 3 outputs
 * GEMM wins both (4 to 4: 1.5 to 3.2; 64 to 64: 4 to 13).  So AUTO
 * (choose()) takes the loops for one output channel.
 *
 * A third way, for the 3x3 "same" kernels of the sheet models, is
 * Winograd's F(2x2, 3x3) (conv2d_winograd.c): 2.25 times fewer
 * multiplications, in sixteen products over the tiles of several states
 * at once, and all three products so.  bench/conv2d_rate.sh (README,
 * "The 2-D convolution") measured it 1.6 to 2.1 times faster than GEMM
 * from 11 channels up, even at 8, and slower below (3 times at 1 -> 28:
 * products of inner size 1); AUTO takes it wherever it fits from 8 input
 * channels and more than one output channel.
 */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>

#include "base/status.h"
#include "models/conv2d_impl.h"

#define NONE SIZE_MAX /* a padded row or column of zeros */

/* Winograd's products run over about this many tiles of 2 x 2 outputs
   (whole rows of tiles, at least one, across states): long enough for
   DGEMM's rate, short enough for the transformed tiles (16 (in + out)
   doubles a tile) to stay in the core's cache whatever the batch. */
#define CHUNK_TILES 64

dk_conv2d_spec dk_conv2d_spec_default(void)
{
	return (dk_conv2d_spec){.stride_h = 1, .stride_w = 1,
	                        .padding = DK_CONV2D_ZERO,
	                        .pad_h = DK_CONV2D_SAME, .pad_w = DK_CONV2D_SAME,
	                        .bias = 1, .method = DK_CONV2D_AUTO};
}

/* *out = a b, 0 when it overflows size_t or, with doubles, its bytes do. */
static int product(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out) &&
	       *out <= SIZE_MAX / sizeof(double);
}

static dk_conv2d_method choose(const dk_conv2d_spec *s, const dk_conv2d_shape *sh)
{
	if (s->method != DK_CONV2D_AUTO)
		return s->method;
	if (s->out_channels == 1)
		return DK_CONV2D_DIRECT;
	return s->in_channels >= 8 && dk_conv2d_winograd_fits(s, sh) ? DK_CONV2D_WINOGRAD
	                                                             : DK_CONV2D_GEMM;
}

/* Winograd's sizes: tiles of a state, rows of tiles per chunk. */
static void winograd_sizes(const dk_conv2d_spec *s, const dk_conv2d_shape *sh,
                           size_t *th, size_t *tw, size_t *chunk)
{
	*th = (sh->out_h + 1) / 2;
	*tw = (sh->out_w + 1) / 2;
	size_t per = CHUNK_TILES / *tw, rows = *th * s->batch; /* rows: checked below */
	*chunk = per < 1 ? 1 : per > rows ? rows : per;
}

/* One axis: padding resolved, padded and output sizes; name is "h" or "w". */
static int axis(const char *name, size_t n, size_t k, size_t stride, size_t pad,
                size_t *pad_out, size_t *padded, size_t *out, char *err,
                size_t errlen)
{
	const char *dim = name[0] == 'h' ? "height" : "width";
	if (n == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: %s must be at least 1", dim);
	if (k == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: kernel_%s must be at least 1", name);
	if (stride == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: stride_%s must be at least 1", name);
	if (pad == DK_CONV2D_SAME) {
		if (k % 2 == 0)
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "conv2d: pad_%s \"same\" needs an odd kernel_%s, not %zu",
			                 name, name, k);
		pad = (k - 1) / 2;
	}
	if (pad > (SIZE_MAX / sizeof(double) - n) / 2)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: pad_%s %zu is too large", name, pad);
	*pad_out = pad;
	*padded = n + 2 * pad;
	if (k > *padded)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "conv2d: kernel_%s %zu is larger than the padded %s %zu",
		                 name, k, dim, *padded);
	*out = (*padded - k) / stride + 1;
	return DK_OK;
}

/* The spec's sizes, with the padded ones; DK_EINVAL naming a field. */
static int check(const dk_conv2d_spec *s, dk_conv2d_shape *sh, size_t *hp,
                 size_t *wp, size_t *taps, char *err, size_t errlen)
{
	if (!s)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: no spec");
	if (s->batch == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: batch must be at least 1");
	if (s->in_channels == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: in_channels must be at least 1");
	if (s->out_channels == 0)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: out_channels must be at least 1");
	if (s->padding != DK_CONV2D_ZERO && s->padding != DK_CONV2D_CIRCULAR)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: padding must be zero or circular");
	if (s->method != DK_CONV2D_AUTO && s->method != DK_CONV2D_GEMM &&
	    s->method != DK_CONV2D_DIRECT && s->method != DK_CONV2D_WINOGRAD)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "conv2d: method must be auto, gemm, direct or winograd");
	if (s->bias != 0 && s->bias != 1)
		return dk_errorf(DK_EINVAL, err, errlen, "conv2d: bias must be 0 or 1");
	int st = axis("h", s->height, s->kernel_h, s->stride_h, s->pad_h, &sh->pad_h, hp,
	              &sh->out_h, err, errlen);
	if (st)
		return st;
	st = axis("w", s->width, s->kernel_w, s->stride_w, s->pad_w, &sh->pad_w, wp,
	          &sh->out_w, err, errlen);
	if (st)
		return st;
	/* Every size a call or the workspace uses, overflow-checked; the
	   BLAS takes the product's three sizes as int. */
	size_t kk, hw, phw, outs, padded, cols, batch_in, batch_out;
	int fits = product(s->kernel_h, s->kernel_w, &kk) &&
	           product(s->in_channels, kk, taps) &&
	           product(s->out_channels, *taps, &sh->weight_count) &&
	           product(s->height, s->width, &hw) &&
	           product(s->in_channels, hw, &sh->in_size) &&
	           product(*hp, *wp, &phw) && product(s->in_channels, phw, &padded) &&
	           product(sh->out_h, sh->out_w, &outs) &&
	           product(s->out_channels, outs, &sh->out_size) &&
	           product(*taps, outs, &cols) &&
	           product(s->batch, sh->in_size, &batch_in) &&
	           product(s->batch, sh->out_size, &batch_out) &&
	           s->out_channels <= INT_MAX && *taps <= INT_MAX && outs <= INT_MAX;
	if (!fits)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "conv2d: batch %zu of %zu x %zu x %zu to %zu channels with a "
		                 "%zu x %zu kernel is too large",
		                 s->batch, s->in_channels, s->height, s->width,
		                 s->out_channels, s->kernel_h, s->kernel_w);
	sh->method = choose(s, sh);
	if (sh->method == DK_CONV2D_WINOGRAD) {
		if (!dk_conv2d_winograd_fits(s, sh))
			return dk_errorf(DK_EINVAL, err, errlen,
			                 "conv2d: method winograd needs a 3x3 kernel, "
			                 "stride 1 and padding 1");
		/* the padded state rounded up to whole tiles, and the
		   transformed tiles of a chunk */
		size_t th, tw, chunk, n, io = s->in_channels > s->out_channels ?
		                                   s->in_channels : s->out_channels;
		winograd_sizes(s, sh, &th, &tw, &chunk);
		*hp = 2 * th + 2;
		*wp = 2 * tw + 2;
		if (!product(th, s->batch, &n) || !product(tw, chunk, &n) || tw * chunk > INT_MAX ||
		    !product(n, io, &n) || !product(n, 16, &n) || !product(*hp, *wp, &n) ||
		    !product(n, s->in_channels, &n) || !product(sh->weight_count, 16, &n))
			return dk_errorf(DK_EINVAL, err, errlen, "conv2d: batch %zu of %zu x %zu "
			                 "x %zu to %zu channels is too large", s->batch,
			                 s->in_channels, s->height, s->width, s->out_channels);
	}
	return DK_OK;
}

int dk_conv2d_spec_check(const dk_conv2d_spec *spec, dk_conv2d_shape *shape,
                         char *err, size_t errlen)
{
	dk_conv2d_shape sh;
	size_t hp, wp, taps;
	int st = check(spec, &sh, &hp, &wp, &taps, err, errlen);
	if (!st && shape)
		*shape = sh;
	return st;
}

/* src[r] for r < padded: the input index padded index r copies, or NONE
   (always past n + 2 pad, Winograd's rounding up). */
static void source_map(size_t n, size_t pad, size_t padded,
                       dk_conv2d_padding padding, size_t *src)
{
	for (size_t r = 0; r < padded; r++) {
		if (r >= n + 2 * pad)
			src[r] = NONE;
		else if (padding == DK_CONV2D_CIRCULAR) /* r - pad mod n, without going below 0 */
			src[r] = (r + n - pad % n) % n;
		else
			src[r] = r >= pad && r - pad < n ? r - pad : NONE;
	}
}

int dk_conv2d_alloc(const dk_conv2d_spec *spec, dk_conv2d **out, char *err,
                    size_t errlen)
{
	*out = NULL;
	dk_conv2d_shape sh;
	size_t hp, wp, taps;
	int st = check(spec, &sh, &hp, &wp, &taps, err, errlen);
	if (st)
		return st;
	dk_conv2d *c = calloc(1, sizeof *c);
	if (!c)
		return dk_errorf(DK_ENOMEM, err, errlen, "conv2d: out of memory");
	c->spec = *spec;
	c->shape = sh;
	c->hp = hp;
	c->wp = wp;
	c->taps = taps;
	c->row_src = malloc(hp * sizeof *c->row_src);
	c->col_src = malloc(wp * sizeof *c->col_src);
	c->P = malloc(spec->in_channels * hp * wp * sizeof *c->P);
	int ok = c->row_src && c->col_src && c->P;
	if (sh.method == DK_CONV2D_WINOGRAD) {
		winograd_sizes(spec, &sh, &c->tiles_h, &c->tiles_w, &c->chunk);
		size_t OC = spec->out_channels * spec->in_channels, N = c->chunk * c->tiles_w;
		c->U = malloc(16 * OC * sizeof *c->U);
		c->gU = malloc(16 * OC * sizeof *c->gU);
		c->V = malloc(16 * spec->in_channels * N * sizeof *c->V);
		c->M = malloc(16 * spec->out_channels * N * sizeof *c->M);
		c->R = malloc(6 * wp * sizeof *c->R);
		c->Pg = malloc(spec->in_channels * hp * wp * sizeof *c->Pg);
		c->seg = malloc((c->chunk + 1) * sizeof *c->seg);
		ok = ok && c->U && c->gU && c->V && c->M && c->R && c->Pg && c->seg;
	} else {
		c->X = malloc(taps * sh.out_h * sh.out_w * sizeof *c->X);
		ok = ok && c->X;
	}
	if (!ok) {
		dk_conv2d_free(c);
		return dk_errorf(DK_ENOMEM, err, errlen, "conv2d: out of memory");
	}
	source_map(spec->height, sh.pad_h, hp, spec->padding, c->row_src);
	source_map(spec->width, sh.pad_w, wp, spec->padding, c->col_src);
	*out = c;
	return DK_OK;
}

void dk_conv2d_free(dk_conv2d *c)
{
	if (!c)
		return;
	free(c->row_src);
	free(c->col_src);
	free(c->P);
	free(c->X);
	free(c->U);
	free(c->gU);
	free(c->V);
	free(c->M);
	free(c->R);
	free(c->Pg);
	free(c->seg);
	free(c);
}

const dk_conv2d_spec *dk_conv2d_get_spec(const dk_conv2d *c)
{
	return &c->spec;
}

const dk_conv2d_shape *dk_conv2d_get_shape(const dk_conv2d *c)
{
	return &c->shape;
}

/* ---- the padding and its adjoint ---- */

/* P = x padded: one state's in x H x W into in x hp x wp. */
void dk_conv2d_pad(const dk_conv2d *c, const double *x)
{
	size_t H = c->spec.height, W = c->spec.width, pw = c->shape.pad_w;
	for (size_t ch = 0; ch < c->spec.in_channels; ch++)
		for (size_t r = 0; r < c->hp; r++) {
			double *p = c->P + (ch * c->hp + r) * c->wp;
			if (c->row_src[r] == NONE) {
				memset(p, 0, c->wp * sizeof *p);
				continue;
			}
			const double *row = x + (ch * H + c->row_src[r]) * W;
			for (size_t q = 0; q < pw; q++) { /* the left border */
				size_t s = c->col_src[q];
				p[q] = s == NONE ? 0 : row[s];
			}
			for (size_t q = pw + W; q < c->wp; q++) { /* the right one */
				size_t s = c->col_src[q];
				p[q] = s == NONE ? 0 : row[s];
			}
			memcpy(p + pw, row, W * sizeof *p);
		}
}

/* gx = the adjoint of pad applied to P (P holding a padded gradient):
   each input cell gets the sum of the padded cells that copied it. */
void dk_conv2d_fold(const dk_conv2d *c, const double *P, double *gx)
{
	size_t H = c->spec.height, W = c->spec.width, pw = c->shape.pad_w;
	size_t ph = c->shape.pad_h;
	for (size_t ch = 0; ch < c->spec.in_channels; ch++) {
		double *g = gx + ch * H * W;
		/* the interior rows first, copied: each input row is one of them */
		for (size_t i = 0; i < H; i++)
			memcpy(g + i * W, P + (ch * c->hp + ph + i) * c->wp + pw,
			       W * sizeof *g);
		for (size_t r = 0; r < c->hp; r++) {
			size_t src = c->row_src[r];
			if (src == NONE)
				continue;
			const double *p = P + (ch * c->hp + r) * c->wp;
			double *row = g + src * W;
			if (r < ph || r >= ph + H) /* a wrapped row: all of it */
				for (size_t j = 0; j < W; j++)
					row[j] += p[pw + j];
			for (size_t q = 0; q < pw; q++) {
				size_t s = c->col_src[q];
				if (s != NONE)
					row[s] += p[q];
			}
			for (size_t q = pw + W; q < c->wp; q++) {
				size_t s = c->col_src[q];
				if (s != NONE)
					row[s] += p[q];
			}
		}
	}
}

/* ---- the products, one state at a time ---- */

/* X[(ch, p, q)][(i, j)] = P[ch][i sh + p][j sw + q]. */
static void im2col(const dk_conv2d *c)
{
	size_t kh = c->spec.kernel_h, kw = c->spec.kernel_w;
	size_t sh = c->spec.stride_h, sw = c->spec.stride_w;
	size_t Ho = c->shape.out_h, Wo = c->shape.out_w;
	double *X = c->X;
	for (size_t ch = 0; ch < c->spec.in_channels; ch++)
		for (size_t p = 0; p < kh; p++)
			for (size_t q = 0; q < kw; q++)
				for (size_t i = 0; i < Ho; i++) {
					const double *src = c->P + (ch * c->hp + i * sh + p) * c->wp + q;
					if (sw == 1)
						memcpy(X, src, Wo * sizeof *X);
					else
						for (size_t j = 0; j < Wo; j++)
							X[j] = src[j * sw];
					X += Wo;
				}
}

/* P = 0, then P[ch][i sh + p][j sw + q] += X[(ch, p, q)][(i, j)]: the
   adjoint of im2col. */
static void col2im(const dk_conv2d *c)
{
	size_t kh = c->spec.kernel_h, kw = c->spec.kernel_w;
	size_t sh = c->spec.stride_h, sw = c->spec.stride_w;
	size_t Ho = c->shape.out_h, Wo = c->shape.out_w;
	const double *X = c->X;
	memset(c->P, 0, c->spec.in_channels * c->hp * c->wp * sizeof *c->P);
	for (size_t ch = 0; ch < c->spec.in_channels; ch++)
		for (size_t p = 0; p < kh; p++)
			for (size_t q = 0; q < kw; q++)
				for (size_t i = 0; i < Ho; i++) {
					double *dst = c->P + (ch * c->hp + i * sh + p) * c->wp + q;
					if (sw == 1)
						for (size_t j = 0; j < Wo; j++)
							dst[j] += X[j];
					else
						for (size_t j = 0; j < Wo; j++)
							dst[j * sw] += X[j];
					X += Wo;
				}
}

/* y (out x Ho Wo) = W P, plus b when not NULL, from the padded state P. */
static void product_forward(const dk_conv2d *c, const double *W, const double *b,
                            double *y)
{
	size_t O = c->spec.out_channels, C = c->spec.in_channels;
	size_t kh = c->spec.kernel_h, kw = c->spec.kernel_w;
	size_t sh = c->spec.stride_h, sw = c->spec.stride_w;
	size_t Ho = c->shape.out_h, Wo = c->shape.out_w, HWo = Ho * Wo;
	for (size_t o = 0; o < O; o++) {
		double v = b ? b[o] : 0;
		for (size_t k = 0; k < HWo; k++)
			y[o * HWo + k] = v;
	}
	if (c->shape.method == DK_CONV2D_GEMM) {
		im2col(c);
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)O, (int)HWo,
		            (int)c->taps, 1.0, W, (int)c->taps, c->X, (int)HWo, 1.0, y,
		            (int)HWo);
		return;
	}
	for (size_t o = 0; o < O; o++)
		for (size_t i = 0; i < Ho; i++) {
			double *restrict yr = y + (o * Ho + i) * Wo;
			for (size_t ch = 0; ch < C; ch++)
				for (size_t p = 0; p < kh; p++) {
					const double *pr = c->P + (ch * c->hp + i * sh + p) * c->wp;
					const double *w = W + ((o * C + ch) * kh + p) * kw;
					for (size_t q = 0; q < kw; q++) {
						double wq = w[q];
						const double *restrict s = pr + q;
						if (sw == 1)
							for (size_t j = 0; j < Wo; j++)
								yr[j] += wq * s[j];
						else
							for (size_t j = 0; j < Wo; j++)
								yr[j] += wq * s[j * sw];
					}
				}
		}
}

/* P = the padded input gradient of g (out x Ho Wo): W^T g, placed. */
static void product_adjoint(const dk_conv2d *c, const double *W, const double *g)
{
	size_t O = c->spec.out_channels, C = c->spec.in_channels;
	size_t kh = c->spec.kernel_h, kw = c->spec.kernel_w;
	size_t sh = c->spec.stride_h, sw = c->spec.stride_w;
	size_t Ho = c->shape.out_h, Wo = c->shape.out_w, HWo = Ho * Wo;
	if (c->shape.method == DK_CONV2D_GEMM) {
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)c->taps, (int)HWo,
		            (int)O, 1.0, W, (int)c->taps, g, (int)HWo, 0.0, c->X, (int)HWo);
		col2im(c);
		return;
	}
	memset(c->P, 0, C * c->hp * c->wp * sizeof *c->P);
	for (size_t o = 0; o < O; o++)
		for (size_t i = 0; i < Ho; i++) {
			const double *restrict gr = g + (o * Ho + i) * Wo;
			for (size_t ch = 0; ch < C; ch++)
				for (size_t p = 0; p < kh; p++) {
					double *pr = c->P + (ch * c->hp + i * sh + p) * c->wp;
					const double *w = W + ((o * C + ch) * kh + p) * kw;
					for (size_t q = 0; q < kw; q++) {
						double wq = w[q];
						double *restrict d = pr + q;
						if (sw == 1)
							for (size_t j = 0; j < Wo; j++)
								d[j] += wq * gr[j];
						else
							for (size_t j = 0; j < Wo; j++)
								d[j * sw] += wq * gr[j];
					}
				}
		}
}

/* gW += g X^T (the taps' sums over the outputs), gb += g's sums when gb
   is not NULL; by GEMM for either method (see the top of the file). */
static void product_params(const dk_conv2d *c, const double *g, double *gW,
                           double *gb)
{
	size_t O = c->spec.out_channels, HWo = c->shape.out_h * c->shape.out_w;
	if (gb)
		for (size_t o = 0; o < O; o++) {
			double t = 0;
			for (size_t k = 0; k < HWo; k++)
				t += g[o * HWo + k];
			gb[o] += t;
		}
	im2col(c);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)O, (int)c->taps,
	            (int)HWo, 1.0, g, (int)HWo, c->X, (int)HWo, 1.0, gW, (int)c->taps);
}

/* ---- the calls ---- */

static int batch_ok(const dk_conv2d *c, size_t B)
{
	return c && B >= 1 && B <= c->spec.batch;
}

/* y = W * x + b for B states, b NULL for none. */
static int forward(dk_conv2d *c, size_t B, const double *x, const double *W,
                   const double *b, double *y)
{
	if (!batch_ok(c, B))
		return DK_EINVAL;
	if (c->shape.method == DK_CONV2D_WINOGRAD) {
		dk_conv2d_winograd_forward(c, B, x, W, b, y);
		return DK_OK;
	}
	for (size_t n = 0; n < B; n++) {
		dk_conv2d_pad(c, x + n * c->shape.in_size);
		product_forward(c, W, b, y + n * c->shape.out_size);
	}
	return DK_OK;
}

int dk_conv2d_forward(dk_conv2d *c, size_t B, const double *x, const double *W,
                      const double *b, double *y)
{
	return forward(c, B, x, W, c && c->spec.bias ? b : NULL, y);
}

int dk_conv2d_jvp_input(dk_conv2d *c, size_t B, const double *W,
                        const double *dx, double *dy)
{
	return forward(c, B, dx, W, NULL, dy);
}

int dk_conv2d_jvp_params(dk_conv2d *c, size_t B, const double *x,
                         const double *dW, const double *db, double *dy)
{
	return forward(c, B, x, dW, c && c->spec.bias ? db : NULL, dy);
}

int dk_conv2d_vjp_input(dk_conv2d *c, size_t B, const double *W,
                        const double *gy, double *gx)
{
	if (!batch_ok(c, B))
		return DK_EINVAL;
	if (c->shape.method == DK_CONV2D_WINOGRAD) {
		dk_conv2d_winograd_vjp(c, B, NULL, W, gy, gx, NULL, NULL);
		return DK_OK;
	}
	for (size_t n = 0; n < B; n++) {
		product_adjoint(c, W, gy + n * c->shape.out_size);
		dk_conv2d_fold(c, c->P, gx + n * c->shape.in_size);
	}
	return DK_OK;
}

int dk_conv2d_vjp_params(dk_conv2d *c, size_t B, const double *x,
                         const double *gy, double *gW, double *gb)
{
	if (!batch_ok(c, B))
		return DK_EINVAL;
	if (c->shape.method == DK_CONV2D_WINOGRAD) {
		dk_conv2d_winograd_vjp(c, B, x, NULL, gy, NULL, gW, c->spec.bias ? gb : NULL);
		return DK_OK;
	}
	for (size_t n = 0; n < B; n++) {
		dk_conv2d_pad(c, x + n * c->shape.in_size);
		product_params(c, gy + n * c->shape.out_size, gW, c->spec.bias ? gb : NULL);
	}
	return DK_OK;
}

int dk_conv2d_vjp(dk_conv2d *c, size_t B, const double *x, const double *W,
                  const double *gy, double *gx, double *gW, double *gb)
{
	if (!batch_ok(c, B))
		return DK_EINVAL;
	if (c->shape.method == DK_CONV2D_WINOGRAD) {
		dk_conv2d_winograd_vjp(c, B, x, W, gy, gx, gW, gW && c->spec.bias ? gb : NULL);
		return DK_OK;
	}
	if (gW)
		dk_conv2d_vjp_params(c, B, x, gy, gW, gb);
	if (gx)
		dk_conv2d_vjp_input(c, B, W, gy, gx);
	return DK_OK;
}
