/* test_tfevents.c - TensorBoard event files: CRC32C vectors, the protobuf encoding checked
 * byte for byte against a file written by TensorBoard's own Python writer
 * (fixtures/tfevents_reference.bin, made by tools/make_tfevents_fixture.py), an independent
 * decode with a shell CRC and `protoc --decode_raw` (tools/tfevents_check.sh), and the
 * reader: round trip, truncation at every offset, corrupted bytes, write errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gat/fileio.h"
#include "gat/runlog.h"

/* Must match EVENTS in tests/tools/make_tfevents_fixture.py (the first is file_version). */
typedef struct {
    double wall_time;
    int64_t step;
    const char *tag;
    float value;
} ref_event;
static char long_tag[131];
static ref_event REFERENCE_EVENTS[] = {
    {1732500000.5, 0, NULL, 0},
    {1732500001.25, 1, "training_loss", 1.25f},
    {1732500001.25, 1, "val_acc", 0.8f},
    {1732500002.0, 0, "training_acc", 0.0f},
    {1732500003.0, -1, "test_acc", -3.5f},
    {1732500004.0, 300, long_tag, 1e-7f},
    {1732500005.0, (int64_t)1 << 40, "train/micro_f1", INFINITY},
};
#define N_REF (sizeof REFERENCE_EVENTS / sizeof *REFERENCE_EVENTS)

static const char *fixtures(void) {
    const char *f = getenv("GAT_FIXTURES");
    return f && *f ? f : "tests/fixtures";
}

static int write_reference(const char *path, gat_error *err) {
    gat_tfevents w;
    int rc = gat_tfevents_open(&w, path, REFERENCE_EVENTS[0].wall_time, err);
    for (size_t i = 1; i < N_REF && !rc; i++) {
        const ref_event *e = &REFERENCE_EVENTS[i];
        rc = gat_tfevents_write_scalar(&w, e->tag, e->step, e->wall_time, e->value, err);
    }
    int rc2 = gat_tfevents_close(&w, err);
    return rc ? rc : rc2;
}

