/* test_node_order.c - the locality order of a graph's nodes, and the renumbered batches a
 * single-graph session trains and evaluates on: every node once, each split's nodes, the
 * logits of evaluation bit-identical to a pass in the dataset's own order, and a training
 * step's loss and gradient equal to one in that order up to the order of the sums. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "synthetic.h"
#include "gat/graph.h"
#include "gat/train.h"

/* order holds each of 0 .. n-1 exactly once */
static int is_permutation(const int64_t *order, int64_t n) {
    uint8_t *seen = calloc((size_t)n + 1, 1);
    int ok = seen != NULL;
    for (int64_t i = 0; ok && i < n; i++) {
        ok = order[i] >= 0 && order[i] < n && !seen[order[i]];
        if (ok) seen[order[i]] = 1;
    }
    free(seen);
    return ok;
}

static void path_graph(void) {
    /* a path 0 - 1 - ... - 11 under scrambled ids, both directions listed */
    enum { N = 12 };
    const int64_t id[N] = {7, 2, 11, 0, 5, 9, 3, 10, 1, 8, 4, 6};
    int64_t src[2 * (N - 1)], dst[2 * (N - 1)], order[N];
    for (int k = 0; k + 1 < N; k++) {
        src[2 * k] = id[k], dst[2 * k] = id[k + 1];
        src[2 * k + 1] = id[k + 1], dst[2 * k + 1] = id[k];
    }
    gat_graph g;
    gat_error err = {0};
    CHECK(gat_graph_build(&g, N, src, dst, 2 * (N - 1), 0, &err) == GAT_OK);
    CHECK(gat_graph_locality_order(&g, order, &err) == GAT_OK);
    CHECK(is_permutation(order, N));
    /* from one end of the path to the other: each node next to the one before it */
    int along = order[0] == id[0] || order[0] == id[N - 1];
    for (int k = 1; k < N; k++) {
        int adjacent = 0;
        for (int t = 0; t + 1 < N; t++)
            adjacent |= (order[k - 1] == id[t] && order[k] == id[t + 1]) || (order[k - 1] == id[t + 1] && order[k] == id[t]);
        along &= adjacent;
    }
    CHECK_MSG(along, "a path is ordered from one end to the other (starts at %lld)", (long long)order[0]);
    gat_graph_free(&g);
}

static void components(void) {
    /* a one-way cycle 0 -> 4 -> 8 -> 0, a one-way path 1 -> 5 -> 9 (which only out-edges lead
     * along from 1), and isolated nodes 2, 3, 6, 7: each component's nodes consecutive */
    enum { N = 10, E = 5 };
    const int64_t src[E] = {0, 4, 8, 1, 5}, dst[E] = {4, 8, 0, 5, 9};
    int64_t order[N];
    for (int flags = 0; flags <= GAT_GRAPH_NO_SELF_LOOPS; flags += GAT_GRAPH_NO_SELF_LOOPS) {
        gat_graph g;
        gat_error err = {0};
        CHECK(gat_graph_build(&g, N, src, dst, E, flags, &err) == GAT_OK);
        CHECK(gat_graph_locality_order(&g, order, &err) == GAT_OK);
        CHECK(is_permutation(order, N));
        int64_t at[N];
        for (int k = 0; k < N; k++) at[order[k]] = k;
        const int64_t lo0 = at[0] < at[4] ? (at[0] < at[8] ? at[0] : at[8]) : (at[4] < at[8] ? at[4] : at[8]);
        const int64_t lo1 = at[1] < at[5] ? (at[1] < at[9] ? at[1] : at[9]) : (at[5] < at[9] ? at[5] : at[9]);
        int together = 1;
        for (int v = 0; v < N; v += 4) together &= at[v] >= lo0 && at[v] < lo0 + 3;
        for (int v = 1; v < N; v += 4) together &= at[v] >= lo1 && at[v] < lo1 + 3;
        CHECK_MSG(together, "each component's nodes are consecutive in the order (flags %d)", flags);
        CHECK_MSG(lo0 < lo1 && at[2] < at[3] && at[6] < at[7],
                  "components follow each other by their lowest id (flags %d)", flags);
        gat_graph_free(&g);
    }
}

/* The session's batches: a permutation of the nodes, shared by the splits, each split's nodes
 * as increasing local ids. */
static void batches(const gat_dataset *ds, const gat_session *s) {
    const gat_step_batch *b0 = &s->eval[0][0];
    CHECK_MSG(b0->node_ids && is_permutation(b0->node_ids, ds->n_nodes), "%s: the batch renumbers every node once",
              ds->name);
    int64_t moved = 0;
    for (int64_t i = 0; b0->node_ids && i < ds->n_nodes; i++) moved += b0->node_ids[i] != i;
    CHECK_MSG(moved > ds->n_nodes / 2, "%s: the order is not the dataset's own (%lld of %lld nodes moved)", ds->name,
              (long long)moved, (long long)ds->n_nodes);
    for (int sp = 0; sp < 3; sp++) {
        const gat_step_batch *b = &s->eval[sp][0];
        CHECK(b->in == b0->in && b->g == b0->g && b->node_ids == b0->node_ids);
        CHECK_EQ_INT(b->n_loss, ds->split_size[sp]);
        uint8_t *want = calloc((size_t)ds->n_nodes + 1, 1);
        for (int64_t q = 0; q < ds->split_size[sp]; q++) want[ds->split[sp][q]] = 1;
        int ok = b->n_loss == ds->split_size[sp];
        for (int64_t q = 0; ok && q < b->n_loss; q++) {
            ok = (q == 0 || b->loss[q] > b->loss[q - 1]) && want[b->node_ids[b->loss[q]]];
            if (ds->labels) ok = ok && b->labels[b->loss[q]] == ds->labels[b->node_ids[b->loss[q]]];
        }
        CHECK_MSG(ok, "%s: split %d's loss nodes are its nodes, increasing, with their labels", ds->name, sp);
        free(want);
    }
}

