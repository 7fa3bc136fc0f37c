/* y90mc: the dose kernels behind one interface (kernels/): local deposition and Monte Carlo transport. */
#ifndef Y90_KERNEL_H
#define Y90_KERNEL_H

#include "y90/common.h"
#include "y90/config.h"
#include "y90/grid.h"
#include "y90/source.h"

/* Energy balance over the simulated histories, MeV. deposited = everything scored in the grid. */
typedef struct {
    double emitted;
    double deposited;
    double escaped_electron;
    double escaped_photon;
    double below_cutoff;   /* part of deposited: particles that fell below the transport cutoffs */
    double in_spheres;     /* part of deposited: energy lost inside the emitting microsphere */
} y90_energy_balance;

/* What a kernel returns: dose and its uncertainty per voxel and the energy balance. */
typedef struct y90_run_result {
    size_t nvox;
    double *dose;            /* Gy per voxel */
    float *rel_unc;          /* 1-sigma relative uncertainty per voxel (NULL when not estimated) */
    double *edep_mev;        /* MeV per voxel summed over the simulated histories */
    int64_t histories;
    uint64_t seed;
    int threads;
    double decays;           /* decays the dose represents */
    double runtime_s;        /* s, kernel wall time */
    const char *kernel;      /* "local" or "mc" */
    int interrupted;         /* 1 when the run was stopped before all requested histories were done */
    y90_energy_balance eb;
} y90_run_result;

struct y90_physics; /* physics.h: tables for the MC kernel (NULL for local) */

/* Progress callback: done of total histories; called from one thread. */
typedef void (*y90_progress_fn)(int64_t done, int64_t total, void *user);

typedef struct {
    const y90_transport_params *tp;
    const y90_grid *grid;
    const y90_sources *src;
    const struct y90_physics *phys; /* MC only */
    y90_progress_fn progress;       /* may be NULL */
    void *progress_user;
    volatile int *stop;             /* set non-zero (e.g. from a signal handler) to stop early; may be NULL */
} y90_kernel_input;

y90_status y90_kernel_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err);
void y90_run_result_free(y90_run_result *r);

#endif

/* Monte Carlo with radial scoring around origin_mm (dose point kernels): energy (MeV, summed over histories) in
 * nshell shells of shell_mm, and beyond them in edep[nshell]; rel_unc per shell (may be NULL). */
y90_status y90_kernel_mc_radial(const y90_kernel_input *in, const double origin_mm[3], double shell_mm, int nshell,
                                double *edep, double *rel_unc, y90_energy_balance *eb, y90_error *err);
