/* nodelink.c - a streaming reader of NetworkX node-link JSON graphs (see nodelink.h). */
#include "gat/nodelink.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE 65536
#define MAX_DEPTH 64

typedef struct {
    FILE *fp;
    const char *path;
    gat_error *err;
    unsigned char buf[BUF_SIZE];
    size_t pos, len;
    int64_t base;                      /* file offset of buf[0] */
    int eof, io_error;
} reader;

static int64_t offset(const reader *r) { return r->base + (int64_t)r->pos; }

/* The next byte without consuming it, or -1 at the end of the file. */
static int peek(reader *r) {
    if (r->pos < r->len) return r->buf[r->pos];
    if (r->eof) return -1;
    r->base += (int64_t)r->len;
    r->len = fread(r->buf, 1, BUF_SIZE, r->fp);
    r->pos = 0;
    if (r->len == 0) {
        r->eof = 1;
        if (ferror(r->fp)) r->io_error = 1;
        return -1;
    }
    return r->buf[0];
}

static int next(reader *r) {
    int c = peek(r);
    if (c >= 0) r->pos++;
    return c;
}

static int fail(reader *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(reader *r, int code, const char *fmt, ...) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r->io_error)
        return gat_error_set(r->err, GAT_EIO, "%s: read error at byte %lld: %s", r->path, (long long)offset(r),
                             strerror(errno));
    return gat_error_set(r->err, code, "%s: byte %lld: %s", r->path, (long long)offset(r), what);
}

static int syntax(reader *r, const char *expected) {
    if (peek(r) < 0)
        return fail(r, GAT_EFORMAT, "unexpected end of file, expected %s (is the file truncated?)", expected);
    return fail(r, GAT_EFORMAT, "expected %s", expected);
}

static void skip_ws(reader *r) {
    for (int c = peek(r); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(r)) r->pos++;
}

static int expect(reader *r, int ch, const char *what) {
    skip_ws(r);
    if (peek(r) != ch) return syntax(r, what);
    r->pos++;
    return GAT_OK;
}

/* A string whose opening quote is next. Its bytes (escapes decoded for the ASCII ones) go to
 * key when it fits in cap-1 bytes; *fits says whether it did. key may be NULL (skip). */
static int read_string(reader *r, char *key, size_t cap, int *fits) {
    if (peek(r) != '"') return syntax(r, "a string");
    r->pos++;
    size_t n = 0;
    int ok = 1;
    for (;;) {
        int c = next(r);
        if (c < 0) return syntax(r, "the end of a string");
        if (c == '"') break;
        if (c < 0x20) {
            r->pos--;
            return fail(r, GAT_EFORMAT, "control character in a string");
        }
        if (c == '\\') {
            int e = next(r);
            if (e < 0) return syntax(r, "an escape");
            switch (e) {
            case '"': case '\\': case '/': c = e; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
                for (int k = 0; k < 4; k++) {
                    int h = next(r);
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
                        if (h >= 0) r->pos--;
                        return syntax(r, "four hex digits after \\u");
                    }
                }
                ok = 0; /* no key of interest holds one */
                continue;
            default:
                r->pos--;
                return fail(r, GAT_EFORMAT, "invalid escape in a string");
            }
        }
        if (key && n + 1 < cap) key[n++] = (char)c;
        else ok = 0;
    }
    if (key) key[n] = 0;
    if (fits) *fits = ok && key;
    return GAT_OK;
}

/* A JSON number; *is_int tells whether it was an integer literal, *v its value then. */
static int read_number(reader *r, int64_t *v, int *is_int) {
    int c = peek(r), neg = 0, digits = 0, overflow = 0;
    uint64_t x = 0;
    if (c == '-') {
        neg = 1;
        r->pos++;
        c = peek(r);
    }
    if (c == '0') {
        r->pos++;
        digits = 1;
    } else {
        while ((c = peek(r)) >= '0' && c <= '9') {
            if (x > (UINT64_MAX - 9) / 10) overflow = 1;
            x = x * 10 + (uint64_t)(c - '0');
            r->pos++;
            digits++;
        }
    }
    if (!digits) return syntax(r, "a digit");
    int frac = 0;
    if (peek(r) == '.') {
        r->pos++;
        frac = 1;
        if (!((c = peek(r)) >= '0' && c <= '9')) return syntax(r, "a digit after '.'");
        while ((c = peek(r)) >= '0' && c <= '9') r->pos++;
    }
    if ((c = peek(r)) == 'e' || c == 'E') {
        r->pos++;
        frac = 1;
        if ((c = peek(r)) == '+' || c == '-') r->pos++;
        if (!((c = peek(r)) >= '0' && c <= '9')) return syntax(r, "a digit in the exponent");
        while ((c = peek(r)) >= '0' && c <= '9') r->pos++;
    }
    *is_int = !frac && !overflow && x <= (uint64_t)INT64_MAX;
    *v = neg ? -(int64_t)x : (int64_t)x;
    return GAT_OK;
}

