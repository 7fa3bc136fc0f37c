/* The HDF5 output file (format version 1, documented in include/y90/io.h): the readers. They name the file and
 * the object in their messages, check every dimension product for overflow against the memory limit, and refuse
 * values no writer makes (NaN or negative spacing, density, material indices out of range). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include "y90/io.h"
#include "y90/kernel.h"
#include "y90/rng.h"
#include "y90/source.h"

#include "h5util.h"

#define MAX_FIXED_STRING 65536     /* longest fixed-length string attribute read */

static size_t reader_memory_limit = (size_t)-1; /* (size_t)-1: not set yet, use y90_memory_limit_bytes(0) */

void y90_io_set_memory_limit(size_t bytes) { reader_memory_limit = bytes; }

static size_t memory_limit(void)
{
    if (reader_memory_limit == (size_t)-1) reader_memory_limit = y90_memory_limit_bytes(0);
    return reader_memory_limit;
}

/* ------------------------------------------------------------------------------------------------ reading */

int y90_file_exists(const char *path)
{
    struct stat sb;
    return path && lstat(path, &sb) == 0;
}

static hid_t open_read(const char *path, y90_error *err)
{
    quiet_hdf5();
    struct stat sb;
    if (!path || stat(path, &sb) != 0) {
        Y90_FAIL(err, Y90_EINPUT, "%s: %s", path ? path : "(null)", path ? strerror(errno) : "no file named");
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) { /* a FIFO would block, a folder or device is never an output */
        Y90_FAIL(err, Y90_EINPUT, "%s: not a regular file", path);
        return -1;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    char why[160];
    if (f < 0) Y90_FAIL(err, Y90_EINPUT, "%s: not an HDF5 file or not readable (truncated or corrupt?): %s", path,
                        h5_reason(why));
    return f;
}

/* Read n strings of attribute a (variable- or fixed-length) into buf, each truncated to width - 1 chars. */
static int attr_read_strs(hid_t a, size_t n, char *buf, size_t width)
{
    hid_t ft = H5Aget_type(a), space = H5Aget_space(a), mt = -1;
    int rc = -1;
    if (ft < 0 || space < 0 || H5Tget_class(ft) != H5T_STRING) goto cleanup;
    if (H5Tis_variable_str(ft) > 0) {
        char **v = calloc(n ? n : 1, sizeof *v);
        mt = vlen_str_type();
        if (v && mt >= 0 && H5Aread(a, mt, v) >= 0) {
            for (size_t i = 0; i < n; i++) snprintf(buf + i * width, width, "%s", v[i] ? v[i] : "");
            vlen_reclaim(mt, space, v);
            rc = 0;
        }
        free(v);
    } else {
        size_t sz = H5Tget_size(ft);
        if (sz == 0 || sz > MAX_FIXED_STRING) goto cleanup;
        char *v = malloc(n * sz + 1);
        mt = H5Tcopy(ft);
        if (v && mt >= 0 && H5Aread(a, mt, v) >= 0) {
            for (size_t i = 0; i < n; i++) {
                size_t len = strnlen(v + i * sz, sz);
                snprintf(buf + i * width, width, "%.*s", (int)len, v + i * sz);
            }
            rc = 0;
        }
        free(v);
    }
cleanup:
    close_id(mt, H5Tclose);
    close_id(space, H5Sclose);
    close_id(ft, H5Tclose);
    return rc;
}

static hssize_t attr_npoints(hid_t a)
{
    hid_t s = H5Aget_space(a);
    hssize_t n = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
    close_id(s, H5Sclose);
    return n;
}

/* Open attribute `name` of object `obj` in file f; -1 with a message naming both when missing. */
static hid_t attr_open(hid_t f, const char *path, const char *obj, const char *name, y90_error *err)
{
    if (H5Lexists(f, obj, H5P_DEFAULT) <= 0 && strcmp(obj, "/") != 0) {
        Y90_FAIL(err, Y90_EINPUT, "%s: no object %s", path, obj);
        return -1;
    }
    if (H5Aexists_by_name(f, obj, name, H5P_DEFAULT) <= 0) {
        Y90_FAIL(err, Y90_EINPUT, "%s: no attribute %s on %s", path, name, obj);
        return -1;
    }
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) Y90_FAIL(err, Y90_EIO, "%s: cannot open attribute %s of %s", path, name, obj);
    return a;
}

