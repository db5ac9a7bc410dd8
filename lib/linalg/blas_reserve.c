/*
 * blas_reserve.c -- OpenBLAS's buffers checked against RLIMIT_AS and
 * taken before any work (see blas_reserve.h for why).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <cblas.h>

#include "base/status.h"
#include "linalg/blas_reserve.h"

#define MIB (1024.0 * 1024.0)
/* OpenBLAS's buffer per thread (BUFFER_SIZE on x86-64), which it maps
   anonymously, read-write, in one piece. */
#define BUFFER_BYTES (32ULL << 22)
/* Room for the stack and small allocations besides. */
#define SLACK_BYTES (16ULL << 20)

/* The bytes of address space the process has mapped (0 if unknown), and
   in *buffers how many of them are anonymous read-write mappings of
   exactly one buffer: OpenBLAS's, at the start of a tool, when nothing
   else is that large yet. */
static unsigned long long mapped_bytes(unsigned long long *buffers)
{
	unsigned long long total = 0, lo, hi, inode;
	char perms[8], line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	*buffers = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		int path = -1;
		if (sscanf(line, "%llx-%llx %7s %*s %*s %llu %n", &lo, &hi, perms,
		           &inode, &path) < 4 || hi < lo)
			continue;
		total += hi - lo;
		if (hi - lo == BUFFER_BYTES && inode == 0 &&
		    !strcmp(perms, "rw-p") && path >= 0 &&
		    (line[path] == '\0' || line[path] == '\n'))
			++*buffers;
	}
	fclose(f);
	return total;
}

/*
 * OpenBLAS 0.3.21's workers take their buffers at the first product they
 * share in, not when they start: by then the process's own allocations
 * may have used the room, and the worker retries its buffer for ever
 * (dk-train under caps up to 60 MiB above what this function asks for
 * hung in some runs).  A product large enough that OpenBLAS
 * shares it among all its threads (128 rows each; one of 64 rows each
 * was not enough) makes them take theirs now.  Out of memory for the
 * operands: nothing (the process's next allocation fails cleanly too).
 */
static void take_worker_buffers(int threads)
{
	if (threads < 2)
		return;
	size_t m = 128 * (size_t)threads, k = 128;
	double *A = calloc(m * k + k * k + m * k, sizeof *A);
	if (!A)
		return;
	double *B = A + m * k, *C = B + k * k;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)k,
	            (int)k, 1.0, A, (int)k, B, (int)k, 0.0, C, (int)k);
	free(A);
}

int dk_blas_reserve(char *err, size_t errlen)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_AS, &lim) || lim.rlim_cur == RLIM_INFINITY)
		return DK_OK;
	unsigned long long taken;
	unsigned long long mapped = mapped_bytes(&taken);
	if (mapped == 0)
		return DK_OK;
	int threads = openblas_get_num_threads();
	if (threads < 1)
		threads = 1;
	/* the calling thread's buffer, and those its workers have not taken
	   yet (they may still be starting) */
	unsigned long long missing = (unsigned long long)threads > taken ?
		(unsigned long long)threads - taken : 1;
	unsigned long long need = mapped + missing * BUFFER_BYTES + SLACK_BYTES;
	unsigned long long limit = (unsigned long long)lim.rlim_cur;
	if (need > limit)
		return dk_errorf(DK_ENOMEM, err, errlen,
			"the address-space limit (ulimit -v) of %.0f MiB is too small "
			"for OpenBLAS's buffers of %.0f MiB per thread, with %d "
			"thread%s: at least %.0f MiB needed%s", limit / MIB,
			BUFFER_BYTES / MIB, threads, threads > 1 ? "s" : "",
			need / MIB, threads > 1 ? " (fewer with fewer threads: "
			"OPENBLAS_NUM_THREADS)" : "");
	/* A 1 x 1 rank-k update: the smallest level-3 call that takes the
	   calling thread's buffer (a small dgemm may skip it). */
	double a = 0, c = 0;
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, 1, 1, 1.0, &a, 1,
	            0.0, &c, 1);
	take_worker_buffers(threads);
	return DK_OK;
}
