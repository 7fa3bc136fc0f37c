/* y90mc: microsphere presets, the uptake model and the sources of a run. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/phantom.h"
#include "y90/rng.h"
#include "y90/source.h"

/* Microsphere presets (tests/reference/microspheres.md: TheraSphere package insert v12; Sirtex product
 * information; reviews cited there). diameter limits are the published ranges. */
typedef struct {
    const char *name, *material;
    double d_mean_um, d_sd_um, d_min_um, d_max_um; /* um */
    double density;                                /* g/cm3 */
    double activity_bq;                            /* Bq per sphere at calibration, mean */
    int activity_by_volume;                        /* 90Y in the glass matrix: activity ~ d^3 */
} preset;

static const preset presets[] = {
    /* TheraSphere: 20-30 um (sd 2.5 um taken as a quarter of the range), glass density 3.29 g/cm3 as for the
     * stopping-power table of the 17/19/64 mol % YAS glass (the literature quotes 3.2-3.6), 2500 Bq. */
    {"therasphere", "glass", 25.0, 2.5, 20.0, 30.0, 3.29, 2500.0, 1},
    /* SIR-Spheres: 32 +/- 10 um, range 20-60 um, 1.6 g/cm3, about 50 Bq (44 million per 3 GBq vial: 68 Bq;
     * 40-80 million in reviews; 50 Bq chosen as stated in microspheres.md). 90Y bound to the resin: equal
     * activity per sphere. */
    {"sir_spheres", "resin", 32.0, 10.0, 20.0, 60.0, 1.6, 50.0, 0},
};

/* Cumulative-weight table over voxels with weight(label) * mass; returns total weight. */
static double voxel_cdf(const y90_grid *g, const double *label_weight, double *cdf)
{
    size_t n = y90_grid_nvox(g);
    double cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += label_weight[g->label[i]] * (double)g->density[i];
        cdf[i] = cum;
    }
    return cum;
}

/* Cumulative table of per-voxel weights; returns the total. */
static double weight_cdf(const double *w, size_t n, double *cdf)
{
    double cum = 0;
    for (size_t i = 0; i < n; i++) cdf[i] = cum += w[i];
    return cum;
}

static size_t search_cdf(const double *cdf, size_t n, double x)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] <= x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void voxel_point(const y90_grid *g, size_t v, y90_rng *r, double p[3])
{
    size_t ix = v % (size_t)g->nx, iy = (v / (size_t)g->nx) % (size_t)g->ny, iz = v / ((size_t)g->nx * g->ny);
    size_t ii[3] = {ix, iy, iz};
    for (int a = 0; a < 3; a++) p[a] = g->lo[a] + ((double)ii[a] + y90_rng_uniform(r)) * g->spacing[a];
}

static int lobe_treated(y90_treated_lobes t, y90_lobe l)
{
    return t == Y90_TREAT_BOTH || (t == Y90_TREAT_RIGHT && l == Y90_LOBE_RIGHT) ||
           (t == Y90_TREAT_LEFT && l == Y90_LOBE_LEFT);
}

/* The decaying sphere by inversion of the cumulative activity (spheres in table order, which is voxel order), so
 * that u -> sphere is monotone and stratified u (transport.stratify) stratify the spheres: cum_activity[i] = Bq of
 * spheres 0..i, and a guide table (Chen & Asau 1974, Ann Inst Stat Math 26:133) cum_guide[k] = the first sphere
 * whose cumulative activity exceeds k/n of the total, so the search is O(1) on average. */
static y90_status build_cumulative(y90_sources *s, y90_error *err)
{
    size_t n = s->nspheres;
    if (n > UINT32_MAX) return Y90_FAIL(err, Y90_ENOMEM, "more than 2^32 spheres");
    s->cum_activity = y90_calloc(n, sizeof(double), "cumulative activity table", err);
    s->cum_guide = s->cum_activity ? y90_calloc(n, sizeof(uint32_t), "cumulative activity table", err) : NULL;
    if (!s->cum_guide) return err ? err->code : Y90_ENOMEM;
    double cum = 0;
    for (size_t i = 0; i < n; i++) s->cum_activity[i] = cum += (double)s->spheres[i].activity_bq;
    for (size_t k = 0, i = 0; k < n; k++) {
        double x = (double)k / (double)n * cum;
        while (i + 1 < n && s->cum_activity[i] <= x) i++;
        s->cum_guide[k] = (uint32_t)i;
    }
    return Y90_OK;
}

/* Microscale: the normal liver takes up 1 per mass as a whole, but its spheres lodge in the portal tracts (the
 * arterioles) only: the portal tracts get the normal liver's weight times its mass over theirs, the rest of the
 * normal liver none. */
