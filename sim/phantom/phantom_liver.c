/* The analytic adult liver phantom: two liver lobes, spherical tumours with necrotic cores, two lungs and an
 * elliptical-cylinder body, voxelised by the voxel centre.
 *
 * Coordinates (mm): x = patient left (+), y = posterior (+), z = superior (+), origin at the liver centre
 * (the point every liver ellipsoid contains and about which the liver is scaled), as in the MIRD phantom
 * (Snyder, Ford & Warner, MIRD Pamphlet 5 revised, 1978; Cristy & Eckerman, ORNL/TM-8381/V1, 1987).
 *
 * Build steps (every tolerance is met on the voxels, not analytically):
 *   1. liver scale: one common factor on the liver ellipsoids, bisected so that the voxelised liver mass is
 *      the asked mass (first on a lattice of the voxel pitch to design the grid, then on the grid itself);
 *   2. lungs above the liver dome, the body around everything; grid = the body's bounding box;
 *   3. lobes: an oblique split plane (Cantlie's line) moved by bisection to the asked right-lobe fraction;
 *   4. tumours (sim/phantom/tumours.c): placed in the labelled liver and painted over it, so the liver's volume
 *      and each lobe's volume are kept (a tumour voxel takes the lobe of its side of the split plane).
 * Counting is done row by row with the x-interval of each ellipsoid, so a bisection step costs ny*nz
 * operations; the labelling uses the same row code, so what is counted is exactly what is labelled. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "liver.h"

#define LIVER_MASS_TOL 0.005     /* relative: voxelised liver mass versus the asked mass */
#define LOBE_TOL 0.01            /* relative: each lobe's volume versus the asked share */
#define AIR_DENSITY 0.0012       /* g/cm3, dry air near sea level (ICRU 37: 1.20479e-3) */
#define DIAPHRAGM_MM 5.0         /* mm, soft tissue between the liver dome and the lung bases (diaphragm) */
#define PASS1_MIN_PITCH 2.0      /* mm, finest lattice pass 1 uses (it only designs the grid) */
#define SCALE_BRACKET 1.02       /* the grid is designed for the pass-1 scale times this */
#define BISECT_ITERS 64
#define BODY_SAMPLES 720         /* points per organ outline when fitting the body ellipse */
#define MAX_GRID_VOXELS 1e11     /* beyond any memory; checked before the sizes are multiplied in size_t */
#define MAX_AXIS_VOXELS 1e6      /* voxels along one axis, so that indices stay in int */

/* Oblique split plane x = x0 + KY*y + KZ*z (Cantlie's line, gallbladder fossa to inferior vena cava): it
 * leans towards patient left posteriorly and superiorly. The tilt also makes the lobe volumes change by
 * single voxels as x0 moves (a grid-aligned plane would move whole slices). Tilts are modelling choices. */
#define CANTLIE_KY 0.36397 /* tan 20 deg */
#define CANTLIE_KZ 0.17633 /* tan 10 deg */

typedef struct {
    double c[3]; /* mm, centre */
    double a[3]; /* mm, semi-axes */
} ellipsoid;

/* Nominal liver (scale 1), mm. The MIRD adult liver is an elliptical cylinder (semi-axes 16.5 x 8 cm, 16 cm
 * tall) cut by the plane x/35 + y/45 - z/43 <= -1 (cm), which leaves a large right lobe and a thin wedge
 * reaching to patient left (Snyder et al. 1978; Cristy & Eckerman 1987). Here the sharp-edged cut
 * cylinder is replaced by a union of ellipsoids of similar extent: a large right lobe, a flatter left lobe
 * offset to patient left, anteriorly and superiorly, and a segment IV / caudate bridge. The union is
 * rescaled to the asked mass, so only these proportions matter. Each ellipsoid contains the origin, so the
 * union is star-shaped about it and its volume grows monotonically with the scale. */
static const ellipsoid LIVER_NOMINAL[3] = {
    {{-35.0, 5.0, 0.0}, {80.0, 75.0, 75.0}},   /* right lobe */
    {{40.0, -15.0, 15.0}, {75.0, 40.0, 40.0}}, /* left lobe */
    {{5.0, 0.0, 5.0}, {45.0, 50.0, 50.0}},     /* segment IV / caudate bridge */
};
#define NLIVER 3

