/* fileio.c - atomic writes and small file-system helpers. */
#include "gat/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gat_outfile_open(gat_outfile *f, const char *path, gat_error *err) {
    memset(f, 0, sizeof *f);
    size_t n = strlen(path);
    f->path = malloc(n + 1);
    f->tmp_path = malloc(n + 16);
    if (!f->path || !f->tmp_path) {
        gat_outfile_abort(f);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    memcpy(f->path, path, n + 1);
    snprintf(f->tmp_path, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        int e = errno;
        free(f->tmp_path);
        f->tmp_path = NULL;
        gat_outfile_abort(f);
        return gat_error_set(err, GAT_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    fchmod(fd, 0644);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        int e = errno;
        close(fd);
        gat_outfile_abort(f);
        return gat_error_set(err, GAT_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    return GAT_OK;
}

int gat_outfile_commit(gat_outfile *f, gat_error *err) {
    int rc = GAT_OK;
    if (!f->fp) return gat_error_set(err, GAT_EINVAL, "%s: file is not open", f->path ? f->path : "?");
    int bad = ferror(f->fp) || fflush(f->fp) != 0;
    int e = errno;
    if (!bad && fsync(fileno(f->fp)) != 0 && errno != EINVAL) { bad = 1; e = errno; }
    if (fclose(f->fp) != 0 && !bad) { bad = 1; e = errno; }
    f->fp = NULL;
    if (bad) {
        rc = gat_error_set(err, GAT_EIO, "%s: write failed: %s", f->path, strerror(e ? e : EIO));
    } else if (rename(f->tmp_path, f->path) != 0) {
        rc = gat_error_set(err, GAT_EIO, "%s: cannot rename temporary file into place: %s", f->path, strerror(errno));
    } else {
        free(f->tmp_path);
        f->tmp_path = NULL;
    }
    gat_outfile_abort(f);
    return rc;
}

void gat_outfile_abort(gat_outfile *f) {
    if (!f) return;
    if (f->fp) fclose(f->fp);
    if (f->tmp_path) unlink(f->tmp_path);
    free(f->tmp_path);
    free(f->path);
    memset(f, 0, sizeof *f);
}

int gat_write_file(const char *path, const void *data, size_t len, gat_error *err) {
    gat_outfile f;
    int rc = gat_outfile_open(&f, path, err);
    if (rc) return rc;
    if (len && fwrite(data, 1, len, f.fp) != len) {
        int e = errno;
        gat_outfile_abort(&f);
        return gat_error_set(err, GAT_EIO, "%s: write failed: %s", path, strerror(e));
    }
    return gat_outfile_commit(&f, err);
}

int gat_read_file(const char *path, char **data, size_t *len, gat_error *err) {
    *data = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return gat_error_set(err, errno == ENOENT ? GAT_ENOTFOUND : GAT_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return gat_error_set(err, GAT_EIO, "%s: not a regular file", path);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(fp);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory reading %zu bytes", path, n);
    }
    if (n && fread(buf, 1, n, fp) != n) {
        int e = ferror(fp) ? errno : 0;
        fclose(fp);
        free(buf);
        return gat_error_set(err, GAT_EIO, "%s: read failed: %s", path, e ? strerror(e) : "file changed while reading");
    }
    fclose(fp);
    buf[n] = 0;
    *data = buf;
    *len = n;
    return GAT_OK;
}

int gat_mkdirs(const char *path, gat_error *err) {
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0) return GAT_OK;
    if (n >= sizeof buf) return gat_error_set(err, GAT_EINVAL, "%s: path too long", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return gat_error_set(err, GAT_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
            struct stat st;
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
                return gat_error_set(err, GAT_EIO, "%s: not a folder", buf);
            buf[i] = c;
        }
    }
    return GAT_OK;
}

int gat_path_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

int gat_path_join(char *buf, size_t size, gat_error *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) return gat_error_set(err, GAT_EINVAL, "%.64s...: path too long", buf);
    return GAT_OK;
}