static void test_crc(void) {
    CHECK_EQ_INT(gat_crc32c(0, "123456789", 9), 0xe3069283u);
    CHECK_EQ_INT(gat_crc32c(0, "", 0), 0);
    /* RFC 3720 (iSCSI) B.4 test vectors. */
    uint8_t buf[32];
    memset(buf, 0, 32);
    CHECK_EQ_INT(gat_crc32c(0, buf, 32), 0x8a9136aau);
    memset(buf, 0xff, 32);
    CHECK_EQ_INT(gat_crc32c(0, buf, 32), 0x62a8ab43u);
    for (int i = 0; i < 32; i++) buf[i] = (uint8_t)i;
    CHECK_EQ_INT(gat_crc32c(0, buf, 32), 0x46dd794eu);
    for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(31 - i);
    CHECK_EQ_INT(gat_crc32c(0, buf, 32), 0x113fdb5cu);
    /* Incremental use continues the same CRC. */
    CHECK_EQ_INT(gat_crc32c(gat_crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
    /* The mask: rotate right by 15, add the constant (mod 2^32). */
    CHECK_EQ_INT(gat_crc32c_mask(0), 0xa282ead8u);
    CHECK_EQ_INT(gat_crc32c_mask(0x00008000u), 0xa282ead9u);
    CHECK_EQ_INT(gat_crc32c_mask(0x80000000u), 0xa283ead8u);
    CHECK_EQ_INT(gat_crc32c_mask(0xffffffffu), 0xa282ead7u);
}

static void test_encoding(void) {
    /* Hand-encoded: wall_time 1.0 (key 0x09, fixed64), step 5 (0x10, varint),
     * summary (0x2a) { value (0x0a) { tag (0x0a) "hello", simple_value (0x15) 0.8f } } */
    static const uint8_t want[] = {0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x05, 0x2a, 0x0e, 0x0a, 0x0c,
                                   0x0a, 0x05, 'h', 'e', 'l', 'l', 'o', 0x15, 0xcd, 0xcc, 0x4c, 0x3f};
    uint8_t buf[64];
    CHECK_EQ_INT(gat_tfevents_encode_scalar(NULL, 0, 1.0, 5, "hello", 0.8f), sizeof want);
    size_t n = gat_tfevents_encode_scalar(buf, sizeof buf, 1.0, 5, "hello", 0.8f);
    CHECK(n == sizeof want && !memcmp(buf, want, n));
    /* A buffer too small is not overrun, and the size is still reported. */
    memset(buf, 0xee, sizeof buf);
    CHECK_EQ_INT(gat_tfevents_encode_scalar(buf, 10, 1.0, 5, "hello", 0.8f), sizeof want);
    CHECK_EQ_INT(buf[10], 0xee);

    /* Defaults omitted (step 0, wall_time 0), simple_value kept even when 0. */
    static const uint8_t zero[] = {0x2a, 0x0a, 0x0a, 0x08, 0x0a, 0x01, 'a', 0x15, 0, 0, 0, 0};
    n = gat_tfevents_encode_scalar(buf, sizeof buf, 0.0, 0, "a", 0.0f);
    CHECK(n == sizeof zero && !memcmp(buf, zero, n));
    /* A negative step is a ten-byte varint (int64 two's complement). */
    n = gat_tfevents_encode_scalar(buf, sizeof buf, 0.0, -2, "a", 0.0f);
    static const uint8_t neg[] = {0x10, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK(n == sizeof neg + sizeof zero && !memcmp(buf, neg, sizeof neg));
    /* step 300 = 0xac 0x02. */
    n = gat_tfevents_encode_scalar(buf, sizeof buf, 0.0, 300, "a", 0.0f);
    CHECK(n == 3 + sizeof zero && buf[0] == 0x10 && buf[1] == 0xac && buf[2] == 0x02);

    static const uint8_t fv[] = {0x1a, 0x0d, 'b', 'r', 'a', 'i', 'n', '.', 'E', 'v', 'e', 'n', 't', ':', '2'};
    n = gat_tfevents_encode_file_version(buf, sizeof buf, 0.0, GAT_TFEVENTS_FILE_VERSION);
    CHECK(n == sizeof fv && !memcmp(buf, fv, n));

    /* Framing of an empty record: length 0, its masked CRC, and the masked CRC of nothing. */
    uint8_t head[12], foot[4];
    gat_tfrecord_header(head, 0);
    gat_tfrecord_footer(foot, "", 0);
    uint8_t zeros[8] = {0};
    uint32_t hc = gat_crc32c_mask(gat_crc32c(0, zeros, 8));
    CHECK(!memcmp(head, zeros, 8));
    CHECK(head[8] == (hc & 0xff) && head[11] == hc >> 24);
    CHECK(foot[0] == 0xd8 && foot[1] == 0xea && foot[2] == 0x82 && foot[3] == 0xa2);
}

/* Our writer against TensorBoard's own: identical bytes. */
static void test_reference(const char *tmp) {
    char path[4096], ref[4096];
    gat_error err = {0};
    snprintf(path, sizeof path, "%s/ours.tfevents", tmp);
    snprintf(ref, sizeof ref, "%s/tfevents_reference.bin", fixtures());
    CHECK_EQ_INT(write_reference(path, &err), GAT_OK);
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    CHECK_EQ_INT(gat_read_file(path, &a, &na, &err), GAT_OK);
    CHECK_MSG(gat_read_file(ref, &b, &nb, &err) == GAT_OK, "%s", err.msg);
    CHECK_EQ_INT(na, nb);
    size_t first = 0;
    while (a && b && first < na && first < nb && a[first] == b[first]) first++;
    CHECK_MSG(a && b && na == nb && first == na, "ours differs from TensorBoard's writer at byte %zu", first);
    free(a);
    free(b);

    /* Our reader on TensorBoard's file. */
    gat_tfevents_data d;
    CHECK_EQ_INT(gat_tfevents_read(ref, &d, &err), GAT_OK);
    CHECK_EQ_INT(d.n_records, N_REF);
    CHECK_EQ_INT(d.n, N_REF - 1);
    CHECK(d.file_version && !strcmp(d.file_version, "brain.Event:2"));
    CHECK_EQ_INT(d.truncated, 0);
    CHECK_EQ_INT(d.valid_bytes, nb);
    for (size_t i = 0; i + 1 < N_REF && i < d.n; i++) {
        const ref_event *e = &REFERENCE_EVENTS[i + 1];
        CHECK_MSG(!strcmp(d.scalars[i].tag, e->tag), "tag %zu: %s", i, d.scalars[i].tag);
        CHECK_EQ_INT(d.scalars[i].step, e->step);
        CHECK(d.scalars[i].wall_time == e->wall_time);
        CHECK(memcmp(&d.scalars[i].value, &e->value, 4) == 0);
    }
    gat_tfevents_data_free(&d);
}

/* The independent check: shell CRC + protoc --decode_raw on our file, against the output of
 * the same script on TensorBoard's file. Fails (never skips) without protoc: CI installs it. */
static void test_protoc(const char *tmp) {
    char path[4096], cmd[8192], expected_path[4096];
    snprintf(path, sizeof path, "%s/ours.tfevents", tmp);
    snprintf(expected_path, sizeof expected_path, "%s/tfevents_reference.expected", fixtures());
    snprintf(cmd, sizeof cmd, "bash '%s/../tools/tfevents_check.sh' '%s' 2>&1", fixtures(), path);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    if (!p) return;
    char out[16384];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int status = pclose(p);
    CHECK_MSG(status == 0, "tfevents_check.sh failed (status %d): %s", status, out);
    char *want = NULL;
    size_t wn = 0;
    gat_error err = {0};
    CHECK_MSG(gat_read_file(expected_path, &want, &wn, &err) == GAT_OK, "%s", err.msg);
    CHECK_MSG(want && wn == n && !memcmp(want, out, n), "protoc --decode_raw output differs:\n%s", out);
    free(want);
}

static int write_bytes(const char *path, const char *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static void test_roundtrip_truncation_corruption(const char *tmp) {
    char path[4096], cut[4096];
    gat_error err = {0};
    snprintf(path, sizeof path, "%s/run.tfevents", tmp);
    snprintf(cut, sizeof cut, "%s/cut.tfevents", tmp);
    const char *tags[] = {"training_loss", "training_acc", "val_loss", "val_acc"};
    const int epochs = 25;
    gat_tfevents w;
    CHECK_EQ_INT(gat_tfevents_open(&w, path, 1700000000.0, &err), GAT_OK);
    for (int e = 0; e < epochs; e++)
        for (int k = 0; k < 4; k++)
            CHECK_EQ_INT(gat_tfevents_write_scalar(&w, tags[k], e, 1700000000.0 + e * 0.125,
                                                   (float)(1.0 / (e + k + 1)), &err), GAT_OK);
    CHECK_EQ_INT(gat_tfevents_close(&w, &err), GAT_OK);
    CHECK_EQ_INT(gat_tfevents_close(&w, &err), GAT_OK);   /* closing twice is harmless */

    gat_tfevents_data d;
    CHECK_EQ_INT(gat_tfevents_read(path, &d, &err), GAT_OK);
    CHECK_EQ_INT(d.n, epochs * 4);
    CHECK_EQ_INT(d.n_records, 1 + epochs * 4);
    int exact = 1;
    for (size_t i = 0; i < d.n; i++) {
        int e = (int)(i / 4), k = (int)(i % 4);
        exact &= !strcmp(d.scalars[i].tag, tags[k]) && d.scalars[i].step == e &&
                 d.scalars[i].value == (float)(1.0 / (e + k + 1)) && d.scalars[i].wall_time == 1700000000.0 + e * 0.125;
    }
    CHECK_MSG(exact, "scalars read back differ from those written");
    gat_tfevents_data_free(&d);

    /* Record boundaries, to know how many whole records a prefix holds. */
    char *data;
    size_t size;
    CHECK_EQ_INT(gat_read_file(path, &data, &size, &err), GAT_OK);
    size_t bounds[256], nb = 0, off = 0;
    while (off < size && nb < 256) {
        uint64_t len = 0;
        for (int i = 7; i >= 0; i--) len = len << 8 | (uint8_t)data[off + (size_t)i];
        off += 16 + len;
        bounds[nb++] = off;
    }
    CHECK_EQ_INT(off, size);
    CHECK_EQ_INT(nb, 1 + epochs * 4);

    /* Cut at every length: the whole records before the cut, truncated unless on a boundary. */
    int all_ok = 1;
    for (size_t len = 0; len < size; len++) {
        size_t whole = 0;
        while (whole < nb && bounds[whole] <= len) whole++;
        if (write_bytes(cut, data, len)) { all_ok = 0; break; }
        memset(&err, 0, sizeof err);
        int rc = gat_tfevents_read(cut, &d, &err);
        int on_boundary = len == 0 || (whole > 0 && bounds[whole - 1] == len);
        if (rc != GAT_OK || d.n_records != whole || d.truncated != !on_boundary ||
            d.valid_bytes != (whole ? bounds[whole - 1] : 0) || d.n != (whole ? whole - 1 : 0)) {
            CHECK_MSG(0, "cut at %zu: rc %d (%s), %zu records (want %zu), truncated %d", len, rc, err.msg,
                      d.n_records, whole, d.truncated);
            all_ok = 0;
            gat_tfevents_data_free(&d);
            break;
        }
        gat_tfevents_data_free(&d);
    }
    CHECK(all_ok);

    /* A flipped byte anywhere in record 10 (length, its CRC, payload, data CRC) is an error
     * naming the file, the record and its offset. */
    size_t r10 = bounds[9], r10_end = bounds[10];
    char want[64];
    snprintf(want, sizeof want, "record 11 at byte %zu: ", r10);
    for (size_t at = r10; at < r10_end; at++) {
        data[at] ^= 0x20;
        write_bytes(cut, data, size);
        data[at] ^= 0x20;
        memset(&err, 0, sizeof err);
        int rc = gat_tfevents_read(cut, &d, &err);
        const char *kind = at < r10 + 12 ? "length CRC mismatch" : "data CRC mismatch";
        int ok = rc == GAT_EFORMAT && strstr(err.msg, "cut.tfevents") && strstr(err.msg, want) && strstr(err.msg, kind) &&
                 d.n == 0 && d.scalars == NULL;
        if (!ok) {
            CHECK_MSG(0, "flip at %zu: rc %d: %s", at, rc, err.msg);
            break;
        }
    }
    data[r10 + 20] ^= 1;
    write_bytes(cut, data, size);
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_tfevents_read(cut, &d, &err), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, want) != NULL, "message: %s", err.msg);
    free(data);

    /* A valid frame around a payload that is not an Event. */
    gat_tfevents bad;
    CHECK_EQ_INT(gat_tfevents_open(&bad, cut, 1.0, &err), GAT_OK);
    CHECK_EQ_INT(gat_tfevents_write_record(&bad, "\x0a\xff", 2, &err), GAT_OK);   /* length runs past the end */
    CHECK_EQ_INT(gat_tfevents_close(&bad, &err), GAT_OK);
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_tfevents_read(cut, &d, &err), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, "record 2 at byte 40: malformed protobuf") != NULL, "message: %s", err.msg);

    /* Unknown Event fields and non-scalar summary values are skipped. */
    CHECK_EQ_INT(gat_tfevents_open(&bad, cut, 1.0, &err), GAT_OK);
    static const char other[] = "\x32\x02\x08\x01"                     /* log_message (6) { level: 1 } */
                                "\x2a\x0b\x0a\x09\x0a\x03img\x22\x02\x08\x01"; /* Value { tag "img", image {...} } */
    CHECK_EQ_INT(gat_tfevents_write_record(&bad, other, sizeof other - 1, &err), GAT_OK);
    CHECK_EQ_INT(gat_tfevents_write_scalar(&bad, "ok", 2, 3.0, 4.0f, &err), GAT_OK);
    CHECK_EQ_INT(gat_tfevents_close(&bad, &err), GAT_OK);
    CHECK_EQ_INT(gat_tfevents_read(cut, &d, &err), GAT_OK);
    CHECK(d.n_records == 3 && d.n == 1 && !strcmp(d.scalars[0].tag, "ok") && d.scalars[0].value == 4.0f);
    gat_tfevents_data_free(&d);

    /* Missing file. */
    snprintf(cut, sizeof cut, "%s/missing.tfevents", tmp);
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_tfevents_read(cut, &d, &err), GAT_ENOTFOUND);
    CHECK(strstr(err.msg, "missing.tfevents") != NULL);
}

