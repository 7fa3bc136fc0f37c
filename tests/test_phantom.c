/* Phantoms: the analytic liver (mass, lobes, tumour burden, placement, lungs, body), box, slabs, errors. */
#include "testutil.h"
#include "y90/materials.h"
#include "y90/phantom.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every field the liver uses, set by hand: the default case (ICRP 89 adult male liver 1800 g). */
static y90_phantom_params liver_params(void)
{
    y90_phantom_params p;
    memset(&p, 0, sizeof p);
    p.type = Y90_PHANTOM_LIVER;
    p.voxel_mm = 2.0;
    p.seed = 12345;
    p.liver_mass_g = 1800.0;
    p.liver_density = 1.06;
    p.right_lobe_fraction = 0.65;
    p.tumour_burden_percent = 15.0;
    p.tumour_count = 5;
    p.tumour_size_sigma = 0.0;
    p.necrotic_fraction = 0.3;
    p.lung_density = 0.26;
    p.body_density = 1.03;
    p.margin_mm = 20.0;
    return p;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { OUTSIDE, BODY, LUNG, LIVER_R, LIVER_L, TV_R, TN_R, TV_L, TN_L };

static int is_liver(int label) { return label >= LIVER_R; }
static int is_tumour(int label) { return label >= TV_R; }

static void voxel_centre(const y90_grid *g, size_t i, double x[3])
{
    size_t ix = i % (size_t)g->nx, iy = (i / (size_t)g->nx) % (size_t)g->ny, iz = i / ((size_t)g->nx * g->ny);
    size_t id[3] = {ix, iy, iz};
    for (int a = 0; a < 3; a++) x[a] = g->lo[a] + ((double)id[a] + 0.5) * g->spacing[a];
}

static double dist(const double a[3], const double b[3])
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

/* Build, check the asked tolerances on the info and an independent recount of the labels. */
static void check_liver_case(const y90_phantom_params *p, y90_grid *g, y90_phantom_info *info)
{
    y90_error e = {0};
    double t0 = now_s();
    y90_status st = y90_phantom_build(p, 0, g, info, &e);
    double dt = now_s() - t0;
    CU_ASSERT_EQUAL_FATAL(st, Y90_OK);
    if (st != Y90_OK) return;
    double v_asked = p->liver_mass_g / p->liver_density; /* ml */
    printf("\n    voxel %g mm, burden %g %%, %d tumours: grid %dx%dx%d, liver %.1f g (asked %.1f), right %.4f, "
           "burden %.3f %%, lungs %.0f ml, %.3f s",
           p->voxel_mm, p->tumour_burden_percent, p->tumour_count, g->nx, g->ny, g->nz, info->liver_mass_g,
           p->liver_mass_g, info->lobe_volume_ml[Y90_LOBE_RIGHT] / info->liver_volume_ml,
           info->tumour_burden_percent, info->lung_volume_ml, dt);
    CU_ASSERT(y90t_rel(info->liver_mass_g, p->liver_mass_g) < 0.005);
    CU_ASSERT(y90t_rel(info->lobe_volume_ml[Y90_LOBE_RIGHT], p->right_lobe_fraction * v_asked) < 0.01);
    CU_ASSERT(y90t_rel(info->lobe_volume_ml[Y90_LOBE_LEFT], (1.0 - p->right_lobe_fraction) * v_asked) < 0.01);
    if (p->tumour_burden_percent > 0.0) {
        CU_ASSERT(y90t_rel(info->tumour_burden_percent, p->tumour_burden_percent) < 0.01);
    } else {
        CU_ASSERT_EQUAL(info->tumour_volume_ml, 0.0);
    }
    CU_ASSERT_EQUAL(info->ntumours, p->tumour_count);
    CU_ASSERT(info->lung_volume_ml > 3000.0 && info->lung_volume_ml < 4000.0);
    /* independent recount */
    size_t n = y90_grid_nvox(g), liver = 0, tum = 0, right = 0, left = 0;
    double vox_ml = y90_grid_voxel_volume_mm3(g) * 1e-3, mass = 0.0;
    for (size_t i = 0; i < n; i++) {
        liver += is_liver(g->label[i]);
        tum += is_tumour(g->label[i]);
        if (is_liver(g->label[i])) mass += g->density[i] * vox_ml;
        if (is_liver(g->label[i])) { /* the lobe of each liver structure, from the grid's own table */
            right += g->structures[g->label[i]].lobe == Y90_LOBE_RIGHT;
            left += g->structures[g->label[i]].lobe == Y90_LOBE_LEFT;
        }
    }
    /* lobe volumes recounted from the labels against what was asked (not against the generator's report) */
    CU_ASSERT(y90t_rel((double)right * vox_ml, p->right_lobe_fraction * v_asked) < 0.01);
    CU_ASSERT(y90t_rel((double)left * vox_ml, (1.0 - p->right_lobe_fraction) * v_asked) < 0.01);
    CU_ASSERT_EQUAL(right + left, liver);
    CU_ASSERT(y90t_rel((double)liver * vox_ml, info->liver_volume_ml) < 1e-9);
    CU_ASSERT(y90t_rel(mass, info->liver_mass_g) < 1e-6);
    CU_ASSERT(fabs((double)tum * vox_ml - info->tumour_volume_ml) <= 1e-9 * info->tumour_volume_ml);
}

/* Each tumour voxel lies in a tumour sphere and every voxel in a sphere is tumour; separate != 0: the tumours
 * are at least a voxel apart (sparse cases), else they may merge but no centre lies inside another tumour;
 * core voxels are those within a core radius; the necrotic fraction is the asked one. (The lobe of each voxel
 * is checked in check_inside_liver.) */
static void check_tumours(const y90_grid *g, const y90_phantom_info *info, int separate)
{
    size_t n = y90_grid_nvox(g), bad = 0, necrotic = 0, tum = 0, bad_id = 0;
    /* /tumour_ids: tumour k (1-based, the info's order) on the voxels within its radius; where spheres overlap,
     * the first of them */
    CU_ASSERT_EQUAL(g->ntumours, info->ntumours);
    CU_ASSERT_FATAL((g->tumour_id != NULL) == (info->ntumours > 0));
    for (int i = 0; i < info->ntumours; i++)
        for (int j = 0; j < i; j++) {
            const y90_tumour *a = &info->tumours[i], *b = &info->tumours[j];
            double d = dist(a->centre_mm, b->centre_mm);
            CU_ASSERT(separate ? d > a->radius_mm + b->radius_mm + g->spacing[0] : d > fmax(a->radius_mm, b->radius_mm));
        }
    for (size_t v = 0; v < n; v++) {
        int lab = g->label[v], owners = 0, in_core = 0, first = 0;
        double x[3];
        voxel_centre(g, v, x);
        for (int i = 0; i < info->ntumours; i++) {
            const y90_tumour *t = &info->tumours[i];
            double d = dist(x, t->centre_mm);
            owners += d <= t->radius_mm;
            if (d <= t->radius_mm && !first) first = i + 1;
            in_core |= d < t->core_radius_mm;
        }
        if (g->tumour_id) bad_id += g->tumour_id[v] != (is_tumour(lab) ? first : 0);
        if (!is_tumour(lab)) {
            bad += owners != 0;
            continue;
        }
        tum++;
        necrotic += lab == TN_R || lab == TN_L;
        bad += owners == 0 || (separate && owners != 1);
        bad += (lab == TN_R || lab == TN_L) != in_core;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(bad_id, 0);
    if (tum > 0) CU_ASSERT(fabs((double)necrotic / (double)tum - 0.3) < 0.03);
}

/* Every lung voxel lies above every liver voxel; no organ voxel touches the outside or the grid's z ends. */
static void check_lungs_and_body(const y90_grid *g)
{
    int liver_top = -1, lung_bottom = g->nz, touching = 0;
    for (int iz = 0; iz < g->nz; iz++)
        for (int iy = 0; iy < g->ny; iy++)
            for (int ix = 0; ix < g->nx; ix++) {
                int lab = g->label[y90_grid_index(g, ix, iy, iz)];
                if (is_liver(lab) && iz > liver_top) liver_top = iz;
                if (lab == LUNG && iz < lung_bottom) lung_bottom = iz;
                if (lab < LUNG) continue;
                if (iz == 0 || iz == g->nz - 1 || ix == 0 || iy == 0 || ix == g->nx - 1 || iy == g->ny - 1) {
                    touching++;
                    continue;
                }
                int nb[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
                for (int k = 0; k < 6; k++)
                    touching += g->label[y90_grid_index(g, ix + nb[k][0], iy + nb[k][1], iz + nb[k][2])] == OUTSIDE;
            }
    CU_ASSERT(liver_top >= 0 && lung_bottom < g->nz);
    CU_ASSERT(lung_bottom > liver_top);
    CU_ASSERT_EQUAL(touching, 0);
}

/* The liver region and its lobes do not depend on the tumours (they replace liver and take the lobe of the voxel
 * they replace): the same phantom without tumours has liver exactly where this one has liver or tumour, with the
 * same lobe in every voxel, so every tumour lies inside the liver and the lobe volumes are kept. */
static void check_inside_liver(const y90_phantom_params *with, const y90_grid *g)
{
    y90_phantom_params p = *with;
    p.tumour_burden_percent = 0.0;
    p.tumour_count = 0;
    y90_grid h;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &h, NULL, &e), Y90_OK);
    CU_ASSERT_FATAL(h.nx == g->nx && h.ny == g->ny && h.nz == g->nz);
    size_t n = y90_grid_nvox(g), bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += is_liver(g->label[i]) != is_liver(h.label[i]) || is_tumour(h.label[i]) ||
               g->structures[g->label[i]].lobe != h.structures[h.label[i]].lobe;
    CU_ASSERT_EQUAL(bad, 0);
    y90_grid_free(&h);
}

static y90_grid def_grid;
static y90_phantom_info def_info;

static int suite_init(void)
{
    y90_phantom_params p = liver_params();
    y90_error e = {0};
    return y90_phantom_build(&p, 0, &def_grid, &def_info, &e) == Y90_OK ? 0 : 1;
}

static int suite_clean(void)
{
    y90_grid_free(&def_grid);
    return 0;
}

static void test_liver_default(void)
{
    y90_phantom_params p = liver_params();
    y90_grid g;
    y90_phantom_info info;
    check_liver_case(&p, &g, &info);
    y90_grid_free(&g);
}

static void test_liver_default_geometry(void)
{
    y90_phantom_params p = liver_params();
    check_tumours(&def_grid, &def_info, 1);
    check_inside_liver(&p, &def_grid);
    check_lungs_and_body(&def_grid);
    int lobes[3] = {0};
    for (int i = 0; i < def_info.ntumours; i++) lobes[def_info.tumours[i].lobe]++;
    printf("\n    tumours: %d right, %d left; radius %.2f mm", lobes[1], lobes[2], def_info.tumours[0].radius_mm);
}

static void test_liver_structures(void)
{
    const y90_grid *g = &def_grid;
    static const char *names[] = {"outside", "body", "lung", "liver_right", "liver_left", "tumour_viable_right",
                                  "tumour_necrotic_right", "tumour_viable_left", "tumour_necrotic_left"};
    static const y90_kind kinds[] = {Y90_KIND_OUTSIDE, Y90_KIND_BODY, Y90_KIND_LUNG, Y90_KIND_LIVER_NORMAL,
                                     Y90_KIND_LIVER_NORMAL, Y90_KIND_TUMOR_VIABLE, Y90_KIND_TUMOR_NECROTIC,
                                     Y90_KIND_TUMOR_VIABLE, Y90_KIND_TUMOR_NECROTIC};
    static const y90_lobe lobes[] = {Y90_LOBE_NONE, Y90_LOBE_NONE, Y90_LOBE_NONE, Y90_LOBE_RIGHT, Y90_LOBE_LEFT,
                                     Y90_LOBE_RIGHT, Y90_LOBE_RIGHT, Y90_LOBE_LEFT, Y90_LOBE_LEFT};
    static const char *mat[] = {"air", "soft_tissue", "lung", "liver", "liver", "liver", "liver", "liver", "liver"};
    static const double rho[] = {0.0012, 1.03, 0.26, 1.06, 1.06, 1.06, 1.06, 1.06, 1.06};
    CU_ASSERT_EQUAL_FATAL(g->nstructures, 9);
    for (int k = 0; k < 9; k++) {
        CU_ASSERT_STRING_EQUAL(g->structures[k].name, names[k]);
        CU_ASSERT_EQUAL(g->structures[k].kind, kinds[k]);
        CU_ASSERT_EQUAL(g->structures[k].lobe, lobes[k]);
    }
    size_t n = y90_grid_nvox(g), bad = 0, count[9] = {0};
    for (size_t i = 0; i < n; i++) {
        int lab = g->label[i];
        count[lab]++;
        bad += strcmp(g->material_names[g->material[i]], mat[lab]) != 0;
        bad += fabs(g->density[i] - rho[lab]) > 1e-6;
    }
    CU_ASSERT_EQUAL(bad, 0);
    for (int k = 0; k < 9; k++) CU_ASSERT(count[k] > 0);
    CU_ASSERT(g->spacing[0] == 2.0 && g->spacing[1] == 2.0 && g->spacing[2] == 2.0);
}

static void test_grid_symmetric_about_body(void)
{
    /* the body ellipse touches the grid's x and y faces symmetrically: body voxels on both faces */
    const y90_grid *g = &def_grid;
    int lo_x = 0, hi_x = 0;
    for (int iy = 0; iy < g->ny; iy++) {
        lo_x += g->label[y90_grid_index(g, 0, iy, 0)] == BODY;
        hi_x += g->label[y90_grid_index(g, g->nx - 1, iy, 0)] == BODY;
    }
    CU_ASSERT(abs(lo_x - hi_x) <= 2);
    /* the liver's centre of volume is near the origin */
    double c[3] = {0}, x[3];
    size_t n = y90_grid_nvox(g), nl = 0;
    for (size_t i = 0; i < n; i++)
        if (is_liver(g->label[i])) {
            voxel_centre(g, i, x);
            for (int a = 0; a < 3; a++) c[a] += x[a];
            nl++;
        }
    for (int a = 0; a < 3; a++) CU_ASSERT(fabs(c[a] / (double)nl) < 30.0);
}

static void run_case(double voxel, double burden, int count, double sigma, int separate)
{
    y90_phantom_params p = liver_params();
    p.voxel_mm = voxel;
    p.tumour_burden_percent = burden;
    p.tumour_count = count;
    p.tumour_size_sigma = sigma;
    y90_grid g;
    y90_phantom_info info;
    check_liver_case(&p, &g, &info);
    if (g.label) {
        check_tumours(&g, &info, separate);
        check_inside_liver(&p, &g);
        check_lungs_and_body(&g);
    }
    y90_grid_free(&g);
}

static void test_liver_burden_5_one_tumour(void) { run_case(2.0, 5.0, 1, 0.0, 1); }
static void test_liver_burden_25_ten_tumours(void) { run_case(2.0, 25.0, 10, 0.0, 0); } /* some merge */
static void test_liver_voxel_3mm(void) { run_case(3.0, 15.0, 5, 0.0, 1); }
static void test_liver_lognormal(void) { run_case(2.0, 15.0, 12, 0.6, 1); }

static void test_liver_no_tumours(void)
{
    y90_phantom_params p = liver_params();
    p.tumour_burden_percent = 0.0;
    p.tumour_count = 0;
    p.right_lobe_fraction = 0.5;
    p.liver_mass_g = 1400.0;
    y90_grid g;
    y90_phantom_info info;
    check_liver_case(&p, &g, &info);
    CU_ASSERT_EQUAL(info.tumour_volume_ml, 0.0);
    y90_grid_free(&g);
}

static void test_liver_deterministic(void)
{
    y90_phantom_params p = liver_params();
    p.tumour_size_sigma = 0.5;
    y90_grid a, b, c;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &a, NULL, &e), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &b, NULL, &e), Y90_OK);
    p.seed = 999;
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &c, NULL, &e), Y90_OK);
    CU_ASSERT(a.nx == b.nx && a.ny == b.ny && a.nz == b.nz);
    CU_ASSERT_EQUAL(memcmp(a.label, b.label, y90_grid_nvox(&a)), 0);
    CU_ASSERT_EQUAL(memcmp(a.density, b.density, y90_grid_nvox(&a) * sizeof(float)), 0);
    CU_ASSERT(y90_grid_nvox(&a) == y90_grid_nvox(&c) && memcmp(a.label, c.label, y90_grid_nvox(&a)) != 0);
    y90_grid_free(&a);
    y90_grid_free(&b);
    y90_grid_free(&c);
}

