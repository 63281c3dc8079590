/* test_train.c - training is bit-reproducible for a seed whatever the number of threads,
 * learns a synthetic task, and (with GAT_DATA_DIR) reaches the paper's Cora accuracy range
 * in a short run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "synthetic.h"
#include "gat/modelfile.h"
#include "gat/train.h"

#define SIGNAL 1.0f /* feature `label` raised by this much over U[0,1) noise */

static void make_synthetic(gat_dataset *ds) { synthetic_communities(ds, 400, 20, 6, SIGNAL, 42); }

static int use_plans = 1;
static const gat_config *arch; /* NULL: the default architecture */

static float *train_params(gat_dataset *ds, int threads, int64_t epochs, gat_train_result *res, double *test_acc) {
    gat_error err = {0};
    gat_set_threads(threads);
    gat_config cfg = arch ? *arch : gat_config_default(ds->n_features, ds->n_classes);
    gat_model m;
    gat_session s;
    gat_train_options o = gat_train_options_default();
    o.max_epochs = epochs;
    o.seed = 5;
    o.use_plans = use_plans;
    if (gat_model_init(&m, &cfg, 5, &err) || gat_session_init(&s, ds, &m, &err) ||
        gat_train(&m, &s, &o, NULL, NULL, res, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return NULL;
    }
    gat_metrics t;
    gat_evaluate(&m, &s, GAT_SPLIT_TEST, &t);
    *test_acc = t.score;
    float *p = malloc(m.n_params * sizeof(float));
    memcpy(p, m.params, m.n_params * sizeof(float));
    gat_session_free(&s);
    gat_model_free(&m);
    return p;
}

/* The parameters after training on 1 thread are bit-identical to those on 2 and 3 threads
 * (3 does not divide the work evenly, and on a 2-core machine the third thread competes for
 * a core, so chunks land on threads in a different order every run). */
static void check_threads_identical(gat_dataset *ds, int64_t epochs) {
    gat_train_result r1, rt;
    double a1, at;
    float *p1 = train_params(ds, 1, epochs, &r1, &a1);
    gat_config cfg = arch ? *arch : gat_config_default(ds->n_features, ds->n_classes);
    gat_model m;
    gat_error err = {0};
    gat_model_init(&m, &cfg, 0, &err);
    for (int threads = 2; threads <= 3; threads++) {
        float *pt = train_params(ds, threads, epochs, &rt, &at);
        CHECK_MSG(p1 && pt && !memcmp(p1, pt, m.n_params * sizeof(float)),
                  "%s: parameters after %lld epochs are bit-identical on 1 and %d threads", ds->name, (long long)epochs,
                  threads);
        CHECK_MSG(a1 == at, "%s: same test accuracy on 1 and %d threads (%.4f vs %.4f)", ds->name, threads, a1, at);
        CHECK_MSG(r1.best_val.loss == rt.best_val.loss, "%s: same best validation loss on 1 and %d threads", ds->name,
                  threads);
        free(pt);
    }
    gat_model_free(&m);
    free(p1);
}

int main(void) {
    gat_dataset ds;
    make_synthetic(&ds);
    gat_train_result res;
    double acc;
    float *p = train_params(&ds, 0, 500, &res, &acc);
    free(p);
    CHECK_MSG(acc > 0.9, "synthetic two-community task learned (test accuracy %.3f)", acc);
    check_threads_identical(&ds, 30);
    /* three layers with skip connections, as the PPI architecture has */
    gat_config deep = synthetic_deep_config(&ds);
    arch = &deep;
    check_threads_identical(&ds, 15);
    /* GATv2 (its multi-threaded per-target attention), the same deep architecture and shared weights */
    deep.attention_type = GAT_ATTENTION_GATV2;
    check_threads_identical(&ds, 15);
    deep.share_weights = 1;
    check_threads_identical(&ds, 10);
    arch = NULL;
    gat_dataset_free(&ds);

    /* model file round trip: same tensors, same predictions */
    const char *data = check_data_dir();
    gat_error err = {0};
    CHECK(gat_dataset_open(&ds, "cora", data, &err) == GAT_OK);
    gat_dataset_normalize_rows(&ds);
    check_threads_identical(&ds, 20);
    gat_config v2 = gat_config_default(ds.n_features, ds.n_classes);
    v2.attention_type = GAT_ATTENTION_GATV2;
    arch = &v2;
    check_threads_identical(&ds, 8);
    arch = NULL;
    /* planned passes (only what the loss and validation need) give the same bits as full ones */
    gat_train_result r1, r2;
    double a1, a2;
    float *pp = train_params(&ds, 2, 25, &r1, &a1);
    use_plans = 0;
    float *pf = train_params(&ds, 2, 25, &r2, &a2);
    use_plans = 1;
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    gat_model tmp;
    gat_model_init(&tmp, &cfg, 0, &err);
    CHECK_MSG(pp && pf && !memcmp(pp, pf, tmp.n_params * sizeof(float)),
              "Cora: 25 epochs with planned passes are bit-identical to full passes");
    CHECK_MSG(r1.best_val.loss == r2.best_val.loss, "same validation loss with and without plans (%.9g vs %.9g)",
              r1.best_val.loss, r2.best_val.loss);
    gat_model_free(&tmp);
    free(pp);
    free(pf);
    p = train_params(&ds, 0, 150, &res, &acc);
    free(p);
    CHECK_MSG(acc > 0.70, "Cora after 150 epochs: test accuracy %.3f > 0.70", acc);
    gat_dataset_free(&ds);
    return check_summary();
}
