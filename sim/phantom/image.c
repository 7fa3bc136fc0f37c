/* Patient images in: NIfTI-1 through libnifti and HDF5 (include/y90/image.h gives the layouts), reoriented to the
 * LPS frame of the dose grid, and resampled onto it (nearest neighbour, or mass-conserving by overlap volume). */
#include <hdf5.h>
#include <math.h>
#include <nifti1_io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include "y90/image.h"

#define AXIS_TOL 1e-4         /* largest off-axis component of a unit axis vector: beyond it the image is oblique */
#define MAX_IMAGE_AXIS 100000 /* voxels along one axis: beyond this a header is taken as corrupt */

/* The image's geometry as read: n[a] voxels along file axis a (a = 0 fastest), world (LPS, mm) of voxel index
 * (i0,i1,i2) = origin + sum_a i_a * axis[a] (axis[a] is spacing times a unit vector). */
typedef struct {
    int n[3];
    double axis[3][3];
    double origin[3];
} file_geometry;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Reorder raw (file order, float) into img along LPS. Refuses oblique axes and axis sizes past the limits. */
static y90_status reorient(const char *path, const file_geometry *fg, float *raw, y90_image *img, y90_error *err)
{
    int perm[3] = {-1, -1, -1}, sign[3] = {0, 0, 0}; /* perm[b]: file axis along LPS axis b */
    for (int a = 0; a < 3; a++) {
        double len = sqrt(fg->axis[a][0] * fg->axis[a][0] + fg->axis[a][1] * fg->axis[a][1] +
                          fg->axis[a][2] * fg->axis[a][2]);
        if (!(len > 0) || !isfinite(len))
            return Y90_FAIL(err, Y90_EINPUT, "%s: voxel axis %d has spacing %g mm; expected a positive spacing", path,
                            a, len);
        int b = 0;
        for (int c = 1; c < 3; c++)
            if (fabs(fg->axis[a][c]) > fabs(fg->axis[a][b])) b = c;
        for (int c = 0; c < 3; c++)
            if (c != b && fabs(fg->axis[a][c]) / len > AXIS_TOL)
                return Y90_FAIL(err, Y90_EINPUT, "%s: oblique image: voxel axis %d points along (%.4g, %.4g, %.4g) "
                                "(LPS); y90mc takes images whose axes lie along the patient axes; resample it onto "
                                "an axis-aligned grid first (e.g. plastimatch resample)", path, a,
                                fg->axis[a][0] / len, fg->axis[a][1] / len, fg->axis[a][2] / len);
        if (perm[b] >= 0)
            return Y90_FAIL(err, Y90_EINPUT, "%s: voxel axes %d and %d both lie along patient axis %d: the "
                            "orientation matrix is singular", path, perm[b], a, b);
        perm[b] = a;
        sign[b] = fg->axis[a][b] > 0 ? 1 : -1;
        img->spacing[b] = len;
    }
    double idx[3], centre[3]; /* file index of LPS voxel (0,0,0): 0 along a positive axis, n-1 along a negative */
    for (int b = 0; b < 3; b++) {
        img->n[b] = fg->n[perm[b]];
        idx[perm[b]] = sign[b] > 0 ? 0.0 : (double)(fg->n[perm[b]] - 1);
    }
    for (int b = 0; b < 3; b++) {
        centre[b] = fg->origin[b];
        for (int a = 0; a < 3; a++) centre[b] += idx[a] * fg->axis[a][b];
        img->lo[b] = centre[b] - 0.5 * img->spacing[b];
    }
    size_t nv = (size_t)fg->n[0] * (size_t)fg->n[1] * (size_t)fg->n[2];
    img->data = y90_calloc(nv, sizeof(float), "image", err);
    if (!img->data) return err ? err->code : Y90_ENOMEM;
    size_t stride[3] = {1, (size_t)fg->n[0], (size_t)fg->n[0] * (size_t)fg->n[1]};
    size_t k = 0;
    for (int z = 0; z < img->n[2]; z++)
        for (int y = 0; y < img->n[1]; y++)
            for (int x = 0; x < img->n[0]; x++, k++) {
                int o[3] = {x, y, z};
                size_t f = 0;
                for (int b = 0; b < 3; b++) {
                    int i = sign[b] > 0 ? o[b] : img->n[b] - 1 - o[b];
                    f += (size_t)i * stride[perm[b]];
                }
                img->data[k] = raw[f];
            }
    return Y90_OK;
}

