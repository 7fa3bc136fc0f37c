/* y90mc kernels: the history loop every kernel shares (private). */
#ifndef Y90_KERNELS_DRIVER_H
#define Y90_KERNELS_DRIVER_H

#include "tally.h"
#include "y90/kernel.h"
#include "y90/rng.h"

/* What a kernel provides: per-thread scratch and one history. */
typedef struct {
    const char *name;
    void *(*thread_init)(const void *ctx);          /* NULL: no scratch; returning NULL = out of memory */
    void (*thread_free)(void *scratch);
    /* Simulate decay h with random stream r, scoring into hb (deposits and energy balance, MeV). */
    void (*history)(const void *ctx, void *scratch, int64_t h, y90_rng *r, y90_hist *hb);
    /* NULL, or the key by which the histories of a batch are run (ascending) instead of in index order, given
     * history h and its random stream as history() gets it (not to be consumed): histories with close keys
     * should touch the same memory. The result does not depend on the order (per-history streams, integer
     * tallies); only the speed does. */
    uint32_t (*order)(const void *ctx, int64_t h, const y90_rng *r);
    /* NULL, or (with order) a cache hint called before each history with the keys of the next two histories the
     * thread is likely to run (the sorted batch's next ones); it must not change any result. */
    void (*prefetch)(const void *ctx, uint32_t key1, uint32_t key2);
} y90_kernel_ops;

/* Run in->tp->histories histories in ordered batches (a stop request ends the run after a whole batch, so
 * the finished histories are always 0..k-1, exactly what a shorter run would give). */
y90_status y90_drive(const y90_kernel_input *in, const y90_kernel_ops *ops, const void *ctx, y90_run_result *res,
                     y90_error *err);

/* The same loop into a caller's tally (any binning); *done_out = histories finished (resumed ones included),
 * *reason_out (may be NULL) = why it ended (y90_stop_reason). A stop at the target uncertainty or the time limit
 * returns Y90_OK, a stop request Y90_EINTERRUPTED. */
y90_status y90_drive_tally(const y90_kernel_input *in, const y90_kernel_ops *ops, const void *ctx, y90_tally *t,
                           int64_t *done_out, int *threads_out, int *reason_out, y90_error *err);

/* The deterministic kernels' shared start (allocates dose and a zero rel_unc; histories 0) and end (wall time);
 * the energy per decay of the sources (MeV). */
y90_status y90_kernel_deterministic_begin(const y90_kernel_input *in, const char *name, y90_run_result *res,
                                          double *t0, y90_error *err);
void y90_kernel_deterministic_end(y90_run_result *res, double t0);
double y90_kernel_energy_per_decay(const y90_sources *s);

/* The kernels. */
y90_status y90_kernel_local_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err);
y90_status y90_kernel_mc_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err);
y90_status y90_kernel_dvk_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err);

#endif