static int read_literal(reader *r, const char *word) {
    for (const char *p = word; *p; p++) {
        if (peek(r) != *p) return syntax(r, "a JSON value");
        r->pos++;
    }
    return GAT_OK;
}

/* Skip any value (validated, nothing kept). */
static int skip_value(reader *r, int depth) {
    skip_ws(r);
    int c = peek(r), rc;
    if (depth > MAX_DEPTH) return fail(r, GAT_EFORMAT, "nesting deeper than %d levels", MAX_DEPTH);
    if (c == '"') return read_string(r, NULL, 0, NULL);
    if (c == '-' || (c >= '0' && c <= '9')) {
        int64_t v;
        int is_int;
        return read_number(r, &v, &is_int);
    }
    if (c == 't') return read_literal(r, "true");
    if (c == 'f') return read_literal(r, "false");
    if (c == 'n') return read_literal(r, "null");
    if (c != '[' && c != '{') return syntax(r, "a JSON value");
    const int close = c == '[' ? ']' : '}';
    r->pos++;
    skip_ws(r);
    if (peek(r) == close) {
        r->pos++;
        return GAT_OK;
    }
    for (;;) {
        if (close == '}') {
            skip_ws(r);
            if ((rc = read_string(r, NULL, 0, NULL)) || (rc = expect(r, ':', "':'"))) return rc;
        }
        if ((rc = skip_value(r, depth + 1))) return rc;
        skip_ws(r);
        c = next(r);
        if (c == close) return GAT_OK;
        if (c != ',') {
            if (c >= 0) r->pos--;
            return syntax(r, close == ']' ? "',' or ']'" : "',' or '}'");
        }
    }
}

/* After a member's ':' and whitespace: an integer node id. */
static int read_id(reader *r, const char *what, long long index, int64_t *v) {
    skip_ws(r);
    int c = peek(r), is_int;
    const char *label = what;
    if (!(c == '-' || (c >= '0' && c <= '9')))
        return fail(r, GAT_EFORMAT, "%s %lld must be an integer node id", label, index);
    int rc = read_number(r, v, &is_int);
    if (rc) return rc;
    if (!is_int) return fail(r, GAT_EFORMAT, "%s %lld must be an integer node id", label, index);
    return GAT_OK;
}

static int read_bool(reader *r, const char *key, int *out) {
    skip_ws(r);
    int c = peek(r);
    if (c == 't') { *out = 1; return read_literal(r, "true"); }
    if (c == 'f') { *out = 0; return read_literal(r, "false"); }
    return fail(r, GAT_EFORMAT, "\"%s\" must be true or false", key);
}

static int push(int64_t **a, int64_t **b, int64_t n, int64_t *cap, int64_t x, int64_t y) {
    if (n == *cap) {
        int64_t nc = *cap ? *cap * 2 : 4096;
        int64_t *na = realloc(*a, (size_t)nc * sizeof *na);
        if (!na) return GAT_ENOMEM;
        *a = na;
        int64_t *nb = realloc(*b, (size_t)nc * sizeof *nb);
        if (!nb) return GAT_ENOMEM;
        *b = nb;
        *cap = nc;
    }
    (*a)[n] = x;
    (*b)[n] = y;
    return GAT_OK;
}

/* Iterate over the objects of an array: call with *first = 1; returns 1 while there is an
 * object to read (its '{' consumed), 0 at the end of the array, < 0 on error (rc set). */
static int array_next_object(reader *r, int *first, const char *what, long long index, int *rc) {
    skip_ws(r);
    int c = peek(r);
    if (*first) {
        *first = 0;
        if (c == ']') { r->pos++; return 0; }
    } else {
        if (c == ']') { r->pos++; return 0; }
        if (c != ',') { *rc = syntax(r, "',' or ']'"); return -1; }
        r->pos++;
        skip_ws(r);
        c = peek(r);
    }
    if (c != '{') {
        *rc = c < 0 ? syntax(r, "an object") : fail(r, GAT_EFORMAT, "%s %lld must be an object", what, index);
        return -1;
    }
    r->pos++;
    return 1;
}

