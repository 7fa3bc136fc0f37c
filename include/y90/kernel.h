/* y90mc: the dose kernels behind one interface (kernels/): deterministic local deposition, voxel-kernel
 * convolution (dvk, dvk_density) and Monte Carlo transport. */
#ifndef Y90_KERNEL_H
#define Y90_KERNEL_H

#include <math.h>
#include <stdint.h>
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

/* The integer tallies of a run (fixed-point units in kernels/tally.h): exact, order-independent sums, so the
 * tallies of the parts of a run add up to the tallies of the whole run bit for bit. sum2 is the per-voxel sum over
 * histories of each history's squared deposit (the history-by-history variance), so it adds up exactly as well.
 * No sum can wrap: every sum is a 96- or 128-bit integer, hi * 2^64 + lo. The low word takes the (atomic) adds
 * and every add that carries out of it adds one to the high word (an atomic add returns the old value, so each of
 * the floor(total / 2^64) carries is seen exactly once, in any order). One history adds less than 2^36 units to a
 * sum, so the config's 1e13 histories reach at most 3e4 carries per voxel, far below the 2^32 a uint32 high word
 * holds. */
enum { Y90_EB_EMITTED, Y90_EB_ESC_E, Y90_EB_ESC_PH, Y90_EB_CUTOFF, Y90_EB_SPHERE, Y90_EB_N };
typedef struct {
    size_t nvox;
    uint64_t *sum;               /* per voxel, energy units, low 64 bits */
    uint64_t *sum2;              /* per voxel, squared-energy units, low 64 bits */
    uint32_t *sum_hi, *sum2_hi;  /* per voxel, the carries out of sum and sum2 (units of 2^64) */
    uint64_t eb[Y90_EB_N];       /* energy balance terms, energy units, low 64 bits */
    uint64_t deposited;          /* energy units, low 64 bits, equals the sum over voxels */
    uint64_t eb_hi[Y90_EB_N], deposited_hi; /* their carries (units of 2^64) */
} y90_tally;

/* The value hi * 2^64 + lo of a split sum as a double. */
static inline double y90_u96_double(uint64_t hi, uint64_t lo) { return ldexp((double)hi, 64) + (double)lo; }

/* What a kernel returns: dose and its uncertainty per voxel and the energy balance. The deterministic kernels
 * (local, dvk, dvk_density) sample nothing: histories 0, edep_mev NULL, the energy balance per one decay. */
typedef struct y90_run_result {
    size_t nvox;
    double *dose;            /* Gy per voxel */
    float *rel_unc;          /* 1-sigma relative uncertainty per voxel (NULL when not estimated) */
    double *edep_mev;        /* MeV per voxel summed over the simulated histories (NULL: deterministic) */
    int64_t histories;
    uint64_t seed;
    int threads;
    double decays;           /* decays the dose represents */
    double runtime_s;        /* s, kernel wall time */
    const char *kernel;      /* "mc", "local", "dvk" or "dvk_density" */
    y90_energy_balance eb;
    y90_tally tally;         /* the integer tallies behind dose, rel_unc and eb (kept for parts and merges) */
    int64_t first;           /* first history simulated (0 unless a part) */
    int part_index, part_count; /* 1..part_count for `run --part I/N` (0: a whole run) */
    int64_t histories_total; /* histories of the whole run a part belongs to */
    int64_t histories_requested; /* histories this run (or part) was asked for (0: unknown) */
    int ranks;               /* MPI ranks that ran it (0: one process) */
    int stop_reason;         /* y90_stop_reason: why the histories ended */
} y90_run_result;

struct y90_physics; /* physics.h: tables for the MC kernel (NULL for local) */

/* A 90Y voxel kernel for the dvk kernels: mean energy deposited per decay in the voxel at offset (i,j,k),
 * |i|,|j|,|k| <= half, when the activity is uniform in voxel (0,0,0) of an infinite homogeneous medium
 * (computed by the MC kernel, symmetrised over the 48 cube symmetries; sim/run/kernelcache.c). */
