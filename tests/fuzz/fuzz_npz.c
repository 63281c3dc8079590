/* fuzz_npz.c - .npz archives: the zip container (stored and deflated members, CRC-32,
 * central directory) and the .npy members inside (gat_npz_parse). */
#include <stdint.h>

#include "fuzz_common.h"
#include "gat/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gat_error err = {0};
    gat_npz z;
    int rc = gat_npz_parse(data, size, "fuzz.npz", &z, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        FUZZ_CHECK(z.n == 0 && z.entries == NULL);
        return 0;
    }
    for (size_t i = 0; i < z.n; i++) {
        FUZZ_CHECK(z.entries[i].name != NULL && z.entries[i].array.data != NULL);
        FUZZ_CHECK(gat_npz_get(&z, z.entries[i].name) != NULL);
        fuzz_touch(z.entries[i].array.data, z.entries[i].array.size * z.entries[i].array.itemsize);
    }
    gat_npz_free(&z);
    return 0;
}
