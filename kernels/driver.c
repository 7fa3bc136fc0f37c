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

/* The histories of a batch in the order of their keys (ops->order). */
typedef struct {
    size_t cap;
    uint32_t *key, *key2;
    int64_t *h, *h2;
    size_t *count;                 /* 65536 radix counts */
} batch_order;

static void order_free(batch_order *o)
{
    free(o->key);
    free(o->key2);
    free(o->h);
    free(o->h2);
    free(o->count);
    memset(o, 0, sizeof *o);
}

/* Fill o with histories [done, end) sorted by key (a stable LSD radix sort, two passes of 16 bits); 0, or -1 when
 * out of memory (the caller then runs them in index order). */
static int order_batch(batch_order *o, const y90_kernel_ops *ops, const void *ctx, uint64_t seed, int64_t done,
                       int64_t end, int threads)
{
    const size_t n = (size_t)(end - done);
    if (n > o->cap) {
        order_free(o);
        o->key = malloc(n * sizeof *o->key);
        o->key2 = malloc(n * sizeof *o->key2);
        o->h = malloc(n * sizeof *o->h);
        o->h2 = malloc(n * sizeof *o->h2);
        o->count = malloc(65536 * sizeof *o->count);
        if (!o->key || !o->key2 || !o->h || !o->h2 || !o->count) {
            order_free(o);
            return -1;
        }
        o->cap = n;
    }
    #pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; i++) {
        y90_rng r;
        y90_rng_init(&r, seed, Y90_STREAM_HISTORY, (uint64_t)(done + (int64_t)i));
        o->key2[i] = ops->order(ctx, done + (int64_t)i, &r);
        o->h2[i] = done + (int64_t)i;
    }
    size_t *count = o->count;
    for (int pass = 0; pass < 2; pass++) {
        const int shift = 16 * pass;
        uint32_t *ks = pass ? o->key : o->key2, *kd = pass ? o->key2 : o->key;
        int64_t *hs = pass ? o->h : o->h2, *hd = pass ? o->h2 : o->h;
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++) count[(ks[i] >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t b = 0; b < 65536; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t j = count[(ks[i] >> shift) & 0xFFFF]++;
            kd[j] = ks[i];
            hd[j] = hs[i];
        }
    }
    return 0; /* sorted into h2 (two passes: key2 -> key -> key2) */
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
    batch_order ord = {0};
    while (done < last && !failed) {
        if (in->stop && *in->stop) {
            reason = Y90_STOP_INTERRUPTED;
            break;
        }
        int64_t bs = batch_size(total, done - first, threads, rate), end = done + bs < last ? done + bs : last;
        double t0 = y90_wall_s();
        const int64_t *hs =
            ops->order && !order_batch(&ord, ops, ctx, in->tp->seed, done, end, threads) ? ord.h2 : NULL;
        const uint32_t *ks = hs ? ord.key2 : NULL; /* their keys */
        #pragma omp parallel num_threads(threads) reduction(| : failed)
        {
            y90_hist hb;
            y90_hist_init(&hb, t);
            void *scratch = NULL;
            int ok = 1;
            if (ops->thread_init) ok = (scratch = ops->thread_init(ctx)) != NULL;
            #pragma omp for schedule(dynamic, 64)
            for (int64_t i = done; i < end; i++) {
                if (!ok) continue;
                const int64_t h = hs ? hs[i - done] : i;
                if (ks && ops->prefetch && i + 2 < end) ops->prefetch(ctx, ks[i - done + 1], ks[i - done + 2]);
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
    order_free(&ord);
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
