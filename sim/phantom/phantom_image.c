/* The patient phantom (phantom.type: image): the label map's grid is the dose grid; its values name structures
 * through the config's `labels` table; density and material come from the label entry, a CT in HU (through the
 * HU-to-density curve and the HU material bins; defaults from Schneider, Bortfeld & Schlegel 2000, config_table.c)
 * or a density map, each resampled onto the label grid by nearest voxel (include/y90/image.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/image.h"
#include "y90/materials.h"
#include "y90/phantom.h"

#define LABEL_INT_TOL 1e-3 /* a label value must be an integer within this */

/* Piecewise-linear density (g/cm3) at hu through the nodes, the end densities beyond them. */
double y90_hu_density(const y90_phantom_params *p, double hu)
{
    int n = p->nhu_points;
    if (hu <= p->hu_points[0]) return p->hu_densities[0];
    for (int i = 1; i < n; i++)
        if (hu <= p->hu_points[i]) {
            double t = (hu - p->hu_points[i - 1]) / (p->hu_points[i] - p->hu_points[i - 1]);
            return p->hu_densities[i - 1] + t * (p->hu_densities[i] - p->hu_densities[i - 1]);
        }
    return p->hu_densities[n - 1];
}

/* Index of the HU material bin of hu (the first bin below its lower edge). */
int y90_hu_material_bin(const y90_phantom_params *p, double hu)
{
    int b = 0;
    for (int i = 1; i < p->nhu_materials; i++)
        if (hu >= p->hu_material_lower_hu[i]) b = i;
    return b;
}

/* Nominal density of a built-in material (config entries have theirs filled in by y90_config_phantom). */
static y90_status nominal(const y90_image_label *l, const char *material, double *rho, y90_error *err)
{
    if (l && l->density > 0) {
        *rho = l->density;
        return Y90_OK;
    }
    const y90_material *m = y90_material_builtin(material);
    if (!m)
        return Y90_FAIL(err, Y90_EINPUT, "labels: value %d: material '%s' is not built in; give the entry a density "
                        "or a CT/density map", l ? l->value : 0, material);
    *rho = m->density;
    return Y90_OK;
}

/* Structure index per label entry; the highest tumour number. */
static y90_status structures(const y90_phantom_params *p, y90_grid *g, int *sidx, y90_error *err)
{
    for (int i = 0; i < p->nlabels; i++) {
        sidx[i] = y90_grid_add_structure(g, p->labels[i].name, p->labels[i].kind, p->labels[i].lobe);
        if (sidx[i] < 0) return Y90_FAIL(err, Y90_EINPUT, "labels: more than %d structures", Y90_MAX_LABELS);
        if (p->labels[i].tumour_id > g->ntumours) g->ntumours = p->labels[i].tumour_id;
    }
    return Y90_OK;
}

/* Entry of label value v, or -1. */
static int find_label(const y90_phantom_params *p, int v)
{
    for (int i = 0; i < p->nlabels; i++)
        if (p->labels[i].value == v) return i;
    return -1;
}

/* The CT (HU) or density map on the grid (NULL when neither is given). */
static y90_status read_density_source(const y90_phantom_params *p, size_t max_bytes, const y90_grid *g, float **out,
                                      y90_error *err)
{
    *out = NULL;
    const char *path = p->ct_file[0] ? p->ct_file : p->density_file;
    if (!path[0]) return Y90_OK;
    y90_image img;
    y90_status st = y90_image_read(path, max_bytes, &img, err);
    if (st) return st;
    float *v = y90_calloc(y90_grid_nvox(g), sizeof(float), "CT on the dose grid", err);
    if (!v) {
        y90_image_free(&img);
        return err ? err->code : Y90_ENOMEM;
    }
    size_t missed = y90_image_resample_nearest(&img, g, NAN, v);
    y90_image_free(&img);
    if (missed > 0) {
        free(v);
        return Y90_FAIL(err, Y90_EINPUT, "%s: does not cover the label map %s: %zu of its %zu voxel centres lie "
                        "outside this image; expected a %s covering the label map's grid (same patient and frame)",
                        path, p->label_file, missed, y90_grid_nvox(g), p->ct_file[0] ? "CT" : "density map");
    }
    *out = v;
    return Y90_OK;
}

