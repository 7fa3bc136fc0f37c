/* Electron range rejection (transport.range_rejection): on and off give the same energy per structure within
 * statistics, and history by history the energy balance is exact either way. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/config.h"
#include "y90/phantom.h"
#include "y90/physics.h"
#include "y90/source.h"
#include "../kernels/mc.h"

#define NH 100000 /* histories per setting */
#define NSTRUCT 8
#define NLAYER 15 /* 2 mm voxel layers along z */

typedef struct {
    double sum[NSTRUCT], sum2[NSTRUCT]; /* MeV, MeV^2: per structure, over histories */
    double lsum[NLAYER], lsum2[NLAYER]; /* the same per voxel layer */
    double worst_imb;                   /* MeV: largest |emitted - deposited - escaped| of one history */
    double imb, emitted;                /* MeV: emitted - deposited - escaped, and emitted, summed */
    size_t scores;                      /* voxels scored, summed over histories */
    int nstruct;
} rr_result;

/* 90Y uniform in a 2 mm liver slab (one voxel layer: energy rejected in it stays in the source layer, so a
 * rejection that kept electrons which can leave their voxel would show), then 4 mm of cortical bone, 4 mm of
 * liver and 20 mm of lung, 2 mm voxels; history by history with the kernel's own history function and
 * streams. */
static void run_slabs(int range_rejection, uint64_t seed, rr_result *out)
{
    memset(out, 0, sizeof *out);
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.type = Y90_PHANTOM_SLABS;
    c.phantom.voxel_mm = 2.0;
    c.phantom.box_size_mm[0] = c.phantom.box_size_mm[1] = 30;
    c.phantom.nslabs = 4;
    const char *mat[4] = {"liver", "bone_cortical", "liver", "lung"};
    const double rho[4] = {1.06, 1.85, 1.06, 0.26}, t[4] = {2, 4, 4, 20};
    for (int k = 0; k < 4; k++) {
        strcpy(c.phantom.slab_materials[k], mat[k]);
        c.phantom.slab_densities[k] = rho[k];
        c.phantom.slab_thickness_mm[k] = t[k];
    }
    c.source.type = Y90_SOURCE_UNIFORM_STRUCTURE;
    strcpy(c.source.structure, "slab0");
    c.treatment.activity_gbq = 1;
    c.transport.range_rejection = range_rejection;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_physics *ph = NULL;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_phantom_build(&c.phantom, 0, &g, NULL, &e) == Y90_OK);
    CU_ASSERT_FATAL(y90_sources_build(&c, &g, &s, &e) == Y90_OK);
    CU_ASSERT_FATAL(y90_physics_build(&c, &g, &s, &ph, &e) == Y90_OK);
    CU_ASSERT_FATAL(ph->range_rejection == range_rejection);
    CU_ASSERT_FATAL(g.nstructures <= NSTRUCT && g.nz == NLAYER);
    out->nstruct = g.nstructures;
    mc_params *P = malloc(sizeof *P);
    CU_ASSERT_FATAL(P != NULL);
    CU_ASSERT_FATAL(mc_params_init(P, ph, &g, &s, &e) == Y90_OK);
    void *w = mc_thread_init(P);
    /* the history buffer without a tally: a 90Y decay scores in far fewer than Y90_HIST_CAP voxels (checked), so
     * it never spills */
    y90_hist *hb = malloc(sizeof *hb);
    CU_ASSERT_FATAL(w != NULL && hb != NULL);
    for (int64_t h = 0; h < NH; h++) {
        y90_rng r;
        y90_rng_init(&r, seed, Y90_STREAM_HISTORY, (uint64_t)h);
        y90_hist_init(hb, NULL);
        mc_history(P, w, h, &r, hb);
        CU_ASSERT_FATAL(hb->n < Y90_HIST_CAP);
        double es[NSTRUCT] = {0}, el[NLAYER] = {0}, dep = 0;
        for (size_t i = 0; i < hb->n; i++) {
            double x = (double)hb->e[i] * Y90_TALLY_E_UNIT;
            es[g.label[hb->vox[i]]] += x;
            el[hb->vox[i] / ((size_t)g.nx * (size_t)g.ny)] += x;
            dep += x;
        }
        for (int k = 0; k < NSTRUCT; k++) {
            out->sum[k] += es[k];
            out->sum2[k] += es[k] * es[k];
        }
        for (int k = 0; k < NLAYER; k++) {
            out->lsum[k] += el[k];
            out->lsum2[k] += el[k] * el[k];
        }
        out->scores += hb->n;
        double imb = hb->eb[Y90_EB_EMITTED] - dep - hb->eb[Y90_EB_ESC_E] - hb->eb[Y90_EB_ESC_PH];
        out->worst_imb = fmax(out->worst_imb, fabs(imb));
        out->imb += imb;
        out->emitted += hb->eb[Y90_EB_EMITTED];
    }
    free(hb);
    mc_thread_free(w);
    mc_params_free(P);
    free(P);
    y90_physics_free(ph);
    y90_sources_free(&s);
    y90_grid_free(&g);
}

