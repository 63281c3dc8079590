#define _GNU_SOURCE
/* fuzz_run.c - a run folder as gat plot reads it: config.json (the run's label) and
 * metrics.csv, drawn to SVG by gat_plot_runs (so hostile values also reach the chart code:
 * huge or NaN epochs, infinite losses, one row, thousands of columns).
 *
 * An input is config.json's bytes, the separator line below, then metrics.csv's bytes (no
 * separator: all of it is metrics.csv and there is no config.json). Both files are written
 * to one private temporary folder, reused by every input. */
#include <stdint.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "gat/chart.h"
#include "gat/fileio.h"
#include "gat/plot_runs.h"

#define SEP "\n=== metrics.csv ===\n"

static char dir[256], run[300], cfg[320], csv[320], stem[320];

static void put(const char *path, const uint8_t *p, size_t n) {
    FILE *fp = fopen(path, "wb");
    if (!fp) abort();
    if (n && fwrite(p, 1, n, fp) != n) abort();
    if (fclose(fp)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cleanup(void) {
    unlink(cfg);
    unlink(csv);
    char p[400];
    snprintf(p, sizeof p, "%s.svg", stem);
    unlink(p);
    rmdir(run);
    rmdir(dir);
    gat_chart_shutdown();
}

/* cairo and fontconfig load the font once and keep it for the process: draw one plain run
 * before fuzzing so that load is not reported as a leak of the first input, and release it
 * at exit. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    static const char warm[] = "epoch,wall_time,training_loss,val_loss,training_acc,val_acc,test_acc\n"
                               "0,1,1.9,1.8,0.3,0.35,\n1,2,1.5,1.6,0.5,0.45,0.5\n";
    LLVMFuzzerTestOneInput((const uint8_t *)warm, sizeof warm - 1);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        const char *t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(dir, sizeof dir, "%s/gat-fuzz-run.XXXXXX", t);
        if (!mkdtemp(dir)) abort();
        snprintf(run, sizeof run, "%s/run", dir);
        gat_error e = {0};
        if (gat_mkdirs(run, &e)) abort();
        snprintf(cfg, sizeof cfg, "%s/config.json", run);
        snprintf(csv, sizeof csv, "%s/metrics.csv", run);
        snprintf(stem, sizeof stem, "%s/curves", dir);
    }
    const uint8_t *sep = memmem(data, size, SEP, strlen(SEP));
    unlink(cfg);
    if (sep) {
        put(cfg, data, (size_t)(sep - data));
        size_t skip = (size_t)(sep - data) + strlen(SEP);
        put(csv, data + skip, size - skip);
    } else {
        put(csv, data, size);
    }
    const char *runs[1] = {run};
    gat_plot_options o = {.no_png = 1};
    char files[2][1024];
    int n_files = 0;
    gat_error err = {0};
    int rc = gat_plot_runs(runs, 1, stem, &o, files, &n_files, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        FUZZ_CHECK(n_files == 0);
    } else {
        FUZZ_CHECK(n_files == 1 && access(files[0], R_OK) == 0);
    }
    return 0;
}
