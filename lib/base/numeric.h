/*
 * numeric.h -- one-time set-up of the numeric libraries libdynkit uses.
 *
 * GSL's default error handler aborts the process, which a library must
 * never do.  dk_numeric_init() turns it off (once, thread-safely); every
 * library entry point that calls GSL calls it first and checks GSL's
 * returned status instead.
 */
#ifndef DK_BASE_NUMERIC_H
#define DK_BASE_NUMERIC_H

void dk_numeric_init(void);

#endif