static void test_write_errors(const char *tmp) {
    char path[4096];
    gat_error err = {0};
    snprintf(path, sizeof path, "%s/no/such/dir/x.tfevents", tmp);
    gat_tfevents w;
    CHECK_EQ_INT(gat_tfevents_open(&w, path, 1.0, &err), GAT_EIO);
    CHECK(strstr(err.msg, "no/such/dir/x.tfevents") != NULL);
    CHECK(w.fp == NULL && w.path == NULL);

    snprintf(path, sizeof path, "%s/full.tfevents", tmp);
    CHECK_EQ_INT(gat_tfevents_open(&w, path, 1.0, &err), GAT_OK);
    char tag[GAT_TFEVENTS_MAX_TAG + 2];
    memset(tag, 'a', sizeof tag - 1);
    tag[sizeof tag - 1] = 0;
    CHECK_EQ_INT(gat_tfevents_write_scalar(&w, tag, 1, 1.0, 1.0f, &err), GAT_EINVAL);
    CHECK_EQ_INT(gat_tfevents_write_scalar(&w, "", 1, 1.0, 1.0f, &err), GAT_EINVAL);
    tag[GAT_TFEVENTS_MAX_TAG] = 0;
    CHECK_EQ_INT(gat_tfevents_write_scalar(&w, tag, 1, 1.0, 1.0f, &err), GAT_OK);
    if (access("/dev/full", W_OK) == 0) {
        /* Every write to /dev/full fails with ENOSPC: a full disk. */
        fclose(w.fp);
        w.fp = fopen("/dev/full", "wb");
        CHECK(w.fp != NULL);
        for (int i = 0; i < 1000; i++) gat_tfevents_write_scalar(&w, "x", i, 1.0, 1.0f, &err);
        memset(&err, 0, sizeof err);
        CHECK_EQ_INT(gat_tfevents_flush(&w, &err), GAT_EIO);
        CHECK_MSG(strstr(err.msg, "full.tfevents") && strstr(err.msg, "No space"), "message: %s", err.msg);
        CHECK_EQ_INT(gat_tfevents_write_scalar(&w, "x", 1, 1.0, 1.0f, &err), GAT_EIO);   /* sticky */
        memset(&err, 0, sizeof err);
        CHECK_EQ_INT(gat_tfevents_close(&w, &err), GAT_EIO);
        CHECK(strstr(err.msg, "full.tfevents") != NULL);
    } else {
        gat_tfevents_close(&w, &err);
    }
    CHECK(w.fp == NULL);
    CHECK_EQ_INT(gat_tfevents_flush(&w, &err), GAT_EINVAL);
}

int main(void) {
    memcpy(long_tag, "long_tag_", 9);
    memset(long_tag + 9, 'x', 121);
    long_tag[130] = 0;
    const char *tmp = check_tmpdir("tfevents");
    test_crc();
    test_encoding();
    test_reference(tmp);
    test_protoc(tmp);
    test_roundtrip_truncation_corruption(tmp);
    test_write_errors(tmp);
    return check_summary();
}
