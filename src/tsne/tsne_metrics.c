/* tsne_metrics.c - how well an embedding keeps neighbourhoods and classes apart:
 * kNN class agreement and trustworthiness. Both sum integers, so the result does not
 * depend on the number of threads. */
#include <stdlib.h>
#include <string.h>

#include "gat/tsne.h"
#include "tsne_internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static int max_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

static int thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

int gat_knn_class_agreement(const float *y, int64_t n, int64_t dim, const int64_t *labels, int k, double *out,
                            gat_error *err) {
    if (n < 2 || dim < 1)
        return gat_error_set(err, GAT_EINVAL, "kNN class agreement: need at least 2 points of dimension >= 1, got %lld x %lld",
                             (long long)n, (long long)dim);
    if (k < 1 || k >= n)
        return gat_error_set(err, GAT_EINVAL, "kNN class agreement: k must be in [1, %lld], got %d", (long long)(n - 1), k);
    int64_t labelled = 0;
    for (int64_t i = 0; i < n; i++) labelled += labels[i] >= 0;
    if (labelled == 0) return gat_error_set(err, GAT_EINVAL, "kNN class agreement: no point has a label");

    int rc = GAT_OK;
    int nt = max_threads();
    int64_t *idx = malloc((size_t)nt * (size_t)k * sizeof *idx);
    double *dist = malloc((size_t)nt * (size_t)k * sizeof *dist);
    if (!idx || !dist) {
        rc = gat_error_set(err, GAT_ENOMEM, "kNN class agreement: out of memory");
        goto fail;
    }
    int64_t agree = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        int64_t *ti = idx + (size_t)thread_id() * (size_t)k;
        double *td = dist + (size_t)thread_id() * (size_t)k;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 16) reduction(+ : agree)
#endif
        for (int64_t i = 0; i < n; i++) {
            if (labels[i] < 0) continue;
            tsne_knn_row(y, n, dim, i, k, ti, td);
            for (int e = 0; e < k; e++) agree += labels[ti[e]] == labels[i];
        }
    }
    *out = (double)agree / ((double)labelled * (double)k);
fail:
    free(idx);
    free(dist);
    return rc;
}

int gat_trustworthiness(const float *x, int64_t dim_x, const float *y, int64_t dim_y, int64_t n, int k, double *out,
                        gat_error *err) {
    if (n < 2 || dim_x < 1 || dim_y < 1)
        return gat_error_set(err, GAT_EINVAL, "trustworthiness: need at least 2 points of dimensions >= 1, got %lld points, "
                             "dimensions %lld and %lld", (long long)n, (long long)dim_x, (long long)dim_y);
    if (k < 1 || 2 * (int64_t)k >= n)
        return gat_error_set(err, GAT_EINVAL, "trustworthiness: k must be >= 1 and < N / 2 = %g, got %d", (double)n / 2, k);

    int rc = GAT_OK;
    int nt = max_threads();
    int64_t *idx = malloc((size_t)nt * (size_t)k * sizeof *idx);
    double *dist = malloc((size_t)nt * (size_t)k * sizeof *dist);
    double *row = malloc((size_t)nt * (size_t)n * sizeof *row);
    if (!idx || !dist || !row) {
        rc = gat_error_set(err, GAT_ENOMEM, "trustworthiness: out of memory for %lld points", (long long)n);
        goto fail;
    }
    int64_t total = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        int64_t *ti = idx + (size_t)thread_id() * (size_t)k;
        double *td = dist + (size_t)thread_id() * (size_t)k;
        double *dx = row + (size_t)thread_id() * (size_t)n;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 16) reduction(+ : total)
#endif
        for (int64_t i = 0; i < n; i++) {
            tsne_knn_row(y, n, dim_y, i, k, ti, td);
            for (int64_t j = 0; j < n; j++) dx[j] = j == i ? 0 : tsne_sqdist(x + i * dim_x, x + j * dim_x, dim_x);
            for (int e = 0; e < k; e++) {
                int64_t j = ti[e], rank = 1;   /* rank of j among i's neighbours in x */
                for (int64_t l = 0; l < n; l++)
                    if (l != i && tsne_nb_less(dx[l], l, dx[j], j)) rank++;
                if (rank > k) total += rank - k;
            }
        }
    }
    *out = 1.0 - (double)total * (2.0 / ((double)n * k * (2.0 * (double)n - 3.0 * k - 1.0)));
fail:
    free(idx);
    free(dist);
    free(row);
    return rc;
}
