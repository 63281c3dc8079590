/* scale_chart.c - draw bench/scale.sh's results: time per epoch and peak memory against the
 * number of nodes, log-log, one line per system and mode (measured solid, gat's estimate
 * dashed, also where gat refused the run because the estimate did not fit). Time is the CPU
 * time per epoch (cpu_epoch_s, column 14) where the file has it, else the wall time. Usage: scale_chart results.csv OUT_STEM (writes OUT_STEM.png and OUT_STEM.svg). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/chart.h"

#define MAXR 256

typedef struct {
    double nodes, epoch_s, cpu_epoch_s, peak_mb, est_mb;
    char system[16], mode[16], status[16];
} row;

static double num(const char *s) { return *s ? atof(s) : NAN; }

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: scale_chart results.csv OUT_STEM\n");
        return 2;
    }
    FILE *fp = fopen(argv[1], "r");
    if (!fp) {
        fprintf(stderr, "scale_chart: cannot open %s\n", argv[1]);
        return 1;
    }
    row r[MAXR];
    int n = 0;
    char line[1024];
    if (!fgets(line, sizeof line, fp)) return 1;
    while (n < MAXR && fgets(line, sizeof line, fp)) {
        char *f[16] = {0};
        int k = 0;
        for (char *p = line, *q; k < 16; k++) {
            f[k] = p;
            q = strpbrk(p, ",\n");
            if (!q) { k++; break; }
            *q = 0;
            p = q + 1;
        }
        if (k < 12) continue;
        row *x = &r[n++];
        x->nodes = num(f[0]);
        snprintf(x->system, sizeof x->system, "%s", f[2]);
        snprintf(x->mode, sizeof x->mode, "%s", f[3]);
        x->epoch_s = num(f[6]);
        x->cpu_epoch_s = k > 13 ? num(f[13]) : NAN;
        x->peak_mb = num(f[7]);
        x->est_mb = num(f[8]);
        snprintf(x->status, sizeof x->status, "%s", f[11]);
    }
    fclose(fp);
    gat_error err = {0};
    gat_figure *fig;
    if (gat_figure_new(&fig, 1, 2, 1040, 360, &err)) return 1;
    gat_figure_title(fig, "Scaling: synthetic power-law graphs, avg degree 15, 300 sparse features, 16 classes");
    gat_panel *pt = gat_figure_panel(fig, 0, 0, 1, 1), *pm = gat_figure_panel(fig, 0, 1, 1, 1);
    int cpu = 0;
    for (int i = 0; i < n; i++) cpu |= r[i].cpu_epoch_s > 0;
    gat_panel_labels(pt, cpu ? "CPU time per epoch (1 thread)" : "Time per epoch", "nodes", "seconds");
    gat_panel_labels(pm, "Peak memory", "nodes", "MB");
    gat_panel_log(pt, 1, 1);
    gat_panel_log(pm, 1, 1);
    struct { const char *system, *mode, *label; int color; } series[] = {
        {"gat", "full", "gat full batch", 0},
        {"gat", "sampled", "gat sampled (B=1024, 15,10)", 1},
        {"pyg", "full", "PyG GATConv full batch", 2},
        {"pyg", "sampled", "PyG GATConv + torch sampler (B=1024, 15,10)", 3},
    };
    for (size_t s = 0; s < sizeof series / sizeof *series; s++) {
        double x[MAXR], xt[MAXR], t[MAXR], m[MAXR], xe[MAXR], e[MAXR];
        size_t k = 0, kt = 0, ke = 0;
        for (int i = 0; i < n; i++) {
            if (strcmp(r[i].system, series[s].system) || strcmp(r[i].mode, series[s].mode)) continue;
            /* a run refused by gat's estimate still has its estimate */
            if ((!strcmp(r[i].status, "ok") || !strcmp(r[i].status, "refused")) && r[i].est_mb > 0) {
                xe[ke] = r[i].nodes;
                e[ke++] = r[i].est_mb;
            }
            if (strcmp(r[i].status, "ok")) continue;
            x[k] = r[i].nodes;
            m[k] = r[i].peak_mb;
            k++;
            const double ts = cpu ? r[i].cpu_epoch_s : r[i].epoch_s;
            if (ts > 0) {
                xt[kt] = r[i].nodes;
                t[kt++] = ts;
            }
        }
        if (!k) continue;
        gat_style st = {.label = series[s].label, .color = series[s].color, .markers = 1};
        if (kt) gat_panel_line(pt, xt, t, kt, &st, &err);
        gat_panel_line(pm, x, m, k, &st, &err);
        if (!strcmp(series[s].system, "gat")) {
            char lab[64];
            snprintf(lab, sizeof lab, "gat %s, estimate%s", series[s].mode, ke > k ? " (refused too)" : "");
            gat_style se = {.label = lab, .color = series[s].color, .dashed = 1};
            gat_panel_line(pm, xe, e, ke, &se, &err);
        }
    }
    gat_panel_legend(pt, GAT_LEGEND_UPPER_LEFT);
    gat_panel_legend(pm, GAT_LEGEND_UPPER_LEFT);
    char path[4096];
    int rc = 0;
    snprintf(path, sizeof path, "%s.png", argv[2]);
    rc |= gat_figure_save(fig, path, 2.0, &err);
    snprintf(path, sizeof path, "%s.svg", argv[2]);
    rc |= gat_figure_save(fig, path, 1.0, &err);
    gat_figure_free(fig);
    gat_chart_shutdown();
    if (rc) {
        fprintf(stderr, "scale_chart: %s\n", err.msg);
        return 1;
    }
    printf("drew %s.png and %s.svg\n", argv[2], argv[2]);
    return 0;
}
