/*
 * status.c -- names of the status codes, and the detail-message helper.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "base/status.h"

static const char *const status_names[DK_NSTATUS] = {
	[DK_OK] = "success",
	[DK_EINVAL] = "invalid argument",
	[DK_ENOMEM] = "out of memory",
	[DK_EIO] = "input/output error",
	[DK_EFORMAT] = "malformed input",
	[DK_ETRUNC] = "truncated input",
	[DK_ELIMIT] = "limit exceeded",
	[DK_EDTYPE] = "unsupported element type",
	[DK_EMETA] = "malformed metadata",
	[DK_ENOTFOUND] = "not found",
	[DK_ENUMERIC] = "numerical failure",
};

const char *dk_strerror(int status)
{
	if (status < 0 || status >= DK_NSTATUS || !status_names[status])
		return "unknown status";
	return status_names[status];
}

int dk_errorf(int status, char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return status;
}
