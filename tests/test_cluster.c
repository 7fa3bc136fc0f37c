/* Microsphere clusters and the microscale lobule phantom: the cluster-size histogram against the configured
 * distribution (chi-square, fixed seeds, and a wrong distribution that the same test rejects), the clusters of a
 * built source (contiguous, no overlapping spheres, sizes, counts per structure within 3 sigma of the uptake
 * model with the cluster variance), transport through the spheres of a cluster (energy conserved, more energy in
 * the glass than without clusters), the lobule phantom's geometry (lobule count, portal and central-vein areas
 * against the hexagon formulas) and its periodic block (the mean dose is the MIRD dose), and the microscale
 * statistics of the report on a hand-made dose. */
#include "testutil.h"
#include "y90/io.h"
#include "y90/phantom.h"
#include "y90/report.h"
#include "y90/rng.h"
#include "y90/source.h"
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P_MIN 1e-3 /* a histogram test fails below this p value */

#define chi2_p y90t_cluster_chi2_p

static y90_source_params dist(y90_cluster_dist d, double mean, double sigma)
{
    y90_config c;
    y90_config_defaults(&c);
    c.source.clustering = d;
    c.source.cluster_mean = mean;
    c.source.cluster_sigma = sigma;
    return c.source;
}

/* The pmf sums to 1 and has the configured mean (geometric: 1/p exactly; log-normal: mean of ceil(X), between
 * the mean of X and that plus 1). */
