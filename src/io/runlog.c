/* runlog.c - the run folder: config.json, metrics.csv and the TensorBoard events file, and
 * the metrics.csv reader. */
#include "gat/runlog.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gat/fileio.h"

#ifndef GAT_VERSION
#define GAT_VERSION "unknown"
#endif
#ifndef GAT_GIT_COMMIT
#define GAT_GIT_COMMIT "unknown"
#endif

#define RUNLOG_DEFAULT_FLUSH_SECS 2.0
#define RUNLOG_MAX_NAME 256

static double clock_secs(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The host name with anything but [A-Za-z0-9._-] replaced by '_' (it goes into file names). */
static void host_name(char *buf, size_t size) {
    if (gethostname(buf, size) != 0 || !buf[0]) snprintf(buf, size, "localhost");
    buf[size - 1] = 0;
    for (char *c = buf; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '.' || *c == '_' || *c == '-';
        if (!ok) *c = '_';
    }
}

/* Shortest of %.15g / %.17g that reads back as the same double. */
static void fmt_double(char *buf, size_t size, double d) {
    snprintf(buf, size, "%.15g", d);
    if (strtod(buf, NULL) != d) snprintf(buf, size, "%.17g", d);
}

static int valid_metric_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > RUNLOG_MAX_NAME) return 0;
    for (; *s; s++) {
        int ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                 *s == '_' || *s == '.' || *s == '/' || *s == '-';
        if (!ok) return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- a growing text buffer */

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} textbuf;

static void tb_putn(textbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n + 1) nc *= 2;
        char *t = realloc(b->s, nc);
        if (!t) { b->oom = 1; return; }
        b->s = t;
        b->cap = nc;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}
static void tb_puts(textbuf *b, const char *s) { tb_putn(b, s, strlen(s)); }
static void tb_printf(textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(textbuf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) { b->oom = 1; return; }   /* only short numbers go here */
    tb_putn(b, tmp, (size_t)n);
}
/* s as a JSON string literal (RFC 8259: quote, backslash and control characters escaped;
 * other bytes, UTF-8 included, copied as they are). NULL gives null. */
static void tb_json_string(textbuf *b, const char *s) {
    if (!s) { tb_puts(b, "null"); return; }
    tb_putn(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': tb_puts(b, "\\\""); break;
        case '\\': tb_puts(b, "\\\\"); break;
        case '\n': tb_puts(b, "\\n"); break;
        case '\r': tb_puts(b, "\\r"); break;
        case '\t': tb_puts(b, "\\t"); break;
        case '\b': tb_puts(b, "\\b"); break;
        case '\f': tb_puts(b, "\\f"); break;
        default:
            if (c < 0x20) tb_printf(b, "\\u%04x", c);
            else tb_putn(b, (const char *)&c, 1);
        }
    }
    tb_putn(b, "\"", 1);
}
/* A configuration value as the user wrote it: the fewest digits that read back as the same
 * number, and for a value that is exactly a float32 (an option stored as float, such as
 * the dropout 0.6f = 0.60000002384185791) the fewest that read back as that float32. */
static void fmt_param(char *buf, size_t size, double d) {
    if ((double)(float)d == d) {
        for (int p = 1; p <= 9; p++) {
            snprintf(buf, size, "%.*g", p, d);
            if (strtof(buf, NULL) == (float)d) return;
        }
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, d);
        if (strtod(buf, NULL) == d) return;
    }
}
static void tb_json_number(textbuf *b, double d) {
    if (!isfinite(d)) { tb_puts(b, "null"); return; }
    char num[40];
    fmt_param(num, sizeof num, d);
    tb_puts(b, num);
}

/* ---------------------------------------------------------------- config.json */

static void tb_params(textbuf *b, const gat_param *params, size_t n);

