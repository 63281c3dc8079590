/* cmd_plot.c - gat plot RUN...: training curves of run folders (metrics.csv) as PNG and SVG. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "gat/fileio.h"
#include "gat/plot_runs.h"

static void plot_usage(FILE *fp) {
    fprintf(fp,
        "usage: gat plot RUN [RUN...] [options]\n\n"
        "Draw the loss and accuracy curves of one or more training runs (the folders 'gat train'\n"
        "writes under runs/, each holding metrics.csv) into one figure, as PNG and SVG: validation\n"
        "solid, training dashed, one colour per run, the best validation epoch marked. Of several\n"
        "paths (gat plot runs/*), those that are not runs (files, folders without metrics.csv, the\n"
        "pictures of an earlier gat plot) are skipped.\n\n"
        "  --out STEM        output path without extension (default: RUN/curves for one run,\n"
        "                    runs/compare for several, in the first run's parent folder)\n"
        "  --format LIST     png, svg or png,svg (default: png,svg)\n"
        "  --smooth X        exponential moving average weight in [0, 1), as TensorBoard's slider;\n"
        "                    0 = raw curves; the raw curves stay faintly behind (default: 0.6)\n"
        "  --logx            logarithmic epoch axis\n"
        "  --title TEXT      figure title (default for one run: 'Training curves: <dataset>, seed <N>'\n"
        "                    from its config.json, else its folder name; for several: 'Training\n"
        "                    curves of <N> runs')\n"
        "  --label TEXT      the legend label of the next run, once per run in order (default: for\n"
        "                    several runs, the settings that differ between them, as 'lr=0.01,\n"
        "                    seed=2', from their config.json; else the folder name)\n"
        "  --scale X         PNG pixels per point, 0.25..8 (default: 2)\n"
        "  --help            this text\n");
}

/* Whether path is a run: a folder holding metrics.csv, or a metrics .csv file. */
static int is_run(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    if (S_ISDIR(st.st_mode)) {
        char f[4200];
        snprintf(f, sizeof f, "%s/metrics.csv", path);
        return stat(f, &st) == 0 && S_ISREG(st.st_mode);
    }
    size_t n = strlen(path);
    return S_ISREG(st.st_mode) && n >= 4 && !strcmp(path + n - 4, ".csv");
}

/* The pictures gat plot writes (skipped quietly when a glob passes them back). */
static int is_picture(const char *path) {
    size_t n = strlen(path);
    return n >= 4 && (!strcmp(path + n - 4, ".png") || !strcmp(path + n - 4, ".svg"));
}

int gat_cmd_plot(int argc, char **argv) {
    const char *args[64], *runs[10], *labels[10], *out = NULL, *format = "png,svg", *title = NULL;
    int n_args = 0, n_runs = 0, n_labels = 0, logx = 0;
    double smooth = 0.6, scale = 2;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            plot_usage(stdout);
            return 0;
        }
        if (argv[i][0] != '-' || !argv[i][1]) {
            if (n_args == 64) return gat_cli_usage_error("gat plot: at most 64 paths (and 10 runs) in one figure");
            args[n_args++] = argv[i];
            continue;
        }
        int r;
        const char *label;
        if ((r = gat_opt_str(argc, argv, &i, "label", &label)) != 0) {
            if (r < 0) return 2;
            if (n_labels == 10) return gat_cli_usage_error("gat plot: at most 10 --label options (one per run)");
            labels[n_labels++] = label;
            continue;
        }
#define TRY(call) if ((r = (call)) != 0) { if (r < 0) return 2; continue; }
        TRY(gat_opt_str(argc, argv, &i, "out", &out));
        TRY(gat_opt_str(argc, argv, &i, "format", &format));
        TRY(gat_opt_float(argc, argv, &i, "smooth", 0, 0.999, &smooth));
        TRY(gat_opt_flag(argc, argv, &i, "logx", &logx));
        TRY(gat_opt_str(argc, argv, &i, "title", &title));
        TRY(gat_opt_float(argc, argv, &i, "scale", 0.25, 8, &scale));
#undef TRY
        return gat_cli_usage_error("gat plot: unknown option '%s' (see 'gat plot --help')", argv[i]);
    }
    if (n_args == 0) return gat_cli_usage_error("gat plot: give at least one run folder, e.g. 'gat plot runs/<run>'");
    /* one path: it must be a run (the library says what is wrong with it); several: the
     * paths that are not runs are skipped, a path that does not exist is still an error */
    for (int k = 0; k < n_args; k++) {
        struct stat st;
        if (n_args > 1 && stat(args[k], &st) == 0 && !is_run(args[k])) {
            if (!is_picture(args[k]))
                fprintf(stderr, "gat: note: skipping %s: not a run (no metrics.csv)\n", args[k]);
            continue;
        }
        if (n_runs == 10) return gat_cli_usage_error("gat plot: at most 10 runs in one figure");
        runs[n_runs++] = args[k];
    }
    if (n_runs == 0)
        return gat_cli_usage_error("gat plot: none of the %d paths is a run folder (a folder holding metrics.csv)",
                                   n_args);
    if (n_labels > n_runs)
        return gat_cli_usage_error("gat plot: %d --label options for %d runs", n_labels, n_runs);
    gat_plot_options o = {.smooth = smooth, .logx = logx, .title = title, .scale = scale, .labels = labels,
                          .n_labels = n_labels};
    if (gat_cli_parse_formats(format, &o.no_png, &o.no_svg)) return 2;

    gat_error err = {0};
    char stem[4096];
    if (out) {
        snprintf(stem, sizeof stem, "%s", out);
    } else if (n_runs == 1) {
        if (gat_path_join(stem, sizeof stem, &err, "%s/curves", runs[0])) return gat_cli_fail(&err);
    } else {
        /* beside the runs: <parent of the first run>/compare */
        char parent[4096];
        gat_cli_dirname(runs[0], parent, sizeof parent);
        if (gat_path_join(stem, sizeof stem, &err, "%s/compare", parent)) return gat_cli_fail(&err);
    }
    char dir[4096];
    gat_cli_dirname(stem, dir, sizeof dir);
    if (gat_cli_check_writable_dir(dir, &err)) return gat_cli_fail(&err);
    char files[2][1024];
    int n_files = 0;
    if (gat_plot_runs(runs, n_runs, stem, &o, files, &n_files, &err)) return gat_cli_fail(&err);
    for (int k = 0; k < n_files; k++) printf("%s\n", files[k]);
    return 0;
}
