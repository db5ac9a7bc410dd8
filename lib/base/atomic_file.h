/*
 * atomic_file.h -- write a file so that readers see the old or the new
 * contents, never a part.
 *
 * The data goes to a temporary file beside the target (same directory, so
 * rename(2) is atomic); commit fsyncs it, renames it over the target and
 * fsyncs the directory.  Abort, or a crash, leaves the target untouched.
 * Checkpoints and every tool's -o output go through here.  The temporary
 * file is locked while it is written (see dk_atomic_file_clean).
 */
#ifndef DK_BASE_ATOMIC_FILE_H
#define DK_BASE_ATOMIC_FILE_H

typedef struct dk_atomic_file dk_atomic_file;

/*
 * Create the temporary file for path; *out receives the handle.  Only a
 * regular file is replaced so: a symbolic link to one keeps the link and
 * replaces the file it names; a character device or a FIFO (/dev/null, a
 * terminal, a named pipe) is opened and written in place, where commit
 * only closes it and abort cannot take back what was written; a
 * directory, a block device or a socket is refused.  On failure errno
 * says why (ENOENT for an empty path, EISDIR, ENOTSUP).
 */
int dk_atomic_file_open(const char *path, dk_atomic_file **out);
/* The descriptor to write to (owned by the handle). */
int dk_atomic_file_fd(const dk_atomic_file *f);
/* fsync, rename over the target, fsync the directory, free the handle. */
int dk_atomic_file_commit(dk_atomic_file *f);
/* Remove the temporary file and free the handle; NULL is a no-op. */
void dk_atomic_file_abort(dk_atomic_file *f);

/*
 * A process killed while it wrote path leaves its temporary file behind
 * (path.tmp.XXXXXX).  The file is locked (flock(2)) while it is written,
 * so those that can be locked have no writer: remove them, and count
 * them in *removed.  Those of a writer at work are left alone.
 */
int dk_atomic_file_clean(const char *path, size_t *removed);

#endif
