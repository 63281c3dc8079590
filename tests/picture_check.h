/* picture_check.h - checks that a file is a valid PNG (signature, IHDR size) or a
 * well-formed SVG (xmllint --noout). Included by the picture tests. */
#ifndef GAT_TEST_PICTURE_CHECK_H
#define GAT_TEST_PICTURE_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Read the PNG signature and IHDR chunk; returns 1 and the size when the file is a PNG. */
static inline int png_size(const char *path, uint32_t *w, uint32_t *h) {
    unsigned char b[24];
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    size_t n = fread(b, 1, sizeof b, fp);
    fclose(fp);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n != sizeof b || memcmp(b, sig, 8) || memcmp(b + 12, "IHDR", 4)) return 0;
    *w = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
    *h = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
    return 1;
}

/* Check a PNG of exactly w x h pixels (0 for any size). */
#define CHECK_PNG(path, w, h) do { uint32_t w_ = 0, h_ = 0; int ok_ = png_size(path, &w_, &h_); \
    CHECK_MSG(ok_, "%s is a PNG file", path); \
    if (ok_ && (w)) CHECK_MSG(w_ == (uint32_t)(w) && h_ == (uint32_t)(h), "%s is %ux%u, expected %ux%u", \
                              path, w_, h_, (unsigned)(w), (unsigned)(h)); } while (0)

/* 1 when xmllint accepts the file; exits the test with a failure when xmllint is missing. */
static inline int svg_well_formed(const char *path) {
    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        fprintf(stderr, "FAIL: xmllint is not installed (apt-get install libxml2-utils)\n");
        exit(1);
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
    if (system(cmd) != 0) return 0;
    FILE *fp = fopen(path, "rb");
    char head[512] = {0};
    if (fp) { size_t n = fread(head, 1, sizeof head - 1, fp); head[n] = 0; fclose(fp); }
    return strstr(head, "<svg") != NULL;
}

#define CHECK_SVG(path) CHECK_MSG(svg_well_formed(path), "%s is a well-formed SVG", path)

#endif
