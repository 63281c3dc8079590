/* runlog.h - the record of a training run: TensorBoard event files, metrics.csv, config.json.
 *
 * A run folder (<logdir>/<YYYY-MM-DD>_<HH-MM-SS>_<host>, local time) holds:
 *   config.json   the run's full configuration, written once, atomically, at open;
 *   metrics.csv   "epoch,wall_time,<metric>,...": one row per epoch, appended as training runs;
 *   events.out.tfevents.<unix time>.<host>   (only when TensorBoard output is enabled):
 *                 TFRecord-framed tensorflow.Event protocol buffers, one scalar per metric and
 *                 epoch, readable by `tensorboard --logdir <logdir>` while the run is going.
 * Both growing files are flushed at least every flush_secs (2 s by default) and on close, so a
 * crash loses at most that much; write errors (a full disk) are returned as GAT_EIO.
 *
 * Lower layers are public too: CRC32C, the protobuf encoding of the two Event kinds we
 * write, an events-file writer, and a reader that checks every CRC (used by the tests and
 * by whatever plots runs); plus a reader of metrics.csv into named columns. */
#ifndef GAT_RUNLOG_H
#define GAT_RUNLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- TFRecord + Event encoding
 *
 * A TFRecord file is a sequence of records, each
 *     uint64 length (little endian) | uint32 masked_crc32c(length bytes) | payload[length] |
 *     uint32 masked_crc32c(payload)
 * with masked_crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8. In an events file each payload
 * is a tensorflow.Event (event.proto): wall_time = 1 (double), step = 2 (int64),
 * file_version = 3 (string), summary = 5 (Summary); Summary.value = 1 (repeated Value);
 * Value.tag = 1 (string), Value.simple_value = 2 (float). */

#define GAT_TFEVENTS_FILE_VERSION "brain.Event:2"
#define GAT_TFEVENTS_MAX_TAG 1024 /* longest tag we write, in bytes */

/* CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) of data, continuing from crc (pass 0
 * to start): gat_crc32c(0, "123456789", 9) == 0xe3069283. Four bits per table step, a few ns per byte. */
uint32_t gat_crc32c(uint32_t crc, const void *data, size_t len);
/* The TFRecord mask of a CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8. */
uint32_t gat_crc32c_mask(uint32_t crc);

/* Serialise an Event into buf (cap bytes). They return the encoded size whether or not it
 * fits; buf is written only when the size is <= cap (so a call with cap 0 measures).
 * Fields at their proto3 default (wall_time 0.0, step 0) are omitted as protobuf does;
 * simple_value is part of a oneof and is always written. */
size_t gat_tfevents_encode_file_version(uint8_t *buf, size_t cap, double wall_time, const char *version);
size_t gat_tfevents_encode_scalar(uint8_t *buf, size_t cap, double wall_time, int64_t step,
                                  const char *tag, float value);
/* The 12-byte record header (length, masked CRC of the length) and 4-byte footer (masked
 * CRC of the payload) around a payload of len bytes. */
void gat_tfrecord_header(uint8_t out[12], uint64_t len);
void gat_tfrecord_footer(uint8_t out[4], const void *payload, size_t len);

/* ---------------------------------------------------------------- events file writer */

/* An events file being written. Zero-initialise; owned by the caller. */
typedef struct gat_tfevents {
    FILE *fp;
    char *path;
    int failed;              /* errno of the first failed write (0: none): every later call
                                returns GAT_EIO with that error */
} gat_tfevents;

/* Create (truncate) path and write the file_version record (GAT_TFEVENTS_FILE_VERSION,
 * stamped wall_time), flushed at once so TensorBoard sees the file immediately. */
int gat_tfevents_open(gat_tfevents *w, const char *path, double wall_time, gat_error *err);
/* Append one record holding one scalar summary. tag: 1..GAT_TFEVENTS_MAX_TAG bytes (else
 * GAT_EINVAL). Buffered: call gat_tfevents_flush to push it to the file. */
int gat_tfevents_write_scalar(gat_tfevents *w, const char *tag, int64_t step, double wall_time,
                              float value, gat_error *err);
