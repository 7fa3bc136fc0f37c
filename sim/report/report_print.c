/* The dose report as an aligned text table with a summary block, or as JSON. NaN prints as "n/a" (text) or
 * null (JSON). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "y90/report.h"

/* ------------------------------------------------------------------------------------------------ text */

/* v with prec decimals right-aligned in width, or "n/a". */
static void put_num(FILE *f, double v, int width, int prec)
{
    if (isfinite(v)) fprintf(f, " %*.*f", width, prec, v);
    else fprintf(f, " %*s", width, "n/a");
}

static const char *limit_word(double dose, double limit)
{
    return isnan(dose) ? "n/a" : dose <= limit ? "OK" : "EXCEEDED";
}

static void print_table(const y90_report *r, FILE *f)
{
    const y90_report_options *o = &r->opt;
    char h[32];
    fprintf(f, "%-24s %8s %10s %10s %8s %8s %8s", "structure (dose in Gy)", "voxels", "vol_ml", "mass_g", "mean", "min",
            "max");
    for (int k = 0; k < o->ndx; k++) snprintf(h, sizeof h, "D%g", o->dx_pct[k]), fprintf(f, " %7s", h);
    for (int k = 0; k < o->nvx; k++) snprintf(h, sizeof h, "V%g%%", o->vx_gy[k]), fprintf(f, " %6s", h);
    fprintf(f, " %6s %6s %8s %8s %8s %6s %6s\n", "Vpres%", "Vtgt%", "BEDmean", "EUD", "EUD_BED", "unc%", "meanu%");
    for (int i = 0; i < r->nrows; i++) {
        const y90_dose_stats *s = &r->rows[i];
        fprintf(f, "%-24s %8zu", s->name, s->nvox);
        put_num(f, s->volume_ml, 10, 2);
        put_num(f, s->mass_g, 10, 1);
        put_num(f, s->mean_gy, 8, 1);
        put_num(f, s->min_gy, 8, 1);
        put_num(f, s->max_gy, 8, 1);
        for (int k = 0; k < o->ndx; k++) put_num(f, s->dx[k], 7, 1);
        for (int k = 0; k < o->nvx; k++) put_num(f, s->vx[k], 6, 1);
        put_num(f, s->vpresc, 6, 1);
        put_num(f, s->vtarget, 6, 1);
        put_num(f, s->bed_mean_gy, 8, 1);
        put_num(f, s->eud_gy, 8, 1);
        put_num(f, s->eud_bed_gy, 8, 1);
        put_num(f, s->unc_median_pct, 6, 1);
        put_num(f, s->mean_unc_pct, 6, 2);
        if (s->alias[0]) fprintf(f, "  (also %s)", s->alias);
        fputc('\n', f);
    }
}

/* v with one decimal, or "n/a". */
static const char *fmt1(char buf[32], double v)
{
    if (isfinite(v)) snprintf(buf, 32, "%.1f", v);
    else snprintf(buf, 32, "n/a");
    return buf;
}

/* "<what>  X Gy vs <label> P Gy (R %)" */
static void print_vs(FILE *f, const char *what, double mean, const char *label, double presc)
{
    char a[32], b[32], c[32];
    double ratio = presc > 0 ? 100.0 * mean / presc : NAN;
    fprintf(f, "  %-36s %8s Gy vs %s %s Gy (%s %%)\n", what, fmt1(a, mean), label, fmt1(b, presc), fmt1(c, ratio));
}

/* "<what>  X Gy vs limit L Gy: OK|EXCEEDED" */
static void print_vs_limit(FILE *f, const char *what, double dose, double limit)
{
    char a[32];
    fprintf(f, "  %-44s %8s Gy vs limit %.1f Gy: %s\n", what, fmt1(a, dose), limit, limit_word(dose, limit));
}

/* "<what>  E Gy (simulated S Gy)" */
static void print_estimate(FILE *f, const char *what, double est, double sim)
{
    char a[32], b[32];
    fprintf(f, "  %-44s %8s Gy (simulated %s Gy)\n", what, fmt1(a, est), fmt1(b, sim));
}

