/*
 * dk-cat -- concatenate, select, rename and convert tensor streams.
 *
 * With no options it copies records byte for byte, metadata included, so
 * it is the identity on any valid stream.  It also keeps or drops tensors
 * by name glob, renames them, drops metadata (--bare), changes their
 * element type, and writes or reads the TSV text form (--text,
 * --from-text).  Records that need no change are passed on raw, without
 * converting or even holding them in memory.  How each record is passed
 * on is lib/stream/copy.h's; this is options, reading and writing.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

typedef struct {
	dk_select sel;          /* --select, --exclude, --rename */
	dk_copy copy;           /* --bare, --dtype, --text, --meta */
	int from_text;
	size_t max_elements;
	const char *output;
} options;

static void usage(void)
{
	printf("Usage: dk-cat [OPTION]... [FILE]...\n"
	       "Concatenate tensor streams (.npy records) to standard output.\n"
	       "With no FILE, or when FILE is -, read standard input.\n"
	       "\n"
	       "  -s, --select GLOB     keep only tensors whose name matches GLOB\n"
	       "                        (repeatable: any match keeps)\n"
	       "  -x, --exclude GLOB    drop tensors whose name matches GLOB\n"
	       "  -r, --rename OLD=NEW  rename the tensor OLD to NEW (repeatable)\n"
	       "  -b, --bare            drop metadata records: plain .npy tensors\n"
	       "  -d, --dtype TYPE      convert elements to f8 f4 c16 i8 i4 u1 or b1\n"
	       "  -t, --text            write tab-separated text (see dk-stream(5)): each\n"
	       "                        tensor under a line naming it, dtype and shape\n"
	       "  -m, --meta            --text: add each tensor's metadata JSON, so that\n"
	       "                        --from-text gives back the attrs too\n"
	       "  -T, --from-text       read text written by --text, or plain tables\n"
	       TOOL_HELP_OUTPUT
	       TOOL_HELP_COMMON
	       "\n"
	       "Without options the output is byte-identical to the input.\n"
	       "Exit status: 0 on success, 1 on bad input or I/O error, 2 on usage error.\n");
	tool_exit_stdout();
}

/* Write one tensor that needs work: renamed, converted, or as text.  json
   is its metadata's text (NULL for none); t is taken. */
static int emit_tensor(options *o, tool_output *out, const char *where,
                       const char *json, size_t json_len, dk_tensor *t)
{
	char err[256];
	int st = dk_copy_tensor(&o->copy, out->w, json, json_len, t, err, sizeof err);
	if (st)
		tool_warn(st == DK_EIO ? out->path ? out->path : "stdout" : where, "%s", err);
	return st;
}

static int cat_binary(options *o, tool_output *out, int fd, const char *src)
{
	dk_stream_reader *r = dk_stream_reader_alloc(fd, src);
	if (!r) {
		tool_warn(src, "out of memory");
		return 1;
	}
	dk_stream_reader_set_max_elements(r, o->max_elements);
	const dk_record *rec;
	int st;
	while ((st = dk_stream_next(r, &rec)) == DK_OK && rec) {
		if (!dk_select_wanted(&o->sel, rec->name))
			continue;
		const char *to = dk_select_new_name(&o->sel, rec->name);
		if (dk_copy_needs_tensor(&o->copy, rec)) {
			dk_tensor *t;
			if ((st = dk_stream_read_tensor(r, &t)))
				break;
			char *json = NULL;
			size_t len = 0;
			if (to && dk_copy_meta_json(rec->meta, to, &json, &len) != DK_OK) {
				dk_tensor_free(t);
				tool_warn(src, "out of memory");
				dk_stream_reader_free(r);
				return 1;
			}
			char where[1024];
			snprintf(where, sizeof where, "%s: record %zu ('%s')", src, rec->index, rec->name);
			st = emit_tensor(o, out, where, to ? json : rec->meta_json,
			                 to ? len : rec->meta_json_len, t);
			free(json);
			if (st) {
				dk_stream_reader_free(r);
				return 1;
			}
			continue;
		}
		/* Pass the record on raw, with new metadata only if renamed. */
		if (dk_copy_head(&o->copy, out->w, rec, to)) {
			tool_warn(out->path ? out->path : "stdout", "write error: %s",
			          strerror(dk_stream_writer_errno(out->w)));
			dk_stream_reader_free(r);
			return 1;
		}
		if ((st = dk_stream_copy_data(r, out->w)))
			break;
	}
	if (st)
		tool_warn(src, "%s", dk_stream_reader_error(r));
	dk_stream_reader_free(r);
	return st != DK_OK;
}

