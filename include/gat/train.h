/* train.h - training and evaluating a GAT on a dataset.
 *
 * One epoch = one full-batch training step (forward with dropout, loss on the train nodes,
 * backward, Adam) followed by a validation pass without dropout. Early stopping as the
 * PyTorch project pytorch-GAT does it: training stops once neither validation accuracy nor
 * validation loss has improved for `patience` epochs. The library reports each epoch through
 * a callback (which may print, log or save a checkpoint) and never prints itself. */
#ifndef GAT_TRAIN_H
#define GAT_TRAIN_H

#include <stdint.h>

#include "gat/dataset.h"
#include "gat/graph.h"
#include "gat/model.h"
#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_train_options {
    int64_t max_epochs;                /* 10000 */
    int64_t patience;                  /* 1000 */
    double lr;                         /* 5e-3 */
    double weight_decay;               /* 5e-4, added to the gradient as in torch.optim.Adam */
    double beta1, beta2, eps;          /* 0.9, 0.999, 1e-8 */
    uint64_t seed;                     /* 1, as gat train: dropout streams (the model carries its own init) */
    int keep_best;                     /* 1 (default): end with the parameters of the epoch of best validation
                                          accuracy (lowest loss on ties), as the GAT paper evaluates; 0: the
                                          last epoch's, as pytorch-GAT does */
    int use_plans;                     /* 1 (default): compute only what the loss and validation need
                                          (gat_plan; same bits, less work); 0: full passes */
} gat_train_options;

gat_train_options gat_train_options_default(void);
int gat_train_options_check(const gat_train_options *o, gat_error *err);

/* Loss and score of a split: accuracy for single-label data, micro-F1 for multi-label. */
typedef struct gat_metrics {
    double loss;
    double score;
} gat_metrics;

typedef struct gat_epoch_report {
    int64_t epoch;                     /* 1-based */
    gat_metrics train, val;
    double elapsed;                    /* seconds since training started */
    int improved;                      /* val score or loss improved this epoch */
} gat_epoch_report;

/* Called after every epoch; return non-zero to stop training with that status (the callback
 * fills err). */
typedef int (*gat_epoch_fn)(const gat_epoch_report *r, const gat_model *m, void *user, gat_error *err);

typedef enum { GAT_STOP_MAX_EPOCHS, GAT_STOP_PATIENCE } gat_stop_reason;

typedef struct gat_train_result {
    int64_t epochs;                    /* epochs run */
    int64_t best_epoch;                /* epoch of the best validation score (ties: lowest loss) */
    gat_metrics best_val;
    gat_stop_reason reason;
    double seconds;
} gat_train_result;

/* Early stopping and the best epoch, as gat_train decides them (usable by loops of one's own).
 * After each epoch's validation, gat_early_stop_update records the metrics and returns flags:
 *   GAT_ES_IMPROVED  validation score above every earlier score, or loss below every earlier
 *                    loss (either resets the patience count);
 *   GAT_ES_BEST      this epoch is the new best: the highest validation score so far, the
 *                    lowest loss among epochs of that score (keep its parameters);
 *   GAT_ES_STOP      `patience` epochs in a row without improvement: stop after this one. */
typedef struct gat_early_stop {
    int64_t patience;
    double best_score, best_loss;      /* best of each so far, on its own */
    int64_t since_improved;            /* epochs since the last improvement */
    int64_t best_epoch;                /* 0 before the first update */
    gat_metrics best_val;              /* metrics of best_epoch */
} gat_early_stop;
enum { GAT_ES_IMPROVED = 1, GAT_ES_BEST = 2, GAT_ES_STOP = 4 };
void gat_early_stop_init(gat_early_stop *s, int64_t patience);
int gat_early_stop_update(gat_early_stop *s, int64_t epoch, gat_metrics val);

/* Everything a training or evaluation run needs besides the model; reused across runs. */
typedef struct gat_session {
    const gat_dataset *ds;
    gat_input in;
    gat_graph g;
    gat_acts acts;
    float *dlogits;                    /* (N, C) */
} gat_session;

/* Build the graph with self loops, the input and the activations for m on ds. ds must
 * outlive the session. */
int gat_session_init(gat_session *s, const gat_dataset *ds, const gat_model *m, gat_error *err);
void gat_session_free(gat_session *s);

/* One Adam step (t = 1, 2, ...) on m's trainable parameters from m->grads, with the moments
 * m1, m2 (n_trainable floats each, zeroed before the first step). */
void gat_adam_step(gat_model *m, float *m1, float *m2, int64_t t, const gat_train_options *o);

/* Train m in place. */
int gat_train(gat_model *m, gat_session *s, const gat_train_options *opt, gat_epoch_fn cb, void *user,
              gat_train_result *res, gat_error *err);
/* Evaluate without dropout on one split. Returns the logits (N, C), owned by the session. */
const float *gat_evaluate(gat_model *m, gat_session *s, gat_split split, gat_metrics *out);
/* Metrics of given logits on a split (no forward pass). */
gat_metrics gat_split_metrics(const gat_session *s, const float *logits, gat_split split, float *dlogits);

#ifdef __cplusplus
}
#endif
#endif
