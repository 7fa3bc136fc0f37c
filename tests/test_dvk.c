/* Deterministic kernels and dose comparison: local deposition equals the MIRD dose with zero uncertainty; the dvk
 * FFT convolution equals a direct sum; dvk_density scales by the density ratio; the kernel cache returns what it
 * stored; the gamma index gives the known pass rates of hand-made grids (a shifted and a scaled distribution). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/compare.h"
#include "y90/config.h"
#include "y90/kernel.h"
#include "y90/kernelcache.h"
#include "y90/nuclide.h"
#include "y90/phantom.h"
#include "y90/report.h"
#include "y90/source.h"
#include "y90/tools.h"

static void parse(const char *text, y90_config *c)
{
    y90_error e = {0};
    if (y90_config_parse("test.yaml", text, strlen(text), c, &e)) printf("\n  %s", e.msg);
    CU_ASSERT_FATAL(e.code == Y90_OK);
}

/* Config text -> phantom and sources. */
static void build(const char *text, y90_config *c, y90_grid *g, y90_sources *s)
{
    y90_error e = {0};
    parse(text, c);
    memset(g, 0, sizeof *g);
    memset(s, 0, sizeof *s);
    if (y90_phantom_build(&c->phantom, 0, g, NULL, &e) || y90_sources_build(c, g, s, &e)) printf("\n  %s", e.msg);
    CU_ASSERT_FATAL(e.code == Y90_OK);
}

/* Water box, 1 GBq uniform, local: every voxel gets the MIRD dose 49.77 Gy kg/GBq x 1 GBq / 1 kg exactly. */
static void test_local_mird_box(void)
{
    y90_config c;
    parse("phantom: {type: box, voxel_mm: 5, box_size_mm: [100, 100, 100], material: water, density: 1.0}\n"
          "source: {type: uniform_box}\ntreatment: {activity_gbq: 1.0}\ntransport: {kernel: local, histories: 10}\n",
          &c);
    y90_grid g = {0};
    double *dose = NULL;
    float *unc = NULL;
    CU_ASSERT_FATAL(y90t_run_read(&c, "local_box.h5", &g, &dose, &unc) == 0);
    /* independent arithmetic: decays of 1 GBq decaying fully = A T1/2 / ln 2, 0.93310 MeV each, into 1 kg */
    double mird = 1e9 * 64.10 * 3600.0 / log(2.0) * 0.93310 * 1.602176634e-13 / 1.0;
    double maxdev = 0, maxunc = 0;
    for (size_t i = 0; i < y90_grid_nvox(&g); i++) {
        maxdev = fmax(maxdev, fabs(dose[i] / mird - 1));
        maxunc = fmax(maxunc, unc[i]);
    }
    CU_ASSERT(maxdev < 1e-12);
    CU_ASSERT_EQUAL(maxunc, 0.0);
    free(dose);
    free(unc);
    y90_grid_free(&g);
    y90_config_free(&c);
}

/* The liver case with local deposition: the treated-liver mean is the report's MIRD estimate (to the rounding of
 * the lung share to whole spheres), for the expected and the sampled activity map; zero uncertainty. */
static void test_local_mird_liver(void)
{
    for (int expected = 0; expected < 2; expected++) {
        char text[1024];
        snprintf(text, sizeof text, "phantom: {type: liver, voxel_mm: 4}\nsource: {type: microspheres, product: "
                 "sir_spheres}\ntreatment: {activity_gbq: 0.5, lung_shunt_fraction: 0.1, tn_ratio: 3}\n"
                 "transport: {kernel: local, activity_map: %s}\n", expected ? "expected" : "sampled");
        y90_config c;
        parse(text, &c);
        y90_grid g = {0};
        double *dose = NULL;
        float *unc = NULL;
        char name[32];
        snprintf(name, sizeof name, "local_liver%d.h5", expected);
        CU_ASSERT_FATAL(y90t_run_read(&c, name, &g, &dose, &unc) == 0);
        float maxunc = 0;
        for (size_t i = 0; i < y90_grid_nvox(&g); i++) maxunc = fmaxf(maxunc, unc[i]);
        CU_ASSERT_EQUAL(maxunc, 0.0f);
        y90_report *r = calloc(1, sizeof *r);
        y90_error e = {0};
        CU_ASSERT_FATAL(y90_report_compute(y90t_path(name), 0, r, &e) == Y90_OK);
        printf("\n  local (%s): treated liver %.6f Gy, MIRD %.6f Gy; lung %.6f Gy, MIRD %.6f Gy",
               expected ? "expected" : "sampled", r->treated_liver_mean_gy, r->mird_treated_liver_gy, r->lung_mean_gy,
               r->mird_lung_gy);
        CU_ASSERT(y90t_rel(r->treated_liver_mean_gy, r->mird_treated_liver_gy) < 1e-5);
        CU_ASSERT(y90t_rel(r->lung_mean_gy, r->mird_lung_gy) < 1e-4);
        y90_report_free(r);
        free(r);
        free(dose);
        free(unc);
        y90_grid_free(&g);
        y90_config_free(&c);
    }
}

