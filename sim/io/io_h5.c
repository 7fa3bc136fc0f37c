/* The HDF5 output file (format version 1, documented in include/y90/io.h): writers and readers.
 * Every HDF5 call of the library is in sim/io/ (this file, and io_tally.c reading the tallies of parts). Writers build the whole file in memory (HDF5's core driver, no
 * backing store), so that HDF5 itself never meets a full disk (after failed writes it can crash in its exit
 * handler); the finished image is written with checked write() calls to a unique temporary file
 * (sim/io/publish.c) and put in place only when complete. Every dataset is chunked with the Fletcher32 checksum
 * filter (HDF5 1.10's file images of the 1.8 format, which checksums its metadata too, fail their own checksum, so
 * the default format is kept). Readers name the file and the
 * object in their messages, check every dimension product for overflow against the memory limit, and refuse
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
#include "y90/io.h"
#include "y90/kernel.h"
#include "y90/rng.h"
#include "y90/source.h"

#define CHUNK_MAX_ELEMENTS (1u << 20) /* elements per chunk of a 3-D array: at most one z-slab */
#define TABLE_CHUNK_ROWS 16384        /* rows per chunk of the microsphere table (512 KiB) */
#define GZIP_LEVEL 4
#define CORE_INCREMENT (16u << 20) /* bytes the in-memory file grows by */
#define MAX_FIXED_STRING 65536     /* longest fixed-length string attribute read */

static size_t reader_memory_limit = (size_t)-1; /* (size_t)-1: not set yet, use y90_memory_limit_bytes(0) */

void y90_io_set_memory_limit(size_t bytes) { reader_memory_limit = bytes; }

static size_t memory_limit(void)
{
    if (reader_memory_limit == (size_t)-1) reader_memory_limit = y90_memory_limit_bytes(0);
    return reader_memory_limit;
}

/* ------------------------------------------------------------------------------------------------ helpers */

/* HDF5 prints its error stack to stderr by default; users should see only our messages. */
static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static herr_t innermost_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc) snprintf((char *)data, 160, "%s", e->desc);
    return 0;
}

/* The most specific message of the current HDF5 error stack (for "(HDF5: ...)" in our messages). */
static const char *h5_reason(char buf[160])
{
    buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, buf);
    if (!buf[0]) snprintf(buf, 160, "HDF5 error");
    return buf;
}