static void portal_uptake(const y90_grid *g, double *wl)
{
    double mass[Y90_MAX_LABELS] = {0}, normal = 0, portal = 0;
    size_t n = y90_grid_nvox(g);
    for (size_t i = 0; i < n; i++) mass[g->label[i]] += g->density[i];
    for (int i = 0; i < g->nstructures; i++)
        if (g->structures[i].kind == Y90_KIND_LIVER_NORMAL && wl[i] > 0) {
            normal += wl[i] * mass[i];
            if (strcmp(g->structures[i].name, Y90_LOBULE_PORTAL) == 0) portal += mass[i];
        }
    for (int i = 0; i < g->nstructures; i++)
        if (g->structures[i].kind == Y90_KIND_LIVER_NORMAL)
            wl[i] = strcmp(g->structures[i].name, Y90_LOBULE_PORTAL) == 0 && portal > 0 ? normal / portal : 0.0;
}

/* What a sphere's own stream (seed, Y90_STREAM_SPHERES, i) draws, in this order: its voxel from the uptake table
 * (lung or liver), its offsets in that voxel (whole 2^-16 mm), its diameter (normal, truncated to the window). */
typedef struct {
    const y90_grid *g;
    uint64_t seed;
    size_t nlung, nv;
    const double *cdf_liver, *cdf_lung;
    double tot_liver, tot_lung;
    double mean, sd, dmin, dmax; /* um, diameters */
} sphere_draw;

static size_t draw_voxel(const sphere_draw *D, size_t i, y90_rng *r)
{
    y90_rng_init(r, D->seed, Y90_STREAM_SPHERES, i);
    int lung = i < D->nlung;
    return search_cdf(lung ? D->cdf_lung : D->cdf_liver, D->nv, y90_rng_uniform(r) * (lung ? D->tot_lung : D->tot_liver));
}

/* Offsets and diameter of a sphere in voxel v from r (mean, sd, dmin, dmax in um; g NULL: offsets 0); 0 when the
 * diameter window is too narrow (the mean is kept). */
static int draw_shape(const y90_grid *g, double mean, double sd, double dmin, double dmax, size_t v, y90_rng *r,
                      y90_sphere *sp)
{
    sp->voxel = (uint32_t)v;
    for (int a = 0; a < 3; a++) { /* g NULL: the diameter only (the offsets' draws are skipped over) */
        double q = floor(y90_rng_uniform(r) * (g ? g->spacing[a] : 0.0) / Y90_SPHERE_OFFSET_QUANTUM_MM);
        sp->offset_mm[a] = (float)(q * Y90_SPHERE_OFFSET_QUANTUM_MM); /* exact: below 2^24 quanta */
    }
    double d = mean;
    int tries = 0;
    do d = floor((mean + sd * y90_rng_normal(r)) / Y90_SPHERE_DIAMETER_QUANTUM_UM + 0.5) * Y90_SPHERE_DIAMETER_QUANTUM_UM;
    while ((d < dmin || d > dmax) && ++tries < 10000);
    sp->diameter_um = (float)(tries >= 10000 ? mean : d);
    return tries < 10000;
}

/* The rest of sphere i after draw_voxel (voxel v); 0 when the diameter window is too narrow (the mean is kept). */
static int draw_sphere(const sphere_draw *D, size_t v, y90_rng *r, y90_sphere *sp)
{
    return draw_shape(D->g, D->mean, D->sd, D->dmin, D->dmax, v, r, sp);
}

/* Counts storage: sphere k of voxel v from its own stream (activity set as well); 0 as draw_shape. */
static int counts_sphere(const y90_sources *s, const y90_grid *g, size_t v, uint32_t k, y90_sphere *sp)
{
    y90_rng r;
    y90_rng_init(&r, s->sphere_seed, Y90_STREAM_SPHERE_IN_VOXEL, ((uint64_t)v << 32) | k);
    int ok = draw_shape(g, s->d_mean_um, s->d_sd_um, s->d_min_um, s->d_max_um, v, &r, sp);
    double d = sp->diameter_um;
    sp->activity_bq = (float)(s->voxel_activity_cum ? s->activity_per_um3 * d * d * d : s->sphere_activity_bq);
    return ok;
}

/* Counts storage: count the spheres per voxel (each sphere's voxel from its stream, as for the table), then, for
 * activities by volume, the activity of every voxel from its regenerated spheres. Memory: 4 bytes a voxel (12 by
 * volume), none per sphere. *too_narrow as draw_shape (every sphere checked by volume, else the first 4096). */
