/* json.h - a small JSON reader (RFC 8259) and writing helpers.
 *
 * Enough for safetensors headers, config.json and metrics: objects keep their keys in
 * file order, numbers are doubles (integers up to 2^53 exactly), strings are UTF-8 with
 * escapes (\uXXXX, surrogate pairs) decoded. Nesting is limited to 64 levels. */
#ifndef GAT_JSON_H
#define GAT_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { GAT_JSON_NULL, GAT_JSON_BOOL, GAT_JSON_NUMBER, GAT_JSON_STRING, GAT_JSON_ARRAY, GAT_JSON_OBJECT } gat_json_type;

typedef struct gat_json {
    gat_json_type type;
    int boolean;
    double number;
    char *string;                      /* STRING: NUL-terminated UTF-8 */
    size_t n;                          /* ARRAY/OBJECT: number of items */
    struct gat_json *items;            /* ARRAY/OBJECT: (n) values */
    char **keys;                       /* OBJECT: (n) keys */
} gat_json;

/* Parse text[0..len) (need not be NUL-terminated) into *out, which then owns every string,
 * key and item (free with gat_json_free). Strict: one value with optional surrounding
 * whitespace, no comments, no trailing commas, no NaN, strings must be valid UTF-8; duplicate
 * object keys and "\u0000" are refused. name is used in messages
 * ("model.safetensors: header: invalid JSON at byte 17: expected ':'"). GAT_EFORMAT or
 * GAT_ENOMEM on failure (then *out is zeroed). Cost O(len), plus O(k^2) key compares for an
 * object of k keys. */
int gat_json_parse(const char *text, size_t len, const char *name, gat_json *out, gat_error *err);
/* Member of an object, or NULL (also when obj is not an object). Linear in the keys. */
const gat_json *gat_json_get(const gat_json *obj, const char *key);
/* A list of whole numbers held either as a JSON array ([8, 1], what config.json holds now)
 * or as a string of comma-separated integers ("8,1", what older config.json files hold).
 * Writes at most max values to out and returns how many the list holds, or -1 when v is
 * NULL, another type, or holds anything but integers in [-2^53, 2^53]. */
int gat_json_int_list(const gat_json *v, long long *out, int max);
/* Free everything inside j and zero it; safe on a zeroed or already-freed value. */
void gat_json_free(gat_json *j);

/* Write s (UTF-8, NUL-terminated) as a JSON string literal to fp: quotes, backslashes and
 * control characters escaped, other bytes as they are. Errors show up in ferror(fp). */
void gat_json_write_string(FILE *fp, const char *s);
/* Append s as a JSON string literal to a growing buffer (*buf realloc'ed, starts as NULL/0/0,
 * kept NUL-terminated, *len updated). Returns GAT_ENOMEM on allocation failure (the buffer
 * is then unchanged and still owned by the caller). */
int gat_json_append_string(char **buf, size_t *len, size_t *cap, const char *s);
/* Append printf-formatted text to the same kind of buffer (for numbers and punctuation). */
int gat_json_appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#ifdef __cplusplus
}
#endif
#endif
