/* attention_entropy.c - look inside a saved model from C: per head, how far each node's
 * attention is from uniform, and the node that attends most unevenly.
 *   build/attention_entropy MODEL [DATA_DIR]   (default: the library's data folders) */
#include <stdio.h>
#include <stdlib.h>

#include <gat/gat.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: attention_entropy MODEL.safetensors [DATA_DIR]\n");
        return 2;
    }
    const char *data_dir = argc > 2 ? argv[2] : NULL;
    gat_error err = {0};
    gat_model m;
    gat_model_meta meta;
    gat_dataset ds;
    gat_inspection ins;
    if (gat_model_load(argv[1], &m, &meta, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (gat_dataset_open(&ds, meta.dataset, data_dir, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        gat_model_free(&m);
        return 1;
    }
    gat_dataset_normalize_rows(&ds);           /* as in training */
    if (gat_inspect(&ins, &m, &ds, &err)) {    /* one forward pass without dropout */
        fprintf(stderr, "%s\n", err.msg);
        gat_dataset_free(&ds);
        gat_model_free(&m);
        return 1;
    }
    double *h = malloc((size_t)ins.n_nodes * sizeof *h), *u = malloc((size_t)ins.n_nodes * sizeof *u);
    for (int l = 0; l < ins.n_layers; l++)
        for (int hd = 0; hd < ins.heads[l]; hd++) {
            gat_attention_entropy(&ins, l, hd, h, u);
            int64_t worst = 0;
            double mean_gap = 0;
            for (int64_t i = 0; i < ins.n_nodes; i++) {
                mean_gap += (u[i] - h[i]) / (double)ins.n_nodes;
                if (u[i] - h[i] > u[worst] - h[worst]) worst = i;
            }
            printf("layer %d head %d: %.4f bits below uniform on average; node %lld the most (%.3f vs %.3f bits)\n",
                   l, hd, mean_gap, (long long)worst, h[worst], u[worst]);
        }
    free(h);
    free(u);
    gat_inspection_free(&ins);
    gat_dataset_free(&ds);
    gat_model_free(&m);
    return 0;
}
