/* train_cora.c - the README's example: train a GAT on Cora from C.
 *   build/train_cora [DATA_DIR]   (default: $GAT_DATA_DIR) */
#include <stdio.h>
#include <stdlib.h>

#include <gat/gat.h>

int main(int argc, char **argv) {
    const char *data_dir = argc > 1 ? argv[1] : getenv("GAT_DATA_DIR");
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
    if (gat_model_init(&m, &cfg, /*seed*/ 1, &err) || gat_session_init(&s, &ds, &m, &err) ||
        gat_train(&m, &s, &opt, /*callback*/ NULL, NULL, &res, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    gat_metrics test;
    gat_evaluate(&m, &s, GAT_SPLIT_TEST, &test);
    printf("test accuracy %.4f after %lld epochs\n", test.score, (long long)res.epochs);
    if (gat_model_save("cora.safetensors", &m, NULL, &err)) fprintf(stderr, "%s\n", err.msg);
    gat_session_free(&s);
    gat_model_free(&m);
    gat_dataset_free(&ds);
    return 0;
}
