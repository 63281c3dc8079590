/* fileio.c - atomic writes and small file-system helpers. */
#include "gat/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

/* ---- temporary files a signal handler may remove ----
 * Fixed slots, claimed with atomic operations, read by gat_tempfiles_remove (async-signal-
 * safe: it only reads the slots and calls unlink). */
#define TEMP_SLOTS 32
static char temp_path[TEMP_SLOTS][4096];
static int temp_used[TEMP_SLOTS];

int gat_tempfile_track(const char *path) {
    size_t n = strlen(path);
    if (n >= sizeof temp_path[0]) return 0;
    for (int k = 0; k < TEMP_SLOTS; k++) {
        int expected = 0;
        /* 2 = being filled, 1 = valid */
        if (__atomic_compare_exchange_n(&temp_used[k], &expected, 2, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            memcpy(temp_path[k], path, n + 1);
            __atomic_store_n(&temp_used[k], 1, __ATOMIC_RELEASE);
            return k + 1;
        }
    }
    return 0;
}

void gat_tempfile_untrack(int slot) {
    if (slot >= 1 && slot <= TEMP_SLOTS) __atomic_store_n(&temp_used[slot - 1], 0, __ATOMIC_RELEASE);
}

void gat_tempfiles_remove(void) {
    for (int k = 0; k < TEMP_SLOTS; k++)
        if (__atomic_load_n(&temp_used[k], __ATOMIC_ACQUIRE) == 1) {
            unlink(temp_path[k]);
            __atomic_store_n(&temp_used[k], 0, __ATOMIC_RELEASE);
        }
}

/* Follow the symbolic links of path (at most 40) to the name a write should replace; a
 * dangling link gives its missing target. */
static int resolve_links(const char *path, char *out, size_t size, gat_error *err) {
    char cur[4096], link[4096];
    if (strlen(path) >= sizeof cur) return gat_error_set(err, GAT_EINVAL, "%.64s...: path too long", path);
    snprintf(cur, sizeof cur, "%s", path);
    for (int depth = 0;; depth++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) break;
        if (depth == 40) return gat_error_set(err, GAT_EIO, "%s: too many levels of symbolic links", path);
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) return gat_error_set(err, GAT_EIO, "%s: cannot read the link: %s", path, strerror(errno));
        link[n] = 0;
        if (link[0] == '/') {
            snprintf(cur, sizeof cur, "%s", link);
        } else {
            char *slash = strrchr(cur, '/');
            size_t dl = slash ? (size_t)(slash - cur) + 1 : 0;
            if (dl + (size_t)n >= sizeof cur) return gat_error_set(err, GAT_EINVAL, "%s: link target too long", path);
            memmove(cur + dl, link, (size_t)n + 1);
        }
    }
    if (strlen(cur) >= size) return gat_error_set(err, GAT_EINVAL, "%.64s...: path too long", cur);
    snprintf(out, size, "%s", cur);
    return GAT_OK;
}

int gat_outfile_open(gat_outfile *f, const char *path, gat_error *err) {
    memset(f, 0, sizeof *f);
    struct stat st;
    /* Not a regular file (a FIFO, a terminal, /dev/stdout): written through, in place. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) return gat_error_set(err, GAT_EIO, "%s: is a folder, not a file", path);
        if (!(f->path = strdup(path))) return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
        f->fp = fopen(path, "wb");
        if (!f->fp) {
            int e = errno;
            gat_outfile_abort(f);
            return gat_error_set(err, GAT_EIO, "%s: cannot write: %s", path, strerror(e));
        }
        f->direct = 1;
        return GAT_OK;
    }
    /* A symbolic link: its target is replaced atomically, the link stays. */
    char target[4096];
    int rc = resolve_links(path, target, sizeof target, err);
    if (rc) return rc;
    size_t n = strlen(target);
    f->path = malloc(n + 1);
    f->tmp_path = malloc(n + 48);
    if (!f->path || !f->tmp_path) {
        gat_outfile_abort(f);
        return gat_error_set(err, GAT_ENOMEM, "%s: out of memory", path);
    }
    memcpy(f->path, target, n + 1);
    /* <name>.tmp.<pid>.XXXXXX: gat_sweep_stale_temps removes those of processes that died */
    snprintf(f->tmp_path, n + 48, "%s.tmp.%ld.XXXXXX", target, (long)getpid());
    /* No termination signal between creating the temporary and recording it, or the
     * handler could not remove it. */
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &saved);
    int fd = mkstemp(f->tmp_path);
    if (fd >= 0) f->slot = gat_tempfile_track(f->tmp_path);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
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
    if (!bad && !f->direct && fsync(fileno(f->fp)) != 0 && errno != EINVAL) { bad = 1; e = errno; }
    if (fclose(f->fp) != 0 && !bad) { bad = 1; e = errno; }
    f->fp = NULL;
    if (bad) {
        rc = gat_error_set(err, GAT_EIO, "%s: write failed: %s", f->path, strerror(e ? e : EIO));
    } else if (f->direct) {
        /* written in place */
    } else if (rename(f->tmp_path, f->path) != 0) {
        rc = gat_error_set(err, GAT_EIO, "%s: cannot rename temporary file into place: %s", f->path, strerror(errno));
    } else {
        gat_tempfile_untrack(f->slot);
        f->slot = 0;
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
    gat_tempfile_untrack(f->slot);
    free(f->tmp_path);
    free(f->path);
    memset(f, 0, sizeof *f);
}