/* Material and density of every voxel. */
static y90_status fill_voxels(const y90_phantom_params *p, y90_grid *g, const int *entry, const float *dens_src,
                              y90_error *err)
{
    int hu_mat[Y90_MAX_SLABS], soft = y90_grid_add_material(g, "soft_tissue");
    int lab_mat[Y90_MAX_IMAGE_LABELS];
    for (int i = 0; i < p->nhu_materials; i++) hu_mat[i] = y90_grid_add_material(g, p->hu_materials[i]);
    for (int i = 0; i < p->nlabels; i++)
        lab_mat[i] = p->labels[i].material[0] ? y90_grid_add_material(g, p->labels[i].material) : -1;
    for (int i = 0; i < p->nhu_materials; i++)
        if (hu_mat[i] < 0 || soft < 0) return Y90_FAIL(err, Y90_EINPUT, "image phantom: more than %d materials",
                                                       Y90_MAX_GRID_MATERIALS);
    for (int i = 0; i < p->nlabels; i++)
        if (p->labels[i].material[0] && lab_mat[i] < 0)
            return Y90_FAIL(err, Y90_EINPUT, "image phantom: more than %d materials", Y90_MAX_GRID_MATERIALS);
    const int ct = p->ct_file[0] != 0;
    size_t n = y90_grid_nvox(g);
    for (size_t v = 0; v < n; v++) {
        int e = entry[v];
        const y90_image_label *l = e >= 0 ? &p->labels[e] : NULL;
        int m = l && lab_mat[e] >= 0 ? lab_mat[e] : soft;
        double rho = 0;
        if (ct) {
            double hu = dens_src[v];
            if (!(l && lab_mat[e] >= 0)) m = hu_mat[y90_hu_material_bin(p, hu)];
            rho = y90_hu_density(p, hu);
        } else if (dens_src) {
            rho = dens_src[v];
            if (!(rho > 0))
                return Y90_FAIL(err, Y90_EINPUT, "%s: density %g g/cm3 at voxel %zu; expected > 0 g/cm3",
                                p->density_file, rho, v);
        }
        if (l && l->density > 0) rho = l->density;
        if (!(rho > 0)) {
            y90_status st = nominal(l, g->material_names[m], &rho, err);
            if (st) return st;
        }
        g->material[v] = (uint8_t)m;
        g->density[v] = (float)rho;
    }
    return Y90_OK;
}

static void measure(const y90_grid *g, y90_phantom_info *info)
{
    double vox_ml = y90_grid_voxel_volume_mm3(g) * 1e-3;
    size_t n = y90_grid_nvox(g);
    for (size_t v = 0; v < n; v++) {
        const y90_structure *s = &g->structures[g->label[v]];
        int liver = s->kind == Y90_KIND_LIVER_NORMAL || s->kind == Y90_KIND_TUMOR_VIABLE ||
                    s->kind == Y90_KIND_TUMOR_NECROTIC;
        int tumour = s->kind == Y90_KIND_TUMOR_VIABLE || s->kind == Y90_KIND_TUMOR_NECROTIC;
        if (liver) {
            info->liver_volume_ml += vox_ml;
            info->liver_mass_g += g->density[v] * vox_ml;
            if (s->lobe == Y90_LOBE_RIGHT || s->lobe == Y90_LOBE_LEFT) info->lobe_volume_ml[s->lobe] += vox_ml;
        }
        if (tumour) {
            info->tumour_volume_ml += vox_ml;
            if (s->lobe == Y90_LOBE_RIGHT || s->lobe == Y90_LOBE_LEFT) info->lobe_tumour_volume_ml[s->lobe] += vox_ml;
        }
        if (s->kind == Y90_KIND_TUMOR_NECROTIC) info->necrotic_volume_ml += vox_ml;
        if (s->kind == Y90_KIND_LUNG) info->lung_volume_ml += vox_ml;
    }
    if (info->liver_volume_ml > 0) info->tumour_burden_percent = 100.0 * info->tumour_volume_ml / info->liver_volume_ml;
    for (int k = Y90_LOBE_RIGHT; k <= Y90_LOBE_LEFT; k++)
        if (info->lobe_volume_ml[k] > 0)
            info->lobe_burden_percent[k] = 100.0 * info->lobe_tumour_volume_ml[k] / info->lobe_volume_ml[k];
    info->ntumours = g->ntumours < Y90_MAX_TUMOURS ? g->ntumours : Y90_MAX_TUMOURS;
}

