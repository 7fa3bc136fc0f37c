/* Dose report from an output file: per-structure and per-group statistics (volume, mass, mass-weighted mean,
 * Dx, Vx), the simulated summary, the clinical estimates (MIRD single compartment, partition model, lung) and
 * the cumulative DVH as CSV. Reads only the HDF5 file (io.h), so it works on any run.
 *
 * Rows: every structure that has voxels (kind outside skipped), then the groups that have voxels:
 *   tumour_viable          all viable tumour
 *   tumour                 viable + necrotic tumour
 *   tumour_viable_treated  viable tumour in the treated lobes (only for lobar treatment: for "both" it is
 *                          tumour_viable)
 *   liver_normal_treated   normal liver in the treated lobes
 *   liver_treated          all liver in the treated lobes, tumours included (the MIRD "treated liver")
 *   lungs                  kind lung
 * Without /treatment (validation runs) the treated lobes are "both" and the clinical estimates are NAN. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "y90/io.h"
#include "y90/report.h"

#define LUNG_LIMIT_GY 30.0  /* single session (Ho et al. 1997) */
#define DVH_STEP_GY 0.5     /* DVH bin width, or max/DVH_MIN_BINS when that is finer */
#define DVH_MIN_BINS 200
#define DVH_MAX_BINS 5000   /* bound on the rows of the DVH table */

typedef struct {
    char name[Y90_NAME_LEN];
    uint8_t member[Y90_MAX_LABELS]; /* 1 for each structure (label) in the row */
} row_def;

/* What the report reads from the file. */
typedef struct {
    y90_grid g;
    double *dose;                   /* Gy per voxel */
    float *unc;                     /* relative 1-sigma uncertainty per voxel, or NULL */
    size_t count[Y90_MAX_LABELS];   /* voxels per label */
    int treatment;                  /* 1 when the file has /treatment */
    y90_lobe treated_lobe;          /* Y90_LOBE_NONE = both lobes */
    double a_gbq, lsf, tn, k, presc_gy;
    int nrows;
    row_def rows[Y90_REPORT_MAX_ROWS];
} report_data;

static void data_free(report_data *d)
{
    y90_grid_free(&d->g);
    free(d->dose);
    free(d->unc);
    d->dose = NULL;
    d->unc = NULL;
}

static y90_status count_labels(const char *path, report_data *d, y90_error *err)
{
    size_t n = y90_grid_nvox(&d->g);
    for (size_t i = 0; i < n; i++) {
        uint8_t l = d->g.label[i];
        if (l >= d->g.nstructures)
            return Y90_FAIL(err, Y90_EINPUT, "%s: /labels: voxel %zu has label %d but only %d structures are named",
                            path, i, l, d->g.nstructures);
        d->count[l]++;
    }
    return Y90_OK;
}

static y90_status read_treatment(const char *path, report_data *d, y90_error *err)
{
    const char *t = "/treatment";
    char lobes[16];
    d->treatment = y90_io_has_object(path, t);
    d->treated_lobe = Y90_LOBE_NONE;
    if (!d->treatment) return Y90_OK;
    y90_status st = y90_io_read_attr_double(path, t, "activity_treatment_gbq", &d->a_gbq, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "lung_shunt_fraction", &d->lsf, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "tn_ratio", &d->tn, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "gy_kg_per_gbq", &d->k, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "prescription_gy", &d->presc_gy, err);
    if (st == Y90_OK) st = y90_io_read_attr_string(path, t, "treated_lobes", lobes, sizeof lobes, err);
    if (st != Y90_OK) return st;
    /* values no writer makes (a damaged or hand-made file): refuse them, naming the attribute */
    struct { const char *name; double v, lo, hi; } chk[] = {
        {"activity_treatment_gbq", d->a_gbq, 0, 1e6}, {"lung_shunt_fraction", d->lsf, 0, 1},
        {"tn_ratio", d->tn, 0, 1e6}, {"gy_kg_per_gbq", d->k, 1e-300, 1e6}, {"prescription_gy", d->presc_gy, 0, 1e6}};
    for (size_t i = 0; i < sizeof chk / sizeof *chk; i++)
        if (!(chk[i].v >= chk[i].lo && chk[i].v <= chk[i].hi))
            return Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s of /treatment = %g: expected a number in [%g, %g]",
                            path, chk[i].name, chk[i].v, chk[i].lo > 0 ? 0 : chk[i].lo, chk[i].hi);
    if (strcmp(lobes, "both") == 0) return Y90_OK;
    if (y90_lobe_from_name(lobes, &d->treated_lobe) != 0 || d->treated_lobe == Y90_LOBE_NONE)
        return Y90_FAIL(err, Y90_EINPUT, "%s: /treatment treated_lobes = '%s': expected both, right or left", path,
                        lobes);
    return Y90_OK;
}

