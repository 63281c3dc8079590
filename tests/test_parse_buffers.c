/* test_parse_buffers.c - every reader's in-memory entry point (gat_*_parse, used by the fuzz
 * harnesses and by callers holding a file's bytes) gives what the path reader gives for the
 * same bytes, and names the caller's label in its messages. */
#include <math.h>
#include <stdint.h>

#include "gat/modelfile.h"
#include "gat/npy.h"
#include "gat/runlog.h"
#include "gat/safetensors.h"
#include "io_util.h"

static char fixtures[4096];

static char *slurp(const char *path, size_t *len) {
    char *b = NULL;
    gat_error e = {0};
    if (gat_read_file(path, &b, len, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    return b;
}

static void same_array(const gat_array *a, const gat_array *b, const char *what) {
    int ok = a->dtype == b->dtype && a->ndim == b->ndim && a->size == b->size && a->itemsize == b->itemsize &&
             !memcmp(a->shape, b->shape, sizeof a->shape) &&
             (a->size == 0 || !memcmp(a->data, b->data, a->size * a->itemsize));
    CHECK_MSG(ok, "%s: parsed from memory == read from the file", what);
}

static void npz_and_csr(void) {
    const char *files[] = {"dtypes_stored.npz", "dtypes_deflated.npz", "csr_stored.npz", "csr_deflated.npz"};
    for (int f = 0; f < 4; f++) {
        const char *p = io_path(fixtures, files[f]);
        size_t len;
        char *buf = slurp(p, &len);
        gat_npz a, b;
        CHECK_EQ_INT(gat_npz_read(p, &a, &err), GAT_OK);
        CHECK_EQ_INT(gat_npz_parse(buf, len, "mem.npz", &b, &err), GAT_OK);
        CHECK(a.n == b.n && a.n > 0);
        for (size_t i = 0; i < a.n && i < b.n; i++) {
            CHECK(!strcmp(a.entries[i].name, b.entries[i].name));
            same_array(&a.entries[i].array, &b.entries[i].array, files[f]);
        }
        gat_npz_free(&a);
        gat_npz_free(&b);
        if (f >= 2) {
            gat_csr x, y;
            CHECK_EQ_INT(gat_csr_read_npz(p, &x, &err), GAT_OK);
            CHECK_EQ_INT(gat_csr_parse_npz(buf, len, "mem.npz", &y, &err), GAT_OK);
            CHECK(x.n_rows == y.n_rows && x.n_cols == y.n_cols && x.nnz == y.nnz && x.nnz > 0);
            CHECK(!memcmp(x.row_ptr, y.row_ptr, (size_t)(x.n_rows + 1) * sizeof *x.row_ptr));
            CHECK(!memcmp(x.col_idx, y.col_idx, (size_t)x.nnz * sizeof *x.col_idx));
            CHECK(!memcmp(x.val, y.val, (size_t)x.nnz * sizeof *x.val));
            gat_csr_free(&x);
            gat_csr_free(&y);
        } else {
            gat_csr y;
            CHECK_FAILS(gat_csr_parse_npz(buf, len, "mem.npz", &y, &err), GAT_EFORMAT, "mem.npz",
                        "not a scipy.sparse archive");
        }
        CHECK_FAILS(gat_npz_parse(buf, len / 2, "half.npz", &a, &err), GAT_EFORMAT, "half.npz", "zip archive");
        free(buf);
    }
}

static void safetensors_and_model(const char *tmp) {
    const char *p = io_path(fixtures, "model.safetensors");
    size_t len;
    char *buf = slurp(p, &len);
    gat_safetensors a, b;
    CHECK_EQ_INT(gat_safetensors_read(p, &a, &err), GAT_OK);
    CHECK_EQ_INT(gat_safetensors_parse(buf, len, "mem.safetensors", &b, &err), GAT_OK);
    CHECK(a.n_tensors == b.n_tensors && a.n_meta == b.n_meta && a.n_tensors > 0);
    for (size_t i = 0; i < a.n_tensors && i < b.n_tensors; i++) {
        CHECK(!strcmp(a.tensors[i].name, b.tensors[i].name));
        same_array(&a.tensors[i].array, &b.tensors[i].array, a.tensors[i].name);
    }
    for (size_t i = 0; i < a.n_meta && i < b.n_meta; i++)
        CHECK(!strcmp(a.meta[i].key, b.meta[i].key) && !strcmp(a.meta[i].value, b.meta[i].value));
    gat_safetensors_free(&a);
    gat_safetensors_free(&b);
    CHECK_FAILS(gat_safetensors_parse(buf, 5, "mem.safetensors", &b, &err), GAT_EFORMAT, "mem.safetensors",
                "too short");
    /* not a model: the model parser names the label too */
    gat_model m;
    CHECK_FAILS(gat_model_parse(buf, len, "mem.safetensors", &m, NULL, &err), GAT_EFORMAT, "mem.safetensors",
                "not a GAT model file");
    free(buf);

    /* a real model: save, then parse its bytes */
    gat_config c = gat_config_default(6, 3);
    gat_model m1, m2;
    CHECK_EQ_INT(gat_model_init(&m1, &c, 5, &err), GAT_OK);
    gat_model_meta meta = {.epochs = 4, .best_epoch = 3, .val_accuracy = 0.5, .test_accuracy = NAN, .seed = 5};
    snprintf(meta.dataset, sizeof meta.dataset, "tiny");
    p = io_path(tmp, "m.safetensors");
    CHECK_EQ_INT(gat_model_save(p, &m1, &meta, &err), GAT_OK);
    buf = slurp(p, &len);
    gat_model_meta got;
    CHECK_EQ_INT(gat_model_parse(buf, len, "mem.safetensors", &m2, &got, &err), GAT_OK);
    CHECK(m2.n_params == m1.n_params && !memcmp(m1.params, m2.params, m1.n_params * sizeof *m1.params));
    CHECK(got.epochs == 4 && got.best_epoch == 3 && !strcmp(got.dataset, "tiny"));
    gat_model_free(&m2);
    gat_model_free(&m1);
    free(buf);
}

static void tfevents(void) {
    const char *base = getenv("GAT_FIXTURES");
    char p[4096];
    snprintf(p, sizeof p, "%s/tfevents_reference.bin", base && *base ? base : "tests/fixtures");
    size_t len;
    char *buf = slurp(p, &len);
    gat_tfevents_data a, b;
    CHECK_EQ_INT(gat_tfevents_read(p, &a, &err), GAT_OK);
    CHECK_EQ_INT(gat_tfevents_parse(buf, len, "mem.tfevents", &b, &err), GAT_OK);
    CHECK(a.n == b.n && a.n_records == b.n_records && a.n > 0 && a.valid_bytes == b.valid_bytes);
    for (size_t i = 0; i < a.n && i < b.n; i++)
        CHECK(!strcmp(a.scalars[i].tag, b.scalars[i].tag) && a.scalars[i].step == b.scalars[i].step &&
              a.scalars[i].value == b.scalars[i].value);
    gat_tfevents_data_free(&a);
    gat_tfevents_data_free(&b);
    buf[20] ^= 1; /* inside the first payload: its data CRC no longer matches */
    CHECK_FAILS(gat_tfevents_parse(buf, len, "mem.tfevents", &b, &err), GAT_EFORMAT, "mem.tfevents", "CRC mismatch");
    free(buf);
}

int main(void) {
    const char *base = getenv("GAT_FIXTURES");
    snprintf(fixtures, sizeof fixtures, "%s/io", base && *base ? base : "tests/fixtures");
    npz_and_csr();
    safetensors_and_model(check_tmpdir("parse_buffers"));
    tfevents();
    return check_summary();
}
