/* fuzz_model.c - gat model files (gat_model_parse): safetensors plus the architecture
 * inferred from the tensors and checked against the metadata. A loaded model must hold
 * finite parameters only, and its metadata strings must be NUL-terminated. */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "gat/modelfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gat_error err = {0};
    gat_model m;
    gat_model_meta meta;
    int rc = gat_model_parse(data, size, "fuzz.safetensors", &m, &meta, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        return 0;
    }
    FUZZ_CHECK(m.n_params > 0);
    for (size_t i = 0; i < (size_t)m.n_params; i++) FUZZ_CHECK(isfinite(m.params[i]));
    FUZZ_CHECK(memchr(meta.dataset, 0, sizeof meta.dataset) && memchr(meta.git_commit, 0, sizeof meta.git_commit) &&
               memchr(meta.created, 0, sizeof meta.created));
    gat_model_free(&m);
    return 0;
}
