/* Tumours of the analytic liver: sizes, placement by lesion pattern, the fit to the asked burden, necrotic cores.
 *
 * Method (every count is made on the voxels):
 *   1. region: the liver voxels of the lobes that may hold tumours, and its exact Euclidean distance transform
 *      (distance from each voxel centre to the nearest voxel centre outside the region; Felzenszwalb &
 *      Huttenlocher, Theory of Computing 8:415, 2012), so whether a sphere fits inside is one look-up;
 *   2. sizes: volumes equal or log-normal (phantom.tumour_size_sigma; mix: one dominant lesion), summing to
 *      the asked tumour volume; placed largest first;
 *   3. placement: each tumour's centre is drawn among the region voxels deep enough for it (jittered inside the
 *      voxel) and must hold the whole sphere, at up to TUMOUR_S_HI times its radius, inside the region. The
 *      pattern chooses among the candidates: scattered, miliary, mix: the first one at least a voxel from every
 *      tumour, or when none is, the one overlapping the tumours already placed least (the tumours touch and
 *      merge into confluent masses); few_large: the shallowest of those a voxel from every tumour (none: the
 *      request is refused); confluent: the deepest position for the first lesion, then the candidate nearest
 *      to it among those overlapping the mass. No tumour's centre lies inside another tumour, so each stays a
 *      distinct lobule of a mass;
 *   4. burden: one common radius factor in [TUMOUR_S_LO, TUMOUR_S_HI] is bisected so that the union of the
 *      spheres holds the asked number of voxels. Where overlaps make the union short even at TUMOUR_S_HI, the
 *      volumes are scaled up by the shortfall and the placement is redone (at most REGROW_ITERS times);
 *   5. a request that still fails is refused with the largest burden that this method builds for that count,
 *      pattern, lobes and voxel size, found by bisection on the burden (each trial a full placement);
 *   6. painting: tumour voxels take the lobe of the liver voxel they replace; necrotic cores (viable-rim model,
 *      see core_fraction) are painted after all viable rims, so a core wins where lesions overlap.
 * Random numbers: stream Y90_STREAM_PHANTOM of phantom.seed, index 0 for the sizes, one index per candidate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "liver.h"
#include "y90/rng.h"

#define BURDEN_TOL 0.01       /* relative: tumour volume versus the asked burden */
#define TUMOUR_S_LO 0.80      /* bracket of the common tumour radius factor around the nominal radii */
#define TUMOUR_S_HI 1.03      /* placement reserves room for radii up to this factor */
#define CANDIDATES 400        /* positions drawn per tumour */
#define REGROW_ITERS 12       /* placements with volumes scaled up for the overlap, at most */
#define SEARCH_STEPS 12       /* bisection steps on the burden when a request fails */
#define BISECT_ITERS 40       /* steps of the radius factor (relative width 0.23 / 2^40) */

typedef struct {
    double r0;   /* mm, nominal radius */
    double c[3]; /* mm, centre */
    int region;  /* index of the region it was placed in */
} seed_t;

/* Box of voxels around the liver with one voxel of padding, shared by every region. */
typedef struct {
    int lo[3], n[3]; /* grid index of box voxel 0 (may be -1), box size */
    double v;        /* mm, voxel edge */
    double org[3];   /* mm, centre of box voxel 0 */
} box_t;

typedef struct {
    float *d2;    /* squared distance (voxel units) to the nearest voxel outside the region; 0 outside */
    long *order;  /* box indices of the region's voxels, deepest first */
    long nvox;
    double share; /* the region's fraction of the liver volume */
} region_t;

typedef struct {
    const y90_grid *g;
    const y90_phantom_params *p;
    box_t b;
    region_t reg[3]; /* 0: the allowed lobes; 1: right lobe; 2: left lobe (both only, for spreading by lobe) */
    int nreg;
    uint32_t *stamp; /* per box voxel: generation of the last count that saw it */
    uint32_t gen;
    long nliver;     /* liver voxels */
    uint64_t draw;   /* last stream index used */
    seed_t ts[Y90_MAX_TUMOURS];
    int n;
} ctx_t;

