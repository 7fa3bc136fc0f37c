/* LABEL validation: scaled dose point kernels of mono-energetic electrons in water against EGSnrc (EDKnrc,
 * Mainegra-Hing, Rogers & Kawrakow 2005, Med Phys 32:685; tests/reference/egsnrc) and, printed, against Berger's
 * ETRAN kernels (tests/reference/etran). All kernels normalised to the emitted energy and binned in x = r / r0 with
 * bins 0.05 wide (r0 the ESTAR CSDA range of the energy, tests/reference/estar; ETRAN's points every 0.025 averaged
 * over a bin by Simpson's rule). x50, x90: the radii holding 50 % and 90 % of the emitted energy (linear in the
 * cumulative between bin edges, the same for all). Spin on (EGSnrc's default). Checked:
 *  - 1 MeV, the defaults (delta threshold Tc 10 keV, EGSnrc's AE; PRESTA-II steps of max_eloss_fraction 0.1;
 *    EDKnrc used ESTEPE 1 %, PRESTA-II): x50 and x90 within 0.5 % of EGSnrc's plus 2 standard errors (4
 *    independent batches); every bin with J above 0.2, the tail to 0.95 r0 included, within 2 % of EGSnrc's J plus
 *    3 standard errors (J is tabulated to 3 digits). Measured 2026-12-01: x50 -0.15 %, x90 -0.04 %, bins within
 *    -1.1..+1.0 % (one random hinge per step: -0.11 %, +0.14 %; PRESTA-II steps of 25 %: -0.21 %, +0.04 %);
 *  - 1 MeV, spin off, against the project's own EGSnrc spin-off kernel (egsnrc_1MeV_spin_off_water_dpk.csv,
 *    tutor7pp, 10 keV cuts; SOURCES.md): x50 and x90 within 0.5 % + 2 combined se. Measured x50 +0.08 %, x90
 *    +0.20 % (hinge: +0.18 %, +0.42 %; EGSnrc's spin effect, its spin-off run against the EDKnrc table: x50 +2.8 %,
 *    x90 +1.9 %; ours +2.5 %, +1.6 %);
 *  - 100 keV with Tc 10 keV and a 1 keV cutoff (EDKnrc's below 1 MeV): x50, x90 and the bins inside 0.8 r0 as at
 *    1 MeV (measured x50 +0.02 %, x90 -0.32 %, bins inside 0.8 r0 -1.2 to +2.4 %; the tail, printed, -1.9 / -3.3 /
 *    -6.4 % at 0.825 / 0.875 / 0.925; with one random hinge per step +0.13 %, +0.09 %, tail -0.4 / -1.5 / -2.8 %;
 *    before the Moller fix -3.1 / -4.3 / -5.2 %, x90 -0.3 %). With PRESTA-II steps of 25 % it fails: four or five
 *    steps cross the whole range and show in the bins inside 0.4 r0 (+2.7 / +3.6 / -3.6 / +3.5 % at 0.025 /
 *    0.075 / 0.225 / 0.325), hence the default of 10 %.
 * Printed: 1 MeV with Tc 100 keV, the default before 2026-12-01 (x50 -0.25 %, x90 -0.17 %, tail -1 to -5 %).
 * The tail: before, at 1 MeV the bins at x = 0.825 / 0.875 / 0.925 were -3 / -6 / -8 % below EGSnrc (defaults;
 * -5 / -7 / -9 % with Tc 10 keV; x50 -0.4 %, -1.2 % with Tc 10 keV, -1.7 % with Tc 1 keV: the kernel shortened as
 * Tc fell). The cause: the elastic transport cross sections used Z(Z+1), whose "+1" counts the deflections in all
 * collisions with the atomic electrons, while the hard Moller collisions above Tc deflect the primary explicitly as
 * well: counted twice, 2.5 % of lambda_1^-1 at 1 MeV with Tc 100 keV, 5.3 % with 10 keV. sim/physics/physics.c now
 * subtracts them as EGSnrc does, with spin on (Kawrakow 1997 Med Phys 24:505; PIRS-701, xi(T, Tc)). Measured after
 * (2026-12-01, 2e5 histories, ours/EGSnrc - 1 at x = 0.825 / 0.875 / 0.925; x50, x90):
 *   Tc 10 keV, no straggling: -0.1 / 0.0 / -0.3 %; x50 -0.20 %, x90 +0.03 %   (EGSnrc's own model)
 *   Tc 10 keV:                -0.1 / +0.9 / +0.7 %; x50 -0.22 %, x90 +0.10 %
 *   Tc 1 keV, cutoff 1 keV:   -0.9 / -0.7 / +0.6 %; x50 -0.20 %, x90 0.00 %   (no Tc dependence left)
 *   Tc 20 / 50 keV:           +0.5 / +1.0 / +1.0 %;  +0.3 / -0.6 / -1.6 %
 *   Tc 100 keV (old default): -1.1 / -3.1 / -5.2 %, and +37 % at 1.025 (J 0.033 vs 0.024); x50 -0.04 %, x90 -0.11 %
 * What remains at the default Tc is the shape of the soft-loss straggling: the Gamma distribution with the Moller
 * variance up to 100 keV (its low side too long: electrons beyond r0, too few at 0.85-0.95 r0); without straggling
 * the end is CSDA-sharp (+5.9 / -1.9 / -34 %); with Tc <= 50 keV the Gamma covers few large transfers and the tail
 * agrees. Ruled out (the tail unchanged by them): the step size (max_eloss_fraction 0.03, before the fix), the
 * cutoff (1 vs 10 keV with Tc 10 keV: x90 0.7938 both, bins within 0.1 %), range rejection (off in point-kernel
 * mode). At 100 keV the defaults have no hard collisions at all (E < 2 Tc): the Gamma then spans transfers up to
 * E/2 and the tail is wrong (-12 % at 0.825, J 0.108 vs 0.050 at 1.025), so that case is checked with Tc 10 keV;
 * with Tc 1 keV the 100 keV kernel is a little long (x90 +0.6 %, +1.4 / +2.7 / +4.6 % at 0.825 / 0.875 / 0.925;
 * before the fix x90 -0.7 %, -4.9 / -6.1 / -7.3 %).
 * Printed, not checked: the spin-off kernel against EGSnrc's spin-on one (x50 -2.5 %, x90 -1.4 %); ETRAN at 1 MeV,
 * 500 keV and 100 keV (ours longer: x90 +1.1 / +0.8 / +1.6 %), which is itself 1.2-1.5 % shorter in x90 than
 * EGSnrc and 8-12 % below it at 0.825-0.925 r0 (a different code: Goudsmit-Saunderson on a fixed grid,
 * Landau-type straggling), so no code can agree with both to our tolerance; and EGSnrc at 15 and 10 keV with a
 * 1 keV cutoff (our tables start at 1 keV; measured x90 +2.7 % and +4.0 %, too long: energies that carry a
 * negligible share of the 90Y dose). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/config.h"
#include "y90/tools.h"

/* ESTAR CSDA ranges in water, mm (g/cm2 / 1 g/cm3; tests/reference/estar/estar_water_liquid.csv) */
#define R0_1MEV 4.367
#define R0_500KEV 1.766
#define R0_100KEV 0.1431
#define R0_15KEV 0.005147
#define R0_10KEV 0.002515
#define NB 24
#define NBATCH 4

