/* The integer tallies of the kernels (kernels/tally.c, kernels/driver.c): sums that cannot wrap (carries into a
 * high word), exact merges of parts, and the same bits for any thread count. Synthetic histories with large
 * deposits pass the 64-bit limits quickly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "../kernels/driver.h"
#include "y90/config.h"

/* MeV per even history in voxel 0: 4e13 energy units, its square 1.6e19 squared-energy units (one still fits a
 * uint64: the most one history may add). Its sums pass 2^64 = 1.8e19 after 0.46e6 (energy) and 1.15 (squared
 * energy) such histories. */
#define BIG_MEV 4e4

static void big_history(const void *ctx, void *scratch, int64_t h, y90_rng *r, y90_hist *hb)
{
    (void)ctx;
    (void)scratch;
    (void)r;
    double e = (h % 2 == 0) ? BIG_MEV : 0.0;
    if (e > 0) y90_hist_score(hb, 0, e);
    y90_hist_score(hb, 1, 1.0 + (double)(h % 7) * 1e-3);
    hb->eb[Y90_EB_EMITTED] += e + 1.0 + (double)(h % 7) * 1e-3;
}

/* Histories [first, first + n) of ops with seed 7 on threads threads into a new tally t of nvox bins. */
static void drive(const y90_kernel_ops *ops, const void *ctx, int threads, int64_t first, int64_t n, size_t nvox,
                  y90_tally *t)
{
    y90_config c;
    y90_config_defaults(&c);
    y90_transport_params tp = c.transport;
    tp.histories = first + n;
    tp.threads = threads;
    tp.seed = 7;
    y90_kernel_input in = {.tp = &tp, .first = first, .count = n};
    int64_t done = 0;
    int used = 0;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_tally_alloc(t, nvox, &e), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_drive_tally(&in, ops, ctx, t, &done, &used, NULL, &e), Y90_OK);
    CU_ASSERT_EQUAL(done, n);
    y90_config_free(&c);
}

static void run_big(int threads, int64_t first, int64_t n, y90_tally *t)
{
    const y90_kernel_ops ops = {.name = "synthetic", .history = big_history};
    drive(&ops, NULL, threads, first, n, 2, t);
}

/* The exact totals of histories [0, n): voxel 0 gets BIG_MEV from each of the n/2 even ones. */
static unsigned __int128 big_sum(int64_t n) { return (unsigned __int128)(n / 2) * 40000000000000ull; }
static unsigned __int128 big_sum2(int64_t n)
{
    double x = 4e13 * (Y90_TALLY_E_UNIT / sqrt(Y90_TALLY_E2_UNIT)); /* the squared units of one, as flush rounds them */
    uint64_t one = (uint64_t)(x * x + 0.5);
    CU_ASSERT(fabs((double)one - 1.6e19) < 1e5);
    return (unsigned __int128)(n / 2) * one;
}
static unsigned __int128 u128(uint64_t hi, uint64_t lo) { return ((unsigned __int128)hi << 64) | lo; }

/* 1e6 histories, half of them depositing 4e4 MeV in one voxel: the energy sum (2e19 units) passes 2^64 once, the
 * squared-energy sum (8e24 units) 4.3e5 times; a uint64 tally (before the carries) kept both modulo 2^64. The
 * totals must be exact, the relative uncertainty that of a two-point distribution, 1/sqrt(N-1), and the energy
 * balance (5 emitted sums, 2e19 units) must close. */
static void test_no_wrap(void)
{
    const int64_t n = 1000000;
    y90_tally t;
    run_big(2, 0, n, &t);
    CU_ASSERT(u128(t.sum_hi[0], t.sum[0]) == big_sum(n));
    CU_ASSERT(u128(t.sum2_hi[0], t.sum2[0]) == big_sum2(n));
    CU_ASSERT(t.sum_hi[0] == 1 && t.sum2_hi[0] > 400000);
    double e0 = y90_tally_energy(&t, 0), u0 = y90_tally_rel_unc(&t, 0, (double)n);
    y90_energy_balance eb;
    y90_tally_balance(&t, &eb);
    printf("\n  voxel energy %.6e MeV (expected %.6e), rel. unc. %.7e (expected %.7e), carries %u and %u",
           e0, BIG_MEV * (double)n / 2, u0, 1.0 / sqrt((double)n - 1), t.sum_hi[0], t.sum2_hi[0]);
    CU_ASSERT(y90t_rel(e0, BIG_MEV * (double)n / 2) < 1e-12);
    CU_ASSERT(y90t_rel(u0, 1.0 / sqrt((double)n - 1)) < 1e-6);
    CU_ASSERT(y90t_rel(eb.deposited, eb.emitted) < 1e-12);
    CU_ASSERT(t.deposited_hi == 1 && t.eb_hi[Y90_EB_EMITTED] == 1);
    y90_tally_free(&t);
}

