/*
 * tap.h -- a minimal Test Anything Protocol producer for the C tests.
 *
 * Each check prints "ok N - description" or "not ok N - description"
 * with the values that differed; tap_done() prints the plan and returns
 * the exit status.  Automake's tap-driver.sh counts every line.
 */
#ifndef DK_TESTS_TAP_H
#define DK_TESTS_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static void tap_vreport(int ok, const char *fmt, va_list ap)
{
	printf("%sok %d - ", ok ? "" : "not ", ++tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

/* Passes when cond is true. */
static int __attribute__((format(printf, 2, 3), unused))
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vreport(cond, fmt, ap);
	va_end(ap);
	return cond;
}

/* Passes when got == want (integers). */
#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), __VA_ARGS__)
static int __attribute__((format(printf, 3, 4), unused))
tap_is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vreport(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
	return got == want;
}

/* Passes when the strings are equal. */
static int __attribute__((format(printf, 3, 4), unused))
is_str(const char *got, const char *want, const char *fmt, ...)
{
	int same = got && want && !strcmp(got, want);
	va_list ap;
	va_start(ap, fmt);
	tap_vreport(same, fmt, ap);
	va_end(ap);
	if (!same)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

/* Passes when |got - want| <= tol * max(1, |want|) (a stated tolerance). */
static int __attribute__((format(printf, 4, 5), unused))
is_close(double got, double want, double tol, const char *fmt, ...)
{
	double scale = fabs(want) > 1 ? fabs(want) : 1;
	int same = fabs(got - want) <= tol * scale ||
	           (isnan(got) && isnan(want)) || got == want;
	va_list ap;
	va_start(ap, fmt);
	tap_vreport(same, fmt, ap);
	va_end(ap);
	if (!same)
		printf("#   got %.17g, want %.17g (tolerance %g)\n", got, want, tol);
	return same;
}

static int __attribute__((unused)) tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
