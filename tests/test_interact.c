/* Sampling of the interactions in the MC kernel (kernels/mc_interact.c) against the distributions they stand
 * for, integrated numerically here. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "../kernels/mc.h"

#define T_MC2 0.51099895000 /* MeV, CODATA 2018 */
#define NBIN 20
#define NSAMP 400000

typedef struct {
    double beta;
} brems_arg;

/* The angular factor of the Koch-Motz 2BS leading term, per unit cos theta. */
static double brems_pdf(double c, void *vp)
{
    const brems_arg *a = vp;
    double d = 1.0 - a->beta * c;
    return 1.0 / (d * d);
}

static double integrate(gsl_function *f, double lo, double hi)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    double r = 0, err = 0;
    gsl_integration_qags(f, lo, hi, 0, 1e-10, 200, w, &r, &err);
    gsl_integration_workspace_free(w);
    return r;
}

/* Bremsstrahlung photon angles at 0.1, 1 and 2 MeV: chi-square of 20 bins in cos theta (each bin's
 * probability by numerical integration of (1 - beta cos theta)^-2) below the 0.1 % point of chi2(19) = 43.8,
 * and the mean cos theta within 4 standard errors. Before, every photon left along the electron (mean 1). */
static void test_brems_angle(void)
{
    static const double Es[] = {0.1, 1.0, 2.0};
    for (int k = 0; k < 3; k++) {
        double g = 1.0 + Es[k] / T_MC2;
        brems_arg a = {sqrt(1.0 - 1.0 / (g * g))};
        gsl_function f = {brems_pdf, &a};
        double norm = integrate(&f, -1.0, 1.0), p[NBIN];
        for (int b = 0; b < NBIN; b++) p[b] = integrate(&f, -1.0 + 2.0 * b / NBIN, -1.0 + 2.0 * (b + 1) / NBIN) / norm;
        y90_rng r;
        y90_rng_init(&r, 77 + (uint64_t)k, Y90_STREAM_TEST, 0);
        long n[NBIN] = {0};
        double sum = 0, sum2 = 0;
        for (int i = 0; i < NSAMP; i++) {
            double c = mc_brems_cos(Es[k], &r);
            CU_ASSERT_FATAL(c >= -1.0 && c <= 1.0);
            int b = (int)((c + 1.0) * 0.5 * NBIN);
            n[b < NBIN ? b : NBIN - 1]++;
            sum += c;
            sum2 += c * c;
        }
        double chi2 = 0;
        for (int b = 0; b < NBIN; b++) chi2 += pow(n[b] - NSAMP * p[b], 2) / (NSAMP * p[b]);
        double mean = sum / NSAMP, se = sqrt((sum2 / NSAMP - mean * mean) / NSAMP);
        /* mean of cos theta: numerical integral of c p(c) */
        double ref = 0;
        for (int b = 0; b < 2000; b++) {
            double c = -1.0 + (b + 0.5) / 1000.0;
            ref += c * brems_pdf(c, &a) / 1000.0 / norm;
        }
        printf("\n  brems angle at %.1f MeV: chi2 %.1f (19 dof), <cos> %.4f (numerical %.4f)", Es[k], chi2, mean, ref);
        CU_ASSERT(chi2 < 43.8);
        CU_ASSERT(fabs(mean - ref) < 4 * se + 1e-5);
    }
}

/* Multiple scattering (modified Wentzel model): over 10^6 draws per step, the sampled <mu> and <mu^2>, mu =
 * (1 - cos theta)/2, equal the Goudsmit-Saunderson moments (1 - e^-K1)/2 and <mu> - (1 - e^-K2)/6 within 4
 * standard errors (and 2e-4 of the target, the table interpolation), for steps from 0.01 to 15 transport mean free
 * paths (smaller steps put the second moment in a tail of probability below 1e-5, beyond 1e6 draws) and K2/K1 from 1.5 to 3 (screened Rutherford: K2/K1 = 3 [(1+2A) ln(1+1/A) - 2] / [ln(1+1/A) - 1/(1+A)],
 * 2.5-2.9 for water at 10 keV - 2 MeV), both branches of the model. The Wentzel model alone, matched in <mu> only,
 * has <mu^2> 18-66 % too large at K2/K1 = 2.7 for K1 = 0.01-0.5 (6 % at K1 = 1). */
