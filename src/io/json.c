/* json.c - a strict RFC 8259 JSON reader and string-escaping writers. */
#include "gat/json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct parser {
    const char *s;
    size_t pos, len;
    const char *name;
    gat_error *err;
} parser;

static int syntax(parser *p, const char *what) {
    return gat_error_set(p->err, GAT_EFORMAT, "%s: invalid JSON at byte %zu: %s", p->name, p->pos, what);
}

static int nomem(parser *p) { return gat_error_set(p->err, GAT_ENOMEM, "%s: out of memory parsing JSON", p->name); }

static void skip_ws(parser *p) {
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

void gat_json_free(gat_json *j) {
    if (!j) return;
    for (size_t i = 0; i < j->n; i++) {
        if (j->items) gat_json_free(&j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->string);
    memset(j, 0, sizeof *j);
}

/* Append one code point as UTF-8. */
static int put_utf8(char **b, size_t *n, size_t *cap, uint32_t c) {
    if (*n + 5 > *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        char *nb = realloc(*b, nc);
        if (!nb) return -1;
        *b = nb;
        *cap = nc;
    }
    char *o = *b + *n;
    if (c < 0x80) { o[0] = (char)c; *n += 1; }
    else if (c < 0x800) { o[0] = (char)(0xC0 | (c >> 6)); o[1] = (char)(0x80 | (c & 0x3F)); *n += 2; }
    else if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12)); o[1] = (char)(0x80 | ((c >> 6) & 0x3F)); o[2] = (char)(0x80 | (c & 0x3F));
        *n += 3;
    } else {
        o[0] = (char)(0xF0 | (c >> 18)); o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((c >> 6) & 0x3F)); o[3] = (char)(0x80 | (c & 0x3F));
        *n += 4;
    }
    return 0;
}

/* Decode one UTF-8 sequence at s[0..left); returns its length, 0 when invalid (overlong,
 * surrogate, above U+10FFFF, truncated). */
static size_t utf8_decode(const unsigned char *s, size_t left, uint32_t *cp) {
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) { *cp = c; return 1; }
    if ((c & 0xE0) == 0xC0) { n = 2; v = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 3; v = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if (left < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

static int hex4(parser *p, uint32_t *v) {
    if (p->len - p->pos < 4) return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos++];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        *v = *v * 16 + (uint32_t)d;
    }
    return 0;
}

/* A string literal at p->pos (on the opening quote) into a new NUL-terminated buffer. */
static int parse_string(parser *p, char **out) {
    char *b = NULL;
    size_t n = 0, cap = 0;
    p->pos++; /* opening quote */
    for (;;) {
        if (p->pos >= p->len) { free(b); return syntax(p, "unterminated string"); }
        unsigned char c = (unsigned char)p->s[p->pos];
        uint32_t cp;
        if (c == '"') { p->pos++; break; }
        if (c < 0x20) { free(b); return syntax(p, "control character in string"); }
        if (c == '\\') {
            p->pos++;
            if (p->pos >= p->len) { free(b); return syntax(p, "unterminated string"); }
            char e = p->s[p->pos++];
            switch (e) {
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case '/': cp = '/'; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u':
                if (hex4(p, &cp)) { free(b); return syntax(p, "bad \\u escape"); }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                        free(b);
                        return syntax(p, "unpaired surrogate in \\u escape");
                    }
                    p->pos += 2;
                    if (hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                        free(b);
                        return syntax(p, "unpaired surrogate in \\u escape");
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    free(b);
                    return syntax(p, "unpaired surrogate in \\u escape");
                }
                if (cp == 0) { free(b); return syntax(p, "\\u0000 is not supported in strings"); }
                break;
            default: free(b); p->pos--; return syntax(p, "bad escape in string");
            }
        } else {
            size_t k = utf8_decode((const unsigned char *)p->s + p->pos, p->len - p->pos, &cp);
            if (!k) { free(b); return syntax(p, "invalid UTF-8 in string"); }
            p->pos += k;
        }
        if (put_utf8(&b, &n, &cap, cp)) { free(b); return nomem(p); }
    }
    if (put_utf8(&b, &n, &cap, 'x')) { free(b); return nomem(p); }
    b[n - 1] = 0;
    *out = b;
    return GAT_OK;
}

static int parse_number(parser *p, double *out) {
    size_t start = p->pos;
    const char *s = p->s;
#define DIGIT(i) ((i) < p->len && s[i] >= '0' && s[i] <= '9')
    if (p->pos < p->len && s[p->pos] == '-') p->pos++;
    if (p->pos < p->len && s[p->pos] == '0') p->pos++;
    else if (DIGIT(p->pos)) while (DIGIT(p->pos)) p->pos++;
    else return syntax(p, "bad number");
    if (p->pos < p->len && s[p->pos] == '.') {
        p->pos++;
        if (!DIGIT(p->pos)) return syntax(p, "bad number: digits expected after '.'");
        while (DIGIT(p->pos)) p->pos++;
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-')) p->pos++;
        if (!DIGIT(p->pos)) return syntax(p, "bad number: digits expected in exponent");
        while (DIGIT(p->pos)) p->pos++;
    }
#undef DIGIT
    char tmp[64];
    size_t n = p->pos - start;
    if (n >= sizeof tmp) { p->pos = start; return syntax(p, "number too long"); }
    memcpy(tmp, s + start, n);
    tmp[n] = 0;
    *out = strtod(tmp, NULL);
    return GAT_OK;
}

static int parse_value(parser *p, gat_json *out, int depth);

