/* Damaged and hand-made run files and inputs (issue 11; the other faults are in test_faults.c): sizes declared by
 * a file that overflow or pass the memory limit, a flipped byte under the Fletcher32 checksums, attribute values
 * no writer makes, truncated run files and configs. Each must end with a clear message naming the file, exit 2
 * and no output written. */
#define _GNU_SOURCE
#include "testutil.h"
#include "y90/io.h"
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HAS Y90T_HAS
#define cli y90t_clif
#define BOX y90t_box_yaml

/* ------------------------------------------------------------------------------ HDF5 surgery on run files */

static void h5_set_attr_double(const char *path, const char *obj, const char *name, double v)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    hid_t o = H5Lexists(f, obj, H5P_DEFAULT) > 0 || !strcmp(obj, "/") ? H5Oopen(f, obj, H5P_DEFAULT)
                                                                       : H5Gcreate2(f, obj, H5P_DEFAULT, H5P_DEFAULT,
                                                                                    H5P_DEFAULT);
    CU_ASSERT_FATAL(o >= 0);
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    hsize_t n = 1;
    hid_t s = H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(o, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    CU_ASSERT(H5Awrite(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    H5Sclose(s);
    H5Oclose(o);
    H5Fclose(f);
}

static void h5_set_attr_string(const char *path, const char *obj, const char *name, const char *v)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(v) + 1);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(o, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    CU_ASSERT(H5Awrite(a, t, v) >= 0);
    H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    H5Oclose(o);
    H5Fclose(f);
}

/* Set element i of a float dataset (any rank; flattened index). */
static void h5_set_float(const char *path, const char *name, hsize_t i, float v)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    hsize_t dims[3], coord[3];
    H5Sget_simple_extent_dims(s, dims, NULL);
    coord[2] = i % dims[2];
    coord[1] = (i / dims[2]) % dims[1];
    coord[0] = i / (dims[2] * dims[1]);
    H5Sselect_elements(s, H5S_SELECT_SET, 1, coord);
    hsize_t one = 1;
    hid_t m = H5Screate_simple(1, &one, NULL);
    CU_ASSERT(H5Dwrite(d, H5T_NATIVE_FLOAT, m, s, H5P_DEFAULT, &v) >= 0);
    H5Sclose(m);
    H5Sclose(s);
    H5Dclose(d);
    H5Fclose(f);
}

/* Overwrite a whole double dataset with the value v. */
static void h5_fill_double(const char *path, const char *name, double v)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    double *buf = malloc((size_t)n * sizeof *buf);
    for (hssize_t i = 0; i < n; i++) buf[i] = v;
    CU_ASSERT(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    free(buf);
    H5Sclose(s);
    H5Dclose(d);
    H5Fclose(f);
}

/* A file holding only format_version and a chunked, never-written /labels of the given shape. */
static void h5_fake_labels(const char *path, hsize_t nz, hsize_t ny, hsize_t nx)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CU_ASSERT_FATAL(f >= 0);
    hsize_t dims[3] = {nz, ny, nx}, chunk[3] = {1, 1, nx < 1024 ? nx : 1024};
    hid_t s = H5Screate_simple(3, dims, NULL);
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(p, 3, chunk);
    hid_t d = H5Dcreate2(f, "/labels", H5T_STD_U8LE, s, H5P_DEFAULT, p, H5P_DEFAULT);
    CU_ASSERT_FATAL(d >= 0);
    H5Dclose(d);
    H5Pclose(p);
    H5Sclose(s);
    int one = 1;
    s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "format_version", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT, &one);
    H5Aclose(a);
    H5Sclose(s);
    double sp[3] = {1, 1, 1};
    hsize_t three = 3;
    s = H5Screate_simple(1, &three, NULL);
    a = H5Acreate2(f, "spacing_mm", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, sp);
    H5Aclose(a);
    a = H5Acreate2(f, "origin_mm", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, sp);
    H5Aclose(a);
    H5Sclose(s);
    H5Fclose(f);
}

/* --------------------------------------------------------------------------------- 4: sizes from the file */

static void test_declared_sizes(void)
{
    y90t_pathbuf wrap = y90t_tpath("wrap.h5");
    h5_fake_labels(wrap.s, 8, 1073764994, 2147437309); /* the product wraps around 2^64 */
    char *msg = NULL;
    CU_ASSERT_EQUAL(cli(&msg, "report %s", wrap.s), 2);
    HAS(msg, "overflows");
    free(msg);
    y90t_pathbuf huge = y90t_tpath("huge.h5");
    h5_fake_labels(huge.s, 4000, 4000, 4000); /* 64 G voxels from a file of a few kB */
    CU_ASSERT_EQUAL(cli(&msg, "report %s", huge.s), 2);
    HAS(msg, "memory limit");
    free(msg);
    /* the library's limit applies to every reader */
    y90t_pathbuf run = y90t_tpath("limit.h5");
    y90t_box_run(run.s);
    y90_grid g;
    y90_error e = {0};
    y90_io_set_memory_limit(1000); /* bytes */
    CU_ASSERT_EQUAL(y90_io_read_grid(run.s, &g, &e), Y90_ENOMEM);
    HAS(e.msg, "memory limit");
    y90_io_set_memory_limit(0);
    CU_ASSERT_EQUAL(y90_io_read_grid(run.s, &g, &e), Y90_OK);
    y90_grid_free(&g);
}

