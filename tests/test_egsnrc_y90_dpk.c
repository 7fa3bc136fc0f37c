/* LABEL validation: the 90Y dose point kernel in water against EGSnrc, issue 9's first acceptance item: "R50 and R90
 * within 0.5 % of an EGSnrc computation with spin off and 10 keV cutoffs, with the step size at its default".
 * The reference is the project's own computation with EGSnrc (commit 9edee3e, egs++ tutor7pp, 521icru water:
 * 10 keV delta-ray and bremsstrahlung production thresholds, ECUT and PCUT 10 keV, PRESTA-II, EXACT boundary
 * crossing, ESTEPE 0.25, spin off, 10 x 400,000 histories), sampling the spectrum y90mc samples
 * (tests/reference/egsnrc/egsnrc_y90_spin_off_water_dpk.csv and its inputs/; SOURCES.md). Both are normalised to
 * the emitted kinetic energy and scored in shells 0.05 mm wide; R50 and R90 are the radii holding 50 % and 90 % of
 * it, linear in the cumulative between shell edges (the same rule in both).
 * Checked, ours with the default configuration (PRESTA-II steps of max_eloss_fraction 0.1, delta threshold 10 keV =
 * EGSnrc's AE, brems threshold and cutoffs 10 keV), spin off, NBATCH independent batches: R50 and R90 within 0.5 %
 * of EGSnrc's plus 2 combined standard errors (ours from the batches, EGSnrc's from its file's header); the same
 * with steps of 25 % loss, which the clinical configs use. Printed: the delta threshold at 100 keV, the default
 * before 2026-12-01.
 * Measured 2026-12-01 (EGSnrc R50 2.2961 +- 0.0009 mm, R90 5.3239 +- 0.0024 mm; ours 8 x 125,000 histories):
 *   defaults (delta 10 keV): R50 2.2967 +- 0.0013 mm (+0.03 %), R90 5.3323 +- 0.0022 mm (+0.16 %)  (allowed 0.64 / 0.62 %)
 *   steps of 25 % loss:      R50 2.2945 +- 0.0015 mm (-0.07 %), R90 5.3303 +- 0.0032 mm (+0.12 %)
 *   delta 100 keV:           R50 2.3049 +- 0.0018 mm (+0.38 %), R90 5.3565 +- 0.0037 mm (+0.61 %: NOT within 0.5 %)
 * (with one random hinge per step, before PRESTA-II, the defaults gave +0.01 % and +0.22 %).
 * At 100 keV the soft losses up to 100 keV are one Gamma distribution whose shape lacks the large-transfer tail
 * (tests/test_egsnrc_dpk.c): hence the default of 10 keV. A kernel 1 % short fails both asserts (tried: density
 * 1.01 gives R50 -0.98 %, R90 -0.77 %). With spin off the transport cross sections keep Z(Z+1) whole, as EGSnrc's
 * spin-off model does (sim/physics/physics.c).
 * 1 MeV electrons, spin off, against EGSnrc spin off (egsnrc_1MeV_spin_off_water_dpk.csv): see test_egsnrc_dpk.
 * Spin on is not compared: EGSnrc's spin data (HEN_HOUSE/data/spinms.data) was missing from the EGSnrc snapshot
 * available, so EGSnrc could not be run with spin on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/config.h"
#include "y90/tools.h"

#define NBATCH 8
#define HIST 125000

typedef struct {
    double r50, se50, r90, se90;
} radii;

/* delta_kev, eloss 0: the default delta-ray threshold, the default step */
static radii run_kernel(int spin, double delta_kev, double eloss)
{
    y90_config c;
    y90_config_defaults(&c);
    c.transport.spin = spin;
    if (delta_kev > 0) c.transport.delta_threshold_kev = delta_kev;
    if (eloss > 0) c.transport.max_eloss_fraction = eloss;
    double a50 = 0, q50 = 0, a90 = 0, q90 = 0;
    for (int b = 0; b < NBATCH; b++) {
        y90_tool_options o = {.medium = "water", .shell_mm = 0.05, .histories = HIST, .seed = 901 + b,
                              .energy_mev = 0, .transport = &c.transport};
        y90_dpk_result r;
        y90_error e = {0};
        CU_ASSERT_FATAL(y90_dpk_compute(&o, &r, &e) == Y90_OK);
        a50 += r.r50_mm;
        q50 += r.r50_mm * r.r50_mm;
        a90 += r.r90_mm;
        q90 += r.r90_mm * r.r90_mm;
        y90_dpk_free(&r);
    }
    y90_config_free(&c);
    radii m = {.r50 = a50 / NBATCH, .r90 = a90 / NBATCH};
    m.se50 = sqrt(fmax(q50 / NBATCH - m.r50 * m.r50, 0) / (NBATCH - 1));
    m.se90 = sqrt(fmax(q90 / NBATCH - m.r90 * m.r90, 0) / (NBATCH - 1));
    return m;
}

/* |ours - EGSnrc| within 0.5 % of EGSnrc's plus 2 combined standard errors; prints the comparison */
static int within(const char *what, double v, double se, double ref, double rse)
{
    double tol = 0.005 * ref + 2 * sqrt(se * se + rse * rse);
    printf("\n  %s %.4f +- %.4f mm, EGSnrc %.4f +- %.4f mm: %+.2f %% (allowed +-%.2f %%)", what, v, se, ref, rse,
           100 * (v / ref - 1), 100 * tol / ref);
    return fabs(v - ref) <= tol;
}

static void test_y90_dpk_spin_off(void)
{
    double v[4];
    CU_ASSERT_FATAL(y90t_ref_radii("egsnrc/egsnrc_y90_spin_off_water_dpk.csv", "mm", v));
    const radii ref = {v[0], v[1], v[2], v[3]};
    radii m = run_kernel(0, 0, 0); /* the defaults: delta threshold 10 keV, EGSnrc's AE */
    CU_ASSERT(within("spin off, defaults (delta 10 keV): R50", m.r50, m.se50, ref.r50, ref.se50));
    CU_ASSERT(within("spin off, defaults (delta 10 keV): R90", m.r90, m.se90, ref.r90, ref.se90));
    m = run_kernel(0, 0, 0.25); /* the clinical configs' step, EGSnrc's ESTEPE of the reference */
    CU_ASSERT(within("spin off, steps of 25 % loss:      R50", m.r50, m.se50, ref.r50, ref.se50));
    CU_ASSERT(within("spin off, steps of 25 % loss:      R90", m.r90, m.se90, ref.r90, ref.se90));
    m = run_kernel(0, 100, 0); /* the default before 2026-12-01: printed */
    within("spin off, delta 100 keV:           R50", m.r50, m.se50, ref.r50, ref.se50);
    if (!within("spin off, delta 100 keV:           R90", m.r90, m.se90, ref.r90, ref.se90))
        printf(" <- not within 0.5 %% (why the default is now 10 keV)");
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("egsnrc y90 dpk", NULL, NULL);
    CU_add_test(s, "90Y DPK in water, R50 and R90, spin off, vs EGSnrc", test_y90_dpk_spin_off);
}
