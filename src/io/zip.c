/* zip.c - reading and writing the zip container of .npz archives. */
#include "zip.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define LOCAL_SIZE 30u
#define CENTRAL_SIZE 46u
#define EOCD_SIZE 22u
#define DOS_DATE_1980 0x0021u /* 1980-01-01 */

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

void gat_zip_members_free(gat_zip_member *members, size_t n) {
    if (!members) return;
    for (size_t i = 0; i < n; i++) {
        free(members[i].name);
        if (!members[i].borrowed) free(members[i].data);
    }
    free(members);
}

size_t gat_zip_align_pad(unsigned long long at, size_t name_len) {
    size_t start = (size_t)((at + LOCAL_SIZE + name_len) % GAT_ZIP_ALIGN);
    size_t pad = start ? GAT_ZIP_ALIGN - start : 0;
    if (pad > 0 && pad < 4) pad += GAT_ZIP_ALIGN; /* room for the field's own id and size */
    return pad;
}

void gat_zip_align_extra(unsigned char *h, size_t pad) {
    if (pad < 4) return;
    memset(h, 0, pad);
    h[0] = 0x35;
    h[1] = 0xD9;
    h[2] = (unsigned char)((pad - 4) & 0xFF);
    h[3] = (unsigned char)((pad - 4) >> 8);
    if (pad >= 6) {
        h[4] = GAT_ZIP_ALIGN & 0xFF;
        h[5] = GAT_ZIP_ALIGN >> 8;
    }
}

/* Locate the end-of-central-directory record: the last signature whose comment length
 * reaches exactly to the end of the file. Returns its offset, or -1. */
static long long find_eocd(const unsigned char *buf, size_t len) {
    if (len < EOCD_SIZE) return -1;
    size_t lowest = len > EOCD_SIZE + 65535 ? len - EOCD_SIZE - 65535 : 0;
    for (size_t off = len - EOCD_SIZE + 1; off-- > lowest;) {
        if (rd32(buf + off) == SIG_EOCD && off + EOCD_SIZE + rd16(buf + off + 20) == len) return (long long)off;
    }
    return -1;
}

/* A central-directory entry, sizes already widened by a zip64 extra field. */
typedef struct cd_entry {
    uint16_t flags, method;
    uint32_t crc;
    uint64_t csize, usize, offset;
    const unsigned char *name;
    size_t name_len;
} cd_entry;

/* Replace 0xFFFFFFFF fields from the zip64 extended-information extra field (id 1). */
static int apply_zip64_extra(cd_entry *e, const unsigned char *x, size_t xlen) {
    while (xlen >= 4) {
        uint16_t id = rd16(x), sz = rd16(x + 2);
        if ((size_t)sz + 4 > xlen) return -1;
        if (id == 1) {
            const unsigned char *p = x + 4;
            size_t left = sz;
            uint64_t *fields[3] = {&e->usize, &e->csize, &e->offset};
            for (int k = 0; k < 3; k++) {
                if (*fields[k] != 0xFFFFFFFFu) continue;
                if (left < 8) return -1;
                *fields[k] = rd64(p);
                p += 8;
                left -= 8;
            }
            return 0;
        }
        x += 4 + sz;
        xlen -= 4 + (size_t)sz;
    }
    return 0;
}

#define DEFLATE_MAX_RATIO 1032 /* the most bytes one compressed byte can inflate to */

/* Inflate src into *dst, growing it with the output up to dlen bytes (the size the archive
 * claims). A .npy member whose header states another size is refused as soon as the header
 * is out (-2). Returns 0, -1 (corrupt or sizes disagree), -2 (header disagrees, *stated set),
 * -3 (out of memory). */
