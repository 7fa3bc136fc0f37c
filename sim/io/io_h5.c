/* The HDF5 output file (format version 1, documented in include/y90/io.h): the writers (the readers are in
 * io_h5_read.c). Every HDF5 call of the library is in sim/io/ (these two files, and io_tally.c for the tallies of
 * parts). Writers build the whole file in memory (HDF5's core driver, no backing store), so that HDF5 itself never
 * meets a full disk (after failed writes it can crash in its exit handler); the finished image is written with
 * checked write() calls to a unique temporary file (sim/io/publish.c) and put in place only when complete. Every
 * dataset is chunked with the Fletcher32 checksum filter (HDF5 1.10's file images of the 1.8 format, which
 * checksums its metadata too, fail their own checksum, so the default format is kept). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <hdf5.h>
#include "y90/io.h"
#include "y90/kernel.h"
#include "y90/rng.h"
#include "y90/source.h"

#include "h5util.h"

#define CHUNK_MAX_ELEMENTS (1u << 20) /* elements per chunk of a 3-D array: at most one z-slab */
#define TABLE_CHUNK_ROWS 16384        /* rows per chunk of the microsphere table (384 KiB) */
#define GZIP_LEVEL 4
#define CORE_INCREMENT (16u << 20) /* bytes the in-memory file grows by */

/* ------------------------------------------------------------------------------------------------ writing */

/* The in-memory file's buffer: HDF5's core driver grows it through our callbacks, so that when the file is
 * closed the buffer is ours to write out (no second copy of the image, which may be tens of MB). */
typedef struct {
    void *mem; /* the driver's current buffer (NULL before the first write) */
} h5img;

typedef struct {
    hid_t file;       /* the temporary file */
    const char *path; /* the final path, named in messages */
    y90_error *err;
    int force;        /* may replace an existing path */
    h5img img;
} h5w;

static void *img_malloc(size_t size, H5FD_file_image_op_t op, void *udata)
{
    h5img *m = udata;
    void *p = malloc(size);
    if (p && op == H5FD_FILE_IMAGE_OP_FILE_RESIZE) m->mem = p;
    return p;
}

static void *img_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op, void *udata)
{
    return memcpy(dest, src, size);
}

static void *img_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata)
{
    h5img *m = udata;
    void *p = realloc(ptr, size);
    if (p) m->mem = p;
    return p;
}

/* The driver's buffer is kept at close (finish_output writes and frees it); anything else is freed. */
static herr_t img_free(void *ptr, H5FD_file_image_op_t op, void *udata)
{
    h5img *m = udata;
    if (ptr != m->mem) free(ptr);
    return 0;
}

static void *img_udata_copy(void *udata) { return udata; }
static herr_t img_udata_free(void *udata) { return 0; }

#define SCALAR ((size_t)-1) /* count of attr_put for a scalar attribute */

/* Write attribute `name` of n values (an array, possibly empty) or one (n = SCALAR) on object loc (named obj in
 * messages). */
static y90_status attr_put(h5w *w, hid_t loc, const char *obj, const char *name, hid_t ftype, hid_t mtype,
                           size_t n, const void *buf)
{
    char why[160];
    hsize_t dim = n;
    hid_t space = n != SCALAR ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = space >= 0 ? H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    herr_t rc = a >= 0 ? H5Awrite(a, mtype, buf) : -1;
    if (rc < 0) h5_reason(why);
    close_id(a, H5Aclose);
    close_id(space, H5Sclose);
    if (rc < 0) return Y90_FAIL(w->err, Y90_EIO, "%s: cannot write attribute %s of %s (%s)", w->path, name, obj, why);
    return Y90_OK;
}

static y90_status attr_double(h5w *w, hid_t loc, const char *obj, const char *name, double v)
{
    return attr_put(w, loc, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, SCALAR, &v);
}

static y90_status attr_double3(h5w *w, hid_t loc, const char *obj, const char *name, const double v[3])
{
    return attr_put(w, loc, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, v);
}

static y90_status attr_int(h5w *w, hid_t loc, const char *obj, const char *name, int v)
{
    return attr_put(w, loc, obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, SCALAR, &v);
}

static y90_status attr_int64(h5w *w, hid_t loc, const char *obj, const char *name, int64_t v)
{
    return attr_put(w, loc, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, SCALAR, &v);
}

static y90_status attr_uint64(h5w *w, hid_t loc, const char *obj, const char *name, uint64_t v)
{
    return attr_put(w, loc, obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, SCALAR, &v);
}

