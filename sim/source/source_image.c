/* source.type activity_map: a 90Y PET (Bq/ml) or 99mTc-MAA SPECT (counts) image resampled onto the dose grid with
 * its amount conserved (include/y90/image.h); the part in the liver and tumour labels places the liver spheres,
 * scaled to the prescribed activity (sim/source/source.c); the lung shunt is placed as for microspheres. */
#include <math.h>
#include <stdlib.h>
#include "y90/image.h"
#include "y90/source.h"

y90_status y90_sources_read_activity_image(const y90_config *c, const y90_grid *g, y90_sources *s, y90_error *err)
{
    const char *path = c->source.activity_file;
    y90_image img;
    y90_status st = y90_image_read(path, y90_memory_limit_bytes(c->output.max_memory_gb), &img, err);
    if (st) return st;
    size_t n = y90_grid_nvox(g);
    s->voxel_uptake = y90_calloc(n, sizeof(double), "activity map on the dose grid", err);
    if (!s->voxel_uptake) st = err ? err->code : Y90_ENOMEM;
    if (!st)
        st = y90_image_resample_amount(&img, g, c->source.activity_kind == Y90_ACTIVITY_PET_BQ_ML, s->voxel_uptake,
                                       &s->image_on_grid, &s->image_total, err);
    y90_image_free(&img);
    if (st) return st;
    s->image_in_liver = 0;
    double amount_t = 0, amount_n = 0, mass_t = 0, mass_n = 0; /* voxel volume cancels in the ratio */
    for (size_t v = 0; v < n; v++) {
        y90_kind k = g->structures[g->label[v]].kind;
        if (k != Y90_KIND_LIVER_NORMAL && k != Y90_KIND_TUMOR_VIABLE && k != Y90_KIND_TUMOR_NECROTIC)
            s->voxel_uptake[v] = 0;
        s->image_in_liver += s->voxel_uptake[v];
        if (k == Y90_KIND_TUMOR_VIABLE) { amount_t += s->voxel_uptake[v]; mass_t += g->density[v]; }
        if (k == Y90_KIND_LIVER_NORMAL) { amount_n += s->voxel_uptake[v]; mass_n += g->density[v]; }
    }
    s->image_tn_ratio = mass_t > 0 && mass_n > 0 && amount_n > 0 ? (amount_t / mass_t) / (amount_n / mass_n) : NAN;
    if (!(s->image_total > 0))
        return Y90_FAIL(err, Y90_EINPUT, "%s: the activity image holds no positive value; expected a PET or SPECT "
                        "image with activity", path);
    if (!(s->image_on_grid > 0))
        return Y90_FAIL(err, Y90_EINPUT, "%s: the activity image does not overlap the label map %s; expected images "
                        "of one patient in one frame", path, c->phantom.label_file);
    return Y90_OK; /* no activity in the liver: place_spheres says so */
}