static void print_summary(const y90_report *r, FILE *f)
{
    const y90_report_options *o = &r->opt;
    const y90_dose_stats *lungs = y90_report_row(r, "lungs");
    char what[96], a[32];
    fprintf(f, "\nSimulated\n");
    print_vs(f, "treated liver mean", r->treated_liver_mean_gy, "prescription", r->prescription_gy);
    print_vs(f, "viable tumour (treated lobes) mean", r->tumour_mean_gy, "tumour target", o->tumour_target_gy);
    print_vs(f, "viable tumour (treated lobes) D70", r->tumour_d70_gy, "tumour target", o->tumour_target_gy);
    fprintf(f, "  %-36s %8s Gy\n", "normal liver (treated lobes) mean", fmt1(a, r->normal_liver_mean_gy));
    fprintf(f, "  %-36s %8s Gy\n", "whole liver mean", fmt1(a, r->liver_mean_gy));
    print_vs_limit(f, "whole normal liver mean", r->whole_normal_liver_mean_gy, o->normal_liver_limit_gy);
    print_vs_limit(f, "lung mean, this session", r->lung_mean_gy, o->lung_session_gy);
    snprintf(what, sizeof what, "lung mean, cumulative (prior %.1f Gy)", o->prior_lung_gy);
    print_vs_limit(f, what, r->lung_mean_gy + o->prior_lung_gy, o->lung_cumulative_gy);

    fprintf(f, "\nClinical estimates (from /treatment and the phantom's masses; n/a without a treatment)\n");
    print_estimate(f, "MIRD single compartment, treated liver", r->mird_treated_liver_gy, r->treated_liver_mean_gy);
    print_estimate(f, "partition model, normal liver", r->partition_normal_gy, r->normal_liver_mean_gy);
    print_estimate(f, "partition model, viable tumour", r->partition_tumour_gy, r->tumour_mean_gy);
    snprintf(what, sizeof what, "lung, phantom lung mass %.3f kg", lungs ? lungs->mass_g / 1e3 : 0.0);
    print_estimate(f, what, r->mird_lung_gy, r->lung_mean_gy);
    print_vs_limit(f, "lung, clinical convention M_L = 1 kg", r->mird_lung_1kg_gy, o->lung_session_gy);
    snprintf(what, sizeof what, "lung 1 kg, cumulative (prior %.1f Gy)", o->prior_lung_gy);
    print_vs_limit(f, what, r->mird_lung_1kg_gy + o->prior_lung_gy, o->lung_cumulative_gy);
    for (int k = 0; k < 4; k++)
        if (r->why[k][0]) fprintf(f, "  - %s\n", r->why[k]);
    if (r->sphere_storage[0]) /* JSON: spheres per row */
        fprintf(f, "\nSpheres stored: %.0f (%s)\n", r->spheres_stored, r->sphere_storage);
}

static void print_provenance(const y90_report *r, FILE *f)
{
    const y90_provenance *p = &r->prov;
    char a[32], b[32];
    snprintf(a, sizeof a, isfinite(p->histories) ? "%.0f" : "n/a", p->histories);
    snprintf(b, sizeof b, isfinite(p->histories_requested) ? "%.0f" : "n/a", p->histories_requested);
    char hist[80];
    /* local and dvk compute the expected dose: no histories, whatever transport.histories says */
    if (p->histories == 0 && p->kernel[0] && strcmp(p->kernel, "mc") != 0)
        snprintf(hist, sizeof hist, "deterministic (no histories)");
    else snprintf(hist, sizeof hist, "%s of %s histories", a, b);
    fprintf(f, "\nRun: %s (config %s), y90mc %s git %s, %s kernel, %s, %s\n", p->input,
            p->config_path[0] ? p->config_path : "n/a", p->version[0] ? p->version : "n/a",
            p->git_revision[0] ? p->git_revision : "n/a", p->kernel[0] ? p->kernel : "n/a", hist,
            p->interrupted < 0 ? "completeness not recorded" : p->interrupted ? "INTERRUPTED (partial dose)"
            : !strcmp(p->run_status, "target_uncertainty") ? "stopped at the target uncertainty"
            : !strcmp(p->run_status, "time_limit") ? "stopped at the time limit" : "complete");
    if (!p->hostname[0]) return; /* files from before the provenance attributes */
    fprintf(f, "Host: %s (%s, %.0f cores), %.0f threads x %.0f MPI ranks, %.1f s; built with %s [%s] %s; HDF5 %s, GSL %s, "
            "%s, MPI %s\n", p->hostname, p->cpu_model[0] ? p->cpu_model : "CPU n/a", p->cpu_cores, p->threads,
            isfinite(p->mpi_ranks) ? p->mpi_ranks : 1, p->runtime_s, p->compiler[0] ? p->compiler : "n/a",
            p->build_type, p->compile_flags, p->hdf5_version, p->gsl_version, p->fftw_version,
            p->mpi_library[0] ? p->mpi_library : "n/a");
    if (p->slurm_job_id[0])
        fprintf(f, "Slurm: job %s%s%s%s%s\n", p->slurm_job_id, p->slurm_array_job_id[0] ? ", array job " : "",
                p->slurm_array_job_id, p->slurm_array_task_id[0] ? ", task " : "", p->slurm_array_task_id);
    if (p->command_line[0]) fprintf(f, "Command: %s\n", p->command_line);
}

