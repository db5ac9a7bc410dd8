/*
 * tool.h -- what every dk-* tool does the same way: messages in the form
 * "dk-NAME: where: what", exit statuses, --version, opening file operands
 * (or stdin for none or "-"), and output to stdout or, with -o, to a file
 * replaced atomically.  The numeric work stays in libdynkit.
 */
#ifndef DK_TOOL_H
#define DK_TOOL_H

#include <stddef.h>

#include "dynkit.h"

enum { TOOL_EXIT_OK = 0, TOOL_EXIT_FAIL = 1, TOOL_EXIT_USAGE = 2 };

/* Set once at the start of main: the name messages begin with. */
void tool_init(const char *name, char **argv);
/*
 * The same for a tool over libdynkit (tool_numeric.c): tool_init, GSL's
 * aborting error handler off, and OpenBLAS's buffers taken
 * (linalg/blas_reserve.h); when they do not fit under ulimit -v, a
 * message and exit 1.
 */
void tool_init_numeric(const char *name, char **argv);
/*
 * MODEL's stream read and its model made, and INPUT's stream beside it
 * when input_path is not NULL (tool_numeric.c): the model, or NULL when
 * either could not be read or the model not made (warned, naming the
 * file).  *mb and *in receive the bundles (NULL when absent), which the
 * caller frees.
 */
dk_model *tool_read_model_input(const char *model_path, const char *input_path,
                                size_t max_elements, dk_bundle **mb, dk_bundle **in);
const char *tool_name(void);

/* "dk-NAME: where: what\n" on stderr (where may be NULL). */
void tool_warn(const char *where, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A usage error: message (NULL when getopt printed one), a pointer to
   --help, exit 2. */
_Noreturn void tool_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Until called again with NULL, option values come from a data file
   (a sweep's parameter stream): tool_usage_error then says
   "dk-NAME: where: message" and exits 1, the status of bad input. */
void tool_usage_from_data(const char *where);
/* Print "dk-NAME (dynkit) VERSION" and exit 0. */
_Noreturn void tool_version(void);
/*
 * Progress on stderr for a library's progress callback: "dk-NAME: WHAT
 * done/total (pct%)" rewritten in place when the percentage changes.
 * tool_progress_start returns the callback's argument, or NULL (and no
 * callback should be set) when stderr is not a terminal; after the work,
 * tool_progress_end ends the line.
 */
typedef struct tool_progress {
	const char *what;   /* "step", "point", ... */
	int last;           /* the percentage shown, -1: none yet */
} tool_progress;
tool_progress *tool_progress_start(tool_progress *p, const char *what);
void tool_progress_show(void *arg, size_t done, size_t total);
void tool_progress_end(tool_progress *p);

/* Close stdout after --help or --version and exit: 0 when all of the
   text was written, 1 otherwise. */
_Noreturn void tool_exit_stdout(void);

/*
 * Options every tool takes, for its getopt_long table, and their codes:
 *	static const struct option longopts[] = {
 *		{"stats", no_argument, NULL, 's'},
 *		TOOL_COMMON_LONGOPTS,
 *		{NULL, 0, NULL, 0},
 *	};
 */
enum { TOOL_OPT_VERSION = 256, TOOL_OPT_MAX_ELEMENTS, TOOL_OPT_FIRST_FREE };
/* The help lines of -o and of the common options, for every tool's
   usage text, aligned as the tools align theirs. */
#define TOOL_HELP_OUTPUT \
	"  -o, --output FILE     write FILE atomically instead of stdout\n"
#define TOOL_HELP_COMMON \
	"      --max-elements N  refuse tensors of more than N elements\n" \
	"                        (default 2^30)\n" \
	"  -h, --help            show this help and exit\n" \
	"      --version         show the version and exit\n"
#define TOOL_COMMON_LONGOPTS \
	{"max-elements", required_argument, NULL, TOOL_OPT_MAX_ELEMENTS}, \
	{"help", no_argument, NULL, 'h'}, \
	{"version", no_argument, NULL, TOOL_OPT_VERSION}

/*
 * Handle getopt's return c if it is a common option: -h (calls usage,
 * which exits), --version, --max-elements (into *max_elements), and
 * getopt's own errors (exit 2).  Returns 0 when c is the tool's own.
 */
int tool_common_option(int c, const char *arg, void (*usage)(void),
                       size_t *max_elements);

/* Parse a count option ("1e6" and "2^30" allowed); exits 2 when malformed. */
size_t tool_parse_count(const char *opt, const char *arg);
/* The same for a count that must be at least 1; exits 2 on 0 too. */
size_t tool_parse_nonzero_count(const char *opt, const char *arg);

/*
 * Provenance for the attrs of what a tool writes: {"tool": "dk-NAME",
 * "version": "...", "options": options}, where options (taken over, may
 * be NULL on entry only through an earlier allocation failure) are the
 * tool's settings after defaults, not its raw arguments, so that -o and
 * stdout give the same bytes.  NULL when out of memory.
 */
json_t *tool_provenance(json_t *options);
/* Set attrs.provenance (a copy of prov) on every entry of b. */
int tool_bundle_stamp(dk_bundle *b, json_t *prov);

/* Open a file operand ("-" is stdin); returns a descriptor or -1 (warned). */
int tool_open_input(const char *path);
void tool_close_input(int fd);

/* The tool's output: stdout, or a file written atomically with -o. */
typedef struct {
	const char *path;     /* NULL for stdout */
	dk_atomic_file *file; /* owned while open */
	int fd;
	dk_stream_writer *w;  /* owned */
} tool_output;

/* Open the output; on failure warns and returns nonzero. */
int tool_output_open(tool_output *out, const char *path);
/*
 * Flush and finish: with ok, commit the file (or check stdout closes
 * cleanly); without, discard it.  Returns the exit status to use.
 */
int tool_output_close(tool_output *out, int ok);

/* Read the whole stream of a file operand into a new bundle; NULL, with
   a message, on error. */
dk_bundle *tool_read_bundle(const char *path, size_t max_elements);
/* Write b to path (stdout when NULL) atomically; returns the exit status. */
int tool_write_bundle(const char *path, dk_bundle *b);
/*
 * The end of a tool that builds its whole output in a bundle: when status
 * is TOOL_EXIT_OK, stamp b with the provenance of options (taken) and
 * write it to path (stdout when NULL); otherwise drop options and write
 * nothing.  Returns the exit status.
 */
int tool_finish(int status, const char *path, dk_bundle *b, json_t *options);

/*
 * The one parser of real-valued options: a finite number in [lo, hi]
 * (pass -INFINITY or INFINITY for an open end), written as strtod(3)
 * reads it.  Exits 2 with a message naming opt for anything else: text
 * that is not a number, nan, inf, overflow (1e400) and underflow
 * (1e-400), a value out of range.
 */
double tool_parse_real(const char *opt, const char *arg, double lo, double hi);
/* A finite number above 0 (a time step, a time constant, a scale). */
double tool_parse_positive(const char *opt, const char *arg);

/*
 * Parse a comma-separated list of finite numbers ("0.5,-1") for option
 * opt: a new array (free it) of *count values.  Exits 2 when malformed.
 */
double *tool_parse_numbers(const char *opt, const char *arg, size_t *count);
/* "ROWS,COLS" for --sheet: two whole numbers of at least min_side each
   into sheet[0], sheet[1]; a usage error naming opt otherwise. */
void tool_parse_sheet(const char *opt, const char *arg, size_t min_side,
                      size_t sheet[2]);

#endif