static void expect_error(const y90_phantom_params *p, size_t max_bytes, y90_status code, const char *text)
{
    y90_grid g;
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_phantom_build(p, max_bytes, &g, NULL, &e), code);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, text));
    CU_ASSERT_PTR_NULL(g.label);
    if (!strstr(e.msg, text)) printf("\n    message: %s (expected \"%s\")", e.msg, text);
}

static void test_liver_errors(void)
{
    y90_phantom_params p = liver_params();
    p.voxel_mm = 0.0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.voxel_mm");
    p.voxel_mm = -1.0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.voxel_mm");
    p.voxel_mm = NAN;
    expect_error(&p, 0, Y90_EINPUT, "phantom.voxel_mm");
    p = liver_params();
    p.tumour_burden_percent = 95.0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.tumour_burden_percent");
    p.tumour_burden_percent = 60.0; /* refused with the largest burden: tests/test_burden.c */
    expect_error(&p, 0, Y90_EINPUT, "the largest burden that can is");
    p = liver_params();
    p.tumour_count = 0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.tumour_count");
    p.tumour_count = Y90_MAX_TUMOURS + 1;
    expect_error(&p, 0, Y90_EINPUT, "phantom.tumour_count");
    p = liver_params();
    p.right_lobe_fraction = 1.0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.right_lobe_fraction");
    p = liver_params();
    p.liver_mass_g = NAN;
    expect_error(&p, 0, Y90_EINPUT, "phantom.liver_mass_g");
    p = liver_params();
    p.necrotic_fraction = 1.0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.necrotic_fraction");
    p = liver_params();
    p.liver_density = 0.0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.liver_density");
    p = liver_params();
    p.voxel_mm = 80.0; /* a liver of a few voxels cannot hold the mass to 0.5 % */
    expect_error(&p, 0, Y90_EINPUT, "phantom.voxel_mm");
    p = liver_params();
    expect_error(&p, 1000000, Y90_ENOMEM, "max_memory_gb");
    p.voxel_mm = 1e-4;
    expect_error(&p, 1000000, Y90_ENOMEM, "");
    p = liver_params();
    p.type = (y90_phantom_type)7;
    expect_error(&p, 0, Y90_EINPUT, "phantom.type");
}