/* The members of an object whose '{' was read: calls back for each key. */
typedef int (*member_fn)(reader *r, const char *key, int fits, void *ctx);
static int read_members(reader *r, member_fn fn, void *ctx) {
    skip_ws(r);
    if (peek(r) == '}') { r->pos++; return GAT_OK; }
    for (;;) {
        char key[32];
        int fits, rc;
        skip_ws(r);
        if ((rc = read_string(r, key, sizeof key, &fits)) || (rc = expect(r, ':', "':'"))) return rc;
        if ((rc = fn(r, key, fits, ctx))) return rc;
        skip_ws(r);
        int c = next(r);
        if (c == '}') return GAT_OK;
        if (c != ',') {
            if (c >= 0) r->pos--;
            return syntax(r, "',' or '}'");
        }
    }
}

typedef struct {
    gat_nodelink *g;
    int64_t n_ids, index, cap;
    uint8_t *seen;
    int64_t id, source, target;
    int has_id, has_source, has_target;
} parse_ctx;

static int node_member(reader *r, const char *key, int fits, void *vctx) {
    parse_ctx *c = vctx;
    if (!(fits && !strcmp(key, "id"))) return skip_value(r, 2);
    if (c->has_id) return fail(r, GAT_EFORMAT, "node %lld has two \"id\" members", (long long)c->index);
    c->has_id = 1;
    return read_id(r, "the id of node", c->index, &c->id);
}

static int link_member(reader *r, const char *key, int fits, void *vctx) {
    parse_ctx *c = vctx;
    int is_src = fits && !strcmp(key, "source"), is_dst = fits && !strcmp(key, "target");
    if (!is_src && !is_dst) return skip_value(r, 2);
    int *has = is_src ? &c->has_source : &c->has_target;
    if (*has) return fail(r, GAT_EFORMAT, "link %lld has two \"%s\" members", (long long)c->index, key);
    *has = 1;
    char what[64];
    snprintf(what, sizeof what, "the %s of link", key);
    skip_ws(r);
    const int64_t at = offset(r);
    int rc = read_id(r, what, c->index, is_src ? &c->source : &c->target);
    if (rc) return rc;
    int64_t v = is_src ? c->source : c->target;
    if (v < 0 || v >= c->n_ids) {
        r->base -= offset(r) - at; /* report where the id starts */
        char msg[160];
        snprintf(msg, sizeof msg, "link %lld: %s %lld is not a node (ids are 0..%lld)", (long long)c->index, key,
                 (long long)v, (long long)c->n_ids - 1);
        return fail(r, GAT_ERANGE, "%s", msg);
    }
    return GAT_OK;
}

static int read_nodes(reader *r, parse_ctx *c) {
    int rc = expect(r, '[', "'[' (\"nodes\" must be an array)"), first = 1, more;
    if (rc) return rc;
    c->index = 0;
    while ((more = array_next_object(r, &first, "node", (long long)c->index, &rc)) == 1) {
        const int64_t at = offset(r) - 1; /* where the node's '{' is */
        c->has_id = 0;
        if ((rc = read_members(r, node_member, c))) return rc;
        if (!c->has_id) return fail(r, GAT_EFORMAT, "node %lld has no \"id\"", (long long)c->index);
        if (c->id < 0 || c->id >= c->n_ids) {
            char msg[160];
            snprintf(msg, sizeof msg, "node %lld: id %lld is out of range (the features have %lld rows: ids 0..%lld)",
                     (long long)c->index, (long long)c->id, (long long)c->n_ids, (long long)c->n_ids - 1);
            r->base -= offset(r) - at; /* report where the node starts */
            rc = fail(r, GAT_ERANGE, "%s", msg);
            return rc;
        }
        if (c->seen[c->id]) {
            char msg[128];
            snprintf(msg, sizeof msg, "node %lld: duplicate id %lld", (long long)c->index, (long long)c->id);
            r->base -= offset(r) - at;
            return fail(r, GAT_ERANGE, "%s", msg);
        }
        c->seen[c->id] = 1;
        c->index++;
    }
    if (more < 0) return rc;
    c->g->n_nodes += c->index;
    return GAT_OK;
}

