/* Report: statistics, DVH metrics and clinical estimates on hand-made dose files whose answers are known
 * analytically; text, JSON (parsed by python3's json) and the DVH CSV. */
#include "testutil.h"
#include "y90/io.h"
#include "y90/kernel.h"
#include "y90/report.h"
#include "y90/source.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-9

/* A run file from a grid and a dose array; treated = -1 writes no /treatment (a validation run). */
static void write_file(const char *path, const y90_grid *g, double *dose, int treated, double lsf)
{
    y90_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.treatment.activity_gbq = 3.2;
    cfg.treatment.lung_shunt_fraction = lsf;
    cfg.treatment.tn_ratio = 3.0;
    cfg.treatment.prescription_gy = 113.0;
    cfg.treatment.treated_lobes = treated < 0 ? Y90_TREAT_BOTH : (y90_treated_lobes)treated;
    y90_sources src;
    memset(&src, 0, sizeof src);
    src.type = treated < 0 ? Y90_SOURCE_UNIFORM_BOX : Y90_SOURCE_MICROSPHERES;
    src.activity_calibration_bq = 3.2e9;
    src.activity_treatment_bq = 3e9;
    y90_run_result res;
    memset(&res, 0, sizeof res);
    res.nvox = y90_grid_nvox(g);
    res.dose = dose;
    res.kernel = "local";
    res.histories = res.histories_requested = 1000; /* a completed run: run_status completed */
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_io_write_run(path, 1, &cfg, g, &src, &res, &e), Y90_OK);
}

/* 10 x 10 x 2 voxels of 2 mm: a "box" layer holding 1..100 Gy in shuffled order over an "outside" layer. */
static void write_box_file(const char *path)
{
    y90_grid g = {.nx = 10, .ny = 10, .nz = 2, .spacing = {2, 2, 2}};
    CU_ASSERT_FATAL(y90_grid_alloc(&g, 0, NULL) == Y90_OK);
    y90_grid_add_structure(&g, "outside", Y90_KIND_OUTSIDE, Y90_LOBE_NONE);
    y90_grid_add_structure(&g, "box", Y90_KIND_MEDIUM, Y90_LOBE_NONE);
    y90_grid_add_material(&g, "water");
    double dose[200];
    for (size_t i = 0; i < 200; i++) {
        int in_box = i < 100;
        g.label[i] = (uint8_t)in_box;
        g.density[i] = in_box ? 1.0f : 0.0f;
        dose[i] = in_box ? (double)((i * 37) % 100 + 1) : 0.0; /* 37 is prime to 100: a permutation of 1..100 */
    }
    write_file(path, &g, dose, -1, 0);
    y90_grid_free(&g);
}

/* One row of 9 voxels of 100 mm (1000 ml each; mass in kg = density): structures and doses
 *   voxel  structure               kind              lobe   density  dose (Gy)
 *   0      outside                 outside           none   0.001    0
 *   1, 2   liver_right             liver_normal      right  1, 3     100, 200
 *   3      liver_left              liver_normal      left   2        40
 *   4      tumour_viable_right     tumour_viable     right  1        300
 *   5      tumour_necrotic_right   tumour_necrotic   right  1        50
 *   6      tumour_viable_left      tumour_viable     left   1        150
 *   7      lung                    lung              none   0.25     lung_gy
 *   8      body                    body              none   1        1
 * /treatment: A = 3 GBq at treatment, T/N = 3, prescription 113 Gy. */
static void write_liver_file(const char *path, int treated, double lsf, double lung_gy)
{
    static const struct {
        const char *name;
        y90_kind kind;
        y90_lobe lobe;
    } s[] = {{"outside", Y90_KIND_OUTSIDE, Y90_LOBE_NONE},
             {"liver_right", Y90_KIND_LIVER_NORMAL, Y90_LOBE_RIGHT},
             {"liver_left", Y90_KIND_LIVER_NORMAL, Y90_LOBE_LEFT},
             {"tumour_viable_right", Y90_KIND_TUMOR_VIABLE, Y90_LOBE_RIGHT},
             {"tumour_necrotic_right", Y90_KIND_TUMOR_NECROTIC, Y90_LOBE_RIGHT},
             {"tumour_viable_left", Y90_KIND_TUMOR_VIABLE, Y90_LOBE_LEFT},
             {"lung", Y90_KIND_LUNG, Y90_LOBE_NONE},
             {"body", Y90_KIND_BODY, Y90_LOBE_NONE}};
    static const uint8_t label[9] = {0, 1, 1, 2, 3, 4, 5, 6, 7};
    static const float rho[9] = {0.001f, 1, 3, 2, 1, 1, 1, 0.25f, 1};
    double dose[9] = {0, 100, 200, 40, 300, 50, 150, lung_gy, 1};
    y90_grid g = {.nx = 9, .ny = 1, .nz = 1, .spacing = {100, 100, 100}, .lo = {-450, -50, -50}};
    CU_ASSERT_FATAL(y90_grid_alloc(&g, 0, NULL) == Y90_OK);
    for (size_t i = 0; i < sizeof s / sizeof *s; i++) y90_grid_add_structure(&g, s[i].name, s[i].kind, s[i].lobe);
    y90_grid_add_material(&g, "liver");
    for (int i = 0; i < 9; i++) {
        g.label[i] = label[i];
        g.density[i] = rho[i];
    }
    write_file(path, &g, dose, treated, lsf);
    y90_grid_free(&g);
}