/* ---------------------------------------------------------------- box and slabs */

static y90_phantom_params box_params(void)
{
    y90_phantom_params p;
    memset(&p, 0, sizeof p);
    p.type = Y90_PHANTOM_BOX;
    p.voxel_mm = 0.5;
    p.box_size_mm[0] = 20.0;
    p.box_size_mm[1] = 10.2; /* 20.4 voxels: rounds to 20 */
    p.box_size_mm[2] = 0.1;  /* under one voxel: 1 */
    snprintf(p.material, sizeof p.material, "water");
    p.density = 1.2;
    return p;
}

static void test_box(void)
{
    y90_phantom_params p = box_params();
    y90_grid g;
    y90_phantom_info info;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &g, &info, &e), Y90_OK);
    CU_ASSERT(g.nx == 40 && g.ny == 20 && g.nz == 1);
    CU_ASSERT_DOUBLE_EQUAL(g.lo[0], -10.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(g.lo[1], -5.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(g.lo[2], -0.25, 1e-12);
    CU_ASSERT_EQUAL(g.nstructures, 1);
    CU_ASSERT_STRING_EQUAL(g.structures[0].name, "medium");
    CU_ASSERT_EQUAL(g.structures[0].kind, Y90_KIND_MEDIUM);
    CU_ASSERT_STRING_EQUAL(g.material_names[0], "water");
    CU_ASSERT_EQUAL(info.liver_volume_ml, 0.0);
    size_t bad = 0;
    for (size_t i = 0; i < y90_grid_nvox(&g); i++)
        bad += g.label[i] != 0 || g.material[i] != 0 || fabs(g.density[i] - 1.2) > 1e-6;
    CU_ASSERT_EQUAL(bad, 0);
    y90_grid_free(&g);
    p.density = 0.0; /* nominal */
    p.box_size_mm[2] = 3.0;
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &g, NULL, &e), Y90_OK);
    const y90_material *w = y90_material_builtin("water");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(g.nz, 6);
    CU_ASSERT_DOUBLE_EQUAL(g.density[y90_grid_nvox(&g) - 1], w->density, 1e-6);
    y90_grid_free(&g);
}

