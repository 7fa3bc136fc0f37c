/* MPI (build option Y90_WITH_MPI): `mpirun -np 2 y90mc run` gives /dose, /dose_rel_uncertainty and the energy
 * balance of the single-process run bit for bit (integer tallies summed on rank 0), and `mpirun -np 2 y90mc sweep`
 * the in-process sweep's summary. Skipped with a message in a build without MPI. */
#include "testutil.h"
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "y90/io.h"

#ifdef Y90_MPIEXEC
static int sh(char **out, const char *fmt, ...)
{
    char cmd[8192], log[1100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(log, sizeof log, "%s", y90t_path("sh.log"));
    char full[9400];
    snprintf(full, sizeof full, "%s > '%s' 2>&1", cmd, log);
    int rc = system(full);
    rc = rc == -1 ? -1 : WEXITSTATUS(rc);
    char *o = y90t_slurp(log, NULL);
    if (rc) fprintf(stderr, "\n    %s: exit %d\n%s", cmd, rc, o ? o : "");
    if (out) *out = o;
    else free(o);
    return rc;
}

/* A whole dataset's raw bytes in its file type (malloc'd). */
static unsigned char *raw(const char *path, const char *name, size_t *n)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), d = f >= 0 ? H5Dopen2(f, name, H5P_DEFAULT) : -1;
    hid_t t = d >= 0 ? H5Dget_type(d) : -1, s = d >= 0 ? H5Dget_space(d) : -1;
    unsigned char *buf = NULL;
    *n = 0;
    if (t >= 0 && s >= 0) {
        *n = (size_t)H5Sget_simple_extent_npoints(s) * H5Tget_size(t);
        buf = malloc(*n ? *n : 1);
        if (buf && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            free(buf);
            buf = NULL;
        }
    }
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    if (f >= 0) H5Fclose(f);
    return buf;
}

static int same_dataset(const char *a, const char *b, const char *name)
{
    size_t na, nb;
    unsigned char *x = raw(a, name, &na), *y = raw(b, name, &nb);
    int same = x && y && na == nb && na > 0 && memcmp(x, y, na) == 0;
    if (!same) fprintf(stderr, "\n    %s differs between %s and %s ", name, a, b);
    free(x);
    free(y);
    return same;
}

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
    CU_ASSERT_EQUAL_FATAL(sh(NULL, "%s run '%s' -o '%s' --quiet", Y90_CLI, cfg, one), 0);
    char *o = NULL;
    CU_ASSERT_EQUAL_FATAL(sh(&o, MPIRUN " run '%s' -o '%s'", cfg, two), 0);
    CU_ASSERT(o && strstr(o, "wrote ") && strstr(strstr(o, "wrote ") + 1, "wrote ") == NULL); /* rank 0 speaks */
    free(o);
    CU_ASSERT(same_dataset(one, two, "/dose"));
    CU_ASSERT(same_dataset(one, two, "/dose_rel_uncertainty"));
    const char *eb[] = {"emitted_mev", "deposited_mev", "escaped_photon_mev", "below_cutoff_mev", "in_spheres_mev"};
    for (int k = 0; k < 5; k++) {
        double a = -1, b = -2;
        y90_error e = {0};
        y90_io_read_attr_double(one, "/energy_balance", eb[k], &a, &e);
        y90_io_read_attr_double(two, "/energy_balance", eb[k], &b, &e);
        CU_ASSERT_EQUAL(a, b);
    }
    CU_ASSERT(!y90_io_has_object(two, "/tally"));
    /* an error on every rank: one message, exit 2, nothing written */
    CU_ASSERT_EQUAL(sh(&o, MPIRUN " run '%s' -o '%s'", cfg, two), 2);
    CU_ASSERT(o && strstr(o, "exists; use --force"));
    free(o);
}

static void test_mpi_sweep(void)
{
    y90t_write("base.yaml", CFG);
    char sweep[1024];
    snprintf(sweep, sizeof sweep, "%s", y90t_write("s.yaml", "base: base.yaml\noutput: out\nset:\n  transport.histories: "
                                                             "1000\nvary:\n  treatment.tn_ratio: [1, 2, 3]\n"));
    CU_ASSERT_EQUAL_FATAL(sh(NULL, "%s sweep '%s' --quiet", Y90_CLI, sweep), 0);
    char *csv1 = y90t_slurp(y90t_path("out/summary.csv"), NULL), *json1 = y90t_slurp(y90t_path("out/summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(csv1);
    CU_ASSERT_EQUAL(sh(NULL, "rm -f '%s'/p00?.h5 '%s'/summary.*", y90t_path("out"), y90t_path("out")), 0);
    CU_ASSERT_EQUAL_FATAL(sh(NULL, MPIRUN " sweep '%s'", sweep), 0);
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
#else
static void test_mpi_run(void) { fprintf(stderr, "\n    SKIPPED: built without MPI (Y90_WITH_MPI off) "); }
static void test_mpi_sweep(void) { fprintf(stderr, "\n    SKIPPED: built without MPI (Y90_WITH_MPI off) "); }
#endif

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("mpi", NULL, NULL);
    CU_add_test(s, "mpirun -np 2 run = single run, bitwise", test_mpi_run);
    CU_add_test(s, "mpirun -np 2 sweep = in-process sweep", test_mpi_sweep);
}
