/* Tumour burden of the analytic liver (issue 12): burdens 1-70 % x counts 1-100 built within 1 %, tumours inside
 * the liver, lobes and liver mass kept, same seed same phantom, impossible requests refused with the largest
 * burden that can be built; lesion patterns, tumours confined to a lobe, necrosis by size. Every check recounts
 * the voxel labels against what was asked or against the tumour-free phantom, not the generator's report. */
#include "testutil.h"
#include "y90/phantom.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OUTSIDE, BODY, LUNG, LIVER_R, LIVER_L, TV_R, TN_R, TV_L, TN_L };

static y90_phantom_params params(double voxel, double burden, int count)
{
    y90_phantom_params p;
    memset(&p, 0, sizeof p);
    p.type = Y90_PHANTOM_LIVER;
    p.voxel_mm = voxel;
    p.seed = 7;
    p.liver_mass_g = 1800.0;
    p.liver_density = 1.06;
    p.right_lobe_fraction = 0.65;
    p.tumour_burden_percent = burden;
    p.tumour_count = count;
    p.necrotic_fraction = 0.3;
    p.tumour_large_fraction = 0.5;
    p.lung_density = 0.26;
    p.body_density = 1.03;
    p.margin_mm = 20.0;
    return p;
}

/* The tumour-free phantoms at 2 and 3 mm (the liver and lobes do not depend on the tumours). */
static y90_grid ref2, ref3;

static const y90_grid *reference(double voxel) { return voxel == 2.0 ? &ref2 : &ref3; }

static int suite_init(void)
{
    y90_error e = {0};
    y90_phantom_params p = params(2.0, 0.0, 0);
    if (y90_phantom_build(&p, 0, &ref2, NULL, &e) != Y90_OK) return 1;
    p.voxel_mm = 3.0;
    return y90_phantom_build(&p, 0, &ref3, NULL, &e) != Y90_OK;
}

static int suite_clean(void)
{
    y90_grid_free(&ref2);
    y90_grid_free(&ref3);
    return 0;
}

static int is_liver(int lab) { return lab >= LIVER_R; }
static int is_tumour(int lab) { return lab >= TV_R; }
static int lobe_of(int lab) { return lab == LIVER_R || lab == TV_R || lab == TN_R ? 1 : lab >= LIVER_L ? 2 : 0; }

typedef struct {
    long liver, tumour, lobe[3], lobe_tumour[3], necrotic;
} counts_t;

/* Recount the labels; check the liver and every voxel's lobe against the tumour-free phantom, the liver mass and
 * lobe volumes against what was asked, the burden and the burden per lobe against the generator's report. */
static counts_t recount(const y90_phantom_params *p, const y90_grid *g, const y90_phantom_info *info)
{
    counts_t c;
    memset(&c, 0, sizeof c);
    const y90_grid *h = reference(p->voxel_mm);
    CU_ASSERT_FATAL(h->nx == g->nx && h->ny == g->ny && h->nz == g->nz);
    size_t n = y90_grid_nvox(g), moved = 0;
    for (size_t i = 0; i < n; i++) {
        int lab = g->label[i];
        moved += is_liver(lab) != is_liver(h->label[i]) || (is_liver(lab) && lobe_of(lab) != lobe_of(h->label[i]));
        if (!is_liver(lab)) continue;
        c.liver++;
        c.lobe[lobe_of(lab)]++;
        if (is_tumour(lab)) c.tumour++, c.lobe_tumour[lobe_of(lab)]++;
        c.necrotic += lab == TN_R || lab == TN_L;
    }
    CU_ASSERT_EQUAL(moved, 0); /* tumours inside the liver; each voxel keeps its lobe */
    double vox_ml = p->voxel_mm * p->voxel_mm * p->voxel_mm * 1e-3, v_asked = p->liver_mass_g / p->liver_density;
    CU_ASSERT(y90t_rel((double)c.liver * vox_ml * p->liver_density, p->liver_mass_g) < 0.005);
    CU_ASSERT(y90t_rel((double)c.lobe[1] * vox_ml, p->right_lobe_fraction * v_asked) < 0.01);
    CU_ASSERT(y90t_rel((double)c.lobe[2] * vox_ml, (1.0 - p->right_lobe_fraction) * v_asked) < 0.01);
    for (int k = 1; k <= 2; k++)
        CU_ASSERT(fabs(info->lobe_burden_percent[k] - 100.0 * (double)c.lobe_tumour[k] / (double)c.lobe[k]) < 1e-9);
    return c;
}

