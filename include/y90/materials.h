/* y90mc: materials (elemental composition) and electron stopping powers computed from them.
 *
 * Collision stopping power: Bethe formula for electrons as in ICRU Report 37 (1984), with the
 * Sternheimer density-effect correction computed from the oscillator model as ESTAR does (Sternheimer,
 * Berger & Seltzer 1984), for the material's own composition, I and density.
 * Radiative stopping power: see sim/physics/stopping.c for the model and its validation against ESTAR.
 */
#ifndef Y90_MATERIALS_H
#define Y90_MATERIALS_H

#include "y90/common.h"
#include "y90/config.h"

typedef struct {
    char name[Y90_NAME_LEN];
    double density;                 /* g/cm3, nominal */
    double I_eV;                    /* eV, mean excitation energy (0 = Bragg additivity of elemental values) */
    int nelem;
    int Z[Y90_MAX_ELEMENTS];
    double w[Y90_MAX_ELEMENTS];     /* mass fractions, sum to 1 */
    const char *source;             /* citation of composition, density and I */
} y90_material;

/* Built-in materials: water, soft_tissue, liver, lung, bone_cortical, glass (TheraSphere YAS),
 * resin (SIR-Spheres), air. Returns NULL for an unknown name. */
const y90_material *y90_material_builtin(const char *name);
int y90_material_builtin_count(void);
const y90_material *y90_material_builtin_at(int i);

/* Check a (user) material: Z in 1..100, fractions positive and summing to 1 within 1e-3,
 * density > 0; the message names the material. */
y90_status y90_material_check(const y90_material *m, y90_error *err);

/* Derived per-material constants the stopping-power formulas need. */
#define Y90_MAX_SHELLS 27             /* subshells of one element in sim/physics/shells.c (26) + graphite's split */
#define Y90_MAX_OSCILLATORS (Y90_MAX_ELEMENTS * Y90_MAX_SHELLS)

typedef struct {
    double z_over_a;                /* <Z/A>, mol/g */
    double electrons_per_g;         /* electrons per gram */
    double I_MeV;                   /* mean excitation energy used, MeV */
    double zz1_over_a;              /* sum w Z(Z+1)/A, mol/g (bremsstrahlung and elastic scaling) */
    /* Sternheimer density effect (oscillator model, sim/physics/materials.c) */
    double Cbar;                    /* 2 ln(I/hw_p) + 1 */
    double adjustment;              /* Sternheimer's adjustment factor r of the binding energies */
    int nosc;                       /* oscillators: one per occupied subshell of each element */
    double osc_f[Y90_MAX_OSCILLATORS];   /* oscillator strengths, sum 1 */
    double osc_nu2[Y90_MAX_OSCILLATORS]; /* (r E_j / hw_p)^2 */
    double osc_l2[Y90_MAX_OSCILLATORS];  /* osc_nu2 + (2/3) f_j (bound) or f_j (conduction) */
} y90_material_consts;

y90_status y90_material_consts_compute(const y90_material *m, y90_material_consts *c, y90_error *err);

/* Mass stopping powers for electrons of kinetic energy T (MeV), 1 keV <= T <= 20 MeV, in MeV cm2/g. */
double y90_scol(const y90_material_consts *c, double T);
double y90_srad(const y90_material_consts *c, double T);
double y90_density_effect(const y90_material_consts *c, double T); /* delta, dimensionless */
/* CSDA range (g/cm2) from integrating 1/(S_col+S_rad) from 1 keV to T, plus the range at 1 keV
 * approximated as 1 keV / (2 S_tot(1 keV)) (stopping power proportional to 1/T below 1 keV). */
double y90_csda_range(const y90_material_consts *c, double T);

/* Atomic weight (g/mol) and elemental symbol for Z = 1..100; NULL/0 outside. */
double y90_atomic_weight(int Z);
const char *y90_element_symbol(int Z);
int y90_element_from_symbol(const char *sym); /* 0 if unknown */
/* Mean excitation energy (eV) of element Z: as the pure element, and as a constituent of a condensed
 * compound for the Bragg additivity rule (ICRU Report 37); 0 outside 1..100. Added for sim/physics/materials.c. */
double y90_element_I_eV(int Z);
double y90_element_I_compound_eV(int Z);
/* Subshells of element Z (innermost first) as ESTAR uses them for the density effect: occupation numbers
 * (negative: conduction electrons in the pure element) and binding energies, eV. Returns the count (0 outside
 * 1..100). sim/physics/shells.c. */
int y90_element_shells(int Z, const signed char **occupation, const double **binding_eV);
/* Photoelectric cross section of element Z at photon energy k (MeV), barn per atom (EPDL97, log-log
 * interpolation; sim/physics/photo.c). 0 outside Z = 1..100. */
double y90_photo_xs_barn(int Z, double k);

/* Mott-to-Rutherford ratio of elastic scattering of an electron of speed beta (v/c) on element Z at
 * mu = sin^2(theta/2) (sim/physics/mott.c): the Lijian et al. (1995) fit with Boschini et al.'s coefficients for
 * the elements of the built-in materials (y90_mott_tabulated), the McKinley-Feshbach expansion otherwise
 * (y90_mott_ratio_mf, valid for low Z). */
double y90_mott_ratio(int Z, double beta, double mu);
double y90_mott_ratio_mf(int Z, double beta, double mu);
int y90_mott_tabulated(int Z);

#endif
