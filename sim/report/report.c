/* Dose report from an output file: per-structure, per-group and per-tumour statistics (volume, mass,
 * mass-weighted mean, Dx, Vx, BED, EUD), the simulated summary, the clinical estimates (MIRD single compartment,
 * partition model, lung) with the energy balance that explains the difference, the run's provenance and the
 * cumulative DVH as CSV. Reads only the HDF5 file (io.h), so it works on any run.
 *
 * Rows: every structure that has voxels (kind outside skipped), then the groups that have voxels:
 *   tumour_viable, tumour_necrotic, tumour (viable + necrotic)
 *   liver_treated          all liver in the treated lobes, tumours included (the MIRD "treated liver")
 *   liver_normal_treated   normal liver in the treated lobes
 *   tumour_viable_treated  viable tumour in the treated lobes
 *   liver, liver_normal    the whole liver and the whole normal liver, whatever lobes were treated
 *   lungs                  kind lung
 * then per tumour k (files with /tumour_ids): tumour_k, tumour_k_viable, tumour_k_necrotic.
 * A row holding exactly the voxels of an earlier row is not repeated: its name becomes an alias of that row
 * (liver = liver_treated when both lobes are treated).
 * Without /treatment (validation runs) the treated lobes are "both" and the clinical estimates are NAN.
 * The summary, the clinical estimates and the energy balance that explains them are in report_summary.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "y90/io.h"
#include "y90/nuclide.h"
#include "y90/report.h"
#include "report_data.h"
#include "report_internal.h"

#define DVH_STEP_GY 0.5     /* DVH bin width, or max/DVH_MIN_BINS when that is finer */
#define DVH_MIN_BINS 200
#define DVH_MAX_BINS 5000   /* bound on the rows of the DVH table */
#define CONFIG_MAX 1048576  /* bytes of the run's YAML kept for the JSON */

static void data_free(report_data *d)
{
    y90_grid_free(&d->g);
    free(d->dose);
    free(d->unc);
    free(d->tstart);
    free(d->tvox);
    free(d->rows);
    free(d->spheres);
    d->spheres = NULL;
    d->dose = NULL;
    d->unc = NULL;
    d->tstart = d->tvox = NULL;
    d->rows = NULL;
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

/* Voxel lists per tumour (a counting sort of /tumour_ids). */
static y90_status bucket_tumours(report_data *d, y90_error *err)
{
    int nt = d->g.tumour_id ? d->g.ntumours : 0;
    if (nt == 0) return Y90_OK;
    size_t n = y90_grid_nvox(&d->g), total = 0;
    d->tstart = y90_calloc((size_t)nt + 1, sizeof *d->tstart, "tumour voxel lists", err);
    if (!d->tstart) return Y90_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (d->g.tumour_id[i]) d->tstart[d->g.tumour_id[i]]++, total++;
    for (int k = 1; k <= nt; k++) d->tstart[k] += d->tstart[k - 1];
    d->tvox = y90_calloc(total ? total : 1, sizeof *d->tvox, "tumour voxel lists", err);
    if (!d->tvox) return Y90_ENOMEM;
    size_t *next = y90_calloc((size_t)nt + 1, sizeof *next, "tumour voxel lists", err);
    if (!next) return Y90_ENOMEM;
    memcpy(next, d->tstart, ((size_t)nt + 1) * sizeof *next);
    for (size_t i = 0; i < n; i++)
        if (d->g.tumour_id[i]) d->tvox[next[d->g.tumour_id[i] - 1]++] = i;
    free(next);
    return Y90_OK;
}

static y90_status read_treatment(const char *path, report_data *d, y90_report *r, y90_error *err)
{
    const char *t = "/treatment";
    d->treatment = r->treatment = y90_io_has_object(path, t);
    d->treated_lobe = Y90_LOBE_NONE;
    r->activity_gbq = r->activity_calibration_gbq = r->hours_after_calibration = r->lsf = r->tn = NAN;
    r->gy_kg_per_gbq = NAN;
    r->half_life_h = Y90_HALF_LIFE_H;
    snprintf(r->treated_lobes, sizeof r->treated_lobes, "both");
    if (!d->treatment) return Y90_OK;
    y90_status st = y90_io_read_attr_double(path, t, "activity_treatment_gbq", &d->a_gbq, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "lung_shunt_fraction", &d->lsf, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "tn_ratio", &d->tn, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "gy_kg_per_gbq", &d->k, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "prescription_gy", &d->presc_gy, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "activity_calibration_gbq", &r->activity_calibration_gbq, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "hours_after_calibration", &r->hours_after_calibration, err);
    if (st == Y90_OK) st = y90_io_read_attr_double(path, t, "half_life_h", &r->half_life_h, err);
    if (st == Y90_OK) st = y90_io_read_attr_string(path, t, "treated_lobes", r->treated_lobes, sizeof r->treated_lobes, err);
    if (st == Y90_OK) st = y90_io_read_attr_string(path, t, "product", r->product, sizeof r->product, err);
    if (st != Y90_OK) return st;
    snprintf(r->tn_source, sizeof r->tn_source, "config"); /* files from before tn_ratio_source */
    if (y90_io_read_attr_string(path, t, "tn_ratio_source", r->tn_source, sizeof r->tn_source, NULL))
        snprintf(r->tn_source, sizeof r->tn_source, "config");
    /* values no writer makes (a damaged or hand-made file): refuse them, naming the attribute */
    struct { const char *name; double v, lo, hi; } chk[] = {
        {"activity_treatment_gbq", d->a_gbq, 0, 1e6}, {"lung_shunt_fraction", d->lsf, 0, 1},
        {"tn_ratio", d->tn, 0, 1e6}, {"gy_kg_per_gbq", d->k, 1e-300, 1e6}, {"prescription_gy", d->presc_gy, 0, 1e6}};
    for (size_t i = 0; i < sizeof chk / sizeof *chk; i++)
        if (!(chk[i].v >= chk[i].lo && chk[i].v <= chk[i].hi))
            return Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s of /treatment = %g: expected a number in [%g, %g]",
                            path, chk[i].name, chk[i].v, chk[i].lo > 0 ? 0 : chk[i].lo, chk[i].hi);
    r->activity_gbq = d->a_gbq;
    r->lsf = d->lsf;
    r->tn = d->tn;
    r->gy_kg_per_gbq = d->k;
    if (strcmp(r->treated_lobes, "both") == 0) return Y90_OK;
    if (y90_lobe_from_name(r->treated_lobes, &d->treated_lobe) != 0 || d->treated_lobe == Y90_LOBE_NONE)
        return Y90_FAIL(err, Y90_EINPUT, "%s: /treatment treated_lobes = '%s': expected both, right or left", path,
                        r->treated_lobes);
    return Y90_OK;
}

