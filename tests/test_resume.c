/* Checkpoints and resume, stopping rules and provenance (issue 7): a run killed (SIGKILL) after a checkpoint and
 * resumed, and a run stopped by SIGINT (checkpoint and partial file) and resumed, end bit for bit equal (/dose,
 * /dose_rel_uncertainty) to a plain run on another thread count; checkpoints of another seed are refused; a
 * finished file is left alone; a requeued sweep point resumes. --time-limit and --target-uncertainty stop the run,
 * record why, and normalise the dose to the histories done (equal bit for bit to a plain run of that many
 * histories); the report's median uncertainty meets the target. Provenance attributes and report fields. Small
 * liver phantom (6 mm voxels), MC kernel, checkpoints every 0.2 s. */
#include "testutil.h"
#include "y90/grid.h"
#include "y90/io.h"
#include "y90/report.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *CFG = "phantom:\n  type: liver\n  voxel_mm: 6\n  tumour_count: 2\n  tumour_burden_percent: 5\n"
                         "source:\n  product: sir_spheres\ntreatment:\n  activity_gbq: 0.01\n"
                         "  lung_shunt_fraction: 0.05\ntransport:\n  kernel: mc\n  histories: 100000\n";


static double attr(const char *path, const char *name)
{
    double v = -1;
    y90_error e = {0};
    if (y90_io_read_attr_double(path, "/", name, &v, &e)) fprintf(stderr, "\n    %s ", e.msg);
    return v;
}

static void attr_text(const char *path, const char *name, char *buf, size_t len)
{
    y90_error e = {0};
    if (y90_io_read_attr_string(path, "/", name, buf, len, &e)) {
        fprintf(stderr, "\n    %s ", e.msg);
        buf[0] = 0;
    }
}

static y90t_pathbuf cfg, plain;

static int exists(const char *path) { return access(path, F_OK) == 0; }

static void same_dose(const char *a, const char *b)
{
    CU_ASSERT(y90t_same_dataset(a, b, "/dose"));
    CU_ASSERT(y90t_same_dataset(a, b, "/dose_rel_uncertainty"));
}

/* Start `run CFG -o out ARGS` in the background, wait until its checkpoint exists, then send it sig. Returns the
 * run's exit status (128 + signal for a kill). */
static int run_until_checkpoint(const char *out, const char *args, const char *sig)
{
    char *o = NULL;
    int rc = y90t_sh(&o, "'%s' run '%s' -o '%s' --threads 1 --checkpoint-every 0.2 --quiet %s & p=$!; "
                     "for i in $(seq 600); do [ -f '%s.ckpt' ] && break; sleep 0.05; done; kill -%s $p; wait $p",
                     y90t_cli_path(), cfg.s, out, args, out, sig);
    free(o);
    return rc;
}

static void test_plain(void)
{
    cfg = y90t_tpath("case.yaml");
    y90t_write("case.yaml", CFG);
    plain = y90t_tpath("plain.h5");
    CU_ASSERT_EQUAL_FATAL(y90t_clif(NULL, "run %s -o %s --threads 2 --quiet", cfg.s, plain.s), 0);
    char status[32];
    attr_text(plain.s, "run_status", status, sizeof status);
    CU_ASSERT_STRING_EQUAL(status, "completed");
    CU_ASSERT(!exists(y90t_path("plain.h5.ckpt"))); /* no checkpoint is left behind */
}

/* SIGKILL after a checkpoint: nothing but the checkpoint is left; --resume ends where the plain run ends. */
static void test_kill_resume(void)
{
    y90t_pathbuf out = y90t_tpath("killed.h5"), ck = y90t_tpath("killed.h5.ckpt");
    CU_ASSERT_EQUAL(run_until_checkpoint(out.s, "", "KILL"), 128 + 9);
    CU_ASSERT_FATAL(exists(ck.s));
    CU_ASSERT(!exists(out.s));
    double done = attr(ck.s, "histories_done");
    CU_ASSERT(done > 0 && done < 100000);
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --threads 2 --resume", cfg.s, out.s), 0);
    Y90T_HAS(o, "resuming from");
    Y90T_HAS(o, "histories done");
    free(o);
    same_dose(plain.s, out.s);
    CU_ASSERT(!exists(ck.s)); /* removed once the final file is written */
    CU_ASSERT_DOUBLE_EQUAL(attr(out.s, "histories"), 100000, 0);
}