/* MIRD adult lungs: half-ellipsoids (upper halves) of semi-axes 5 x 7.5 x 24 cm centred 8.5 cm either side
 * of the midline on a base at the liver top (Cristy & Eckerman 1987; the left lung's heart cut-out is
 * omitted): 2 x 1.885 L = 3.77 L. */
static const double LUNG_SEMI_MM[3] = {50.0, 75.0, 240.0};
#define LUNG_OFFSET_X_MM 85.0

enum { M_AIR, M_SOFT, M_LUNG, M_LIVER };

typedef struct {
    double lo[3]; /* mm, lower corner of voxel 0 */
    double v;     /* mm, voxel edge */
    int n[3];
} lattice;

typedef struct {
    ellipsoid e[NLIVER]; /* at the current scale */
    double x0;           /* mm, split plane offset */
} liver_shape;

typedef struct {
    ellipsoid lung[2]; /* centre on the base plane; only z >= base is lung */
    double body_c[2];  /* mm, body ellipse centre (x, y) */
    double body_a[2];  /* mm, body ellipse semi-axes */
    double body_z[2];  /* mm, body z extent */
} torso;

/* ---------------------------------------------------------------- shapes and rows */

static void liver_at_scale(double s, liver_shape *L)
{
    for (int k = 0; k < NLIVER; k++)
        for (int a = 0; a < 3; a++) {
            L->e[k].c[a] = s * LIVER_NOMINAL[k].c[a];
            L->e[k].a[a] = s * LIVER_NOMINAL[k].a[a];
        }
    L->x0 = 0.0;
}

static void liver_bbox(const liver_shape *L, double lo[3], double hi[3])
{
    for (int a = 0; a < 3; a++) {
        lo[a] = HUGE_VAL;
        hi[a] = -HUGE_VAL;
        for (int k = 0; k < NLIVER; k++) {
            lo[a] = fmin(lo[a], L->e[k].c[a] - L->e[k].a[a]);
            hi[a] = fmax(hi[a], L->e[k].c[a] + L->e[k].a[a]);
        }
    }
}

static lattice lattice_of_grid(const y90_grid *g)
{
    lattice t = {.v = g->spacing[0], .n = {g->nx, g->ny, g->nz}};
    memcpy(t.lo, g->lo, sizeof t.lo);
    return t;
}

static double centre_of(const lattice *t, int a, int i) { return t->lo[a] + (i + 0.5) * t->v; }

/* x-interval [*xa, *xb] (mm) of an ellipsoid on the line (y, z); 0 if the line misses it. */
static int ellipsoid_row(const ellipsoid *e, double y, double z, double *xa, double *xb)
{
    double dy = (y - e->c[1]) / e->a[1], dz = (z - e->c[2]) / e->a[2];
    double q = 1.0 - dy * dy - dz * dz;
    if (q < 0.0) return 0;
    double h = e->a[0] * sqrt(q);
    *xa = e->c[0] - h;
    *xb = e->c[0] + h;
    return 1;
}

/* Voxel indices [*i0, *i1) along axis a whose centres lie in [xa, xb]. */
static void index_range(const lattice *t, int a, double xa, double xb, int *i0, int *i1)
{
    double f0 = ceil((xa - t->lo[a]) / t->v - 0.5), f1 = floor((xb - t->lo[a]) / t->v - 0.5) + 1.0;
    *i0 = (int)fmax(0.0, fmin(f0, (double)t->n[a]));
    *i1 = (int)fmax(0.0, fmin(f1, (double)t->n[a]));
}

static double split_x(const liver_shape *L, double y, double z) { return L->x0 + CANTLIE_KY * y + CANTLIE_KZ * z; }

/* First voxel index of the row on the left-lobe side of the split plane. */
static int split_index(const liver_shape *L, const lattice *t, double y, double z)
{
    double f = ceil((split_x(L, y, z) - t->lo[0]) / t->v - 0.5);
    return (int)fmax(0.0, fmin(f, (double)t->n[0]));
}