/* Root attributes that say where the dose came from; absent ones stay unknown (older files, phantoms). */
static void read_provenance(const char *path, y90_provenance *p)
{
    y90_error e = {0};
    snprintf(p->input, sizeof p->input, "%s", path);
    p->histories = p->histories_requested = p->seed = NAN;
    double v;
    char status[24];
    p->interrupted = -1; /* run_status (absent in older files); a stop at the target or time limit is no interrupt */
    if (y90_io_read_attr_string(path, "/", "run_status", status, sizeof status, &e) == Y90_OK) {
        p->interrupted = !strcmp(status, "interrupted");
        snprintf(p->run_status, sizeof p->run_status, "%s", status);
    }
    p->threads = p->mpi_ranks = p->cpu_cores = p->runtime_s = NAN;
    if (y90_io_read_attr_double(path, "/", "threads", &v, &e) == Y90_OK) p->threads = v;
    if (y90_io_read_attr_double(path, "/", "mpi_ranks", &v, &e) == Y90_OK) p->mpi_ranks = v;
    if (y90_io_read_attr_double(path, "/", "cpu_cores", &v, &e) == Y90_OK) p->cpu_cores = v;
    if (y90_io_read_attr_double(path, "/", "runtime_s", &v, &e) == Y90_OK) p->runtime_s = v;
    struct { const char *name; char *buf; size_t len; } texts[] = {
        {"hostname", p->hostname, sizeof p->hostname}, {"cpu_model", p->cpu_model, sizeof p->cpu_model},
        {"compiler", p->compiler, sizeof p->compiler}, {"compile_flags", p->compile_flags, sizeof p->compile_flags},
        {"build_type", p->build_type, sizeof p->build_type},
        {"hdf5_version", p->hdf5_version, sizeof p->hdf5_version},
        {"gsl_version", p->gsl_version, sizeof p->gsl_version},
        {"fftw_version", p->fftw_version, sizeof p->fftw_version},
        {"mpi_library", p->mpi_library, sizeof p->mpi_library},
        {"command_line", p->command_line, sizeof p->command_line},
        {"slurm_job_id", p->slurm_job_id, sizeof p->slurm_job_id},
        {"slurm_array_job_id", p->slurm_array_job_id, sizeof p->slurm_array_job_id},
        {"slurm_array_task_id", p->slurm_array_task_id, sizeof p->slurm_array_task_id}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (y90_io_read_attr_string(path, "/", texts[i].name, texts[i].buf, texts[i].len, &e)) texts[i].buf[0] = 0;
    if (y90_io_read_attr_double(path, "/", "histories", &v, &e) == Y90_OK) p->histories = v;
    if (y90_io_read_attr_double(path, "/", "histories_requested", &v, &e) == Y90_OK) p->histories_requested = v;
    if (y90_io_read_attr_double(path, "/", "seed", &v, &e) == Y90_OK) p->seed = v;
    y90_io_read_attr_string(path, "/", "config_path", p->config_path, sizeof p->config_path, &e);
    y90_io_read_attr_string(path, "/", "git_revision", p->git_revision, sizeof p->git_revision, &e);
    y90_io_read_attr_string(path, "/", "version", p->version, sizeof p->version, &e);
    y90_io_read_attr_string(path, "/", "created", p->created, sizeof p->created, &e);
    y90_io_read_attr_string(path, "/", "kernel", p->kernel, sizeof p->kernel, &e);
    p->config = malloc(CONFIG_MAX);
    if (p->config && y90_io_read_attr_string(path, "/", "config", p->config, CONFIG_MAX, &e) != Y90_OK) {
        free(p->config);
        p->config = NULL;
    }
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

static y90_status data_load(const char *path, report_data *d, y90_report *r, y90_error *err)
{
    y90_report scratch;
    memset(d, 0, sizeof *d);
    y90_status st = y90_io_read_grid(path, &d->g, err);
    if (st == Y90_OK) st = y90_io_read_dose(path, y90_grid_nvox(&d->g), &d->dose, &d->unc, err);
    if (st == Y90_OK) st = check_dose(path, d, err);
    if (st == Y90_OK) st = count_labels(path, d, err);
    if (st == Y90_OK) st = bucket_tumours(d, err);
    if (st == Y90_OK) st = read_treatment(path, d, r ? r : &scratch, err);
    y90_report *rr = r ? r : &scratch; /* the spheres of either storage (/microspheres or /microsphere_counts) */
    rr->spheres_stored = NAN;
    if (st == Y90_OK && (y90_io_has_object(path, "/microsphere_counts") || y90_io_has_object(path, "/microspheres")))
        st = y90_io_read_sphere_counts(path, y90_grid_nvox(&d->g), &d->spheres, rr->sphere_storage, err);
    for (size_t i = 0; st == Y90_OK && d->spheres && i < y90_grid_nvox(&d->g); i++)
        rr->spheres_stored = (i ? rr->spheres_stored : 0.0) + d->spheres[i];
    if (st != Y90_OK) data_free(d);
    return st;
}

/* ------------------------------------------------------------------------------------------------ rows */

static int in_row(const report_data *d, const row_def *r, size_t i)
{
    return r->member[d->g.label[i]] && (!r->tumour || d->g.tumour_id[i] == r->tumour);
}

static uint64_t mix64(uint64_t x) /* splitmix64 finaliser */
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The voxels of row r, in increasing index order, into idx (when not NULL); sets r->n and r->hash. */
static void row_voxels(const report_data *d, row_def *r, size_t *idx)
{
    size_t n = 0, lo = 0, hi = y90_grid_nvox(&d->g);
    const size_t *list = NULL;
    if (r->tumour) {
        list = d->tvox;
        lo = d->tstart[r->tumour - 1];
        hi = d->tstart[r->tumour];
    }
    r->hash = 0;
    for (size_t k = lo; k < hi; k++) {
        size_t i = list ? list[k] : k;
        if (!in_row(d, r, i)) continue;
        if (idx) idx[n] = i;
        n++;
        r->hash += mix64(i);
    }
    r->n = n;
}

/* Append r when it holds voxels; when an earlier row holds the same voxels, r's name becomes its alias. */
static void add_row(report_data *d, row_def *r)
{
    row_voxels(d, r, NULL);
    if (r->n == 0 || d->nrows >= d->maxrows) return;
    for (int k = 0; k < d->nrows; k++) {
        row_def *o = &d->rows[k];
        if (o->n != r->n || o->hash != r->hash) continue;
        size_t len = strlen(o->alias);
        if (len + strlen(r->name) + 2 < sizeof o->alias)
            snprintf(o->alias + len, sizeof o->alias - len, "%s%s", len ? "," : "", r->name);
        return;
    }
    d->rows[d->nrows++] = *r;
}

static y90_status define_rows(report_data *d, y90_error *err)
{
    int nt = d->g.tumour_id ? d->g.ntumours : 0;
    d->maxrows = d->g.nstructures + G_COUNT + 3 * nt;
    d->rows = y90_calloc((size_t)d->maxrows, sizeof *d->rows, "report rows", err);
    if (!d->rows) return Y90_ENOMEM;
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
        memset(&r, 0, sizeof r);
        snprintf(r.name, sizeof r.name, "%s", y90_report_group_names[grp]);
        for (int i = 0; i < d->g.nstructures; i++) r.member[i] = (uint8_t)y90_report_in_group(grp, &d->g.structures[i], d->treated_lobe);
        add_row(d, &r);
    }
    static const char *const part[3] = {"", "_viable", "_necrotic"};
    for (int t = 1; t <= nt; t++)
        for (int p = 0; p < 3; p++) {
            memset(&r, 0, sizeof r);
            snprintf(r.name, sizeof r.name, "tumour_%d%s", t, part[p]);
            r.tumour = t;
            for (int i = 0; i < d->g.nstructures; i++) {
                y90_kind k = d->g.structures[i].kind;
                r.member[i] = (uint8_t)(p == 0 ? y90_report_is_tumour(k) : k == (p == 1 ? Y90_KIND_TUMOR_VIABLE : Y90_KIND_TUMOR_NECROTIC));
            }
            add_row(d, &r);
        }
    return Y90_OK;
}

/* ------------------------------------------------------------------------------------------------ statistics */

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* Median relative uncertainty (%) of the row's voxels that received dose. */
static y90_status median_uncertainty(const report_data *d, const size_t *idx, size_t n, y90_dose_stats *s,
                                     y90_error *err)
{
    s->unc_median_pct = NAN;
    if (!d->unc) return Y90_OK;
    size_t k = 0;
    float *u = y90_calloc(n, sizeof *u, s->name, err);
    if (!u) return Y90_ENOMEM;
    for (size_t j = 0; j < n; j++)
        if (d->dose[idx[j]] > 0) u[k++] = d->unc[idx[j]];
    if (k > 0) {
        qsort(u, k, sizeof *u, y90_report_cmp_float);
        s->unc_median_pct = 100.0 * (k % 2 ? u[k / 2] : 0.5 * ((double)u[k / 2 - 1] + (double)u[k / 2]));
    }
    free(u);
    return Y90_OK;
}

/* Dose, BED, mass and uncertainty sums of the row's voxels, then Dx, Vx and EUD on the sorted doses. */
static void fill_stats(const report_data *d, const y90_report_options *o, double presc, double half_life_h,
                       const size_t *idx, size_t n, double *v, double *bed, y90_dose_stats *s)
{
    double esum = 0, msum = 0, dsum = 0, var = 0, bsum = 0;
    int all_tumour = 1;
    for (size_t j = 0; j < n; j++) {
        size_t i = idx[j];
        double m = y90_grid_voxel_mass_kg(&d->g, i) * 1e3; /* g */
        int tum = y90_report_is_tumour(d->g.structures[d->g.label[i]].kind);
        all_tumour &= tum;
        v[j] = d->dose[i];
        bed[j] = y90_bed_gy(v[j], tum ? o->ab_tumour_gy : o->ab_normal_gy, tum ? o->trep_tumour_h : o->trep_normal_h,
                            half_life_h);
        esum += v[j] * m;
        bsum += bed[j] * m;
        msum += m;
        dsum += v[j];
        if (d->unc) var += (v[j] * m * d->unc[i]) * (v[j] * m * d->unc[i]);
    }
    s->nvox = n;
    s->tissue_tumour = all_tumour;
    s->volume_ml = (double)n * y90_grid_voxel_volume_mm3(&d->g) / 1e3;
    s->mass_g = msum;
    s->energy_j = esum * 1e-3; /* Gy g -> J */
    s->mean_gy = msum > 0 ? esum / msum : dsum / (double)n; /* massless rows (density 0): volume mean */
    s->bed_mean_gy = msum > 0 ? bsum / msum : NAN;
    s->mean_unc_pct = d->unc && esum > 0 ? 100.0 * sqrt(var) / esum : NAN;
    s->eud_a = all_tumour ? o->eud_a_tumour : o->eud_a_normal;
    s->eud_gy = y90_geud(v, n, s->eud_a);
    s->eud_bed_gy = y90_geud(bed, n, s->eud_a);
    qsort(v, n, sizeof *v, cmp_desc);
    s->max_gy = v[0];
    s->min_gy = v[n - 1];
    for (int k = 0; k < o->ndx; k++) s->dx[k] = y90_dose_at_volume(v, n, o->dx_pct[k]);
    for (int k = 0; k < o->nvx; k++) s->vx[k] = y90_volume_at_dose(v, n, o->vx_gy[k]);
    s->d70_gy = y90_dose_at_volume(v, n, 70);
    s->vpresc = y90_volume_at_dose(v, n, presc);
    s->vtarget = y90_volume_at_dose(v, n, o->tumour_target_gy);
}

static y90_status row_stats(const report_data *d, row_def *r, const y90_report *rep, y90_dose_stats *s,
                            y90_error *err)
{
    size_t n = r->n;
    size_t *idx = y90_calloc(n, sizeof *idx, r->name, err);
    double *v = idx ? y90_calloc(n, sizeof *v, r->name, err) : NULL;
    double *bed = v ? y90_calloc(n, sizeof *bed, r->name, err) : NULL;
    y90_status st = bed ? Y90_OK : Y90_ENOMEM;
    if (st == Y90_OK) {
        row_voxels(d, r, idx);
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "%s", r->name);
        snprintf(s->alias, sizeof s->alias, "%s", r->alias);
        s->tumour = r->tumour;
        fill_stats(d, &rep->opt, rep->prescription_gy, rep->half_life_h, idx, n, v, bed, s);
        s->spheres = d->spheres ? 0.0 : NAN;
        for (size_t k = 0; d->spheres && k < n; k++) s->spheres += d->spheres[idx[k]];
        st = median_uncertainty(d, idx, n, s, err);
    }
    free(idx);
    free(v);
    free(bed);
    return st;
}