/* EGSnrc: 24 bins (x, J); ETRAN: 49 points every 0.025 from 0, averaged over each bin by Simpson's rule. */
static int read_ref(const char *rel, double J[NB])
{
    FILE *f = fopen(y90t_ref(rel), "r");
    if (!f) return 0;
    char line[256];
    double P[64];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < 64) {
        double x, j;
        if (line[0] == '#' || sscanf(line, "%lf,%lf", &x, &j) != 2) continue;
        P[n++] = j;
    }
    fclose(f);
    if (n == NB) {
        memcpy(J, P, sizeof(double) * NB);
        return NB;
    }
    if (n != 2 * NB + 1) return 0;
    for (int k = 0; k < NB; k++) J[k] = (P[2 * k] + 4.0 * P[2 * k + 1] + P[2 * k + 2]) / 6.0;
    return NB;
}

/* the radius (in x) where the cumulative of J (per unit x, bins of dx from 0) reaches q */
static double quantile(const double *J, int n, double dx, double q)
{
    double F = 0;
    for (int k = 0; k < n; k++) {
        double Fn = F + J[k] * dx;
        if (Fn >= q) return dx * (k + (q - F) / (Fn - F));
        F = Fn;
    }
    return NAN;
}

typedef struct {
    double J[NB], Jse[NB], x50, se50, x90, se90;
} kernel;