/* Merged voxel index ranges r[k] = [start, end) of the liver on row (iy, iz); returns their number. */
static int liver_row(const liver_shape *L, const lattice *t, int iy, int iz, int r[NLIVER][2])
{
    double y = centre_of(t, 1, iy), z = centre_of(t, 2, iz), xa, xb;
    int n = 0;
    for (int k = 0; k < NLIVER; k++) {
        if (!ellipsoid_row(&L->e[k], y, z, &xa, &xb)) continue;
        int i0, i1;
        index_range(t, 0, xa, xb, &i0, &i1);
        if (i0 >= i1) continue;
        int j = n++; /* insertion sort by start */
        while (j > 0 && r[j - 1][0] > i0) {
            r[j][0] = r[j - 1][0];
            r[j][1] = r[j - 1][1];
            j--;
        }
        r[j][0] = i0;
        r[j][1] = i1;
    }
    int m = 0;
    for (int k = 0; k < n; k++) {
        if (m > 0 && r[k][0] <= r[m - 1][1]) {
            if (r[k][1] > r[m - 1][1]) r[m - 1][1] = r[k][1];
        } else {
            r[m][0] = r[k][0];
            r[m][1] = r[k][1];
            m++;
        }
    }
    return m;
}

/* Rows [iy0, iy1) x [iz0, iz1) of the lattice that can hold liver. */
static void liver_rows(const liver_shape *L, const lattice *t, int i0[3], int i1[3])
{
    double lo[3], hi[3];
    liver_bbox(L, lo, hi);
    for (int a = 1; a < 3; a++) index_range(t, a, lo[a], hi[a], &i0[a], &i1[a]);
}

/* Liver voxels on the lattice. */
static long count_liver(const liver_shape *L, const lattice *t)
{
    int i0[3], i1[3], r[NLIVER][2];
    long total = 0;
    liver_rows(L, t, i0, i1);
    for (int iz = i0[2]; iz < i1[2]; iz++)
        for (int iy = i0[1]; iy < i1[1]; iy++) {
            int m = liver_row(L, t, iy, iz, r);
            for (int k = 0; k < m; k++) total += r[k][1] - r[k][0];
        }
    return total;
}

/* ---------------------------------------------------------------- liver scale and lobes */

/* Liver voxels at scale s: on the lattice t, or (t == NULL) on a lattice of pitch v anchored at the origin. */
static long count_at_scale(double s, const lattice *t, double v)
{
    liver_shape L;
    liver_at_scale(s, &L);
    if (t) return count_liver(&L, t);
    double lo[3], hi[3];
    liver_bbox(&L, lo, hi);
    lattice own = {.v = v};
    for (int a = 0; a < 3; a++) {
        own.lo[a] = v * (floor(lo[a] / v) - 1.0);
        own.n[a] = (int)ceil((hi[a] - own.lo[a]) / v) + 1;
    }
    return count_liver(&L, &own);
}

/* Bisect the liver scale in [lo, hi] (geometric midpoints) for `target` voxels; returns the better end. */
static double bisect_scale(double lo, double hi, long target, const lattice *t, double v)
{
    for (int it = 0; it < BISECT_ITERS && hi / lo > 1.0 + 1e-12; it++) {
        double mid = sqrt(lo * hi);
        if (count_at_scale(mid, t, v) < target)
            lo = mid;
        else
            hi = mid;
    }
    long nlo = count_at_scale(lo, t, v), nhi = count_at_scale(hi, t, v);
    return labs(nlo - target) <= labs(nhi - target) ? lo : hi;
}

/* Voxels of edge v (mm) holding the asked liver mass. */
static long liver_target_voxels(const y90_phantom_params *p, double v)
{
    double vox_ml = v * v * v * 1e-3; /* mm3 -> cm3 */
    return lround(p->liver_mass_g / (p->liver_density * vox_ml));
}

/* Right-lobe liver voxels for the split plane of L (the liver has no tumours yet). */
static long right_voxels(const y90_grid *g, const liver_shape *L)
{
    lattice t = lattice_of_grid(g);
    int i0[3], i1[3], r[NLIVER][2];
    long n = 0;
    liver_rows(L, &t, i0, i1);
    for (int iz = i0[2]; iz < i1[2]; iz++)
        for (int iy = i0[1]; iy < i1[1]; iy++) {
            int m = liver_row(L, &t, iy, iz, r);
            int is = split_index(L, &t, centre_of(&t, 1, iy), centre_of(&t, 2, iz));
            for (int k = 0; k < m; k++) {
                int a = r[k][0], b = r[k][1];
                n += (is < a ? a : is > b ? b : is) - a;
            }
        }
    return n;
}

