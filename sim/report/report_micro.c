/* Microscale statistics of a lobule phantom (phantom.type lobules, files with /lobule_ids): the fraction of the
 * normal liver below 30 Gy and below 70 Gy, the coefficient of variation of the voxel doses and the mean dose of
 * every lobule. The thresholds: 70 Gy is the lobar resin-sphere dose that the hexagonal-lobule model of Walrand
 * et al. 2014 (J Nucl Med 55:135) finds as toxic as 40 Gy of fractionated radiotherapy; 30 Gy the point-kernel
 * dose below which 45 % of the points of resected normal liver fell after resin SIRT (Hogberg et al. 2015, EJNMMI
 * Phys 2:10) (both in tests/reference notes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "y90/report.h"
#include "report_internal.h"

void y90_micro_stats_free(y90_micro_stats *m)
{
    free(m->lobule_mean_gy);
    m->lobule_mean_gy = NULL;
}

y90_status y90_micro_stats_compute(const y90_grid *g, const double *dose, const float *unc, y90_micro_stats *m,
                                   y90_error *err)
{
    memset(m, 0, sizeof *m);
    m->present = 1;
    m->nlobules = g->nlobules;
    size_t n = y90_grid_nvox(g);
    uint8_t liver[Y90_MAX_LABELS] = {0};
    for (int i = 0; i < g->nstructures; i++) liver[i] = g->structures[i].kind == Y90_KIND_LIVER_NORMAL;
    double *lm = y90_calloc((size_t)m->nlobules + 1, sizeof *lm, "lobule means", err);
    double *lw = lm ? y90_calloc((size_t)m->nlobules + 1, sizeof *lw, "lobule means", err) : NULL;
    float *u = lw && unc ? y90_calloc(n, sizeof *u, "uncertainties", err) : NULL;
    if (!lw || (unc && !u)) {
        free(lm);
        free(lw);
        return Y90_ENOMEM;
    }
    double sw = 0, swd = 0, swd2 = 0, w30 = 0, w70 = 0;
    size_t nu = 0;
    for (size_t i = 0; i < n; i++) {
        if (!liver[g->label[i]]) continue;
        double w = g->density[i], d = dose[i];
        m->nvox++;
        sw += w;
        swd += w * d;
        swd2 += w * d * d;
        if (d < 30.0) w30 += w;
        if (d < 70.0) w70 += w;
        lm[g->lobule_id[i]] += w * d;
        lw[g->lobule_id[i]] += w;
        if (u && d > 0) u[nu++] = unc[i];
    }
    m->mean_gy = sw > 0 ? swd / sw : NAN;
    double var = sw > 0 ? swd2 / sw - m->mean_gy * m->mean_gy : NAN;
    m->sd_gy = sqrt(var > 0 ? var : 0);
    m->cv = m->mean_gy > 0 ? m->sd_gy / m->mean_gy : NAN;
    m->below30_pct = sw > 0 ? 100.0 * w30 / sw : NAN;
    m->below70_pct = sw > 0 ? 100.0 * w70 / sw : NAN;
    m->unc_median_pct = NAN;
    if (u && nu > 0) {
        qsort(u, nu, sizeof *u, y90_report_cmp_float);
        m->unc_median_pct = 100.0 * u[nu / 2];
    }
    free(u);
    /* lobule k+1 in lobule_mean_gy[k]; lm[0] (voxels outside lobules) is dropped */
    int ok = 0;
    for (int k = 1; k <= m->nlobules; k++) {
        lm[k - 1] = lw[k] > 0 ? lm[k] / lw[k] : NAN;
        if (lw[k] > 0) lw[ok++] = lm[k - 1];
    }
    m->lobule_mean_gy = lm;
    m->lobule_min_gy = m->lobule_median_gy = m->lobule_max_gy = NAN;
    if (ok > 0) {
        qsort(lw, (size_t)ok, sizeof *lw, y90_report_cmp_double);
        m->lobule_min_gy = lw[0];
        m->lobule_max_gy = lw[ok - 1];
        m->lobule_median_gy = ok % 2 ? lw[ok / 2] : 0.5 * (lw[ok / 2 - 1] + lw[ok / 2]);
    }
    free(lw);
    return Y90_OK;
}

void y90_micro_print_text(const y90_micro_stats *m, FILE *f)
{
    fprintf(f, "\nMicroscale (normal liver of the lobule block, %zu voxels):\n", m->nvox);
    fprintf(f, "  mean %.1f Gy, sd %.1f Gy, coefficient of variation %.3f\n", m->mean_gy, m->sd_gy, m->cv);
    fprintf(f, "  below 30 Gy: %.1f %% of the volume; below 70 Gy: %.1f %%\n", m->below30_pct, m->below70_pct);
    if (!isnan(m->unc_median_pct))
        fprintf(f, "  median voxel uncertainty %.1f %% (1 sigma): the spread, cv and fractions include that noise\n",
                m->unc_median_pct);
    fprintf(f, "  lobules: %d; lobule mean dose min %.1f, median %.1f, max %.1f Gy\n", m->nlobules, m->lobule_min_gy,
            m->lobule_median_gy, m->lobule_max_gy);
    fprintf(f, "  per lobule (id: Gy):");
    for (int k = 0; k < m->nlobules; k++) {
        if (k % 8 == 0) fprintf(f, "\n   ");
        fprintf(f, " %3d: %6.1f", k + 1, m->lobule_mean_gy[k]);
    }
    fprintf(f, "\n");
}

static void num(FILE *f, const char *key, double v, const char *sep)
{
    if (isfinite(v)) fprintf(f, "\"%s\": %.10g%s", key, v, sep);
    else fprintf(f, "\"%s\": null%s", key, sep);
}

void y90_micro_print_json(const y90_micro_stats *m, FILE *f)
{
    fprintf(f, "  \"microscale\": {\"voxels\": %zu, ", m->nvox);
    num(f, "mean_gy", m->mean_gy, ", ");
    num(f, "sd_gy", m->sd_gy, ", ");
    num(f, "cv", m->cv, ", ");
    num(f, "below_30gy_pct", m->below30_pct, ", ");
    num(f, "below_70gy_pct", m->below70_pct, ", ");
    num(f, "unc_median_pct", m->unc_median_pct, ", ");
    fprintf(f, "\"lobules\": %d, ", m->nlobules);
    num(f, "lobule_min_gy", m->lobule_min_gy, ", ");
    num(f, "lobule_median_gy", m->lobule_median_gy, ", ");
    num(f, "lobule_max_gy", m->lobule_max_gy, ", ");
    fprintf(f, "\"lobule_mean_gy\": [");
    for (int k = 0; k < m->nlobules; k++) {
        if (isfinite(m->lobule_mean_gy[k])) fprintf(f, "%s%.10g", k ? ", " : "", m->lobule_mean_gy[k]);
        else fprintf(f, "%snull", k ? ", " : "");
    }
    fprintf(f, "]},\n");
}
