/*
 * wconv_isa.h -- the loops of wconv.c for one instruction set, included
 * once for each (no include guard).
 *
 * The includer defines, for the set: WC_SUFFIX (appended to the names
 * made here), WC_LANES (doubles in a vector), the vector type WC_V and
 * lane-mask type WC_M, the operations WC_LOAD(p), WC_LOADM(p, m) (lanes
 * outside the mask read as 0, their addresses not touched),
 * WC_STORE(p, v), WC_STOREM(p, m, v), WC_FMA(a, b, c) (a b + c, one
 * rounding), WC_SET1(x), WC_ZERO(), WC_MASK(r) (the first r lanes),
 * WC_HSUM(v) (the sum of the lanes), and the tile sizes: WC_KB output
 * channels by WC_NV vectors of units for the convolution, WC_GK by WC_GJ
 * channel pairs (all three taps) for the kernel gradient.  The code is
 * compiled for the set by the includer's #pragma GCC target.
 *
 * Tiles hold their sums in registers: the tile sizes and the loops over
 * them are constants after inlining, so the compiler unrolls them.  The
 * channels left over by the tiles make one smaller tile (at most
 * WC_KB_MAX = 8 rows: the arrays are declared that size).
 */
#define WC_KB_MAX 8
#define WC_CAT2(a, b) a##_##b
#define WC_CAT(a, b) WC_CAT2(a, b)
#define WC(name) WC_CAT(name, WC_SUFFIX)

/*
 * Y[q][v] for q < KB output channels, NV vectors of units: W at the
 * tile's first output channel, P at its first unit, Y at its first
 * value; the last vector masked when `masked`.
 */
static inline __attribute__((always_inline)) void
WC(apply_tile)(const int KB, const int NV, const int masked, WC_M mask,
               size_t c, const double *W, const double *P, size_t ldp,
               int accumulate, double *Y, size_t ldy)
{
	WC_V a[WC_KB_MAX][WC_NV];
#pragma GCC unroll 8
	for (int q = 0; q < KB; q++)
#pragma GCC unroll 8
		for (int v = 0; v < NV; v++) {
			const double *y = Y + (size_t)q * ldy + (size_t)v * WC_LANES;
			a[q][v] = !accumulate ? WC_ZERO()
			          : masked && v == NV - 1 ? WC_LOADM(y, mask) : WC_LOAD(y);
		}
	for (size_t j = 0; j < c; j++) {
		const double *p = P + j * ldp, *w = W + j * 3;
#pragma GCC unroll 3
		for (int d = 0; d < 3; d++) {
			WC_V x[WC_NV];
#pragma GCC unroll 8
			for (int v = 0; v < NV; v++) {
				const double *pv = p + d + (size_t)v * WC_LANES;
				x[v] = masked && v == NV - 1 ? WC_LOADM(pv, mask) : WC_LOAD(pv);
			}
#pragma GCC unroll 8
			for (int q = 0; q < KB; q++) {
				WC_V s = WC_SET1(w[(size_t)q * c * 3 + (size_t)d]);
#pragma GCC unroll 8
				for (int v = 0; v < NV; v++)
					a[q][v] = WC_FMA(s, x[v], a[q][v]);
			}
		}
	}
#pragma GCC unroll 8
	for (int q = 0; q < KB; q++)
#pragma GCC unroll 8
		for (int v = 0; v < NV; v++) {
			double *y = Y + (size_t)q * ldy + (size_t)v * WC_LANES;
			if (masked && v == NV - 1)
				WC_STOREM(y, mask, a[q][v]);
			else
				WC_STORE(y, a[q][v]);
		}
}

/* KB output channels over all n units: full tiles, then single vectors,
   then the masked rest. */
static inline __attribute__((always_inline)) void
WC(apply_rows)(const int KB, size_t c, size_t n, const double *W,
               const double *P, size_t ldp, int accumulate, double *Y,
               size_t ldy)
{
	const size_t tile = (size_t)WC_NV * WC_LANES;
	WC_M all = WC_MASK(WC_LANES);
	size_t i = 0;
	for (; i + tile <= n; i += tile)
		WC(apply_tile)(KB, WC_NV, 0, all, c, W, P + i, ldp, accumulate, Y + i, ldy);
	for (; i + WC_LANES <= n; i += WC_LANES)
		WC(apply_tile)(KB, 1, 0, all, c, W, P + i, ldp, accumulate, Y + i, ldy);
	if (i < n)
		WC(apply_tile)(KB, 1, 1, WC_MASK((int)(n - i)), c, W, P + i, ldp,
		               accumulate, Y + i, ldy);
}