/* Labels of every voxel from the label map (already on the grid: it is the grid). */
static y90_status fill_labels(const y90_phantom_params *p, const y90_image *lab, y90_grid *g, int *entry,
                              y90_error *err)
{
    int sidx[Y90_MAX_IMAGE_LABELS], unlabelled = -1;
    y90_status st = structures(p, g, sidx, err);
    if (st) return st;
    if (g->ntumours > 0) {
        g->tumour_id = y90_calloc(y90_grid_nvox(g), sizeof(uint16_t), "tumour ids", err);
        if (!g->tumour_id) return err ? err->code : Y90_ENOMEM;
    }
    size_t n = y90_grid_nvox(g);
    for (size_t v = 0; v < n; v++) {
        double x = lab->data[v], r = floor(x + 0.5);
        if (fabs(x - r) > LABEL_INT_TOL || fabs(r) > 2147483647.0)
            return Y90_FAIL(err, Y90_EINPUT, "%s: voxel %zu holds %g; expected integer label values", p->label_file, v,
                            x);
        int e = find_label(p, (int)r);
        if (e < 0 && r != 0)
            return Y90_FAIL(err, Y90_EINPUT, "%s: label value %d (voxel %zu) has no entry in the `labels` section; "
                            "expected an entry for every value but 0", p->label_file, (int)r, v);
        if (e < 0 && unlabelled < 0) {
            unlabelled = y90_grid_add_structure(g, "unlabelled", Y90_KIND_BODY, Y90_LOBE_NONE);
            if (unlabelled < 0) return Y90_FAIL(err, Y90_EINPUT, "labels: more than %d structures", Y90_MAX_LABELS - 1);
        }
        entry[v] = e;
        g->label[v] = (uint8_t)(e >= 0 ? sidx[e] : unlabelled);
        if (g->tumour_id) g->tumour_id[v] = (uint16_t)(e >= 0 ? p->labels[e].tumour_id : 0);
    }
    return Y90_OK;
}

y90_status y90_phantom_build_image(const y90_phantom_params *p, size_t max_bytes, y90_grid *g,
                                   y90_phantom_info *info, y90_error *err)
{
    y90_image lab;
    y90_status st = y90_image_read(p->label_file, max_bytes, &lab, err);
    if (st) return st;
    g->nx = lab.n[0];
    g->ny = lab.n[1];
    g->nz = lab.n[2];
    memcpy(g->spacing, lab.spacing, sizeof g->spacing);
    memcpy(g->lo, lab.lo, sizeof g->lo);
    int *entry = NULL;
    float *dens = NULL;
    st = y90_grid_alloc(g, max_bytes, err);
    if (!st) {
        entry = y90_calloc(y90_grid_nvox(g), sizeof(int), "label table", err);
        if (!entry) st = err ? err->code : Y90_ENOMEM;
    }
    if (!st) st = fill_labels(p, &lab, g, entry, err);
    y90_image_free(&lab);
    if (!st) st = read_density_source(p, max_bytes, g, &dens, err);
    if (!st) st = fill_voxels(p, g, entry, dens, err);
    if (!st && info) measure(g, info);
    free(entry);
    free(dens);
    if (st) y90_grid_free(g);
    return st;
}
