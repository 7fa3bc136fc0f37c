/* The voxel grid: allocation, structures, materials and point location. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/grid.h"

size_t y90_grid_bytes_per_voxel_run(void)
{
    /* label + material + density + tumour id + lobule id, the dose tally (two uint64 sums), the dose (double) and its
     * uncertainty (float) written at the end, the MC kernel's boundary-distance map (1 byte, kernels/mc_geometry.c) */
    return 1 + 1 + sizeof(float) + 2 * sizeof(uint16_t) + 2 * sizeof(uint64_t) + sizeof(double) + sizeof(float) + 1;
}

y90_status y90_grid_alloc(y90_grid *g, size_t max_bytes, y90_error *err)
{
    if (g->nx <= 0 || g->ny <= 0 || g->nz <= 0)
        return Y90_FAIL(err, Y90_EINPUT, "grid of %d x %d x %d voxels: every dimension must be positive", g->nx,
                        g->ny, g->nz);
    size_t n = y90_grid_nvox(g);
    double need = (double)n * (double)y90_grid_bytes_per_voxel_run();
    if (max_bytes > 0 && need > (double)max_bytes)
        return Y90_FAIL(err, Y90_ENOMEM,
                        "grid of %d x %d x %d voxels (%.3g voxels) needs %.2f GB for a run, more than the %.2f GB "
                        "allowed (output.max_memory_gb): use larger voxels or a smaller phantom",
                        g->nx, g->ny, g->nz, (double)n, need / 1e9, (double)max_bytes / 1e9);
    g->label = y90_calloc(n, 1, "voxel labels", err);
    g->material = g->label ? y90_calloc(n, 1, "voxel materials", err) : NULL;
    g->density = g->material ? y90_calloc(n, sizeof(float), "voxel densities", err) : NULL;
    if (!g->density) {
        y90_grid_free(g);
        return err ? err->code : Y90_ENOMEM;
    }
    return Y90_OK;
}

void y90_grid_free(y90_grid *g)
{
    free(g->label);
    free(g->material);
    free(g->density);
    free(g->tumour_id);
    free(g->lobule_id);
    g->lobule_id = NULL;
    g->nlobules = 0;
    g->label = g->material = NULL;
    g->density = NULL;
    g->tumour_id = NULL;
    g->ntumours = 0;
}

int y90_grid_add_structure(y90_grid *g, const char *name, y90_kind kind, y90_lobe lobe)
{
    for (int i = 0; i < g->nstructures; i++)
        if (strcmp(g->structures[i].name, name) == 0) return i;
    if (g->nstructures >= Y90_MAX_LABELS) return -1;
    y90_structure *s = &g->structures[g->nstructures];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->kind = kind;
    s->lobe = lobe;
    return g->nstructures++;
}

int y90_grid_add_material(y90_grid *g, const char *name)
{
    for (int i = 0; i < g->nmaterials; i++)
        if (strcmp(g->material_names[i], name) == 0) return i;
    if (g->nmaterials >= Y90_MAX_GRID_MATERIALS) return -1;
    snprintf(g->material_names[g->nmaterials], Y90_NAME_LEN, "%s", name);
    return g->nmaterials++;
}

int y90_grid_locate(const y90_grid *g, const double p[3], size_t *idx)
{
    int n[3] = {g->nx, g->ny, g->nz};
    int i[3];
    for (int a = 0; a < 3; a++) {
        double f = (p[a] - g->lo[a]) / g->spacing[a];
        if (!(f >= 0.0) || f >= (double)n[a]) return -1;
        i[a] = (int)f;
        if (i[a] >= n[a]) i[a] = n[a] - 1;
    }
    *idx = y90_grid_index(g, i[0], i[1], i[2]);
    return 0;
}

static const char *kind_names[] = {"outside", "body", "lung", "liver_normal", "tumour_viable", "tumour_necrotic",
                                   "medium"};
static const char *lobe_names[] = {"none", "right", "left"};

const char *y90_kind_name(y90_kind k)
{
    return (k >= 0 && (size_t)k < sizeof kind_names / sizeof *kind_names) ? kind_names[k] : "unknown";
}
const char *y90_lobe_name(y90_lobe l) { return (l >= 0 && l <= 2) ? lobe_names[l] : "unknown"; }

int y90_kind_from_name(const char *s, y90_kind *k)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *k = (y90_kind)i;
            return 0;
        }
    return -1;
}

int y90_lobe_from_name(const char *s, y90_lobe *l)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, lobe_names[i]) == 0) {
            *l = (y90_lobe)i;
            return 0;
        }
    return -1;
}
