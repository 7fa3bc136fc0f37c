/* Built-in materials, checks of user materials, and the per-material constants of the stopping powers.
 *
 * Compositions are mass fractions. "NIST" below means the NIST material composition data used by
 * ESTAR (Berger, Coursey, Zucker & Chang, NIST Standard Reference Database 124; the same fractions are
 * listed in the NIST X-ray mass attenuation tables, physics.nist.gov/PhysRefData/XrayMassCoef/tab2.html,
 * and were read here from the copy in GitHub erlend-andersen/DXMClib NISTMaterials.hpp, soft tissue
 * also from the PDG "Atomic and nuclear properties" page of soft tissue (ICRP)).
 *
 * Density effect: Sternheimer, Berger & Seltzer, Atomic Data Nucl Data Tables 30 (1984) 261 ("SBS84")
 * parameters where the material has them, otherwise the general formulas of Sternheimer & Peierls,
 * Phys Rev B 3 (1971) 3681 ("SP71"); see density_effect_params() for the rule.
 */
#include <math.h>
#include <string.h>
#include "y90/materials.h"

#define Y90_FRACTION_TOL 1e-3 /* allowed |sum of mass fractions - 1| (header contract) */

static const y90_material BUILTINS[] = {
    {.name = "water", .density = 1.0, .I_eV = 75.0, .nelem = 2, .Z = {1, 8}, .w = {0.111894, 0.888106},
     .source = "NIST ESTAR 'WATER, LIQUID': composition, rho 1.0 g/cm3, I 75.0 eV (ICRU Report 37)"},
    /* NIST 'TISSUE, SOFT (ICRP)' (ESTAR rho 1.0, I 72.3 eV); nominal density 1.03 g/cm3 for the phantom. */
    {.name = "soft_tissue", .density = 1.03, .I_eV = 72.3, .nelem = 13,
     .Z = {1, 6, 7, 8, 11, 12, 15, 16, 17, 19, 20, 26, 30},
     .w = {0.104472, 0.232190, 0.024880, 0.630238, 0.001130, 0.000130, 0.001330, 0.001990, 0.001340,
           0.001990, 0.000230, 0.000050, 0.000030},
     .source = "NIST ESTAR 'TISSUE, SOFT (ICRP)' composition and I 72.3 eV; density 1.03 g/cm3 (phantom "
               "nominal; ESTAR tabulates 1.0)"},
    /* ICRU Report 46 (1992) adult liver; I by the ICRU-37 Bragg rule (74.8 eV). */
    {.name = "liver", .density = 1.06, .I_eV = 0.0, .nelem = 9, .Z = {1, 6, 7, 8, 11, 15, 16, 17, 19},
     .w = {0.102, 0.139, 0.030, 0.716, 0.002, 0.003, 0.003, 0.002, 0.003},
     .source = "ICRU Report 46 (1992) adult liver composition and density 1.06 g/cm3; I by Bragg additivity "
               "(ICRU Report 37 constituent values) = 74.8 eV"},
    /* NIST 'LUNG (ICRP)' (ESTAR rho 1.05 = lung tissue, I 75.3 eV); 0.26 g/cm3 = inflated lung (see source). */
    {.name = "lung", .density = 0.26, .I_eV = 75.3, .nelem = 13, .Z = {1, 6, 7, 8, 11, 12, 15, 16, 17, 19, 20, 26, 30},
     .w = {0.101278, 0.102310, 0.028650, 0.757072, 0.001840, 0.000730, 0.000800, 0.002250, 0.002660,
           0.001940, 0.000090, 0.000370, 0.000010},
     .source = "NIST ESTAR 'LUNG (ICRP)' composition and I 75.3 eV; density 0.26 g/cm3 for inflated lung (project "
               "choice, the ICRU Report 46 inflated-lung value, not re-checked; ESTAR's 1.05 is lung tissue). "
               "The density effect is computed for the density held"},
    {.name = "bone_cortical", .density = 1.85, .I_eV = 106.4, .nelem = 9, .Z = {1, 6, 7, 8, 12, 15, 16, 20, 30},
     .w = {0.047234, 0.144330, 0.041990, 0.446096, 0.002200, 0.104970, 0.003150, 0.209930, 0.000100},
     .source = "NIST ESTAR 'BONE, CORTICAL (ICRP)': composition, rho 1.85 g/cm3, I 106.4 eV"},
    /* 17 Y2O3 / 19 Al2O3 / 64 SiO2 mol % (Erbe & Day, J Biomed Mater Res 27 (1993) 1301). Per 100 mol:
     * 34 Y, 38 Al, 64 Si, 236 O; with the atomic weights of sim/physics/elements.c the masses are 3022.80 (Y),
     * 1025.30 (Al), 1797.44 (Si), 3775.76 (O) g, i.e. the fractions below (they match the header of
     * tests/reference/estar/computed_glass_*.csv: Y 0.3142 Al 0.1066 Si 0.1868 O 0.3924). */
    {.name = "glass", .density = 3.29, .I_eV = 0.0, .nelem = 4, .Z = {39, 13, 14, 8},
     .w = {0.314178, 0.106565, 0.186819, 0.392438},
     .source = "TheraSphere yttrium aluminosilicate glass 17 Y2O3/19 Al2O3/64 SiO2 mol% (Erbe & Day 1993), "
               "rho 3.29 g/cm3; I by Bragg additivity (ICRU Report 37) = 189.8 eV"},
    /* Approximation: SIR-Spheres are sulfonated styrene-divinylbenzene; modelled as polystyrene (C8H8). */
    {.name = "resin", .density = 1.6, .I_eV = 68.7, .nelem = 2, .Z = {1, 6}, .w = {0.077418, 0.922582},
     .source = "SIR-Spheres resin approximated by NIST ESTAR 'POLYSTYRENE' composition and I 68.7 eV; bead "
               "density 1.6 g/cm3 (tests/reference/microspheres.md)"},
    {.name = "air", .density = 1.20479e-3, .I_eV = 85.7, .nelem = 4, .Z = {6, 7, 8, 18},
     .w = {0.000124, 0.755268, 0.231781, 0.012827},
     .source = "NIST ESTAR 'AIR, DRY (NEAR SEA LEVEL)': composition, rho 1.20479e-3 g/cm3, I 85.7 eV"},
};