static y90_status check_dims(const char *path, const int n[3], y90_error *err)
{
    for (int a = 0; a < 3; a++)
        if (n[a] < 1 || n[a] > MAX_IMAGE_AXIS)
            return Y90_FAIL(err, Y90_EINPUT, "%s: %d voxels along axis %d; expected 1 to %d", path, n[a], a,
                            MAX_IMAGE_AXIS);
    return Y90_OK;
}

/* ---- NIfTI ---- */

static double nifti_value(const nifti_image *nim, size_t i)
{
    const void *d = nim->data;
    switch (nim->datatype) {
    case NIFTI_TYPE_UINT8: return ((const uint8_t *)d)[i];
    case NIFTI_TYPE_INT8: return ((const int8_t *)d)[i];
    case NIFTI_TYPE_INT16: return ((const int16_t *)d)[i];
    case NIFTI_TYPE_UINT16: return ((const uint16_t *)d)[i];
    case NIFTI_TYPE_INT32: return ((const int32_t *)d)[i];
    case NIFTI_TYPE_UINT32: return ((const uint32_t *)d)[i];
    case NIFTI_TYPE_INT64: return (double)((const int64_t *)d)[i];
    case NIFTI_TYPE_UINT64: return (double)((const uint64_t *)d)[i];
    case NIFTI_TYPE_FLOAT32: return ((const float *)d)[i];
    case NIFTI_TYPE_FLOAT64: return ((const double *)d)[i];
    default: return NAN;
    }
}

/* The whole (decompressed) stream must hold the header and every voxel: libnifti reads a truncated .nii.gz as
 * if the missing voxels were there. zlib reads uncompressed files as they are. */
static y90_status check_nifti_length(const char *path, const nifti_image *nim, y90_error *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return Y90_FAIL(err, Y90_EINPUT, "%s: cannot open", path);
    static char buf[1 << 16];
    double have = 0;
    int got;
    while ((got = gzread(f, buf, sizeof buf)) > 0) have += got;
    int zerr = 0;
    const char *zmsg = got < 0 ? gzerror(f, &zerr) : NULL;
    char why[160];
    snprintf(why, sizeof why, "%s", zmsg ? zmsg : "");
    gzclose(f);
    double need = (double)nim->iname_offset + (double)nim->nvox * (double)nim->nbyper;
    if (got < 0)
        return Y90_FAIL(err, Y90_EINPUT, "%s: corrupt or truncated compressed data (%s) after %.0f bytes; expected "
                        "%.0f bytes", path, why, have, need);
    if (have < need)
        return Y90_FAIL(err, Y90_EINPUT, "%s: truncated: %.0f bytes of data; the header asks for %.0f (%d x %d x %d "
                        "voxels of %d bytes)", path, have, need, nim->nx, nim->ny, nim->nz, nim->nbyper);
    return Y90_OK;
}

/* Refuse an image whose reading would need more than max_bytes (0: no limit): bytes_per_voxel covers the file's
 * own buffer, the float copy and the reoriented image. */
static y90_status check_memory(const char *path, const int n[3], double bytes_per_voxel, size_t max_bytes,
                               y90_error *err)
{
    double need = (double)n[0] * (double)n[1] * (double)n[2] * bytes_per_voxel;
    if (max_bytes > 0 && need > (double)max_bytes)
        return Y90_FAIL(err, Y90_ENOMEM, "%s: reading this %d x %d x %d image needs %.3g GB, more than the %.3g GB "
                        "allowed (output.max_memory_gb, default 80 %% of the memory); crop or downsample it, or raise "
                        "output.max_memory_gb", path, n[0], n[1], n[2], need / 1e9, (double)max_bytes / 1e9);
    return Y90_OK;
}

