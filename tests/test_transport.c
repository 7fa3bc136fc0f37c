/* The Monte Carlo beta transport against independent data: ESTAR CSDA ranges, the literature R90 of the 90Y
 * dose point kernel, energy conservation, the density-scaling (O'Connor) theorem at a liver/lung interface. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/config.h"
#include "y90/kernel.h"
#include "y90/phantom.h"
#include "y90/physics.h"
#include "y90/rng.h"
#include "y90/source.h"
#include "y90/tools.h"

/* ESTAR CSDA range (g/cm2) of water at energy E (a tabulated energy). */
static double estar_water_range(double E)
{
    static double rows[128][7];
    int n = y90t_read_estar("estar/estar_water_liquid.csv", rows, 128);
    for (int i = 0; i < n; i++)
        if (fabs(rows[i][0] - E) < 1e-9 * E) return rows[i][4];
    return NAN;
}

/* CSDA: mono-energetic electrons from a point in water, straight (no multiple scattering), continuous loss with
 * the total stopping power (no secondaries, no straggling), 1 keV cutoff: the farthest shell with energy is the
 * CSDA range. Within 1 % of ESTAR at 0.1, 0.5, 1 and 2 MeV. */
static void test_csda_ranges(void)
{
    const double E[] = {0.1, 0.5, 1.0, 2.0};
    y90_config c;
    y90_config_defaults(&c);
    c.transport.secondaries = 0;
    c.transport.straggling = 0;
    c.transport.multiple_scattering = 0;
    c.transport.cutoff_kev = 1.0;
    for (int i = 0; i < 4; i++) {
        double ref_mm = estar_water_range(E[i]) * 10.0; /* water 1 g/cm3 */
        y90_tool_options o = {.medium = "water", .density = 1.0, .shell_mm = ref_mm / 2000.0, .histories = 200,
                              .threads = 1, .seed = 3, .energy_mev = E[i], .transport = &c.transport};
        y90_dpk_result r;
        y90_error e = {0};
        CU_ASSERT_FATAL(y90_dpk_compute(&o, &r, &e) == Y90_OK);
        int last = -1;
        for (int k = 0; k < r.nshell; k++)
            if (r.dose_gy[k] > 0) last = k;
        double range = (last + 1) * r.shell_mm;
        printf("\n  CSDA range at %.1f MeV: %.4f mm (ESTAR %.4f mm, %+.2f %%)", E[i], range, ref_mm,
               100 * (range / ref_mm - 1));
        CU_ASSERT(y90t_rel(range, ref_mm) < 0.01);
        y90_dpk_free(&r);
    }
}

/* 90Y dose point kernel in water: R50 below R90, the cumulative fraction increasing, energy conserved (R90 against
 * the literature needs more histories: tests/test_validation.c). */
static void test_dpk_consistency(void)
{
    y90_tool_options o = {.medium = "water", .shell_mm = 0.1, .histories = 100000, .threads = 0, .seed = 11};
    y90_dpk_result r;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_dpk_compute(&o, &r, &e) == Y90_OK);
    printf("\n  water DPK: R50 %.3f mm, R90 %.3f mm, %.0f histories/s", r.r50_mm, r.r90_mm, r.histories / r.runtime_s);
    CU_ASSERT(r.r50_mm > 1.0 && r.r50_mm < r.r90_mm);
    for (int k = 1; k < r.nshell; k++) CU_ASSERT(r.cum_fraction[k] >= r.cum_fraction[k - 1]);
    CU_ASSERT(r.cum_fraction[r.nshell - 1] > 0.99 && r.cum_fraction[r.nshell - 1] <= 1.0);
    const y90_energy_balance *b = &r.eb;
    CU_ASSERT(fabs(b->emitted - b->deposited - b->escaped_electron - b->escaped_photon) / b->emitted < 1e-9);
    y90_dpk_free(&r);
}