static void test_msc_moments(void)
{
    static const double K1s[] = {0.01, 0.05, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0};
    static const double q[] = {1.5, 2.2, 2.7, 3.0};
    static mc_params P;
    mc_wentzel_init(&P);
    mc_az_init(&P.az);
    const int n = 1000000;
    double worst = 0;
    for (int a = 0; a < 9; a++)
        for (int b = 0; b < 4; b++) {
            double K1 = K1s[a], K2 = q[b] * K1, m1, m2;
            mc_msc_moments(K1, K2, &m1, &m2);
            y90_rng r;
            y90_rng_init(&r, 1000 + (uint64_t)(10 * a + b), Y90_STREAM_TEST, 0);
            double s1 = 0, s2 = 0, s4 = 0;
            for (int i = 0; i < n; i++) {
                double c = mc_msc_cos(&P, K1, K2, &r);
                CU_ASSERT_FATAL(c >= -1.0 && c <= 1.0);
                double mu = 0.5 * (1.0 - c);
                s1 += mu;
                s2 += mu * mu;
                s4 += mu * mu * mu * mu;
            }
            double e1 = s1 / n, e2 = s2 / n;
            double se1 = sqrt(fmax(e2 - e1 * e1, 0) / n), se2 = sqrt(fmax(s4 / n - e2 * e2, 0) / n);
            int ok1 = fabs(e1 - m1) < 4 * se1 + 2e-4 * m1, ok2 = fabs(e2 - m2) < 4 * se2 + 2e-4 * m2;
            worst = fmax(worst, fmax(fabs(e1 - m1) / se1, fabs(e2 - m2) / se2));
            if (!ok1 || !ok2 || b == 2)
                printf("\n  K1 %g K2 %g: <mu> %.6g (target %.6g, se %.2g), <mu^2> %.6g (target %.6g, se %.2g)", K1, K2,
                       e1, m1, se1, e2, m2, se2);
            CU_ASSERT(ok1);
            CU_ASSERT(ok2);
        }
    printf("\n  msc moments: 36 steps, largest deviation %.2f standard errors", worst);
}

/* Random-hinge step mechanics. Lewis (1950, Phys Rev 78:526): continuous scattering with K(x) first transport mean
 * free paths after path x gives <z> = int_0^s e^-K(x) dx and <r^2> = 2 int_0^s dx int_0^x dy e^-(K(x) - K(y)); for
 * a constant rate, <z> = s (1 - e^-K)/K and <r^2> = 2 s^2 (K - 1 + e^-K)/K^2. With energy loss the scattering power
 * grows along the step: here 1/lambda_1 linear in the path, by 1 + alpha from start to end. Checked at K1 = 0.05-1
 * and alpha = 0 and 0.8 (K2 = 2.7 K1): a fine-step simulation (100 substeps, each with its own K and alpha and the
 * modified-Wentzel deflection) agrees with the exact moments (closed forms at alpha 0, GSL adaptive quadrature
 * otherwise), and so does one hinge step placed by mc_hinge_fraction, both within 4 standard errors. Two placements
 * that fail, as they must: the hinge uniform in path length (its <z> overshoots by K^2/12: 0.016 s at K = 0.5), and
 * at alpha = 0.8 the previous placement (right for a constant rate per K1, mapped to path length through K(x)), whose
 * <z> is 1.2 % too long at K = 1. */
typedef struct { double c, alpha; } kprof; /* K(x) = c x (1 + alpha x / 2), x in units of the step */
static double kprof_at(const kprof *k, double x) { return k->c * x * (1.0 + 0.5 * k->alpha * x); }
static double kprof_path(const kprof *k, double K) /* the x with K(x) = K */
{
    if (k->alpha == 0) return K / k->c;
    const double a = 0.5 * k->c * k->alpha;
    return 2.0 * K / (k->c + sqrt(k->c * k->c + 4.0 * a * K));
}