/* SIGINT: exit 130 with the partial file and a checkpoint; a checkpoint of another seed is refused; --resume
 * replaces the partial file and ends bitwise equal; a second --resume leaves the finished file alone. */
static void test_sigint_resume(void)
{
    y90t_pathbuf out = y90t_tpath("int.h5"), ck = y90t_tpath("int.h5.ckpt");
    CU_ASSERT_EQUAL(run_until_checkpoint(out.s, "", "INT"), 130);
    CU_ASSERT_FATAL(exists(ck.s));
    char status[32];
    attr_text(out.s, "run_status", status, sizeof status);
    CU_ASSERT_STRING_EQUAL(status, "interrupted");
    CU_ASSERT_EQUAL(attr(out.s, "histories"), attr(ck.s, "histories_done")); /* written at the stop */
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --resume --seed 2 --quiet", cfg.s, out.s), 2);
    Y90T_HAS(o, "int.h5 exists and is not an output of this config");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --resume --seed 2 --force --quiet", cfg.s, y90t_path("int2.h5")), 0); /* another output: no checkpoint, a fresh run */
    free(o);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "cp '%s' '%s.ckpt'", ck.s, y90t_path("int2.h5")), 0);
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --resume --seed 2 --force --quiet", cfg.s, y90t_path("int2.h5")), 2);
    Y90T_HAS(o, "int2.h5.ckpt: checkpoint of another run (config or seeds differ: 'transport: seed: 1' in the "
                "checkpoint, 'transport: seed: 2' now)");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --resume --quiet", cfg.s, out.s), 0);
    free(o);
    same_dose(plain.s, out.s);
    attr_text(out.s, "run_status", status, sizeof status);
    CU_ASSERT_STRING_EQUAL(status, "completed");
    CU_ASSERT(!exists(ck.s));
    /* a requeued job that finished before: nothing to do */
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --resume", cfg.s, out.s), 0);
    Y90T_HAS(o, "is finished (run_status recorded, no checkpoint left): nothing to do");
    CU_ASSERT(o && !strstr(o, "wrote ")); /* and it does not claim to have written the file */
    free(o);
    same_dose(plain.s, out.s);
}

/* A sweep point killed after its checkpoint (a preempted array task) resumes when run again. */
static void test_sweep_point_resumes(void)
{
    char text[1024];
    snprintf(text, sizeof text, "%s  threads: 1\noutput:\n  checkpoint_s: 0.2\n", CFG);
    const char *base = y90t_write("case_ck.yaml", text);
    char base_s[1024];
    snprintf(base_s, sizeof base_s, "%s", base);
    const char *sweep = y90t_write("sw.yaml", "base: case_ck.yaml\noutput: sw-out\nvary:\n  treatment.tn_ratio: [4]\n");
    y90t_pathbuf h5 = y90t_tpath("sw-out/p001.h5"), ck = y90t_tpath("sw-out/p001.h5.ckpt");
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_sh(&o, "'%s' sweep '%s' --index 1 --quiet & p=$!; for i in $(seq 600); do [ -f '%s' ] && "
                            "break; sleep 0.05; done; kill -KILL $p; wait $p", y90t_cli_path(), sweep, ck.s), 128 + 9);
    free(o);
    CU_ASSERT_FATAL(exists(ck.s));
    CU_ASSERT_EQUAL(y90t_clif(&o, "sweep %s --index 1", sweep), 0);
    Y90T_HAS(o, "resuming from");
    free(o);
    y90t_pathbuf ref = y90t_tpath("sw-ref.h5");
    CU_ASSERT_EQUAL(y90t_clif(NULL, "run %s -o %s --set treatment.tn_ratio=4 --quiet", base_s, ref.s), 0);
    same_dose(ref.s, h5.s);
    CU_ASSERT(!exists(ck.s));
}