/* n numbers (integer or floating point in the file) of an attribute, converted to double. */
static y90_status get_doubles(hid_t f, const char *path, const char *obj, const char *name, double *v, size_t n,
                              y90_error *err)
{
    hid_t a = attr_open(f, path, obj, name, err);
    if (a < 0) return err ? err->code : Y90_EINPUT;
    hid_t t = H5Aget_type(a);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    close_id(t, H5Tclose);
    y90_status st = Y90_OK;
    if (c != H5T_INTEGER && c != H5T_FLOAT)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s of %s is not a number", path, name, obj);
    else if (attr_npoints(a) != (hssize_t)n)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s of %s has %lld values, expected %zu", path, name, obj,
                      (long long)attr_npoints(a), n);
    else if (H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
        st = Y90_FAIL(err, Y90_EIO, "%s: cannot read attribute %s of %s", path, name, obj);
    H5Aclose(a);
    return st;
}

/* The strings of an attribute (at most max; a scalar counts as one) into buf, max x width chars; *count set. */
static y90_status get_strings(hid_t f, const char *path, const char *obj, const char *name, char *buf,
                              size_t width, size_t max, size_t *count, y90_error *err)
{
    hid_t a = attr_open(f, path, obj, name, err);
    if (a < 0) return err ? err->code : Y90_EINPUT;
    hssize_t n = attr_npoints(a);
    y90_status st = Y90_OK;
    if (n < 0 || (size_t)n > max)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s of %s has %lld strings, at most %zu allowed", path, name,
                      obj, (long long)n, max);
    else if (attr_read_strs(a, (size_t)n, buf, width) != 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s of %s is not a string (array)", path, name, obj);
    H5Aclose(a);
    if (st == Y90_OK) *count = (size_t)n;
    return st;
}

/* Read a whole dataset of exactly nvox elements (any shape) into data. */
static y90_status read_dataset(hid_t f, const char *path, const char *name, hid_t mtype, void *data, size_t nvox,
                               y90_error *err)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return Y90_FAIL(err, Y90_EINPUT, "%s: no dataset %s", path, name);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t s = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t dims[H5S_MAX_RANK];
    int rank = s >= 0 ? H5Sget_simple_extent_dims(s, dims, NULL) : -1;
    size_t n = 1;
    int overflow = 0;
    for (int i = 0; i < rank; i++) overflow |= dims[i] > SIZE_MAX || __builtin_mul_overflow(n, (size_t)dims[i], &n);
    y90_status st = Y90_OK;
    char why[160];
    if (rank < 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: cannot open dataset %s (corrupt file?)", path, name);
    else if (overflow || n != nvox)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: %s does not have the grid's %zu values", path, name, nvox);
    else if (H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: cannot read dataset %s (%s): the file is corrupt or truncated", path,
                      name, h5_reason(why));
    close_id(s, H5Sclose);
    close_id(d, H5Dclose);
    return st;
}

