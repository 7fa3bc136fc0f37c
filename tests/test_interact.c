/* Sampling of the interactions in the MC kernel (kernels/mc_interact.c) against the distributions they stand
 * for, integrated numerically here. */
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdio.h>
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

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("interact", NULL, NULL);
    CU_add_test(s, "bremsstrahlung photon angles", test_brems_angle);
}