/* Every voxel within a tumour's radius is tumour, and every tumour voxel lies within some tumour's radius. */
static void check_spheres(const y90_grid *g, const y90_phantom_info *info, long ntumour)
{
    uint8_t *seen = calloc(y90_grid_nvox(g), 1);
    CU_ASSERT_FATAL(seen != NULL);
    long outside = 0, covered = 0;
    for (int t = 0; t < info->ntumours; t++) {
        const y90_tumour *T = &info->tumours[t];
        int i0[3], i1[3], nn[3] = {g->nx, g->ny, g->nz};
        for (int a = 0; a < 3; a++) {
            i0[a] = (int)fmax(0.0, floor((T->centre_mm[a] - T->radius_mm - g->lo[a]) / g->spacing[a]));
            i1[a] = (int)fmin(nn[a] - 1.0, ceil((T->centre_mm[a] + T->radius_mm - g->lo[a]) / g->spacing[a]));
        }
        for (int k = i0[2]; k <= i1[2]; k++)
            for (int j = i0[1]; j <= i1[1]; j++)
                for (int i = i0[0]; i <= i1[0]; i++) {
                    double x = g->lo[0] + (i + 0.5) * g->spacing[0] - T->centre_mm[0];
                    double y = g->lo[1] + (j + 0.5) * g->spacing[1] - T->centre_mm[1];
                    double z = g->lo[2] + (k + 0.5) * g->spacing[2] - T->centre_mm[2];
                    if (x * x + y * y + z * z > T->radius_mm * T->radius_mm) continue;
                    size_t v = y90_grid_index(g, i, j, k);
                    outside += !is_tumour(g->label[v]);
                    if (!seen[v]) seen[v] = 1, covered++;
                }
    }
    CU_ASSERT_EQUAL(outside, 0);
    CU_ASSERT_EQUAL(covered, ntumour);
    free(seen);
}

/* Build and check one case; returns the status (the grid is freed). */
static y90_status build_case(const y90_phantom_params *p, y90_phantom_info *info, y90_error *e, counts_t *out)
{
    y90_grid g;
    y90_status st = y90_phantom_build(p, 0, &g, info, e);
    if (st != Y90_OK) printf("\n    refused: %s", e->msg);
    if (st != Y90_OK) return st;
    counts_t c = recount(p, &g, info);
    double burden = 100.0 * (double)c.tumour / (double)c.liver;
    if (y90t_rel(burden, p->tumour_burden_percent) >= 0.01)
        printf("\n    burden %g %%, %d tumours: built %.4f %%", p->tumour_burden_percent, p->tumour_count, burden);
    CU_ASSERT(y90t_rel(burden, p->tumour_burden_percent) < 0.01);
    CU_ASSERT_EQUAL(info->ntumours, p->tumour_count);
    check_spheres(&g, info, c.tumour);
    if (out) *out = c;
    y90_grid_free(&g);
    return Y90_OK;
}

/* The refusal names the largest burden that can be built, and that burden builds. */
static void expect_refusal(y90_phantom_params p, double floor_percent)
{
    y90_phantom_info info;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(build_case(&p, &info, &e, NULL), Y90_EINPUT);
    const char *at = strstr(e.msg, "the largest burden that can is ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    double best = atof(at + strlen("the largest burden that can is "));
    printf("\n    %g %% with %d tumours refused: largest %.1f %%", p.tumour_burden_percent, p.tumour_count, best);
    CU_ASSERT(best >= floor_percent && best < p.tumour_burden_percent);
    p.tumour_burden_percent = best;
    CU_ASSERT_EQUAL(build_case(&p, &info, &e, NULL), Y90_OK);
}

static const double BURDENS[] = {1, 10, 25, 40, 55, 70};
static const int COUNTS[] = {1, 5, 20, 100};

/* Every burden x count at 3 mm. Equal tumours: 5 tumours above about 50 % and 20 tumours at 70 % cannot be
 * whole spheres inside this liver (a lobe is too thin for spheres that large) and are refused. */
static void test_grid_3mm(void)
{
    for (int b = 0; b < 6; b++)
        for (int k = 0; k < 4; k++) {
            y90_phantom_params p = params(3.0, BURDENS[b], COUNTS[k]);
            int refused = (COUNTS[k] == 5 && BURDENS[b] >= 55) || (COUNTS[k] == 20 && BURDENS[b] == 70);
            if (refused) {
                expect_refusal(p, 40.0);
                continue;
            }
            y90_phantom_info info;
            y90_error e = {0};
            y90_status st = build_case(&p, &info, &e, NULL);
            if (st) printf("\n    %g %%, %d tumours: %s", BURDENS[b], COUNTS[k], e.msg);
            CU_ASSERT_EQUAL(st, Y90_OK);
        }
}

/* The extremes at 2 mm (the default voxel). */
static void test_extremes_2mm(void)
{
    static const double b2[] = {1, 25, 70};
    static const int c2[] = {1, 100};
    for (int b = 0; b < 3; b++)
        for (int k = 0; k < 2; k++) {
            y90_phantom_params p = params(2.0, b2[b], c2[k]);
            y90_phantom_info info;
            y90_error e = {0};
            CU_ASSERT_EQUAL(build_case(&p, &info, &e, NULL), Y90_OK);
        }
    expect_refusal(params(2.0, 70.0, 20), 50.0);
}

/* Same seed, same phantom; another seed, another one (a dense case with merged tumours). */
static void test_same_seed(void)
{
    y90_phantom_params p = params(2.0, 55.0, 100);
    y90_grid a, b, c;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &a, NULL, &e), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &b, NULL, &e), Y90_OK);
    p.seed = 8;
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &c, NULL, &e), Y90_OK);
    CU_ASSERT_EQUAL(memcmp(a.label, b.label, y90_grid_nvox(&a)), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(a.label, c.label, y90_grid_nvox(&a)), 0);
    y90_grid_free(&a);
    y90_grid_free(&b);
    y90_grid_free(&c);
}