/* Voxel S value uncertainty against the scatter of independent seeds (soft tissue, 4.42 mm voxels, 8 seeds of
 * 20000 histories): the reported relative uncertainty of S(0,0,0) must match the seed-to-seed standard
 * deviation within a factor 1.6 (8 seeds estimate a standard deviation to about +/-25 %); counting its 48
 * symmetric copies as independent made it sqrt(48) = 6.9x too small. S(0,0,1) averages 6 distinct voxels taken
 * as independent; opposite faces are anti-correlated (a history goes one way), so it may be conservative:
 * measured 1.46x; it must not be understated (> 1/1.6) nor more than 2x. */
static void test_vsv_uncertainty(void)
{
    enum { NSEED = 8 };
    double s[2][NSEED], u[2][NSEED];
    for (int k = 0; k < NSEED; k++) {
        y90_tool_options o = {.medium = "soft_tissue", .density = 1.04, .voxel_mm = 4.42, .histories = 20000,
                              .threads = 0, .seed = 100 + (uint64_t)k};
        y90_vsv_result r;
        y90_error e = {0};
        CU_ASSERT_FATAL(y90_vsv_compute(&o, &r, &e) == Y90_OK);
        s[0][k] = r.S[0][0][0], u[0][k] = r.S_rel_unc[0][0][0];
        s[1][k] = r.S[0][0][1], u[1][k] = r.S_rel_unc[0][0][1];
    }
    for (int j = 0; j < 2; j++) {
        double m = 0, v = 0, ur = 0;
        for (int k = 0; k < NSEED; k++) m += s[j][k] / NSEED, ur += u[j][k] / NSEED;
        for (int k = 0; k < NSEED; k++) v += (s[j][k] - m) * (s[j][k] - m) / (NSEED - 1);
        double obs = sqrt(v) / m;
        printf("\n  S(0,0,%d): reported rel. unc. %.4f, seed-to-seed %.4f (ratio %.2f)", j, ur, obs, ur / obs);
        CU_ASSERT(ur / obs > 1.0 / 1.6 && ur / obs < (j == 0 ? 1.6 : 2.0));
    }
}

/* Build and run a config with the MC kernel; the caller frees. */
static y90_status run_mc(y90_config *c, y90_grid *g, y90_sources *s, y90_physics **ph, y90_run_result *res)
{
    y90_error e = {0};
    y90_status st = y90_phantom_build(&c->phantom, 0, g, NULL, &e);
    if (!st) st = y90_sources_build(c, g, s, &e);
    if (!st) st = y90_physics_build(c, g, s, ph, &e);
    y90_kernel_input in = {&c->transport, g, s, *ph, NULL, NULL, NULL, 0, 0, NULL, NULL};
    if (!st) st = y90_kernel_run(&in, res, &e);
    if (st) printf("\n  run failed: %s", e.msg);
    return st;
}

static void free_run(y90_grid *g, y90_sources *s, y90_physics *ph, y90_run_result *res)
{
    y90_run_result_free(res);
    y90_physics_free(ph);
    y90_sources_free(s);
    y90_grid_free(g);
}

/* Energy balance: emitted = deposited + escaped, to 1e-9 relative, and the grid holds exactly the deposited
 * energy; with microspheres in a liver phantom (glass self-absorption, lung, body surface). */
static void test_energy_balance(void)
{
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.voxel_mm = 4.0;
    c.treatment.activity_gbq = 0.2;
    c.treatment.lung_shunt_fraction = 0.1;
    c.transport.histories = 20000;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_physics *ph = NULL;
    y90_run_result res = {0};
    CU_ASSERT_FATAL(run_mc(&c, &g, &s, &ph, &res) == Y90_OK);
    const y90_energy_balance *b = &res.eb;
    double grid = 0; /* the energy in the dose grid, summed here (not the kernel's own total) */
    for (size_t i = 0; i < res.nvox; i++) grid += res.edep_mev[i];
    double imb = fabs(b->emitted - grid - b->escaped_electron - b->escaped_photon) / b->emitted;
    printf("\n  liver: per decay emitted %.5f, deposited %.5f, escaped e %.2e, photons %.2e, in spheres %.2e MeV; "
           "imbalance %.1e", b->emitted / res.histories, b->deposited / res.histories, b->escaped_electron / res.histories,
           b->escaped_photon / res.histories, b->in_spheres / res.histories, imb);
    CU_ASSERT(imb < 1e-9);
    CU_ASSERT(b->in_spheres > 0 && b->in_spheres < 0.05 * b->emitted);
    CU_ASSERT(b->escaped_photon > 0 && b->escaped_photon < 0.01 * b->emitted);
    free_run(&g, &s, ph, &res);
}

