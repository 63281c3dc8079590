/* cmd_model.c - gat test, gat info, gat predict: using a saved model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gat/infer.h"
#include "gat/fileio.h"
#include "gat/safetensors.h"
#include "gat/train.h"

typedef struct {
    const char *model, *dataset, *data_dir, *out, *split;
    int normalize, threads, help;
} model_args;

static int parse_model_args(int argc, char **argv, model_args *a, const char *cmd, int want_out) {
    memset(a, 0, sizeof *a);
    a->normalize = -1; /* not given: as the model file says */
    for (int i = 0; i < argc; i++) {
        int r;
        int64_t v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { a->help = 1; return 0; }
#define TRY(expr) if ((r = (expr)) != 0) { if (r < 0) return 2; continue; }
        TRY(gat_opt_str(argc, argv, &i, "model", &a->model));
        TRY(gat_opt_str(argc, argv, &i, "dataset_name", &a->dataset));
        TRY(gat_opt_str(argc, argv, &i, "dataset", &a->dataset));
        TRY(gat_opt_str(argc, argv, &i, "data_dir", &a->data_dir));
        TRY(gat_opt_bool(argc, argv, &i, "normalize_features", &a->normalize));
        if (want_out) {
            TRY(gat_opt_str(argc, argv, &i, "out", &a->out));
            TRY(gat_opt_str(argc, argv, &i, "split", &a->split));
        }
        if ((r = gat_opt_int(argc, argv, &i, "threads", 0, 1024, &v)) != 0) {
            if (r < 0) return 2;
            a->threads = (int)v;
            continue;
        }
#undef TRY
        if (argv[i][0] != '-' && !a->model) { a->model = argv[i]; continue; }
        return gat_cli_usage_error("gat %s: unknown option '%s' (see 'gat %s --help')", cmd, argv[i], cmd);
    }
    if (!a->model) return gat_cli_usage_error("gat %s: --model FILE is required (see 'gat %s --help')", cmd, cmd);
    return 0;
}

static const char *common_help =
    "  --model FILE                 a model file written by gat train (.safetensors)\n"
    "  --dataset NAME               dataset to run on (default: the one named in the model file)\n"
    "  --data-dir DIR               folder holding the datasets (default: $GAT_DATA_DIR, ./data, ./datasets,\n"
        "                               then gat's own data folder; 'gat --version' lists them)\n"
    "  --normalize_features BOOL    scale each feature row to sum 1 (default: as the model was trained, stored in\n"
    "                               the model file; true for files that do not say)\n"
    "  --threads N                  worker threads, 0 = all cores (default: 0)\n";

/* Load the model and its dataset, and compute the logits of every node into s->dlogits by
 * layer-wise inference (gat_infer: memory O(N * width), whatever the number of edges; the
 * same bits as a full forward pass). s holds the forward-only graph and the input. */
static int open_model(const model_args *a, gat_model *m, gat_model_meta *meta, gat_dataset *ds, gat_session *s,
                      gat_error *err) {
    gat_set_threads(a->threads);
    int rc = gat_cli_open_model(a->model, a->dataset, a->data_dir, a->normalize, m, meta, ds, err);
    if (rc) return rc;
    if (ds->n_graphs > 0) { /* a collection: graph by graph (inductive: any collection the model fits) */
        const float *logits = NULL;
        if ((rc = gat_session_init(s, ds, m, err)) || (rc = gat_predict_all(m, s, &logits, err))) return rc;
        float *all = malloc((size_t)(ds->n_nodes * ds->n_classes) * sizeof *all + 1);
        if (!all) return gat_error_set(err, GAT_ENOMEM, "out of memory for the logits of %lld nodes", (long long)ds->n_nodes);
        memcpy(all, logits, (size_t)(ds->n_nodes * ds->n_classes) * sizeof *all);
        free(s->dlogits); /* the commands read every node's logits there */
        s->dlogits = all;
        return GAT_OK;
    }
    s->ds = ds;
    if ((rc = gat_graph_build(&s->g, ds->n_nodes, ds->edge_src, ds->edge_dst, ds->n_edges,
                              gat_config_graph_flags(&m->cfg) | GAT_GRAPH_FORWARD_ONLY, err)))
        return rc;
    gat_input_forward_init(&s->in, ds);
    s->dlogits = calloc((size_t)(ds->n_nodes * ds->n_classes) + 1, sizeof *s->dlogits);
    if (!s->dlogits) return gat_error_set(err, GAT_ENOMEM, "out of memory for the logits of %lld nodes", (long long)ds->n_nodes);
    return gat_infer(m, &s->in, &s->g, NULL, 0, s->dlogits, err);
}