/* Tumours confined to one lobe: no tumour voxel in the other; more than that lobe can hold is refused. */
static void test_one_lobe(void)
{
    y90_phantom_params p = params(3.0, 15.0, 20);
    p.tumour_lobes = Y90_TREAT_LEFT;
    y90_phantom_info info;
    y90_error e = {0};
    counts_t c;
    CU_ASSERT_EQUAL_FATAL(build_case(&p, &info, &e, &c), Y90_OK);
    CU_ASSERT_EQUAL(c.lobe_tumour[1], 0);
    CU_ASSERT(fabs(info.lobe_burden_percent[Y90_LOBE_LEFT] - 15.0 / 0.35) < 0.5); /* all of it in the left lobe */
    p.tumour_lobes = Y90_TREAT_RIGHT;
    CU_ASSERT_EQUAL_FATAL(build_case(&p, &info, &e, &c), Y90_OK);
    CU_ASSERT_EQUAL(c.lobe_tumour[2], 0);
    p.tumour_burden_percent = 66.0; /* the right lobe is 65 % of the liver */
    expect_refusal(p, 30.0);
}

/* Patterns: few_large separate; miliary spread over both lobes in proportion; confluent one connected mass;
 * mix one dominant lesion. */
static long components(const y90_grid *g)
{
    size_t n = y90_grid_nvox(g), top = 0;
    size_t *stack = malloc(n * sizeof *stack);
    uint8_t *seen = calloc(n, 1);
    long comp = 0;
    for (size_t s = 0; s < n; s++) {
        if (!is_tumour(g->label[s]) || seen[s]) continue;
        comp++;
        seen[s] = 1;
        stack[top++] = s;
        while (top) {
            size_t v = stack[--top];
            long i = (long)(v % (size_t)g->nx), j = (long)((v / (size_t)g->nx) % (size_t)g->ny);
            long k = (long)(v / ((size_t)g->nx * (size_t)g->ny));
            long nb[6][3] = {{i + 1, j, k}, {i - 1, j, k}, {i, j + 1, k}, {i, j - 1, k}, {i, j, k + 1}, {i, j, k - 1}};
            for (int q = 0; q < 6; q++) {
                if (nb[q][0] < 0 || nb[q][1] < 0 || nb[q][2] < 0 || nb[q][0] >= g->nx || nb[q][1] >= g->ny ||
                    nb[q][2] >= g->nz)
                    continue;
                size_t w = y90_grid_index(g, (int)nb[q][0], (int)nb[q][1], (int)nb[q][2]);
                if (is_tumour(g->label[w]) && !seen[w]) seen[w] = 1, stack[top++] = w;
            }
        }
    }
    free(stack);
    free(seen);
    return comp;
}