/* The histories done of a stopped run, and the same dose bit for bit as a plain run of that many histories (the
 * dose is normalised to the histories done). */
static double stopped_run(const char *name, const char *args, const char *want_status)
{
    y90t_pathbuf out = y90t_tpath("%s", name);
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --histories 1000000000 --threads 2 %s", cfg.s, out.s, args), 0);
    Y90T_HAS(o, "stopped (");
    Y90T_HAS(o, want_status);
    free(o);
    char status[32];
    attr_text(out.s, "run_status", status, sizeof status);
    CU_ASSERT_STRING_EQUAL(status, want_status);
    double done = attr(out.s, "histories");
    CU_ASSERT_DOUBLE_EQUAL(attr(out.s, "histories_requested"), 1e9, 0);
    CU_ASSERT(done > 0 && done < 1e9);
    y90t_pathbuf same = y90t_tpath("same-histories.h5");
    CU_ASSERT_EQUAL(y90t_clif(NULL, "run %s -o %s --histories %.0f --force --quiet", cfg.s, same.s, done), 0);
    same_dose(same.s, out.s);
    return done;
}

static void test_time_limit(void)
{
    stopped_run("limit.h5", "--time-limit 1.5s", "time_limit");
    double runtime = attr(y90t_path("limit.h5"), "runtime_s");
    /* the limit counts from the start of the run (phantom and sources included) and acts after the batch in which it
     * passes (batches last about 0.25 s) */
    CU_ASSERT(runtime > 0 && runtime < 1.5 + 1.0);
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --time-limit 10x", cfg.s, y90t_path("x.h5")), 2);
    Y90T_HAS(o, "--time-limit '10x': expected a duration");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --time-limit 10m --part 1/2", cfg.s, y90t_path("x.h5")), 2);
    Y90T_HAS(o, "must each be complete to be merged");
    free(o);
}

static void test_target_uncertainty(void)
{
    y90t_pathbuf out = y90t_tpath("target.h5");
    stopped_run("target.h5", "--target-uncertainty 30% --target-structure liver_normal_treated", "target_uncertainty");
    y90_report_options ro;
    y90_report_options_default(&ro);
    y90_report r;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_report_compute(out.s, &ro, &r, &e), Y90_OK);
    const y90_dose_stats *s = y90_report_row(&r, "liver_normal_treated");
    CU_ASSERT_FATAL(s != NULL);
    printf("\n  target 30 %%: stopped at a median of %.1f %%", s->unc_median_pct);
    CU_ASSERT(s->unc_median_pct <= 30.0);
    /* stopped near the target, not far past it, on any machine: batches hold at most an eighth of the histories
     * done and the target is checked whenever the histories done have grown by a tenth (the check's 5 % time
     * share allowing: this small case's median costs microseconds), so the run goes at most about 1.25x the
     * histories it needed: a median of at least 30 / sqrt(1.25) = 26.8 % */
    CU_ASSERT(s->unc_median_pct > 25.0);
    CU_ASSERT_STRING_EQUAL(r.prov.run_status, "target_uncertainty");
    CU_ASSERT_EQUAL(r.prov.interrupted, 0);
    y90_report_free(&r);
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --target-uncertainty 2%% --target-structure spleen", cfg.s,
                              y90t_path("x.h5")), 2);
    Y90T_HAS(o, "transport.target_structure = spleen: no such structure in this phantom (its structures:");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --target-uncertainty 200%%", cfg.s, y90t_path("x.h5")), 2);
    Y90T_HAS(o, "expected a relative uncertainty");
    free(o);
    CU_ASSERT(!exists(y90t_path("x.h5")));
}