/* ---- stale temporaries ---- */

static int pid_is_dead(long pid) {
    return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* The pid of a temporary name "<final>.tmp.<pid>.XXXXXX", or 0 when name is not one. */
static long temp_name_pid(const char *name) {
    const char *t = NULL;
    for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp.")) t = p;
    if (!t || t == name) return 0;
    char *end;
    long pid = strtol(t + 5, &end, 10);
    if (end == t + 5 || *end != '.' || strlen(end + 1) != 6) return 0;
    return pid;
}

int gat_sweep_stale_temps(const char *dir, int *removed) {
    int n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (removed) *removed = 0;
        return errno == ENOENT ? GAT_OK : GAT_EIO;
    }
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        long pid = temp_name_pid(e->d_name);
        if (!pid) {
            size_t l = strlen(e->d_name);
            if (l > 9 && !strcmp(e->d_name + l - 9, ".reserved") &&
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
                pid = gat_reservation_owner(path);
            if (pid <= 0) continue;
        }
        if (!pid_is_dead(pid)) continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        if (unlink(path) == 0) n++;
    }
    closedir(d);
    if (removed) *removed = n;
    return GAT_OK;
}

/* ---- reserving a name ---- */

long gat_reservation_owner(const char *reservation) {
    char buf[32];
    int fd = open(reservation, O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        /* empty: its owner died between creating and writing it, or is writing it now */
        struct stat st;
        return stat(reservation, &st) == 0 && time(NULL) - st.st_mtime > 60 ? 0x7fffffffL : 0;
    }
    buf[n] = 0;
    char *end;
    long pid = strtol(buf, &end, 10);
    return end != buf && pid > 0 ? pid : 0;
}

int gat_reserve_name(char *path, size_t size, const char *dir, const char *prefix, const char *suffix,
                     int digits, int64_t first, int *slot, gat_error *err) {
    int64_t next = first > 0 ? first : 0;
    size_t pl = strlen(prefix), sl = strlen(suffix);
    gat_sweep_stale_temps(dir, NULL);
    DIR *d = opendir(dir);
    if (!d) return gat_error_set(err, GAT_EIO, "%s: cannot read folder: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, pl) != 0) continue;
        char *end;
        const char *num = e->d_name + pl;
        if (*num < '0' || *num > '9') continue;
        long long v = strtoll(num, &end, 10);
        if (end - num != digits || strncmp(end, suffix, sl) != 0) continue;
        /* the final name, its reservation and its temporaries all hold the number */
        if (v + 1 > next) next = v + 1;
    }
    closedir(d);
    char res[4200], pid[32];
    int pn = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    for (int tries = 0; tries < 100000; tries++, next++) {
        int rc = gat_path_join(path, size, err, "%s/%s%0*lld%s", dir, prefix, digits, (long long)next, suffix);
        if (rc) return rc;
        if ((rc = gat_path_join(res, sizeof res, err, "%s.reserved", path))) return rc;
        int fd = open(res, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
            if (errno == EEXIST) continue;
            return gat_error_set(err, GAT_EIO, "%s: cannot reserve the name: %s", path, strerror(errno));
        }
        int s = gat_tempfile_track(res);
        int bad = write(fd, pid, (size_t)pn) != pn;
        int e2 = errno;
        if (close(fd) != 0 && !bad) { bad = 1; e2 = errno; }
        if (bad) {
            unlink(res);
            gat_tempfile_untrack(s);
            return gat_error_set(err, GAT_EIO, "%s: cannot reserve the name: %s", path, strerror(e2 ? e2 : EIO));
        }
        /* another process may have published this name and released its reservation between
         * our listing and our reservation: the name must still be free */
        struct stat st;
        if (lstat(path, &st) == 0) {
            unlink(res);
            gat_tempfile_untrack(s);
            continue;
        }
        if (slot) *slot = s;
        return GAT_OK;
    }
    return gat_error_set(err, GAT_EIO, "%s: no free name", dir);
}

int64_t gat_max_number(const char *dir, const char *prefix, int digits) {
    int64_t max = -1;
    size_t pl = strlen(prefix);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, pl) != 0) continue;
        const char *num = e->d_name + pl;
        int k = 0;
        while (k < digits && num[k] >= '0' && num[k] <= '9') k++;
        if (k != digits || (num[k] >= '0' && num[k] <= '9')) continue;
        if (e->d_type == DT_DIR) continue; /* files only */
        int64_t v = strtoll(num, NULL, 10);
        if (v > max) max = v;
    }
    if (d) closedir(d);
    return max;
}

void gat_release_name(const char *path, int slot) {
    char res[4200];
    if (snprintf(res, sizeof res, "%s.reserved", path) < (int)sizeof res) unlink(res);
    gat_tempfile_untrack(slot);
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
