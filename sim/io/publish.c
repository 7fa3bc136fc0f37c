/* y90mc: output paths: checked before a run, written to a unique locked temporary file, and put in place
 * atomically when complete.
 *
 * Temporary files are "<out>.tmp-XXXXXX", created exclusively (mkstemp) so that two runs never share one, even
 * from processes with the same PID (containers, a cluster's shared folder). While a process works on its
 * temporary file it holds an open-file-description lock (F_OFD_SETLK) on it: the kernel drops that lock when the
 * process ends, however it ends (SIGKILL included). A temporary file of this output that nobody holds locked is
 * therefore stale (its writer is gone) and the next run removes it. A process removes only files it created
 * itself (it compares device and inode before unlinking) and stale temporaries it could lock. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "y90/io.h"

#define TMP_SUFFIX ".tmp-"
#define TMP_RANDOM 6 /* characters mkstemp puts for XXXXXX */

/* Lock the whole file (write lock on this open file description); 0 on success. */
static int ofd_lock(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    return fcntl(fd, F_OFD_SETLK, &fl);
}

static int same_file(const char *path, dev_t dev, ino_t ino)
{
    struct stat sb;
    return lstat(path, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
}

static char *str_concat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

y90_status y90_tmp_create(const char *path, y90_tmpfile *t, y90_error *err)
{
    t->path = NULL;
    t->fd = -1;
    if (!path || !path[0]) return Y90_FAIL(err, Y90_EINPUT, "output path is empty");
    for (int attempt = 0; attempt < 16; attempt++) {
        char *name = str_concat(path, TMP_SUFFIX "XXXXXX");
        if (!name) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", path);
        int fd = mkostemp(name, O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            free(name);
            if (e == ENAMETOOLONG)
                return Y90_FAIL(err, Y90_EINPUT, "%s: path too long for its temporary file", path);
            return Y90_FAIL(err, Y90_EIO, "%s: cannot create a temporary file beside it: %s", path, strerror(e));
        }
        struct stat sb;
        /* a run cleaning stale temporaries may have locked (and be removing) this new file between mkstemp and
         * the lock: then take another name and leave this one to it */
        /* a file system without locks (ENOLCK, EINVAL): write unlocked; the cleanup cannot lock it either and so
         * never takes it for stale */
        int locked = ofd_lock(fd) == 0 || (errno != EAGAIN && errno != EACCES);
        if (locked && fstat(fd, &sb) == 0 && same_file(name, sb.st_dev, sb.st_ino)) {
            t->path = name;
            t->fd = fd;
            t->dev = sb.st_dev;
            t->ino = sb.st_ino;
            return Y90_OK;
        }
        close(fd);
        free(name);
    }
    return Y90_FAIL(err, Y90_EIO, "%s: cannot create and lock a temporary file beside it", path);
}

void y90_tmp_discard(y90_tmpfile *t)
{
    if (t->path && same_file(t->path, t->dev, t->ino)) unlink(t->path); /* only the file this process made */
    if (t->fd >= 0) close(t->fd);
    free(t->path);
    t->path = NULL;
    t->fd = -1;
}

y90_status y90_tmp_write(y90_tmpfile *t, const void *buf, size_t len, const char *path, y90_error *err)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(t->fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            return Y90_FAIL(err, Y90_EIO, "%s: cannot write %s: %s%s", path, t->path, strerror(e),
                            e == ENOSPC || e == EDQUOT ? " (the disk is full; nothing was replaced)" : "");
        }
        p += w;
        len -= (size_t)w;
    }
    return Y90_OK;
}

/* Give a finished result that cannot take the output's name a name that no stale-temporary cleanup matches:
 * "<out>.kept-XXXXXX". Returns the name (malloc'd) or NULL (the result then stays at tmp). */
static char *keep_result(const y90_tmpfile *t, const char *path)
{
    char *kept = str_concat(path, ".kept-XXXXXX");
    if (!kept) return NULL;
    int fd = mkostemp(kept, O_CLOEXEC);
    if (fd >= 0) close(fd);
    if (fd < 0 || rename(t->path, kept) != 0) {
        if (fd >= 0) unlink(kept);
        free(kept);
        return NULL;
    }
    return kept;
}

y90_status y90_tmp_commit(y90_tmpfile *t, const char *path, int force, y90_error *err)
{
    y90_status st = Y90_OK;
    if (fsync(t->fd) != 0 && errno != EINVAL && errno != EROFS)
        st = Y90_FAIL(err, Y90_EIO, "%s: cannot write %s: %s%s", path, t->path, strerror(errno),
                      errno == ENOSPC || errno == EDQUOT ? " (the disk is full; nothing was replaced)" : "");
    if (st == Y90_OK) st = y90_publish(t->path, path, force, err);
    if (st == Y90_OK) { /* the temporary name is gone: nothing to discard */
        close(t->fd);
        free(t->path);
        t->path = NULL;
        t->fd = -1;
        return st;
    }
    if (st == Y90_EINPUT && same_file(t->path, t->dev, t->ino)) { /* the output appeared: keep the result */
        char *kept = keep_result(t, path);
        char *at = err && kept ? strstr(err->msg, t->path) : NULL; /* the message names where the result is */
        if (at) {
            char rest[sizeof err->msg];
            snprintf(rest, sizeof rest, "%s", at + strlen(t->path));
            *at = 0;
            size_t used = strlen(err->msg);
            snprintf(err->msg + used, sizeof err->msg - used, "%s%s", kept, rest);
        }
        close(t->fd);
        t->fd = -1;
        free(kept);
        free(t->path);
        t->path = NULL;
        return st;
    }
    y90_tmp_discard(t);
    return st;
}