/* Provenance: machine, build, libraries, command line and Slurm ids in the file and in the report. */
static void test_provenance(void)
{
    y90t_pathbuf out = y90t_tpath("prov.h5");
    char *o = NULL;
    CU_ASSERT_EQUAL_FATAL(y90t_sh(&o, "SLURM_JOB_ID=4242 SLURM_ARRAY_JOB_ID=4240 SLURM_ARRAY_TASK_ID=3 '%s' run '%s' "
                                  "-o '%s' --histories 2000 --threads 2 --quiet", y90t_cli_path(), cfg.s, out.s), 0);
    free(o);
    char t[4096];
    attr_text(out.s, "hostname", t, sizeof t);
    CU_ASSERT(t[0] != 0);
    attr_text(out.s, "cpu_model", t, sizeof t);
    CU_ASSERT(t[0] != 0 && strcmp(t, "unknown") != 0);
    CU_ASSERT(attr(out.s, "cpu_cores") >= 1);
    CU_ASSERT_DOUBLE_EQUAL(attr(out.s, "threads"), 2, 0);
    CU_ASSERT_DOUBLE_EQUAL(attr(out.s, "mpi_ranks"), 1, 0);
    CU_ASSERT(attr(out.s, "openmp") >= 200805); /* OpenMP 3.0 or later */
    attr_text(out.s, "compiler", t, sizeof t);
    CU_ASSERT(!strncmp(t, "GNU ", 4) || !strncmp(t, "Clang ", 6));
    attr_text(out.s, "build_type", t, sizeof t);
    CU_ASSERT(t[0] != 0);
    attr_text(out.s, "hdf5_version", t, sizeof t);
    CU_ASSERT(!strncmp(t, "1.", 2));
    attr_text(out.s, "gsl_version", t, sizeof t);
    CU_ASSERT(!strncmp(t, "2.", 2));
    attr_text(out.s, "fftw_version", t, sizeof t);
    CU_ASSERT(!strncmp(t, "fftw-3", 6));
    attr_text(out.s, "mpi_library", t, sizeof t);
    CU_ASSERT(t[0] != 0);
    attr_text(out.s, "command_line", t, sizeof t);
    Y90T_HAS(t, " run ");
    Y90T_HAS(t, cfg.s);
    Y90T_HAS(t, "--histories 2000 --threads 2 --quiet");
    attr_text(out.s, "slurm_job_id", t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "4242");
    attr_text(out.s, "slurm_array_task_id", t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "3");
    CU_ASSERT_DOUBLE_EQUAL(attr(out.s, "histories_requested"), 2000, 0);
    CU_ASSERT_EQUAL(y90t_clif(&o, "report %s --json", out.s), 0);
    Y90T_HAS(o, "\"run_status\": \"completed\"");
    Y90T_HAS(o, "\"slurm_job_id\": \"4242\"");
    Y90T_HAS(o, "\"slurm_array_task_id\": \"3\"");
    Y90T_HAS(o, "\"threads\": 2");
    Y90T_HAS(o, "\"mpi_ranks\": 1");
    Y90T_HAS(o, "\"hdf5_version\": \"1.");
    Y90T_HAS(o, "\"compiler\": \"");
    Y90T_HAS(o, "\"command_line\": \"");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(&o, "report %s", out.s), 0);
    Y90T_HAS(o, "2000 of 2000 histories, complete");
    Y90T_HAS(o, "Host: ");
    Y90T_HAS(o, "2 threads x 1 MPI ranks");
    Y90T_HAS(o, "Slurm: job 4242, array job 4240, task 3");
    Y90T_HAS(o, "Command: ");
    free(o);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("resume", NULL, NULL);
    CU_add_test(s, "plain run, no checkpoint left", test_plain);
    CU_add_test(s, "SIGKILL after a checkpoint, --resume: bitwise the plain run", test_kill_resume);
    CU_add_test(s, "SIGINT: checkpoint and partial file; foreign checkpoint refused; resume bitwise", test_sigint_resume);
    CU_add_test(s, "a killed sweep point resumes", test_sweep_point_resumes);
    CU_add_test(s, "--time-limit: run_status, dose of the histories done", test_time_limit);
    CU_add_test(s, "--target-uncertainty: stops at the target, report agrees", test_target_uncertainty);
    CU_add_test(s, "provenance in the file and the report", test_provenance);
}
