/* test_train_rules.c - the rules of training, each against numbers computed here:
 *   - early stopping and the best epoch on scripted sequences of validation results
 *     (gat_early_stop), and gat_train's own reports obeying them: it stops exactly when
 *     patience runs out and ends with the best epoch's parameters;
 *   - every Adam step with weight decay, replayed in double from the reported gradients;
 *   - the validation pass is an evaluation (no dropout) over exactly what a full pass gives;
 *   - the documented defaults of the training options;
 *   - sigmoid cross-entropy and micro-F1 of the multi-label path on hand-made logits,
 *     extreme ones included;
 *   - the same bits on 1, 2, 3 and 8 threads for sparse, dense and skip models;
 *   - backward refuses to run after an evaluation forward (it would use stale masks). */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "gat/train.h"

/* ---------------- a small dataset ---------------- */

/* n nodes in two noisy communities; dense (k features) or sparse (about a third stored). */
static void make_data(gat_dataset *ds, int64_t n, int64_t k, int sparse, uint64_t seed) {
    memset(ds, 0, sizeof *ds);
    const int per = 5;
    snprintf(ds->name, sizeof ds->name, "rules");
    ds->n_nodes = n;
    ds->n_features = k;
    ds->n_classes = 2;
    float *x = malloc(sizeof(float) * n * k);
    ds->labels = malloc(sizeof(int64_t) * n);
    ds->edge_src = malloc(sizeof(int64_t) * n * per);
    ds->edge_dst = malloc(sizeof(int64_t) * n * per);
    uint64_t st = seed;
#define NEXT() (st = st * 6364136223846793005ull + 1442695040888963407ull, st >> 33)
    for (int64_t i = 0; i < n; i++) {
        ds->labels[i] = i % 2;
        for (int64_t j = 0; j < k; j++) {
            float noise = (float)(NEXT() & 0xffff) / 65536.0f;
            x[i * k + j] = (sparse && NEXT() % 3) ? 0.0f : noise + (j % 2 == ds->labels[i] ? 0.4f : 0.0f);
        }
        for (int t = 0; t < per; t++) {
            int64_t j = (int64_t)(NEXT() % (uint64_t)(n / 2)) * 2 + (t < 4 ? ds->labels[i] : 1 - ds->labels[i]);
            ds->edge_src[ds->n_edges] = j;
            ds->edge_dst[ds->n_edges++] = i;
        }
    }
#undef NEXT
    if (sparse) {
        gat_csr *c = &ds->features;
        c->n_rows = n;
        c->n_cols = k;
        c->row_ptr = calloc(n + 1, sizeof(int64_t));
        c->col_idx = malloc(sizeof(int32_t) * n * k);
        c->val = malloc(sizeof(float) * n * k);
        for (int64_t i = 0; i < n; i++) {
            for (int64_t j = 0; j < k; j++)
                if (x[i * k + j] != 0.0f) { c->col_idx[c->nnz] = (int32_t)j; c->val[c->nnz++] = x[i * k + j]; }
            c->row_ptr[i + 1] = c->nnz;
        }
        free(x);
    } else {
        ds->dense_features = x;
    }
    for (int s = 0; s < 3; s++) {
        ds->split[s] = malloc(sizeof(int64_t) * n);
        for (int64_t i = 0; i < n; i++)
            if (i % 5 == (s == 0 ? 0 : s == 1 ? 1 : 2)) ds->split[s][ds->split_size[s]++] = i;
    }
}

/* ---------------- early stopping on scripted sequences ---------------- */

typedef struct { double score, loss; int flags; } step;

static void run_script(const char *what, int64_t patience, const step *seq, int n, int64_t best_epoch) {
    gat_early_stop es;
    gat_early_stop_init(&es, patience);
    int ok = 1, at = -1;
    for (int t = 0; t < n; t++) {
        gat_metrics v = {.loss = seq[t].loss, .score = seq[t].score};
        int f = gat_early_stop_update(&es, t + 1, v);
        if (f != seq[t].flags && at < 0) { ok = 0; at = t; }
    }
    CHECK_MSG(ok, "%s: flags as scripted (first difference at epoch %d)", what, at + 1);
    CHECK_MSG(es.best_epoch == best_epoch, "%s: best epoch %lld (expected %lld)", what, (long long)es.best_epoch,
              (long long)best_epoch);
}