void y90_report_print_text(const y90_report *r, FILE *f)
{
    const y90_report_options *o = &r->opt;
    print_table(r, f);
    if (r->ntumours == 0 && y90_report_row(r, "tumour"))
        fprintf(f, "(no /tumour_ids in the file, written by phantoms since this format: no per-tumour rows)\n");
    fprintf(f, "Dx: minimum dose to the hottest x %% of the volume; Vx: %% of the volume with at least x Gy; Vpres: at least "
               "the prescription; Vtgt: at least the tumour target (%.1f Gy)\n", o->tumour_target_gy);
    fprintf(f, "BED (Dale 1985, permanent 90Y implant, T1/2 %.2f h): tumour alpha/beta %.3g Gy, repair %.3g h; normal "
               "tissue %.3g Gy, %.3g h; mass-weighted mean of the voxel BEDs\n",
            r->half_life_h, o->ab_tumour_gy, o->trep_tumour_h, o->ab_normal_gy, o->trep_normal_h);
    fprintf(f, "EUD: generalised (Niemierko) (mean of D^a)^(1/a), a = %g for tumour rows, %g otherwise; EUD_BED the same "
               "on the voxel BEDs\n", o->eud_a_tumour, o->eud_a_normal);
    fprintf(f, "unc%%: median statistical uncertainty (1 sigma) of the voxel doses; Dx and Vx are widened by it; meanu%%: "
               "1 sigma of the mean (voxel errors taken as independent)\n");
    print_summary(r, f);
    if (r->micro.present) y90_micro_print_text(&r->micro, f);
    print_provenance(r, f);
}

/* ------------------------------------------------------------------------------------------------ JSON */

/* JSON output, keys:
 *   provenance                          input, config_path, config (the YAML), version, git_revision, created,
 *                                       kernel, histories, histories_requested, interrupted (bool or null),
 *                                       run_status (completed, interrupted, target_uncertainty, time_limit), seed,
 *                                       threads, mpi_ranks,
 *                                       runtime_s, cpu_cores, hostname, cpu_model, compiler, compile_flags,
 *                                       build_type, hdf5_version, gsl_version, fftw_version, mpi_library,
 *                                       command_line, slurm_job_id, slurm_array_job_id, slurm_array_task_id
 *                                       (null when the file does not say)
 *   options                             prescription_gy (the one used), tumour_target_gy, dx_pct[], vx_gy[],
 *                                       lung_session_gy, lung_cumulative_gy, prior_lung_gy, normal_liver_limit_gy,
 *                                       alpha_beta_tumour_gy, alpha_beta_normal_gy, repair_tumour_h,
 *                                       repair_normal_h, eud_a_tumour, eud_a_normal, half_life_h
 *   prescription_gy, lung_limit_gy      numbers (Gy), as before
 *   rows[]                              one object per row, in table order: name, aliases[], tumour (id or 0), nvox,
 *                                       volume_ml, mass_g, energy_j, mean_gy, mean_unc_pct, min_gy, max_gy, dx_gy[]
 *                                       (one per dx_pct), vx_pct[] (one per vx_gy), d70_gy, vpresc_pct, vtarget_pct,
 *                                       bed_mean_gy, eud_a, eud_gy, eud_bed_gy, voxel_unc_median_pct, spheres
 *                                       (centres in the row's voxels; null when the file stores no spheres)
 *   simulated                           treated_liver_mean_gy, tumour_mean_gy, tumour_d70_gy (viable tumour, treated
 *                                       lobes), normal_liver_mean_gy (treated lobes), whole_normal_liver_mean_gy,
 *                                       liver_mean_gy, lung_mean_gy, lung_ok, lung_cumulative_ok, normal_liver_ok
 *   estimates                           mird_treated_liver_gy, partition_normal_gy, partition_tumour_gy,
 *                                       mird_lung_gy (phantom lung mass), mird_lung_1kg_gy, lung_1kg_ok,
 *                                       lung_1kg_cumulative_ok, why[] (one sentence per estimate)
 *   energy_fractions                    treated_liver, necrotic, other_liver, lungs, body, photons_escaped,
 *                                       electrons_escaped, in_spheres (fractions of the emitted energy)
 *   treatment                           activity_gbq, activity_calibration_gbq, hours_after_calibration,
 *                                       lung_shunt_fraction, tn_ratio, tn_ratio_source, gy_kg_per_gbq,
 *                                       treated_lobes, product, sphere_storage (table | counts | null),
 *                                       spheres_stored
 *   largest_tumour                      id, centre_mm[3]
 * Numbers that are not available (NaN) are null. */