/* The FFT convolution against a direct sum with a made-up kernel (random values), on a grid that is not a
 * power of two and an activity map of two boxes; dvk_density scales by kernel density / local density. */
static void test_dvk_direct(void)
{
    y90_config c;
    y90_grid g;
    y90_sources s;
    y90_error e = {0};
    build("phantom: {type: slabs, voxel_mm: 2, box_size_mm: [14, 18, 1], slab_materials: [water, lung], "
          "slab_densities: [1.0, 0.25], slab_thickness_mm: [10, 12]}\n"
          "source: {type: uniform_box, box_min_mm: [-5, -6, 3], box_max_mm: [3, 4, 15]}\n"
          "treatment: {activity_gbq: 1.0}\ntransport: {kernel: dvk}\n", &c, &g, &s);
    const int h = 3, n = 2 * h + 1;
    y90_voxel_kernel k = {h, 2.0, 1.0, "water", calloc((size_t)n * n * n, sizeof(double)),
                          calloc((size_t)n * n * n, sizeof(double)), 1.0, 0};
    unsigned x = 12345;
    for (int i = 0; i < n * n * n; i++) {
        x = x * 1103515245u + 12345u;
        k.mev[i] = (double)(x >> 8) / (double)(1u << 24) * 0.1;
        k.sigma_mev[i] = 0.01 * k.mev[i];
    }
    size_t nv = y90_grid_nvox(&g);
    double *a = calloc(nv, sizeof(double));
    CU_ASSERT_FATAL(y90_sources_activity_map(&s, &g, 0, a, &e) == Y90_OK);
    double suma = 0;
    for (size_t i = 0; i < nv; i++) suma += a[i];
    CU_ASSERT(fabs(suma - 1) < 1e-12);
    y90_run_result r1, r2;
    y90_kernel_input in = {&c.transport, &g, &s, NULL, NULL, NULL, NULL, 0, 0, &k, NULL};
    CU_ASSERT_FATAL(y90_kernel_run(&in, &r1, &e) == Y90_OK);
    c.transport.kernel = Y90_KERNEL_DVK_DENSITY;
    CU_ASSERT_FATAL(y90_kernel_run(&in, &r2, &e) == Y90_OK);
    CU_ASSERT_STRING_EQUAL(r1.kernel, "dvk");
    CU_ASSERT_EQUAL(r1.histories, 0);
    double maxrel = 0, maxrel2 = 0, m_k = 1.0 * 8.0 * 1e-6; /* kg, a 2 mm voxel of the kernel's density */
    for (int z = 0; z < g.nz; z++)
        for (int y = 0; y < g.ny; y++)
            for (int xx = 0; xx < g.nx; xx++) {
                double e_dir = 0;
                for (int dz = -h; dz <= h; dz++)
                    for (int dy = -h; dy <= h; dy++)
                        for (int dx = -h; dx <= h; dx++) {
                            int sx = xx - dx, sy = y - dy, sz = z - dz;
                            if (sx < 0 || sy < 0 || sz < 0 || sx >= g.nx || sy >= g.ny || sz >= g.nz) continue;
                            e_dir += a[y90_grid_index(&g, sx, sy, sz)] *
                                     k.mev[((size_t)(dz + h) * n + (size_t)(dy + h)) * n + (size_t)(dx + h)];
                        }
                size_t v = y90_grid_index(&g, xx, y, z);
                double d_dir = e_dir * s.decays * Y90_J_PER_MEV / m_k;
                double d_den = e_dir * s.decays * Y90_J_PER_MEV / y90_grid_voxel_mass_kg(&g, v);
                if (d_dir > 0) {
                    maxrel = fmax(maxrel, fabs(r1.dose[v] / d_dir - 1));
                    maxrel2 = fmax(maxrel2, fabs(r2.dose[v] / d_den - 1));
                    /* kernel sigma 1 % everywhere: the fully correlated bound is 1 % too */
                    CU_ASSERT(fabs(r1.rel_unc[v] - 0.01) < 1e-6);
                }
            }
    printf("\n  dvk FFT vs direct sum: max relative difference %.2e (dvk_density %.2e)", maxrel, maxrel2);
    CU_ASSERT(maxrel < 1e-9);
    CU_ASSERT(maxrel2 < 1e-9);
    y90_run_result_free(&r1);
    y90_run_result_free(&r2);
    /* a mono-energetic source cannot use the 90Y kernel */
    s.energy_mev = 1.0;
    CU_ASSERT_EQUAL(y90_kernel_run(&in, &r1, &e), Y90_EINPUT);
    y90_run_result_free(&r1);
    free(a);
    y90_voxel_kernel_free(&k);
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
}

