/* y90mc: electron and photon interaction tables for the Monte Carlo kernel, built once per run from the
 * materials the grid and the spheres use (sim/physics/physics.c). All tables are in mass units on a log-energy grid;
 * the kernel multiplies by the voxel density. */
#ifndef Y90_PHYSICS_H
#define Y90_PHYSICS_H

#include "y90/config.h"
#include "y90/grid.h"
#include "y90/source.h"
#include <math.h>
#include "y90/spectrum.h"

#define Y90_PHYS_NE 512            /* energy grid points */
#define Y90_PHYS_EMIN 1e-3         /* MeV */
#define Y90_PHYS_EMAX 4.0          /* MeV */

/* Tables of one material, index [Y90_PHYS_NE] on the grid E_i = EMIN * exp(i * dlnE). */
typedef struct {
    char name[Y90_NAME_LEN];
    double density;                /* g/cm3, nominal */
    double L[Y90_PHYS_NE];         /* MeV cm2/g, restricted stopping power (soft collisions + soft brems) */
    double range[Y90_PHYS_NE];     /* g/cm2, integral of 1/L from EMIN (plus EMIN/(2 L(EMIN))) */
    double sig_moller[Y90_PHYS_NE];/* cm2/g, Moller collisions transferring more than the delta threshold */
    double sig_brems[Y90_PHYS_NE]; /* cm2/g, bremsstrahlung photons above the brems threshold */
    double strag[Y90_PHYS_NE];     /* MeV^2 cm2/g, variance of the soft energy loss per unit mass path */
    double tr1[Y90_PHYS_NE];       /* cm2/g, first transport cross section of elastic scattering */
    double tr2[Y90_PHYS_NE];       /* cm2/g, second transport cross section of elastic scattering */
    double g1[Y90_PHYS_NE];        /* int tr1 dR over the range table (dimensionless, from 0 at EMIN): a CSDA path
                                    * from E to E' holds g1(E) - g1(E') first transport mean free paths */
    double g2[Y90_PHYS_NE];        /* the same for tr2 */
    double mu_compton[Y90_PHYS_NE];/* cm2/g, Klein-Nishina Compton attenuation (photons) */
    double mu_photo[Y90_PHYS_NE];  /* cm2/g, photoelectric absorption (EPDL97 elemental, additive) */
    double electrons_per_g;        /* 1/g */
} y90_phys_material;

typedef struct y90_physics {
    int nmat;                      /* grid materials first (same indices as the grid), then the sphere's */
    y90_phys_material *mat;
    int sphere_material;           /* index of the microsphere material, -1 if none */
    double dlnE;                   /* grid step in ln E */
    double egrid[Y90_PHYS_NE];     /* MeV, the grid energies */
    double cutoff;                 /* MeV, electron transport cutoff (kinetic) */
    double photon_cutoff;          /* MeV */
    double tc;                     /* MeV, delta-ray threshold */
    double kc;                     /* MeV, bremsstrahlung threshold */
    double max_eloss;              /* maximum fractional energy loss per step */
    int straggling, secondaries, msc, spin;
    int range_rejection;           /* transport.range_rejection */
    int step_alg;                  /* transport.step_algorithm (y90_step_algorithm) */
    double ximax;                  /* transport.ximax: largest K1 of a PRESTA-II step */
    y90_spectrum spectrum;
} y90_physics;

y90_status y90_physics_build(const y90_config *c, const y90_grid *g, const y90_sources *s, y90_physics **out,
                             y90_error *err);
void y90_physics_free(y90_physics *p);

/* Interpolate a table at energy E (MeV). */
static inline double y90_phys_interp(const y90_physics *p, const double *tab, double E)
{
    double x = log(E / Y90_PHYS_EMIN) / p->dlnE;
    if (x <= 0) return tab[0];
    int i = (int)x;
    if (i >= Y90_PHYS_NE - 1) return tab[Y90_PHYS_NE - 1];
    double f = x - i;
    return tab[i] + f * (tab[i + 1] - tab[i]);
}

#endif
