/* test_runlog.c - the run folder: its name, config.json, metrics.csv and the events file
 * written during a run and read back; live flushing; write errors; the metrics.csv reader. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "gat/fileio.h"
#include "gat/json.h"
#include "gat/runlog.h"

static const char *METRICS[] = {"training_loss", "training_acc", "val_loss", "val_acc", "test_acc"};
#define N_METRICS 5

/* The one events.out.tfevents.* file in dir, into out; 0 if none. */
static int find_events(const char *dir, char *out, size_t size) {
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "events.out.tfevents.", 20)) {
            snprintf(out, size, "%s/%s", dir, e->d_name);
            n++;
        }
    if (d) closedir(d);
    return n;
}

static double value_of(int epoch, int k) { return 1.0 / (3.0 + epoch) + 0.1 * k; }

static void test_full_run(const char *tmp) {
    char logdir[4096], path[8192];
    gat_error err = {0};
    snprintf(logdir, sizeof logdir, "%s/runs", tmp);
    const gat_param params[] = {
        {.key = "dataset", .type = GAT_PARAM_STRING, .s = "cora"},
        {.key = "lr", .type = GAT_PARAM_FLOAT, .f = 0.005},
        {.key = "epochs", .type = GAT_PARAM_INT, .i = 10000},
        {.key = "should_test", .type = GAT_PARAM_BOOL, .i = 1},
        {.key = "heads", .type = GAT_PARAM_STRING, .s = "8,1"},
        {.key = "odd \"name\"\\\n\x01", .type = GAT_PARAM_STRING, .s = "tab\there"},
        {.key = "nan", .type = GAT_PARAM_FLOAT, .f = NAN},
        {.key = "none", .type = GAT_PARAM_STRING, .s = NULL},
        {.key = "seed", .type = GAT_PARAM_INT, .i = -1},
    };
    gat_runlog_options opt = {.logdir = logdir, .tensorboard = 1, .metrics = METRICS, .n_metrics = N_METRICS,
                              .params = params, .n_params = sizeof params / sizeof *params};
    gat_runlog log;
    double t0 = (double)time(NULL);
    CHECK_MSG(gat_runlog_open(&log, &opt, &err) == GAT_OK, "%s", err.msg);
    if (!log.dir) return;

    /* <logdir>/<YYYY-MM-DD>_<HH-MM-SS>_<host> */
    const char *name = log.dir + strlen(logdir) + 1;
    CHECK_MSG(!strncmp(log.dir, logdir, strlen(logdir)) && strlen(name) > 20 && name[4] == '-' && name[7] == '-' &&
                  name[10] == '_' && name[13] == '-' && name[16] == '-' && name[19] == '_',
              "run folder %s", log.dir);

    const int epochs = 7;
    double row[N_METRICS];
    for (int e = 0; e < epochs; e++) {
        for (int k = 0; k < N_METRICS; k++) row[k] = value_of(e, k);
        row[4] = NAN;                              /* test_acc not measured during training */
        if (e == 3) row[2] = NAN;                  /* a skipped validation */
        CHECK_EQ_INT(gat_runlog_write_epoch(&log, e, row, &err), GAT_OK);
    }
    for (int k = 0; k < N_METRICS; k++) row[k] = NAN;
    row[4] = 0.8125;
    CHECK_EQ_INT(gat_runlog_write_epoch(&log, epochs, row, &err), GAT_OK);   /* the final test row */
    CHECK_EQ_INT(gat_runlog_write_scalar(&log, "test_micro_f1", epochs, 0.75, &err), GAT_OK);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", log.dir);
    CHECK_EQ_INT(gat_runlog_close(&log, &err), GAT_OK);
    CHECK(log.dir == NULL && log.csv == NULL);
    CHECK_EQ_INT(gat_runlog_close(&log, &err), GAT_OK);   /* twice is harmless */
    CHECK_EQ_INT(check_count_entries(dir), 3);                 /* no temporary files left */

    /* metrics.csv, read from the folder. */
    gat_metrics_csv m;
    CHECK_MSG(gat_metrics_csv_read(dir, &m, &err) == GAT_OK, "%s", err.msg);
    CHECK_EQ_INT(m.n_cols, 2 + N_METRICS);
    CHECK_EQ_INT(m.n_rows, epochs + 1);
    CHECK_EQ_INT(m.truncated, 0);
    CHECK(m.n_cols >= 2 && !strcmp(m.names[0], "epoch") && !strcmp(m.names[1], "wall_time"));
    const double *ep = gat_metrics_csv_column(&m, "epoch"), *wt = gat_metrics_csv_column(&m, "wall_time");
    CHECK(gat_metrics_csv_column(&m, "nope") == NULL);
    int exact = ep && wt;
    for (int k = 0; k < N_METRICS && exact; k++) {
        const double *c = gat_metrics_csv_column(&m, METRICS[k]);
        if (!c) { exact = 0; break; }
        for (int e = 0; e < epochs; e++) {
            double want = (k == 4 || (e == 3 && k == 2)) ? NAN : value_of(e, k);
            exact &= isnan(want) ? isnan(c[e]) : c[e] == want;   /* doubles round-trip exactly */
        }
        exact &= k == 4 ? c[epochs] == 0.8125 : isnan(c[epochs]);
    }
    for (int e = 0; e <= epochs && exact; e++)
        /* wall_time is the real-time clock, which a virtual machine's time sync may step by a
         * little in either direction: the values are checked to be times of this run. */
        exact &= ep[e] == e && wt[e] >= t0 - 5 && wt[e] <= (double)time(NULL) + 5;
    CHECK_MSG(exact, "metrics.csv read back differs from what was logged");

    /* The events file: file_version, then one scalar per measured metric. */
    char events[4096];
    CHECK_EQ_INT(find_events(dir, events, sizeof events), 1);
    gat_tfevents_data d;
    CHECK_MSG(gat_tfevents_read(events, &d, &err) == GAT_OK, "%s", err.msg);
    CHECK(d.file_version && !strcmp(d.file_version, "brain.Event:2"));
    CHECK_EQ_INT(d.truncated, 0);
    CHECK_EQ_INT(d.n, epochs * 4 - 1 + 1 + 1);
    size_t i = 0;
    exact = 1;
    for (int e = 0; e < epochs; e++)
        for (int k = 0; k < 4; k++) {
            if (e == 3 && k == 2) continue;
            if (i >= d.n) { exact = 0; break; }
            exact &= !strcmp(d.scalars[i].tag, METRICS[k]) && d.scalars[i].step == e &&
                     d.scalars[i].value == (float)value_of(e, k) && wt && fabs(d.scalars[i].wall_time - wt[e]) <= 0.0006;
            i++;
        }
    exact &= i + 2 == d.n && !strcmp(d.scalars[i].tag, "test_acc") && d.scalars[i].step == epochs &&
             d.scalars[i].value == 0.8125f && !strcmp(d.scalars[i + 1].tag, "test_micro_f1") && d.scalars[i + 1].value == 0.75f;
    CHECK_MSG(exact, "events read back differ from what was logged");
    gat_tfevents_data_free(&d);
    gat_metrics_csv_free(&m);

    /* config.json: typed values, escaping, NaN as null. */
    char *json;
    size_t len;
    snprintf(path, sizeof path, "%s/config.json", dir);
    CHECK_EQ_INT(gat_read_file(path, &json, &len, &err), GAT_OK);
    const char *want[] = {"\"format\": \"gat-run-config\"", "\"format_version\": 1", "\"dataset\": \"cora\"",
                          "\"lr\": 0.005,", "\"epochs\": 10000,", "\"should_test\": true,", "\"heads\": \"8,1\"",
                          "\"odd \\\"name\\\"\\\\\\n\\u0001\": \"tab\\there\"", "\"nan\": null,", "\"none\": null,",
                          "\"seed\": -1\n", "\"metrics\": [\"training_loss\", \"training_acc\", \"val_loss\", \"val_acc\", \"test_acc\"]",
                          "\"events_file\": \"events.out.tfevents."};
    for (size_t w = 0; w < sizeof want / sizeof *want; w++)
        CHECK_MSG(json && strstr(json, want[w]) != NULL, "config.json lacks %s:\n%s", want[w], json ? json : "(none)");
    free(json);

    /* Another run in the same second gets its own folder; without TensorBoard no events file. */
    opt.tensorboard = 0;
    gat_runlog a, b;
    CHECK_EQ_INT(gat_runlog_open(&a, &opt, &err), GAT_OK);
    CHECK_EQ_INT(gat_runlog_open(&b, &opt, &err), GAT_OK);
    CHECK(a.dir && b.dir && strcmp(a.dir, b.dir) != 0 && strcmp(a.dir, dir) != 0);
    CHECK(a.events.fp == NULL);
    CHECK_EQ_INT(gat_runlog_write_scalar(&a, "x", 1, 1.0, &err), GAT_OK);   /* a no-op */
    CHECK_EQ_INT(find_events(a.dir, events, sizeof events), 0);
    snprintf(path, sizeof path, "%s/config.json", a.dir);
    CHECK_EQ_INT(gat_read_file(path, &json, &len, &err), GAT_OK);
    CHECK(json && strstr(json, "\"events_file\": null") != NULL);
    free(json);
    gat_runlog_close(&a, &err);
    gat_runlog_close(&b, &err);
}

