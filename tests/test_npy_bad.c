/* test_npy_bad.c - malformed .npy and .npz files, generated here byte by byte: each must be
 * refused with the right status and a message naming the file and the problem. */
#include <stdint.h>

#include "gat/npy.h"
#include "io_util.h"

static const char *tmp;
static unsigned char good[4096]; /* a valid .npy: float32 (2, 3) */
static size_t good_len;

/* A copy of the good file with the 3 bytes of its descr (at "'descr': '") replaced. */
static const char *with_descr(const char *name, const char *descr3) {
    unsigned char b[4096];
    memcpy(b, good, good_len);
    unsigned char *d = (unsigned char *)strstr((char *)b + 10, "'descr': '") + 10;
    memcpy(d, descr3, 3);
    return io_put(tmp, name, b, good_len);
}

/* A .npy with the given v1 header text (padded) and nbytes of data. */
static const char *with_header(const char *name, const char *header, size_t nbytes) {
    unsigned char b[4096] = {0};
    size_t hl = strlen(header), total = (10 + hl + 1 + 63) / 64 * 64;
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (unsigned char)(total - 10);
    b[9] = (unsigned char)((total - 10) >> 8);
    memcpy(b + 10, header, hl);
    memset(b + 10 + hl, ' ', total - 10 - hl - 1);
    b[total - 1] = '\n';
    return io_put(tmp, name, b, total + nbytes);
}