/* The report with the default options and prescription presc (0: the file's). */
static y90_status compute(const char *path, double presc, y90_report *r, y90_error *e)
{
    y90_report_options o;
    y90_report_options_default(&o);
    o.prescription_gy = presc;
    return y90_report_compute(path, &o, r, e);
}

static const y90_dose_stats *row(const y90_report *r, const char *name)
{
    const y90_dose_stats *s = y90_report_row(r, name);
    CU_ASSERT_PTR_NOT_NULL(s);
    return s;
}

static void test_dvh_metrics(void)
{
    const char *path = y90t_path("box.h5");
    write_box_file(path);
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(compute(path, 50.0, &r, &e), Y90_OK);
    CU_ASSERT_EQUAL(r.nrows, 1); /* outside is skipped, the groups are empty */
    const y90_dose_stats *b = row(&r, "box");
    if (!b) return;
    CU_ASSERT_EQUAL(b->nvox, 100);
    CU_ASSERT_DOUBLE_EQUAL(b->volume_ml, 0.8, TOL);
    CU_ASSERT_DOUBLE_EQUAL(b->mass_g, 0.8, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(b->mean_gy, 50.5, TOL);
    CU_ASSERT_EQUAL(b->min_gy, 1);
    CU_ASSERT_EQUAL(b->max_gy, 100);
    /* hottest x % = the x hottest voxels; Dx is the coolest of them: 101 - x */
    CU_ASSERT_EQUAL(b->dx[0], 99);
    CU_ASSERT_EQUAL(b->dx[1], 51);
    CU_ASSERT_EQUAL(b->dx[2], 31);
    CU_ASSERT_EQUAL(b->dx[3], 11);
    CU_ASSERT_EQUAL(b->dx[4], 3);
    CU_ASSERT_DOUBLE_EQUAL(b->vx[0], 31, TOL);   /* 70..100 */
    CU_ASSERT_DOUBLE_EQUAL(b->vx[1], 1, TOL);
    CU_ASSERT_DOUBLE_EQUAL(b->vx[2], 0, TOL);
    CU_ASSERT_DOUBLE_EQUAL(b->vx[3], 0, TOL);
    CU_ASSERT_DOUBLE_EQUAL(b->vpresc, 51, TOL); /* 50..100 */
    /* no /treatment: no clinical estimates, no liver or lung summary */
    CU_ASSERT(isnan(r.mird_treated_liver_gy) && isnan(r.partition_normal_gy) && isnan(r.partition_tumour_gy));
    CU_ASSERT(isnan(r.mird_lung_gy) && isnan(r.treated_liver_mean_gy) && isnan(r.lung_mean_gy));
    y90_report_free(&r);
    CU_ASSERT_EQUAL_FATAL(compute(path, 0, &r, &e), Y90_OK);
    CU_ASSERT(isnan(r.prescription_gy) && isnan(r.rows[0].vpresc));
    y90_report_free(&r);
}

/* Two lobes of different masses, tumours, lung; treated both lobes. */
static void test_liver_both(void)
{
    const char *path = y90t_path("liver_both.h5");
    write_liver_file(path, Y90_TREAT_BOTH, 0.1, 8.0);
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(compute(path, 0, &r, &e), Y90_OK);
    double k = 0;
    CU_ASSERT_EQUAL(y90_io_read_attr_double(path, "/treatment", "gy_kg_per_gbq", &k, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(k, 49.77, 0.01);
    CU_ASSERT_EQUAL(r.prescription_gy, 113.0);
    /* 7 structures; groups tumour_viable, tumour, liver_treated, liver_normal_treated; the other groups hold the
     * same voxels as an earlier row and are its aliases */
    CU_ASSERT_EQUAL(r.nrows, 7 + 4);
    CU_ASSERT_PTR_NULL(y90_report_row(&r, "outside"));
    CU_ASSERT_PTR_EQUAL(y90_report_row(&r, "tumour_viable_treated"), y90_report_row(&r, "tumour_viable"));
    CU_ASSERT_PTR_EQUAL(y90_report_row(&r, "liver"), y90_report_row(&r, "liver_treated"));
    CU_ASSERT_PTR_EQUAL(y90_report_row(&r, "liver_normal"), y90_report_row(&r, "liver_normal_treated"));
    CU_ASSERT_PTR_EQUAL(y90_report_row(&r, "lungs"), y90_report_row(&r, "lung"));
    CU_ASSERT_PTR_EQUAL(y90_report_row(&r, "tumour_necrotic"), y90_report_row(&r, "tumour_necrotic_right"));
    for (int i = 0; i < r.nrows; i++)
        for (int j = 0; j < i; j++) CU_ASSERT(strcmp(r.rows[i].name, r.rows[j].name) != 0);
    const y90_dose_stats *lr = row(&r, "liver_right");
    CU_ASSERT_DOUBLE_EQUAL(lr->mass_g, 4000, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(lr->volume_ml, 2000, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(lr->mean_gy, 175, TOL); /* (100 x 1 + 200 x 3) / 4, the volume mean would be 150 */
    CU_ASSERT_EQUAL(lr->dx[1], 200);
    CU_ASSERT_EQUAL(lr->dx[3], 100);
    CU_ASSERT_DOUBLE_EQUAL(lr->vx[3], 50, TOL);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "tumour_viable")->mean_gy, 225, TOL);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "tumour")->mean_gy, 500.0 / 3, TOL);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver_normal_treated")->mean_gy, 780.0 / 6, TOL);
    const y90_dose_stats *lt = row(&r, "liver_treated");
    CU_ASSERT_DOUBLE_EQUAL(lt->mean_gy, 1280.0 / 9, TOL);
    CU_ASSERT_DOUBLE_EQUAL(lt->mass_g, 9000, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(lt->vpresc, 50, TOL); /* 200, 300, 150 of 6 voxels >= 113 */
    CU_ASSERT_DOUBLE_EQUAL(r.treated_liver_mean_gy, 1280.0 / 9, TOL);
    CU_ASSERT_DOUBLE_EQUAL(r.tumour_mean_gy, 225, TOL);
    CU_ASSERT_DOUBLE_EQUAL(r.normal_liver_mean_gy, 130, TOL);
    CU_ASSERT_DOUBLE_EQUAL(r.lung_mean_gy, 8, TOL);
    /* k A (1 - LSF) = 2.7 k Gy kg; M_treated = 9 kg; partition M_T = 2 kg (viable only), M_N = 6 kg */
    CU_ASSERT_DOUBLE_EQUAL(r.mird_treated_liver_gy, k * 2.7 / 9, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.partition_normal_gy, k * 2.7 / (3 * 2 + 6), 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.partition_tumour_gy, 3 * k * 2.7 / 12, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.mird_lung_gy, k * 0.3 / 0.25, 1e-9);
    CU_ASSERT_EQUAL(r.lung_limit_gy, 30);
    y90_report_free(&r);
}

/* Right lobe treated: only right-lobe liver and tumour in the treated groups and the estimates. */
static void test_liver_right(void)
{
    const char *path = y90t_path("liver_right.h5");
    write_liver_file(path, Y90_TREAT_RIGHT, 0.1, 40.0);
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(compute(path, 120, &r, &e), Y90_OK);
    double k = 64.10 * 3600.0 / log(2.0) * 1e9 * 0.93310 * 1.602176634e-13; /* ICRP 107, Gy kg/GBq, independent */
    CU_ASSERT_EQUAL(r.prescription_gy, 120);
    /* groups tumour_viable, tumour, liver_treated, liver, liver_normal; liver_normal_treated = liver_right and
     * tumour_viable_treated = tumour_viable_right are aliases */
    CU_ASSERT_EQUAL(r.nrows, 7 + 5);
    CU_ASSERT_STRING_EQUAL(row(&r, "liver_normal_treated")->name, "liver_right");
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver")->mean_gy, 1280.0 / 9, TOL);          /* whole liver, both lobes */
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver_normal")->mean_gy, 780.0 / 6, TOL);    /* whole normal liver */
    CU_ASSERT_DOUBLE_EQUAL(r.whole_normal_liver_mean_gy, 130, TOL);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "tumour_viable_treated")->mean_gy, 300, TOL);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver_normal_treated")->mass_g, 4000, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver_treated")->mean_gy, 175, TOL); /* (100 + 600 + 300 + 50) / 6 */
    CU_ASSERT_DOUBLE_EQUAL(r.tumour_mean_gy, 300, TOL);
    CU_ASSERT_DOUBLE_EQUAL(r.mird_treated_liver_gy, k * 2.7 / 6, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.partition_normal_gy, k * 2.7 / (3 * 1 + 4), 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.partition_tumour_gy, 3 * k * 2.7 / 7, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.lung_mean_gy, 40, TOL);
    y90_report_free(&r);
}

