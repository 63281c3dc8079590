/* inspect.c - attention, entropy and layer outputs of a trained model (see inspect.h). */
#include "gat/inspect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gat/npy.h"
#include "gat/rng.h"
#include "gat/train.h"

void gat_inspection_free(gat_inspection *ins) {
    if (!ins) return;
    gat_graph_free(&ins->graph);
    for (int l = 0; l < GAT_MAX_LAYERS; l++) {
        free(ins->att[l]);
        free(ins->out[l]);
    }
    free(ins->prob);
    free(ins->pred);
    memset(ins, 0, sizeof *ins);
}

int gat_inspect(gat_inspection *ins, const gat_model *m, const gat_dataset *ds, gat_error *err) {
    memset(ins, 0, sizeof *ins);
    const gat_config *c = &m->cfg;
    if (c->n_in != ds->n_features)
        return gat_error_set(err, GAT_ESHAPE, "the model reads %lld input features but dataset '%s' has %lld",
                             (long long)c->n_in, ds->name, (long long)ds->n_features);
    gat_session s;
    int rc = gat_session_init_order(&s, ds, m, GAT_NODE_ORDER_INPUT, err); /* passes in the dataset's order only */
    if (rc) return rc;
    if (ds->n_graphs > 0) {
        /* a collection: every graph at once, as one block-diagonal graph (select the graphs to
         * look at first with gat_dataset_select_graphs) */
        rc = gat_graph_build(&s.g, ds->n_nodes, ds->edge_src, ds->edge_dst, ds->n_edges, s.graph_flags, err);
        if (!rc) rc = gat_session_reserve(&s, m, ds->n_nodes, s.g.nnz, s.in.sparse ? s.in.sparse->nnz : 0, err);
        if (rc) {
            gat_session_free(&s);
            return rc;
        }
    }
    /* Inference reads the parameters only; the forward pass takes a non-const model
     * because training runs share it. */
    const float *logits = gat_model_forward((gat_model *)m, &s.acts, &s.in, &s.g, 0, 0);
    const int64_t n = ds->n_nodes, nnz = s.g.nnz, classes = ds->n_classes;
    ins->n_layers = c->n_layers;
    ins->n_nodes = n;
    ins->n_classes = classes;
    for (int l = 0; l < c->n_layers; l++) {
        ins->heads[l] = c->heads[l];
        ins->width[l] = gat_config_out_width(c, l);
        ins->att[l] = malloc((size_t)(nnz * ins->heads[l]) * sizeof(float) + 1);
        ins->out[l] = malloc((size_t)(n * ins->width[l]) * sizeof(float) + 1);
        if (!ins->att[l] || !ins->out[l]) goto nomem;
        memcpy(ins->att[l], s.acts.l[l].att, (size_t)(nnz * ins->heads[l]) * sizeof(float));
        memcpy(ins->out[l], l == c->n_layers - 1 ? logits : s.acts.l[l].y, (size_t)(n * ins->width[l]) * sizeof(float));
    }
    ins->prob = malloc((size_t)(n * classes) * sizeof(float) + 1);
    ins->pred = malloc((size_t)n * sizeof(int64_t) + 1);
    if (!ins->prob || !ins->pred) goto nomem;
    for (int64_t i = 0; i < n; i++) {
        const float *z = logits + i * classes;
        float *p = ins->prob + i * classes;
        int64_t best = 0;
        double mx = z[0], sum = 0;
        for (int64_t k = 1; k < classes; k++)
            if (z[k] > mx) { mx = z[k]; best = k; }
        if (ds->task == GAT_TASK_MULTI_LABEL) { /* independent labels: the sigmoid of each logit */
            for (int64_t k = 0; k < classes; k++) p[k] = (float)(1.0 / (1.0 + exp(-(double)z[k])));
        } else {
            for (int64_t k = 0; k < classes; k++) sum += exp((double)z[k] - mx);
            for (int64_t k = 0; k < classes; k++) p[k] = (float)(exp((double)z[k] - mx) / sum);
        }
        ins->pred[i] = best;
    }
    /* keep the graph: move it out of the session */
    ins->graph = s.g;
    memset(&s.g, 0, sizeof s.g);
    gat_session_free(&s);
    return GAT_OK;
nomem:
    gat_session_free(&s);
    gat_inspection_free(ins);
    return gat_error_set(err, GAT_ENOMEM, "out of memory keeping the attention of %lld edges", (long long)nnz);
}

float gat_inspect_att(const gat_inspection *ins, int layer, int head, int64_t k) {
    const int64_t h = ins->heads[layer];
    const float *a = ins->att[layer] + k * h;
    if (head >= 0) return a[head];
    double s = 0;
    for (int64_t j = 0; j < h; j++) s += a[j];
    return (float)(s / (double)h);
}

void gat_attention_entropy(const gat_inspection *ins, int layer, int head, double *entropy, double *uniform) {
    const gat_graph *g = &ins->graph;
    for (int64_t i = 0; i < g->n; i++) {
        const int64_t b = g->row_ptr[i], e = g->row_ptr[i + 1];
        /* a node without incoming edges (a graph without self loops) attends to nothing: 0 bits */
        if (uniform) uniform[i] = e > b ? log2((double)(e - b)) : 0.0;
        if (!entropy) continue;
        double h = 0;
        for (int64_t k = b; k < e; k++) {
            double p = gat_inspect_att(ins, layer, head, k);
            if (p > 0) h -= p * log2(p);
        }
        entropy[i] = h;
    }
}

