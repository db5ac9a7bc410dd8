/*
 * convention.c -- the map and flow conventions: names, the default of a
 * model, and the one check that a flow is asked only of a model that has
 * a vector field.
 */
#include <config.h>

#include <string.h>

#include "base/status.h"
#include "models/convention.h"

const char *dk_convention_name(dk_convention c)
{
	return c == DK_FLOW ? "flow" : "map";
}

int dk_convention_from_name(const char *name, dk_convention *c)
{
	if (name && !strcmp(name, "map"))
		*c = DK_MAP;
	else if (name && !strcmp(name, "flow"))
		*c = DK_FLOW;
	else
		return DK_EINVAL;
	return DK_OK;
}

dk_convention dk_convention_of(const dk_model *m)
{
	return dk_model_is_continuous(m) ? DK_FLOW : DK_MAP;
}

int dk_convention_check(const dk_model *m, dk_convention c, char *err,
                        size_t errlen)
{
	if (c != DK_MAP && c != DK_FLOW)
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "the convention must be map or flow");
	if (c == DK_FLOW && !dk_model_is_continuous(m))
		return dk_errorf(DK_EINVAL, err, errlen,
		                 "the flow convention needs a continuous-time model; "
		                 "%s is discrete-time", dk_model_kind(m));
	return DK_OK;
}
