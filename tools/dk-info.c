/*
 * dk-info -- list the tensors of a stream, one line each: name, dtype,
 * shape with the axis names, and a short summary (the values of a tensor
 * of a few elements, else its attributes in brief), within 100 columns;
 * the whole attributes with -v, statistics of the elements with -s.
 *
 * Without -s only tensors of at most DK_BRIEF_SMALL elements are read into
 * memory (the rest are skipped), so dk-info on a large stream costs little
 * more than reading it.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

enum { COL_INDEX, COL_NAME, COL_DTYPE, COL_SHAPE, COL_MIN, COL_MAX,
       COL_MEAN, COL_STD, COL_NAN, COL_INF, COL_SUMMARY, COL_ATTRS, NCOL };

static const char *const col_title[NCOL] = {
	"#", "name", "dtype", "shape", "min", "max", "mean", "std", "nan", "inf",
	"summary", "attrs",
};

/* The default listing's width, and the widest name and shape in it. */
#define WIDTH 100
#define NAME_MAX_COLS 36
#define SHAPE_MAX_COLS 36

typedef struct {
	int stats, json, verbose;
	size_t max_elements;
} options;

/* The rows of one input, printed together so columns line up. */
typedef struct {
	char *(*cell)[NCOL]; /* owned: rows of owned strings */
	size_t n, cap;
} table;

static void usage(void)
{
	printf("Usage: dk-info [OPTION]... [FILE]...\n"
	       "List the tensors of each stream, one line each, within 100 columns:\n"
	       "index, name, dtype, shape with the axis names, and a summary (the\n"
	       "values of a tensor of at most 4 elements, else the attrs in brief).\n"
	       "With no FILE, or when FILE is -, read standard input.\n"
	       "\n"
	       "  -v, --verbose         the whole attrs as JSON instead of the summary,\n"
	       "                        and names and shapes never cut short\n"
	       "  -s, --stats           add min, max, mean and std of the finite\n"
	       "                        elements (complex: of the modulus) and\n"
	       "                        the NaN and Inf counts\n"
	       "  -j, --json            one JSON object per tensor (JSON Lines)\n"
	       TOOL_HELP_COMMON
	       "\n"
	       "Exit status: 0 on success, 1 on bad input or I/O error, 2 on usage error.\n");
	tool_exit_stdout();
}

static char *cell_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cell_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *cell_number(double v)
{
	return isnan(v) ? strdup("-") : cell_printf("%.6g", v);
}

static char *cell_json(json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS)
	         : strdup("-");
}

/* Whether column c is printed with the options o. */
static int shown(const options *o, int c)
{
	if (c >= COL_MIN && c <= COL_INF)
		return o->stats;
	return c == COL_SUMMARY ? !o->verbose : c == COL_ATTRS ? o->verbose : 1;
}

/* Print the table; without -v, names and shapes cut to their caps and
   the summaries to what is left of WIDTH columns (at least 20 with -s). */
static void print_table(const table *t, const options *o)
{
	size_t width[NCOL] = {0}, used = 0;
	for (size_t r = 0; r < t->n && !o->verbose; r++) {
		dk_brief_cut(t->cell[r][COL_NAME], NAME_MAX_COLS);
		dk_brief_cut(t->cell[r][COL_SHAPE], SHAPE_MAX_COLS);
	}
	for (int c = 0; c < NCOL; c++) {
		width[c] = strlen(col_title[c]);
		for (size_t r = 0; r < t->n; r++)
			if (strlen(t->cell[r][c]) > width[c])
				width[c] = strlen(t->cell[r][c]);
		if (shown(o, c) && c < COL_SUMMARY)
			used += width[c] + 2;
	}
	size_t room = used + 20 < WIDTH ? WIDTH - used : 20;
	for (size_t r = 0; r < t->n && !o->verbose; r++)
		dk_brief_cut(t->cell[r][COL_SUMMARY], room);
	for (size_t r = 0; r <= t->n; r++) {
		int first = 1;
		for (int c = 0; c < NCOL; c++) {
			if (!shown(o, c))
				continue;
			const char *s = r == 0 ? col_title[c] : t->cell[r - 1][c];
			if (!first)
				fputs("  ", stdout);
			first = 0;
			if (c >= COL_SUMMARY)
				fputs(s, stdout);
			else
				printf("%-*s", (int)width[c], s);
		}
		fputc('\n', stdout);
	}
}

static void free_table(table *t)
{
	for (size_t r = 0; r < t->n; r++)
		for (int c = 0; c < NCOL; c++)
			free(t->cell[r][c]);
	free(t->cell);
}

static json_t *json_record(const char *src, const dk_record *rec,
                           const dk_tensor_stats *s)
{
	json_t *shape = json_array();
	for (int k = 0; k < rec->npy.rank; k++)
		json_array_append_new(shape, json_integer((json_int_t)rec->npy.shape[k]));
	char descr[32];
	if (rec->npy.dtype == DK_BYTES)
		snprintf(descr, sizeof descr, "|S%zu", rec->npy.itemsize);
	else
		snprintf(descr, sizeof descr, "%s", dk_dtype_descr(rec->npy.dtype));
	json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:o}", "file", src,
	                      "index", (json_int_t)rec->tensor_index,
	                      "name", rec->name, "dtype", descr, "shape", shape);
	json_t *axes = rec->meta ? dk_meta_axes(rec->meta) : NULL;
	json_t *attrs = rec->meta ? dk_meta_attrs(rec->meta) : NULL;
	if (axes)
		json_object_set(o, "axes", axes);
	if (attrs)
		json_object_set(o, "attrs", attrs);
	if (s) {
		/* JSON has no NaN: statistics of no finite element are null */
		json_t *st = json_pack("{s:I, s:I, s:I}", "finite", (json_int_t)s->finite,
		                       "nan", (json_int_t)s->nan, "inf", (json_int_t)s->inf);
		const char *keys[] = {"min", "max", "mean", "std"};
		double vals[] = {s->min, s->max, s->mean, s->std};
		for (int k = 0; k < 4; k++)
			json_object_set_new(st, keys[k], isfinite(vals[k]) ? json_real(vals[k]) : json_null());
		json_object_set_new(o, "stats", st);
	}
	return o;
}