static y90_status read_nifti(const char *path, size_t max_bytes, y90_image *img, y90_error *err)
{
    nifti_set_debug_level(0); /* libnifti's own messages go to stderr; ours name the file */
    nifti_image *nim = nifti_image_read(path, 0);
    if (!nim)
        return Y90_FAIL(err, Y90_EINPUT, "%s: not a readable NIfTI-1 file (missing, not NIfTI, or a corrupt "
                        "header)", path);
    y90_status st = Y90_OK;
    float *raw = NULL;
    file_geometry fg;
    int n[3] = {nim->nx, nim->ny > 0 ? nim->ny : 1, nim->nz > 0 ? nim->nz : 1};
    size_t extra = 1;
    for (int d = 4; d <= nim->ndim && d <= 7; d++) extra *= (size_t)(nim->dim[d] > 0 ? nim->dim[d] : 1);
    if (nim->ndim < 2 || extra != 1)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: a %d-D NIfTI image with %zu volumes; expected one 3-D volume", path,
                      nim->ndim, extra);
    if (!st) st = check_dims(path, n, err);
    if (!st && nim->datatype != NIFTI_TYPE_UINT8 && nim->datatype != NIFTI_TYPE_INT8 &&
        nim->datatype != NIFTI_TYPE_INT16 && nim->datatype != NIFTI_TYPE_UINT16 &&
        nim->datatype != NIFTI_TYPE_INT32 && nim->datatype != NIFTI_TYPE_UINT32 &&
        nim->datatype != NIFTI_TYPE_INT64 && nim->datatype != NIFTI_TYPE_UINT64 &&
        nim->datatype != NIFTI_TYPE_FLOAT32 && nim->datatype != NIFTI_TYPE_FLOAT64)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: NIfTI data type %s; expected an integer or real scalar type", path,
                      nifti_datatype_string(nim->datatype));
    mat44 m;
    if (!st) {
        if (nim->sform_code > 0) m = nim->sto_xyz;
        else if (nim->qform_code > 0) m = nim->qto_xyz;
        else
            st = Y90_FAIL(err, Y90_EINPUT, "%s: neither sform_code nor qform_code is set, so the image has no "
                          "orientation in the patient; expected a NIfTI file with a qform or sform (dcm2niix writes "
                          "both)", path);
    }
    double unit = 1.0;
    if (!st) {
        int u = XYZT_TO_SPACE(nim->xyz_units);
        unit = u == NIFTI_UNITS_METER ? 1000.0 : u == NIFTI_UNITS_MICRON ? 1e-3 : 1.0;
    }
    if (!st) {
        for (int a = 0; a < 3; a++) fg.n[a] = n[a];
        for (int a = 0; a < 3; a++)     /* column a of the affine: file axis a; RAS -> LPS negates x and y */
            for (int b = 0; b < 3; b++) fg.axis[a][b] = (b < 2 ? -1.0 : 1.0) * unit * (double)m.m[b][a];
        for (int b = 0; b < 3; b++) fg.origin[b] = (b < 2 ? -1.0 : 1.0) * unit * (double)m.m[b][3];
        st = check_nifti_length(path, nim, err);
        if (!st) st = check_memory(path, n, nim->nbyper + 2.0 * sizeof(float), max_bytes, err);
        if (!st && (nifti_image_load(nim) != 0 || !nim->data))
            st = Y90_FAIL(err, Y90_EINPUT, "%s: the voxel data could not be read (truncated or corrupt file; %d x %d "
                          "x %d voxels of %d bytes expected)", path, n[0], n[1], n[2], nim->nbyper);
    }
    size_t nv = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    if (!st) {
        raw = y90_calloc(nv, sizeof(float), "image", err);
        if (!raw) st = err ? err->code : Y90_ENOMEM;
    }
    if (!st) {
        double slope = nim->scl_slope, inter = nim->scl_inter;
        if (slope == 0 || !isfinite(slope)) slope = 1, inter = 0;
        if (!isfinite(inter)) inter = 0;
        for (size_t i = 0; i < nv && !st; i++) {
            double v = nifti_value(nim, i) * slope + inter;
            if (!isfinite(v))
                st = Y90_FAIL(err, Y90_EINPUT, "%s: voxel %zu holds %g; expected finite values", path, i, v);
            raw[i] = (float)v;
        }
    }
    nifti_image_free(nim);
    if (!st) st = reorient(path, &fg, raw, img, err);
    free(raw);
    return st;
}