/* Grid dimensions from the shape [nz][ny][nx] of /labels. */
static y90_status read_dims(hid_t f, const char *path, y90_grid *g, y90_error *err)
{
    if (H5Lexists(f, "/labels", H5P_DEFAULT) <= 0) return Y90_FAIL(err, Y90_EINPUT, "%s: no dataset /labels", path);
    hid_t d = H5Dopen2(f, "/labels", H5P_DEFAULT);
    hid_t s = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t dims[3] = {0, 0, 0};
    int rank = s >= 0 ? H5Sget_simple_extent_ndims(s) : -1;
    if (rank == 3) H5Sget_simple_extent_dims(s, dims, NULL);
    close_id(s, H5Sclose);
    close_id(d, H5Dclose);
    if (rank != 3 || dims[0] > INT32_MAX || dims[1] > INT32_MAX || dims[2] > INT32_MAX || !dims[0] || !dims[1] ||
        !dims[2])
        return Y90_FAIL(err, Y90_EINPUT, "%s: /labels is not a 3-D array [nz][ny][nx]", path);
    /* the product of the dimensions, and the bytes a report needs, checked for overflow and the memory limit */
    size_t nvox, bytes, limit = memory_limit();
    if (__builtin_mul_overflow((size_t)dims[0], (size_t)dims[1], &nvox) ||
        __builtin_mul_overflow(nvox, (size_t)dims[2], &nvox) ||
        __builtin_mul_overflow(nvox, y90_grid_bytes_per_voxel_run(), &bytes))
        return Y90_FAIL(err, Y90_EINPUT, "%s: /labels is %llu x %llu x %llu voxels: the count overflows", path,
                        (unsigned long long)dims[0], (unsigned long long)dims[1], (unsigned long long)dims[2]);
    if (limit > 0 && bytes > limit)
        return Y90_FAIL(err, Y90_ENOMEM, "%s: /labels is %llu x %llu x %llu voxels: reading it needs %.3g GB, more "
                        "than the %.3g GB memory limit", path, (unsigned long long)dims[0],
                        (unsigned long long)dims[1], (unsigned long long)dims[2], (double)bytes / 1e9,
                        (double)limit / 1e9);
    g->nz = (int)dims[0];
    g->ny = (int)dims[1];
    g->nx = (int)dims[2];
    return Y90_OK;
}

static y90_status check_format(hid_t f, const char *path, y90_error *err)
{
    double v;
    y90_status st = get_doubles(f, path, "/", "format_version", &v, 1, err);
    if (st != Y90_OK) return st;
    if (v > Y90_FORMAT_VERSION || v < 1)
        return Y90_FAIL(err, Y90_EINPUT, "%s: file format version %g; this program reads version %d", path, v,
                        Y90_FORMAT_VERSION);
    return Y90_OK;
}

/* Files from before the frame attributes are LPS with identity direction; a file that says otherwise is refused
 * (every reader and exporter assumes that frame). */
static y90_status check_frame(hid_t f, const char *path, y90_error *err)
{
    static const double identity[9] = Y90_DIRECTION;
    double dir[9];
    if (H5Aexists(f, "direction") > 0) {
        y90_status st = get_doubles(f, path, "/", "direction", dir, 9, err);
        if (st != Y90_OK) return st;
        for (int i = 0; i < 9; i++)
            if (!(fabs(dir[i] - identity[i]) <= 1e-9)) /* NaN too */
                return Y90_FAIL(err, Y90_EINPUT, "%s: attribute direction of / is not the identity (element %d = %g): "
                                "only grids aligned with the LPS axes are supported", path, i, dir[i]);
    }
    if (H5Aexists(f, "frame") > 0) {
        char frame[Y90_NAME_LEN];
        size_t n = 0;
        y90_status st = get_strings(f, path, "/", "frame", frame, sizeof frame, 1, &n, err);
        if (st != Y90_OK) return st;
        if (n != 1 || strcmp(frame, Y90_FRAME) != 0)
            return Y90_FAIL(err, Y90_EINPUT, "%s: attribute frame of / is '%s'; expected '%s'", path, n ? frame : "",
                            Y90_FRAME);
    }
    return Y90_OK;
}

static y90_status read_geometry(hid_t f, const char *path, y90_grid *g, y90_error *err)
{
    double origin[3];
    y90_status st = read_dims(f, path, g, err);
    if (st == Y90_OK) st = get_doubles(f, path, "/", "spacing_mm", g->spacing, 3, err);
    if (st == Y90_OK) st = get_doubles(f, path, "/", "origin_mm", origin, 3, err);
    if (st != Y90_OK) return st;
    for (int a = 0; a < 3; a++) {
        if (!(g->spacing[a] > 0) || !isfinite(g->spacing[a]))
            return Y90_FAIL(err, Y90_EINPUT, "%s: attribute spacing_mm[%d] = %g: expected a finite length > 0 mm",
                            path, a, g->spacing[a]);
        if (!isfinite(origin[a]))
            return Y90_FAIL(err, Y90_EINPUT, "%s: attribute origin_mm[%d] = %g: expected a finite position in mm",
                            path, a, origin[a]);
        g->lo[a] = origin[a] - 0.5 * g->spacing[a];
    }
    return check_frame(f, path, err);
}

