/* y90mc: output paths: checked before a run, and a finished temporary file put in their place atomically. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "y90/io.h"

y90_status y90_publish(const char *tmp, const char *path, int force, y90_error *err)
{
    if (force) {
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

/* Before any work: the output must not exist (unless force), must not be a folder, and its folder must be
 * writable. */
y90_status y90_check_output(const char *path, int force, y90_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return Y90_FAIL(err, Y90_EINPUT, "%s: is a folder; expected a file name", path);
    if (!force && y90_file_exists(path))
        return Y90_FAIL(err, Y90_EINPUT, "%s: exists; use --force to overwrite", path);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    if (access(dir, W_OK) != 0)
        return Y90_FAIL(err, Y90_EINPUT, "%s: cannot write into folder '%s' (missing or not writable)", path, dir);
    return Y90_OK;
}
