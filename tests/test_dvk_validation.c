/* LABEL validation: the dvk kernel against the mc kernel in homogeneous soft tissue (ICRU 46 soft tissue 1.03
 * g/cm3, 3 mm voxels, 90Y uniform in a 24 mm cube inside a 60 mm box): within 2 % voxel-wise wherever the dose
 * is above 10 % of the maximum, both runs' statistics included (sigma: the MC voxel sigma and the dvk bound from
 * the kernel's own MC sigma, in quadrature):
 *  - no voxel differs by more than 2 % + 4 sigma (about 900 voxels are tested at once, so single 3-sigma
 *    excursions are expected from noise alone);
 *  - at most 1 % of the voxels differ by more than 2 % + 2 sigma (noise alone gives about 0.3 %);
 *  - in each band of dose (10-20, 20-50, 50-90, 90-110 % of the maximum) the mean difference is within 2 % plus
 *    3 standard errors of that mean (about 0.15 % in the bands of a few hundred voxels, so no systematic difference
 *    of 2 % hides under the noise there; the 20-50 % band holds only a few voxels at the cube's edge, whose mean
 *    is known to only ~2 %). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/config.h"

static void test_dvk_vs_mc_soft(void)
{
    setenv("Y90MC_KERNEL_CACHE", y90t_path("kernel-cache"), 1); /* the cache stays in the test folder */
    const char *fmt = "phantom: {type: box, voxel_mm: 3, box_size_mm: [60, 60, 60], material: soft_tissue, "
                      "density: 1.03}\nsource: {type: uniform_box, box_min_mm: [-12, -12, -12], box_max_mm: [12, 12, "
                      "12]}\ntreatment: {activity_gbq: 1.0}\ntransport: {kernel: %s, histories: 3000000, "
                      "kernel_histories: 1000000}\n";
    y90_grid g[2] = {{0}, {0}};
    double *d[2] = {NULL, NULL};
    float *u[2] = {NULL, NULL};
    const char *k[2] = {"mc", "dvk"};
    for (int i = 0; i < 2; i++) {
        char text[1024];
        snprintf(text, sizeof text, fmt, k[i]);
        y90_config c;
        y90_error e = {0};
        CU_ASSERT_FATAL(y90_config_parse("soft.yaml", text, strlen(text), &c, &e) == Y90_OK);
        char name[32];
        snprintf(name, sizeof name, "soft_%s.h5", k[i]);
        CU_ASSERT_FATAL(y90t_run_read(&c, name, &g[i], &d[i], &u[i]) == 0);
        y90_config_free(&c);
    }
    size_t n = y90_grid_nvox(&g[0]), above = 0, fails2 = 0, fails4 = 0, within = 0, bn[4] = {0};
    double max = 0, worst = 0, worst_sig = 0, bsum[4] = {0}, bvar[4] = {0};
    static const double band[5] = {0.1, 0.2, 0.5, 0.9, 1.1};
    for (size_t v = 0; v < n; v++) max = fmax(max, d[0][v]);
    for (size_t v = 0; v < n; v++) {
        if (d[0][v] < 0.1 * max) continue;
        above++;
        double diff = d[1][v] - d[0][v], s0 = u[0][v] * d[0][v], s1 = u[1][v] * d[1][v];
        double sig = sqrt(s0 * s0 + s1 * s1);
        within += fabs(diff) <= 0.02 * d[0][v];
        fails2 += fabs(diff) > 0.02 * d[0][v] + 2.0 * sig;
        fails4 += fabs(diff) > 0.02 * d[0][v] + 4.0 * sig;
        for (int b = 0; b < 4; b++)
            if (d[0][v] >= band[b] * max && d[0][v] < band[b + 1] * max) {
                bn[b]++;
                bsum[b] += diff / d[0][v];
                bvar[b] += sig * sig / (d[0][v] * d[0][v]);
            }
        if (fabs(diff) / d[0][v] > worst) {
            worst = fabs(diff) / d[0][v];
            worst_sig = sig / d[0][v];
        }
    }
    printf("\n  dvk vs mc, soft tissue: %zu voxels above 10 %% of max; %zu (%.1f %%) within 2 %%; largest |diff| "
           "%.2f %% (combined sigma %.2f %%); beyond 2 %% + 2 sigma: %zu, + 4 sigma: %zu; mean difference by band:",
           above, within, 100.0 * within / above, 100 * worst, 100 * worst_sig, fails2, fails4);
    for (int b = 0; b < 4; b++) {
        if (!bn[b]) continue;
        double se = sqrt(bvar[b]) / bn[b];
        printf(" %g-%g %%: %+.2f +- %.2f %% (%zu)", 100 * band[b], 100 * band[b + 1], 100 * bsum[b] / bn[b], 100 * se,
               bn[b]);
        CU_ASSERT(fabs(bsum[b] / bn[b]) < 0.02 + 3.0 * se);
    }
    CU_ASSERT(above > 800);
    CU_ASSERT_EQUAL(fails4, 0);
    CU_ASSERT(fails2 <= above / 100);
    for (int i = 0; i < 2; i++) {
        free(d[i]);
        free(u[i]);
        y90_grid_free(&g[i]);
    }
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("dvk validation", NULL, NULL);
    CU_add_test(s, "dvk = mc in soft tissue within 2 %", test_dvk_vs_mc_soft);
}
