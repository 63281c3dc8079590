/* tfevents.c - TensorBoard event files: CRC32C, TFRecord framing, the few protobuf fields of
 * tensorflow.Event we need, a writer and a CRC-checking reader. */
#include "gat/runlog.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gat/fileio.h"

/* ---------------------------------------------------------------- CRC32C */

/* Four bits at a time: a 16-entry constant table (entry i is i run through four rounds of
 * the reflected polynomial 0x82f63b78), no initialisation, no shared mutable state. */
static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x105ec76fu, 0x20bd8edeu, 0x30e349b1u,
    0x417b1dbcu, 0x5125dad3u, 0x61c69362u, 0x7198540du,
    0x82f63b78u, 0x92a8fc17u, 0xa24bb5a6u, 0xb21572c9u,
    0xc38d26c4u, 0xd3d3e1abu, 0xe330a81au, 0xf36e6f75u,
};

uint32_t gat_crc32c(uint32_t crc, const void *data, size_t len) {
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
        crc = (crc >> 4) ^ crc_nibble[crc & 15];
    }
    return ~crc;
}

uint32_t gat_crc32c_mask(uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_le64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_le64(const uint8_t *p) {
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

void gat_tfrecord_header(uint8_t out[12], uint64_t len) {
    put_le64(out, len);
    put_le32(out + 8, gat_crc32c_mask(gat_crc32c(0, out, 8)));
}

void gat_tfrecord_footer(uint8_t out[4], const void *payload, size_t len) {
    put_le32(out, gat_crc32c_mask(gat_crc32c(0, payload, len)));
}

/* ---------------------------------------------------------------- protobuf encoding
 *
 * A sink that counts every byte and stores those that fit, so one pass both measures and
 * writes. Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */

typedef struct {
    uint8_t *buf;
    size_t cap, n;
} pb_sink;

enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_LEN = 2, WT_FIXED32 = 5 };

static void pb_byte(pb_sink *s, uint8_t b) {
    if (s->n < s->cap) s->buf[s->n] = b;
    s->n++;
}
static void pb_varint(pb_sink *s, uint64_t v) {
    while (v >= 0x80) {
        pb_byte(s, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    pb_byte(s, (uint8_t)v);
}
static size_t varint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) { v >>= 7; n++; }
    return n;
}
static void pb_key(pb_sink *s, unsigned field, unsigned wire) { pb_varint(s, (uint64_t)field << 3 | wire); }
static void pb_double(pb_sink *s, unsigned field, double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    pb_key(s, field, WT_FIXED64);
    for (int i = 0; i < 8; i++) pb_byte(s, (uint8_t)(u >> (8 * i)));
}
static void pb_float(pb_sink *s, unsigned field, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    pb_key(s, field, WT_FIXED32);
    for (int i = 0; i < 4; i++) pb_byte(s, (uint8_t)(u >> (8 * i)));
}
static void pb_bytes(pb_sink *s, unsigned field, const void *data, size_t len) {
    pb_key(s, field, WT_LEN);
    pb_varint(s, len);
    for (size_t i = 0; i < len; i++) pb_byte(s, ((const uint8_t *)data)[i]);
}
/* Event fields 1 and 2, omitted at their proto3 defaults. */
static void pb_event_head(pb_sink *s, double wall_time, int64_t step) {
    if (wall_time != 0.0 || signbit(wall_time)) pb_double(s, 1, wall_time);
    if (step != 0) {
        pb_key(s, 2, WT_VARINT);
        pb_varint(s, (uint64_t)step);   /* int64: negative values take ten bytes */
    }
}

size_t gat_tfevents_encode_file_version(uint8_t *buf, size_t cap, double wall_time, const char *version) {
    pb_sink s = {buf, cap, 0};
    pb_event_head(&s, wall_time, 0);
    pb_bytes(&s, 3, version, strlen(version));
    return s.n;
}

size_t gat_tfevents_encode_scalar(uint8_t *buf, size_t cap, double wall_time, int64_t step,
                                  const char *tag, float value) {
    size_t tag_len = strlen(tag);
    /* Value { tag = 1; simple_value = 2 } inside Summary { value = 1 } inside Event.summary = 5 */
    size_t value_len = 1 + varint_size(tag_len) + tag_len + 1 + 4;
    size_t summary_len = 1 + varint_size(value_len) + value_len;
    pb_sink s = {buf, cap, 0};
    pb_event_head(&s, wall_time, step);
    pb_key(&s, 5, WT_LEN);
    pb_varint(&s, summary_len);
    pb_key(&s, 1, WT_LEN);
    pb_varint(&s, value_len);
    pb_bytes(&s, 1, tag, tag_len);
    pb_float(&s, 2, value);
    return s.n;
}

/* ---------------------------------------------------------------- writer */

/* Record the first write error (its errno) and report it, now and on every later call. */
static int tf_write_failed(gat_tfevents *w, int e, gat_error *err) {
    if (!w->failed) w->failed = e ? e : EIO;
    return gat_error_set(err, GAT_EIO, "%s: write failed: %s", w->path ? w->path : "events file",
                         strerror(w->failed));
}

int gat_tfevents_open(gat_tfevents *w, const char *path, double wall_time, gat_error *err) {
    int rc;
    memset(w, 0, sizeof *w);
    w->path = strdup(path);
    if (!w->path) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); goto fail; }
    w->fp = fopen(path, "wb");
    if (!w->fp) { rc = gat_error_set(err, GAT_EIO, "%s: cannot write: %s", path, strerror(errno)); goto fail; }
    uint8_t buf[64];
    size_t n = gat_tfevents_encode_file_version(buf, sizeof buf, wall_time, GAT_TFEVENTS_FILE_VERSION);
    GAT_ASSERT(n <= sizeof buf);
    if ((rc = gat_tfevents_write_record(w, buf, n, err))) goto fail;
    if ((rc = gat_tfevents_flush(w, err))) goto fail;
    return GAT_OK;