int gat_cmd_test(int argc, char **argv) {
    model_args a;
    int rc = parse_model_args(argc, argv, &a, "test", 0);
    if (rc) return rc;
    if (a.help) {
        printf("usage: gat test --model FILE [options]\n\nEvaluate a saved model on its dataset's test split "
               "(no dropout) and print accuracy and loss.\n\n%s", common_help);
        return 0;
    }
    gat_error err = {0};
    gat_model m;
    gat_model_meta meta;
    gat_dataset ds;
    gat_session s;
    memset(&ds, 0, sizeof ds);
    memset(&s, 0, sizeof s);
    memset(&m, 0, sizeof m);
    if ((rc = open_model(&a, &m, &meta, &ds, &s, &err)) == 0) {
        gat_metrics val, test;
        val = gat_split_metrics(&s, s.dlogits, GAT_SPLIT_VAL, NULL);
        test = gat_split_metrics(&s, s.dlogits, GAT_SPLIT_TEST, NULL);
        const char *what = ds.task == GAT_TASK_MULTI_LABEL ? "micro-F1" : "accuracy";
        char dname[64];
        gat_display_dataset_name(ds.name, dname, sizeof dname);
        printf("Model %s on %s (%lld test nodes)\n", a.model, dname, (long long)ds.split_size[GAT_SPLIT_TEST]);
        printf("Validation %s = %.4f, loss = %.4f\n", what, val.score, val.loss);
        printf("Test %s = %.4f, loss = %.4f\n", what, test.score, test.loss);
    }
    gat_session_free(&s);
    gat_dataset_free(&ds);
    gat_model_free(&m);
    return rc ? gat_cli_fail(&err) : 0;
}

int gat_cmd_info(int argc, char **argv) {
    model_args a;
    int rc = parse_model_args(argc, argv, &a, "info", 0);
    if (rc) return rc;
    if (a.help) {
        printf("usage: gat info --model FILE\n\nPrint the architecture, tensors and metadata a model file holds.\n");
        return 0;
    }
    gat_error err = {0};
    gat_model m;
    gat_safetensors st;
    memset(&st, 0, sizeof st);
    if ((rc = gat_model_load(a.model, &m, NULL, &err))) return gat_cli_fail(&err);
    if ((rc = gat_safetensors_read(a.model, &st, &err))) {
        gat_model_free(&m);
        return gat_cli_fail(&err);
    }
    const gat_config *c = &m.cfg;
    printf("model:      %s\n", a.model);
    printf("layers:     %d\n", c->n_layers);
    for (int l = 0; l < c->n_layers; l++)
        printf("  layer %d:  %lld -> %lld heads x %lld features (%s)%s\n", l, (long long)gat_config_in_width(c, l),
               (long long)c->heads[l], (long long)c->features[l], gat_config_concat(c, l) ? (l == c->n_layers - 1 ? "concat" : "concat, ELU")
                                                                : (l == c->n_layers - 1 ? "mean" : "mean, ELU"),
               c->skip ? (gat_config_skip_identity(c, l) ? ", identity skip" : ", projected skip") : "");
    printf("attention:  %s%s\n", c->attention_type == GAT_ATTENTION_GATV2
           ? "gatv2 (Brody et al. 2022: e_ij = a . LeakyReLU(W x_j + W_dst x_i))"
           : "gat (Velickovic et al. 2018: e_ij = LeakyReLU(a_src . W x_j + a_dst . W x_i))",
           c->attention_type == GAT_ATTENTION_GATV2 && c->share_weights ? ", W_dst = W (shared)" : "");
    printf("self loops: %s\n", c->no_self_loops ? "none added (the graph's edges as given, its own self loops kept)"
                                                  : "one added per node (the graph's own dropped)");
    printf("bias:       %s\n", c->bias ? "yes" : "no");
    printf("parameters: %zu\n", m.n_weights);
    printf("tensors:\n");
    for (int i = 0; i < m.n_tensors; i++) {
        const gat_tensor *t = &m.tensors[i];
        printf("  %-34s (", t->name);
        for (int k = 0; k < t->ndim; k++) printf("%s%lld", k ? ", " : "", (long long)t->shape[k]);
        printf(")%s\n", t->trainable ? "" : "  unused (identity skip)");
    }
    printf("metadata:\n");
    for (size_t i = 0; i < st.n_meta; i++) printf("  %-22s %s\n", st.meta[i].key, st.meta[i].value);
    gat_safetensors_free(&st);
    gat_model_free(&m);
    return 0;
}

static int csv_field_needs_quotes(const char *s) { return strpbrk(s, ",\"\n") != NULL; }