static void test_early_stop_scripts(void) {
    enum { I = GAT_ES_IMPROVED, B = GAT_ES_BEST, S = GAT_ES_STOP };
    /* patience 3: improvements by score, then by loss only, then three flat epochs */
    const step a[] = {{0.50, 1.0, I | B}, {0.60, 0.9, I | B}, {0.55, 0.8, I}, {0.60, 0.95, 0},
                      {0.58, 0.95, 0},   {0.59, 0.81, S}};
    run_script("loss-only improvement resets patience; stop after 3 flat epochs", 3, a, 6, 2);
    /* a tie on the best score with a lower loss than that epoch's (but not the lowest loss
     * seen) is the new best epoch, though it is no improvement */
    const step b[] = {{0.80, 0.50, I | B}, {0.70, 0.30, I}, {0.80, 0.40, B}, {0.80, 0.45, 0}, {0.79, 0.60, S}};
    run_script("ties on score go to the lower loss", 3, b, 5, 3);
    /* patience 1: the first epoch without improvement stops */
    const step c[] = {{0.5, 1.0, I | B}, {0.5, 1.0, S}};
    run_script("patience 1", 1, c, 2, 1);
    /* a NaN loss never improves or wins; equal metrics are no improvement */
    const step d[] = {{0.4, 2.0, I | B}, {0.4, NAN, 0}, {0.4, 2.0, 0}, {0.41, 2.5, I | B}, {0.41, 2.5, 0}};
    run_script("NaN and repeated metrics", 5, d, 5, 4);
}

/* ---------------- gat_train against its own reports ---------------- */

typedef struct {
    gat_model *m;
    gat_session eval;                  /* a separate session for the check of the validation pass */
    int64_t epochs;
    gat_epoch_report rep[400];
    float *params[400], *grads[400];
    double val_mismatch;
} recorder;

static int record(const gat_epoch_report *r, const gat_model *m, void *user, gat_error *err) {
    (void)err;
    recorder *rc = user;
    int64_t e = r->epoch - 1;
    if (e >= 400) return 0;
    rc->rep[e] = *r;
    rc->params[e] = malloc(m->n_params * sizeof(float));
    rc->grads[e] = malloc(m->n_params * sizeof(float));
    memcpy(rc->params[e], m->params, m->n_params * sizeof(float));
    memcpy(rc->grads[e], m->grads, m->n_params * sizeof(float));
    rc->epochs = r->epoch;
    /* the validation metrics are those of an evaluation-mode pass over every node */
    gat_metrics v;
    gat_evaluate(rc->m, &rc->eval, GAT_SPLIT_VAL, &v);
    rc->val_mismatch = fmax(rc->val_mismatch, fabs(v.loss - r->val.loss) + fabs(v.score - r->val.score));
    return 0;
}

static void recorder_free(recorder *rc) {
    for (int64_t e = 0; e < rc->epochs && e < 400; e++) { free(rc->params[e]); free(rc->grads[e]); }
    gat_session_free(&rc->eval);
}

/* Adam with L2 weight decay as torch.optim.Adam, in double: p, m1, m2 updated in place. */
static void adam_ref(double *p, double *m1, double *m2, double g, int64_t t, const gat_train_options *o) {
    double gi = g + o->weight_decay * *p;
    *m1 = o->beta1 * *m1 + (1 - o->beta1) * gi;
    *m2 = o->beta2 * *m2 + (1 - o->beta2) * gi * gi;
    double mhat = *m1 / (1 - pow(o->beta1, (double)t)), vhat = *m2 / (1 - pow(o->beta2, (double)t));
    *p -= o->lr * mhat / (sqrt(vhat) + o->eps);
}

