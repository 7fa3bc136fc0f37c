/* y90mc: materials (elemental composition) and electron stopping powers computed from them.
 *
 * Collision stopping power: Bethe formula for electrons as in ICRU Report 37 (1984), with the
 * Sternheimer density-effect correction (Sternheimer & Peierls 1971 general parameters, or the
 * Sternheimer, Berger & Seltzer 1984 tabulated parameters where a material has them).
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
typedef struct {
    double z_over_a;                /* <Z/A>, mol/g */
    double electrons_per_g;         /* electrons per gram */
    double I_MeV;                   /* mean excitation energy used, MeV */
    double zz1_over_a;              /* sum w Z(Z+1)/A, mol/g (bremsstrahlung and elastic scaling) */
    /* Sternheimer density-effect parameters */
    double Cbar, X0, X1, a, m, delta0;
} y90_material_consts;

y90_status y90_material_consts_compute(const y90_material *m, y90_material_consts *c, y90_error *err);

/* Mass stopping powers for electrons of kinetic energy T (MeV), 1 keV <= T <= 20 MeV, in MeV cm2/g. */
double y90_scol(const y90_material_consts *c, double T);
double y90_srad(const y90_material_consts *c, double T);
double y90_density_effect(const y90_material_consts *c, double T); /* delta, dimensionless */
/* CSDA range (g/cm2) from integrating 1/(S_col+S_rad) from 1 keV to T, plus the range at 1 keV
 * approximated as 1 keV / S_tot(1 keV). */
double y90_csda_range(const y90_material_consts *c, double T);

/* Atomic weight (g/mol) and elemental symbol for Z = 1..100; NULL/0 outside. */
double y90_atomic_weight(int Z);
const char *y90_element_symbol(int Z);
int y90_element_from_symbol(const char *sym); /* 0 if unknown */
/* Mean excitation energy (eV) of element Z: as the pure element, and as a constituent of a condensed
 * compound for the Bragg additivity rule (ICRU Report 37); 0 outside 1..100. Added for sim/physics/materials.c. */
double y90_element_I_eV(int Z);
double y90_element_I_compound_eV(int Z);

#endif