static void test_box_errors(void)
{
    y90_phantom_params p = box_params();
    p.box_size_mm[1] = 0.0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.box_size_mm[1]");
    p = box_params();
    p.density = 0.0;
    snprintf(p.material, sizeof p.material, "unobtainium");
    expect_error(&p, 0, Y90_EINPUT, "unobtainium");
    p = box_params();
    p.density = -1.0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.density");
    p = box_params();
    p.material[0] = '\0';
    expect_error(&p, 0, Y90_EINPUT, "phantom.material");
    p = box_params();
    p.box_size_mm[0] = p.box_size_mm[1] = p.box_size_mm[2] = 1000.0;
    expect_error(&p, 1000000, Y90_ENOMEM, "max_memory_gb");
}

static y90_phantom_params slab_params(void)
{
    y90_phantom_params p;
    memset(&p, 0, sizeof p);
    p.type = Y90_PHANTOM_SLABS;
    p.voxel_mm = 0.2;
    p.box_size_mm[0] = p.box_size_mm[1] = 4.0;
    p.box_size_mm[2] = 123.0; /* ignored */
    p.nslabs = 3;
    const char *m[3] = {"water", "bone_cortical", "lung"};
    double rho[3] = {0.0, 1.85, 0.3};
    double t[3] = {1.0, 0.6, 2.2};
    for (int i = 0; i < 3; i++) {
        snprintf(p.slab_materials[i], Y90_NAME_LEN, "%s", m[i]);
        p.slab_densities[i] = rho[i];
        p.slab_thickness_mm[i] = t[i];
    }
    return p;
}

