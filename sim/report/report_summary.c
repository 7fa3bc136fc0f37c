/* The report's summary: the simulated mean doses, the clinical estimates (MIRD single compartment, partition
 * model, lung), the largest tumour, where the emitted energy went, and one sentence per clinical estimate on why
 * the simulation differs from it. Works on the rows report.c computed (y90_report_row). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "y90/io.h"
#include "y90/report.h"
#include "report_data.h"

static double row_mean(const y90_report *r, const char *name)
{
    const y90_dose_stats *s = y90_report_row(r, name);
    return s ? s->mean_gy : NAN;
}

static double row_mass_kg(const y90_report *r, const char *name)
{
    const y90_dose_stats *s = y90_report_row(r, name);
    return s ? s->mass_g / 1e3 : 0.0;
}

static double row_energy_j(const y90_report *r, const char *name)
{
    const y90_dose_stats *s = y90_report_row(r, name);
    return s ? s->energy_j : 0.0;
}

/* ------------------------------------------------------------------------------------------------ summary */

/* Clinical estimates from /treatment (A, LSF, T/N, k) and the phantom's masses:
 *   MIRD:      D = k A (1 - LSF) / M_treated_liver (tumours included)
 *   partition: A (1 - LSF) = D_N [ (T/N) M_T + M_N ] / k, D_T = (T/N) D_N (Ho et al. 1996), with M_T the viable
 *              tumour in the treated lobes (the necrotic core takes up no spheres, so it is left out) and M_N
 *              the normal liver in the treated lobes
 *   lung:      D_L = k A LSF / M_L with M_L the phantom's lung mass, and with the clinical M_L = 1 kg */
static void clinical_estimates(const report_data *d, y90_report *r)
{
    r->mird_treated_liver_gy = r->partition_normal_gy = r->partition_tumour_gy = r->mird_lung_gy = NAN;
    r->mird_lung_1kg_gy = NAN;
    if (!d->treatment) return;
    double liver_a = d->k * d->a_gbq * (1.0 - d->lsf); /* Gy kg */
    double m_liver = row_mass_kg(r, "liver_treated"), m_t = row_mass_kg(r, "tumour_viable_treated");
    double m_n = row_mass_kg(r, "liver_normal_treated"), m_l = row_mass_kg(r, "lungs");
    if (m_liver > 0) r->mird_treated_liver_gy = liver_a / m_liver;
    if (d->tn * m_t + m_n > 0) {
        r->partition_normal_gy = liver_a / (d->tn * m_t + m_n);
        r->partition_tumour_gy = d->tn * r->partition_normal_gy;
    }
    if (m_l > 0) r->mird_lung_gy = d->k * d->a_gbq * d->lsf / m_l;
    r->mird_lung_1kg_gy = d->k * d->a_gbq * d->lsf;
}

static void simulated_summary(y90_report *r)
{
    const y90_dose_stats *t = y90_report_row(r, "tumour_viable_treated");
    r->treated_liver_mean_gy = row_mean(r, "liver_treated");
    r->tumour_mean_gy = t ? t->mean_gy : NAN;
    r->tumour_d70_gy = t ? t->d70_gy : NAN;
    r->normal_liver_mean_gy = row_mean(r, "liver_normal_treated");
    r->whole_normal_liver_mean_gy = row_mean(r, "liver_normal");
    r->liver_mean_gy = row_mean(r, "liver");
    r->lung_mean_gy = row_mean(r, "lungs");
    r->lung_limit_gy = r->opt.lung_session_gy;
}

/* The largest tumour (most voxels) and its voxel centroid. */
static void largest_tumour(const report_data *d, y90_report *r)
{
    r->ntumours = d->g.tumour_id ? d->g.ntumours : 0;
    size_t best = 0;
    for (int t = 1; t <= r->ntumours; t++) {
        size_t n = d->tstart[t] - d->tstart[t - 1];
        if (n > best) best = n, r->largest_tumour = t;
    }
    if (!r->largest_tumour) return;
    double c[3] = {0, 0, 0};
    size_t nx = (size_t)d->g.nx, ny = (size_t)d->g.ny;
    for (size_t k = d->tstart[r->largest_tumour - 1]; k < d->tstart[r->largest_tumour]; k++) {
        size_t i = d->tvox[k];
        c[0] += (double)(i % nx);
        c[1] += (double)((i / nx) % ny);
        c[2] += (double)(i / (nx * ny));
    }
    for (int a = 0; a < 3; a++) r->largest_tumour_centre_mm[a] = d->g.lo[a] + (c[a] / (double)best + 0.5) * d->g.spacing[a];
}

/* Where the emitted energy went, as fractions of it: rows from the dose grid (scaled by deposited / emitted), the
 * escapes from /energy_balance. */
