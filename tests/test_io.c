/* HDF5 output (io.h format 1): run and phantom files round-trip, existing files are refused or replaced,
 * failed writes leave no temporary file and no damage, readers name the file and the missing object. */
#include "testutil.h"
#include "y90/io.h"
#include "y90/kernel.h"
#include "y90/rng.h"
#include "y90/source.h"
#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define YAML "# test\nphantom:\n  type: box\n"

/* A small run built by hand: 5 x 4 x 3 voxels, 4 structures, 3 materials, 3 spheres, a known dose. */
typedef struct {
    y90_config cfg;
    y90_grid g;
    y90_sphere spheres[3];
    y90_sources src;
    y90_run_result res;
} fixture;

static void make_grid(y90_grid *g)
{
    memset(g, 0, sizeof *g);
    g->nx = 5;
    g->ny = 4;
    g->nz = 3;
    g->spacing[0] = 2.0;
    g->spacing[1] = 2.5;
    g->spacing[2] = 3.0;
    g->lo[0] = -5.0;
    g->lo[1] = -5.0;
    g->lo[2] = 0.5;
    CU_ASSERT_FATAL(y90_grid_alloc(g, 0, NULL) == Y90_OK);
    y90_grid_add_structure(g, "outside", Y90_KIND_OUTSIDE, Y90_LOBE_NONE);
    y90_grid_add_structure(g, "liver_right", Y90_KIND_LIVER_NORMAL, Y90_LOBE_RIGHT);
    y90_grid_add_structure(g, "tumour_viable_left", Y90_KIND_TUMOR_VIABLE, Y90_LOBE_LEFT);
    y90_grid_add_structure(g, "lung", Y90_KIND_LUNG, Y90_LOBE_NONE);
    y90_grid_add_material(g, "air");
    y90_grid_add_material(g, "liver");
    y90_grid_add_material(g, "lung");
    size_t n = y90_grid_nvox(g);
    for (size_t i = 0; i < n; i++) {
        g->label[i] = (uint8_t)(i % 4);
        g->material[i] = (uint8_t)(i % 3);
        g->density[i] = 0.5f + 0.01f * (float)i;
    }
}

static void make_run(fixture *f)
{
    memset(f, 0, sizeof *f);
    make_grid(&f->g);
    f->cfg.yaml_text = (char *)YAML;
    snprintf(f->cfg.path, sizeof f->cfg.path, "configs/test.yaml");
    f->cfg.treatment.activity_gbq = 3.0;
    f->cfg.treatment.hours_after_calibration = 24.0;
    f->cfg.treatment.lung_shunt_fraction = 0.05;
    f->cfg.treatment.tn_ratio = 3.0;
    f->cfg.treatment.treated_lobes = Y90_TREAT_RIGHT;
    f->cfg.treatment.prescription_gy = 120.0;
    f->cfg.output.uncertainty = 1;
    f->cfg.output.microspheres = 1;
    for (int i = 0; i < 3; i++)
        f->spheres[i] = (y90_sphere){.voxel = (uint32_t)(7 * i + 1), .offset_mm = {0.25f * (float)i, 0.125f, 0.5f},
                                     .diameter_um = 25.5f + (float)i, .activity_bq = 2000.5f - (float)i};
    f->src.type = Y90_SOURCE_MICROSPHERES;
    f->src.nspheres = 3;
    f->src.spheres = f->spheres;
    snprintf(f->src.product, sizeof f->src.product, "therasphere");
    f->src.activity_calibration_bq = 3e9;
    f->src.activity_treatment_bq = 2.5e9;
    size_t n = y90_grid_nvox(&f->g);
    f->res.nvox = n;
    f->res.dose = calloc(n, sizeof *f->res.dose);
    f->res.rel_unc = calloc(n, sizeof *f->res.rel_unc);
    CU_ASSERT_FATAL(f->res.dose && f->res.rel_unc);
    for (size_t i = 0; i < n; i++) {
        f->res.dose[i] = (double)i / 3.0 + 1e-7 * sqrt((double)i);
        f->res.rel_unc[i] = 0.01f * (float)i;
    }
    f->res.histories = 1000000;
    f->res.seed = 12345;
    f->res.threads = 4;
    f->res.decays = 1.5e15;
    f->res.runtime_s = 2.5;
    f->res.kernel = "local";
    f->res.eb = (y90_energy_balance){.emitted = 100.0, .deposited = 90.0, .escaped_electron = 4.0,
                                     .escaped_photon = 5.0, .below_cutoff = 1.0, .in_spheres = 2.0};
}

