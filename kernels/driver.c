/* y90mc kernels: the shared history loop: OpenMP threads over ordered batches, per-history random streams,
 * integer tallies, progress and stop requests. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "driver.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t batch_size(int64_t total, int threads)
{
    int64_t b = total / 100; /* about 100 batches: progress steps of 1 % */
    int64_t lo = 256 * (int64_t)threads;
    if (b < lo) b = lo;
    return b;
}

y90_status y90_drive_tally(const y90_kernel_input *in, const y90_kernel_ops *ops, const void *ctx, y90_tally *t,
                           int64_t *done_out, int *threads_out, y90_error *err)
{
    const int64_t total = in->tp->histories;
    int threads = in->tp->threads > 0 ? in->tp->threads : omp_get_num_procs();
    int failed = 0;
    int64_t done = 0, bs = batch_size(total, threads);
    while (done < total && !failed) {
        if (in->stop && *in->stop) break;
        int64_t end = done + bs < total ? done + bs : total;
        #pragma omp parallel num_threads(threads) reduction(| : failed)
        {
            y90_hist hb;
            void *scratch = NULL;
            int ok = y90_hist_alloc(&hb, NULL) == Y90_OK;
            if (ok && ops->thread_init) ok = (scratch = ops->thread_init(ctx)) != NULL;
            #pragma omp for schedule(dynamic, 64)
            for (int64_t h = done; h < end; h++) {
                if (!ok) continue;
                y90_rng r;
                y90_rng_init(&r, in->tp->seed, Y90_STREAM_HISTORY, (uint64_t)h);
                ops->history(ctx, scratch, h, &r, &hb);
                y90_hist_flush(t, &hb);
            }
            failed |= !ok || hb.failed;
            if (scratch) ops->thread_free(scratch);
            y90_hist_free(&hb);
        }
        done = end;
        if (in->progress) in->progress(done, total, in->progress_user);
    }
    *done_out = done;
    *threads_out = threads;
    if (failed) return Y90_FAIL(err, Y90_ENOMEM, "%s kernel: out of memory for per-thread buffers", ops->name);
    if (done < total)
        return Y90_FAIL(err, Y90_EINTERRUPTED, "stopped after %lld of %lld histories", (long long)done,
                        (long long)total);
    return Y90_OK;
}

y90_status y90_drive(const y90_kernel_input *in, const y90_kernel_ops *ops, const void *ctx, y90_run_result *res,
                     y90_error *err)
{
    y90_tally t;
    y90_status st = y90_tally_alloc(&t, y90_grid_nvox(in->grid), err);
    if (st) return st;
    double t0 = now_s();
    int64_t done = 0;
    int threads = 1;
    y90_error kerr = {0};
    y90_status kst = y90_drive_tally(in, ops, ctx, &t, &done, &threads, &kerr);
    if (kst && !(kst == Y90_EINTERRUPTED && done > 0)) {
        y90_tally_free(&t);
        if (err) *err = kerr;
        return kst;
    }
    st = y90_tally_to_result(&t, in->grid, done, in->src->decays, res, err);
    y90_tally_free(&t);
    res->runtime_s = now_s() - t0;
    res->threads = threads;
    res->seed = in->tp->seed;
    res->kernel = ops->name;
    if (!st && kst) {
        if (err) *err = kerr;
        st = kst;
    }
    return st;
}

void y90_run_result_free(y90_run_result *r)
{
    free(r->dose);
    free(r->rel_unc);
    free(r->edep_mev);
    r->dose = NULL;
    r->rel_unc = NULL;
    r->edep_mev = NULL;
}

y90_status y90_kernel_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err)
{
    memset(res, 0, sizeof *res);
    if (in->tp->histories < 1) return Y90_FAIL(err, Y90_EINPUT, "transport.histories must be at least 1");
    switch (in->tp->kernel) {
    case Y90_KERNEL_LOCAL: return y90_kernel_local_run(in, res, err);
    case Y90_KERNEL_MC: return y90_kernel_mc_run(in, res, err);
    case Y90_KERNEL_DVK:
    case Y90_KERNEL_DVK_DENSITY: return y90_kernel_dvk_run(in, res, err);
    }
    return Y90_FAIL(err, Y90_EINTERNAL, "unknown kernel %d", (int)in->tp->kernel);
}
