/* The electron interaction tables of sim/physics/physics.c against independent numerical integrations of the
 * cross sections they come from. */
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdio.h>
#include "testutil.h"
#include "y90/config.h"
#include "y90/grid.h"
#include "y90/materials.h"
#include "y90/physics.h"

/* Constants written out here (CODATA 2018), not taken from the library. */
#define T_RE_CM 2.8179403262e-13 /* classical electron radius */
#define T_MC2 0.51099895000      /* MeV */
#define T_NA 6.02214076e23       /* 1/mol */

static y90_physics *water_tables_spin(double tc_kev, int spin)
{
    y90_config c;
    y90_config_defaults(&c);
    c.transport.delta_threshold_kev = tc_kev;
    c.transport.spin = spin;
    y90_grid g = {.nmaterials = 1};
    snprintf(g.material_names[0], sizeof g.material_names[0], "water");
    y90_physics *p = NULL;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_physics_build(&c, &g, NULL, &p, &e), Y90_OK);
    return p;
}

static y90_physics *water_tables(double tc_kev) { return water_tables_spin(tc_kev, 1); }

static double integrate(gsl_function *f, double lo, double hi)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(500);
    double r = 0, err = 0;
    gsl_integration_qags(f, lo, hi, 0, 1e-10, 500, w, &r, &err);
    gsl_integration_workspace_free(w);
    return r;
}

/* Moller differential cross section per electron in the energy transfer W (cm2/MeV), electron kinetic energy E,
 * in the form of ICRU Report 37 eq. 2.7 (Rossi 1952): identical electrons, spin 1/2. */
typedef struct {
    double E;
} moller_arg;

static double moller_w2(double W, void *vp)
{
    const moller_arg *a = vp;
    double E = a->E, tau = E / T_MC2, g = 1.0 + tau, b2 = 1.0 - 1.0 / (g * g), eps = W / E;
    double bracket = 1.0 / (eps * eps) + 1.0 / ((1.0 - eps) * (1.0 - eps)) + (tau / g) * (tau / g) -
                     (2.0 * tau + 1.0) / (g * g) / (eps * (1.0 - eps));
    double dsdw = 2.0 * M_PI * T_RE_CM * T_RE_CM * T_MC2 / (b2 * E) * bracket / E;
    return W * W * dsdw;
}

/* Straggling variance per unit mass path (MeV^2 cm2/g) of water: electrons per gram times the second moment of
 * the Moller cross section over W in (0, min(Tc, E/2)), integrated numerically (GSL QAGS). */
static double water_variance_numeric(double E, double tc)
{
    double ne = T_NA * 10.0 / 18.0153; /* H2O: 10 electrons per 18.0153 g/mol (atomic weights 1.008, 15.999) */
    moller_arg a = {E};
    gsl_function f = {moller_w2, &a};
    return ne * integrate(&f, 0.0, fmin(tc, 0.5 * E));
}

/* The tabulated soft-loss variance at the grid energies nearest 0.5 and 1.4 MeV (delta threshold 100 keV, the
 * default, and 20 keV) equals the numerical second moment of the Moller cross section to 1e-4 (the only
 * difference: water's <Z/A> from the built-in mass fractions, 0.55509, vs 10/18.0153 = 0.55508). It is 1.5x and
 * 1.85x the heavy-particle Bohr value 2 pi re^2 mc2 n_e Tc (1 - beta^2/2) / beta^2 used before. */