#define Y90_NBUILTIN ((int)(sizeof BUILTINS / sizeof BUILTINS[0]))

const y90_material *y90_material_builtin(const char *name)
{
    if (!name) return NULL;
    for (int i = 0; i < Y90_NBUILTIN; i++)
        if (strcmp(BUILTINS[i].name, name) == 0) return &BUILTINS[i];
    return NULL;
}

int y90_material_builtin_count(void) { return Y90_NBUILTIN; }

const y90_material *y90_material_builtin_at(int i)
{
    return (i >= 0 && i < Y90_NBUILTIN) ? &BUILTINS[i] : NULL;
}

/* ---- checks ---- */

static y90_status check_element(const y90_material *m, int i, y90_error *err)
{
    int Z = m->Z[i];
    if (Z < 1 || Z > 100 || !(y90_atomic_weight(Z) > 0))
        return Y90_FAIL(err, Y90_EINPUT, "material '%s': element %d has Z = %d: must be 1..100", m->name, i + 1, Z);
    if (!(m->w[i] > 0) || !isfinite(m->w[i]))
        return Y90_FAIL(err, Y90_EINPUT, "material '%s': mass fraction of %s = %g: must be > 0", m->name,
                        y90_element_symbol(Z), m->w[i]);
    return Y90_OK;
}

y90_status y90_material_check(const y90_material *m, y90_error *err)
{
    if (!m) return Y90_FAIL(err, Y90_EINTERNAL, "y90_material_check: no material given");
    if (m->nelem < 1 || m->nelem > Y90_MAX_ELEMENTS)
        return Y90_FAIL(err, Y90_EINPUT, "material '%s': %d elements: must be 1..%d", m->name, m->nelem,
                        Y90_MAX_ELEMENTS);
    double sum = 0;
    for (int i = 0; i < m->nelem; i++) {
        y90_status st = check_element(m, i, err);
        if (st) return st;
        sum += m->w[i];
    }
    if (fabs(sum - 1.0) > Y90_FRACTION_TOL)
        return Y90_FAIL(err, Y90_EINPUT, "material '%s': mass fractions sum to %.6g: must be 1 within %g", m->name,
                        sum, Y90_FRACTION_TOL);
    if (!(m->density > 0) || !isfinite(m->density))
        return Y90_FAIL(err, Y90_EINPUT, "material '%s': density = %g g/cm3: must be > 0", m->name, m->density);
    if (!(m->I_eV >= 0) || !isfinite(m->I_eV))
        return Y90_FAIL(err, Y90_EINPUT, "material '%s': mean excitation energy = %g eV: must be > 0 (or 0 for "
                        "the Bragg additivity rule)", m->name, m->I_eV);
    return Y90_OK;
}