/* The cache: the first call computes and stores, the second reads the same numbers back; another voxel size is
 * another file; no temporary file is left. */
static void test_kernel_cache(void)
{
    y90_config c;
    y90_grid g;
    y90_sources s;
    y90_error e = {0};
    build("phantom: {type: box, voxel_mm: 3, box_size_mm: [30, 30, 30], material: water}\n"
          "source: {type: uniform_box}\ntreatment: {activity_gbq: 1.0}\n"
          "transport: {kernel: dvk, kernel_histories: 2000, threads: 1}\n", &c, &g, &s);
    const char *dir = y90t_path("cache/sub");
    char log1[4096] = "", log2[4096] = "";
    FILE *f1 = fmemopen(log1, sizeof log1, "w"), *f2 = fmemopen(log2, sizeof log2, "w");
    y90_voxel_kernel k1, k2;
    CU_ASSERT_FATAL(y90_kernel_cache_get(&c, &g, &s, dir, f1, &k1, &e) == Y90_OK);
    CU_ASSERT_FATAL(y90_kernel_cache_get(&c, &g, &s, dir, f2, &k2, &e) == Y90_OK);
    fclose(f1);
    fclose(f2);
    CU_ASSERT_PTR_NOT_NULL(strstr(log1, "computing"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log2, "from the cache"));
    CU_ASSERT_EQUAL(k1.half, 5); /* 12 mm / 3 mm + 1 */
    CU_ASSERT_STRING_EQUAL(k2.medium, "water");
    size_t n = (size_t)(2 * k1.half + 1) * (2 * k1.half + 1) * (2 * k1.half + 1);
    CU_ASSERT(memcmp(k1.mev, k2.mev, n * sizeof(double)) == 0);
    CU_ASSERT(memcmp(k1.sigma_mev, k2.sigma_mev, n * sizeof(double)) == 0);
    CU_ASSERT(k1.energy_fraction > 0.9 && k1.energy_fraction <= 1.0);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "ls %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int files = 0;
    CU_ASSERT(p && fscanf(p, "%d", &files) == 1);
    if (p) pclose(p);
    CU_ASSERT_EQUAL(files, 1);
    y90_voxel_kernel_free(&k1);
    y90_voxel_kernel_free(&k2);
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
}

/* A grid of n^3 voxels of 2 mm for the gamma tests. */
static void gamma_grid(y90_grid *g, int n)
{
    memset(g, 0, sizeof *g);
    g->nx = g->ny = g->nz = n;
    for (int a = 0; a < 3; a++) g->spacing[a] = 2.0;
}

static double pass(const y90_grid *g, const double *a, const float *ua, const double *b, const float *ub, double dd,
                   double dta, int local, int unc)
{
    y90_gamma_criteria c = {dd, dta, local, 10.0, unc};
    y90_gamma_result r;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_gamma_index(g, a, ua, b, ub, &c, &r, NULL, &e) == Y90_OK);
    return r.pass_percent;
}