/* n strings as an array attribute (n = SCALAR: the scalar string strs[0]). */
static y90_status attr_strs(h5w *w, hid_t loc, const char *obj, const char *name, const char *const *strs,
                            size_t n)
{
    hid_t t = vlen_str_type();
    if (t < 0) return Y90_FAIL(w->err, Y90_EIO, "%s: cannot make a string type for %s of %s", w->path, name, obj);
    y90_status st = attr_put(w, loc, obj, name, t, t, n, strs);
    H5Tclose(t);
    return st;
}

static y90_status attr_str(h5w *w, hid_t loc, const char *obj, const char *name, const char *s)
{
    const char *v = s ? s : "";
    return attr_strs(w, loc, obj, name, &v, SCALAR);
}

/* Creation properties of a chunked, shuffled, gzip-compressed dataset with a Fletcher32 checksum. */
static hid_t chunked_dcpl(int rank, const hsize_t *chunk)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0) return p;
    int ok = H5Pset_chunk(p, rank, chunk) >= 0;
    if (ok && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0)
        ok = H5Pset_shuffle(p) >= 0 && H5Pset_deflate(p, GZIP_LEVEL) >= 0;
    if (ok) ok = H5Pset_fletcher32(p) >= 0; /* last: the checksum covers the bytes stored */
    if (!ok) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

/* Create and write dataset `name` (rank dims, chunk) with its units attribute. */
static y90_status dataset_put(h5w *w, const char *name, int rank, const hsize_t *dims, const hsize_t *chunk,
                              hid_t ftype, hid_t mtype, const void *data, hid_t *out)
{
    char why[160];
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = space >= 0 ? chunked_dcpl(rank, chunk) : -1;
    hid_t d = dcpl >= 0 ? H5Dcreate2(w->file, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
    herr_t rc = d >= 0 ? H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : -1;
    if (rc < 0) h5_reason(why);
    close_id(dcpl, H5Pclose);
    close_id(space, H5Sclose);
    if (rc < 0) {
        close_id(d, H5Dclose);
        return Y90_FAIL(w->err, Y90_EIO, "%s: cannot write %s (%s)", w->path, name, why);
    }
    *out = d;
    return Y90_OK;
}

/* A 3-D voxel array [nz][ny][nx], chunked by (part of) one z-slab, with a units attribute. */
static y90_status write_3d(h5w *w, const y90_grid *g, const char *name, hid_t ftype, hid_t mtype, const void *data,
                           const char *units)
{
    hsize_t dims[3] = {(hsize_t)g->nz, (hsize_t)g->ny, (hsize_t)g->nx};
    hsize_t rows = CHUNK_MAX_ELEMENTS / (hsize_t)g->nx;
    hsize_t chunk[3] = {1, rows < 1 ? 1 : (rows < dims[1] ? rows : dims[1]), dims[2]};
    hid_t d = -1;
    y90_status st = dataset_put(w, name, 3, dims, chunk, ftype, mtype, data, &d);
    if (st == Y90_OK) st = attr_str(w, d, name, "units", units);
    close_id(d, H5Dclose);
    return st;
}

static y90_status write_labels(h5w *w, const y90_grid *g)
{
    const char *names[Y90_MAX_LABELS], *kinds[Y90_MAX_LABELS], *lobes[Y90_MAX_LABELS];
    size_t n = (size_t)g->nstructures;
    for (size_t i = 0; i < n; i++) {
        names[i] = g->structures[i].name;
        kinds[i] = y90_kind_name(g->structures[i].kind);
        lobes[i] = y90_lobe_name(g->structures[i].lobe);
    }
    y90_status st = write_3d(w, g, "/labels", H5T_STD_U8LE, H5T_NATIVE_UINT8, g->label, "1");
    if (st != Y90_OK) return st;
    hid_t d = H5Dopen2(w->file, "/labels", H5P_DEFAULT);
    if (d < 0) return Y90_FAIL(w->err, Y90_EIO, "%s: cannot reopen /labels", w->path);
    st = attr_strs(w, d, "/labels", "names", names, n);
    if (st == Y90_OK) st = attr_strs(w, d, "/labels", "kinds", kinds, n);
    if (st == Y90_OK) st = attr_strs(w, d, "/labels", "lobes", lobes, n);
    H5Dclose(d);
    return st;
}

/* /tumour_ids or /lobule_ids (uint16, 0 = none, k = tumour or lobule k) with attribute count: what the report's
 * per-tumour rows and microscale statistics use. */
static y90_status write_ids(h5w *w, const y90_grid *g, const char *name, const uint16_t *ids, int count)
{
    y90_status st = write_3d(w, g, name, H5T_STD_U16LE, H5T_NATIVE_UINT16, ids, "1");
    if (st != Y90_OK) return st;
    hid_t d = H5Dopen2(w->file, name, H5P_DEFAULT);
    if (d < 0) return Y90_FAIL(w->err, Y90_EIO, "%s: cannot reopen %s", w->path, name);
    st = attr_int(w, d, name, "count", count);
    H5Dclose(d);
    return st;
}

static y90_status write_materials(h5w *w, const y90_grid *g)
{
    const char *names[Y90_MAX_GRID_MATERIALS];
    for (int i = 0; i < g->nmaterials; i++) names[i] = g->material_names[i];
    y90_status st = write_3d(w, g, "/materials", H5T_STD_U8LE, H5T_NATIVE_UINT8, g->material, "1");
    if (st != Y90_OK) return st;
    hid_t d = H5Dopen2(w->file, "/materials", H5P_DEFAULT);
    if (d < 0) return Y90_FAIL(w->err, Y90_EIO, "%s: cannot reopen /materials", w->path);
    st = attr_strs(w, d, "/materials", "names", names, (size_t)g->nmaterials);
    H5Dclose(d);
    return st;
}

static void utc_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(buf, 32, "unknown");
}

