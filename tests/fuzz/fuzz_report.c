/* libFuzzer harness: the HDF5 readers behind `y90mc report`, `compare` and `merge` (sim/io, sim/report, sim/run),
 * structure-aware.
 *
 * Raw byte mutation of an HDF5 file mostly exercises the HDF5 library's own object-header parser, not our code.
 * This harness instead starts from a valid output file (a small liver run made once at start-up) and reads the
 * fuzz input as a list of edits made through the HDF5 API: attributes set to any double (NaN, inf, negative,
 * huge), with their type changed, grid spacing and origin changed, voxel values overwritten, objects deleted,
 * datasets replaced by others of any shape, strings replaced by arbitrary bytes. The start file is a Monte Carlo
 * part file (`run --part 1/1`), so it carries the integer tallies /tally that `merge` reads. Then the report is
 * computed and printed, the edited file is compared with the original (`compare`, gamma included), and merged as
 * the single part of its run. Any crash or sanitizer finding is a defect; a refused file is the expected answer. */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "y90/compare.h"
#include "y90/config.h"
#include "y90/report.h"
#include "y90/run.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[512], seed_path[600], work_path[600], csv_path[600], merged_path[600];
static unsigned char *seed_bytes;
static size_t seed_len;

static const char *seed_config =
    "phantom:\n  type: liver\n  voxel_mm: 12\n  tumour_burden_percent: 15\n  tumour_count: 2\n"
    "source:\n  type: microspheres\n  product: therasphere\n"
    "treatment:\n  activity_gbq: 0.01\n  lung_shunt_fraction: 0.1\n"
    "transport:\n  kernel: mc\n  histories: 2000\n  seed: 3\n  threads: 1\n";

static void cleanup(void)
{
    unlink(seed_path);
    unlink(work_path);
    unlink(csv_path);
    unlink(merged_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/y90fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) abort();
    snprintf(seed_path, sizeof seed_path, "%s/seed.h5", dir);
    snprintf(work_path, sizeof work_path, "%s/work.h5", dir);
    snprintf(csv_path, sizeof csv_path, "%s/dvh.csv", dir);
    snprintf(merged_path, sizeof merged_path, "%s/merged.h5", dir);
    atexit(cleanup);
    y90_config c;
    y90_error e = {0};
    if (y90_config_parse("seed.yaml", seed_config, strlen(seed_config), &c, &e) ||
        y90_config_validate(&c, &e)) {
        fprintf(stderr, "fuzz_report: seed config: %s\n", e.msg);
        abort();
    }
    y90_run_options o = {.out_path = seed_path, .force = 1};
    if (y90_run_part(&c, &o, 1, 1, &e)) {
        fprintf(stderr, "fuzz_report: seed run: %s\n", e.msg);
        abort();
    }
    y90_config_free(&c);
    FILE *f = fopen(seed_path, "rb");
    if (!f) abort();
    fseek(f, 0, SEEK_END);
    seed_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    seed_bytes = malloc(seed_len);
    if (!seed_bytes || fread(seed_bytes, 1, seed_len, f) != seed_len) abort();
    fclose(f);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return 0;
}

/* The input, consumed from the front. */
typedef struct {
    const uint8_t *p;
    size_t n;
} input;