/* ---------------------------------------------------------------- box, regions, distance transform */

static long box_index(const box_t *b, int i, int j, int k) { return ((long)k * b->n[1] + j) * b->n[0] + i; }

static void box_centre(const box_t *b, long idx, double x[3])
{
    long i = idx % b->n[0], j = (idx / b->n[0]) % b->n[1], k = idx / ((long)b->n[0] * b->n[1]);
    x[0] = b->org[0] + (double)i * b->v;
    x[1] = b->org[1] + (double)j * b->v;
    x[2] = b->org[2] + (double)k * b->v;
}

static int is_liver(int lab) { return lab == L_LIVER_R || lab == L_LIVER_L; }

static void make_box(const y90_grid *g, box_t *b, long *nliver)
{
    int lo[3] = {g->nx, g->ny, g->nz}, hi[3] = {-1, -1, -1};
    *nliver = 0;
    for (int k = 0; k < g->nz; k++)
        for (int j = 0; j < g->ny; j++) {
            const uint8_t *row = g->label + y90_grid_index(g, 0, j, k);
            for (int i = 0; i < g->nx; i++)
                if (is_liver(row[i])) {
                    int id[3] = {i, j, k};
                    for (int a = 0; a < 3; a++) {
                        if (id[a] < lo[a]) lo[a] = id[a];
                        if (id[a] > hi[a]) hi[a] = id[a];
                    }
                    ++*nliver;
                }
        }
    b->v = g->spacing[0];
    for (int a = 0; a < 3; a++) {
        b->lo[a] = lo[a] - 1;
        b->n[a] = hi[a] - lo[a] + 3;
        b->org[a] = g->lo[a] + ((double)b->lo[a] + 0.5) * b->v;
    }
}

/* One-dimensional squared distance transform of f (n values, stride s) in place (Felzenszwalb & Huttenlocher
 * 2012, lower envelope of parabolas); v, z, tmp are work arrays of n, n + 1 and n. */
static void edt_line(float *f, long s, int n, int *v, double *z, double *tmp)
{
    int k = 0;
    v[0] = 0;
    z[0] = -HUGE_VAL;
    z[1] = HUGE_VAL;
    for (int q = 1; q < n; q++) {
        double fq = f[q * s], sx;
        for (;;) { /* z[0] = -inf ends the loop at k = 0 at the latest */
            int r = v[k];
            sx = ((fq + (double)q * q) - ((double)f[r * s] + (double)r * r)) / (2.0 * (q - r));
            if (sx > z[k]) break;
            k--;
        }
        k++;
        v[k] = q;
        z[k] = sx;
        z[k + 1] = HUGE_VAL;
    }
    k = 0;
    for (int q = 0; q < n; q++) {
        while (z[k + 1] < q) k++;
        double d = (double)(q - v[k]);
        tmp[q] = d * d + f[v[k] * s];
    }
    for (int q = 0; q < n; q++) f[q * s] = (float)tmp[q];
}

typedef struct {
    float d2;
    long idx;
} depth_idx;

