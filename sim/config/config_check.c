/* y90mc: the config checks across keys (a key that needs another, lists whose lengths must agree, the phantom
 * a source type needs), with the line of the key at fault, and the helpers they share with config_image.c: the
 * index of a key, known materials, the line of either of two keys, "file:line" for messages. */
#include <stdio.h>
#include <string.h>
#include "config_table.h"
#include "y90/config.h"
#include "y90/materials.h"

typedef struct {
    const char *file;     /* name used in messages */
    y90_config *cfg;
    y90_error *err;
    const int *seen;      /* per key: line where it was set (0 = not set, -1 = --set) */
    const int *count;     /* per list key: number of entries given */
    int labels_line;      /* line of the `labels` section; 0 = none */
} check_ctx;

size_t y90_key_index(const char *key)
{
    for (size_t i = 0; i < y90_config_nkeys; i++)
        if (strcmp(y90_config_keys[i].key, key) == 0) return i;
    return 0;
}

int y90_config_known_material(const y90_config *cfg, const char *name)
{
    if (y90_material_builtin(name)) return 1;
    for (int i = 0; i < cfg->nuser_materials; i++)
        if (strcmp(cfg->user_materials[i].name, name) == 0) return 1;
    return 0;
}

int y90_key_line_either(const int *seen, const char *k1, const char *k2)
{
    int l = seen[y90_key_index(k1)];
    return l ? l : seen[y90_key_index(k2)];
}

const char *y90_config_where(const char *file, int line, char *buf, size_t len)
{
    if (line > 0) snprintf(buf, len, "%s:%d", file, line);
    else if (line < 0) snprintf(buf, len, "--set"); /* the key came from an override */
    else snprintf(buf, len, "%s", file);
    return buf;
}

static int line_either(const check_ctx *c, const char *k1, const char *k2) { return y90_key_line_either(c->seen, k1, k2); }
static const char *where(const check_ctx *c, int line, char *buf, size_t len)
{
    return y90_config_where(c->file, line, buf, len);
}