static void free_run(fixture *f)
{
    y90_grid_free(&f->g);
    free(f->res.dose);
    free(f->res.rel_unc);
}

static double attr_d(const char *path, const char *obj, const char *name)
{
    double v = NAN;
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_io_read_attr_double(path, obj, name, &v, &e), Y90_OK);
    return v;
}

static int attr_is(const char *path, const char *obj, const char *name, const char *expect)
{
    char buf[1024];
    y90_error e = {0};
    if (y90_io_read_attr_string(path, obj, name, buf, sizeof buf, &e) != Y90_OK) return 0;
    return strcmp(buf, expect) == 0;
}

/* No "<name>.tmp-*" file left in the test directory. */
static int no_temp_files(void)
{
    DIR *d = opendir(y90t_dir());
    if (!d) return 0;
    int clean = 1;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".tmp-")) clean = 0;
    closedir(d);
    return clean;
}

static void check_grid_equal(const y90_grid *a, const y90_grid *b)
{
    CU_ASSERT_EQUAL(a->nx, b->nx);
    CU_ASSERT_EQUAL(a->ny, b->ny);
    CU_ASSERT_EQUAL(a->nz, b->nz);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_DOUBLE_EQUAL(a->spacing[i], b->spacing[i], 0);
        CU_ASSERT_DOUBLE_EQUAL(a->lo[i], b->lo[i], 1e-12);
    }
    size_t n = y90_grid_nvox(a);
    CU_ASSERT_EQUAL(memcmp(a->label, b->label, n), 0);
    CU_ASSERT_EQUAL(memcmp(a->material, b->material, n), 0);
    CU_ASSERT_EQUAL(memcmp(a->density, b->density, n * sizeof(float)), 0);
    CU_ASSERT_EQUAL_FATAL(a->nstructures, b->nstructures);
    for (int i = 0; i < a->nstructures; i++) {
        CU_ASSERT_STRING_EQUAL(a->structures[i].name, b->structures[i].name);
        CU_ASSERT_EQUAL(a->structures[i].kind, b->structures[i].kind);
        CU_ASSERT_EQUAL(a->structures[i].lobe, b->structures[i].lobe);
    }
    CU_ASSERT_EQUAL_FATAL(a->nmaterials, b->nmaterials);
    for (int i = 0; i < a->nmaterials; i++) CU_ASSERT_STRING_EQUAL(a->material_names[i], b->material_names[i]);
}

static void check_root_attrs(const char *p, const fixture *f)
{
    CU_ASSERT_EQUAL(attr_d(p, "/", "format_version"), Y90_FORMAT_VERSION);
    CU_ASSERT_EQUAL(attr_d(p, "/", "histories"), 1000000);
    CU_ASSERT_EQUAL(attr_d(p, "/", "seed"), 12345);
    CU_ASSERT_EQUAL(attr_d(p, "/", "threads"), 4);
    CU_ASSERT_EQUAL(attr_d(p, "/", "decays"), 1.5e15);
    CU_ASSERT_EQUAL(attr_d(p, "/", "runtime_s"), 2.5);
    CU_ASSERT(attr_is(p, "/", "kernel", "local"));
    CU_ASSERT(attr_is(p, "/", "rng", Y90_RNG_SCHEME));
    CU_ASSERT(attr_is(p, "/", "config", YAML));
    CU_ASSERT(attr_is(p, "/", "config_path", "configs/test.yaml"));
    CU_ASSERT(attr_is(p, "/", "version", y90_version()));
    CU_ASSERT(attr_is(p, "/", "git_revision", y90_git_revision()));
    char created[64];
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_io_read_attr_string(p, "/", "created", created, sizeof created, &e), Y90_OK);
    CU_ASSERT_EQUAL(strlen(created), 20); /* 2024-05-01T12:00:00Z */
    CU_ASSERT_EQUAL(created[10], 'T');
    CU_ASSERT_EQUAL(created[19], 'Z');
    (void)f;
}

