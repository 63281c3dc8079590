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
 * so the same arrays give the same bytes. A stored member's data starts at a multiple of
 * GAT_ZIP_ALIGN bytes in the file (padding in its local header's extra field, id 0xD935 as
 * Android's zipalign writes it), so a .npy member's array (itself aligned to 64 bytes in the
 * member) can be used in place from a mapping of the archive. */
#ifndef GAT_ZIP_H
#define GAT_ZIP_H

#include <stddef.h>
#include <stdio.h>

#include "gat/status.h"

#define GAT_ZIP_ALIGN 64
/* Bytes of local-header extra field that put a member's data, after a local header at offset
 * `at` with a name of name_len bytes, at a multiple of GAT_ZIP_ALIGN (0 or at least 4). */
size_t gat_zip_align_pad(unsigned long long at, size_t name_len);
/* Fill h[0..pad) with that extra field (id 0xD935, the alignment, zeros). */
void gat_zip_align_extra(unsigned char *h, size_t pad);

typedef struct gat_zip_member {
    char *name;               /* NUL-terminated member name, owned */
    unsigned char *data;      /* (len) uncompressed bytes, owned (malloc'ed, never NULL), or borrowed */
    size_t len;
    int borrowed;             /* data points into the archive's buffer (a stored member, gat_zip_view) */
} gat_zip_member;

/* Extract every member of the archive held in buf[0..len). path is used in messages
 * ("<path>: member 'data.npy': CRC-32 mismatch ..."). On success *members is a new array
 * of *n members owned by the caller (free with gat_zip_members_free). Costs one pass over
 * the archive plus the inflated bytes. */
int gat_zip_read(const unsigned char *buf, size_t len, const char *path,
                 gat_zip_member **members, size_t *n, gat_error *err);
/* The same, but a stored member's data points into buf (borrowed, valid while buf is) instead
 * of being copied; deflated members are inflated as gat_zip_read does. Every check, the CRC-32
 * included, is the same. */
int gat_zip_view(const unsigned char *buf, size_t len, const char *path,
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
