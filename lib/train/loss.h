/*
 * loss.h -- the losses of the tasks, with their gradients.
 *
 * Both average over the steps the mask weights (mask[t][b] >= 0):
 *
 *   mse   L = sum_tb mask_tb sum_k (y_tbk - target_tbk)^2 / (o sum_tb mask_tb)
 *         (PyTorch's MSELoss over the masked elements)
 *   xent  L = sum_tb mask_tb (-log softmax(y_tb)[label_tb]) / sum_tb mask_tb
 *         with accuracy the mask-weighted fraction of steps where the
 *         largest output is the label
 *
 * y is (T x B x o) row-major; target is T x B x o doubles (mse) or T x B
 * labels (xent); mask is T x B.  grad (may be NULL) receives dL/dy.
 *
 * mse_each weighs every output of a step by its own weight, mask T x B x o:
 *
 *   L = sum_tbk mask_tbk (y_tbk - target_tbk)^2 / sum_tbk mask_tbk
 *
 * which is mse's loss when the weights of a step's outputs are equal.
 */
#ifndef DK_TRAIN_LOSS_H
#define DK_TRAIN_LOSS_H

#include <stddef.h>
#include <stdint.h>

int dk_loss_mse(size_t T, size_t B, size_t o, const double *y,
                const double *target, const double *mask, double *loss,
                double *grad);

int dk_loss_mse_each(size_t T, size_t B, size_t o, const double *y,
                     const double *target, const double *mask, double *loss,
                     double *grad);

/* Labels out of 0..o-1 on a weighted step are DK_EINVAL. */
int dk_loss_xent(size_t T, size_t B, size_t o, const double *y,
                 const int64_t *labels, const double *mask, double *loss,
                 double *accuracy, double *grad);

/* The index of the largest of z[0..n) (n >= 1), the first of equals; a
   NaN is never the largest but for z[0]. */
size_t dk_loss_argmax(const double *z, size_t n);

/*
 * The loss of outputs y (T, B, o) against a task's target and mask
 * tensors (as dk-gen writes them): xent when the target holds i8 labels
 * (T, B), mse when it holds f8 values (T, B, o); an mse mask may be
 * (T, B, o), a weight per output (mse_each).  *accuracy is NaN for mse.
 * DK_EINVAL with err when the shapes do not fit.
 */
struct dk_tensor;
int dk_loss_eval(const struct dk_tensor *y, const struct dk_tensor *target,
                 const struct dk_tensor *mask, double *loss,
                 double *accuracy, char *err, size_t errlen);

#endif
