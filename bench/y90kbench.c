/* y90mc benchmark: one run of one kernel on one config (through y90_run, as `y90mc run` does), printed as one
 * JSON line: wall time of the whole run and of the kernel, histories or voxels per second, peak memory
 * (getrusage ru_maxrss of this process), and for Monte Carlo the efficiency 1/(s^2 T) of the viable-tumour mean
 * (s: its relative 1-sigma from the voxel sigmas taken as independent) and of the normal liver's median voxel
 * uncertainty. bench/kernels.sh runs it over kernels x cases x threads and compares the outputs.
 * Usage: y90kbench CONFIG -o OUT.h5 [--kernel K] [--histories N] [--threads T] [--activity-map sampled|expected]
 *                  [--case NAME] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "y90/config.h"
#include "y90/io.h"
#include "y90/report.h"
#include "y90/run.h"

/* Mass-weighted mean dose of the voxels of one kind and its relative 1-sigma (voxels independent). */
static void kind_mean(const char *path, y90_kind kind, double *mean, double *rel)
{
    y90_grid g = {0};
    double *d = NULL;
    float *u = NULL;
    y90_error e = {0};
    *mean = *rel = NAN;
    if (!y90_io_read_grid(path, &g, &e) && !y90_io_read_dose(path, y90_grid_nvox(&g), &d, &u, &e) && u) {
        double m = 0, md = 0, var = 0;
        for (size_t i = 0; i < y90_grid_nvox(&g); i++) {
            if (g.structures[g.label[i]].kind != kind) continue;
            double w = g.density[i];
            m += w;
            md += w * d[i];
            var += pow(w * u[i] * d[i], 2);
        }
        if (m > 0 && md > 0) {
            *mean = md / m;
            *rel = sqrt(var) / md;
        }
    }
    free(d);
    free(u);
    y90_grid_free(&g);
}

static void num(const char *key, double v) { isfinite(v) ? printf(", \"%s\": %.6g", key, v) : printf(", \"%s\": null", key); }

int main(int argc, char **argv)
{
    const char *cfgpath = NULL, *out = NULL, *kernel = NULL, *amap = NULL, *cname = "";
    long long hist = 0;
    int threads = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-o") && v) out = argv[++i];
        else if (!strcmp(a, "--kernel") && v) kernel = argv[++i];
        else if (!strcmp(a, "--histories") && v) hist = atoll(argv[++i]);
        else if (!strcmp(a, "--threads") && v) threads = atoi(argv[++i]);
        else if (!strcmp(a, "--activity-map") && v) amap = argv[++i];
        else if (!strcmp(a, "--case") && v) cname = argv[++i];
        else if (a[0] != '-' && !cfgpath) cfgpath = a;
        else { fprintf(stderr, "y90kbench: bad argument %s\n", a); return 2; }
    }
    if (!cfgpath || !out) { fprintf(stderr, "usage: y90kbench CONFIG -o OUT.h5 [options]\n"); return 2; }
    y90_config c;
    y90_error e = {0};
    if (y90_config_load(cfgpath, &c, &e)) { fprintf(stderr, "%s\n", e.msg); return 2; }
    static const char *const names[] = {"mc", "local", "dvk", "dvk_density"};
    for (int k = 0; kernel && k < 4; k++)
        if (!strcmp(kernel, names[k])) c.transport.kernel = (y90_kernel_type)k;
    if (hist > 0) c.transport.histories = hist;
    if (threads > 0) c.transport.threads = threads;
    if (amap) c.transport.activity_map = strcmp(amap, "expected") ? Y90_ACTIVITY_SAMPLED : Y90_ACTIVITY_EXPECTED;
    y90_run_options o = {.out_path = out, .force = 1, .log = stderr};
    double t0 = y90_wall_s();
    if (y90_run(&c, &o, &e)) { fprintf(stderr, "%s\n", e.msg); y90_config_free(&c); return 1; }
    double wall = y90_wall_s() - t0, kt = NAN, nx = 0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    y90_io_read_attr_double(out, "/", "runtime_s", &kt, &e);
    y90_grid g = {0};
    if (!y90_io_read_grid(out, &g, &e)) nx = (double)y90_grid_nvox(&g);
    y90_grid_free(&g);
    int mc = c.transport.kernel == Y90_KERNEL_MC;
    printf("{\"case\": \"%s\", \"kernel\": \"%s\", \"threads\": %d, \"histories\": %lld, \"voxels\": %.0f",
           cname, names[c.transport.kernel], c.transport.threads, mc ? (long long)c.transport.histories : 0LL, nx);
    num("wall_s", wall);
    num("kernel_s", kt);
    num(mc ? "histories_per_s" : "voxels_per_s", (mc ? (double)c.transport.histories : nx) / kt);
    num("peak_rss_mb", ru.ru_maxrss / 1024.0);
    if (mc && c.phantom.type == Y90_PHANTOM_LIVER) {
        double mean, rel;
        kind_mean(out, Y90_KIND_TUMOR_VIABLE, &mean, &rel);
        num("tumour_viable_mean_gy", mean);
        num("tumour_viable_mean_rel_sigma", rel);
        num("efficiency_tumour_mean", 1.0 / (rel * rel * kt));
        y90_report *r = calloc(1, sizeof *r);
        if (r && !y90_report_compute(out, 0, r, &e)) {
            const y90_dose_stats *s = y90_report_row(r, "liver_normal_treated");
            double u = s ? s->unc_median_pct / 100.0 : NAN;
            num("liver_normal_median_unc", u);
            num("efficiency_normal_median_voxel", 1.0 / (u * u * kt));
            y90_report_free(r);
        }
        free(r);
    }
    printf("}\n");
    y90_config_free(&c);
    return 0;
}