static double ez_f(double x, void *p) { return exp(-kprof_at(p, x)); }
typedef struct { const kprof *k; double x; } r2_in;
static double r2_inner_f(double y, void *p)
{
    const r2_in *q = p;
    return exp(-(kprof_at(q->k, q->x) - kprof_at(q->k, y)));
}
static double r2_outer_f(double x, void *p)
{
    r2_in q = {p, x};
    gsl_function f = {r2_inner_f, &q};
    double v, e;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    gsl_integration_qags(&f, 0.0, x, 1e-13, 1e-10, 200, w, &v, &e); /* GSL aborts on failure (its default handler) */
    gsl_integration_workspace_free(w);
    return 2.0 * v;
}

/* Lewis's exact <z> and <r^2> of a unit step of K1 = K whose 1/lambda_1 grows by 1 + alpha */
static void lewis_moments(double K, double alpha, double *z, double *r2)
{
    if (alpha == 0) {
        *z = -expm1(-K) / K;
        *r2 = 2.0 * (K + expm1(-K)) / (K * K);
        return;
    }
    kprof k = {K / (1.0 + 0.5 * alpha), alpha};
    gsl_function fz = {ez_f, &k}, fr = {r2_outer_f, &k};
    double e;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    gsl_integration_qags(&fz, 0.0, 1.0, 1e-13, 1e-10, 200, w, z, &e);
    gsl_integration_qags(&fr, 0.0, 1.0, 1e-13, 1e-10, 200, w, r2, &e);
    gsl_integration_workspace_free(w);
}

/* <z cos theta> after a unit step of continuous scattering (Lewis 1950): d<z mu>/dx = <mu^2>(x) - <z mu>/lambda_1,
 * <mu^2> = (1 + 2 exp(-K2(x)))/3, so <z mu> = int_0^1 exp(-(K1(1) - K1(x))) (1 + 2 exp(-K2(x)))/3 dx, here with
 * K2(x) = 2.7 K1(x) and K1(x) the profile of a step whose 1/lambda_1 grows by 1 + alpha */
static double zmu_f(double x, void *p)
{
    const kprof *k = p;
    return exp(-(kprof_at(k, 1.0) - kprof_at(k, x))) * (1.0 + 2.0 * exp(-2.7 * kprof_at(k, x))) / 3.0;
}
static double lewis_zmu(double K, double alpha)
{
    kprof k = {K / (1.0 + 0.5 * alpha), alpha};
    gsl_function f = {zmu_f, &k};
    double v, e;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    gsl_integration_qags(&f, 0.0, 1.0, 1e-13, 1e-10, 200, w, &v, &e);
    gsl_integration_workspace_free(w);
    return v;
}

enum { HINGE_PLACED, HINGE_UNIFORM, HINGE_CONSTANT_RATE };

static double last_zmu; /* <z cos theta> of the last step_moments call */
static void step_moments(const mc_params *P, double K1, double alpha, int nsub, int how, int n, uint64_t seed,
                         double *mz, double *sez, double *mr2, double *ser2)
{
    double szm = 0;
    const kprof k = {K1 / (1.0 + 0.5 * alpha), alpha};
    double sz = 0, sz2 = 0, sr = 0, sr2 = 0, ds = 1.0 / nsub;
    double mc0 = 0, vc0 = 0;
    if (how == HINGE_CONSTANT_RATE) CU_ASSERT_FATAL(mc_hinge_moments(K1, 0.0, &mc0, &vc0) == 0);
    const double wc0 = vc0 > 0 ? sqrt(3.0 * vc0) : 0.0;
    y90_rng r;
    y90_rng_init(&r, seed, Y90_STREAM_TEST, 0);
    for (int i = 0; i < n; i++) {
        double x[3] = {0, 0, 0}, u[3] = {0, 0, 1};
        for (int j = 0; j < nsub; j++) {
            const double x0 = j * ds, x1 = (j + 1) * ds, Kj = kprof_at(&k, x1) - kprof_at(&k, x0);
            const double aj = (1.0 + alpha * x1) / (1.0 + alpha * x0) - 1.0, xi = y90_rng_uniform32(&r);
            double f;
            if (how == HINGE_PLACED) f = mc_hinge_fraction(P, Kj, aj, xi);
            else if (how == HINGE_UNIFORM) f = xi;
            else { /* uniform in K1 on [m - w, m + w] for a constant rate, then to path length (one step only) */
                double fk = mc0 + wc0 * (2.0 * xi - 1.0);
                f = kprof_path(&k, (fk < 0 ? 0 : fk > 1 ? 1 : fk) * K1);
            }
            for (int a = 0; a < 3; a++) x[a] += f * ds * u[a];
            mc_rotate(u, mc_msc_cos(P, Kj, 2.7 * Kj, &r), 2.0 * Y90_PI * y90_rng_uniform32(&r));
            for (int a = 0; a < 3; a++) x[a] += (1.0 - f) * ds * u[a];
        }
        double z = x[2], r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        szm += z * u[2];
        sz += z;
        sz2 += z * z;
        sr += r2;
        sr2 += r2 * r2;
    }
    *mz = sz / n;
    *mr2 = sr / n;
    last_zmu = szm / n;
    *sez = sqrt(fmax(sz2 / n - *mz * *mz, 0) / n);
    *ser2 = sqrt(fmax(sr2 / n - *mr2 * *mr2, 0) / n);
}

