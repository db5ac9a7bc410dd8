/*
 * container.h -- named tensors from a file in one of the containers that
 * other software writes weights in, held in memory: a .npy file or stream
 * (NumPy's np.save, or a dynkit stream), a .npz (np.savez, stored, or
 * np.savez_compressed, deflated: a zip of .npy members), or a
 * .safetensors file.  The container is known by its first bytes, not by
 * the file's name.
 */
#ifndef DK_STREAM_CONTAINER_H
#define DK_STREAM_CONTAINER_H

#include <stddef.h>

#include <jansson.h>

#include "stream/bundle.h"

typedef enum { DK_CONTAINER_UNKNOWN, DK_CONTAINER_NPY, DK_CONTAINER_NPZ,
               DK_CONTAINER_SAFETENSORS } dk_container;

/* Which container the len bytes at buf are. */
dk_container dk_container_sniff(const unsigned char *buf, size_t len);
const char *dk_container_name(dk_container c);

/*
 * Add the tensors of buf to b, as f8 or as stored, named:
 *  - .npy: by the metadata record before each tensor, else (one plain
 *    tensor) by stem, e.g. the file's name without ".npy";
 *  - .npz: by member name without ".npy" (members not ending in .npy are
 *    skipped);
 *  - .safetensors: by the header's names.
 * A name seen twice is DK_EFORMAT; an unknown container is DK_EFORMAT
 * ("unknown file type"); a tensor over max_elements is DK_ELIMIT.  err
 * says what and where.
 */
int dk_container_read(const unsigned char *buf, size_t len, const char *stem,
                      size_t max_elements, dk_bundle *b, char *err, size_t errlen);

/*
 * Files (container_files.c).  The tensors of the container read from fd,
 * as dk_container_read takes them, the stem from path; the tensors of
 * every *.npy file of the directory path, in name order (DK_ENOTFOUND
 * when there is none; err then starts with the file's path).
 */
int dk_container_read_fd(int fd, const char *path, size_t max_elements,
                         dk_bundle *b, char *err, size_t errlen);
int dk_container_read_dir(const char *path, size_t max_elements, dk_bundle *b,
                          char *err, size_t errlen);
/* The container a path to write names: .npz, .safetensors, else a
   directory of .npy files. */
dk_container dk_container_for_path(const char *path);

/*
 * Write b's tensors (f8) to path in a container, each file atomically
 * (lib/base/atomic_file.h):
 *  - DK_CONTAINER_NPZ: a zip of NAME.npy members, stored, as np.savez
 *    writes it;
 *  - DK_CONTAINER_SAFETENSORS: F64 tensors, metadata (may be NULL; string
 *    values) as "__metadata__";
 *  - DK_CONTAINER_NPY: path is a directory (made if missing) of one
 *    NAME.npy per tensor, as np.save writes them (files of other names
 *    there are left alone).
 * A tensor named with a '/' is DK_EINVAL; I/O errors are DK_EIO; err
 * says what and where.
 */
int dk_container_write(const dk_bundle *b, dk_container kind, const char *path,
                       json_t *metadata, char *err, size_t errlen);

#endif
