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
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/status.h"

struct dk_atomic_file {
	char *target; /* owned */
	char *temp;   /* owned */
	int fd;
};

int dk_atomic_file_open(const char *path, dk_atomic_file **out)
{
	*out = NULL;
	if (!path || !*path)
		return DK_EINVAL;
	dk_atomic_file *f = calloc(1, sizeof *f);
	size_t n = strlen(path) + sizeof ".tmp.XXXXXX";
	if (!f || !(f->target = strdup(path)) || !(f->temp = malloc(n))) {
		dk_atomic_file_abort(f);
		return DK_ENOMEM;
	}
	snprintf(f->temp, n, "%s.tmp.XXXXXX", path);
	f->fd = mkstemp(f->temp);
	if (f->fd < 0) {
		free(f->temp);
		f->temp = NULL;
		dk_atomic_file_abort(f);
		return DK_EIO;
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
	if (fsync(f->fd) != 0 && errno != EINVAL)
		st = DK_EIO;
	if (close(f->fd) != 0 && st == DK_OK)
		st = DK_EIO;
	f->fd = -1;
	if (st == DK_OK && rename(f->temp, f->target) != 0)
		st = DK_EIO;
	if (st == DK_OK)
		st = sync_directory_of(f->target);
	else
		unlink(f->temp);
	free(f->temp);
	free(f->target);
	free(f);
	return st;
}

void dk_atomic_file_abort(dk_atomic_file *f)
{
	if (!f)
		return;
	if (f->temp) {
		if (f->fd >= 0)
			close(f->fd);
		unlink(f->temp);
	}
	free(f->temp);
	free(f->target);
	free(f);
}
