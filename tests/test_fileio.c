/* test_fileio.c - atomic writes: a committed file appears whole, an aborted or failed one
 * leaves nothing behind, and unwritable paths give a clear error. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gat/fileio.h"

int main(void) {
    const char *tmp = check_tmpdir("fileio");
    char path[4096];
    gat_error err = {0};

    snprintf(path, sizeof path, "%s/a.txt", tmp);
    CHECK_EQ_INT(gat_write_file(path, "hello", 5, &err), GAT_OK);
    char *data;
    size_t len;
    CHECK_EQ_INT(gat_read_file(path, &data, &len, &err), GAT_OK);
    CHECK(len == 5 && !memcmp(data, "hello", 5));
    free(data);
    CHECK_EQ_INT(check_count_entries(tmp), 1);

    /* An aborted write leaves no file, not even the temporary one. */
    gat_outfile f;
    snprintf(path, sizeof path, "%s/b.txt", tmp);
    CHECK_EQ_INT(gat_outfile_open(&f, path, &err), GAT_OK);
    fputs("partial", f.fp);
    gat_outfile_abort(&f);
    CHECK(!gat_path_exists(path));
    CHECK_EQ_INT(check_count_entries(tmp), 1);

    /* A missing folder is a clear error naming the path. */
    memset(&err, 0, sizeof err);
    snprintf(path, sizeof path, "%s/no/such/dir/c.txt", tmp);
    CHECK_EQ_INT(gat_write_file(path, "x", 1, &err), GAT_EIO);
    CHECK(strstr(err.msg, "no/such/dir/c.txt") != NULL);

    /* A full disk: /dev/full accepts the open of a temp file in /dev only as root, so test
     * the write path through a FILE that fails: write into a committed-then-closed stream. */
    if (access("/dev/full", W_OK) == 0) {
        FILE *full = fopen("/dev/full", "wb");
        gat_outfile g = {0};
        snprintf(path, sizeof path, "%s/d.txt", tmp);
        CHECK_EQ_INT(gat_outfile_open(&g, path, &err), GAT_OK);
        fclose(g.fp);
        g.fp = full;          /* every write now fails with ENOSPC */
        char big[1 << 16];
        memset(big, 'x', sizeof big);
        fwrite(big, 1, sizeof big, g.fp);
        memset(&err, 0, sizeof err);
        CHECK(gat_outfile_commit(&g, &err) == GAT_EIO);
        CHECK(strstr(err.msg, "d.txt") != NULL);
        CHECK(!gat_path_exists(path));
        CHECK_EQ_INT(check_count_entries(tmp), 1);
    }

    /* mkdirs makes nested folders and is idempotent. */
    snprintf(path, sizeof path, "%s/x/y/z", tmp);
    CHECK_EQ_INT(gat_mkdirs(path, &err), GAT_OK);
    CHECK_EQ_INT(gat_mkdirs(path, &err), GAT_OK);
    CHECK(gat_path_exists(path));

    /* Reading a missing file names it. */
    snprintf(path, sizeof path, "%s/missing.bin", tmp);
    CHECK_EQ_INT(gat_read_file(path, &data, &len, &err), GAT_ENOTFOUND);
    CHECK(strstr(err.msg, "missing.bin") != NULL);
    return check_summary();
}
