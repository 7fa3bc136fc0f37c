/* The report's groups of structures (tumour, liver_normal_treated, lungs, ...) and the voxels a row name selects,
 * shared by the report's rows and by the run's target uncertainty (the same names). */
#include <string.h>
#include "report_internal.h"

const char *const y90_report_group_names[G_COUNT] = {"tumour_viable", "tumour_necrotic", "tumour", "liver_treated",
                                                     "liver_normal_treated", "tumour_viable_treated", "liver",
                                                     "liver_normal", "lungs"};

int y90_report_is_tumour(y90_kind k) { return k == Y90_KIND_TUMOR_VIABLE || k == Y90_KIND_TUMOR_NECROTIC; }
static int is_liver(y90_kind k) { return k == Y90_KIND_LIVER_NORMAL || y90_report_is_tumour(k); }

int y90_report_in_group(int group, const y90_structure *s, y90_lobe treated)
{
    int lobe_ok = treated == Y90_LOBE_NONE || s->lobe == treated;
    switch (group) {
    case G_VIABLE: return s->kind == Y90_KIND_TUMOR_VIABLE;
    case G_NECROTIC: return s->kind == Y90_KIND_TUMOR_NECROTIC;
    case G_TUMOUR: return y90_report_is_tumour(s->kind);
    case G_LIVER_TREATED: return is_liver(s->kind) && lobe_ok;
    case G_NORMAL_TREATED: return s->kind == Y90_KIND_LIVER_NORMAL && lobe_ok;
    case G_VIABLE_TREATED: return s->kind == Y90_KIND_TUMOR_VIABLE && lobe_ok;
    case G_LIVER: return is_liver(s->kind);
    case G_NORMAL: return s->kind == Y90_KIND_LIVER_NORMAL;
    case G_LUNGS: return s->kind == Y90_KIND_LUNG;
    default: return 0;
    }
}

int y90_report_select(const y90_grid *g, y90_lobe treated, const char *name, uint8_t *member)
{
    int found = 0;
    memset(member, 0, (size_t)g->nstructures);
    for (int i = 0; i < g->nstructures; i++)
        if (g->structures[i].kind != Y90_KIND_OUTSIDE && !strcmp(g->structures[i].name, name)) member[i] = 1, found = 1;
    for (int grp = 0; grp < G_COUNT && !found; grp++) {
        if (strcmp(y90_report_group_names[grp], name)) continue;
        for (int i = 0; i < g->nstructures; i++)
            if (y90_report_in_group(grp, &g->structures[i], treated)) member[i] = 1, found = 1;
    }
    return found ? 0 : -1;
}