fail:
    if (w->fp) {
        fclose(w->fp);
        unlink(path);
    }
    free(w->path);
    memset(w, 0, sizeof *w);
    return rc;
}

int gat_tfevents_write_record(gat_tfevents *w, const void *payload, size_t len, gat_error *err) {
    if (!w->fp) return gat_error_set(err, GAT_EINVAL, "events file is not open");
    if (w->failed) return tf_write_failed(w, 0, err);
    uint8_t head[12], foot[4];
    gat_tfrecord_header(head, len);
    gat_tfrecord_footer(foot, payload, len);
    errno = 0;
    if (fwrite(head, 1, 12, w->fp) != 12 || (len && fwrite(payload, 1, len, w->fp) != len) ||
        fwrite(foot, 1, 4, w->fp) != 4)
        return tf_write_failed(w, errno, err);
    return GAT_OK;
}

int gat_tfevents_write_scalar(gat_tfevents *w, const char *tag, int64_t step, double wall_time,
                              float value, gat_error *err) {
    size_t tag_len = strlen(tag);
    if (tag_len == 0 || tag_len > GAT_TFEVENTS_MAX_TAG)
        return gat_error_set(err, GAT_EINVAL, "%s: tag of %zu bytes (1 to %d allowed)",
                             w->path ? w->path : "events file", tag_len, GAT_TFEVENTS_MAX_TAG);
    uint8_t buf[GAT_TFEVENTS_MAX_TAG + 64];
    size_t n = gat_tfevents_encode_scalar(buf, sizeof buf, wall_time, step, tag, value);
    GAT_ASSERT(n <= sizeof buf);
    return gat_tfevents_write_record(w, buf, n, err);
}

int gat_tfevents_flush(gat_tfevents *w, gat_error *err) {
    if (!w->fp) return gat_error_set(err, GAT_EINVAL, "events file is not open");
    if (w->failed) return tf_write_failed(w, 0, err);
    errno = 0;
    if (fflush(w->fp) != 0 || ferror(w->fp)) return tf_write_failed(w, errno, err);
    return GAT_OK;
}

int gat_tfevents_close(gat_tfevents *w, gat_error *err) {
    int rc = GAT_OK;
    if (!w->fp) goto done;
    rc = gat_tfevents_flush(w, err);
    if (!rc && fsync(fileno(w->fp)) != 0 && errno != EINVAL) rc = tf_write_failed(w, errno, err);
    if (fclose(w->fp) != 0 && !rc) rc = tf_write_failed(w, errno, err);
done:
    free(w->path);
    memset(w, 0, sizeof *w);
    return rc;
}

/* ---------------------------------------------------------------- reader */

typedef struct {
    const uint8_t *p, *end;
} pb_reader;

/* 0 ok, -1 malformed. */
static int pb_read_varint(pb_reader *r, uint64_t *v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) return -1;
        uint8_t b = *r->p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) { *v = x; return 0; }
    }
    return -1;
}

/* Read one field: its number, wire type, and the value (varint/fixed in *v, or a
 * length-delimited span in *span). */
static int pb_read_field(pb_reader *r, unsigned *field, unsigned *wire, uint64_t *v, pb_reader *span) {
    uint64_t key;
    if (pb_read_varint(r, &key)) return -1;
    *field = (unsigned)(key >> 3);
    *wire = (unsigned)(key & 7);
    if (*field == 0 || key >> 32) return -1;
    switch (*wire) {
    case WT_VARINT: return pb_read_varint(r, v);
    case WT_FIXED64:
        if (r->end - r->p < 8) return -1;
        *v = get_le64(r->p);
        r->p += 8;
        return 0;
    case WT_FIXED32:
        if (r->end - r->p < 4) return -1;
        *v = get_le32(r->p);
        r->p += 4;
        return 0;
    case WT_LEN:
        if (pb_read_varint(r, v) || *v > (uint64_t)(r->end - r->p)) return -1;
        span->p = r->p;
        span->end = r->p + *v;
        r->p += *v;
        return 0;
    default: return -1;   /* groups (3, 4) are not used by event.proto */
    }
}

static char *span_strdup(pb_reader s) {
    size_t n = (size_t)(s.end - s.p);
    char *c = malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, s.p, n);
    c[n] = 0;
    return c;
}