static unsigned take_u8(input *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

static uint32_t take_u32(input *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = v << 8 | take_u8(in);
    return v;
}

static double take_double(input *in)
{
    static const double special[] = {0.0, -1.0, 1e-300, -1e-300, 1e300, -0.0, 1.0, 0.5, 2.0, 1e9};
    unsigned k = take_u8(in);
    if (k < 128) return special[k % 10] * (k / 10 % 2 ? -1.0 : 1.0);
    if (k < 160) return (k & 1 ? 1.0 : -1.0) / 0.0; /* inf */
    if (k < 176) return 0.0 / 0.0;                  /* NaN */
    uint64_t bits = (uint64_t)take_u32(in) << 32 | take_u32(in);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static const char *objects[] = {"/", "/treatment", "/energy_balance", "/dose", "/labels", "/materials", "/density",
                                "/tally", "/tally/sum", "/tally/sum2", "/lobule_ids", "/tumour_ids",
                                "/microsphere_counts"};
static const char *attr_names[] = {
    "histories", "decays", "seed", "threads", "format_version", "kernel", "spacing_mm", "origin_mm",
    "activity_treatment_gbq", "activity_calibration_gbq", "lung_shunt_fraction", "tn_ratio", "gy_kg_per_gbq",
    "prescription_gy", "treated_lobes", "product", "n_spheres", "deposited_mev", "emitted_mev",
    "escaped_electron_mev", "relative_imbalance", "names", "kinds", "lobes", "units", "hours_after_calibration",
    "eb", "deposited", "part_index", "part_count", "part_first_history", "histories_total", "run_status",
    "config_effective", "count", "sphere_storage"};
static const char *datasets[] = {"/dose", "/dose_rel_uncertainty", "/density", "/labels", "/materials", "/treatment",
                                 "/energy_balance", "/microspheres", "/tally/sum", "/tally/sum2", "/lobule_ids",
                                 "/tumour_ids", "/microsphere_cluster_ids", "/microsphere_counts"};
#define COUNT(a) (sizeof(a) / sizeof(a[0]))

/* Close and open the work file again. HDF5 1.10 overflowed a heap buffer inside H5O__attr_write when this harness
 * deleted, created and rewrote attributes of one object in a single session, so every edit, and the deletion and
 * the creation within an edit, get sessions of their own. y90mc's readers never write, so this is not in our path. */
static void reopen(hid_t *f)
{
    H5Fclose(*f);
    *f = H5Fopen(work_path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (*f < 0) abort();
}

/* Move an attribute out of the way under a fresh name before one of its name is created (deleting and
 * re-creating a name is avoided too: HDF5 1.10's dense attribute storage is fragile under such edits). */
static void set_aside(hid_t f, const char *obj, const char *name)
{
    static unsigned serial;
    char aside[64];
    snprintf(aside, sizeof aside, "replaced_%u", serial++);
    H5Arename_by_name(f, obj, name, aside, H5P_DEFAULT);
}

/* Replace attribute name of obj by a double array of len values (len 1: scalar). */
static void set_attr_double(hid_t *fp, const char *obj, const char *name, input *in)
{
    hid_t f = *fp;
    if (!H5Oexists_by_name(f, obj, H5P_DEFAULT) || H5Oexists_by_name(f, obj, H5P_DEFAULT) < 0) return;
    unsigned len = take_u8(in) % 5;
    double v[4];
    for (unsigned i = 0; i < (len ? len : 1); i++) v[i] = take_double(in);
    /* never rewritten in place: H5Awrite on an existing attribute in an object's dense attribute storage (more
     * than 8 attributes, as /treatment has) wrote past a heap buffer inside HDF5 1.10 (H5O__attr_write) */
    if (H5Aexists_by_name(f, obj, name, H5P_DEFAULT) > 0) {
        set_aside(f, obj, name);
        reopen(fp), f = *fp;
    }
    hsize_t dim = len;
    hid_t s = len <= 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
    hid_t a = H5Acreate_by_name(f, obj, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, H5T_NATIVE_DOUBLE, v), H5Aclose(a);
    H5Sclose(s);
}

/* Replace attribute name of obj by a string (scalar or array of up to 12) of arbitrary bytes. */
static void set_attr_string(hid_t *fp, const char *obj, const char *name, input *in)
{
    hid_t f = *fp;
    if (H5Oexists_by_name(f, obj, H5P_DEFAULT) <= 0) return;
    unsigned count = take_u8(in) % 13, len = take_u8(in) % 80 + 1;
    static char buf[12 * 80];
    for (unsigned i = 0; i < (count ? count : 1) * len; i++) buf[i] = (char)take_u8(in);
    if (H5Aexists_by_name(f, obj, name, H5P_DEFAULT) > 0) {
        set_aside(f, obj, name);
        reopen(fp), f = *fp;
    }
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, len);
    hsize_t dim = count;
    hid_t s = count ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate_by_name(f, obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) H5Awrite(a, t, buf), H5Aclose(a);
    H5Sclose(s), H5Tclose(t);
}

/* Overwrite one element of a dataset with a value (converted to the stored type). */
static void set_voxel(hid_t f, const char *name, input *in)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return;
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) return;
    hid_t s = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    uint32_t at = take_u32(in);
    double v = take_double(in);
    if (n > 0 && H5Sget_simple_extent_ndims(s) > 0) {
        hsize_t coord[H5S_MAX_RANK];
        int rank = H5Sget_simple_extent_ndims(s);
        hsize_t dims[H5S_MAX_RANK];
        H5Sget_simple_extent_dims(s, dims, NULL);
        uint64_t k = at % (uint64_t)n;
        for (int i = rank - 1; i >= 0; i--) coord[i] = k % dims[i], k /= dims[i];
        hid_t t = H5Dget_type(d);
        if (H5Tget_class(t) == H5T_FLOAT || H5Tget_class(t) == H5T_INTEGER) {
            H5Sselect_elements(s, H5S_SELECT_SET, 1, coord);
            hsize_t one = 1;
            hid_t m = H5Screate_simple(1, &one, NULL);
            H5Dwrite(d, H5T_NATIVE_DOUBLE, m, s, H5P_DEFAULT, &v);
            H5Sclose(m);
        }
        H5Tclose(t);
    }
    H5Sclose(s), H5Dclose(d);
}