static void test_train_loop(void) {
    gat_dataset ds;
    make_data(&ds, 160, 12, 0, 7);
    gat_error err = {0};
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    cfg.heads[0] = 4;
    cfg.features[0] = 6;
    cfg.dropout = 0.3f;
    gat_model m;
    recorder rc;
    memset(&rc, 0, sizeof rc);
    rc.m = &m;
    gat_session s;
    CHECK(gat_model_init(&m, &cfg, 3, &err) == GAT_OK);
    CHECK(gat_session_init(&s, &ds, &m, &err) == GAT_OK);
    CHECK(gat_session_init(&rc.eval, &ds, &m, &err) == GAT_OK);
    float *p0 = malloc(m.n_params * sizeof(float));
    memcpy(p0, m.params, m.n_params * sizeof(float));
    gat_train_options o = gat_train_options_default();
    o.max_epochs = 300;
    o.patience = 12;
    o.weight_decay = 0.05; /* large enough to matter against the gradients */
    o.lr = 0.02;
    o.seed = 11;
    gat_train_result res;
    CHECK(gat_train(&m, &s, &o, record, &rc, &res, &err) == GAT_OK);
    CHECK_EQ_INT(res.epochs, rc.epochs);
    CHECK_MSG(res.epochs < o.max_epochs && res.reason == GAT_STOP_PATIENCE,
              "stopped by patience after %lld epochs", (long long)res.epochs);
    CHECK_MSG(rc.val_mismatch == 0.0, "the validation pass equals an evaluation over all nodes (worst %g)", rc.val_mismatch);

    /* the reports follow the rules: replay them through an independent bookkeeping */
    double best_s = -INFINITY, best_l = INFINITY, bs = 0, bl = 0;
    int64_t since = 0, best_epoch = 0, stop_at = 0, improved_ok = 1;
    for (int64_t e = 1; e <= rc.epochs; e++) {
        const gat_metrics v = rc.rep[e - 1].val;
        int imp = v.score > best_s || v.loss < best_l;
        if (imp) { since = 0; best_s = fmax(best_s, v.score); best_l = fmin(best_l, v.loss); }
        else since++;
        improved_ok &= imp == rc.rep[e - 1].improved;
        if (best_epoch == 0 || v.score > bs || (v.score == bs && v.loss < bl)) { best_epoch = e; bs = v.score; bl = v.loss; }
        if (!stop_at && since >= o.patience) stop_at = e;
    }
    CHECK_MSG(improved_ok, "every epoch's improved flag follows the rule");
    CHECK_MSG(stop_at == res.epochs, "stopped at epoch %lld, the first with %lld epochs without improvement (%lld)",
              (long long)res.epochs, (long long)o.patience, (long long)stop_at);
    CHECK_MSG(res.best_epoch == best_epoch && best_epoch < res.epochs,
              "best epoch %lld (expected %lld, before the last)", (long long)res.best_epoch, (long long)best_epoch);
    CHECK_MSG(!memcmp(m.params, rc.params[best_epoch - 1], m.n_params * sizeof(float)),
              "training ends with the best epoch's parameters");
    CHECK_MSG(memcmp(m.params, rc.params[rc.epochs - 1], m.n_params * sizeof(float)) != 0,
              "... which differ from the last epoch's");

    /* every Adam step: from the previous parameters and the reported gradient */
    double worst = 0, worst_nowd = 0;
    double *m1 = calloc(m.n_trainable, sizeof(double)), *m2 = calloc(m.n_trainable, sizeof(double));
    double *m1n = calloc(m.n_trainable, sizeof(double)), *m2n = calloc(m.n_trainable, sizeof(double));
    gat_train_options nowd = o;
    nowd.weight_decay = 0;
    for (int64_t e = 1; e <= 5; e++) {
        const float *prev = e == 1 ? p0 : rc.params[e - 2], *now = rc.params[e - 1], *g = rc.grads[e - 1];
        for (size_t i = 0; i < m.n_trainable; i++) {
            double p = prev[i], q = prev[i];
            adam_ref(&p, &m1[i], &m2[i], g[i], e, &o);
            adam_ref(&q, &m1n[i], &m2n[i], g[i], e, &nowd);
            worst = fmax(worst, fabs(p - now[i]));
            worst_nowd = fmax(worst_nowd, fabs(q - now[i]));
        }
        /* the untrained tail (identity-skip weights) never moves */
        for (size_t i = m.n_trainable; i < m.n_params; i++) worst = fmax(worst, fabs((double)prev[i] - now[i]));
    }
    CHECK_MSG(worst < 2e-6, "5 Adam steps with weight decay match the double-precision replay (worst |diff| %.3g)", worst);
    CHECK_MSG(worst_nowd > 1e-4, "... and weight decay matters to them (without it: %.3g)", worst_nowd);
    /* the first step of Adam moves every parameter with a non-zero gradient by lr */
    int64_t first_ok = 0, first_n = 0;
    for (size_t i = 0; i < m.n_trainable; i++) {
        double gi = rc.grads[0][i] + o.weight_decay * p0[i];
        if (fabs(gi) < 1e-3) continue;
        first_n++;
        first_ok += fabs(fabs((double)rc.params[0][i] - p0[i]) - o.lr) < 1e-6;
    }
    printf("training: %lld epochs (stopped by patience %lld), best epoch %lld; Adam replay worst |diff| %.3g (%.3g without "
           "weight decay); first step %lld of %lld parameters moved by lr\n", (long long)res.epochs, (long long)o.patience,
           (long long)res.best_epoch, worst, worst_nowd, (long long)first_ok, (long long)first_n);
    CHECK_MSG(first_n > 0 && first_ok == first_n, "Adam's first step moves each parameter by lr (%lld of %lld)",
              (long long)first_ok, (long long)first_n);
    free(m1); free(m2); free(m1n); free(m2n); free(p0);
    recorder_free(&rc);
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&ds);
}

