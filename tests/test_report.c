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
    src.activity_treatment_bq = 3e9;
    y90_run_result res;
    memset(&res, 0, sizeof res);
    res.nvox = y90_grid_nvox(g);
    res.dose = dose;
    res.kernel = "local";
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
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, 50.0, &r, &e), Y90_OK);
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
    CU_ASSERT_EQUAL(b->d2, 99);
    CU_ASSERT_EQUAL(b->d50, 51);
    CU_ASSERT_EQUAL(b->d70, 31);
    CU_ASSERT_EQUAL(b->d90, 11);
    CU_ASSERT_EQUAL(b->d98, 3);
    CU_ASSERT_DOUBLE_EQUAL(b->v70, 31, TOL);   /* 70..100 */
    CU_ASSERT_DOUBLE_EQUAL(b->v100, 1, TOL);
    CU_ASSERT_DOUBLE_EQUAL(b->v113, 0, TOL);
    CU_ASSERT_DOUBLE_EQUAL(b->v150, 0, TOL);
    CU_ASSERT_DOUBLE_EQUAL(b->vpresc, 51, TOL); /* 50..100 */
    /* no /treatment: no clinical estimates, no liver or lung summary */
    CU_ASSERT(isnan(r.mird_treated_liver_gy) && isnan(r.partition_normal_gy) && isnan(r.partition_tumour_gy));
    CU_ASSERT(isnan(r.mird_lung_gy) && isnan(r.treated_liver_mean_gy) && isnan(r.lung_mean_gy));
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, 0, &r, &e), Y90_OK);
    CU_ASSERT(isnan(r.prescription_gy) && isnan(r.rows[0].vpresc));
}

/* Two lobes of different masses, tumours, lung; treated both lobes. */
static void test_liver_both(void)
{
    const char *path = y90t_path("liver_both.h5");
    write_liver_file(path, Y90_TREAT_BOTH, 0.1, 8.0);
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, 0, &r, &e), Y90_OK);
    double k = 0;
    CU_ASSERT_EQUAL(y90_io_read_attr_double(path, "/treatment", "gy_kg_per_gbq", &k, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(k, 49.77, 0.01);
    CU_ASSERT_EQUAL(r.prescription_gy, 113.0);
    CU_ASSERT_EQUAL(r.nrows, 7 + 5); /* 7 structures, 5 groups (no tumour_viable_treated for both lobes) */
    CU_ASSERT_PTR_NULL(y90_report_row(&r, "outside"));
    CU_ASSERT_PTR_NULL(y90_report_row(&r, "tumour_viable_treated"));
    const y90_dose_stats *lr = row(&r, "liver_right");
    CU_ASSERT_DOUBLE_EQUAL(lr->mass_g, 4000, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(lr->volume_ml, 2000, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(lr->mean_gy, 175, TOL); /* (100 x 1 + 200 x 3) / 4, the volume mean would be 150 */
    CU_ASSERT_EQUAL(lr->d50, 200);
    CU_ASSERT_EQUAL(lr->d90, 100);
    CU_ASSERT_DOUBLE_EQUAL(lr->v150, 50, TOL);
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
}

/* Right lobe treated: only right-lobe liver and tumour in the treated groups and the estimates. */
static void test_liver_right(void)
{
    const char *path = y90t_path("liver_right.h5");
    write_liver_file(path, Y90_TREAT_RIGHT, 0.1, 40.0);
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, 120, &r, &e), Y90_OK);
    double k = 64.10 * 3600.0 / log(2.0) * 1e9 * 0.93310 * 1.602176634e-13; /* ICRP 107, Gy kg/GBq, independent */
    CU_ASSERT_EQUAL(r.prescription_gy, 120);
    CU_ASSERT_EQUAL(r.nrows, 7 + 6);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "tumour_viable_treated")->mean_gy, 300, TOL);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver_normal_treated")->mass_g, 4000, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(row(&r, "liver_treated")->mean_gy, 175, TOL); /* (100 + 600 + 300 + 50) / 6 */
    CU_ASSERT_DOUBLE_EQUAL(r.tumour_mean_gy, 300, TOL);
    CU_ASSERT_DOUBLE_EQUAL(r.mird_treated_liver_gy, k * 2.7 / 6, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.partition_normal_gy, k * 2.7 / (3 * 1 + 4), 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.partition_tumour_gy, 3 * k * 2.7 / 7, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.lung_mean_gy, 40, TOL);
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
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, 0, &r, &e), Y90_OK);
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
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(path, 0, &r, &e), Y90_OK);
    text = print_to_file(&r, "report_box.txt", 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "n/a"));
    free(text);
    json = print_to_file(&r, "report_box.json", 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"mird_treated_liver_gy\": null"));
    CU_ASSERT(json_parses("report_box.json"));
    free(json);
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
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, ",liver_treated,lungs\n"));
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
    CU_ASSERT_EQUAL(y90_report_compute(y90t_path("nothing.h5"), 0, &r, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nothing.h5"));
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/no/dir/dvh.csv", y90t_dir());
    const char *h5 = y90t_path("err_box.h5");
    write_box_file(h5);
    CU_ASSERT_EQUAL(y90_report_write_dvh_csv(h5, bad, 1, &e), Y90_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "dvh.csv"));
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
}