int64_t gat_inspect_default_nodes(const gat_graph *g, int64_t n_top, int64_t n_random, uint64_t seed, int64_t *out) {
    int64_t n = g->n, count = 0;
    if (n_top > n) n_top = n;
    /* top degrees by repeated selection: n_top is small */
    for (int64_t t = 0; t < n_top; t++) {
        int64_t best = -1, bd = -1;
        for (int64_t i = 0; i < n; i++) {
            int64_t d = g->row_ptr[i + 1] - g->row_ptr[i];
            int taken = 0;
            for (int64_t c = 0; c < count && !taken; c++) taken = out[c] == i;
            if (!taken && d > bd && d > 0) { bd = d; best = i; }
        }
        if (best < 0) break; /* the rest have no incoming edge (a graph without self loops) */
        out[count++] = best;
    }
    const uint64_t key = gat_rng_key(seed, GAT_STREAM_NODES, 0, 0);
    for (uint64_t draw = 0; count < n_top + n_random && count < n && draw < 64 * (uint64_t)(n + 1); draw++) {
        int64_t i = (int64_t)(gat_rng_uniform64(key, draw) * (double)n);
        if (i >= n) i = n - 1;
        int taken = g->row_ptr[i + 1] == g->row_ptr[i]; /* no attention to show */
        for (int64_t c = 0; c < count && !taken; c++) taken = out[c] == i;
        if (!taken) out[count++] = i;
    }
    return count;
}

/* The dataset convention: edge_index (2, nnz), row 0 the sources, row 1 the targets; and
 * input_edge (nnz): the entry of the dataset's edge_index each edge came from, -1 for an
 * added self loop. */
static int edge_arrays(const gat_inspection *ins, gat_array *ei, gat_array *input, gat_error *err) {
    const gat_graph *g = &ins->graph;
    int64_t shape[2] = {2, g->nnz};
    int rc = gat_array_alloc(ei, GAT_DTYPE_I64, 2, shape, err);
    if (!rc) rc = gat_array_alloc(input, GAT_DTYPE_I64, 1, &g->nnz, err);
    if (rc) {
        gat_array_free(ei);
        return rc;
    }
    int64_t *e = (int64_t *)ei->data, *in = (int64_t *)input->data;
    for (int64_t k = 0; k < g->nnz; k++) {
        e[k] = g->src[k];
        e[g->nnz + k] = g->dst[k];
        in[k] = g->edge_id[k];
    }
    return GAT_OK;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

int gat_attention_save(const gat_inspection *ins, const char *path, char extra_paths[2][1024], gat_error *err) {
    const int64_t nnz = ins->graph.nnz;
    if (extra_paths) extra_paths[0][0] = extra_paths[1][0] = 0;
    gat_array ei = {0}, input = {0};
    int rc = edge_arrays(ins, &ei, &input, err);
    if (rc) return rc;
    if (ends_with(path, ".npz")) {
        gat_array arrays[GAT_MAX_LAYERS + 2];
        char names[GAT_MAX_LAYERS + 2][32];
        const char *name_ptr[GAT_MAX_LAYERS + 2];
        memset(arrays, 0, sizeof arrays);
        arrays[0] = ei;
        arrays[1] = input;
        snprintf(names[0], sizeof names[0], "edge_index");
        snprintf(names[1], sizeof names[1], "input_edge");
        name_ptr[0] = names[0];
        name_ptr[1] = names[1];
        for (int l = 0; l < ins->n_layers && !rc; l++) {
            int64_t shape[2] = {nnz, ins->heads[l]};
            rc = gat_array_alloc(&arrays[l + 2], GAT_DTYPE_F32, 2, shape, err);
            if (!rc) memcpy(arrays[l + 2].data, ins->att[l], (size_t)(nnz * ins->heads[l]) * sizeof(float));
            snprintf(names[l + 2], sizeof names[l + 2], "layer_%d", l);
            name_ptr[l + 2] = names[l + 2];
        }
        if (!rc) rc = gat_npz_write(path, (size_t)ins->n_layers + 2, name_ptr, arrays, 1, err);
        for (int l = 0; l < ins->n_layers + 2; l++) gat_array_free(&arrays[l]);
        return rc;
    }
    int64_t total = 0;
    for (int l = 0; l < ins->n_layers; l++) total += ins->heads[l];
    gat_array att = {0};
    int64_t shape[2] = {nnz, total};
    char epath[1024], ipath[1024];
    if ((rc = gat_array_alloc(&att, GAT_DTYPE_F32, 2, shape, err))) goto done;
    float *a = (float *)att.data;
    for (int64_t k = 0; k < nnz; k++) {
        int64_t c = 0;
        for (int l = 0; l < ins->n_layers; l++)
            for (int64_t h = 0; h < ins->heads[l]; h++) a[k * total + c++] = ins->att[l][k * ins->heads[l] + h];
    }
    size_t len = strlen(path);
    if (ends_with(path, ".npy")) len -= 4;
    if (len + sizeof "_edge_index.npy" > sizeof epath) {
        rc = gat_error_set(err, GAT_EINVAL, "%s: path too long", path);
        goto done;
    }
    snprintf(epath, sizeof epath, "%.*s_edge_index.npy", (int)len, path);
    snprintf(ipath, sizeof ipath, "%.*s_input_edge.npy", (int)len, path);
    if ((rc = gat_npy_write(path, &att, err))) goto done;
    if ((rc = gat_npy_write(epath, &ei, err))) goto done;
    if ((rc = gat_npy_write(ipath, &input, err))) goto done;
    if (extra_paths) {
        snprintf(extra_paths[0], 1024, "%s", epath);
        snprintf(extra_paths[1], 1024, "%s", ipath);
    }
done:
    gat_array_free(&att);
    gat_array_free(&ei);
    gat_array_free(&input);
    return rc;
}