static y90_status place_counts(const sphere_draw *D, int by_volume, y90_sources *s, int threads, int *too_narrow,
                               y90_error *err)
{
    const size_t n = s->nspheres, nv = D->nv;
    s->nvox = nv;
    s->voxel_first = y90_calloc(nv + 1, sizeof(uint32_t), "microsphere counts", err);
    if (!s->voxel_first) return err ? err->code : Y90_ENOMEM;
    uint32_t *count = s->voxel_first + 1;
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t i = 0; i < n; i++) {
        y90_rng r;
        size_t v = draw_voxel(D, i, &r);
        #pragma omp atomic
        count[v]++;
    }
    for (size_t v = 0; v < nv; v++) s->voxel_first[v + 1] += s->voxel_first[v];
    const double a_mean = s->activity_treatment_bq / (double)n;
    int bad = 0;
    if (!by_volume) {
        s->sphere_activity_bq = a_mean;
        for (size_t v = 0, seen = 0; v < nv && seen < 4096; v++)
            for (uint32_t k = 0; k < s->voxel_first[v + 1] - s->voxel_first[v] && seen < 4096; k++, seen++) {
                y90_sphere sp;
                bad |= !counts_sphere(s, D->g, v, k, &sp);
            }
        *too_narrow = bad;
        return Y90_OK;
    }
    double *cum = y90_calloc(nv, sizeof(double), "microsphere activities", err);
    if (!cum) return err ? err->code : Y90_ENOMEM;
    #pragma omp parallel for schedule(dynamic, 256) num_threads(threads) reduction(| : bad)
    for (size_t v = 0; v < nv; v++) { /* sum of diameter^3 of the voxel's spheres, in sphere order */
        double vol = 0;
        for (uint32_t k = 0; k < s->voxel_first[v + 1] - s->voxel_first[v]; k++) {
            y90_sphere sp;
            bad |= !counts_sphere(s, D->g, v, k, &sp);
            double d = sp.diameter_um;
            vol += d * d * d;
        }
        cum[v] = vol;
    }
    double tot = 0; /* in voxel order: independent of the thread count */
    for (size_t v = 0; v < nv; v++) cum[v] = tot += cum[v];
    s->activity_per_um3 = a_mean / (tot / (double)n); /* mean activity a_mean, proportional to diameter^3 */
    for (size_t v = 0; v < nv; v++) cum[v] *= s->activity_per_um3;
    s->voxel_activity_cum = cum;
    *too_narrow = bad;
    return Y90_OK;
}

/* Clustering: the lung spheres and the liver spheres (in stream order: lung first) are split into clusters (sizes
 * from the configured distribution); each cluster's centre is drawn from the uptake model like a single sphere's
 * position and its spheres are placed around it (sim/source/cluster.c), in tmp. Diameters stay those drawn per
 * sphere. Sets nclusters, nclusters_lung, cluster_start (ranges of stream indices, which become ranges of
 * cluster_members once the spheres are sorted). */
static y90_status cluster_spheres(const y90_config *c, const sphere_draw *D, y90_sources *s, y90_sphere *tmp,
                                  int threads, y90_error *err)
{
    y90_status st = y90_cluster_partition(&c->source, c->source.seed, 0, 0, D->nlung, s, err);
    s->nclusters_lung = s->nclusters;
    if (!st) st = y90_cluster_partition(&c->source, c->source.seed, 1, D->nlung, s->nspheres - D->nlung, s, err);
    if (st) return st;
    #pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (size_t k = 0; k < s->nclusters; k++) {
        y90_rng r;
        y90_rng_init(&r, c->source.seed, Y90_STREAM_CLUSTERS, k);
        int lung = k < s->nclusters_lung;
        size_t v = search_cdf(lung ? D->cdf_lung : D->cdf_liver, D->nv,
                              y90_rng_uniform(&r) * (lung ? D->tot_lung : D->tot_liver));
        double centre[3];
        voxel_point(D->g, v, &r, centre);
        y90_cluster_place(&c->source, D->g, tmp, s->cluster_start[k], s->cluster_start[k + 1], centre, &r);
    }
    return Y90_OK;
}

static y90_status narrow_error(const y90_config *c, double sd, double dmin, double dmax, y90_error *err)
{
    return Y90_FAIL(err, Y90_EINPUT, "%s: source.sphere_diameter_sd_um = %g um is far wider than the diameter window "
                    "[%g, %g] um of the product (scaled with the mean diameter): expected a spread comparable to "
                    "the window", c->path, sd, dmin, dmax);
}

/* Uptake model: activity concentration per mass: 1 in normal liver of treated lobes, T/N in viable tumour of
 * treated lobes, 0 in necrotic cores and elsewhere; lungs get the shunted fraction uniformly per mass. */
