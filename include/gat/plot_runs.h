/* plot_runs.h - training curves of one or more runs (the run folders gat train writes).
 *
 * Reads each run's metrics.csv (and config.json for a label), and draws one figure with
 * two panels, loss and accuracy, through chart.h: validation solid, training dashed, one
 * colour per run, the best validation epoch of each run marked, test accuracy in the
 * legend when the run was tested (from the run's results.json, or the test_acc column of
 * runs written before it existed). Written to PNG and SVG, atomically. */
#ifndef GAT_PLOT_RUNS_H
#define GAT_PLOT_RUNS_H

#include <stdint.h>

#include "gat/runlog.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_plot_options {
    double smooth;                     /* exponential moving average weight in [0, 1), as TensorBoard's
                                          slider (its default is 0.6); 0 = raw curves. The raw
                                          curves are drawn faintly behind smoothed ones. */
    int logx;                          /* logarithmic epoch axis */
    const char *title;                 /* NULL: "Training curves: <label>" for one run, "Training
                                          curves of <N> runs" for several */
    const char *const *labels;         /* legend labels, labels[r] for runs[r] (NULL or "": the
                                          default); n_labels of them. Default for one run:
                                          "<Dataset>, seed <N>" from its config.json; for several:
                                          the config.json settings that differ between them
                                          ("lr=0.01, seed=2", settings that do not change the
                                          result such as threads left out); else, or when they
                                          do not differ, the folder's name */
    int n_labels;
    int no_png, no_svg;
    double scale;                      /* PNG pixels per point; 0 = 2 */
} gat_plot_options;

/* The best validation epoch of a run, as gat train chooses it: highest val_acc (val_micro_f1
 * for a multi-label run, which *val_acc then holds), the lower val_loss on ties; *epoch = -1
 * when the run has no validation rows. */
void gat_run_best_epoch(const gat_metrics_csv *m, int64_t *epoch, double *val_acc, double *val_loss);

/* The legend label of each of runs[0..n_runs) (1..10 runs), as gat_plot_runs names them
 * (see gat_plot_options.labels; opt may be NULL), into labels[r]. Reads each run's
 * config.json; a run without one is named by its folder. */
void gat_plot_run_labels(const char *const *runs, int n_runs, const gat_plot_options *opt, char labels[][256]);

/* Plot runs[0..n_runs) into <out_stem>.png and .svg (paths written are returned in files,
 * up to 2). Errors name the run folder or the output path. */
int gat_plot_runs(const char *const *runs, int n_runs, const char *out_stem, const gat_plot_options *opt,
                  char files[2][1024], int *n_files, gat_error *err);

#ifdef __cplusplus
}
#endif
#endif
