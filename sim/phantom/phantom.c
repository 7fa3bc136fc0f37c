/* Phantoms: dispatch by type, the homogeneous box and the layered slabs used for validation.
 * The analytic adult liver is in sim/phantom/phantom_liver.c and its tumours in sim/phantom/tumours.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "y90/materials.h"
#include "liver.h"
#include "lobules.h"
#include "y90/phantom.h"

#define SLAB_WHOLE_VOXEL_TOL 1e-6 /* relative: a slab must be a whole number of voxels thick */
#define MAX_BURDEN_PERCENT 90.0   /* % of the liver: above this there is hardly any liver left */
#define MAX_SIZE_SIGMA 3.0        /* log-normal sigma of tumour volumes: wider puts most tumours below a voxel */
#define MAX_VOXELS_PER_AXIS 100000 /* beyond this the voxel count cannot be indexed sensibly */
#define FEW_LARGE_MAX 10          /* tumours at most in the few_large pattern */
#define MILIARY_MIN 20            /* tumours at least in the miliary pattern */

/* The density a key asks for, or the material's nominal density when it is 0 (g/cm3). */
static y90_status density_or_nominal(const char *key, const char *material, double density, double *out,
                                     y90_error *err)
{
    if (!(density >= 0.0) || !isfinite(density))
        return Y90_FAIL(err, Y90_EINPUT, "%s = %g: must be >= 0 g/cm3 (0 = the material's nominal density)", key,
                        density);
    if (density > 0.0) {
        *out = density;
        return Y90_OK;
    }
    const y90_material *m = y90_material_builtin(material);
    if (!m)
        return Y90_FAIL(err, Y90_EINPUT,
                        "%s = 0 asks for the nominal density of material \"%s\", which is not a built-in material: "
                        "give the density",
                        key, material);
    *out = m->density;
    return Y90_OK;
}

/* Number of voxels of edge v (mm) closest to a length (mm), at least 1. */
static y90_status voxels_along(const char *key, double length, double v, int *n, y90_error *err)
{
    if (!(length > 0.0) || !isfinite(length))
        return Y90_FAIL(err, Y90_EINPUT, "%s = %g mm: must be > 0", key, length);
    double k = floor(length / v + 0.5);
    if (k > MAX_VOXELS_PER_AXIS)
        return Y90_FAIL(err, Y90_ENOMEM, "%s = %g mm is %.3g voxels of %g mm: more than %d along one axis", key,
                        length, k, v, MAX_VOXELS_PER_AXIS);
    *n = k < 1.0 ? 1 : (int)k;
    return Y90_OK;
}

static int in_range(double x, double lo, double hi) { return x >= lo && x <= hi; } /* false for NaN */

/* The liver's parameters, checked here too so that a caller that skipped the config validation gets an
 * error, not a crash or an endless search. */
