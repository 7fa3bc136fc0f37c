/* Sources: 90Y decay data, microsphere presets and counts, the uptake model (lungs, treated lobes, necrotic
 * cores, T/N ratio), diameters and activities, validation sources and sampling, determinism.
 * Expected values come from independent arithmetic (ICRP 107 constants, truncated-normal formulas, binomial
 * noise), never from earlier output of the code. */
#include "testutil.h"
#include "y90/phantom.h"
#include "y90/rng.h"
#include "y90/source.h"
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_HALF_H 64.10     /* ICRP 107 */
#define E_MEAN_MEV 0.93310 /* ICRP 107, MeV per decay */
#define J_PER_MEV 1.602176634e-13

static y90_grid liver; /* the default liver phantom at 4 mm, built once */
static y90_grid box;   /* 50 mm water box, 5 mm voxels: 10^3, lo = -25 mm */
static y90_grid slabs; /* water 10 mm + lung 10 mm along z, 20 x 20 mm lateral, 2 mm voxels */

static int build_grids(void)
{
    y90_config c;
    y90_error e = {0};
    y90_config_defaults(&c);
    c.phantom.voxel_mm = 4;
    if (y90_phantom_build(&c.phantom, 0, &liver, NULL, &e)) {
        fprintf(stderr, "liver phantom: %s\n", e.msg);
        return 1;
    }
    y90_config_defaults(&c);
    c.phantom.type = Y90_PHANTOM_BOX;
    c.phantom.voxel_mm = 5;
    c.phantom.box_size_mm[0] = c.phantom.box_size_mm[1] = c.phantom.box_size_mm[2] = 50;
    if (y90_phantom_build(&c.phantom, 0, &box, NULL, &e)) {
        fprintf(stderr, "box phantom: %s\n", e.msg);
        return 1;
    }
    y90_config_defaults(&c);
    c.phantom.type = Y90_PHANTOM_SLABS;
    c.phantom.voxel_mm = 2;
    c.phantom.box_size_mm[0] = c.phantom.box_size_mm[1] = 20;
    c.phantom.nslabs = 2;
    snprintf(c.phantom.slab_materials[0], Y90_NAME_LEN, "water");
    snprintf(c.phantom.slab_materials[1], Y90_NAME_LEN, "lung");
    c.phantom.slab_thickness_mm[0] = c.phantom.slab_thickness_mm[1] = 10;
    if (y90_phantom_build(&c.phantom, 0, &slabs, NULL, &e)) {
        fprintf(stderr, "slab phantom: %s\n", e.msg);
        return 1;
    }
    return 0;
}

static int free_grids(void)
{
    y90_grid_free(&liver);
    y90_grid_free(&box);
    y90_grid_free(&slabs);
    return 0;
}

/* A microsphere config on the liver phantom. */
static y90_config sphere_config(double gbq, y90_product product, double lsf, double tn, y90_treated_lobes lobes)
{
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.voxel_mm = 4;
    c.source.type = Y90_SOURCE_MICROSPHERES;
    c.source.product = product;
    c.treatment.activity_gbq = gbq;
    c.treatment.lung_shunt_fraction = lsf;
    c.treatment.tn_ratio = tn;
    c.treatment.treated_lobes = lobes;
    snprintf(c.path, sizeof c.path, "test_source");
    return c;
}

static int build(const y90_config *c, const y90_grid *g, y90_sources *s)
{
    y90_error e = {0};
    y90_status st = y90_sources_build(c, g, s, &e);
    if (st) fprintf(stderr, "\n    y90_sources_build: %s ", e.msg);
    return st;
}

/* Structure of the voxel holding p, or NULL outside the grid. */
static const y90_structure *structure_at(const y90_grid *g, double x, double y, double z)
{
    size_t v;
    if (y90_grid_locate(g, (double[]){x, y, z}, &v)) return NULL;
    return &g->structures[g->label[v]];
}

/* Structure at a sphere's centre (found from its position, not from its voxel field). */
static const y90_structure *sphere_structure(const y90_grid *g, const y90_sphere *sp)
{
    double c[3];
    y90_sphere_centre(g, sp, c);
    return structure_at(g, c[0], c[1], c[2]);
}

/* -------------------------------------------------------------------------------------------- decay data */

