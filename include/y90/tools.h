/* y90mc: kernel tools users and tests share: 90Y voxel S values and dose point kernels from the MC kernel. */
#ifndef Y90_TOOLS_H
#define Y90_TOOLS_H

#include "y90/config.h"
#include "y90/kernel.h"

typedef struct {
    const char *medium;        /* material name; "soft" = soft_tissue, "bone" = bone_cortical */
    double density;            /* g/cm3 (0 = nominal) */
    double voxel_mm;           /* vsv: voxel edge */
    double shell_mm;           /* dpk: shell width (point source, when shell_um is 0) */
    double shell_um;           /* dpk: um, width of the shells near the source (0 = shell_mm everywhere; a sphere
                                * defaults to 1 um): 20 of them, then each 5 % of its inner radius wider */
    const char *sphere;        /* dpk: NULL = point source, else "glass" or "resin": one microsphere, the source
                                * uniform in its volume and the transport starting in its material */
    double diameter_um;        /* dpk --sphere: um (0 = the product's mean, 25 glass / 32 resin) */
    int64_t histories;
    int threads;               /* 0 = all */
    uint64_t seed;
    double energy_mev;         /* dpk: mono-energetic electrons (0 = 90Y spectrum) */
    int force;                 /* the CSV writers may replace an existing file */
    const y90_transport_params *transport; /* NULL = config defaults */
    y90_progress_fn progress;  /* may be NULL: called after each batch of histories */
    void *progress_user;
} y90_tool_options;

typedef struct {
    double S[6][6][6];         /* mGy/(MBq s), offsets i,j,k = 0..5, averaged over the 48 cube symmetries */
    double S_rel_unc[6][6][6]; /* 1 sigma relative, of the symmetrised value (distinct voxels independent) */
    double energy_fraction;    /* energy scored in the whole simulated medium (a cube of at least 200 mm, not only
                                * the 11^3 voxels of S) / energy emitted */
    double density;            /* g/cm3, the medium's (its nominal one when the options give 0) */
    y90_energy_balance eb;     /* MeV */
    int64_t histories;
    double runtime_s;
} y90_vsv_result;

typedef struct {
    int nshell;
    double shell_mm;           /* mm, width of the uniform shells (0 when they vary) */
    double *edges_mm;          /* mm, nshell + 1 radii: shell k lies between edges_mm[k] and edges_mm[k + 1] */
    double *r_mid_mm;          /* mm, shell mid radius */
    double *dose_gy;           /* Gy per decay (absorbed dose in the shell) */
    double *cum_fraction;      /* energy inside the shell's outer radius / energy emitted */
    double *rel_unc;
    double r50_mm, r90_mm;     /* radii holding 50 % and 90 % of the emitted energy */
    double mean_energy_mev;    /* MeV emitted per decay (sampled) */
    double sphere_radius_mm;   /* mm, the source sphere (0: point source) */
    double sphere_density;     /* g/cm3, the source sphere's material */
    double sphere_fraction;    /* energy absorbed inside the source sphere / energy emitted (electrons while still
                                * in it: the MC kernel's in_spheres balance) */
    double density;            /* g/cm3, the medium's (its nominal one when the options give 0) */
    y90_energy_balance eb;
    int64_t histories;
    double runtime_s;
} y90_dpk_result;

/* Resolve the medium names the tools accept. NULL if unknown. */
const char *y90_tool_medium(const char *name);

y90_status y90_vsv_compute(const y90_tool_options *o, y90_vsv_result *r, y90_error *err);
/* The whole voxel kernel, offsets |i|,|j|,|k| <= half, symmetrised, for the dvk kernels (o->voxel_mm, medium,
 * density, histories, threads, seed, transport). Free with y90_voxel_kernel_free. */
y90_status y90_vsv_kernel_compute(const y90_tool_options *o, int half, y90_voxel_kernel *k, y90_error *err);
void y90_voxel_kernel_free(y90_voxel_kernel *k);
y90_status y90_vsv_write_csv(const char *path, const y90_tool_options *o, const y90_vsv_result *r, y90_error *err);
y90_status y90_dpk_compute(const y90_tool_options *o, y90_dpk_result *r, y90_error *err);
y90_status y90_dpk_write_csv(const char *path, const y90_tool_options *o, const y90_dpk_result *r, y90_error *err);
void y90_dpk_free(y90_dpk_result *r);


#endif