/* Energy deposited in the second slab (z >= z0) inside the central x-y square of half-width half_mm, per
 * voxel layer of the second slab. */
static void second_slab_layers(const y90_grid *g, const y90_run_result *r, int z0, double half_mm, double *layer)
{
    for (int iz = z0; iz < g->nz; iz++) {
        double ez = 0;
        for (int iy = 0; iy < g->ny; iy++)
            for (int ix = 0; ix < g->nx; ix++) {
                double x = g->lo[0] + (ix + 0.5) * g->spacing[0], y = g->lo[1] + (iy + 0.5) * g->spacing[1];
                if (fabs(x) < half_mm && fabs(y) < half_mm) ez += r->edep_mev[y90_grid_index(g, ix, iy, iz)];
            }
        layer[iz - z0] = ez;
    }
}

/* Liver/lung interface: 90Y uniform in the 2 mm of liver (1.06 g/cm3) next to the interface, with 12 mm more
 * liver behind it (backscatter); beyond it 48 mm of lung at 0.265 g/cm3 or of liver. By the density-scaling theorem (O'Connor 1957) the energy beyond the interface depends on mass
 * depth only (lung and liver have nearly the same composition): the lung slab absorbs the same energy as the
 * liver slab, and its first 4k voxels (k x 0.106 g/cm2, as 0.265 x 4 = 1.06) hold the same fraction of it as the
 * liver's first k voxels: the dose in lung reaches 4 times deeper in mm. Scored in the central 40 x 40 mm of a
 * 120 mm wide phantom (lateral equilibrium: 11.3 mm / 0.265 = 43 mm of lateral range in lung). Local deposition
 * puts nothing beyond the interface, so it fails this test. The source lies next to the interface because the energy
 * beyond it comes from there: with 90Y in all 14 mm the lung/liver ratio of one pair of runs scattered by 2.4 %
 * (sd over 4 seeds, 400,000 histories each), more than the 2 % asked; so it is 0.3-0.6 %. */
static void test_liver_lung_interface(void)
{
    static double layer[2][64];
    const char *second[2] = {"lung", "liver"};
    const double rho2[2] = {0.265, 1.06};
    for (int k = 0; k < 2; k++) {
        y90_config c;
        y90_config_defaults(&c);
        c.phantom.type = Y90_PHANTOM_SLABS;
        c.phantom.voxel_mm = 1.0;
        c.phantom.box_size_mm[0] = c.phantom.box_size_mm[1] = 120;
        c.phantom.nslabs = 3;
        strcpy(c.phantom.slab_materials[0], "liver");
        strcpy(c.phantom.slab_materials[1], "liver");
        strcpy(c.phantom.slab_materials[2], second[k]);
        c.phantom.slab_densities[0] = c.phantom.slab_densities[1] = 1.06;
        c.phantom.slab_densities[2] = rho2[k];
        c.phantom.slab_thickness_mm[0] = 12;
        c.phantom.slab_thickness_mm[1] = 2;
        c.phantom.slab_thickness_mm[2] = 48;
        c.source.type = Y90_SOURCE_UNIFORM_STRUCTURE;
        strcpy(c.source.structure, "slab1");
        c.treatment.activity_gbq = 1;
        c.transport.histories = 400000;
        y90_grid g = {0};
        y90_sources s = {0};
        y90_physics *ph = NULL;
        y90_run_result res = {0};
        CU_ASSERT_FATAL(run_mc(&c, &g, &s, &ph, &res) == Y90_OK);
        second_slab_layers(&g, &res, 14, 20.0, layer[k]);
        free_run(&g, &s, ph, &res);
    }
    double tot[2] = {0, 0};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 48; i++) tot[k] += layer[k][i];
    printf("\n  energy beyond the interface: lung %.4g MeV, liver %.4g MeV (%+.1f %%)", tot[0], tot[1],
           100 * (tot[0] / tot[1] - 1));
    CU_ASSERT(y90t_rel(tot[0], tot[1]) < 0.02);
    for (int kk = 1; kk <= 3; kk++) {
        double fl = 0, fv = 0;
        for (int i = 0; i < 4 * kk; i++) fl += layer[0][i] / tot[0];
        for (int i = 0; i < kk; i++) fv += layer[1][i] / tot[1];
        printf("\n  within %.3f g/cm2: lung (first %d mm) %.3f, liver (first %d mm) %.3f", 0.106 * kk, 4 * kk, fl, kk,
               fv);
        CU_ASSERT(fabs(fl - fv) < 0.02);
    }
    /* the lung still receives dose 8 mm beyond the interface, where the liver's is almost gone */
    printf("\n  layer 8-9 mm: lung %.3g, liver %.3g of the slab's energy", layer[0][8] / tot[0], layer[1][8] / tot[1]);
    CU_ASSERT(layer[0][8] / tot[0] > 10 * layer[1][8] / tot[1]);
}

