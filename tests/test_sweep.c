/* Sweeps: the sweep file (lists, ranges, grid and zip, errors naming the point), running every point in-process,
 * the summary against the report module, skipping finished points, recording failed ones, resuming after an
 * interrupt, --index, --list and the Slurm job script. Small liver phantoms (6 mm voxels) with the local kernel. */
#include "testutil.h"
#include "y90/io.h"
#include "y90/report.h"
#include "y90/sweep.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *BASE = "phantom:\n  type: liver\n  voxel_mm: 6\n  tumour_count: 2\n  tumour_burden_percent: 5\n"
                          "source:\n  product: sir_spheres\ntreatment:\n  activity_gbq: 0.05\n"
                          "  lung_shunt_fraction: 0.05\ntransport:\n  kernel: local\n  histories: 20000\n";

static char sweep_path[1024];

/* Write base.yaml and a sweep file NAME.yaml with output NAME-out and the given body (mode, set, vary). */
static const char *write_sweep(const char *name, const char *body)
{
    y90t_write("base.yaml", BASE);
    char text[4096], file[256];
    snprintf(text, sizeof text, "base: base.yaml\noutput: %s-out\n%s", name, body);
    snprintf(file, sizeof file, "%s.yaml", name);
    snprintf(sweep_path, sizeof sweep_path, "%s", y90t_write(file, text));
    return sweep_path;
}

static void expect_load_error(const char *body, const char *sub1, const char *sub2)
{
    const char *p = write_sweep("bad", body);
    y90_sweep s;
    y90_error e = {0};
    y90_status st = y90_sweep_load(p, &s, &e);
    CU_ASSERT_EQUAL(st, Y90_EINPUT);
    if (!st) y90_sweep_free(&s);
    Y90T_HAS(e.msg, sub1);
    if (sub2) Y90T_HAS(e.msg, sub2);
}

static void test_load_errors(void)
{
    expect_load_error("vary:\n  treatment.activity_gbq: [0.04, 500]\n", "point 2 of 2 (treatment.activity_gbq=500)",
                      "--set treatment.activity_gbq=500: treatment.activity_gbq = '500': out of range");
    expect_load_error("vary:\n  treatment.activity: [1]\n", "point 1 of 1", "unknown key 'treatment.activity'");
    expect_load_error("mode: zip\nvary:\n  treatment.activity_gbq: [0.04, 0.05]\n  treatment.tn_ratio: [1]\n",
                      "mode zip needs as many values", NULL);
    expect_load_error("mode: diagonal\nvary:\n  treatment.tn_ratio: [1]\n", "bad.yaml:3: mode: expected grid or zip", NULL);
    expect_load_error("vary:\n  treatment.tn_ratio: {from: 1, to: 3}\n", "exactly one of step or count", NULL);
    expect_load_error("vary:\n  treatment.tn_ratio: {from: 3, to: 1, step: 1}\n", "step > 0 and from <= to", NULL);
    expect_load_error("vary:\n  treatment.tn_ratio: {from: 1, to: 3, stride: 1}\n", "unknown range key 'stride'", NULL);
    expect_load_error("set:\n  transport.histories: 0\nvary:\n  treatment.tn_ratio: [1]\n",
                      "--set transport.histories=0", "out of range");
    expect_load_error("vary: {}\n", "expected at least one key", NULL);
    expect_load_error("outputs: x\nvary:\n  treatment.tn_ratio: [1]\n", "unknown key 'outputs'", NULL);
    expect_load_error("slurm:\n  time: soon\nvary:\n  treatment.tn_ratio: [1]\n", "slurm.time = 'soon'", NULL);
    /* a missing base config */
    char text[256];
    snprintf(text, sizeof text, "base: nosuch.yaml\noutput: o\nvary:\n  treatment.tn_ratio: [1]\n");
    y90_sweep s;
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_sweep_load(y90t_write("nobase.yaml", text), &s, &e), Y90_EINPUT);
    Y90T_HAS(e.msg, "nosuch.yaml: cannot open base config");
}