static int has_name(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == len && strncmp(p, name, len) == 0) return 1;
        if (!c) break;
        p = c + 1;
    }
    return 0;
}

const y90_dose_stats *y90_report_row(const y90_report *r, const char *name)
{
    for (int i = 0; i < r->nrows; i++)
        if (strcmp(r->rows[i].name, name) == 0 || has_name(r->rows[i].alias, name)) return &r->rows[i];
    return NULL;
}

static int options_valid(const y90_report_options *o, y90_error *err, y90_status *st)
{
    int ok = o->ndx >= 0 && o->ndx <= Y90_REPORT_MAX_LIST && o->nvx >= 0 && o->nvx <= Y90_REPORT_MAX_LIST &&
             o->ab_tumour_gy > 0 && o->ab_normal_gy > 0 && o->trep_tumour_h > 0 && o->trep_normal_h > 0;
    if (!ok) *st = Y90_FAIL(err, Y90_EINPUT, "report options: list longer than %d or alpha/beta, repair half-time <= 0",
                            Y90_REPORT_MAX_LIST);
    return ok;
}

void y90_report_free(y90_report *r)
{
    free(r->rows);
    free(r->prov.config);
    y90_micro_stats_free(&r->micro);
    r->rows = NULL;
    r->prov.config = NULL;
    r->nrows = 0;
}