/* Append one record around an arbitrary payload (the framing only). */
int gat_tfevents_write_record(gat_tfevents *w, const void *payload, size_t len, gat_error *err);
/* fflush; reports GAT_EIO (with the path and errno text) if this or any earlier write failed. */
int gat_tfevents_flush(gat_tfevents *w, gat_error *err);
/* Flush, fsync, close and free. Reports any write error. Safe on a zeroed or closed struct
 * (then a no-op returning GAT_OK); the struct is zeroed on return either way. */
int gat_tfevents_close(gat_tfevents *w, gat_error *err);

/* ---------------------------------------------------------------- events file reader */

typedef struct gat_tfevents_scalar {
    char *tag;               /* NUL-terminated, owned by the gat_tfevents_data */
    int64_t step;
    double wall_time;
    float value;
} gat_tfevents_scalar;

/* What an events file holds. Zero-initialise; free with gat_tfevents_data_free. */
typedef struct gat_tfevents_data {
    char *file_version;      /* from the first file_version event, NULL if none */
    size_t n_records;        /* whole records read, both CRCs valid */
    size_t n;                /* scalars (simple_value summaries), in file order */
    gat_tfevents_scalar *scalars; /* (n) */
    int truncated;           /* 1 when the file ends inside a record (a writer still running, or
                                killed mid-write); that partial record is not returned */
    uint64_t valid_bytes;    /* end of the last whole record */
} gat_tfevents_data;

/* Read a whole events file, checking both CRCs of every record. A file that ends inside a
 * record is not an error: the records before it are returned and truncated is set. A CRC
 * mismatch, or a payload that is not a valid Event, fails with GAT_EFORMAT and a message
 * naming the file and the record's byte offset ("run/events...: record 3 at byte 120: data
 * CRC mismatch"). Summary values other than simple_value (images, tensors) are skipped.
 * Cost: one read of the file into memory, O(size). */
int gat_tfevents_read(const char *path, gat_tfevents_data *out, gat_error *err);
/* The same for an events file held in memory (data[0..len), only read); name is used in messages. */
int gat_tfevents_parse(const void *data, size_t len, const char *name, gat_tfevents_data *out, gat_error *err);
void gat_tfevents_data_free(gat_tfevents_data *d);

/* ---------------------------------------------------------------- run logger */

typedef enum { GAT_PARAM_STRING, GAT_PARAM_INT, GAT_PARAM_FLOAT, GAT_PARAM_BOOL, GAT_PARAM_INT_LIST } gat_param_type;

/* One configuration entry for config.json: {.key = "lr", .type = GAT_PARAM_FLOAT, .f = 0.005}. */
typedef struct gat_param {
    const char *key;
    gat_param_type type;
    const char *s;           /* STRING (NULL is written as null) */
    int64_t i;               /* INT, and BOOL (0 = false) */
    double f;                /* FLOAT (NaN/Inf are written as null: JSON has no such numbers), with
                                the fewest digits that read back as the same value (as a float32
                                when it is exactly one: 0.6f is written 0.6) */
    const int64_t *list;     /* INT_LIST: (n) integers, written as a JSON array [8, 1] */
    size_t n;
} gat_param;

typedef struct gat_runlog_options {
    const char *logdir;      /* parent folder, created if missing; NULL means "runs" */
    int tensorboard;         /* 1: also write the events file */
    const char *const *metrics; /* (n_metrics) names: CSV columns and TensorBoard tags, e.g.
                                   "training_loss". Letters, digits and _ . / - only. */
    int n_metrics;
    const gat_param *params; /* (n_params) the configuration, written to config.json in order */
    size_t n_params;
    int64_t step_offset;     /* added to the epoch to give the TensorBoard step: gat train passes
                                -1, so epoch 1 (the first) is step 0 as pytorch-GAT logs it */
    double flush_secs;       /* flush when this long since the last flush: 0 means 2 s,
                                negative means after every epoch */
} gat_runlog_options;