static void test_hinge_moments(void)
{
    static const double K1s[] = {0.05, 0.2, 0.5, 1.0}, alphas[] = {0.0, 0.8};
    static mc_params P;
    mc_wentzel_init(&P);
    mc_az_init(&P.az);
    CU_ASSERT_FATAL(mc_hinge_init(&P) == 0);
    for (int b = 0; b < 2; b++)
        for (int a = 0; a < 4; a++) {
            const double K = K1s[a], al = alphas[b];
            const uint64_t sd = 10 * (uint64_t)b + (uint64_t)a;
            double z_l, r2_l, z, sz, r2, sr2;
            lewis_moments(K, al, &z_l, &r2_l);
            step_moments(&P, K, al, 100, HINGE_PLACED, 20000, 500 + sd, &z, &sz, &r2, &sr2);
            printf("\n  K1 %.2f alpha %.1f: Lewis <z> %.5f <r2> %.5f; 100 substeps %.5f +- %.5f, %.5f +- %.5f (<z mu> "
                   "%.4f)", K, al, z_l, r2_l, z, sz, r2, sr2, last_zmu);
            CU_ASSERT(fabs(z - z_l) < 4 * sz);
            CU_ASSERT(fabs(r2 - r2_l) < 4 * sr2);
            step_moments(&P, K, al, 1, HINGE_PLACED, 400000, 600 + sd, &z, &sz, &r2, &sr2);
            const double zmu_l = lewis_zmu(K, al);
            printf("; one placed hinge %.5f +- %.5f, %.5f +- %.5f (<z mu> %.4f, exact %.4f: %+.2f %%)", z, sz, r2, sr2,
                   last_zmu, zmu_l, 100 * (last_zmu / zmu_l - 1));
            CU_ASSERT(fabs(z - z_l) < 4 * sz);
            CU_ASSERT(fabs(r2 - r2_l) < 4 * sr2);
            /* what one hinge cannot carry: <z cos theta> +3 % at K1 = 0.5, +14 % at 1 (test_presta2_moments) */
            if (K >= 0.5) CU_ASSERT(last_zmu / zmu_l - 1 > 0.02);
            step_moments(&P, K, al, 1, HINGE_UNIFORM, 400000, 700 + sd, &z, &sz, &r2, &sr2);
            printf("; uniform hinge %.5f, %.5f", z, r2);
            if (K >= 0.2) CU_ASSERT(fabs(z - z_l) > 4 * sz);
            if (al > 0) {
                step_moments(&P, K, al, 1, HINGE_CONSTANT_RATE, 400000, 800 + sd, &z, &sz, &r2, &sr2);
                printf("; constant-rate hinge %.5f +- %.5f (%+.2f %%)", z, sz, 100 * (z / z_l - 1));
                if (K >= 1.0) CU_ASSERT(fabs(z - z_l) > 4 * sz);
            }
        }
}

