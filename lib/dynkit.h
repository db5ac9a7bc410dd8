/*
 * dynkit.h -- the public interface of libdynkit, in one include.
 *
 * libdynkit is the numeric library behind the dk-* tools: tensors and
 * status codes (base/), the .npy stream every tool reads and writes
 * (stream/).  Each part's header documents its functions; DESIGN.md and
 * dynkit(7) give the map.
 */
#ifndef DYNKIT_H
#define DYNKIT_H

#include "base/status.h"
#include "base/version.h"
#include "base/numeric.h"
#include "base/tensor.h"
#include "base/atomic_file.h"
#include "base/rng.h"
#include "stream/npy.h"
#include "stream/meta.h"
#include "stream/reader.h"
#include "stream/writer.h"
#include "stream/bundle.h"
#include "stream/names.h"
#include "stream/layout.h"
#include "stream/select.h"
#include "stream/text.h"
#include "stream/brief.h"
#include "stream/zip.h"
#include "stream/safetensors.h"
#include "stream/container.h"
#include "stream/sweep.h"
#include "linalg/orthogonal.h"
#include "linalg/blas_reserve.h"
#include "linalg/linop.h"
#include "linalg/gmres.h"
#include "linalg/arnoldi.h"
#include "models/model.h"
#include "models/convention.h"
#include "models/run.h"
#include "models/import.h"
#include "models/conv2d.h"
#include "train/loss.h"
#include "train/bptt.h"
#include "train/optim.h"
#include "train/trainer.h"
#include "train/idx.h"
#include "train/task.h"
#include "train/shapes.h"
#include "train/testset.h"
#include "train/train_run.h"
#include "train/run_batch.h"
#include "analysis/points.h"
#include "analysis/spectrum.h"
#include "analysis/jacobian.h"
#include "analysis/leading.h"
#include "analysis/jac.h"
#include "analysis/lyap.h"
#include "analysis/pca.h"
#include "analysis/fixed.h"
#include "analysis/wave.h"
#include "analysis/equiv.h"
#include "analysis/dmft/gauss.h"
#include "analysis/dmft/dmft.h"
#include "analysis/dmft/multiregion.h"
#include "analysis/dmft/multiregion_dynamic.h"
#include "analysis/dmft/lowrank.h"
#include "analysis/dmft/solve.h"

#endif