static char *print_to_file(const y90_report *r, const char *name, int json)
{
    const char *p = y90t_path(name);
    FILE *f = fopen(p, "w");
    CU_ASSERT_FATAL(f != NULL);
    if (json) y90_report_print_json(r, f);
    else y90_report_print_text(r, f);
    fclose(f);
    return y90t_slurp(p, NULL);
}

static int json_parses(const char *name)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' %s",
             y90t_path(name));
    return system(cmd) == 0;
}

static void test_output(void)
{
    y90_report r;
    y90_error e = {0};
    const char *path = y90t_path("liver_out.h5");
    write_liver_file(path, Y90_TREAT_RIGHT, 0.1, 40.0);
    CU_ASSERT_EQUAL_FATAL(compute(path, 0, &r, &e), Y90_OK);
    char *text = print_to_file(&r, "report.txt", 0);
    CU_ASSERT_FATAL(text != NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "liver_treated"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "treated liver mean"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "175.0 Gy vs prescription 113.0 Gy (154.9 %)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "EXCEEDED")); /* simulated lung 40 Gy */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "MIRD single compartment"));
    free(text);
    char *json = print_to_file(&r, "report.json", 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"lung_ok\": false"));
    CU_ASSERT(json_parses("report.json"));
    free(json);
    /* a validation run: estimates are n/a and null */
    write_box_file(path);
    y90_report_free(&r);
    CU_ASSERT_EQUAL_FATAL(compute(path, 0, &r, &e), Y90_OK);
    text = print_to_file(&r, "report_box.txt", 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "n/a"));
    free(text);
    json = print_to_file(&r, "report_box.json", 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"mird_treated_liver_gy\": null"));
    CU_ASSERT(json_parses("report_box.json"));
    free(json);
    y90_report_free(&r);
}