static y90_status place_spheres(const y90_config *c, const y90_grid *g, const preset *pr, y90_sources *s,
                                y90_error *err)
{
    const int threads = c->transport.threads > 0 ? c->transport.threads : omp_get_max_threads();
    double wl[Y90_MAX_LABELS] = {0}, wlung[Y90_MAX_LABELS] = {0};
    for (int i = 0; i < g->nstructures; i++) {
        const y90_structure *st = &g->structures[i];
        if (st->kind == Y90_KIND_LIVER_NORMAL && lobe_treated(c->treatment.treated_lobes, st->lobe)) wl[i] = 1.0;
        if (st->kind == Y90_KIND_TUMOR_VIABLE && lobe_treated(c->treatment.treated_lobes, st->lobe))
            wl[i] = c->treatment.tn_ratio;
        if (st->kind == Y90_KIND_LUNG) wlung[i] = 1.0;
    }
    if (c->phantom.type == Y90_PHANTOM_LOBULES) portal_uptake(g, wl);
    memcpy(s->uptake_liver, wl, sizeof wl);
    memcpy(s->uptake_lung, wlung, sizeof wlung);
    size_t nv = y90_grid_nvox(g);
    double *cdf_liver = y90_calloc(nv, sizeof(double), "uptake table", err);
    double *cdf_lung = cdf_liver ? y90_calloc(nv, sizeof(double), "lung uptake table", err) : NULL;
    y90_status st = Y90_OK;
    if (!cdf_lung) { st = err ? err->code : Y90_ENOMEM; goto cleanup; }
    double tot_liver = s->voxel_uptake ? weight_cdf(s->voxel_uptake, nv, cdf_liver) : voxel_cdf(g, wl, cdf_liver);
    double tot_lung = voxel_cdf(g, wlung, cdf_lung);
    if (!(tot_liver > 0)) {
        st = s->voxel_uptake ? Y90_FAIL(err, Y90_EINPUT, "%s: source.activity_file %s has no activity in the liver "
                                        "and tumour labels of the phantom; expected an image of this patient in "
                                        "the same frame", c->path, c->source.activity_file)
                             : Y90_FAIL(err, Y90_EINPUT, "%s: no liver voxel takes up spheres (treated lobes, "
                                        "tn_ratio): the uptake model has nothing to fill", c->path);
        goto cleanup;
    }
    if (s->spheres_in_lung > 0 && !(tot_lung > 0)) {
        st = Y90_FAIL(err, Y90_EINPUT, "%s: treatment.lung_shunt_fraction > 0 but the phantom has no lung", c->path);
        goto cleanup;
    }
    /* diameters: normal with the preset spread (scaled with a configured mean) truncated to the preset window
     * (scaled likewise); a window the distribution almost never reaches is an input error, not a hang */
    const double scale = s->mean_diameter_um / pr->d_mean_um;
    const double sd = c->source.sphere_diameter_sd_um >= 0 ? c->source.sphere_diameter_sd_um : pr->d_sd_um * scale;
    const double dmin = pr->d_min_um * scale, dmax = pr->d_max_um * scale;
    const sphere_draw D = {g, c->source.seed, s->spheres_in_lung, nv, cdf_liver, cdf_lung, tot_liver, tot_lung,
                           s->mean_diameter_um, sd, dmin, dmax};
    s->sphere_seed = c->source.seed;
    s->d_mean_um = s->mean_diameter_um;
    s->d_sd_um = sd;
    s->d_min_um = dmin;
    s->d_max_um = dmax;
    if (s->storage == Y90_SPHERES_COUNTS) {
        int narrow = 0;
        st = place_counts(&D, pr->activity_by_volume, s, threads, &narrow, err);
        if (!st && narrow) st = narrow_error(c, sd, dmin, dmax, err);
        goto cleanup;
    }
    /* The spheres come out sorted by voxel (the table compresses, and a sphere's voxel is stored once): each
     * sphere's voxel first, a counting sort to its slot, then the whole sphere into that slot. Without clustering
     * in two passes over the streams (no second sphere list: the second pass draws the voxel again). With
     * clustering the spheres are placed in stream order in a second list first (a cluster's overlap test needs its
     * spheres), then moved to their slots; the slots are kept as the cluster member lists. */
    const size_t n = s->nspheres;
    const int clustered = c->source.clustering != Y90_CLUSTER_NONE;
    int too_narrow = 0;
    uint32_t *slot = y90_calloc(n, sizeof(uint32_t), "microsphere order", err);
    uint32_t *start = slot ? y90_calloc(nv + 1, sizeof(uint32_t), "microsphere order", err) : NULL;
    y90_sphere *tmp = start && clustered ? y90_calloc(n, sizeof(y90_sphere), "clustered microspheres", err) : NULL;
    if (clustered && tmp)
        s->sphere_cluster = y90_calloc(n, sizeof(uint32_t), "microsphere clusters", err);
    if (!start || (clustered && !s->sphere_cluster)) {
        st = err ? err->code : Y90_ENOMEM;
        goto sort_done;
    }
    if (clustered) {
        #pragma omp parallel for schedule(static) num_threads(threads) reduction(| : too_narrow)
        for (size_t i = 0; i < n; i++) {
            y90_rng r;
            size_t v = draw_voxel(&D, i, &r);
            too_narrow |= !draw_sphere(&D, v, &r, &tmp[i]);
        }
        if (!too_narrow) st = cluster_spheres(c, &D, s, tmp, threads, err);
        if (!st && !(s->cluster_bound = y90_calloc(s->nclusters, sizeof *s->cluster_bound, "cluster table", err)))
            st = err ? err->code : Y90_ENOMEM;
        if (st || too_narrow) goto sort_done;
        for (size_t i = 0; i < n; i++) slot[i] = tmp[i].voxel;
    } else {
        #pragma omp parallel for schedule(static) num_threads(threads)
        for (size_t i = 0; i < n; i++) {
            y90_rng r;
            slot[i] = (uint32_t)draw_voxel(&D, i, &r);
        }
    }
    for (size_t i = 0; i < n; i++) start[slot[i] + 1]++;
    for (size_t v = 0; v < nv; v++) start[v + 1] += start[v];
    for (size_t i = 0; i < n; i++) slot[i] = start[slot[i]]++; /* stable: stream order within a voxel kept */
    if (clustered) {
        for (size_t i = 0; i < n; i++) s->spheres[slot[i]] = tmp[i];
        for (size_t k = 0; k < s->nclusters; k++)
            for (size_t i = s->cluster_start[k]; i < s->cluster_start[k + 1]; i++) s->sphere_cluster[slot[i]] = (uint32_t)k;
        s->cluster_members = slot; /* cluster k: stream indices cluster_start[k].. -> their table rows */
        slot = NULL;
        y90_cluster_bounds(g, s);
    } else {
        #pragma omp parallel for schedule(static) num_threads(threads) reduction(| : too_narrow)
        for (size_t i = 0; i < n; i++) {
            y90_rng r;
            size_t v = draw_voxel(&D, i, &r);
            too_narrow |= !draw_sphere(&D, v, &r, &s->spheres[slot[i]]);
        }
    }
sort_done:
    free(start);
    free(slot);
    free(tmp);
    if (st) goto cleanup;
    if (too_narrow) {
        st = narrow_error(c, sd, dmin, dmax, err);
        goto cleanup;
    }
    double vol_sum = 0; /* in sphere order, so that the activities do not depend on the thread count */
    for (size_t i = 0; i < n; i++) {
        double d = s->spheres[i].diameter_um;
        vol_sum += d * d * d;
    }
    /* activity per sphere at treatment: by volume (glass) normalised to the preset mean, or equal (resin) */
    double a_mean = s->activity_treatment_bq / (double)n, v_mean = vol_sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = s->spheres[i].diameter_um;
        s->spheres[i].activity_bq = (float)(pr->activity_by_volume ? a_mean * d * d * d / v_mean : a_mean);
    }
    st = build_cumulative(s, err);