static void json_num(FILE *f, const char *key, double v, int last)
{
    if (isfinite(v)) fprintf(f, "\"%s\": %.10g", key, v);
    else fprintf(f, "\"%s\": null", key);
    fputs(last ? "" : ", ", f);
}

static void json_bool(FILE *f, const char *key, double dose, double limit, int last)
{
    fprintf(f, "\"%s\": %s%s", key, isnan(dose) ? "null" : dose <= limit ? "true" : "false", last ? "" : ", ");
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static void json_key_str(FILE *f, const char *key, const char *s, int last)
{
    fprintf(f, "\"%s\": ", key);
    if (s) json_str(f, s);
    else fputs("null", f);
    fputs(last ? "" : ", ", f);
}

static void json_array(FILE *f, const char *key, const double *v, int n, int last)
{
    fprintf(f, "\"%s\": [", key);
    for (int k = 0; k < n; k++) {
        if (isfinite(v[k])) fprintf(f, "%s%.10g", k ? ", " : "", v[k]);
        else fprintf(f, "%snull", k ? ", " : "");
    }
    fprintf(f, "]%s", last ? "" : ", ");
}

/* "a,b" as ["a", "b"] */
static void json_aliases(FILE *f, const char *list)
{
    char buf[Y90_REPORT_ALIAS_LEN];
    snprintf(buf, sizeof buf, "%s", list);
    fputs("\"aliases\": [", f);
    int k = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save), k++) {
        if (k) fputs(", ", f);
        json_str(f, t);
    }
    fputs("], ", f);
}

static void json_row(FILE *f, const y90_report *r, const y90_dose_stats *s, int last)
{
    fprintf(f, "    {\"name\": ");
    json_str(f, s->name);
    fputs(", ", f);
    json_aliases(f, s->alias);
    fprintf(f, "\"tumour\": %d, \"nvox\": %zu, ", s->tumour, s->nvox);
    json_num(f, "volume_ml", s->volume_ml, 0);
    json_num(f, "mass_g", s->mass_g, 0);
    json_num(f, "energy_j", s->energy_j, 0);
    json_num(f, "mean_gy", s->mean_gy, 0);
    json_num(f, "mean_unc_pct", s->mean_unc_pct, 0);
    json_num(f, "min_gy", s->min_gy, 0);
    json_num(f, "max_gy", s->max_gy, 0);
    json_array(f, "dx_gy", s->dx, r->opt.ndx, 0);
    json_array(f, "vx_pct", s->vx, r->opt.nvx, 0);
    json_num(f, "d70_gy", s->d70_gy, 0);
    json_num(f, "vpresc_pct", s->vpresc, 0);
    json_num(f, "vtarget_pct", s->vtarget, 0);
    json_num(f, "bed_mean_gy", s->bed_mean_gy, 0);
    json_num(f, "eud_a", s->eud_a, 0);
    json_num(f, "eud_gy", s->eud_gy, 0);
    json_num(f, "eud_bed_gy", s->eud_bed_gy, 0);
    json_num(f, "voxel_unc_median_pct", s->unc_median_pct, 0);
    json_num(f, "spheres", s->spheres, 1);
    fprintf(f, "}%s\n", last ? "" : ",");
}