/* Root attributes every file has: format, geometry, provenance and the full config. */
static y90_status write_root_attrs(h5w *w, const y90_config *cfg, const y90_grid *g)
{
    char created[32];
    static const double direction[9] = Y90_DIRECTION;
    double origin[3];
    for (int a = 0; a < 3; a++) origin[a] = g->lo[a] + 0.5 * g->spacing[a];
    utc_now(created);
    hid_t r = w->file;
    y90_status st = attr_int(w, r, "/", "format_version", Y90_FORMAT_VERSION);
    if (st == Y90_OK) st = attr_double3(w, r, "/", "spacing_mm", g->spacing);
    if (st == Y90_OK) st = attr_double3(w, r, "/", "origin_mm", origin);
    if (st == Y90_OK) st = attr_str(w, r, "/", "frame", Y90_FRAME);
    if (st == Y90_OK) st = attr_put(w, r, "/", "direction", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 9, direction);
    if (st == Y90_OK) st = attr_str(w, r, "/", "version", y90_version());
    if (st == Y90_OK) st = attr_str(w, r, "/", "git_revision", y90_git_revision());
    if (st == Y90_OK) st = attr_str(w, r, "/", "created", created);
    if (st == Y90_OK) st = attr_str(w, r, "/", "rng", Y90_RNG_SCHEME);
    if (st == Y90_OK) st = attr_str(w, r, "/", "config", cfg ? cfg->yaml_text : NULL);
    if (st == Y90_OK) st = attr_str(w, r, "/", "config_path", cfg ? cfg->path : NULL);
    if (st == Y90_OK && cfg && cfg->overrides) st = attr_str(w, r, "/", "config_overrides", cfg->overrides);
    if (st == Y90_OK && cfg) {
        char *eff = y90_config_effective(cfg);
        if (!eff) return Y90_FAIL(w->err, Y90_ENOMEM, "%s: out of memory for the effective config", w->path);
        st = attr_str(w, r, "/", "config_effective", eff);
        free(eff);
    }
    return st;
}

static y90_status write_phantom_objects(h5w *w, const y90_config *cfg, const y90_grid *g)
{
    y90_status st = write_root_attrs(w, cfg, g);
    if (st == Y90_OK) st = write_labels(w, g);
    if (st == Y90_OK) st = write_materials(w, g);
    if (st == Y90_OK) st = write_3d(w, g, "/density", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, g->density, "g/cm3");
    if (st == Y90_OK && g->tumour_id) st = write_ids(w, g, "/tumour_ids", g->tumour_id, g->ntumours);
    if (st == Y90_OK && g->lobule_id) st = write_ids(w, g, "/lobule_ids", g->lobule_id, g->nlobules);
    return st;
}

