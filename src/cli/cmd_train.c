/* cmd_train.c - gat train / test / info / predict. */
#include <stdio.h>

#include "cli.h"

static int not_ready(const char *what) {
    fprintf(stderr, "gat: error: '%s' is not built yet in this revision\n", what);
    return 1;
}
int gat_cmd_train(int argc, char **argv) { (void)argc; (void)argv; return not_ready("train"); }
int gat_cmd_test(int argc, char **argv) { (void)argc; (void)argv; return not_ready("test"); }
int gat_cmd_info(int argc, char **argv) { (void)argc; (void)argv; return not_ready("info"); }
int gat_cmd_predict(int argc, char **argv) { (void)argc; (void)argv; return not_ready("predict"); }