/* What a running TensorBoard (or `gat plot`) sees before the run ends. */
static void test_live_flush(const char *tmp) {
    char logdir[4096], events[4096];
    gat_error err = {0};
    snprintf(logdir, sizeof logdir, "%s/live", tmp);
    gat_runlog_options opt = {.logdir = logdir, .tensorboard = 1, .metrics = METRICS, .n_metrics = 2,
                              .flush_secs = 0.2};
    gat_runlog log;
    CHECK_EQ_INT(gat_runlog_open(&log, &opt, &err), GAT_OK);
    if (!log.dir) return;
    CHECK_EQ_INT(find_events(log.dir, events, sizeof events), 1);

    /* Right after open: the header and the file_version record are on disk. */
    gat_metrics_csv m;
    gat_tfevents_data d;
    CHECK_EQ_INT(gat_metrics_csv_read(log.dir, &m, &err), GAT_OK);
    CHECK(m.n_cols == 4 && m.n_rows == 0 && gat_metrics_csv_column(&m, "training_acc") != NULL);
    gat_metrics_csv_free(&m);
    CHECK_EQ_INT(gat_tfevents_read(events, &d, &err), GAT_OK);
    CHECK(d.n_records == 1 && d.n == 0 && !d.truncated);
    gat_tfevents_data_free(&d);

    /* After flush_secs, the next epoch pushes everything out without an explicit flush. */
    double row[2] = {0.5, 0.25};
    CHECK_EQ_INT(gat_runlog_write_epoch(&log, 0, row, &err), GAT_OK);
    struct timespec ts = {0, 250 * 1000 * 1000};
    nanosleep(&ts, NULL);
    CHECK_EQ_INT(gat_runlog_write_epoch(&log, 1, row, &err), GAT_OK);
    CHECK_EQ_INT(gat_metrics_csv_read(log.dir, &m, &err), GAT_OK);
    CHECK_EQ_INT(m.n_rows, 2);
    gat_metrics_csv_free(&m);
    CHECK_EQ_INT(gat_tfevents_read(events, &d, &err), GAT_OK);
    CHECK_EQ_INT(d.n, 4);
    gat_tfevents_data_free(&d);

    /* An explicit flush. */
    log.flush_secs = 1e9;
    CHECK_EQ_INT(gat_runlog_write_epoch(&log, 2, row, &err), GAT_OK);
    CHECK_EQ_INT(gat_runlog_flush(&log, &err), GAT_OK);
    CHECK_EQ_INT(gat_metrics_csv_read(log.dir, &m, &err), GAT_OK);
    CHECK_EQ_INT(m.n_rows, 3);
    gat_metrics_csv_free(&m);
    CHECK_EQ_INT(gat_tfevents_read(events, &d, &err), GAT_OK);
    CHECK_EQ_INT(d.n, 6);
    gat_tfevents_data_free(&d);
    CHECK_EQ_INT(gat_runlog_close(&log, &err), GAT_OK);
}