/* (a - b) in units of the combined standard error of two independent means of NH histories */
static double zscore(double s1, double q1, double s0, double q0)
{
    double m1 = s1 / NH, m0 = s0 / NH;
    double v1 = (q1 / NH - m1 * m1) / (NH - 1), v0 = (q0 / NH - m0 * m0) / (NH - 1);
    return v1 + v0 > 0 ? (m1 - m0) / sqrt(v1 + v0) : 0.0;
}

/* Per structure each within 3 sigma, and per voxel layer along z (where moving energy within 2 mm would show)
 * a chi-square below its 0.999 quantile. */
static void test_range_rejection_unbiased(void)
{
    static rr_result on, off;
    run_slabs(1, 21, &on);
    run_slabs(0, 22, &off); /* another seed: the two results are independent */
    int tested = 0;
    for (int k = 0; k < on.nstruct; k++) {
        double m1 = on.sum[k] / NH, m0 = off.sum[k] / NH;
        if (m1 <= 0 && m0 <= 0) continue;
        double z = zscore(on.sum[k], on.sum2[k], off.sum[k], off.sum2[k]);
        printf("\n  structure %d: %.5f MeV per decay with range rejection, %.5f without (%+.2f sigma)", k, m1, m0, z);
        CU_ASSERT(fabs(z) < 3.0);
        tested++;
    }
    CU_ASSERT(tested >= 4); /* the four slabs */
    double chi2 = 0;
    int ndf = 0;
    printf("\n  layers:");
    for (int k = 0; k < NLAYER; k++) {
        if (on.lsum[k] <= 0 && off.lsum[k] <= 0) continue;
        double z = zscore(on.lsum[k], on.lsum2[k], off.lsum[k], off.lsum2[k]);
        printf(" %+.1f", z);
        chi2 += z * z;
        ndf++;
    }
    double lim = gsl_cdf_chisq_Qinv(1e-3, ndf);
    printf(" sigma; chi2 %.1f for %d layers (0.999 quantile %.1f)", chi2, ndf, lim);
    CU_ASSERT(ndf >= 10 && chi2 < lim); /* the deepest lung layers see a few bremsstrahlung photons at most */
    /* exact up to the tally's rounding of every deposit to 1e-9 MeV: a lost electron would be keV */
    printf("\n  voxels scored: %zu with range rejection, %zu without; imbalance %.1e / %.1e of the emitted energy, "
           "worst history %.1e / %.1e MeV",
           on.scores, off.scores, on.imb / on.emitted, off.imb / off.emitted, on.worst_imb, off.worst_imb);
    CU_ASSERT(fabs(on.imb) < 1e-9 * on.emitted && fabs(off.imb) < 1e-9 * off.emitted);
    CU_ASSERT(on.worst_imb < 1e-7 && off.worst_imb < 1e-7);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("range_rejection", NULL, NULL);
    CU_add_test(s, "range rejection on and off agree", test_range_rejection_unbiased);
}
