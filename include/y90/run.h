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
} y90_run_options;

/* Build, simulate and write. An interrupted run (stop set) still writes the histories it finished and
 * returns Y90_EINTERRUPTED. */
y90_status y90_run(const y90_config *c, const y90_run_options *o, y90_error *err);
/* The same for the part_index-th (1-based) of part_count shares of the histories (`run --part I/N`), written with
 * its integer tallies for y90_merge_parts. y90_run is y90_run_part(c, o, 0, 0, err). */
y90_status y90_run_part(const y90_config *c, const y90_run_options *o, int part_index, int part_count,
                        y90_error *err);

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