static void check_treatment(const char *p)
{
    const char *t = "/treatment";
    CU_ASSERT_EQUAL(attr_d(p, t, "activity_calibration_gbq"), 3.0);
    CU_ASSERT_EQUAL(attr_d(p, t, "hours_after_calibration"), 24.0);
    CU_ASSERT_EQUAL(attr_d(p, t, "activity_treatment_gbq"), 2.5);
    CU_ASSERT_EQUAL(attr_d(p, t, "lung_shunt_fraction"), 0.05);
    CU_ASSERT_EQUAL(attr_d(p, t, "tn_ratio"), 3.0);
    CU_ASSERT_EQUAL(attr_d(p, t, "prescription_gy"), 120.0);
    CU_ASSERT_EQUAL(attr_d(p, t, "n_spheres"), 3);
    CU_ASSERT_EQUAL(attr_d(p, t, "half_life_h"), Y90_HALF_LIFE_H);
    CU_ASSERT_EQUAL(attr_d(p, t, "mean_energy_mev"), Y90_MEAN_ENERGY_MEV);
    CU_ASSERT_EQUAL(attr_d(p, t, "gy_kg_per_gbq"), y90_gy_kg_per_gbq());
    CU_ASSERT(attr_is(p, t, "treated_lobes", "right"));
    CU_ASSERT(attr_is(p, t, "product", "therasphere"));
    const char *b = "/energy_balance";
    CU_ASSERT_EQUAL(attr_d(p, b, "emitted_mev"), 100.0);
    CU_ASSERT_EQUAL(attr_d(p, b, "deposited_mev"), 90.0);
    CU_ASSERT_EQUAL(attr_d(p, b, "escaped_electron_mev"), 4.0);
    CU_ASSERT_EQUAL(attr_d(p, b, "escaped_photon_mev"), 5.0);
    CU_ASSERT_EQUAL(attr_d(p, b, "below_cutoff_mev"), 1.0);
    CU_ASSERT_EQUAL(attr_d(p, b, "in_spheres_mev"), 2.0);
    CU_ASSERT_DOUBLE_EQUAL(attr_d(p, b, "relative_imbalance"), 0.01, 1e-15);
}

/* The sphere table and the units attributes, read with HDF5 directly (io.h has no reader for them). */
static void check_spheres_and_units(const char *p, const fixture *f)
{
    hid_t file = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    CU_ASSERT_FATAL(file >= 0);
    static const char *const ds[] = {"/dose", "/dose_rel_uncertainty", "/labels", "/materials", "/density",
                                     "/microspheres"};
    for (size_t i = 0; i < sizeof ds / sizeof *ds; i++)
        CU_ASSERT(H5Aexists_by_name(file, ds[i], "units", H5P_DEFAULT) > 0);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(y90_sphere));
    H5Tinsert(t, "voxel", offsetof(y90_sphere, voxel), H5T_NATIVE_UINT32);
    H5Tinsert(t, "x_offset_mm", offsetof(y90_sphere, offset_mm[0]), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "y_offset_mm", offsetof(y90_sphere, offset_mm[1]), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "z_offset_mm", offsetof(y90_sphere, offset_mm[2]), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "diameter_um", offsetof(y90_sphere, diameter_um), H5T_NATIVE_FLOAT);
    H5Tinsert(t, "activity_bq", offsetof(y90_sphere, activity_bq), H5T_NATIVE_FLOAT);
    y90_sphere back[3];
    memset(back, 0, sizeof back);
    hid_t d = H5Dopen2(file, "/microspheres", H5P_DEFAULT);
    CU_ASSERT(d >= 0 && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
    CU_ASSERT_EQUAL(memcmp(back, f->spheres, sizeof back), 0);
    CU_ASSERT_EQUAL(H5Tget_size(H5Dget_type(d)), 24); /* 24-byte rows, whatever the memory layout */
    H5Dclose(d);
    H5Tclose(t);
    H5Fclose(file);
}