static void test_decay_data(void)
{
    double tau_s = T_HALF_H * 3600.0 / log(2.0);
    CU_ASSERT(y90t_rel(y90_decays_full(1e9), 1e9 * tau_s) < 1e-12);
    CU_ASSERT(y90t_rel(y90_decays_full(3.7e7), 3.7e7 * tau_s) < 1e-12);
    CU_ASSERT(y90t_rel(y90_activity_at(1e9, 0), 1e9) < 1e-15);
    CU_ASSERT(y90t_rel(y90_activity_at(1e9, T_HALF_H), 5e8) < 1e-12);
    CU_ASSERT(y90t_rel(y90_activity_at(1e9, 2 * T_HALF_H), 2.5e8) < 1e-12);
    CU_ASSERT(y90t_rel(y90_activity_at(1e9, 24), 1e9 * exp(-log(2.0) * 24 / T_HALF_H)) < 1e-12);
    double k = T_HALF_H * 3600.0 / log(2.0) * 1e9 * E_MEAN_MEV * J_PER_MEV; /* Gy kg per GBq fully decayed */
    CU_ASSERT_DOUBLE_EQUAL(k, 49.77, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(y90_gy_kg_per_gbq(), 49.77, 0.01);
    CU_ASSERT(y90t_rel(y90_gy_kg_per_gbq(), k) < 1e-12);
}

/* ---------------------------------------------------------------------------------------- sphere counts */

static void test_sphere_count(void)
{
    y90_sources s;
    /* glass 2500 Bq: 1.0063 MBq -> 402.52 spheres -> 403 (rounded, not truncated) */
    y90_config c = sphere_config(0.0010063, Y90_PRODUCT_THERASPHERE, 0, 1, Y90_TREAT_BOTH);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    CU_ASSERT_EQUAL(s.nspheres, 403);
    CU_ASSERT_STRING_EQUAL(s.product, "therasphere");
    CU_ASSERT_STRING_EQUAL(s.sphere_material, "glass");
    CU_ASSERT_DOUBLE_EQUAL(s.sphere_density, 3.29, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.mean_diameter_um, 25, 1e-12);
    y90_sources_free(&s);
    /* 1 GBq of glass: 400 000 */
    c = sphere_config(1.0, Y90_PRODUCT_THERASPHERE, 0, 1, Y90_TREAT_BOTH);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    CU_ASSERT_EQUAL(s.nspheres, 400000);
    y90_sources_free(&s);
    /* resin 50 Bq at calibration: 10.00073 MBq -> 200014.6 -> 200015, also when injected 24 h later */
    c = sphere_config(0.01000073, Y90_PRODUCT_SIR_SPHERES, 0, 1, Y90_TREAT_BOTH);
    c.treatment.hours_after_calibration = 24;
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    CU_ASSERT_EQUAL(s.nspheres, 200015);
    CU_ASSERT_STRING_EQUAL(s.product, "sir_spheres");
    CU_ASSERT_STRING_EQUAL(s.sphere_material, "resin");
    CU_ASSERT_DOUBLE_EQUAL(s.sphere_density, 1.6, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s.mean_diameter_um, 32, 1e-12);
    y90_sources_free(&s);
    /* a configured activity per sphere: 1.0063 MBq / 1000 Bq -> 1006 */
    c = sphere_config(0.0010063, Y90_PRODUCT_THERASPHERE, 0, 1, Y90_TREAT_BOTH);
    c.source.activity_per_sphere_bq = 1000;
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    CU_ASSERT_EQUAL(s.nspheres, 1006);
    y90_sources_free(&s);
    /* lung spheres: round(0.21 x 403) = round(84.63) = 85 */
    c = sphere_config(0.0010063, Y90_PRODUCT_THERASPHERE, 0.21, 1, Y90_TREAT_BOTH);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    CU_ASSERT_EQUAL(s.spheres_in_lung, 85);
    y90_sources_free(&s);
}

/* treatment.activity_at: treatment. The same activity delivered 7 days (168 h) after calibration needs a vial
 * calibrated 2^(168/64.1) = 6.15 times stronger, hence 6.15 times as many glass spheres of 2500 Bq at calibration,
 * each 6.15 times weaker at injection (issue 10; tests/reference/microspheres.md: 2500 Bq per glass sphere). */
static void test_treatment_day(void)
{
    y90_sources s0, s7;
    y90_config c = sphere_config(0.05, Y90_PRODUCT_THERASPHERE, 0, 1, Y90_TREAT_BOTH);
    c.treatment.activity_at = Y90_ACTIVITY_AT_TREATMENT;
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s0), Y90_OK);
    c.treatment.hours_after_calibration = 168;
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s7), Y90_OK);
    const double ratio = pow(2.0, 168.0 / 64.1); /* the arithmetic, 6.15 */
    CU_ASSERT_DOUBLE_EQUAL(ratio, 6.15, 0.01);
    CU_ASSERT_EQUAL(s0.nspheres, 20000); /* 50 MBq / 2500 Bq */
    CU_ASSERT_DOUBLE_EQUAL((double)s7.nspheres / (double)s0.nspheres, ratio, 0.002 * ratio); /* 64.10 vs 64.1 h */
    CU_ASSERT_EQUAL(s7.nspheres, (size_t)floor(0.05e9 * pow(2.0, 168.0 / T_HALF_H) / 2500.0 + 0.5));
    CU_ASSERT(y90t_rel(s7.activity_treatment_bq, 0.05e9) < 1e-12);
    CU_ASSERT(y90t_rel(s0.activity_treatment_bq, 0.05e9) < 1e-12);
    CU_ASSERT(y90t_rel(s7.activity_calibration_bq, 0.05e9 * pow(2.0, 168.0 / T_HALF_H)) < 1e-12);
    double a7 = 0;
    for (size_t i = 0; i < s7.nspheres; i++) a7 += s7.spheres[i].activity_bq;
    CU_ASSERT(y90t_rel(a7, 0.05e9) < 1e-5);                                      /* float activities */
    CU_ASSERT(y90t_rel(a7 / (double)s7.nspheres, 2500.0 / pow(2.0, 168.0 / T_HALF_H)) < 1e-3); /* 406 Bq */
    y90_sources_free(&s7);
    /* activity_at: calibration: the same vial, whatever the day (the decays follow the injection day) */
    c.treatment.activity_at = Y90_ACTIVITY_AT_CALIBRATION;
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s7), Y90_OK);
    CU_ASSERT_EQUAL(s7.nspheres, s0.nspheres);
    CU_ASSERT(y90t_rel(s7.activity_treatment_bq, 0.05e9 / pow(2.0, 168.0 / T_HALF_H)) < 1e-12);
    y90_sources_free(&s7);
    y90_sources_free(&s0);
}

