/* test_plot_runs.c - training curves: the best validation epoch as gat train picks it,
 * valid PNG (of the expected size) and SVG for one and several runs, and clear errors for
 * missing or empty runs, bad options and unwritable outputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "gat/chart.h"
#include "gat/fileio.h"
#include "gat/plot_runs.h"
#include "gat/runlog.h"
#include "picture_check.h"

static const char *tmp;

/* A run folder holding metrics.csv with the given text (and a config.json when seed >= 0). */
static void make_run(char *dir, size_t size, const char *name, const char *csv, int seed) {
    gat_error err = {0};
    char path[4200];
    snprintf(dir, size, "%s/%s", tmp, name);
    CHECK_EQ_INT(gat_mkdirs(dir, &err), GAT_OK);
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    CHECK_EQ_INT(gat_write_file(path, csv, strlen(csv), &err), GAT_OK);
    if (seed >= 0) {
        char json[256];
        int n = snprintf(json, sizeof json, "{\"format\": \"gat-run-config\", \"config\": {\"dataset_name\": \"toy\", \"seed\": %d}}\n", seed);
        snprintf(path, sizeof path, "%s/config.json", dir);
        CHECK_EQ_INT(gat_write_file(path, json, (size_t)n, &err), GAT_OK);
    }
}

/* metrics.csv of a synthetic run: loss falls, accuracy rises and is noisy; epoch 40 has
 * the top validation accuracy (0.9) twice, at 40 and 55, with the lower loss at 55. */
static char *synthetic_csv(int epochs, int tested) {
    size_t cap = (size_t)epochs * 128 + 256, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s + len, cap - len, "epoch,wall_time,training_loss,training_acc,val_loss,val_acc,test_acc\n");
    for (int e = 1; e <= epochs; e++) {
        double noise = 0.02 * sin(e * 1.7);
        double vacc = 0.5 + 0.3 * (1 - exp(-e / 15.0)) + noise, vloss = 1.9 * exp(-e / 30.0) + 0.3;
        if (e == 40) { vacc = 0.9; vloss = 0.6; }
        if (e == 55) { vacc = 0.9; vloss = 0.5; }
        len += (size_t)snprintf(s + len, cap - len, "%d,%.3f,%.6f,%.6f,%.6f,%.6f,\n", e, 1000.0 + e * 0.01,
                                2.0 * exp(-e / 25.0) + 0.4 + noise, 0.4 + 0.3 * (1 - exp(-e / 20.0)) - noise, vloss, vacc);
    }
    if (tested) len += (size_t)snprintf(s + len, cap - len, "%d,%.3f,,,,,0.812\n", epochs, 1000.0 + epochs * 0.01 + 0.01);
    return s;
}

static void best_epoch(void) {
    char dir[4096];
    char *csv = synthetic_csv(80, 1);
    make_run(dir, sizeof dir, "best", csv, 1);
    free(csv);
    gat_metrics_csv m;
    gat_error err = {0};
    CHECK_EQ_INT(gat_metrics_csv_read(dir, &m, &err), GAT_OK);
    int64_t e;
    double acc, loss;
    gat_run_best_epoch(&m, &e, &acc, &loss);
    CHECK_EQ_INT(e, 55);   /* ties on accuracy go to the lower loss */
    CHECK_NEAR(acc, 0.9, 1e-12);
    CHECK_NEAR(loss, 0.5, 1e-12);
    gat_metrics_csv_free(&m);

    /* a multi-label run (PPI) is scored by micro-F1: its best epoch is the top val_micro_f1 */
    make_run(dir, sizeof dir, "ppi", "epoch,wall_time,training_loss,training_micro_f1,val_loss,val_micro_f1\n"
             "1,0,0.7,0.52,0.51,0.64\n2,0,0.5,0.68,0.43,0.73\n3,0,0.4,0.75,0.45,0.71\n", 1);
    CHECK_EQ_INT(gat_metrics_csv_read(dir, &m, &err), GAT_OK);
    gat_run_best_epoch(&m, &e, &acc, &loss);
    CHECK_EQ_INT(e, 2);
    CHECK_NEAR(acc, 0.73, 1e-12);
    CHECK_NEAR(loss, 0.43, 1e-12);
    gat_metrics_csv_free(&m);
    char stem[4200], files[2][1024];
    int n = 0;
    const char *one[1] = {dir};
    snprintf(stem, sizeof stem, "%s/ppi_curves", tmp);
    gat_plot_options o = {.no_svg = 1, .scale = 1};
    CHECK_EQ_INT(gat_plot_runs(one, 1, stem, &o, files, &n, &err), GAT_OK);
    if (n == 1) CHECK_PNG(files[0], 960, 400);

    /* a run without validation columns has no best epoch */
    make_run(dir, sizeof dir, "noval", "epoch,wall_time,training_loss\n1,0,1.5\n2,0,1.2\n", -1);
    CHECK_EQ_INT(gat_metrics_csv_read(dir, &m, &err), GAT_OK);
    gat_run_best_epoch(&m, &e, &acc, &loss);
    CHECK_EQ_INT(e, -1);
    gat_metrics_csv_free(&m);
}