/* Copy a name read from a file with control characters escaped as \xNN (a name can reach a terminal). */
static void printable(char *dst, size_t len, const char *src)
{
    size_t j = 0;
    for (; *src && j + 1 < len; src++) {
        unsigned char c = (unsigned char)*src;
        if (c < 0x20 || c == 0x7f) {
            if (j + 5 > len) break;
            snprintf(dst + j, 5, "\\x%02x", c);
            j += 4;
        } else {
            dst[j++] = (char)c;
        }
    }
    dst[j] = 0;
}

/* The structure table from the string-array attributes names, kinds and lobes of /labels. */
static y90_status read_structures(hid_t f, const char *path, y90_grid *g, y90_error *err)
{
    char nm[Y90_MAX_LABELS][Y90_NAME_LEN], kinds[Y90_MAX_LABELS][Y90_NAME_LEN], lobes[Y90_MAX_LABELS][Y90_NAME_LEN];
    size_t n = 0, nk = 0, nl = 0;
    y90_status st = get_strings(f, path, "/labels", "names", &nm[0][0], Y90_NAME_LEN, Y90_MAX_LABELS, &n, err);
    if (st == Y90_OK)
        st = get_strings(f, path, "/labels", "kinds", &kinds[0][0], Y90_NAME_LEN, Y90_MAX_LABELS, &nk, err);
    if (st == Y90_OK)
        st = get_strings(f, path, "/labels", "lobes", &lobes[0][0], Y90_NAME_LEN, Y90_MAX_LABELS, &nl, err);
    if (st != Y90_OK) return st;
    if (nk != n || nl != n)
        return Y90_FAIL(err, Y90_EINPUT, "%s: /labels has %zu names, %zu kinds and %zu lobes", path, n, nk, nl);
    for (size_t i = 0; i < n; i++) {
        y90_structure *s = &g->structures[i];
        printable(s->name, sizeof s->name, nm[i]);
        if (y90_kind_from_name(kinds[i], &s->kind) != 0 || y90_lobe_from_name(lobes[i], &s->lobe) != 0)
            return Y90_FAIL(err, Y90_EINPUT, "%s: /labels structure %zu (%s): unknown kind '%s' or lobe '%s'", path,
                            i, nm[i], kinds[i], lobes[i]);
    }
    g->nstructures = (int)n;
    return Y90_OK;
}

static y90_status read_material_names(hid_t f, const char *path, y90_grid *g, y90_error *err)
{
    size_t n = 0;
    char nm[Y90_MAX_GRID_MATERIALS][Y90_NAME_LEN];
    y90_status st = get_strings(f, path, "/materials", "names", &nm[0][0], Y90_NAME_LEN, Y90_MAX_GRID_MATERIALS, &n,
                                err);
    if (st != Y90_OK) return st;
    for (size_t i = 0; i < n; i++) printable(g->material_names[i], Y90_NAME_LEN, nm[i]);
    g->nmaterials = (int)n;
    return st;
}

/* /tumour_ids or /lobule_ids and its count; every id must be in [0, count]. */
static y90_status read_ids(hid_t f, const char *path, const char *name, size_t n, uint16_t **ids, int *nids,
                           y90_error *err)
{
    double count;
    y90_status st = get_doubles(f, path, name, "count", &count, 1, err);
    if (st != Y90_OK) return st;
    if (!(count >= 0 && count <= 65535) || count != floor(count))
        return Y90_FAIL(err, Y90_EINPUT, "%s: %s attribute count = %g: expected a whole number in [0, 65535]",
                        path, name, count);
    *ids = y90_calloc(n, sizeof **ids, name, err);
    if (!*ids) return Y90_ENOMEM;
    *nids = (int)count;
    st = read_dataset(f, path, name, H5T_NATIVE_UINT16, *ids, n, err);
    for (size_t i = 0; st == Y90_OK && i < n; i++)
        if ((*ids)[i] > *nids)
            st = Y90_FAIL(err, Y90_EINPUT, "%s: %s voxel %zu = %d: expected 0..%d (attribute count)", path, name, i,
                          (*ids)[i], *nids);
    return st;
}