/* ------------------------------------------------------------------------------------------ the uptake */

/* 1 GBq glass, LSF 0.1, T/N 3: lung spheres in lung voxels, the rest in liver (normal or viable tumour), none in
 * necrotic cores, body or outside; the lungs get the activity fraction LSF. */
static void test_placement(void)
{
    y90_sources s;
    y90_config c = sphere_config(1.0, Y90_PRODUCT_THERASPHERE, 0.1, 3, Y90_TREAT_BOTH);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    CU_ASSERT_EQUAL(s.nspheres, 400000);
    CU_ASSERT_EQUAL(s.spheres_in_lung, 40000);
    size_t nkind[8] = {0}, outside_grid = 0;
    double a_lung = 0, a_all = 0, a2 = 0;
    for (size_t i = 0; i < s.nspheres; i++) {
        const y90_sphere *sp = &s.spheres[i];
        const y90_structure *st = sphere_structure(&liver, sp);
        if (!st) {
            outside_grid++;
            continue;
        }
        nkind[st->kind]++;
        a_all += sp->activity_bq;
        a2 += (double)sp->activity_bq * sp->activity_bq;
        if (st->kind == Y90_KIND_LUNG) a_lung += sp->activity_bq;
    }
    fprintf(stderr, "\n    spheres: lung %zu, normal liver %zu, viable tumour %zu, necrotic %zu, body %zu, outside %zu ",
            nkind[Y90_KIND_LUNG], nkind[Y90_KIND_LIVER_NORMAL], nkind[Y90_KIND_TUMOR_VIABLE],
            nkind[Y90_KIND_TUMOR_NECROTIC], nkind[Y90_KIND_BODY], nkind[Y90_KIND_OUTSIDE] + outside_grid);
    CU_ASSERT_EQUAL(outside_grid, 0);
    CU_ASSERT_EQUAL(nkind[Y90_KIND_LUNG], s.spheres_in_lung);
    CU_ASSERT_EQUAL(nkind[Y90_KIND_LIVER_NORMAL] + nkind[Y90_KIND_TUMOR_VIABLE], s.nspheres - s.spheres_in_lung);
    CU_ASSERT_EQUAL(nkind[Y90_KIND_TUMOR_NECROTIC], 0);
    CU_ASSERT_EQUAL(nkind[Y90_KIND_BODY], 0);
    CU_ASSERT_EQUAL(nkind[Y90_KIND_OUTSIDE], 0);
    CU_ASSERT(nkind[Y90_KIND_TUMOR_VIABLE] > 0);
    /* lung activity fraction: fixed counts n_L, n_R with iid activities (CV from the sample):
     * sigma(F) = F (1 - F) CV sqrt(1/n_L + 1/n_R) */
    double n = (double)s.nspheres, nl = (double)s.spheres_in_lung, mu = a_all / n;
    double cv2 = a2 / n / (mu * mu) - 1, F = nl / n;
    double sigma = F * (1 - F) * sqrt(cv2 * (1 / nl + 1 / (n - nl)));
    fprintf(stderr, "\n    lung activity fraction %.5f, expected %.5f +- %.5f ", a_lung / a_all, F, sigma);
    CU_ASSERT(fabs(a_lung / a_all - 0.1) < 5 * sigma + 1e-12);
    y90_sources_free(&s);
}