/* ---- HDF5 ---- */

static y90_status h5_attr3(const char *path, hid_t f, const char *name, int count, int required, double *v,
                           y90_error *err)
{
    if (H5Aexists(f, name) <= 0) {
        if (!required) return Y90_OK;
        return Y90_FAIL(err, Y90_EINPUT, "%s: root attribute %s is missing; expected %d numbers (include/y90/"
                        "image.h)", path, name, count);
    }
    hid_t a = H5Aopen(f, name, H5P_DEFAULT), sp = a >= 0 ? H5Aget_space(a) : -1;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    herr_t r = n == count ? H5Aread(a, H5T_NATIVE_DOUBLE, v) : -1;
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    if (r < 0)
        return Y90_FAIL(err, Y90_EINPUT, "%s: root attribute %s: expected %d numbers", path, name, count);
    for (int i = 0; i < count; i++)
        if (!isfinite(v[i]))
            return Y90_FAIL(err, Y90_EINPUT, "%s: root attribute %s holds a non-finite number", path, name);
    return Y90_OK;
}

static y90_status h5_frame(const char *path, hid_t f, y90_error *err)
{
    if (H5Aexists(f, "frame") <= 0) return Y90_OK;
    char buf[16] = "";
    hid_t a = H5Aopen(f, "frame", H5P_DEFAULT), t = a >= 0 ? H5Aget_type(a) : -1;
    herr_t r = -1;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
        if (H5Tis_variable_str(t) > 0) {
            char *s = NULL;
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(t));
            r = H5Aread(a, mt, &s);
            if (r >= 0 && s) snprintf(buf, sizeof buf, "%s", s);
            free(s);
            H5Tclose(mt);
        } else if (H5Tget_size(t) < sizeof buf) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, sizeof buf);
            H5Tset_cset(mt, H5Tget_cset(t));
            r = H5Aread(a, mt, buf);
            H5Tclose(mt);
        }
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    if (r < 0 || strcmp(buf, Y90_FRAME) != 0)
        return Y90_FAIL(err, Y90_EINPUT, "%s: root attribute frame = '%s'; expected \"%s\" (include/y90/grid.h)",
                        path, buf, Y90_FRAME);
    return Y90_OK;
}