static int inflate_grow(const unsigned char *src, size_t slen, unsigned char **dst, size_t dlen, size_t *stated) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -15) != Z_OK) return -1;
    size_t cap = dlen < ((size_t)1 << 16) ? dlen : (size_t)1 << 16;
    unsigned char *buf = malloc(cap ? cap : 1);
    if (!buf) { inflateEnd(&zs); return -3; }
    zs.next_in = (unsigned char *)src;
    zs.avail_in = (uInt)slen;
    int rc = -1, checked = 0;
    for (;;) {
        zs.next_out = buf + zs.total_out;
        zs.avail_out = (uInt)(cap - zs.total_out);
        int zr = inflate(&zs, Z_NO_FLUSH);
        if (!checked && zs.total_out >= 12) {
            size_t want;
            if (gat_npy_expected_len(buf, zs.total_out, &want)) {
                checked = 1;
                if (want != dlen) { *stated = want; rc = -2; break; }
            } else if (zs.total_out >= 12 + 65536 || zs.total_out == dlen) {
                checked = 1; /* not a .npy member, or a header the parser will report */
            }
        }
        if (zr == Z_STREAM_END) { rc = zs.total_out == dlen && zs.avail_in == 0 ? 0 : -1; break; }
        if (zr != Z_OK && zr != Z_BUF_ERROR) break;
        if (zs.avail_out == 0) {
            if (cap == dlen) {
                /* full: the stream must end without producing another byte */
                unsigned char extra;
                zs.next_out = &extra;
                zs.avail_out = 1;
                zr = inflate(&zs, Z_NO_FLUSH);
                rc = zr == Z_STREAM_END && zs.avail_out == 1 && zs.avail_in == 0 ? 0 : -1;
                break;
            }
            size_t nc = cap * 2 < dlen && cap * 2 > cap ? cap * 2 : dlen;
            unsigned char *t = realloc(buf, nc);
            if (!t) { rc = -3; break; }
            buf = t;
            cap = nc;
        } else if (zs.avail_in == 0) {
            break; /* input ended before the stream did */
        }
    }
    inflateEnd(&zs);
    if (rc) { free(buf); return rc; }
    *dst = buf;
    return 0;
}

/* Extract one member described by e into m (name and data owned by m). */
static int extract(const unsigned char *buf, size_t cd_off, const cd_entry *e, const char *path,
                   const char *mname, int borrow, gat_zip_member *m, gat_error *err) {
    if (e->flags & 1u)
        return gat_error_set(err, GAT_EFORMAT, "%s: member '%s' is encrypted (not supported)", path, mname);
    if (e->method != 0 && e->method != 8)
        return gat_error_set(err, GAT_EFORMAT,
                             "%s: member '%s': unsupported compression method %u (only stored and deflated)",
                             path, mname, e->method);
    if (e->offset > cd_off || cd_off - e->offset < LOCAL_SIZE || rd32(buf + e->offset) != SIG_LOCAL)
        return gat_error_set(err, GAT_EFORMAT, "%s: member '%s': bad local header at offset %llu", path, mname,
                             (unsigned long long)e->offset);
    const unsigned char *lh = buf + e->offset;
    uint64_t start = e->offset + LOCAL_SIZE + rd16(lh + 26) + rd16(lh + 28);
    if (start > cd_off || e->csize > cd_off - start)
        return gat_error_set(err, GAT_EFORMAT, "%s: member '%s' is truncated (%llu compressed bytes do not fit)",
                             path, mname, (unsigned long long)e->csize);
    if (e->method == 0 && e->csize != e->usize)
        return gat_error_set(err, GAT_EFORMAT, "%s: member '%s': stored sizes disagree (%llu vs %llu)", path,
                             mname, (unsigned long long)e->csize, (unsigned long long)e->usize);
    if (e->usize > SIZE_MAX - 1 || e->csize > UINT_MAX || e->usize > UINT_MAX)
        return gat_error_set(err, GAT_EFORMAT, "%s: member '%s' is too large", path, mname);
    if (e->method == 8 && e->usize > e->csize * DEFLATE_MAX_RATIO + DEFLATE_MAX_RATIO)
        return gat_error_set(err, GAT_EFORMAT, "%s: member '%s' claims %llu bytes from %llu compressed bytes, more "
                             "than deflate can produce (%d per byte): the file is corrupt or hostile", path, mname,
                             (unsigned long long)e->usize, (unsigned long long)e->csize, DEFLATE_MAX_RATIO);
    m->len = (size_t)e->usize;
    m->name = malloc(e->name_len + 1);
    if (!m->name) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory extracting '%s'", path, mname);
    memcpy(m->name, e->name, e->name_len);
    m->name[e->name_len] = 0;
    if (e->method == 0 && borrow) {
        m->data = (unsigned char *)(uintptr_t)(buf + start); /* read only: the archive's mapping or buffer */
        m->borrowed = 1;
    } else if (e->method == 0) {
        m->data = malloc(m->len ? m->len : 1);
        if (!m->data)
            return gat_error_set(err, GAT_ENOMEM, "%s: out of memory extracting '%s' (%zu bytes)", path, mname, m->len);
        if (m->len) memcpy(m->data, buf + start, m->len);
    } else {
        size_t stated = 0;
        int r = inflate_grow(buf + start, (size_t)e->csize, &m->data, m->len, &stated);
        if (r == -3)
            return gat_error_set(err, GAT_ENOMEM, "%s: out of memory extracting '%s' (%zu bytes)", path, mname, m->len);
        if (r == -2)
            return gat_error_set(err, GAT_EFORMAT, "%s: member '%s' claims %zu bytes but its .npy header states %zu: "
                                 "the file is corrupt", path, mname, m->len, stated);
        if (r)
            return gat_error_set(err, GAT_EFORMAT, "%s: member '%s': corrupt deflate data (or sizes disagree)", path,
                                 mname);
    }
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    for (size_t done = 0; done < m->len;) { /* in pieces: uInt is 32 bits */
        size_t chunk = m->len - done > ((size_t)1 << 30) ? (size_t)1 << 30 : m->len - done;
        crc = (uint32_t)crc32(crc, m->data + done, (uInt)chunk);
        done += chunk;
    }
    if (crc != e->crc)
        return gat_error_set(err, GAT_EFORMAT,
                             "%s: member '%s': CRC-32 mismatch (archive says 0x%08x, data gives 0x%08x): the file is corrupt",
                             path, mname, (unsigned)e->crc, (unsigned)crc);
    return GAT_OK;
}