static void bad_npy(void) {
    gat_array a;
    const char *p;
    p = io_put(tmp, "short.npy", good, 8);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "short.npy", "too short for a .npy header");
    p = io_put(tmp, "trunc_header.npy", good, 40);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "trunc_header.npy", "header length 118 runs past the end");
    p = io_put(tmp, "trunc_data.npy", good, good_len - 4);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "trunc_data.npy", "header says 6 values (24 bytes), file holds 20");
    p = io_put(tmp, "extra.npy", good, good_len + 1);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "extra.npy", "1 unexpected bytes after");

    unsigned char b[4096];
    memcpy(b, good, good_len);
    b[1] = 'X';
    p = io_put(tmp, "magic.npy", b, good_len);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "magic.npy", "bad magic");
    memcpy(b, good, good_len);
    b[8] = 0x60;
    b[9] = 0xEA; /* 60000 */
    p = io_put(tmp, "hlen.npy", b, good_len);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "hlen.npy", "header length 60000 runs past the end of the file");
    memcpy(b, good, good_len);
    b[6] = 4;
    p = io_put(tmp, "version.npy", b, good_len);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "version.npy", "unsupported .npy format version 4.0");

    p = with_descr("dtype.npy", "<c8");
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EDTYPE, "dtype.npy", "unknown or unsupported dtype '<c8'");
    p = with_descr("object.npy", "|O8");
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EDTYPE, "object.npy", "'|O8'");
    p = with_descr("big.npy", ">f4");
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EDTYPE, "big.npy",
                "big-endian dtype '>f4' is not supported; re-save with a.astype('<f4')");
    p = with_descr("half.npy", "<f2");
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EDTYPE, "half.npy", "float16");

    p = with_header("overflow.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", 0);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_ESHAPE, "overflow.npy", "shape product overflows");
    p = with_header("hugedim.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_ESHAPE, "hugedim.npy", "overflows int64");
    p = with_header("ndim.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 4);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_ESHAPE, "ndim.npy", "more than 8 dimensions");
    p = with_header("neg.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 0);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "neg.npy", "bad .npy header");
    p = with_header("nokey.npy", "{'descr': '<f4', 'shape': (2,), }", 8);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "nokey.npy", "missing 'fortran_order'");
    p = with_header("dupkey.npy", "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "dupkey.npy", "'descr' appears twice");
    p = with_header("extrakey.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "extrakey.npy", "unexpected key 'x'");
    p = with_header("notdict.npy", "descr='<f4'", 8);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "notdict.npy", "not a Python dict literal");
    p = with_header("fortran.npy", "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", 8);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "fortran.npy", "bad .npy header");
    p = with_header("struct.npy", "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EDTYPE, "struct.npy", "structured dtypes");
    p = with_header("garbage.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", 8);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "garbage.npy", "bad .npy header");
    CHECK_FAILS(gat_npy_read(io_path(tmp, "absent.npy"), &a, &err), GAT_ENOTFOUND, "absent.npy", "No such file");
    /* parsing from memory names the caller's label */
    CHECK_FAILS(gat_npy_parse(good, 9, "mem:x.npy", &a, &err), GAT_EFORMAT, "mem:x.npy", "too short");
    /* a header quoting a newline and an escape sequence: the message stays one printable line
     * (found by tests/fuzz/fuzz_npy; corpus/npy/regress-newline-in-header.npy) */
    p = with_header("newline.npy", "{'descr': '<u1', 'fortran_order': False, 'shape': (2\xff\n\x1b[2J, 2), }", 4);
    CHECK_FAILS(gat_npy_read(p, &a, &err), GAT_EFORMAT, "newline.npy", "(2\xff\\x0a\\x1b[2J, ");
    CHECK(strchr(err.msg, '\n') == NULL && strchr(err.msg, '\x1b') == NULL);
}

/* Offsets inside the one-member stored archive built below. */
static unsigned char zip[8192];
static size_t zip_len, eocd, cd;

static uint32_t rd32(const unsigned char *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }

static const char *zip_variant(const char *name, size_t at, const void *bytes, size_t n, size_t len) {
    unsigned char b[8192];
    memcpy(b, zip, zip_len);
    if (n) memcpy(b + at, bytes, n);
    return io_put(tmp, name, b, len);
}

static void bad_npz(void) {
    gat_array a;
    const int64_t shape[2] = {2, 3};
    gat_array_alloc(&a, GAT_DTYPE_F32, 2, shape, &err);
    const char *names[1] = {"a"};
    const char *p = io_path(tmp, "ok.npz");
    CHECK_EQ_INT(gat_npz_write(p, 1, names, &a, 0, &err), GAT_OK);
    unsigned char *z = io_slurp(p, &zip_len);
    memcpy(zip, z, zip_len);
    free(z);
    eocd = zip_len - 22;
    cd = rd32(zip + eocd + 16);
    gat_npz npz;

    /* a flipped byte in the member's data: the CRC catches it */
    unsigned char x = zip[cd - 1] ^ 0x40;
    p = zip_variant("crc.npz", cd - 1, &x, 1, zip_len);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "crc.npz", "member 'a.npy': CRC-32 mismatch");
    /* the file cut inside the central directory: no end record */
    p = zip_variant("cut.npz", 0, NULL, 0, cd + 10);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "cut.npz", "truncated zip archive");
    /* the end record claims a central directory larger than the bytes present */
    unsigned char big[4] = {0xff, 0x01, 0, 0};
    p = zip_variant("cdsize.npz", eocd + 12, big, 4, zip_len);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "cdsize.npz", "truncated or corrupt central directory");
    /* the end record claims two entries, the directory holds one */
    unsigned char two[4] = {2, 0, 2, 0};
    p = zip_variant("count.npz", eocd + 8, two, 4, zip_len);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "count.npz", "central directory (entry 2 of 2)");
    /* compression method 12 (bzip2) */
    unsigned char m12[2] = {12, 0};
    p = zip_variant("method.npz", cd + 10, m12, 2, zip_len);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "method.npz", "unsupported compression method 12");
    /* encrypted */
    unsigned char enc[2] = {1, 0};
    p = zip_variant("enc.npz", cd + 8, enc, 2, zip_len);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "enc.npz", "encrypted");
    /* a local header offset pointing nowhere */
    unsigned char off[4] = {5, 0, 0, 0};
    p = zip_variant("local.npz", cd + 42, off, 4, zip_len);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "local.npz", "bad local header");
    /* not a zip at all */
    p = io_put(tmp, "text.npz", "hello, world, this is not an archive", 36);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "text.npz", "not a zip archive");
    /* a member that is not a valid .npy: the message names archive and member */
    unsigned char bad = 'X';
    const size_t data0 = 30 + 5 + (size_t)(zip[28] | zip[29] << 8); /* after the alignment padding (zip.h) */
    CHECK_EQ_INT(data0 % 64, 0);
    p = zip_variant("member.npz", data0 + 1, &bad, 1, zip_len);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "member.npz", "CRC-32"); /* CRC first */

    /* a deflated archive with its compressed stream damaged */
    p = io_path(tmp, "okd.npz");
    CHECK_EQ_INT(gat_npz_write(p, 1, names, &a, 1, &err), GAT_OK);
    size_t dl;
    unsigned char *d = io_slurp(p, &dl);
    for (size_t i = 30 + 5; i < 30 + 5 + 8; i++) d[i] ^= 0x55;
    p = io_put(tmp, "inflate.npz", d, dl);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "inflate.npz", "member 'a.npy'");
    free(d);
    /* a deflated member claiming 3.75 GiB (found by tests/fuzz/fuzz_npz): refused before
     * anything is allocated, as more than deflate can produce from its compressed bytes */
    d = io_slurp(io_path(tmp, "okd.npz"), &dl);
    size_t dcd = rd32(d + dl - 22 + 16);
    uint32_t usize = rd32(d + dcd + 24);
    for (int k = 0; k < 4; k++) d[dcd + 24 + k] = (unsigned char)(0xF0000000u >> (8 * k));
    p = io_put(tmp, "claims.npz", d, dl);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "claims.npz",
                "member 'a.npy' claims 4026531840 bytes from");
    /* and one claiming a byte fewer than its stream holds */
    for (int k = 0; k < 4; k++) d[dcd + 24 + k] = (unsigned char)((usize - 1) >> (8 * k));
    p = io_put(tmp, "claims_less.npz", d, dl);
    char want[96];
    snprintf(want, sizeof want, "claims %u bytes but its .npy header states %u", (unsigned)(usize - 1), (unsigned)usize);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "claims_less.npz", want);
    free(d);

    /* a well-formed archive whose member is not a .npy */
    const char *mname[1] = {"a"};
    gat_array s;
    const int64_t n3[1] = {3};
    gat_array_alloc(&s, GAT_DTYPE_U8, 1, n3, &err);
    CHECK_EQ_INT(gat_npz_write(io_path(tmp, "m.npz"), 1, mname, &s, 0, &err), GAT_OK);
    unsigned char *m = io_slurp(io_path(tmp, "m.npz"), &dl);
    const size_t m0 = 30 + 5 + (size_t)(m[28] | m[29] << 8);
    m[m0 + 8] = 3; /* version 3.0 header length field corrupted: bytes 8.. of the member */
    m[m0 + 9] = 0;
    /* patch the CRC so only the .npy layer sees the damage */
    size_t mcd = rd32(m + dl - 22 + 16);
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < mcd - m0; i++) {
        crc ^= m[m0 + i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    crc ^= 0xFFFFFFFFu;
    for (int k = 0; k < 4; k++) m[14 + k] = m[mcd + 16 + k] = (unsigned char)(crc >> (8 * k));
    p = io_put(tmp, "npyinside.npz", m, dl);
    CHECK_FAILS(gat_npz_read(p, &npz, &err), GAT_EFORMAT, "npyinside.npz:a.npy", "header");
    free(m);
    gat_array_free(&s);
    gat_array_free(&a);
}

int main(void) {
    tmp = check_tmpdir("npy_bad");
    gat_array a;
    const int64_t shape[2] = {2, 3};
    gat_array_alloc(&a, GAT_DTYPE_F32, 2, shape, &err);
    void *buf;
    CHECK_EQ_INT(gat_npy_serialize(&a, &buf, &good_len, &err), GAT_OK);
    memcpy(good, buf, good_len);
    free(buf);
    gat_array_free(&a);
    bad_npy();
    bad_npz();
    return check_summary();
}
