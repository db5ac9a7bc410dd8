/*
 * version.h -- the version of the libdynkit the program runs against.
 */
#ifndef DK_BASE_VERSION_H
#define DK_BASE_VERSION_H

/* "MAJOR.MINOR.PATCH", as configure.ac's AC_INIT says. */
const char *dk_version(void);

#endif