static void pictures(void) {
    char a[4096], b[4096], c[4096], stem[4200];
    char *csv = synthetic_csv(120, 1);
    make_run(a, sizeof a, "run_a", csv, 1);
    free(csv);
    csv = synthetic_csv(90, 0);
    make_run(b, sizeof b, "run_b", csv, 2);
    free(csv);
    make_run(c, sizeof c, "run_c", "epoch,wall_time,training_loss,training_acc,val_loss,val_acc\n1,0,2,0.1,2,0.2\n", -1);

    gat_error err = {0};
    char files[2][1024];
    int n = 0;
    const char *one[1] = {a};
    snprintf(stem, sizeof stem, "%s/curves", a);
    gat_plot_options o = {0};
    CHECK_EQ_INT(gat_plot_runs(one, 1, stem, &o, files, &n, &err), GAT_OK);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK_PNG(files[0], 1920, 800);   /* 960 x 400 points at the default scale 2 */
        CHECK_SVG(files[1]);
    }

    /* three runs (one with a single epoch), smoothed, log epoch axis, PNG only at scale 1 */
    const char *three[3] = {a, b, c};
    snprintf(stem, sizeof stem, "%s/compare", tmp);
    o = (gat_plot_options){.smooth = 0.6, .logx = 1, .title = "three runs", .no_svg = 1, .scale = 1};
    CHECK_EQ_INT(gat_plot_runs(three, 3, stem, &o, files, &n, &err), GAT_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) CHECK_PNG(files[0], 960, 400);
    snprintf(stem, sizeof stem, "%s/compare.svg", tmp);
    CHECK(!gat_path_exists(stem));

    /* SVG only */
    snprintf(stem, sizeof stem, "%s/svgonly", tmp);
    o = (gat_plot_options){.no_png = 1};
    CHECK_EQ_INT(gat_plot_runs(three, 2, stem, &o, files, &n, &err), GAT_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) CHECK_SVG(files[0]);
}

static void errors(void) {
    gat_error err = {0};
    char files[2][1024], dir[4096], stem[4200];
    int n = 0;
    gat_plot_options o = {0};

    snprintf(dir, sizeof dir, "%s/no_such_run", tmp);
    const char *missing[1] = {dir};
    snprintf(stem, sizeof stem, "%s/x", tmp);
    CHECK(gat_plot_runs(missing, 1, stem, &o, files, &n, &err) != GAT_OK);
    CHECK_MSG(strstr(err.msg, "no_such_run") != NULL, "error names the run: %s", err.msg);

    make_run(dir, sizeof dir, "empty", "epoch,wall_time,training_loss\n", -1);
    const char *empty[1] = {dir};
    CHECK_EQ_INT(gat_plot_runs(empty, 1, stem, &o, files, &n, &err), GAT_EFORMAT);
    CHECK_MSG(strstr(err.msg, "no epochs") != NULL, "empty run: %s", err.msg);

    make_run(dir, sizeof dir, "garbage", "epoch,val_acc\n1,abc\n", -1);
    const char *garbage[1] = {dir};
    CHECK(gat_plot_runs(garbage, 1, stem, &o, files, &n, &err) != GAT_OK);
    CHECK_MSG(strstr(err.msg, "metrics.csv") != NULL, "malformed metrics.csv: %s", err.msg);

    char *csv = synthetic_csv(10, 0);
    make_run(dir, sizeof dir, "ok", csv, -1);
    free(csv);
    const char *ok[1] = {dir};
    o.smooth = 1;
    CHECK_EQ_INT(gat_plot_runs(ok, 1, stem, &o, files, &n, &err), GAT_EINVAL);
    o.smooth = NAN;
    CHECK_EQ_INT(gat_plot_runs(ok, 1, stem, &o, files, &n, &err), GAT_EINVAL);
    o = (gat_plot_options){.no_png = 1, .no_svg = 1};
    CHECK_EQ_INT(gat_plot_runs(ok, 1, stem, &o, files, &n, &err), GAT_EINVAL);
    o = (gat_plot_options){0};
    CHECK_EQ_INT(gat_plot_runs(ok, 0, stem, &o, files, &n, &err), GAT_EINVAL);

    /* an output folder that does not exist: an error naming it, nothing written */
    snprintf(stem, sizeof stem, "%s/no/such/folder/curves", tmp);
    CHECK(gat_plot_runs(ok, 1, stem, &o, files, &n, &err) != GAT_OK);
    CHECK_MSG(strstr(err.msg, "no/such/folder") != NULL, "unwritable output: %s", err.msg);
    CHECK_EQ_INT(n, 0);
}