static void test_errors(const char *tmp) {
    char logdir[4096];
    gat_error err = {0};
    gat_runlog log;
    snprintf(logdir, sizeof logdir, "%s/errors", tmp);
    const char *bad_names[][2] = {{"val,acc", "ok"}, {"", "ok"}, {"epoch", "ok"}, {"a", "a"}, {"x\n", "ok"}};
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        gat_runlog_options opt = {.logdir = logdir, .metrics = bad_names[i], .n_metrics = 2};
        memset(&err, 0, sizeof err);
        CHECK_EQ_INT(gat_runlog_open(&log, &opt, &err), GAT_EINVAL);
        CHECK(err.msg[0] != 0 && log.dir == NULL);
    }
    const gat_param dup[] = {{.key = "lr", .type = GAT_PARAM_FLOAT, .f = 1}, {.key = "lr", .type = GAT_PARAM_FLOAT, .f = 2}};
    gat_runlog_options opt = {.logdir = logdir, .metrics = METRICS, .n_metrics = 1, .params = dup, .n_params = 2};
    CHECK_EQ_INT(gat_runlog_open(&log, &opt, &err), GAT_EINVAL);
    CHECK(strstr(err.msg, "'lr' given twice") != NULL);
    CHECK(!gat_path_exists(logdir));    /* options are checked before anything is created */

    /* A logdir that is a file. */
    char file[4096];
    snprintf(file, sizeof file, "%s/plainfile", tmp);
    CHECK_EQ_INT(gat_write_file(file, "x", 1, &err), GAT_OK);
    opt.logdir = file;
    opt.n_params = 0;
    memset(&err, 0, sizeof err);
    CHECK(gat_runlog_open(&log, &opt, &err) == GAT_EIO && strstr(err.msg, "plainfile") != NULL);

    /* A full disk while writing metrics.csv and events: reported, not ignored. */
    if (access("/dev/full", W_OK) != 0) return;
    opt.logdir = logdir;
    opt.tensorboard = 1;
    opt.flush_secs = -1;                 /* flush every epoch */
    CHECK_EQ_INT(gat_runlog_open(&log, &opt, &err), GAT_OK);
    if (!log.csv) return;
    fclose(log.csv);
    log.csv = fopen("/dev/full", "w");
    double v = 1;
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_runlog_write_epoch(&log, 0, &v, &err), GAT_EIO);
    CHECK_MSG(strstr(err.msg, "metrics.csv: write failed: No space") != NULL, "message: %s", err.msg);
    CHECK_EQ_INT(gat_runlog_write_epoch(&log, 1, &v, &err), GAT_EIO);   /* sticky */
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_runlog_close(&log, &err), GAT_EIO);
    CHECK(strstr(err.msg, "metrics.csv") != NULL);

    CHECK_EQ_INT(gat_runlog_open(&log, &opt, &err), GAT_OK);
    if (!log.events.fp) return;
    fclose(log.events.fp);
    log.events.fp = fopen("/dev/full", "wb");
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_runlog_write_epoch(&log, 0, &v, &err), GAT_EIO);
    CHECK_MSG(strstr(err.msg, "events.out.tfevents.") && strstr(err.msg, "No space"), "message: %s", err.msg);
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(gat_runlog_close(&log, &err), GAT_EIO);
    CHECK(strstr(err.msg, "events.out.tfevents.") != NULL);
}

