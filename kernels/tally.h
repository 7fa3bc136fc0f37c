/* y90mc kernels: order-independent integer tallies and the per-history scoring buffer (private). */
#ifndef Y90_KERNELS_TALLY_H
#define Y90_KERNELS_TALLY_H

#include <math.h>
#include <stdint.h>
#include "y90/kernel.h"

/* Fixed-point units: energy in 1e-9 MeV, per-history squared energy in 1e-10 MeV^2 (a history depositing 2.28 MeV
 * adds 5.2e10; the 64-bit low word alone held 3.5e8 such histories in one voxel, hence the carries of
 * y90/kernel.h). Integer sums are exact and independent of the order of addition, so the dose is bitwise identical
 * for any thread count and schedule. */
#define Y90_TALLY_E_UNIT 1e-9   /* MeV */
#define Y90_TALLY_E2_UNIT 1e-10 /* MeV^2 */

/* y90_tally and its energy-balance terms are public (y90/kernel.h): parts of a run are merged by adding them. */

/* Deposits of one history, merged per voxel before they reach the shared tally: a fixed buffer (no allocation in
 * the history loop; 32 kB per thread). A history that deposits in more than Y90_HIST_CAP voxels (the default liver
 * case needs at most 37, configs/microscale_lobules.yaml up to 955: bench/RESULTS.md) spills the full buffer into
 * the tally and goes on: its energy sums stay exact, and its squared-energy terms are those of the parts (a voxel
 * scored both before and after a spill loses the cross term of its two parts in the variance estimate). */
#define Y90_HIST_CAP 2048
typedef struct {
    size_t n;
    y90_tally *t;                /* the tally a full buffer spills into */
    double eb[Y90_EB_N];         /* MeV */
    /* the thread's sums of the energy balance terms and (last) of the deposited energy, energy units, with their
     * carries: added to the tally once by y90_hist_finish, not by every history (shared cache line) */
    uint64_t acc[Y90_EB_N + 1], acc_hi[Y90_EB_N + 1];
    size_t vox[Y90_HIST_CAP];
    uint64_t e[Y90_HIST_CAP];    /* energy units */
} y90_hist;

/* An empty buffer that spills and flushes into t. */
void y90_hist_init(y90_hist *h, y90_tally *t);

/* Add the buffer's voxels to the tally and empty it (the energy balance terms stay for the flush). */
void y90_hist_spill(y90_hist *h);

/* Score e MeV in voxel v for the current history. */
static inline void y90_hist_score(y90_hist *h, size_t v, double e)
{
    uint64_t u = (uint64_t)(e / Y90_TALLY_E_UNIT + 0.5);
    if (u == 0) return;
    if (h->n > 0 && h->vox[h->n - 1] == v) {
        h->e[h->n - 1] += u;
        return;
    }
    for (size_t i = 0; i + 1 < h->n; i++)
        if (h->vox[i] == v) {
            h->e[i] += u;
            return;
        }
    if (h->n == Y90_HIST_CAP) y90_hist_spill(h);
    h->vox[h->n] = v;
    h->e[h->n++] = u;
}

/* Add a finished history to the tally (atomic integer adds; its energy balance to the thread's sums) and clear
 * the buffer. */
void y90_hist_flush(y90_hist *h);

/* Add the thread's sums of the energy balance to the tally (after its last history). */
void y90_hist_finish(y90_hist *h);

/* Energy in bin k, MeV. */
static inline double y90_tally_energy(const y90_tally *t, size_t k)
{
    return y90_u96_double(t->sum_hi[k], t->sum[k]) * Y90_TALLY_E_UNIT;
}

/* 1-sigma relative uncertainty of the mean energy per history in bin k (history-by-history estimator). */
static inline double y90_tally_rel_unc(const y90_tally *t, size_t k, double N)
{
    double s1 = y90_tally_energy(t, k), s2 = y90_u96_double(t->sum2_hi[k], t->sum2[k]) * Y90_TALLY_E2_UNIT;
    double mean = s1 / N, var = N > 1 ? (s2 / N - mean * mean) / (N - 1) : 0.0;
    return mean > 0 ? sqrt(var > 0 ? var : 0) / mean : 0.0;
}

/* The energy balance of a tally, MeV. */
void y90_tally_balance(const y90_tally *t, y90_energy_balance *eb);


#endif