static int zip_read(const unsigned char *buf, size_t len, const char *path, int borrow, gat_zip_member **members,
                    size_t *n, gat_error *err);

int gat_zip_read(const unsigned char *buf, size_t len, const char *path, gat_zip_member **members, size_t *n,
                 gat_error *err) {
    return zip_read(buf, len, path, 0, members, n, err);
}

int gat_zip_view(const unsigned char *buf, size_t len, const char *path, gat_zip_member **members, size_t *n,
                 gat_error *err) {
    return zip_read(buf, len, path, 1, members, n, err);
}

static int zip_read(const unsigned char *buf, size_t len, const char *path, int borrow, gat_zip_member **members,
                    size_t *n, gat_error *err) {
    int rc = GAT_OK;
    gat_zip_member *ms = NULL;
    size_t count = 0;
    *members = NULL;
    *n = 0;
    long long eocd = find_eocd(buf, len);
    if (eocd < 0) {
        if (len >= 4 && rd32(buf) == SIG_LOCAL)
            return gat_error_set(err, GAT_EFORMAT, "%s: truncated zip archive (no end-of-central-directory record)", path);
        return gat_error_set(err, GAT_EFORMAT, "%s: not a zip archive (no end-of-central-directory record)", path);
    }
    const unsigned char *e = buf + eocd;
    uint16_t disk = rd16(e + 4), cd_disk = rd16(e + 6), n_disk = rd16(e + 8), n_total = rd16(e + 10);
    uint32_t cd_size = rd32(e + 12), cd_off = rd32(e + 16);
    if (disk != 0 || cd_disk != 0 || n_disk != n_total)
        return gat_error_set(err, GAT_EFORMAT, "%s: multi-disk zip archives are not supported", path);
    if (n_total == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu)
        return gat_error_set(err, GAT_EFORMAT, "%s: zip64 archives are not supported", path);
    if ((uint64_t)cd_off + cd_size > (uint64_t)eocd)
        return gat_error_set(err, GAT_EFORMAT,
                             "%s: truncated or corrupt central directory (%u bytes at offset %u, but the end record is at %lld)",
                             path, (unsigned)cd_size, (unsigned)cd_off, eocd);
    ms = calloc(n_total ? n_total : 1, sizeof *ms);
    if (!ms) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    size_t pos = cd_off, end = (size_t)cd_off + cd_size;
    for (count = 0; count < n_total; count++) {
        const unsigned char *c = buf + pos;
        if (end - pos < CENTRAL_SIZE || rd32(c) != SIG_CENTRAL) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: truncated or corrupt central directory (entry %zu of %u)", path,
                               count + 1, (unsigned)n_total);
            goto fail;
        }
        cd_entry ce = {.flags = rd16(c + 8), .method = rd16(c + 10), .crc = rd32(c + 16), .csize = rd32(c + 20),
                       .usize = rd32(c + 24), .offset = rd32(c + 42), .name = c + CENTRAL_SIZE, .name_len = rd16(c + 28)};
        size_t xlen = rd16(c + 30), clen = rd16(c + 32);
        if (end - pos - CENTRAL_SIZE < ce.name_len + xlen + clen) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: truncated or corrupt central directory (entry %zu of %u)", path,
                               count + 1, (unsigned)n_total);
            goto fail;
        }
        char mname[256];
        size_t shown = ce.name_len < sizeof mname - 1 ? ce.name_len : sizeof mname - 1;
        memcpy(mname, ce.name, shown);
        mname[shown] = 0;
        if (memchr(ce.name, 0, ce.name_len) || ce.name_len == 0) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: member %zu has an empty or invalid name", path, count + 1);
            goto fail;
        }
        if (apply_zip64_extra(&ce, c + CENTRAL_SIZE + ce.name_len, xlen) != 0) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: member '%s': corrupt zip64 extra field", path, mname);
            goto fail;
        }
        for (size_t k = 0; k < count; k++) {
            if (strlen(ms[k].name) == ce.name_len && !memcmp(ms[k].name, ce.name, ce.name_len)) {
                rc = gat_error_set(err, GAT_EFORMAT, "%s: duplicate member '%s'", path, mname);
                goto fail;
            }
        }
        rc = extract(buf, cd_off, &ce, path, mname, borrow, &ms[count], err);
        if (rc) {
            count++; /* free what extract allocated */
            goto fail;
        }
        pos += CENTRAL_SIZE + ce.name_len + xlen + clen;
    }
    *members = ms;
    *n = count;
    return GAT_OK;