/* Mean end depth z, squared distance r^2 and z cos theta of n PRESTA-II steps (unit path, u0 = z) of K1 = K,
 * K2 = 2.7 K whose 1/lambda_1 grows by 1 + alpha; se: standard errors */
static void presta_step_moments(const mc_params *P, double K, double alpha, int n, uint64_t seed, double m[3],
                                double se[3])
{
    double s1[3] = {0, 0, 0}, s2[3] = {0, 0, 0};
    y90_rng r;
    y90_rng_init(&r, seed, Y90_STREAM_TEST, 0);
    const double u0[3] = {0, 0, 1};
    for (int i = 0; i < n; i++) {
        double x[3] = {0, 0, 0};
        mc_pii_step st;
        mc_presta2(P, K, 2.7 * K, alpha / (2.0 + alpha), 0.0, u0, &r, &st);
        for (int k = 0; k < 4; k++)
            for (int a = 0; a < 3; a++) x[a] += st.f[k] * st.g[k] * st.u[k][a];
        const double *u = st.u[3];
        const double v[3] = {x[2], x[0] * x[0] + x[1] * x[1] + x[2] * x[2], x[2] * u[2]};
        for (int a = 0; a < 3; a++) {
            s1[a] += v[a];
            s2[a] += v[a] * v[a];
        }
    }
    for (int a = 0; a < 3; a++) {
        m[a] = s1[a] / n;
        se[a] = sqrt(fmax(s2[a] / n - m[a] * m[a], 0) / n);
    }
}

/* PRESTA-II (Kawrakow and Bielajew 1998) against continuous scattering: <z>, <r^2> (Lewis, as above) and
 * <z cos theta> (lewis_zmu) of one step, K1 = 0.05-1, alpha 0 and 0.8. What the step mechanics must carry for
 * long steps is the correlation of where a step ends and where it then goes: one random hinge, exact in <z> and
 * <r^2> by construction, overshoots <z cos theta> (the next step then starts too far forward, the tracks go too
 * deep: the R90 drift of long steps; test_hinge_moments requires that to show at K1 >= 0.5). */
static void test_presta2_moments(void)
{
    static const double K1s[] = {0.05, 0.2, 0.5, 1.0}, alphas[] = {0.0, 0.8};
    static mc_params P;
    mc_wentzel_init(&P);
    mc_az_init(&P.az);
    for (int b = 0; b < 2; b++)
        for (int a = 0; a < 4; a++) {
            const double K = K1s[a], al = alphas[b];
            double z_l, r2_l, m[3], se[3];
            lewis_moments(K, al, &z_l, &r2_l);
            const double ex[3] = {z_l, r2_l, lewis_zmu(K, al)};
            presta_step_moments(&P, K, al, 400000, 900 + 10 * (uint64_t)b + (uint64_t)a, m, se);
            printf("\n  K1 %.2f alpha %.1f: exact <z> %.5f <r2> %.5f <z mu> %.5f; PRESTA-II %+.3f %+.3f %+.3f %% "
                   "(se %.3f %.3f %.3f)",
                   K, al, ex[0], ex[1], ex[2], 100 * (m[0] / ex[0] - 1), 100 * (m[1] / ex[1] - 1),
                   100 * (m[2] / ex[2] - 1), 100 * se[0] / ex[0], 100 * se[1] / ex[1], 100 * se[2] / ex[2]);
            /* PRESTA-II: <z> and <z mu> exact to the statistics (4 se); <r^2> is its second-order approximation,
             * measured +0.06 % at K1 = 0.2, +0.4 % at 0.5, +1.6 % at 1 (about 1.6 K1^2 %) */
            CU_ASSERT(fabs(m[0] - ex[0]) < 4 * se[0]);
            CU_ASSERT(fabs(m[2] - ex[2]) < 4 * se[2]);
            CU_ASSERT(fabs(m[1] / ex[1] - 1) < (K <= 0.5 ? 0.005 : 0.02));
        }
}

/* The hinge table against the direct quadrature between its grid points (bilinear interpolation error), the
 * sampled place's moments where the uniform hinge would not fit in the step, and its
 * small-K limit: the scattering-weighted mean position (1/2 + alpha/3)/(1 + alpha/2), with the variance 1/12 of the
 * uniform hinge at alpha 0. */