cleanup:
    free(cdf_liver);
    free(cdf_lung);
    return st;
}

static y90_status build_microspheres(const y90_config *c, const y90_grid *g, y90_sources *s, y90_error *err)
{
    const preset *pr = &presets[c->source.product];
    snprintf(s->product, sizeof s->product, "%s", pr->name);
    snprintf(s->sphere_material, sizeof s->sphere_material, "%s", pr->material);
    s->sphere_density = c->source.sphere_density > 0 ? c->source.sphere_density : pr->density;
    s->mean_diameter_um = c->source.sphere_diameter_um > 0 ? c->source.sphere_diameter_um : pr->d_mean_um;
    double a_sphere = c->source.activity_per_sphere_bq > 0 ? c->source.activity_per_sphere_bq : pr->activity_bq;
    double n = floor(s->activity_calibration_bq / a_sphere + 0.5);
    if (n < 1) n = 1;
    /* the sphere list and its cumulative activity and guide tables (24 + 12 bytes a sphere; the sort's slot per
     * sphere is freed before these are made), the placement tables (two doubles per voxel) and the grid */
    const double nv = (double)y90_grid_nvox(g);
    /* (clustering: a second sphere list while placing, the cluster of each sphere, the member lists and at most
     * one cluster per sphere with its start and bounding ball) */
    const double cluster_bytes = c->source.clustering != Y90_CLUSTER_NONE
                                   ? sizeof(y90_sphere) + 3 * sizeof(uint32_t) + 4 * sizeof(double) : 0;
    /* counts storage: the running count per voxel (and the cumulative activity by volume) instead of the list */
    s->storage = c->source.sphere_storage;
    if (s->storage == Y90_SPHERES_AUTO)
        s->storage = n > Y90_SPHERE_COUNTS_AUTO && c->source.clustering == Y90_CLUSTER_NONE ? Y90_SPHERES_COUNTS
                                                                                           : Y90_SPHERES_TABLE;
    const double sphere_bytes = s->storage == Y90_SPHERES_COUNTS
                                  ? 0.0 : n * (sizeof(y90_sphere) + sizeof(double) + sizeof(uint32_t) + cluster_bytes);
    const double count_bytes = s->storage == Y90_SPHERES_COUNTS
                                 ? nv * (sizeof(uint32_t) + (pr->activity_by_volume ? sizeof(double) : 0.0)) : 0.0;
    double need = sphere_bytes + count_bytes + 2.0 * sizeof(double) * nv + nv * (double)y90_grid_bytes_per_voxel_run();
    size_t limit = y90_memory_limit_bytes(c->output.max_memory_gb);
    if (limit > 0 && need > (double)limit)
        return Y90_FAIL(err, Y90_ENOMEM, "%s: %.3g spheres (activity / activity per sphere) and the grid need %.2f GB, "
                        "more than the %.2f GB allowed (output.max_memory_gb)", c->path, n, need / 1e9,
                        (double)limit / 1e9);
    if (n > (double)UINT32_MAX || nv > (double)UINT32_MAX)
        return Y90_FAIL(err, Y90_EINPUT, "%s: %.3g spheres on %.3g voxels: at most 2^32 - 1 of each", c->path, n, nv);
    s->nspheres = (size_t)n;
    s->spheres_in_lung = (size_t)floor(c->treatment.lung_shunt_fraction * n + 0.5);
    if (s->storage == Y90_SPHERES_TABLE &&
        !(s->spheres = y90_calloc(s->nspheres, sizeof(y90_sphere), "microsphere list", err)))
        return err ? err->code : Y90_ENOMEM;
    return place_spheres(c, g, pr, s, err);
}