fail:
    gat_zip_members_free(ms, count);
    return rc;
}

/* ---- writing ---- */

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Fill a local (central = 0) or central (central = 1) header for one member. Returns its size. */
static size_t fill_header(unsigned char *h, int central, unsigned method, uint32_t crc, uint32_t csize,
                          uint32_t usize, size_t name_len, uint32_t offset) {
    unsigned char *p = h;
    memset(h, 0, CENTRAL_SIZE);
    put32(p, central ? SIG_CENTRAL : SIG_LOCAL);
    p += 4;
    if (central) { put16(p, 20); p += 2; }   /* version made by: 2.0 */
    put16(p, 20);                            /* version needed: 2.0 */
    put16(p + 2, 0);                         /* flags */
    put16(p + 4, method);
    put16(p + 6, 0);                         /* time 00:00:00 */
    put16(p + 8, DOS_DATE_1980);
    put32(p + 10, crc);
    put32(p + 14, csize);
    put32(p + 18, usize);
    put16(p + 22, (unsigned)name_len);
    put16(p + 24, 0);                        /* extra length */
    if (!central) return LOCAL_SIZE;
    /* comment length, disk, internal attributes: 0; external attributes: -rw-r--r-- */
    put32(p + 32, 0644u << 16);
    put32(p + 36, offset);
    return CENTRAL_SIZE;
}

static int deflate_raw(const void *src, size_t slen, unsigned char **dst, size_t *dlen) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return GAT_ENOMEM;
    uLong bound = deflateBound(&zs, (uLong)slen);
    *dst = malloc(bound ? bound : 1);
    if (!*dst) {
        deflateEnd(&zs);
        return GAT_ENOMEM;
    }
    zs.next_in = (unsigned char *)src;
    zs.avail_in = (uInt)slen;
    zs.next_out = *dst;
    zs.avail_out = (uInt)bound;
    int zr = deflate(&zs, Z_FINISH);
    *dlen = zs.total_out;
    deflateEnd(&zs);
    if (zr != Z_STREAM_END) {
        free(*dst);
        *dst = NULL;
        return GAT_ENOMEM;
    }
    return GAT_OK;
}