/* Move the split plane offset within [a, b] (mm) towards `target` right-lobe voxels. */
static void bisect_split(const y90_grid *g, liver_shape *L, long target, double a, double b)
{
    for (int it = 0; it < BISECT_ITERS && b - a > 1e-9; it++) {
        L->x0 = 0.5 * (a + b);
        if (right_voxels(g, L) < target)
            a = L->x0;
        else
            b = L->x0;
    }
    L->x0 = a;
    long na = right_voxels(g, L);
    L->x0 = b;
    long nb = right_voxels(g, L);
    L->x0 = labs(na - target) <= labs(nb - target) ? a : b;
}

/* Bracket of the split plane offset (mm) that sweeps the whole liver. */
static void split_bracket(const liver_shape *L, double v, double *a, double *b)
{
    double lo[3], hi[3];
    liver_bbox(L, lo, hi);
    double reach = CANTLIE_KY * fmax(fabs(lo[1]), fabs(hi[1])) + CANTLIE_KZ * fmax(fabs(lo[2]), fabs(hi[2]));
    *a = lo[0] - reach - v;
    *b = hi[0] + reach + v;
}

/* ---------------------------------------------------------------- lungs, body, grid */

static void place_lungs(const liver_shape *L, torso *T)
{
    double lo[3], hi[3];
    liver_bbox(L, lo, hi);
    for (int k = 0; k < 2; k++) {
        ellipsoid *e = &T->lung[k];
        e->c[0] = k == 0 ? -LUNG_OFFSET_X_MM : LUNG_OFFSET_X_MM; /* right lung, left lung */
        e->c[1] = 0.0;
        e->c[2] = hi[2] + DIAPHRAGM_MM;
        memcpy(e->a, LUNG_SEMI_MM, sizeof e->a);
    }
}

/* Outline points of an ellipse (cx, cy, ax, ay) pushed out by `margin` along the normal. */
static void offset_point(const ellipsoid *e, double margin, int j, double q[2])
{
    double t = 2.0 * Y90_PI * j / BODY_SAMPLES, ct = cos(t), st = sin(t);
    double nx = ct / e->a[0], ny = st / e->a[1], nn = sqrt(nx * nx + ny * ny);
    q[0] = e->c[0] + e->a[0] * ct + margin * nx / nn;
    q[1] = e->c[1] + e->a[1] * st + margin * ny / nn;
}

/* Body: the elliptical cylinder whose ellipse, with the aspect of the bounding rectangle of the organ outlines
 * offset by the margin, is the smallest enclosing all those points. */
static void fit_body(const liver_shape *L, double margin, torso *T)
{
    const ellipsoid *org[NLIVER + 2];
    for (int k = 0; k < NLIVER; k++) org[k] = &L->e[k];
    org[NLIVER] = &T->lung[0];
    org[NLIVER + 1] = &T->lung[1];
    double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL}, q[2];
    for (int k = 0; k < NLIVER + 2; k++)
        for (int j = 0; j < BODY_SAMPLES; j++) {
            offset_point(org[k], margin, j, q);
            for (int a = 0; a < 2; a++) {
                lo[a] = fmin(lo[a], q[a]);
                hi[a] = fmax(hi[a], q[a]);
            }
        }
    double h[2], kmax = 1.0;
    for (int a = 0; a < 2; a++) {
        T->body_c[a] = 0.5 * (lo[a] + hi[a]);
        h[a] = 0.5 * (hi[a] - lo[a]);
    }
    for (int k = 0; k < NLIVER + 2; k++)
        for (int j = 0; j < BODY_SAMPLES; j++) {
            offset_point(org[k], margin, j, q);
            double u = (q[0] - T->body_c[0]) / h[0], w = (q[1] - T->body_c[1]) / h[1];
            kmax = fmax(kmax, sqrt(u * u + w * w));
        }
    for (int a = 0; a < 2; a++) T->body_a[a] = kmax * h[a] * (1.0 + 1e-9);
    double llo[3], lhi[3];
    liver_bbox(L, llo, lhi);
    T->body_z[0] = llo[2] - margin;
    T->body_z[1] = T->lung[0].c[2] + LUNG_SEMI_MM[2] + margin;
}

