/* MPI (build option Y90_WITH_MPI): `mpirun -np 2 y90mc run` gives /dose, /dose_rel_uncertainty and the energy
 * balance of the single-process run bit for bit (integer tallies summed on rank 0), and `mpirun -np 2 y90mc sweep`
 * the in-process sweep's summary; killed after its per-rank checkpoints and resumed, the run is still bitwise the
 * single-process one. Skipped with a message in a build without MPI. */
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/io.h"

#ifdef Y90_MPIEXEC
#define MPIRUN Y90_MPIEXEC " --allow-run-as-root --oversubscribe -np 2 " Y90_CLI

static const char *CFG = "phantom:\n  type: liver\n  voxel_mm: 6\n  tumour_count: 2\n  tumour_burden_percent: 5\n"
                         "source:\n  product: sir_spheres\ntreatment:\n  activity_gbq: 0.01\n"
                         "  lung_shunt_fraction: 0.05\ntransport:\n  kernel: mc\n  histories: 3001\n";

static void test_mpi_run(void)
{
    char cfg[1024], one[1024], two[1024];
    snprintf(cfg, sizeof cfg, "%s", y90t_write("case.yaml", CFG));
    snprintf(one, sizeof one, "%s", y90t_path("one.h5"));
    snprintf(two, sizeof two, "%s", y90t_path("two.h5"));
    CU_ASSERT_EQUAL_FATAL(y90t_sh(NULL, "%s run '%s' -o '%s' --quiet", Y90_CLI, cfg, one), 0);
    char *o = NULL;
    CU_ASSERT_EQUAL_FATAL(y90t_sh(&o, MPIRUN " run '%s' -o '%s'", cfg, two), 0);
    CU_ASSERT(o && strstr(o, "wrote ") && strstr(strstr(o, "wrote ") + 1, "wrote ") == NULL); /* rank 0 speaks */
    free(o);
    CU_ASSERT(y90t_same_dataset(one, two, "/dose"));
    CU_ASSERT(y90t_same_dataset(one, two, "/dose_rel_uncertainty"));
    const char *eb[] = {"emitted_mev", "deposited_mev", "escaped_photon_mev", "below_cutoff_mev", "in_spheres_mev"};
    for (int k = 0; k < 5; k++) {
        double a = -1, b = -2;
        y90_error e = {0};
        y90_io_read_attr_double(one, "/energy_balance", eb[k], &a, &e);
        y90_io_read_attr_double(two, "/energy_balance", eb[k], &b, &e);
        CU_ASSERT_EQUAL(a, b);
    }
    CU_ASSERT(!y90_io_has_object(two, "/tally"));
    double ranks = 0;
    y90_error re = {0};
    CU_ASSERT_EQUAL(y90_io_read_attr_double(two, "/", "mpi_ranks", &ranks, &re), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(ranks, 2, 0);
    /* an error on every rank: one message, exit 2, nothing written */
    CU_ASSERT_EQUAL(y90t_sh(&o, MPIRUN " run '%s' -o '%s'", cfg, two), 2);
    CU_ASSERT(o && strstr(o, "exists; use --force"));
    free(o);
}

static void test_mpi_sweep(void)
{
    y90t_write("base.yaml", CFG);
    char sweep[1024];
    snprintf(sweep, sizeof sweep, "%s", y90t_write("s.yaml", "base: base.yaml\noutput: out\nset:\n  transport.histories: "
                                                             "1000\nvary:\n  treatment.tn_ratio: [1, 2, 3]\n"));
    CU_ASSERT_EQUAL_FATAL(y90t_sh(NULL, "%s sweep '%s' --quiet", Y90_CLI, sweep), 0);
    char *csv1 = y90t_slurp(y90t_path("out/summary.csv"), NULL), *json1 = y90t_slurp(y90t_path("out/summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv1);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "rm -f '%s'/p00?.h5 '%s'/summary.*", y90t_path("out"), y90t_path("out")), 0);
    CU_ASSERT_EQUAL_FATAL(y90t_sh(NULL, MPIRUN " sweep '%s'", sweep), 0);
    char *csv2 = y90t_slurp(y90t_path("out/summary.csv"), NULL), *json2 = y90t_slurp(y90t_path("out/summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv2);
    CU_ASSERT_STRING_EQUAL(csv2, csv1);
    CU_ASSERT_STRING_EQUAL(json2, json1);
    CU_ASSERT(strstr(csv2, "\n3,done,3,p003.h5,") != NULL);
    free(csv1);
    free(json1);
    free(csv2);
    free(json2);
}

/* SIGKILL of an MPI run once both ranks wrote their checkpoints; `mpirun ... --resume` continues each rank's share
 * and ends bit for bit equal to the single-process run; the rank checkpoints are removed. */
static void test_mpi_resume(void)
{
    /* 400,000 histories: with fewer, an idle machine finished the run between the two checkpoints and the kill */
    char cfg[1024], one[1024], two[1024];
    snprintf(cfg, sizeof cfg, "%s", y90t_write("long.yaml", "phantom:\n  type: liver\n  voxel_mm: 6\n  tumour_count: 2\n"
                                                            "source:\n  product: sir_spheres\ntreatment:\n  "
                                                            "activity_gbq: 0.01\ntransport:\n  histories: 400000\n"
                                                            "  threads: 1\noutput:\n  checkpoint_s: 0.2\n"));
    snprintf(one, sizeof one, "%s", y90t_path("long1.h5"));
    snprintf(two, sizeof two, "%s", y90t_path("long2.h5"));
    CU_ASSERT_EQUAL_FATAL(y90t_sh(NULL, "%s run '%s' -o '%s' --quiet", Y90_CLI, cfg, one), 0);
    CU_ASSERT_NOT_EQUAL(y90t_sh(NULL, MPIRUN " run '%s' -o '%s' --quiet & p=$!; for i in $(seq 600); do "
                                "[ -f '%s.ckpt-rank-1-of-2' ] && [ -f '%s.ckpt-rank-2-of-2' ] && break; sleep 0.05; "
                                "done; kill -KILL $p; wait $p", cfg, two, two, two), 0);
    char *ck = y90t_slurp(y90t_path("long2.h5.ckpt-rank-2-of-2"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ck);
    free(ck);
    /* killed before it finished (each rank runs for seconds, its first checkpoint comes after 0.2 s) */
    char *done = y90t_slurp(two, NULL);
    CU_ASSERT_PTR_NULL_FATAL(done);
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_sh(&o, MPIRUN " run '%s' -o '%s' --resume", cfg, two), 0);
    CU_ASSERT(o && strstr(o, "resuming from"));
    free(o);
    CU_ASSERT(y90t_same_dataset(one, two, "/dose"));
    CU_ASSERT(y90t_same_dataset(one, two, "/dose_rel_uncertainty"));
    CU_ASSERT(!y90t_slurp(y90t_path("long2.h5.ckpt-rank-1-of-2"), NULL));
    CU_ASSERT(!y90t_slurp(y90t_path("long2.h5.ckpt-rank-2-of-2"), NULL));
}
#else
static void test_mpi_resume(void) { fprintf(stderr, "\n    SKIPPED: built without MPI (Y90_WITH_MPI off) "); }
static void test_mpi_run(void) { fprintf(stderr, "\n    SKIPPED: built without MPI (Y90_WITH_MPI off) "); }
static void test_mpi_sweep(void) { fprintf(stderr, "\n    SKIPPED: built without MPI (Y90_WITH_MPI off) "); }
#endif

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("mpi", NULL, NULL);
    CU_add_test(s, "mpirun -np 2 run = single run, bitwise", test_mpi_run);
    CU_add_test(s, "mpirun -np 2 sweep = in-process sweep", test_mpi_sweep);
    CU_add_test(s, "mpirun -np 2 killed after its checkpoints, --resume: bitwise", test_mpi_resume);
}
