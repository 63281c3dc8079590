/* json.c - a small strict JSON reader and string escaping (see json.h). */
#include "gat/json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *start, *s, *end, *name;
    gat_error *err;
    int depth;
} parser;

static int fail(parser *p, const char *what) {
    return gat_error_set(p->err, GAT_EFORMAT, "%s: invalid JSON at byte %ld: %s", p->name,
                         (long)(p->s - p->start), what);
}

static void skip_ws(parser *p) {
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')) p->s++;
}

static int put_utf8(char *out, size_t *n, uint32_t c) {
    if (c < 0x80) out[(*n)++] = (char)c;
    else if (c < 0x800) {
        out[(*n)++] = (char)(0xc0 | (c >> 6));
        out[(*n)++] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out[(*n)++] = (char)(0xe0 | (c >> 12));
        out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (c & 0x3f));
    } else {
        out[(*n)++] = (char)(0xf0 | (c >> 18));
        out[(*n)++] = (char)(0x80 | ((c >> 12) & 0x3f));
        out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (c & 0x3f));
    }
    return 0;
}

static int hex4(const char *s, uint32_t *v) {
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        *v = *v * 16 + (uint32_t)d;
    }
    return 0;
}

static int parse_string(parser *p, char **out) {
    p->s++; /* opening quote */
    const char *start = p->s;
    size_t cap = 0;
    while (p->s < p->end && *p->s != '"') {
        if (*p->s == '\\') p->s++;
        p->s++;
        cap++;
    }
    if (p->s >= p->end) return fail(p, "unterminated string");
    char *buf = malloc(cap * 4 + 1);
    if (!buf) return gat_error_set(p->err, GAT_ENOMEM, "%s: out of memory", p->name);
    size_t n = 0;
    for (const char *c = start; c < p->s; c++) {
        if ((unsigned char)*c < 0x20) { free(buf); return fail(p, "control character in string"); }
        if (*c != '\\') { buf[n++] = *c; continue; }
        c++;
        switch (*c) {
        case '"': buf[n++] = '"'; break;
        case '\\': buf[n++] = '\\'; break;
        case '/': buf[n++] = '/'; break;
        case 'b': buf[n++] = '\b'; break;
        case 'f': buf[n++] = '\f'; break;
        case 'n': buf[n++] = '\n'; break;
        case 'r': buf[n++] = '\r'; break;
        case 't': buf[n++] = '\t'; break;
        case 'u': {
            uint32_t u, lo;
            if (p->s - c < 5 || hex4(c + 1, &u)) { free(buf); return fail(p, "bad \\u escape"); }
            c += 4;
            if (u >= 0xd800 && u < 0xdc00 && p->s - c >= 7 && c[1] == '\\' && c[2] == 'u' && !hex4(c + 3, &lo) &&
                lo >= 0xdc00 && lo < 0xe000) {
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                c += 6;
            }
            put_utf8(buf, &n, u);
            break;
        }
        default: free(buf); return fail(p, "bad escape");
        }
    }
    buf[n] = 0;
    p->s++; /* closing quote */
    *out = buf;
    return GAT_OK;
}

static int parse_value(parser *p, gat_json *v);

