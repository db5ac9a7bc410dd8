/*
 * equiv_perm.c -- the groups a model declares, as dk_equiv_run asks
 * them (see equiv.h), and the elements that act unit by unit: the sign
 * flip and a permutation of the units, read from a stream and checked
 * against the model; and each element's signed permutation of the state
 * and the input, which equiv.c's measurement applies.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/equiv.h"
#include "analysis/equiv_impl.h"
#include "base/status.h"
#include "stream/names.h"

/* The record name of b as an i8 vector into *v, *count; DK_EINVAL. */
static int perm_record(const dk_bundle *b, const char *name,
                       const int64_t **v, size_t *count, char *err,
                       size_t errlen)
{
	const dk_tensor *t = dk_bundle_get(b, name);
	if (!t)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: no such record", name);
	if (t->dtype != DK_I8 || t->rank != 1)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: i8 (unit,) expected, "
		                 "not %s of rank %d", name, dk_dtype_name(t->dtype),
		                 t->rank);
	*v = t->data;
	*count = t->shape[0];
	return DK_OK;
}

int dk_equiv_perm_from_bundle(const dk_bundle *b, dk_equiv_options *o,
                              char *err, size_t errlen)
{
	o->input_perm = NULL, o->input_perm_units = 0;
	int st = perm_record(b, DK_NAME_EQUIV_PERM, &o->perm, &o->perm_units,
	                     err, errlen);
	if (!st && dk_bundle_get(b, DK_NAME_EQUIV_INPUT_PERM))
		st = perm_record(b, DK_NAME_EQUIV_INPUT_PERM, &o->input_perm,
		                 &o->input_perm_units, err, errlen);
	return st;
}

int dk_equiv_check_declared(const dk_model *m, const dk_equiv_options *o,
                            char *err, size_t errlen)
{
	dk_model_actions acts;
	static const unsigned bit[] = {
		[DK_EQUIV_SHIFT] = DK_MODEL_ACTS_SHIFT,
		[DK_EQUIV_FLOW] = DK_MODEL_ACTS_FLOW,
		[DK_EQUIV_SIGN] = DK_MODEL_ACTS_SIGN,
		[DK_EQUIV_PERM] = DK_MODEL_ACTS_PERM,
	};
	unsigned groups = dk_model_actions_of(m, &acts);
	int medium_given = o->rings || o->sheet[0];
	if ((groups & bit[o->group]) ||
	    (medium_given && (o->group == DK_EQUIV_SHIFT || o->group == DK_EQUIV_FLOW)))
		return DK_OK;
	char names[64];
	dk_model_action_names(groups, names, sizeof names);
	const dk_model_spec *spec = dk_model_spec_of(m);
	char why[96] = "";
	if (o->group == DK_EQUIV_SIGN && spec->act != DK_ACT_DEFAULT &&
	    (groups & DK_MODEL_ACTS_PERM))
		snprintf(why, sizeof why, " (its nonlinearity %s is not odd)",
		         dk_act_name(spec->act));
	int spatial = o->group == DK_EQUIV_SHIFT || o->group == DK_EQUIV_FLOW;
	return dk_errorf(spatial ? DK_ENOTFOUND : DK_EINVAL, err, errlen,
	                 "the %s model does not declare the group %s%s; it "
	                 "declares: %s%s", dk_model_kind(m),
	                 dk_equiv_group_name(o->group), why, names,
	                 spatial ? "; rings or a sheet must be given" : "");
}

/* v, count entries, is a permutation of 0 .. count - 1 into p: DK_OK, or
   DK_EINVAL with a message naming what. */
static int check_perm(const char *what, const int64_t *v, size_t count,
                      size_t want, size_t *p, char *err, size_t errlen)
{
	if (count != want)
		return dk_errorf(DK_EINVAL, err, errlen, "%s: %zu entries for %zu "
		                 "units", what, count, want);
	for (size_t i = 0; i < count; i++)
		p[i] = count;  /* unseen */
	for (size_t i = 0; i < count; i++) {
		if (v[i] < 0 || (uint64_t)v[i] >= count)
			return dk_errorf(DK_EINVAL, err, errlen, "%s: entry %zu is %lld, "
			                 "outside 0 .. %zu", what, i, (long long)v[i],
			                 count - 1);
		if (p[v[i]] != count)
			return dk_errorf(DK_EINVAL, err, errlen, "%s: %lld appears twice "
			                 "(entries %zu and %zu): not a permutation", what,
			                 (long long)v[i], p[v[i]], i);
		p[v[i]] = i;
	}
	for (size_t i = 0; i < count; i++)
		p[i] = (size_t)v[i];
	return DK_OK;
}

int dk_equiv_unit_elements(const dk_model *m, const dk_equiv_options *o,
                           dk_equiv_result *r, char *err, size_t errlen)
{
	size_t n = dk_model_state_size(m), nu = dk_model_input_size(m);
	r->layout = dk_layout_rings(1, n, 0);
	r->axes = 1, r->elements = 1;
	r->input_transformed = nu > 0 &&
	                       (o->group == DK_EQUIV_SIGN || o->input_perm);
	r->input_channels = 0;
	if (o->group == DK_EQUIV_PERM) {
		if (!o->perm)
			return dk_errorf(DK_EINVAL, err, errlen, "perm: the group perm "
			                 "needs a permutation");
		size_t *p = malloc((n > nu ? n : nu) * sizeof *p);
		if (!p)
			return dk_errorf(DK_ENOMEM, err, errlen, "%s",
			                 dk_strerror(DK_ENOMEM));
		int st = check_perm("perm", o->perm, o->perm_units, n, p, err, errlen);
		if (!st && o->input_perm)
			st = check_perm("input_perm", o->input_perm, o->input_perm_units,
			                nu, p, err, errlen);
		free(p);
		if (st)
			return st;
	}
	r->shifts = malloc(sizeof *r->shifts);
	if (!r->shifts)
		return dk_errorf(DK_ENOMEM, err, errlen, "%s", dk_strerror(DK_ENOMEM));
	r->shifts[0] = o->group == DK_EQUIV_SIGN ? -1 : 1;
	return DK_OK;
}

void dk_equiv_element_action(const dk_equiv_options *o, const dk_equiv_result *r,
                             medium md, size_t e, size_t n, size_t nu,
                             scratch *s)
{
	s->sign = 1;
	if (o->group == DK_EQUIV_SHIFT) {
		size_t dy = r->axes == 2 ? (size_t)r->shifts[2 * e] : 0;
		size_t dx = (size_t)r->shifts[r->axes * e + r->axes - 1];
		dk_equiv_shift_perm(md, md.C, dy, dx, s->ps);
		if (r->input_transformed)
			dk_equiv_shift_perm(md, r->input_channels, dy, dx, s->pu);
		return;
	}
	for (size_t i = 0; i < n; i++)
		s->ps[i] = o->group == DK_EQUIV_PERM ? (size_t)o->perm[i] : i;
	for (size_t i = 0; i < nu; i++)
		s->pu[i] = o->group == DK_EQUIV_PERM && o->input_perm ?
		           (size_t)o->input_perm[i] : i;
	if (o->group == DK_EQUIV_SIGN)
		s->sign = -1;
}
