/* fuzz_json.c - the JSON reader (gat_json_parse) used for safetensors headers and
 * config.json; a parsed value is walked whole (types, strings NUL-terminated, no duplicate
 * keys). */
#include <stdint.h>

#include "fuzz_common.h"
#include "gat/json.h"

static void walk(const gat_json *j, int depth) {
    FUZZ_CHECK(depth <= 65);
    switch (j->type) {
    case GAT_JSON_NULL: case GAT_JSON_BOOL: case GAT_JSON_NUMBER: break;
    case GAT_JSON_STRING: FUZZ_CHECK(j->string != NULL); fuzz_touch(j->string, strlen(j->string)); break;
    case GAT_JSON_ARRAY:
        for (size_t i = 0; i < j->n; i++) walk(&j->items[i], depth + 1);
        break;
    case GAT_JSON_OBJECT:
        for (size_t i = 0; i < j->n; i++) {
            FUZZ_CHECK(j->keys[i] != NULL);
            FUZZ_CHECK(gat_json_get(j, j->keys[i]) == &j->items[i]); /* keys are unique */
            walk(&j->items[i], depth + 1);
        }
        break;
    default: FUZZ_CHECK(0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gat_error err = {0};
    gat_json j;
    int rc = gat_json_parse((const char *)data, size, "fuzz.json", &j, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        return 0;
    }
    walk(&j, 0);
    gat_json_free(&j);
    return 0;
}