static y90_status build_validation(const y90_config *c, const y90_grid *g, y90_sources *s, y90_error *err)
{
    const y90_source_params *sp = &c->source;
    double hi[3];
    for (int a = 0; a < 3; a++) hi[a] = g->lo[a] + g->spacing[a] * (a == 0 ? g->nx : a == 1 ? g->ny : g->nz);
    switch (sp->type) {
    case Y90_SOURCE_UNIFORM_BOX: {
        int whole = 1, flat = 0;
        for (int a = 0; a < 3; a++) {
            whole &= sp->box_min_mm[a] == sp->box_max_mm[a];
            flat |= sp->box_min_mm[a] == sp->box_max_mm[a];
        }
        if (flat && !whole)
            return Y90_FAIL(err, Y90_EINPUT, "%s: source.box_min_mm and box_max_mm are equal on some axes only (a box "
                            "of zero volume); expected min < max on every axis, or min = max on all for the whole "
                            "phantom", c->path);
        for (int a = 0; a < 3; a++) {
            s->box_lo[a] = whole ? g->lo[a] : sp->box_min_mm[a];
            s->box_hi[a] = whole ? hi[a] : sp->box_max_mm[a];
            if (s->box_lo[a] < g->lo[a] - 1e-9 || s->box_hi[a] > hi[a] + 1e-9)
                return Y90_FAIL(err, Y90_EINPUT, "%s: source.box_min_mm/box_max_mm: axis %d [%g, %g] mm lies outside "
                                "the phantom [%g, %g] mm", c->path, a, s->box_lo[a], s->box_hi[a], g->lo[a], hi[a]);
        }
        return Y90_OK;
    }
    case Y90_SOURCE_UNIFORM_STRUCTURE: {
        int id = -1;
        for (int i = 0; i < g->nstructures; i++)
            if (strcmp(g->structures[i].name, sp->structure) == 0) id = i;
        if (id < 0) return Y90_FAIL(err, Y90_EINPUT, "%s: source.structure = '%s': no such structure in the phantom",
                                    c->path, sp->structure);
        size_t nv = y90_grid_nvox(g);
        for (size_t i = 0; i < nv; i++) s->nvoxels += g->label[i] == id;
        if (s->nvoxels == 0)
            return Y90_FAIL(err, Y90_EINPUT, "%s: source.structure = '%s' has no voxels", c->path, sp->structure);
        s->voxels = y90_calloc(s->nvoxels, sizeof(size_t), "source voxel list", err);
        if (!s->voxels) return err ? err->code : Y90_ENOMEM;
        for (size_t i = 0, k = 0; i < nv; i++)
            if (g->label[i] == id) s->voxels[k++] = i;
        return Y90_OK;
    }
    case Y90_SOURCE_VOXEL:
        if (sp->voxel[0] < 0 || sp->voxel[1] < 0 || sp->voxel[2] < 0 || sp->voxel[0] >= g->nx ||
            sp->voxel[1] >= g->ny || sp->voxel[2] >= g->nz)
            return Y90_FAIL(err, Y90_EINPUT, "%s: source.voxel = [%d, %d, %d] lies outside the %d x %d x %d grid",
                            c->path, sp->voxel[0], sp->voxel[1], sp->voxel[2], g->nx, g->ny, g->nz);
        s->voxel = y90_grid_index(g, sp->voxel[0], sp->voxel[1], sp->voxel[2]);
        return Y90_OK;
    case Y90_SOURCE_POINT: {
        size_t v;
        if (y90_grid_locate(g, sp->point_mm, &v))
            return Y90_FAIL(err, Y90_EINPUT, "%s: source.point_mm = [%g, %g, %g] lies outside the phantom", c->path,
                            sp->point_mm[0], sp->point_mm[1], sp->point_mm[2]);
        memcpy(s->point, sp->point_mm, sizeof s->point);
        return Y90_OK;
    }
    default:
        return Y90_FAIL(err, Y90_EINTERNAL, "unknown source type %d", (int)sp->type);
    }
}