static int write_config(const gat_runlog *log, const gat_runlog_options *opt, double started,
                        const char *host, gat_error *err) {
    int rc = GAT_OK;
    textbuf b = {0};
    char path[4096], when[64] = "";
    if ((rc = gat_path_join(path, sizeof path, err, "%s/config.json", log->dir))) return rc;
    time_t t = (time_t)started;
    struct tm tm;
    if (localtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", &tm);

    tb_puts(&b, "{\n  \"format\": \"gat-run-config\",\n  \"format_version\": 1,\n  \"gat_version\": ");
    tb_json_string(&b, GAT_VERSION);
    tb_puts(&b, ",\n  \"git_commit\": ");
    tb_json_string(&b, GAT_GIT_COMMIT);
    tb_puts(&b, ",\n  \"started\": ");
    tb_json_string(&b, when);
    tb_printf(&b, ",\n  \"started_unix\": %.3f,\n  \"host\": ", started);
    tb_json_string(&b, host);
    tb_puts(&b, ",\n  \"run_dir\": ");
    tb_json_string(&b, log->dir);
    tb_puts(&b, ",\n  \"events_file\": ");
    if (log->events.path) {
        const char *slash = strrchr(log->events.path, '/');
        tb_json_string(&b, slash ? slash + 1 : log->events.path);
    } else {
        tb_puts(&b, "null");
    }
    tb_puts(&b, ",\n  \"metrics\": [");
    for (int k = 0; k < log->n_metrics; k++) {
        if (k) tb_puts(&b, ", ");
        tb_json_string(&b, log->metrics[k]);
    }
    tb_puts(&b, "],\n  \"config\": ");
    tb_params(&b, opt->params, opt->n_params);
    tb_puts(&b, "\n}\n");
    if (b.oom) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    rc = gat_write_file(path, b.s, b.n, err);
fail:
    free(b.s);
    return rc;
}

int gat_run_write_results(const char *run_dir, const gat_param *results, size_t n, gat_error *err) {
    for (size_t i = 0; i < n; i++)
        if (!results[i].key || !results[i].key[0] || (unsigned)results[i].type > GAT_PARAM_INT_LIST ||
            (results[i].type == GAT_PARAM_INT_LIST && results[i].n && !results[i].list))
            return gat_error_set(err, GAT_EINVAL, "%s/results.json: entry %zu has no name or a bad type", run_dir, i);
    char path[4096];
    int rc = gat_path_join(path, sizeof path, err, "%s/results.json", run_dir);
    if (rc) return rc;
    textbuf b = {0};
    tb_puts(&b, "{\n  \"format\": \"gat-run-results\",\n  \"format_version\": 1,\n  \"results\": ");
    tb_params(&b, results, n);
    tb_puts(&b, "\n}\n");
    if (b.oom) rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    else rc = gat_write_file(path, b.s, b.n, err);
    free(b.s);
    return rc;
}

/* {"key": value, ...} of params, one entry a line, indented for a member of the top object. */
static void tb_params(textbuf *b, const gat_param *params, size_t n) {
    tb_putn(b, "{", 1);
    for (size_t i = 0; i < n; i++) {
        const gat_param *p = &params[i];
        tb_puts(b, i ? ",\n    " : "\n    ");
        tb_json_string(b, p->key);
        tb_puts(b, ": ");
        switch (p->type) {
        case GAT_PARAM_STRING: tb_json_string(b, p->s); break;
        case GAT_PARAM_INT: tb_printf(b, "%" PRId64, p->i); break;
        case GAT_PARAM_FLOAT: tb_json_number(b, p->f); break;
        case GAT_PARAM_BOOL: tb_puts(b, p->i ? "true" : "false"); break;
        case GAT_PARAM_INT_LIST:
            tb_putn(b, "[", 1);
            for (size_t k = 0; k < p->n; k++) tb_printf(b, "%s%" PRId64, k ? ", " : "", p->list[k]);
            tb_putn(b, "]", 1);
            break;
        }
    }
    tb_puts(b, n ? "\n  }" : "}");
}

/* ---------------------------------------------------------------- the run folder */

static int check_options(const gat_runlog_options *opt, gat_error *err) {
    if (opt->n_metrics < 0 || (opt->n_metrics > 0 && !opt->metrics))
        return gat_error_set(err, GAT_EINVAL, "run log: bad metric list");
    for (int k = 0; k < opt->n_metrics; k++) {
        const char *m = opt->metrics[k];
        if (!m || !valid_metric_name(m))
            return gat_error_set(err, GAT_EINVAL, "run log: metric name '%.64s' is not 1-%d letters, digits, _ . / -",
                                 m ? m : "(null)", RUNLOG_MAX_NAME);
        if (!strcmp(m, "epoch") || !strcmp(m, "wall_time"))
            return gat_error_set(err, GAT_EINVAL, "run log: '%s' is a reserved column name", m);
        for (int j = 0; j < k; j++)
            if (!strcmp(opt->metrics[j], m)) return gat_error_set(err, GAT_EINVAL, "run log: metric '%s' given twice", m);
    }
    if (opt->n_params > 0 && !opt->params) return gat_error_set(err, GAT_EINVAL, "run log: bad parameter list");
    for (size_t i = 0; i < opt->n_params; i++) {
        const gat_param *p = &opt->params[i];
        if (!p->key || !p->key[0]) return gat_error_set(err, GAT_EINVAL, "run log: parameter %zu has no name", i);
        if ((unsigned)p->type > GAT_PARAM_INT_LIST)
            return gat_error_set(err, GAT_EINVAL, "run log: parameter '%.64s' has an unknown type", p->key);
        if (p->type == GAT_PARAM_INT_LIST && p->n && !p->list)
            return gat_error_set(err, GAT_EINVAL, "run log: parameter '%.64s' has no list", p->key);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(opt->params[j].key, p->key))
                return gat_error_set(err, GAT_EINVAL, "run log: parameter '%.64s' given twice", p->key);
    }
    return GAT_OK;
}