/* The kernel of electrons of E MeV (r0 mm), delta threshold tc keV (0: default), cutoff keV (0: default), in nb
 * batches of n histories. */
static void run_kernel(double E, double r0, double tc, double cut, int spin, int nb, int64_t n, kernel *K)
{
    y90_config c;
    y90_config_defaults(&c);
    c.transport.spin = spin;
    if (tc > 0) c.transport.delta_threshold_kev = tc;
    if (cut > 0) c.transport.cutoff_kev = cut;
    double s[NB] = {0}, s2[NB] = {0}, a50 = 0, q50 = 0, a90 = 0, q90 = 0;
    for (int b = 0; b < nb; b++) {
        y90_tool_options o = {.medium = "water", .shell_mm = 0.05 * r0, .histories = n, .seed = 11 + b,
                              .energy_mev = E, .transport = &c.transport};
        y90_dpk_result r;
        y90_error e = {0};
        CU_ASSERT_FATAL(y90_dpk_compute(&o, &r, &e) == Y90_OK);
        CU_ASSERT_FATAL(r.nshell >= NB);
        double j[NB];
        for (int k = 0; k < NB; k++) j[k] = (r.cum_fraction[k] - (k ? r.cum_fraction[k - 1] : 0.0)) / 0.05;
        for (int k = 0; k < NB; k++) {
            s[k] += j[k];
            s2[k] += j[k] * j[k];
        }
        double v50 = quantile(j, NB, 0.05, 0.5), v90 = quantile(j, NB, 0.05, 0.9);
        a50 += v50;
        q50 += v50 * v50;
        a90 += v90;
        q90 += v90 * v90;
        y90_dpk_free(&r);
    }
    for (int k = 0; k < NB; k++) {
        K->J[k] = s[k] / nb;
        K->Jse[k] = nb > 1 ? sqrt(fmax(s2[k] / nb - K->J[k] * K->J[k], 0) / (nb - 1)) : 0.0;
    }
    K->x50 = a50 / nb;
    K->x90 = a90 / nb;
    K->se50 = nb > 1 ? sqrt(fmax(q50 / nb - K->x50 * K->x50, 0) / (nb - 1)) : 0.0;
    K->se90 = nb > 1 ? sqrt(fmax(q90 / nb - K->x90 * K->x90, 0) / (nb - 1)) : 0.0;
    y90_config_free(&c);
}

/* Print the kernel against a reference; return whether x50, x90 are within 0.5 % + 2 se and every bin with J above
 * 0.2 and x below xmax within 2 % + 3 se (xmax 0: printed only). */
static int compare(const char *what, const char *ref_file, const kernel *K, double xmax)
{
    double ref[NB];
    CU_ASSERT_EQUAL_FATAL(read_ref(ref_file, ref), NB);
    const double r50 = quantile(ref, NB, 0.05, 0.5), r90 = quantile(ref, NB, 0.05, 0.9);
    int ok = fabs(K->x50 - r50) <= 0.005 * r50 + 2 * K->se50 && fabs(K->x90 - r90) <= 0.005 * r90 + 2 * K->se90;
    printf("\n  %s: x50 %.4f +- %.5f (ref %.4f, %+.2f %%), x90 %.4f +- %.5f (ref %.4f, %+.2f %%)", what, K->x50,
           K->se50, r50, 100 * (K->x50 / r50 - 1), K->x90, K->se90, r90, 100 * (K->x90 / r90 - 1));
    printf("\n    bins x: ours/ref - 1 (%%):");
    for (int k = 0; k < NB; k++) {
        if (ref[k] <= 0.02) continue;
        printf(" %.3f:%+.1f", 0.05 * k + 0.025, 100 * (K->J[k] / ref[k] - 1));
        if (ref[k] > 0.2 && 0.05 * (k + 1) <= xmax + 1e-9)
            ok &= fabs(K->J[k] - ref[k]) <= 0.02 * ref[k] + 3 * K->Jse[k];
    }
    if (xmax > 0) printf("\n    %s", ok ? "within tolerance" : "OUTSIDE tolerance");
    return ok;
}

