/* y90mc kernels: the Monte Carlo beta transport (private): parameters the hot loop reads, particle state,
 * per-thread scratch, geometry and interaction sampling. */
#ifndef Y90_KERNELS_MC_H
#define Y90_KERNELS_MC_H

#include "tally.h"
#include "y90/physics.h"
#include "y90/rng.h"

#define MC_WENTZEL_N 4096   /* points of the K -> screening parameter table of the MSC sampling */
#define MC_K_MIN 1e-6       /* smallest and largest step in transport mean free paths in that table */
#define MC_K_MAX 20.0
#define MC_STACK 64         /* secondary particles waiting in one history */
#define MC_ZIG_N 128        /* layers of the ziggurat normal sampler */
#define MC_HINGE_NK 64      /* random-hinge table (kernels/mc_hinge.c): points in ln K1 ... */
#define MC_HINGE_KMIN 1e-3  /* ... from this K1 (below: its values, the small-K limit to 1e-4) ... */
#define MC_HINGE_KMAX 10.0  /* ... to this one (above: its values, not right but never reached) */
#define MC_HINGE_NA 43      /* points in alpha, the growth of 1/lambda_1 over a step, ... */
#define MC_HINGE_AMIN -0.2  /* ... from this ... */
#define MC_HINGE_AMAX 4.0   /* ... to this (clamped beyond) */
#define MC_HINGE_MAX_ELOSS 0.1 /* largest fractional loss of a random-hinge step (PRESTA-II steps near boundaries):
                                * its water point kernel's R90 is +0.10 % at 0.1 and +0.30 % at 0.2 against 0.05
                                * (bench/RESULTS.md, 2026-12-01) */

#define MC_AZ_N 256          /* azimuth table: cos and sin at 2 pi k / MC_AZ_N */
typedef struct {
    double c[MC_AZ_N], s[MC_AZ_N];
} mc_az;

/* Ziggurat tables of the standard normal (kernels/mc_interact.c, mc_zig_init): layer i has right edge
 * x_i = w[i] 2^24 (layer 0: the base strip, of width v/f(r), with the tail beyond r), f[i] = exp(-x_i^2/2), and
 * a 24-bit j < k[i] lies wholly under the density (accepted without a test). */
typedef struct {
    double w[MC_ZIG_N], f[MC_ZIG_N];
    uint32_t k[MC_ZIG_N];
} mc_zig;

/* Everything the transport reads, built once and passed const. */
typedef struct {
    const y90_physics *phys;
    const y90_grid *g;
    const y90_sources *src;
    double inv_sp[3];              /* 1/mm */
    /* radial scoring (dose point kernel): nshell shells around origin_mm between the radii edges[0] = 0 <
     * edges[1] < ... < edges[nshell] (mm), beyond them bin nshell; 0 = voxels */
    int radial;
    int nshell;
    const double *edges;
    double origin_mm[3];
    /* modified Wentzel multiple scattering (kernels/mc_interact.c): wlogA[k] = ln A of the Wentzel distribution
     * with <mu> = (1 - exp(-K))/2 at ln K = wk0 + k wdk; wratio[k] = <mu^2>/<mu> of the Wentzel distribution
     * with ln A = wa0 + k wda (increasing in A) */
    double wlogA[MC_WENTZEL_N], wk0, wdk;
    double wratio[MC_WENTZEL_N], wa0, wda;
    mc_zig zig;                    /* normal deviates of the straggling's Gamma sampler */
    mc_az az;                      /* the azimuths of the electron deflections (mc_azimuth) */
    /* random-hinge placement (kernels/mc_hinge.c): the hinge of a step of K1 first transport mean free paths whose
     * 1/lambda_1 grows by 1 + alpha lies uniform on [m - w, m + w] (fractions of the step's path), w = sqrt(3 v),
     * m = hinge_m[i][j] and v = hinge_v[i][j] at ln K1 = hk0 + i hdk, alpha = MC_HINGE_AMIN + j hda (v < 0: w = 0) */
    double hinge_m[MC_HINGE_NK][MC_HINGE_NA], hinge_v[MC_HINGE_NK][MC_HINGE_NA], hk0, hdk, hda;
    /* Woodcock photon tracking (kernels/mc.c): mu_max[i] (1/mm) bounds the linear attenuation coefficient
     * (Compton plus photoelectric) of every voxel at grid energy i: the largest over the grid's materials of
     * their mass attenuation times the largest density the material has in the grid (0: the grid is vacuum);
     * hi_mm the grid's upper corner (mm) */
    double mu_max[Y90_PHYS_NE];
    double hi_mm[3];
    /* PRESTA-II steps away from boundaries (kernels/mc_geometry.c, mc_safety): safe[v] = k when every voxel within
     * Chebyshev distance k of v (k = 0..255) has v's material and density; NULL with the random hinge */
    uint8_t *safe;
    double sp_min;                 /* mm, the smallest voxel spacing */
} mc_params;