/* Root attributes of a run: what the dose represents and how it was computed. */
static y90_status write_run_attrs(h5w *w, const y90_config *cfg, const y90_run_result *res)
{
    hid_t r = w->file;
    y90_status st = attr_double(w, r, "/", "decays", res->decays);
    if (st == Y90_OK) st = attr_int64(w, r, "/", "histories", res->histories);
    if (st == Y90_OK) st = attr_uint64(w, r, "/", "seed", res->seed);
    if (st == Y90_OK) st = attr_int(w, r, "/", "threads", res->threads);
    if (st == Y90_OK) st = attr_str(w, r, "/", "kernel", res->kernel);
    if (st == Y90_OK) st = attr_double(w, r, "/", "runtime_s", res->runtime_s);
    if (st == Y90_OK && res->part_count > 0) { /* a part of a run, for y90mc merge */
        st = attr_int(w, r, "/", "part_index", res->part_index);
        if (st == Y90_OK) st = attr_int(w, r, "/", "part_count", res->part_count);
        if (st == Y90_OK) st = attr_int64(w, r, "/", "part_first_history", res->first);
        if (st == Y90_OK) st = attr_int64(w, r, "/", "histories_total", res->histories_total);
    }
    /* provenance: the host, the MPI ranks and Slurm job, histories asked for and whether all were done */
    char host[256] = "";
    if (gethostname(host, sizeof host - 1)) host[0] = 0;
    if (st == Y90_OK) st = attr_str(w, r, "/", "hostname", host);
    if (st == Y90_OK) st = attr_int(w, r, "/", "mpi_ranks", res->ranks > 0 ? res->ranks : 1);
    if (st == Y90_OK && res->histories_requested > 0) {
        st = attr_int64(w, r, "/", "histories_requested", res->histories_requested);
        int reason = res->stop_reason ? res->stop_reason : y90_run_interrupted(res) ? Y90_STOP_INTERRUPTED : 0;
        if (st == Y90_OK) st = attr_str(w, r, "/", "run_status", y90_stop_reason_name(reason));
    }
    static const char *const slurm_vars[] = {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"};
    static const char *const slurm_attrs[] = {"slurm_job_id", "slurm_array_job_id", "slurm_array_task_id"};
    for (int i = 0; i < 3 && st == Y90_OK; i++)
        if (getenv(slurm_vars[i])) st = attr_str(w, r, "/", slurm_attrs[i], getenv(slurm_vars[i]));
    /* the machine, the build and the libraries (sim/io/provenance.c) */
    y90_provenance_attr pa[Y90_PROVENANCE_MAX];
    int np = y90_io_provenance(pa, Y90_PROVENANCE_MAX);
    for (int i = 0; i < np && st == Y90_OK; i++)
        st = pa[i].text ? attr_str(w, r, "/", pa[i].name, pa[i].text) : attr_int(w, r, "/", pa[i].name, pa[i].value);
    return st;
}

static const char *treated_lobes_name(y90_treated_lobes t)
{
    return t == Y90_TREAT_RIGHT ? "right" : t == Y90_TREAT_LEFT ? "left" : "both";
}

static hid_t make_group(h5w *w, const char *name)
{
    hid_t grp = H5Gcreate2(w->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (grp < 0) Y90_FAIL(w->err, Y90_EIO, "%s: cannot create group %s", w->path, name);
    return grp;
}

static y90_status write_treatment(h5w *w, const y90_treatment_params *t, const y90_sources *src)
{
    const char *o = "/treatment";
    hid_t grp = make_group(w, o);
    if (grp < 0) return Y90_EIO;
    y90_status st = attr_double(w, grp, o, "activity_calibration_gbq", src->activity_calibration_bq / 1e9);
    if (st == Y90_OK) st = attr_double(w, grp, o, "hours_after_calibration", t->hours_after_calibration);
    if (st == Y90_OK) st = attr_double(w, grp, o, "activity_treatment_gbq", src->activity_treatment_bq / 1e9);
    if (st == Y90_OK) st = attr_double(w, grp, o, "lung_shunt_fraction", t->lung_shunt_fraction);
    /* an activity map's own T/N replaces the config's (which the uptake then did not use) */
    int from_map = src->voxel_uptake && isfinite(src->image_tn_ratio);
    if (st == Y90_OK) st = attr_double(w, grp, o, "tn_ratio", from_map ? src->image_tn_ratio : t->tn_ratio);
    if (st == Y90_OK) st = attr_str(w, grp, o, "tn_ratio_source", from_map ? "activity_map" : "config");
    if (st == Y90_OK) st = attr_double(w, grp, o, "prescription_gy", t->prescription_gy);
    if (st == Y90_OK) st = attr_str(w, grp, o, "treated_lobes", treated_lobes_name(t->treated_lobes));
    if (st == Y90_OK) st = attr_str(w, grp, o, "product", src->product);
    if (st == Y90_OK) st = attr_int64(w, grp, o, "n_spheres", (int64_t)src->nspheres);
    if (st == Y90_OK)
        st = attr_str(w, grp, o, "sphere_storage", src->storage == Y90_SPHERES_COUNTS ? "counts" : "table");
    if (st == Y90_OK) st = attr_double(w, grp, o, "half_life_h", Y90_HALF_LIFE_H);
    if (st == Y90_OK) st = attr_double(w, grp, o, "mean_energy_mev", Y90_MEAN_ENERGY_MEV);
    if (st == Y90_OK) st = attr_double(w, grp, o, "gy_kg_per_gbq", y90_gy_kg_per_gbq());
    H5Gclose(grp);
    return st;
}

/* |emitted - deposited - escaped| / emitted; 0 when nothing was emitted and nothing is unaccounted for. */
static double relative_imbalance(const y90_energy_balance *eb)
{
    double d = fabs(eb->emitted - eb->deposited - eb->escaped_electron - eb->escaped_photon);
    if (eb->emitted > 0) return d / eb->emitted;
    return d == 0 ? 0.0 : INFINITY;
}

static y90_status write_energy_balance(h5w *w, const y90_energy_balance *eb)
{
    const char *o = "/energy_balance";
    hid_t grp = make_group(w, o);
    if (grp < 0) return Y90_EIO;
    y90_status st = attr_double(w, grp, o, "emitted_mev", eb->emitted);
    if (st == Y90_OK) st = attr_double(w, grp, o, "deposited_mev", eb->deposited);
    if (st == Y90_OK) st = attr_double(w, grp, o, "escaped_electron_mev", eb->escaped_electron);
    if (st == Y90_OK) st = attr_double(w, grp, o, "escaped_photon_mev", eb->escaped_photon);
    if (st == Y90_OK) st = attr_double(w, grp, o, "below_cutoff_mev", eb->below_cutoff);
    if (st == Y90_OK) st = attr_double(w, grp, o, "in_spheres_mev", eb->in_spheres);
    if (st == Y90_OK) st = attr_double(w, grp, o, "relative_imbalance", relative_imbalance(eb));
    H5Gclose(grp);
    return st;
}

/* Compound types of one sphere row: packed little-endian in the file (24 bytes), y90_sphere in memory. */
static hid_t sphere_type(int file)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, file ? 24 : sizeof(y90_sphere));
    if (t < 0) return t;
    hid_t u32 = file ? H5T_STD_U32LE : H5T_NATIVE_UINT32, f32 = file ? H5T_IEEE_F32LE : H5T_NATIVE_FLOAT;
    int ok = H5Tinsert(t, "voxel", file ? 0 : offsetof(y90_sphere, voxel), u32) >= 0 &&
             H5Tinsert(t, "x_offset_mm", file ? 4 : offsetof(y90_sphere, offset_mm[0]), f32) >= 0 &&
             H5Tinsert(t, "y_offset_mm", file ? 8 : offsetof(y90_sphere, offset_mm[1]), f32) >= 0 &&
             H5Tinsert(t, "z_offset_mm", file ? 12 : offsetof(y90_sphere, offset_mm[2]), f32) >= 0 &&
             H5Tinsert(t, "diameter_um", file ? 16 : offsetof(y90_sphere, diameter_um), f32) >= 0 &&
             H5Tinsert(t, "activity_bq", file ? 20 : offsetof(y90_sphere, activity_bq), f32) >= 0;
    if (!ok) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* The sphere list as it is in memory (sorted by voxel, offsets and diameters quantised: source.h), shuffled and
 * deflated row by row. */
static y90_status write_spheres(h5w *w, const y90_sources *src)
{
    static const char *const units[] = {"1", "mm", "mm", "mm", "um", "Bq"}; /* one per field, in field order */
    hsize_t n = src->nspheres, chunk = n < TABLE_CHUNK_ROWS ? n : TABLE_CHUNK_ROWS;
    hid_t ft = sphere_type(1), mt = sphere_type(0), d = -1;
    y90_status st = Y90_OK;
    if (ft < 0 || mt < 0)
        st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot make the type of /microspheres", w->path);
    if (st == Y90_OK) st = dataset_put(w, "/microspheres", 1, &n, &chunk, ft, mt, src->spheres, &d);
    if (st == Y90_OK) st = attr_strs(w, d, "/microspheres", "units", units, 6);
    close_id(d, H5Dclose);
    close_id(ft, H5Tclose);
    close_id(mt, H5Tclose);
    return st;
}

/* /microsphere_counts (counts storage): spheres per voxel and what regenerates each sphere (io.h). */
static y90_status write_sphere_counts(h5w *w, const y90_grid *g, const y90_sources *src)
{
    const char *o = "/microsphere_counts";
    uint32_t *n = y90_calloc(y90_grid_nvox(g), sizeof *n, "sphere counts", w->err);
    if (!n) return Y90_ENOMEM;
    y90_sources_sphere_counts(src, g, n);
    y90_status st = write_3d(w, g, o, H5T_STD_U32LE, H5T_NATIVE_UINT32, n, "spheres");
    free(n);
    hid_t d = st == Y90_OK ? H5Dopen2(w->file, o, H5P_DEFAULT) : -1;
    if (st == Y90_OK && d < 0) st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot reopen %s", w->path, o);
    if (st == Y90_OK) st = attr_int64(w, d, o, "n_spheres", (int64_t)src->nspheres);
    if (st == Y90_OK) st = attr_double(w, d, o, "diameter_mean_um", src->d_mean_um);
    if (st == Y90_OK) st = attr_double(w, d, o, "diameter_sd_um", src->d_sd_um);
    if (st == Y90_OK) st = attr_double(w, d, o, "diameter_min_um", src->d_min_um);
    if (st == Y90_OK) st = attr_double(w, d, o, "diameter_max_um", src->d_max_um);
    if (st == Y90_OK) st = attr_double(w, d, o, "activity_bq", src->voxel_activity_cum ? 0.0 : src->sphere_activity_bq);
    if (st == Y90_OK) st = attr_double(w, d, o, "activity_bq_per_um3", src->voxel_activity_cum ? src->activity_per_um3 : 0.0);
    if (st == Y90_OK) st = attr_uint64(w, d, o, "seed", src->sphere_seed);
    if (st == Y90_OK)
        st = attr_str(w, d, o, "regeneration", "sphere k (0-based) of voxel v: stream (seed, 6, v * 2^32 + k) of the "
                      "rng scheme; offsets x y z (uniform in the voxel, whole 2^-16 mm), then the diameter (normal, "
                      "redrawn outside [min, max], whole 2^-10 um)");
    close_id(d, H5Dclose);
    return st;
}

/* /microsphere_cluster_ids (uint32, one per row of /microspheres) with attribute count: the cluster of each
 * sphere, written when the spheres were clustered. */
static y90_status write_cluster_ids(h5w *w, const y90_sources *src)
{
    hsize_t n = src->nspheres, chunk = n < TABLE_CHUNK_ROWS ? n : TABLE_CHUNK_ROWS;
    uint32_t *id = y90_calloc(src->nspheres, sizeof *id, "cluster ids", w->err);
    if (!id) return Y90_ENOMEM;
    for (size_t i = 0; i < src->nspheres; i++) id[i] = src->sphere_cluster[i];
    hid_t d = -1;
    const char *name = "/microsphere_cluster_ids";
    y90_status st = dataset_put(w, name, 1, &n, &chunk, H5T_STD_U32LE, H5T_NATIVE_UINT32, id, &d);
    free(id);
    if (st == Y90_OK && src->nclusters > INT32_MAX)
        st = Y90_FAIL(w->err, Y90_EINTERNAL, "%s: %zu clusters do not fit the count attribute", w->path, src->nclusters);
    if (st == Y90_OK) st = attr_int(w, d, name, "count", (int)src->nclusters);
    close_id(d, H5Dclose);
    return st;
}

/* The integer tallies of a part (/tally: sum, sum2 and their carries sum_hi, sum2_hi per voxel in x-fastest order;
 * attributes eb, eb_hi, deposited, deposited_hi). */
static y90_status write_tally(h5w *w, const y90_tally *t)
{
    hsize_t n = t->nvox, chunk = n < CHUNK_MAX_ELEMENTS ? n : CHUNK_MAX_ELEMENTS;
    hid_t grp = make_group(w, "/tally"), d = -1;
    y90_status st = grp < 0 ? Y90_FAIL(w->err, Y90_EIO, "%s: cannot create /tally", w->path) : Y90_OK;
    if (st == Y90_OK) st = dataset_put(w, "/tally/sum", 1, &n, &chunk, H5T_STD_U64LE, H5T_NATIVE_UINT64, t->sum, &d);
    close_id(d, H5Dclose);
    d = -1;
    if (st == Y90_OK) st = dataset_put(w, "/tally/sum2", 1, &n, &chunk, H5T_STD_U64LE, H5T_NATIVE_UINT64, t->sum2, &d);
    close_id(d, H5Dclose);
    d = -1;
    if (st == Y90_OK) st = dataset_put(w, "/tally/sum_hi", 1, &n, &chunk, H5T_STD_U32LE, H5T_NATIVE_UINT32, t->sum_hi, &d);
    close_id(d, H5Dclose);
    d = -1;
    if (st == Y90_OK)
        st = dataset_put(w, "/tally/sum2_hi", 1, &n, &chunk, H5T_STD_U32LE, H5T_NATIVE_UINT32, t->sum2_hi, &d);
    close_id(d, H5Dclose);
    if (st == Y90_OK) st = attr_put(w, grp, "/tally", "eb", H5T_STD_U64LE, H5T_NATIVE_UINT64, Y90_EB_N, t->eb);
    if (st == Y90_OK) st = attr_put(w, grp, "/tally", "eb_hi", H5T_STD_U64LE, H5T_NATIVE_UINT64, Y90_EB_N, t->eb_hi);
    if (st == Y90_OK) st = attr_uint64(w, grp, "/tally", "deposited", t->deposited);
    if (st == Y90_OK) st = attr_uint64(w, grp, "/tally", "deposited_hi", t->deposited_hi);
    close_id(grp, H5Gclose);
    return st;
}

static y90_status write_dose(h5w *w, const y90_grid *g, const y90_run_result *res, int uncertainty)
{
    y90_status st = write_3d(w, g, "/dose", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, res->dose, "Gy");
    if (st == Y90_OK && uncertainty)
        st = write_3d(w, g, "/dose_rel_uncertainty", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, res->rel_unc, "1");
    return st;
}

/* Create the unique temporary file beside path (so that a folder we cannot write is found before the work), and
 * the HDF5 file in memory. An existing path is not refused here: y90_check_output did that before the run, and a
 * path that appeared since is left alone when publishing (the result is then kept under another name). */
static y90_status open_output(const char *path, int force, y90_tmpfile *t, h5w *w, y90_error *err)
{
    w->file = -1;
    w->path = path;
    w->err = err;
    w->force = force;
    y90_status st = y90_tmp_create(path, t, err);
    if (st != Y90_OK) return st;
    char why[160];
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5FD_file_image_callbacks_t cb = {img_malloc, img_memcpy, img_realloc, img_free, img_udata_copy,
                                      img_udata_free, &w->img};
    w->img.mem = NULL;
    int ok = fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0 &&
             H5Pset_fapl_core(fapl, CORE_INCREMENT, 0) >= 0 && H5Pset_file_image_callbacks(fapl, &cb) >= 0;
    if (ok) w->file = H5Fcreate(t->path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (!ok || w->file < 0) h5_reason(why);
    close_id(fapl, H5Pclose);
    if (w->file < 0) {
        free(w->img.mem);
        w->img.mem = NULL;
        y90_tmp_discard(t);
        return Y90_FAIL(err, Y90_EIO, "%s: cannot create the HDF5 file in memory (%s)", path, why);
    }
    return Y90_OK;
}

/* Close the in-memory file and, when everything was built, write its image to the temporary file and put that in
 * place, then its XDMF sidecar (when g is given); otherwise remove the temporary file. Every HDF5 handle is
 * closed exactly once. */
static y90_status finish_output(h5w *w, y90_tmpfile *t, y90_status st, const y90_grid *g, int dose, int unc,
                                const y90_io_array *extra, int nextra)
{
    char why[160];
    ssize_t n = 0;
    if (st == Y90_OK && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot flush the HDF5 file (%s)", w->path, h5_reason(why));
    /* the size of the flushed image: the first n bytes of the driver's buffer, which stays ours after the close */
    if (st == Y90_OK && (n = H5Fget_file_image(w->file, NULL, 0)) <= 0)
        st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot get the HDF5 file image (%s)", w->path, h5_reason(why));
    herr_t rc = H5Fclose(w->file);
    w->file = -1;
    if (rc < 0 && st == Y90_OK) st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot close the HDF5 file (%s)", w->path,
                                              h5_reason(why));
    if (st == Y90_OK && !w->img.mem)
        st = Y90_FAIL(w->err, Y90_EINTERNAL, "%s: the HDF5 file image is missing", w->path);
    if (st == Y90_OK) st = y90_tmp_write(t, w->img.mem, (size_t)n, w->path, w->err);
    free(w->img.mem);
    w->img.mem = NULL;
    if (st == Y90_OK) {
        st = y90_tmp_commit(t, w->path, w->force, w->err);
        /* the XDMF sidecar follows its HDF5 file, once that is in place */
        return st == Y90_OK && g ? y90_xdmf_write(w->path, g, dose, unc, extra, nextra, w->err) : st;
    }
    y90_tmp_discard(t);
    return st;
}

static y90_status check_grid(const char *path, const y90_grid *g, y90_error *err)
{
    if (!g || g->nx <= 0 || g->ny <= 0 || g->nz <= 0 || !g->label || !g->material || !g->density)
        return Y90_FAIL(err, Y90_EINTERNAL, "%s: the grid to write is empty", path ? path : "(null)");
    return Y90_OK;
}

/* The phantom's objects and root attributes plus extra voxel arrays, published atomically. */
static y90_status write_phantom_arrays(const char *path, int force, const y90_config *cfg, const y90_grid *g,
                                       const y90_io_array *arr, int narr, y90_error *err)
{
    quiet_hdf5();
    y90_status st = check_grid(path, g, err);
    if (st != Y90_OK) return st;
    y90_tmpfile t;
    h5w w;
    st = open_output(path, force, &t, &w, err);
    if (st != Y90_OK) return st;
    st = write_phantom_objects(&w, cfg, g);
    for (int i = 0; i < narr && st == Y90_OK; i++)
        st = arr[i].f64 ? write_3d(&w, g, arr[i].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, arr[i].f64, arr[i].units)
                        : write_3d(&w, g, arr[i].name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, arr[i].f32, arr[i].units);
    return finish_output(&w, &t, st, g, 0, 0, arr, narr);
}

y90_status y90_io_write_phantom(const char *path, int force, const y90_config *cfg, const y90_grid *g,
                                y90_error *err)
{
    return write_phantom_arrays(path, force, cfg, g, NULL, 0, err);
}

y90_status y90_io_write_arrays(const char *path, int force, const y90_grid *g, const y90_io_array *arr, int narr,
                               y90_error *err)
{
    return write_phantom_arrays(path, force, NULL, g, arr, narr, err);
}

y90_status y90_io_write_run(const char *path, int force, const y90_config *cfg, const y90_grid *g,
                            const y90_sources *src, const y90_run_result *res, y90_error *err)
{
    quiet_hdf5();
    y90_status st = check_grid(path, g, err);
    if (st != Y90_OK) return st;
    if (!res || !res->dose || res->nvox != y90_grid_nvox(g))
        return Y90_FAIL(err, Y90_EINTERNAL, "%s: the dose to write does not match the grid", path);
    y90_tmpfile t;
    h5w w;
    st = open_output(path, force, &t, &w, err);
    if (st != Y90_OK) return st;
    int microspheres = src && src->type == Y90_SOURCE_MICROSPHERES;
    st = write_phantom_objects(&w, cfg, g);
    if (st == Y90_OK) st = write_run_attrs(&w, cfg, res);
    int unc = res->rel_unc && cfg && cfg->output.uncertainty;
    if (st == Y90_OK) st = write_dose(&w, g, res, unc);
    if (st == Y90_OK) st = write_energy_balance(&w, &res->eb);
    if (st == Y90_OK && res->part_count > 0 && res->tally.sum) st = write_tally(&w, &res->tally);
    /* validation sources (box, voxel, point, structure) have no treatment: the report then skips the
     * clinical estimates */
    if (st == Y90_OK && microspheres && cfg) st = write_treatment(&w, &cfg->treatment, src);
    if (st == Y90_OK && microspheres && cfg && cfg->output.microspheres && src->nspheres > 0 && src->spheres)
        st = write_spheres(&w, src);
    if (st == Y90_OK && microspheres && cfg && cfg->output.microspheres && src->nspheres > 0 &&
        src->storage == Y90_SPHERES_COUNTS)
        st = write_sphere_counts(&w, g, src);
    if (st == Y90_OK && microspheres && cfg && cfg->output.microspheres && src->nclusters > 0 && src->spheres)
        st = write_cluster_ids(&w, src);
    return finish_output(&w, &t, st, g, 1, unc, NULL, 0);
}

y90_status y90_io_write_checkpoint(const char *path, const y90_checkpoint_info *ck, const y90_tally *t,
                                   y90_error *err)
{
    quiet_hdf5();
    y90_tmpfile tf;
    h5w w;
    y90_status st = open_output(path, 1, &tf, &w, err); /* replaces the previous checkpoint in one rename */
    if (st != Y90_OK) return st;
    hid_t r = w.file;
    char created[32];
    utc_now(created);
    st = attr_str(&w, r, "/", "checkpoint", "y90mc run checkpoint (y90mc run ... --resume)");
    if (st == Y90_OK) st = attr_str(&w, r, "/", "version", y90_version());
    if (st == Y90_OK) st = attr_str(&w, r, "/", "git_revision", y90_git_revision());
    if (st == Y90_OK) st = attr_str(&w, r, "/", "created", created);
    if (st == Y90_OK) st = attr_str(&w, r, "/", "config_effective", ck->config_effective);
    if (st == Y90_OK) st = attr_uint64(&w, r, "/", "seed", ck->seed);
    if (st == Y90_OK) st = attr_int(&w, r, "/", "part_index", ck->part_index);
    if (st == Y90_OK) st = attr_int(&w, r, "/", "part_count", ck->part_count);
    if (st == Y90_OK) st = attr_int64(&w, r, "/", "first_history", ck->first);
    if (st == Y90_OK) st = attr_int64(&w, r, "/", "histories_done", ck->done);
    if (st == Y90_OK) st = attr_int64(&w, r, "/", "histories_requested", ck->requested);
    if (st == Y90_OK) st = attr_double(&w, r, "/", "runtime_s", ck->runtime_s);
    if (st == Y90_OK) st = write_tally(&w, t);
    return finish_output(&w, &tf, st, NULL, 0, 0, NULL, 0);
}