/* Grid = bounding box of the body at cubic voxels of edge v, symmetric about the body. */
static y90_status alloc_grid(const torso *T, double v, size_t max_bytes, y90_grid *g, y90_error *err)
{
    double c[3] = {T->body_c[0], T->body_c[1], 0.5 * (T->body_z[0] + T->body_z[1])};
    double ext[3] = {2.0 * T->body_a[0], 2.0 * T->body_a[1], T->body_z[1] - T->body_z[0]};
    int *n[3] = {&g->nx, &g->ny, &g->nz};
    double total = 1.0;
    for (int a = 0; a < 3; a++) {
        double k = fmax(1.0, ceil(ext[a] / v - 1e-9));
        total *= k;
        if (k > MAX_AXIS_VOXELS || total > MAX_GRID_VOXELS)
            return Y90_FAIL(err, Y90_ENOMEM,
                            "phantom.voxel_mm = %g mm: the liver phantom would need more than %.0g voxels, more "
                            "memory than any machine has (output.max_memory_gb bounds a run): use larger voxels", v,
                            MAX_GRID_VOXELS);
        *n[a] = (int)k;
        g->spacing[a] = v;
        g->lo[a] = c[a] - 0.5 * k * v;
    }
    return y90_grid_alloc(g, max_bytes, err);
}

static y90_status register_tables(y90_grid *g, y90_error *err)
{
    static const struct { const char *name; y90_kind kind; y90_lobe lobe; } S[NLABELS] = {
        {"outside", Y90_KIND_OUTSIDE, Y90_LOBE_NONE},
        {"body", Y90_KIND_BODY, Y90_LOBE_NONE},
        {"lung", Y90_KIND_LUNG, Y90_LOBE_NONE},
        {"liver_right", Y90_KIND_LIVER_NORMAL, Y90_LOBE_RIGHT},
        {"liver_left", Y90_KIND_LIVER_NORMAL, Y90_LOBE_LEFT},
        {"tumour_viable_right", Y90_KIND_TUMOR_VIABLE, Y90_LOBE_RIGHT},
        {"tumour_necrotic_right", Y90_KIND_TUMOR_NECROTIC, Y90_LOBE_RIGHT},
        {"tumour_viable_left", Y90_KIND_TUMOR_VIABLE, Y90_LOBE_LEFT},
        {"tumour_necrotic_left", Y90_KIND_TUMOR_NECROTIC, Y90_LOBE_LEFT},
    };
    static const char *M[] = {"air", "soft_tissue", "lung", "liver"};
    for (int k = 0; k < NLABELS; k++)
        if (y90_grid_add_structure(g, S[k].name, S[k].kind, S[k].lobe) != k)
            return Y90_FAIL(err, Y90_EINTERNAL, "liver phantom: structure %s not at index %d", S[k].name, k);
    for (int k = 0; k < 4; k++)
        if (y90_grid_add_material(g, M[k]) != k)
            return Y90_FAIL(err, Y90_EINTERNAL, "liver phantom: material %s not at index %d", M[k], k);
    return Y90_OK;
}

/* ---------------------------------------------------------------- voxelisation */

/* Body: the ellipse is the same on every slice, so label slice 0 and copy it. */
static void paint_body(y90_grid *g, const torso *T)
{
    lattice t = lattice_of_grid(g);
    size_t per_slice = (size_t)g->nx * (size_t)g->ny;
    for (int iy = 0; iy < g->ny; iy++) {
        double w = (centre_of(&t, 1, iy) - T->body_c[1]) / T->body_a[1];
        if (w * w > 1.0) continue;
        double h = T->body_a[0] * sqrt(1.0 - w * w);
        int i0, i1;
        index_range(&t, 0, T->body_c[0] - h, T->body_c[0] + h, &i0, &i1);
        if (i1 > i0) memset(g->label + y90_grid_index(g, i0, iy, 0), L_BODY, (size_t)(i1 - i0));
    }
    for (int iz = 1; iz < g->nz; iz++) memcpy(g->label + (size_t)iz * per_slice, g->label, per_slice);
}