/* Replace a dataset by a float64 or int32 one of any small shape filled from the input. */
static void replace_dataset(hid_t *fp, const char *name, input *in)
{
    hid_t f = *fp;
    if (H5Lexists(f, name, H5P_DEFAULT) > 0) {
        H5Ldelete(f, name, H5P_DEFAULT);
        reopen(fp), f = *fp;
    }
    int rank = (int)(take_u8(in) % 4);
    hsize_t dims[3] = {1, 1, 1}, n = 1;
    for (int i = 0; i < rank; i++) dims[i] = take_u8(in) % 9, n *= dims[i];
    int integer = take_u8(in) & 1;
    double *v = calloc(n ? n : 1, sizeof *v);
    for (hsize_t i = 0; i < n; i++) v[i] = take_double(in);
    hid_t s = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(f, name, integer ? H5T_STD_I32LE : H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0) H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), H5Dclose(d);
    H5Sclose(s);
    free(v);
}

static void edit(hid_t *fp, input *in)
{
    hid_t f = *fp;
    unsigned op = take_u8(in) % 6;
    const char *obj = objects[take_u8(in) % COUNT(objects)];
    const char *attr = attr_names[take_u8(in) % COUNT(attr_names)];
    const char *ds = datasets[take_u8(in) % COUNT(datasets)];
    switch (op) {
    case 0: set_attr_double(fp, obj, attr, in); break;
    case 1: set_attr_string(fp, obj, attr, in); break;
    case 2: set_voxel(f, ds, in); break;
    case 3: set_voxel(f, ds, in); break;
    case 4:
        if (take_u8(in) & 1) {
            if (H5Oexists_by_name(f, obj, H5P_DEFAULT) > 0 && H5Aexists_by_name(f, obj, attr, H5P_DEFAULT) > 0)
                H5Adelete_by_name(f, obj, attr, H5P_DEFAULT);
        } else if (H5Lexists(f, ds, H5P_DEFAULT) > 0) {
            H5Ldelete(f, ds, H5P_DEFAULT);
        }
        break;
    default: replace_dataset(fp, ds, in); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *w = fopen(work_path, "wb");
    if (!w || fwrite(seed_bytes, 1, seed_len, w) != seed_len) abort();
    fclose(w);
    input in = {data, size};
    hid_t f = H5Fopen(work_path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) abort();
    for (int i = 0; i < 8 && in.n; i++) edit(&f, &in), reopen(&f); /* each edit in a session of its own */
    H5Fclose(f);

    y90_report r;
    y90_error e = {0};
    y90_report_options o;
    y90_report_options_default(&o);
    o.prescription_gy = (size & 1) ? 0.0 : 113.0;
    if (y90_report_compute(work_path, &o, &r, &e) == Y90_OK) {
        FILE *null = fopen("/dev/null", "w");
        y90_report_print_text(&r, null);
        y90_report_print_json(&r, null);
        fclose(null);
        y90_report_write_dvh_csv(work_path, csv_path, 1, &e);
        y90_report_free(&r);
    }
    /* 50 % threshold: few reference voxels, so that gamma does not dominate the time of an input */
    y90_gamma_criteria crit = {3.0, 2.0, (int)(size & 2) >> 1, 50.0, (int)(size & 4) >> 2};
    y90_compare *cmp = calloc(1, sizeof *cmp);
    if (cmp && y90_compare_files(seed_path, work_path, &crit, 1, NULL, 0, cmp, &e) == Y90_OK) {
        FILE *null = fopen("/dev/null", "w");
        y90_compare_print_text(cmp, null);
        y90_compare_print_json(cmp, null);
        fclose(null);
    }
    free(cmp);
    const char *parts[1] = {work_path};
    y90_merge_parts(parts, 1, merged_path, 1, NULL, &e);
    return 0;
}