static y90_status check_liver_params(const y90_phantom_params *p, y90_error *err)
{
#define REQUIRE(ok, ...)                                                                                       \
    do {                                                                                                       \
        if (!(ok)) return Y90_FAIL(err, Y90_EINPUT, __VA_ARGS__);                                              \
    } while (0)
    REQUIRE(in_range(p->liver_mass_g, 1e-6, 1e5), "phantom.liver_mass_g = %g: must be > 0 g (and at most 1e5)",
            p->liver_mass_g);
    REQUIRE(in_range(p->liver_density, 1e-6, 30.0), "phantom.liver_density = %g: must be > 0 g/cm3",
            p->liver_density);
    REQUIRE(p->right_lobe_fraction > 0.0 && p->right_lobe_fraction < 1.0,
            "phantom.right_lobe_fraction = %g: must be in (0, 1)", p->right_lobe_fraction);
    REQUIRE(p->tumour_burden_percent >= 0.0 && p->tumour_burden_percent < MAX_BURDEN_PERCENT,
            "phantom.tumour_burden_percent = %g: must be in [0, %g)", p->tumour_burden_percent, MAX_BURDEN_PERCENT);
    REQUIRE(p->tumour_count >= 0 && p->tumour_count <= Y90_MAX_TUMOURS, "phantom.tumour_count = %d: must be in [0, %d]",
            p->tumour_count, Y90_MAX_TUMOURS);
    REQUIRE(!(p->tumour_burden_percent > 0.0 && p->tumour_count == 0),
            "phantom.tumour_count = 0 with phantom.tumour_burden_percent = %g: need at least one tumour",
            p->tumour_burden_percent);
    REQUIRE(in_range(p->tumour_size_sigma, 0.0, MAX_SIZE_SIGMA), "phantom.tumour_size_sigma = %g: must be in [0, %g]",
            p->tumour_size_sigma, MAX_SIZE_SIGMA);
    REQUIRE(p->necrotic_fraction >= 0.0 && p->necrotic_fraction < 1.0,
            "phantom.necrotic_fraction = %g: must be in [0, 1)", p->necrotic_fraction);
    REQUIRE(in_range(p->necrosis_min_diameter_mm, 0.0, 1e4), "phantom.necrosis_min_diameter_mm = %g: must be >= 0 mm",
            p->necrosis_min_diameter_mm);
    REQUIRE(p->tumour_pattern >= Y90_PATTERN_SCATTERED && p->tumour_pattern <= Y90_PATTERN_MIX,
            "phantom.tumour_pattern = %d: unknown pattern", (int)p->tumour_pattern);
    REQUIRE(p->tumour_lobes >= Y90_TREAT_BOTH && p->tumour_lobes <= Y90_TREAT_LEFT,
            "phantom.tumour_lobes = %d: unknown lobe choice", (int)p->tumour_lobes);
    int n = p->tumour_burden_percent > 0.0 ? p->tumour_count : 0;
    REQUIRE(!(p->tumour_pattern == Y90_PATTERN_FEW_LARGE && n > FEW_LARGE_MAX),
            "phantom.tumour_pattern = few_large with phantom.tumour_count = %d: at most %d (use scattered or mix)", n,
            FEW_LARGE_MAX);
    REQUIRE(!(p->tumour_pattern == Y90_PATTERN_MILIARY && n > 0 && n < MILIARY_MIN),
            "phantom.tumour_pattern = miliary with phantom.tumour_count = %d: needs at least %d", n, MILIARY_MIN);
    REQUIRE(!(p->tumour_pattern == Y90_PATTERN_MIX && n == 1),
            "phantom.tumour_pattern = mix with phantom.tumour_count = 1: needs a dominant lesion and at least one "
            "more");
    REQUIRE(!(p->tumour_pattern == Y90_PATTERN_MIX) || (p->tumour_large_fraction > 0.0 && p->tumour_large_fraction < 1.0),
            "phantom.tumour_large_fraction = %g: must be in (0, 1)", p->tumour_large_fraction);
    REQUIRE(in_range(p->lung_density, 1e-6, 30.0), "phantom.lung_density = %g: must be > 0 g/cm3", p->lung_density);
    REQUIRE(in_range(p->body_density, 1e-6, 30.0), "phantom.body_density = %g: must be > 0 g/cm3", p->body_density);
    REQUIRE(in_range(p->margin_mm, 0.0, 1000.0), "phantom.margin_mm = %g: must be in [0, 1000] mm", p->margin_mm);
#undef REQUIRE
    return Y90_OK;
}

static y90_status check_voxel(double v, y90_error *err)
{
    if (!(v > 0.0) || !isfinite(v)) return Y90_FAIL(err, Y90_EINPUT, "phantom.voxel_mm = %g: must be > 0 mm", v);
    return Y90_OK;
}

static y90_status check_material_name(const char *key, const char *name, y90_error *err)
{
    if (name[0] == '\0') return Y90_FAIL(err, Y90_EINPUT, "%s is empty: name a material", key);
    return Y90_OK;
}

