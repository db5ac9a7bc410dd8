/*
 * test_atomic_file.c -- replacing a file atomically: commit replaces it,
 * abort leaves it as it was, and no temporary file is left behind.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynkit.h"
#include "tap.h"

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/dkatomic.XXXXXX", path[64];
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/out.npy", dir);
	FILE *f = fopen(path, "w");
	fputs("old", f);
	fclose(f);

	dk_atomic_file *a;
	is_int(dk_atomic_file_open(path, &a), DK_OK, "open beside the target");
	ok(write(dk_atomic_file_fd(a), "new", 3) == 3, "write to it");
	is_str(slurp(path), "old", "target unchanged before commit");
	is_int(entries(dir), 2, "a temporary file exists beside it");
	dk_atomic_file_abort(a);
	is_str(slurp(path), "old", "abort leaves the target as it was");
	is_int(entries(dir), 1, "abort removes the temporary file");

	is_int(dk_atomic_file_open(path, &a), DK_OK, "open again");
	ok(write(dk_atomic_file_fd(a), "new", 3) == 3, "write");
	is_int(dk_atomic_file_commit(a), DK_OK, "commit");
	is_str(slurp(path), "new", "commit replaces the target");
	is_int(entries(dir), 1, "no temporary file left");

	/* a writer killed leaves its temporary file: clean removes it, and
	   leaves the file of a writer at work (locked) */
	char stale[96];
	snprintf(stale, sizeof stale, "%s.tmp.dead01", path);
	fclose(fopen(stale, "w"));
	is_int(dk_atomic_file_open(path, &a), DK_OK, "a writer at work");
	size_t removed = 99;
	is_int(dk_atomic_file_clean(path, &removed), DK_OK, "clean");
	is_int((int)removed, 1, "removes the one stale file");
	ok(access(stale, F_OK) != 0, "which is gone");
	is_int(entries(dir), 2, "and keeps the target and the working writer's file");
	ok(write(dk_atomic_file_fd(a), "new", 3) == 3, "whose writer goes on");
	is_int(dk_atomic_file_commit(a), DK_OK, "and commits");
	is_int(entries(dir), 1, "no temporary file left");

	/* only a regular file is replaced: through a link, the file it names */
	char link[96];
	snprintf(link, sizeof link, "%s/link.npy", dir);
	ok(symlink("out.npy", link) == 0, "a link to the target");
	is_int(dk_atomic_file_open(link, &a), DK_OK, "open through it");
	ok(write(dk_atomic_file_fd(a), "via", 3) == 3, "write");
	is_int(dk_atomic_file_commit(a), DK_OK, "commit");
	struct stat ls;
	ok(lstat(link, &ls) == 0 && S_ISLNK(ls.st_mode), "the link is still a link");
	is_str(slurp(path), "via", "and the file it names is replaced");
	unlink(link);
	errno = 0;
	ok(dk_atomic_file_open(dir, &a) != DK_OK && errno == EISDIR && !a, "a directory is refused");
	errno = 0;
	ok(dk_atomic_file_open("", &a) == DK_EINVAL && errno == ENOENT && !a,
	   "an empty name is refused, and errno says so");

	is_int(dk_atomic_file_open("/nonexistent-dir/x", &a), DK_EIO, "unwritable directory refused");
	ok(a == NULL, "no handle on failure");
	dk_atomic_file_abort(NULL);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