static void test_slabs(void)
{
    y90_phantom_params p = slab_params();
    y90_grid g;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &g, NULL, &e), Y90_OK);
    CU_ASSERT(g.nx == 20 && g.ny == 20 && g.nz == 19);
    CU_ASSERT_DOUBLE_EQUAL(g.lo[0], -2.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(g.lo[2], 0.0, 0.0);
    CU_ASSERT_EQUAL_FATAL(g.nstructures, 3);
    CU_ASSERT_STRING_EQUAL(g.structures[0].name, "slab0");
    CU_ASSERT_STRING_EQUAL(g.structures[2].name, "slab2");
    CU_ASSERT_EQUAL(g.structures[1].kind, Y90_KIND_MEDIUM);
    const y90_material *w = y90_material_builtin("water");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    int first[3] = {0, 5, 8}, last[3] = {4, 7, 18};
    double rho[3] = {w->density, 1.85, 0.3};
    const char *mat[3] = {"water", "bone_cortical", "lung"};
    for (int s = 0; s < 3; s++)
        for (int iz = first[s]; iz <= last[s]; iz++) {
            size_t i = y90_grid_index(&g, 7, 3, iz);
            CU_ASSERT_EQUAL(g.label[i], s);
            CU_ASSERT_STRING_EQUAL(g.material_names[g.material[i]], mat[s]);
            CU_ASSERT_DOUBLE_EQUAL(g.density[i], rho[s], 1e-6);
        }
    size_t where;
    CU_ASSERT_EQUAL(y90_grid_locate(&g, (double[]){0.0, 0.0, 1.1}, &where), 0);
    CU_ASSERT_EQUAL(g.label[where], 1);
    y90_grid_free(&g);
}