enum { MC_ELECTRON = 0, MC_PHOTON = 1 };

typedef struct {
    double x[3];                   /* mm */
    double u[3];                   /* direction cosines */
    double E;                      /* MeV, kinetic */
    int type;
    int ix[3];                     /* voxel indices */
    int in_sphere;                 /* still inside its emitting microsphere */
    double sc[3], sr;              /* mm: that sphere's centre and radius */
    long cluster;                  /* cluster of the emitting sphere, whose spheres the track can cross (-1: none) */
} mc_particle;

typedef struct {
    mc_particle stack[MC_STACK];
    int nstack;
} mc_scratch;

/* A deposit scored while a move walks the voxels: e MeV spread evenly over the len mm of the path. */
typedef struct {
    y90_hist *hb;
    double e;                      /* MeV */
    double len;                    /* mm, > 0 */
} mc_deposit;

/* Result of a straight move. */
enum { MC_MOVE_DONE = 0, MC_MOVE_BOUNDARY = 1, MC_MOVE_ESCAPED = 2 };

/* Geometry (kernels/mc_geometry.c). */
int mc_locate(const mc_params *P, mc_particle *p);          /* set ix from x; -1 outside */
int mc_locate_wrap(const mc_params *P, mc_particle *p);     /* the same, a periodic grid wrapping x into it first */
size_t mc_voxel(const mc_params *P, const mc_particle *p);
/* Straight move of up to s mm: stops at a change of material or density, a sphere's surface or the grid's end;
 * *moved the length gone, *nseg the voxel segments crossed; with dep non-NULL scores dep's rate on the way. The
 * same call on the same particle always takes the same path (a geometry pass and a scoring replay agree). */
int mc_move(const mc_params *P, mc_particle *p, double s, const mc_deposit *dep, double *moved, int *nseg);
double mc_sphere_exit(const mc_particle *p);                /* mm to the sphere surface along u */
double mc_voxel_exit(const mc_params *P, const mc_particle *p, int *axis); /* mm to leave the voxel */
int mc_cross(const mc_params *P, mc_particle *p, int axis);  /* into the next voxel; -1 outside the grid */
double mc_face_distance(const mc_params *P, const mc_particle *p); /* mm to the nearest face of the voxel */
/* P->safe from the grid (-1: no memory): a chessboard distance transform (two raster passes, Rosenfeld and Pfaltz
 * 1966) of the voxels that have a 26-neighbour of another material or density */
int mc_safety_init(mc_params *P);
/* mm the particle can go in any direction without meeting another material or density of the grid: the nearest
 * face of its voxel (face = mc_face_distance, which the caller has), then safe[v] whole voxels (outside the grid
 * counts as the same: there the track ends) */
static inline double mc_safety(const mc_params *P, const mc_particle *p, double face)
{
    return face + P->safe[mc_voxel(P, p)] * P->sp_min;
}
/* mm from the particle to the bounding ball of its cluster's spheres (0 inside it; INFINITY without a cluster) */
double mc_cluster_distance(const mc_params *P, const mc_particle *p);

/* Interactions (kernels/mc_interact.c). */
void mc_wentzel_init(mc_params *P);
/* cos theta after a step of K1 first and K2 second transport mean free paths (s/lambda_1, s/lambda_2) */
double mc_msc_cos(const mc_params *P, double K1, double K2, y90_rng *r);
/* the same in two parts, for several deflections of one (K1, K2): the distribution (mixture weight B, Wentzel A,
 * <mu>), then a draw (2 uniforms; 1 when isotropic) */
enum { MC_MSC_ISOTROPIC = 0, MC_MSC_POINT = 1, MC_MSC_FORWARD = 2 };
typedef struct {
    int kind;                      /* isotropic; Wentzel(A) mixed with the point mu = m1; or with mu = 0 */
    double A, B, m1;               /* POINT: weight B of the point; FORWARD: B = <mu> of Wentzel(A) */
} mc_msc_dist;
void mc_msc_setup(const mc_params *P, double K1, double K2, mc_msc_dist *d);
double mc_msc_sample(const mc_msc_dist *d, y90_rng *r);