/* An open run. Zero-initialise; owned by the caller, the fields by the library. */
typedef struct gat_runlog {
    char *dir;               /* the run folder that was created */
    char *csv_path;
    FILE *csv;
    gat_tfevents events;     /* events.fp is NULL when TensorBoard output is off */
    char **metrics;          /* (n_metrics) copies of the names */
    int n_metrics;
    double flush_secs;
    int64_t step_offset;
    double last_flush;       /* monotonic seconds */
    int csv_failed;          /* errno of the first failed metrics.csv write, or 0 */
} gat_runlog;

/* Create a new run folder under opt->logdir named <YYYY-MM-DD>_<HH-MM-SS>_<host> (with
 * "_2", "_3"... appended if it exists), write config.json atomically, start metrics.csv with
 * its header and, when opt->tensorboard, the events file. On failure nothing is left open
 * (the folder may remain). Errors: GAT_EINVAL for bad metric names or keys, GAT_EIO. */
int gat_runlog_open(gat_runlog *log, const gat_runlog_options *opt, gat_error *err);
/* Record one epoch: values[k] is metric k (n_metrics of them, in the order given at open).
 * A NaN value means "not measured this epoch": an empty CSV cell and no event (so a final
 * test row can carry only the test metric). Writes a CSV row and one scalar event per
 * measured metric, stamped with the current time. Flushes both files when flush_secs have
 * passed since the last flush; until then rows stay buffered, so call gat_runlog_flush
 * before long pauses between epochs. After a write error (GAT_EIO, sticky) still call close. */
int gat_runlog_write_epoch(gat_runlog *log, int64_t epoch, const double *values, gat_error *err);
/* One extra scalar, TensorBoard only (a no-op without it): for tags that are not columns.
 * tag: 1..GAT_TFEVENTS_MAX_TAG bytes. Same flush policy as gat_runlog_write_epoch. */
int gat_runlog_write_scalar(gat_runlog *log, const char *tag, int64_t step, double value, gat_error *err);
/* Write <run_dir>/results.json atomically: {"format": "gat-run-results", "format_version": 1,
 * "results": {...}} with the entries in the order given (same types and number formatting as
 * config.json; NaN, e.g. an untested run's test_acc, as null). For what a run ends with
 * (epochs, best epoch, test accuracy, model path), so metrics.csv keeps one row per epoch.
 * May be called after gat_runlog_close; a second call replaces the file. */
int gat_run_write_results(const char *run_dir, const gat_param *results, size_t n, gat_error *err);
/* Flush both files now (e.g. before a long pause such as a checkpoint save). */
int gat_runlog_flush(gat_runlog *log, gat_error *err);
/* Flush, fsync and close everything, reporting any write error; frees the fields. Safe on
 * a zeroed or closed struct. */
int gat_runlog_close(gat_runlog *log, gat_error *err);

/* ---------------------------------------------------------------- metrics.csv reader */

/* metrics.csv as columns. Zero-initialise; free with gat_metrics_csv_free. */
typedef struct gat_metrics_csv {
    size_t n_cols, n_rows;
    char **names;            /* (n_cols) header names: "epoch", "wall_time", metrics... */
    double *values;          /* (n_cols, n_rows): column j at values + j * n_rows; NaN = empty cell */
    int truncated;           /* 1 when an incomplete last line or a zero-filled tail (a crash
                                mid-write) was dropped */
} gat_metrics_csv;

/* Read path: a metrics.csv file, or a run folder (reads <path>/metrics.csv). Every row must
 * have as many cells as the header, each a number or empty, and an "epoch" cell must be a
 * whole number in [0, 1e15]; a NUL byte is refused unless only NUL bytes and newlines follow
 * it (a tail zero-filled by a crash, dropped like a partial row). Errors name the file and line. */
int gat_metrics_csv_read(const char *path, gat_metrics_csv *m, gat_error *err);
/* The same for metrics.csv text held in memory (text[0..len), only read; it need not be
 * NUL-terminated); name is used in messages. */
int gat_metrics_csv_parse(const char *text, size_t len, const char *name, gat_metrics_csv *m, gat_error *err);
/* The column called name ((n_rows) values; n_rows may be 0), or NULL when there is none. */
const double *gat_metrics_csv_column(const gat_metrics_csv *m, const char *name);
void gat_metrics_csv_free(gat_metrics_csv *m);

#ifdef __cplusplus
}
#endif
#endif
