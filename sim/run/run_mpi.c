/* y90mc: a run over MPI ranks (build option Y90_WITH_MPI): every rank builds the same phantom and sources (their
 * seeds make them identical), simulates its share of the histories with its own OpenMP threads, and the integer
 * tallies are summed exactly on rank 0 (MPI_SUM of uint64), which writes the file. Without MPI: one rank. */
#include <stdlib.h>
#include <string.h>
#include "y90/run.h"

#ifdef Y90_WITH_MPI
#include <limits.h>
#include <mpi.h>

static int mpi_on;

void y90_mpi_init(int *argc, char ***argv)
{
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) return;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) == MPI_SUCCESS) mpi_on = 1;
}

void y90_mpi_finalize(void)
{
    if (mpi_on) MPI_Finalize();
    mpi_on = 0;
}

int y90_mpi_rank(void)
{
    int r = 0;
    if (mpi_on) MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int y90_mpi_size(void)
{
    int n = 1;
    if (mpi_on) MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

void y90_mpi_barrier(void)
{
    if (mpi_on) MPI_Barrier(MPI_COMM_WORLD);
}

/* Sum n uint64 on rank 0 (in place there), in pieces MPI's int counts can hold. */
static int reduce_u64(uint64_t *v, size_t n, int rank)
{
    for (size_t off = 0; off < n; off += (size_t)INT_MAX / 2) {
        int cnt = (int)(n - off < (size_t)INT_MAX / 2 ? n - off : (size_t)INT_MAX / 2);
        int rc = rank == 0 ? MPI_Reduce(MPI_IN_PLACE, v + off, cnt, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD)
                           : MPI_Reduce(v + off, NULL, cnt, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return -1;
    }
    return 0;
}

#define SPLIT_CHUNK ((size_t)1 << 20)

/* Sum the split integers hi * 2^64 + lo of n bins over the ranks onto rank 0 without wrapping: MPI_SUM adds
 * uint64 modulo 2^64, so each value travels as a = its low 32 bits and b = the next 32 bits + hi * 2^32 (sums of
 * up to 2^31 ranks fit, and the b sum while the total carries stay below 2^32 - ranks, for the 3e4 of 1e13
 * histories), and rank 0 puts b * 2^32 + a back into lo with the carry into hi. hi is uint32 (hi32) or
 * uint64 (hi64). */
static int reduce_split(uint64_t *lo, uint32_t *hi32, uint64_t *hi64, size_t n, int rank)
{
    uint64_t *a = malloc(2 * (n < SPLIT_CHUNK ? n : SPLIT_CHUNK) * sizeof *a + 1);
    int bad = a == NULL;
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (bad) {
        free(a);
        return -1;
    }
    for (size_t off = 0; off < n; off += SPLIT_CHUNK) {
        size_t m = n - off < SPLIT_CHUNK ? n - off : SPLIT_CHUNK;
        uint64_t *b = a + m;
        for (size_t i = 0; i < m; i++) {
            uint64_t h = hi32 ? hi32[off + i] : hi64[off + i];
            a[i] = lo[off + i] & 0xffffffffu;
            b[i] = (lo[off + i] >> 32) + (h << 32);
        }
        if (reduce_u64(a, 2 * m, rank)) {
            free(a);
            return -1;
        }
        if (rank != 0) continue;
        for (size_t i = 0; i < m; i++) {
            uint64_t l = (b[i] << 32) + a[i], h = (b[i] >> 32) + (l < a[i]);
            lo[off + i] = l;
            if (hi32) hi32[off + i] = (uint32_t)h;
            else hi64[off + i] = h;
        }
    }
    free(a);
    return 0;
}

typedef struct {
    int64_t histories;
} ranks_ctx;

static y90_status combine(void *user, y90_status st, y90_run_result *res, const y90_grid *g,
                          const struct y90_sources *src, int *write, y90_error *err)
{
    const ranks_ctx *x = user;
    int rank = y90_mpi_rank();
    /* every rank learns whether one failed (or was interrupted) before any collective on the tallies */
    int mine = st ? (int)st : 0, worst = 0;
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    *write = rank == 0;
    if (worst) {
        *write = 0;
        if (st) return st == Y90_EINTERRUPTED ? Y90_FAIL(err, st, "interrupted: an MPI run writes nothing") : st;
        return Y90_FAIL(err, (y90_status)worst, "another MPI rank failed (its message is on stderr)");
    }
    y90_tally *t = &res->tally;
    uint64_t scalars[Y90_EB_N + 1], scalars_hi[Y90_EB_N + 1];
    memcpy(scalars, t->eb, sizeof t->eb);
    memcpy(scalars_hi, t->eb_hi, sizeof t->eb_hi);
    scalars[Y90_EB_N] = t->deposited;
    scalars_hi[Y90_EB_N] = t->deposited_hi;
    if (reduce_split(t->sum, t->sum_hi, NULL, t->nvox, rank) || reduce_split(t->sum2, t->sum2_hi, NULL, t->nvox, rank) ||
        reduce_split(scalars, NULL, scalars_hi, Y90_EB_N + 1, rank))
        return Y90_FAIL(err, Y90_EIO, "MPI_Reduce of the tallies failed (or out of memory for its buffer)");
    int threads = res->threads, all_threads = 0;
    double runtime = res->runtime_s, slowest = 0;
    MPI_Reduce(&threads, &all_threads, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&runtime, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank != 0) return Y90_OK;
    memcpy(t->eb, scalars, sizeof t->eb);
    memcpy(t->eb_hi, scalars_hi, sizeof t->eb_hi);
    t->deposited = scalars[Y90_EB_N];
    t->deposited_hi = scalars_hi[Y90_EB_N];
    /* the whole run's result from the summed tallies, exactly as one process would compute it */
    y90_run_result whole = {0};
    y90_status s2 = y90_tally_to_result(t, g, x->histories, src->decays, &whole, err);
    if (s2) {
        y90_run_result_free(&whole);
        return s2;
    }
    whole.tally = *t;
    memset(t, 0, sizeof *t);
    whole.seed = res->seed;
    whole.kernel = res->kernel;
    whole.threads = all_threads;
    whole.runtime_s = slowest;
    whole.histories_total = x->histories;
    whole.histories_requested = x->histories;
    whole.ranks = y90_mpi_size();
    y90_run_result_free(res);
    *res = whole;
    return Y90_OK;
}

y90_status y90_run_ranks(const y90_config *c, const y90_run_options *o, y90_error *err)
{
    int size = y90_mpi_size();
    if (size == 1) return y90_run(c, o, err);
    if (size > c->transport.histories)
        return Y90_FAIL(err, Y90_EINPUT, "%d MPI ranks for %lld histories: expected at most one rank per history",
                        size, (long long)c->transport.histories);
    ranks_ctx x = {c->transport.histories};
    y90_run_hook hook = {combine, &x};
    y90_run_options ro = *o;
    if (y90_mpi_rank() != 0) { /* one voice: rank 0 reports */
        ro.log = NULL;
        ro.progress = NULL;
    }
    return y90_run_with(c, &ro, y90_mpi_rank() + 1, size, &hook, err);
}

#else /* without MPI: one rank */

void y90_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}
void y90_mpi_finalize(void) {}
int y90_mpi_rank(void) { return 0; }
int y90_mpi_size(void) { return 1; }
void y90_mpi_barrier(void) {}

y90_status y90_run_ranks(const y90_config *c, const y90_run_options *o, y90_error *err)
{
    return y90_run(c, o, err);
}

#endif