/* One PRESTA-II step (kernels/mc_presta.c): the four straight parts of a step, in order; part k goes f[k] of the
 * step's path along the unit vector u[k] and covers g[k] mm of distance per mm of path (1 but for part 2, whose
 * vector is shorter than a unit one); u[3] is the final direction. */
typedef struct {
    double f[4], g[4], u[4][3];
} mc_pii_step;
void mc_presta2(const mc_params *P, double K1, double K2, double t, double dlng, const double u0[3], y90_rng *r,
                mc_pii_step *st);
/* the target moments of mu = (1 - cos theta)/2 after the step (Goudsmit-Saunderson) */
void mc_msc_moments(double K1, double K2, double *m1, double *m2);
/* The random hinge (kernels/mc_hinge.c): its place in a step of K first transport mean free paths whose scattering
 * power 1/lambda_1 grows by the factor 1 + alpha from start to end (linearly in path), as a fraction of the step's
 * path length, from a uniform xi, such that the step has Lewis's exact <z> and <r^2>. mc_hinge_init fills the
 * table of P (-1: no memory for the quadrature); mc_hinge_moments computes the mean m and variance v of the hinge's
 * place (fractions of the step; v < 0: no hinge holds both moments) of one (K, alpha) directly. */
int mc_hinge_init(mc_params *P);
int mc_hinge_moments(double K, double alpha, double *m, double *v);
double mc_hinge_fraction(const mc_params *P, double K, double alpha, double xi);
/* a place in [0, 1] with mean m and variance v from a uniform xi: uniform on [m - w, m + w] where that fits, else
 * the linear density with mean m mixed with the point m */
double mc_hinge_place(double m, double v, double xi);
void mc_rotate(double u[3], double cost, double phi);
/* the same with cos phi and sin phi given */
void mc_rotate_cs(double u[3], double cost, double cphi, double sphi);
/* cos and sin of the azimuth phi = 2 pi (u + 1/2) / 2^32 of a 32-bit draw u (uniform on [0, 2 pi) in 2^32 steps):
 * the table's angle 2 pi k / MC_AZ_N for the top 8 bits of u and the rest, an angle below 2 pi / 256, by its
 * Taylor series to the terms of degree 8 and 7 (truncation below 1e-20), joined by the addition theorems: exact to
 * rounding (tests/test_interact.c: within 7e-16 of cos and sin of phi in long double, asserted below 1e-15), one
 * draw, no trigonometric call. */
void mc_az_init(mc_az *t);
void mc_azimuth(const mc_az *t, y90_rng *r, double *c, double *s);
void mc_moller(double E, double tc, y90_rng *r, double *W, double *cos_p, double *cos_d);
double mc_brems_k(double E, double kc, y90_rng *r);
double mc_brems_cos(double E, y90_rng *r); /* photon polar angle for an electron of kinetic energy E (MeV) */
void mc_compton(double k, y90_rng *r, double *kp, double *cost);
void mc_zig_init(mc_zig *z);
double mc_gauss(const mc_zig *z, y90_rng *r);              /* standard normal deviate (ziggurat) */
double mc_gamma(const mc_zig *z, double shape, y90_rng *r); /* Gamma deviate, unit scale */

/* Transport (kernels/mc_transport.c). */
void mc_transport_electron(const mc_params *P, mc_particle *p, mc_scratch *w, y90_rng *r, y90_hist *hb);
void mc_transport_photon(const mc_params *P, mc_particle *p, mc_scratch *w, y90_rng *r, y90_hist *hb);
size_t mc_here(const mc_params *P, const mc_particle *p); /* voxel or radial bin of a local deposit */
/* Score e MeV over a straight segment of len mm from a (mm) along u in voxel v (radial mode: over the shells by
 * the exact chord in each). */
void mc_score_segment(const mc_params *P, y90_hist *hb, size_t v, const double a[3], const double u[3], double len,
                      double e);
y90_status mc_params_init(mc_params *P, const y90_physics *phys, const y90_grid *g, const y90_sources *src,
                          y90_error *err);
void mc_params_free(mc_params *P); /* what mc_params_init allocated (not P) */
void mc_history(const void *ctx, void *scratch, int64_t h, y90_rng *r, y90_hist *hb);
void *mc_thread_init(const void *ctx);
void mc_thread_free(void *scratch);

#endif