static void test_metrics_reader(const char *tmp) {
    char path[4096];
    gat_error err = {0};
    gat_metrics_csv m;
    snprintf(path, sizeof path, "%s/m.csv", tmp);

    /* A row cut short by a crash (no final newline) is dropped, CRLF is accepted. */
    const char *text = "epoch,wall_time,loss\r\n0,1.5,0.25\r\n1,2.5,\n\n2,3.5,0.1";
    CHECK_EQ_INT(gat_write_file(path, text, strlen(text), &err), GAT_OK);
    CHECK_EQ_INT(gat_metrics_csv_read(path, &m, &err), GAT_OK);
    CHECK(m.n_cols == 3 && m.n_rows == 2 && m.truncated == 1 && !strcmp(m.names[2], "loss"));
    const double *loss = gat_metrics_csv_column(&m, "loss");
    CHECK(loss && loss[0] == 0.25 && isnan(loss[1]));
    CHECK(gat_metrics_csv_column(&m, "wall_time")[1] == 2.5);
    gat_metrics_csv_free(&m);
    gat_metrics_csv_free(&m);   /* twice is harmless */

    /* A tail zero-filled by a crash is dropped like a partial row; parsing from memory gives
     * the same (found by tests/fuzz/fuzz_metrics_csv: a NUL byte crashed the reader). */
    static const char zeroed[] = "epoch,loss\n0,0.5\n1,0.4\n2,0.\0\0\0\0";
    CHECK_EQ_INT(gat_metrics_csv_parse(zeroed, sizeof zeroed - 1, "mem.csv", &m, &err), GAT_OK);
    CHECK(m.n_rows == 2 && m.truncated == 1 && gat_metrics_csv_column(&m, "loss")[1] == 0.4);
    gat_metrics_csv_free(&m);
    CHECK_EQ_INT(gat_metrics_csv_parse("\0\n", 2, "mem.csv", &m, &err), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, "mem.csv: no header line") != NULL, "%s", err.msg); /* all tail */
    CHECK_EQ_INT(gat_metrics_csv_parse("epoch\n\0x\n", 9, "mem.csv", &m, &err), GAT_EFORMAT); /* not a tail */
    CHECK_MSG(strstr(err.msg, "mem.csv: line 2 holds a NUL byte") != NULL, "%s", err.msg);
    CHECK_EQ_INT(gat_metrics_csv_parse("epoch,loss\n0,1\n", 15, "mem.csv", &m, &err), GAT_OK);
    CHECK(m.n_rows == 1 && m.truncated == 0);
    gat_metrics_csv_free(&m);

    struct { const char *text, *msg; } bad[] = {
        {"epoch,loss\n0,1\n1,2,3\n", "m.csv: line 3: 3 cells, the header has 2"},
        {"epoch,loss\n0,abc\n", "m.csv: line 2: loss: 'abc' is not a number"},
        {"epoch,,loss\n", "m.csv: line 1: column 2 has no name"},
        {"epoch,loss", "m.csv: no header line"},
        {"", "m.csv: no header line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ_INT(gat_write_file(path, bad[i].text, strlen(bad[i].text), &err), GAT_OK);
        memset(&err, 0, sizeof err);
        CHECK_EQ_INT(gat_metrics_csv_read(path, &m, &err), GAT_EFORMAT);
        CHECK_MSG(strstr(err.msg, bad[i].msg) != NULL, "case %zu: %s", i, err.msg);
        CHECK(m.names == NULL && m.values == NULL);
    }
    snprintf(path, sizeof path, "%s/none", tmp);
    CHECK_EQ_INT(gat_metrics_csv_read(path, &m, &err), GAT_ENOTFOUND);
}


