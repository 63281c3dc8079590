/* fuzz_tfevents.c - TensorBoard event files (gat_tfevents_parse): TFRecord framing with
 * both CRC-32C checks, then tensorflow.Event / Summary protocol buffers.
 *
 * Random bytes almost never carry valid CRCs, so each input is parsed twice: as it is (the
 * framing and CRC checks), and with every record's two CRCs recomputed (the Event decoder
 * behind them). Record lengths are taken from the input, so the fuzzer controls the
 * framing in both passes. */
#include <stdint.h>

#include "fuzz_common.h"
#include "gat/runlog.h"

static void parse(const uint8_t *data, size_t size) {
    gat_error err = {0};
    gat_tfevents_data d;
    int rc = gat_tfevents_parse(data, size, "events.out.tfevents", &d, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        FUZZ_CHECK(d.n == 0 && d.scalars == NULL && d.file_version == NULL);
        return;
    }
    FUZZ_CHECK(d.valid_bytes <= size);
    FUZZ_CHECK(d.truncated == (d.valid_bytes != size));
    for (size_t i = 0; i < d.n; i++) {
        FUZZ_CHECK(d.scalars[i].tag != NULL);
        fuzz_touch(d.scalars[i].tag, strlen(d.scalars[i].tag));
    }
    if (d.file_version) fuzz_touch(d.file_version, strlen(d.file_version));
    gat_tfevents_data_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    parse(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    size_t off = 0;
    while (size - off >= 12) {
        uint64_t len = 0;
        for (int i = 7; i >= 0; i--) len = (len << 8) | copy[off + i];
        uint8_t hdr[12], foot[4];
        gat_tfrecord_header(hdr, len);
        memcpy(copy + off + 8, hdr + 8, 4);
        if (size - off < 16 || len > size - off - 16) break;
        gat_tfrecord_footer(foot, copy + off + 12, (size_t)len);
        memcpy(copy + off + 12 + len, foot, 4);
        off += 16 + (size_t)len;
    }
    parse(copy, size);
    free(copy);
    return 0;
}
