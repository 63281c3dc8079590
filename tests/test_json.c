/* test_json.c - the strict JSON reader (values, escapes, UTF-8, limits, errors with byte
 * offsets) and the string writers, including a write -> parse round trip. */
#include "gat/json.h"
#include "io_util.h"

static int parse(const char *text, gat_json *j) { return gat_json_parse(text, strlen(text), "t.json", j, &err); }

static void valid(void) {
    gat_json j;
    const char *text = " {\"b\": [1, -2.5e3, 0.125, true, false, null, {}, []], \"a\": \"x\\\"y\\\\z\\/\\n\\t\","
                       " \"u\": \"caf\\u00e9 \\ud83d\\ude00 \xc3\xa9\", \"n\": {\"deep\": [[[]]]}} \n";
    CHECK_EQ_INT(parse(text, &j), GAT_OK);
    CHECK(j.type == GAT_JSON_OBJECT && j.n == 4);
    CHECK(!strcmp(j.keys[0], "b") && !strcmp(j.keys[1], "a")); /* file order */
    const gat_json *b = gat_json_get(&j, "b");
    CHECK(b && b->type == GAT_JSON_ARRAY && b->n == 8);
    if (b && b->n == 8) {
        CHECK(b->items[0].number == 1 && b->items[1].number == -2500 && b->items[2].number == 0.125);
        CHECK(b->items[3].type == GAT_JSON_BOOL && b->items[3].boolean && !b->items[4].boolean);
        CHECK(b->items[5].type == GAT_JSON_NULL && b->items[6].type == GAT_JSON_OBJECT && b->items[7].n == 0);
    }
    const gat_json *a = gat_json_get(&j, "a"), *u = gat_json_get(&j, "u");
    CHECK(a && !strcmp(a->string, "x\"y\\z/\n\t"));
    CHECK(u && !strcmp(u->string, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xc3\xa9"));
    CHECK(gat_json_get(&j, "missing") == NULL && gat_json_get(a, "x") == NULL);
    gat_json_free(&j);
    gat_json_free(&j);
    CHECK_EQ_INT(parse("9007199254740993", &j), GAT_OK);
    CHECK(j.type == GAT_JSON_NUMBER);
    gat_json_free(&j);
    /* not NUL-terminated: only len bytes are read */
    CHECK_EQ_INT(gat_json_parse("[1,2]xyz", 5, "t", &j, &err), GAT_OK);
    CHECK(j.n == 2);
    gat_json_free(&j);
    /* 64 levels is the limit */
    char deep[200];
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = 0;
    CHECK_EQ_INT(parse(deep, &j), GAT_OK);
    gat_json_free(&j);
}

static void invalid(void) {
    gat_json j;
    CHECK_FAILS(parse("", &j), GAT_EFORMAT, "t.json", "unexpected end of input");
    CHECK_FAILS(parse("{\"a\": 1,}", &j), GAT_EFORMAT, "t.json: invalid JSON at byte 8", "expected a string key");
    CHECK_FAILS(parse("[1, 2,]", &j), GAT_EFORMAT, "byte 6", "unexpected character");
    CHECK_FAILS(parse("{'a': 1}", &j), GAT_EFORMAT, "byte 1", "expected a string key");
    CHECK_FAILS(parse("{\"a\" 1}", &j), GAT_EFORMAT, "byte 5", "expected ':'");
    CHECK_FAILS(parse("[01]", &j), GAT_EFORMAT, "t.json", "expected ',' or ']'");
    CHECK_FAILS(parse("[1.]", &j), GAT_EFORMAT, "t.json", "digits expected after '.'");
    CHECK_FAILS(parse("[1e]", &j), GAT_EFORMAT, "t.json", "digits expected in exponent");
    CHECK_FAILS(parse("[NaN]", &j), GAT_EFORMAT, "t.json", "unexpected character");
    CHECK_FAILS(parse("[+1]", &j), GAT_EFORMAT, "t.json", "unexpected character");
    CHECK_FAILS(parse("\"abc", &j), GAT_EFORMAT, "t.json", "unterminated string");
    CHECK_FAILS(parse("\"a\tb\"", &j), GAT_EFORMAT, "t.json", "control character in string");
    CHECK_FAILS(parse("\"\\x\"", &j), GAT_EFORMAT, "t.json", "bad escape");
    CHECK_FAILS(parse("\"\\u12g4\"", &j), GAT_EFORMAT, "t.json", "bad \\u escape");
    CHECK_FAILS(parse("\"\\ud83d\"", &j), GAT_EFORMAT, "t.json", "unpaired surrogate");
    CHECK_FAILS(parse("\"\\ude00\"", &j), GAT_EFORMAT, "t.json", "unpaired surrogate");
    CHECK_FAILS(parse("\"\\u0000\"", &j), GAT_EFORMAT, "t.json", "\\u0000");
    CHECK_FAILS(parse("\"\xc3\"", &j), GAT_EFORMAT, "t.json", "invalid UTF-8");
    CHECK_FAILS(parse("\"\xc0\xaf\"", &j), GAT_EFORMAT, "t.json", "invalid UTF-8"); /* overlong '/' */
    CHECK_FAILS(parse("\"\xed\xa0\x80\"", &j), GAT_EFORMAT, "t.json", "invalid UTF-8"); /* encoded surrogate */
    CHECK_FAILS(parse("{\"a\": 1, \"a\": 2}", &j), GAT_EFORMAT, "t.json", "duplicate key \"a\"");
    CHECK_FAILS(parse("{} {}", &j), GAT_EFORMAT, "byte 3", "unexpected data after the value");
    CHECK_FAILS(parse("tru", &j), GAT_EFORMAT, "t.json", "unexpected character");
    CHECK_FAILS(parse("[1, [2, {\"x\": [3,]}]]", &j), GAT_EFORMAT, "byte 17", "unexpected character"); /* nested cleanup */
    char deep[200];
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = 0;
    CHECK_FAILS(parse(deep, &j), GAT_EFORMAT, "t.json", "nested more than 64 levels");
    CHECK(j.type == GAT_JSON_NULL && j.items == NULL); /* zeroed on failure */
}

static void writers(void) {
    const char *s = "quote\" back\\ nl\n tab\t cr\r bell\x07 caf\xc3\xa9 /";
    char *buf = NULL;
    size_t len = 0, cap = 0;
    CHECK_EQ_INT(gat_json_appendf(&buf, &len, &cap, "{%s:", "\"k\""), GAT_OK);
    CHECK_EQ_INT(gat_json_append_string(&buf, &len, &cap, s), GAT_OK);
    CHECK_EQ_INT(gat_json_appendf(&buf, &len, &cap, "}"), GAT_OK);
    CHECK(strlen(buf) == len);
    CHECK(strstr(buf, "\\u0007") && strstr(buf, "\\n") && strstr(buf, "\\\"") && !strchr(buf, '\n'));
    gat_json j;
    CHECK_EQ_INT(gat_json_parse(buf, len, "w", &j, &err), GAT_OK);
    const gat_json *k = gat_json_get(&j, "k");
    CHECK(k && k->type == GAT_JSON_STRING && !strcmp(k->string, s));
    gat_json_free(&j);
    free(buf);

    FILE *fp = tmpfile();
    gat_json_write_string(fp, s);
    long n = ftell(fp);
    rewind(fp);
    char tmp[256] = {0};
    CHECK(n > 0 && n < 256 && fread(tmp, 1, (size_t)n, fp) == (size_t)n);
    fclose(fp);
    CHECK_EQ_INT(gat_json_parse(tmp, (size_t)n, "w", &j, &err), GAT_OK);
    CHECK(j.type == GAT_JSON_STRING && !strcmp(j.string, s));
    gat_json_free(&j);
}

int main(void) {
    valid();
    invalid();
    writers();
    return check_summary();
}
