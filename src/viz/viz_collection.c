/* viz_collection.c - colouring multi-label nodes, statistics and the figure of a collection
 * of graphs (see viz_collection.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/chart.h"
#include "gat/viz_collection.h"
#include "viz_internal.h"

void gat_label_colouring_free(gat_label_colouring *c) {
    if (c->names)
        for (int64_t k = 0; k < c->n_classes; k++) free(c->names[k]);
    free(c->names);
    free(c->cls);
    memset(c, 0, sizeof *c);
}

void gat_label_colouring_apply(const gat_label_colouring *c, gat_graph_input *g) {
    g->labels = c->cls;
    g->n_classes = c->n_classes;
    g->class_names = (const char *const *)c->names;
    g->colour_by = c->what;
}

static int64_t labels_of(const float *row, int64_t C) {
    int64_t k = 0;
    for (int64_t j = 0; j < C; j++) k += row[j] > 0.5f;
    return k;
}

int gat_label_colouring_init(gat_label_colouring *c, const gat_dataset *ds, int64_t label, gat_error *err) {
    memset(c, 0, sizeof *c);
    const int64_t N = ds->n_nodes, C = ds->n_classes;
    if (ds->task != GAT_TASK_MULTI_LABEL || !ds->targets)
        return gat_error_set(err, GAT_EINVAL, "--label: %s is not multi-label (its nodes have one class each)", ds->name);
    if (label >= C)
        return gat_error_set(err, GAT_EINVAL, "--label: %lld is not a label of %s (0..%lld)", (long long)label, ds->name,
                             (long long)C - 1);
    c->n = N;
    c->cls = malloc(((size_t)N + 1) * sizeof *c->cls);
    int64_t *hist = calloc((size_t)C + 2, sizeof *hist);
    c->names = calloc(GAT_LABEL_BINS, sizeof *c->names);
    if (!c->cls || !hist || !c->names) goto nomem;
    if (label >= 0) {
        char lname[96];
        if (ds->class_names && ds->class_names[label]) gat_display_class_name(ds->class_names[label], lname, sizeof lname);
        else snprintf(lname, sizeof lname, "label %lld", (long long)label);
        for (int64_t i = 0; i < N; i++) c->cls[i] = ds->targets[i * C + label] > 0.5f;
        c->n_classes = 2;
        const size_t len = strlen(lname) + 16;
        if (!(c->names[0] = malloc(len)) || !(c->names[1] = malloc(len))) goto nomem;
        snprintf(c->names[0], len, "without %s", lname);
        snprintf(c->names[1], len, "with %s", lname);
        snprintf(c->what, sizeof c->what, "%s", lname);
        free(hist);
        return GAT_OK;
    }
    /* by number of labels: ranges of about N / GAT_LABEL_BINS nodes each, nodes without any
     * label on their own */
    for (int64_t i = 0; i < N; i++) hist[labels_of(ds->targets + i * C, C)]++;
    int64_t lo[GAT_LABEL_BINS], hi[GAT_LABEL_BINS], nb = 0, acc = 0, start = 0, done = 0;
    for (int64_t k = 0; k <= C; k++) {
        acc += hist[k];
        done += hist[k];
        const int64_t left = GAT_LABEL_BINS - nb;
        const double target = (double)(N - (done - acc)) / (double)left;
        int close = acc > 0 && (k == C || (k == 0 && hist[0] > 0) || (double)acc >= target);
        if (close && nb == GAT_LABEL_BINS - 1 && k < C) close = 0;   /* the last range takes the rest */
        if (close) {
            lo[nb] = start;
            hi[nb] = k;
            nb++;
            acc = 0;
            start = k + 1;
        }
    }
    if (nb == 0) { lo[0] = 0; hi[0] = C; nb = 1; }   /* no nodes */
    /* ranges start at the smallest count present and end at the largest */
    for (int64_t b = 0; b < nb; b++) {
        while (lo[b] < hi[b] && hist[lo[b]] == 0) lo[b]++;
        while (hi[b] > lo[b] && hist[hi[b]] == 0) hi[b]--;
    }
    c->n_classes = nb;
    for (int64_t b = 0; b < nb; b++) {
        if (!(c->names[b] = malloc(48))) goto nomem;
        if (lo[b] == hi[b]) snprintf(c->names[b], 48, "%lld label%s", (long long)lo[b], lo[b] == 1 ? "" : "s");
        else snprintf(c->names[b], 48, "%lld-%lld labels", (long long)lo[b], (long long)hi[b]);
    }
    for (int64_t i = 0; i < N; i++) {
        int64_t k = labels_of(ds->targets + i * C, C), b = 0;
        while (b + 1 < nb && k > hi[b]) b++;
        c->cls[i] = b;
    }
    snprintf(c->what, sizeof c->what, "labels per node");
    free(hist);
    return GAT_OK;
nomem:
    free(hist);
    gat_label_colouring_free(c);
    return gat_error_set(err, GAT_ENOMEM, "out of memory for the colours of %lld nodes", (long long)N);
}

