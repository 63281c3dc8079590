/* options.c - option parsing shared by every subcommand. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The library names its parameters in messages ("config.heads: ..."); the command line names
 * the options that set them. */
static const char *const lib_to_option[][2] = {
    {"config.n_layers: ", "--num_of_layers: "},       {"config.heads: ", "--num_heads_per_layer: "},
    {"config.features: ", "--num_features_per_layer: "}, {"config.dropout: ", "--dropout: "},
    {"train.max_epochs: ", "--num_of_epochs: "},      {"train.patience: ", "--patience_period: "},
    {"train.lr: ", "--lr: "},                         {"train.weight_decay: ", "--weight_decay: "},
    {"train.batch_size: ", "--batch_size: "},
    {"config.attention_impl: ", "--attention_impl: "}, {"config.slope: ", "--negative_slope: "},
    {"train.shards: ", "--shards: "},
    {"config.concat_heads: ", "--concat_heads: "},
    {"config.attention_type: ", "--attention_type: "}, {"config.share_weights: ", "--share_weights: "},
    {"config.no_self_loops: ", "--add_self_loops: "},
    {"config.feature_dropout: ", "--feature_dropout: "}, {"config.attention_dropout: ", "--attention_dropout: "},
};

int gat_cli_fail(const gat_error *err) {
    const gat_comm *c = gat_cli_comm();
    const char *msg = err->msg[0] ? err->msg : gat_status_str(err->status);
    char line[sizeof err->msg + 64];
    snprintf(line, sizeof line, "%s", msg);
    for (size_t i = 0; i < sizeof lib_to_option / sizeof lib_to_option[0]; i++) {
        size_t n = strlen(lib_to_option[i][0]);
        if (!strncmp(msg, lib_to_option[i][0], n)) {
            snprintf(line, sizeof line, "%s%s", lib_to_option[i][1], msg + n);
            break;
        }
    }
    if (c && c->size > 1 && c->failed_collectively) {
        if (c->rank == 0) fprintf(stderr, "gat: error: %s\n", line);
    } else if (c && c->size > 1) {
        fprintf(stderr, "gat: error: rank %d of %d: %s\n", c->rank, c->size, line);
    } else {
        fprintf(stderr, "gat: error: %s\n", line);
    }
    return err->status == GAT_EINVAL ? 2 : 1;
}

int gat_cli_usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("gat: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

/* Compare an argument ("--should-test" or "--should_test=1") with an option name
 * ("should_test"), treating '-' and '_' alike; stops at '='. */
int gat_opt_is(const char *arg, const char *name) {
    if (arg[0] != '-' || arg[1] != '-') return 0;
    arg += 2;
    for (; *name; arg++, name++) {
        char a = *arg == '-' ? '_' : *arg, b = *name == '-' ? '_' : *name;
        if (a != b) return 0;
    }
    return *arg == 0 || *arg == '=';
}

/* The value of an option: after '=' or the next argument. */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
    const char *eq = strchr(argv[*i], '=');
    if (eq) return eq + 1;
    if (*i + 1 >= argc) {
        gat_cli_usage_error("option --%s needs a value", name);
        return NULL;
    }
    /* "--models-dir --quiet": the next word is another option, not this one's value */
    const char *v = argv[*i + 1];
    if (v[0] == '-' && v[1] == '-') {
        gat_cli_usage_error("option --%s needs a value, got the option '%s' (write --%s=%s if that is the value)", name,
                            v, name, v);
        return NULL;
    }
    return argv[++*i];
}

static int parse_bool(const char *v, int *out) {
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on")) *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off")) *out = 0;
    else return -1;
    return 0;
}

int gat_opt_flag(int argc, char **argv, int *i, const char *name, int *out) {
    if (!gat_opt_is(argv[*i], name)) return 0;
    const char *eq = strchr(argv[*i], '=');
    if (eq) {
        if (parse_bool(eq + 1, out)) {
            gat_cli_usage_error("option --%s: '%s' is not true/false (true, false, yes, no, on, off, 1, 0)", name, eq + 1);
            return -1;
        }
        return 1;
    }
    /* "--should_test false": a following true/false word is the value; otherwise the flag is set */
    if (*i + 1 < argc && parse_bool(argv[*i + 1], out) == 0) {
        ++*i;
        return 1;
    }
    *out = 1;
    return 1;
}