static y90_status read_h5(const char *spec, size_t max_bytes, y90_image *img, y90_error *err)
{
    char path[1100], dset[256] = "/image";
    snprintf(path, sizeof path, "%s", spec);
    char *colon = strstr(path, ":/");
    if (colon) {
        snprintf(dset, sizeof dset, "%s", colon + 1);
        *colon = 0;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (f < 0) return Y90_FAIL(err, Y90_EINPUT, "%s: not a readable HDF5 file (missing, truncated or corrupt)", path);
    y90_status st = Y90_OK;
    file_geometry fg;
    double spacing[3], origin[3], dir[9] = Y90_DIRECTION;
    float *raw = NULL;
    hid_t d = H5Lexists(f, dset, H5P_DEFAULT) > 0 ? H5Dopen2(f, dset, H5P_DEFAULT) : -1, sp = -1;
    if (d < 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: no dataset %s; expected a 3-D dataset (default /image; FILE:/NAME "
                      "picks another)", path, dset);
    hsize_t dims[3] = {0, 0, 0};
    if (!st) {
        sp = H5Dget_space(d);
        hid_t t = H5Dget_type(d);
        H5T_class_t cl = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
        if (t >= 0) H5Tclose(t);
        if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 3)
            st = Y90_FAIL(err, Y90_EINPUT, "%s: dataset %s is not 3-D; expected shape [nk][nj][ni]", path, dset);
        else if (cl != H5T_INTEGER && cl != H5T_FLOAT)
            st = Y90_FAIL(err, Y90_EINPUT, "%s: dataset %s is not numeric", path, dset);
        else H5Sget_simple_extent_dims(sp, dims, NULL);
    }
    if (!st) {
        for (int a = 0; a < 3; a++) fg.n[a] = dims[2 - a] > MAX_IMAGE_AXIS ? -1 : (int)dims[2 - a];
        st = check_dims(path, fg.n, err);
    }
    if (!st) st = check_memory(path, fg.n, 2.0 * sizeof(float), max_bytes, err);
    if (!st) st = h5_attr3(path, f, "spacing_mm", 3, 1, spacing, err);
    if (!st) st = h5_attr3(path, f, "origin_mm", 3, 1, origin, err);
    if (!st) st = h5_attr3(path, f, "direction", 9, 0, dir, err);
    if (!st) st = h5_frame(path, f, err);
    if (!st) {
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) fg.axis[a][b] = spacing[a] * dir[3 * a + b];
        memcpy(fg.origin, origin, sizeof origin);
        size_t nv = (size_t)fg.n[0] * (size_t)fg.n[1] * (size_t)fg.n[2];
        raw = y90_calloc(nv, sizeof(float), "image", err);
        if (!raw) st = err ? err->code : Y90_ENOMEM;
        else if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
            st = Y90_FAIL(err, Y90_EINPUT, "%s: dataset %s could not be read (truncated file or failed checksum)",
                          path, dset);
        for (size_t i = 0; i < nv && !st; i++)
            if (!isfinite(raw[i]))
                st = Y90_FAIL(err, Y90_EINPUT, "%s: dataset %s voxel %zu is not finite; expected finite values",
                              path, dset, i);
    }
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    H5Fclose(f);
    if (!st) st = reorient(path, &fg, raw, img, err);
    free(raw);
    return st;
}

y90_status y90_image_read(const char *path, size_t max_bytes, y90_image *img, y90_error *err)
{
    memset(img, 0, sizeof *img);
    y90_status st;
    if (ends_with(path, ".nii") || ends_with(path, ".nii.gz")) st = read_nifti(path, max_bytes, img, err);
    else if (ends_with(path, ".h5") || ends_with(path, ".hdf5") || ends_with(path, ".hdf") || strstr(path, ":/"))
        st = read_h5(path, max_bytes, img, err);
    else
        st = Y90_FAIL(err, Y90_EINPUT, "%s: unknown image type; expected .nii, .nii.gz (NIfTI-1) or .h5, .hdf5 "
                      "(HDF5, include/y90/image.h)", path);
    if (st) y90_image_free(img);
    return st;
}

void y90_image_free(y90_image *img)
{
    free(img->data);
    img->data = NULL;
}

int y90_image_at(const y90_image *img, const double p[3], float *v)
{
    size_t idx = 0, stride = 1;
    for (int a = 0; a < 3; a++) {
        double f = floor((p[a] - img->lo[a]) / img->spacing[a]);
        if (!(f >= 0 && f < img->n[a])) return -1;
        idx += (size_t)f * stride;
        stride *= (size_t)img->n[a];
    }
    *v = img->data[idx];
    return 0;
}

size_t y90_image_resample_nearest(const y90_image *img, const y90_grid *g, float outside, float *out)
{
    size_t missed = 0, v = 0;
    for (int iz = 0; iz < g->nz; iz++)
        for (int iy = 0; iy < g->ny; iy++)
            for (int ix = 0; ix < g->nx; ix++, v++) {
                int ii[3] = {ix, iy, iz};
                double p[3];
                for (int a = 0; a < 3; a++) p[a] = g->lo[a] + (ii[a] + 0.5) * g->spacing[a];
                if (y90_image_at(img, p, &out[v])) {
                    out[v] = outside;
                    missed++;
                }
            }
    return missed;
}

