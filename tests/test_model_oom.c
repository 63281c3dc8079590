/* test_model_oom.c - a model too large to allocate is refused with GAT_ENOMEM and a message
 * giving the real parameter count (it read 0, the count of the already-freed model). */
#include <string.h>

#include "check.h"
#include "gat/model.h"

/* Under AddressSanitizer, let the huge calloc return NULL as libc does. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

int main(void) {
    gat_config c = gat_config_default((int64_t)1 << 31, 3); /* 2^31 inputs x 64 features: 2^37 floats */
    c.heads[0] = 8;
    c.features[0] = 8;
    gat_model m;
    gat_error err = {0};
    int rc = gat_model_init(&m, &c, 1, &err);
    CHECK_MSG(rc != GAT_OK, "refused: %d %s", rc, err.msg);
    CHECK_MSG(!strstr(err.msg, " 0 parameters"), "the message gives the real count: %s", err.msg);
    if (rc == GAT_ENOMEM) CHECK_MSG(strstr(err.msg, "137438953") != NULL, "count of 2^37 + ... parameters: %s", err.msg);
    CHECK(m.params == NULL && m.grads == NULL);
    return check_summary();
}
