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
} y90_run_options;

/* Build, simulate and write. An interrupted run (stop set) still writes the histories it finished and
 * returns Y90_EINTERRUPTED. */
y90_status y90_run(const y90_config *c, const y90_run_options *o, y90_error *err);

/* Build the phantom and the sources (no transport, nothing written): what `y90mc check` runs, so that a config
 * that passes it does not fail later on its geometry. */
y90_status y90_run_check(const y90_config *c, FILE *log, y90_error *err);

/* Build the phantom the config describes and write it. */
y90_status y90_run_phantom(const y90_config *c, const char *out_path, int force, FILE *log, y90_error *err);

#endif