y90_status y90_sources_build(const y90_config *c, const y90_grid *g, y90_sources *s, y90_error *err)
{
    memset(s, 0, sizeof *s);
    s->type = c->source.type;
    /* the sphere count follows the vial's activity at calibration (activity per sphere at calibration); an
     * activity to deliver at injection comes from a vial calibrated 2^(t / T1/2) times stronger */
    const double a_gbq = c->treatment.activity_gbq, h = c->treatment.hours_after_calibration;
    if (c->treatment.activity_at == Y90_ACTIVITY_AT_TREATMENT) {
        s->activity_treatment_bq = a_gbq * 1e9;
        s->activity_calibration_bq = s->activity_treatment_bq / y90_activity_at(1.0, h);
    } else {
        s->activity_calibration_bq = a_gbq * 1e9;
        s->activity_treatment_bq = y90_activity_at(s->activity_calibration_bq, h);
    }
    s->decays = y90_decays_full(s->activity_treatment_bq);
    snprintf(s->product, sizeof s->product, "none");
    s->energy_mev = c->source.energy_mev;
    double n = sqrt(c->source.direction[0] * c->source.direction[0] + c->source.direction[1] * c->source.direction[1] +
                    c->source.direction[2] * c->source.direction[2]);
    for (int a = 0; a < 3; a++) s->direction[a] = n > 0 ? c->source.direction[a] / n : 0.0;
    if (c->transport.stratify) { /* u0 of the stratified decays: its own stream of the transport seed */
        y90_rng r;
        y90_rng_init(&r, c->transport.seed, Y90_STREAM_STRATIFY, 0);
        s->stratified = 1;
        s->decay_u0 = (uint64_t)y90_rng_u32(&r) << 32;
        s->decay_u0 |= y90_rng_u32(&r);
    }
    y90_status st = Y90_OK;
    if (s->type == Y90_SOURCE_ACTIVITY_MAP) { /* microspheres, placed by the image */
        s->type = Y90_SOURCE_MICROSPHERES;
        st = y90_sources_read_activity_image(c, g, s, err);
    }
    if (!st) st = s->type == Y90_SOURCE_MICROSPHERES ? build_microspheres(c, g, s, err) : build_validation(c, g, s, err);
    if (st) y90_sources_free(s);
    return st;
}

void y90_sources_free(y90_sources *s)
{
    free(s->spheres);
    free(s->cum_activity);
    free(s->cum_guide);
    free(s->voxels);
    free(s->voxel_uptake);
    s->voxel_uptake = NULL;
    free(s->sphere_cluster);
    free(s->cluster_start);
    free(s->cluster_members);
    free(s->cluster_bound);
    free(s->voxel_first);
    free(s->voxel_activity_cum);
    s->voxel_first = NULL;
    s->voxel_activity_cum = NULL;
    s->sphere_cluster = s->cluster_start = s->cluster_members = NULL;
    s->cluster_bound = NULL;
    s->nclusters = s->nclusters_lung = 0;
    s->spheres = NULL;
    s->cum_activity = NULL;
    s->cum_guide = NULL;
    s->voxels = NULL;
}

