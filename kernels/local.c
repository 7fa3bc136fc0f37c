/* y90mc kernels: local deposition: each decay deposits the mean electron energy per decay (ICRP 107,
 * Y90_MEAN_ENERGY_MEV) in the voxel holding its sphere (or source point). No transport: the reference
 * for MIRD-like dosimetry and the simplest honest kernel. */
#include "driver.h"
#include "y90/source.h"

typedef struct {
    const y90_grid *g;
    const y90_sources *s;
} local_ctx;

static void local_history(const void *vctx, void *scratch, int64_t h, y90_rng *r, y90_hist *hb)
{
    const local_ctx *c = vctx;
    double p[3];
    long sphere;
    size_t v;
    y90_sources_sample(c->s, c->g, r, p, &sphere);
    const double E = c->s->energy_mev > 0 ? c->s->energy_mev : Y90_MEAN_ENERGY_MEV;
    hb->eb[Y90_EB_EMITTED] += E;
    if (y90_grid_locate(c->g, p, &v) == 0) y90_hist_score(hb, v, E);
    else hb->eb[Y90_EB_ESC_E] += E; /* a source outside the grid (not built by us) */
}

y90_status y90_kernel_local_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err)
{
    local_ctx c = {in->grid, in->src};
    const y90_kernel_ops ops = {"local", NULL, NULL, local_history};
    return y90_drive(in, &ops, &c, res, err);
}