static void energy_fractions(const char *path, const report_data *d, y90_report *r)
{
    y90_error e = {0};
    double em = NAN, dep = NAN, esc_e = NAN, esc_p = NAN, sph = NAN, grid = 0;
    const char *eb = "/energy_balance";
    r->f_treated_liver = r->f_necrotic = r->f_other_liver = r->f_lung = r->f_body = NAN;
    r->f_photon = r->f_electron = r->f_spheres = NAN;
    if (y90_io_read_attr_double(path, eb, "emitted_mev", &em, &e) || y90_io_read_attr_double(path, eb, "deposited_mev", &dep, &e) ||
        y90_io_read_attr_double(path, eb, "escaped_electron_mev", &esc_e, &e) ||
        y90_io_read_attr_double(path, eb, "escaped_photon_mev", &esc_p, &e) ||
        y90_io_read_attr_double(path, eb, "in_spheres_mev", &sph, &e) || !(em > 0))
        return;
    size_t n = y90_grid_nvox(&d->g);
    for (size_t i = 0; i < n; i++) grid += d->dose[i] * y90_grid_voxel_mass_kg(&d->g, i);
    if (!(grid > 0)) return;
    double s = dep / em / grid; /* fraction of the emission per J in the grid */
    double liver = row_energy_j(r, "liver"), lung = row_energy_j(r, "lungs");
    r->f_treated_liver = s * row_energy_j(r, "liver_treated");
    r->f_necrotic = s * row_energy_j(r, "tumour_necrotic");
    r->f_other_liver = s * (liver - row_energy_j(r, "liver_treated"));
    r->f_lung = s * lung;
    r->f_body = s * (grid - liver - lung);
    r->f_photon = esc_p / em;
    r->f_electron = esc_e / em;
    r->f_spheres = sph / em;
}

/* One sentence per clinical estimate: why the simulation differs, in numbers from the energy balance. */
static void explain(y90_report *r)
{
    for (int k = 0; k < 4; k++) r->why[k][0] = 0;
    if (!r->treatment || isnan(r->f_treated_liver)) return;
    double liver_share = 100.0 * (1.0 - r->lsf);
    snprintf(r->why[0], sizeof r->why[0],
             "MIRD (%.1f Gy) keeps the whole liver share of the emission (1 - LSF = %.1f %%) in the treated liver; "
             "the simulation deposits %.1f %% of the emitted energy there (%.1f Gy; %.1f / %.1f = the dose ratio): "
             "%.1f %% crosses the liver surface into the body, %.1f %% is in the lungs (shunted spheres included), "
             "%.1f %% in untreated liver, %.2f %% leaves as bremsstrahlung photons and %.2f %% as electrons leaving "
             "the grid (%.2f %% is absorbed inside the spheres, still counted in the voxel holding them).",
             r->mird_treated_liver_gy, liver_share, 100 * r->f_treated_liver, r->treated_liver_mean_gy,
             100 * r->f_treated_liver, liver_share, 100 * r->f_body, 100 * r->f_lung, 100 * r->f_other_liver,
             100 * r->f_photon, 100 * r->f_electron,
             100 * r->f_spheres);
    const y90_dose_stats *n = y90_report_row(r, "liver_normal_treated"), *t = y90_report_row(r, "tumour_viable_treated");
    double mn = n ? n->mass_g : 0, mt = t ? t->mass_g : 0, denom = r->tn * mt + mn;
    const y90_dose_stats *lt = y90_report_row(r, "liver_treated");
    double per_j = lt && lt->energy_j > 0 ? 100.0 * r->f_treated_liver / lt->energy_j : NAN; /* % of emission per J */
    double sim_n = n ? per_j * n->energy_j : NAN, sim_t = t ? per_j * t->energy_j : NAN;
    snprintf(r->why[1], sizeof r->why[1],
             "The partition model gives the normal liver %.1f %% of the emitted energy (%.1f Gy) and keeps it there; "
             "simulated %.1f %% (%.1f Gy): beta particles (mean range 2.5 mm, maximum 11 mm) carry energy across "
             "the tumour and liver surfaces, and the liver as a whole loses %.1f %% of the emission to the body.",
             denom > 0 ? liver_share * mn / denom : NAN, r->partition_normal_gy, sim_n, r->normal_liver_mean_gy,
             100 * r->f_body);
    snprintf(r->why[2], sizeof r->why[2],
             "The partition model gives the viable tumour %.1f %% of the emitted energy (%.1f Gy, T/N = %.3g%s) and "
             "none to the necrotic cores; simulated %.1f %% (%.1f Gy): %.2f %% of the emission crosses into the "
             "necrotic cores (beta range), and the tumour rims lose energy to the normal liver around them.",
             denom > 0 ? liver_share * r->tn * mt / denom : NAN, r->partition_tumour_gy, r->tn,
             strcmp(r->tn_source, "activity_map") ? "" : " of the activity map", sim_t,
             r->tumour_mean_gy, 100 * r->f_necrotic);
    const y90_dose_stats *l = y90_report_row(r, "lungs");
    snprintf(r->why[3], sizeof r->why[3],
             "The lung estimate puts the shunted %.1f %% of the emission into 1 kg of lung (%.1f Gy; %.1f Gy with the "
             "phantom's %.3f kg); simulated %.2f %% of the emission in the lungs (%.1f Gy): low-density lung lets "
             "beta energy reach the chest wall and liver, and liver energy crosses the diaphragm into the lung.",
             100 * r->lsf, r->mird_lung_1kg_gy, r->mird_lung_gy, l ? l->mass_g / 1e3 : 0.0, 100 * r->f_lung,
             r->lung_mean_gy);
}

void y90_report_summary(const char *h5path, const report_data *d, y90_report *r)
{
    simulated_summary(r);
    clinical_estimates(d, r);
    largest_tumour(d, r);
    energy_fractions(h5path, d, r);
    explain(r);
}
