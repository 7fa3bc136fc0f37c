/* y90mc sweep: run, list, collect or submit (Slurm job array) a parameter sweep (include/y90/sweep.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "y90/run.h"
#include "y90/sweep.h"

static int sweep_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "y90mc sweep: %s%s%s (see y90mc --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

static int whole(const char *s, double lo, double hi, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && !errno && *v >= lo && *v <= hi && *v == floor(*v) ? 0 : -1;
}

/* Path of the running executable (for the job script). */
static void self_exe(char *buf, size_t len, const char *argv0)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n > 0) buf[n] = 0;
    else snprintf(buf, len, "%s", argv0);
}

int y90_cli_sweep(int argc, char **argv)
{
    const char *path = NULL;
    int list = 0, collect = 0, slurm = 0, quiet = 0;
    double index = 0, cpus = 0, mem = 0;
    y90_slurm_options so = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "--list")) list = 1;
        else if (!strcmp(a, "--collect")) collect = 1;
        else if (!strcmp(a, "--slurm")) slurm = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--index") && has) {
            if (whole(argv[++i], 1, 1e9, &index)) return sweep_usage("--index: expected a point number >= 1", argv[i]);
        } else if (!strcmp(a, "--partition") && has) so.partition = argv[++i];
        else if (!strcmp(a, "--time") && has) so.time = argv[++i];
        else if (!strcmp(a, "--cpus-per-task") && has) {
            if (whole(argv[++i], 1, 4096, &cpus)) return sweep_usage("--cpus-per-task: expected 1 to 4096", argv[i]);
            so.cpus_per_task = (int)cpus;
        } else if (!strcmp(a, "--mem-gb") && has) {
            char *end;
            mem = strtod(argv[++i], &end);
            if (*end || !(mem > 0 && mem <= 1e5)) return sweep_usage("--mem-gb: expected GB in (0, 1e5]", argv[i]);
            so.mem_gb = mem;
        } else if (a[0] == '-') return sweep_usage("unknown option or missing value", a);
        else if (!path) path = a;
        else return sweep_usage("more than one SWEEP file", a);
    }
    if (!path) return sweep_usage("expected SWEEP.yaml", NULL);
    if (list + collect + slurm + (index > 0) > 1)
        return sweep_usage("--list, --collect, --slurm and --index exclude each other", NULL);
    if (so.time && strspn(so.time, "0123456789:-") != strlen(so.time))
        return sweep_usage("--time: expected a Slurm time such as 02:00:00", so.time);
    if (so.partition && strpbrk(so.partition, " \t\n'\"$`\\"))
        return sweep_usage("--partition: expected a partition name", so.partition);
    y90_sweep s;
    y90_error e = {0};
    if (y90_sweep_load(path, &s, &e)) return y90_cli_fail(&e);
    int rc = 0;
    if (index > s.npoints) {
        fprintf(stderr, "y90mc sweep: --index %.0f: the sweep has %d points\n", index, s.npoints);
        rc = 2;
    } else if (list) {
        for (int i = 0; i < s.npoints; i++) {
            char label[2048];
            y90_sweep_point_label(&s, i, label, sizeof label);
            printf("%d\t%s\t%s\n", i + 1, y90_point_state_name(y90_sweep_point_state(&s, i)), label);
        }
    } else if (collect) {
        int missing = 0;
        if (y90_sweep_collect(&s, &missing, &e)) rc = y90_cli_fail(&e);
        else {
            fprintf(stderr, "wrote %s/summary.csv and summary.json: %d of %d points done\n", s.outdir,
                    s.npoints - missing, s.npoints);
            rc = missing ? 1 : 0;
        }
    } else if (slurm) {
        char exe[4096], script[1200];
        self_exe(exe, sizeof exe, argv[0]);
        so.exe = exe;
        if (y90_sweep_write_slurm(&s, &so, script, sizeof script, &e)) rc = y90_cli_fail(&e);
        else printf("wrote %s: submit with\n  sbatch %s\nand when every task is done:\n  y90mc sweep %s --collect\n",
                    script, script, path);
    } else {
        if (y90_mpi_size() > 1) quiet = 1; /* ranks run points side by side: no interleaved progress */
        y90_cli_progress_state ps;
        y90_cli_progress_init(&ps, "sweep", quiet);
        y90_cli_catch_signals();
        y90_sweep_options o = {quiet ? NULL : stderr, &y90_cli_stop, y90_cli_progress, &ps};
        if (index > 0) {
            if (y90_sweep_run_point(&s, (int)index - 1, &o, &e)) rc = y90_cli_fail(&e);
        } else {
            int failed = 0;
            if (y90_sweep_run(&s, &o, &failed, &e)) rc = y90_cli_fail(&e);
            else if (y90_mpi_rank() == 0) {
                fprintf(stderr, "sweep: %d of %d points done; summary in %s/summary.csv and summary.json\n",
                        s.npoints - failed, s.npoints, s.outdir);
                rc = failed ? 1 : 0;
            }
        }
    }
    y90_sweep_free(&s);
    return rc;
}