/* ------------------------------------------------------------------------------------------- 5: checksums */

static void test_checksums(void)
{
    y90t_pathbuf run = y90t_tpath("sum.h5");
    y90t_box_run(run.s);
    hid_t f = H5Fopen(run.s, H5F_ACC_RDONLY, H5P_DEFAULT);
    const char *sets[] = {"/dose", "/dose_rel_uncertainty", "/labels", "/materials", "/density"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
        hid_t d = H5Dopen2(f, sets[i], H5P_DEFAULT), p = H5Dget_create_plist(d);
        unsigned flags;
        size_t nv = 0;
        int has = H5Pget_filter_by_id2(p, H5Z_FILTER_FLETCHER32, &flags, &nv, NULL, 0, NULL, NULL) >= 0;
        if (!has) fprintf(stderr, "\n    %s has no Fletcher32 filter ", sets[i]);
        CU_ASSERT(has);
        H5Pclose(p);
        H5Dclose(d);
    }
    /* flip one byte in the middle of the first stored chunk of /dose */
    hid_t d = H5Dopen2(f, "/dose", H5P_DEFAULT);
    hsize_t off[3];
    unsigned mask;
    haddr_t addr = 0;
    hsize_t size = 0;
    hid_t s = H5Dget_space(d);
    CU_ASSERT_FATAL(H5Dget_chunk_info(d, s, 0, off, &mask, &addr, &size) >= 0);
    H5Sclose(s);
    H5Dclose(d);
    H5Fclose(f);
    int fd = open(run.s, O_RDWR);
    unsigned char b;
    CU_ASSERT_FATAL(pread(fd, &b, 1, (off_t)(addr + size / 2)) == 1);
    b ^= 0x10;
    CU_ASSERT(pwrite(fd, &b, 1, (off_t)(addr + size / 2)) == 1);
    close(fd);
    char *msg = NULL;
    CU_ASSERT_EQUAL(cli(&msg, "report %s", run.s), 2);
    HAS(msg, "/dose");
    HAS(msg, "checksum");
    free(msg);
}

/* ------------------------------------------------------------------------- 8: values no writer makes */

