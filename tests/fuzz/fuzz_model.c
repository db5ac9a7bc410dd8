/*
 * fuzz_model.c -- libFuzzer target for loading a model from a stream.
 *
 * A model file is a stream of model/... tensors whose metadata carries
 * the model's attrs (kind, sizes, nonlinearity, integrator, ...), and
 * every analysing tool starts by loading one.  The input bytes are read
 * as a stream into a bundle; when dk_model_from_bundle accepts it, the
 * model is put through every call of the interface on a batch of two
 * states -- step with and without a cache, jvp, vjp with respect to
 * state, input and parameters, the readout and its adjoint, the vector
 * field of a continuous-time kind, the dense Jacobian of a small one --
 * and written back out as a bundle.  Whatever the attrs and tensors
 * say, loading must either fail with a message or give a model whose
 * calls stay in bounds; the sanitizers check the rest.
 *
 * Built by tests/fuzz/run.sh (FUZZ_TARGET=model) with the library's
 * sources compiled in, seeded from tests/fuzz/seeds-model/ (models
 * written by dk-init, tests/fuzz/make_model_seeds.sh).
 */
#include <config.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "models/model.h"
#include "stream/bundle.h"
#include "stream/reader.h"
#include "stream/writer.h"

/* Small enough that a hostile size cannot make the target allocate much,
   large enough for every seed. */
#define FUZZ_MAX_ELEMENTS ((size_t)1 << 14)
#define FUZZ_BATCH 2
#define FUZZ_DENSE_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int devnull = -1;
static volatile double sink;

static double sum(const double *v, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* Every call of the interface, on FUZZ_BATCH states. */
static void exercise(const dk_model *m)
{
	size_t n = dk_model_state_size(m), in = dk_model_input_size(m);
	size_t out = dk_model_output_size(m), np = dk_model_param_count(m);
	size_t cs = dk_model_cache_size(m), B = FUZZ_BATCH;
	if (n == 0 || n > FUZZ_MAX_ELEMENTS || np > 8 * FUZZ_MAX_ELEMENTS ||
	    in > FUZZ_MAX_ELEMENTS * FUZZ_MAX_ELEMENTS || out > FUZZ_MAX_ELEMENTS ||
	    cs > 64 * n)
		abort(); /* the loaded tensors bound every size */
	/* an input on the model's ring or sheet (fernn, nwm: channels times
	   units) is bounded by the product of two tensors' sizes only; too
	   large to exercise here, and not wrong */
	if (in > FUZZ_MAX_ELEMENTS)
		return;
	/* a spatial layout covers the state exactly, or there is none */
	dk_layout lay;
	if (dk_model_layout(m, &lay) ? dk_layout_units(&lay) != n : lay.rank != 0)
		abort();
	dk_model_work *w = dk_model_work_alloc(m, B);
	double *x = calloc(B * n, sizeof *x), *xn = calloc(B * n, sizeof *xn);
	double *dx = calloc(B * n, sizeof *dx), *gx = calloc(B * n, sizeof *gx);
	double *u = calloc(B * in + 1, sizeof *u), *gu = calloc(B * in + 1, sizeof *gu);
	double *y = calloc(B * out + 1, sizeof *y), *gp = calloc(np + 1, sizeof *gp);
	double *cache = calloc(B * cs + 1, sizeof *cache);
	if (!w || !x || !xn || !dx || !gx || !u || !gu || !y || !gp || !cache)
		abort();
	for (size_t i = 0; i < B * n; i++) {
		x[i] = 0.5 - (double)(i % 7) / 7;
		dx[i] = (double)(i % 3) - 1;
	}
	for (size_t i = 0; i < B * in; i++)
		u[i] = (double)(i % 2);
	dk_model_step(m, w, B, x, u, xn, NULL);
	dk_model_step(m, w, B, x, u, xn, cache);
	dk_model_jvp(m, w, B, x, u, cache, dx, gx);
	dk_model_jvp(m, w, B, x, u, NULL, dx, gx);
	dk_model_vjp(m, w, B, x, u, cache, dx, gx, gu, gp);
	dk_model_vjp(m, w, B, x, in ? u : NULL, NULL, dx, gx, NULL, gp);
	dk_model_readout(m, B, xn, y);
	dk_model_readout_vjp(m, B, xn, y, gx, gp);
	if (dk_model_is_continuous(m)) {
		dk_model_field(m, w, B, x, u, xn);
		dk_model_field_jvp(m, w, B, x, u, dx, xn);
		dk_model_field_vjp(m, w, B, x, u, dx, gx);
	}
	if (n <= FUZZ_DENSE_MAX) {
		double *J = calloc(n * n, sizeof *J);
		if (!J)
			abort();
		dk_model_jacobian(m, w, x, u, J);
		sink = sum(J, n * n);
		free(J);
	}
	sink = sum(xn, B * n) + sum(gx, B * n) + sum(gp, np) + sum(y, B * out) +
	       sum(gu, B * in) + dk_model_step_time(m);
	dk_model_work_free(w);
	free(x); free(xn); free(dx); free(gx); free(u); free(gu); free(y);
	free(gp); free(cache);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (devnull < 0 && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	dk_stream_reader *r = dk_stream_reader_alloc_mem(data, size, "fuzz");
	dk_bundle *b = dk_bundle_alloc();
	if (!r || !b)
		abort();
	dk_stream_reader_set_max_elements(r, FUZZ_MAX_ELEMENTS);
	if (dk_bundle_read(b, r) == DK_OK) {
		char err[256] = "";
		dk_model *m;
		if (dk_model_from_bundle(b, &m, err, sizeof err) == DK_OK) {
			if (!m)
				abort();
			exercise(m);
			/* and back out */
			dk_bundle *o = dk_bundle_alloc();
			dk_stream_writer *wr = dk_stream_writer_alloc(devnull);
			if (!o || !wr)
				abort();
			if (dk_model_to_bundle(m, o) == DK_OK)
				dk_bundle_write(o, wr);
			dk_stream_writer_flush(wr);
			dk_stream_writer_free(wr);
			dk_bundle_free(o);
			dk_model_free(m);
		} else {
			if (m || !err[0])
				abort(); /* a failure leaves nothing and says why */
			sink = (double)strlen(err);
		}
	}
	dk_bundle_free(b);
	dk_stream_reader_free(r);
	return 0;
}