static void paint_lungs(y90_grid *g, const torso *T)
{
    lattice t = lattice_of_grid(g);
    for (int k = 0; k < 2; k++) {
        const ellipsoid *e = &T->lung[k];
        int iz0, iz1, iy0, iy1;
        index_range(&t, 2, e->c[2], e->c[2] + e->a[2], &iz0, &iz1); /* upper half only */
        index_range(&t, 1, e->c[1] - e->a[1], e->c[1] + e->a[1], &iy0, &iy1);
        for (int iz = iz0; iz < iz1; iz++)
            for (int iy = iy0; iy < iy1; iy++) {
                double xa, xb;
                int i0, i1;
                if (!ellipsoid_row(e, centre_of(&t, 1, iy), centre_of(&t, 2, iz), &xa, &xb)) continue;
                index_range(&t, 0, xa, xb, &i0, &i1);
                if (i1 > i0) memset(g->label + y90_grid_index(g, i0, iy, iz), L_LUNG, (size_t)(i1 - i0));
            }
    }
}

/* Label the liver by lobe (before the tumours are painted over it). */
static void paint_liver(y90_grid *g, const liver_shape *L)
{
    lattice t = lattice_of_grid(g);
    int i0[3], i1[3], r[NLIVER][2];
    liver_rows(L, &t, i0, i1);
    for (int iz = i0[2]; iz < i1[2]; iz++)
        for (int iy = i0[1]; iy < i1[1]; iy++) {
            int m = liver_row(L, &t, iy, iz, r);
            int is = split_index(L, &t, centre_of(&t, 1, iy), centre_of(&t, 2, iz));
            uint8_t *row = g->label + y90_grid_index(g, 0, iy, iz);
            for (int k = 0; k < m; k++)
                for (int ix = r[k][0]; ix < r[k][1]; ix++)
                    row[ix] = ix < is ? L_LIVER_R : L_LIVER_L;
        }
}

/* ---------------------------------------------------------------- materials, densities, info */

static void fill_materials(y90_grid *g, const y90_phantom_params *p)
{
    const uint8_t mat[NLABELS] = {M_AIR, M_SOFT, M_LUNG, M_LIVER, M_LIVER, M_LIVER, M_LIVER, M_LIVER, M_LIVER};
    double rho[NLABELS] = {AIR_DENSITY, p->body_density, p->lung_density};
    for (int k = L_LIVER_R; k < NLABELS; k++) rho[k] = p->liver_density;
    size_t n = y90_grid_nvox(g);
    for (size_t i = 0; i < n; i++) {
        g->material[i] = mat[g->label[i]];
        g->density[i] = (float)rho[g->label[i]];
    }
}

static void measure(const y90_grid *g, y90_phantom_info *info)
{
    long count[NLABELS] = {0};
    double mass_g = 0.0, vox_ml = y90_grid_voxel_volume_mm3(g) * 1e-3;
    size_t n = y90_grid_nvox(g);
    for (size_t i = 0; i < n; i++) {
        count[g->label[i]]++;
        if (g->label[i] >= L_LIVER_R) mass_g += g->density[i] * vox_ml;
    }
    long right = count[L_LIVER_R] + count[L_TV_R] + count[L_TN_R];
    long left = count[L_LIVER_L] + count[L_TV_L] + count[L_TN_L];
    long tum = count[L_TV_R] + count[L_TN_R] + count[L_TV_L] + count[L_TN_L];
    info->liver_volume_ml = (double)(right + left) * vox_ml;
    info->liver_mass_g = mass_g;
    info->lobe_volume_ml[Y90_LOBE_RIGHT] = (double)right * vox_ml;
    info->lobe_volume_ml[Y90_LOBE_LEFT] = (double)left * vox_ml;
    info->tumour_volume_ml = (double)tum * vox_ml;
    info->tumour_burden_percent = right + left > 0 ? 100.0 * (double)tum / (double)(right + left) : 0.0;
    long tlobe[3] = {0, count[L_TV_R] + count[L_TN_R], count[L_TV_L] + count[L_TN_L]}, lobe[3] = {0, right, left};
    for (int k = Y90_LOBE_RIGHT; k <= Y90_LOBE_LEFT; k++) {
        info->lobe_tumour_volume_ml[k] = (double)tlobe[k] * vox_ml;
        info->lobe_burden_percent[k] = lobe[k] > 0 ? 100.0 * (double)tlobe[k] / (double)lobe[k] : 0.0;
    }
    info->necrotic_volume_ml = (double)(count[L_TN_R] + count[L_TN_L]) * vox_ml;
    info->lung_volume_ml = (double)count[L_LUNG] * vox_ml;
}

