/* Built-in materials, checks of user materials, and the per-material constants of the stopping powers.
 *
 * Compositions are mass fractions. "NIST" below means the NIST material composition data used by
 * ESTAR (Berger, Coursey, Zucker & Chang, NIST Standard Reference Database 124; the same fractions are
 * listed in the NIST X-ray mass attenuation tables, physics.nist.gov/PhysRefData/XrayMassCoef/tab2.html,
 * and were read here from the copy in GitHub erlend-andersen/DXMClib NISTMaterials.hpp, soft tissue
 * also from the PDG "Atomic and nuclear properties" page of soft tissue (ICRP)).
 *
 * Density effect: Sternheimer's oscillator model as ESTAR computes it (Sternheimer, Berger & Seltzer,
 * Atomic Data Nucl Data Tables 30 (1984) 261), for every material the same way; see
 * density_effect_oscillators().
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
    /* The bone of the DOSXYZnrc voxel S values (Lanconelli et al. 2012: "Bone compact", 1.85 g/cm3). */
    {.name = "bone_compact", .density = 1.85, .I_eV = 91.9, .nelem = 8, .Z = {1, 6, 7, 8, 12, 15, 16, 20},
     .w = {0.063984, 0.278000, 0.027000, 0.410016, 0.002000, 0.070000, 0.002000, 0.147000},
     .source = "NIST ESTAR 'BONE, COMPACT (ICRU)': composition, rho 1.85 g/cm3, I 91.9 eV"},
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

/* ---- density effect: Sternheimer's oscillator model (the ESTAR method) ---- */

/* Sternheimer, Berger & Seltzer, Atomic Data Nucl Data Tables 30 (1984) 261 ("SBS84"), eqs. 1-8, as ESTAR
 * computes delta (Berger et al., NIST SRD 124; ICRU Report 37 sect. 4). Every occupied subshell j of every
 * element is an oscillator of strength f_j = (electrons in j) / (electrons of the material) and energy E_j
 * (its binding energy, sim/physics/shells.c). With the plasma energy hw_p = 28.816 sqrt(rho <Z/A>) eV and
 * nu_j = E_j / hw_p, the adjustment factor r solves
 *   ln(I / hw_p) = sum_j f_j ln sqrt(r^2 nu_j^2 + (2/3) f_j)                                 (SBS84 eq. 8)
 * and the oscillators used are nu'_j^2 = r^2 nu_j^2 and l_j^2 = nu'_j^2 + (2/3) f_j. Conduction electrons
 * (only in a single-element conductor, as ESTAR does: the outermost shell of a metal; graphite gets one
 * conduction electron per atom) have nu'_c = 0 and l_c^2 = f_c. delta itself is found per energy in
 * sim/physics/stopping.c. The model uses the material's own density, so inflated lung (0.26 g/cm3) is
 * treated as such. */
#define Y90_PLASMA_EV 28.816 /* eV, hw_p = 28.816 sqrt(rho <Z/A>) (rho in g/cm3, <Z/A> in mol/g; ICRU 37) */

static double z_over_a_of(const y90_material *m)
{
    double za = 0, wsum = 0;
    for (int i = 0; i < m->nelem; i++) {
        za += m->w[i] * m->Z[i] / y90_atomic_weight(m->Z[i]);
        wsum += m->w[i];
    }
    return za / wsum;
}

/* Oscillators of the material: strengths f and squared reduced energies nu^2 (unadjusted), alpha (2/3 bound,
 * 1 conduction). Returns the count. Elements repeated in the composition simply add oscillators. */
static int build_oscillators(const y90_material *m, const y90_material_consts *c, double hwp, double *f,
                             double *nu2, double *alpha)
{
    int n = 0, single = single_element(m);
    double wsum = 0;
    for (int i = 0; i < m->nelem; i++) wsum += m->w[i];
    for (int i = 0; i < m->nelem; i++) {
        const signed char *occ;
        const double *be;
        int ns = y90_element_shells(m->Z[i], &occ, &be), Z = m->Z[i];
        double share = m->w[i] / wsum * Z / y90_atomic_weight(Z) / c->z_over_a / Z; /* per electron of atom */
        for (int j = 0; j < ns; j++) {
            int conduct = single && occ[j] < 0;
            double ne = occ[j] < 0 ? -occ[j] : occ[j];
            if (single && Z == 6 && j == ns - 1) { /* graphite: one 2p electron bound, one conducting */
                f[n] = share; nu2[n] = (be[j] / hwp) * (be[j] / hwp); alpha[n++] = 2.0 / 3.0;
                ne -= 1.0;
                conduct = 1;
            }
            f[n] = ne * share;
            nu2[n] = conduct ? 0.0 : (be[j] / hwp) * (be[j] / hwp);
            alpha[n++] = conduct ? 1.0 : 2.0 / 3.0;
        }
    }
    return n;
}

/* r^2 from SBS84 eq. 8 by Newton's method. F(s) = sum f ln(s nu^2 + alpha f) - 2 ln(I/hw_p) is increasing
 * and concave in s, so Newton started at s = 0 (where F < 0 for any real material: sum f ln(alpha f) < 0 and
 * I > hw_p) rises monotonically to the root without overshooting. */
static double adjustment_squared(int n, const double *f, const double *nu2, const double *alpha, double two_ln)
{
    double s = 0.0;
    for (int it = 0; it < 500; it++) {
        double F = -two_ln, dF = 0;
        for (int j = 0; j < n; j++) {
            double t = s * nu2[j] + alpha[j] * f[j];
            F += f[j] * log(t);
            dF += f[j] * nu2[j] / t;
        }
        if (F >= 0 || !(dF > 0)) break;
        double ds = -F / dF;
        s += ds;
        if (ds <= 1e-15 * s) break;
    }
    return s;
}

static void density_effect_oscillators(const y90_material *m, y90_material_consts *c)
{
    double hwp = Y90_PLASMA_EV * sqrt(m->density * c->z_over_a); /* eV */
    double alpha[Y90_MAX_OSCILLATORS];
    int n = build_oscillators(m, c, hwp, c->osc_f, c->osc_nu2, alpha);
    double two_ln = 2.0 * log(c->I_MeV * 1e6 / hwp);
    double s = adjustment_squared(n, c->osc_f, c->osc_nu2, alpha, two_ln);
    for (int j = 0; j < n; j++) {
        c->osc_nu2[j] *= s;
        c->osc_l2[j] = c->osc_nu2[j] + alpha[j] * c->osc_f[j];
    }
    c->nosc = n;
    c->Cbar = two_ln + 1.0;
    c->adjustment = sqrt(s);
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
    density_effect_oscillators(m, c);
    return Y90_OK;
}
