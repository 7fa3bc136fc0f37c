/* Error records, checked allocation and the compiled-in version. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "y90/common.h"
#include "y90/version.h"

y90_status y90_error_set(y90_error *e, y90_status code, const char *file, int line, const char *fmt, ...)
{
    if (!e) return code;
    e->code = code;
    e->src_file = file;
    e->src_line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void *y90_calloc(size_t n, size_t size, const char *what, y90_error *err)
{
    if (n == 0) n = 1;
    if (size != 0 && n > SIZE_MAX / size) {
        Y90_FAIL(err, Y90_ENOMEM, "%s: %zu x %zu bytes overflows the address space", what, n, size);
        return NULL;
    }
    void *p = calloc(n, size);
    if (!p) Y90_FAIL(err, Y90_ENOMEM, "%s: cannot allocate %.3g GB", what, (double)n * (double)size / 1e9);
    return p;
}

const char *y90_version(void) { return Y90_VERSION_STRING; }
const char *y90_git_revision(void) { return Y90_GIT_REVISION_STRING; }