/* Values no writer makes: a material index without a name, a density that is NaN, infinite or negative. */
static y90_status check_voxels(const char *path, const y90_grid *g, y90_error *err)
{
    size_t n = y90_grid_nvox(g);
    for (size_t i = 0; i < n; i++) {
        if (g->material[i] >= g->nmaterials && g->nmaterials > 0)
            return Y90_FAIL(err, Y90_EINPUT, "%s: /materials voxel %zu = %d: only %d materials are named", path, i,
                            g->material[i], g->nmaterials);
        if (!(g->density[i] >= 0) || !isfinite(g->density[i]))
            return Y90_FAIL(err, Y90_EINPUT, "%s: /density voxel %zu = %g: expected a finite density >= 0 g/cm3",
                            path, i, (double)g->density[i]);
    }
    return Y90_OK;
}

y90_status y90_io_read_grid(const char *path, y90_grid *g, y90_error *err)
{
    memset(g, 0, sizeof *g);
    hid_t f = open_read(path, err);
    if (f < 0) return err ? err->code : Y90_EINPUT;
    y90_status st = check_format(f, path, err);
    if (st == Y90_OK) st = read_geometry(f, path, g, err);
    if (st == Y90_OK) st = read_structures(f, path, g, err);
    if (st == Y90_OK) st = read_material_names(f, path, g, err);
    if (st == Y90_OK) st = y90_grid_alloc(g, 0, err);
    size_t n = y90_grid_nvox(g);
    if (st == Y90_OK) st = read_dataset(f, path, "/labels", H5T_NATIVE_UINT8, g->label, n, err);
    if (st == Y90_OK) st = read_dataset(f, path, "/materials", H5T_NATIVE_UINT8, g->material, n, err);
    if (st == Y90_OK) st = read_dataset(f, path, "/density", H5T_NATIVE_FLOAT, g->density, n, err);
    if (st == Y90_OK && H5Lexists(f, "/tumour_ids", H5P_DEFAULT) > 0)
        st = read_ids(f, path, "/tumour_ids", n, &g->tumour_id, &g->ntumours, err);
    if (st == Y90_OK && H5Lexists(f, "/lobule_ids", H5P_DEFAULT) > 0)
        st = read_ids(f, path, "/lobule_ids", n, &g->lobule_id, &g->nlobules, err);
    if (st == Y90_OK) st = check_voxels(path, g, err);
    H5Fclose(f);
    if (st != Y90_OK) y90_grid_free(g);
    return st;
}

y90_status y90_io_read_dose(const char *path, size_t nvox, double **dose, float **rel_unc, y90_error *err)
{
    *dose = NULL;
    if (rel_unc) *rel_unc = NULL;
    hid_t f = open_read(path, err);
    if (f < 0) return err ? err->code : Y90_EINPUT;
    double *d = y90_calloc(nvox, sizeof *d, "dose", err);
    float *u = NULL;
    y90_status st = d ? read_dataset(f, path, "/dose", H5T_NATIVE_DOUBLE, d, nvox, err) : Y90_ENOMEM;
    if (st == Y90_OK && rel_unc && H5Lexists(f, "/dose_rel_uncertainty", H5P_DEFAULT) > 0) {
        u = y90_calloc(nvox, sizeof *u, "dose uncertainty", err);
        st = u ? read_dataset(f, path, "/dose_rel_uncertainty", H5T_NATIVE_FLOAT, u, nvox, err) : Y90_ENOMEM;
    }
    H5Fclose(f);
    if (st != Y90_OK) {
        free(d);
        free(u);
        return st;
    }
    *dose = d;
    if (rel_unc) *rel_unc = u;
    return Y90_OK;
}