/* "<base>.tmp-" followed by exactly TMP_RANDOM letters or digits (what mkstemp makes). */
static int is_our_tmp_name(const char *name, const char *base)
{
    size_t bl = strlen(base), sl = strlen(TMP_SUFFIX);
    if (strncmp(name, base, bl) != 0 || strncmp(name + bl, TMP_SUFFIX, sl) != 0) return 0;
    const char *r = name + bl + sl;
    if (strlen(r) != TMP_RANDOM) return 0;
    for (const char *c = r; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))) return 0;
    return 1;
}

int y90_remove_stale_temps(const char *path, FILE *log)
{
    if (!path || !path[0]) return 0;
    char *dir = strdup(path);
    if (!dir) return 0;
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (!slash) snprintf(dir, 2, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    DIR *d = opendir(dir);
    int removed = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!is_our_tmp_name(e->d_name, base)) continue;
        int fd = openat(dirfd(d), e->d_name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) continue;
        struct stat sb, now;
        /* a lock we can take means no living process works on this file */
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && ofd_lock(fd) == 0 &&
            fstatat(dirfd(d), e->d_name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_dev == sb.st_dev &&
            now.st_ino == sb.st_ino && unlinkat(dirfd(d), e->d_name, 0) == 0) {
            removed++;
            if (log)
                fprintf(log, "removed %s%s%s: a temporary file of this output left by a run that was killed\n",
                        slash ? dir : "", slash && strcmp(dir, "/") ? "/" : "", e->d_name);
        }
        close(fd);
    }
    if (d) closedir(d);
    free(dir);
    return removed;
}

/* An existing path that --force may replace: a regular file that is not read-only. */
static y90_status check_replaceable(const char *path, const struct stat *sb, y90_error *err)
{
    if (S_ISDIR(sb->st_mode)) return Y90_FAIL(err, Y90_EINPUT, "%s: is a folder; expected a file name", path);
    if (S_ISLNK(sb->st_mode))
        return Y90_FAIL(err, Y90_EINPUT, "%s: is a symbolic link; --force replaces only regular files", path);
    if (!S_ISREG(sb->st_mode))
        return Y90_FAIL(err, Y90_EINPUT, "%s: is a device, FIFO or socket; --force replaces only regular files",
                        path);
    if (!(sb->st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))
        return Y90_FAIL(err, Y90_EINPUT, "%s: is read-only; not replaced (make it writable to allow --force)", path);
    return Y90_OK;
}

y90_status y90_publish(const char *tmp, const char *path, int force, y90_error *err)
{
    struct stat sb;
    if (force) {
        /* what is there now must still be replaceable (a FIFO or link may have appeared meanwhile) */
        y90_error why = {0};
        if (lstat(path, &sb) == 0 && check_replaceable(path, &sb, &why) != Y90_OK)
            return Y90_FAIL(err, Y90_EINPUT, "%s; the result is in %s", why.msg, tmp);
        if (rename(tmp, path) == 0) return Y90_OK;
        return Y90_FAIL(err, Y90_EIO, "%s: cannot rename %s to it: %s", path, tmp, strerror(errno));
    }
    /* without force: link() fails if the output appeared while we worked, so it is never replaced; the
     * finished result then stays under the temporary name (nothing is lost) */
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return Y90_OK;
    }
    if (errno == EEXIST)
        return Y90_FAIL(err, Y90_EINPUT, "%s: appeared while this run was going and is kept; the result is in %s "
                        "(rename it, or use --force)", path, tmp);
    if (errno == EPERM || errno == EXDEV || errno == ENOTSUP || errno == EOPNOTSUPP) { /* no hard links here */
        if (y90_file_exists(path))
            return Y90_FAIL(err, Y90_EINPUT, "%s: appeared while this run was going and is kept; the result is in %s",
                            path, tmp);
        if (rename(tmp, path) == 0) return Y90_OK;
    }
    return Y90_FAIL(err, Y90_EIO, "%s: cannot put %s in its place: %s", path, tmp, strerror(errno));
}

/* Before any work: the output must not exist (unless force, and then be a writable regular file), and its
 * folder must be writable. */
y90_status y90_check_output(const char *path, int force, y90_error *err)
{
    struct stat sb;
    if (!path || !path[0]) return Y90_FAIL(err, Y90_EINPUT, "output path is empty");
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return Y90_FAIL(err, Y90_EINPUT, "%s: is a folder; expected a file name", path);
    if (lstat(path, &sb) == 0) {
        if (!force) return Y90_FAIL(err, Y90_EINPUT, "%s: exists; use --force to overwrite", path);
        y90_status st = check_replaceable(path, &sb, err);
        if (st != Y90_OK) return st;
    }
    char *dir = strdup(path);
    if (!dir) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, 2, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    y90_status st = Y90_OK;
    if (access(dir, W_OK) != 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: cannot write into folder '%s': %s", path, dir, strerror(errno));
    free(dir);
    return st;
}

int y90_same_file(const char *a, const char *b)
{
    struct stat s1, s2;
    return stat(a, &s1) == 0 && stat(b, &s2) == 0 && s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino;
}

y90_status y90_check_not_input(const char *out, const char *in, y90_error *err)
{
    if (out && in && y90_same_file(out, in))
        return Y90_FAIL(err, Y90_EINPUT, "%s: is the input %s itself; choose another output", out, in);
    return Y90_OK;
}

y90_status y90_write_atomic(const char *path, const char *text, size_t len, int force, y90_error *err)
{
    y90_tmpfile t;
    y90_status st = y90_tmp_create(path, &t, err);
    if (st != Y90_OK) return st;
    st = y90_tmp_write(&t, text, len, path, err);
    if (st != Y90_OK) {
        y90_tmp_discard(&t);
        return st;
    }
    return y90_tmp_commit(&t, path, force, err);
}