/* ---------------- defaults ---------------- */

/* Library messages name library parameters (the command line maps them to its options). */
static void test_messages(void) {
    gat_error err = {0};
    gat_config c = gat_config_default(10, 3);
    c.heads[1] = 0;
    CHECK(gat_config_check(&c, &err) == GAT_EINVAL);
    CHECK_MSG(!strncmp(err.msg, "config.heads: layer 1", 21) && !strstr(err.msg, "--"), "config message: %s", err.msg);
    c = gat_config_default(10, 3);
    c.dropout = 1.0f;
    CHECK(gat_config_check(&c, &err) == GAT_EINVAL);
    CHECK_MSG(!strncmp(err.msg, "config.dropout:", 15), "config message: %s", err.msg);
    gat_train_options o = gat_train_options_default();
    o.patience = 0;
    CHECK(gat_train_options_check(&o, &err) == GAT_EINVAL);
    CHECK_MSG(!strncmp(err.msg, "train.patience:", 15) && !strstr(err.msg, "--"), "options message: %s", err.msg);
    o = gat_train_options_default();
    o.lr = -1;
    CHECK(gat_train_options_check(&o, &err) == GAT_EINVAL);
    CHECK_MSG(!strncmp(err.msg, "train.lr:", 9), "options message: %s", err.msg);
}

static void test_defaults(void) {
    /* the values train.h and model.h document (the paper's Cora recipe) */
    gat_train_options o = gat_train_options_default();
    CHECK(o.max_epochs == 10000 && o.patience == 1000);
    CHECK(o.lr == 5e-3 && o.weight_decay == 5e-4);
    CHECK(o.beta1 == 0.9 && o.beta2 == 0.999 && o.eps == 1e-8);
    CHECK(o.keep_best == 1 && o.use_plans == 1 && o.seed == 1);
    gat_config c = gat_config_default(1433, 7);
    CHECK(c.n_layers == 2 && c.heads[0] == 8 && c.features[0] == 8 && c.heads[1] == 1 && c.features[1] == 7);
    CHECK(c.dropout == 0.6f && c.slope == 0.2f && c.bias == 1 && c.skip == 0);
}

/* ---------------- multi-label: sigmoid cross-entropy and micro-F1 ---------------- */

static void test_multilabel(void) {
    /* 3 nodes x 4 labels; nodes 0 and 2 in the split; extreme logits included */
    const float logits[12] = {2.0f, -1.0f, 60.0f, -60.0f, /**/ 5, 5, 5, 5, /**/ -0.5f, 0.25f, -80.0f, 100.0f};
    const float targets[12] = {1, 0, 1, 0, /**/ 1, 1, 1, 1, /**/ 1, 1, 1, 0};
    const int64_t idx[2] = {0, 2};
    float d[12];
    for (int i = 0; i < 12; i++) d[i] = 99.0f;
    int64_t tp, fp, fn;
    double loss = gat_sigmoid_bce(logits, 4, targets, idx, 2, d, &tp, &fp, &fn);
    double want = 0, wd[12];
    int64_t wtp = 0, wfp = 0, wfn = 0;
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < 4; k++) {
            int i = (int)idx[t] * 4 + k;
            double x = logits[i], y = targets[i];
            /* -[y log s(x) + (1-y) log(1 - s(x))], with log s(x) = -log1p(e^-x) written per sign */
            double log_s = x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x));
            double log_1ms = x >= 0 ? -x - log1p(exp(-x)) : -log1p(exp(x));
            want += -(y * log_s + (1 - y) * log_1ms);
            wd[i] = (1 / (1 + exp(-x)) - y) / 8.0;
            wtp += x > 0 && y > 0.5;
            wfp += x > 0 && y < 0.5;
            wfn += x <= 0 && y > 0.5;
        }
    want /= 8.0;
    CHECK_MSG(fabs(loss - want) < 1e-12 * (1 + want), "sigmoid BCE %.15g vs hand-computed %.15g", loss, want);
    CHECK(tp == wtp && fp == wfp && fn == wfn);
    CHECK(wtp == 3 && wfp == 1 && wfn == 2); /* the hand count of the data above */
    int grad_ok = 1;
    for (int i = 0; i < 12; i++) {
        int in = i / 4 == 0 || i / 4 == 2;
        grad_ok &= in ? fabs(d[i] - wd[i]) < 1e-7 : d[i] == 99.0f;
    }
    CHECK_MSG(grad_ok, "sigmoid BCE gradient at the split's rows, untouched elsewhere");

    /* through a multi-label dataset: the score is micro-F1 = 2 tp / (2 tp + fp + fn) */
    gat_dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.task = GAT_TASK_MULTI_LABEL;
    ds.n_nodes = 3;
    ds.n_classes = 4;
    ds.targets = (float *)targets;
    ds.split[GAT_SPLIT_VAL] = (int64_t *)idx;
    ds.split_size[GAT_SPLIT_VAL] = 2;
    gat_session s;
    memset(&s, 0, sizeof s);
    s.ds = &ds;
    gat_metrics mt = gat_split_metrics(&s, logits, GAT_SPLIT_VAL, NULL);
    CHECK_NEAR(mt.score, 2.0 * 3 / (2.0 * 3 + 1 + 2), 1e-12);
    CHECK_NEAR(mt.loss, want, 1e-12 * (1 + want));
}