static void csv_write_name(FILE *fp, const char *prefix, const char *s) {
    if (!csv_field_needs_quotes(s)) {
        fprintf(fp, "%s%s", prefix, s);
        return;
    }
    fprintf(fp, "\"%s", prefix);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

int gat_cmd_predict(int argc, char **argv) {
    model_args a;
    int rc = parse_model_args(argc, argv, &a, "predict", 1);
    if (rc) return rc;
    if (a.help) {
        printf("usage: gat predict --model FILE [options]\n\nRun a saved model on every node (no dropout) and write CSV:\n"
               "node, split, label, predicted class, then one probability column per class. A multi-label\n"
               "model (PPI): label and predicted list a node's labels and predicted labels (logit > 0, as\n"
               "micro-F1 counts them) separated by ';', then p_<label> per label, then the 0/1 prediction\n"
               "pred_<label> per label. A collection may be one the model never saw (inductive, --data-dir):\n"
               "its feature and label widths must be the model's.\n\n%s"
               "  --out FILE                   where to write the CSV (default: standard output)\n"
               "  --split NAME                 all, train, val or test (default: all)\n", common_help);
        return 0;
    }
    int want = -1; /* all */
    if (a.split) {
        if (!strcmp(a.split, "train")) want = GAT_SPLIT_TRAIN;
        else if (!strcmp(a.split, "val")) want = GAT_SPLIT_VAL;
        else if (!strcmp(a.split, "test")) want = GAT_SPLIT_TEST;
        else if (strcmp(a.split, "all")) return gat_cli_usage_error("--split: '%s' is not all, train, val or test", a.split);
    }
    gat_error err = {0};
    gat_model m;
    gat_model_meta meta;
    gat_dataset ds;
    gat_session s;
    gat_outfile of;
    memset(&ds, 0, sizeof ds);
    memset(&s, 0, sizeof s);
    memset(&m, 0, sizeof m);
    memset(&of, 0, sizeof of);
    int8_t *split_of = NULL;
    if ((rc = open_model(&a, &m, &meta, &ds, &s, &err))) goto done;
    FILE *fp = stdout;
    if (a.out && strcmp(a.out, "-")) {
        if ((rc = gat_outfile_open(&of, a.out, &err))) goto done;
        fp = of.fp;
    }
    split_of = malloc((size_t)ds.n_nodes);
    if (!split_of) { rc = gat_error_set(&err, GAT_ENOMEM, "out of memory"); goto done; }
    memset(split_of, -1, (size_t)ds.n_nodes);
    for (int sp = 0; sp < 3; sp++)
        for (int64_t t = 0; t < ds.split_size[sp]; t++) split_of[ds.split[sp][t]] = (int8_t)sp;
    const float *logits = s.dlogits;
    const int64_t C = ds.n_classes;
    const int multi = ds.task == GAT_TASK_MULTI_LABEL;
    static const char *split_names[3] = {"train", "val", "test"};
    fprintf(fp, "node,split,label,predicted");
    for (int64_t c = 0; c < C; c++) {
        fputc(',', fp);
        if (ds.class_names) csv_write_name(fp, "p_", ds.class_names[c]);
        else fprintf(fp, "p_%lld", (long long)c);
    }
    for (int64_t c = 0; multi && c < C; c++) {
        fputc(',', fp);
        if (ds.class_names) csv_write_name(fp, "pred_", ds.class_names[c]);
        else fprintf(fp, "pred_%lld", (long long)c);
    }
    fputc('\n', fp);
    double *p = malloc((size_t)C * sizeof *p);
    if (!p) { rc = gat_error_set(&err, GAT_ENOMEM, "out of memory"); goto done; }
    for (int64_t i = 0; i < ds.n_nodes; i++) {
        if (want >= 0 && split_of[i] != want) continue;
        const float *l = logits + i * C;
        int64_t best = 0;
        for (int64_t c = 1; c < C; c++)
            if (l[c] > l[best]) best = c;
        if (multi) {
            for (int64_t c = 0; c < C; c++) p[c] = 1.0 / (1.0 + exp(-(double)l[c]));
        } else {
            double sum = 0;
            for (int64_t c = 0; c < C; c++) sum += (p[c] = exp((double)l[c] - (double)l[best]));
            for (int64_t c = 0; c < C; c++) p[c] /= sum;
        }
        fprintf(fp, "%lld,%s,", (long long)i, split_of[i] >= 0 ? split_names[split_of[i]] : "");
        if (multi) {
            int first = 1;
            for (int64_t c = 0; ds.targets && c < C; c++)
                if (ds.targets[i * C + c] > 0.5f) { fprintf(fp, "%s%lld", first ? "" : ";", (long long)c); first = 0; }
            fputc(',', fp);
            first = 1;
            for (int64_t c = 0; c < C; c++)
                if (l[c] > 0) { fprintf(fp, "%s%lld", first ? "" : ";", (long long)c); first = 0; }
        } else {
            fprintf(fp, "%lld,%lld", (long long)ds.labels[i], (long long)best);
        }
        for (int64_t c = 0; c < C; c++) fprintf(fp, ",%.6f", p[c]);
        for (int64_t c = 0; multi && c < C; c++) fprintf(fp, ",%d", l[c] > 0);
        fputc('\n', fp);
    }
    free(p);
    if (of.fp) rc = gat_outfile_commit(&of, &err);
    else if (fflush(stdout) != 0) rc = gat_error_set(&err, GAT_EIO, "standard output: write failed");
done:
    gat_outfile_abort(&of);
    free(split_of);
    gat_session_free(&s);
    gat_dataset_free(&ds);
    gat_model_free(&m);
    return rc ? gat_cli_fail(&err) : 0;
}
