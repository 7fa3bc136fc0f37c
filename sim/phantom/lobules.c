/* y90mc: the microscale phantom: a block of liver built of hexagonal lobules.
 *
 * The classic hepatic lobule is a hexagonal prism about 1 mm across with a portal triad (hepatic arteriole,
 * portal venule, bile duct) at each of its six corners and a central vein along its axis (Encyclopaedia
 * Britannica, "liver": about 1 mm in diameter; histology texts: hexagonal, a portal triad at each corner, a
 * central vein; tests/reference notes). Here the lobules tile the x-y plane as the Voronoi cells of a triangular
 * lattice of central veins (centre spacing sqrt(3) R for the corner radius R = lobule_diameter_mm / 2) and run
 * straight along z; the lattice is shifted by a random offset (phantom.seed). The portal tracts are cylinders of
 * portal_radius_um along z through the hexagon corners, the central veins cylinders of central_vein_radius_um.
 * Spheres lodge in the portal tracts (sim/source/source.c), as histology of resected livers shows (Kennedy et al.
 * 2004, IJROBP 60:1552: spheres in portal-triad arterioles; Wang et al.: "in vessels within the portal tracts").
 * The block is a sample of an infinite liver: electrons leaving a face re-enter at the opposite one (grid.h
 * periodic), so the dose counts the spheres of the neighbouring blocks too (a 4 mm block alone would lose about
 * two thirds of the beta energy through its faces).
 * Optionally the last lobule_tumour_depth_mm of the block along +x is viable tumour (a tumour edge).
 * Every voxel is ICRU-46 liver at phantom.liver_density (blood and bile differ from it by a few percent). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lobules.h"
#include "y90/rng.h"

enum { LB_PARENCHYMA, LB_PORTAL, LB_CENTRAL, LB_TUMOUR };

/* Lattice of lobule centres: c(i, j) = off + i a1 + j a2, a1 = (d, 0), a2 = (d/2, d sqrt(3)/2). */
typedef struct {
    double R, d, off[2];
} lattice;

static void centre_of(const lattice *L, long i, long j, double c[2])
{
    c[0] = L->off[0] + L->d * ((double)i + 0.5 * (double)j);
    c[1] = L->off[1] + L->d * (0.5 * sqrt(3.0) * (double)j);
}

/* Nearest lobule centre of point (x, y): its lattice indices. */
static void nearest(const lattice *L, double x, double y, long *bi, long *bj)
{
    double fj = (y - L->off[1]) / (0.5 * sqrt(3.0) * L->d);
    double fi = (x - L->off[0]) / L->d - 0.5 * fj;
    long i0 = (long)floor(fi), j0 = (long)floor(fj);
    double best = INFINITY;
    for (long j = j0 - 1; j <= j0 + 2; j++)
        for (long i = i0 - 1; i <= i0 + 2; i++) {
            double c[2];
            centre_of(L, i, j, c);
            double dd = (x - c[0]) * (x - c[0]) + (y - c[1]) * (y - c[1]);
            if (dd < best) {
                best = dd;
                *bi = i;
                *bj = j;
            }
        }
}

/* Distance (mm) from (x, y) to the nearest corner of the hexagon around centre c: the corners lie at R from the
 * centre at 30 + 60 k degrees. */
static double corner_distance(const lattice *L, const double c[2], double x, double y)
{
    double best = INFINITY;
    for (int k = 0; k < 6; k++) {
        double a = (30.0 + 60.0 * k) * Y90_PI / 180.0;
        double px = c[0] + L->R * cos(a), py = c[1] + L->R * sin(a);
        best = fmin(best, hypot(x - px, y - py));
    }
    return best;
}

