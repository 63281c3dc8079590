/* cmd_plot.c - gat plot RUN...: training curves of run folders (metrics.csv) as PNG and SVG. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gat/fileio.h"
#include "gat/plot_runs.h"

static void plot_usage(FILE *fp) {
    fprintf(fp,
        "usage: gat plot RUN [RUN...] [options]\n\n"
        "Draw the loss and accuracy curves of one or more training runs (the folders 'gat train'\n"
        "writes under runs/, each holding metrics.csv) into one figure, as PNG and SVG: validation\n"
        "solid, training dashed, one colour per run, the best validation epoch marked.\n\n"
        "  --out STEM        output path without extension (default: RUN/curves for one run,\n"
        "                    runs/compare for several, in the first run's parent folder)\n"
        "  --format LIST     png, svg or png,svg (default: png,svg)\n"
        "  --smooth X        exponential moving average weight in [0, 1), as TensorBoard's slider;\n"
        "                    0 = raw curves; the raw curves stay faintly behind (default: 0.6)\n"
        "  --logx            logarithmic epoch axis\n"
        "  --title TEXT      figure title (default for one run: 'Training curves: <dataset>, seed <N>'\n"
        "                    from its config.json, else its folder name; for several: 'Training\n"
        "                    curves of <N> runs', each run named so in the legend)\n"
        "  --scale X         PNG pixels per point, 0.25..8 (default: 2)\n"
        "  --help            this text\n");
}

int gat_cmd_plot(int argc, char **argv) {
    const char *runs[10], *out = NULL, *format = "png,svg", *title = NULL;
    int n_runs = 0, logx = 0;
    double smooth = 0.6, scale = 2;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            plot_usage(stdout);
            return 0;
        }
        if (argv[i][0] != '-' || !argv[i][1]) {
            if (n_runs == 10) return gat_cli_usage_error("gat plot: at most 10 runs in one figure");
            runs[n_runs++] = argv[i];
            continue;
        }
        int r;
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
    if (n_runs == 0) return gat_cli_usage_error("gat plot: give at least one run folder, e.g. 'gat plot runs/<run>'");
    gat_plot_options o = {.smooth = smooth, .logx = logx, .title = title, .scale = scale};
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
