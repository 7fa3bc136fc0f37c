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

static y90_physics *water_tables(double tc_kev)
{
    y90_config c;
    y90_config_defaults(&c);
    c.transport.delta_threshold_kev = tc_kev;
    y90_grid g = {.nmaterials = 1};
    snprintf(g.material_names[0], sizeof g.material_names[0], "water");
    y90_physics *p = NULL;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_physics_build(&c, &g, NULL, &p, &e), Y90_OK);
    return p;
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
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    double r = 0, err = 0;
    gsl_integration_qags(&f, 0.0, fmin(tc, 0.5 * E), 0, 1e-10, 200, w, &r, &err);
    gsl_integration_workspace_free(w);
    return ne * r;
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

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("physics", NULL, NULL);
    CU_add_test(s, "straggling variance vs Moller second moment", test_straggling_variance);
    CU_add_test(s, "photoelectric cross sections vs XCOM", test_photoelectric);
}
