/* fileio.h - writing files atomically, and small file-system helpers.
 *
 * Every output of gat (models, arrays, pictures, CSV, logs) is written to a temporary
 * name in the destination folder and renamed into place only when complete, so a crash,
 * a full disk or a bad value never leaves a half-written file behind. */
#ifndef GAT_FILEIO_H
#define GAT_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A file being written. Zero-initialise; the struct is owned by the caller. */
typedef struct gat_outfile {
    FILE *fp;            /* write through this */
    char *path;          /* final name (a symbolic link's target) */
    char *tmp_path;      /* temporary name in the same folder; NULL when written in place */
    int direct;          /* 1: path is not a regular file (FIFO, terminal, /dev/stdout): written in place */
    int slot;            /* gat_tempfile_track slot of tmp_path, 0 = none */
} gat_outfile;

/* Open "<path>.tmp.<pid>.XXXXXX" for writing. Fails with a message naming path when the
 * folder does not exist or is not writable, or path is a folder. A path that exists and is
 * not a regular file (a FIFO, a character device, /dev/stdout) is written through in place
 * (no temporary, no rename: renaming would replace the device by a file); a symbolic link
 * is followed and its target replaced atomically, so the link stays a link. */
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

/* Temporary files a signal handler removes: gat_outfile registers its temporary here, and
 * callers may register their own (reservations). track returns a slot (0 when all 32 are
 * taken: the file is then simply not cleaned up on a signal); untrack forgets it.
 * gat_tempfiles_remove unlinks every tracked file and is async-signal-safe: call it from a
 * SIGINT/SIGTERM handler, then re-raise the signal. */
int gat_tempfile_track(const char *path);
void gat_tempfile_untrack(int slot);
void gat_tempfiles_remove(void);

/* Remove from folder dir the temporaries "<name>.tmp.<pid>.XXXXXX" and reservations
 * "<name>.reserved" of processes that no longer run (kill(pid, 0) fails with ESRCH; pids of
 * processes of other users or still running are left alone). *removed (may be NULL) gets
 * the count. A missing folder is not an error. Cost: one pass over the folder. */
int gat_sweep_stale_temps(const char *dir, int *removed);

/* Reserve the first free numbered name "<dir>/<prefix><N><suffix>" (N with `digits` digits,
 * above every number taken by a final name, a reservation or a temporary of one) by creating
 * "<name>.reserved" with O_CREAT | O_EXCL holding this process's pid; the name is in path.
 * Concurrent processes get distinct names. Publish the file under path (gat_outfile: rename
 * over nothing, the reservation keeps others away), then call gat_release_name. The
 * reservation is registered with gat_tempfile_track (slot in *slot). Numbers below first
 * are not used (they are taken by files elsewhere, e.g. checkpoints of runs that never saved
 * a model). Stale reservations of dead processes are swept first. */
int gat_reserve_name(char *path, size_t size, const char *dir, const char *prefix, const char *suffix, int digits,
                     int64_t first, int *slot, gat_error *err);
/* The largest N of the names in dir that start with prefix followed by N written with
 * `digits` digits and then anything but a digit (gat_CORA_000003_ckpt_epoch_10...), or -1. */
int64_t gat_max_number(const char *dir, const char *prefix, int digits);
/* Remove the reservation of path made by gat_reserve_name. */
void gat_release_name(const char *path, int slot);
/* The pid written in a reservation file (0 if none or unreadable; a large invalid pid for an
 * empty reservation older than a minute, whose owner died before writing it). */
long gat_reservation_owner(const char *reservation);

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