/* mkdir <logdir>/<stamp>_<host>, or with _2, _3 ... appended when taken. */
static int make_run_dir(gat_runlog *log, const char *logdir, double started, const char *host, gat_error *err) {
    int rc = gat_mkdirs(logdir, err);
    if (rc) return rc;
    char stamp[64] = "run", path[4096];
    time_t t = (time_t)started;
    struct tm tm;
    if (localtime_r(&t, &tm)) strftime(stamp, sizeof stamp, "%Y-%m-%d_%H-%M-%S", &tm);
    for (int k = 1; k <= 1000; k++) {
        if (k == 1) rc = gat_path_join(path, sizeof path, err, "%s/%s_%s", logdir, stamp, host);
        else rc = gat_path_join(path, sizeof path, err, "%s/%s_%s_%d", logdir, stamp, host, k);
        if (rc) return rc;
        if (mkdir(path, 0755) == 0) {
            if (!(log->dir = strdup(path))) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
            return GAT_OK;
        }
        if (errno != EEXIST) return gat_error_set(err, GAT_EIO, "%s: cannot create folder: %s", path, strerror(errno));
    }
    return gat_error_set(err, GAT_EIO, "%s: 1000 run folders with this name already exist", path);
}

static int csv_failed(gat_runlog *log, int e, gat_error *err) {
    if (!log->csv_failed) log->csv_failed = e ? e : EIO;
    return gat_error_set(err, GAT_EIO, "%s: write failed: %s", log->csv_path, strerror(log->csv_failed));
}

static int csv_flush(gat_runlog *log, gat_error *err) {
    if (log->csv_failed) return csv_failed(log, 0, err);
    errno = 0;
    if (fflush(log->csv) != 0 || ferror(log->csv)) return csv_failed(log, errno, err);
    return GAT_OK;
}