/* The same bits with 1 and 3 threads, and parts [0, a) + [a, n) added (y90_tally_add, as `merge` and MPI do)
 * equal to the whole: the carries of the low words of both parts are added as well. */
static void test_threads_and_parts(void)
{
    const int64_t n = 300001, a = 170003;
    y90_tally one, three, p1, p2;
    run_big(1, 0, n, &one);
    run_big(3, 0, n, &three);
    run_big(2, 0, a, &p1);
    run_big(3, a, n - a, &p2);
    y90_tally_add(&p1, &p2);
    const y90_tally *t[2] = {&three, &p1};
    for (int i = 0; i < 2; i++) {
        for (size_t k = 0; k < 2; k++) {
            CU_ASSERT(one.sum[k] == t[i]->sum[k] && one.sum_hi[k] == t[i]->sum_hi[k]);
            CU_ASSERT(one.sum2[k] == t[i]->sum2[k] && one.sum2_hi[k] == t[i]->sum2_hi[k]);
        }
        CU_ASSERT(memcmp(one.eb, t[i]->eb, sizeof one.eb) == 0 && memcmp(one.eb_hi, t[i]->eb_hi, sizeof one.eb_hi) == 0);
        CU_ASSERT(one.deposited == t[i]->deposited && one.deposited_hi == t[i]->deposited_hi);
    }
    CU_ASSERT(u128(one.sum2_hi[0], one.sum2[0]) == big_sum2(n + 1));
    y90_tally_free(&one);
    y90_tally_free(&three);
    y90_tally_free(&p1);
    y90_tally_free(&p2);
}

/* A history depositing in more voxels than the fixed buffer holds (Y90_HIST_CAP): 2.5 buffers of distinct voxels,
 * then voxel 0 (spilled long before) again. */
#define WIDE_NV (5 * Y90_HIST_CAP / 2)
static uint64_t wide_units(int64_t h, int i) { return 1000000u * (uint64_t)(1 + (h + i) % 5); } /* 1e-3..5e-3 MeV */
static void wide_history(const void *ctx, void *scratch, int64_t h, y90_rng *r, y90_hist *hb)
{
    (void)ctx;
    (void)scratch;
    (void)r;
    for (int i = 0; i < WIDE_NV; i++) {
        double e = (double)wide_units(h, i) * Y90_TALLY_E_UNIT;
        y90_hist_score(hb, (size_t)i, e);
        hb->eb[Y90_EB_EMITTED] += e;
    }
    y90_hist_score(hb, 0, 2e-3);
    hb->eb[Y90_EB_EMITTED] += 2e-3;
}

/* Histories that overflow the buffer spill into the tally: every voxel's energy sum, the deposited total and the
 * energy balance exact (integer totals computed here), the squared-energy sums of the voxels scored once per
 * history exact, and the same bits with 1 and 3 threads. */
static void test_buffer_overflow(void)
{
    const int64_t n = 200;
    y90_tally t[2];
    const y90_kernel_ops ops = {.name = "synthetic", .history = wide_history};
    for (int k = 0; k < 2; k++) drive(&ops, NULL, k == 0 ? 1 : 3, 0, n, WIDE_NV, &t[k]);
    int bad_sum = 0, bad_sum2 = 0;
    uint64_t total = 0;
    for (int i = 0; i < WIDE_NV; i++) {
        uint64_t s1 = 0, s2 = 0;
        for (int64_t h = 0; h < n; h++) {
            uint64_t u = wide_units(h, i);
            double x = (double)u * (Y90_TALLY_E_UNIT / sqrt(Y90_TALLY_E2_UNIT));
            s1 += u + (i == 0 ? 2000000u : 0);
            s2 += (uint64_t)(x * x + 0.5);
        }
        total += s1;
        bad_sum += t[0].sum[i] != s1 || t[0].sum_hi[i] != 0;
        bad_sum2 += i > 0 && t[0].sum2[i] != s2;
        bad_sum += t[1].sum[i] != t[0].sum[i] || t[1].sum2[i] != t[0].sum2[i];
    }
    printf("\n  %d voxels per history (buffer %d): %d energy sums wrong, %d squared sums wrong", WIDE_NV + 1,
           Y90_HIST_CAP, bad_sum, bad_sum2);
    CU_ASSERT_EQUAL(bad_sum, 0);
    CU_ASSERT_EQUAL(bad_sum2, 0);
    for (int k = 0; k < 2; k++) {
        CU_ASSERT(t[k].deposited == total && t[k].deposited_hi == 0);
        CU_ASSERT(t[k].eb[Y90_EB_EMITTED] == total);
        y90_tally_free(&t[k]);
    }
}