static int info_stream(const options *o, int fd, const char *src)
{
	dk_stream_reader *r = dk_stream_reader_alloc(fd, src);
	table t = {0};
	if (!r) {
		tool_warn(src, "out of memory");
		return 1;
	}
	dk_stream_reader_set_max_elements(r, o->max_elements);
	const dk_record *rec;
	int st, failed = 0;
	while ((st = dk_stream_next(r, &rec)) == DK_OK && rec) {
		dk_tensor_stats s;
		dk_tensor *x = NULL;
		int have_stats = 0;
		int small = !o->json && rec->npy.count > 0 && rec->npy.count <= DK_BRIEF_SMALL;
		if ((o->stats || small) && rec->npy.dtype != DK_BYTES) {
			if ((st = dk_stream_read_tensor(r, &x)))
				break;
			have_stats = o->stats && dk_tensor_stats_compute(x, &s) == DK_OK;
		}
		if (o->json) {
			json_t *j = json_record(src, rec, have_stats ? &s : NULL);
			char *line = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS |
			                               JSON_REAL_PRECISION(17)) : NULL;
			if (line)
				puts(line);
			free(line);
			json_decref(j);
			dk_tensor_free(x);
			continue;
		}
		if (t.n == t.cap) {
			t.cap = t.cap ? 2 * t.cap : 32;
			void *grown = realloc(t.cell, t.cap * sizeof *t.cell);
			if (!grown) {
				dk_tensor_free(x);
				st = DK_ENOMEM;
				break;
			}
			t.cell = grown;
		}
		char **row = t.cell[t.n++];
		char shape[DK_NPY_FORMAT_MAX];
		/* the axis names only when the shape then fits its column */
		if (dk_text_shape(shape, sizeof shape, rec->meta, rec->npy.rank, rec->npy.shape,
		                  1) > SHAPE_MAX_COLS && !o->verbose)
			dk_text_shape(shape, sizeof shape, rec->meta, rec->npy.rank,
			              rec->npy.shape, 0);
		row[COL_INDEX] = cell_printf("%zu", rec->tensor_index);
		row[COL_NAME] = strdup(rec->name);
		row[COL_DTYPE] = rec->npy.dtype == DK_BYTES
		                   ? cell_printf("|S%zu", rec->npy.itemsize)
		                   : strdup(dk_dtype_descr(rec->npy.dtype));
		row[COL_SHAPE] = strdup(shape);
		json_t *attrs = rec->meta ? dk_meta_attrs(rec->meta) : NULL;
		row[COL_ATTRS] = cell_json(attrs);
		row[COL_SUMMARY] = NULL;
		if (small && x ? dk_brief_values(x, &row[COL_SUMMARY])
		    : attrs ? dk_brief_attrs(attrs, &row[COL_SUMMARY]) : 0)
			row[COL_SUMMARY] = NULL;
		else if (!row[COL_SUMMARY])
			row[COL_SUMMARY] = strdup("-");
		dk_tensor_free(x);
		row[COL_MIN] = cell_number(have_stats ? s.min : NAN);
		row[COL_MAX] = cell_number(have_stats ? s.max : NAN);
		row[COL_MEAN] = cell_number(have_stats ? s.mean : NAN);
		row[COL_STD] = cell_number(have_stats ? s.std : NAN);
		row[COL_NAN] = have_stats ? cell_printf("%zu", s.nan) : strdup("-");
		row[COL_INF] = have_stats ? cell_printf("%zu", s.inf) : strdup("-");
		for (int c = 0; c < NCOL; c++)
			if (!row[c])
				st = DK_ENOMEM;
		if (st)
			break;
	}
	if (st == DK_ENOMEM && !*dk_stream_reader_error(r))
		tool_warn(src, "out of memory");
	else if (st)
		tool_warn(src, "%s", dk_stream_reader_error(r));
	failed = st != DK_OK;
	/* Print what was read even when the stream broke off later. */
	if (!o->json && t.n > 0)
		print_table(&t, o);
	free_table(&t);
	dk_stream_reader_free(r);
	return failed;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"stats", no_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	int c;
	tool_init("dk-info", argv);
	while ((c = getopt_long(argc, argv, "sjvh", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 's': o.stats = 1; break;
		case 'j': o.json = 1; break;
		case 'v': o.verbose = 1; break;
		}
	}
	static char *const stdin_only[] = {"-"};
	char *const *files = optind < argc ? argv + optind : stdin_only;
	int nfiles = optind < argc ? argc - optind : 1, failed = 0;
	for (int i = 0; i < nfiles; i++) {
		if (nfiles > 1 && !o.json)
			printf("%s==> %s <==\n", i ? "\n" : "", files[i]);
		int fd = tool_open_input(files[i]);
		if (fd < 0) {
			failed = 1;
			continue;
		}
		failed |= info_stream(&o, fd, files[i]);
		tool_close_input(fd);
		/* glibc drops the buffer after a failed flush, so a later
		   fclose would not see the error: check every flush */
		if (fflush(stdout) != 0) {
			tool_warn("stdout", "write error: %s", strerror(errno));
			return TOOL_EXIT_FAIL;
		}
	}
	if (ferror(stdout) || fclose(stdout) != 0) {
		tool_warn("stdout", "write error");
		failed = 1;
	}
	return failed ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