static int parse_container(parser *p, gat_json *v, int object) {
    char close = object ? '}' : ']';
    size_t cap = 0;
    p->s++;
    if (++p->depth > 64) return fail(p, "nested too deeply");
    skip_ws(p);
    if (p->s < p->end && *p->s == close) { p->s++; p->depth--; return GAT_OK; }
    for (;;) {
        if (v->n == cap) {
            cap = cap ? cap * 2 : 4;
            gat_json *items = realloc(v->items, cap * sizeof *items);
            if (!items) return gat_error_set(p->err, GAT_ENOMEM, "%s: out of memory", p->name);
            v->items = items;
            if (object) {
                char **keys = realloc(v->keys, cap * sizeof *keys);
                if (!keys) return gat_error_set(p->err, GAT_ENOMEM, "%s: out of memory", p->name);
                v->keys = keys;
            }
        }
        memset(&v->items[v->n], 0, sizeof *v->items);
        skip_ws(p);
        if (object) {
            if (p->s >= p->end || *p->s != '"') return fail(p, "expected a string key");
            int rc = parse_string(p, &v->keys[v->n]);
            if (rc) return rc;
            v->n++; /* so the key is freed on failure */
            skip_ws(p);
            if (p->s >= p->end || *p->s != ':') return fail(p, "expected ':'");
            p->s++;
            rc = parse_value(p, &v->items[v->n - 1]);
            if (rc) return rc;
        } else {
            v->n++;
            int rc = parse_value(p, &v->items[v->n - 1]);
            if (rc) return rc;
        }
        skip_ws(p);
        if (p->s < p->end && *p->s == ',') { p->s++; continue; }
        if (p->s < p->end && *p->s == close) { p->s++; p->depth--; return GAT_OK; }
        return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(parser *p, gat_json *v) {
    memset(v, 0, sizeof *v);
    skip_ws(p);
    if (p->s >= p->end) return fail(p, "unexpected end");
    char c = *p->s;
    if (c == '{') { v->type = GAT_JSON_OBJECT; return parse_container(p, v, 1); }
    if (c == '[') { v->type = GAT_JSON_ARRAY; return parse_container(p, v, 0); }
    if (c == '"') { v->type = GAT_JSON_STRING; return parse_string(p, &v->string); }
    if (p->end - p->s >= 4 && !memcmp(p->s, "true", 4)) { v->type = GAT_JSON_BOOL; v->boolean = 1; p->s += 4; return 0; }
    if (p->end - p->s >= 5 && !memcmp(p->s, "false", 5)) { v->type = GAT_JSON_BOOL; p->s += 5; return 0; }
    if (p->end - p->s >= 4 && !memcmp(p->s, "null", 4)) { v->type = GAT_JSON_NULL; p->s += 4; return 0; }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char buf[64];
        size_t n = 0;
        while (p->s + n < p->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", p->s[n])) n++;
        memcpy(buf, p->s, n);
        buf[n] = 0;
        char *end;
        v->number = strtod(buf, &end);
        if (end != buf + n || !isfinite(v->number)) return fail(p, "bad number");
        v->type = GAT_JSON_NUMBER;
        p->s += n;
        return GAT_OK;
    }
    return fail(p, "unexpected character");
}

int gat_json_parse(const char *text, size_t len, const char *name, gat_json *out, gat_error *err) {
    parser p = {text, text, text + len, name, err, 0};
    int rc = parse_value(&p, out);
    if (!rc) {
        skip_ws(&p);
        if (p.s != p.end) rc = fail(&p, "trailing characters");
    }
    if (rc) gat_json_free(out);
    return rc;
}

const gat_json *gat_json_get(const gat_json *obj, const char *key) {
    if (!obj || obj->type != GAT_JSON_OBJECT) return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key)) return &obj->items[i];
    return NULL;
}

void gat_json_free(gat_json *j) {
    if (!j) return;
    for (size_t i = 0; i < j->n; i++) {
        gat_json_free(&j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->string);
    memset(j, 0, sizeof *j);
}

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 64;
        while (c < *len + n + 1) c *= 2;
        char *b = realloc(*buf, c);
        if (!b) return GAT_ENOMEM;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = 0;
    return GAT_OK;
}

int gat_json_append_string(char **buf, size_t *len, size_t *cap, const char *s) {
    if (append(buf, len, cap, "\"", 1)) return GAT_ENOMEM;
    for (; *s; s++) {
        char esc[8];
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; esc[2] = 0; }
        else if (c == '\n') strcpy(esc, "\\n");
        else if (c == '\t') strcpy(esc, "\\t");
        else if (c == '\r') strcpy(esc, "\\r");
        else if (c < 0x20) snprintf(esc, sizeof esc, "\\u%04x", c);
        else { esc[0] = (char)c; esc[1] = 0; }
        if (append(buf, len, cap, esc, strlen(esc))) return GAT_ENOMEM;
    }
    return append(buf, len, cap, "\"", 1);
}

void gat_json_write_string(FILE *fp, const char *s) {
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (gat_json_append_string(&buf, &len, &cap, s) == GAT_OK) fputs(buf, fp);
    free(buf);
}
