/* test_zip_bounds.c - a hostile .npz costs a small multiple of its size: a member claiming
 * more than deflate can produce from its compressed bytes is refused before anything is
 * allocated (a 1 KB file claiming 4 GB), and a member whose inflated data outgrows what its
 * .npy header states is refused as soon as the header is out (a 64 MB bomb of zeros behind
 * a header stating 10 floats), with memory growing only with the bytes actually produced. */
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#include "check.h"
#include "gat/npy.h"
#include "io_util.h"

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

/* A one-member zip around raw deflate data comp (clen bytes) claiming usize bytes with crc. */
static size_t make_zip(unsigned char *out, const char *name, const unsigned char *comp, size_t clen, uint32_t usize,
                       uint32_t crc) {
    size_t nl = strlen(name), p = 0;
    unsigned char *h = out;
    memset(h, 0, 30);
    put32(h, 0x04034b50); put16(h + 4, 20); put16(h + 8, 8);
    put32(h + 14, crc); put32(h + 18, (uint32_t)clen); put32(h + 22, usize); put16(h + 26, (unsigned)nl);
    memcpy(h + 30, name, nl);
    p = 30 + nl;
    memcpy(out + p, comp, clen);
    p += clen;
    size_t cd = p;
    unsigned char *c = out + p;
    memset(c, 0, 46);
    put32(c, 0x02014b50); put16(c + 4, 20); put16(c + 6, 20); put16(c + 10, 8);
    put32(c + 16, crc); put32(c + 20, (uint32_t)clen); put32(c + 24, usize); put16(c + 28, (unsigned)nl);
    memcpy(c + 46, name, nl);
    p += 46 + nl;
    unsigned char *e = out + p;
    memset(e, 0, 22);
    put32(e, 0x06054b50); put16(e + 8, 1); put16(e + 10, 1);
    put32(e + 12, (uint32_t)(p - cd)); put32(e + 16, (uint32_t)cd);
    return p + 22;
}

static long max_rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(void) {
    const char *dir = check_tmpdir("test_zip_bounds");
    static unsigned char comp[1 << 20], zip[(1 << 20) + 4096];
    /* a .npy header stating 10 float32 values */
    char hdr[128];
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }";
    size_t dl = strlen(dict), hl = 128 - 10;
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    put16((unsigned char *)hdr + 8, (unsigned)hl);
    memset(hdr + 10, ' ', hl);
    memcpy(hdr + 10, dict, dl);
    hdr[10 + hl - 1] = '\n';

    /* 1. 1 KB claiming 4 GB */
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (unsigned char *)hdr;
    zs.avail_in = 128;
    zs.next_out = comp;
    zs.avail_out = sizeof comp;
    deflate(&zs, Z_FINISH);
    size_t clen = zs.total_out;
    deflateEnd(&zs);
    size_t zl = make_zip(zip, "x.npy", comp, clen, 4000000000u, 0);
    const char *p1 = io_put(dir, "claims4g.npz", zip, zl);
    CHECK_MSG(zl < 1024, "the hostile file is %zu bytes", zl);
    gat_npz z;
    clock_t t0 = clock();
    long rss0 = max_rss_kb();
    CHECK_FAILS(gat_npz_read(p1, &z, &err), GAT_EFORMAT, "claims4g.npz", "x.npy");
    CHECK_MSG(strstr(err.msg, "4000000000") != NULL, "message gives the claimed size: %s", err.msg);

    /* 2. a real bomb: 64 MB of zeros behind a header stating 10 floats */
    const size_t bomb = 64u << 20;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
    static unsigned char zeros[1 << 16];
    uint32_t crc = (uint32_t)crc32(0L, (const unsigned char *)hdr, 128);
    zs.next_out = comp;
    zs.avail_out = sizeof comp;
    zs.next_in = (unsigned char *)hdr;
    zs.avail_in = 128;
    deflate(&zs, Z_NO_FLUSH);
    for (size_t done = 0; done < bomb; done += sizeof zeros) {
        zs.next_in = zeros;
        zs.avail_in = sizeof zeros;
        deflate(&zs, Z_NO_FLUSH);
        crc = (uint32_t)crc32(crc, zeros, sizeof zeros);
    }
    deflate(&zs, Z_FINISH);
    clen = zs.total_out;
    deflateEnd(&zs);
    zl = make_zip(zip, "x.npy", comp, clen, (uint32_t)(128 + bomb), crc);
    const char *p2 = io_put(dir, "bomb.npz", zip, zl);
    CHECK_MSG(zl < 200000, "the bomb is %zu bytes", zl);
    long rss_mid = max_rss_kb();
    CHECK_FAILS(gat_npz_read(p2, &z, &err), GAT_EFORMAT, "bomb.npz", "x.npy");
    CHECK_MSG(strstr(err.msg, "header states 168") != NULL, "refused by the header: %s", err.msg);
    long rss1 = max_rss_kb();
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    rss0 = rss_mid;
    CHECK_MSG(rss1 - rss0 < 16 * 1024, "reading both cost %ld KB of peak memory (files of %zu and %zu bytes)",
              rss1 - rss0, (size_t)1024, zl);
    printf("refused both in %.3f s of CPU, peak memory +%ld KB\n", secs, rss1 - rss0);
    return check_summary();
}
