/* y90mc kernels: integer tallies, per-history buffers, and conversion to dose and uncertainty. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tally.h"

y90_status y90_tally_alloc(y90_tally *t, size_t nvox, y90_error *err)
{
    memset(t, 0, sizeof *t);
    t->nvox = nvox;
    t->sum = y90_calloc(nvox, sizeof(uint64_t), "dose tally", err);
    t->sum2 = t->sum ? y90_calloc(nvox, sizeof(uint64_t), "dose variance tally", err) : NULL;
    t->sum_hi = t->sum2 ? y90_calloc(nvox, sizeof(uint32_t), "dose tally carries", err) : NULL;
    t->sum2_hi = t->sum_hi ? y90_calloc(nvox, sizeof(uint32_t), "dose variance tally carries", err) : NULL;
    if (!t->sum2_hi) {
        y90_tally_free(t);
        return err ? err->code : Y90_ENOMEM;
    }
    return Y90_OK;
}

void y90_tally_free(y90_tally *t)
{
    free(t->sum);
    free(t->sum2);
    free(t->sum_hi);
    free(t->sum2_hi);
    t->sum = t->sum2 = NULL;
    t->sum_hi = t->sum2_hi = NULL;
}

void y90_hist_init(y90_hist *h, y90_tally *t)
{
    h->n = 0;
    h->t = t;
    memset(h->eb, 0, sizeof h->eb);
    memset(h->acc, 0, sizeof h->acc);
    memset(h->acc_hi, 0, sizeof h->acc_hi);
}

/* Atomic add to the low word lo; an add that carries out of it adds one to the high word. */
static inline void add_u64_carry(uint64_t *lo, uint64_t v, uint64_t *hi)
{
    uint64_t old = __atomic_fetch_add(lo, v, __ATOMIC_RELAXED);
    if (old + v < old) __atomic_fetch_add(hi, 1, __ATOMIC_RELAXED);
}

static inline void add_u32_carry(uint64_t *lo, uint64_t v, uint32_t *hi)
{
    uint64_t old = __atomic_fetch_add(lo, v, __ATOMIC_RELAXED);
    if (old + v < old) __atomic_fetch_add(hi, 1u, __ATOMIC_RELAXED);
}

/* Add v to the thread's split sum (lo, hi). */
static inline void acc_add(uint64_t *lo, uint64_t *hi, uint64_t v)
{
    *lo += v;
    *hi += *lo < v;
}

void y90_hist_spill(y90_hist *h)
{
    y90_tally *t = h->t;
    uint64_t dep = 0;
    for (size_t i = 0; i < h->n; i++) {
        uint64_t e = h->e[i];
        size_t v = h->vox[i];
        double x = (double)e * (Y90_TALLY_E_UNIT / sqrt(Y90_TALLY_E2_UNIT)); /* in sqrt(E2 unit) */
        add_u32_carry(&t->sum[v], e, &t->sum_hi[v]);
        add_u32_carry(&t->sum2[v], (uint64_t)(x * x + 0.5), &t->sum2_hi[v]);
        dep += e;
    }
    acc_add(&h->acc[Y90_EB_N], &h->acc_hi[Y90_EB_N], dep);
    h->n = 0;
}

void y90_hist_flush(y90_hist *h)
{
    y90_hist_spill(h);
    for (int k = 0; k < Y90_EB_N; k++) {
        acc_add(&h->acc[k], &h->acc_hi[k], (uint64_t)(h->eb[k] / Y90_TALLY_E_UNIT + 0.5));
        h->eb[k] = 0;
    }
}

void y90_hist_finish(y90_hist *h)
{
    y90_tally *t = h->t;
    for (int k = 0; k <= Y90_EB_N; k++) {
        uint64_t *lo = k < Y90_EB_N ? &t->eb[k] : &t->deposited, *hi = k < Y90_EB_N ? &t->eb_hi[k] : &t->deposited_hi;
        add_u64_carry(lo, h->acc[k], hi);
        __atomic_fetch_add(hi, h->acc_hi[k], __ATOMIC_RELAXED);
        h->acc[k] = h->acc_hi[k] = 0;
    }
}

void y90_tally_add(y90_tally *a, const y90_tally *b)
{
    #pragma omp parallel for schedule(static)
    for (size_t i = 0; i < a->nvox; i++) {
        uint64_t s = a->sum[i] + b->sum[i], s2 = a->sum2[i] + b->sum2[i];
        a->sum_hi[i] += b->sum_hi[i] + (s < a->sum[i]);
        a->sum2_hi[i] += b->sum2_hi[i] + (s2 < a->sum2[i]);
        a->sum[i] = s;
        a->sum2[i] = s2;
    }
    for (int k = 0; k < Y90_EB_N; k++) {
        uint64_t s = a->eb[k] + b->eb[k];
        a->eb_hi[k] += b->eb_hi[k] + (s < a->eb[k]);
        a->eb[k] = s;
    }
    uint64_t d = a->deposited + b->deposited;
    a->deposited_hi += b->deposited_hi + (d < a->deposited);
    a->deposited = d;
}

void y90_tally_balance(const y90_tally *t, y90_energy_balance *eb)
{
#define EB(k) (y90_u96_double(t->eb_hi[k], t->eb[k]) * Y90_TALLY_E_UNIT)
    eb->emitted = EB(Y90_EB_EMITTED);
    eb->deposited = y90_u96_double(t->deposited_hi, t->deposited) * Y90_TALLY_E_UNIT;
    eb->escaped_electron = EB(Y90_EB_ESC_E);
    eb->escaped_photon = EB(Y90_EB_ESC_PH);
    eb->below_cutoff = EB(Y90_EB_CUTOFF);
    eb->in_spheres = EB(Y90_EB_SPHERE);
#undef EB
}

y90_status y90_tally_to_result(const y90_tally *t, const y90_grid *g, int64_t histories, double decays,
                               y90_run_result *res, y90_error *err)
{
    size_t n = t->nvox;
    res->nvox = n;
    res->dose = y90_calloc(n, sizeof(double), "dose grid", err);
    res->rel_unc = res->dose ? y90_calloc(n, sizeof(float), "uncertainty grid", err) : NULL;
    res->edep_mev = res->rel_unc ? y90_calloc(n, sizeof(double), "energy grid", err) : NULL;
    if (!res->edep_mev) return err ? err->code : Y90_ENOMEM;
    const double N = (double)histories;
    const double per_history_to_total = decays / N; /* each simulated history stands for this many decays */
    #pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        double s1 = y90_tally_energy(t, i), m = y90_grid_voxel_mass_kg(g, i);
        res->edep_mev[i] = s1;
        res->dose[i] = m > 0 ? s1 * per_history_to_total * Y90_J_PER_MEV / m : 0.0;
        res->rel_unc[i] = (float)y90_tally_rel_unc(t, i, N);
    }
    y90_tally_balance(t, &res->eb);
    res->histories = histories;
    res->decays = decays;
    return Y90_OK;
}

double y90_tally_voxel_rel_unc(const y90_tally *t, size_t i, double n)
{
    return y90_tally_rel_unc(t, i, n);
}
