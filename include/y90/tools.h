/* y90mc: kernel tools users and tests share: 90Y voxel S values and dose point kernels from the MC kernel. */
#ifndef Y90_TOOLS_H
#define Y90_TOOLS_H

#include "y90/config.h"
#include "y90/kernel.h"

typedef struct {
    const char *medium;        /* material name; "soft" = soft_tissue, "bone" = bone_cortical */
    double density;            /* g/cm3 (0 = nominal) */
    double voxel_mm;           /* vsv: voxel edge */
    double shell_mm;           /* dpk: shell width */
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
    double S_rel_unc[6][6][6]; /* 1 sigma relative (before symmetrisation: conservative) */
    double energy_fraction;    /* energy scored in the whole grid / energy emitted */
    y90_energy_balance eb;     /* MeV */
    int64_t histories;
    double runtime_s;
} y90_vsv_result;

typedef struct {
    int nshell;
    double shell_mm;
    double *r_mid_mm;          /* mm, shell mid radius */
    double *dose_gy;           /* Gy per decay (absorbed dose in the shell) */
    double *cum_fraction;      /* energy inside the shell's outer radius / energy emitted */
    double *rel_unc;
    double r50_mm, r90_mm;     /* radii holding 50 % and 90 % of the emitted energy */
    double mean_energy_mev;    /* MeV emitted per decay (sampled) */
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