int gat_zip_write(FILE *fp, const char *path, size_t n, const char *const *names, const void *const *data,
                  const size_t *lens, int deflate, gat_error *err) {
    int rc = GAT_OK;
    unsigned char h[CENTRAL_SIZE];
    uint32_t *crcs = calloc(n ? n : 1, sizeof *crcs);
    uint32_t *csizes = calloc(n ? n : 1, sizeof *csizes);
    uint32_t *offsets = calloc(n ? n : 1, sizeof *offsets);
    unsigned char *packed = NULL;
    if (!crcs || !csizes || !offsets) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    if (n > 0xFFFE) {
        rc = gat_error_set(err, GAT_EINVAL, "%s: too many members (%zu) for a zip archive without zip64", path, n);
        goto fail;
    }
    uint64_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        size_t name_len = strlen(names[i]);
        if (name_len == 0 || name_len > 0xFFFF || lens[i] > 0xFFFFFFFEu) {
            rc = gat_error_set(err, GAT_EINVAL, "%s: member '%s': bad name or larger than 4 GiB (zip64 not supported)",
                               path, names[i]);
            goto fail;
        }
        const void *body = data[i];
        size_t blen = lens[i];
        if (deflate) {
            if (deflate_raw(data[i], lens[i], &packed, &blen) != GAT_OK) {
                rc = gat_error_set(err, GAT_ENOMEM, "%s: member '%s': deflate failed (out of memory)", path, names[i]);
                goto fail;
            }
            body = packed;
        }
        crcs[i] = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data[i], (uInt)lens[i]);
        csizes[i] = (uint32_t)blen;
        if (pos > 0xFFFFFFFEu - LOCAL_SIZE - name_len - blen) {
            rc = gat_error_set(err, GAT_EINVAL, "%s: archive larger than 4 GiB needs zip64 (not supported)", path);
            goto fail;
        }
        const size_t pad = deflate ? 0 : gat_zip_align_pad(pos, name_len);
        if (pos > 0xFFFFFFFEu - LOCAL_SIZE - name_len - pad - blen) {
            rc = gat_error_set(err, GAT_EINVAL, "%s: archive larger than 4 GiB needs zip64 (not supported)", path);
            goto fail;
        }
        offsets[i] = (uint32_t)pos;
        size_t hl = fill_header(h, 0, deflate ? 8 : 0, crcs[i], csizes[i], (uint32_t)lens[i], name_len, 0);
        put16(h + 28, (unsigned)pad);
        fwrite(h, 1, hl, fp);
        fwrite(names[i], 1, name_len, fp);
        if (pad) {
            unsigned char x[GAT_ZIP_ALIGN + 4];
            gat_zip_align_extra(x, pad);
            fwrite(x, 1, pad, fp);
        }
        if (blen) fwrite(body, 1, blen, fp);
        pos += hl + name_len + pad + blen;
        free(packed);
        packed = NULL;
    }
    uint64_t cd_off = pos;
    for (size_t i = 0; i < n; i++) {
        size_t name_len = strlen(names[i]);
        size_t hl = fill_header(h, 1, deflate ? 8 : 0, crcs[i], csizes[i], (uint32_t)lens[i], name_len, offsets[i]);
        fwrite(h, 1, hl, fp);
        fwrite(names[i], 1, name_len, fp);
        pos += hl + name_len;
    }
    if (pos > 0xFFFFFFFEu) {
        rc = gat_error_set(err, GAT_EINVAL, "%s: archive larger than 4 GiB needs zip64 (not supported)", path);
        goto fail;
    }
    unsigned char eocd[EOCD_SIZE] = {0};
    put32(eocd, SIG_EOCD);
    put16(eocd + 8, (unsigned)n);
    put16(eocd + 10, (unsigned)n);
    put32(eocd + 12, (uint32_t)(pos - cd_off));
    put32(eocd + 16, (uint32_t)cd_off);
    fwrite(eocd, 1, EOCD_SIZE, fp);
    if (ferror(fp)) rc = gat_error_set(err, GAT_EIO, "%s: write failed", path);
fail:
    free(packed);
    free(crcs);
    free(csizes);
    free(offsets);
    return rc;
}