/* Energy-weighted mean distance (mm) from the point source of a 0.3 MeV electron point source in water on a
 * 40^3 grid of 0.05 mm voxels; checker = 1 makes every voxel a boundary (densities 1 and 1.000001 alternate), so
 * every move is split at every face. */
static double mean_radius_checker(int checker)
{
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.type = Y90_PHANTOM_BOX;
    c.phantom.voxel_mm = 0.05;
    c.phantom.box_size_mm[0] = c.phantom.box_size_mm[1] = c.phantom.box_size_mm[2] = 2.0;
    strcpy(c.phantom.material, "water");
    c.phantom.density = 1.0;
    c.source.type = Y90_SOURCE_POINT;
    c.source.energy_mev = 0.3;
    c.treatment.activity_gbq = 1;
    c.transport.histories = 300000;
    c.transport.seed = 21;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_physics *ph = NULL;
    y90_run_result res = {0};
    y90_error e = {0};
    double mean = NAN;
    if (y90_phantom_build(&c.phantom, 0, &g, NULL, &e) || y90_sources_build(&c, &g, &s, &e)) goto done;
    for (int iz = 0; iz < g.nz; iz++)
        for (int iy = 0; iy < g.ny; iy++)
            for (int ix = 0; ix < g.nx; ix++)
                if (checker && (ix + iy + iz) % 2) g.density[y90_grid_index(&g, ix, iy, iz)] = 1.000001f;
    if (y90_physics_build(&c, &g, &s, &ph, &e)) goto done;
    y90_kernel_input in = {&c.transport, &g, &s, ph, NULL, NULL, NULL, 0, 0, NULL, NULL};
    if (y90_kernel_run(&in, &res, &e)) goto done;
    double er = 0, et = 0;
    for (int iz = 0; iz < g.nz; iz++)
        for (int iy = 0; iy < g.ny; iy++)
            for (int ix = 0; ix < g.nx; ix++) {
                double x = g.lo[0] + (ix + 0.5) * 0.05, y = g.lo[1] + (iy + 0.5) * 0.05, z = g.lo[2] + (iz + 0.5) * 0.05;
                double ev = res.edep_mev[y90_grid_index(&g, ix, iy, iz)];
                er += ev * sqrt(x * x + y * y + z * z);
                et += ev;
            }
    mean = er / et;
done:
    if (e.msg[0]) printf("\n  %s", e.msg);
    free_run(&g, &s, ph, &res);
    return mean;
}

/* Splitting moves at voxel faces must not change the physics: a grid where every voxel is a boundary gives the
 * same energy-weighted mean radius as a homogeneous one within 1 % (a straggling model that is biased for short
 * moves, a Gaussian clipped at zero, moved it by 2.3 %; so did PRESTA-II steps cut at the faces, -2.1 %, before
 * they were kept away from boundaries; what remains, +0.2 to +0.4 %, is the random hinge's deflection being
 * all-or-nothing for steps cut at 0.05 mm faces, an extreme no clinical grid reaches). */