y90_status y90_io_read_attr_double(const char *path, const char *object, const char *name, double *v,
                                   y90_error *err)
{
    hid_t f = open_read(path, err);
    if (f < 0) return err ? err->code : Y90_EINPUT;
    y90_status st = get_doubles(f, path, object, name, v, 1, err);
    H5Fclose(f);
    return st;
}

y90_status y90_io_read_attr_string(const char *path, const char *object, const char *name, char *buf, size_t len,
                                   y90_error *err)
{
    if (!buf || len == 0) return Y90_FAIL(err, Y90_EINTERNAL, "%s: no buffer for attribute %s", path, name);
    buf[0] = 0;
    hid_t f = open_read(path, err);
    if (f < 0) return err ? err->code : Y90_EINPUT;
    size_t n = 0;
    y90_status st = get_strings(f, path, object, name, buf, len, 1, &n, err);
    if (st == Y90_OK && n != 1)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s of %s holds %zu strings, expected one", path, name, object, n);
    H5Fclose(f);
    return st;
}

int y90_io_has_object(const char *path, const char *object)
{
    quiet_hdf5();
    if (!y90_file_exists(path)) return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 0;
    int r = strcmp(object, "/") == 0 || H5Lexists(f, object, H5P_DEFAULT) > 0;
    H5Fclose(f);
    return r;
}

