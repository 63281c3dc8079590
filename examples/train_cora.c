/* train_cora.c - the README's example: train a GAT on Cora from C.
 *   build/train_cora [DATA_DIR [MAX_EPOCHS]]
 * DATA_DIR (absent or "-") defaults to the library's data folders ($GAT_DATA_DIR, ./data,
 * the installed share/gat/data, ...); MAX_EPOCHS to the CLI's 10000. Writes cora.safetensors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gat/gat.h>

int main(int argc, char **argv) {
    const char *data_dir = argc > 1 && strcmp(argv[1], "-") ? argv[1] : NULL;
    gat_error err = {0};
    gat_dataset ds;
    gat_model m;
    gat_session s;
    gat_train_result res;
    if (gat_dataset_open(&ds, "cora", data_dir, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    gat_dataset_normalize_rows(&ds);
    gat_config cfg = gat_config_default(ds.n_features, ds.n_classes);
    gat_train_options opt = gat_train_options_default();
    if (argc > 2) {
        char *end;
        long long n = strtoll(argv[2], &end, 10);
        if (*end || n < 1) {
            fprintf(stderr, "train_cora: MAX_EPOCHS: '%s' is not a positive integer\n", argv[2]);
            return 2;
        }
        opt.max_epochs = n;
    }
    if (gat_model_init(&m, &cfg, /*seed*/ 1, &err) || gat_session_init(&s, &ds, &m, &err) ||
        gat_train(&m, &s, &opt, /*callback*/ NULL, NULL, &res, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    gat_metrics test;
    gat_evaluate(&m, &s, GAT_SPLIT_TEST, &test);
    printf("test accuracy %.4f after %lld epochs\n", test.score, (long long)res.epochs);
    /* what the file says about itself, so gat info/test/visualize know its dataset */
    gat_model_meta meta = {.epochs = res.epochs, .best_epoch = res.best_epoch, .val_accuracy = res.best_val.score,
                           .test_accuracy = test.score, .seed = 1};
    snprintf(meta.dataset, sizeof meta.dataset, "%s", ds.name);
    if (gat_model_save("cora.safetensors", &m, &meta, &err)) fprintf(stderr, "%s\n", err.msg);
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&ds);
    return 0;
}