static void test_boundaries_do_not_bias(void)
{
    double hom = mean_radius_checker(0), chk = mean_radius_checker(1);
    printf("\n  0.3 MeV point source, mean radius: homogeneous %.4f mm, every voxel a boundary %.4f mm (%+.2f %%)", hom,
           chk, 100 * (chk / hom - 1));
    CU_ASSERT(y90t_rel(chk, hom) < 0.01);
}

/* Piecewise-linear inverse CDF of a tabulated density (x ascending, y >= 0), for the independent estimate below. */
static double sample_table(const double *x, const double *cdf, int n, double u)
{
    int i = 0;
    while (i < n - 2 && cdf[i + 1] < u) i++;
    double f = cdf[i + 1] > cdf[i] ? (u - cdf[i]) / (cdf[i + 1] - cdf[i]) : 0;
    return x[i] + f * (x[i + 1] - x[i]);
}

/* Log-log interpolation in a table (x ascending, positive). */
static double loglog(const double *x, const double *y, int n, double v)
{
    int i = 0;
    while (i < n - 2 && x[i + 1] < v) i++;
    return exp(log(y[i]) + (log(v) - log(x[i])) * (log(y[i + 1]) - log(y[i])) / (log(x[i + 1]) - log(x[i])));
}

/* Energy (MeV per decay) lost inside a sphere of radius R_cm and density rho by 90Y betas born uniformly in it,
 * travelling straight with continuous slowing down: the ICRP-107 spectrum, the CSDA ranges of the TheraSphere glass
 * (tests/reference, computed with the ESTAR method) and the chord from a uniform interior point to the surface
 * (sampled, 400 000 decays). *mean_mev gets the spectrum's mean energy. An estimate independent of the transport. */
static double csda_sphere_loss(double R_cm, double rho, double *mean_mev)
{
    double se[200], sn[200], scdf[200], ge[128], gr[128];
    static double rows[128][7];
    int ns = y90t_read_spectrum(se, sn, 200), ng = y90t_read_estar(
                                                   "estar/computed_glass_YAS_17Y2O3_19Al2O3_64SiO2_computed.csv", rows, 128);
    for (int i = 0; i < ng; i++) {
        ge[i] = rows[i][0];
        gr[i] = rows[i][4];
    }
    CU_ASSERT_FATAL(ns > 100 && ng > 40);
    scdf[0] = 0;
    for (int i = 1; i < ns; i++) scdf[i] = scdf[i - 1] + 0.5 * (sn[i] + sn[i - 1]) * (se[i] - se[i - 1]);
    for (int i = 0; i < ns; i++) scdf[i] /= scdf[ns - 1];
    const double r10 = gr[0]; /* range at the 10 keV cutoff */
    double expect = 0, emitted = 0;
    const int N = 400000;
    y90_rng r;
    y90_rng_init(&r, 31, Y90_STREAM_TEST, 0);
    for (int k = 0; k < N; k++) {
        double E = sample_table(se, scdf, ns, y90_rng_uniform(&r)), p[3], u[3], q;
        emitted += E;
        do {
            for (int a = 0; a < 3; a++) p[a] = 2 * y90_rng_uniform(&r) - 1;
        } while (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] > 1);
        do {
            for (int a = 0; a < 3; a++) u[a] = 2 * y90_rng_uniform(&r) - 1;
            q = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
        } while (q > 1 || q < 1e-6);
        double b = (p[0] * u[0] + p[1] * u[1] + p[2] * u[2]) / sqrt(q), c2 = p[0] * p[0] + p[1] * p[1] + p[2] * p[2];
        double chord = (-b + sqrt(b * b - c2 + 1)) * R_cm; /* cm */
        if (E <= ge[0]) { expect += E; continue; }
        double left = loglog(ge, gr, ng, E) - rho * chord;
        expect += left <= r10 ? E : E - loglog(gr, ge, ng, left);
    }
    *mean_mev = emitted / N;
    return expect / N;
}