static void check_lobes(y90_treated_lobes treated, y90_lobe untreated)
{
    y90_sources s;
    y90_config c = sphere_config(0.25, Y90_PRODUCT_THERASPHERE, 0.05, 3, treated);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    size_t in_untreated = 0, in_treated_liver = 0, lung = 0, other = 0;
    for (size_t i = 0; i < s.nspheres; i++) {
        const y90_sphere *sp = &s.spheres[i];
        const y90_structure *st = sphere_structure(&liver, sp);
        if (!st) other++;
        else if (st->lobe == untreated) in_untreated++;
        else if (st->kind == Y90_KIND_LUNG) lung++;
        else if (st->kind == Y90_KIND_LIVER_NORMAL || st->kind == Y90_KIND_TUMOR_VIABLE) in_treated_liver++;
        else other++;
    }
    CU_ASSERT_EQUAL(in_untreated, 0);
    CU_ASSERT_EQUAL(other, 0);
    CU_ASSERT_EQUAL(lung, s.spheres_in_lung);
    CU_ASSERT_EQUAL(in_treated_liver, s.nspheres - s.spheres_in_lung);
    y90_sources_free(&s);
}

static void test_treated_lobes(void)
{
    check_lobes(Y90_TREAT_RIGHT, Y90_LOBE_LEFT);
    check_lobes(Y90_TREAT_LEFT, Y90_LOBE_RIGHT);
}

/* Sphere activity per mass in viable tumour / in normal liver = T/N within 5 sigma of the sampling noise. */
static void check_tn(double tn)
{
    y90_sources s;
    y90_config c = sphere_config(1.0, Y90_PRODUCT_THERASPHERE, 0, tn, Y90_TREAT_BOTH);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    double m_t = 0, m_n = 0, a_t = 0, a_n = 0, a_sum = 0, a2 = 0;
    size_t n_t = 0, n_n = 0, nv = y90_grid_nvox(&liver);
    for (size_t i = 0; i < nv; i++) {
        y90_kind k = liver.structures[liver.label[i]].kind;
        if (k == Y90_KIND_TUMOR_VIABLE) m_t += y90_grid_voxel_mass_kg(&liver, i);
        if (k == Y90_KIND_LIVER_NORMAL) m_n += y90_grid_voxel_mass_kg(&liver, i);
    }
    for (size_t i = 0; i < s.nspheres; i++) {
        const y90_sphere *sp = &s.spheres[i];
        const y90_structure *st = sphere_structure(&liver, sp);
        CU_ASSERT_PTR_NOT_NULL_FATAL(st);
        a_sum += sp->activity_bq;
        a2 += (double)sp->activity_bq * sp->activity_bq;
        if (st->kind == Y90_KIND_TUMOR_VIABLE) { a_t += sp->activity_bq; n_t++; }
        if (st->kind == Y90_KIND_LIVER_NORMAL) { a_n += sp->activity_bq; n_n++; }
    }
    double ratio = (a_t / m_t) / (a_n / m_n);
    /* multinomial placement of n spheres with iid activities: relative variance of the ratio
     * = E[a^2]/mu^2 (1/(n p_t) + 1/(n p_n)) */
    double n = (double)s.nspheres, mu = a_sum / n, ea2 = a2 / n / (mu * mu);
    double rel_sigma = sqrt(ea2 * (1.0 / (double)n_t + 1.0 / (double)n_n));
    fprintf(stderr, "\n    T/N %g: ratio %.4f (%zu spheres in viable tumour, %zu in normal liver), sigma %.4f ", tn, ratio,
            n_t, n_n, tn * rel_sigma);
    CU_ASSERT(fabs(ratio / tn - 1) < 5 * rel_sigma);
    y90_sources_free(&s);
}

static void test_tn_ratio(void)
{
    check_tn(3.0);
    check_tn(1.0);
    /* T/N 0: no sphere in the tumours */
    y90_sources s;
    y90_config c = sphere_config(0.05, Y90_PRODUCT_THERASPHERE, 0, 0, Y90_TREAT_BOTH);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    size_t in_tumour = 0;
    for (size_t i = 0; i < s.nspheres; i++) {
        const y90_structure *st = sphere_structure(&liver, &s.spheres[i]);
        in_tumour += st && (st->kind == Y90_KIND_TUMOR_VIABLE || st->kind == Y90_KIND_TUMOR_NECROTIC);
    }
    CU_ASSERT_EQUAL(in_tumour, 0);
    y90_sources_free(&s);
}

/* ------------------------------------------------------------------------------ diameters and activities */

static double phi(double x) { return exp(-0.5 * x * x) / sqrt(2 * M_PI); }
static double Phi(double x) { return 0.5 * (1 + erf(x / sqrt(2.0))); }

/* Mean and standard deviation of N(mu, sd) truncated to [lo, hi]. */
static void truncated_normal(double mu, double sd, double lo, double hi, double *mean, double *stdev)
{
    double a = (lo - mu) / sd, b = (hi - mu) / sd, Z = Phi(b) - Phi(a);
    double r = (phi(a) - phi(b)) / Z;
    *mean = mu + sd * r;
    *stdev = sd * sqrt(1 + (a * phi(a) - b * phi(b)) / Z - r * r);
}