static void test_straggling_variance(void)
{
    static const double tcs[] = {100.0, 20.0};
    static const double Es[] = {0.5, 1.4};
    static const double bohr_ratio[] = {1.5, 1.85};
    for (int k = 0; k < 2; k++) {
        y90_physics *p = water_tables(tcs[k]);
        for (int j = 0; j < 2; j++) {
            int i = (int)lround(log(Es[j] / Y90_PHYS_EMIN) / p->dlnE);
            double E = p->egrid[i], tab = p->mat[0].strag[i], num = water_variance_numeric(E, tcs[k] * 1e-3);
            double g = 1.0 + E / T_MC2, b2 = 1.0 - 1.0 / (g * g);
            double bohr = 2.0 * M_PI * T_RE_CM * T_RE_CM * T_MC2 * T_NA * 10.0 / 18.0153 * tcs[k] * 1e-3 *
                          (1.0 - 0.5 * b2) / b2;
            printf("\n  Tc %3.0f keV, E %.4f MeV: variance %.5e (numerical %.5e, %+.1e), %.3f x Bohr", tcs[k], E, tab,
                   num, tab / num - 1, tab / bohr);
            CU_ASSERT(y90t_rel(tab, num) < 1e-4);
            if (k == 0) CU_ASSERT(fabs(tab / bohr - bohr_ratio[j]) < 0.05);
        }
        y90_physics_free(p);
    }
}

/* Photoelectric cross sections (EPDL97, sim/physics/photo.c) against NIST XCOM for H, O and Y from 10 keV to
 * 2 MeV, across yttrium's K edge (17.04 keV), within 2 % (EPDL97 and XCOM are both Scofield's 1973 values;
 * the thinned table adds at most 1 %); and water's tabulated photoelectric attenuation at the grid energy
 * nearest 30 keV against XCOM's H and O (log-log between 30 and 50 keV) by mass fractions, within 2 %. */
