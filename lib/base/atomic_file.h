/*
 * atomic_file.h -- write a file so that readers see the old or the new
 * contents, never a part.
 *
 * The data goes to a temporary file beside the target (same directory, so
 * rename(2) is atomic); commit fsyncs it, renames it over the target and
 * fsyncs the directory.  Abort, or a crash, leaves the target untouched.
 * Checkpoints and every tool's -o output go through here.
 */
#ifndef DK_BASE_ATOMIC_FILE_H
#define DK_BASE_ATOMIC_FILE_H

typedef struct dk_atomic_file dk_atomic_file;

/* Create the temporary file for path; *out receives the handle. */
int dk_atomic_file_open(const char *path, dk_atomic_file **out);
/* The descriptor to write to (owned by the handle). */
int dk_atomic_file_fd(const dk_atomic_file *f);
/* fsync, rename over the target, fsync the directory, free the handle. */
int dk_atomic_file_commit(dk_atomic_file *f);
/* Remove the temporary file and free the handle; NULL is a no-op. */
void dk_atomic_file_abort(dk_atomic_file *f);

#endif
