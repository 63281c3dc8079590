/* fileio.h - writing files atomically, and small file-system helpers.
 *
 * Every output of gat (models, arrays, pictures, CSV, logs) is written to a temporary
 * name in the destination folder and renamed into place only when complete, so a crash,
 * a full disk or a bad value never leaves a half-written file behind. */
#ifndef GAT_FILEIO_H
#define GAT_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A file being written. Zero-initialise; the struct is owned by the caller. */
typedef struct gat_outfile {
    FILE *fp;            /* write through this */
    char *path;          /* final name */
    char *tmp_path;      /* temporary name in the same folder */
} gat_outfile;

/* Open "<path>.tmp.XXXXXX" for writing. Fails with a message naming path when the folder
 * does not exist or is not writable. */
int gat_outfile_open(gat_outfile *f, const char *path, gat_error *err);
/* Flush, fsync, close and rename to the final name. Any earlier write error (a full disk)
 * is detected here: the temporary file is removed and an error returned. Frees f. */
int gat_outfile_commit(gat_outfile *f, gat_error *err);
/* Close and remove the temporary file. Safe on a zeroed or committed struct. */
void gat_outfile_abort(gat_outfile *f);

/* Write len bytes atomically to path (open + fwrite + commit). */
int gat_write_file(const char *path, const void *data, size_t len, gat_error *err);
/* Read a whole file into a new buffer (malloc'ed, NUL-terminated, *len excludes the NUL). */
int gat_read_file(const char *path, char **data, size_t *len, gat_error *err);

/* mkdir -p. */
int gat_mkdirs(const char *path, gat_error *err);
/* 1 if path names an existing regular file or folder. */
int gat_path_exists(const char *path);
/* snprintf into buf that fails with GAT_EINVAL ("path too long") instead of truncating. */
int gat_path_join(char *buf, size_t size, gat_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#ifdef __cplusplus
}
#endif
#endif