static void test_dpk_1mev(void)
{
    kernel K;
    run_kernel(1.0, R0_1MEV, 0, 0, 1, NBATCH, 100000, &K);
    CU_ASSERT(compare("1 MeV, defaults (Tc 10 keV), vs EGSnrc (checked to 0.95 r0)", "egsnrc/edknrc_1MeV_water_dpk.csv",
                      &K, 0.95));
    compare("1 MeV, defaults, vs ETRAN", "etran/etran_1MeV_water_dpk.csv", &K, 0.0);
    run_kernel(1.0, R0_1MEV, 100.0, 0, 1, 2, 100000, &K);
    compare("1 MeV, Tc 100 keV (the default before), vs EGSnrc", "egsnrc/edknrc_1MeV_water_dpk.csv", &K, 0.0);
    run_kernel(1.0, R0_1MEV, 0, 0, 0, NBATCH, 100000, &K);
    compare("1 MeV, defaults, spin off, vs EGSnrc (spin on)", "egsnrc/edknrc_1MeV_water_dpk.csv", &K, 0.0);
    double off[4];
    CU_ASSERT_FATAL(y90t_ref_radii("egsnrc/egsnrc_1MeV_spin_off_water_dpk.csv", "r0", off));
    printf("\n  1 MeV, defaults, spin off, vs the project's EGSnrc spin off (x50 %.5f +- %.5f, x90 %.5f +- %.5f): x50 "
           "%+.2f %%, x90 %+.2f %%", off[0], off[1], off[2], off[3], 100 * (K.x50 / off[0] - 1), 100 * (K.x90 / off[2] - 1));
    CU_ASSERT(fabs(K.x50 - off[0]) <= 0.005 * off[0] + 2 * sqrt(K.se50 * K.se50 + off[1] * off[1]));
    CU_ASSERT(fabs(K.x90 - off[2]) <= 0.005 * off[2] + 2 * sqrt(K.se90 * K.se90 + off[3] * off[3]));
}

static void test_dpk_500kev(void)
{
    kernel K;
    run_kernel(0.5, R0_500KEV, 0, 0, 1, 1, 200000, &K);
    compare("500 keV, defaults, vs ETRAN", "etran/etran_500keV_water_dpk.csv", &K, 0.0);
}

static void test_dpk_100kev(void)
{
    kernel K;
    run_kernel(0.1, R0_100KEV, 10.0, 1.0, 1, NBATCH, 100000, &K);
    CU_ASSERT(compare("100 keV, Tc 10 keV, cutoff 1 keV, vs EGSnrc (checked to 0.8 r0)",
                      "egsnrc/edknrc_100keV_water_dpk.csv", &K, 0.8));
    compare("100 keV, Tc 10 keV, cutoff 1 keV, vs ETRAN", "etran/etran_100keV_water_dpk.csv", &K, 0.0);
}

static void test_dpk_low(void)
{
    kernel K;
    run_kernel(0.015, R0_15KEV, 1.0, 1.0, 1, 1, 100000, &K);
    compare("15 keV, Tc 1 keV, cutoff 1 keV, vs EGSnrc", "egsnrc/edknrc_15keV_water_dpk.csv", &K, 0.0);
    run_kernel(0.01, R0_10KEV, 1.0, 1.0, 1, 1, 100000, &K);
    compare("10 keV, Tc 1 keV, cutoff 1 keV, vs EGSnrc", "egsnrc/edknrc_10keV_water_dpk.csv", &K, 0.0);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("egsnrc dpk", NULL, NULL);
    CU_add_test(s, "1 MeV electron DPK in water vs EGSnrc (EDKnrc) and ETRAN", test_dpk_1mev);
    CU_add_test(s, "500 keV electron DPK in water vs ETRAN (printed)", test_dpk_500kev);
    CU_add_test(s, "100 keV electron DPK in water vs EGSnrc (EDKnrc) and ETRAN", test_dpk_100kev);
    CU_add_test(s, "15 and 10 keV electron DPK in water vs EGSnrc (printed)", test_dpk_low);
}