/* Diameters in the preset range, mean and SD of the truncated normal; activity ~ d^3 (glass) or equal (resin). */
static void check_product(y90_product product, double gbq, double mu, double sd, double lo, double hi, int by_volume)
{
    y90_sources s;
    y90_config c = sphere_config(gbq, product, 0.05, 2, Y90_TREAT_BOTH);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    double sum = 0, sum2 = 0, dmin = 1e9, dmax = 0;
    int act_ok = 1;
    double k0 = s.spheres[0].activity_bq / (by_volume ? pow(s.spheres[0].diameter_um, 3) : 1.0);
    for (size_t i = 0; i < s.nspheres; i++) {
        double d = s.spheres[i].diameter_um;
        sum += d;
        sum2 += d * d;
        if (d < dmin) dmin = d;
        if (d > dmax) dmax = d;
        double k = s.spheres[i].activity_bq / (by_volume ? d * d * d : 1.0);
        act_ok &= fabs(k / k0 - 1) < 2e-6;
    }
    double n = (double)s.nspheres, mean = sum / n, stdev = sqrt(sum2 / n - mean * mean), tm, tsd;
    truncated_normal(mu, sd, lo, hi, &tm, &tsd);
    fprintf(stderr, "\n    %s: %zu spheres, d in [%.2f, %.2f] um, mean %.3f um (truncated normal %.3f), sd %.3f um (%.3f) ",
            s.product, s.nspheres, dmin, dmax, mean, tm, stdev, tsd);
    CU_ASSERT(dmin >= lo && dmax <= hi);
    CU_ASSERT(dmin < lo + 0.05 * (hi - lo) && dmax > hi - 0.05 * (hi - lo)); /* the range is used, not narrower */
    CU_ASSERT(fabs(mean / tm - 1) < 0.01);
    CU_ASSERT(fabs(stdev / tsd - 1) < 0.02);
    if (!act_ok) fprintf(stderr, "\n    %s: activity not %s ", s.product, by_volume ? "proportional to d^3" : "equal");
    CU_ASSERT(act_ok);
    y90_sources_free(&s);
}

static void test_diameters(void)
{
    /* TheraSphere 25 +- 2.5 um in [20, 30]; SIR-Spheres 32 +- 10 um in [20, 60] (tests/reference/microspheres.md) */
    check_product(Y90_PRODUCT_THERASPHERE, 1.0, 25, 2.5, 20, 30, 1);
    check_product(Y90_PRODUCT_SIR_SPHERES, 0.01, 32, 10, 20, 60, 0);
}

/* Sum of sphere activities = activity at treatment; decays = A_treat T1/2 / ln 2; the stored layout: spheres sorted
 * by voxel, each in the voxel its centre lies in, offsets and diameters on their quanta (2^-16 mm, 2^-10 um). */
static void test_activity_and_decays(void)
{
    for (int p = 0; p < 2; p++) {
        y90_sources s;
        double gbq = p ? 0.01 : 1.0;
        y90_config c = sphere_config(gbq, p ? Y90_PRODUCT_SIR_SPHERES : Y90_PRODUCT_THERASPHERE, 0.1, 3, Y90_TREAT_BOTH);
        c.treatment.hours_after_calibration = 24;
        CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
        double a_treat = gbq * 1e9 * exp(-log(2.0) * 24 / T_HALF_H);
        double sum = 0;
        int mono = 1, layout = 1;
        for (size_t i = 0; i < s.nspheres; i++) {
            sum += s.spheres[i].activity_bq;
            const y90_sphere *sp = &s.spheres[i];
            if (i) mono &= sp->voxel >= s.spheres[i - 1].voxel;
            double ctr[3];
            size_t v;
            y90_sphere_centre(&liver, sp, ctr);
            layout &= y90_grid_locate(&liver, ctr, &v) == 0 && v == sp->voxel;
            for (int a = 0; a < 3; a++) {
                double q = sp->offset_mm[a] * 65536.0;
                layout &= sp->offset_mm[a] >= 0 && sp->offset_mm[a] < liver.spacing[a] && q == floor(q);
            }
            layout &= sp->diameter_um * 1024.0 == floor(sp->diameter_um * 1024.0);
        }
        fprintf(stderr, "\n    %s: sum of sphere activities %.9g Bq, expected %.9g Bq (rel %.1e) ", s.product, sum, a_treat,
                y90t_rel(sum, a_treat));
        CU_ASSERT(y90t_rel(sum, a_treat) < 1e-6);
        CU_ASSERT(y90t_rel(s.activity_calibration_bq, gbq * 1e9) < 1e-12);
        CU_ASSERT(y90t_rel(s.activity_treatment_bq, a_treat) < 1e-12);
        CU_ASSERT(y90t_rel(s.decays, a_treat * T_HALF_H * 3600 / log(2.0)) < 1e-12);
        CU_ASSERT(mono);
        CU_ASSERT(layout);
        y90_sources_free(&s);
    }
}

/* ---------------------------------------------------------------------------------- validation sources */

static y90_config validation_config(y90_source_type type)
{
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.type = Y90_PHANTOM_BOX;
    c.source.type = type;
    c.treatment.activity_gbq = 1;
    snprintf(c.path, sizeof c.path, "validation.yaml");
    return c;
}

