/*
 * gnuplot.c -- the plumbing every dk-plot picture shares: a private
 * mkdtemp(3) directory for the data files and the script, the terminal
 * lines of the format and size asked for, gnuplot run there as a program
 * (fork and exec, no shell, the script named plot.gp and nothing of the
 * user's on its command line), its complaints passed on, and the picture
 * it wrote copied to stdout or, atomically, to -o.
 *
 * The script names only the scratch directory's own files, never a user's
 * string, so file names are data and never gnuplot syntax.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

enum plot_format plot_format_by_name(const char *name)
{
	if (!strcasecmp(name, "png"))
		return PLOT_FORMAT_PNG;
	if (!strcasecmp(name, "svg"))
		return PLOT_FORMAT_SVG;
	return PLOT_FORMAT_NONE;
}

/* ---- the scratch directory --------------------------------------------- */

static void scratch_path(const plot_script *s, char *buf, size_t cap, const char *file)
{
	snprintf(buf, cap, "%s/%s", s->dir, file);
}

int plot_scratch_make(plot_script *s)
{
	const char *t = getenv("TMPDIR");
	if (!t || !*t)
		t = "/tmp";
	if ((size_t)snprintf(s->dir, sizeof s->dir, "%s/dk-plot.XXXXXX", t) >=
	        sizeof s->dir - 32 || !mkdtemp(s->dir)) {
		tool_warn(s->dir, "cannot make a temporary directory: %s",
		          strerror(errno ? errno : ENAMETOOLONG));
		*s->dir = '\0';
		return 1;
	}
	return 0;
}

/* Everything in the directory is ours (the pictures' files, gnuplot's
   output and its messages), so everything in it goes. */
void plot_scratch_remove(plot_script *s)
{
	if (!*s->dir)
		return;
	DIR *d = opendir(s->dir);
	struct dirent *e;
	char p[PATH_MAX + 256];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			scratch_path(s, p, sizeof p, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(s->dir);
	*s->dir = '\0';
}

FILE *plot_file(plot_script *s, const char *file)
{
	char p[PATH_MAX + 32];
	scratch_path(s, p, sizeof p, file);
	FILE *f = fopen(p, "w");
	if (!f)
		tool_warn(p, "%s", strerror(errno));
	return f;
}

int plot_file_close(FILE *f, const char *file)
{
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		tool_warn(file, "cannot write the temporary file: %s",
		          errno ? strerror(errno) : "write error");
		return 1;
	}
	return 0;
}

FILE *plot_script_begin(plot_script *s, const plot_options *o)
{
	FILE *gp = plot_file(s, "plot.gp");
	if (!gp)
		return NULL;
	if (o->format == PLOT_FORMAT_SVG)
		fprintf(gp, "set terminal svg size %u,%u background rgb 'white'\n"
		            "set output 'plot.svg'\n", o->width, o->height);
	else
		fprintf(gp, "set terminal pngcairo size %u,%u\n"
		            "set output 'plot.png'\n", o->width, o->height);
	return gp;
}

