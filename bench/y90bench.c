/* y90mc benchmark: 90Y histories per second of the Monte Carlo kernel on the water dose-point-kernel case and on
 * the default clinical liver case, for 1..N threads, stamped with machine, compiler, flags and git revision.
 * Usage: y90bench [--histories N] [--threads-max T] [--case dpk|liver|all]
 * Timings are of the kernel only (phantom, sources and physics tables are built once before). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "y90/config.h"
#include "y90/kernel.h"
#include "y90/phantom.h"
#include "y90/physics.h"
#include "y90/source.h"
#include "y90/tools.h"

static void machine(void)
{
    struct utsname u;
    uname(&u);
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            char *c = strchr(line, ':');
            if (c) snprintf(model, sizeof model, "%s", c + 2);
            model[strcspn(model, "\n")] = 0;
            break;
        }
    if (f) fclose(f);
    printf("# y90bench: y90mc %s (git %s)\n# machine: %s %s, %s, %d logical CPUs\n# compiler: %s, flags: %s\n",
           y90_version(), y90_git_revision(), u.sysname, u.machine, model, omp_get_num_procs(), Y90_C_COMPILER,
           Y90_C_FLAGS);
}

static int bench_dpk(int64_t n, int threads)
{
    y90_tool_options o = {.medium = "water", .shell_mm = 0.1, .histories = n, .threads = threads, .seed = 1};
    y90_dpk_result r;
    y90_error e = {0};
    if (y90_dpk_compute(&o, &r, &e)) { fprintf(stderr, "dpk: %s\n", e.msg); return 1; }
    printf("dpk_water_0.1mm_shells  %2d threads  %10lld histories  %7.2f s  %10.0f histories/s  (R90 %.3f mm)\n",
           threads, (long long)n, r.runtime_s, n / r.runtime_s, r.r90_mm);
    y90_dpk_free(&r);
    return 0;
}

static int bench_liver(int64_t n, int tmax)
{
    y90_config c;
    y90_error e = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/configs/net_bilobar_therasphere.yaml", Y90_SOURCE_DIR);
    if (y90_config_load(path, &c, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
    y90_grid g = {0};
    y90_sources s = {0};
    y90_physics *ph = NULL;
    int rc = 1;
    if (y90_phantom_build(&c.phantom, 0, &g, NULL, &e) || y90_sources_build(&c, &g, &s, &e) ||
        y90_physics_build(&c, &g, &s, &ph, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        goto done;
    }
    c.transport.histories = n;
    for (int t = 1; t <= tmax; t *= 2) {
        c.transport.threads = t;
        y90_kernel_input in = {&c.transport, &g, &s, ph, NULL, NULL, NULL, 0, 0, NULL, NULL};
        y90_run_result res;
        if (y90_kernel_run(&in, &res, &e)) { fprintf(stderr, "%s\n", e.msg); goto done; }
        printf("liver_default_2mm       %2d threads  %10lld histories  %7.2f s  %10.0f histories/s\n", t,
               (long long)n, res.runtime_s, n / res.runtime_s);
        y90_run_result_free(&res);
        if (t < tmax && 2 * t > tmax) t = tmax / 2; /* always end with tmax */
    }
    rc = 0;
done:
    y90_physics_free(ph);
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
    return rc;
}

int main(int argc, char **argv)
{
    int64_t n = 1000000;
    int tmax = omp_get_num_procs();
    const char *which = "all";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--histories")) n = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads-max")) tmax = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--case")) which = argv[i + 1];
    }
    machine();
    int rc = 0;
    if (!strcmp(which, "all") || !strcmp(which, "dpk"))
        for (int t = 1; t <= tmax; t = (t == tmax) ? t + 1 : (2 * t > tmax ? tmax : 2 * t)) rc |= bench_dpk(n / 4, t);
    if (!strcmp(which, "all") || !strcmp(which, "liver")) rc |= bench_liver(n, tmax);
    return rc;
}