/* gat_evaluate's logits (and metrics) against a forward pass over the dataset's order */
static void evaluation(gat_model *m, gat_session *s, const gat_dataset *ds) {
    gat_error err = {0};
    gat_acts a;
    CHECK(gat_acts_init(&a, m, &s->in, &s->g, &err) == GAT_OK);
    const int64_t C = ds->n_classes;
    const float *plain = gat_model_forward(m, &a, &s->in, &s->g, 0, 0);
    for (int sp = 0; sp < 3; sp++) {
        gat_metrics got;
        const float *logits = gat_evaluate(m, s, (gat_split)sp, &got);
        CHECK_MSG(logits && !memcmp(logits, plain, (size_t)(ds->n_nodes * C) * sizeof *logits),
                  "%s: split %d's evaluation gives the logits of a pass in the dataset's order, bit for bit", ds->name,
                  sp);
        const gat_metrics want = gat_split_metrics(s, plain, (gat_split)sp, NULL);
        /* the loss sums its nodes in the batch's order: the same to the last bits of a double */
        CHECK_MSG(fabs(got.loss - want.loss) <= 1e-12 * want.loss && got.score == want.score,
                  "%s: split %d: loss %.17g and score %.4f as in that order (%.17g, %.4f)", ds->name, sp, got.loss,
                  got.score, want.loss, want.score);
    }
    gat_acts_free(&a);
}

/* One training step on the session's batch and on a batch in the dataset's order, with the
 * same key: the input and projection dropout masks follow the original node ids, so with no
 * attention dropout the two steps differ only in the order of their sums. */
static void training_step(gat_model *m, gat_session *s, const gat_dataset *ds) {
    gat_error err = {0};
    const int64_t C = ds->n_classes;
    const uint64_t key = 0x1234;
    gat_step_batch plain;
    CHECK(gat_step_batch_whole(&plain, ds, &s->in, &s->g, GAT_SPLIT_TRAIN, &err) == GAT_OK);
    float *grad = malloc(m->n_params * sizeof *grad), *dl = calloc((size_t)(ds->n_nodes * C) + 1, sizeof *dl);
    gat_tally t1, t2;
    memset(&t1, 0, sizeof t1);
    memset(&t2, 0, sizeof t2);
    const gat_step_batch *b = &s->eval[GAT_SPLIT_TRAIN][0];
    memset(m->grads, 0, m->n_params * sizeof *m->grads);
    gat_step_batch_loss(b, ds->task, C, gat_step_batch_forward(m, &s->acts, b, 1, key), dl, &t1);
    gat_step_batch_backward(m, &s->acts, b, dl);
    memcpy(grad, m->grads, m->n_params * sizeof *grad);
    memset(m->grads, 0, m->n_params * sizeof *m->grads);
    memset(dl, 0, (size_t)(ds->n_nodes * C) * sizeof *dl);
    gat_step_batch_loss(&plain, ds->task, C, gat_step_batch_forward(m, &s->acts, &plain, 1, key), dl, &t2);
    gat_step_batch_backward(m, &s->acts, &plain, dl);
    CHECK_NEAR(t1.last_loss, t2.last_loss, 1e-6 * t2.last_loss);
    CHECK_EQ_INT(t1.correct, t2.correct);
    check_close_f32(grad, m->grads, m->n_params, 1e-6, 1e-4, "gradient of a renumbered step", __FILE__, __LINE__);
    free(grad);
    free(dl);
    gat_step_batch_free(&plain);
}

static void session(gat_dataset *ds, gat_config cfg) {
    gat_error err = {0};
    gat_model m;
    gat_session s;
    CHECK(gat_model_init(&m, &cfg, 3, &err) == GAT_OK);
    CHECK(gat_session_init(&s, ds, &m, &err) == GAT_OK);
    gat_train_options o = gat_train_options_default();
    o.max_epochs = 5;
    gat_train_result res;
    CHECK_MSG(gat_train(&m, &s, &o, NULL, NULL, &res, &err) == GAT_OK, "%s", err.msg);
    batches(ds, &s);
    evaluation(&m, &s, ds);
    training_step(&m, &s, ds);
    gat_session_free(&s);
    gat_model_free(&m);
}

int main(void) {
    path_graph();
    components();
    gat_set_threads(2);
    gat_dataset ds;
    synthetic_communities(&ds, 300, 12, 6, 1.0f, 7);
    gat_config deep = synthetic_deep_config(&ds);
    deep.attention_dropout = 0.0f;
    session(&ds, deep);
    gat_dataset_free(&ds);

    gat_error err = {0};
    CHECK(gat_dataset_open(&ds, "cora", check_data_dir(), &err) == GAT_OK);
    gat_dataset_normalize_rows(&ds);
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    cfg.attention_dropout = 0.0f;
    session(&ds, cfg);
    gat_dataset_free(&ds);
    return check_summary();
}