/* Histories run in the order of a key (y90_kernel_ops.order): each gets the stream its key saw, all of them run
 * once, sorted within each batch, and the tally is the same bits as in index order; the cache hint (prefetch) sees
 * the next keys in their sorted order. */
typedef struct {
    int64_t *seq;   /* histories in the order they ran (one thread) */
    int64_t *n;     /* how many ran */
    int *mismatch;  /* histories whose stream differs from the one their key saw */
    int64_t *hints, *bad_hints; /* prefetch calls; those whose two keys were not in sorted order */
} order_ctx;

static void count_hint(const void *ctx, uint32_t key1, uint32_t key2)
{
    const order_ctx *o = ctx;
    __atomic_fetch_add(o->hints, 1, __ATOMIC_RELAXED);
    if (key1 > key2) __atomic_fetch_add(o->bad_hints, 1, __ATOMIC_RELAXED);
}

static uint32_t first_u32(const void *ctx, int64_t h, const y90_rng *r)
{
    (void)ctx;
    (void)h;
    y90_rng c = *r;
    return y90_rng_u32(&c);
}

static void ordered_history(const void *ctx, void *scratch, int64_t h, y90_rng *r, y90_hist *hb)
{
    const order_ctx *o = ctx;
    y90_rng c;
    y90_rng_init(&c, 7, Y90_STREAM_HISTORY, (uint64_t)h);
    if (y90_rng_u32(&c) != first_u32(ctx, h, r)) __atomic_fetch_add(o->mismatch, 1, __ATOMIC_RELAXED);
    if (o->seq) o->seq[(*o->n)++] = h;
    big_history(ctx, scratch, h, r, hb);
}

static void test_order(void)
{
    const int64_t n = 300001;
    y90_tally plain, t[2];
    run_big(1, 0, n, &plain);
    int mismatch = 0;
    int64_t ran = 0, hints = 0, bad_hints = 0;
    order_ctx o = {calloc((size_t)n, sizeof(int64_t)), &ran, &mismatch, &hints, &bad_hints};
    CU_ASSERT_PTR_NOT_NULL_FATAL(o.seq);
    const y90_kernel_ops ops = {.name = "synthetic", .history = ordered_history, .order = first_u32,
                                .prefetch = count_hint};
    for (int k = 0; k < 2; k++) {
        order_ctx ok = o;
        if (k) ok.seq = NULL; /* several threads: only the stream check and the tally */
        drive(&ops, &ok, k == 0 ? 1 : 3, 0, n, 2, &t[k]);
    }
    /* one thread: a permutation of 0..n-1 whose keys descend only where a batch ends (index order: n/2 times) */
    CU_ASSERT_EQUAL(ran, n);
    unsigned char *seen = calloc((size_t)n, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
    int64_t descents = 0, dup = 0;
    uint32_t prev = 0;
    for (int64_t i = 0; i < ran; i++) {
        int64_t h = o.seq[i];
        if (h < 0 || h >= n || seen[h]++) { dup++; continue; }
        y90_rng r;
        y90_rng_init(&r, 7, Y90_STREAM_HISTORY, (uint64_t)h);
        uint32_t key = first_u32(NULL, h, &r);
        descents += i > 0 && key < prev;
        prev = key;
    }
    printf("\n  %lld histories: %lld out of place or twice, %lld key descents (batch ends), %d stream mismatches; "
           "%lld prefetch hints, %lld with keys out of order", (long long)n, (long long)dup, (long long)descents,
           mismatch, (long long)hints, (long long)bad_hints);
    CU_ASSERT(hints > n); /* two runs, all but the last two histories of each batch */
    CU_ASSERT_EQUAL(bad_hints, 0);
    CU_ASSERT_EQUAL(dup, 0);
    CU_ASSERT(descents > 0 && descents < 1000);
    CU_ASSERT_EQUAL(mismatch, 0);
    for (int k = 0; k < 2; k++) {
        for (size_t v = 0; v < 2; v++) {
            CU_ASSERT(t[k].sum[v] == plain.sum[v] && t[k].sum_hi[v] == plain.sum_hi[v]);
            CU_ASSERT(t[k].sum2[v] == plain.sum2[v] && t[k].sum2_hi[v] == plain.sum2_hi[v]);
        }
        CU_ASSERT(memcmp(t[k].eb, plain.eb, sizeof plain.eb) == 0 && t[k].deposited == plain.deposited);
        y90_tally_free(&t[k]);
    }
    y90_tally_free(&plain);
    free(seen);
    free(o.seq);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("tally", NULL, NULL);
    CU_add_test(s, "sums that cannot wrap", test_no_wrap);
    CU_add_test(s, "same bits for any thread count and for added parts", test_threads_and_parts);
    CU_add_test(s, "histories overflowing the fixed buffer", test_buffer_overflow);
    CU_add_test(s, "histories in the order of a key", test_order);
}
