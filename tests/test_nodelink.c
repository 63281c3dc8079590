/* test_nodelink.c - the streaming node-link JSON reader on hand-written files: what PPI's
 * files hold (extra members, any key order, "edges" for "links", escapes, self loops), and
 * every malformed case with the byte offset the error names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_util.h"
#include "gat/nodelink.h"

static const char *dir;

static int read_text(const char *text, int64_t n_ids, gat_nodelink *g) {
    const char *p = io_put(dir, "g.json", text, strlen(text));
    return gat_nodelink_read(p, n_ids, g, &err);
}

/* text must fail with code and a message containing s1 and s2. */
static void bad(const char *text, int64_t n_ids, int code, const char *s1, const char *s2) {
    gat_nodelink g;
    CHECK_FAILS(read_text(text, n_ids, &g), code, s1, s2);
    CHECK(g.source == NULL && g.n_links == 0);
}

int main(void) {
    dir = check_tmpdir("test_nodelink");
    gat_nodelink g;

    /* PPI's own shape: extra node members, graph attributes, an undirected simple graph */
    const char *ppi = "{\"directed\": false, \"multigraph\": false, \"graph\": {\"name\": \"x\", \"a\": [1, {\"b\": null}]},"
                      " \"nodes\": [{\"test\": false, \"id\": 0, \"val\": false}, {\"id\": 2, \"feature\": [0.5, -1e-3]},"
                      " {\"val\": true, \"id\": 1}],"
                      " \"links\": [{\"source\": 0, \"target\": 2}, {\"weight\": 1.5, \"target\": 1, \"source\": 2},"
                      " {\"source\": 1, \"target\": 1}]}\n";
    CHECK(read_text(ppi, 3, &g) == GAT_OK);
    CHECK_EQ_INT(g.n_nodes, 3);
    CHECK_EQ_INT(g.n_links, 3);
    CHECK(g.directed == 0 && g.multigraph == 0);
    CHECK(g.source[0] == 0 && g.target[0] == 2 && g.source[1] == 2 && g.target[1] == 1);
    CHECK_MSG(g.source[2] == 1 && g.target[2] == 1, "a self loop is kept as given");
    gat_nodelink_free(&g);

    /* keys in another order, "edges" for "links", escapes in skipped strings and keys */
    CHECK(read_text(" {\"links\" :[ {\"source\":1,\"target\":0} ] , \"directed\":true, \"n\\u00e9\": \"a\\\"b\\\\\","
                    " \"nodes\":[{\"id\":1},{\"id\":0}]}", 2, &g) == GAT_OK);
    CHECK(g.directed == 1 && g.n_links == 1 && g.source[0] == 1 && g.target[0] == 0);
    gat_nodelink_free(&g);
    CHECK(read_text("{\"nodes\": [{\"id\": 0}], \"edges\": []}", 1, &g) == GAT_OK && g.n_links == 0);
    gat_nodelink_free(&g);
    CHECK_MSG(read_text("{\"nodes\": [{\"id\": 0}, {\"id\": 1}]}", 2, &g) == GAT_OK && g.n_links == 0,
              "a graph without links is a graph");
    gat_nodelink_free(&g);

    /* a file larger than the reader's buffer, read in one pass */
    {
        const int n = 20000;
        size_t cap = (size_t)n * 64 + 256, len = 0;
        char *t = malloc(cap);
        len += (size_t)snprintf(t + len, cap - len, "{\"nodes\": [");
        for (int i = 0; i < n; i++) len += (size_t)snprintf(t + len, cap - len, "%s{\"id\": %d}", i ? ", " : "", n - 1 - i);
        len += (size_t)snprintf(t + len, cap - len, "], \"links\": [");
        for (int i = 0; i + 1 < n; i++)
            len += (size_t)snprintf(t + len, cap - len, "%s{\"source\": %d, \"target\": %d}", i ? ", " : "", i, i + 1);
        len += (size_t)snprintf(t + len, cap - len, "]}");
        CHECK(read_text(t, n, &g) == GAT_OK);
        CHECK_EQ_INT(g.n_links, n - 1);
        CHECK(g.n_links == n - 1 && g.source[n - 2] == n - 2 && g.target[n - 2] == n - 1);
        gat_nodelink_free(&g);
        /* truncated anywhere: always an error, never a crash */
        int all_fail = 1;
        for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
            const char *p = io_put(dir, "cut.json", t, cut);
            memset(&err, 0, sizeof err);
            if (gat_nodelink_read(p, n, &g, &err) == GAT_OK || !strstr(err.msg, "byte")) all_fail = 0;
        }
        CHECK_MSG(all_fail, "every truncation of a large file fails with a byte offset");
        free(t);
    }

    /* truncated */
    bad("", 1, GAT_EFORMAT, "g.json", "empty");
    bad("{\"nodes\": [{\"id\": 0}", 1, GAT_EFORMAT, "byte 20", "truncated");
    bad("{\"nodes\": [{\"id\": 0}], \"links\": [{\"source\": 0, \"tar", 1, GAT_EFORMAT, "byte 51", "truncated");
    bad("{\"nodes\": [{\"id\": 0}], \"links\": [{\"source\": 0, \"target\": 0}", 1, GAT_EFORMAT, "truncated", "']'");
    bad("{\"nodes\": [{\"id\": 1", 2, GAT_EFORMAT, "byte 19", "truncated");
    /* not JSON / trailing data */
    bad("[1, 2]", 1, GAT_EFORMAT, "byte 0", "JSON object");
    bad("{\"nodes\": [{\"id\": 0}]} x", 1, GAT_EFORMAT, "byte 23", "after the end");
    bad("{\"nodes\": [{\"id\": 0},]}", 1, GAT_EFORMAT, "byte 21", "node 1 must be an object");
    bad("{\"nodes\": [{\"id\": 0}] \"links\": []}", 1, GAT_EFORMAT, "byte 22", "',' or '}'");
    bad("{\"graph\": {\"a\": tru}, \"nodes\": []}", 0, GAT_EFORMAT, "byte 19", "JSON value");
    bad("{\"graph\": \"a\\qb\", \"nodes\": []}", 0, GAT_EFORMAT, "byte 13", "invalid escape");
    /* wrong types */
    bad("{\"nodes\": {\"id\": 0}}", 1, GAT_EFORMAT, "byte 10", "\"nodes\" must be an array");
    bad("{\"nodes\": [0, 1]}", 2, GAT_EFORMAT, "byte 11", "node 0 must be an object");
    bad("{\"nodes\": [{\"id\": \"0\"}]}", 1, GAT_EFORMAT, "byte 18", "the id of node 0 must be an integer");
    bad("{\"nodes\": [{\"id\": 0.5}]}", 1, GAT_EFORMAT, "the id of node 0", "integer");
    bad("{\"nodes\": [{\"id\": null}]}", 1, GAT_EFORMAT, "byte 18", "integer");
    bad("{\"nodes\": [{\"name\": 0}]}", 1, GAT_EFORMAT, "node 0", "no \"id\"");
    bad("{\"nodes\": [{\"id\": 0}], \"links\": [{\"source\": 0, \"target\": [0]}]}", 1, GAT_EFORMAT, "byte 57",
        "the target of link 0 must be an integer");
    bad("{\"nodes\": [{\"id\": 0}], \"links\": [{\"source\": 0}]}", 1, GAT_EFORMAT, "link 0", "no \"target\"");
    bad("{\"nodes\": [{\"id\": 0}], \"links\": [[0, 0]]}", 1, GAT_EFORMAT, "byte 33", "link 0 must be an object");
    bad("{\"nodes\": [{\"id\": 0}], \"links\": {}}", 1, GAT_EFORMAT, "byte 32", "\"links\" must be an array");
    bad("{\"directed\": 0, \"nodes\": []}", 0, GAT_EFORMAT, "byte 13", "\"directed\" must be true or false");
    bad("{\"links\": []}", 0, GAT_EFORMAT, "g.json", "no \"nodes\"");
    bad("{\"nodes\": [], \"nodes\": []}", 0, GAT_EFORMAT, "a second \"nodes\"", "byte");
    /* ids out of range, duplicates, missing nodes */
    bad("{\"nodes\": [{\"id\": 0}, {\"id\": 3}]}", 2, GAT_ERANGE, "byte 22", "node 1: id 3 is out of range");
    bad("{\"nodes\": [{\"id\": -1}]}", 1, GAT_ERANGE, "byte 11", "id -1 is out of range");
    bad("{\"nodes\": [{\"id\": 0}, {\"id\": 1}, {\"id\": 0}]}", 3, GAT_ERANGE, "byte 33", "node 2: duplicate id 0");
    bad("{\"nodes\": [{\"id\": 0}, {\"id\": 1}], \"links\": [{\"source\": 0, \"target\": 7}]}", 2, GAT_ERANGE,
        "byte 68", "link 0: target 7 is not a node");
    bad("{\"nodes\": [{\"id\": 0}, {\"id\": 2}], \"links\": [{\"source\": 1, \"target\": 0}]}", 3, GAT_ERANGE,
        "link 0 joins node 1", "not in \"nodes\"");
    bad("{\"nodes\": [{\"id\": 0}, {\"id\": 2}]}", 3, GAT_ERANGE, "node id 1 is missing", "features have 3 rows");
    /* a file that does not exist */
    CHECK_FAILS(gat_nodelink_read(io_path(dir, "missing.json"), 1, &g, &err), GAT_EIO, "missing.json", "cannot open");
    return check_summary();
}