/* Grid of nx x ny x (nz) cubic voxels of edge v, centred on 0 in x and y; z starts at z0. */
static y90_status alloc_lateral(y90_grid *g, const y90_phantom_params *p, int nz, double z0, size_t max_bytes,
                                y90_error *err)
{
    double v = p->voxel_mm;
    y90_status st = voxels_along("phantom.box_size_mm[0]", p->box_size_mm[0], v, &g->nx, err);
    if (st == Y90_OK) st = voxels_along("phantom.box_size_mm[1]", p->box_size_mm[1], v, &g->ny, err);
    if (st != Y90_OK) return st;
    g->nz = nz;
    for (int a = 0; a < 3; a++) g->spacing[a] = v;
    g->lo[0] = -0.5 * g->nx * v; /* mm: the actual size is n * v, centred on 0 */
    g->lo[1] = -0.5 * g->ny * v;
    g->lo[2] = z0;
    return y90_grid_alloc(g, max_bytes, err);
}

/* Fill z-slices [z0, z1) with one structure, material and density. */
static void fill_slices(y90_grid *g, int z0, int z1, int label, int material, double density)
{
    size_t per_slice = (size_t)g->nx * (size_t)g->ny;
    size_t a = (size_t)z0 * per_slice, b = (size_t)z1 * per_slice;
    memset(g->label + a, label, b - a);
    memset(g->material + a, material, b - a);
    for (size_t i = a; i < b; i++) g->density[i] = (float)density;
}

static y90_status build_box(const y90_phantom_params *p, size_t max_bytes, y90_grid *g, y90_error *err)
{
    double rho = 0.0; /* g/cm3 */
    y90_status st = check_material_name("phantom.material", p->material, err);
    if (st == Y90_OK) st = density_or_nominal("phantom.density", p->material, p->density, &rho, err);
    int nz = 0;
    if (st == Y90_OK) st = voxels_along("phantom.box_size_mm[2]", p->box_size_mm[2], p->voxel_mm, &nz, err);
    if (st == Y90_OK) st = alloc_lateral(g, p, nz, -0.5 * nz * p->voxel_mm, max_bytes, err);
    if (st != Y90_OK) return st;
    int s = y90_grid_add_structure(g, "medium", Y90_KIND_MEDIUM, Y90_LOBE_NONE);
    int m = y90_grid_add_material(g, p->material);
    fill_slices(g, 0, g->nz, s, m, rho);
    return Y90_OK;
}

/* Voxels in slab i; its thickness must be a whole number of voxels. */
static y90_status slab_voxels(const y90_phantom_params *p, int i, int *n, y90_error *err)
{
    double t = p->slab_thickness_mm[i], v = p->voxel_mm;
    if (!(t > 0.0) || !isfinite(t))
        return Y90_FAIL(err, Y90_EINPUT, "phantom.slab_thickness_mm[%d] = %g mm (slab %d): must be > 0", i, t, i);
    double k = floor(t / v + 0.5);
    if (k < 1.0 || fabs(k * v - t) > SLAB_WHOLE_VOXEL_TOL * t)
        return Y90_FAIL(err, Y90_EINPUT,
                        "phantom.slab_thickness_mm[%d] = %g mm (slab %d): must be a whole number of voxels of "
                        "phantom.voxel_mm = %g mm",
                        i, t, i, v);
    if (k > MAX_VOXELS_PER_AXIS)
        return Y90_FAIL(err, Y90_ENOMEM, "phantom.slab_thickness_mm[%d] = %g mm: more than %d voxels", i, t,
                        MAX_VOXELS_PER_AXIS);
    *n = (int)k;
    return Y90_OK;
}

/* Check every slab and return the total number of voxels along z and each slab's density. */
static y90_status check_slabs(const y90_phantom_params *p, int nvox[], double rho[], int *nz, y90_error *err)
{
    if (p->nslabs < 1 || p->nslabs > Y90_MAX_SLABS)
        return Y90_FAIL(err, Y90_EINPUT, "phantom.nslabs = %d: must be in [1, %d]", p->nslabs, Y90_MAX_SLABS);
    *nz = 0;
    for (int i = 0; i < p->nslabs; i++) {
        char key[64];
        snprintf(key, sizeof key, "phantom.slab_materials[%d]", i);
        y90_status st = check_material_name(key, p->slab_materials[i], err);
        snprintf(key, sizeof key, "phantom.slab_densities[%d]", i);
        if (st == Y90_OK) st = density_or_nominal(key, p->slab_materials[i], p->slab_densities[i], &rho[i], err);
        if (st == Y90_OK) st = slab_voxels(p, i, &nvox[i], err);
        if (st != Y90_OK) return st;
        *nz += nvox[i];
        if (*nz > MAX_VOXELS_PER_AXIS)
            return Y90_FAIL(err, Y90_ENOMEM, "phantom slabs: more than %d voxels along z", MAX_VOXELS_PER_AXIS);
    }
    return Y90_OK;
}