/* ---------------------------------------------------------------- parameters and the build */

/* Liver scale on an origin-anchored lattice (pass 1), used to design the grid. */
static double design_scale(const y90_phantom_params *p)
{
    double pitch = fmax(p->voxel_mm, PASS1_MIN_PITCH);
    return bisect_scale(0.05, 20.0, liver_target_voxels(p, pitch), NULL, pitch);
}

/* Liver scale and split plane on the grid itself (pass 2), checked against the tolerances. */
static y90_status fit_liver(const y90_phantom_params *p, y90_grid *g, double s1, liver_shape *L,
                            y90_error *err)
{
    lattice t = lattice_of_grid(g);
    long target = liver_target_voxels(p, t.v);
    double s = bisect_scale(s1 / SCALE_BRACKET, s1 * SCALE_BRACKET, target, &t, t.v);
    liver_at_scale(s, L);
    long n = count_liver(L, &t);
    double mass_g = (double)n * t.v * t.v * t.v * 1e-3 * p->liver_density; /* mm3 -> cm3, g */
    if (fabs(mass_g - p->liver_mass_g) > LIVER_MASS_TOL * p->liver_mass_g)
        return Y90_FAIL(err, Y90_EINPUT,
                        "phantom.voxel_mm = %g: too coarse for phantom.liver_mass_g = %g (the voxelised liver "
                        "weighs %g g)",
                        t.v, p->liver_mass_g, mass_g);
    double a, b, f = p->right_lobe_fraction;
    split_bracket(L, t.v, &a, &b);
    bisect_split(g, L, lround(f * (double)n), a, b);
    long nr = right_voxels(g, L);
    if (fabs((double)nr - f * (double)n) > LOBE_TOL * fmin(f, 1.0 - f) * (double)n)
        return Y90_FAIL(err, Y90_EINPUT,
                        "phantom.right_lobe_fraction = %g: with voxels of %g mm the right lobe holds %.4f of the "
                        "liver: use smaller voxels",
                        f, t.v, (double)nr / (double)n);
    return Y90_OK;
}

static y90_status build(const y90_phantom_params *p, size_t max_bytes, y90_grid *g, y90_tumour *tumours,
                        int *ntum, y90_error *err)
{
    double s1 = design_scale(p);
    liver_shape L;
    torso T;
    liver_at_scale(s1 * SCALE_BRACKET, &L); /* the largest liver pass 2 may choose */
    place_lungs(&L, &T);
    fit_body(&L, p->margin_mm, &T);
    y90_status st = alloc_grid(&T, p->voxel_mm, max_bytes, g, err);
    if (st == Y90_OK) st = register_tables(g, err);
    if (st == Y90_OK) st = fit_liver(p, g, s1, &L, err);
    if (st != Y90_OK) return st;
    paint_body(g, &T);
    paint_lungs(g, &T);
    paint_liver(g, &L);
    *ntum = 0;
    if (p->tumour_burden_percent > 0.0) st = y90_liver_tumours(g, p, tumours, ntum, err);
    if (st == Y90_OK) fill_materials(g, p);
    return st;
}

y90_status y90_phantom_build_liver(const y90_phantom_params *p, size_t max_bytes, y90_grid *g,
                                   y90_phantom_info *info, y90_error *err)
{
    y90_tumour tumours[Y90_MAX_TUMOURS];
    int ntum = 0;
    y90_status st = build(p, max_bytes, g, tumours, &ntum, err);
    if (st != Y90_OK) {
        y90_grid_free(g);
        return st;
    }
    if (info) {
        measure(g, info);
        info->ntumours = ntum;
        memcpy(info->tumours, tumours, (size_t)info->ntumours * sizeof *tumours);
    }
    return Y90_OK;
}
