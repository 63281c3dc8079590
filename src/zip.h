/* zip.h - the zip container of .npz archives (private to libgat). */
#ifndef GAT_ZIP_H
#define GAT_ZIP_H

#include <stddef.h>

#include "gat/status.h"

typedef struct gat_zip_member {
    char *name;
    unsigned char *data;               /* uncompressed bytes */
    size_t size;
} gat_zip_member;

/* Read every member of a zip archive held in buf (stored or deflated, CRC-32 checked;
 * zip64 sizes and offsets understood). *members is a new array of *n entries. */
int gat_zip_read(const unsigned char *buf, size_t len, const char *name, gat_zip_member **members, size_t *n,
                 gat_error *err);
void gat_zip_members_free(gat_zip_member *m, size_t n);
/* Write an archive of n members to path atomically, stored (deflate = 0) or deflated. */
int gat_zip_write(const char *path, const gat_zip_member *m, size_t n, int deflate, gat_error *err);

#endif