/* config.json holds the values as given (0.6, not 0.60000002384185791) and lists as arrays,
 * both list forms read back; TensorBoard steps follow pytorch-GAT from 0 with step_offset -1;
 * results.json holds typed results. */
static void test_config_values_and_results(const char *tmp) {
    char logdir[4096], path[8192];
    gat_error err = {0};
    snprintf(logdir, sizeof logdir, "%s/polish", tmp);
    const int64_t heads[2] = {8, 1}, feats[2] = {8, 7};
    const float dropout = 0.6f;
    const gat_param params[] = {
        {.key = "dropout", .type = GAT_PARAM_FLOAT, .f = dropout},          /* a float32 option */
        {.key = "lr", .type = GAT_PARAM_FLOAT, .f = 0.005},
        {.key = "weight_decay", .type = GAT_PARAM_FLOAT, .f = 5e-4},
        {.key = "third", .type = GAT_PARAM_FLOAT, .f = 1.0 / 3.0},         /* needs all 17 digits */
        {.key = "num_heads_per_layer", .type = GAT_PARAM_INT_LIST, .list = heads, .n = 2},
        {.key = "num_features_per_layer", .type = GAT_PARAM_INT_LIST, .list = feats, .n = 2},
        {.key = "empty", .type = GAT_PARAM_INT_LIST, .list = NULL, .n = 0},
    };
    const char *metrics[] = {"training_loss", "val_acc"};
    gat_runlog_options opt = {.logdir = logdir, .tensorboard = 1, .metrics = metrics, .n_metrics = 2,
                              .params = params, .n_params = sizeof params / sizeof *params, .step_offset = -1};
    gat_runlog log;
    CHECK_MSG(gat_runlog_open(&log, &opt, &err) == GAT_OK, "%s", err.msg);
    if (!log.dir) return;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", log.dir);
    for (int e = 1; e <= 3; e++) {
        double v[2] = {1.0 / e, 0.25 * e};
        CHECK_EQ_INT(gat_runlog_write_epoch(&log, e, v, &err), GAT_OK);
    }
    CHECK_EQ_INT(gat_runlog_write_scalar(&log, "test_acc", 2, 0.75, &err), GAT_OK);
    CHECK_EQ_INT(gat_runlog_close(&log, &err), GAT_OK);

    char *text;
    size_t len;
    snprintf(path, sizeof path, "%s/config.json", dir);
    CHECK_EQ_INT(gat_read_file(path, &text, &len, &err), GAT_OK);
    const char *want[] = {"\"dropout\": 0.6,", "\"lr\": 0.005,", "\"weight_decay\": 0.0005,",
                          "\"third\": 0.3333333333333333,", "\"num_heads_per_layer\": [8, 1],",
                          "\"num_features_per_layer\": [8, 7],", "\"empty\": []\n"};
    for (size_t w = 0; w < sizeof want / sizeof *want; w++)
        CHECK_MSG(text && strstr(text, want[w]) != NULL, "config.json lacks %s:\n%s", want[w], text ? text : "(none)");
    gat_json j;
    CHECK_EQ_INT(gat_json_parse(text, len, path, &j, &err), GAT_OK);
    const gat_json *c = gat_json_get(&j, "config");
    const gat_json *d = gat_json_get(c, "dropout"), *h = gat_json_get(c, "num_heads_per_layer");
    CHECK(d && d->type == GAT_JSON_NUMBER && d->number == 0.6 && (float)d->number == dropout);
    CHECK(h && h->type == GAT_JSON_ARRAY && h->n == 2);
    long long got[4] = {0};
    CHECK_EQ_INT(gat_json_int_list(h, got, 4), 2);
    CHECK(got[0] == 8 && got[1] == 1);
    CHECK_EQ_INT(gat_json_int_list(gat_json_get(c, "empty"), got, 4), 0);
    gat_json_free(&j);
    free(text);

    /* the form older files hold: lists as strings, float32 digits; both read back */
    const char *old = "{\"config\": {\"num_heads_per_layer\": \"8,1\", \"dropout\": 0.60000002384185791, "
                      "\"bad\": \"8,,1\", \"frac\": [1.5], \"n\": 3}}";
    CHECK_EQ_INT(gat_json_parse(old, strlen(old), "old.json", &j, &err), GAT_OK);
    c = gat_json_get(&j, "config");
    CHECK_EQ_INT(gat_json_int_list(gat_json_get(c, "num_heads_per_layer"), got, 4), 2);
    CHECK(got[0] == 8 && got[1] == 1);
    CHECK((float)gat_json_get(c, "dropout")->number == dropout);
    CHECK_EQ_INT(gat_json_int_list(gat_json_get(c, "bad"), got, 4), -1);
    CHECK_EQ_INT(gat_json_int_list(gat_json_get(c, "frac"), got, 4), -1);
    CHECK_EQ_INT(gat_json_int_list(gat_json_get(c, "n"), got, 4), -1);
    CHECK_EQ_INT(gat_json_int_list(gat_json_get(c, "absent"), got, 4), -1);
    gat_json_free(&j);

    /* TensorBoard steps from 0 (epoch 1 is step 0), metrics.csv epochs as logged */
    char events[4096];
    CHECK_EQ_INT(find_events(dir, events, sizeof events), 1);
    gat_tfevents_data td;
    CHECK_EQ_INT(gat_tfevents_read(events, &td, &err), GAT_OK);
    CHECK_EQ_INT(td.n, 7);
    if (td.n == 7) {
        CHECK(td.scalars[0].step == 0 && td.scalars[1].step == 0 && td.scalars[4].step == 2);
        CHECK(!strcmp(td.scalars[6].tag, "test_acc") && td.scalars[6].step == 2 && td.scalars[6].value == 0.75f);
    }
    gat_tfevents_data_free(&td);
    gat_metrics_csv m;
    CHECK_EQ_INT(gat_metrics_csv_read(dir, &m, &err), GAT_OK);
    CHECK(m.n_rows == 3 && gat_metrics_csv_column(&m, "epoch")[0] == 1 && gat_metrics_csv_column(&m, "epoch")[2] == 3);
    gat_metrics_csv_free(&m);

    /* results.json: typed values, NaN as null */
    const gat_param results[] = {
        {.key = "epochs", .type = GAT_PARAM_INT, .i = 3},
        {.key = "test_acc", .type = GAT_PARAM_FLOAT, .f = 0.75},
        {.key = "test_loss", .type = GAT_PARAM_FLOAT, .f = NAN},
        {.key = "kept_best", .type = GAT_PARAM_BOOL, .i = 1},
        {.key = "model", .type = GAT_PARAM_STRING, .s = "models/binaries/gat_X_000000.safetensors"},
    };
    CHECK_EQ_INT(gat_run_write_results(dir, results, 5, &err), GAT_OK);
    snprintf(path, sizeof path, "%s/results.json", dir);
    CHECK_EQ_INT(gat_read_file(path, &text, &len, &err), GAT_OK);
    CHECK_EQ_INT(gat_json_parse(text, len, path, &j, &err), GAT_OK);
    const gat_json *f = gat_json_get(&j, "format"), *r = gat_json_get(&j, "results");
    CHECK(f && f->type == GAT_JSON_STRING && !strcmp(f->string, "gat-run-results"));
    CHECK(gat_json_get(r, "epochs") && gat_json_get(r, "epochs")->type == GAT_JSON_NUMBER &&
          gat_json_get(r, "epochs")->number == 3);
    CHECK(gat_json_get(r, "test_acc") && gat_json_get(r, "test_acc")->number == 0.75);
    CHECK(gat_json_get(r, "test_loss") && gat_json_get(r, "test_loss")->type == GAT_JSON_NULL);
    CHECK(gat_json_get(r, "kept_best") && gat_json_get(r, "kept_best")->type == GAT_JSON_BOOL);
    CHECK(gat_json_get(r, "model") && gat_json_get(r, "model")->type == GAT_JSON_STRING);
    gat_json_free(&j);
    free(text);
    const gat_param bad[] = {{.key = "", .type = GAT_PARAM_INT}};
    CHECK_EQ_INT(gat_run_write_results(dir, bad, 1, &err), GAT_EINVAL);
    snprintf(path, sizeof path, "%s/no/such", tmp);
    CHECK(gat_run_write_results(path, results, 5, &err) != GAT_OK);
}

int main(void) {
    const char *tmp = check_tmpdir("runlog");
    test_full_run(tmp);
    test_live_flush(tmp);
    test_errors(tmp);
    test_metrics_reader(tmp);
    test_config_values_and_results(tmp);
    return check_summary();
}