typedef struct {
    int half;                  /* kernel spans (2 half + 1)^3 voxels */
    double voxel_mm;           /* mm, cubic voxel edge */
    double density;            /* g/cm3 of the medium */
    char medium[48];           /* material name */
    double *mev;               /* MeV per decay, index ((k+half)*n + (j+half))*n + (i+half), n = 2 half + 1 */
    double *sigma_mev;         /* MeV per decay, 1-sigma statistical uncertainty of mev */
    double energy_fraction;    /* energy in the kernel / energy emitted */
    int64_t histories;
} y90_voxel_kernel;

/* Progress callback: done of total histories; called from one thread. */
typedef void (*y90_progress_fn)(int64_t done, int64_t total, void *user);

/* Why a sampling run ended before all its histories (the HDF5 attribute run_status names it). */
typedef enum {
    Y90_STOP_NONE = 0,        /* completed: every history requested */
    Y90_STOP_INTERRUPTED,     /* a stop request (SIGINT/SIGTERM) */
    Y90_STOP_TARGET,          /* the target uncertainty was reached */
    Y90_STOP_TIME_LIMIT       /* the time limit was reached */
} y90_stop_reason;
/* "completed", "interrupted", "target_uncertainty", "time_limit". */
const char *y90_stop_reason_name(int reason);

/* Resume and between-batch control of a sampling run (sim/run/checkpoint.c fills it). */
typedef struct {
    const y90_tally *resume;  /* tallies of histories first..first+resume_done-1, already done (NULL: none) */
    int64_t resume_done;
    /* Called from one thread between batches (no history is running) with the histories done so far (of this
     * run or part, resumed ones included) and the tallies; returns a y90_stop_reason to stop, 0 to go on. */
    int (*between)(void *user, int64_t done, const y90_tally *t);
    void *user;
} y90_kernel_control;

typedef struct {
    const y90_transport_params *tp;
    const y90_grid *grid;
    const y90_sources *src;
    const struct y90_physics *phys; /* MC only */
    y90_progress_fn progress;       /* may be NULL */
    void *progress_user;
    volatile int *stop;             /* set non-zero (e.g. from a signal handler) to stop early; may be NULL */
    int64_t first, count;           /* simulate histories first..first+count-1 (count 0: 0..tp->histories-1) */
    const y90_voxel_kernel *vk;     /* dvk and dvk_density only */
    const y90_kernel_control *ctl;  /* resume and between-batch checks (mc only; NULL: none) */
} y90_kernel_input;

y90_status y90_kernel_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err);
/* 1 when a sampling kernel (mc) stopped before all its histories; the deterministic kernels sample none. */
int y90_run_interrupted(const y90_run_result *res);
void y90_run_result_free(y90_run_result *r);

y90_status y90_tally_alloc(y90_tally *t, size_t nvox, y90_error *err);
void y90_tally_free(y90_tally *t);
/* Add the tallies of b to a (same nvox): a part of a run into the whole (with the carries, exactly). */
void y90_tally_add(y90_tally *a, const y90_tally *b);
/* 1-sigma relative uncertainty of voxel i's energy after n histories (0 where nothing was deposited). */
double y90_tally_voxel_rel_unc(const y90_tally *t, size_t i, double n);
/* Fill res (dose Gy, uncertainty, energy balance) from the tally of `histories` decays. */
y90_status y90_tally_to_result(const y90_tally *t, const y90_grid *g, int64_t histories, double decays,
                               y90_run_result *res, y90_error *err);

#endif

/* Monte Carlo with radial scoring around origin_mm (dose point kernels): energy (MeV, summed over histories) in
 * the nshell shells between the radii edges_mm[0] = 0 < ... < edges_mm[nshell] (mm; each straight move shared
 * over the shells by its exact chord in each), and beyond them in edep[nshell]; rel_unc per shell (may be NULL). */
y90_status y90_kernel_mc_radial(const y90_kernel_input *in, const double origin_mm[3], const double *edges_mm, int nshell,
                                double *edep, double *rel_unc, y90_energy_balance *eb, y90_error *err);