static int push_scalar(gat_tfevents_data *d, size_t *cap, gat_tfevents_scalar sc) {
    if (d->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        gat_tfevents_scalar *s = realloc(d->scalars, nc * sizeof *s);
        if (!s) return -1;
        d->scalars = s;
        *cap = nc;
    }
    d->scalars[d->n++] = sc;
    return 0;
}

/* Decode one Event payload. Returns GAT_OK, GAT_EFORMAT (with *what set) or GAT_ENOMEM. */
static int decode_event(const uint8_t *p, size_t len, gat_tfevents_data *d, size_t *cap, const char **what) {
    pb_reader r = {p, p + len}, span;
    double wall_time = 0;
    int64_t step = 0;
    unsigned field, wire;
    uint64_t v;
    size_t first = d->n;      /* the scalars of this event get wall_time/step at the end */
    while (r.p < r.end) {
        if (pb_read_field(&r, &field, &wire, &v, &span)) { *what = "malformed protobuf"; return GAT_EFORMAT; }
        if (field == 1 && wire == WT_FIXED64) memcpy(&wall_time, &v, 8);
        else if (field == 2 && wire == WT_VARINT) step = (int64_t)v;
        else if (field == 3 && wire == WT_LEN) {
            if (!d->file_version && !(d->file_version = span_strdup(span))) return GAT_ENOMEM;
        } else if (field == 5 && wire == WT_LEN) {
            pb_reader sum = span, vspan;
            while (sum.p < sum.end) {
                if (pb_read_field(&sum, &field, &wire, &v, &vspan)) { *what = "malformed Summary"; return GAT_EFORMAT; }
                if (field != 1 || wire != WT_LEN) continue;
                pb_reader val = vspan, tspan = {0};
                int has_tag = 0, has_simple = 0;
                float f = 0;
                while (val.p < val.end) {
                    if (pb_read_field(&val, &field, &wire, &v, &span)) { *what = "malformed Summary.Value"; return GAT_EFORMAT; }
                    if (field == 1 && wire == WT_LEN) { tspan = span; has_tag = 1; }
                    else if (field == 2 && wire == WT_FIXED32) {
                        uint32_t u = (uint32_t)v;
                        memcpy(&f, &u, 4);
                        has_simple = 1;
                    }
                }
                if (!has_simple) continue;    /* an image, histogram or tensor */
                gat_tfevents_scalar sc = {0};
                if (!(sc.tag = has_tag ? span_strdup(tspan) : strdup(""))) return GAT_ENOMEM;
                sc.value = f;
                if (push_scalar(d, cap, sc)) { free(sc.tag); return GAT_ENOMEM; }
            }
        } else if (field <= 3 || field == 5) {
            *what = "Event field with the wrong wire type";
            return GAT_EFORMAT;
        }
    }
    for (size_t i = first; i < d->n; i++) {
        d->scalars[i].wall_time = wall_time;
        d->scalars[i].step = step;
    }
    return GAT_OK;
}

int gat_tfevents_read(const char *path, gat_tfevents_data *out, gat_error *err) {
    char *data = NULL;
    size_t size = 0;
    memset(out, 0, sizeof *out);
    int rc = gat_read_file(path, &data, &size, err);
    if (rc) return rc;
    rc = gat_tfevents_parse(data, size, path, out, err);
    free(data);
    return rc;
}

int gat_tfevents_parse(const void *data, size_t size, const char *path, gat_tfevents_data *out, gat_error *err) {
    size_t cap = 0;
    int rc = GAT_OK;
    memset(out, 0, sizeof *out);
    const uint8_t *p = (const uint8_t *)data;
    uint64_t off = 0;
    while (off < size) {
        uint64_t left = size - off;
        if (left < 12) { out->truncated = 1; break; }
        uint64_t len = get_le64(p + off);
        if (get_le32(p + off + 8) != gat_crc32c_mask(gat_crc32c(0, p + off, 8))) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: record %zu at byte %llu: length CRC mismatch",
                               path, out->n_records + 1, (unsigned long long)off);
            goto fail;
        }
        if (left < 16 || len > left - 16) { out->truncated = 1; break; }
        const uint8_t *payload = p + off + 12;
        if (get_le32(payload + len) != gat_crc32c_mask(gat_crc32c(0, payload, (size_t)len))) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: record %zu at byte %llu: data CRC mismatch",
                               path, out->n_records + 1, (unsigned long long)off);
            goto fail;
        }
        const char *what = "";
        rc = decode_event(payload, (size_t)len, out, &cap, &what);
        if (rc == GAT_ENOMEM) {
            rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        if (rc) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: record %zu at byte %llu: %s", path,
                               out->n_records + 1, (unsigned long long)off, what);
            goto fail;
        }
        out->n_records++;
        off += 16 + len;
    }
    out->valid_bytes = off;
    return GAT_OK;
fail:
    gat_tfevents_data_free(out);
    return rc;
}

void gat_tfevents_data_free(gat_tfevents_data *d) {
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) free(d->scalars[i].tag);
    free(d->scalars);
    free(d->file_version);
    memset(d, 0, sizeof *d);
}
