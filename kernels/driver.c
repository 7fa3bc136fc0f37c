/* y90mc kernels: the shared history loop: OpenMP threads over ordered batches, per-history random streams,
 * integer tallies, progress and stop requests. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include "driver.h"

#define BATCH_SECONDS 0.25 /* a stop request (Ctrl-C) waits for at most about this long */

/* Histories in the next batch: at most 1 % of the run (progress steps), at most what the measured rate does in
 * BATCH_SECONDS, at most an eighth of the histories done so far (so that a run stopped by its target uncertainty,
 * checked between batches, goes at most about 12 % past the histories it needed, however fast the machine), at
 * least 256 per thread. The first batch is the smallest (no rate yet). Batches only decide when a stop request is
 * seen: the result does not depend on them (per-history streams, integer tallies). */
static int64_t batch_size(int64_t total, int64_t done, int threads, double rate)
{
    int64_t lo = 256 * (int64_t)threads, b = total / 100;
    if (!(rate > 0)) return lo;
    if ((double)b > rate * BATCH_SECONDS) b = (int64_t)(rate * BATCH_SECONDS);
    if (b > done / 8) b = done / 8;
    return b < lo ? lo : b;
}

y90_status y90_drive_tally(const y90_kernel_input *in, const y90_kernel_ops *ops, const void *ctx, y90_tally *t,
                           int64_t *done_out, int *threads_out, int *reason_out, y90_error *err)
{
    const int64_t first = in->count > 0 ? in->first : 0, total = in->count > 0 ? in->count : in->tp->histories;
    const int64_t last = first + total; /* one past the last history */
    int threads = in->tp->threads > 0 ? in->tp->threads : omp_get_max_threads(); /* OMP_NUM_THREADS or all cores */
    const y90_kernel_control *ctl = in->ctl;
    int failed = 0, reason = Y90_STOP_NONE;
    int64_t done = first + (ctl && ctl->resume ? ctl->resume_done : 0); /* a resumed run goes on from there */
    double rate = 0; /* histories per second of the last batch */
    while (done < last && !failed) {
        if (in->stop && *in->stop) {
            reason = Y90_STOP_INTERRUPTED;
            break;
        }
        int64_t bs = batch_size(total, done - first, threads, rate), end = done + bs < last ? done + bs : last;
        double t0 = y90_wall_s();
        #pragma omp parallel num_threads(threads) reduction(| : failed)
        {
            y90_hist hb;
            y90_hist_init(&hb, t);
            void *scratch = NULL;
            int ok = 1;
            if (ops->thread_init) ok = (scratch = ops->thread_init(ctx)) != NULL;
            #pragma omp for schedule(dynamic, 64)
            for (int64_t h = done; h < end; h++) {
                if (!ok) continue;
                y90_rng r;
                y90_rng_init(&r, in->tp->seed, Y90_STREAM_HISTORY, (uint64_t)h);
                ops->history(ctx, scratch, h, &r, &hb);
                y90_hist_flush(&hb);
            }
            y90_hist_finish(&hb);
            failed |= !ok;
            if (scratch) ops->thread_free(scratch);
        }
        double dt = y90_wall_s() - t0;
        rate = dt > 0 ? (double)(end - done) / dt : 0;
        done = end;
        if (in->progress) in->progress(done - first, total, in->progress_user);
        if (ctl && ctl->between && done < last && !failed && (reason = ctl->between(ctl->user, done - first, t)))
            break;
    }
    done -= first;
    *done_out = done;
    *threads_out = threads;
    if (reason_out) *reason_out = done < total ? (reason ? reason : Y90_STOP_INTERRUPTED) : Y90_STOP_NONE;
    if (failed) return Y90_FAIL(err, Y90_ENOMEM, "%s kernel: out of memory for per-thread buffers", ops->name);
    if (done < total && (reason == Y90_STOP_TARGET || reason == Y90_STOP_TIME_LIMIT)) return Y90_OK;
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
    if (in->ctl && in->ctl->resume) { /* the finished histories' tallies: the loop adds the rest to them */
        const y90_tally *r = in->ctl->resume;
        if (r->nvox != t.nvox) {
            y90_tally_free(&t);
            return Y90_FAIL(err, Y90_EINTERNAL, "resumed tallies of %zu voxels for a grid of %zu", r->nvox, t.nvox);
        }
        memcpy(t.sum, r->sum, t.nvox * sizeof *t.sum);
        memcpy(t.sum2, r->sum2, t.nvox * sizeof *t.sum2);
        memcpy(t.eb, r->eb, sizeof t.eb);
        t.deposited = r->deposited;
    }
    double t0 = y90_wall_s();
    int64_t done = 0;
    int threads = 1, reason = 0;
    y90_error kerr = {0};
    y90_status kst = y90_drive_tally(in, ops, ctx, &t, &done, &threads, &reason, &kerr);
    if (kst && !(kst == Y90_EINTERRUPTED && done > 0)) {
        y90_tally_free(&t);
        if (err) *err = kerr;
        return kst;
    }
    st = y90_tally_to_result(&t, in->grid, done, in->src->decays, res, err);
    res->tally = t; /* kept: a part of a run is written with its tallies */
    res->first = in->count > 0 ? in->first : 0;
    res->runtime_s = y90_wall_s() - t0;
    res->threads = threads;
    res->seed = in->tp->seed;
    res->kernel = ops->name;
    res->stop_reason = reason;
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
    y90_tally_free(&r->tally);
    r->dose = NULL;
    r->rel_unc = NULL;
    r->edep_mev = NULL;
}

y90_status y90_kernel_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err)
{
    memset(res, 0, sizeof *res);
    if (in->tp->histories < 1) return Y90_FAIL(err, Y90_EINPUT, "transport.histories must be at least 1");
    if (in->count < 0 || in->first < 0 || (in->count > 0 && in->first + in->count > in->tp->histories))
        return Y90_FAIL(err, Y90_EINTERNAL, "histories %lld..%lld outside the run's %lld", (long long)in->first,
                        (long long)(in->first + in->count), (long long)in->tp->histories);
    switch (in->tp->kernel) {
    case Y90_KERNEL_LOCAL: return y90_kernel_local_run(in, res, err);
    case Y90_KERNEL_MC: return y90_kernel_mc_run(in, res, err);
    case Y90_KERNEL_DVK:
    case Y90_KERNEL_DVK_DENSITY: return y90_kernel_dvk_run(in, res, err);
    }
    return Y90_FAIL(err, Y90_EINTERNAL, "unknown kernel %d", (int)in->tp->kernel);
}

int y90_run_interrupted(const y90_run_result *res)
{
    return res->kernel && strcmp(res->kernel, "mc") == 0 && res->histories < res->histories_requested;
}

const char *y90_stop_reason_name(int reason)
{
    switch (reason) {
    case Y90_STOP_INTERRUPTED: return "interrupted";
    case Y90_STOP_TARGET: return "target_uncertainty";
    case Y90_STOP_TIME_LIMIT: return "time_limit";
    default: return "completed";
    }
}
