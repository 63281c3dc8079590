/* test_metrics_csv_bad.c - damaged metrics.csv files: NUL bytes (a tail zero-filled by a
 * crash, or NULs inside the data) and epochs that are not whole numbers in range (1e300,
 * NaN, inf, empty, negative, 2.5) are refused or dropped with a message naming the file and
 * line; nothing is converted with undefined behaviour. */
#include <string.h>

#include "check.h"
#include "gat/plot_runs.h"
#include "gat/runlog.h"
#include "io_util.h"

static const char *dir;

static int read_bytes(const char *name, const char *bytes, size_t len, gat_metrics_csv *m) {
    const char *p = io_put(dir, name, bytes, len);
    memset(&err, 0, sizeof err);
    return gat_metrics_csv_read(p, m, &err);
}

int main(void) {
    dir = check_tmpdir("test_metrics_csv_bad");
    gat_metrics_csv m;
    memset(&m, 0, sizeof m);

    /* two bytes, NUL and newline: no header */
    CHECK_EQ_INT(read_bytes("nul2.csv", "\0\n", 2, &m), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, "nul2.csv") != NULL, "message names the file: %s", err.msg);
    gat_metrics_csv_free(&m);

    /* a good file whose tail a crash zero-filled: the rows before it are kept, flagged truncated */
    static const char tail[] = "epoch,val_acc\n1,0.5\n2,0.6\n\0\0\0\0\0\0\0\0";
    CHECK_EQ_INT(read_bytes("tail.csv", tail, sizeof tail - 1, &m), GAT_OK);
    CHECK(m.n_rows == 2 && m.truncated == 1);
    gat_metrics_csv_free(&m);
    static const char tail2[] = "epoch,val_acc\n1,0.5\n2,0.\0\0\0\0\n\0\0";
    CHECK_EQ_INT(read_bytes("tail2.csv", tail2, sizeof tail2 - 1, &m), GAT_OK);
    CHECK(m.n_rows == 1 && m.truncated == 1);
    gat_metrics_csv_free(&m);

    /* a NUL in the middle, with data after it: refused, naming the line */
    static const char mid[] = "epoch,val_acc\n1,0\0.5\n2,0.6\n";
    CHECK_EQ_INT(read_bytes("mid.csv", mid, sizeof mid - 1, &m), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, "mid.csv") && strstr(err.msg, "line 2") && strstr(err.msg, "NUL"), "%s", err.msg);
    gat_metrics_csv_free(&m);
    static const char head[] = "ep\0och,val_acc\n1,0.5\n";
    CHECK_EQ_INT(read_bytes("head.csv", head, sizeof head - 1, &m), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, "line 1") && strstr(err.msg, "NUL"), "%s", err.msg);
    gat_metrics_csv_free(&m);

    /* epochs that are not whole numbers in range */
    static const char *bad[] = {"1e300", "nan", "NaN", "inf", "-inf", "", "-1", "2.5", "1e16"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[128];
        int n = snprintf(text, sizeof text, "epoch,val_acc\n1,0.5\n%s,0.6\n", bad[i]);
        CHECK_EQ_INT(read_bytes("epoch.csv", text, (size_t)n, &m), GAT_EFORMAT);
        CHECK_MSG(strstr(err.msg, "epoch.csv") && strstr(err.msg, "line 3") && strstr(err.msg, "epoch"),
                  "epoch '%s': %s", bad[i], err.msg);
        gat_metrics_csv_free(&m);
    }
    /* the same through gat_plot_runs: an error, not a crash */
    static const char big[] = "epoch,training_loss,training_acc,val_loss,val_acc\n1e300,1,0.5,1,0.5\n";
    const char *run = io_put(dir, "metrics.csv", big, sizeof big - 1);
    (void)run;
    gat_plot_options po;
    memset(&po, 0, sizeof po);
    char stem[4096], files[2][1024];
    int n_files = 0;
    snprintf(stem, sizeof stem, "%s/curves", dir);
    const char *runs[1] = {dir};
    memset(&err, 0, sizeof err);
    CHECK(gat_plot_runs(runs, 1, stem, &po, files, &n_files, &err) != GAT_OK);
    CHECK_MSG(strstr(err.msg, "line 2") && strstr(err.msg, "epoch"), "%s", err.msg);
    return check_summary();
}