static void test_gamma_known(void)
{
    const int n = 20;
    y90_grid g;
    gamma_grid(&g, n);
    size_t nv = (size_t)n * n * n;
    double *a = calloc(nv, sizeof(double)), *b = calloc(nv, sizeof(double));
    float *u = calloc(nv, sizeof(float));
    /* shifted: a block of 1 Gy, 8 voxels long in x (x = 6..13, y, z = 4..15), shifted by one voxel (2 mm) in x */
    for (int z = 4; z < 16; z++)
        for (int y = 4; y < 16; y++)
            for (int x = 6; x < 14; x++) {
                a[y90_grid_index(&g, x, y, z)] = 1.0;
                b[y90_grid_index(&g, x + 1, y, z)] = 1.0;
            }
    /* DTA 3 mm reaches the shifted block from every voxel: all pass. DTA 1 mm: the first layer (x = 6) sees at
     * most the interpolated edge (B = r/2 at r <= 1 mm): gamma > 1; the other 7 layers match: 7/8 pass. */
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, NULL, b, NULL, 3, 3, 0, 0), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, NULL, b, NULL, 3, 1, 0, 0), 100.0 * 7 / 8, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, NULL, b, NULL, 3, 1, 1, 0), 100.0 * 7 / 8, 1e-9);
    /* scaled: uniform 1 Gy against 1.02 Gy: 2 % everywhere, no gradient for DTA to use */
    for (size_t i = 0; i < nv; i++) {
        a[i] = 1.0;
        b[i] = 1.02;
    }
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, NULL, b, NULL, 3, 3, 0, 0), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, NULL, b, NULL, 1, 1, 0, 0), 0.0, 1e-9);
    /* with 2 % statistical uncertainty in both files the 1 % criterion widens to sqrt(1 + 4 + 4.16) % > 2 % */
    for (size_t i = 0; i < nv; i++) u[i] = 0.02f;
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, u, b, u, 1, 1, 0, 1), 100.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, u, b, u, 1, 1, 0, 0), 0.0, 1e-9);
    /* scaled two-level: 1 Gy for x < 10, 0.5 Gy beyond, B = 1.04 A, 3 %, DTA 0.1 mm (too short to reach the
     * interface value): global (3 % of 1 Gy = 0.03 Gy) passes the 0.5 Gy half (0.02 Gy off) only: 50 %; local
     * fails both halves (4 % off): 0 % */
    for (int z = 0; z < n; z++)
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                size_t v = y90_grid_index(&g, x, y, z);
                a[v] = x < n / 2 ? 1.0 : 0.5;
                b[v] = 1.04 * a[v];
            }
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, NULL, b, NULL, 3, 0.1, 0, 0), 50.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(pass(&g, a, NULL, b, NULL, 3, 0.1, 1, 0), 0.0, 1e-9);
    /* identical distributions pass everywhere; the threshold excludes low doses */
    y90_gamma_criteria c = {2, 2, 1, 60.0, 0};
    y90_gamma_result r;
    y90_error e = {0};
    CU_ASSERT(y90_gamma_index(&g, a, NULL, a, NULL, &c, &r, NULL, &e) == Y90_OK);
    CU_ASSERT_EQUAL(r.evaluated, nv / 2);
    CU_ASSERT_DOUBLE_EQUAL(r.pass_percent, 100.0, 1e-12);
    c.dta_mm = 0;
    CU_ASSERT_EQUAL(y90_gamma_index(&g, a, NULL, a, NULL, &c, &r, NULL, &e), Y90_EINPUT);
    free(a);
    free(b);
    free(u);
}

/* y90mc compare on two runs: local against itself is identical; against dvk the difference map is written. */
static void test_compare_cli(void)
{
    const char *cfg = y90t_write("box.yaml", "phantom: {type: box, voxel_mm: 4, box_size_mm: [40, 40, 40], "
                                 "material: water}\nsource: {type: uniform_box, box_min_mm: [-8, -8, -8], box_max_mm: "
                                 "[8, 8, 8]}\ntreatment: {activity_gbq: 1.0}\ntransport: {kernel: local}\n");
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "run %s -o %s --quiet", cfg, y90t_path("a.h5"));
    CU_ASSERT_FATAL(y90t_cli(cmd, NULL) == 0);
    /* the report says the local kernel simulated no histories rather than "0 of N" */
    snprintf(cmd, sizeof cmd, "report %s", y90t_path("a.h5"));
    CU_ASSERT_EQUAL(y90t_cli(cmd, &out), 0);
    CU_ASSERT(out && strstr(out, "local kernel, deterministic (no histories), complete"));
    free(out);
    out = NULL;
    snprintf(cmd, sizeof cmd, "compare %s %s --json --diff-out %s", y90t_path("a.h5"), y90t_path("a.h5"),
             y90t_path("diff.h5"));
    CU_ASSERT_EQUAL(y90t_cli(cmd, &out), 0);
    CU_ASSERT(out && strstr(out, "\"pass_percent\": 100"));
    CU_ASSERT(!(out && strstr(out, "\"pass_percent\": 9")));
    free(out);
    /* the difference map exists and refuses to be overwritten without --force */
    CU_ASSERT_EQUAL(y90t_cli(cmd, NULL), 2);
    snprintf(cmd, sizeof cmd, "compare %s --gamma 3", y90t_path("a.h5"));
    CU_ASSERT_EQUAL(y90t_cli(cmd, NULL), 2);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("dvk", NULL, NULL);
    CU_add_test(s, "local = MIRD in a box", test_local_mird_box);
    CU_add_test(s, "local = MIRD in the liver", test_local_mird_liver);
    CU_add_test(s, "dvk FFT = direct sum", test_dvk_direct);
    CU_add_test(s, "kernel cache", test_kernel_cache);
    CU_add_test(s, "gamma known pass rates", test_gamma_known);
    CU_add_test(s, "compare CLI", test_compare_cli);
}