static void test_pmf(void)
{
    y90_source_params g = dist(Y90_CLUSTER_GEOMETRIC, 4, 0), l = dist(Y90_CLUSTER_LOGNORMAL, 4, 1.0);
    double sg = 0, sl = 0, mg = 0, ml = 0;
    for (long k = 1; k <= Y90_CLUSTER_MAX; k++) {
        sg += y90_cluster_pmf(&g, k);
        sl += y90_cluster_pmf(&l, k);
        mg += k * y90_cluster_pmf(&g, k);
        ml += k * y90_cluster_pmf(&l, k);
    }
    CU_ASSERT_DOUBLE_EQUAL(sg, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sl, 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(mg, 4.0, 1e-6);
    CU_ASSERT(ml > 4.0 && ml < 5.0);
    /* geometric P(1) = p = 1/4; log-normal P(1) = Phi((ln 1 - mu) / sigma), mu = ln 4 - 1/2 */
    CU_ASSERT_DOUBLE_EQUAL(y90_cluster_pmf(&g, 1), 0.25, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(y90_cluster_pmf(&l, 1), gsl_cdf_ugaussian_P(-(log(4.0) - 0.5)), 1e-12);
}

/* Draws of y90_cluster_draw: chi-square against their own pmf passes (p > P_MIN), against the other
 * distribution of the same mean fails (p < 1e-6): the test can fail. */
static void test_histogram_draws(void)
{
    enum { N = 20000, KMAX = 200 };
    y90_source_params d[2] = {dist(Y90_CLUSTER_GEOMETRIC, 4, 0), dist(Y90_CLUSTER_LOGNORMAL, 4, 1.0)};
    for (int i = 0; i < 2; i++) {
        size_t *counts = calloc(KMAX + 1, sizeof *counts);
        y90_rng r;
        y90_rng_init(&r, 12345, Y90_STREAM_TEST, (uint64_t)i);
        for (int n = 0; n < N; n++) {
            long k = y90_cluster_draw(&d[i], &r);
            if (k <= KMAX) counts[k]++;
        }
        int dof;
        double p = chi2_p(&d[i], counts, KMAX, N, &dof), p_wrong = chi2_p(&d[1 - i], counts, KMAX, N, &dof);
        fprintf(stderr, "\n    %s: p = %.3g against its pmf, %.3g against the other ", i ? "log-normal" : "geometric",
                p, p_wrong);
        CU_ASSERT(p > P_MIN);
        CU_ASSERT(p_wrong < 1e-6);
        free(counts);
    }
}

static y90_config liver_config(y90_cluster_dist d, double mean)
{
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.voxel_mm = 4;
    c.source.type = Y90_SOURCE_MICROSPHERES;
    c.source.product = Y90_PRODUCT_SIR_SPHERES;
    c.source.clustering = d;
    c.source.cluster_mean = mean;
    c.source.cluster_sigma = 1.0;
    c.treatment.activity_gbq = 0.005; /* 100000 resin spheres of 50 Bq */
    c.treatment.lung_shunt_fraction = 0.1;
    c.treatment.tn_ratio = 4;
    snprintf(c.path, sizeof c.path, "test_cluster");
    return c;
}

/* A built source: the table sorted by voxel (what the file format and readers expect), every sphere in exactly one
 * cluster (the member lists a permutation of the rows, sphere_cluster their inverse), no two spheres of a cluster
 * overlap (centres as stored: voxel corner + float offset), offsets in [0, spacing), the bounding ball holds its
 * spheres; the sizes (the cut last cluster of each group left out) pass the chi-square test; spheres per structure
 * within 3 sigma of the uptake model, sigma^2 = p (1 - p) sum_c k_c^2 for clusters of k_c spheres whose centres
 * land in the structure with probability p. */
static void test_built_clusters(void)
{
    y90_config c = liver_config(Y90_CLUSTER_LOGNORMAL, 6);
    y90_grid g;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_phantom_build(&c.phantom, 0, &g, NULL, &e) == Y90_OK);
    y90_sources s;
    if (y90_sources_build(&c, &g, &s, &e)) {
        fprintf(stderr, "\n    %s ", e.msg);
        CU_FAIL_FATAL("sources");
    }
    CU_ASSERT(s.nclusters > 1000);
    CU_ASSERT(s.nclusters_lung > 0 && s.nclusters_lung < s.nclusters);
    CU_ASSERT_FATAL(s.cluster_start[0] == 0 && s.cluster_start[s.nclusters] == s.nspheres);
    CU_ASSERT(s.cluster_start[s.nclusters_lung] == s.spheres_in_lung);
    int sorted = 1, ids_ok = 1, overlap = 0, bound_ok = 1, offsets_ok = 1;
    for (size_t i = 1; i < s.nspheres; i++) sorted &= s.spheres[i - 1].voxel <= s.spheres[i].voxel;
    for (size_t i = 0; i < s.nspheres; i++)
        for (int a = 0; a < 3; a++) offsets_ok &= s.spheres[i].offset_mm[a] >= 0 && s.spheres[i].offset_mm[a] < g.spacing[a];
    unsigned char *seen = calloc(s.nspheres, 1);
    size_t *counts = calloc(Y90_CLUSTER_MAX + 1, sizeof *counts), ncount = 0;
    for (size_t k = 0; k < s.nclusters; k++) {
        size_t a = s.cluster_start[k], b = s.cluster_start[k + 1];
        ids_ok &= b > a;
        /* the last cluster of the lung group and of the liver group may be cut */
        int cut = k + 1 == s.nclusters_lung || k + 1 == s.nclusters;
        if (!cut) counts[b - a]++, ncount++;
        for (size_t i = a; i < b; i++) {
            size_t row = s.cluster_members[i];
            ids_ok &= row < s.nspheres && !seen[row] && s.sphere_cluster[row] == k;
            if (row >= s.nspheres) continue;
            seen[row] = 1;
            const y90_sphere *p = &s.spheres[row];
            double pc[3], qc[3];
            y90_sphere_centre(&g, p, pc);
            double dx = pc[0] - s.cluster_bound[k][0], dy = pc[1] - s.cluster_bound[k][1], dz = pc[2] - s.cluster_bound[k][2];
            bound_ok &= sqrt(dx * dx + dy * dy + dz * dz) + 0.5e-3 * p->diameter_um <= s.cluster_bound[k][3];
            for (size_t j = a; j < i; j++) {
                const y90_sphere *q = &s.spheres[s.cluster_members[j] < s.nspheres ? s.cluster_members[j] : 0];
                y90_sphere_centre(&g, q, qc);
                double d = sqrt((pc[0] - qc[0]) * (pc[0] - qc[0]) + (pc[1] - qc[1]) * (pc[1] - qc[1]) +
                                (pc[2] - qc[2]) * (pc[2] - qc[2]));
                overlap |= d < 0.5e-3 * (p->diameter_um + q->diameter_um);
            }
        }
    }
    for (size_t i = 0; i < s.nspheres; i++) ids_ok &= seen[i];
    free(seen);
    CU_ASSERT(sorted);
    CU_ASSERT(offsets_ok);
    CU_ASSERT(ids_ok);
    CU_ASSERT(!overlap);
    CU_ASSERT(bound_ok);
    int dof;
    double p = chi2_p(&c.source, counts, Y90_CLUSTER_MAX, ncount, &dof);
    y90_source_params geo = dist(Y90_CLUSTER_GEOMETRIC, 6, 0);
    double p_wrong = chi2_p(&geo, counts, Y90_CLUSTER_MAX, ncount, &dof);
    fprintf(stderr, "\n    %zu clusters of %zu spheres: size histogram p = %.3g (%d dof), against geometric %.3g ",
            s.nclusters, s.nspheres, p, dof, p_wrong);
    CU_ASSERT(p > P_MIN);
    CU_ASSERT(p_wrong < 1e-6);
    free(counts);
    /* spheres per liver structure: expected share of the liver spheres = uptake weight x mass / total */
    double wsum = 0, wl[Y90_MAX_LABELS] = {0};
    size_t nv = y90_grid_nvox(&g);
    for (size_t i = 0; i < nv; i++) wl[g.label[i]] += s.uptake_liver[g.label[i]] * g.density[i];
    for (int l = 0; l < g.nstructures; l++) wsum += wl[l];
    double k2 = 0; /* sum of squared cluster sizes over the liver clusters */
    size_t nliver = s.nspheres - s.spheres_in_lung, got[Y90_MAX_LABELS] = {0};
    for (size_t k = s.nclusters_lung; k < s.nclusters; k++) {
        double kk = (double)(s.cluster_start[k + 1] - s.cluster_start[k]);
        k2 += kk * kk;
        for (size_t i = s.cluster_start[k]; i < s.cluster_start[k + 1]; i++) {
            size_t v = SIZE_MAX;
            double x[3];
            y90_sphere_centre(&g, &s.spheres[s.cluster_members[i]], x);
            if (y90_grid_locate(&g, x, &v) == 0) got[g.label[v]]++;
            CU_ASSERT(v == s.spheres[s.cluster_members[i]].voxel); /* the stored voxel holds the centre */
        }
    }
    int checked = 0;
    for (int l = 0; l < g.nstructures; l++) {
        if (wl[l] <= 0) continue;
        double pl = wl[l] / wsum, expect = pl * (double)nliver, sigma = sqrt(pl * (1 - pl) * k2);
        fprintf(stderr, "\n    %-20s %7zu spheres, expected %9.1f +- %.1f ", g.structures[l].name, got[l], expect,
                sigma);
        CU_ASSERT(fabs((double)got[l] - expect) < 3 * sigma);
        checked++;
    }
    CU_ASSERT(checked >= 3);
    y90_sources_free(&s);
    y90_grid_free(&g);
}

/* A lobule-block config: voxel (mm), block x = y and z (mm), tumour edge depth (mm); microspheres with T/N 3. */
static y90_config lobule_config(double voxel, double xy, double z, double tumour)
{
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.type = Y90_PHANTOM_LOBULES;
    c.phantom.voxel_mm = voxel;
    c.phantom.lobule_block_mm[0] = c.phantom.lobule_block_mm[1] = xy;
    c.phantom.lobule_block_mm[2] = z;
    c.phantom.lobule_tumour_depth_mm = tumour;
    c.source.type = Y90_SOURCE_MICROSPHERES;
    c.treatment.tn_ratio = 3;
    snprintf(c.path, sizeof c.path, "test_cluster");
    return c;
}

/* The lobule phantom: 20 um voxels, 2 x 2 x 0.1 mm; lobule ids 1..n with n within the hexagons that can meet the
 * block; portal-tract area = (corners per area) x pi r^2 (two corners per hexagon of area 3 sqrt(3)/2 R^2), the
 * central-vein area one disc per hexagon; the tumour edge's volume. */
static void test_lobule_phantom(void)
{
    y90_config c = lobule_config(0.01, 4, 0.02, 0.5);
    y90_grid g;
    y90_phantom_info info;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_phantom_build(&c.phantom, 0, &g, &info, &e) == Y90_OK);
    CU_ASSERT(g.periodic == 1 && g.lobule_id != NULL);
    size_t nv = y90_grid_nvox(&g), n[8] = {0};
    int idmax = 0;
    for (size_t i = 0; i < nv; i++) {
        n[g.label[i]]++;
        if (g.lobule_id[i] > idmax) idmax = g.lobule_id[i];
    }
    CU_ASSERT(idmax == g.nlobules);
    double R = 0.5, hex = 1.5 * sqrt(3.0) * R * R, lobe_area = 4.0 * 3.5; /* mm2 of lobules in one slice */
    double portal = lobe_area / hex * 2 * Y90_PI * 0.06 * 0.06, central = lobe_area / hex * Y90_PI * 0.04 * 0.04;
    fprintf(stderr, "\n    %d lobules; portal %.4f mm2 (expected %.4f), central %.4f (%.4f), tumour %.3f mm3 ", g.nlobules,
            (double)n[1] * 1e-4 / g.nz, portal, (double)n[2] * 1e-4 / g.nz, central, info.tumour_volume_ml * 1e3);
    /* lobules meeting a 3.5 x 4 mm area: between its area / hexagon area (18.7) and that plus the boundary ones */
    CU_ASSERT(g.nlobules >= 18 && g.nlobules <= 40);
    /* areas within 10 % (boundary effects of a finite block, voxelisation at 10 um) */
    CU_ASSERT(fabs((double)n[1] * 1e-4 / g.nz / portal - 1) < 0.10);
    CU_ASSERT(fabs((double)n[2] * 1e-4 / g.nz / central - 1) < 0.10);
    CU_ASSERT_DOUBLE_EQUAL(info.tumour_volume_ml * 1e3, 0.5 * 4 * 0.02, 1e-9);
    y90_grid_free(&g);
    /* 5 um over the default block: 512 million voxels, refused with the memory it needs */
    c.phantom.voxel_mm = 0.005;
    c.phantom.lobule_block_mm[2] = 4;
    y90_status st = y90_phantom_build(&c.phantom, (size_t)19e9, &g, NULL, &e);
    CU_ASSERT(st == Y90_ENOMEM);
    Y90T_HAS(e.msg, "use larger voxels");
}