/* Checks across keys, with the line of the key at fault. */
static y90_status cross_check(check_ctx *c)
{
    const y90_config *cfg = c->cfg;
    const y90_phantom_params *p = &cfg->phantom;
    char w[1100];
    for (size_t i = 0; i < y90_config_nkeys; i++)
        if (!y90_config_keys[i].def && !c->seen[i])
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: %s is required (%s, %s)", c->file, y90_config_keys[i].key,
                            y90_config_keys[i].help, y90_config_keys[i].unit);
    if (p->type == Y90_PHANTOM_BOX && !y90_config_known_material(cfg, p->material))
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.material = '%s': unknown material; expected a built-in "
                        "material or a `materials` entry",
                        where(c, line_either(c, "phantom.material", "phantom.type"), w, sizeof w), p->material);
    int nd = c->count[y90_key_index("phantom.slab_densities")];
    int nt = c->count[y90_key_index("phantom.slab_thickness_mm")];
    if (p->type != Y90_PHANTOM_SLABS && (p->nslabs || nd || nt)) {
        const char *k = p->nslabs ? "phantom.slab_materials" : nt ? "phantom.slab_thickness_mm" : "phantom.slab_densities";
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: %s is given but phantom.type is not slabs; the slab lists apply "
                        "only to phantom.type = slabs", where(c, c->seen[y90_key_index(k)], w, sizeof w), k);
    }
    if (p->type == Y90_PHANTOM_SLABS) {
        char wl[1100];
        const char *at = where(c, c->seen[y90_key_index("phantom.slab_materials")], wl, sizeof wl);
        if (p->nslabs < 1)
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.type = slabs needs phantom.slab_materials (a list of at "
                            "least one material)", c->file);
        if (nt != p->nslabs || (nd != 0 && nd != p->nslabs))
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.slab_materials has %d entries but slab_thickness_mm "
                            "has %d and slab_densities %d; expected one thickness per slab and either no densities "
                            "or one per slab", at, p->nslabs, nt, nd);
        for (int i = 0; i < p->nslabs; i++)
            if (!y90_config_known_material(cfg, p->slab_materials[i]))
                return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.slab_materials[%d] = '%s': unknown material",
                                at, i, p->slab_materials[i]);
    }
    y90_status ist = y90_config_check_image(c->file, cfg, c->seen, c->labels_line, c->err);
    if (ist) return ist;
    if (p->type == Y90_PHANTOM_LOBULES) {
        /* microscale: spheres and lobules need voxels of 5-20 um (0.01 mm when voxel_mm is not given) */
        int vl = c->seen[y90_key_index("phantom.voxel_mm")];
        if (!vl) c->cfg->phantom.voxel_mm = 0.01;
        else if (p->voxel_mm < 0.005 - 1e-12 || p->voxel_mm > 0.02 + 1e-12)
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.voxel_mm = %g mm with phantom.type = lobules; expected "
                            "a microscale voxel of 0.005 to 0.02 mm (5-20 um)", where(c, vl, w, sizeof w),
                            p->voxel_mm);
        if (2.0 * p->portal_radius_um * 1e-3 >= 0.5 * p->lobule_diameter_mm ||
            2.0 * p->central_vein_radius_um * 1e-3 >= 0.5 * p->lobule_diameter_mm)
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.portal_radius_um = %g and central_vein_radius_um = %g do "
                            "not fit in lobules of %g mm; expected diameters below half the lobule diameter",
                            where(c, line_either(c, "phantom.portal_radius_um", "phantom.central_vein_radius_um"), w,
                                  sizeof w), p->portal_radius_um, p->central_vein_radius_um, p->lobule_diameter_mm);
        if (p->lobule_tumour_depth_mm >= p->lobule_block_mm[0])
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.lobule_tumour_depth_mm = %g mm is not less than the "
                            "block's x extent %g mm (phantom.lobule_block_mm); expected a tumour edge, not a block of "
                            "tumour", where(c, c->seen[y90_key_index("phantom.lobule_tumour_depth_mm")], w, sizeof w),
                            p->lobule_tumour_depth_mm, p->lobule_block_mm[0]);
    }
    const y90_source_params *s = &cfg->source;
    if (s->clustering != Y90_CLUSTER_NONE && s->type != Y90_SOURCE_MICROSPHERES &&
        s->type != Y90_SOURCE_ACTIVITY_MAP)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: source.clustering = %s applies to source.type = microspheres or "
                        "activity_map only",
                        where(c, c->seen[y90_key_index("source.clustering")], w, sizeof w),
                        s->clustering == Y90_CLUSTER_GEOMETRIC ? "geometric" : "lognormal");
    if (s->clustering != Y90_CLUSTER_NONE && s->sphere_storage == Y90_SPHERES_COUNTS)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: source.clustering = %s needs every sphere's position (a cluster's "
                        "spheres are placed around its centre): expected source.sphere_storage = table or auto "
                        "(auto keeps the table when clustering), not counts",
                        where(c, line_either(c, "source.sphere_storage", "source.clustering"), w, sizeof w),
                        s->clustering == Y90_CLUSTER_GEOMETRIC ? "geometric" : "lognormal");
    if (s->type == Y90_SOURCE_MICROSPHERES && p->type != Y90_PHANTOM_LIVER && p->type != Y90_PHANTOM_IMAGE &&
        p->type != Y90_PHANTOM_LOBULES)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: source.type = microspheres needs phantom.type = liver, image or lobules "
                        "(the uptake model places spheres in liver, tumours and lungs); use uniform_box, "
                        "uniform_structure, voxel or point for box and slab phantoms",
                        where(c, line_either(c, "source.type", "phantom.type"), w, sizeof w));
    if (s->type == Y90_SOURCE_UNIFORM_BOX)
        for (int a = 0; a < 3; a++)
            if (s->box_min_mm[a] > s->box_max_mm[a])
                return Y90_FAIL(c->err, Y90_EINPUT, "%s: source.box_min_mm[%d] = %g > box_max_mm[%d] = %g; "
                                "expected min <= max",
                                where(c, line_either(c, "source.box_min_mm", "source.box_max_mm"), w, sizeof w), a,
                                s->box_min_mm[a], a, s->box_max_mm[a]);
    return Y90_OK;
}

y90_status y90_config_cross_check(const char *file, y90_config *cfg, const int *seen, const int *count,
                                  int labels_line, y90_error *err)
{
    check_ctx c = {.file = file, .cfg = cfg, .err = err, .seen = seen, .count = count, .labels_line = labels_line};
    return cross_check(&c);
}
