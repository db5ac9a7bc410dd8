/*
 * status.h -- status codes shared by every part of libdynkit.
 *
 * Library functions return an int: 0 (DK_OK) on success, a positive DK_E*
 * code on failure.  The library never prints and never exits; the caller
 * names the failure with dk_strerror() and, where an object keeps one,
 * adds that object's detail message.
 */
#ifndef DK_BASE_STATUS_H
#define DK_BASE_STATUS_H

#include <stddef.h>

enum {
	DK_OK = 0,
	DK_EINVAL,    /* an argument is out of its domain */
	DK_ENOMEM,    /* an allocation failed */
	DK_EIO,       /* reading or writing a file or pipe failed */
	DK_EFORMAT,   /* input is not in the expected format */
	DK_ETRUNC,    /* input ended inside a record */
	DK_ELIMIT,    /* input exceeds a configured limit */
	DK_EDTYPE,    /* an element type this operation does not support */
	DK_EMETA,     /* a metadata record is malformed */
	DK_ENOTFOUND, /* a named item does not exist */
	DK_ENUMERIC,  /* a numerical routine failed (singular, no convergence) */
	DK_NSTATUS
};

/* A short lower-case phrase naming the status; never NULL. */
const char *dk_strerror(int status);

/*
 * Write a detail message into err (when err is not NULL and errlen > 0),
 * as snprintf does, and return status: the one-line way for library
 * functions that take an err buffer to fail.
 */
int dk_errorf(int status, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