int plot_script_end(FILE *gp)
{
	return plot_file_close(gp, "plot.gp") ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

/* ---- gnuplot ------------------------------------------------------------ */

/* Print what gnuplot said on stderr, each line after "dk-plot: gnuplot: ". */
static void relay_gnuplot_errors(const plot_script *s)
{
	char p[PATH_MAX + 32], line[512];
	scratch_path(s, p, sizeof p, "gnuplot.err");
	FILE *f = fopen(p, "r");
	int n = 0;
	while (f && fgets(line, sizeof line, f) && n < 20) {
		line[strcspn(line, "\n")] = '\0';
		if (*line && strspn(line, " ^") != strlen(line)) {
			tool_warn("gnuplot", "%s", line);
			n++;
		}
	}
	if (f)
		fclose(f);
}

/* In the child: stdin and stdout on /dev/null, stderr into gnuplot.err,
   the scratch directory as the working one, then gnuplot.  Only a
   failure returns, with its errno. */
static int exec_gnuplot(const plot_script *s, const char *prog)
{
	errno = 0;
	int null = open("/dev/null", O_RDWR);
	int log = chdir(s->dir) ? -1
	          : open("gnuplot.err", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (null < 0 || log < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(log, 2) < 0)
		return errno;
	execlp(prog, prog, "plot.gp", (char *)NULL);
	return errno;
}

/* Whether gnuplot ran and succeeded, by the child's report of a failed
   exec (err, when got is its size) and its wait status. */
static int judge(const plot_script *s, const char *prog, ssize_t got, int err,
                 int status)
{
	if (got == (ssize_t)sizeof err) {
		if (err == ENOENT)
			tool_warn(prog, "not found: install gnuplot (the Debian package "
			          "gnuplot-nox) or set DK_GNUPLOT");
		else
			tool_warn(prog, "cannot run: %s", strerror(err));
		return TOOL_EXIT_FAIL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return TOOL_EXIT_OK;
	relay_gnuplot_errors(s);
	if (WIFEXITED(status))
		tool_warn(prog, "failed (exit status %d)", WEXITSTATUS(status));
	else
		tool_warn(prog, "killed by signal %d", WTERMSIG(status));
	return TOOL_EXIT_FAIL;
}

int plot_run(const plot_script *s)
{
	const char *prog = getenv("DK_GNUPLOT");
	char abs[PATH_MAX];
	if (!prog || !*prog)
		prog = "gnuplot";
	else if (strchr(prog, '/') && *prog != '/' && realpath(prog, abs))
		prog = abs; /* the child runs in the scratch directory */
	int report[2]; /* the child's errno when exec fails; closed by exec */
	if (pipe2(report, O_CLOEXEC)) {
		tool_warn(NULL, "pipe: %s", strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		tool_warn(NULL, "fork: %s", strerror(errno));
		close(report[0]);
		close(report[1]);
		return TOOL_EXIT_FAIL;
	}
	if (pid == 0) {
		int err = exec_gnuplot(s, prog);
		if (write(report[1], &err, sizeof err) < 0)
			err = 0;
		_exit(127);
	}
	close(report[1]);
	int err = 0;
	ssize_t got;
	while ((got = read(report[0], &err, sizeof err)) < 0 && errno == EINTR)
		;
	close(report[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			tool_warn(prog, "waitpid: %s", strerror(errno));
			return TOOL_EXIT_FAIL;
		}
	return judge(s, prog, got, err, status);
}

/* ---- the picture -------------------------------------------------------- */

/* Copy all of in to fd; 1 when done, 0 (warned) on an error.  *total
   counts the bytes read. */
static int copy_out(int in, const char *from, int fd, const char *to, size_t *total)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tool_warn(from, "%s", strerror(errno));
			return 0;
		}
		*total += (size_t)n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				tool_warn(to, "write error: %s", strerror(errno));
				return 0;
			}
			off += w;
		}
	}
	return 1;
}

int plot_deliver(const plot_script *s, const plot_options *o)
{
	char p[PATH_MAX + 32];
	scratch_path(s, p, sizeof p, o->format == PLOT_FORMAT_SVG ? "plot.svg" : "plot.png");
	int in = open(p, O_RDONLY);
	if (in < 0) {
		tool_warn("gnuplot", "wrote no picture: %s", strerror(errno));
		return TOOL_EXIT_FAIL;
	}
	tool_output out;
	if (tool_output_open(&out, o->output)) {
		close(in);
		return TOOL_EXIT_FAIL;
	}
	size_t total = 0;
	int ok = copy_out(in, p, out.fd, o->output ? o->output : "stdout", &total);
	close(in);
	if (ok && total == 0) {
		/* gnuplot says nothing when its picture does not fit on the disk */
		struct statvfs fs;
		if (!statvfs(s->dir, &fs) && fs.f_bavail == 0)
			tool_warn("gnuplot", "wrote an empty picture: no space left in the "
			          "temporary directory %s (TMPDIR)", s->dir);
		else
			tool_warn("gnuplot", "wrote an empty picture");
		ok = 0;
	}
	return tool_output_close(&out, ok);
}
