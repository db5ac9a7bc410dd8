/*
 * blas_reserve.h -- OpenBLAS's buffers taken before any work, so that a
 * process under an address-space limit fails with a message instead of
 * hanging.
 *
 * OpenBLAS gives every thread a work buffer of 128 MiB (BUFFER_SIZE,
 * 32 << 22 bytes on x86-64): its worker threads take theirs as they
 * start, when the library is loaded; the calling thread at its first
 * level-3 product.  When that allocation fails OpenBLAS retries it for
 * ever, and a process whose worker is still retrying deadlocks at exit,
 * joining it.  Only a finite RLIMIT_AS (ulimit -v) makes it fail.
 */
#ifndef DK_LINALG_BLAS_RESERVE_H
#define DK_LINALG_BLAS_RESERVE_H

#include <stddef.h>

/*
 * Under a finite RLIMIT_AS: check that the buffers OpenBLAS's threads
 * have not taken yet (the calling thread's, and those of workers still
 * starting) fit beside what the process has mapped, then have the
 * calling thread and OpenBLAS's workers take their buffers at once, so
 * that dynkit's own allocations, which fail cleanly, cannot later leave
 * OpenBLAS without them.  DK_ENOMEM with a message that
 * says how much address space is needed when they do not fit; then
 * OpenBLAS's workers may be retrying, and the caller should end the
 * process with _exit, not exit.  Without a limit (or where the mapped
 * size cannot be read): nothing, 0.
 */
int dk_blas_reserve(char *err, size_t errlen);

#endif