/* Value of column col at the line whose dose is dose_gy (-1 if absent). */
static double csv_value(const char *csv, double dose_gy, int col)
{
    for (const char *l = strchr(csv, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        char *end;
        double d = strtod(l + 1, &end);
        if (d != dose_gy) continue;
        const char *p = end; /* at the comma before column 0 */
        for (int c = 0; c < col && p; c++) p = strchr(p + 1, ',');
        return p ? strtod(p + 1, NULL) : -1;
    }
    return -1;
}

static void test_dvh_csv(void)
{
    const char *h5 = y90t_path("dvh_box.h5");
    write_box_file(h5);
    char csv_path[1024];
    snprintf(csv_path, sizeof csv_path, "%s", y90t_path("dvh_box.csv"));
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_report_write_dvh_csv(h5, csv_path, 1, &e), Y90_OK);
    char *csv = y90t_slurp(csv_path, NULL);
    CU_ASSERT_FATAL(csv != NULL);
    CU_ASSERT_EQUAL(strncmp(csv, "dose_gy,box\n", 12), 0);
    int lines = 0;
    for (const char *c = csv; *c; c++) lines += *c == '\n';
    CU_ASSERT_EQUAL(lines, 1 + 201); /* max 100 Gy in 0.5 Gy bins: 0, 0.5, ..., 100 */
    CU_ASSERT_DOUBLE_EQUAL(csv_value(csv, 0, 0), 100, TOL);
    CU_ASSERT_DOUBLE_EQUAL(csv_value(csv, 50, 0), 51, TOL);
    CU_ASSERT_DOUBLE_EQUAL(csv_value(csv, 50.5, 0), 50, TOL);
    CU_ASSERT_DOUBLE_EQUAL(csv_value(csv, 100, 0), 1, TOL);
    free(csv);
    /* the liver file: one column per row; 300 Gy max -> 601 bins */
    write_liver_file(h5, Y90_TREAT_BOTH, 0.1, 8.0);
    CU_ASSERT_EQUAL_FATAL(y90_report_write_dvh_csv(h5, csv_path, 1, &e), Y90_OK);
    csv = y90t_slurp(csv_path, NULL);
    CU_ASSERT_FATAL(csv != NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, "dose_gy,liver_right,liver_left,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, ",liver_treated,liver_normal_treated\n")); /* lungs = lung, liver = liver_treated */
    CU_ASSERT_DOUBLE_EQUAL(csv_value(csv, 150, 0), 50, TOL); /* liver_right: 200 of 100, 200 */
    free(csv);
    DIR *d = opendir(y90t_dir());
    CU_ASSERT_FATAL(d != NULL);
    for (struct dirent *ent; (ent = readdir(d));) CU_ASSERT_PTR_NULL(strstr(ent->d_name, ".tmp-"));
    closedir(d);
}

static void test_errors(void)
{
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL(compute(y90t_path("nothing.h5"), 0, &r, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nothing.h5"));
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/no/dir/dvh.csv", y90t_dir());
    const char *h5 = y90t_path("err_box.h5");
    write_box_file(h5);
    CU_ASSERT_EQUAL(y90_report_write_dvh_csv(h5, bad, 1, &e), Y90_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "dvh.csv"));
}

/* ------------------------------------------------------------------------------------------------ tumours, BED, EUD */

/* One row of 13 voxels of 10 mm (1 ml; density 1 g/cm3 = 1 g, voxel 8: 2 g), two tumours with ids:
 *   voxel  structure               tumour  dose (Gy)
 *   0      outside                 -       0
 *   1-3    liver_right             -       10, 20, 20   (a tie)
 *   4, 5   tumour_viable_right     1       100, 100     (a tie)
 *   6      tumour_necrotic_right   1       0
 *   7      tumour_viable_right     2       50
 *   8, 9   tumour_necrotic_right   2       5, 5         (voxel 8 weighs 2 g)
 *   10-12  lung                    -       3, 3, 3
 * and a structure "spare" with no voxels. Treated: both lobes. */
static void write_tumour_file(const char *path)
{
    y90_grid g = {.nx = 13, .ny = 1, .nz = 1, .spacing = {10, 10, 10}, .lo = {-65, -5, -5}};
    CU_ASSERT_FATAL(y90_grid_alloc(&g, 0, NULL) == Y90_OK);
    y90_grid_add_structure(&g, "outside", Y90_KIND_OUTSIDE, Y90_LOBE_NONE);
    y90_grid_add_structure(&g, "liver_right", Y90_KIND_LIVER_NORMAL, Y90_LOBE_RIGHT);
    y90_grid_add_structure(&g, "tumour_viable_right", Y90_KIND_TUMOR_VIABLE, Y90_LOBE_RIGHT);
    y90_grid_add_structure(&g, "tumour_necrotic_right", Y90_KIND_TUMOR_NECROTIC, Y90_LOBE_RIGHT);
    y90_grid_add_structure(&g, "spare", Y90_KIND_BODY, Y90_LOBE_NONE);
    y90_grid_add_structure(&g, "lung", Y90_KIND_LUNG, Y90_LOBE_NONE);
    y90_grid_add_material(&g, "liver");
    static const uint8_t label[13] = {0, 1, 1, 1, 2, 2, 3, 2, 3, 3, 5, 5, 5};
    static const uint16_t tid[13] = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0};
    double dose[13] = {0, 10, 20, 20, 100, 100, 0, 50, 5, 5, 3, 3, 3};
    g.tumour_id = calloc(13, sizeof *g.tumour_id);
    g.ntumours = 2;
    for (int i = 0; i < 13; i++) {
        g.label[i] = label[i];
        g.tumour_id[i] = tid[i];
        g.density[i] = i == 8 ? 2.0f : 1.0f;
    }
    write_file(path, &g, dose, Y90_TREAT_BOTH, 0.1);
    y90_grid_free(&g);
}

/* BED by hand: lambda = ln2 / 64.1 h, mu = ln2 / T_rep. */
static double bed(double d, double ab, double trep)
{
    double lambda = log(2.0) / 64.10, mu = log(2.0) / trep;
    return d * (1 + d * lambda / ((mu + lambda) * ab));
}

static void test_bed_eud_arithmetic(void)
{
    /* worked BEDs of the reference sheet (computed there by numerical integration of the Lea-Catcheside factor) */
    CU_ASSERT_DOUBLE_EQUAL(y90_bed_gy(40, 2.5, 1.5, 64.1), 54.6, 0.05);
    CU_ASSERT_DOUBLE_EQUAL(y90_bed_gy(70, 2.5, 1.5, 64.1), 114.8, 0.05);
    CU_ASSERT_DOUBLE_EQUAL(y90_bed_gy(120, 2.5, 2.5, 64.1), 336, 0.5);
    CU_ASSERT_DOUBLE_EQUAL(y90_bed_gy(205, 10, 1.5, 64.1), 301, 0.5);
    CU_ASSERT_DOUBLE_EQUAL(y90_bed_gy(100, 10, 1.5, 64.1), 123, 0.5);
    CU_ASSERT_DOUBLE_EQUAL(y90_bed_gy(0, 10, 1.5, 64.1), 0, 0);
    const double d[4] = {1, 2, 3, 4};
    CU_ASSERT_DOUBLE_EQUAL(y90_geud(d, 4, 1), 2.5, 1e-12);
    double m = (1 + pow(2, -10) + pow(3, -10) + pow(4, -10)) / 4;
    CU_ASSERT_DOUBLE_EQUAL(y90_geud(d, 4, -10), pow(m, -0.1), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(y90_geud(d, 4, 0), pow(24, 0.25), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(y90_geud(d, 4, 2), sqrt(7.5), 1e-12);
    const double z[2] = {0, 5}, tiny[2] = {1e-40, 1e-40}, huge[2] = {1e40, 1e40};
    CU_ASSERT_EQUAL(y90_geud(z, 2, -1), 0);            /* a zero dose dominates a negative a */
    CU_ASSERT_DOUBLE_EQUAL(y90_geud(z, 2, 2), sqrt(12.5), 1e-12);
    CU_ASSERT_EQUAL(y90_geud(z, 2, 0), 0);
    CU_ASSERT_DOUBLE_EQUAL(y90_geud(tiny, 2, -10) / 1e-40, 1, 1e-12); /* no overflow */
    CU_ASSERT_DOUBLE_EQUAL(y90_geud(huge, 2, 10) / 1e40, 1, 1e-12);
    CU_ASSERT(isnan(y90_geud(d, 0, 1)));
    /* Dx and Vx with ties and an empty set */
    const double t[6] = {10, 10, 5, 5, 5, 0};
    CU_ASSERT_EQUAL(y90_dose_at_volume(t, 6, 30), 10);  /* k = ceil(1.8) = 2: the tie 10, 10 */
    CU_ASSERT_EQUAL(y90_dose_at_volume(t, 6, 100.0 / 3), 10); /* k = 2 exactly */
    CU_ASSERT_EQUAL(y90_dose_at_volume(t, 6, 34), 5);  /* k = ceil(2.04) = 3 */
    CU_ASSERT_EQUAL(y90_dose_at_volume(t, 6, 100), 0);
    CU_ASSERT_DOUBLE_EQUAL(y90_volume_at_dose(t, 6, 5), 500.0 / 6, 1e-12); /* ties at the threshold count */
    CU_ASSERT_DOUBLE_EQUAL(y90_volume_at_dose(t, 6, 5.0000001), 200.0 / 6, 1e-12);
    CU_ASSERT(isnan(y90_dose_at_volume(t, 0, 50)) && isnan(y90_volume_at_dose(t, 0, 5)));
}

static void test_tumour_rows(void)
{
    const char *path = y90t_path("tumours.h5");
    write_tumour_file(path);
    y90_report_options o;
    y90_report_options_default(&o);
    o.ndx = 2, o.dx_pct[0] = 50, o.dx_pct[1] = 70;
    o.nvx = 2, o.vx_gy[0] = 20, o.vx_gy[1] = 100;
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, &o, &r, &e), Y90_OK);
    /* 4 structures (spare is empty: no row), groups tumour and liver_treated (the others are aliases), 6 tumour rows */
    CU_ASSERT_EQUAL(r.nrows, 4 + 2 + 6);
    CU_ASSERT_PTR_NULL(y90_report_row(&r, "spare"));
    CU_ASSERT_EQUAL(r.ntumours, 2);
    for (int i = 0; i < r.nrows; i++)
        for (int j = 0; j < i; j++) CU_ASSERT(strcmp(r.rows[i].name, r.rows[j].name) != 0);
    const y90_dose_stats *t1 = row(&r, "tumour_1"), *t2 = row(&r, "tumour_2"), *all = row(&r, "tumour");
    CU_ASSERT_FATAL(t1 && t2 && all);
    CU_ASSERT_EQUAL(t1->tumour, 1);
    CU_ASSERT_DOUBLE_EQUAL(t1->mean_gy, 200.0 / 3, TOL);
    CU_ASSERT_DOUBLE_EQUAL(t2->mass_g, 4, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(t2->mean_gy, 65.0 / 4, TOL);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "tumour_2_necrotic")->mean_gy, 5, TOL);
    /* per-tumour rows add up to the tumour row: voxels, volume, mass, energy; viable parts to tumour_viable */
    CU_ASSERT_EQUAL(t1->nvox + t2->nvox, all->nvox);
    CU_ASSERT_DOUBLE_EQUAL(t1->volume_ml + t2->volume_ml, all->volume_ml, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t1->mass_g + t2->mass_g, all->mass_g, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(t1->energy_j + t2->energy_j, all->energy_j, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(all->mean_gy, 265.0 / 7, TOL);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "tumour_1_viable")->energy_j + row(&r, "tumour_2_viable")->energy_j,
                           row(&r, "tumour_viable")->energy_j, 1e-15);
    /* Dx, Vx from the lists, ties included: tumour_1 doses 100, 100, 0; liver_right 20, 20, 10 */
    CU_ASSERT_EQUAL(t1->dx[0], 100); /* D50: k = ceil(1.5) = 2 */
    CU_ASSERT_EQUAL(t1->dx[1], 0);   /* D70: k = ceil(2.1) = 3 */
    CU_ASSERT_DOUBLE_EQUAL(t1->vx[1], 200.0 / 3, 1e-9);
    const y90_dose_stats *lr = row(&r, "liver_right");
    CU_ASSERT_EQUAL(lr->dx[0], 20);
    CU_ASSERT_EQUAL(lr->dx[1], 10);
    CU_ASSERT_DOUBLE_EQUAL(lr->vx[0], 200.0 / 3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(lr->vx[1], 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(lr->d70_gy, 10, 0);
    /* BED: normal tissue alpha/beta 2.5 Gy, tumour 10 Gy, repair 1.5 h both; mass-weighted mean */
    CU_ASSERT_DOUBLE_EQUAL(lr->bed_mean_gy, (bed(10, 2.5, 1.5) + 2 * bed(20, 2.5, 1.5)) / 3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(t2->bed_mean_gy, (bed(50, 10, 1.5) + 3 * bed(5, 10, 1.5)) / 4, 1e-9);
    double lt_bed = (bed(10, 2.5, 1.5) + 2 * bed(20, 2.5, 1.5) + 2 * bed(100, 10, 1.5) + bed(50, 10, 1.5) +
                     3 * bed(5, 10, 1.5)) / 10; /* 10 g: each voxel its own tissue */
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver_treated")->bed_mean_gy, lt_bed, 1e-9);
    /* EUD: a = -10 for rows of tumour only (a zero dose gives 0), a = 1 otherwise (the volume mean) */
    CU_ASSERT_EQUAL(t1->eud_gy, 0);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "tumour_1_viable")->eud_gy, 100, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(t2->eud_gy, pow((pow(50, -10) + 2 * pow(5, -10)) / 3, -0.1), 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(lr->eud_gy, 50.0 / 3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver_treated")->eud_gy, 310.0 / 9, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "tumour_1_viable")->eud_bed_gy, bed(100, 10, 1.5), 1e-9);
    /* the largest tumour: both have 3 voxels, the first wins; its centroid */
    CU_ASSERT_EQUAL(r.largest_tumour, 1);
    CU_ASSERT_DOUBLE_EQUAL(r.largest_tumour_centre_mm[0], -65 + 10 * 5.5, 1e-9);
    y90_report_free(&r);
}

static void test_plan_arithmetic(void)
{
    const char *path = y90t_path("plan_liver.h5");
    write_liver_file(path, Y90_TREAT_BOTH, 0.1, 8.0);
    y90_report r;
    y90_error e = {0};
    y90_report_options o;
    y90_report_options_default(&o);
    o.prior_lung_gy = 45;
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, &o, &r, &e), Y90_OK);
    double k = 64.10 * 3600.0 / log(2.0) * 1e9 * 0.93310 * 1.602176634e-13; /* Gy kg/GBq, ICRP 107 */
    y90_goal g;
    CU_ASSERT_EQUAL(y90_goal_parse("treated-liver-mean=113", &g), 0);
    CU_ASSERT(g.kind == Y90_GOAL_TREATED_LIVER_MEAN && g.gy == 113 && !g.upper);
    y90_plan p;
    y90_plan_options po = {.hours_after_calibration = 64.10, .vial_gbq = 0};
    CU_ASSERT_EQUAL_FATAL(y90_plan_compute(&r, &g, &po, &p, &e), Y90_OK);
    double a = 3.0 * 113 / (1280.0 / 9); /* simulated treated liver 1280/9 Gy at 3 GBq */
    CU_ASSERT_DOUBLE_EQUAL(p.activity_gbq, a, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(p.activity_calibration_gbq, 2 * a, 1e-9); /* one half-life later */
    CU_ASSERT_EQUAL(p.vial_gbq, 5);                                   /* 4.77 GBq: the 5 GBq vial */
    CU_ASSERT_DOUBLE_EQUAL(p.vial_hours, 64.10 * log2(5 / a), 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(p.mird_gbq, 113 * 9 / (k * 0.9), 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(p.treated_liver_mean_gy, 113, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(p.lung_1kg_gy, k * a * 0.1, 1e-9);
    CU_ASSERT(p.lung_session_ok && !p.lung_cumulative_ok); /* 11.9 Gy + 45 Gy prior > 50 Gy */
    CU_ASSERT(!p.normal_liver_ok);                         /* 130 Gy x 0.79 = 103 Gy > 75 Gy */
    CU_ASSERT_EQUAL(y90_goal_parse("tumour-d70=205", &g), 0);
    CU_ASSERT_EQUAL_FATAL(y90_plan_compute(&r, &g, NULL, &p, &e), Y90_OK);
    /* viable tumour 300 Gy, 150 Gy: D70 = 150 Gy; partition D_T = (T/N) D_N */
    CU_ASSERT_DOUBLE_EQUAL(p.activity_gbq, 3.0 * 205 / 150, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(p.partition_gbq, 205.0 / 3 * (3 * 2 + 6) / (k * 0.9), 1e-9);
    CU_ASSERT_EQUAL(y90_goal_parse("normal-liver-mean<=70", &g), 0);
    CU_ASSERT(g.upper && g.kind == Y90_GOAL_NORMAL_LIVER_MEAN);
    CU_ASSERT_EQUAL_FATAL(y90_plan_compute(&r, &g, NULL, &p, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(p.activity_gbq, 3.0 * 70 / 130, 1e-9);
    CU_ASSERT(p.normal_liver_ok);
    CU_ASSERT_EQUAL(y90_goal_parse("tumour-d70=abc", &g), -1);
    CU_ASSERT_EQUAL(y90_goal_parse("lung-mean=10", &g), -1);
    CU_ASSERT_EQUAL(y90_goal_parse("tumour-d70>205", &g), -1);
    y90_report_free(&r);
    /* a validation run has no activity to scale */
    write_box_file(path);
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, NULL, &r, &e), Y90_OK);
    y90_goal_parse("treated-liver-mean=113", &g);
    CU_ASSERT_EQUAL(y90_plan_compute(&r, &g, NULL, &p, &e), Y90_EINPUT);
    y90_report_free(&r);
}

static int is_png(const char *path)
{
    size_t len = 0;
    char *b = y90t_slurp(path, &len);
    int ok = b && len > 1000 && memcmp(b, "\211PNG\r\n\032\n", 8) == 0;
    free(b);
    return ok;
}

static void test_png_and_provenance(void)
{
    const char *h5 = y90t_path("png_tumours.h5");
    write_tumour_file(h5);
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(h5, NULL, &r, &e), Y90_OK);
    char dir[1024], p[1100];
    snprintf(dir, sizeof dir, "%s", y90t_path("pictures"));
    CU_ASSERT_EQUAL_FATAL(y90_report_write_png(h5, &r, dir, NULL, &e), Y90_OK);
    static const char *const names[] = {"dvh.png", "dvh_tumours.png", "slices.png", "profile.png"};
    for (int k = 0; k < 4; k++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[k]);
        CU_ASSERT(is_png(p));
    }
    CU_ASSERT_EQUAL(y90_report_write_png(h5, &r, h5, NULL, &e), Y90_EINPUT); /* a file, not a folder */
    char *json = print_to_file(&r, "prov.json", 1);
    CU_ASSERT_FATAL(json != NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"interrupted\": false"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"git_revision\": \""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"input\": \""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"name\": \"tumour_2_necrotic\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"aliases\": [\"tumour_necrotic\"]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"tumour_target_gy\": 205"));
    CU_ASSERT(json_parses("prov.json"));
    free(json);
    y90_report_free(&r);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("report", NULL, NULL);
    CU_add_test(s, "Dx, Vx on 1..100 Gy", test_dvh_metrics);
    CU_add_test(s, "liver, both lobes treated", test_liver_both);
    CU_add_test(s, "liver, right lobe treated", test_liver_right);
    CU_add_test(s, "text and JSON output", test_output);
    CU_add_test(s, "DVH CSV", test_dvh_csv);
    CU_add_test(s, "errors", test_errors);
    CU_add_test(s, "BED, EUD, Dx and Vx arithmetic", test_bed_eud_arithmetic);
    CU_add_test(s, "per-tumour rows, ties, empty structure, BED, EUD", test_tumour_rows);
    CU_add_test(s, "plan arithmetic", test_plan_arithmetic);
    CU_add_test(s, "pictures and provenance", test_png_and_provenance);
}
