/*
 * version.c -- the library's version string, taken from configure.
 */
#include <config.h>

#include "base/version.h"

const char *dk_version(void)
{
	return PACKAGE_VERSION;
}