static void json_provenance(const y90_report *r, FILE *f)
{
    const y90_provenance *p = &r->prov;
    fprintf(f, "  \"provenance\": {");
    json_key_str(f, "input", p->input, 0);
    json_key_str(f, "config_path", p->config_path[0] ? p->config_path : NULL, 0);
    json_key_str(f, "config", p->config, 0);
    json_key_str(f, "version", p->version[0] ? p->version : NULL, 0);
    json_key_str(f, "git_revision", p->git_revision[0] ? p->git_revision : NULL, 0);
    json_key_str(f, "created", p->created[0] ? p->created : NULL, 0);
    json_key_str(f, "kernel", p->kernel[0] ? p->kernel : NULL, 0);
    json_num(f, "histories", p->histories, 0);
    json_num(f, "histories_requested", p->histories_requested, 0);
    fprintf(f, "\"interrupted\": %s, ", p->interrupted < 0 ? "null" : p->interrupted ? "true" : "false");
    json_key_str(f, "run_status", p->run_status[0] ? p->run_status : NULL, 0);
    json_num(f, "seed", p->seed, 0);
    json_num(f, "threads", p->threads, 0);
    json_num(f, "mpi_ranks", p->mpi_ranks, 0);
    json_num(f, "runtime_s", p->runtime_s, 0);
    json_num(f, "cpu_cores", p->cpu_cores, 0);
    const struct { const char *key, *value; } texts[] = {
        {"hostname", p->hostname}, {"cpu_model", p->cpu_model}, {"compiler", p->compiler},
        {"compile_flags", p->compile_flags}, {"build_type", p->build_type}, {"hdf5_version", p->hdf5_version},
        {"gsl_version", p->gsl_version}, {"fftw_version", p->fftw_version}, {"mpi_library", p->mpi_library},
        {"command_line", p->command_line}, {"slurm_job_id", p->slurm_job_id},
        {"slurm_array_job_id", p->slurm_array_job_id}, {"slurm_array_task_id", p->slurm_array_task_id}};
    const size_t nt = sizeof texts / sizeof texts[0];
    for (size_t i = 0; i < nt; i++) json_key_str(f, texts[i].key, texts[i].value[0] ? texts[i].value : NULL, i + 1 == nt);
    fprintf(f, "},\n");
}

static void json_options(const y90_report *r, FILE *f)
{
    const y90_report_options *o = &r->opt;
    fprintf(f, "  \"options\": {");
    json_num(f, "prescription_gy", r->prescription_gy, 0);
    json_num(f, "tumour_target_gy", o->tumour_target_gy, 0);
    json_array(f, "dx_pct", o->dx_pct, o->ndx, 0);
    json_array(f, "vx_gy", o->vx_gy, o->nvx, 0);
    json_num(f, "lung_session_gy", o->lung_session_gy, 0);
    json_num(f, "lung_cumulative_gy", o->lung_cumulative_gy, 0);
    json_num(f, "prior_lung_gy", o->prior_lung_gy, 0);
    json_num(f, "normal_liver_limit_gy", o->normal_liver_limit_gy, 0);
    json_num(f, "alpha_beta_tumour_gy", o->ab_tumour_gy, 0);
    json_num(f, "alpha_beta_normal_gy", o->ab_normal_gy, 0);
    json_num(f, "repair_tumour_h", o->trep_tumour_h, 0);
    json_num(f, "repair_normal_h", o->trep_normal_h, 0);
    json_num(f, "eud_a_tumour", o->eud_a_tumour, 0);
    json_num(f, "eud_a_normal", o->eud_a_normal, 0);
    json_num(f, "half_life_h", r->half_life_h, 1);
    fprintf(f, "},\n");
}

