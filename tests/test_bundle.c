/*
 * test_bundle.c -- named tensors: lookup by name and by glob, replacement,
 * and a write/read round trip that keeps names and order.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dynkit.h"
#include "tap.h"

static dk_tensor *scalar(double v)
{
	dk_tensor *t = dk_tensor_alloc(DK_F8, 0, 0, NULL);
	((double *)t->data)[0] = v;
	return t;
}

int main(void)
{
	dk_bundle *b = dk_bundle_alloc();
	const char *names[] = {"model/W", "model/b", "train/loss", "model/readout/W"};
	for (int i = 0; i < 4; i++)
		is_int(dk_bundle_add(b, names[i], NULL, scalar(i)), DK_OK, "add %s", names[i]);
	is_int(dk_bundle_size(b), 4, "four entries");
	ok(dk_bundle_get(b, "model/b") && ((double *)dk_bundle_get(b, "model/b")->data)[0] == 1,
	   "get by name");
	ok(dk_bundle_get(b, "model") == NULL, "no prefix matching in get");
	int count = 0;
	for (long i = dk_bundle_match(b, "model/*", 0); i >= 0;
	     i = dk_bundle_match(b, "model/*", (size_t)i + 1))
		count++;
	is_int(count, 3, "model/* matches three names, nested ones too");
	is_int(dk_bundle_match(b, "*/loss", 0), 2, "*/loss matches train/loss");
	is_int(dk_bundle_match(b, "x*", 0), -1, "no match gives -1");

	dk_meta *m = dk_meta_new("ignored");
	dk_meta_set_attr(m, "kind", json_string("rnn"));
	is_int(dk_bundle_add(b, "model/b", m, scalar(9)), DK_OK, "replace model/b");
	is_int(dk_bundle_size(b), 4, "replacing keeps the count");
	is_int(dk_bundle_find(b, "model/b"), 1, "and the position");
	ok(((double *)dk_bundle_get(b, "model/b")->data)[0] == 9, "new value");
	is_str(dk_meta_name(dk_bundle_meta(b, 1)), "model/b", "the given name wins over meta's");

	FILE *f = tmpfile();
	dk_stream_writer *w = dk_stream_writer_alloc(fileno(f));
	ok(dk_bundle_write(b, w) == DK_OK && dk_stream_writer_flush(w) == DK_OK, "write bundle");
	dk_stream_writer_free(w);
	lseek(fileno(f), 0, SEEK_SET);
	dk_stream_reader *r = dk_stream_reader_alloc(fileno(f), "bundle");
	dk_bundle *c = dk_bundle_alloc();
	is_int(dk_bundle_read(c, r), DK_OK, "read it back");
	int same = dk_bundle_size(c) == 4;
	for (size_t i = 0; same && i < 4; i++)
		same = !strcmp(dk_bundle_name(c, i), dk_bundle_name(b, i)) &&
		       ((double *)dk_bundle_tensor(c, i)->data)[0] ==
		       ((double *)dk_bundle_tensor(b, i)->data)[0];
	ok(same, "names, order and values survive");
	is_str(json_string_value(json_object_get(dk_meta_attrs(dk_bundle_meta(c, 1)), "kind")),
	       "rnn", "attrs survive");
	dk_stream_reader_free(r);
	fclose(f);
	dk_bundle_free(c);
	dk_bundle_free(b);
	dk_bundle_free(NULL);
	return tap_done();
}