y90_status y90_phantom_build_lobules(const y90_phantom_params *p, size_t max_bytes, y90_grid *g,
                                     y90_phantom_info *info, y90_error *err)
{
    const double v = p->voxel_mm;
    int n[3];
    for (int a = 0; a < 3; a++) {
        double k = floor(p->lobule_block_mm[a] / v + 0.5);
        if (!(k >= 1) || k > 100000)
            return Y90_FAIL(err, Y90_EINPUT, "phantom.lobule_block_mm[%d] = %g mm is %.3g voxels of %g mm: expected "
                            "1 to 100000 voxels along one axis", a, p->lobule_block_mm[a], k, v);
        n[a] = (int)k;
    }
    g->nx = n[0];
    g->ny = n[1];
    g->nz = n[2];
    for (int a = 0; a < 3; a++) {
        g->spacing[a] = v;
        g->lo[a] = -0.5 * n[a] * v; /* the block centred on 0 */
    }
    y90_status st = y90_grid_alloc(g, max_bytes, err);
    if (st != Y90_OK) return st;
    size_t nv = y90_grid_nvox(g), per_slice = (size_t)g->nx * (size_t)g->ny;
    g->lobule_id = y90_calloc(nv, sizeof *g->lobule_id, "lobule ids", err);
    uint16_t *slice_id = g->lobule_id ? y90_calloc(per_slice, sizeof *slice_id, "lobule ids", err) : NULL;
    uint8_t *slice_label = slice_id ? y90_calloc(per_slice, 1, "lobule labels", err) : NULL;
    long *key = slice_label ? y90_calloc(2 * per_slice, sizeof *key, "lobule ids", err) : NULL;
    if (!key) {
        free(slice_id);
        free(slice_label);
        y90_grid_free(g);
        return err ? err->code : Y90_ENOMEM;
    }
    static const struct { const char *name; y90_kind kind; } S[] = {
        {"liver_parenchyma", Y90_KIND_LIVER_NORMAL}, {Y90_LOBULE_PORTAL, Y90_KIND_LIVER_NORMAL},
        {"central_vein", Y90_KIND_LIVER_NORMAL}, {"tumour_viable", Y90_KIND_TUMOR_VIABLE}};
    int nstruct = p->lobule_tumour_depth_mm > 0 ? 4 : 3;
    for (int k = 0; k < nstruct; k++) y90_grid_add_structure(g, S[k].name, S[k].kind, Y90_LOBE_NONE);
    int mat = y90_grid_add_material(g, "liver");
    lattice L = {.R = 0.5 * p->lobule_diameter_mm};
    L.d = sqrt(3.0) * L.R;
    y90_rng r;
    y90_rng_init(&r, p->seed, Y90_STREAM_PHANTOM, 0);
    L.off[0] = L.d * y90_rng_uniform(&r);
    L.off[1] = L.d * y90_rng_uniform(&r);
    const double rp = 1e-3 * p->portal_radius_um, rc = 1e-3 * p->central_vein_radius_um;
    const double x_tumour = g->lo[0] + n[0] * v - p->lobule_tumour_depth_mm;
    int nlob = 0, full = 0;
    for (int iy = 0; iy < g->ny && !full; iy++)
        for (int ix = 0; ix < g->nx; ix++) {
            size_t k = (size_t)iy * (size_t)g->nx + (size_t)ix;
            double x = g->lo[0] + (ix + 0.5) * v, y = g->lo[1] + (iy + 0.5) * v, c[2];
            long bi = 0, bj = 0;
            if (p->lobule_tumour_depth_mm > 0 && x >= x_tumour) {
                slice_label[k] = LB_TUMOUR;
                continue;
            }
            nearest(&L, x, y, &bi, &bj);
            centre_of(&L, bi, bj, c);
            slice_label[k] = corner_distance(&L, c, x, y) < rp ? LB_PORTAL
                             : hypot(x - c[0], y - c[1]) < rc  ? LB_CENTRAL
                                                               : LB_PARENCHYMA;
            int id = 0; /* number the lobules in the order the slice meets them */
            for (int q = 0; q < nlob && !id; q++)
                if (key[2 * q] == bi && key[2 * q + 1] == bj) id = q + 1;
            if (!id) {
                if (nlob >= 65535) { full = 1; break; }
                key[2 * nlob] = bi;
                key[2 * nlob + 1] = bj;
                id = ++nlob;
            }
            slice_id[k] = (uint16_t)id;
        }
    if (full) {
        free(slice_id);
        free(slice_label);
        free(key);
        y90_grid_free(g);
        return Y90_FAIL(err, Y90_EINPUT, "phantom.lobule_block_mm: more than 65535 lobules in the block; expected a "
                        "smaller block or larger lobules");
    }
    g->nlobules = nlob;
    g->periodic = 1;
    for (int iz = 0; iz < g->nz; iz++) { /* the lobules run straight along z */
        size_t a = (size_t)iz * per_slice;
        memcpy(g->label + a, slice_label, per_slice);
        memcpy(g->lobule_id + a, slice_id, per_slice * sizeof *slice_id);
        memset(g->material + a, mat, per_slice);
        for (size_t i = 0; i < per_slice; i++) g->density[a + i] = (float)p->liver_density;
    }
    free(slice_id);
    free(slice_label);
    free(key);
    if (info) {
        double vml = y90_grid_voxel_volume_mm3(g) * 1e-3;
        size_t ntum = 0;
        for (size_t i = 0; i < per_slice; i++) ntum += g->label[i] == LB_TUMOUR;
        info->liver_volume_ml = (double)nv * vml;
        info->liver_mass_g = info->liver_volume_ml * p->liver_density;
        info->tumour_volume_ml = (double)ntum * (double)g->nz * vml;
        info->tumour_burden_percent = 100.0 * info->tumour_volume_ml / info->liver_volume_ml;
    }
    return Y90_OK;
}