static void json_tail(const y90_report *r, FILE *f)
{
    const y90_report_options *o = &r->opt;
    fprintf(f, "  \"estimates\": {");
    json_num(f, "mird_treated_liver_gy", r->mird_treated_liver_gy, 0);
    json_num(f, "partition_normal_gy", r->partition_normal_gy, 0);
    json_num(f, "partition_tumour_gy", r->partition_tumour_gy, 0);
    json_num(f, "mird_lung_gy", r->mird_lung_gy, 0);
    json_num(f, "mird_lung_1kg_gy", r->mird_lung_1kg_gy, 0);
    json_bool(f, "lung_1kg_ok", r->mird_lung_1kg_gy, o->lung_session_gy, 0);
    json_bool(f, "lung_1kg_cumulative_ok", r->mird_lung_1kg_gy + o->prior_lung_gy, o->lung_cumulative_gy, 0);
    fputs("\"why\": [", f);
    for (int k = 0, n = 0; k < 4; k++)
        if (r->why[k][0]) fputs(n++ ? ", " : "", f), json_str(f, r->why[k]);
    fprintf(f, "]},\n  \"energy_fractions\": {");
    json_num(f, "treated_liver", r->f_treated_liver, 0);
    json_num(f, "necrotic", r->f_necrotic, 0);
    json_num(f, "other_liver", r->f_other_liver, 0);
    json_num(f, "lungs", r->f_lung, 0);
    json_num(f, "body", r->f_body, 0);
    json_num(f, "photons_escaped", r->f_photon, 0);
    json_num(f, "electrons_escaped", r->f_electron, 0);
    json_num(f, "in_spheres", r->f_spheres, 1);
    fprintf(f, "},\n  \"treatment\": {");
    json_num(f, "activity_gbq", r->activity_gbq, 0);
    json_num(f, "activity_calibration_gbq", r->activity_calibration_gbq, 0);
    json_num(f, "hours_after_calibration", r->hours_after_calibration, 0);
    json_num(f, "lung_shunt_fraction", r->lsf, 0);
    json_num(f, "tn_ratio", r->tn, 0);
    json_key_str(f, "tn_ratio_source", r->treatment ? r->tn_source : NULL, 0);
    json_num(f, "gy_kg_per_gbq", r->gy_kg_per_gbq, 0);
    json_key_str(f, "treated_lobes", r->treatment ? r->treated_lobes : NULL, 0);
    json_key_str(f, "product", r->treatment ? r->product : NULL, 0);
    json_key_str(f, "sphere_storage", r->sphere_storage[0] ? r->sphere_storage : NULL, 0);
    json_num(f, "spheres_stored", r->spheres_stored, 1);
    fprintf(f, "},\n  \"largest_tumour\": {\"id\": %d, ", r->largest_tumour);
    json_array(f, "centre_mm", r->largest_tumour_centre_mm, r->largest_tumour ? 3 : 0, 1);
    fprintf(f, "}\n}\n");
}

void y90_report_print_json(const y90_report *r, FILE *f)
{
    const y90_report_options *o = &r->opt;
    fprintf(f, "{\n");
    json_provenance(r, f);
    json_options(r, f);
    fputs("  ", f);
    json_num(f, "prescription_gy", r->prescription_gy, 0);
    json_num(f, "lung_limit_gy", r->lung_limit_gy, 1);
    fprintf(f, ",\n  \"rows\": [\n");
    for (int i = 0; i < r->nrows; i++) json_row(f, r, &r->rows[i], i == r->nrows - 1);
    fprintf(f, "  ],\n  \"simulated\": {");
    json_num(f, "treated_liver_mean_gy", r->treated_liver_mean_gy, 0);
    json_num(f, "tumour_mean_gy", r->tumour_mean_gy, 0);
    json_num(f, "tumour_d70_gy", r->tumour_d70_gy, 0);
    json_num(f, "normal_liver_mean_gy", r->normal_liver_mean_gy, 0);
    json_num(f, "whole_normal_liver_mean_gy", r->whole_normal_liver_mean_gy, 0);
    json_num(f, "liver_mean_gy", r->liver_mean_gy, 0);
    json_num(f, "lung_mean_gy", r->lung_mean_gy, 0);
    json_bool(f, "lung_ok", r->lung_mean_gy, o->lung_session_gy, 0);
    json_bool(f, "lung_cumulative_ok", r->lung_mean_gy + o->prior_lung_gy, o->lung_cumulative_gy, 0);
    json_bool(f, "normal_liver_ok", r->whole_normal_liver_mean_gy, o->normal_liver_limit_gy, 1);
    fprintf(f, "},\n");
    if (r->micro.present) y90_micro_print_json(&r->micro, f);
    json_tail(r, f);
}
