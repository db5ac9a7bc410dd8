/*
 * dk-info -- list the tensors of a stream, one line each: name, dtype,
 * shape with the axis names, and a short summary (the values of a tensor
 * of a few elements, else its attributes in brief), within 100 columns;
 * the whole attributes with -v, statistics of the elements with -s.
 *
 * Without -s only tensors of at most DK_BRIEF_SMALL elements are read into
 * memory (the rest are skipped), so dk-info on a large stream costs little
 * more than reading it.  The table and the JSON objects are
 * lib/stream/listing.h's; this is options, reading and writing.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

typedef struct {
	int stats, json, verbose;
	size_t max_elements;
} options;

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

static int info_stream(const options *o, int fd, const char *src)
{
	dk_stream_reader *r = dk_stream_reader_alloc(fd, src);
	dk_listing *t = o->json ? NULL : dk_listing_alloc(
		(o->stats ? DK_LISTING_STATS : 0) | (o->verbose ? DK_LISTING_VERBOSE : 0));
	if (!r || (!o->json && !t)) {
		tool_warn(src, "out of memory");
		dk_stream_reader_free(r);
		return 1;
	}
	dk_stream_reader_set_max_elements(r, o->max_elements);
	const dk_record *rec;
	int st;
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
			json_t *j = dk_listing_json(src, rec, have_stats ? &s : NULL);
			char *line = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS |
			                               JSON_REAL_PRECISION(17)) : NULL;
			if (line)
				puts(line);
			free(line);
			json_decref(j);
		} else {
			st = dk_listing_add(t, rec, x, have_stats ? &s : NULL);
		}
		dk_tensor_free(x);
		if (st)
			break;
	}
	if (st == DK_ENOMEM && !*dk_stream_reader_error(r))
		tool_warn(src, "out of memory");
	else if (st)
		tool_warn(src, "%s", dk_stream_reader_error(r));
	/* Print what was read even when the stream broke off later. */
	if (t && dk_listing_rows(t) > 0) {
		char *text = dk_listing_format(t);
		if (text) {
			fputs(text, stdout);
			free(text);
		} else {
			tool_warn(src, "out of memory");
			st = st ? st : DK_ENOMEM;
		}
	}
	dk_listing_free(t);
	dk_stream_reader_free(r);
	return st != DK_OK;
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