/* One axis of the overlap: for image voxel s, the grid voxels [first[s], first[s] + count[s]) it overlaps and
 * the fraction of its length in each (frac[s * maxc + c]). */
typedef struct {
    int *first, *count, maxc;
    double *frac;
} axis_overlap;

static y90_status overlap_axis(const y90_image *img, const y90_grid *g, int a, axis_overlap *o, y90_error *err)
{
    int ng = a == 0 ? g->nx : a == 1 ? g->ny : g->nz, ni = img->n[a];
    o->maxc = (int)ceil(img->spacing[a] / g->spacing[a]) + 2;
    o->first = y90_calloc((size_t)ni, sizeof(int), "resampling table", err);
    o->count = o->first ? y90_calloc((size_t)ni, sizeof(int), "resampling table", err) : NULL;
    o->frac = o->count ? y90_calloc((size_t)ni * (size_t)o->maxc, sizeof(double), "resampling table", err) : NULL;
    if (!o->frac) return err ? err->code : Y90_ENOMEM;
    for (int s = 0; s < ni; s++) {
        double s0 = img->lo[a] + s * img->spacing[a], s1 = s0 + img->spacing[a];
        int g0 = (int)floor((s0 - g->lo[a]) / g->spacing[a]), c = 0;
        if (g0 < 0) g0 = 0;
        o->first[s] = g0;
        for (int k = g0; k < ng && c < o->maxc; k++) {
            double lo = g->lo[a] + k * g->spacing[a], hi = lo + g->spacing[a];
            if (lo >= s1) break;
            double ov = (hi < s1 ? hi : s1) - (lo > s0 ? lo : s0);
            o->frac[(size_t)s * (size_t)o->maxc + (size_t)c++] = ov > 0 ? ov / img->spacing[a] : 0.0;
        }
        o->count[s] = c;
    }
    return Y90_OK;
}

static void free_axis(axis_overlap *o)
{
    free(o->first);
    free(o->count);
    free(o->frac);
}

y90_status y90_image_resample_amount(const y90_image *img, const y90_grid *g, int per_ml, double *out,
                                     double *inside, double *total, y90_error *err)
{
    axis_overlap o[3] = {{0}};
    memset(out, 0, y90_grid_nvox(g) * sizeof *out);
    y90_status st = Y90_OK;
    for (int a = 0; a < 3 && !st; a++) st = overlap_axis(img, g, a, &o[a], err);
    double scale = per_ml ? img->spacing[0] * img->spacing[1] * img->spacing[2] * 1e-3 : 1.0; /* mm3 -> ml */
    double in = 0, all = 0;
    size_t s = 0;
    for (int z = 0; z < img->n[2] && !st; z++)
        for (int y = 0; y < img->n[1]; y++)
            for (int x = 0; x < img->n[0]; x++, s++) {
                double amount = img->data[s] > 0 ? img->data[s] * scale : 0.0;
                all += amount;
                if (amount == 0) continue;
                for (int cz = 0; cz < o[2].count[z]; cz++) {
                    double fz = o[2].frac[(size_t)z * o[2].maxc + cz];
                    for (int cy = 0; cy < o[1].count[y]; cy++) {
                        double fzy = fz * o[1].frac[(size_t)y * o[1].maxc + cy];
                        size_t row = y90_grid_index(g, 0, o[1].first[y] + cy, o[2].first[z] + cz);
                        for (int cx = 0; cx < o[0].count[x]; cx++) {
                            double w = amount * fzy * o[0].frac[(size_t)x * o[0].maxc + cx];
                            out[row + (size_t)(o[0].first[x] + cx)] += w;
                            in += w;
                        }
                    }
                }
            }
    for (int a = 0; a < 3; a++) free_axis(&o[a]);
    if (inside) *inside = in;
    if (total) *total = all;
    return st;
}