void gat_collection_stats_free(gat_collection_stats *st) {
    free(st->graph_nodes);
    free(st->graph_edges);
    free(st->graph_split);
    free(st->graph_labels);
    free(st->label_share);
    free(st->labels_per_node);
    memset(st, 0, sizeof *st);
}

int gat_collection_stats_compute(gat_collection_stats *st, const gat_dataset *ds, gat_error *err) {
    memset(st, 0, sizeof *st);
    if (ds->n_graphs < 1) return gat_error_set(err, GAT_EINVAL, "%s: not a collection of graphs", ds->name);
    const int64_t G = ds->n_graphs, N = ds->n_nodes, C = ds->n_classes, F = ds->n_features;
    const int multi = ds->task == GAT_TASK_MULTI_LABEL && ds->targets;
    st->n_graphs = G;
    st->n_labels = multi ? C : 0;
    st->graph_nodes = malloc((size_t)G * sizeof *st->graph_nodes);
    st->graph_edges = malloc((size_t)G * sizeof *st->graph_edges);
    st->graph_split = malloc((size_t)G * sizeof *st->graph_split);
    st->graph_labels = malloc((size_t)G * sizeof *st->graph_labels);
    if (multi) {
        st->label_share = calloc((size_t)C + 1, sizeof *st->label_share);
        st->labels_per_node = malloc(((size_t)N + 1) * sizeof *st->labels_per_node);
    }
    if (!st->graph_nodes || !st->graph_edges || !st->graph_split || !st->graph_labels ||
        (multi && (!st->label_share || !st->labels_per_node))) {
        gat_collection_stats_free(st);
        return gat_error_set(err, GAT_ENOMEM, "out of memory for the statistics of %lld graphs", (long long)G);
    }
    for (int64_t g = 0; g < G; g++) {
        st->graph_nodes[g] = ds->graph_node_ptr[g + 1] - ds->graph_node_ptr[g];
        st->graph_edges[g] = ds->graph_edge_ptr[g + 1] - ds->graph_edge_ptr[g];
        st->graph_split[g] = -1;
        st->graph_labels[g] = multi ? 0 : NAN;
    }
    for (int s = 0; s < 3; s++)
        for (int64_t t = 0; t < ds->split_n_graphs[s]; t++) st->graph_split[ds->split_graphs[s][t]] = s;
    for (int64_t i = 0; i < N; i++) {
        int zero = 1;
        if (ds->dense_features) {
            for (int64_t j = 0; j < F && zero; j++) zero = ds->dense_features[i * F + j] == 0.0f;
        } else {
            for (int64_t k = ds->features.row_ptr[i]; k < ds->features.row_ptr[i + 1] && zero; k++)
                zero = ds->features.val[k] == 0.0f;
        }
        st->zero_feature_nodes += zero;
        if (multi) {
            const float *row = ds->targets + i * C;
            int64_t k = 0;
            for (int64_t j = 0; j < C; j++)
                if (row[j] > 0.5f) { k++; st->label_share[j] += 1; }
            st->labels_per_node[i] = k;
            st->graph_labels[ds->graph_id[i]] += (double)k;
        }
    }
    if (multi) {
        for (int64_t j = 0; j < C; j++) st->label_share[j] /= (double)(N ? N : 1);
        for (int64_t g = 0; g < G; g++) st->graph_labels[g] /= (double)(st->graph_nodes[g] ? st->graph_nodes[g] : 1);
    }
    return GAT_OK;
}

static int cmp_desc(const void *x, const void *y) { return viz_cmp_double(y, x); }

