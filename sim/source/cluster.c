/* y90mc: microsphere clusters: the cluster-size distribution (none, geometric, log-normal), the split of the
 * spheres into clusters and the placement of a cluster's spheres around its centre without overlaps.
 *
 * Histology of resin spheres in resected human liver found single spheres, "strings in the arterioles" and
 * "conglomerates in small arteries", the largest of 453 spheres among 3888 counted in 240 sections (Hogberg et al.
 * 2015, EJNMMI Phys 2:10; tests/reference notes); Kennedy et al. 2004 (IJROBP 60:1552) saw spheres gather at the
 * tumour periphery and in the portal-triad arterioles. Neither gives a size histogram we could read, so the size
 * distribution is a parameter (source.cluster_mean, cluster_sigma) and its defaults are illustrative. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include "y90/rng.h"
#include "y90/source.h"

/* Log-normal X with mean m and sigma s: mu = ln m - s^2/2. */
static double lognormal_mu(const y90_source_params *sp)
{
    return log(sp->cluster_mean) - 0.5 * sp->cluster_sigma * sp->cluster_sigma;
}

double y90_cluster_pmf(const y90_source_params *sp, long k)
{
    if (k < 1 || k > Y90_CLUSTER_MAX) return 0.0;
    switch (sp->clustering) {
    case Y90_CLUSTER_NONE: return k == 1 ? 1.0 : 0.0;
    case Y90_CLUSTER_GEOMETRIC: {
        double p = 1.0 / sp->cluster_mean; /* P(K >= k) = (1-p)^(k-1) */
        if (k == Y90_CLUSTER_MAX) return pow(1.0 - p, (double)(k - 1));
        return p * pow(1.0 - p, (double)(k - 1));
    }
    case Y90_CLUSTER_LOGNORMAL: { /* K = ceil(X): P(K = k) = F(k) - F(k-1) */
        double mu = lognormal_mu(sp), s = sp->cluster_sigma;
        double below = k == 1 ? 0.0 : gsl_cdf_lognormal_P((double)(k - 1), mu, s);
        if (k == Y90_CLUSTER_MAX) return 1.0 - below;
        return gsl_cdf_lognormal_P((double)k, mu, s) - below;
    }
    }
    return 0.0;
}

long y90_cluster_draw(const y90_source_params *sp, y90_rng *r)
{
    double k = 1;
    switch (sp->clustering) {
    case Y90_CLUSTER_NONE: return 1;
    case Y90_CLUSTER_GEOMETRIC: {
        double p = 1.0 / sp->cluster_mean;
        if (p >= 1.0) return 1;
        k = 1.0 + floor(log(y90_rng_uniform(r)) / log1p(-p)); /* inversion */
        break;
    }
    case Y90_CLUSTER_LOGNORMAL:
        k = ceil(exp(lognormal_mu(sp) + sp->cluster_sigma * y90_rng_normal(r)));
        break;
    }
    if (!(k >= 1)) k = 1;
    return k > Y90_CLUSTER_MAX ? Y90_CLUSTER_MAX : (long)k;
}

y90_status y90_cluster_partition(const y90_source_params *sp, uint64_t seed, uint32_t group, size_t first, size_t n,
                                 y90_sources *s, y90_error *err)
{
    y90_rng r;
    y90_rng_init(&r, seed, Y90_STREAM_CLUSTER_SIZES, group);
    size_t at = first, end = first + n;
    while (at < end) {
        size_t k = (size_t)y90_cluster_draw(sp, &r);
        if (k > end - at) k = end - at; /* the last cluster is cut to the spheres left */
        uint32_t *nf = realloc(s->cluster_start, (s->nclusters + 2) * sizeof *nf);
        if (!nf) return Y90_FAIL(err, Y90_ENOMEM, "out of memory for the cluster table");
        s->cluster_start = nf;
        nf[s->nclusters++] = (uint32_t)at; /* fits: at most 2^32 - 1 spheres */
        nf[s->nclusters] = (uint32_t)(at + k);
        at += k;
    }
    return Y90_OK;
}

/* Quantise centre p (mm, inside the grid box) as the sphere table stores it: the voxel holding it and the offset from
 * that voxel's low corner in whole 2^-16 mm; p becomes the stored centre (y90_sphere_centre of the result). */