static void test_slab_errors(void)
{
    y90_phantom_params p = slab_params();
    p.slab_thickness_mm[1] = 0.5; /* 2.5 voxels */
    expect_error(&p, 0, Y90_EINPUT, "phantom.slab_thickness_mm[1]");
    expect_error(&p, 0, Y90_EINPUT, "slab 1");
    p.slab_thickness_mm[1] = 0.6 * (1.0 + 1e-9); /* within 1e-6: accepted */
    y90_grid g;
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_phantom_build(&p, 0, &g, NULL, &e), Y90_OK);
    y90_grid_free(&g);
    p = slab_params();
    p.slab_thickness_mm[2] = 0.05; /* under one voxel */
    expect_error(&p, 0, Y90_EINPUT, "slab 2");
    p = slab_params();
    p.nslabs = 0;
    expect_error(&p, 0, Y90_EINPUT, "phantom.nslabs");
    p.nslabs = Y90_MAX_SLABS + 1;
    expect_error(&p, 0, Y90_EINPUT, "phantom.nslabs");
    p = slab_params();
    p.slab_densities[2] = NAN;
    expect_error(&p, 0, Y90_EINPUT, "phantom.slab_densities[2]");
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("phantom_liver", suite_init, suite_clean);
    CU_add_test(s, "default liver: mass, lobes, burden", test_liver_default);
    CU_add_test(s, "default liver: tumours inside and apart, lungs above", test_liver_default_geometry);
    CU_add_test(s, "structures, materials and densities", test_liver_structures);
    CU_add_test(s, "grid symmetric about the body", test_grid_symmetric_about_body);
    CU_add_test(s, "burden 5 %, one tumour", test_liver_burden_5_one_tumour);
    CU_add_test(s, "burden 25 %, ten tumours", test_liver_burden_25_ten_tumours);
    CU_add_test(s, "voxel 3 mm", test_liver_voxel_3mm);
    CU_add_test(s, "log-normal tumour sizes", test_liver_lognormal);
    CU_add_test(s, "no tumours", test_liver_no_tumours);
    CU_add_test(s, "deterministic for a seed", test_liver_deterministic);
    CU_add_test(s, "errors", test_liver_errors);
    CU_pSuite b = CU_add_suite("phantom_box_slabs", NULL, NULL);
    CU_add_test(b, "box", test_box);
    CU_add_test(b, "box errors", test_box_errors);
    CU_add_test(b, "slabs", test_slabs);
    CU_add_test(b, "slab errors", test_slab_errors);
}
