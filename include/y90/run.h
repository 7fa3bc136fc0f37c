/* y90mc: one whole run as library calls: config -> phantom -> sources -> kernel -> HDF5 (sim/run/run.c). */
#ifndef Y90_RUN_H
#define Y90_RUN_H

#include "y90/config.h"
#include "y90/kernel.h"

typedef struct {
    const char *out_path;      /* HDF5 output */
    int force;                 /* replace an existing output */
    y90_progress_fn progress;  /* may be NULL */
    void *progress_user;
    volatile int *stop;        /* set from a signal handler to stop after the current batch */
    FILE *log;                 /* one-line messages (phantom built, energy balance); may be NULL */
    const char *kernel_cache;  /* dvk voxel-kernel cache folder (NULL: $Y90MC_KERNEL_CACHE, else
                                  $XDG_CACHE_HOME/y90mc, else $HOME/.cache/y90mc) */
    int resume;                /* continue from the checkpoint OUT.h5.ckpt when there is one (run --resume) */
    int *finished_already;     /* may be NULL: set to 1 when resume found OUT.h5 finished and wrote nothing */
} y90_run_options;

/* Build, simulate and write. An interrupted run (stop set) still writes the histories it finished and
 * returns Y90_EINTERRUPTED.
 * Checkpoints (mc): every output.checkpoint_s seconds and on a stop request, OUT.h5.ckpt (MPI: one per rank,
 * OUT.h5.ckpt-rank-R-of-N) holds the finished histories' integer tallies; it is removed once the final file is
 * written. With resume, a run continues from its checkpoint and ends bit for bit where the uninterrupted run ends;
 * an existing OUT.h5 of the same config is replaced when it is partial (interrupted), and when it is finished and no
 * checkpoint is left the run does nothing (a requeued job). transport.time_limit_s and target_uncertainty stop the
 * run early (Y90_OK; run_status says why; the dose is normalised to the histories done). */
y90_status y90_run(const y90_config *c, const y90_run_options *o, y90_error *err);
/* The same for the part_index-th (1-based) of part_count shares of the histories (`run --part I/N`), written with
 * its integer tallies for y90_merge_parts. y90_run is y90_run_part(c, o, 0, 0, err). */
y90_status y90_run_part(const y90_config *c, const y90_run_options *o, int part_index, int part_count,
                        y90_error *err);

/* A step between the kernel and the writer: MPI sums the ranks' tallies there. combine gets the kernel's status
 * (or the failure that ended the run early: it is then called once all the same, so that every rank takes part in
 * the same collective calls), may replace res, and says whether this process writes the file (*write). */
typedef struct {
    y90_status (*combine)(void *user, y90_status st, y90_run_result *res, const y90_grid *g,
                          const struct y90_sources *src, int *write, y90_error *err);
    void *user;
} y90_run_hook;
y90_status y90_run_with(const y90_config *c, const y90_run_options *o, int part_index, int part_count,
                        const y90_run_hook *hook, y90_error *err);

/* MPI (build option Y90_WITH_MPI; sim/run/run_mpi.c). Without MPI, or when the program was not started by an MPI
 * launcher, there is one rank. y90_mpi_init starts MPI only under a launcher (mpirun sets OMPI_COMM_WORLD_SIZE or
 * PMI_SIZE/PMIX_RANK). */
void y90_mpi_init(int *argc, char ***argv);
void y90_mpi_finalize(void);
int y90_mpi_rank(void);
int y90_mpi_size(void);
void y90_mpi_barrier(void);
/* The whole run over every rank: rank r simulates share r+1 of size of the histories with its OpenMP threads, the
 * integer tallies are summed exactly on rank 0, which writes the file: bit for bit the single-process run. With one
 * rank it is y90_run. An interrupted MPI run writes nothing. */
y90_status y90_run_ranks(const y90_config *c, const y90_run_options *o, y90_error *err);

/* Histories first..first+count-1 of part i (1-based) of n of a run of `histories` (the shares differ by at most
 * one history). */
void y90_part_range(int64_t histories, int i, int n, int64_t *first, int64_t *count);

/* Combine the files of `run --part I/N` (every part 1..N once, same config and seeds, each complete) into one
 * output equal bit for bit (/dose, /dose_rel_uncertainty, energy balance) to the whole run. Y90_EINPUT naming the
 * file at fault otherwise. */
y90_status y90_merge_parts(const char *const *parts, int nparts, const char *out_path, int force, FILE *log,
                           y90_error *err);

/* Build the phantom and the sources (no transport, nothing written): what `y90mc check` runs, so that a config
 * that passes it does not fail later on its geometry. */
y90_status y90_run_check(const y90_config *c, FILE *log, y90_error *err);

/* Build the phantom the config describes and write it. */
y90_status y90_run_phantom(const y90_config *c, const char *out_path, int force, FILE *log, y90_error *err);

#endif