static void expect_refused(const y90_config *c, const y90_grid *g, const char *what)
{
    y90_sources s;
    y90_error e = {0};
    y90_status st = y90_sources_build(c, g, &s, &e);
    if (st != Y90_EINPUT) fprintf(stderr, "\n    %s: status %d, expected Y90_EINPUT ", what, st);
    CU_ASSERT_EQUAL(st, Y90_EINPUT);
    CU_ASSERT(strlen(e.msg) > 0);
    if (st == Y90_OK) y90_sources_free(&s);
}

static void test_validation_errors(void)
{
    y90_config c = validation_config(Y90_SOURCE_UNIFORM_BOX);
    double lo[3] = {-10, -10, -10}, hi[3] = {10, 10, 30}; /* z beyond +25 mm */
    memcpy(c.source.box_min_mm, lo, sizeof lo);
    memcpy(c.source.box_max_mm, hi, sizeof hi);
    expect_refused(&c, &box, "uniform_box reaching outside");
    c.source.box_min_mm[2] = -40;
    c.source.box_max_mm[2] = -30;
    expect_refused(&c, &box, "uniform_box wholly outside");

    c = validation_config(Y90_SOURCE_VOXEL);
    c.source.voxel[0] = 10; /* nx = 10 */
    expect_refused(&c, &box, "voxel ix = nx");
    c.source.voxel[0] = 0;
    c.source.voxel[2] = 11;
    expect_refused(&c, &box, "voxel iz > nz");
    c.source.voxel[2] = 0;
    c.source.voxel[1] = -1; /* a config built in code skips the parser's range check */
    expect_refused(&c, &box, "voxel iy = -1");

    c = validation_config(Y90_SOURCE_POINT);
    c.source.point_mm[0] = 25.5;
    expect_refused(&c, &box, "point outside");
    c.source.point_mm[0] = 0;
    c.source.point_mm[2] = -30;
    expect_refused(&c, &box, "point below");

    c = validation_config(Y90_SOURCE_UNIFORM_STRUCTURE);
    snprintf(c.source.structure, Y90_NAME_LEN, "no_such_structure");
    expect_refused(&c, &box, "unknown structure");
    y90_sources s;
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_sources_build(&c, &box, &s, &e), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no_such_structure"));

    /* and the ones just inside are accepted */
    c = validation_config(Y90_SOURCE_VOXEL);
    c.source.voxel[0] = c.source.voxel[1] = c.source.voxel[2] = 9;
    CU_ASSERT_EQUAL(build(&c, &box, &s), Y90_OK);
    CU_ASSERT_EQUAL(s.voxel, 999);
    y90_sources_free(&s);
    c = validation_config(Y90_SOURCE_POINT);
    c.source.point_mm[0] = 24.9;
    c.source.point_mm[1] = -24.9;
    CU_ASSERT_EQUAL(build(&c, &box, &s), Y90_OK);
    y90_sources_free(&s);
}

