/* fuzz_safetensors.c - .safetensors files (gat_safetensors_parse): header length, JSON
 * header, dtypes, shapes against byte ranges, tiling of the data section, metadata. */
#include <stdint.h>

#include "fuzz_common.h"
#include "gat/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gat_error err = {0};
    gat_safetensors st;
    int rc = gat_safetensors_parse(data, size, "fuzz.safetensors", &st, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        FUZZ_CHECK(st.n_tensors == 0 && st.tensors == NULL && st.n_meta == 0 && st.meta == NULL);
        return 0;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < st.n_tensors; i++) {
        const gat_st_tensor *t = &st.tensors[i];
        FUZZ_CHECK(t->name != NULL && t->array.data != NULL);
        FUZZ_CHECK(gat_safetensors_get(&st, t->name) == t);
        fuzz_touch(t->array.data, t->array.size * t->array.itemsize);
        bytes += t->array.size * t->array.itemsize;
    }
    FUZZ_CHECK(bytes <= size);
    for (size_t i = 0; i < st.n_meta; i++) {
        FUZZ_CHECK(st.meta[i].key != NULL && st.meta[i].value != NULL);
        FUZZ_CHECK(gat_safetensors_meta(&st, st.meta[i].key) == st.meta[i].value);
    }
    gat_safetensors_free(&st);
    return 0;
}