/* h5py reads the string attributes as str (skipped when python3 has no h5py). */
static void check_h5py_strings(const char *p)
{
    if (system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0) return;
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import h5py,sys; f=h5py.File(sys.argv[1]); "
             "a=f[\"labels\"].attrs; assert [type(x) for x in a[\"names\"]]==[str]*4, a[\"names\"]; "
             "assert list(a[\"kinds\"])==[\"outside\",\"liver_normal\",\"tumour_viable\",\"lung\"]; "
             "assert list(f[\"materials\"].attrs[\"names\"])==[\"air\",\"liver\",\"lung\"]; "
             "assert isinstance(f.attrs[\"config\"], str); assert f[\"dose\"].attrs[\"units\"]==\"Gy\"; "
             "assert f[\"dose\"].shape==(3,4,5); assert f[\"dose\"].compression==\"gzip\"' %s",
             p);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* The sphere centres as a reader outside y90mc gets them from the documented layout (io.h): origin_mm + (index
 * - 0.5) spacing_mm + offset; sphere 1 sits in voxel 8 = (3, 1, 0): x = -4 + 2 (3 - 0.5) + 0.25. */
static void check_h5py_spheres(const char *p, const fixture *f)
{
    if (system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0) return;
    double c[3];
    y90_sphere_centre(&f->g, &f->spheres[1], c);
    CU_ASSERT_DOUBLE_EQUAL(c[0], -4.0 + 2.0 * 2.5 + 0.25, 1e-12);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import h5py,sys,numpy as np; f=h5py.File(sys.argv[1]); t=f[\"microspheres\"][:]; "
             "o=f.attrs[\"origin_mm\"]; s=f.attrs[\"spacing_mm\"]; assert f.attrs[\"format_version\"]==2; "
             "n=np.array([5,4]); v=t[\"voxel\"].astype(int); i=np.stack([v%%5,(v//5)%%4,v//20],1); "
             "off=np.stack([t[\"x_offset_mm\"],t[\"y_offset_mm\"],t[\"z_offset_mm\"]],1); "
             "c=o+(i-0.5)*s+off; assert np.allclose(c[1],[%.17g,%.17g,%.17g],rtol=0,atol=1e-12), c[1]; "
             "assert list(f[\"microspheres\"].attrs[\"units\"])==[\"1\",\"mm\",\"mm\",\"mm\",\"um\",\"Bq\"]; "
             "assert f[\"microspheres\"].compression==\"gzip\"' %s",
             c[0], c[1], c[2], p);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_run_round_trip(void)
{
    fixture f;
    make_run(&f);
    const char *p = y90t_path("run.h5");
    char path[1024];
    snprintf(path, sizeof path, "%s", p);
    remove(path);
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_io_write_run(path, 0, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_OK);
    y90_grid g;
    CU_ASSERT_EQUAL_FATAL(y90_io_read_grid(path, &g, &e), Y90_OK);
    check_grid_equal(&f.g, &g);
    double *dose = NULL;
    float *unc = NULL;
    CU_ASSERT_EQUAL_FATAL(y90_io_read_dose(path, y90_grid_nvox(&g), &dose, &unc, &e), Y90_OK);
    CU_ASSERT_EQUAL(memcmp(dose, f.res.dose, f.res.nvox * sizeof *dose), 0); /* bitwise */
    CU_ASSERT_FATAL(unc != NULL);
    CU_ASSERT_EQUAL(memcmp(unc, f.res.rel_unc, f.res.nvox * sizeof *unc), 0);
    check_root_attrs(path, &f);
    check_treatment(path);
    check_spheres_and_units(path, &f);
    check_h5py_strings(path);
    check_h5py_spheres(path, &f);
    CU_ASSERT(no_temp_files());
    free(dose);
    free(unc);
    y90_grid_free(&g);
    /* a format-version-1 file (its sphere table aside, the same objects) is still read; version 3 is refused */
    for (int version = 1; version <= 3; version += 2) {
        hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), a = H5Aopen(file, "format_version", H5P_DEFAULT);
        CU_ASSERT(a >= 0 && H5Awrite(a, H5T_NATIVE_INT, &version) >= 0);
        H5Aclose(a);
        H5Fclose(file);
        y90_status st = y90_io_read_grid(path, &g, &e);
        CU_ASSERT_EQUAL(st, version == 1 ? Y90_OK : Y90_EINPUT);
        if (version == 1) check_grid_equal(&f.g, &g);
        if (st == Y90_OK) y90_grid_free(&g);
    }
    free_run(&f);
}