/* A dose grid with NaN, infinite or negative values is corrupt: say where, instead of reporting nonsense. */
static y90_status check_dose(const char *path, const report_data *d, y90_error *err)
{
    size_t n = y90_grid_nvox(&d->g);
    for (size_t i = 0; i < n; i++)
        if (!(d->dose[i] >= 0) || !isfinite(d->dose[i]))
            return Y90_FAIL(err, Y90_EINPUT, "%s: /dose voxel %zu (x %zu, y %zu, z %zu) = %g: expected a finite dose >= 0",
                            path, i, i % (size_t)d->g.nx, (i / (size_t)d->g.nx) % (size_t)d->g.ny,
                            i / ((size_t)d->g.nx * (size_t)d->g.ny), d->dose[i]);
    return Y90_OK;
}

static y90_status data_load(const char *path, report_data *d, y90_error *err)
{
    memset(d, 0, sizeof *d);
    y90_status st = y90_io_read_grid(path, &d->g, err);
    if (st == Y90_OK) st = y90_io_read_dose(path, y90_grid_nvox(&d->g), &d->dose, &d->unc, err);
    if (st == Y90_OK) st = check_dose(path, d, err);
    if (st == Y90_OK) st = count_labels(path, d, err);
    if (st == Y90_OK) st = read_treatment(path, d, err);
    if (st != Y90_OK) data_free(d);
    return st;
}

/* ------------------------------------------------------------------------------------------------ rows */

enum { G_VIABLE, G_TUMOUR, G_VIABLE_TREATED, G_NORMAL_TREATED, G_LIVER_TREATED, G_LUNGS, G_COUNT };
static const char *const group_names[G_COUNT] = {"tumour_viable",        "tumour",        "tumour_viable_treated",
                                                 "liver_normal_treated", "liver_treated", "lungs"};

static int is_liver(y90_kind k)
{
    return k == Y90_KIND_LIVER_NORMAL || k == Y90_KIND_TUMOR_VIABLE || k == Y90_KIND_TUMOR_NECROTIC;
}

static int in_group(int group, const y90_structure *s, y90_lobe treated)
{
    int lobe_ok = treated == Y90_LOBE_NONE || s->lobe == treated;
    switch (group) {
    case G_VIABLE: return s->kind == Y90_KIND_TUMOR_VIABLE;
    case G_TUMOUR: return s->kind == Y90_KIND_TUMOR_VIABLE || s->kind == Y90_KIND_TUMOR_NECROTIC;
    case G_VIABLE_TREATED: return s->kind == Y90_KIND_TUMOR_VIABLE && lobe_ok;
    case G_NORMAL_TREATED: return s->kind == Y90_KIND_LIVER_NORMAL && lobe_ok;
    case G_LIVER_TREATED: return is_liver(s->kind) && lobe_ok;
    case G_LUNGS: return s->kind == Y90_KIND_LUNG;
    default: return 0;
    }
}

static size_t row_count(const report_data *d, const row_def *r)
{
    size_t n = 0;
    for (int i = 0; i < d->g.nstructures; i++)
        if (r->member[i]) n += d->count[i];
    return n;
}

/* Append row r when it holds voxels. */
static void add_row(report_data *d, const row_def *r)
{
    if (row_count(d, r) > 0 && d->nrows < Y90_REPORT_MAX_ROWS) d->rows[d->nrows++] = *r;
}

