/*
 * tool.c -- the shared shell of the dk-* tools (see tool.h).
 */
#include <config.h>

#include <errno.h>
#include <float.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static const char *program = "dk";
static const char *usage_from_data; /* tool_usage_from_data's where */

void tool_init(const char *name, char **argv)
{
	program = name;
	/* getopt names argv[0] in its messages; in the build tree that is
	   libtool's .libs/ path, so say the tool's own name instead */
	argv[0] = (char *)name;
}

const char *tool_name(void)
{
	return program;
}

void tool_warn(const char *where, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", program);
	if (where)
		fprintf(stderr, "%s: ", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void tool_usage_from_data(const char *where)
{
	usage_from_data = where;
}

void tool_usage_error(const char *fmt, ...)
{
	va_list ap;
	if (usage_from_data && fmt) {
		fprintf(stderr, "%s: %s: ", program, usage_from_data);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
		exit(TOOL_EXIT_FAIL);
	}
	if (fmt) { /* NULL: getopt has already said what is wrong */
		fprintf(stderr, "%s: ", program);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "Try '%s --help' for more information.\n", program);
	exit(TOOL_EXIT_USAGE);
}

tool_progress *tool_progress_start(tool_progress *p, const char *what)
{
	*p = (tool_progress){.what = what, .last = -1};
	return isatty(STDERR_FILENO) ? p : NULL;
}

void tool_progress_show(void *arg, size_t done, size_t total)
{
	tool_progress *p = arg;
	int pct = total ? (int)(100.0 * (double)done / (double)total) : 100;
	if (pct != p->last) {
		fprintf(stderr, "\r%s: %s %zu/%zu (%d%%) ", program, p->what, done,
		        total, pct);
		p->last = pct;
	}
}

void tool_progress_end(tool_progress *p)
{
	if (p && p->last >= 0)
		fputc('\n', stderr);
}

void tool_exit_stdout(void)
{
	/* a text longer than stdio's buffer may have failed to be written
	   before the close, which then has nothing left to fail on */
	int bad = ferror(stdout);
	exit(fclose(stdout) == 0 && !bad ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
}

void tool_version(void)
{
	printf("%s (dynkit) %s\n", program, dk_version());
	tool_exit_stdout();
}

int tool_common_option(int c, const char *arg, void (*usage)(void),
                       size_t *max_elements)
{
	switch (c) {
	case 'h': usage(); return 1;
	case TOOL_OPT_VERSION: tool_version();
	case TOOL_OPT_MAX_ELEMENTS:
		*max_elements = tool_parse_count("--max-elements", arg);
		return 1;
	case '?':
	case ':': tool_usage_error(NULL);
	default: return 0;
	}
}

size_t tool_parse_count(const char *opt, const char *arg)
{
	char *end;
	errno = 0;
	/* plain digits exactly: a double would round counts above 2^53 */
	if (*arg && strspn(arg, "0123456789") == strlen(arg)) {
		unsigned long long u = strtoull(arg, &end, 10);
		if (errno || u > (1ull << 63))
			tool_usage_error("%s: '%s' is not a count", opt, arg);
		return (size_t)u;
	}
	double v;
	const char *caret = strchr(arg, '^');
	if (caret) {
		double base = strtod(arg, &end);
		if (end != caret)
			tool_usage_error("%s: '%s' is not a count", opt, arg);
		v = pow(base, strtod(caret + 1, &end));
	} else {
		v = strtod(arg, &end);
	}
	if (end == arg || *end || errno || !(v >= 0) || v > 0x1p63 || v != floor(v))
		tool_usage_error("%s: '%s' is not a count", opt, arg);
	return (size_t)v;
}

json_t *tool_provenance(json_t *options)
{
	if (!options)
		return NULL;
	return json_pack("{s:s, s:s, s:o}", "tool", program, "version",
	                 dk_version(), "options", options);
}

int tool_bundle_stamp(dk_bundle *b, json_t *prov)
{
	for (size_t i = 0; i < dk_bundle_size(b); i++) {
		int st = dk_meta_set_attr(dk_bundle_meta(b, i), "provenance",
		                          json_deep_copy(prov));
		if (st)
			return st;
	}
	return DK_OK;
}

int tool_open_input(const char *path)
{
	if (!strcmp(path, "-")) {
		/* a stream is binary: typed at a terminal it is a mistake, and
		   without a word the tool would seem to hang */
		if (isatty(STDIN_FILENO))
			tool_warn(NULL, "reading a stream from standard input, which is a "
			          "terminal (give a FILE or a pipe; Ctrl-D ends)");
		return STDIN_FILENO;
	}
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		tool_warn(path, "%s", strerror(errno));
	return fd;
}

void tool_close_input(int fd)
{
	if (fd != STDIN_FILENO)
		close(fd);
}

int tool_output_open(tool_output *out, const char *path)
{
	*out = (tool_output){.path = path, .fd = STDOUT_FILENO};
	if (path) {
		if (!*path) {
			tool_warn(NULL, "-o: the file name is empty");
			return 1;
		}
		/* temporary files of an earlier write to path that was killed */
		size_t stale = 0;
		if (!dk_atomic_file_clean(path, &stale) && stale)
			tool_warn(NULL, "removed %zu temporary file%s of %s left by a "
			          "write that was killed", stale, stale == 1 ? "" : "s", path);
		int st = dk_atomic_file_open(path, &out->file);
		if (st) {
			tool_warn(path, "cannot create: %s", st == DK_EINVAL && errno == ENOTSUP
			          ? "not a file, a terminal or a pipe" : strerror(errno));
			return 1;
		}
		out->fd = dk_atomic_file_fd(out->file);
	}
	out->w = dk_stream_writer_alloc(out->fd);
	if (!out->w) {
		tool_warn(NULL, "out of memory");
		dk_atomic_file_abort(out->file);
		return 1;
	}
	return 0;
}

int tool_output_close(tool_output *out, int ok)
{
	const char *where = out->path ? out->path : "stdout";
	/* Complete records already written to a pipe are still worth passing
	   on after a later error; a file that failed is discarded whole. */
	if ((ok || !out->file) && dk_stream_writer_flush(out->w)) {
		tool_warn(where, "write error: %s",
		          strerror(dk_stream_writer_errno(out->w)));
		ok = 0;
	}
	dk_stream_writer_free(out->w);
	out->w = NULL;
	if (out->file) {
		if (!ok) {
			dk_atomic_file_abort(out->file);
		} else if (dk_atomic_file_commit(out->file)) {
			tool_warn(where, "cannot replace: %s", strerror(errno));
			ok = 0;
		}
		out->file = NULL;
	} else if (close(STDOUT_FILENO) != 0 && errno != EBADF) {
		tool_warn(where, "%s", strerror(errno));
		ok = 0;
	}
	return ok ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

dk_bundle *tool_read_bundle(const char *path, size_t max_elements)
{
	int fd = tool_open_input(path);
	if (fd < 0)
		return NULL;
	dk_stream_reader *r = dk_stream_reader_alloc(fd, path);
	dk_bundle *b = dk_bundle_alloc();
	int st = r && b ? DK_OK : DK_ENOMEM;
	if (!st) {
		dk_stream_reader_set_max_elements(r, max_elements);
		st = dk_bundle_read(b, r);
	}
	if (st) {
		tool_warn(path, "%s", r && *dk_stream_reader_error(r) ? dk_stream_reader_error(r)
		                                                      : dk_strerror(st));
		dk_bundle_free(b);
		b = NULL;
	}
	dk_stream_reader_free(r);
	tool_close_input(fd);
	return b;
}

int tool_finish(int status, const char *path, dk_bundle *b, json_t *options)
{
	if (status != TOOL_EXIT_OK) {
		json_decref(options);
		return status;
	}
	json_t *prov = tool_provenance(options);
	if (!b || !prov || tool_bundle_stamp(b, prov)) {
		json_decref(prov);
		tool_warn(NULL, "out of memory");
		return TOOL_EXIT_FAIL;
	}
	json_decref(prov);
	return tool_write_bundle(path, b);
}

size_t tool_parse_nonzero_count(const char *opt, const char *arg)
{
	size_t v = tool_parse_count(opt, arg);
	if (!v)
		tool_usage_error("%s: at least 1", opt);
	return v;
}

double tool_parse_real(const char *opt, const char *arg, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (end != arg && !*end && errno == ERANGE && isfinite(v)) /* underflow */
		tool_usage_error("%s: '%s' is too small to hold (the smallest is %g)", opt, arg,
		                 DBL_MIN);
	if (end == arg || *end || errno || !isfinite(v))
		tool_usage_error("%s: '%s' is not a finite number", opt, arg);
	if (v < lo || v > hi) {
		if (isinf(hi))
			tool_usage_error("%s: '%s' is below %g", opt, arg, lo);
		else if (isinf(lo))
			tool_usage_error("%s: '%s' is above %g", opt, arg, hi);
		tool_usage_error("%s: '%s' is not in [%g, %g]", opt, arg, lo, hi);
	}
	return v;
}

double tool_parse_positive(const char *opt, const char *arg)
{
	double v = tool_parse_real(opt, arg, 0, INFINITY);
	if (!(v > 0))
		tool_usage_error("%s: '%s' is not a positive number", opt, arg);
	return v;
}

double *tool_parse_numbers(const char *opt, const char *arg, size_t *count)
{
	size_t cap = 1;
	for (const char *c = arg; *c; c++)
		cap += *c == ',';
	double *v = malloc(cap * sizeof *v);
	if (!v) {
		tool_warn(opt, "out of memory");
		exit(TOOL_EXIT_FAIL);
	}
	size_t k = 0;
	for (const char *p = arg;; p++) {
		char *end;
		errno = 0;
		v[k] = strtod(p, &end);
		if (end == p || errno == ERANGE || !isfinite(v[k]) ||
		    (*end && *end != ','))
			tool_usage_error("%s: '%s' is not a comma-separated list of "
			                 "finite numbers", opt, arg);
		k++;
		if (!*end)
			break;
		p = end;
	}
	*count = k;
	return v;
}

int tool_write_bundle(const char *path, dk_bundle *b)
{
	tool_output out;
	if (!b) {
		tool_warn(NULL, "out of memory");
		return TOOL_EXIT_FAIL;
	}
	if (tool_output_open(&out, path))
		return TOOL_EXIT_FAIL;
	int st = dk_bundle_write(b, out.w);
	if (st)
		tool_warn(path ? path : "stdout", "write error");
	return tool_output_close(&out, st == DK_OK);
}


void tool_parse_sheet(const char *opt, const char *arg, size_t min_side,
                      size_t sheet[2])
{
	const char *comma = strchr(arg, ',');
	char rows[64];
	size_t len = comma ? (size_t)(comma - arg) : 0;
	if (!comma || !len || len >= sizeof rows || strchr(comma + 1, ','))
		tool_usage_error("%s: ROWS,COLS, not '%s'", opt, arg);
	memcpy(rows, arg, len);
	rows[len] = '\0';
	sheet[0] = tool_parse_count(opt, rows);
	sheet[1] = tool_parse_count(opt, comma + 1);
	if (sheet[0] < min_side || sheet[1] < min_side)
		tool_usage_error("%s: '%s': rows and columns must be at least %zu", opt,
		                 arg, min_side);
}
