/* The ICRP-107 90Y beta spectrum sampler against the tabulated ICRP-107 data (tests/reference). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/rng.h"
#include "y90/spectrum.h"

static y90_spectrum spec;

static int read_ref(double *e, double *n, int max) { return y90t_read_spectrum(e, n, max); }

static void test_table_matches_reference(void)
{
    double e[200], n[200];
    int k = read_ref(e, n, 200), m;
    const double *te = y90_spectrum_table_energy(&m), *tn = y90_spectrum_table_density(&m);
    CU_ASSERT_EQUAL(k, 120);
    CU_ASSERT_EQUAL(m, k);
    for (int i = 0; i < k && i < m; i++) {
        CU_ASSERT_DOUBLE_EQUAL(te[i], e[i], 1e-12);
        CU_ASSERT_DOUBLE_EQUAL(tn[i], n[i], 1e-12);
    }
}

/* The sampled distribution's exact mean within 0.1 % of 0.9331 MeV (ICRP-07.NDX total electron energy per decay;
 * 0.93299 MeV for the betas), and its normalisation within 0.1 % of the ICRP integral (1.0004, trapezoid). */
static void test_mean(void)
{
    printf("\n  spectrum: integral %.5f betas/decay, mean %.6f MeV\n", spec.betas_per_decay, spec.mean_mev);
    CU_ASSERT(y90t_rel(spec.mean_mev, 0.9331) < 1e-3);
    CU_ASSERT(y90t_rel(spec.betas_per_decay, 1.00037) < 1e-3);
}

/* Monte Carlo mean of 4e6 samples agrees with the exact mean within 5 sigma, and with 0.9331 within 0.1 %. */
static void test_sampled_mean(void)
{
    const int N = 4000000;
    double s = 0, s2 = 0;
    y90_rng r;
    y90_rng_init(&r, 12345, Y90_STREAM_TEST, 0);
    for (int i = 0; i < N; i++) {
        double E = y90_spectrum_sample(&spec, y90_rng_uniform(&r));
        CU_ASSERT_FATAL(E >= 0 && E <= 2.2801);
        s += E;
        s2 += E * E;
    }
    double mean = s / N, sd = sqrt((s2 / N - mean * mean) / N);
    printf("\n  sampled mean %.6f +- %.6f MeV\n", mean, sd);
    CU_ASSERT(fabs(mean - spec.mean_mev) < 5 * sd);
    CU_ASSERT(y90t_rel(mean, 0.9331) < 1e-3);
}

/* Chi-square of the sampled density at the ICRP-107 tabulated points: narrow bins [E_i - h, E_i + h] around
 * tabulated points from 0.1 to 2.0 MeV (0.02 MeV or more apart) expect N(E_i) 2h of the samples (the
 * interpolation between points does not enter to first order), plus one bin for everything else.
 * scale multiplies every sampled energy (1 = the sampler as it is). Returns chi2 - the 5-sigma bound. */
static double chi_square_excess(double scale, uint64_t seed)
{
    double e[200], n[200], integral = 0;
    int k = read_ref(e, n, 200);
    for (int i = 1; i < k; i++) integral += 0.5 * (n[i] + n[i - 1]) * (e[i] - e[i - 1]);
    const double h = 0.004;
    int bins[64], nb = 0;
    double last = -1;
    for (int i = 0; i < k && nb < 63; i++)
        if (e[i] >= 0.1 && e[i] <= 2.0 && e[i] - last >= 0.02) { bins[nb++] = i; last = e[i]; }
    long N = 2000000, count[64] = {0};
    y90_rng r;
    y90_rng_init(&r, seed, Y90_STREAM_TEST, 1);
    for (long j = 0; j < N; j++) {
        double E = scale * y90_spectrum_sample(&spec, y90_rng_uniform(&r));
        int b = nb;
        for (int q = 0; q < nb; q++)
            if (fabs(E - e[bins[q]]) < h) { b = q; break; }
        count[b]++;
    }
    double chi2 = 0, prest = 1;
    for (int q = 0; q < nb; q++) {
        double p = n[bins[q]] * 2 * h / integral, ex = p * N;
        prest -= p;
        chi2 += (count[q] - ex) * (count[q] - ex) / ex;
    }
    chi2 += (count[nb] - prest * N) * (count[nb] - prest * N) / (prest * N);
    int dof = nb; /* nb + 1 bins, total fixed */
    double bound = dof + 5 * sqrt(2.0 * dof);
    printf("\n  energy scale %.3f: chi-square %.1f for %d degrees of freedom (5-sigma bound %.1f)\n", scale, chi2,
           dof, bound);
    return chi2 - bound;
}

static void test_chi_square(void) { CU_ASSERT(chi_square_excess(1.0, 777) < 0); }

/* The same check catches a wrong sampler: energies 2 % too high fail it. */
static void test_chi_square_detects_shift(void) { CU_ASSERT(chi_square_excess(1.02, 778) > 0); }

static int setup(void) { return y90_spectrum_init(&spec, NULL) != Y90_OK; }

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("spectrum", setup, NULL);
    CU_add_test(s, "table equals the ICRP-107 reference file", test_table_matches_reference);
    CU_add_test(s, "exact mean and normalisation", test_mean);
    CU_add_test(s, "sampled mean", test_sampled_mean);
    CU_add_test(s, "chi-square at the tabulated points", test_chi_square);
    CU_add_test(s, "chi-square detects a 2 % energy shift", test_chi_square_detects_shift);
}
