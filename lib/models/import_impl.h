/*
 * import_impl.h -- what import.c and import_wrnn.c share (not
 * installed): finding tensors by their PyTorch names, the readout, and
 * copying a tensor into a model's parameter.
 */
#ifndef DK_MODELS_IMPORT_IMPL_H
#define DK_MODELS_IMPORT_IMPL_H

#include "models/import.h"

/* The index of the one entry named key (itself, or ending in ".key" or
   "/key"): -1 if none, -2 (with err) if more than one. */
long dk_import_find_one(const dk_bundle *b, const char *key, char *err,
                        size_t errlen);
/* t is f8 or f4. */
int dk_import_real(const dk_tensor *t);
/* Copy t (any real dtype) into the parameter param of m, or with add add
   it (a zero of t leaves the value as it is); DK_EINVAL when the counts
   differ. */
int dk_import_put(dk_model *m, const char *param, const dk_tensor *t, int add);
/*
 * The readout of a state of n entries (import.h): *rw and *rb (NULL when
 * absent) and *outputs; own(name) says which X.weight names belong to
 * the recurrent module, not to a readout.  DK_ENOTFOUND, DK_EFORMAT with
 * err.
 */
int dk_import_readout(const dk_bundle *src, const dk_import_spec *spec, size_t n,
                      int (*own)(const char *name), const dk_tensor **rw,
                      const dk_tensor **rb, size_t *outputs, dk_import_info *info,
                      char *err, size_t errlen);
/* The Wave-RNN (import_wrnn.c): its authors' cell's tensors, Wx and Wy,
   into a wrnn, and back. */
int dk_import_wrnn(const dk_bundle *src, const dk_import_spec *spec, dk_model **out,
                   dk_import_info *info, char *err, size_t errlen);
int dk_export_wrnn(const dk_model *m, const char *readout, dk_bundle *out, char *err,
                   size_t errlen);

#endif
