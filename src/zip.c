/* zip.c - reading and writing zip archives, as used by NumPy's .npz (see zip.h).
 * Format: PKWARE APPNOTE.TXT sections 4.3 (layout) and 4.5.3 (zip64 extra field). */
#include "zip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "gat/fileio.h"

static uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

void gat_zip_members_free(gat_zip_member *m, size_t n) {
    for (size_t i = 0; m && i < n; i++) {
        free(m[i].name);
        free(m[i].data);
    }
    free(m);
}

static int inflate_raw(const unsigned char *src, size_t src_len, unsigned char *dst, size_t dst_len) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) return -1;
    int rc = Z_OK;
    size_t in_done = 0, out_done = 0;
    while (rc == Z_OK) { /* feed in chunks that fit uInt */
        size_t in_chunk = src_len - in_done > (1u << 30) ? (1u << 30) : src_len - in_done;
        size_t out_chunk = dst_len - out_done > (1u << 30) ? (1u << 30) : dst_len - out_done;
        z.next_in = (Bytef *)(src + in_done);
        z.avail_in = (uInt)in_chunk;
        z.next_out = dst + out_done;
        z.avail_out = (uInt)out_chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        in_done += in_chunk - z.avail_in;
        out_done += out_chunk - z.avail_out;
        if (rc == Z_BUF_ERROR && (in_done == src_len || out_done == dst_len)) break;
    }
    inflateEnd(&z);
    return rc == Z_STREAM_END && out_done == dst_len ? 0 : -1;
}

int gat_zip_read(const unsigned char *b, size_t len, const char *name, gat_zip_member **members, size_t *count,
                 gat_error *err) {
    *members = NULL;
    *count = 0;
    if (len < 22) return gat_error_set(err, GAT_EFORMAT, "%s: not a zip/npz archive (too short)", name);
    /* end of central directory: scan back over a possible comment */
    size_t eocd = len - 22, stop = len > 22 + 65535 ? len - 22 - 65535 : 0;
    for (;;) {
        if (rd32(b + eocd) == 0x06054b50) break;
        if (eocd == stop) return gat_error_set(err, GAT_EFORMAT, "%s: not a zip/npz archive (no end of central directory)", name);
        eocd--;
    }
    uint64_t n = rd16(b + eocd + 10), cd_size = rd32(b + eocd + 12), cd_off = rd32(b + eocd + 16);
    if ((n == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu) && eocd >= 20 &&
        rd32(b + eocd - 20) == 0x07064b50) {
        uint64_t z64 = rd64(b + eocd - 20 + 8);
        if (z64 > len - 56 || rd32(b + z64) != 0x06064b50)
            return gat_error_set(err, GAT_EFORMAT, "%s: corrupt zip64 end of central directory", name);
        n = rd64(b + z64 + 32);
        cd_size = rd64(b + z64 + 40);
        cd_off = rd64(b + z64 + 48);
    }
    if (cd_off > len || cd_size > len - cd_off)
        return gat_error_set(err, GAT_EFORMAT, "%s: truncated archive (central directory outside the file)", name);
    if (n > cd_size / 46 + 1) return gat_error_set(err, GAT_EFORMAT, "%s: corrupt central directory", name);
    gat_zip_member *m = calloc(n ? n : 1, sizeof *m);
    if (!m) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", name);
    size_t p = cd_off, end = cd_off + cd_size;
    int rc = GAT_OK;
    for (uint64_t i = 0; i < n; i++) {
        if (p + 46 > end || rd32(b + p) != 0x02014b50) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: corrupt central directory entry %llu", name, (unsigned long long)i);
            goto fail;
        }
        uint32_t flags = rd16(b + p + 8), method = rd16(b + p + 10), crc = rd32(b + p + 16);
        uint64_t csize = rd32(b + p + 20), usize = rd32(b + p + 24), loff = rd32(b + p + 42);
        size_t nl = rd16(b + p + 28), el = rd16(b + p + 30), cl = rd16(b + p + 32);
        if (p + 46 + nl + el + cl > end) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: corrupt central directory entry %llu", name, (unsigned long long)i);
            goto fail;
        }
        m[i].name = malloc(nl + 1);
        if (!m[i].name) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", name); goto fail; }
        memcpy(m[i].name, b + p + 46, nl);
        m[i].name[nl] = 0;
        /* zip64 extra field: the 0xffffffff fields, in order usize, csize, offset */
        for (size_t e = p + 46 + nl; e + 4 <= p + 46 + nl + el;) {
            uint32_t id = rd16(b + e), sz = rd16(b + e + 2);
            if (e + 4 + sz > p + 46 + nl + el) break;
            if (id == 1) {
                size_t q = e + 4, qe = q + sz;
                if (usize == 0xffffffffu && q + 8 <= qe) { usize = rd64(b + q); q += 8; }
                if (csize == 0xffffffffu && q + 8 <= qe) { csize = rd64(b + q); q += 8; }
                if (loff == 0xffffffffu && q + 8 <= qe) { loff = rd64(b + q); q += 8; }
            }
            e += 4 + sz;
        }
        if (flags & 1) { rc = gat_error_set(err, GAT_EFORMAT, "%s:%s: encrypted entries are not supported", name, m[i].name); goto fail; }
        if (method != 0 && method != 8) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s:%s: unsupported compression method %u (stored or deflated only)", name,
                               m[i].name, method);
            goto fail;
        }
        if (loff > len - 30 || rd32(b + loff) != 0x04034b50) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s:%s: corrupt local header", name, m[i].name);
            goto fail;
        }
        uint64_t doff = loff + 30 + rd16(b + loff + 26) + rd16(b + loff + 28);
        if (doff > len || csize > len - doff) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s:%s: truncated (entry data past the end of the file)", name, m[i].name);
            goto fail;
        }
        if (usize > (uint64_t)1 << 40 || (method == 0 && usize != csize)) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s:%s: implausible entry size", name, m[i].name);
            goto fail;
        }
        m[i].size = (size_t)usize;
        m[i].data = malloc(m[i].size ? m[i].size : 1);
        if (!m[i].data) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory for %s", name, m[i].name); goto fail; }
        if (method == 0) memcpy(m[i].data, b + doff, m[i].size);
        else if (inflate_raw(b + doff, (size_t)csize, m[i].data, m[i].size)) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s:%s: corrupt deflate data", name, m[i].name);
            goto fail;
        }
        uLong c = crc32(0L, Z_NULL, 0);
        for (size_t off = 0; off < m[i].size; off += 1u << 30)
            c = crc32(c, m[i].data + off, (uInt)(m[i].size - off > (1u << 30) ? (1u << 30) : m[i].size - off));
        if ((uint32_t)c != crc) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s:%s: CRC-32 mismatch (corrupt archive)", name, m[i].name);
            goto fail;
        }
        *count = (size_t)i + 1;
        p += 46 + nl + el + cl;
    }
    *members = m;
    *count = (size_t)n;
    return GAT_OK;
