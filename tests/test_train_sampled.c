/* test_train_sampled.c - sampled neighbourhood training is a case of gat_train: one loop, one
 * early-stopping rule, one batch type. With every in-neighbour kept, every training node in one
 * batch and no dropout, a sampled step computes what a full-batch step computes (the same loss
 * and the same model, up to float summation order); a fixed seed gives the same bits on 1 and
 * 2 threads; the steps, the best epoch and the stop are those of gat_early_stop; a batch's
 * loss is at its seeds; exact evaluation equals inference over the whole graph. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "gat/graphgen.h"
#include "gat/infer.h"
#include "gat/ops.h"
#include "gat/train.h"

typedef struct {
    int64_t epochs, steps, last_steps;
    gat_metrics val[64];
} record;

static int on_epoch(const gat_epoch_report *r, const gat_model *m, void *user, gat_error *err) {
    (void)m;
    (void)err;
    record *rec = user;
    if (r->epoch <= 64) rec->val[r->epoch - 1] = r->val;
    rec->epochs = r->epoch;
    rec->last_steps = r->steps;
    return 0;
}

static int on_step(const gat_step_report *r, const gat_model *m, void *user, gat_error *err) {
    (void)m;
    (void)err;
    record *rec = user;
    rec->steps++;
    /* the loss of a sampled batch is at its seeds, local 0 .. n_loss-1 */
    CHECK(r->batch && r->batch->n_loss > 0 && r->batch->loss[0] == 0 && r->batch->loss[r->batch->n_loss - 1] == r->batch->n_loss - 1);
    CHECK(r->batch->node_ids && r->batch->n >= r->batch->n_loss);
    return 0;
}

static int train_sampled(const gat_dataset *ds, gat_config cfg, const int64_t *fanouts, int64_t bs, int64_t epochs,
                         int threads, gat_model *m, gat_train_result *res, record *rec) {
    gat_error err = {0};
    gat_set_threads(threads);
    if (gat_model_init(m, &cfg, 3, &err)) return 1;
    gat_session s;
    CHECK_EQ_INT(gat_session_init_sampled(&s, ds, m, fanouts, &err), GAT_OK);
    gat_train_options o = gat_train_options_default();
    o.max_epochs = epochs;
    o.patience = 3;
    o.batch_size = bs;
    o.on_step = on_step;
    o.step_user = rec;
    memset(rec, 0, sizeof *rec);
    int rc = gat_train(m, &s, &o, on_epoch, rec, res, &err);
    CHECK_MSG(rc == GAT_OK, "gat_train: %s", err.msg);
    gat_session_free(&s);
    return rc;
}

int main(void) {
    gat_error err = {0};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/g", check_tmpdir("train_sampled"));
    gat_graphgen_options go = gat_graphgen_options_default();
    go.n_nodes = 1500;
    go.n_classes = 4;
    go.n_features = 40;
    go.density = 0.1;
    go.train_size = 0.2;
    go.val_size = 300;
    go.test_size = 300;
    gat_graphgen_stats gs;
    CHECK_MSG(gat_graphgen_write(dir, &go, &gs, &err) == GAT_OK, "%s", err.msg);
    gat_dataset ds;
    CHECK_EQ_INT(gat_dataset_load(&ds, dir, &err), GAT_OK);
    gat_dataset_normalize_rows(&ds);
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    const int64_t fan[2] = {5, 3}, all[2] = {-1, -1};
    const int64_t nt = ds.split_size[GAT_SPLIT_TRAIN];

    /* the same bits on 1 and 2 threads; ceil(train / B) steps per epoch */
    gat_model m1, m2;
    gat_train_result r1, r2;
    record rec1, rec2;
    train_sampled(&ds, cfg, fan, 64, 6, 1, &m1, &r1, &rec1);
    train_sampled(&ds, cfg, fan, 64, 6, 2, &m2, &r2, &rec2);
    CHECK(m1.n_params == m2.n_params && !memcmp(m1.params, m2.params, m1.n_params * sizeof *m1.params));
    CHECK_EQ_INT(rec1.last_steps, (nt + 63) / 64);
    CHECK_EQ_INT(rec1.steps, rec1.epochs * ((nt + 63) / 64));
    CHECK_EQ_INT(r1.steps, rec1.steps);
    /* the best epoch and the stop are gat_early_stop's, replayed on the reported metrics */
    gat_early_stop es;
    gat_early_stop_init(&es, 3);
    int stopped = 0;
    for (int64_t e = 1; e <= rec1.epochs; e++) stopped = (gat_early_stop_update(&es, e, rec1.val[e - 1]) & GAT_ES_STOP) != 0;
    CHECK_EQ_INT(r1.best_epoch, es.best_epoch);
    CHECK(stopped == (r1.reason == GAT_STOP_PATIENCE));
    /* exact evaluation of a sampled session is inference over the whole graph */
    gat_session s;
    CHECK_EQ_INT(gat_session_init_sampled(&s, &ds, &m1, fan, &err), GAT_OK);
    gat_metrics mt;
    CHECK_EQ_INT(gat_evaluate_split(&m1, &s, GAT_SPLIT_TEST, &mt, &err), GAT_OK);
    const float *all_logits;
    CHECK_EQ_INT(gat_predict_all(&m1, &s, &all_logits, &err), GAT_OK);
    gat_metrics mp = gat_split_metrics(&s, all_logits, GAT_SPLIT_TEST, NULL);
    CHECK(mt.loss == mp.loss && mt.score == mp.score);
    gat_session_free(&s);
    /* bad fanouts and a collection are refused by the session */
    const int64_t bad[2] = {0, 3};
    CHECK_EQ_INT(gat_session_init_sampled(&s, &ds, &m1, bad, &err), GAT_EINVAL);
    CHECK(strstr(err.msg, "--fanouts") != NULL);
    gat_model_free(&m1);
    gat_model_free(&m2);

    /* all in-neighbours, one batch of every training node, no dropout: the sampled step is the
     * full-batch step on the training nodes' receptive field */
    cfg.dropout = 0.0f;
    gat_model ms, mf;
    gat_train_result rs, rf;
    record recs;
    train_sampled(&ds, cfg, all, nt, 5, 1, &ms, &rs, &recs);
    CHECK_EQ_INT(recs.last_steps, 1);
    CHECK_EQ_INT(gat_model_init(&mf, &cfg, 3, &err), GAT_OK);
    gat_session sf;
    CHECK_EQ_INT(gat_session_init(&sf, &ds, &mf, &err), GAT_OK);
    gat_train_options o = gat_train_options_default();
    o.max_epochs = 5;
    o.patience = 3;
    record recf;
    memset(&recf, 0, sizeof recf);
    CHECK_EQ_INT(gat_train(&mf, &sf, &o, on_epoch, &recf, &rf, &err), GAT_OK);
    CHECK_EQ_INT(rs.epochs, rf.epochs);
    for (int64_t e = 0; e < rs.epochs; e++)
        CHECK_MSG(fabs(recs.val[e].loss - recf.val[e].loss) < 1e-5, "epoch %lld: val loss %.9f sampled, %.9f full batch",
                  (long long)e + 1, recs.val[e].loss, recf.val[e].loss);
    double dmax = 0;
    for (size_t q = 0; q < ms.n_params; q++) dmax = fmax(dmax, fabs((double)ms.params[q] - (double)mf.params[q]));
    CHECK_MSG(dmax < 1e-4, "parameters differ by %g", dmax);
    gat_session_free(&sf);
    gat_model_free(&ms);
    gat_model_free(&mf);
    gat_dataset_free(&ds);
    return check_summary();
}