static void define_rows(report_data *d)
{
    row_def r;
    d->nrows = 0;
    for (int i = 0; i < d->g.nstructures; i++) {
        if (d->g.structures[i].kind == Y90_KIND_OUTSIDE) continue;
        memset(&r, 0, sizeof r);
        snprintf(r.name, sizeof r.name, "%s", d->g.structures[i].name);
        r.member[i] = 1;
        add_row(d, &r);
    }
    for (int grp = 0; grp < G_COUNT; grp++) {
        if (grp == G_VIABLE_TREATED && d->treated_lobe == Y90_LOBE_NONE) continue;
        memset(&r, 0, sizeof r);
        snprintf(r.name, sizeof r.name, "%s", group_names[grp]);
        for (int i = 0; i < d->g.nstructures; i++) r.member[i] = (uint8_t)in_group(grp, &d->g.structures[i], d->treated_lobe);
        add_row(d, &r);
    }
}

/* ------------------------------------------------------------------------------------------------ statistics */

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* Dx from doses sorted in descending order d[0] >= d[1] >= ... >= d[n-1], each voxel 1/n of the volume.
 * Convention (step DVH, no interpolation): the hottest k voxels hold the cumulative volume k/n; Dx is the dose
 * of the first voxel at which the cumulative volume reaches x %, i.e. d[k-1] with k = ceil(x n / 100)
 * (clamped to 1..n). So Dx is the minimum dose received by the hottest x % of the volume: for doses 1..100 Gy
 * in 100 voxels, D50 = 51 Gy, D90 = 11 Gy, D2 = 99 Gy, D98 = 3 Gy. */
static double dose_at_volume(const double *desc, size_t n, double pct)
{
    double k = ceil(pct / 100.0 * (double)n - 1e-9); /* tolerance: x n / 100 = 45.0000000001 is 45 */
    size_t i = k < 1 ? 1 : (k > (double)n ? n : (size_t)k);
    return desc[i - 1];
}

