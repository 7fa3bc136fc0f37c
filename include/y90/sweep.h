/* y90mc: parameter sweeps (sim/sweep/): a base config, keys varied as lists or ranges (full grid or zipped),
 * one HDF5 per point in an output folder, and a summary (CSV and JSON) of the report's key metrics.
 *
 * Sweep file (YAML; paths relative to the sweep file's folder):
 *   base: case.yaml                    # the base config
 *   output: case-sweep                 # folder of the point files and the summary (created when missing)
 *   mode: grid                         # grid: every combination (first key slowest); zip: i-th values together
 *   set:                               # optional: overrides for every point
 *     transport.histories: 200000
 *   vary:                              # each key: a list of values, or a range {from, to, step} / {from, to, count}
 *     treatment.activity_gbq: [1.5, 2.5]
 *     treatment.tn_ratio: {from: 1, to: 4, step: 1}
 *   slurm:                             # optional defaults of --slurm
 *     partition: short
 *     time: "02:00:00"
 *     cpus_per_task: 8
 *     mem_gb: 0                        # 0: estimated from the grid and sphere list of the largest point
 * Every point is the base config with `set` and its varied values applied as --set overrides, so each value is
 * validated exactly like the file; a sweep with an invalid point is refused before anything runs.
 * Point i (1-based) writes OUTPUT/pNNN.h5; a failed point writes OUTPUT/pNNN.failed (its message) and the rest
 * go on. A point whose HDF5 exists with the same effective config and all its histories is finished and skipped.
 */
#ifndef Y90_SWEEP_H
#define Y90_SWEEP_H

#include <stdio.h>
#include "y90/common.h"
#include "y90/config.h"

#define Y90_SWEEP_MAX_KEYS 16
#define Y90_SWEEP_MAX_VALUES 100000 /* points and values per key */

typedef struct {
    char path[1024];                         /* the sweep file */
    char base[1024];                         /* base config, resolved against the sweep file's folder */
    char outdir[1024];                       /* output folder, resolved likewise */
    int zip;                                 /* 0: full grid, 1: zipped */
    int nset;
    char **set;                              /* "KEY=VALUE" for every point */
    int nkeys;
    char key[Y90_SWEEP_MAX_KEYS][128];
    int nvalues[Y90_SWEEP_MAX_KEYS];
    char **values[Y90_SWEEP_MAX_KEYS];       /* YAML text of each value */
    int npoints;
    char *base_text;                         /* the base config's text (read once) */
    size_t base_len;
    /* slurm section (defaults of --slurm) */
    char partition[64];                      /* empty: the cluster's default */
    char time[32];                           /* Slurm time limit, e.g. "02:00:00" */
    int cpus_per_task;                       /* 0: 1 */
    double mem_gb;                           /* GB per task (0: estimated) */
} y90_sweep;

typedef enum { Y90_POINT_PENDING = 0, Y90_POINT_DONE, Y90_POINT_FAILED, Y90_POINT_PARTIAL, Y90_POINT_OTHER } y90_point_state;

/* Read and check a sweep file: every point's config is parsed and validated (Y90_EINPUT naming the sweep file,
 * the point and the override at fault). */
y90_status y90_sweep_load(const char *path, y90_sweep *s, y90_error *err);
void y90_sweep_free(y90_sweep *s);

/* The overrides of point i (0-based): the `set` entries then the point's varied values ("KEY=VALUE", pointers
 * into s and buf). Returns their number. */
int y90_sweep_point_sets(const y90_sweep *s, int i, const char **sets, int max, char (*buf)[1024]);
/* The config of point i (0-based). */
y90_status y90_sweep_point_config(const y90_sweep *s, int i, y90_config *c, y90_error *err);
/* OUTPUT/pNNN<ext> of point i (0-based); ext ".h5" or ".failed". */
void y90_sweep_point_path(const y90_sweep *s, int i, const char *ext, char *buf, size_t len);
/* The varied values of point i as "k=v k=v" (for messages and --list). */
void y90_sweep_point_label(const y90_sweep *s, int i, char *buf, size_t len);
/* State of point i: done (HDF5 with the same effective config and every history), failed (a .failed file),
 * partial (an interrupted HDF5 of the same config), other (an HDF5 of a different config) or pending. */
y90_point_state y90_sweep_point_state(const y90_sweep *s, int i);
const char *y90_point_state_name(y90_point_state st);

typedef struct {
    FILE *log;                  /* progress lines; may be NULL */
    volatile int *stop;         /* set from a signal handler: the running point stops after a batch */
    void (*progress)(int64_t done, int64_t total, void *user); /* may be NULL */
    void *progress_user;
} y90_sweep_options;

/* Run point i (0-based) unless it is done. A failure is recorded in pNNN.failed (and returned); success removes
 * it. An interrupted point leaves no finished file and returns Y90_EINTERRUPTED. */
y90_status y90_sweep_run_point(const y90_sweep *s, int i, const y90_sweep_options *o, y90_error *err);
/* Run every point in order (failed points are recorded and the rest go on), then write the summary.
 * *nfailed = points not done. Returns Y90_EINTERRUPTED when stopped, else the summary's status. Under mpirun
 * rank r runs points r, r + size, ... and rank 0 writes the summary when all are through. */
y90_status y90_sweep_run(const y90_sweep *s, const y90_sweep_options *o, int *nfailed, y90_error *err);
/* Write OUTPUT/summary.csv and OUTPUT/summary.json from the point files (one row per point: state, the varied
 * values and the report's key metrics). *nmissing = points not done. */
y90_status y90_sweep_collect(const y90_sweep *s, int *nmissing, y90_error *err);

typedef struct {
    const char *exe;            /* absolute path of y90mc */
    const char *partition;      /* NULL: the sweep file's */
    const char *time;           /* NULL: the sweep file's (default 01:00:00) */
    int cpus_per_task;          /* 0: the sweep file's (default 1) */
    double mem_gb;              /* 0: the sweep file's, else estimated */
} y90_slurm_options;

/* Memory (bytes) one run of the config needs: builds its phantom and sources to size the grid and sphere list. */
y90_status y90_sweep_memory_estimate(const y90_config *c, double *bytes, y90_error *err);
/* Write OUTPUT/sweep.sbatch: a job array of one task per point running `y90mc sweep FILE --index
 * $SLURM_ARRAY_TASK_ID` with OMP_NUM_THREADS = SLURM_CPUS_PER_TASK. script gets its path. */
y90_status y90_sweep_write_slurm(const y90_sweep *s, const y90_slurm_options *o, char *script, size_t len,
                                 y90_error *err);

#endif
