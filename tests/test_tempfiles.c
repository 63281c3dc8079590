/* test_tempfiles.c - temporaries and reservations: stale ones of dead processes are swept,
 * live ones kept; reserved names are distinct and skip every number in use; tracked
 * temporaries are removed by gat_tempfiles_remove (what the signal handler calls). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "io_util.h"

static long dead_pid(void) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

int main(void) {
    const char *dir = check_tmpdir("test_tempfiles");
    char name[256];
    long dead = dead_pid(), live = (long)getpid();
    snprintf(name, sizeof name, "m.safetensors.tmp.%ld.AbC123", dead);
    io_put(dir, name, "x", 1);
    snprintf(name, sizeof name, "m.safetensors.tmp.%ld.AbC123", live);
    io_put(dir, name, "x", 1);
    io_put(dir, "m.safetensors.tmp.Zq9x2a", "x", 1);         /* an older name without a pid: kept */
    io_put(dir, "notes.tmp.1.txt", "x", 1);                  /* not a temporary name: kept */
    char pidtext[32];
    snprintf(pidtext, sizeof pidtext, "%ld\n", dead);
    io_put(dir, "gat_X_000007.safetensors.reserved", pidtext, strlen(pidtext));
    snprintf(pidtext, sizeof pidtext, "%ld\n", live);
    io_put(dir, "gat_X_000003.safetensors.reserved", pidtext, strlen(pidtext));
    int removed = -1;
    CHECK_EQ_INT(gat_sweep_stale_temps(dir, &removed), GAT_OK);
    CHECK_EQ_INT(removed, 2);
    CHECK_EQ_INT(check_count_entries(dir), 4);
    snprintf(name, sizeof name, "m.safetensors.tmp.%ld.AbC123", live);
    CHECK(gat_path_exists(io_path(dir, name)));
    CHECK(gat_path_exists(io_path(dir, "gat_X_000003.safetensors.reserved")));
    CHECK(!gat_path_exists(io_path(dir, "gat_X_000007.safetensors.reserved")));
    int removed2 = -1;
    CHECK_EQ_INT(gat_sweep_stale_temps(io_path(dir, "nosuch"), &removed2), GAT_OK);
    CHECK_EQ_INT(removed2, 0);

    /* reservations: above every number in use (000003 is reserved by us, 000005 is a model) */
    io_put(dir, "gat_X_000005.safetensors", "m", 1);
    char a[4096], b[4096];
    int sa = 0, sb = 0;
    CHECK_EQ_INT(gat_reserve_name(a, sizeof a, dir, "gat_X_", ".safetensors", 6, 0, &sa, &err), GAT_OK);
    CHECK_EQ_INT(gat_reserve_name(b, sizeof b, dir, "gat_X_", ".safetensors", 6, 0, &sb, &err), GAT_OK);
    CHECK_MSG(strstr(a, "gat_X_000006.safetensors") && strstr(b, "gat_X_000007.safetensors"), "%s, %s", a, b);
    CHECK(gat_path_exists(io_path(dir, "gat_X_000006.safetensors.reserved")));
    CHECK_EQ_INT(gat_reservation_owner(io_path(dir, "gat_X_000006.safetensors.reserved")), live);
    gat_release_name(a, sa);
    /* numbers taken elsewhere (checkpoints of a run that saved no model) are skipped */
    io_put(dir, "gat_X_000041_ckpt_epoch_5.safetensors", "c", 1);
    io_put(dir, "gat_X_ckpt_epoch_99.safetensors", "c", 1);   /* the pytorch-GAT name: no number */
    CHECK_EQ_INT(gat_max_number(dir, "gat_X_", 6), 41);
    char c3[4096];
    int sc = 0;
    CHECK_EQ_INT(gat_reserve_name(c3, sizeof c3, dir, "gat_X_", ".safetensors", 6, 42, &sc, &err), GAT_OK);
    CHECK_MSG(strstr(c3, "gat_X_000042.safetensors") != NULL, "%s", c3);
    gat_release_name(c3, sc);
    CHECK(!gat_path_exists(io_path(dir, "gat_X_000006.safetensors.reserved")));

    /* tracked files are removed, as the signal handler does; committed ones are not */
    gat_outfile f;
    CHECK_EQ_INT(gat_outfile_open(&f, io_path(dir, "half.bin"), &err), GAT_OK);
    fputs("half", f.fp);
    fflush(f.fp);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", f.tmp_path);
    CHECK(strstr(tmp, ".tmp.") != NULL && gat_path_exists(tmp));
    gat_tempfiles_remove();
    CHECK(!gat_path_exists(tmp));
    CHECK(!gat_path_exists(io_path(dir, "gat_X_000007.safetensors.reserved")));
    gat_outfile_abort(&f);
    CHECK_EQ_INT(gat_write_file(io_path(dir, "whole.bin"), "ok", 2, &err), GAT_OK);
    gat_tempfiles_remove();
    CHECK(gat_path_exists(io_path(dir, "whole.bin")));
    return check_summary();
}