static void test_hinge_table(void)
{
    static mc_params P;
    CU_ASSERT_FATAL(mc_hinge_init(&P) == 0);
    double worst_m = 0, worst_v = 0;
    for (int i = 0; i < 400; i++) {
        const double K = exp(log(MC_HINGE_KMIN) + (log(MC_HINGE_KMAX) - log(MC_HINGE_KMIN)) * (i + 0.37) / 400);
        const double al = MC_HINGE_AMIN + (MC_HINGE_AMAX - MC_HINGE_AMIN) * fmod(0.618034 * i, 1.0);
        double m, v;
        CU_ASSERT_FATAL(mc_hinge_moments(K, al, &m, &v) == 0);
        /* mean and variance of the sampled place (midpoints in xi) against the quadrature's */
        const int n = 20000;
        double s1 = 0, s2 = 0;
        for (int k = 0; k < n; k++) {
            const double f = mc_hinge_fraction(&P, K, al, (k + 0.5) / n);
            s1 += f;
            s2 += f * f;
        }
        s1 /= n;
        s2 /= n;
        worst_m = fmax(worst_m, fabs(s1 - m));
        worst_v = fmax(worst_v, fabs(s2 - s1 * s1 - fmax(v, 0.0)));
    }
    printf("\n  sampled hinge place vs quadrature: mean within %.2g, variance within %.2g", worst_m, worst_v);
    /* the sampled place keeps the mean and the variance where the uniform [m - w, m + w] would leave the step
     * (small K, alpha > 0): mc_hinge_place integrated over xi (midpoints) at every table point, and the table
     * points whose uniform does not fit all have a linear-plus-point mixture (no clipping) */
    double worst_pm = 0, worst_pv = 0;
    int nofit = 0, clipped = 0;
    for (int i = 0; i < MC_HINGE_NK; i++)
        for (int j = 0; j < MC_HINGE_NA; j++) {
            const double m = P.hinge_m[i][j], v = P.hinge_v[i][j], w = v > 0 ? sqrt(3 * v) : 0;
            if (v <= 0 || (m - w >= 0 && m + w <= 1)) continue;
            nofit++;
            const double d = m - 0.5;
            if (!(v <= (1.0 / 12 - d * d) * (1 + 1e-9) && fabs(d) <= 1.0 / 6)) clipped++;
            const int n = 200000;
            double s1 = 0, s2 = 0;
            for (int k = 0; k < n; k++) {
                const double f = mc_hinge_place(m, v, (k + 0.5) / n);
                s1 += f;
                s2 += f * f;
            }
            s1 /= n;
            s2 /= n;
            worst_pm = fmax(worst_pm, fabs(s1 - m));
            worst_pv = fmax(worst_pv, fabs(s2 - s1 * s1 - v));
        }
    printf("; %d table points where the uniform leaves the step (%d clipped): sampled mean within %.2g, variance "
           "within %.2g", nofit, clipped, worst_pm, worst_pv);
    CU_ASSERT(nofit > 0);
    CU_ASSERT_EQUAL(clipped, 0);
    CU_ASSERT(worst_pm < 1e-5);
    CU_ASSERT(worst_pv < 1e-5);
    CU_ASSERT(worst_m < 5e-4);
    CU_ASSERT(worst_v < 5e-4);
    for (int j = 0; j < 3; j++) {
        const double al = j * 0.8, m0 = (0.5 + al / 3) / (1 + 0.5 * al);
        double m, v;
        CU_ASSERT_FATAL(mc_hinge_moments(1e-4, al, &m, &v) == 0);
        printf("; K 1e-4 alpha %.1f: m %.5f (limit %.5f)", al, m, m0);
        CU_ASSERT(fabs(m - m0) < 1e-4);
        if (j == 0) CU_ASSERT(fabs(v - 1.0 / 12) < 1e-4);
    }
}

/* Chi-square of n samples against the distribution function cdf on the bins between edges[0] < ... <
 * edges[nb - 2] (plus the two open ends): sum (O - E)^2 / E. */