static int read_links(reader *r, parse_ctx *c) {
    int rc = expect(r, '[', "'[' (\"links\" must be an array)"), first = 1, more;
    if (rc) return rc;
    c->index = 0;
    while ((more = array_next_object(r, &first, "link", (long long)c->index, &rc)) == 1) {
        c->has_source = c->has_target = 0;
        if ((rc = read_members(r, link_member, c))) return rc;
        if (!c->has_source || !c->has_target)
            return fail(r, GAT_EFORMAT, "link %lld has no \"%s\"", (long long)c->index, c->has_source ? "target" : "source");
        if (push(&c->g->source, &c->g->target, c->g->n_links, &c->cap, c->source, c->target))
            return gat_error_set(r->err, GAT_ENOMEM, "%s: out of memory for %lld links", r->path, (long long)c->g->n_links);
        c->g->n_links++;
        c->index++;
    }
    return more < 0 ? rc : GAT_OK;
}

void gat_nodelink_free(gat_nodelink *g) {
    if (!g) return;
    free(g->source);
    free(g->target);
    memset(g, 0, sizeof *g);
}

typedef struct {
    parse_ctx *c;
    int seen_nodes, seen_links, seen_directed, seen_multi;
} top_ctx;

static int top_member(reader *r, const char *key, int fits, void *vctx) {
    top_ctx *t = vctx;
    if (!fits) return skip_value(r, 1);
    if (!strcmp(key, "nodes")) {
        if (t->seen_nodes++) return fail(r, GAT_EFORMAT, "a second \"nodes\" member");
        return read_nodes(r, t->c);
    }
    if (!strcmp(key, "links") || !strcmp(key, "edges")) {
        if (t->seen_links++) return fail(r, GAT_EFORMAT, "a second \"%s\" member (\"links\" or \"edges\")", key);
        return read_links(r, t->c);
    }
    if (!strcmp(key, "directed")) return read_bool(r, key, &t->c->g->directed);
    if (!strcmp(key, "multigraph")) return read_bool(r, key, &t->c->g->multigraph);
    return skip_value(r, 1);
}

int gat_nodelink_read(const char *path, int64_t n_ids, gat_nodelink *g, gat_error *err) {
    memset(g, 0, sizeof *g);
    reader *r = calloc(1, sizeof *r);
    parse_ctx c;
    memset(&c, 0, sizeof c);
    if (!r) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    r->path = path;
    r->err = err;
    int rc = GAT_OK;
    r->fp = fopen(path, "rb");
    if (!r->fp) {
        rc = gat_error_set(err, GAT_EIO, "%s: cannot open: %s", path, strerror(errno));
        goto done;
    }
    c.g = g;
    c.n_ids = n_ids;
    c.seen = calloc((size_t)(n_ids > 0 ? n_ids : 0) + 1, 1);
    if (!c.seen) {
        rc = gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    top_ctx t = {.c = &c};
    skip_ws(r);
    if (peek(r) != '{') {
        rc = peek(r) < 0 && offset(r) == 0 ? fail(r, GAT_EFORMAT, "the file is empty")
                                           : syntax(r, "'{' (a node-link graph is a JSON object)");
        goto done;
    }
    r->pos++;
    if ((rc = read_members(r, top_member, &t))) goto done;
    skip_ws(r);
    if (peek(r) >= 0) {
        rc = fail(r, GAT_EFORMAT, "unexpected data after the end of the graph object");
        goto done;
    }
    if (r->io_error) {
        rc = fail(r, GAT_EIO, "read error");
        goto done;
    }
    if (!t.seen_nodes) {
        rc = gat_error_set(err, GAT_EFORMAT, "%s: no \"nodes\" member (not a node-link graph)", path);
        goto done;
    }
    if (g->n_nodes != n_ids) {
        /* some id is missing: name a link that points at one, else the first missing id */
        for (int64_t k = 0; k < g->n_links; k++)
            if (!c.seen[g->source[k]] || !c.seen[g->target[k]]) {
                int64_t v = c.seen[g->source[k]] ? g->target[k] : g->source[k];
                rc = gat_error_set(err, GAT_ERANGE, "%s: link %lld joins node %lld, which is not in \"nodes\"", path,
                                   (long long)k, (long long)v);
                goto done;
            }
        int64_t v = 0;
        while (v < n_ids && c.seen[v]) v++;
        rc = gat_error_set(err, GAT_ERANGE, "%s: %lld nodes listed but the features have %lld rows (node id %lld is missing)",
                           path, (long long)g->n_nodes, (long long)n_ids, (long long)v);
        goto done;
    }
done:
    if (r->fp) fclose(r->fp);
    free(r);
    free(c.seen);
    if (rc) gat_nodelink_free(g);
    return rc;
}