/* Counts storage: the voxel holding sphere index i (voxel_first[v] <= i < voxel_first[v + 1]). */
static size_t voxel_of(const y90_sources *s, size_t i)
{
    size_t lo = 0, hi = s->nvox - 1;
    while (lo < hi) { /* the first v with voxel_first[v + 1] > i */
        size_t mid = lo + (hi - lo) / 2;
        if (s->voxel_first[mid + 1] <= i) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

double y90_sources_decay_u(const y90_sources *s, int64_t h, y90_rng *r)
{
    if (!s->stratified) return y90_rng_uniform(r);
    /* frac(u0 + h alpha), exact modulo 1 in 64-bit fixed point; its top 53 bits: uniform in [0, 1) */
    return (double)((s->decay_u0 + (uint64_t)h * Y90_GOLDEN_64) >> 11) * (1.0 / 9007199254740992.0);
}

size_t y90_sources_pick_sphere(const y90_sources *s, double u)
{
    const size_t n = s->nspheres;
    if (s->storage != Y90_SPHERES_COUNTS) { /* the cumulative activities through their guide table */
        const double *cum = s->cum_activity, x = u * cum[n - 1];
        size_t k = (size_t)(u * (double)n);
        if (k >= n) k = n - 1;
        /* the first sphere with cum > x lies in [lo, hi]: the guide's bounds, checked (rounding) */
        size_t lo = s->cum_guide[k], hi = k + 1 < n ? s->cum_guide[k + 1] : n - 1;
        if (lo > 0 && cum[lo - 1] > x) lo = 0;
        if (cum[hi] <= x) hi = n - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cum[mid] <= x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
    if (!s->voxel_activity_cum) { /* equal activities: the cumulative counts, then k = the remaining fraction */
        size_t i = (size_t)(u * (double)n);
        return i < n ? i : n - 1;
    }
    /* by volume: the voxel from the cumulative activities, then its spheres' activities up to the remaining part */
    const double *cum = s->voxel_activity_cum, x = u * cum[s->nvox - 1];
    size_t v = search_cdf(cum, s->nvox, x);
    while (v > 0 && s->voxel_first[v + 1] == s->voxel_first[v]) v--; /* rounding onto an empty voxel */
    double rest = x - (v > 0 ? cum[v - 1] : 0.0);
    uint32_t first = s->voxel_first[v], m = s->voxel_first[v + 1] - first, k = 0;
    for (; k + 1 < m; k++) {
        y90_sphere sp;
        counts_sphere(s, NULL, v, k, &sp);
        if ((rest -= sp.activity_bq) < 0) break;
    }
    return first + k;
}

void y90_sources_prefetch(const y90_sources *s, uint32_t u1, uint32_t u2)
{
    if (s->storage == Y90_SPHERES_COUNTS || !s->cum_guide || s->nspheres == 0 || (uint64_t)s->nspheres >> 32) return;
    const uint64_t n = s->nspheres;
    const size_t g = s->cum_guide[(u1 * n) >> 32]; /* (u 2^32) n < 2^64: no overflow */
    __builtin_prefetch(&s->cum_activity[g > 0 ? g - 1 : 0]);
    __builtin_prefetch(&s->spheres[g]);
    __builtin_prefetch(&s->cum_guide[(u2 * n) >> 32]);
}

void y90_sources_sphere(const y90_sources *s, const y90_grid *g, size_t i, y90_sphere *sp)
{
    if (s->storage != Y90_SPHERES_COUNTS) {
        *sp = s->spheres[i];
        return;
    }
    size_t v = voxel_of(s, i);
    counts_sphere(s, g, v, (uint32_t)(i - s->voxel_first[v]), sp);
}

void y90_sources_sphere_counts(const y90_sources *s, const y90_grid *g, uint32_t *counts)
{
    size_t nv = y90_grid_nvox(g);
    memset(counts, 0, nv * sizeof *counts);
    if (s->storage == Y90_SPHERES_COUNTS)
        for (size_t v = 0; v < nv && v < s->nvox; v++) counts[v] = s->voxel_first[v + 1] - s->voxel_first[v];
    else
        for (size_t i = 0; i < s->nspheres; i++)
            if (s->spheres[i].voxel < nv) counts[s->spheres[i].voxel]++;
}

void y90_sources_sample(const y90_sources *s, const y90_grid *g, y90_rng *r, int64_t h, double pos[3], long *sphere)
{
    *sphere = -1;
    switch (s->type) {
    case Y90_SOURCE_MICROSPHERES: {
        size_t i = y90_sources_pick_sphere(s, y90_sources_decay_u(s, h, r));
        y90_sphere sp;
        y90_sources_sphere(s, g, i, &sp);
        y90_sphere_centre(g, &sp, pos);
        *sphere = (long)i;
        return;
    }
    case Y90_SOURCE_UNIFORM_BOX:
        for (int a = 0; a < 3; a++) pos[a] = s->box_lo[a] + y90_rng_uniform(r) * (s->box_hi[a] - s->box_lo[a]);
        return;
    case Y90_SOURCE_UNIFORM_STRUCTURE: {
        size_t k = (size_t)(y90_rng_uniform(r) * (double)s->nvoxels);
        voxel_point(g, s->voxels[k < s->nvoxels ? k : s->nvoxels - 1], r, pos);
        return;
    }
    case Y90_SOURCE_VOXEL:
        voxel_point(g, s->voxel, r, pos);
        return;
    case Y90_SOURCE_POINT:
        memcpy(pos, s->point, 3 * sizeof(double));
        return;
    case Y90_SOURCE_ACTIVITY_MAP: return; /* built as MICROSPHERES */
    }
}

y90_status y90_sources_one_sphere(const char *material, double diameter_um, const y90_grid *g, size_t voxel,
                                  const double offset_mm[3], y90_sources *s, y90_error *err)
{
    memset(s, 0, sizeof *s);
    const preset *pr = NULL;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (!strcmp(presets[i].material, material)) pr = &presets[i];
    if (!pr) return Y90_FAIL(err, Y90_EINPUT, "sphere material '%s': expected glass or resin", material);
    if (voxel >= y90_grid_nvox(g)) return Y90_FAIL(err, Y90_EINTERNAL, "voxel %zu outside the grid", voxel);
    s->type = Y90_SOURCE_MICROSPHERES;
    snprintf(s->product, sizeof s->product, "%s", pr->name);
    snprintf(s->sphere_material, sizeof s->sphere_material, "%s", pr->material);
    s->sphere_density = pr->density;
    s->mean_diameter_um = diameter_um > 0 ? diameter_um : pr->d_mean_um;
    s->nspheres = 1;
    s->activity_calibration_bq = s->activity_treatment_bq = pr->activity_bq;
    s->decays = y90_decays_full(s->activity_treatment_bq);
    s->spheres = y90_calloc(1, sizeof(y90_sphere), "microsphere", err);
    s->cum_activity = s->spheres ? y90_calloc(1, sizeof(double), "cumulative activity table", err) : NULL;
    s->cum_guide = s->cum_activity ? y90_calloc(1, sizeof(uint32_t), "cumulative activity table", err) : NULL;
    if (!s->cum_guide) {
        y90_sources_free(s);
        return err ? err->code : Y90_ENOMEM;
    }
    s->spheres[0] = (y90_sphere){.voxel = (uint32_t)voxel,
                                 .offset_mm = {(float)offset_mm[0], (float)offset_mm[1], (float)offset_mm[2]},
                                 .diameter_um = (float)s->mean_diameter_um, .activity_bq = (float)pr->activity_bq};
    s->cum_activity[0] = pr->activity_bq; /* cum_guide[0] = 0 */
    return Y90_OK;
}