/* ---- mean excitation energy ---- */

static int single_element(const y90_material *m)
{
    for (int i = 1; i < m->nelem; i++)
        if (m->Z[i] != m->Z[0]) return 0;
    return 1;
}

/* I in eV: the given value, the elemental value for a pure element, else Bragg additivity
 * ln I = sum w_i (Z/A)_i ln I_i / sum w_i (Z/A)_i with the ICRU-37 constituent values. */
static double mean_excitation_eV(const y90_material *m)
{
    if (m->I_eV > 0) return m->I_eV;
    if (single_element(m)) return y90_element_I_eV(m->Z[0]);
    double num = 0, den = 0;
    for (int i = 0; i < m->nelem; i++) {
        double za = m->w[i] * m->Z[i] / y90_atomic_weight(m->Z[i]);
        num += za * log(y90_element_I_compound_eV(m->Z[i]));
        den += za;
    }
    return exp(num / den);
}

/* ---- density-effect parameters ---- */

/* SBS84 parameters (as transcribed in Geant4 source/materials/src/G4DensityEffectData.cc, entries
 * G4_WATER, G4_TISSUE_SOFT_ICRP, G4_LUNG_ICRP, G4_BONE_CORTICAL_ICRP, G4_AIR, G4_POLYSTYRENE),
 * keyed by the name of the built-in material with that composition. rho: g/cm3 of the tabulation. */
typedef struct {
    const char *name;
    double rho, I_eV, Cbar, X0, X1, a, m;
} sbs84_entry;

static const sbs84_entry SBS84[] = {
    {"water", 1.0, 75.0, 3.5017, 0.2400, 2.8004, 0.09116, 3.4773},
    {"soft_tissue", 1.0, 72.3, 3.4354, 0.2211, 2.7799, 0.08926, 3.5110},
    {"lung", 1.05, 75.3, 3.4708, 0.2261, 2.8001, 0.08588, 3.5353},
    {"bone_cortical", 1.85, 106.4, 3.6488, 0.1161, 3.0919, 0.06198, 3.5919},
    {"air", 1.20479e-3, 85.7, 10.5961, 1.7418, 4.2759, 0.10914, 3.3994},
    {"resin", 1.06, 68.7, 3.2999, 0.1647, 2.5031, 0.16454, 3.2224}, /* POLYSTYRENE, rho 1.06 */
};

/* A tabulation is used at another density rho by the SBS84 rescaling (Cbar + r, X0 and X1 + r/(2 ln 10),
 * r = ln(rho_tab/rho): the plasma energy scales as sqrt(rho)) while |r| <= 1; further away the general SP71
 * formulas are used (the same empirical limit as Geant4 G4IonisParamMat). Why not SP71 as soon as the
 * density differs by 1 %: soft tissue at its nominal 1.03 g/cm3 would then be up to 1.1 % high in S_col at
 * 1-3 MeV against ESTAR, with the rescaled tabulation 0.5 %. Inflated lung (0.26 vs 1.05, r = 1.40) and any
 * material without a tabulation (liver, glass, user materials) get SP71. */
#define Y90_SBS84_MAX_LOG_RHO 1.0
#define Y90_COMPOSITION_TOL 1e-3 /* relative <Z/A> and I agreement for a material to count as the tabulated one */
#define Y90_TWO_LN10 4.605170185988091 /* 2 ln 10 */

static double z_over_a_of(const y90_material *m)
{
    double za = 0, wsum = 0;
    for (int i = 0; i < m->nelem; i++) {
        za += m->w[i] * m->Z[i] / y90_atomic_weight(m->Z[i]);
        wsum += m->w[i];
    }
    return za / wsum;
}