static void quantise(const y90_grid *g, double p[3], y90_sphere *sp)
{
    const int n[3] = {g->nx, g->ny, g->nz};
    size_t ii[3];
    for (int a = 0; a < 3; a++) {
        double f = floor((p[a] - g->lo[a]) / g->spacing[a]);
        ii[a] = f < 0 ? 0 : f >= n[a] ? (size_t)n[a] - 1 : (size_t)f;
        double top = ceil(g->spacing[a] / Y90_SPHERE_OFFSET_QUANTUM_MM) - 1.0; /* the last quantum below the spacing */
        double q = floor((p[a] - (g->lo[a] + (double)ii[a] * g->spacing[a])) / Y90_SPHERE_OFFSET_QUANTUM_MM);
        sp->offset_mm[a] = (float)(fmin(fmax(q, 0.0), top) * Y90_SPHERE_OFFSET_QUANTUM_MM); /* exact */
    }
    sp->voxel = (uint32_t)(ii[0] + (size_t)n[0] * (ii[1] + (size_t)n[1] * ii[2]));
    y90_sphere_centre(g, sp, p);
}

/* 1 when a sphere at p (centre, mm) of radius rj overlaps none of sph[a..j-1] and lies in the grid box. */
static int fits(const y90_grid *g, const y90_sphere *sph, size_t a, size_t j, const double p[3], double rj)
{
    const int n[3] = {g->nx, g->ny, g->nz};
    for (int ax = 0; ax < 3; ax++)
        if (p[ax] - rj < g->lo[ax] || p[ax] + rj > g->lo[ax] + n[ax] * g->spacing[ax]) return 0;
    for (size_t i = a; i < j; i++) {
        double c[3];
        y90_sphere_centre(g, &sph[i], c);
        double dx = p[0] - c[0], dy = p[1] - c[1], dz = p[2] - c[2];
        double rr = rj + 0.5e-3 * sph[i].diameter_um;
        if (dx * dx + dy * dy + dz * dz < rr * rr) return 0;
    }
    return 1;
}

void y90_cluster_place(const y90_source_params *sp, const y90_grid *g, y90_sphere *sph, size_t a, size_t b,
                       const double centre[3], y90_rng *r)
{
    double spread = 1e-3 * sp->cluster_spread_um; /* mm */
    for (size_t j = a; j < b; j++) {
        double rj = 0.5e-3 * sph[j].diameter_um, p[3] = {centre[0], centre[1], centre[2]};
        /* the first sphere at the centre when it fits; then Gaussian offsets, rejecting overlaps; after 100 misses
         * in a row the spread widens by half (at least to a diameter), so that every cluster can be placed. Each
         * candidate is quantised first: the overlap test sees the centres the table will hold. */
        quantise(g, p, &sph[j]);
        int placed = j == a && fits(g, sph, a, j, p, rj), tries = 0;
        while (!placed && tries < 100000) { /* (a grid smaller than the cluster: keep the last position) */
            for (int ax = 0; ax < 3; ax++) p[ax] = centre[ax] + spread * y90_rng_normal(r);
            quantise(g, p, &sph[j]);
            placed = fits(g, sph, a, j, p, rj);
            if (!placed && ++tries % 100 == 0) spread = fmax(1.5 * spread, 2.0 * rj);
        }
    }
}

void y90_cluster_bounds(const y90_grid *g, y90_sources *s)
{
    for (size_t c = 0; c < s->nclusters; c++) {
        const uint32_t *mem = s->cluster_members + s->cluster_start[c];
        size_t k = s->cluster_start[c + 1] - s->cluster_start[c];
        double m[3] = {0, 0, 0}, rad = 0, p[3];
        for (size_t j = 0; j < k; j++) {
            y90_sphere_centre(g, &s->spheres[mem[j]], p);
            for (int ax = 0; ax < 3; ax++) m[ax] += p[ax];
        }
        for (int ax = 0; ax < 3; ax++) m[ax] /= (double)k;
        for (size_t j = 0; j < k; j++) {
            y90_sphere_centre(g, &s->spheres[mem[j]], p);
            double dx = p[0] - m[0], dy = p[1] - m[1], dz = p[2] - m[2];
            rad = fmax(rad, sqrt(dx * dx + dy * dy + dz * dz) + 0.5e-3 * s->spheres[mem[j]].diameter_um);
        }
        for (int ax = 0; ax < 3; ax++) s->cluster_bound[c][ax] = m[ax];
        s->cluster_bound[c][3] = rad * (1.0 + 1e-9) + 1e-12;
    }
}