/* Self-absorption in the glass: 100 um TheraSphere-type spheres (3.29 g/cm3), straight continuous-slowing-down
 * tracks (no scattering, straggling or secondaries). The energy lost inside the sphere per decay equals the
 * independent estimate of csda_sphere_loss within 3 % (a beta starting at the sphere's centre instead would give
 * a chord of R instead of 3R/4 on average, +33 %). */
static void test_sphere_self_absorption(void)
{
    double mean_mev;
    const double expect = csda_sphere_loss(50e-4, 3.29, &mean_mev);
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.voxel_mm = 4;
    c.treatment.activity_gbq = 0.01;
    c.source.sphere_diameter_um = 100;
    c.source.sphere_diameter_sd_um = 0;
    c.transport.secondaries = 0;
    c.transport.straggling = 0;
    c.transport.multiple_scattering = 0;
    c.transport.histories = 200000;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_physics *ph = NULL;
    y90_run_result res = {0};
    CU_ASSERT_FATAL(run_mc(&c, &g, &s, &ph, &res) == Y90_OK);
    double got = res.eb.in_spheres / (double)res.histories;
    printf("\n  100 um glass sphere: %.3f keV per decay absorbed (independent estimate %.3f keV, %+.2f %%)", 1e3 * got,
           1e3 * expect, 100 * (got / expect - 1));
    CU_ASSERT(y90t_rel(got, expect) < 0.03);
    free_run(&g, &s, ph, &res);
}

/* chi^2 per degree of freedom of the sphere kernel against scale x the point kernel over every third shell between
 * 0.1 and 8 mm (shells matched by their radii; the sphere kernel has one more edge, at its surface); *ndf shells.
 * Every third: neighbouring shells share tracks, so their terms are correlated and the chi^2 of all 89 scattered
 * more than 2/ndf allows (over six seed pairs 0.84-1.49 against the bound 1.45; every third shell 0.70-1.33
 * against 1.77, while the 3 % check still gives 11-15). */
static double kernel_chi2(const y90_dpk_result *sph, const y90_dpk_result *pt, double scale, int *ndf)
{
    double chi2 = 0;
    *ndf = 0;
    for (int k = 0, j = 0, used = 0; k < pt->nshell; k++) {
        if (pt->edges_mm[k] < 0.1 || pt->edges_mm[k + 1] > 8.0) continue;
        if (used++ % 3) continue;
        while (j < sph->nshell && sph->edges_mm[j] < pt->edges_mm[k] - 1e-12) j++;
        if (j >= sph->nshell || fabs(sph->edges_mm[j + 1] - pt->edges_mm[k + 1]) > 1e-12) return INFINITY;
        double a = sph->dose_gy[j], b = scale * pt->dose_gy[k];
        double var = pow(a * sph->rel_unc[j], 2) + pow(b * pt->rel_unc[k], 2);
        chi2 += (a - b) * (a - b) / var;
        ++*ndf;
    }
    return *ndf > 0 ? chi2 / *ndf : INFINITY;
}

/* One 25 um glass sphere (y90mc dpk --sphere glass), full physics:
 * - beyond 0.1 mm its kernel is the point-source kernel within statistics: chi^2 per shell (every third) below the
 *   3-sigma bound 1 + 3 sqrt(2 / ndf) (the glass keeps about 0.3 % more of the energy than the water it displaces, well
 *   inside the 0.65 % sigma of a shell at 1e5 histories); the same comparison with the point kernel 3 % lower
 *   fails, so the check has the power to see a kernel a few % off;
 * - the fraction of the emitted energy absorbed in the sphere agrees with the straight-track CSDA estimate
 *   (csda_sphere_loss: ESTAR-method glass ranges, ICRP-107 spectrum, chords from uniform interior points) within
 *   10 %: the estimate is first order (it keeps the delta rays that escape the sphere inside and ignores the
 *   detours of multiple scattering: the first lowers the transported value, the second raises it); the same
 *   transport with straight CSDA tracks matches it within 3 % (test_sphere_self_absorption). */