/* Grid order (first key slowest), zip, ranges by step and count, list values for list keys. */
static void test_points(void)
{
    const char *p = write_sweep("pts", "vary:\n  treatment.tn_ratio: {from: 1, to: 1.3, step: 0.1}\n"
                                       "  source.sphere_diameter_um: [30, 35]\n");
    y90_sweep s;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_sweep_load(p, &s, &e), Y90_OK);
    CU_ASSERT_EQUAL(s.npoints, 8);
    char label[256];
    y90_sweep_point_label(&s, 0, label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "treatment.tn_ratio=1 source.sphere_diameter_um=30");
    y90_sweep_point_label(&s, 5, label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "treatment.tn_ratio=1.2 source.sphere_diameter_um=35");
    y90_sweep_point_label(&s, 7, label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "treatment.tn_ratio=1.3 source.sphere_diameter_um=35");
    y90_config c;
    CU_ASSERT_EQUAL_FATAL(y90_sweep_point_config(&s, 5, &c, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.treatment.tn_ratio, 1.2, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(c.source.sphere_diameter_um, 35, 0);
    y90_config_free(&c);
    y90_sweep_free(&s);
    p = write_sweep("zip", "mode: zip\nvary:\n  treatment.tn_ratio: {from: 1, to: 2, count: 3}\n"
                           "  phantom.box_size_mm: [[10, 10, 10], [20, 20, 20], [30, 30, 30]]\n");
    CU_ASSERT_EQUAL_FATAL(y90_sweep_load(p, &s, &e), Y90_OK);
    CU_ASSERT_EQUAL(s.npoints, 3);
    y90_sweep_point_label(&s, 1, label, sizeof label);
    CU_ASSERT_STRING_EQUAL(label, "treatment.tn_ratio=1.5 phantom.box_size_mm=[20, 20, 20]");
    CU_ASSERT_EQUAL_FATAL(y90_sweep_point_config(&s, 2, &c, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.box_size_mm[1], 30, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.treatment.tn_ratio, 2, 0);
    y90_config_free(&c);
    y90_sweep_free(&s);
}

static const char *FOUR = "set:\n  transport.histories: 30000\nvary:\n  treatment.activity_gbq: [0.01, 0.02]\n"
                          "  treatment.tn_ratio: {from: 1, to: 3, step: 2}\n";

static double csv_field(const char *csv, int row, int col)
{
    const char *p = csv;
    for (int r = 0; r < row && p; r++) p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
    for (int c = 0; c < col && p; c++) p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
    return p ? strtod(p, NULL) : NAN;
}

static long mtime_ns(const char *path)
{
    struct stat sb;
    if (stat(path, &sb)) return -1;
    return (long)sb.st_mtim.tv_sec * 1000000000L + sb.st_mtim.tv_nsec;
}

/* The 4-point sweep in-process: every point done, the summary's numbers are the report's, doses scale with the
 * activity; a re-run skips every point; a removed point is the only one run again; --index runs one point. */
static void test_run_and_resume(void)
{
    const char *p = write_sweep("four", FOUR);
    char *o = NULL;
    int rc = y90t_clif(&o, "sweep %s --quiet", p);
    if (rc) fprintf(stderr, "\n%s", o);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(o);
    char csvp[1024], jsonp[1024], h5[4][1024];
    snprintf(csvp, sizeof csvp, "%s", y90t_path("four-out/summary.csv"));
    snprintf(jsonp, sizeof jsonp, "%s", y90t_path("four-out/summary.json"));
    for (int i = 0; i < 4; i++) {
        char n[64];
        snprintf(n, sizeof n, "four-out/p%03d.h5", i + 1);
        snprintf(h5[i], sizeof h5[i], "%s", y90t_path(n));
    }
    char *csv = y90t_slurp(csvp, NULL), *json = y90t_slurp(jsonp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    Y90T_HAS(csv, "point,state,treatment.activity_gbq,treatment.tn_ratio,file,treated_liver_mean_gy,tumour_mean_gy,"
             "normal_liver_mean_gy,tumour_d70_gy,lung_mean_gy,lung_limit_gy,lung_ok,mird_treated_liver_gy,"
             "partition_normal_gy,partition_tumour_gy,mird_lung_gy,error\n");
    Y90T_HAS(csv, "\n4,done,0.02,3,p004.h5,");
    Y90T_HAS(json, "{\"point\": 2, \"state\": \"done\", \"params\": {\"treatment.activity_gbq\": 0.01, "
              "\"treatment.tn_ratio\": 3}, \"file\": \"p002.h5\", \"metrics\": {\"treated_liver_mean_gy\": ");
    /* the summary holds the report's numbers (10 significant digits) */
    for (int i = 0; i < 4; i++) {
        y90_report *r = calloc(1, sizeof *r);
        y90_error e = {0};
        CU_ASSERT_EQUAL_FATAL(y90_report_compute(h5[i], 0, r, &e), Y90_OK);
        CU_ASSERT_DOUBLE_EQUAL(csv_field(csv, i + 1, 5), r->treated_liver_mean_gy, 1e-9 * r->treated_liver_mean_gy);
        CU_ASSERT_DOUBLE_EQUAL(csv_field(csv, i + 1, 6), r->tumour_mean_gy, 1e-9 * r->tumour_mean_gy);
        CU_ASSERT_DOUBLE_EQUAL(csv_field(csv, i + 1, 12), r->mird_treated_liver_gy, 1e-9 * r->mird_treated_liver_gy);
        y90_report_free(r);
        free(r);
    }
    /* physics through the sweep: twice the activity, twice the treated-liver dose (2 %: sphere sampling), and the
     * viable tumour near tn_ratio times the normal liver (local kernel: deposition where the spheres are) */
    CU_ASSERT(fabs(csv_field(csv, 3, 5) / csv_field(csv, 1, 5) - 2) < 0.04);
    double ratio = csv_field(csv, 2, 6) / csv_field(csv, 2, 7);
    CU_ASSERT(fabs(ratio - 3) < 0.3);
    /* re-run: nothing runs again, the summary is the same */
    long t1 = mtime_ns(h5[0]);
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s", p), 0);
    Y90T_HAS(o, "point 1/4 (treatment.activity_gbq=0.01 treatment.tn_ratio=1): finished before, skipped");
    Y90T_HAS(o, "point 4/4 (treatment.activity_gbq=0.02 treatment.tn_ratio=3): finished before, skipped");
    free(o);
    CU_ASSERT_EQUAL(mtime_ns(h5[0]), t1);
    char *csv2 = y90t_slurp(csvp, NULL);
    CU_ASSERT_STRING_EQUAL(csv2, csv);
    free(csv2);
    /* a removed point is listed pending, and only it runs; the summary comes back identical */
    remove(h5[2]);
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s --list", p), 0);
    Y90T_HAS(o, "3\tpending\ttreatment.activity_gbq=0.02 treatment.tn_ratio=1\n");
    Y90T_HAS(o, "4\tdone\t");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s --index 3 --quiet", p), 0);
    free(o);
    CU_ASSERT_EQUAL(mtime_ns(h5[0]), t1);
    CU_ASSERT_EQUAL(y90t_clif(NULL, "sweep %s --collect", p), 0);
    csv2 = y90t_slurp(csvp, NULL);
    CU_ASSERT_STRING_EQUAL(csv2, csv);
    free(csv2);
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s --index 5", p), 2);
    Y90T_HAS(o, "the sweep has 4 points");
    free(o);
    free(csv);
    free(json);
}

/* A point that fails at run time (tumours that cannot be placed) is recorded; the others run; exit 1. */
static void test_failed_point(void)
{
    const char *p = write_sweep("fail", "vary:\n  phantom.tumour_burden_percent: [5, 80]\n");
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s --quiet", p), 1);
    Y90T_HAS(o, "1 of 2 points done");
    free(o);
    char *csv = y90t_slurp(y90t_path("fail-out/summary.csv"), NULL), *note = y90t_slurp(y90t_path("fail-out/p002.failed"), NULL);
    Y90T_HAS(csv, "\n1,done,5,p001.h5,");
    Y90T_HAS(csv, "\n2,failed,80,,");
    Y90T_HAS(note, "point 2 (phantom.tumour_burden_percent=80): ");
    if (note) note[strcspn(note, "\n")] = 0; /* the message, as the summary quotes it */
    Y90T_HAS(csv, note ? strchr(note, ':') + 2 : "(no note)");
    free(csv);
    free(note);
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s --list", p), 0);
    Y90T_HAS(o, "2\tfailed\t");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s --collect", p), 1);
    Y90T_HAS(o, "1 of 2 points done");
    free(o);
}

/* Stop requested in point 2: the sweep returns interrupted; a re-run finishes only points 2-4. */
static volatile int stop_flag;
static void stop_in_point2(int64_t done, int64_t total, void *user)
{
    int64_t *last = user; /* progress restarts at the next point: stop in its first batch */
    if (done < *last) stop_flag = 1;
    *last = done;
    (void)total;
}

/* FOUR with Monte Carlo transport: the local kernel is deterministic and has no batches to stop between */
static const char *FOUR_MC = "set:\n  transport.histories: 30000\n  transport.kernel: mc\nvary:\n"
                             "  treatment.activity_gbq: [0.01, 0.02]\n  treatment.tn_ratio: {from: 1, to: 3, step: 2}\n";

static void test_interrupt(void)
{
    const char *p = write_sweep("intr", FOUR_MC);
    y90_sweep s;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_sweep_load(p, &s, &e), Y90_OK);
    int failed = 0;
    int64_t last = 0;
    stop_flag = 0;
    y90_sweep_options o = {NULL, &stop_flag, stop_in_point2, &last};
    CU_ASSERT_EQUAL(y90_sweep_run(&s, &o, &failed, &e), Y90_EINTERRUPTED);
    Y90T_HAS(e.msg, "interrupted in point 2");
    CU_ASSERT_EQUAL(y90_sweep_point_state(&s, 0), Y90_POINT_DONE);
    CU_ASSERT_EQUAL(y90_sweep_point_state(&s, 1), Y90_POINT_PARTIAL);
    char partial[1100], status[32] = "";
    y90_sweep_point_path(&s, 1, ".h5", partial, sizeof partial);
    CU_ASSERT_EQUAL(y90_io_read_attr_string(partial, "/", "run_status", status, sizeof status, &e), Y90_OK);
    CU_ASSERT_STRING_EQUAL(status, "interrupted"); /* the file says why it is short */
    CU_ASSERT_EQUAL(y90_sweep_point_state(&s, 2), Y90_POINT_PENDING);
    char h5[1100];
    y90_sweep_point_path(&s, 0, ".h5", h5, sizeof h5);
    long t1 = mtime_ns(h5);
    stop_flag = 0;
    o.progress = NULL;
    CU_ASSERT_EQUAL(y90_sweep_run(&s, &o, &failed, &e), Y90_OK);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_EQUAL(mtime_ns(h5), t1);
    for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(y90_sweep_point_state(&s, i), Y90_POINT_DONE);
    y90_sweep_free(&s);
}

/* --slurm: one array task per point, threads from SLURM_CPUS_PER_TASK, options and the memory estimate. */
static void test_slurm_script(void)
{
    const char *p = write_sweep("sl", "slurm:\n  partition: short\n  time: \"00:30:00\"\n  cpus_per_task: 2\n"
                                      "vary:\n  treatment.activity_gbq: [0.01, 0.02, 0.05]\n");
    char *o = NULL;
    CU_ASSERT_EQUAL_FATAL(y90t_clif(&o, "sweep %s --slurm --time 00:20:00", p), 0);
    Y90T_HAS(o, "sbatch ");
    free(o);
    char *sh = y90t_slurp(y90t_path("sl-out/sweep.sbatch"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sh);
    Y90T_HAS(sh, "#!/bin/bash\n");
    Y90T_HAS(sh, "#SBATCH --array=1-3\n");
    Y90T_HAS(sh, "#SBATCH --cpus-per-task=2\n");
    Y90T_HAS(sh, "#SBATCH --partition=short\n");
    Y90T_HAS(sh, "#SBATCH --time=00:20:00\n");
    Y90T_HAS(sh, "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
    Y90T_HAS(sh, "sweep '");
    Y90T_HAS(sh, "' --index \"$SLURM_ARRAY_TASK_ID\"\n");
    /* the estimate holds at least the largest point's sphere list (0.05 GBq of resin at 50 Bq: 1e6 rows of 32 bytes)
     * and its grid (64x41x75 voxels of label, material, density, two tallies, dose and uncertainty: 34 bytes),
     * and stays well under what a workstation has */
    const char *mem = strstr(sh, "--mem=");
    long mb = mem ? strtol(mem + 6, NULL, 10) : 0;
    double least_mb = (64.0 * 41 * 75 * 34 + 1e6 * 32) / 1e6;
    if (!(mb >= least_mb && mb < 2000)) fprintf(stderr, "\n    --mem=%ldM, expected [%.0f, 2000) ", mb, least_mb);
    CU_ASSERT(mb >= least_mb && mb < 2000);
    free(sh);
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s --slurm --mem-gb 3 --partition 'a b'", p), 2);
    Y90T_HAS(o, "--partition: expected a partition name");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(NULL, "sweep %s --slurm --mem-gb 3", p), 0);
    sh = y90t_slurp(y90t_path("sl-out/sweep.sbatch"), NULL);
    Y90T_HAS(sh, "#SBATCH --mem=3000M\n");
    free(sh);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("sweep", NULL, NULL);
    CU_add_test(s, "sweep file errors name the point", test_load_errors);
    CU_add_test(s, "points: grid, zip, ranges, lists", test_points);
    CU_add_test(s, "4 points: summary = report, skip, --index, --collect", test_run_and_resume);
    CU_add_test(s, "failed point recorded, the rest go on", test_failed_point);
    CU_add_test(s, "interrupt and re-run finishes the missing points", test_interrupt);
    CU_add_test(s, "slurm job script", test_slurm_script);
}
