/* Slurm end to end: a real single-node Slurm on localhost (munged, slurmctld and slurmd started by this test with a
 * minimal slurm.conf, tests/support/slurm-local.sh) runs a 4-point sweep as the job array of `sweep --slurm`;
 * `sweep --collect` then gives the very summary (CSV and JSON) of the in-process sweep, and a resubmitted array
 * (as after a requeue) skips the finished points. Skipped with a message when Slurm cannot start here. */
#include "testutil.h"
#include "y90/io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char slurm_dir[1024];
static int slurm_started;

static void stop_slurm(void)
{
    if (slurm_started) y90t_sh(NULL, "sh '%s/tests/support/slurm-local.sh' stop '%s'", Y90_SOURCE_DIR, slurm_dir);
    slurm_started = 0;
}

static void test_slurm_sweep(void)
{
    snprintf(slurm_dir, sizeof slurm_dir, "%s", y90t_path("slurm"));
    char *why = NULL;
    int rc = y90t_sh(&why, "sh '%s/tests/support/slurm-local.sh' start '%s'", Y90_SOURCE_DIR, slurm_dir);
    slurm_started = 1;
    if (rc != 0) {
        fprintf(stderr, "\n    SKIPPED: a local Slurm could not start (exit %d): %s ", rc, why ? why : "");
        free(why);
        stop_slurm();
        return;
    }
    free(why);
    char conf[1100];
    snprintf(conf, sizeof conf, "%s/slurm.conf", slurm_dir);
    setenv("SLURM_CONF", conf, 1);

    y90t_write("base.yaml", "phantom:\n  type: liver\n  voxel_mm: 6\n  tumour_count: 2\n  tumour_burden_percent: 5\n"
                            "source:\n  product: sir_spheres\ntreatment:\n  activity_gbq: 0.01\n"
                            "  lung_shunt_fraction: 0.05\ntransport:\n  kernel: mc\n  histories: 2000\n");
    char sweep[1024];
    snprintf(sweep, sizeof sweep, "%s",
             y90t_write("s.yaml", "base: base.yaml\noutput: out\nvary:\n  treatment.tn_ratio: [1, 4]\n"
                                  "  treatment.lung_shunt_fraction: [0.02, 0.1]\n"));
    /* in-process first: keep its summary, then remove everything it wrote */
    CU_ASSERT_EQUAL_FATAL(y90t_clif(NULL, "sweep %s --quiet", sweep), 0);
    char *csv_local = y90t_slurp(y90t_path("out/summary.csv"), NULL);
    char *json_local = y90t_slurp(y90t_path("out/summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv_local);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json_local);
    Y90T_HAS(csv_local, "\n4,done,4,0.1,p004.h5,");
    CU_ASSERT_EQUAL(y90t_sh(NULL, "rm -f '%s'/p00?.h5 '%s'/summary.*", y90t_path("out"), y90t_path("out")), 0);

    /* the job array */
    char *o = NULL;
    CU_ASSERT_EQUAL_FATAL(y90t_clif(&o, "sweep %s --slurm --time 00:10:00 --cpus-per-task 1", sweep), 0);
    free(o);
    char script[1100];
    snprintf(script, sizeof script, "%s", y90t_path("out/sweep.sbatch"));
    CU_ASSERT_EQUAL_FATAL(y90t_sh(NULL, "timeout 600 sbatch --wait '%s' > /dev/null", script), 0);
    CU_ASSERT_EQUAL(y90t_clif(NULL, "sweep %s --collect", sweep), 0);
    char *csv = y90t_slurp(y90t_path("out/summary.csv"), NULL), *json = y90t_slurp(y90t_path("out/summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
    CU_ASSERT_STRING_EQUAL(csv, csv_local);
    CU_ASSERT_STRING_EQUAL(json, json_local);
    free(csv);
    free(json);
    /* provenance: each point file names its array task */
    char task[32] = "";
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_io_read_attr_string(y90t_path("out/p003.h5"), "/", "slurm_array_task_id", task, sizeof task,
                                            &e), Y90_OK);
    CU_ASSERT_STRING_EQUAL(task, "3");
    /* resubmitted (a requeue): every task finds its point finished and succeeds */
    CU_ASSERT_EQUAL(y90t_sh(NULL, "timeout 600 sbatch --wait '%s' > /dev/null", script), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "cat '%s'/slurm-*.out | grep -c 'finished before, skipped' | grep -qx 4", y90t_path("out")), 0);
    free(csv_local);
    free(json_local);
    stop_slurm();
}

void y90t_register(void)
{
    atexit(stop_slurm); /* daemons go away even when an assertion ends the test early */
    CU_pSuite s = CU_add_suite("slurm", NULL, NULL);
    CU_add_test(s, "sweep through a local Slurm job array = in-process sweep", test_slurm_sweep);
}
