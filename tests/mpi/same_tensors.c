/* same_tensors A B...: exit 0 when every model file holds exactly the tensors of A (names,
 * dtypes, shapes and bytes); metadata such as the creation time may differ. */
#include <stdio.h>
#include <string.h>

#include "gat/safetensors.h"

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: same_tensors A B...\n");
        return 2;
    }
    gat_error err = {0};
    gat_safetensors a, b;
    if (gat_safetensors_read(argv[1], &a, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    int differ = 0;
    for (int f = 2; f < argc; f++) {
        if (gat_safetensors_read(argv[f], &b, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            differ = 1;
            continue;
        }
        int same = a.n_tensors == b.n_tensors;
        for (size_t i = 0; same && i < a.n_tensors; i++) {
            const gat_st_tensor *x = &a.tensors[i], *y = gat_safetensors_get(&b, x->name);
            same = y && x->array.dtype == y->array.dtype && x->array.ndim == y->array.ndim &&
                   !memcmp(x->array.shape, y->array.shape, sizeof x->array.shape) && x->array.size == y->array.size &&
                   !memcmp(x->array.data, y->array.data, x->array.size * x->array.itemsize);
            if (!same) printf("%s: tensor %s differs from %s's\n", argv[f], x->name, argv[1]);
        }
        if (same) printf("%s: the same tensors as %s\n", argv[f], argv[1]);
        differ |= !same;
        gat_safetensors_free(&b);
    }
    gat_safetensors_free(&a);
    return differ;
}
