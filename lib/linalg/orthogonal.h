/*
 * orthogonal.h -- random orthogonal matrices, distributed by Haar measure.
 */
#ifndef DK_LINALG_ORTHOGONAL_H
#define DK_LINALG_ORTHOGONAL_H

#include <stddef.h>

#include "base/rng.h"

/*
 * Q (n x n, row-major) orthogonal and uniformly distributed: the Q of a
 * QR decomposition of a Gaussian matrix, with the signs of R's diagonal
 * moved into Q (Mezzadri 2007), without which Q would not be uniform.
 */
int dk_linalg_random_orthogonal(dk_rng *rng, size_t n, double *Q);

#endif