/* y90_sources_sample: positions inside the source region, for every type. */
static void test_sample_inside(void)
{
    enum { NDRAW = 20000 };
    y90_rng r;
    double p[3];
    long sph;
    y90_sources s;

    /* uniform box [-10, 10] x [-5, 12.5] x [0, 3]: inside, mean at the centre */
    y90_config c = validation_config(Y90_SOURCE_UNIFORM_BOX);
    double lo[3] = {-10, -5, 0}, hi[3] = {10, 12.5, 3};
    memcpy(c.source.box_min_mm, lo, sizeof lo);
    memcpy(c.source.box_max_mm, hi, sizeof hi);
    CU_ASSERT_EQUAL_FATAL(build(&c, &box, &s), Y90_OK);
    int inside = 1;
    double mean[3] = {0};
    for (int i = 0; i < NDRAW; i++) {
        y90_rng_init(&r, 11, Y90_STREAM_TEST, (uint64_t)i);
        y90_sources_sample(&s, &box, &r, i, p, &sph);
        for (int a = 0; a < 3; a++) {
            inside &= p[a] >= lo[a] && p[a] <= hi[a];
            mean[a] += p[a] / NDRAW;
        }
        inside &= sph == -1;
    }
    CU_ASSERT(inside);
    for (int a = 0; a < 3; a++) {
        double sigma = (hi[a] - lo[a]) / sqrt(12.0 * NDRAW);
        CU_ASSERT(fabs(mean[a] - 0.5 * (lo[a] + hi[a])) < 5 * sigma);
    }
    y90_sources_free(&s);

    /* whole phantom when min == max */
    c = validation_config(Y90_SOURCE_UNIFORM_BOX);
    CU_ASSERT_EQUAL_FATAL(build(&c, &box, &s), Y90_OK);
    double pmin[3] = {1e9, 1e9, 1e9}, pmax[3] = {-1e9, -1e9, -1e9};
    for (int i = 0; i < NDRAW; i++) {
        y90_rng_init(&r, 12, Y90_STREAM_TEST, (uint64_t)i);
        y90_sources_sample(&s, &box, &r, i, p, &sph);
        for (int a = 0; a < 3; a++) {
            pmin[a] = fmin(pmin[a], p[a]);
            pmax[a] = fmax(pmax[a], p[a]);
        }
    }
    for (int a = 0; a < 3; a++) CU_ASSERT(pmin[a] >= -25 && pmin[a] < -24 && pmax[a] <= 25 && pmax[a] > 24);
    y90_sources_free(&s);

    /* voxel (2, 3, 4) of the box: [-15, -10) x [-10, -5) x [-5, 0) */
    c = validation_config(Y90_SOURCE_VOXEL);
    c.source.voxel[0] = 2;
    c.source.voxel[1] = 3;
    c.source.voxel[2] = 4;
    CU_ASSERT_EQUAL_FATAL(build(&c, &box, &s), Y90_OK);
    inside = 1;
    for (int i = 0; i < NDRAW; i++) {
        y90_rng_init(&r, 13, Y90_STREAM_TEST, (uint64_t)i);
        y90_sources_sample(&s, &box, &r, i, p, &sph);
        inside &= p[0] >= -15 && p[0] <= -10 && p[1] >= -10 && p[1] <= -5 && p[2] >= -5 && p[2] <= 0;
    }
    CU_ASSERT(inside);
    y90_sources_free(&s);

    /* point */
    c = validation_config(Y90_SOURCE_POINT);
    double pt[3] = {1.25, -3.5, 7};
    memcpy(c.source.point_mm, pt, sizeof pt);
    CU_ASSERT_EQUAL_FATAL(build(&c, &box, &s), Y90_OK);
    y90_rng_init(&r, 14, Y90_STREAM_TEST, 0);
    y90_sources_sample(&s, &box, &r, 0, p, &sph);
    CU_ASSERT(p[0] == pt[0] && p[1] == pt[1] && p[2] == pt[2]);
    y90_sources_free(&s);

    /* uniform structure slab1 (lung) of the slab phantom: every voxel of slab1 listed, draws inside slab1 */
    c = validation_config(Y90_SOURCE_UNIFORM_STRUCTURE);
    c.phantom.type = Y90_PHANTOM_SLABS;
    snprintf(c.source.structure, Y90_NAME_LEN, "slab1");
    CU_ASSERT_EQUAL_FATAL(build(&c, &slabs, &s), Y90_OK);
    size_t n_slab1 = 0, nv = y90_grid_nvox(&slabs);
    for (size_t i = 0; i < nv; i++) n_slab1 += !strcmp(slabs.structures[slabs.label[i]].name, "slab1");
    CU_ASSERT_EQUAL(n_slab1, 10 * 10 * 5);
    CU_ASSERT_EQUAL(s.nvoxels, n_slab1);
    inside = 1;
    for (int i = 0; i < NDRAW; i++) {
        y90_rng_init(&r, 15, Y90_STREAM_TEST, (uint64_t)i);
        y90_sources_sample(&s, &slabs, &r, i, p, &sph);
        const y90_structure *st = structure_at(&slabs, p[0], p[1], p[2]);
        inside &= st && !strcmp(st->name, "slab1");
    }
    CU_ASSERT(inside);
    y90_sources_free(&s);

    /* microspheres: the decay starts at the centre of the sphere it names; lung spheres are drawn with the
     * lungs' share of the activity */
    c = sphere_config(0.05, Y90_PRODUCT_THERASPHERE, 0.2, 3, Y90_TREAT_BOTH);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &s), Y90_OK);
    double a_lung = 0, a_all = 0;
    for (size_t i = 0; i < s.nspheres; i++) {
        const y90_structure *st = sphere_structure(&liver, &s.spheres[i]);
        a_all += s.spheres[i].activity_bq;
        if (st && st->kind == Y90_KIND_LUNG) a_lung += s.spheres[i].activity_bq;
    }
    int at_centre = 1, from_lung = 0;
    for (int i = 0; i < NDRAW; i++) {
        y90_rng_init(&r, 16, Y90_STREAM_TEST, (uint64_t)i);
        y90_sources_sample(&s, &liver, &r, i, p, &sph);
        if (sph < 0 || (size_t)sph >= s.nspheres) {
            at_centre = 0;
            continue;
        }
        double ctr[3];
        y90_sphere_centre(&liver, &s.spheres[sph], ctr);
        at_centre &= p[0] == ctr[0] && p[1] == ctr[1] && p[2] == ctr[2];
        const y90_structure *st = structure_at(&liver, p[0], p[1], p[2]);
        from_lung += st && st->kind == Y90_KIND_LUNG;
    }
    CU_ASSERT(at_centre);
    double f = a_lung / a_all, sigma = sqrt(f * (1 - f) / NDRAW);
    fprintf(stderr, "\n    sampled from lung spheres %.4f, lung activity fraction %.4f +- %.4f ", (double)from_lung / NDRAW,
            f, sigma);
    CU_ASSERT(fabs((double)from_lung / NDRAW - f) < 5 * sigma);
    y90_sources_free(&s);
}

