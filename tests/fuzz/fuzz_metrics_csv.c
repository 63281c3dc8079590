/* fuzz_metrics_csv.c - metrics.csv of a run folder (gat_metrics_csv_parse), as gat plot
 * reads it; every column found by its name, every cell a number or NaN (empty). */
#include <stdint.h>

#include "fuzz_common.h"
#include "gat/runlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gat_error err = {0};
    gat_metrics_csv m;
    int rc = gat_metrics_csv_parse((const char *)data, size, "metrics.csv", &m, &err);
    if (rc) {
        fuzz_check_failure(rc, &err);
        FUZZ_CHECK(m.n_cols == 0 && m.names == NULL && m.values == NULL);
        return 0;
    }
    FUZZ_CHECK(m.n_cols > 0);
    for (size_t j = 0; j < m.n_cols; j++) {
        FUZZ_CHECK(m.names[j] && m.names[j][0]);
        const double *col = gat_metrics_csv_column(&m, m.names[j]);
        FUZZ_CHECK(col != NULL);
        fuzz_touch(col, m.n_rows * sizeof *col);
    }
    gat_metrics_csv_free(&m);
    return 0;
}
