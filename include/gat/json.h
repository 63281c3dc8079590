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

/* Parse text[0..len). name is used in messages ("model.safetensors: header: ..."). */
int gat_json_parse(const char *text, size_t len, const char *name, gat_json *out, gat_error *err);
/* Member of an object, or NULL. */
const gat_json *gat_json_get(const gat_json *obj, const char *key);
void gat_json_free(gat_json *j);

/* Write s as a JSON string literal (quotes and escapes) to fp. */
void gat_json_write_string(FILE *fp, const char *s);
/* Append s as a JSON string literal to a growing buffer (*buf realloc'ed, *len updated).
 * Returns GAT_ENOMEM on allocation failure. */
int gat_json_append_string(char **buf, size_t *len, size_t *cap, const char *s);

#ifdef __cplusplus
}
#endif
#endif