/* ---------------- threads ---------------- */

static float *train_bits(const gat_dataset *ds, int threads, int skip, size_t *n_params) {
    gat_error err = {0};
    gat_set_threads(threads);
    gat_config cfg = gat_config_default(ds->n_features, ds->n_classes);
    cfg.heads[0] = 8;
    cfg.features[0] = 8;
    cfg.heads[1] = 2;
    cfg.skip = skip;
    gat_model m;
    gat_session s;
    gat_train_options o = gat_train_options_default();
    o.max_epochs = 4;
    o.seed = 9;
    gat_train_result res;
    if (gat_model_init(&m, &cfg, 4, &err) || gat_session_init(&s, ds, &m, &err) ||
        gat_train(&m, &s, &o, NULL, NULL, &res, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return NULL;
    }
    const float *logits = gat_evaluate(&m, &s, GAT_SPLIT_TEST, NULL);
    size_t nl = (size_t)(ds->n_nodes * ds->n_classes);
    float *out = malloc((m.n_params + nl) * sizeof(float));
    memcpy(out, m.params, m.n_params * sizeof(float));
    memcpy(out + m.n_params, logits, nl * sizeof(float));
    *n_params = m.n_params + nl;
    gat_session_free(&s);
    gat_model_free(&m);
    return out;
}

static void test_threads(void) {
    static const char *const kind[3] = {"sparse", "dense", "dense + skip"};
    for (int k = 0; k < 3; k++) {
        gat_dataset ds;
        make_data(&ds, 700, 24, k == 0, 21); /* 700 rows: several 256-row blocks */
        size_t n1 = 0, n;
        float *ref = train_bits(&ds, 1, k == 2, &n1);
        static const int threads[3] = {2, 3, 8};
        for (int t = 0; t < 3; t++) {
            float *b = train_bits(&ds, threads[t], k == 2, &n);
            CHECK_MSG(ref && b && n == n1 && !memcmp(ref, b, n * sizeof(float)),
                      "%s model: parameters and logits after 4 epochs are the same bits on 1 and %d threads", kind[k],
                      threads[t]);
            free(b);
        }
        free(ref);
        gat_dataset_free(&ds);
    }
    gat_set_threads(0);
}

/* ---------------- backward after an evaluation forward ---------------- */

static void test_backward_contract(void) {
    gat_dataset ds;
    make_data(&ds, 40, 6, 0, 5);
    gat_error err = {0};
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    gat_model m;
    gat_session s;
    CHECK(gat_model_init(&m, &cfg, 1, &err) == GAT_OK && gat_session_init(&s, &ds, &m, &err) == GAT_OK);
    fflush(NULL);
    for (int mode = 0; mode < 2; mode++) {
        pid_t pid = fork();
        if (pid == 0) {
            /* mode 0: after an evaluation forward (stale masks); 1: after a training forward */
            gat_model_forward(&m, &s.acts, &s.in, &s.g, mode, 5);
            gat_model_backward(&m, &s.acts, &s.in, &s.g, s.dlogits);
            _exit(0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        if (mode == 0)
            CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "backward after an evaluation forward aborts (status %d)", st);
        else
            CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "backward after a training forward runs (status %d)", st);
    }
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&ds);
}

int main(void) {
    test_backward_contract(); /* first: it forks, before any OpenMP thread exists */
    test_defaults();
    test_messages();
    test_early_stop_scripts();
    test_multilabel();
    test_train_loop();
    test_threads();
    return check_summary();
}
