/* The dose report as an aligned text table with a summary block, or as JSON. NaN prints as "n/a" (text) or
 * null (JSON). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "y90/report.h"

/* Lung dose with the clinical convention M_L = 1 kg: the phantom-mass estimate scaled by the lung mass. */
static double lung_dose_1kg(const y90_report *r)
{
    const y90_dose_stats *l = y90_report_row(r, "lungs");
    return l ? r->mird_lung_gy * l->mass_g / 1e3 : NAN;
}

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
    static const char *const head[] = {"voxels", "vol_ml", "mass_g", "mean", "min",  "max",   "D2",   "D50",
                                       "D70",    "D90",    "D98",    "V70%", "V100%", "V113%", "V150%", "Vpres%",
                                       "unc%"};
    fprintf(f, "%-24s", "structure (dose in Gy)");
    fprintf(f, " %8s", head[0]);
    for (size_t i = 1; i < sizeof head / sizeof *head; i++) fprintf(f, " %*s", i < 3 ? 10 : i < 11 ? 8 : 6, head[i]);
    fputc('\n', f);
    for (int i = 0; i < r->nrows; i++) {
        const y90_dose_stats *s = &r->rows[i];
        const double dose[] = {s->mean_gy, s->min_gy, s->max_gy, s->d2, s->d50, s->d70, s->d90, s->d98};
        const double vol[] = {s->v70, s->v100, s->v113, s->v150, s->vpresc, s->unc_median_pct};
        fprintf(f, "%-24s %8zu", s->name, s->nvox);
        put_num(f, s->volume_ml, 10, 2);
        put_num(f, s->mass_g, 10, 1);
        for (size_t k = 0; k < sizeof dose / sizeof *dose; k++) put_num(f, dose[k], 8, 1);
        for (size_t k = 0; k < sizeof vol / sizeof *vol; k++) put_num(f, vol[k], 6, 1);
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

/* "<what>  X Gy vs prescription P Gy (R %)" */
static void print_vs_prescription(FILE *f, const char *what, double mean, double presc)
{
    char a[32], b[32], c[32];
    double ratio = presc > 0 ? 100.0 * mean / presc : NAN;
    fprintf(f, "  %-36s %8s Gy vs prescription %s Gy (%s %%)\n", what, fmt1(a, mean), fmt1(b, presc), fmt1(c, ratio));
}

/* "<what>  X Gy vs limit L Gy: OK|EXCEEDED" */
static void print_vs_limit(FILE *f, const char *what, double dose, double limit)
{
    char a[32];
    fprintf(f, "  %-36s %8s Gy vs limit %.1f Gy: %s\n", what, fmt1(a, dose), limit, limit_word(dose, limit));
}

/* "<what>  E Gy (simulated S Gy)" */
static void print_estimate(FILE *f, const char *what, double est, double sim)
{
    char a[32], b[32];
    fprintf(f, "  %-44s %8s Gy (simulated %s Gy)\n", what, fmt1(a, est), fmt1(b, sim));
}

static void print_summary(const y90_report *r, FILE *f)
{
    const y90_dose_stats *lungs = y90_report_row(r, "lungs");
    char what[96], a[32];
    fprintf(f, "\nSimulated\n");
    print_vs_prescription(f, "treated liver mean", r->treated_liver_mean_gy, r->prescription_gy);
    print_vs_prescription(f, "viable tumour (treated lobes) mean", r->tumour_mean_gy, r->prescription_gy);
    fprintf(f, "  %-36s %8s Gy\n", "normal liver (treated lobes) mean", fmt1(a, r->normal_liver_mean_gy));
    print_vs_limit(f, "lung mean", r->lung_mean_gy, r->lung_limit_gy);

    fprintf(f, "\nClinical estimates (from /treatment and the phantom's masses; n/a without a treatment)\n");
    print_estimate(f, "MIRD single compartment, treated liver", r->mird_treated_liver_gy, r->treated_liver_mean_gy);
    print_estimate(f, "partition model, normal liver", r->partition_normal_gy, r->normal_liver_mean_gy);
    print_estimate(f, "partition model, viable tumour", r->partition_tumour_gy, r->tumour_mean_gy);
    snprintf(what, sizeof what, "lung, phantom lung mass %.3f kg", lungs ? lungs->mass_g / 1e3 : 0.0);
    print_estimate(f, what, r->mird_lung_gy, r->lung_mean_gy);
    fprintf(f, "  %-44s %8s Gy vs limit %.1f Gy: %s\n", "lung, clinical convention M_L = 1 kg",
            fmt1(a, lung_dose_1kg(r)), r->lung_limit_gy, limit_word(lung_dose_1kg(r), r->lung_limit_gy));
}

void y90_report_print_text(const y90_report *r, FILE *f)
{
    print_table(r, f);
    fprintf(f, "unc%%: median statistical uncertainty (1 sigma) of the voxel doses; Dx and Vx are widened by it (more "
               "histories narrow it)\n");
    print_summary(r, f);
}

/* ------------------------------------------------------------------------------------------------ JSON */

/* JSON output, keys:
 *   prescription_gy, lung_limit_gy      numbers (Gy)
 *   rows[]                              one object per row, in table order:
 *       name (string), nvox, volume_ml, mass_g, mean_gy, min_gy, max_gy, d2_gy, d50_gy, d70_gy, d90_gy, d98_gy,
 *       v70_pct, v100_pct, v113_pct, v150_pct, vpresc_pct (% of the row's volume), voxel_unc_median_pct (%)
 *   simulated                           treated_liver_mean_gy, tumour_mean_gy (viable tumour, treated lobes),
 *                                       normal_liver_mean_gy, lung_mean_gy, lung_ok (bool: lung mean <= limit)
 *   estimates                           mird_treated_liver_gy, partition_normal_gy, partition_tumour_gy,
 *                                       mird_lung_gy (phantom lung mass), mird_lung_1kg_gy (M_L = 1 kg),
 *                                       lung_1kg_ok (bool)
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

static void json_row(FILE *f, const y90_dose_stats *s, int last)
{
    fprintf(f, "    {\"name\": ");
    json_str(f, s->name);
    fprintf(f, ", \"nvox\": %zu, ", s->nvox);
    json_num(f, "volume_ml", s->volume_ml, 0);
    json_num(f, "mass_g", s->mass_g, 0);
    json_num(f, "mean_gy", s->mean_gy, 0);
    json_num(f, "min_gy", s->min_gy, 0);
    json_num(f, "max_gy", s->max_gy, 0);
    json_num(f, "d2_gy", s->d2, 0);
    json_num(f, "d50_gy", s->d50, 0);
    json_num(f, "d70_gy", s->d70, 0);
    json_num(f, "d90_gy", s->d90, 0);
    json_num(f, "d98_gy", s->d98, 0);
    json_num(f, "v70_pct", s->v70, 0);
    json_num(f, "v100_pct", s->v100, 0);
    json_num(f, "v113_pct", s->v113, 0);
    json_num(f, "v150_pct", s->v150, 0);
    json_num(f, "vpresc_pct", s->vpresc, 0);
    json_num(f, "voxel_unc_median_pct", s->unc_median_pct, 1);
    fprintf(f, "}%s\n", last ? "" : ",");
}

void y90_report_print_json(const y90_report *r, FILE *f)
{
    fprintf(f, "{\n  ");
    json_num(f, "prescription_gy", r->prescription_gy, 0);
    json_num(f, "lung_limit_gy", r->lung_limit_gy, 1);
    fprintf(f, ",\n  \"rows\": [\n");
    for (int i = 0; i < r->nrows; i++) json_row(f, &r->rows[i], i == r->nrows - 1);
    fprintf(f, "  ],\n  \"simulated\": {");
    json_num(f, "treated_liver_mean_gy", r->treated_liver_mean_gy, 0);
    json_num(f, "tumour_mean_gy", r->tumour_mean_gy, 0);
    json_num(f, "normal_liver_mean_gy", r->normal_liver_mean_gy, 0);
    json_num(f, "lung_mean_gy", r->lung_mean_gy, 0);
    json_bool(f, "lung_ok", r->lung_mean_gy, r->lung_limit_gy, 1);
    fprintf(f, "},\n  \"estimates\": {");
    json_num(f, "mird_treated_liver_gy", r->mird_treated_liver_gy, 0);
    json_num(f, "partition_normal_gy", r->partition_normal_gy, 0);
    json_num(f, "partition_tumour_gy", r->partition_tumour_gy, 0);
    json_num(f, "mird_lung_gy", r->mird_lung_gy, 0);
    json_num(f, "mird_lung_1kg_gy", lung_dose_1kg(r), 0);
    json_bool(f, "lung_1kg_ok", lung_dose_1kg(r), r->lung_limit_gy, 1);
    fprintf(f, "}\n}\n");
}