int gat_runlog_open(gat_runlog *log, const gat_runlog_options *opt, gat_error *err) {
    memset(log, 0, sizeof *log);
    int rc = check_options(opt, err);
    if (rc) return rc;
    const char *logdir = opt->logdir && opt->logdir[0] ? opt->logdir : "runs";
    double started = clock_secs(CLOCK_REALTIME);
    char host[256], path[4096];
    host_name(host, sizeof host);

    log->flush_secs = opt->flush_secs == 0 ? RUNLOG_DEFAULT_FLUSH_SECS : opt->flush_secs;
    log->step_offset = opt->step_offset;
    log->n_metrics = opt->n_metrics;
    if (opt->n_metrics && !(log->metrics = calloc((size_t)opt->n_metrics, sizeof *log->metrics))) {
        rc = gat_error_set(err, GAT_ENOMEM, "run log: out of memory");
        goto fail;
    }
    for (int k = 0; k < opt->n_metrics; k++)
        if (!(log->metrics[k] = strdup(opt->metrics[k]))) {
            rc = gat_error_set(err, GAT_ENOMEM, "run log: out of memory");
            goto fail;
        }
    if ((rc = make_run_dir(log, logdir, started, host, err))) goto fail;

    if (opt->tensorboard) {
        if ((rc = gat_path_join(path, sizeof path, err, "%s/events.out.tfevents.%lld.%s", log->dir,
                                (long long)started, host))) goto fail;
        if ((rc = gat_tfevents_open(&log->events, path, started, err))) goto fail;
    }
    if ((rc = write_config(log, opt, started, host, err))) goto fail;

    if ((rc = gat_path_join(path, sizeof path, err, "%s/metrics.csv", log->dir))) goto fail;
    if (!(log->csv_path = strdup(path))) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    if (!(log->csv = fopen(path, "w"))) {
        rc = gat_error_set(err, GAT_EIO, "%s: cannot write: %s", path, strerror(errno));
        goto fail;
    }
    fputs("epoch,wall_time", log->csv);
    for (int k = 0; k < log->n_metrics; k++) fprintf(log->csv, ",%s", log->metrics[k]);
    fputc('\n', log->csv);
    if ((rc = csv_flush(log, err))) goto fail;
    log->last_flush = clock_secs(CLOCK_MONOTONIC);
    return GAT_OK;
fail:
    gat_runlog_close(log, NULL);
    return rc;
}

int gat_runlog_flush(gat_runlog *log, gat_error *err) {
    if (!log->csv) return gat_error_set(err, GAT_EINVAL, "run log is not open");
    int rc = csv_flush(log, err);
    if (!rc && log->events.fp) rc = gat_tfevents_flush(&log->events, err);
    log->last_flush = clock_secs(CLOCK_MONOTONIC);
    return rc;
}

int gat_runlog_write_epoch(gat_runlog *log, int64_t epoch, const double *values, gat_error *err) {
    if (!log->csv) return gat_error_set(err, GAT_EINVAL, "run log is not open");
    if (log->csv_failed) return csv_failed(log, 0, err);
    double now = clock_secs(CLOCK_REALTIME);
    char num[32];
    errno = 0;
    int bad = fprintf(log->csv, "%" PRId64 ",%.3f", epoch, now) < 0;
    for (int k = 0; k < log->n_metrics && !bad; k++) {
        num[0] = 0;
        if (!isnan(values[k])) fmt_double(num, sizeof num, values[k]);
        bad = fprintf(log->csv, ",%s", num) < 0;
    }
    if (bad || fputc('\n', log->csv) == EOF) return csv_failed(log, errno, err);
    if (log->events.fp)
        for (int k = 0; k < log->n_metrics; k++) {
            if (isnan(values[k])) continue;
            int rc = gat_tfevents_write_scalar(&log->events, log->metrics[k], epoch + log->step_offset, now,
                                               (float)values[k], err);
            if (rc) return rc;
        }
    if (log->flush_secs < 0 || clock_secs(CLOCK_MONOTONIC) - log->last_flush >= log->flush_secs)
        return gat_runlog_flush(log, err);
    return GAT_OK;
}