/* A checkpoint's attributes, read through one open of the file. */
y90_status y90_io_read_checkpoint(const char *path, y90_checkpoint_info *ck, y90_error *err)
{
    memset(ck, 0, sizeof *ck);
    hid_t f = open_read(path, err);
    if (f < 0) return err ? err->code : Y90_EINPUT;
    char kind[128];
    size_t n = 0;
    y90_error e = {0};
    y90_status st = Y90_OK;
    if (get_strings(f, path, "/", "checkpoint", kind, sizeof kind, 1, &n, &e))
        st = Y90_FAIL(err, Y90_EINPUT, "%s: not a y90mc checkpoint (%s)", path, e.msg);
    static const char *const names[5] = {"part_index", "part_count", "first_history", "histories_done",
                                         "histories_requested"};
    double v[5];
    for (int i = 0; i < 5 && !st; i++) st = get_doubles(f, path, "/", names[i], &v[i], 1, err);
    /* the seed is a uint64 (a double would round it): read it as such */
    if (!st && H5LTget_attribute(f, "/", "seed", H5T_NATIVE_UINT64, &ck->seed) < 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: cannot read the seed", path);
    if (!st) st = get_doubles(f, path, "/", "runtime_s", &ck->runtime_s, 1, err);
    if (!st) st = get_strings(f, path, "/", "version", ck->version, sizeof ck->version, 1, &n, err);
    if (!st) st = get_strings(f, path, "/", "git_revision", ck->git_revision, sizeof ck->git_revision, 1, &n, err);
    const size_t cap = 1u << 20;
    if (!st && !(ck->config_effective = malloc(cap))) st = Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", path);
    if (!st) st = get_strings(f, path, "/", "config_effective", ck->config_effective, cap, 1, &n, err);
    H5Fclose(f);
    if (st) {
        free(ck->config_effective);
        ck->config_effective = NULL;
        return st;
    }
    ck->part_index = (int)v[0];
    ck->part_count = (int)v[1];
    ck->first = (int64_t)v[2];
    ck->done = (int64_t)v[3];
    ck->requested = (int64_t)v[4];
    return Y90_OK;
}

/* Spheres per voxel from the table's voxel column, read in slabs of rows (no second copy of the table). */
static y90_status table_counts(hid_t f, const char *path, uint32_t *counts, size_t nvox, double *nspheres,
                               y90_error *err)
{
    enum { SLAB = 1 << 20 };
    hid_t d = H5Dopen2(f, "/microspheres", H5P_DEFAULT), ft = d >= 0 ? H5Dget_type(d) : -1;
    hid_t space = d >= 0 ? H5Dget_space(d) : -1, mt = H5Tcreate(H5T_COMPOUND, sizeof(uint32_t)), mem = -1;
    uint32_t *buf = malloc(SLAB * sizeof *buf);
    hsize_t n = 0;
    y90_status st = Y90_OK;
    if (!buf) st = Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory reading /microspheres", path);
    else if (ft < 0 || space < 0 || mt < 0 || H5Sget_simple_extent_ndims(space) != 1 ||
             H5Sget_simple_extent_dims(space, &n, NULL) < 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: cannot open /microspheres (corrupt file?)", path);
    else if (H5Tget_class(ft) != H5T_COMPOUND || H5Tget_member_index(ft, "voxel") < 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: /microspheres has no voxel column (format version 1 or not a y90mc "
                      "table): no sphere counts", path);
    else if (H5Tinsert(mt, "voxel", 0, H5T_NATIVE_UINT32) < 0)
        st = Y90_FAIL(err, Y90_EIO, "%s: cannot make the type of /microspheres", path);
    for (hsize_t at = 0; !st && at < n; at += SLAB) {
        hsize_t m = n - at < SLAB ? n - at : SLAB;
        char why[160];
        close_id(mem, H5Sclose);
        mem = H5Screate_simple(1, &m, NULL);
        if (mem < 0 || H5Sselect_hyperslab(space, H5S_SELECT_SET, &at, NULL, &m, NULL) < 0 ||
            H5Dread(d, mt, mem, space, H5P_DEFAULT, buf) < 0) {
            st = Y90_FAIL(err, Y90_EINPUT, "%s: cannot read /microspheres (%s): the file is corrupt or truncated",
                          path, h5_reason(why));
            break;
        }
        for (hsize_t i = 0; i < m; i++) {
            if (buf[i] >= nvox) {
                st = Y90_FAIL(err, Y90_EINPUT, "%s: /microspheres row %llu: voxel %lu outside the grid's %zu", path,
                              (unsigned long long)(at + i), (unsigned long)buf[i], nvox);
                break;
            }
            counts[buf[i]]++;
        }
    }
    *nspheres = (double)n;
    free(buf);
    close_id(mem, H5Sclose);
    close_id(mt, H5Tclose);
    close_id(space, H5Sclose);
    close_id(ft, H5Tclose);
    close_id(d, H5Dclose);
    return st;
}

y90_status y90_io_read_sphere_counts(const char *path, size_t nvox, uint32_t **counts, char storage[16],
                                     y90_error *err)
{
    *counts = NULL;
    storage[0] = 0;
    hid_t f = open_read(path, err);
    if (f < 0) return err ? err->code : Y90_EINPUT;
    uint32_t *c = y90_calloc(nvox ? nvox : 1, sizeof *c, "sphere counts", err);
    y90_status st = c ? Y90_OK : Y90_ENOMEM;
    double n = 0, want = -1, sum = 0;
    if (!st && H5Lexists(f, "/microsphere_counts", H5P_DEFAULT) > 0) {
        snprintf(storage, 16, "counts");
        st = read_dataset(f, path, "/microsphere_counts", H5T_NATIVE_UINT32, c, nvox, err);
        if (!st) st = get_doubles(f, path, "/microsphere_counts", "n_spheres", &want, 1, err);
        for (size_t i = 0; !st && i < nvox; i++) sum += c[i];
        n = sum;
    } else if (!st && H5Lexists(f, "/microspheres", H5P_DEFAULT) > 0) {
        snprintf(storage, 16, "table");
        st = table_counts(f, path, c, nvox, &n, err);
    } else if (!st)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: no spheres stored (neither /microsphere_counts nor /microspheres: a "
                      "validation source, or output.microspheres false)", path);
    if (!st && want >= 0 && want != n)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: /microsphere_counts sums to %.0f spheres but its attribute n_spheres "
                      "says %.0f", path, n, want);
    H5Fclose(f);
    if (st) free(c);
    else *counts = c;
    return st;
}