int gat_opt_bool(int argc, char **argv, int *i, const char *name, int *out) {
    if (!gat_opt_is(argv[*i], name)) return 0;
    /* "--bias maybe": a word after an option that takes true/false must be one */
    if (!strchr(argv[*i], '=') && *i + 1 < argc && argv[*i + 1][0] != '-' && parse_bool(argv[*i + 1], out) != 0) {
        gat_cli_usage_error("option --%s: '%s' is not true/false (true, false, yes, no, on, off, 1, 0)", name,
                            argv[*i + 1]);
        return -1;
    }
    return gat_opt_flag(argc, argv, i, name, out);
}

int gat_opt_str(int argc, char **argv, int *i, const char *name, const char **out) {
    if (!gat_opt_is(argv[*i], name)) return 0;
    const char *v = opt_value(argc, argv, i, name);
    if (!v) return -1;
    if (!*v) { gat_cli_usage_error("option --%s: empty value", name); return -1; }
    *out = v;
    return 1;
}

int gat_opt_int(int argc, char **argv, int *i, const char *name, int64_t lo, int64_t hi, int64_t *out) {
    if (!gat_opt_is(argv[*i], name)) return 0;
    const char *v = opt_value(argc, argv, i, name);
    if (!v) return -1;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno) { gat_cli_usage_error("option --%s: '%s' is not an integer", name, v); return -1; }
    if (x < lo || x > hi) {
        gat_cli_usage_error("option --%s: %lld is out of range [%lld, %lld]", name, x, (long long)lo, (long long)hi);
        return -1;
    }
    *out = x;
    return 1;
}

int gat_opt_float(int argc, char **argv, int *i, const char *name, double lo, double hi, double *out) {
    if (!gat_opt_is(argv[*i], name)) return 0;
    const char *v = opt_value(argc, argv, i, name);
    if (!v) return -1;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno || !isfinite(x)) { gat_cli_usage_error("option --%s: '%s' is not a number", name, v); return -1; }
    if (x < lo || x > hi) { gat_cli_usage_error("option --%s: %g is out of range [%g, %g]", name, x, lo, hi); return -1; }
    *out = x;
    return 1;
}

int gat_opt_int_list(int argc, char **argv, int *i, const char *name, int max, int64_t *out, int *n) {
    if (!gat_opt_is(argv[*i], name)) return 0;
    const char *v = opt_value(argc, argv, i, name);
    if (!v) return -1;
    int k = 0;
    const char *p = v;
    while (*p) {
        char *end;
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (end == p || (*p < '0' || *p > '9') || (*end && *end != ',')) {
            gat_cli_usage_error("option --%s: '%s' is not a list of positive integers like 8,1", name, v);
            return -1;
        }
        if (errno == ERANGE || x > GAT_OPT_LIST_MAX) {
            gat_cli_usage_error("option --%s: %.*s is too large (max %d)", name, (int)(end - p), p, GAT_OPT_LIST_MAX);
            return -1;
        }
        if (x <= 0) {
            gat_cli_usage_error("option --%s: '%s': %lld is not positive", name, v, x);
            return -1;
        }
        if (k == max) { gat_cli_usage_error("option --%s: more than %d values", name, max); return -1; }
        out[k++] = x;
        p = end;
        if (*p == ',') {
            p++;
            if (!*p) { /* "8,1," is refused like "8,,1" */
                gat_cli_usage_error("option --%s: '%s' ends with a comma (a list of positive integers like 8,1)", name, v);
                return -1;
            }
        }
    }
    if (k == 0) { gat_cli_usage_error("option --%s: empty list", name); return -1; }
    *n = k;
    return 1;
}

int gat_opt_bool_list(int argc, char **argv, int *i, const char *name, int max, int *out, int *n) {
    if (!gat_opt_is(argv[*i], name)) return 0;
    const char *v = opt_value(argc, argv, i, name);
    if (!v) return -1;
    int k = 0;
    const char *p = v;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char word[16];
        if (len == 0 || len >= sizeof word) {
            gat_cli_usage_error("option --%s: '%s' is not a list of true/false like true,false", name, v);
            return -1;
        }
        memcpy(word, p, len);
        word[len] = 0;
        int b;
        if (parse_bool(word, &b)) {
            gat_cli_usage_error("option --%s: '%s' is not true/false (true, false, yes, no, on, off, 1, 0)", name, word);
            return -1;
        }
        if (k == max) { gat_cli_usage_error("option --%s: more than %d values", name, max); return -1; }
        out[k++] = b;
        if (!end) break;
        p = end + 1;
    }
    *n = k;
    return 1;
}