static void test_patterns(void)
{
    y90_phantom_info info;
    y90_error e = {0};
    counts_t c;
    y90_grid g;
    y90_phantom_params p = params(3.0, 20.0, 4);
    p.tumour_pattern = Y90_PATTERN_FEW_LARGE;
    p.tumour_size_sigma = 0.5;
    CU_ASSERT_EQUAL_FATAL(build_case(&p, &info, &e, &c), Y90_OK);
    for (int i = 0; i < info.ntumours; i++)
        for (int j = 0; j < i; j++) {
            const y90_tumour *a = &info.tumours[i], *b = &info.tumours[j];
            double d = sqrt(pow(a->centre_mm[0] - b->centre_mm[0], 2) + pow(a->centre_mm[1] - b->centre_mm[1], 2) +
                            pow(a->centre_mm[2] - b->centre_mm[2], 2));
            CU_ASSERT(d > a->radius_mm + b->radius_mm + p.voxel_mm);
        }
    p = params(3.0, 20.0, 200);
    p.tumour_pattern = Y90_PATTERN_MILIARY;
    CU_ASSERT_EQUAL_FATAL(build_case(&p, &info, &e, &c), Y90_OK);
    printf("\n    miliary 20 %%: right lobe %.2f %%, left lobe %.2f %%", info.lobe_burden_percent[1],
           info.lobe_burden_percent[2]);
    CU_ASSERT(fabs(info.lobe_burden_percent[1] - 20.0) < 1.0 && fabs(info.lobe_burden_percent[2] - 20.0) < 1.0);
    p = params(3.0, 40.0, 20);
    p.tumour_pattern = Y90_PATTERN_CONFLUENT;
    p.tumour_size_sigma = 0.5;
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p, 0, &g, &info, &e), Y90_OK);
    CU_ASSERT_EQUAL(components(&g), 1);
    y90_grid_free(&g);
    CU_ASSERT_EQUAL(build_case(&p, &info, &e, &c), Y90_OK);
    p = params(3.0, 30.0, 40);
    p.tumour_pattern = Y90_PATTERN_MIX;
    p.tumour_large_fraction = 0.6;
    CU_ASSERT_EQUAL_FATAL(build_case(&p, &info, &e, &c), Y90_OK);
    double v0 = pow(info.tumours[0].radius_mm, 3), rest = 0.0;
    for (int i = 1; i < info.ntumours; i++) rest += pow(info.tumours[i].radius_mm, 3);
    CU_ASSERT(fabs(v0 / (v0 + rest) - 0.6) < 0.02); /* nominal volumes (one common radius factor) */
    p.tumour_count = 1;
    CU_ASSERT_EQUAL(build_case(&p, &info, &e, &c), Y90_EINPUT);
    p = params(3.0, 30.0, 11);
    p.tumour_pattern = Y90_PATTERN_FEW_LARGE;
    CU_ASSERT_EQUAL(build_case(&p, &info, &e, &c), Y90_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "few_large"));
}

/* Necrosis by size: no core up to D0; above it a viable rim D0/2 thick, fraction (1 - D0/d)^3 capped. */
static void test_necrosis_by_size(void)
{
    y90_phantom_params p = params(2.0, 20.0, 30);
    p.tumour_size_sigma = 1.0;
    p.necrosis_min_diameter_mm = 30.0;
    p.necrotic_fraction = 0.4;
    y90_phantom_info info;
    y90_error e = {0};
    counts_t c;
    CU_ASSERT_EQUAL_FATAL(build_case(&p, &info, &e, &c), Y90_OK);
    int with = 0, without = 0;
    for (int i = 0; i < info.ntumours; i++) {
        double d = 2.0 * info.tumours[i].radius_mm, f = pow(info.tumours[i].core_radius_mm / info.tumours[i].radius_mm, 3);
        double expect = d <= 30.0 ? 0.0 : fmin(0.4, pow(1.0 - 30.0 / d, 3));
        CU_ASSERT(fabs(f - expect) < 1e-9);
        with += f > 0.0;
        without += f == 0.0;
    }
    printf("\n    %d tumours with a necrotic core, %d without; necrotic %.1f %% of the tumour volume", with, without,
           100.0 * (double)c.necrotic / (double)c.tumour);
    CU_ASSERT(with > 0 && without > 0);
    CU_ASSERT(c.necrotic > 0 && (double)c.necrotic < 0.4 * (double)c.tumour);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("burden", suite_init, suite_clean);
    CU_add_test(s, "burdens 1-70 % x counts 1-100 at 3 mm", test_grid_3mm);
    CU_add_test(s, "extremes at 2 mm", test_extremes_2mm);
    CU_add_test(s, "same seed, same phantom", test_same_seed);
    CU_add_test(s, "tumours confined to one lobe", test_one_lobe);
    CU_add_test(s, "lesion patterns", test_patterns);
    CU_add_test(s, "necrosis by size", test_necrosis_by_size);
}