int gat_viz_collection(const gat_dataset *ds, const gat_collection_stats *st, const gat_viz_options *opt,
                       const char *stem, gat_viz_result *res, gat_error *err) {
    int rc = viz_check_options(opt, err);
    if (rc) return rc;
    if (st->n_graphs < 1) return gat_error_set(err, GAT_EINVAL, "collection figure: no graphs");
    const int64_t G = st->n_graphs, C = st->n_labels, N = ds->n_nodes;
    double *edges = malloc(((size_t)G + 1) * sizeof *edges), *count = malloc(((size_t)G + 1) * sizeof *count);
    double *lp = NULL, *share = NULL, *ledges = NULL;
    gat_figure *fig = NULL;
    if (!edges || !count) goto nomem;
    const int rows = C ? 2 : 1;
    const double W = 960, H = C ? 720 : 400;
    if ((rc = gat_figure_new(&fig, rows, 2, W, H, err))) goto done;
    char name[64], buf[512];
    viz_capitalised(ds->name, name, sizeof name);
    int64_t E = 0, nmin = INT64_MAX, nmax = 0;
    for (int64_t g = 0; g < G; g++) {
        E += st->graph_edges[g];
        if (st->graph_nodes[g] < nmin) nmin = st->graph_nodes[g];
        if (st->graph_nodes[g] > nmax) nmax = st->graph_nodes[g];
    }
    snprintf(buf, sizeof buf, "%s: a collection of %lld graphs", name, (long long)G);
    gat_figure_title(fig, buf);
    snprintf(buf, sizeof buf, "%lld nodes (%lld to %lld per graph) \xc2\xb7 %lld directed edges \xc2\xb7 %lld features, "
             "%.1f %% of nodes all-zero%s", (long long)N, (long long)nmin, (long long)nmax, (long long)E,
             (long long)ds->n_features, N ? 100.0 * (double)st->zero_feature_nodes / (double)N : 0.0,
             C ? " \xc2\xb7 multi-label" : "");
    gat_figure_subtitle(fig, buf);

    /* nodes per graph, one colour per split */
    gat_panel *p = gat_figure_panel(fig, 0, 0, 1, 2);
    gat_panel_labels(p, "Nodes per graph, by split (whole graphs: the test graphs are never seen in training)", "graph id",
                     "nodes");
    static const char *split_name[3] = {"train", "val", "test"};
    for (int64_t g = 0; g <= G; g++) edges[g] = (double)g - 0.5;
    for (int s = 0; s < 3; s++) {
        int64_t k = 0, nodes = 0;
        for (int64_t g = 0; g < G; g++) {
            count[g] = st->graph_split[g] == s ? (double)st->graph_nodes[g] : 0;
            if (st->graph_split[g] == s) { k++; nodes += st->graph_nodes[g]; }
        }
        if (!k) continue;
        char label[96];
        snprintf(label, sizeof label, "%s: %lld graph%s, %lld nodes", split_name[s], (long long)k, k == 1 ? "" : "s",
                 (long long)nodes);
        gat_style sb = {.label = label, .color = s == 0 ? 0 : s == 1 ? 1 : 2, .alpha = 0.85};
        if ((rc = gat_panel_bars(p, edges, count, (size_t)G, GAT_HIST_BARS, &sb, err))) goto done;
    }
    gat_panel_xlim(p, -0.5, (double)G - 0.5);
    gat_panel_ylim(p, 0, NAN);
    gat_panel_legend(p, GAT_LEGEND_OUTSIDE);

    if (C) {
        /* labels per node */
        lp = malloc(((size_t)N + 1) * sizeof *lp);
        share = malloc(((size_t)C + 1) * sizeof *share);
        ledges = malloc(((size_t)C + 2) * sizeof *ledges);
        if (!lp || !share || !ledges) goto nomem;
        int64_t kmax = 0;
        double mean = 0;
        for (int64_t i = 0; i < N; i++) {
            lp[i] = (double)st->labels_per_node[i];
            mean += lp[i];
            if (st->labels_per_node[i] > kmax) kmax = st->labels_per_node[i];
        }
        mean /= (double)(N ? N : 1);
        p = gat_figure_panel(fig, 1, 0, 1, 1);
        snprintf(buf, sizeof buf, "Labels per node (of %lld)", (long long)C);
        gat_panel_labels(p, buf, "labels of a node", "number of nodes");
        const int bins = kmax + 1 <= 60 ? (int)kmax + 1 : 40;
        const double hi = bins == kmax + 1 ? (double)kmax + 0.5 : (double)kmax;
        gat_style sh = {.color = 4, .alpha = 0.85};
        if ((rc = gat_panel_hist(p, lp, (size_t)N, -0.5, hi, bins, GAT_HIST_BARS, &sh, err))) goto done;
        snprintf(buf, sizeof buf, "mean %.1f", mean);
        gat_style sm = {.color = 2, .width = 1.2, .label = buf};
        if ((rc = gat_panel_vline(p, mean, NULL, &sm, err))) goto done;
        gat_panel_legend(p, GAT_LEGEND_UPPER_RIGHT);
        /* share of nodes carrying each label, most frequent first */
        for (int64_t j = 0; j < C; j++) share[j] = 100.0 * st->label_share[j];
        qsort(share, (size_t)C, sizeof *share, cmp_desc);
        for (int64_t j = 0; j <= C; j++) ledges[j] = (double)j + 0.5;
        p = gat_figure_panel(fig, 1, 1, 1, 1);
        double all = 0;
        for (int64_t j = 0; j < C; j++) all += share[j];
        snprintf(buf, sizeof buf, "Nodes with each label (mean %.1f %%)", all / (double)C);
        gat_panel_labels(p, buf, "label rank (most frequent first)", "% of nodes");
        gat_style sl = {.color = 3, .alpha = 0.85};
        if ((rc = gat_panel_bars(p, ledges, share, (size_t)C, GAT_HIST_BARS, &sl, err))) goto done;
        gat_panel_xlim(p, 0.5, (double)C + 0.5);
        gat_panel_ylim(p, 0, NAN);
    }
    rc = viz_render_both(stem, W, H, opt, chart_draw_figure, fig, res, err);
    goto done;
nomem:
    rc = gat_error_set(err, GAT_ENOMEM, "collection figure: out of memory");
done:
    gat_figure_free(fig);
    free(edges);
    free(count);
    free(lp);
    free(share);
    free(ledges);
    return rc;
}