/* Variable-length UTF-8 string type (h5py reads it as str). Close with H5Tclose. */
static hid_t vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static void vlen_reclaim(hid_t type, hid_t space, void *buf)
{
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

static void close_id(hid_t id, herr_t (*fn)(hid_t))
{
    if (id >= 0) fn(id);
}

/* ------------------------------------------------------------------------------------------------ writing */

typedef struct {
    hid_t file;       /* the temporary file */
    const char *path; /* the final path, named in messages */
    y90_error *err;
    int force;        /* may replace an existing path */
} h5w;

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

/* /tumour_ids (uint16, 0 = no tumour, k = tumour k) with attribute count: what the report's per-tumour rows use. */
static y90_status write_tumour_ids(h5w *w, const y90_grid *g)
{
    y90_status st = write_3d(w, g, "/tumour_ids", H5T_STD_U16LE, H5T_NATIVE_UINT16, g->tumour_id, "1");
    if (st != Y90_OK) return st;
    hid_t d = H5Dopen2(w->file, "/tumour_ids", H5P_DEFAULT);
    if (d < 0) return Y90_FAIL(w->err, Y90_EIO, "%s: cannot reopen /tumour_ids", w->path);
    st = attr_int(w, d, "/tumour_ids", "count", g->ntumours);
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
    if (st == Y90_OK && g->tumour_id) st = write_tumour_ids(w, g);
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
        if (st == Y90_OK)
            st = attr_str(w, r, "/", "run_status", y90_run_interrupted(res) ? "interrupted" : "completed");
    }
    static const char *const slurm_vars[] = {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"};
    static const char *const slurm_attrs[] = {"slurm_job_id", "slurm_array_job_id", "slurm_array_task_id"};
    for (int i = 0; i < 3 && st == Y90_OK; i++)
        if (getenv(slurm_vars[i])) st = attr_str(w, r, "/", slurm_attrs[i], getenv(slurm_vars[i]));
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
    y90_status st = attr_double(w, grp, o, "activity_calibration_gbq", t->activity_gbq);
    if (st == Y90_OK) st = attr_double(w, grp, o, "hours_after_calibration", t->hours_after_calibration);
    if (st == Y90_OK) st = attr_double(w, grp, o, "activity_treatment_gbq", src->activity_treatment_bq / 1e9);
    if (st == Y90_OK) st = attr_double(w, grp, o, "lung_shunt_fraction", t->lung_shunt_fraction);
    if (st == Y90_OK) st = attr_double(w, grp, o, "tn_ratio", t->tn_ratio);
    if (st == Y90_OK) st = attr_double(w, grp, o, "prescription_gy", t->prescription_gy);
    if (st == Y90_OK) st = attr_str(w, grp, o, "treated_lobes", treated_lobes_name(t->treated_lobes));
    if (st == Y90_OK) st = attr_str(w, grp, o, "product", src->product);
    if (st == Y90_OK) st = attr_int64(w, grp, o, "n_spheres", (int64_t)src->nspheres);
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

/* Compound types of one sphere row: packed little-endian in the file, y90_sphere in memory. */
static hid_t sphere_type(int file)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, file ? 32 : sizeof(y90_sphere));
    if (t < 0) return t;
    hid_t f64 = file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE, f32 = file ? H5T_IEEE_F32LE : H5T_NATIVE_FLOAT;
    int ok = H5Tinsert(t, "x_mm", file ? 0 : offsetof(y90_sphere, x), f64) >= 0 &&
             H5Tinsert(t, "y_mm", file ? 8 : offsetof(y90_sphere, y), f64) >= 0 &&
             H5Tinsert(t, "z_mm", file ? 16 : offsetof(y90_sphere, z), f64) >= 0 &&
             H5Tinsert(t, "diameter_um", file ? 24 : offsetof(y90_sphere, diameter_um), f32) >= 0 &&
             H5Tinsert(t, "activity_bq", file ? 28 : offsetof(y90_sphere, activity_bq), f32) >= 0;
    if (!ok) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static y90_status write_spheres(h5w *w, const y90_sources *src)
{
    static const char *const units[] = {"mm", "mm", "mm", "um", "Bq"}; /* one per field, in field order */
    hsize_t n = src->nspheres, chunk = n < TABLE_CHUNK_ROWS ? n : TABLE_CHUNK_ROWS;
    hid_t ft = sphere_type(1), mt = sphere_type(0), d = -1;
    y90_status st = Y90_OK;
    if (ft < 0 || mt < 0)
        st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot make the type of /microspheres", w->path);
    if (st == Y90_OK) st = dataset_put(w, "/microspheres", 1, &n, &chunk, ft, mt, src->spheres, &d);
    if (st == Y90_OK) st = attr_strs(w, d, "/microspheres", "units", units, 5);
    close_id(d, H5Dclose);
    close_id(ft, H5Tclose);
    close_id(mt, H5Tclose);
    return st;
}

/* The integer tallies of a part (/tally: sum, sum2 per voxel in x-fastest order; attributes eb, deposited). */
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
    if (st == Y90_OK) st = attr_put(w, grp, "/tally", "eb", H5T_STD_U64LE, H5T_NATIVE_UINT64, Y90_EB_N, t->eb);
    if (st == Y90_OK) st = attr_uint64(w, grp, "/tally", "deposited", t->deposited);
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
    int ok = fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0 &&
             H5Pset_fapl_core(fapl, CORE_INCREMENT, 0) >= 0;
    if (ok) w->file = H5Fcreate(t->path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (!ok || w->file < 0) h5_reason(why);
    close_id(fapl, H5Pclose);
    if (w->file < 0) {
        y90_tmp_discard(t);
        return Y90_FAIL(err, Y90_EIO, "%s: cannot create the HDF5 file in memory (%s)", path, why);
    }
    return Y90_OK;
}

/* Close the in-memory file and, when everything was built, write its image to the temporary file and put that in
 * place, then its XDMF sidecar; otherwise remove the temporary file. Every HDF5 handle is closed exactly once. */
static y90_status finish_output(h5w *w, y90_tmpfile *t, y90_status st, const y90_grid *g, int dose, int unc)
{
    char why[160];
    void *img = NULL;
    ssize_t n = 0;
    if (st == Y90_OK && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot flush the HDF5 file (%s)", w->path, h5_reason(why));
    if (st == Y90_OK && (n = H5Fget_file_image(w->file, NULL, 0)) <= 0)
        st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot get the HDF5 file image (%s)", w->path, h5_reason(why));
    if (st == Y90_OK && !(img = y90_calloc((size_t)n, 1, "HDF5 file image", w->err))) st = Y90_ENOMEM;
    if (st == Y90_OK && H5Fget_file_image(w->file, img, (size_t)n) != n)
        st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot copy the HDF5 file image (%s)", w->path, h5_reason(why));
    herr_t rc = H5Fclose(w->file);
    w->file = -1;
    if (rc < 0 && st == Y90_OK) st = Y90_FAIL(w->err, Y90_EIO, "%s: cannot close the HDF5 file (%s)", w->path,
                                              h5_reason(why));
    if (st == Y90_OK) st = y90_tmp_write(t, img, (size_t)n, w->path, w->err);
    free(img);
    if (st == Y90_OK) {
        st = y90_tmp_commit(t, w->path, w->force, w->err);
        /* the XDMF sidecar follows its HDF5 file, once that is in place */
        return st == Y90_OK ? y90_xdmf_write(w->path, g, dose, unc, w->err) : st;
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
    return finish_output(&w, &t, st, g, 0, 0);
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
    return finish_output(&w, &t, st, g, 1, unc);
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

/* /tumour_ids and its count; every id must be in [0, count]. */
static y90_status read_tumour_ids(hid_t f, const char *path, y90_grid *g, y90_error *err)
{
    double count;
    size_t n = y90_grid_nvox(g);
    y90_status st = get_doubles(f, path, "/tumour_ids", "count", &count, 1, err);
    if (st != Y90_OK) return st;
    if (!(count >= 0 && count <= 65535) || count != floor(count))
        return Y90_FAIL(err, Y90_EINPUT, "%s: /tumour_ids attribute count = %g: expected a whole number in [0, 65535]",
                        path, count);
    g->tumour_id = y90_calloc(n, sizeof *g->tumour_id, "tumour ids", err);
    if (!g->tumour_id) return Y90_ENOMEM;
    g->ntumours = (int)count;
    st = read_dataset(f, path, "/tumour_ids", H5T_NATIVE_UINT16, g->tumour_id, n, err);
    for (size_t i = 0; st == Y90_OK && i < n; i++)
        if (g->tumour_id[i] > g->ntumours)
            st = Y90_FAIL(err, Y90_EINPUT, "%s: /tumour_ids voxel %zu = %d: expected 0..%d (attribute count)", path, i,
                          g->tumour_id[i], g->ntumours);
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
    if (st == Y90_OK && H5Lexists(f, "/tumour_ids", H5P_DEFAULT) > 0) st = read_tumour_ids(f, path, g, err);
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