typedef double (*cdf_fn)(double x, double a);
static double chi2_of(const double *x, int n, const double *edges, int ne, cdf_fn cdf, double a)
{
    static long cnt[128];
    memset(cnt, 0, sizeof cnt);
    for (int i = 0; i < n; i++) {
        int lo = 0, hi = ne; /* bin = number of edges <= x */
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (edges[mid] <= x[i]) lo = mid + 1;
            else hi = mid;
        }
        cnt[lo]++;
    }
    double chi2 = 0, prev = 0;
    for (int b = 0; b <= ne; b++) {
        double P = b < ne ? cdf(edges[b], a) : 1.0, e = n * (P - prev);
        prev = P;
        if (e > 0) chi2 += (cnt[b] - e) * (cnt[b] - e) / e;
        else if (cnt[b] > 0) chi2 += 1e300;
    }
    return chi2;
}

static double gamma_cdf(double x, double k) { return gsl_cdf_gamma_P(x, k, 1.0); }
static double normal_cdf(double x, double s) { return gsl_cdf_gaussian_P(x, s); }
/* x with gsl_cdf_gamma_P(x, k, 1) = p, by bisection in ln x (gsl_cdf_gamma_Pinv does not converge for small k). */
static double gamma_quantile(double p, double k)
{
    double lo = -700, hi = log(100.0 + 20.0 * k);
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (gsl_cdf_gamma_P(exp(mid), k, 1.0) < p) lo = mid;
        else hi = mid;
    }
    return exp(0.5 * (lo + hi));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define NGBIN 40
/* The straggling's Gamma sampler (ziggurat normal inside Marsaglia-Tsang) against GSL's Gamma distribution
 * function, for the shapes the kernel draws (2^-10 to 2^5 on the default liver case, most between 0.5 and 8):
 * chi-square on 40 equiprobable bins below the 0.1 % point of chi2(39), and the same samples against the
 * distribution of a shape 3 % off (which must fail it). The normal deviates alone against the normal
 * distribution function, with the tails beyond the ziggurat's base (|x| > 3.4426) as bins of their own, and
 * against a normal of standard deviation 1.01 (which must fail). */
static void test_gamma_sampler(void)
{
    static const double shapes[] = {0.01, 0.2, 0.7, 1.0, 2.5, 10.0, 50.0};
    const int n = NSAMP;
    double *x = malloc((size_t)n * sizeof *x), edges[NGBIN + 8];
    CU_ASSERT_FATAL(x != NULL);
    mc_zig z;
    mc_zig_init(&z);
    const double lim = gsl_cdf_chisq_Qinv(1e-3, NGBIN - 1);
    for (int s = 0; s < 7; s++) {
        const double k = shapes[s];
        y90_rng r;
        y90_rng_init(&r, 77 + (uint64_t)s, Y90_STREAM_TEST, 0);
        for (int i = 0; i < n; i++) {
            x[i] = mc_gamma(&z, k, &r);
            CU_ASSERT_FATAL(x[i] >= 0 && isfinite(x[i]));
        }
        for (int b = 1; b < NGBIN; b++) edges[b - 1] = gamma_quantile((double)b / NGBIN, k);
        double c = chi2_of(x, n, edges, NGBIN - 1, gamma_cdf, k);
        double cw = chi2_of(x, n, edges, NGBIN - 1, gamma_cdf, 1.03 * k);
        printf("\n  Gamma shape %g: chi2 %.1f (limit %.1f), against shape %g: %.1f", k, c, lim, 1.03 * k, cw);
        CU_ASSERT(c < lim);
        CU_ASSERT(cw > lim);
    }
    y90_rng r;
    y90_rng_init(&r, 5, Y90_STREAM_TEST, 1);
    int ne = 0;
    for (int b = 1; b < NGBIN; b++) edges[ne++] = gsl_cdf_ugaussian_Pinv((double)b / NGBIN);
    const double extra[] = {-4.0, -3.442619855899, 3.442619855899, 4.0};
    for (int e = 0; e < 4; e++) edges[ne++] = extra[e];
    qsort(edges, (size_t)ne, sizeof *edges, cmp_double);
    for (int i = 0; i < n; i++) x[i] = mc_gauss(&z, &r);
    const double limn = gsl_cdf_chisq_Qinv(1e-3, ne);
    double c = chi2_of(x, n, edges, ne, normal_cdf, 1.0), cw = chi2_of(x, n, edges, ne, normal_cdf, 1.01);
    long tail = 0;
    for (int i = 0; i < n; i++) tail += fabs(x[i]) > 3.442619855899;
    printf("\n  normal: chi2 %.1f (limit %.1f), against sigma 1.01: %.1f; %ld beyond the base (expected %.0f)", c,
           limn, cw, tail, n * 2 * gsl_cdf_ugaussian_Q(3.442619855899));
    CU_ASSERT(c < limn);
    CU_ASSERT(cw > limn);
    free(x);
}