/* Legend labels: what differs between runs' config.json (settings that do not change the
 * result left out), the folder name when nothing does or there is no config, --label. */
static void put_config(const char *dir, const char *config) {
    char path[4200], json[1024];
    gat_error err = {0};
    int n = snprintf(json, sizeof json, "{\"format\": \"gat-run-config\", \"config\": {%s}}\n", config);
    snprintf(path, sizeof path, "%s/config.json", dir);
    CHECK_EQ_INT(gat_write_file(path, json, (size_t)n, &err), GAT_OK);
}

static void labels(void) {
    char d[5][4096];
    char *csv = synthetic_csv(10, 0);
    const char *names[5] = {"lab_a", "lab_b", "lab_c", "lab_d", "lab_e"};
    for (int r = 0; r < 5; r++) make_run(d[r], sizeof d[r], names[r], csv, -1);
    free(csv);
    put_config(d[0], "\"dataset_name\": \"cora\", \"lr\": 0.01, \"seed\": 1, \"threads\": 1, "
                     "\"num_heads_per_layer\": [8, 1], \"model_path\": \"m/a.safetensors\"");
    put_config(d[1], "\"dataset_name\": \"cora\", \"lr\": 0.005, \"seed\": 1, \"threads\": 2, "
                     "\"num_heads_per_layer\": [8, 1], \"model_path\": \"m/b.safetensors\"");
    put_config(d[2], "\"dataset_name\": \"citeseer\", \"lr\": 0.005, \"seed\": 2, \"threads\": 2, "
                     "\"num_heads_per_layer\": [4, 1], \"model_path\": \"m/c.safetensors\"");
    put_config(d[3], "\"dataset_name\": \"cora\", \"lr\": 0.01, \"seed\": 1, \"threads\": 8, "
                     "\"num_heads_per_layer\": [8, 1], \"model_path\": \"m/d.safetensors\"");
    char lab[10][256];
    const char *two[2] = {d[0], d[1]};
    gat_plot_run_labels(two, 2, NULL, lab);
    CHECK_MSG(!strcmp(lab[0], "lr=0.01") && !strcmp(lab[1], "lr=0.005"), "what differs: '%s', '%s'", lab[0], lab[1]);
    const char *three[3] = {d[0], d[1], d[2]};
    gat_plot_run_labels(three, 3, NULL, lab);
    CHECK_MSG(!strcmp(lab[0], "Cora, lr=0.01, seed=1, num_heads_per_layer=8,1"), "several settings: '%s'", lab[0]);
    CHECK_MSG(!strcmp(lab[2], "CiteSeer, lr=0.005, seed=2, num_heads_per_layer=4,1") ||
                  !strcmp(lab[2], "Citeseer, lr=0.005, seed=2, num_heads_per_layer=4,1"),
              "the dataset by its name: '%s'", lab[2]);
    /* the same settings (threads differ, which changes nothing): folders tell them apart */
    const char *same[2] = {d[0], d[3]};
    gat_plot_run_labels(same, 2, NULL, lab);
    CHECK_MSG(!strcmp(lab[0], "lab_a") && !strcmp(lab[1], "lab_d"), "nothing differs: folders '%s', '%s'", lab[0], lab[1]);
    const char *dup[3] = {d[0], d[1], d[3]};
    gat_plot_run_labels(dup, 3, NULL, lab);
    CHECK_MSG(!strcmp(lab[0], "lr=0.01 (lab_a)") && !strcmp(lab[1], "lr=0.005") && !strcmp(lab[2], "lr=0.01 (lab_d)"),
              "equal labels get their folder: '%s', '%s', '%s'", lab[0], lab[1], lab[2]);
    /* no config.json: the folder's name (a trailing slash ignored) */
    char slash[4200];
    snprintf(slash, sizeof slash, "%s/", d[4]);
    const char *mixed[2] = {slash, d[0]};
    gat_plot_run_labels(mixed, 2, NULL, lab);
    CHECK_MSG(!strcmp(lab[0], "lab_e") && !strcmp(lab[1], "lab_a"), "no config: folder names '%s', '%s'", lab[0], lab[1]);
    /* one run: dataset and seed */
    gat_plot_run_labels(two, 1, NULL, lab);
    CHECK_MSG(!strcmp(lab[0], "Cora, seed 1"), "one run: '%s'", lab[0]);
    /* labels given win, an empty one keeps the default */
    const char *given[2] = {"first try", ""};
    gat_plot_options o = {.labels = given, .n_labels = 2};
    gat_plot_run_labels(two, 2, &o, lab);
    CHECK_MSG(!strcmp(lab[0], "first try") && !strcmp(lab[1], "lr=0.005"), "given labels: '%s', '%s'", lab[0], lab[1]);
}

int main(void) {
    tmp = check_tmpdir("plot_runs");
    best_epoch();
    pictures();
    errors();
    labels();
    gat_chart_shutdown();
    return check_summary();
}
