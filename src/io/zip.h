/* zip.h - the zip container under .npz archives (private to libgat).
 *
 * Reading: the end-of-central-directory record is found by scanning back from the end
 * (an archive comment is allowed), every central-directory entry is checked, and each
 * member is extracted from its local header using the sizes of the central directory
 * (so data descriptors, flag bit 3, and numpy's zip64 local extras need no special
 * case). Members are stored (method 0) or deflated (method 8, raw deflate); their
 * CRC-32 is verified. A deflated member is refused before anything is allocated when it
 * claims more than deflate can produce from its compressed size (1032 bytes per byte), and
 * is inflated into a buffer that grows with the bytes actually produced; a .npy member is
 * refused as soon as its header is out if the header states another size. So a hostile
 * archive costs memory of about twice what it really inflates to, and never more than its
 * header states. Multi-disk, encrypted and zip64-sized archives (> 4 GiB) are refused.
 *
 * Writing: members in the given order, stored or deflated, fixed timestamps (1980-01-01)
 * so the same arrays give the same bytes. */
#ifndef GAT_ZIP_H
#define GAT_ZIP_H

#include <stddef.h>
#include <stdio.h>

#include "gat/status.h"

typedef struct gat_zip_member {
    char *name;               /* NUL-terminated member name, owned */
    unsigned char *data;      /* (len) uncompressed bytes, owned (malloc'ed, never NULL) */
    size_t len;
} gat_zip_member;

/* Extract every member of the archive held in buf[0..len). path is used in messages
 * ("<path>: member 'data.npy': CRC-32 mismatch ..."). On success *members is a new array
 * of *n members owned by the caller (free with gat_zip_members_free). Costs one pass over
 * the archive plus the inflated bytes. */
int gat_zip_read(const unsigned char *buf, size_t len, const char *path,
                 gat_zip_member **members, size_t *n, gat_error *err);
/* The whole length a .npy file starting with buf[0..len) must have (header + the data its
 * shape and dtype state): 1 and *total when the header is complete and valid, else 0. Used
 * to refuse a deflated member that inflates past what its header states (npy.c). */
int gat_npy_expected_len(const void *buf, size_t len, size_t *total);
/* Free n members and the array itself; safe on NULL. */
void gat_zip_members_free(gat_zip_member *members, size_t n);

/* Write a whole archive of n members to fp (the caller opens and commits the file).
 * data[i] holds lens[i] bytes, names[i] the member name. deflate: 1 for deflated members
 * (zlib level 6), 0 for stored. Returns GAT_EINVAL when the archive would need zip64,
 * GAT_ENOMEM, or GAT_EIO on a write error; messages name path. */
int gat_zip_write(FILE *fp, const char *path, size_t n, const char *const *names,
                  const void *const *data, const size_t *lens, int deflate, gat_error *err);

#endif