/* Spheres in the lobule block (no clustering): every normal-liver sphere centre in a portal tract, and the
 * tumour edge's share of the spheres tn M_t / (tn M_t + M_n) (uptake per mass of the whole normal liver) within 3
 * sigma of the binomial noise. */
static void test_lobule_uptake(void)
{
    y90_config c = lobule_config(0.02, 2, 0.5, 0.5);
    c.source.product = Y90_PRODUCT_SIR_SPHERES;
    c.treatment.activity_gbq = 20000 * 50e-9;
    y90_grid g;
    y90_sources s;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_phantom_build(&c.phantom, 0, &g, NULL, &e) == Y90_OK);
    CU_ASSERT_FATAL(y90_sources_build(&c, &g, &s, &e) == Y90_OK);
    size_t nv = y90_grid_nvox(&g), in_portal = 0, in_tumour = 0, elsewhere = 0;
    double mt = 0, mn = 0;
    for (size_t i = 0; i < nv; i++) {
        if (g.structures[g.label[i]].kind == Y90_KIND_TUMOR_VIABLE) mt += g.density[i];
        else mn += g.density[i];
    }
    for (size_t i = 0; i < s.nspheres; i++) {
        size_t v;
        double x[3];
        y90_sphere_centre(&g, &s.spheres[i], x);
        CU_ASSERT_FATAL(y90_grid_locate(&g, x, &v) == 0);
        const char *name = g.structures[g.label[v]].name;
        if (strcmp(name, Y90_LOBULE_PORTAL) == 0) in_portal++;
        else if (strcmp(name, "tumour_viable") == 0) in_tumour++;
        else elsewhere++;
    }
    double p = 3 * mt / (3 * mt + mn), sigma = sqrt(p * (1 - p) * (double)s.nspheres);
    fprintf(stderr, "\n    %zu spheres: %zu in portal tracts, %zu in the tumour (expected %.1f +- %.1f), %zu elsewhere ",
            s.nspheres, in_portal, in_tumour, p * (double)s.nspheres, sigma, elsewhere);
    CU_ASSERT(elsewhere == 0);
    CU_ASSERT(fabs((double)in_tumour - p * (double)s.nspheres) < 3 * sigma);
    y90_sources_free(&s);
    y90_grid_free(&g);
}