static void test_report_ranges(void)
{
    struct { const char *obj, *name; double v; } bad[] = {
        {"/treatment", "activity_treatment_gbq", -1}, {"/treatment", "lung_shunt_fraction", 7},
        {"/treatment", "tn_ratio", NAN}, {"/treatment", "gy_kg_per_gbq", INFINITY}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        y90t_pathbuf p = y90t_tpath("range%zu.h5", i);
        y90t_box_run(p.s);
        /* a complete, valid /treatment, then one value out of range */
        h5_set_attr_double(p.s, "/treatment", "activity_treatment_gbq", 1);
        h5_set_attr_double(p.s, "/treatment", "lung_shunt_fraction", 0.1);
        h5_set_attr_double(p.s, "/treatment", "tn_ratio", 3);
        h5_set_attr_double(p.s, "/treatment", "gy_kg_per_gbq", 49.7);
        h5_set_attr_double(p.s, "/treatment", "prescription_gy", 120);
        h5_set_attr_string(p.s, "/treatment", "treated_lobes", "both");
        h5_set_attr_double(p.s, "/treatment", "activity_calibration_gbq", 1.5);
        h5_set_attr_double(p.s, "/treatment", "hours_after_calibration", 24);
        h5_set_attr_double(p.s, "/treatment", "half_life_h", 64.1);
        h5_set_attr_string(p.s, "/treatment", "product", "glass");
        char *msg = NULL;
        CU_ASSERT_EQUAL(cli(&msg, "report %s", p.s), 0);
        free(msg);
        h5_set_attr_double(p.s, bad[i].obj, bad[i].name, bad[i].v);
        CU_ASSERT_EQUAL(cli(&msg, "report %s", p.s), 2);
        HAS(msg, bad[i].name);
        free(msg);
    }
    /* grid attributes and voxel densities */
    y90t_pathbuf p = y90t_tpath("nan_density.h5");
    y90t_box_run(p.s);
    h5_set_float(p.s, "/density", 17, NAN);
    char *msg = NULL;
    CU_ASSERT_EQUAL(cli(&msg, "report %s", p.s), 2);
    HAS(msg, "/density");
    free(msg);
    p = y90t_tpath("inf_spacing.h5");
    y90t_box_run(p.s);
    double sp[3] = {5, INFINITY, 5};
    hid_t f = H5Fopen(p.s, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t a = H5Aopen(f, "spacing_mm", H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, sp);
    H5Aclose(a);
    H5Fclose(f);
    CU_ASSERT_EQUAL(cli(&msg, "report %s", p.s), 2);
    HAS(msg, "spacing_mm");
    free(msg);
    /* doses so small that the DVH bin width underflows (undefined behaviour before) */
    p = y90t_tpath("tiny.h5");
    y90t_box_run(p.s);
    h5_fill_double(p.s, "/dose", 4.9e-324);
    y90t_pathbuf csv = y90t_tpath("tiny.csv");
    CU_ASSERT_EQUAL(cli(&msg, "report %s --dvh-csv %s", p.s, csv.s), 0);
    free(msg);
    char *text = y90t_slurp(csv.s, NULL);
    CU_ASSERT(text && strstr(text, "dose_gy,") == text);
    free(text);
}

/* The counts of a part (`run --part`) that `merge` reads: non-integers, NaN, infinities and values out of range are
 * refused by name (an infinite part_index reached an int conversion before: fuzz_report, 2026-12-01). */
static void test_part_counts(void)
{
    y90t_pathbuf cfg = y90t_twrite("part.yaml", "phantom:\n  type: box\n  voxel_mm: 5\n  box_size_mm: [30, 30, 30]\n"
                                                "  material: water\nsource:\n  type: uniform_box\ntreatment:\n"
                                                "  activity_gbq: 1.0\ntransport:\n  kernel: mc\n  histories: 500\n");
    struct { const char *name; double v; } bad[] = {{"part_index", INFINITY}, {"part_index", 2},
                                                    {"part_count", 0.5}, {"histories_total", NAN},
                                                    {"part_first_history", -1}, {"histories", 1e30}};
    for (size_t i = 0; i <= sizeof bad / sizeof *bad; i++) {
        y90t_pathbuf p = y90t_tpath("part%zu.h5", i), out = y90t_tpath("merged%zu.h5", i);
        char *msg = NULL;
        CU_ASSERT_EQUAL_FATAL(cli(&msg, "run %s -o %s --part 1/1 --quiet --force", cfg.s, p.s), 0);
        free(msg);
        if (i == sizeof bad / sizeof *bad) { /* the untouched part merges */
            CU_ASSERT_EQUAL(cli(&msg, "merge %s -o %s", p.s, out.s), 0);
            free(msg);
            continue;
        }
        h5_set_attr_double(p.s, "/", bad[i].name, bad[i].v);
        CU_ASSERT_EQUAL(cli(&msg, "merge %s -o %s", p.s, out.s), 2);
        HAS(msg, bad[i].name);
        HAS(msg, "expected a whole number");
        free(msg);
        CU_ASSERT(!y90t_exists(out.s));
    }
}

static void test_truncated_inputs(void)
{
    y90t_pathbuf run = y90t_tpath("trunc.h5");
    y90t_box_run(run.s);
    struct stat sb;
    stat(run.s, &sb);
    CU_ASSERT_FATAL(truncate(run.s, sb.st_size / 2) == 0);
    char *msg = NULL;
    y90t_pathbuf csv = y90t_tpath("trunc.csv");
    CU_ASSERT_EQUAL(cli(&msg, "report %s --dvh-csv %s", run.s, csv.s), 2);
    HAS(msg, "trunc.h5");
    HAS(msg, "truncated");
    free(msg);
    CU_ASSERT_FALSE(y90t_exists(csv.s));
    /* a config cut in the middle of a line */
    size_t len = strlen(BOX);
    char *cut = strndup(BOX, len - 12);
    y90t_pathbuf cfg = y90t_twrite("cut.yaml", cut);
    free(cut);
    y90t_pathbuf out = y90t_tpath("cut.h5");
    CU_ASSERT_EQUAL(cli(&msg, "run %s -o %s --quiet", cfg.s, out.s), 2);
    HAS(msg, "cut.yaml:");
    free(msg);
    CU_ASSERT_FALSE(y90t_exists(out.s));
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("damaged files", NULL, NULL);
    CU_add_test(s, "4: declared sizes: overflow and memory limit", test_declared_sizes);
    CU_add_test(s, "5: Fletcher32 on every dataset, a flipped byte refused", test_checksums);
    CU_add_test(s, "8: /treatment, spacing and density ranges; tiny doses in the DVH", test_report_ranges);
    CU_add_test(s, "part counts no writer makes, refused by merge", test_part_counts);
    CU_add_test(s, "truncated inputs", test_truncated_inputs);
}