static int cat_text(options *o, tool_output *out, int fd, const char *src)
{
	/* a duplicate, so fclose leaves the caller's descriptor open */
	int dup_fd = dup(fd);
	FILE *f = dup_fd >= 0 ? fdopen(dup_fd, "r") : NULL;
	dk_text_reader *tr = f ? dk_text_reader_alloc(f, src) : NULL;
	if (!tr) {
		tool_warn(src, "out of memory");
		if (f)
			fclose(f);
		return 1;
	}
	dk_text_reader_set_max_elements(tr, o->max_elements);
	int st, failed = 0;
	size_t index = 0;
	for (;; index++) {
		dk_meta *meta;
		dk_tensor *t;
		if ((st = dk_text_next(tr, &meta, &t))) {
			tool_warn(src, "%s", dk_text_reader_error(tr));
			failed = 1;
			break;
		}
		if (!t)
			break;
		char fallback[48];
		snprintf(fallback, sizeof fallback, "arr_%zu", index);
		const char *name = meta && dk_meta_name(meta) ? dk_meta_name(meta) : fallback;
		if (!dk_select_wanted(&o->sel, name)) {
			dk_meta_free(meta);
			dk_tensor_free(t);
			continue;
		}
		const char *to = dk_select_new_name(&o->sel, name);
		/* unchanged metadata goes on as the very text it came as */
		size_t len = 0;
		const char *raw = to ? NULL : dk_text_reader_meta_json(tr, &len);
		char *json = NULL;
		if (!raw && dk_copy_meta_json(meta, to, &json, &len) != DK_OK) {
			tool_warn(src, "out of memory");
			failed = 1;
			dk_meta_free(meta);
			dk_tensor_free(t);
			break;
		}
		st = emit_tensor(o, out, src, raw ? raw : json, len, t);
		free(json);
		dk_meta_free(meta);
		if (st) {
			failed = 1;
			break;
		}
	}
	dk_text_reader_free(tr);
	fclose(f);
	return failed;
}

/* A selection option: a usage error when it cannot be taken. */
static void select_option(dk_select *sel, int c, const char *arg)
{
	const char *opt = c == 's' ? "--select" : c == 'x' ? "--exclude" : "--rename";
	int st = c == 's' ? dk_select_keep(sel, arg) : c == 'x' ? dk_select_drop(sel, arg)
	                                                        : dk_select_rename(sel, arg);
	if (st == DK_EINVAL)
		tool_usage_error("%s: '%s' is not OLD=NEW", opt, arg);
	if (st == DK_ELIMIT)
		tool_usage_error("%s: at most %d", opt, DK_SELECT_MAX);
	if (st)
		tool_usage_error("out of memory");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"select", required_argument, NULL, 's'},
		{"exclude", required_argument, NULL, 'x'},
		{"rename", required_argument, NULL, 'r'},
		{"bare", no_argument, NULL, 'b'},
		{"dtype", required_argument, NULL, 'd'},
		{"text", no_argument, NULL, 't'},
		{"from-text", no_argument, NULL, 'T'},
		{"meta", no_argument, NULL, 'm'},
		{"output", required_argument, NULL, 'o'},
		TOOL_COMMON_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	options o = {.max_elements = DK_STREAM_MAX_ELEMENTS_DEFAULT};
	int c;
	tool_init("dk-cat", argv);
	while ((c = getopt_long(argc, argv, "s:x:r:bd:tmTo:h", longopts, NULL)) != -1) {
		if (tool_common_option(c, optarg, usage, &o.max_elements))
			continue;
		switch (c) {
		case 's': case 'x': case 'r': select_option(&o.sel, c, optarg); break;
		case 'b': o.copy.bare = 1; break;
		case 'd':
			if (dk_dtype_from_name(optarg, &o.copy.dtype))
				tool_usage_error("--dtype: unknown type '%s' (f8 f4 c16 i8 i4 u1 b1)", optarg);
			o.copy.convert = 1;
			break;
		case 't': o.copy.text = 1; break;
		case 'T': o.from_text = 1; break;
		case 'm': o.copy.text_meta = 1; break;
		case 'o': o.output = optarg; break;
		}
	}
	if (o.copy.text_meta && !o.copy.text)
		tool_usage_error("--meta goes with --text");
	if (o.copy.text_meta && o.copy.bare)
		tool_usage_error("--meta and --bare contradict each other");
	tool_output out;
	if (tool_output_open(&out, o.output))
		return TOOL_EXIT_FAIL;
	static char *const stdin_only[] = {"-"};
	char *const *files = optind < argc ? argv + optind : stdin_only;
	int nfiles = optind < argc ? argc - optind : 1, failed = 0;
	for (int i = 0; i < nfiles && !failed; i++) {
		int fd = tool_open_input(files[i]);
		if (fd < 0) {
			failed = 1;
			break;
		}
		failed = o.from_text ? cat_text(&o, &out, fd, files[i])
		                     : cat_binary(&o, &out, fd, files[i]);
		tool_close_input(fd);
	}
	dk_select_clear(&o.sel);
	return tool_output_close(&out, !failed) || failed ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}