/* Energy balance (MeV per decay) of a lobule-block run from the output file. */
static int balance(const y90_config *c, const char *name, double *emitted, double *deposited, double *photons,
                   double *spheres)
{
    y90_grid g;
    double *dose;
    float *unc;
    if (y90t_run_read(c, name, &g, &dose, &unc)) return -1;
    y90_grid_free(&g);
    free(dose);
    free(unc);
    y90_error e = {0};
    const char *p = y90t_path(name);
    return y90_io_read_attr_double(p, "/energy_balance", "emitted_mev", emitted, &e) ||
           y90_io_read_attr_double(p, "/energy_balance", "deposited_mev", deposited, &e) ||
           y90_io_read_attr_double(p, "/energy_balance", "escaped_photon_mev", photons, &e) ||
           y90_io_read_attr_double(p, "/energy_balance", "in_spheres_mev", spheres, &e);
}

/* Transport in a periodic 1 mm lobule block: no electron escapes (deposited + photons = emitted to 1e-9); tight
 * clusters of 60 glass spheres put more energy into glass than lone spheres (the neighbours absorb), by more than
 * 3 sigma (an upper bound of the noise of the glass share). */
static void test_cluster_transport(void)
{
    y90_config c = lobule_config(0.02, 1, 1, 0);
    c.treatment.activity_gbq = 300 * 2500e-9; /* 300 glass spheres */
    c.source.cluster_mean = 60;
    c.source.cluster_sigma = 0.1;
    c.source.cluster_spread_um = 10;
    c.transport.histories = 40000;
    double em[2], dep[2], ph[2], sph[2];
    for (int i = 0; i < 2; i++) {
        c.source.clustering = i ? Y90_CLUSTER_LOGNORMAL : Y90_CLUSTER_NONE;
        CU_ASSERT_FATAL(balance(&c, i ? "clustered.h5" : "lone.h5", &em[i], &dep[i], &ph[i], &sph[i]) == 0);
        CU_ASSERT(fabs(dep[i] + ph[i] - em[i]) < 1e-9 * em[i]);
    }
    /* a history's glass deposit X lies in [0, E_max = 2.28 MeV], so var X <= E[X] E_max = f E_mean E_max and the
     * share f has sigma <= sqrt(f E_max / (E_mean N)) (E_mean 0.933 MeV): an upper bound of the noise */
    const double emax_over_emean = 2.2785 / 0.9331;
    double f0 = sph[0] / em[0], f1 = sph[1] / em[1], sigma = sqrt(emax_over_emean * (f0 + f1) / 40000.0);
    fprintf(stderr, "\n    energy in glass: lone spheres %.4f, clusters %.4f of the emission (sigma %.4f) ", f0, f1, sigma);
    CU_ASSERT(f1 - f0 > 3 * sigma);
    CU_ASSERT(y90_io_has_object(y90t_path("clustered.h5"), "/microsphere_cluster_ids"));
    CU_ASSERT(!y90_io_has_object(y90t_path("lone.h5"), "/microsphere_cluster_ids"));
    CU_ASSERT(y90_io_has_object(y90t_path("clustered.h5"), "/lobule_ids"));
}

