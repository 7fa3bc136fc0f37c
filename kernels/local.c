/* y90mc kernels: deterministic local deposition: the expected energy of the activity map, the mean electron
 * energy per decay (ICRP 107, Y90_MEAN_ENERGY_MEV, or the source's mono-energetic energy) times each voxel's
 * share of the decays, absorbed in that voxel. The share a microsphere absorbs itself stays in place too, so the
 * whole energy stays in the voxel. Nothing is sampled: zero statistical uncertainty, and the mean dose of a
 * structure holding all the activity is the MIRD single-compartment dose. */
#include <stdlib.h>
#include "driver.h"
#include "y90/source.h"

double y90_kernel_energy_per_decay(const y90_sources *s)
{
    return s->energy_mev > 0 ? s->energy_mev : Y90_MEAN_ENERGY_MEV;
}

y90_status y90_kernel_deterministic_begin(const y90_kernel_input *in, const char *name, y90_run_result *res,
                                          double *t0, y90_error *err)
{
    *t0 = y90_wall_s();
    const size_t n = y90_grid_nvox(in->grid);
    res->nvox = n;
    res->kernel = name;
    res->histories = 0;
    res->seed = in->tp->seed;
    res->threads = in->tp->threads > 0 ? in->tp->threads : 1;
    res->decays = in->src->decays;
    res->dose = y90_calloc(n, sizeof(double), "dose grid", err);
    res->rel_unc = res->dose ? y90_calloc(n, sizeof(float), "uncertainty grid", err) : NULL;
    if (!res->rel_unc) return err ? err->code : Y90_ENOMEM;
    return Y90_OK;
}

void y90_kernel_deterministic_end(y90_run_result *res, double t0)
{
    res->runtime_s = y90_wall_s() - t0;
}

y90_status y90_kernel_local_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err)
{
    double t0;
    y90_status st = y90_kernel_deterministic_begin(in, "local", res, &t0, err);
    if (st) return st;
    const y90_grid *g = in->grid;
    const double E = y90_kernel_energy_per_decay(in->src); /* MeV per decay */
    /* the activity map goes into the dose array, then becomes the dose in place */
    st = y90_sources_activity_map(in->src, g, in->tp->activity_map == Y90_ACTIVITY_EXPECTED, res->dose, err);
    if (st) return st;
    double dep = 0;
    for (size_t v = 0; v < res->nvox; v++) {
        double e = res->dose[v] * E, m = y90_grid_voxel_mass_kg(g, v); /* MeV per decay, kg */
        dep += e;
        res->dose[v] = m > 0 ? e * in->src->decays * Y90_J_PER_MEV / m : 0.0;
    }
    res->eb.emitted = E;
    res->eb.deposited = dep;
    res->eb.escaped_electron = E - dep; /* rounding only: every source lies in the grid */
    y90_kernel_deterministic_end(res, t0);
    return Y90_OK;
}
