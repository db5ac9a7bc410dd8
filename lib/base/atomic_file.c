/*
 * atomic_file.c -- temp file, fsync, rename: the only safe way to replace
 * a file that matters.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/status.h"

struct dk_atomic_file {
	char *target; /* owned */
	char *temp;   /* owned */
	int fd;
	int in_place; /* a device or FIFO, written where it is */
};

/* A character device or a FIFO (a terminal, /dev/null, a named pipe) is
   written where it is: a rename would put a regular file in its place. */
static int open_in_place(const char *path, const struct stat *st, dk_atomic_file **out)
{
	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		return DK_EIO;
	}
	if (!S_ISCHR(st->st_mode) && !S_ISFIFO(st->st_mode)) {
		errno = ENOTSUP; /* a block device, a socket: not a stream's place */
		return DK_EINVAL;
	}
	dk_atomic_file *f = calloc(1, sizeof *f);
	if (!f)
		return DK_ENOMEM;
	f->in_place = 1;
	f->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (f->fd < 0) {
		free(f);
		return DK_EIO;
	}
	*out = f;
	return DK_OK;
}

int dk_atomic_file_open(const char *path, dk_atomic_file **out)
{
	*out = NULL;
	if (!path || !*path) {
		errno = ENOENT;
		return DK_EINVAL;
	}
	struct stat st, lst;
	int exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode))
		return open_in_place(path, &st, out);
	dk_atomic_file *f = calloc(1, sizeof *f);
	if (f) { /* a symbolic link to a file: replace the file, keep the link */
		int link = exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
		f->target = link ? realpath(path, NULL) : NULL;
		if (!f->target)
			f->target = strdup(path);
	}
	size_t n = f && f->target ? strlen(f->target) + sizeof ".tmp.XXXXXX" : 0;
	if (!f || !f->target || !(f->temp = malloc(n))) {
		dk_atomic_file_abort(f);
		return DK_ENOMEM;
	}
	path = f->target;
	/* the file is locked while it is written, so that a file of this
	   name left unlocked is one whose writer died (dk_atomic_file_clean);
	   one cleaned before it was locked is made again */
	for (;;) {
		snprintf(f->temp, n, "%s.tmp.XXXXXX", path);
		f->fd = mkstemp(f->temp);
		if (f->fd < 0) {
			free(f->temp);
			f->temp = NULL;
			dk_atomic_file_abort(f);
			return DK_EIO;
		}
		if (flock(f->fd, LOCK_EX) || fstat(f->fd, &st) || st.st_nlink > 0)
			break; /* where there are no locks, there is no cleaning */
		close(f->fd);
	}
	/* mkstemp makes the file 0600; give it the usual umask-governed mode. */
	mode_t mask = umask(0);
	umask(mask);
	(void)fchmod(f->fd, 0666 & ~mask);
	*out = f;
	return DK_OK;
}

int dk_atomic_file_fd(const dk_atomic_file *f)
{
	return f->fd;
}

static int sync_directory_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return DK_ENOMEM;
	int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (dfd < 0)
		return DK_EIO;
	/* Some file systems refuse fsync on directories; the rename stands. */
	(void)fsync(dfd);
	close(dfd);
	return DK_OK;
}

int dk_atomic_file_commit(dk_atomic_file *f)
{
	int st = DK_OK;
	if (f->in_place) { /* nothing to rename or sync */
		st = close(f->fd) ? DK_EIO : DK_OK;
		free(f->target);
		free(f);
		return st;
	}
	if (fsync(f->fd) != 0 && errno != EINVAL)
		st = DK_EIO;
	/* renamed while still open, so still locked */
	if (st == DK_OK && rename(f->temp, f->target) != 0)
		st = DK_EIO;
	if (st != DK_OK)
		unlink(f->temp);
	if (close(f->fd) != 0 && st == DK_OK)
		st = DK_EIO;
	f->fd = -1;
	if (st == DK_OK)
		st = sync_directory_of(f->target);
	free(f->temp);
	free(f->target);
	free(f);
	return st;
}

/* Is name path's base followed by ".tmp." and mkstemp's 6 characters? */
static int is_temp_of(const char *name, const char *base)
{
	size_t n = strlen(base);
	return !strncmp(name, base, n) && !strncmp(name + n, ".tmp.", 5) &&
	       strlen(name + n + 5) == 6;
}

int dk_atomic_file_clean(const char *path, size_t *removed)
{
	*removed = 0;
	char *dcopy = path && *path ? strdup(path) : NULL, *bcopy = dcopy ? strdup(path) : NULL;
	if (!bcopy) {
		free(dcopy);
		return path && *path ? DK_ENOMEM : DK_EINVAL;
	}
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		free(dcopy);
		free(bcopy);
		return DK_OK; /* no directory, no temporary files */
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_temp_of(e->d_name, base))
			continue;
		int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		struct stat a, b;
		/* locked: a writer is at work; unlocked: its writer died */
		if (fd >= 0 && !fstat(fd, &a) && S_ISREG(a.st_mode) &&
		    !flock(fd, LOCK_EX | LOCK_NB) &&
		    !fstatat(dfd, e->d_name, &b, AT_SYMLINK_NOFOLLOW) &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
		    !unlinkat(dfd, e->d_name, 0))
			++*removed;
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	free(dcopy);
	free(bcopy);
	return DK_OK;
}

void dk_atomic_file_abort(dk_atomic_file *f)
{
	if (!f)
		return;
	if (f->temp) {
		if (f->fd >= 0)
			close(f->fd);
		unlink(f->temp);
	} else if (f->in_place) { /* what is written stays */
		close(f->fd);
	}
	free(f->temp);
	free(f->target);
	free(f);
}