fail:
    gat_zip_members_free(m, (size_t)n);
    *count = 0;
    return rc;
}

static void wr16(unsigned char *p, uint32_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void wr32(unsigned char *p, uint32_t v) { wr16(p, v & 0xffff); wr16(p + 2, v >> 16); }

int gat_zip_write(const char *path, const gat_zip_member *m, size_t n, int use_deflate, gat_error *err) {
    gat_outfile f;
    int rc = gat_outfile_open(&f, path, err);
    if (rc) return rc;
    uint32_t *offs = calloc(n + 1, sizeof *offs), *crcs = calloc(n + 1, sizeof *crcs), *csz = calloc(n + 1, sizeof *csz);
    uint16_t *methods = calloc(n + 1, sizeof *methods);
    unsigned char *comp = NULL;
    if (!offs || !crcs || !csz || !methods) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); goto done; }
    uint64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].size > 0xfffffffeu || off > 0xfffffffeu) {
            rc = gat_error_set(err, GAT_EINVAL, "%s: archives over 4 GB are not supported", path);
            goto done;
        }
        crcs[i] = (uint32_t)crc32(crc32(0L, Z_NULL, 0), m[i].data, (uInt)m[i].size);
        const unsigned char *data = m[i].data;
        size_t dsize = m[i].size;
        methods[i] = 0;
        free(comp);
        comp = NULL;
        if (use_deflate) {
            uLong bound = compressBound((uLong)m[i].size) + 64;
            comp = malloc(bound);
            if (!comp) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path); goto done; }
            z_stream z;
            memset(&z, 0, sizeof z);
            if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
                rc = gat_error_set(err, GAT_ENOMEM, "%s: deflate failed", path);
                goto done;
            }
            z.next_in = (Bytef *)m[i].data;
            z.avail_in = (uInt)m[i].size;
            z.next_out = comp;
            z.avail_out = (uInt)bound;
            int zr = deflate(&z, Z_FINISH);
            size_t out = bound - z.avail_out;
            deflateEnd(&z);
            if (zr != Z_STREAM_END) { rc = gat_error_set(err, GAT_EIO, "%s: deflate failed", path); goto done; }
            data = comp;
            dsize = out;
            methods[i] = 8;
        }
        csz[i] = (uint32_t)dsize;
        offs[i] = (uint32_t)off;
        unsigned char h[30];
        size_t nl = strlen(m[i].name);
        wr32(h, 0x04034b50);
        wr16(h + 4, 20);
        wr16(h + 6, 0);
        wr16(h + 8, methods[i]);
        wr16(h + 10, 0);
        wr16(h + 12, 0x21); /* 1980-01-01 */
        wr32(h + 14, crcs[i]);
        wr32(h + 18, csz[i]);
        wr32(h + 22, (uint32_t)m[i].size);
        wr16(h + 26, (uint32_t)nl);
        wr16(h + 28, 0);
        fwrite(h, 1, 30, f.fp);
        fwrite(m[i].name, 1, nl, f.fp);
        if (dsize) fwrite(data, 1, dsize, f.fp);
        off += 30 + nl + dsize;
    }
    uint64_t cd_start = off;
    for (size_t i = 0; i < n; i++) {
        unsigned char h[46];
        size_t nl = strlen(m[i].name);
        memset(h, 0, sizeof h);
        wr32(h, 0x02014b50);
        wr16(h + 4, 20);
        wr16(h + 6, 20);
        wr16(h + 10, methods[i]);
        wr16(h + 14, 0x21);
        wr32(h + 16, crcs[i]);
        wr32(h + 20, csz[i]);
        wr32(h + 24, (uint32_t)m[i].size);
        wr16(h + 28, (uint32_t)nl);
        wr32(h + 38, 0644u << 16);
        wr32(h + 42, offs[i]);
        fwrite(h, 1, 46, f.fp);
        fwrite(m[i].name, 1, nl, f.fp);
        off += 46 + nl;
    }
    unsigned char e[22];
    memset(e, 0, sizeof e);
    wr32(e, 0x06054b50);
    wr16(e + 8, (uint32_t)n);
    wr16(e + 10, (uint32_t)n);
    wr32(e + 12, (uint32_t)(off - cd_start));
    wr32(e + 16, (uint32_t)cd_start);
    fwrite(e, 1, 22, f.fp);
    rc = gat_outfile_commit(&f, err);
done:
    gat_outfile_abort(&f);
    free(comp);
    free(offs);
    free(crcs);
    free(csz);
    free(methods);
    return rc;
}