int gat_runlog_write_scalar(gat_runlog *log, const char *tag, int64_t step, double value, gat_error *err) {
    if (!log->csv) return gat_error_set(err, GAT_EINVAL, "run log is not open");
    if (!log->events.fp) return GAT_OK;
    int rc = gat_tfevents_write_scalar(&log->events, tag, step, clock_secs(CLOCK_REALTIME), (float)value, err);
    if (rc) return rc;
    if (log->flush_secs < 0 || clock_secs(CLOCK_MONOTONIC) - log->last_flush >= log->flush_secs)
        return gat_runlog_flush(log, err);
    return GAT_OK;
}

int gat_runlog_close(gat_runlog *log, gat_error *err) {
    int rc = GAT_OK;
    if (log->csv) {
        rc = csv_flush(log, err);
        if (!rc && fsync(fileno(log->csv)) != 0 && errno != EINVAL) rc = csv_failed(log, errno, err);
        if (fclose(log->csv) != 0 && !rc) rc = csv_failed(log, errno, err);
    }
    gat_error tf_err = {0};
    int rc2 = gat_tfevents_close(&log->events, &tf_err);   /* close it even after a CSV error */
    if (rc2 && !rc) rc = gat_error_set(err, rc2, "%s", tf_err.msg);
    for (int k = 0; k < log->n_metrics && log->metrics; k++) free(log->metrics[k]);
    free(log->metrics);
    free(log->csv_path);
    free(log->dir);
    memset(log, 0, sizeof *log);
    return rc;
}

/* ---------------------------------------------------------------- metrics.csv reader */

static size_t count_cells(const char *line) {
    size_t n = 1;
    for (; *line; line++) n += *line == ',';
    return n;
}

/* Split line (NUL-terminated, no newline) at commas in place; returns the count, fills at
 * most max cells. */
static size_t split_cells(char *line, char **cells, size_t max) {
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *c = strchr(p, ',');
        if (n < max) cells[n] = p;
        n++;
        if (!c) break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

static int metrics_csv_parse(char *data, size_t len, const char *file, gat_metrics_csv *m, gat_error *err);

int gat_metrics_csv_read(const char *path, gat_metrics_csv *m, gat_error *err) {
    memset(m, 0, sizeof *m);
    char file[4096], *data = NULL;
    size_t len = 0;
    int rc;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) rc = gat_path_join(file, sizeof file, err, "%s/metrics.csv", path);
    else rc = gat_path_join(file, sizeof file, err, "%s", path);
    if (rc) return rc;
    if ((rc = gat_read_file(file, &data, &len, err))) return rc;
    return metrics_csv_parse(data, len, file, m, err);
}

int gat_metrics_csv_parse(const char *text, size_t len, const char *name, gat_metrics_csv *m, gat_error *err) {
    memset(m, 0, sizeof *m);
    char *data = malloc(len + 1);
    if (!data) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", name);
    if (len) memcpy(data, text, len);
    data[len] = 0;
    return metrics_csv_parse(data, len, name, m, err);
}