/* Without uncertainty and microspheres output, and for a validation source: no such objects, no /treatment. */
static void test_optional_objects(void)
{
    fixture f;
    make_run(&f);
    f.cfg.output.uncertainty = 0;
    f.src.type = Y90_SOURCE_UNIFORM_BOX;
    f.cfg.yaml_text = NULL;
    const char *path = y90t_path("validation.h5");
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_io_write_run(path, 1, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_OK);
    double *dose = NULL;
    float sentinel = 0, *unc = &sentinel; /* must be reset to NULL */
    CU_ASSERT_EQUAL(y90_io_read_dose(path, f.res.nvox, &dose, &unc, &e), Y90_OK);
    CU_ASSERT_PTR_NULL(unc);
    CU_ASSERT_FALSE(y90_io_has_object(path, "/dose_rel_uncertainty"));
    CU_ASSERT_FALSE(y90_io_has_object(path, "/treatment"));
    CU_ASSERT_FALSE(y90_io_has_object(path, "/microspheres"));
    CU_ASSERT_TRUE(y90_io_has_object(path, "/energy_balance"));
    CU_ASSERT(attr_is(path, "/", "config", ""));
    /* a config larger than the 64 KiB of an HDF5 object header round-trips whole */
    size_t big = 200000;
    char *yaml = malloc(big + 1), *back = malloc(big + 16);
    CU_ASSERT_FATAL(yaml && back);
    for (size_t i = 0; i < big; i++) yaml[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
    yaml[big] = 0;
    f.cfg.yaml_text = yaml;
    CU_ASSERT_EQUAL(y90_io_write_run(path, 1, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_OK);
    CU_ASSERT_EQUAL(y90_io_read_attr_string(path, "/", "config", back, big + 16, &e), Y90_OK);
    CU_ASSERT_STRING_EQUAL(back, yaml);
    CU_ASSERT_EQUAL(y90_io_read_attr_string(path, "/", "config", back, 10, &e), Y90_OK); /* truncated */
    CU_ASSERT_EQUAL(strlen(back), 9);
    free(yaml);
    free(back);
    f.cfg.yaml_text = NULL;
    /* microspheres source with the table switched off */
    f.src.type = Y90_SOURCE_MICROSPHERES;
    f.cfg.output.microspheres = 0;
    CU_ASSERT_EQUAL(y90_io_write_run(path, 1, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_OK);
    CU_ASSERT_TRUE(y90_io_has_object(path, "/treatment"));
    CU_ASSERT_FALSE(y90_io_has_object(path, "/microspheres"));
    free(dose);
    free_run(&f);
}

static void test_existing_file(void)
{
    fixture f;
    make_run(&f);
    char path[1024];
    snprintf(path, sizeof path, "%s", y90t_path("exists.h5"));
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_io_write_run(path, 1, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_OK);
    size_t len0 = 0, len1 = 0;
    char *before = y90t_slurp(path, &len0);
    f.res.dose[7] = 1234.5;
    /* the output exists (it appeared while the run was going): it is kept, and so is the finished result, under
     * a name the message gives (issue 11 item 3: the result used to be thrown away) */
    CU_ASSERT_EQUAL(y90_io_write_run(path, 0, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "appeared while this run was going and is kept"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
    const char *kept = strstr(e.msg, "result is in ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
    char kept_path[1100];
    snprintf(kept_path, sizeof kept_path, "%s", kept + strlen("result is in "));
    *strchr(kept_path, ' ') = 0;
    double *kd = NULL;
    CU_ASSERT_EQUAL(y90_io_read_dose(kept_path, f.res.nvox, &kd, NULL, &e), Y90_OK);
    CU_ASSERT(kd && kd[7] == 1234.5);
    free(kd);
    remove(kept_path);
    CU_ASSERT_EQUAL(y90_io_write_phantom(path, 0, &f.cfg, &f.g, &e), Y90_EINPUT);
    kept = strstr(e.msg, "result is in ");
    if (kept) {
        snprintf(kept_path, sizeof kept_path, "%s", kept + strlen("result is in "));
        *strchr(kept_path, ' ') = 0;
        CU_ASSERT_EQUAL(remove(kept_path), 0);
    }
    char *after = y90t_slurp(path, &len1);
    CU_ASSERT_FATAL(before && after);
    CU_ASSERT(len0 == len1 && memcmp(before, after, len0) == 0);
    CU_ASSERT_EQUAL(y90_io_write_run(path, 1, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_OK);
    double *dose = NULL;
    CU_ASSERT_EQUAL_FATAL(y90_io_read_dose(path, f.res.nvox, &dose, NULL, &e), Y90_OK);
    CU_ASSERT_EQUAL(dose[7], 1234.5);
    CU_ASSERT(no_temp_files());
    free(dose);
    free(before);
    free(after);
    free_run(&f);
}

static void test_write_failures(void)
{
    fixture f;
    make_run(&f);
    y90_error e = {0};
    char path[1024], tmp[1100];
    snprintf(path, sizeof path, "%s/no/such/dir/out.h5", y90t_dir());
    CU_ASSERT_EQUAL(y90_io_write_run(path, 0, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    CU_ASSERT_FALSE(y90_file_exists(tmp));
    CU_ASSERT_FALSE(y90_file_exists(path));
    /* the temporary file is complete but the target is a directory: the directory is left alone, the result
     * kept under another name, no temporary file left */
    snprintf(path, sizeof path, "%s", y90t_path("a_directory"));
    mkdir(path, 0755);
    snprintf(tmp, sizeof tmp, "%s/keep.txt", path);
    FILE *k = fopen(tmp, "w");
    CU_ASSERT_FATAL(k != NULL);
    fputs("keep\n", k);
    fclose(k);
    CU_ASSERT_EQUAL(y90_io_write_run(path, 1, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is a folder"));
    CU_ASSERT_TRUE(y90_file_exists(tmp));
    CU_ASSERT(no_temp_files());
    free_run(&f);
}

static void test_phantom_round_trip(void)
{
    y90_grid g0, g1;
    make_grid(&g0);
    y90_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.yaml_text = (char *)YAML;
    const char *path = y90t_path("phantom.h5");
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_io_write_phantom(path, 1, &cfg, &g0, &e), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_io_read_grid(path, &g1, &e), Y90_OK);
    check_grid_equal(&g0, &g1);
    CU_ASSERT(attr_is(path, "/", "config", YAML));
    CU_ASSERT_EQUAL(attr_d(path, "/", "format_version"), Y90_FORMAT_VERSION);
    double *dose = NULL;
    CU_ASSERT_EQUAL(y90_io_read_dose(path, y90_grid_nvox(&g1), &dose, NULL, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NULL(dose);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/dose"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
    CU_ASSERT_FALSE(y90_io_has_object(path, "/dose"));
    y90_grid_free(&g1);
    /* empty name tables round-trip as empty arrays */
    g0.nmaterials = 0;
    CU_ASSERT_EQUAL_FATAL(y90_io_write_phantom(path, 1, NULL, &g0, &e), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_io_read_grid(path, &g1, &e), Y90_OK);
    CU_ASSERT_EQUAL(g1.nmaterials, 0);
    CU_ASSERT_EQUAL(g1.nstructures, 4);
    y90_grid_free(&g0);
    y90_grid_free(&g1);
}

/* /tumour_ids round-trips with its count; an id above the count is refused naming the dataset. */
static void test_tumour_ids(void)
{
    y90_grid g0, g1;
    make_grid(&g0);
    size_t n = y90_grid_nvox(&g0);
    g0.tumour_id = calloc(n, sizeof *g0.tumour_id);
    CU_ASSERT_FATAL(g0.tumour_id != NULL);
    g0.ntumours = 300; /* more than 255: needs 16 bits */
    g0.tumour_id[1] = 1;
    g0.tumour_id[n - 1] = 300;
    const char *path = y90t_path("tumour_ids.h5");
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_io_write_phantom(path, 1, NULL, &g0, &e), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_io_read_grid(path, &g1, &e), Y90_OK);
    CU_ASSERT_EQUAL(g1.ntumours, 300);
    CU_ASSERT_FATAL(g1.tumour_id != NULL);
    CU_ASSERT_EQUAL(memcmp(g0.tumour_id, g1.tumour_id, n * sizeof *g0.tumour_id), 0);
    y90_grid_free(&g1);
    g0.ntumours = 2;
    CU_ASSERT_EQUAL_FATAL(y90_io_write_phantom(path, 1, NULL, &g0, &e), Y90_OK);
    CU_ASSERT_EQUAL(y90_io_read_grid(path, &g1, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/tumour_ids"));
    CU_ASSERT_PTR_NULL(g1.tumour_id);
    /* a grid without tumours writes no /tumour_ids */
    free(g0.tumour_id);
    g0.tumour_id = NULL;
    g0.ntumours = 0;
    CU_ASSERT_EQUAL_FATAL(y90_io_write_phantom(path, 1, NULL, &g0, &e), Y90_OK);
    CU_ASSERT_FALSE(y90_io_has_object(path, "/tumour_ids"));
    y90_grid_free(&g0);
}

static void test_reader_errors(void)
{
    y90_error e = {0};
    y90_grid g;
    double v;
    char buf[64];
    const char *missing = y90t_path("missing.h5");
    CU_ASSERT_EQUAL(y90_io_read_grid(missing, &g, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "missing.h5"));
    const char *text = y90t_write("not_hdf5.h5", "hello\n");
    CU_ASSERT_EQUAL(y90_io_read_attr_double(text, "/", "decays", &v, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not an HDF5 file"));
    fixture f;
    make_run(&f);
    const char *path = y90t_path("errors.h5");
    CU_ASSERT_EQUAL_FATAL(y90_io_write_run(path, 1, &f.cfg, &f.g, &f.src, &f.res, &e), Y90_OK);
    CU_ASSERT_EQUAL(y90_io_read_attr_double(path, "/treatment", "nonsense", &v, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nonsense"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/treatment"));
    CU_ASSERT_EQUAL(y90_io_read_attr_double(path, "/nogroup", "x", &v, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nogroup"));
    CU_ASSERT_EQUAL(y90_io_read_attr_double(path, "/", "kernel", &v, &e), Y90_EINPUT); /* a string */
    CU_ASSERT_EQUAL(y90_io_read_attr_string(path, "/", "decays", buf, sizeof buf, &e), Y90_EINPUT);
    double *dose = NULL;
    CU_ASSERT_EQUAL(y90_io_read_dose(path, 7, &dose, NULL, &e), Y90_EINPUT); /* wrong voxel count */
    CU_ASSERT_PTR_NULL(dose);
    CU_ASSERT(y90_file_exists(path));
    CU_ASSERT_FALSE(y90_file_exists(missing));
    free_run(&f);
}

/* Publishing a finished file never replaces an output that appeared meanwhile unless forced, and keeps the
 * result under its temporary name then. */
static void test_publish(void)
{
    char tmp[1024], out[1024];
    snprintf(tmp, sizeof tmp, "%s", y90t_write("pub.tmp-1", "new"));
    snprintf(out, sizeof out, "%s", y90t_write("pub.csv", "old"));
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_publish(tmp, out, 0, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pub.tmp-1"));
    char *a = y90t_slurp(out, NULL), *b = y90t_slurp(tmp, NULL);
    CU_ASSERT(a && strcmp(a, "old") == 0);
    CU_ASSERT(b && strcmp(b, "new") == 0);
    free(a);
    free(b);
    CU_ASSERT_EQUAL(y90_publish(tmp, out, 1, &e), Y90_OK);
    a = y90t_slurp(out, NULL);
    CU_ASSERT(a && strcmp(a, "new") == 0);
    CU_ASSERT_FALSE(y90_file_exists(tmp));
    free(a);
    /* a new path without force: published, temporary gone */
    snprintf(tmp, sizeof tmp, "%s", y90t_write("pub2.tmp-1", "x"));
    snprintf(out, sizeof out, "%s", y90t_path("pub2.csv"));
    remove(out);
    CU_ASSERT_EQUAL(y90_publish(tmp, out, 0, &e), Y90_OK);
    CU_ASSERT(y90_file_exists(out) && !y90_file_exists(tmp));
}

void y90t_register(void)
{
    CU_pSuite sp = CU_add_suite("publish", NULL, NULL);
    CU_add_test(sp, "never replaces an output that appeared meanwhile", test_publish);
    CU_pSuite s = CU_add_suite("io", NULL, NULL);
    CU_add_test(s, "run round trip", test_run_round_trip);
    CU_add_test(s, "optional objects", test_optional_objects);
    CU_add_test(s, "existing file and --force", test_existing_file);
    CU_add_test(s, "failed writes", test_write_failures);
    CU_add_test(s, "phantom round trip", test_phantom_round_trip);
    CU_add_test(s, "reader errors", test_reader_errors);
    CU_add_test(s, "tumour ids", test_tumour_ids);
}
