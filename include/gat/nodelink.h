/* nodelink.h - graphs in NetworkX node-link JSON, read in one streaming pass.
 *
 * The format networkx.readwrite.json_graph.node_link_data writes, as in the PPI dataset
 * that DGL and pytorch-GAT download ({train,valid,test}_graph.json):
 *   {"directed": false, "multigraph": false, "graph": {},
 *    "nodes": [{"id": 0, ...}, {"id": 1, ...}, ...],
 *    "links": [{"source": 0, "target": 372, ...}, ...]}
 * Top-level keys may come in any order; "edges" is accepted for "links" (networkx >= 3.4);
 * other keys and the other members of nodes and links are skipped whatever they hold.
 * Node ids must be integers. The file is read through a fixed buffer, once, keeping only
 * the link endpoints (two growing arrays): no tree of values, so a file of tens of MB costs
 * 16 bytes per link. Every error names the file and the byte offset where it was found
 * ("train_graph.json: byte 1234: link 17: \"source\" must be an integer node id"). */
#ifndef GAT_NODELINK_H
#define GAT_NODELINK_H

#include <stdint.h>

#include "gat/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gat_nodelink {
    int directed;                      /* the "directed" member (0 when absent) */
    int multigraph;
    int64_t n_nodes;                   /* entries of "nodes" */
    int64_t n_links;
    int64_t *source, *target;          /* (n_links) node ids, in file order */
} gat_nodelink;

/* Read path. The node ids must be exactly 0..n_ids-1, each once, in any order (the rows of
 * the matching feature matrix); links must join listed nodes. GAT_EIO (cannot read),
 * GAT_EFORMAT (syntax, types, truncation), GAT_ERANGE (ids out of range, duplicate or
 * missing ids, links to missing nodes), GAT_ENOMEM. On failure *g is zeroed. */
int gat_nodelink_read(const char *path, int64_t n_ids, gat_nodelink *g, gat_error *err);
void gat_nodelink_free(gat_nodelink *g);

#ifdef __cplusplus
}
#endif
#endif