static void test_one_sphere_kernel(void)
{
    y90_tool_options o = {.medium = "water", .shell_um = 1.0, .histories = 100000, .seed = 21, .sphere = "glass",
                          .diameter_um = 25};
    y90_dpk_result sph, pt;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_dpk_compute(&o, &sph, &e) == Y90_OK);
    o.sphere = NULL;
    o.diameter_um = 0;
    o.seed = 22;
    CU_ASSERT_FATAL(y90_dpk_compute(&o, &pt, &e) == Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(sph.sphere_radius_mm, 0.0125, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(sph.sphere_density, 3.29, 1e-12);
    CU_ASSERT_EQUAL(pt.sphere_fraction, 0.0);
    int ndf, ndf3;
    double chi = kernel_chi2(&sph, &pt, 1.0, &ndf), chi3 = kernel_chi2(&sph, &pt, 0.97, &ndf3);
    double bound = 1 + 3 * sqrt(2.0 / ndf);
    printf("\n  25 um glass sphere vs point source, 0.1-8 mm: chi2/ndf %.3f over %d shells (bound %.3f); against "
           "the point kernel x 0.97: %.2f", chi, ndf, bound, chi3);
    CU_ASSERT(ndf >= 29); /* 89 shells between 0.1 and 8 mm, every third */
    CU_ASSERT(chi < bound);
    CU_ASSERT(chi3 > bound);
    double mean_mev, loss = csda_sphere_loss(12.5e-4, 3.29, &mean_mev), est = loss / mean_mev;
    printf("\n  25 um glass sphere: %.5f of the emitted energy absorbed in it (straight-track CSDA estimate %.5f, "
           "%+.1f %%)", sph.sphere_fraction, est, 100 * (sph.sphere_fraction / est - 1));
    CU_ASSERT(fabs(sph.sphere_fraction / est - 1) < 0.10);
    /* the sphere's shells hold (about) what it absorbed: the energy of its electrons, as scored radially */
    CU_ASSERT(sph.edges_mm[0] == 0);
    int in = 0;
    while (in < sph.nshell && sph.edges_mm[in + 1] <= sph.sphere_radius_mm + 1e-12) in++;
    CU_ASSERT(in == 13); /* 12 shells of 1 um and one to the surface at 12.5 um */
    CU_ASSERT(fabs(sph.cum_fraction[in - 1] / sph.sphere_fraction - 1) < 0.05);
    y90_dpk_free(&sph);
    y90_dpk_free(&pt);
}

/* Multiple scattering matters: with it switched off the water DPK's R90 moves well out of the literature range. */
static void test_dpk_without_scattering_differs(void)
{
    y90_config c;
    y90_config_defaults(&c);
    c.transport.multiple_scattering = 0;
    y90_tool_options o = {.medium = "water", .shell_mm = 0.1, .histories = 20000, .seed = 5, .transport = &c.transport};
    y90_dpk_result r;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_dpk_compute(&o, &r, &e) == Y90_OK);
    printf("\n  water DPK without multiple scattering: R90 %.3f mm", r.r90_mm);
    CU_ASSERT(r.r90_mm > 5.6);
    y90_dpk_free(&r);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("transport", NULL, NULL);
    CU_add_test(s, "VSV uncertainty vs seed scatter", test_vsv_uncertainty);
    CU_add_test(s, "CSDA ranges in water vs ESTAR", test_csda_ranges);
    CU_add_test(s, "90Y DPK consistency and energy balance", test_dpk_consistency);
    CU_add_test(s, "DPK without multiple scattering fails R90", test_dpk_without_scattering_differs);
    CU_add_test(s, "energy balance with microspheres", test_energy_balance);
    CU_add_test(s, "voxel boundaries do not bias the transport", test_boundaries_do_not_bias);
    CU_add_test(s, "self-absorption in a glass sphere", test_sphere_self_absorption);
    CU_add_test(s, "one glass sphere's kernel: point kernel beyond 0.1 mm, absorbed fraction", test_one_sphere_kernel);
    CU_add_test(s, "liver/lung interface follows density scaling", test_liver_lung_interface);
}