static y90_status build_slabs(const y90_phantom_params *p, size_t max_bytes, y90_grid *g, y90_error *err)
{
    int nvox[Y90_MAX_SLABS], nz = 0;
    double rho[Y90_MAX_SLABS];
    y90_status st = check_slabs(p, nvox, rho, &nz, err);
    if (st == Y90_OK) st = alloc_lateral(g, p, nz, 0.0, max_bytes, err);
    if (st != Y90_OK) return st;
    int z = 0;
    for (int i = 0; i < p->nslabs; i++) {
        char name[Y90_NAME_LEN];
        snprintf(name, sizeof name, "slab%d", i);
        int s = y90_grid_add_structure(g, name, Y90_KIND_MEDIUM, Y90_LOBE_NONE);
        int m = y90_grid_add_material(g, p->slab_materials[i]);
        if (s < 0 || m < 0) {
            y90_grid_free(g);
            return Y90_FAIL(err, Y90_EINTERNAL, "slab %d: structure or material table full", i);
        }
        fill_slices(g, z, z + nvox[i], s, m, rho[i]);
        z += nvox[i];
    }
    return Y90_OK;
}

/* Box and slabs: the size built (whole voxels) and whether it differs from phantom.box_size_mm. */
static void note_box_rounding(const y90_phantom_params *p, const y90_grid *g, int axes, y90_phantom_info *info)
{
    int n[3] = {g->nx, g->ny, g->nz};
    for (int a = 0; a < 3; a++) {
        info->box_size_used_mm[a] = n[a] * g->spacing[a];
        info->box_size_asked_mm[a] = a < axes ? p->box_size_mm[a] : info->box_size_used_mm[a];
        if (a < axes && fabs(info->box_size_used_mm[a] - p->box_size_mm[a]) > SLAB_WHOLE_VOXEL_TOL * p->box_size_mm[a])
            info->box_rounded = 1;
    }
}

/* g is overwritten (pass an empty grid; free it with y90_grid_free); on error it holds nothing. */
y90_status y90_phantom_build(const y90_phantom_params *p, size_t max_bytes, y90_grid *g, y90_phantom_info *info,
                             y90_error *err)
{
    memset(g, 0, sizeof *g);
    if (info) memset(info, 0, sizeof *info);
    if (p->type == Y90_PHANTOM_IMAGE) return y90_phantom_build_image(p, max_bytes, g, info, err);
    y90_status st = check_voxel(p->voxel_mm, err);
    if (st != Y90_OK) return st;
    switch (p->type) {
    case Y90_PHANTOM_LIVER:
        st = check_liver_params(p, err);
        return st == Y90_OK ? y90_phantom_build_liver(p, max_bytes, g, info, err) : st;
    case Y90_PHANTOM_BOX:
    case Y90_PHANTOM_SLABS:
        st = p->type == Y90_PHANTOM_BOX ? build_box(p, max_bytes, g, err) : build_slabs(p, max_bytes, g, err);
        if (st == Y90_OK && info) note_box_rounding(p, g, p->type == Y90_PHANTOM_BOX ? 3 : 2, info);
        return st;
    case Y90_PHANTOM_IMAGE: break; /* above */
    case Y90_PHANTOM_LOBULES:
        return y90_phantom_build_lobules(p, max_bytes, g, info, err);
    }
    return Y90_FAIL(err, Y90_EINPUT, "phantom.type = %d: unknown phantom type", (int)p->type);
}