static int deeper_first(const void *a, const void *b)
{
    const depth_idx *x = a, *y = b;
    if (x->d2 != y->d2) return x->d2 > y->d2 ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Region of the liver voxels with label lab_a or lab_b: distance transform and the voxels deepest first. */
static y90_status make_region(ctx_t *C, region_t *R, int lab_a, int lab_b, y90_error *err)
{
    const box_t *b = &C->b;
    const y90_grid *g = C->g;
    long nb = (long)b->n[0] * b->n[1] * b->n[2];
    int nmax = b->n[0] > b->n[1] ? b->n[0] : b->n[1];
    if (b->n[2] > nmax) nmax = b->n[2];
    R->d2 = malloc((size_t)nb * sizeof *R->d2);
    int *v = malloc((size_t)nmax * sizeof *v);
    double *z = malloc((size_t)(nmax + 1) * sizeof *z), *tmp = malloc((size_t)nmax * sizeof *tmp);
    if (!R->d2 || !v || !z || !tmp) {
        free(v), free(z), free(tmp);
        return Y90_FAIL(err, Y90_ENOMEM, "liver phantom: out of memory for the tumour placement");
    }
    R->nvox = 0;
    for (int k = 0; k < b->n[2]; k++)
        for (int j = 0; j < b->n[1]; j++) {
            /* along x: distance to the nearest outside voxel of the row (every row has padding at both ends) */
            float *row = R->d2 + box_index(b, 0, j, k);
            int gk = b->lo[2] + k, gj = b->lo[1] + j;
            for (int i = 0; i < b->n[0]; i++) {
                int gi = b->lo[0] + i, in = 0;
                if (gi >= 0 && gj >= 0 && gk >= 0 && gi < g->nx && gj < g->ny && gk < g->nz) {
                    int lab = g->label[y90_grid_index(g, gi, gj, gk)];
                    in = lab == lab_a || lab == lab_b;
                }
                row[i] = in ? 1e30f : 0.0f;
                R->nvox += in;
            }
            float last = -1e30f;
            for (int i = 0; i < b->n[0]; i++) {
                if (row[i] == 0.0f) last = (float)i;
                else row[i] = (float)i - last;
            }
            last = 1e30f;
            for (int i = b->n[0] - 1; i >= 0; i--) {
                if (row[i] == 0.0f) last = (float)i;
                else if (last - (float)i < row[i]) row[i] = last - (float)i;
            }
            for (int i = 0; i < b->n[0]; i++) row[i] *= row[i];
        }
    for (int k = 0; k < b->n[2]; k++)
        for (int i = 0; i < b->n[0]; i++) edt_line(R->d2 + box_index(b, i, 0, k), b->n[0], b->n[1], v, z, tmp);
    for (int j = 0; j < b->n[1]; j++)
        for (int i = 0; i < b->n[0]; i++)
            edt_line(R->d2 + box_index(b, i, j, 0), (long)b->n[0] * b->n[1], b->n[2], v, z, tmp);
    free(v), free(z), free(tmp);
    R->order = malloc((size_t)(R->nvox > 0 ? R->nvox : 1) * sizeof *R->order);
    if (!R->order) return Y90_FAIL(err, Y90_ENOMEM, "liver phantom: out of memory for the tumour placement");
    depth_idx *tmpo = malloc((size_t)(R->nvox > 0 ? R->nvox : 1) * sizeof *tmpo);
    if (!tmpo) return Y90_FAIL(err, Y90_ENOMEM, "liver phantom: out of memory for the tumour placement");
    long m = 0;
    for (long i = 0; i < nb; i++)
        if (R->d2[i] > 0.0f) tmpo[m].d2 = R->d2[i], tmpo[m++].idx = i;
    qsort(tmpo, (size_t)m, sizeof *tmpo, deeper_first);
    for (long i = 0; i < m; i++) R->order[i] = tmpo[i].idx;
    free(tmpo);
    R->share = (double)R->nvox / (double)C->nliver;
    return Y90_OK;
}

/* Regions deep enough for radius r (mm) at some point of the voxel: a prefix of the deepest-first list. */
static long eligible(const ctx_t *C, const region_t *R, double r)
{
    double need = r / C->b.v - 0.5 * sqrt(3.0); /* voxel units */
    if (need <= 0.0) return R->nvox;
    double need2 = need * need;
    long lo = 0, hi = R->nvox; /* first index with d2 <= need2 */
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (R->d2[R->order[mid]] > need2) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Whether the sphere (c, r) holds only region voxels: every voxel centre within r of c is in the region. */
static int fits(const ctx_t *C, const region_t *R, const double c[3], double r)
{
    const box_t *b = &C->b;
    int id[3];
    double dd = 0.0;
    for (int a = 0; a < 3; a++) {
        double u = (c[a] - b->org[a]) / b->v;
        id[a] = (int)floor(u + 0.5);
        if (id[a] < 0 || id[a] >= b->n[a]) return 0;
        dd += (u - id[a]) * (u - id[a]);
    }
    double D = sqrt((double)R->d2[box_index(b, id[0], id[1], id[2])]), delta = sqrt(dd), rv = r / b->v;
    if (D - delta > rv) return 1;
    if (D + delta <= rv) return 0;
    int i0[3], i1[3]; /* borderline: look at every voxel */
    for (int a = 0; a < 3; a++) {
        double u = (c[a] - b->org[a]) / b->v;
        i0[a] = (int)ceil(u - rv);
        i1[a] = (int)floor(u + rv);
        if (i0[a] < 0 || i1[a] >= b->n[a]) return 0;
    }
    for (int k = i0[2]; k <= i1[2]; k++)
        for (int j = i0[1]; j <= i1[1]; j++)
            for (int i = i0[0]; i <= i1[0]; i++) {
                double x = b->org[0] + i * b->v - c[0], y = b->org[1] + j * b->v - c[1], z = b->org[2] + k * b->v - c[2];
                if (x * x + y * y + z * z <= r * r && R->d2[box_index(b, i, j, k)] == 0.0f) return 0;
            }
    return 1;
}

/* ---------------------------------------------------------------- sizes */

static int by_volume_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* Volume fractions w[0 .. n) summing to 1, largest first: log-normal weights (sigma 0: equal); mix: w[0] is
 * phantom.tumour_large_fraction and the others share the rest. Stream index 0. */
static void size_weights(const y90_phantom_params *p, int n, double *w)
{
    y90_rng r;
    y90_rng_init(&r, p->seed, Y90_STREAM_PHANTOM, 0);
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double z = p->tumour_size_sigma > 0.0 ? y90_rng_normal(&r) : 0.0;
        w[i] = exp(p->tumour_size_sigma * z);
        sum += w[i];
    }
    for (int i = 0; i < n; i++) w[i] /= sum;
    qsort(w, (size_t)n, sizeof *w, by_volume_desc);
    if (p->tumour_pattern == Y90_PATTERN_MIX && n > 1) {
        double rest = 1.0 - w[0];
        for (int i = 1; i < n; i++) w[i] *= (1.0 - p->tumour_large_fraction) / rest;
        w[0] = p->tumour_large_fraction;
    }
}

/* ---------------------------------------------------------------- placement */

static double dist3(const double a[3], const double b[3])
{
    double x = a[0] - b[0], y = a[1] - b[1], z = a[2] - b[2];
    return sqrt(x * x + y * y + z * z);
}

/* Volume of the lens where spheres of radii r1, r2 at distance d overlap (d >= |r1 - r2|). */
static double lens(double r1, double r2, double d)
{
    if (d >= r1 + r2) return 0.0;
    double t = r1 + r2 - d;
    return Y90_PI * t * t * (d * d + 2.0 * d * (r1 + r2) - 3.0 * (r1 - r2) * (r1 - r2)) / (12.0 * d);
}

/* A candidate centre for tumour i of reserved radius R: a voxel of the region deep enough (uniformly), jittered
 * inside it; confluent after the first lesion: a point at a random direction from a random placed lesion j, at
 * a distance between the larger radius and the sum of the radii (it overlaps j). */
static int candidate(ctx_t *C, const region_t *Rg, int i, double R, long nel, double c[3])
{
    y90_rng r;
    y90_rng_init(&r, C->p->seed, Y90_STREAM_PHANTOM, ++C->draw);
    if (C->p->tumour_pattern == Y90_PATTERN_CONFLUENT && i > 0) {
        int j = (int)(y90_rng_uniform(&r) * i);
        if (j >= i) j = i - 1;
        double Rj = C->ts[j].r0 * TUMOUR_S_HI, u = 2.0 * y90_rng_uniform(&r) - 1.0;
        double phi = 2.0 * Y90_PI * y90_rng_uniform(&r), s = sqrt(fmax(0.0, 1.0 - u * u));
        double lo = fmax(R, Rj), t = lo + (R + Rj - lo) * y90_rng_uniform(&r);
        double dir[3] = {s * cos(phi), s * sin(phi), u};
        for (int a = 0; a < 3; a++) c[a] = C->ts[j].c[a] + t * dir[a];
        return 1;
    }
    if (nel <= 0) return 0;
    long k = (long)(y90_rng_uniform(&r) * (double)nel);
    if (k >= nel) k = nel - 1;
    box_centre(&C->b, Rg->order[k], c);
    for (int a = 0; a < 3; a++) c[a] += C->b.v * (y90_rng_uniform(&r) - 0.5);
    return 1;
}

/* Distance (voxel units) from the voxel holding c to the nearest voxel outside the region. */
static double depth(const ctx_t *C, const region_t *Rg, const double c[3])
{
    int id[3];
    for (int a = 0; a < 3; a++) id[a] = (int)floor((c[a] - C->b.org[a]) / C->b.v + 0.5);
    return sqrt((double)Rg->d2[box_index(&C->b, id[0], id[1], id[2])]);
}

/* Place tumour i (radius reserved: r0 * TUMOUR_S_HI) in region ri; 0 if no candidate is acceptable. */
static int place_one(ctx_t *C, int i, int ri)
{
    const region_t *Rg = &C->reg[ri];
    y90_tumour_pattern pat = C->p->tumour_pattern;
    double R = C->ts[i].r0 * TUMOUR_S_HI, gap = C->b.v, best = HUGE_VAL, c[3], bc[3];
    long nel = eligible(C, Rg, R);
    int found = 0;
    for (int k = 0; k < CANDIDATES; k++) {
        if (!candidate(C, Rg, i, R, nel, c) || !fits(C, Rg, c, R)) continue;
        int separate = 1, touches = 0, ok = 1;
        double overlap = 0.0;
        for (int j = 0; j < i && ok; j++) {
            double Rj = C->ts[j].r0 * TUMOUR_S_HI, d = dist3(c, C->ts[j].c);
            if (d < fmax(R, Rj)) ok = 0; /* a centre inside another tumour */
            if (d < R + Rj + gap) separate = 0;
            if (d < R + Rj) touches = 1, overlap += lens(R, Rj, d);
        }
        if (!ok) continue;
        double score;
        if (pat == Y90_PATTERN_CONFLUENT) {
            if (i > 0 && !touches) continue;
            score = i == 0 ? -depth(C, Rg, c) : dist3(c, C->ts[0].c); /* deepest first, then nearest to it */
        } else if (pat == Y90_PATTERN_FEW_LARGE) {
            if (!separate) continue;
            score = depth(C, Rg, c); /* against the liver's surface, leaving the deep room to the next ones */
        } else {
            if (separate) {
                memcpy(C->ts[i].c, c, sizeof c);
                C->ts[i].region = ri;
                return 1;
            }
            score = overlap;
        }
        if (score < best) {
            best = score;
            memcpy(bc, c, sizeof bc);
            found = 1;
        }
    }
    if (found) {
        memcpy(C->ts[i].c, bc, sizeof bc);
        C->ts[i].region = ri;
    }
    return found;
}

/* Region of tumour i: the allowed lobes; miliary and the small lesions of mix, with both lobes allowed: the
 * lobe whose share of the tumour volume placed so far lags its share of the liver most. */
static int region_for(const ctx_t *C, int i, const double *vol, double *by_lobe)
{
    y90_tumour_pattern pat = C->p->tumour_pattern;
    if (C->nreg < 3 || !(pat == Y90_PATTERN_MILIARY || (pat == Y90_PATTERN_MIX && i > 0))) return 0;
    double total = by_lobe[1] + by_lobe[2] + vol[i];
    double lag1 = C->reg[1].share * total - by_lobe[1], lag2 = C->reg[2].share * total - by_lobe[2];
    return lag1 >= lag2 ? 1 : 2;
}

/* Place every tumour at the volumes vol[] (voxel units, largest first). */
static int place_all(ctx_t *C, const double *vol)
{
    double by_lobe[3] = {0.0, 0.0, 0.0};
    for (int i = 0; i < C->n; i++) {
        C->ts[i].r0 = cbrt(3.0 * vol[i] / (4.0 * Y90_PI)) * C->b.v;
        int ri = region_for(C, i, vol, by_lobe);
        if (!place_one(C, i, ri) && !(ri != 0 && place_one(C, i, 0))) return 0;
        by_lobe[C->ts[i].region == 2 ? 2 : 1] += vol[i];
    }
    return 1;
}

/* ---------------------------------------------------------------- burden */

/* Voxels in the union of the spheres at radius factor s; paint != NULL: paint them (rims, then cores) and, when
 * paint->tumour_id is allocated, number them: a voxel in several overlapping spheres belongs to the first (the
 * largest) of them. */
static long union_voxels(ctx_t *C, double s, y90_grid *paint, const double *core)
{
    const box_t *b = &C->b;
    long total = 0;
    for (int pass = 0; pass < (paint ? 2 : 1); pass++) {
        if (++C->gen == 0) {
            memset(C->stamp, 0, (size_t)b->n[0] * b->n[1] * b->n[2] * sizeof *C->stamp);
            C->gen = 1;
        }
        for (int t = 0; t < C->n; t++) {
            double r = C->ts[t].r0 * s * (pass ? core[t] : 1.0), rv = r / b->v, u[3];
            if (r <= 0.0) continue;
            int i0[3], i1[3];
            for (int a = 0; a < 3; a++) {
                u[a] = (C->ts[t].c[a] - b->org[a]) / b->v;
                i0[a] = (int)fmax(0.0, ceil(u[a] - rv));
                i1[a] = (int)fmin((double)b->n[a] - 1.0, floor(u[a] + rv));
            }
            for (int k = i0[2]; k <= i1[2]; k++)
                for (int j = i0[1]; j <= i1[1]; j++) {
                    double dz = (k - u[2]) * b->v, dy = (j - u[1]) * b->v, rest = r * r - dz * dz - dy * dy;
                    if (rest < 0.0) continue;
                    for (int i = i0[0]; i <= i1[0]; i++) {
                        double dx = (i - u[0]) * b->v;
                        if (dx * dx > rest) continue;
                        long bi = box_index(b, i, j, k);
                        if (C->stamp[bi] == C->gen) continue;
                        C->stamp[bi] = C->gen;
                        total++;
                        if (!paint) continue;
                        uint8_t *lab = paint->label + y90_grid_index(paint, b->lo[0] + i, b->lo[1] + j, b->lo[2] + k);
                        int right = *lab == L_LIVER_R || *lab == L_TV_R || *lab == L_TN_R;
                        *lab = (uint8_t)(pass ? (right ? L_TN_R : L_TN_L) : (right ? L_TV_R : L_TV_L));
                        if (!pass && paint->tumour_id)
                            paint->tumour_id[lab - paint->label] = (uint16_t)(t + 1);
                    }
                }
        }
    }
    return total;
}

/* Common radius factor in [TUMOUR_S_LO, TUMOUR_S_HI] giving the union closest to `target` voxels. */
static double fit_factor(ctx_t *C, long target, long *got)
{
    double lo = TUMOUR_S_LO, hi = TUMOUR_S_HI;
    for (int it = 0; it < BISECT_ITERS; it++) {
        double mid = 0.5 * (lo + hi);
        if (union_voxels(C, mid, NULL, NULL) < target) lo = mid;
        else hi = mid;
    }
    long nlo = union_voxels(C, lo, NULL, NULL), nhi = union_voxels(C, hi, NULL, NULL);
    *got = labs(nlo - target) <= labs(nhi - target) ? nlo : nhi;
    return labs(nlo - target) <= labs(nhi - target) ? lo : hi;
}

/* Place and fit the tumours for `burden` % of the liver: PLAN_OK (factor in *s), PLAN_NO_ROOM (no placement
 * reaches the burden) or PLAN_COARSE (placed, but the voxels cannot hold the burden to BURDEN_TOL). */
enum { PLAN_OK, PLAN_NO_ROOM, PLAN_COARSE };
static int plan(ctx_t *C, double burden, double *s)
{
    double w[Y90_MAX_TUMOURS], vol[Y90_MAX_TUMOURS], want = burden / 100.0 * (double)C->nliver;
    long target = lround(want);
    if (target < 1) return PLAN_COARSE;
    size_weights(C->p, C->n, w);
    double gain = 1.0;
    C->draw = 0;
    for (int it = 0; it < REGROW_ITERS; it++) {
        for (int i = 0; i < C->n; i++) vol[i] = w[i] * (double)target * gain;
        if (!place_all(C, vol)) return PLAN_NO_ROOM;
        long hi = union_voxels(C, TUMOUR_S_HI, NULL, NULL);
        if (hi >= target) {
            long got;
            *s = fit_factor(C, target, &got);
            return fabs((double)got - want) <= BURDEN_TOL * want ? PLAN_OK : PLAN_COARSE;
        }
        long at1 = union_voxels(C, 1.0, NULL, NULL);
        gain *= fmax(1.02, (double)target / (double)(at1 > 0 ? at1 : 1));
    }
    return PLAN_NO_ROOM;
}

/* ---------------------------------------------------------------- necrosis and the whole step */

/* Necrotic fraction of a tumour of diameter d (mm). Viable-rim model: nutrients and oxygen reach a rim of fixed
 * thickness from the perfused surface, so a necrotic core appears only once the diameter exceeds twice that
 * rim and grows with size (the diffusion-limited growth model of Greenspan, Stud Appl Math 51:317, 1972). With
 * D0 = phantom.necrosis_min_diameter_mm the rim is D0/2 thick: fraction (1 - D0/d)^3 for d > D0, capped at
 * phantom.necrotic_fraction; D0 = 0 gives every tumour phantom.necrotic_fraction. */
static double core_fraction(const y90_phantom_params *p, double d)
{
    double d0 = p->necrosis_min_diameter_mm;
    if (d0 <= 0.0) return p->necrotic_fraction;
    if (d <= d0) return 0.0;
    double f = (1.0 - d0 / d) * (1.0 - d0 / d) * (1.0 - d0 / d);
    return fmin(f, p->necrotic_fraction);
}

static const char *pattern_name(y90_tumour_pattern t)
{
    static const char *n[] = {"scattered", "few_large", "miliary", "confluent", "mix"};
    return t >= Y90_PATTERN_SCATTERED && t <= Y90_PATTERN_MIX ? n[t] : "?";
}

static void free_ctx(ctx_t *C)
{
    for (int k = 0; k < 3; k++) {
        free(C->reg[k].d2);
        free(C->reg[k].order);
    }
    free(C->stamp);
}

/* The largest burden (%, a multiple of 0.1) below `asked` that plan() builds: bisection, then the result rounded
 * down and checked (success is not strictly monotone in the burden: a random placement); 0 if none is found. */
static double largest_burden(ctx_t *C, double asked)
{
    double lo = 0.0, hi = asked, s;
    for (int it = 0; it < SEARCH_STEPS; it++) {
        double mid = 0.5 * (lo + hi);
        if (plan(C, mid, &s) == PLAN_OK) lo = mid;
        else hi = mid;
    }
    for (double b = floor(10.0 * lo) / 10.0; b > 0.0 && lo - b < 1.0; b -= 0.1)
        if (plan(C, b, &s) == PLAN_OK) return b;
    return 0.0;
}

y90_status y90_liver_tumours(y90_grid *g, const y90_phantom_params *p, y90_tumour *out, int *n, y90_error *err)
{
    ctx_t *C = calloc(1, sizeof *C);
    if (!C) return Y90_FAIL(err, Y90_ENOMEM, "liver phantom: out of memory for the tumour placement");
    C->g = g;
    C->p = p;
    C->n = p->tumour_count;
    make_box(g, &C->b, &C->nliver);
    static const int lobe_labels[3][2] = {{L_LIVER_R, L_LIVER_L}, {L_LIVER_R, L_LIVER_R}, {L_LIVER_L, L_LIVER_L}};
    int allowed = p->tumour_lobes == Y90_TREAT_RIGHT ? 1 : p->tumour_lobes == Y90_TREAT_LEFT ? 2 : 0;
    y90_status st = make_region(C, &C->reg[0], lobe_labels[allowed][0], lobe_labels[allowed][1], err);
    C->nreg = 1;
    if (st == Y90_OK && allowed == 0) {
        st = make_region(C, &C->reg[1], L_LIVER_R, L_LIVER_R, err);
        if (st == Y90_OK) st = make_region(C, &C->reg[2], L_LIVER_L, L_LIVER_L, err);
        C->nreg = 3;
    }
    size_t nb = (size_t)C->b.n[0] * C->b.n[1] * C->b.n[2];
    if (st == Y90_OK && !(C->stamp = calloc(nb, sizeof *C->stamp)))
        st = Y90_FAIL(err, Y90_ENOMEM, "liver phantom: out of memory for the tumour placement");
    double s = 1.0;
    int how = st == Y90_OK ? plan(C, p->tumour_burden_percent, &s) : PLAN_OK;
    if (how == PLAN_COARSE)
        st = Y90_FAIL(err, Y90_EINPUT,
                      "phantom.tumour_burden_percent = %g with phantom.tumour_count = %d: voxels of %g mm cannot hold "
                      "this burden within %g %% (the tumours are a few voxels each): use smaller voxels or fewer "
                      "tumours",
                      p->tumour_burden_percent, p->tumour_count, g->spacing[0], 100.0 * BURDEN_TOL);
    if (how == PLAN_NO_ROOM) {
        double best = largest_burden(C, p->tumour_burden_percent);
        static const char *lobes[] = {"both lobes", "the right lobe", "the left lobe"};
        st = Y90_FAIL(err, Y90_EINPUT,
                      "phantom.tumour_burden_percent = %g: cannot be built with phantom.tumour_count = %d in %s "
                      "(phantom.tumour_pattern = %s) at phantom.voxel_mm = %g: the largest burden that can is "
                      "%.1f %% (every tumour a whole sphere inside the liver, no tumour's centre inside another%s)",
                      p->tumour_burden_percent, p->tumour_count, lobes[allowed], pattern_name(p->tumour_pattern),
                      g->spacing[0], best,
                      p->tumour_pattern == Y90_PATTERN_FEW_LARGE ? ", lesions separate" : "");
    }
    if (st == Y90_OK && C->n > 0) {
        g->tumour_id = y90_calloc(y90_grid_nvox(g), sizeof *g->tumour_id, "tumour ids", err);
        if (!g->tumour_id) st = Y90_ENOMEM;
        else g->ntumours = C->n;
    }
    if (st == Y90_OK) {
        double core[Y90_MAX_TUMOURS];
        for (int i = 0; i < C->n; i++) {
            double r = C->ts[i].r0 * s;
            core[i] = cbrt(core_fraction(p, 2.0 * r));
            memcpy(out[i].centre_mm, C->ts[i].c, sizeof out[i].centre_mm);
            out[i].radius_mm = r;
            out[i].core_radius_mm = r * core[i];
            int id[3];
            for (int a = 0; a < 3; a++) id[a] = (int)floor((C->ts[i].c[a] - g->lo[a]) / g->spacing[a]);
            out[i].lobe = g->label[y90_grid_index(g, id[0], id[1], id[2])] == L_LIVER_L ? Y90_LOBE_LEFT : Y90_LOBE_RIGHT;
        }
        union_voxels(C, s, g, core);
        *n = C->n;
    }
    free_ctx(C);
    free(C);
    return st;
}