/* The SBS84 entry for m: same name, same composition (<Z/A>) and same I as the built-in material. */
static const sbs84_entry *sbs84_find(const y90_material *m, const y90_material_consts *c)
{
    const y90_material *b = y90_material_builtin(m->name);
    if (!b) return NULL;
    for (size_t i = 0; i < sizeof SBS84 / sizeof SBS84[0]; i++) {
        const sbs84_entry *e = &SBS84[i];
        if (strcmp(e->name, m->name) != 0) continue;
        double zb = z_over_a_of(b);
        int same = fabs(c->z_over_a - zb) <= Y90_COMPOSITION_TOL * zb &&
                   fabs(c->I_MeV * 1e6 - e->I_eV) <= Y90_COMPOSITION_TOL * e->I_eV;
        return same ? e : NULL;
    }
    return NULL;
}

static int sbs84_apply(const sbs84_entry *e, double rho, y90_material_consts *c)
{
    double r = log(e->rho / rho);
    if (fabs(r) > Y90_SBS84_MAX_LOG_RHO) return 0;
    c->Cbar = e->Cbar + r;
    c->X0 = e->X0 + r / Y90_TWO_LN10;
    c->X1 = e->X1 + r / Y90_TWO_LN10;
    c->a = e->a;
    c->m = e->m;
    c->delta0 = 0.0; /* all tabulated materials here are insulators */
    return 1;
}

/* SP71 X0 for gases (rho < 0.01 g/cm3) from Cbar; sets *X1. */
static double sp71_gas_x0(double C, double *X1)
{
    *X1 = 4.0;
    if (C < 10.0) return 1.6;
    if (C < 10.5) return 1.7;
    if (C < 11.0) return 1.8;
    if (C < 11.5) return 1.9;
    if (C < 12.25) return 2.0;
    *X1 = 5.0;
    if (C < 13.804) return 2.0;
    return 0.326 * C - 2.5;
}

/* SP71 X0 for condensed materials from Cbar and I (eV); sets *X1. */
static double sp71_condensed_x0(double C, double I_eV, double *X1)
{
    if (I_eV < 100.0) {
        *X1 = 2.0;
        return C < 3.681 ? 0.2 : 0.326 * C - 1.0;
    }
    *X1 = 3.0;
    return C < 5.215 ? 0.2 : 0.326 * C - 1.5;
}

/* SP71 general parameters from I, <Z/A> and the density: plasma energy hw_p = 28.816 sqrt(rho <Z/A>) eV,
 * Cbar = 2 ln(I/hw_p) + 1, m = 3, a from continuity of delta at X0. */
static void sp71_apply(double I_eV, double rho, y90_material_consts *c)
{
    double hwp = 28.816 * sqrt(rho * c->z_over_a); /* eV */
    double C = 2.0 * log(I_eV / hwp) + 1.0;
    double X1;
    double X0 = rho < 0.01 ? sp71_gas_x0(C, &X1) : sp71_condensed_x0(C, I_eV, &X1);
    c->Cbar = C;
    c->X0 = X0;
    c->X1 = X1;
    c->m = 3.0;
    c->a = (C - Y90_TWO_LN10 * X0) / pow(X1 - X0, c->m);
    c->delta0 = 0.0;
}

static void density_effect_params(const y90_material *m, y90_material_consts *c)
{
    const sbs84_entry *e = sbs84_find(m, c);
    if (e && sbs84_apply(e, m->density, c)) return;
    sp71_apply(c->I_MeV * 1e6, m->density, c);
}

y90_status y90_material_consts_compute(const y90_material *m, y90_material_consts *c, y90_error *err)
{
    y90_status st = y90_material_check(m, err);
    if (st) return st;
    if (!c) return Y90_FAIL(err, Y90_EINTERNAL, "material '%s': no constants record given", m->name);
    memset(c, 0, sizeof *c);
    double wsum = 0, zz1 = 0;
    for (int i = 0; i < m->nelem; i++) {
        double Z = m->Z[i], A = y90_atomic_weight(m->Z[i]);
        zz1 += m->w[i] * Z * (Z + 1.0) / A;
        wsum += m->w[i];
    }
    c->z_over_a = z_over_a_of(m);           /* mol/g, fractions renormalised to sum 1 */
    c->zz1_over_a = zz1 / wsum;             /* mol/g */
    c->electrons_per_g = Y90_AVOGADRO * c->z_over_a;
    c->I_MeV = mean_excitation_eV(m) * 1e-6;
    density_effect_params(m, c);
    return Y90_OK;
}