static void WC(apply)(size_t c, size_t n, const double *W, const double *P,
                      size_t ldp, int accumulate, double *Y, size_t ldy)
{
	size_t k = 0;
	for (; k + WC_KB <= c; k += WC_KB)
		WC(apply_rows)(WC_KB, c, n, W + k * c * 3, P, ldp, accumulate,
		               Y + k * ldy, ldy);
	/* the last c mod WC_KB channels in one tile of their own */
	W += k * c * 3;
	Y += k * ldy;
#define WC_TAIL(r) \
	if (c - k == (r) && (r) < WC_KB) \
		WC(apply_rows)((r), c, n, W, P, ldp, accumulate, Y, ldy);
	WC_TAIL(1) WC_TAIL(2) WC_TAIL(3) WC_TAIL(4) WC_TAIL(5) WC_TAIL(6) WC_TAIL(7)
#undef WC_TAIL
}

/*
 * One vector of t for a gradient tile of GK output by GJ input channels:
 * G at the tile's first output channel, P at its first input channel,
 * both at t.
 */
static inline __attribute__((always_inline)) void
WC(grad_step)(const int GK, const int GJ, const int masked, WC_M mask,
              const double *G, size_t ldg, const double *P, size_t ldp,
              WC_V a[WC_KB_MAX][WC_GJ][3])
{
	WC_V g[WC_KB_MAX];
#pragma GCC unroll 8
	for (int q = 0; q < GK; q++)
		g[q] = masked ? WC_LOADM(G + (size_t)q * ldg, mask) : WC_LOAD(G + (size_t)q * ldg);
#pragma GCC unroll 8
	for (int r = 0; r < GJ; r++)
#pragma GCC unroll 3
		for (int d = 0; d < 3; d++) {
			const double *p = P + (size_t)r * ldp + d;
			WC_V x = masked ? WC_LOADM(p, mask) : WC_LOAD(p);
#pragma GCC unroll 8
			for (int q = 0; q < GK; q++)
				a[q][r][d] = WC_FMA(g[q], x, a[q][r][d]);
		}
}

static inline __attribute__((always_inline)) void
WC(grad_tile)(const int GK, const int GJ, size_t c, size_t L, const double *G,
              size_t ldg, const double *P, size_t ldp, double *gW)
{
	WC_V a[WC_KB_MAX][WC_GJ][3];
#pragma GCC unroll 8
	for (int q = 0; q < GK; q++)
#pragma GCC unroll 8
		for (int r = 0; r < GJ; r++)
#pragma GCC unroll 3
			for (int d = 0; d < 3; d++)
				a[q][r][d] = WC_ZERO();
	size_t t = 0;
	for (; t + WC_LANES <= L; t += WC_LANES)
		WC(grad_step)(GK, GJ, 0, WC_MASK(WC_LANES), G + t, ldg, P + t, ldp, a);
	if (t < L)
		WC(grad_step)(GK, GJ, 1, WC_MASK((int)(L - t)), G + t, ldg, P + t, ldp, a);
#pragma GCC unroll 8
	for (int q = 0; q < GK; q++)
#pragma GCC unroll 8
		for (int r = 0; r < GJ; r++)
#pragma GCC unroll 3
			for (int d = 0; d < 3; d++)
				gW[((size_t)q * c + (size_t)r) * 3 + (size_t)d] += WC_HSUM(a[q][r][d]);
}

/* GK output channels against every input channel. */
static inline __attribute__((always_inline)) void
WC(grad_rows)(const int GK, size_t c, size_t L, const double *G, size_t ldg,
              const double *P, size_t ldp, double *gW)
{
	size_t j = 0;
	for (; j + WC_GJ <= c; j += WC_GJ)
		WC(grad_tile)(GK, WC_GJ, c, L, G, ldg, P + j * ldp, ldp, gW + j * 3);
	for (; j < c; j++)
		WC(grad_tile)(GK, 1, c, L, G, ldg, P + j * ldp, ldp, gW + j * 3);
}

static void WC(kernel_grad)(size_t c, size_t L, const double *G, size_t ldg,
                            const double *P, size_t ldp, double *gW)
{
	size_t k = 0;
	for (; k + WC_GK <= c; k += WC_GK)
		WC(grad_rows)(WC_GK, c, L, G + k * ldg, ldg, P, ldp, gW + k * c * 3);
	G += k * ldg;
	gW += k * c * 3;
#define WC_TAIL(r) \
	if (c - k == (r) && (r) < WC_GK) \
		WC(grad_rows)((r), c, L, G, ldg, P, ldp, gW);
	WC_TAIL(1) WC_TAIL(2) WC_TAIL(3) WC_TAIL(4) WC_TAIL(5) WC_TAIL(6) WC_TAIL(7)
#undef WC_TAIL
}

#undef WC_KB_MAX
#undef WC
#undef WC_CAT
#undef WC_CAT2
