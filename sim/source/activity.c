/* y90mc: the activity map of the sources (fraction of the decays per voxel) for the deterministic kernels. */
#include <string.h>
#include "y90/source.h"

/* Expected microsphere activity: the uptake model's weight per mass, liver and lung shares by sphere count. */
static void expected_spheres(const y90_sources *s, const y90_grid *g, double *frac)
{
    size_t n = y90_grid_nvox(g);
    double tl = 0, tg = 0;
    for (size_t i = 0; i < n; i++) { /* activity_map: the image's amount per voxel replaces the liver uptake */
        tl += s->voxel_uptake ? s->voxel_uptake[i] : s->uptake_liver[g->label[i]] * (double)g->density[i];
        tg += s->uptake_lung[g->label[i]] * (double)g->density[i];
    }
    double fl = (double)s->spheres_in_lung / (double)s->nspheres; /* shunted share of the activity */
    double kl = tl > 0 ? (1.0 - fl) / tl : 0, kg = tg > 0 ? fl / tg : 0;
    for (size_t i = 0; i < n; i++)
        frac[i] = kl * (s->voxel_uptake ? s->voxel_uptake[i] : s->uptake_liver[g->label[i]] * (double)g->density[i]) +
                  kg * s->uptake_lung[g->label[i]] * (double)g->density[i];
}

static double overlap(double a0, double a1, double b0, double b1)
{
    double lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0.0;
}

static void uniform_box(const y90_sources *s, const y90_grid *g, double *frac)
{
    const int n[3] = {g->nx, g->ny, g->nz};
    double vol = 1;
    for (int a = 0; a < 3; a++) vol *= s->box_hi[a] - s->box_lo[a];
    for (int iz = 0; iz < n[2]; iz++) {
        double z0 = g->lo[2] + iz * g->spacing[2], oz = overlap(z0, z0 + g->spacing[2], s->box_lo[2], s->box_hi[2]);
        for (int iy = 0; iy < n[1]; iy++) {
            double y0 = g->lo[1] + iy * g->spacing[1];
            double oy = overlap(y0, y0 + g->spacing[1], s->box_lo[1], s->box_hi[1]);
            for (int ix = 0; ix < n[0]; ix++) {
                double x0 = g->lo[0] + ix * g->spacing[0];
                double ox = overlap(x0, x0 + g->spacing[0], s->box_lo[0], s->box_hi[0]);
                frac[y90_grid_index(g, ix, iy, iz)] = ox * oy * oz / vol;
            }
        }
    }
}

y90_status y90_sources_activity_map(const y90_sources *s, const y90_grid *g, int expected, double *frac,
                                    y90_error *err)
{
    size_t n = y90_grid_nvox(g), v;
    memset(frac, 0, n * sizeof *frac);
    switch (s->type) {
    case Y90_SOURCE_MICROSPHERES:
        if (expected) {
            expected_spheres(s, g, frac);
            return Y90_OK;
        }
        if (s->storage == Y90_SPHERES_COUNTS) { /* the voxels' activities: counts x activity, or cumulative */
            double tot = s->voxel_activity_cum ? s->voxel_activity_cum[n - 1] : (double)s->nspheres;
            for (size_t i = 0; i < n; i++)
                frac[i] = (s->voxel_activity_cum ? s->voxel_activity_cum[i] - (i ? s->voxel_activity_cum[i - 1] : 0.0)
                                                 : (double)(s->voxel_first[i + 1] - s->voxel_first[i])) / tot;
            return Y90_OK;
        }
        {
            double tot = 0;
            for (size_t i = 0; i < s->nspheres; i++) tot += s->spheres[i].activity_bq;
            for (size_t i = 0; i < s->nspheres; i++) {
                if (s->spheres[i].voxel >= n)
                    return Y90_FAIL(err, Y90_EINTERNAL, "sphere %zu in voxel %lu, outside the grid", i,
                                    (unsigned long)s->spheres[i].voxel);
                frac[s->spheres[i].voxel] += s->spheres[i].activity_bq / tot;
            }
        }
        return Y90_OK;
    case Y90_SOURCE_UNIFORM_BOX: uniform_box(s, g, frac); return Y90_OK;
    case Y90_SOURCE_UNIFORM_STRUCTURE:
        for (size_t k = 0; k < s->nvoxels; k++) frac[s->voxels[k]] = 1.0 / (double)s->nvoxels;
        return Y90_OK;
    case Y90_SOURCE_VOXEL: frac[s->voxel] = 1.0; return Y90_OK;
    case Y90_SOURCE_ACTIVITY_MAP: break; /* built as MICROSPHERES */
    case Y90_SOURCE_POINT:
        if (y90_grid_locate(g, s->point, &v))
            return Y90_FAIL(err, Y90_EINTERNAL, "point source (%g, %g, %g) mm lies outside the grid", s->point[0],
                            s->point[1], s->point[2]);
        frac[v] = 1.0;
        return Y90_OK;
    }
    return Y90_FAIL(err, Y90_EINTERNAL, "unknown source type %d", (int)s->type);
}