/* Microscale statistics on a hand-made grid: 10 voxels of normal liver in two lobules with doses 0..90 Gy, one
 * tumour voxel left out: fractions below 30 and 70 Gy, cv and lobule means by hand. */
static void test_micro_stats(void)
{
    y90_grid g;
    memset(&g, 0, sizeof g);
    g.nx = 11;
    g.ny = g.nz = 1;
    g.spacing[0] = g.spacing[1] = g.spacing[2] = 0.01;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_grid_alloc(&g, 0, &e) == Y90_OK);
    y90_grid_add_structure(&g, "liver_parenchyma", Y90_KIND_LIVER_NORMAL, Y90_LOBE_NONE);
    y90_grid_add_structure(&g, "tumour_viable", Y90_KIND_TUMOR_VIABLE, Y90_LOBE_NONE);
    g.lobule_id = calloc(11, sizeof *g.lobule_id);
    g.nlobules = 2;
    double dose[11];
    for (int i = 0; i < 11; i++) {
        g.density[i] = 1.06f;
        dose[i] = 10.0 * i;
        g.label[i] = i == 10;
        g.lobule_id[i] = i < 4 ? 1 : i < 10 ? 2 : 0;
    }
    y90_micro_stats m;
    CU_ASSERT_FATAL(y90_micro_stats_compute(&g, dose, NULL, &m, &e) == Y90_OK);
    CU_ASSERT(m.nvox == 10);
    CU_ASSERT_DOUBLE_EQUAL(m.mean_gy, 45.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(m.below30_pct, 30.0, 1e-9); /* 0, 10, 20 */
    CU_ASSERT_DOUBLE_EQUAL(m.below70_pct, 70.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(m.cv, sqrt(825.0) / 45.0, 1e-9); /* population variance of 0..90 step 10: 825 */
    CU_ASSERT_DOUBLE_EQUAL(m.lobule_mean_gy[0], 15.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(m.lobule_mean_gy[1], 65.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(m.lobule_median_gy, 40.0, 1e-9);
    y90_micro_stats_free(&m);
    y90_grid_free(&g);
}

/* Bad input: a lobule voxel outside 5-20 um and clustering of a validation source are refused (exit 2) naming
 * the file, line and key. */
static void test_config_errors(void)
{
    char *out = NULL;
    const char *a = y90t_write("coarse.yaml", "phantom:\n  type: lobules\n  voxel_mm: 0.05\nsource:\n  type: "
                                              "microspheres\ntreatment:\n  activity_gbq: 1e-4\n");
    CU_ASSERT(y90t_clif(&out, "check %s", a) == 2);
    Y90T_HAS(out, "coarse.yaml:3: phantom.voxel_mm = 0.05 mm with phantom.type = lobules");
    free(out);
    const char *b = y90t_write("clbox.yaml", "phantom:\n  type: box\nsource:\n  type: point\n  clustering: "
                                             "geometric\ntreatment:\n  activity_gbq: 1\n");
    CU_ASSERT(y90t_clif(&out, "check %s", b) == 2);
    Y90T_HAS(out, "clbox.yaml:5: source.clustering = geometric applies to source.type = microspheres or activity_map only");
    free(out);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("cluster", NULL, NULL);
    CU_add_test(s, "cluster-size pmf", test_pmf);
    CU_add_test(s, "cluster-size histogram of the draws", test_histogram_draws);
    CU_add_test(s, "clusters of a built source", test_built_clusters);
    CU_add_test(s, "lobule phantom", test_lobule_phantom);
    CU_add_test(s, "spheres of the lobule block", test_lobule_uptake);
    CU_add_test(s, "transport through cluster spheres", test_cluster_transport);
    CU_add_test(s, "microscale statistics", test_micro_stats);
    CU_add_test(s, "config errors", test_config_errors);
}
