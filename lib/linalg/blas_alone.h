/*
 * blas_alone.h -- OpenBLAS on one thread for the length of a call, and
 * whether threads of libdynkit's own may make products.
 *
 * Where OpenBLAS's threads cost more than they give (small products
 * between much other work, whose idle workers spin for the cores), or
 * where a LAPACK routine would round differently on more threads, a
 * call runs with OpenBLAS set to one thread and sets the count back
 * after.  The setting is the process's: another thread of the same
 * program making products meanwhile makes them on one thread too.
 *
 * Internal (not installed).
 */
#ifndef DK_LINALG_BLAS_ALONE_H
#define DK_LINALG_BLAS_ALONE_H

/* OpenBLAS on one thread; the count to give dk_blas_restore. */
int dk_blas_alone(void);
void dk_blas_restore(int threads);

/*
 * Whether threads other than the caller's and OpenBLAS's own may make
 * products.  OpenBLAS gives every thread that makes products while
 * another does a work buffer of its own (128 MiB, blas_reserve.h), taken
 * at its first product and, when the address space is short, retried
 * for ever; dk_blas_reserve makes room for the caller's and OpenBLAS's
 * threads only.  So: yes unless the address space is limited (ulimit -v).
 */
int dk_blas_helpers_may_multiply(void);

#endif
