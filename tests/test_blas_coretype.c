/* test_blas_coretype.c - gat_blas_coretype_hint (gat/ops.h): a core type is suggested
 * exactly when OpenBLAS loaded its generic kernels on a CPU with AVX2 or AVX-512, and never
 * when the user has set OPENBLAS_CORETYPE. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gat/ops.h"

#ifdef GAT_HAVE_BLAS
#include <cblas.h>
#endif

int main(void) {
    setenv("OPENBLAS_CORETYPE", "Haswell", 1);
    CHECK_MSG(gat_blas_coretype_hint() == NULL, "OPENBLAS_CORETYPE set by the user: no other core type suggested");
    unsetenv("OPENBLAS_CORETYPE");
    const char *hint = gat_blas_coretype_hint();
#if defined(GAT_HAVE_BLAS) && defined(__x86_64__) && defined(__GNUC__)
    const char *core = openblas_get_corename();
    /* the targets OpenBLAS falls back to for an x86 CPU it does not know, as the library lists them */
    static const char *const fallbacks[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai",
                                            "Coppermine", "Northwood", "Banias", "Atom"};
    int generic = 0;
    for (size_t i = 0; core && i < sizeof fallbacks / sizeof *fallbacks; i++) generic |= !strcmp(core, fallbacks[i]);
    __builtin_cpu_init();
    const int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                       __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    const int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const char *want = !generic ? NULL : avx512 ? "SkylakeX" : avx2 ? "Haswell" : NULL;
    printf("OpenBLAS core %s, hint %s\n", core ? core : "?", hint ? hint : "none");
    CHECK_MSG((hint == NULL) == (want == NULL) && (!hint || !strcmp(hint, want)),
              "OpenBLAS core %s: hint %s, expected %s", core ? core : "?", hint ? hint : "none", want ? want : "none");
    /* with the suggested type, OpenBLAS would load named kernels: the hint names one it knows */
    if (hint) CHECK_MSG(!strcmp(hint, "SkylakeX") || !strcmp(hint, "Haswell"), "hint %s", hint);
#else
    CHECK_MSG(hint == NULL, "no OpenBLAS on x86-64: no hint");
#endif
    return check_summary();
}
