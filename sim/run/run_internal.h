/* y90mc run stage, private: checkpoints, resume and the stopping rules of a run (sim/run/checkpoint.c), and the
 * comparison of effective configs shared with merge (sim/run/merge.c). */
#ifndef Y90_RUN_INTERNAL_H
#define Y90_RUN_INTERNAL_H

#include "y90/io.h"
#include "y90/kernel.h"
#include "y90/run.h"

/* Compare two effective configs line by line, the keys that do not change the histories' result aside (threads,
 * memory limit, checkpoint interval, time limit, target uncertainty); on the first difference return 1 with both
 * lines and their section, e.g. "transport: seed: 2". */
int y90_config_first_difference(const char *a, const char *b, char *out_a, char *out_b, size_t len);

/* The between-batch control of one run (or part, or MPI rank): periodic checkpoints, the time limit and the
 * target uncertainty, and the checkpoint it resumes from. */
typedef struct {
    const y90_config *c;
    const y90_grid *g;
    FILE *log;
    char path[1100];           /* the checkpoint file ("" when checkpoints are off) */
    char *effective;           /* the run's effective config */
    int part_index, part_count;
    int64_t first, requested;  /* the histories of this run or part */
    double t_start;            /* s (monotonic), the run's start: the time limit counts from there */
    double t_kernel;           /* s, when the histories started */
    double runtime_before_s;   /* s, kernel time of the resumed histories */
    double last_ckpt;
    double next_check, last_check; /* target uncertainty: the earliest next check (cost share) and the last one (s) */
    int64_t next_check_done;       /* ... and the histories done at which the next is due (a tenth more) */
    int ckpt_failed;           /* a periodic checkpoint failed (said once, the run goes on) */
    uint8_t *member;           /* per label: in the target structure */
    size_t nmember;            /* voxels of the target structure */
    double *unc;               /* scratch of nmember values */
    y90_tally resume;
    y90_kernel_control kc;
} y90_run_control;

/* Set up the control for histories first..first+count-1 (ranks > 1: one checkpoint per rank). With o->resume and
 * an existing checkpoint, load it (Y90_EINPUT naming the checkpoint when it belongs to another config, seed,
 * version or part). */
y90_status y90_control_init(y90_run_control *rc, const y90_config *c, const y90_run_options *o, const y90_grid *g,
                            int part_index, int part_count, int ranks, int64_t first, int64_t count, double t_start,
                            y90_error *err);
/* Write the checkpoint of `done` finished histories with tallies t (kernel time runtime_s in total). */
y90_status y90_control_checkpoint(y90_run_control *rc, int64_t done, const y90_tally *t, double runtime_s,
                                  y90_error *err);
/* Remove the checkpoint (the final file is written). */
void y90_control_remove(y90_run_control *rc);
void y90_control_free(y90_run_control *rc);
/* The checkpoint path of output out ("OUT.h5.ckpt", "OUT.h5.ckpt-rank-R-of-N" for MPI rank R-1 of N). */
int y90_checkpoint_path(const char *out, int rank_index, int ranks, char *buf, size_t len);

#endif