/* An array or object at p->pos (on '[' or '{'). */
static int parse_container(parser *p, gat_json *out, int depth) {
    int is_obj = p->s[p->pos] == '{';
    char close = is_obj ? '}' : ']';
    size_t cap = 0;
    out->type = is_obj ? GAT_JSON_OBJECT : GAT_JSON_ARRAY;
    if (depth >= JSON_MAX_DEPTH) return syntax(p, "nested more than 64 levels");
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return GAT_OK; }
    for (;;) {
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 4;
            gat_json *ni = realloc(out->items, nc * sizeof *ni);
            if (!ni) return nomem(p);
            out->items = ni;
            if (is_obj) {
                char **nk = realloc(out->keys, nc * sizeof *nk);
                if (!nk) return nomem(p);
                out->keys = nk;
            }
            cap = nc;
        }
        memset(&out->items[out->n], 0, sizeof out->items[0]);
        if (is_obj) {
            out->keys[out->n] = NULL;
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != '"') return syntax(p, "expected a string key");
            size_t at = p->pos;
            int rc = parse_string(p, &out->keys[out->n]);
            if (rc) return rc;
            out->n++; /* owned from here on, freed by gat_json_free */
            for (size_t k = 0; k + 1 < out->n; k++) {
                if (!strcmp(out->keys[k], out->keys[out->n - 1])) {
                    p->pos = at;
                    return gat_error_set(p->err, GAT_EFORMAT, "%s: invalid JSON at byte %zu: duplicate key \"%.100s\"",
                                         p->name, at, out->keys[k]);
                }
            }
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') return syntax(p, "expected ':'");
            p->pos++;
            rc = parse_value(p, &out->items[out->n - 1], depth + 1);
            if (rc) return rc;
        } else {
            out->n++;
            int rc = parse_value(p, &out->items[out->n - 1], depth + 1);
            if (rc) return rc;
        }
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return GAT_OK; }
        return syntax(p, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(parser *p, gat_json *out, int depth) {
    memset(out, 0, sizeof *out);
    skip_ws(p);
    if (p->pos >= p->len) return syntax(p, "unexpected end of input");
    char c = p->s[p->pos];
    static const char *const words[3] = {"null", "true", "false"};
    for (int w = 0; w < 3; w++) {
        size_t k = strlen(words[w]);
        if (p->len - p->pos >= k && !memcmp(p->s + p->pos, words[w], k)) {
            p->pos += k;
            out->type = w == 0 ? GAT_JSON_NULL : GAT_JSON_BOOL;
            out->boolean = w == 1;
            return GAT_OK;
        }
    }
    if (c == '"') {
        out->type = GAT_JSON_STRING;
        return parse_string(p, &out->string);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        out->type = GAT_JSON_NUMBER;
        return parse_number(p, &out->number);
    }
    if (c == '[' || c == '{') return parse_container(p, out, depth);
    return syntax(p, "unexpected character");
}

int gat_json_parse(const char *text, size_t len, const char *name, gat_json *out, gat_error *err) {
    parser p = {text, 0, len, name, err};
    int rc = parse_value(&p, out, 0);
    if (!rc) {
        skip_ws(&p);
        if (p.pos != p.len) rc = syntax(&p, "unexpected data after the value");
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

/* ---- writing ---- */

/* The escape for byte c ("\\n", "\\u001f"), or NULL when c is written as is. */
static const char *escape_of(unsigned char c, char tmp[8]) {
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default:
        if (c >= 0x20) return NULL;
        snprintf(tmp, 8, "\\u%04x", c);
        return tmp;
    }
}

void gat_json_write_string(FILE *fp, const char *s) {
    char tmp[8];
    fputc('"', fp);
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        const char *e = escape_of(*q, tmp);
        if (e) fputs(e, fp);
        else fputc(*q, fp);
    }
    fputc('"', fp);
}

static int reserve(char **buf, size_t *len, size_t *cap, size_t extra) {
    if (*len + extra + 1 <= *cap) return GAT_OK;
    size_t nc = *cap ? *cap : 64;
    while (nc < *len + extra + 1) nc *= 2;
    char *nb = realloc(*buf, nc);
    if (!nb) return GAT_ENOMEM;
    *buf = nb;
    *cap = nc;
    return GAT_OK;
}

int gat_json_append_string(char **buf, size_t *len, size_t *cap, const char *s) {
    char tmp[8];
    if (reserve(buf, len, cap, 2 + strlen(s) * 6)) return GAT_ENOMEM;
    char *o = *buf;
    o[(*len)++] = '"';
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        const char *e = escape_of(*q, tmp);
        if (e) {
            size_t k = strlen(e);
            memcpy(o + *len, e, k);
            *len += k;
        } else {
            o[(*len)++] = (char)*q;
        }
    }
    o[(*len)++] = '"';
    o[*len] = 0;
    return GAT_OK;
}

int gat_json_appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(buf, len, cap, (size_t)n)) return GAT_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(*buf + *len, *cap - *len, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return GAT_OK;
}

int gat_json_int_list(const gat_json *v, long long *out, int max) {
    if (!v) return -1;
    int n = 0;
    if (v->type == GAT_JSON_ARRAY) {
        for (size_t i = 0; i < v->n; i++) {
            const gat_json *x = &v->items[i];
            if (x->type != GAT_JSON_NUMBER || x->number != floor(x->number) || fabs(x->number) > 9007199254740992.0)
                return -1;
            if (n < max) out[n] = (long long)x->number;
            if (n == INT_MAX) return -1;
            n++;
        }
        return n;
    }
    if (v->type != GAT_JSON_STRING) return -1;
    const char *p = v->string;
    if (!*p) return 0;
    for (;;) {
        char *end;
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (end == p || errno || *p == ' ' || (*end && *end != ',') || llabs(x) > 9007199254740992LL) return -1;
        if (n < max) out[n] = x;
        if (n == INT_MAX) return -1;
        n++;
        if (!*end) return n;
        p = end + 1;
    }
}