static void test_photoelectric(void)
{
    FILE *f = fopen(y90t_ref("xcom_photoelectric.csv"), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[256];
    int n = 0;
    double worst = 0, xH[2] = {0}, xO[2] = {0};
    while (fgets(line, sizeof line, f)) {
        int Z;
        double E, s;
        if (line[0] == '#' || sscanf(line, "%d,%lf,%lf", &Z, &E, &s) != 3) continue;
        double mine = y90_photo_xs_barn(Z, E);
        worst = fmax(worst, y90t_rel(mine, s));
        if (y90t_rel(mine, s) > 0.02) printf("\n  Z %d at %g MeV: %.4g barn (XCOM %.4g)", Z, E, mine, s);
        for (int k = 0; k < 2; k++) {
            if (fabs(E - (k ? 0.05 : 0.03)) > 1e-9) continue;
            if (Z == 1) xH[k] = s;
            if (Z == 8) xO[k] = s;
        }
        n++;
    }
    fclose(f);
    printf("\n  photoelectric vs XCOM: %d points, worst %.2f %%", n, 100 * worst);
    CU_ASSERT_EQUAL(n, 26);
    CU_ASSERT(worst < 0.02);
    CU_ASSERT(y90_photo_xs_barn(39, 0.0172) > 5.0 * y90_photo_xs_barn(39, 0.0168)); /* the K edge (17.0 keV) */
    y90_physics *p = water_tables(100.0);
    int i = (int)lround(log(0.03 / Y90_PHYS_EMIN) / p->dlnE);
    double E = p->egrid[i], t = log(E / 0.03) / log(0.05 / 0.03);
    double sH = xH[0] * pow(xH[1] / xH[0], t), sO = xO[0] * pow(xO[1] / xO[0], t);
    double ref = T_NA * 1e-24 * (0.111894 * sH / 1.008 + 0.888106 * sO / 15.999);
    printf("\n  water photoelectric at %.4f MeV: %.5f cm2/g (XCOM %.5f)", E, p->mat[0].mu_photo[i], ref);
    CU_ASSERT(y90t_rel(p->mat[0].mu_photo[i], ref) < 0.02);
    y90_physics_free(p);
}

/* Spin: the ratio of water's first and second transport cross sections with and without transport.spin (the code's
 * Mott ratio: the Lijian et al. fit with Boschini et al.'s coefficients, sim/physics/mott.c) equals within 0.3 % the
 * ratio of the numerical transport cross sections of water_tr_numeric below with and without the independent
 * McKinley-Feshbach Mott factor (accurate to order (alpha Z)^2 for H and O) (Phys Rev 74 (1948) 1759)
 * R = 1 - beta^2 s^2 + pi alpha Z beta s (1 - s), s = sin(theta/2); Moliere's screening
 * A = (hbar c / (2 p c a_TF))^2 (1.13 + 3.76 (alpha Z / beta)^2), a_TF = 0.88534 a0 Z^-1/3. */
typedef struct {
    double A, beta;
    int Z, spin, order;
} mott_arg;

/* (1 - P_l(c)) R / (1 - c + 2A)^2: the screened Rutherford DCS per unit solid angle is
 * (re mc2 / (p c beta))^2 Z(Z+1) / (1 - c + 2A)^2 (Wentzel; mu + A = (1 - c + 2A)/2). */
static double tr_integrand(double c, void *vp)
{
    const mott_arg *a = vp;
    double one = 1.0 - c, d = one + 2.0 * a->A, s = sqrt(0.5 * one);
    double R = a->spin ? 1.0 - a->beta * a->beta * s * s + M_PI * a->Z * a->beta / 137.035999084 * s * (1.0 - s) : 1.0;
    double w = a->order == 2 ? 1.5 * one * (1.0 + c) : one; /* 1 - P_2 = 3 (1 - c^2) / 2 */
    return w * R / (d * d);
}

static mott_arg moliere(int Z, double E, int order)
{
    double pc = sqrt(E * (E + 2.0 * T_MC2)), gam = 1.0 + E / T_MC2, beta = sqrt(1.0 - 1.0 / (gam * gam));
    double aTF = 0.88534 * 5.29177210903e-9 * pow(Z, -1.0 / 3.0), x = 1.973269804e-11 / (2.0 * pc * aTF);
    double az = Z / 137.035999084;
    mott_arg a = {x * x * (1.13 + 3.76 * az * az / (beta * beta)), beta, Z, 0, order};
    return a;
}

/* (1 - P_l(cos theta_p)) dsigma/dW of a Moller collision transferring W, theta_p the primary's deflection from the
 * free-electron kinematics cos theta_p = sqrt((E - W)(E + 2 mc2) / (E (E - W + 2 mc2))). */
typedef struct {
    double E;
    int order;
} moller_tr_arg;

static double moller_tr_integrand(double W, void *vp)
{
    const moller_tr_arg *a = vp;
    moller_arg m = {a->E};
    double E = a->E, Ep = E - W, cp = sqrt(Ep * (E + 2.0 * T_MC2) / (E * (Ep + 2.0 * T_MC2)));
    return moller_w2(W, &m) / (W * W) * (a->order == 2 ? 1.5 * (1.0 - cp * cp) : 1.0 - cp);
}

/* Transport cross section of order l of water, cm2/g, integrated numerically (GSL): the screened Rutherford DCS with
 * Z(Z+1) (times the McKinley-Feshbach factor when spin), 2 pi N_A sum_i w_i / A_i (re mc2 / (p c beta))^2 Z(Z+1)
 * int (1 - P_l) R / (1 - c + 2A)^2 dc (mass fractions H 0.111894, O 0.888106; atomic weights 1.008, 15.999), less
 * the part that the hard Moller collisions above tc deflect explicitly, n_e int_tc^{E/2} (1 - P_l(cos theta_p))
 * dsigma/dW dW (EGSnrc's xi(T, Tc) correction, NRCC PIRS-701; Kawrakow, Med Phys 24 (1997) 505). */
static double water_tr_numeric(double E, double tc, int spin, int order)
{
    static const int Zs[] = {1, 8};
    static const double wf[] = {0.111894, 0.888106}, aw[] = {1.008, 15.999};
    double pc2 = E * (E + 2.0 * T_MC2), pcb = pc2 / (E + T_MC2), k = T_RE_CM * T_MC2 / pcb, tr = 0, el = 0;
    for (int z = 0; z < 2; z++) {
        mott_arg a = moliere(Zs[z], E, order);
        a.spin = spin;
        gsl_function f = {tr_integrand, &a};
        double t = 2.0 * M_PI * T_NA * wf[z] / aw[z] * k * k * Zs[z] * (Zs[z] + 1.0) * integrate(&f, -1.0, 1.0);
        tr += t;
        el += t / (Zs[z] + 1.0);
    }
    if (spin && E > 2.0 * tc) { /* subtracted with spin on only, as EGSnrc */
        moller_tr_arg m = {E, order};
        gsl_function f = {moller_tr_integrand, &m};
        tr -= fmin(T_NA * 10.0 / 18.0153 * integrate(&f, tc, 0.5 * E), el);
    }
    return tr;
}

static void test_spin_transport(void)
{
    y90_config c;
    y90_config_defaults(&c);
    y90_grid g = {.nmaterials = 1};
    snprintf(g.material_names[0], sizeof g.material_names[0], "water");
    y90_physics *on = NULL, *off = NULL;
    c.transport.spin = 1;
    CU_ASSERT_EQUAL_FATAL(y90_physics_build(&c, &g, NULL, &on, NULL), Y90_OK);
    c.transport.spin = 0;
    CU_ASSERT_EQUAL_FATAL(y90_physics_build(&c, &g, NULL, &off, NULL), Y90_OK);
    static const double Es[] = {0.05, 0.5, 1.4};
    for (int j = 0; j < 3; j++)
        for (int order = 1; order <= 2; order++) {
            int i = (int)lround(log(Es[j] / Y90_PHYS_EMIN) / on->dlnE);
            double E = on->egrid[i], tc = c.transport.delta_threshold_kev * 1e-3;
            double ratio = order == 1 ? on->mat[0].tr1[i] / off->mat[0].tr1[i] : on->mat[0].tr2[i] / off->mat[0].tr2[i];
            double num = water_tr_numeric(E, tc, 1, order) / water_tr_numeric(E, tc, 0, order);
            printf("\n  water, %.4f MeV: spin factor of lambda_%d^-1 %.5f (numerical %.5f)", E, order, ratio, num);
            CU_ASSERT(fabs(ratio - num) < 3e-3);
            CU_ASSERT(ratio < 1.0); /* for low Z the Mott cross section is below Rutherford's at large angles */
        }
    y90_physics_free(on);
    y90_physics_free(off);
}

/* The first and second transport cross sections of water (spin off) per gram against water_tr_numeric above, within
 * 1e-4, from 10 keV to 2.3 MeV, with delta thresholds of 10 keV (the default) and 100 keV; and lambda_1 / lambda_2 =
 * tr2 / tr1 between 2 and 3 (3 in the limit of small screening). Before, tr2 did not exist and the multiple
 * scattering had no second moment. With spin on the hard Moller collisions' deflections are subtracted from the
 * electrons' Z of Z(Z+1) (they were counted twice; at 1 MeV and Tc = 10 keV 5.5 % of tr1, which moved the 1 MeV
 * point kernel's x50 by +1 %, tests/test_egsnrc_dpk.c); with spin off not, as in EGSnrc: test_spin_transport
 * checks the spin-on/off ratio, subtraction included, against the numerical one. The "hard Moller part" printed
 * is what the subtraction would be. */
static void test_tr2(void)
{
    static const double Es[] = {0.01, 0.1, 0.5, 1.0, 2.28}, tcs[] = {10.0, 100.0};
    double worst = 0;
    for (int t = 0; t < 2; t++) {
        y90_physics *p = water_tables_spin(tcs[t], 0);
        for (int j = 0; j < 5; j++) {
            int i = (int)lround(log(Es[j] / Y90_PHYS_EMIN) / p->dlnE);
            double E = p->egrid[i], tc = tcs[t] * 1e-3;
            double r1 = water_tr_numeric(E, tc, 0, 1), r2 = water_tr_numeric(E, tc, 0, 2);
            double rel1 = y90t_rel(p->mat[0].tr1[i], r1), rel = y90t_rel(p->mat[0].tr2[i], r2);
            double q = p->mat[0].tr2[i] / p->mat[0].tr1[i];
            double sub = E > 2.0 * tc ? water_tr_numeric(E, tc, 1, 1) / water_tr_numeric(E, 0.5 * E, 1, 1) : 1.0;
            worst = fmax(worst, fmax(rel, rel1));
            printf("\n  water, Tc %g keV, %.4f MeV: tr1 %.5g cm2/g (numerical %.5g; hard Moller part %.2f %%), tr2 %.5g "
                   "(numerical %.5g), tr2/tr1 %.3f",
                   tcs[t], E, p->mat[0].tr1[i], r1, 100 * (1 - sub), p->mat[0].tr2[i], r2, q);
            CU_ASSERT(rel1 < 1e-4);
            CU_ASSERT(rel < 1e-4);
            CU_ASSERT(q > 2.0 && q < 3.0);
        }
        y90_physics_free(p);
    }
    printf("\n  tr1, tr2 worst %.2g", worst);
}

/* The tabulated Mott-to-Rutherford ratio against the McKinley-Feshbach expansion where that is accurate (H, O:
 * first order in alpha Z = 0.007, 0.058), beta 0.2-0.98 (10 keV - 2 MeV), all angles; R -> 1 at theta -> 0 for
 * every tabulated element; at 180 degrees R falls with beta for H (1 - beta^2). */
static void test_mott_ratio(void)
{
    static const int Zs[] = {1, 8};
    static const double tol[] = {0.002, 0.01};
    for (int k = 0; k < 2; k++) {
        double worst = 0;
        for (double beta = 0.2; beta < 0.985; beta += 0.02)
            for (double mu = 0.0; mu <= 1.0 + 1e-12; mu += 0.01) {
                double d = fabs(y90_mott_ratio(Zs[k], beta, mu) - y90_mott_ratio_mf(Zs[k], beta, mu));
                worst = fmax(worst, d);
            }
        printf("\n  Mott ratio Z %d: tabulated fit vs McKinley-Feshbach, worst |diff| %.4f", Zs[k], worst);
        CU_ASSERT(y90_mott_tabulated(Zs[k]));
        CU_ASSERT(worst < tol[k]);
    }
    static const int all[] = {1, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 26, 30, 39};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        CU_ASSERT(y90_mott_tabulated(all[k]));
        CU_ASSERT(fabs(y90_mott_ratio(all[k], 0.9, 0.0) - 1.0) < 1e-3);
    }
    CU_ASSERT(!y90_mott_tabulated(29));
    CU_ASSERT_DOUBLE_EQUAL(y90_mott_ratio(29, 0.9, 0.25), y90_mott_ratio_mf(29, 0.9, 0.25), 1e-15);
    printf("\n  Mott ratio at 180 deg, beta 0.94 (1.4 MeV): H %.3f O %.3f Ca %.3f Y %.3f (McKinley-Feshbach Y %.3f)",
           y90_mott_ratio(1, 0.94, 1), y90_mott_ratio(8, 0.94, 1), y90_mott_ratio(20, 0.94, 1),
           y90_mott_ratio(39, 0.94, 1), y90_mott_ratio_mf(39, 0.94, 1));
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("physics", NULL, NULL);
    CU_add_test(s, "Mott-to-Rutherford ratio", test_mott_ratio);
    CU_add_test(s, "straggling variance vs Moller second moment", test_straggling_variance);
    CU_add_test(s, "photoelectric cross sections vs XCOM", test_photoelectric);
    CU_add_test(s, "spin correction of the transport cross sections", test_spin_transport);
    CU_add_test(s, "first and second transport cross sections vs numerical integrals", test_tr2);
}
