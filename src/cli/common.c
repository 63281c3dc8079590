/* common.c - helpers shared by the subcommands. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gat/fileio.h"

int gat_cli_open_dataset(gat_dataset *ds, const char *name, const char *data_dir, int normalize, gat_error *err) {
    int rc = gat_dataset_open(ds, name, data_dir, err);
    if (rc) return rc;
    if (normalize < 0) normalize = !(ds->n_graphs > 0 && ds->task == GAT_TASK_MULTI_LABEL);
    if (normalize) gat_dataset_normalize_rows(ds);
    return GAT_OK;
}

void gat_cli_upper(char *dst, size_t size, const char *src) {
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++) dst[i] = (char)toupper((unsigned char)src[i]);
    dst[i] = 0;
}

int gat_cli_check_writable_dir(const char *dir, gat_error *err) {
    int rc = gat_mkdirs(dir, err);
    if (rc) return rc;
    if (access(dir, W_OK) != 0) return gat_error_set(err, GAT_EIO, "%s: folder is not writable: %s", dir, strerror(errno));
    return GAT_OK;
}

int gat_cli_check_model_fits(const gat_model *m, const gat_dataset *ds, const char *model_path, gat_error *err) {
    const gat_config *c = &m->cfg;
    if (c->n_in != ds->n_features)
        return gat_error_set(err, GAT_ESHAPE, "%s: the model reads %lld input features but dataset '%s' has %lld "
                             "(a model of another dataset?)", model_path, (long long)c->n_in, ds->name,
                             (long long)ds->n_features);
    int64_t classes = gat_config_out_width(c, c->n_layers - 1);
    const char *what = ds->task == GAT_TASK_MULTI_LABEL ? "labels" : "classes";
    if (classes != ds->n_classes)
        return gat_error_set(err, GAT_ESHAPE, "%s: the model predicts %lld %s but dataset '%s' has %lld", model_path,
                             (long long)classes, what, ds->name, (long long)ds->n_classes);
    return GAT_OK;
}

int gat_cli_parse_formats(const char *s, int *no_png, int *no_svg) {
    *no_png = *no_svg = 1;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "png")) *no_png = 0;
        else if (!strcmp(t, "svg")) *no_svg = 0;
        else return gat_cli_usage_error("option --format: '%s' is not png, svg or png,svg", s);
    }
    if (*no_png && *no_svg) return gat_cli_usage_error("option --format: '%s' is not png, svg or png,svg", s);
    return 0;
}

int gat_cli_open_model(const char *model_path, const char *dataset, const char *data_dir, int normalize, gat_model *m,
                       gat_model_meta *meta, gat_dataset *ds, gat_error *err) {
    int rc = gat_model_load(model_path, m, meta, err);
    if (rc) return rc;
    const char *name = dataset ? dataset : meta->dataset;
    if (!name[0])
        return gat_error_set(err, GAT_EINVAL, "%s: the model file names no dataset; give one with --dataset", model_path);
    /* The features are prepared as in training (the model file says how); an explicit
     * --normalize_features that differs wins, with a warning. Files that do not say were
     * trained with the default, true. */
    int stored = meta->normalize == GAT_NORMALIZE_NONE ? 0 : 1;
    if (normalize < 0) {
        normalize = stored;
    } else if (meta->normalize != GAT_NORMALIZE_UNKNOWN && normalize != stored) {
        fflush(stdout);
        fprintf(stderr, "gat: warning: --normalize_features %s overrides %s's normalize_features=%s (the model was "
                "trained on %s features)\n", normalize ? "true" : "false", model_path, stored ? "true" : "false",
                stored ? "normalised" : "raw");
    }
    rc = gat_cli_open_dataset(ds, name, data_dir, normalize, err);
    if (!rc) rc = gat_cli_check_model_fits(m, ds, model_path, err);
    /* a multi-label model's outputs are not the classes of a single-label dataset, and back */
    if (!rc && meta->task > 0 && meta->task - 1 != (int)ds->task)
        rc = gat_error_set(err, GAT_ESHAPE, "%s: the model was trained on %s data but dataset '%s' is %s", model_path,
                           meta->task - 1 == GAT_TASK_MULTI_LABEL ? "multi-label" : "single-label", ds->name,
                           ds->task == GAT_TASK_MULTI_LABEL ? "multi-label" : "single-label");
    return rc;
}

void gat_cli_dirname(const char *path, char *buf, size_t size) {
    snprintf(buf, size, "%s", path);
    size_t l = strlen(buf);
    while (l > 1 && buf[l - 1] == '/') buf[--l] = 0;
    char *slash = strrchr(buf, '/');
    if (!slash) snprintf(buf, size, ".");
    else if (slash == buf) slash[1] = 0;
    else *slash = 0;
}