/* The azimuth (a table and Taylor series): cos and sin within 1e-15 of those of 2 pi (u + 1/2) / 2^32 for the
 * 32-bit draw u it takes (computed in long double), cos^2 + sin^2 = 1, the angle uniform on 40 bins of [0, 2 pi)
 * by chi-square below the 0.1 % point of chi2(39), and <cos>, <sin>, <cos sin> zero within 4 standard errors. */
static void test_azimuth(void)
{
    y90_rng r;
    y90_rng_init(&r, 9, Y90_STREAM_TEST, 2);
    mc_az t;
    mc_az_init(&t);
    long cnt[NGBIN] = {0};
    double sc = 0, ss = 0, scs = 0, worst = 0, off = 0;
    const int n = NSAMP;
    for (int i = 0; i < n; i++) {
        double c, sn;
        y90_rng r0 = r;
        const long double pi = 3.14159265358979323846264338327950288L;
        const long double phi_u = 2.0L * pi * ((long double)y90_rng_u32(&r0) + 0.5L) / 4294967296.0L;
        mc_azimuth(&t, &r, &c, &sn);
        off = fmax(off, fmax(fabsl(c - cosl(phi_u)), fabsl(sn - sinl(phi_u))));
        worst = fmax(worst, fabs(c * c + sn * sn - 1.0));
        double phi = atan2(sn, c);
        if (phi < 0) phi += 2.0 * M_PI;
        int b = (int)(phi / (2.0 * M_PI) * NGBIN);
        cnt[b < NGBIN ? b : NGBIN - 1]++;
        sc += c;
        ss += sn;
        scs += c * sn;
    }
    double chi2 = 0, e = (double)n / NGBIN;
    for (int b = 0; b < NGBIN; b++) chi2 += (cnt[b] - e) * (cnt[b] - e) / e;
    printf("\n  azimuth: chi2 %.1f (39 dof), <cos> %.2g <sin> %.2g <cos sin> %.2g, |c^2 + s^2 - 1| <= %.1g, cos and "
           "sin of the draw's angle within %.1g", chi2, sc / n, ss / n, scs / n, worst, off);
    CU_ASSERT(off < 1e-15);
    CU_ASSERT(chi2 < gsl_cdf_chisq_Qinv(1e-3, NGBIN - 1));
    CU_ASSERT(fabs(sc / n) < 4 * sqrt(0.5 / n) && fabs(ss / n) < 4 * sqrt(0.5 / n));
    CU_ASSERT(fabs(scs / n) < 4 * sqrt(0.125 / n));
    CU_ASSERT(worst < 1e-14);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("interact", NULL, NULL);
    CU_add_test(s, "bremsstrahlung photon angles", test_brems_angle);
    CU_add_test(s, "multiple scattering moments", test_msc_moments);
    CU_add_test(s, "random hinge: Lewis moments of a step", test_hinge_moments);
    CU_add_test(s, "random hinge: table against quadrature, small-K limit", test_hinge_table);
    CU_add_test(s, "PRESTA-II step: Lewis moments and <z cos theta>", test_presta2_moments);
    CU_add_test(s, "Gamma and normal samplers against GSL", test_gamma_sampler);
    CU_add_test(s, "azimuth cos and sin", test_azimuth);
}
