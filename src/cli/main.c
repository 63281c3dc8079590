/* main.c - the gat command: dispatch to subcommands. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gat/chart.h"
#include "gat/dataset.h"
#include "gat/fileio.h"
#include "gat/ops.h"

/* SIGINT, SIGTERM, SIGHUP: remove this process's temporary files and reservations (only
 * async-signal-safe calls), then die of the same signal so the caller sees it. */
static void on_fatal_signal(int sig) {
    gat_tempfiles_remove();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signal_handlers(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t k = 0; k < sizeof sigs / sizeof *sigs; k++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t j = 0; j < sizeof sigs / sizeof *sigs; j++) sigaddset(&sa.sa_mask, sigs[j]);
        /* a signal ignored by whoever started us (nohup) stays ignored */
        if (sigaction(sigs[k], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(sigs[k], &sa, NULL);
    }
}

#ifdef GAT_HAVE_MPI
#include "gat/comm_mpi.h"
#endif

static gat_comm *cli_comm;

gat_comm *gat_cli_comm(void) { return cli_comm; }

/* Under mpirun (a build with -DGAT_MPI=ON): every rank runs the same command; rank 0 alone
 * prints, and a failure that the other ranks cannot know of ends them all. */
static int run_command(int (*run)(int, char **), int argc, char **argv) {
#ifdef GAT_HAVE_MPI
    if (gat_comm_mpi_launched()) {
        gat_error err = {0};
        if (gat_comm_mpi_init(&cli_comm, &argc, &argv, &err)) return gat_cli_fail(&err);
        if (cli_comm->size > 1 && run != gat_cmd_train) {
            if (cli_comm->rank == 0)
                fprintf(stderr, "gat: error: only 'gat train' runs on several processes (this is rank 0 of %d)\n",
                        cli_comm->size);
            cli_comm->ops->finalize(cli_comm);
            return 2;
        }
        if (cli_comm->rank != 0 && !freopen("/dev/null", "w", stdout)) return 1;
    }
#endif
    int rc = run(argc, argv);
    if (cli_comm) {
        if (rc && !cli_comm->failed_collectively && cli_comm->size > 1) {
            fflush(stderr);
            cli_comm->ops->abort_all(cli_comm, rc);
        }
        cli_comm->ops->finalize(cli_comm);
    }
    return rc;
}

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} command;

static const command commands[] = {
    {"train", gat_cmd_train, "train a GAT on a dataset (Cora by default), save checkpoints and the final model"},
    {"test", gat_cmd_test, "evaluate a saved model on its dataset's test split"},
    {"info", gat_cmd_info, "print what a saved model file holds"},
    {"predict", gat_cmd_predict, "write each node's predicted class and class probabilities as CSV"},
    {"plot", gat_cmd_plot, "draw the loss and accuracy curves of training runs (runs/<run>) as PNG and SVG"},
    {"explain", gat_cmd_explain, "print every step of a model's forward pass at one node (docs/annotated-gat.md)"},
    {"profile", gat_cmd_profile, "time the fused, edge-list and dense attention implementations on a dataset"},
    {"generate", gat_cmd_generate, "write a synthetic dataset: 'gat generate graph' ('gat generate --help')"},
    {"visualize", gat_cmd_visualize, "draw pictures: dataset, attention, entropy, embeddings ('gat visualize --help')"},
};

static void usage(FILE *fp) {
    fprintf(fp, "usage: gat <command> [options]\n\nGraph Attention Networks (Velickovic et al., ICLR 2018) in C.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(fp, "\n'gat <command> --help' lists a command's options with their defaults.\n"
                "'gat --version' prints the version, the git commit it was built from and the data folders.\n");
}

int main(int argc, char **argv) {
    gat_blas_reexec_if_generic(argv); /* OpenBLAS's own kernels for this CPU (gat/ops.h) */
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("gat %s (commit %s)\n", GAT_VERSION, GAT_GIT_COMMIT);
        const char *dirs[8];
        int n = gat_dataset_default_dirs(dirs, 8);
        printf("data folders (searched in this order without --data-dir):");
        for (int i = 0; i < n; i++) printf(" %s", dirs[i]);
        printf("\n");
        return 0;
    }
    install_signal_handlers();
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = run_command(commands[i].run, argc - 2, argv + 2);
            gat_chart_shutdown();   /* release the font caches, so leak checkers see none */
            return rc;
        }
    fprintf(stderr, "gat: error: unknown command '%s' (commands: ", argv[1]);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", commands[i].name);
    fprintf(stderr, "; see 'gat --help')\n");
    return 2;
}
