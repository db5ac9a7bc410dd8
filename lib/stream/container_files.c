/*
 * container_files.c -- weights read from the files and directories other
 * software leaves them in: one container file (dk_container_read on its
 * bytes), or a directory of .npy files, one tensor each, named by file.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "stream/container.h"

/* The whole of fd into a new buffer; NULL with errno on failure. */
static unsigned char *slurp(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			unsigned char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*len = n;
	return buf;
}

/* The file's name without its directory and ".npy". */
static char *stem_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t l = strlen(base);
	if (l > 4 && !strcmp(base + l - 4, ".npy"))
		l -= 4;
	return strndup(base, l);
}

int dk_container_read_fd(int fd, const char *path, size_t max_elements,
                         dk_bundle *b, char *err, size_t errlen)
{
	size_t len;
	unsigned char *buf = slurp(fd, &len);
	if (!buf)
		return dk_errorf(errno == ENOMEM ? DK_ENOMEM : DK_EIO, err, errlen,
		                 "%s", strerror(errno));
	char *stem = stem_of(path);
	int st = stem ? dk_container_read(buf, len, stem, max_elements, b, err, errlen)
	              : dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	free(stem);
	free(buf);
	return st;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One file of a directory, its name put before a message. */
static int read_member(const char *path, size_t max_elements, dk_bundle *b,
                       char *err, size_t errlen)
{
	char msg[1024];
	FILE *f = fopen(path, "rb");
	if (!f)
		return dk_errorf(DK_EIO, err, errlen, "%s: %s", path, strerror(errno));
	int st = dk_container_read_fd(fileno(f), path, max_elements, b, msg, sizeof msg);
	fclose(f);
	return st ? dk_errorf(st, err, errlen, "%s: %s", path, msg) : DK_OK;
}

int dk_container_read_dir(const char *path, size_t max_elements, dk_bundle *b,
                          char *err, size_t errlen)
{
	DIR *d = opendir(path);
	if (!d)
		return dk_errorf(DK_EIO, err, errlen, "%s: %s", path, strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	int st = DK_OK;
	struct dirent *de;
	while (!st && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l <= 4 || strcmp(de->d_name + l - 4, ".npy"))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names);
			if (!nn) {
				st = DK_ENOMEM;
				break;
			}
			names = nn;
		}
		if (!(names[n] = malloc(strlen(path) + l + 2))) {
			st = DK_ENOMEM;
			break;
		}
		sprintf(names[n++], "%s/%s", path, de->d_name);
	}
	closedir(d);
	if (st)
		dk_errorf(st, err, errlen, "%s: out of memory", path);
	else if (!n)
		st = dk_errorf(DK_ENOTFOUND, err, errlen, "%s: no .npy files in the "
		               "directory", path);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		if (!st)
			st = read_member(names[i], max_elements, b, err, errlen);
		free(names[i]);
	}
	free(names);
	return st;
}

dk_container dk_container_for_path(const char *path)
{
	size_t l = strlen(path);
	if (l >= 4 && !strcmp(path + l - 4, ".npz"))
		return DK_CONTAINER_NPZ;
	if (l >= 12 && !strcmp(path + l - 12, ".safetensors"))
		return DK_CONTAINER_SAFETENSORS;
	return DK_CONTAINER_NPY;
}