/* Parse data[0..len) (NUL-terminated, owned: freed here) into *m. */
static int metrics_csv_parse(char *data, size_t len, const char *file, gat_metrics_csv *m, gat_error *err) {
    char **cells = NULL;
    double *rows = NULL;             /* row-major while reading */
    size_t rows_cap = 0;
    int rc;

    /* A crash can leave the file's tail zero-filled (the size was written, the data not):
     * NUL bytes with nothing but NULs and newlines after them are that tail, dropped like a
     * row cut short. A NUL followed by more data is damage inside the file: refused. */
    char *nul = memchr(data, 0, len);
    if (nul) {
        size_t at = (size_t)(nul - data), lineno = 1;
        for (size_t i = at; i < len; i++)
            if (data[i] != 0 && data[i] != '\n') {
                for (size_t j = 0; j < at; j++) lineno += data[j] == '\n';
                rc = gat_error_set(err, GAT_EFORMAT, "%s: line %zu holds a NUL byte (the file is damaged)", file, lineno);
                goto fail;
            }
        m->truncated = 1;
        len = at;
    }
    /* Our writer ends every row with a newline: anything after the last one is a row cut
     * short by a crash, and is dropped (a partial number would read as a wrong value). */
    char *end = data + len;
    while (end > data && end[-1] != '\n') end--;
    if (end != data + len) m->truncated = 1;
    *end = 0;
    if (end == data) { rc = gat_error_set(err, GAT_EFORMAT, "%s: no header line", file); goto fail; }

    char *line = data, *nl = strchr(line, '\n');
    *nl = 0;
    if (nl > line && nl[-1] == '\r') nl[-1] = 0;
    size_t n_cols = count_cells(line);
    if (!(cells = malloc(n_cols * sizeof *cells)) || !(m->names = calloc(n_cols, sizeof *m->names))) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", file);
        goto fail;
    }
    m->n_cols = n_cols;
    split_cells(line, cells, n_cols);
    for (size_t j = 0; j < n_cols; j++) {
        if (!cells[j][0]) { rc = gat_error_set(err, GAT_EFORMAT, "%s: line 1: column %zu has no name", file, j + 1); goto fail; }
        if (!(m->names[j] = strdup(cells[j]))) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", file); goto fail; }
    }

    size_t lineno = 1;
    for (line = nl + 1; *line; line = nl + 1) {
        lineno++;
        nl = strchr(line, '\n');
        *nl = 0;
        if (nl > line && nl[-1] == '\r') nl[-1] = 0;
        if (!line[0]) continue;                      /* blank line */
        size_t n = split_cells(line, cells, n_cols);
        if (n != n_cols) {
            rc = gat_error_set(err, GAT_EFORMAT, "%s: line %zu: %zu cells, the header has %zu", file, lineno, n, n_cols);
            goto fail;
        }
        if (m->n_rows == rows_cap) {
            size_t nc = rows_cap ? 2 * rows_cap : 64;
            double *t = realloc(rows, nc * n_cols * sizeof *t);
            if (!t) { rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", file); goto fail; }
            rows = t;
            rows_cap = nc;
        }
        for (size_t j = 0; j < n_cols; j++) {
            double v = NAN;
            if (cells[j][0]) {
                char *e;
                v = strtod(cells[j], &e);
                if (*e || e == cells[j]) {
                    rc = gat_error_set(err, GAT_EFORMAT, "%s: line %zu: %s: '%.32s' is not a number", file, lineno,
                                       m->names[j], cells[j]);
                    goto fail;
                }
            }
            /* epochs are whole numbers: anything else (1e300, NaN, empty) would be cast to an
             * integer with undefined behaviour by every reader */
            if (!strcmp(m->names[j], "epoch") && !(v >= 0.0 && v <= 1e15 && v == floor(v))) {
                rc = gat_error_set(err, GAT_EFORMAT, "%s: line %zu: epoch: '%.32s' is not a whole number in [0, 1e15]",
                                   file, lineno, cells[j]);
                goto fail;
            }
            rows[m->n_rows * n_cols + j] = v;
        }
        m->n_rows++;
    }
    /* +1: a header-only file still has (empty) columns that gat_metrics_csv_column finds */
    if (!(m->values = malloc((m->n_rows * n_cols + 1) * sizeof *m->values))) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", file);
        goto fail;
    }
    {
        for (size_t i = 0; i < m->n_rows; i++)
            for (size_t j = 0; j < n_cols; j++) m->values[j * m->n_rows + i] = rows[i * n_cols + j];
    }
    free(rows);
    free(cells);
    free(data);
    return GAT_OK;
fail:
    free(rows);
    free(cells);
    free(data);
    gat_metrics_csv_free(m);
    return rc;
}

const double *gat_metrics_csv_column(const gat_metrics_csv *m, const char *name) {
    for (size_t j = 0; j < m->n_cols; j++)
        if (m->names[j] && !strcmp(m->names[j], name)) return m->values + j * m->n_rows;
    return NULL;
}

void gat_metrics_csv_free(gat_metrics_csv *m) {
    if (!m) return;
    for (size_t j = 0; j < m->n_cols && m->names; j++) free(m->names[j]);
    free(m->names);
    free(m->values);
    memset(m, 0, sizeof *m);
}