/* ------------------------------------------------------------------------------------------ determinism */

static int same_spheres(const y90_sources *a, const y90_sources *b)
{
    return a->nspheres == b->nspheres && a->spheres_in_lung == b->spheres_in_lung &&
           memcmp(a->spheres, b->spheres, a->nspheres * sizeof(y90_sphere)) == 0 &&
           a->stratified == b->stratified &&
           (a->stratified ? memcmp(a->cum_activity, b->cum_activity, a->nspheres * sizeof(double)) == 0 &&
                                memcmp(a->cum_guide, b->cum_guide, a->nspheres * sizeof(uint32_t)) == 0
                          : memcmp(a->cum_activity, b->cum_activity, a->nspheres * sizeof(double)) == 0 &&
                                memcmp(a->cum_guide, b->cum_guide, a->nspheres * sizeof(uint32_t)) == 0);
}

static void test_determinism(void)
{
    y90_sources a, b, d;
    y90_config c = sphere_config(0.25, Y90_PRODUCT_THERASPHERE, 0.1, 3, Y90_TREAT_BOTH);
    c.source.seed = 99;
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &a), Y90_OK);
    omp_set_num_threads(2);
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &b), Y90_OK);
    omp_set_num_threads(saved);
    CU_ASSERT(same_spheres(&a, &b));
    /* the transport seed does not move the spheres (runs with different transport seeds can be pooled) */
    c.transport.seed = 12345;
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &d), Y90_OK);
    CU_ASSERT(same_spheres(&a, &d));
    y90_sources_free(&d);
    c.source.seed = 100;
    CU_ASSERT_EQUAL_FATAL(build(&c, &liver, &d), Y90_OK);
    CU_ASSERT_EQUAL(d.nspheres, a.nspheres);
    CU_ASSERT_FALSE(same_spheres(&a, &d));
    y90_sources_free(&a);
    y90_sources_free(&b);
    y90_sources_free(&d);
}

/* Decays drawn at random (transport.stratify false; tests/test_stratify.c tests the stratified ones) pick their
 * sphere in proportion to its activity: 1 MBq of glass (400 spheres, activities ~ d^3 spread over a factor of 3)
 * sampled 4e6 times; chi-square against the activities within its 5-sigma bound, and the same test fails for equal
 * weights. */
static void test_decay_sphere_choice(void)
{
    y90_config c = sphere_config(0.001, Y90_PRODUCT_THERASPHERE, 0.0, 1.0, Y90_TREAT_BOTH);
    c.transport.stratify = 0;
    y90_sources s;
    CU_ASSERT_FATAL(build(&c, &liver, &s) == Y90_OK);
    size_t n = s.nspheres;
    long *count = calloc(n, sizeof(long));
    double total = 0;
    for (size_t i = 0; i < n; i++) total += s.spheres[i].activity_bq;
    const long N = 4000000;
    for (long h = 0; h < N; h++) {
        y90_rng r;
        y90_rng_init(&r, 5, Y90_STREAM_TEST, (uint64_t)h);
        double p[3];
        long sp;
        y90_sources_sample(&s, &liver, &r, h, p, &sp);
        CU_ASSERT_FATAL(sp >= 0 && (size_t)sp < n);
        count[sp]++;
    }
    double chi2 = 0, chi2_equal = 0;
    for (size_t i = 0; i < n; i++) {
        double ex = N * s.spheres[i].activity_bq / total, eq = (double)N / (double)n;
        chi2 += (count[i] - ex) * (count[i] - ex) / ex;
        chi2_equal += (count[i] - eq) * (count[i] - eq) / eq;
    }
    double dof = (double)n - 1, bound = dof + 5 * sqrt(2 * dof);
    printf("\n  %zu spheres: chi-square %.0f (bound %.0f); against equal weights %.0f", n, chi2, bound, chi2_equal);
    CU_ASSERT(chi2 < bound);
    CU_ASSERT(chi2_equal > bound);
    free(count);
    y90_sources_free(&s);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("source", build_grids, free_grids);
    CU_add_test(s, "decay data", test_decay_data);
    CU_add_test(s, "sphere count", test_sphere_count);
    CU_add_test(s, "treatment day: activity at injection", test_treatment_day);
    CU_add_test(s, "placement: lungs, liver, no necrosis", test_placement);
    CU_add_test(s, "treated lobes", test_treated_lobes);
    CU_add_test(s, "T/N ratio", test_tn_ratio);
    CU_add_test(s, "diameters and activities per sphere", test_diameters);
    CU_add_test(s, "activity and decays", test_activity_and_decays);
    CU_add_test(s, "validation sources refused outside", test_validation_errors);
    CU_add_test(s, "sampling inside the source", test_sample_inside);
    CU_add_test(s, "determinism", test_determinism);
    CU_add_test(s, "decays choose spheres by activity", test_decay_sphere_choice);
}
