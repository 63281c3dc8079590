/* cli.h - the gat command line: one function per subcommand, shared option helpers. */
#ifndef GAT_CLI_H
#define GAT_CLI_H

#include <stdint.h>

#include "gat/comm.h"
#include "gat/status.h"

/* Each subcommand takes the arguments after its name and returns the process exit code
 * (0 ok, 1 runtime error, 2 usage error). */
int gat_cmd_train(int argc, char **argv);
int gat_cmd_test(int argc, char **argv);
int gat_cmd_info(int argc, char **argv);
int gat_cmd_predict(int argc, char **argv);
/* gat visualize <picture>: dataset, attention, entropy, embeddings. */
int gat_cmd_visualize(int argc, char **argv);
/* gat visualize attention|entropy|embeddings (cmd_visualize_model.c); picture names which. */
int gat_cli_visualize_model(int argc, char **argv, const char *picture);
/* gat generate <kind>: synthetic datasets (cmd_generate.c). */
int gat_cmd_generate(int argc, char **argv);
/* gat plot RUN...: training curves of run folders. */
int gat_cmd_plot(int argc, char **argv);
/* gat explain: a forward pass at one node, step by step (cmd_explain.c). */
int gat_cmd_explain(int argc, char **argv);
/* gat profile: the attention implementations timed (cmd_profile.c). */
int gat_cmd_profile(int argc, char **argv);

/* The communicator of a run under mpirun, or NULL (one process, or a build without MPI). */
gat_comm *gat_cli_comm(void);

/* Print "gat: error: <msg>" to stderr and return 1 (2 for GAT_EINVAL: usage errors). Under
 * mpirun the message names the rank, and a failure every rank knows of is printed once, by
 * rank 0. */
int gat_cli_fail(const gat_error *err);
/* Print "gat: error: <formatted>" and return 2: for bad options. */
int gat_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Option parsing. Options are accepted as --name value, --name=value, and with '-' and '_'
 * interchangeable (--should_test = --should-test). A matcher returns 1 when argv[*i] is the
 * option (advancing *i past its value), 0 when it is another option, and -1 (after printing
 * the error) when the value is missing or malformed. */
int gat_opt_is(const char *arg, const char *name);
int gat_opt_flag(int argc, char **argv, int *i, const char *name, int *out);
/* An option that takes true/false (--bias BOOL): as gat_opt_flag, but a following word that
 * is not an option must be true/false ("--bias maybe" is refused). */
int gat_opt_bool(int argc, char **argv, int *i, const char *name, int *out);
int gat_opt_str(int argc, char **argv, int *i, const char *name, const char **out);
int gat_opt_int(int argc, char **argv, int *i, const char *name, int64_t lo, int64_t hi, int64_t *out);
int gat_opt_float(int argc, char **argv, int *i, const char *name, double lo, double hi, double *out);
/* Comma-separated positive integers, at most max of them ("8,1"); returns count in *n. */
/* Largest value of a list entry (heads, features). */
#define GAT_OPT_LIST_MAX 1000000
int gat_opt_int_list(int argc, char **argv, int *i, const char *name, int max, int64_t *out, int *n);
/* Comma-separated true/false values (true, false, yes, no, on, off, 1, 0), at most max of
 * them ("true,true,false"); returns count in *n, out[k] 1 or 0. */
int gat_opt_bool_list(int argc, char **argv, int *i, const char *name, int max, int *out, int *n);



/* ---- shared by the subcommands (common.c) ---- */
#include "gat/dataset.h"
#include "gat/model.h"
#include "gat/modelfile.h"

/* Open a dataset by name (data_dir may be NULL) and row-normalise its features when asked
 * (normalize < 0: as training does by default, i.e. except for multi-label collections of
 * graphs, which pytorch-GAT's PPI script does not normalise); prints nothing, fills err. */
int gat_cli_open_dataset(gat_dataset *ds, const char *name, const char *data_dir, int normalize, gat_error *err);
/* Load a model file and the dataset it names (or `dataset` when not NULL), and check that
 * the model fits it. normalize -1 prepares the features as the model file says (true when
 * it does not say); 0 or 1 (an explicit option) wins, with a warning when it differs. The caller frees m and ds (zero them first) whatever the result. */
int gat_cli_open_model(const char *model_path, const char *dataset, const char *data_dir, int normalize, gat_model *m,
                       gat_model_meta *meta, gat_dataset *ds, gat_error *err);
/* The dataset name written in model files and file names: upper case ("CORA"). */
void gat_cli_upper(char *dst, size_t size, const char *src);
/* --format LIST: "png", "svg" or "png,svg" into the two skip flags; 0, or 2 after printing
 * the usage error. */
int gat_cli_parse_formats(const char *s, int *no_png, int *no_svg);
/* The folder part of path (trailing slashes ignored): "runs/a/" -> "runs", "a" -> ".",
 * "/a" -> "/". */
void gat_cli_dirname(const char *path, char *buf, size_t size);
/* Fail unless folder dir exists (or can be created) and is writable. */
int gat_cli_check_writable_dir(const char *dir, gat_error *err);
/* Check that a loaded model fits a dataset (input width and classes). */
int gat_cli_check_model_fits(const gat_model *m, const gat_dataset *ds, const char *model_path, gat_error *err);
/* The network summary on stdout and the dataset pictures in out_dir (NULL: figures/<name>);
 * shared by 'gat visualize dataset' and 'gat train --should_visualize'. flags: */
#define GAT_CLI_VIZ_SUMMARY_ONLY 1     /* print the summary, draw nothing */
#define GAT_CLI_VIZ_QUIET 2            /* draw, print only the picture paths */
struct gat_viz_options;
int gat_cli_visualize_dataset(const gat_dataset *ds, const struct gat_viz_options *opt, const char *out_dir, int flags,
                              gat_error *err);
/* A collection of graphs: the collection summary and figure, and graph `graph` (-1: the
 * first test graph) drawn and summarised, coloured by number of labels or by label `label`
 * (-1: by number) for multi-label data. */
int gat_cli_visualize_collection(const gat_dataset *ds, const struct gat_viz_options *opt, const char *out_dir,
                                 int flags, int64_t graph, int64_t label, gat_error *err);
/* The graph a collection picture shows: graph, or the first test graph when graph < 0
 * (errors name --graph). */
int gat_cli_collection_graph(const gat_dataset *ds, int64_t graph, int64_t *out, gat_error *err);
/* The split (gat_split) graph g of a collection is in, -1 in none. */
int gat_cli_collection_split(const gat_dataset *ds, int64_t graph);

#endif