/* Vx: % of the voxels with dose >= thr (descending array; binary search). */
static double volume_at_dose(const double *desc, size_t n, double thr)
{
    if (isnan(thr)) return NAN;
    size_t lo = 0, hi = n; /* count of d >= thr is the first index with d < thr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (desc[mid] >= thr) lo = mid + 1;
        else hi = mid;
    }
    return 100.0 * (double)lo / (double)n;
}

static void fill_dx_vx(y90_dose_stats *s, const double *desc, size_t n, double presc)
{
    s->max_gy = desc[0];
    s->min_gy = desc[n - 1];
    s->d2 = dose_at_volume(desc, n, 2);
    s->d50 = dose_at_volume(desc, n, 50);
    s->d70 = dose_at_volume(desc, n, 70);
    s->d90 = dose_at_volume(desc, n, 90);
    s->d98 = dose_at_volume(desc, n, 98);
    s->v70 = volume_at_dose(desc, n, 70);
    s->v100 = volume_at_dose(desc, n, 100);
    s->v113 = volume_at_dose(desc, n, 113);
    s->v150 = volume_at_dose(desc, n, 150);
    s->vpresc = volume_at_dose(desc, n, presc);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Median relative uncertainty (%) of the row's voxels that received dose. */
static y90_status median_uncertainty(const report_data *d, const row_def *r, y90_dose_stats *s, y90_error *err)
{
    s->unc_median_pct = NAN;
    if (!d->unc) return Y90_OK;
    size_t nv = y90_grid_nvox(&d->g), k = 0;
    float *u = y90_calloc(s->nvox, sizeof *u, r->name, err);
    if (!u) return Y90_ENOMEM;
    for (size_t i = 0; i < nv; i++)
        if (r->member[d->g.label[i]] && d->dose[i] > 0) u[k++] = d->unc[i];
    if (k > 0) {
        qsort(u, k, sizeof *u, cmp_float);
        s->unc_median_pct = 100.0 * (k % 2 ? u[k / 2] : 0.5 * ((double)u[k / 2 - 1] + (double)u[k / 2]));
    }
    free(u);
    return Y90_OK;
}

static y90_status row_stats(const report_data *d, const row_def *r, double presc, y90_dose_stats *s,
                            y90_error *err)
{
    size_t n = row_count(d, r), nv = y90_grid_nvox(&d->g);
    double *v = y90_calloc(n, sizeof *v, r->name, err);
    if (!v) return Y90_ENOMEM;
    double esum = 0, msum = 0, dsum = 0;
    size_t k = 0;
    for (size_t i = 0; i < nv; i++) {
        if (!r->member[d->g.label[i]]) continue;
        double m = y90_grid_voxel_mass_kg(&d->g, i) * 1e3; /* g */
        v[k++] = d->dose[i];
        esum += d->dose[i] * m;
        msum += m;
        dsum += d->dose[i];
    }
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", r->name);
    s->nvox = n;
    s->volume_ml = (double)n * y90_grid_voxel_volume_mm3(&d->g) / 1e3;
    s->mass_g = msum;
    s->mean_gy = msum > 0 ? esum / msum : dsum / (double)n; /* massless rows (density 0): volume mean */
    qsort(v, n, sizeof *v, cmp_desc);
    fill_dx_vx(s, v, n, presc);
    free(v);
    return median_uncertainty(d, r, s, err);
}

const y90_dose_stats *y90_report_row(const y90_report *r, const char *name)
{
    for (int i = 0; i < r->nrows; i++)
        if (strcmp(r->rows[i].name, name) == 0) return &r->rows[i];
    return NULL;
}

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

/* Clinical estimates from /treatment (A, LSF, T/N, k) and the phantom's masses:
 *   MIRD:      D = k A (1 - LSF) / M_treated_liver (tumours included)
 *   partition: A (1 - LSF) = D_N [ (T/N) M_T + M_N ] / k, D_T = (T/N) D_N (Ho et al. 1996), with M_T the viable
 *              tumour in the treated lobes (the necrotic core takes up no spheres, so it is left out) and M_N
 *              the normal liver in the treated lobes
 *   lung:      D_L = k A LSF / M_L with M_L the phantom's lung mass */
static void clinical_estimates(const report_data *d, y90_report *r)
{
    r->mird_treated_liver_gy = r->partition_normal_gy = r->partition_tumour_gy = r->mird_lung_gy = NAN;
    if (!d->treatment) return;
    const char *viable = d->treated_lobe == Y90_LOBE_NONE ? "tumour_viable" : "tumour_viable_treated";
    double liver_a = d->k * d->a_gbq * (1.0 - d->lsf); /* Gy kg */
    double m_liver = row_mass_kg(r, "liver_treated"), m_t = row_mass_kg(r, viable);
    double m_n = row_mass_kg(r, "liver_normal_treated"), m_l = row_mass_kg(r, "lungs");
    if (m_liver > 0) r->mird_treated_liver_gy = liver_a / m_liver;
    if (d->tn * m_t + m_n > 0) {
        r->partition_normal_gy = liver_a / (d->tn * m_t + m_n);
        r->partition_tumour_gy = d->tn * r->partition_normal_gy;
    }
    if (m_l > 0) r->mird_lung_gy = d->k * d->a_gbq * d->lsf / m_l;
}

static void simulated_summary(const report_data *d, y90_report *r)
{
    r->treated_liver_mean_gy = row_mean(r, "liver_treated");
    r->tumour_mean_gy = row_mean(r, d->treated_lobe == Y90_LOBE_NONE ? "tumour_viable" : "tumour_viable_treated");
    r->normal_liver_mean_gy = row_mean(r, "liver_normal_treated");
    r->lung_mean_gy = row_mean(r, "lungs");
    r->lung_limit_gy = LUNG_LIMIT_GY;
}

y90_status y90_report_compute(const char *h5path, double prescription_gy, y90_report *r, y90_error *err)
{
    report_data *d = malloc(sizeof *d);
    if (!d) return Y90_FAIL(err, Y90_ENOMEM, "report: out of memory");
    memset(r, 0, sizeof *r);
    y90_status st = data_load(h5path, d, err);
    if (st != Y90_OK) goto cleanup;
    define_rows(d);
    double file_presc = d->treatment && d->presc_gy > 0 ? d->presc_gy : NAN;
    r->prescription_gy = prescription_gy > 0 ? prescription_gy : file_presc;
    for (int i = 0; i < d->nrows && st == Y90_OK; i++) st = row_stats(d, &d->rows[i], r->prescription_gy, &r->rows[i], err);
    if (st != Y90_OK) goto cleanup;
    r->nrows = d->nrows;
    simulated_summary(d, r);
    clinical_estimates(d, r);
cleanup:
    data_free(d);
    free(d);
    return st;
}

/* ------------------------------------------------------------------------------------------------ DVH */

/* Bins of the cumulative DVH: the finer of DVH_STEP_GY and max/DVH_MIN_BINS, but at most DVH_MAX_BINS bins. */
static double dvh_step(double max_gy, size_t *nbins)
{
    double step = fmin(DVH_STEP_GY, max_gy / DVH_MIN_BINS);
    if (max_gy / step > DVH_MAX_BINS) step = max_gy / DVH_MAX_BINS;
    /* doses so small that the step underflows (subnormal or 0) or so large that it is infinite: one bin of the
     * usual width, never a division by zero or an infinite bin count */
    if (!(max_gy > 0) || !isnormal(step) || !isfinite(max_gy / step)) {
        *nbins = 1;
        return DVH_STEP_GY;
    }
    *nbins = (size_t)ceil(max_gy / step - 1e-9);
    if (*nbins < 1) *nbins = 1;
    return step;
}

/* Histogram of each row: hist[r * (nb + 1) + j] counts the voxels with floor(dose / step) = j (last bin: >= nb). */
static void dvh_histograms(const report_data *d, double step, size_t nb, size_t *hist)
{
    size_t nv = y90_grid_nvox(&d->g);
    for (size_t i = 0; i < nv; i++) {
        double b = floor(d->dose[i] / step);
        size_t j = !(b > 0) ? 0 : (b > (double)nb ? nb : (size_t)b); /* NaN into bin 0, never cast */
        for (int r = 0; r < d->nrows; r++)
            if (d->rows[r].member[d->g.label[i]]) hist[(size_t)r * (nb + 1) + j]++;
    }
}

static int dvh_print(FILE *f, const report_data *d, double step, size_t nb, size_t *hist)
{
    fprintf(f, "dose_gy");
    for (int r = 0; r < d->nrows; r++) fprintf(f, ",%s", d->rows[r].name);
    fputc('\n', f);
    for (int r = 0; r < d->nrows; r++) { /* cumulative from the top: voxels with dose >= j * step */
        size_t *h = hist + (size_t)r * (nb + 1);
        for (size_t j = nb; j-- > 0;) h[j] += h[j + 1];
    }
    for (size_t j = 0; j <= nb; j++) {
        fprintf(f, "%.6g", (double)j * step);
        for (int r = 0; r < d->nrows; r++) {
            size_t *h = hist + (size_t)r * (nb + 1);
            fprintf(f, ",%.4f", 100.0 * (double)h[j] / (double)h[0]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

static double dvh_max_dose(const report_data *d)
{
    double mx = 0;
    size_t nv = y90_grid_nvox(&d->g);
    for (size_t i = 0; i < nv; i++) {
        int in = 0;
        for (int r = 0; r < d->nrows && !in; r++) in = d->rows[r].member[d->g.label[i]];
        if (in && d->dose[i] > mx) mx = d->dose[i];
    }
    return mx;
}

/* Write the table through a temporary file (y90_write_atomic) in place of csv_path. */
static y90_status dvh_write(const char *csv_path, const report_data *d, double step, size_t nb, size_t *hist,
                            int force, y90_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory for the DVH", csv_path);
    int bad = dvh_print(f, d, step, nb, hist);
    bad |= fclose(f) != 0;
    y90_status st = bad ? Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory for the DVH", csv_path)
                        : y90_write_atomic(csv_path, text, len, force, err);
    free(text);
    return st;
}

y90_status y90_report_write_dvh_csv(const char *h5path, const char *csv_path, int force, y90_error *err)
{
    report_data *d = malloc(sizeof *d);
    size_t *hist = NULL;
    if (!d) return Y90_FAIL(err, Y90_ENOMEM, "DVH: out of memory");
    y90_status st = data_load(h5path, d, err);
    if (st != Y90_OK) {
        free(d);
        return st;
    }
    define_rows(d);
    size_t nb;
    double step = dvh_step(dvh_max_dose(d), &nb);
    hist = y90_calloc((size_t)(d->nrows > 0 ? d->nrows : 1) * (nb + 1), sizeof *hist, "DVH histograms", err);
    if (!hist) {
        st = Y90_ENOMEM;
        goto cleanup;
    }
    dvh_histograms(d, step, nb, hist);
    st = dvh_write(csv_path, d, step, nb, hist, force, err);
cleanup:
    free(hist);
    data_free(d);
    free(d);
    return st;
}