y90_status y90_report_compute(const char *h5path, const y90_report_options *opt, y90_report *r, y90_error *err)
{
    memset(r, 0, sizeof *r);
    if (opt) r->opt = *opt;
    else y90_report_options_default(&r->opt);
    y90_status st = Y90_OK;
    if (!options_valid(&r->opt, err, &st)) return st;
    report_data *d = malloc(sizeof *d);
    if (!d) return Y90_FAIL(err, Y90_ENOMEM, "report: out of memory");
    st = data_load(h5path, d, r, err);
    if (st != Y90_OK) {
        free(d);
        return st;
    }
    st = define_rows(d, err);
    if (st != Y90_OK) goto cleanup;
    double file_presc = d->treatment && d->presc_gy > 0 ? d->presc_gy : NAN;
    r->prescription_gy = r->opt.prescription_gy > 0 ? r->opt.prescription_gy : file_presc;
    r->rows = y90_calloc((size_t)(d->nrows ? d->nrows : 1), sizeof *r->rows, "report rows", err);
    if (!r->rows) {
        st = Y90_ENOMEM;
        goto cleanup;
    }
    for (int i = 0; i < d->nrows && st == Y90_OK; i++) st = row_stats(d, &d->rows[i], r, &r->rows[i], err);
    if (st != Y90_OK) goto cleanup;
    r->nrows = d->nrows;
    read_provenance(h5path, &r->prov);
    y90_report_summary(h5path, d, r);
    if (d->g.lobule_id) st = y90_micro_stats_compute(&d->g, d->dose, d->unc, &r->micro, err);
cleanup:
    if (st != Y90_OK) y90_report_free(r);
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
            if (in_row(d, &d->rows[r], i)) hist[(size_t)r * (nb + 1) + j]++;
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
        for (int r = 0; r < d->nrows && !in; r++) in = in_row(d, &d->rows[r], i);
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

/* Load the file and every row's histogram (dvh_histograms) into *hist (malloc'd). On failure d is freed. */
static y90_status dvh_load(const char *h5path, report_data *d, double *step, size_t *nb, size_t **hist,
                           y90_error *err)
{
    *hist = NULL;
    y90_status st = data_load(h5path, d, NULL, err);
    if (st != Y90_OK) return st;
    st = define_rows(d, err);
    if (st == Y90_OK) {
        *step = dvh_step(dvh_max_dose(d), nb);
        *hist = y90_calloc((size_t)(d->nrows > 0 ? d->nrows : 1) * (*nb + 1), sizeof **hist, "DVH histograms", err);
        if (!*hist) st = Y90_ENOMEM;
    }
    if (st == Y90_OK) dvh_histograms(d, *step, *nb, *hist);
    else data_free(d);
    return st;
}

y90_status y90_report_write_dvh_csv(const char *h5path, const char *csv_path, int force, y90_error *err)
{
    report_data *d = malloc(sizeof *d);
    size_t *hist, nb;
    double step;
    if (!d) return Y90_FAIL(err, Y90_ENOMEM, "DVH: out of memory");
    y90_status st = dvh_load(h5path, d, &step, &nb, &hist, err);
    if (st == Y90_OK) {
        st = dvh_write(csv_path, d, step, nb, hist, force, err);
        free(hist);
        data_free(d);
    }
    free(d);
    return st;
}

/* For the pictures: the file's grid, dose and uncertainty and every row's cumulative DVH (report_internal.h). */
y90_status y90_report_dvh_table(const char *h5path, y90_report_dvh *t, y90_error *err)
{
    memset(t, 0, sizeof *t);
    report_data *d = malloc(sizeof *d);
    size_t *hist;
    if (!d) return Y90_FAIL(err, Y90_ENOMEM, "DVH: out of memory");
    y90_status st = dvh_load(h5path, d, &t->step, &t->nb, &hist, err);
    if (st != Y90_OK) {
        free(d);
        return st;
    }
    size_t nr = (size_t)(d->nrows > 0 ? d->nrows : 1), nb = t->nb;
    t->cum = y90_calloc(nr * (nb + 1), sizeof *t->cum, "DVH table", err);
    t->names = t->cum ? y90_calloc(nr, sizeof *t->names, "DVH names", err) : NULL;
    t->tumour = t->names ? y90_calloc(nr, sizeof *t->tumour, "DVH names", err) : NULL;
    if (!t->tumour) st = Y90_ENOMEM;
    for (int r = 0; st == Y90_OK && r < d->nrows; r++) { /* cumulative from the top, in % of the row */
        size_t *h = hist + (size_t)r * (nb + 1);
        for (size_t j = nb; j-- > 0;) h[j] += h[j + 1];
        for (size_t j = 0; j <= nb; j++) t->cum[(size_t)r * (nb + 1) + j] = 100.0 * (double)h[j] / (double)h[0];
        snprintf(t->names[r], Y90_NAME_LEN, "%s", d->rows[r].name);
        t->tumour[r] = d->rows[r].tumour;
    }
    free(hist);
    if (st == Y90_OK) {
        t->nrows = d->nrows;
        t->g = d->g; /* hand the arrays over */
        t->dose = d->dose;
        t->unc = d->unc;
        memset(&d->g, 0, sizeof d->g);
        d->dose = NULL;
        d->unc = NULL;
    } else y90_report_dvh_free(t);
    data_free(d);
    free(d);
    return st;
}

void y90_report_dvh_free(y90_report_dvh *t)
{
    y90_grid_free(&t->g);
    free(t->dose);
    free(t->unc);
    free(t->cum);
    free(t->names);
    free(t->tumour);
    memset(t, 0, sizeof *t);
}
