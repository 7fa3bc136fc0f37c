/* y90mc: two dose files compared: structure metrics, a voxel-wise difference map and the 3D gamma index. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "y90/compare.h"
#include "y90/io.h"

typedef struct {
    double dx, dy, dz; /* voxel units */
    double r2;         /* (|r| / dta)^2 */
} offset;

static int cmp_offset(const void *a, const void *b)
{
    double x = ((const offset *)a)->r2, y = ((const offset *)b)->r2;
    return (x > y) - (x < y);
}

/* The search lattice: points within dta, nearest first. */
static offset *make_offsets(const y90_grid *g, double dta, size_t *n_out, y90_error *err)
{
    double smin = fmin(g->spacing[0], fmin(g->spacing[1], g->spacing[2]));
    double h = fmin(smin / 3.0, dta / 5.0);
    int n = (int)ceil(dta / h);
    size_t cap = (size_t)(2 * n + 1) * (2 * n + 1) * (2 * n + 1), k = 0;
    offset *o = y90_calloc(cap, sizeof *o, "gamma search lattice", err);
    if (!o) return NULL;
    for (int i = -n; i <= n; i++)
        for (int j = -n; j <= n; j++)
            for (int l = -n; l <= n; l++) {
                double x = i * h, y = j * h, z = l * h, r2 = (x * x + y * y + z * z) / (dta * dta);
                if (r2 > 1.0 + 1e-12) continue;
                o[k++] = (offset){x / g->spacing[0], y / g->spacing[1], z / g->spacing[2], r2};
            }
    qsort(o, k, sizeof *o, cmp_offset);
    *n_out = k;
    return o;
}

/* Trilinear interpolation between voxel centres at voxel coordinates (x, y, z) (centre of voxel i at i); clamped
 * to the outermost centres. */
static double interp(const y90_grid *g, const double *d, double x, double y, double z)
{
    const int n[3] = {g->nx, g->ny, g->nz};
    double p[3] = {x, y, z}, f[3];
    int i0[3], i1[3];
    for (int a = 0; a < 3; a++) {
        double q = p[a] < 0 ? 0 : (p[a] > n[a] - 1 ? n[a] - 1 : p[a]);
        i0[a] = (int)floor(q);
        if (i0[a] > n[a] - 2) i0[a] = n[a] > 1 ? n[a] - 2 : 0;
        i1[a] = n[a] > 1 ? i0[a] + 1 : 0;
        f[a] = n[a] > 1 ? q - i0[a] : 0;
    }
    double v = 0;
    for (int c = 0; c < 8; c++) {
        int ix = c & 1 ? i1[0] : i0[0], iy = c & 2 ? i1[1] : i0[1], iz = c & 4 ? i1[2] : i0[2];
        double w = (c & 1 ? f[0] : 1 - f[0]) * (c & 2 ? f[1] : 1 - f[1]) * (c & 4 ? f[2] : 1 - f[2]);
        if (w != 0) v += w * d[y90_grid_index(g, ix, iy, iz)];
    }
    return v;
}

/* 1 if some voxel whose centre is within dta (plus one voxel, for the interpolation) of voxel (ix,iy,iz) has a
 * value within dd of ref. */
static int within_range(const y90_grid *g, const double *d, int ix, int iy, int iz, double dta, double ref, double dd)
{
    int r[3], c[3] = {ix, iy, iz}, n[3] = {g->nx, g->ny, g->nz}, lo[3], hi[3];
    for (int a = 0; a < 3; a++) {
        r[a] = (int)ceil(dta / g->spacing[a]) + 1;
        lo[a] = c[a] - r[a] < 0 ? 0 : c[a] - r[a];
        hi[a] = c[a] + r[a] > n[a] - 1 ? n[a] - 1 : c[a] + r[a];
    }
    double mn = INFINITY, mx = -INFINITY;
    for (int z = lo[2]; z <= hi[2]; z++)
        for (int y = lo[1]; y <= hi[1]; y++)
            for (int x = lo[0]; x <= hi[0]; x++) {
                double v = d[y90_grid_index(g, x, y, z)];
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
            }
    return ref >= mn - dd && ref <= mx + dd;
}

y90_status y90_gamma_index(const y90_grid *g, const double *ref, const float *ref_unc, const double *eval,
                           const float *eval_unc, const y90_gamma_criteria *c, y90_gamma_result *r, float *gamma_map,
                           y90_error *err)
{
    memset(r, 0, sizeof *r);
    if (!(c->dd_percent > 0) || !(c->dta_mm > 0) || !(c->threshold_percent >= 0))
        return Y90_FAIL(err, Y90_EINPUT, "gamma: expected dose difference > 0 %%, DTA > 0 mm and threshold >= 0 %%, "
                        "got %g %%, %g mm, %g %%", c->dd_percent, c->dta_mm, c->threshold_percent);
    size_t n = y90_grid_nvox(g), no = 0;
    double max = 0;
    for (size_t v = 0; v < n; v++) max = fmax(max, ref[v]);
    offset *o = make_offsets(g, c->dta_mm, &no, err);
    if (!o) return err ? err->code : Y90_ENOMEM;
    const double thr = c->threshold_percent / 100.0 * max;
    size_t evaluated = 0, passed = 0;
    #pragma omp parallel for schedule(dynamic, 256) reduction(+ : evaluated, passed)
    for (size_t v = 0; v < n; v++) {
        if (!(ref[v] >= thr) || !(ref[v] > 0)) {
            if (gamma_map) gamma_map[v] = -1.0f;
            continue;
        }
        const int ix = (int)(v % (size_t)g->nx), iy = (int)(v / (size_t)g->nx % (size_t)g->ny);
        const int iz = (int)(v / ((size_t)g->nx * (size_t)g->ny));
        double dd = c->dd_percent / 100.0 * (c->local ? ref[v] : max);
        double dd2 = dd * dd;
        if (c->with_uncertainty) {
            double sa = ref_unc ? ref_unc[v] * ref[v] : 0, sb = eval_unc ? eval_unc[v] * eval[v] : 0;
            dd2 += sa * sa + sb * sb;
        }
        double best = INFINITY;
        /* the interpolated B within dta stays within the values of the voxels around; if they all differ from the
         * reference by more than dd, gamma > 1 without a search (best then holds the r = 0 value, a bound) */
        double e0 = eval[v] - ref[v];
        if (e0 * e0 > dd2 && !within_range(g, eval, ix, iy, iz, c->dta_mm, ref[v], sqrt(dd2))) {
            evaluated++;
            if (gamma_map) gamma_map[v] = (float)sqrt(e0 * e0 / dd2);
            continue;
        }
        for (size_t k = 0; k < no && o[k].r2 < best; k++) {
            double e = interp(g, eval, ix + o[k].dx, iy + o[k].dy, iz + o[k].dz) - ref[v];
            double g2 = o[k].r2 + e * e / dd2;
            if (g2 < best) best = g2;
        }
        evaluated++;
        passed += best <= 1.0;
        if (gamma_map) gamma_map[v] = (float)sqrt(best);
    }
    free(o);
    r->evaluated = evaluated;
    r->passed = passed;
    r->pass_percent = evaluated ? 100.0 * (double)passed / (double)evaluated : NAN;
    return Y90_OK;
}

typedef struct {
    y90_grid g;
    double *dose;
    float *unc;
} dose_file;

static void file_free(dose_file *f)
{
    y90_grid_free(&f->g);
    free(f->dose);
    free(f->unc);
}

static y90_status file_load(const char *path, dose_file *f, y90_error *err)
{
    memset(f, 0, sizeof *f);
    y90_status st = y90_io_read_grid(path, &f->g, err);
    if (!st) st = y90_io_read_dose(path, y90_grid_nvox(&f->g), &f->dose, &f->unc, err);
    return st;
}

static y90_status same_geometry(const char *a, const char *b, const y90_grid *ga, const y90_grid *gb, y90_error *err)
{
    int same = ga->nx == gb->nx && ga->ny == gb->ny && ga->nz == gb->nz;
    for (int i = 0; i < 3; i++)
        same &= fabs(ga->spacing[i] - gb->spacing[i]) < 1e-6 && fabs(ga->lo[i] - gb->lo[i]) < 1e-6;
    if (!same)
        return Y90_FAIL(err, Y90_EINPUT, "%s (%d x %d x %d voxels of %g mm from %g, %g, %g mm) and %s (%d x %d x %d "
                        "of %g mm from %g, %g, %g mm): expected the same grid", a, ga->nx, ga->ny, ga->nz,
                        ga->spacing[0], ga->lo[0], ga->lo[1], ga->lo[2], b, gb->nx, gb->ny, gb->nz, gb->spacing[0],
                        gb->lo[0], gb->lo[1], gb->lo[2]);
    return Y90_OK;
}

/* One row per structure and group both files have (per-tumour rows are left out: tumours are numbered per file). */
static y90_status structure_rows(const char *a, const char *b, y90_compare *out, y90_error *err)
{
    y90_report_options o;
    y90_report_options_default(&o);
    o.nvx = 1;
    o.vx_gy[0] = 100; /* V100 */
    y90_report ra = {0}, rb = {0};
    y90_status st = y90_report_compute(a, &o, &ra, err);
    if (!st) st = y90_report_compute(b, &o, &rb, err);
    for (int i = 0; !st && i < ra.nrows; i++) {
        const y90_dose_stats *x = &ra.rows[i], *y = y90_report_row(&rb, x->name);
        if (!y || x->tumour) continue;
        if (out->nrows >= Y90_COMPARE_MAX_ROWS) {
            st = Y90_FAIL(err, Y90_EINPUT, "compare: more than %d structures and groups", Y90_COMPARE_MAX_ROWS);
            break;
        }
        y90_compare_row *row = &out->rows[out->nrows++];
        snprintf(row->name, sizeof row->name, "%s", x->name);
        row->mean_a = x->mean_gy;
        row->mean_b = y->mean_gy;
        row->d70_a = x->d70_gy;
        row->d70_b = y->d70_gy;
        row->v100_a = x->vx[0];
        row->v100_b = y->vx[0];
        row->unc_a = x->unc_median_pct;
        row->unc_b = y->unc_median_pct;
    }
    y90_report_free(&ra);
    y90_report_free(&rb);
    return st;
}

y90_status y90_compare_files(const char *a, const char *b, const y90_gamma_criteria *crit, int ncrit,
                             const char *diff_out, int force, y90_compare *out, y90_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path_a, sizeof out->path_a, "%s", a);
    snprintf(out->path_b, sizeof out->path_b, "%s", b);
    if (ncrit > Y90_COMPARE_MAX_GAMMA) return Y90_FAIL(err, Y90_EINPUT, "compare: at most %d gamma criteria",
                                                       Y90_COMPARE_MAX_GAMMA);
    if (diff_out) {
        y90_status st = y90_check_output(diff_out, force, err);
        if (st) return st;
    }
    dose_file fa, fb;
    y90_status st = file_load(a, &fa, err);
    if (!st) st = file_load(b, &fb, err);
    else memset(&fb, 0, sizeof fb);
    if (!st) st = same_geometry(a, b, &fa.g, &fb.g, err);
    if (!st) st = structure_rows(a, b, out, err);
    size_t n = y90_grid_nvox(&fa.g);
    double *diff = NULL;
    float *sig = NULL, *gmap = NULL;
    if (!st) {
        diff = y90_calloc(n, sizeof(double), "difference map", err);
        sig = diff ? y90_calloc(n, sizeof(float), "difference sigma map", err) : NULL;
        gmap = sig ? y90_calloc(n, sizeof(float), "gamma map", err) : NULL;
        if (!gmap) st = err ? err->code : Y90_ENOMEM;
    }
    if (st) goto cleanup;
    out->has_unc_a = fa.unc != NULL;
    out->has_unc_b = fb.unc != NULL;
    for (size_t v = 0; v < n; v++) out->max_a_gy = fmax(out->max_a_gy, fa.dose[v]);
    double zsum = 0;
    size_t zn = 0;
    for (size_t v = 0; v < n; v++) {
        diff[v] = fb.dose[v] - fa.dose[v];
        double sa = fa.unc ? fa.unc[v] * fa.dose[v] : 0, sb = fb.unc ? fb.unc[v] * fb.dose[v] : 0;
        sig[v] = (float)sqrt(sa * sa + sb * sb);
        out->max_abs_diff_gy = fmax(out->max_abs_diff_gy, fabs(diff[v]));
        if (fa.dose[v] >= 0.1 * out->max_a_gy && sig[v] > 0) {
            zsum += fabs(diff[v]) / sig[v];
            zn++;
        }
    }
    out->mean_abs_z = zn ? zsum / (double)zn : NAN;
    for (int i = 0; i < ncrit && !st; i++) {
        out->crit[i] = crit[i];
        st = y90_gamma_index(&fa.g, fa.dose, fa.unc, fb.dose, fb.unc, &crit[i], &out->gamma[i], i == 0 ? gmap : NULL,
                             err);
        out->ngamma = i + 1;
    }
    if (!st && diff_out) {
        y90_io_array arr[3] = {{"/dose_difference", diff, NULL, "Gy"}, {"/gamma", NULL, gmap, "1"},
                               {"/dose_difference_sigma", NULL, sig, "Gy"}};
        st = y90_io_write_arrays(diff_out, force, &fa.g, arr, ncrit > 0 ? (fa.unc && fb.unc ? 3 : 2) : 1, err);
    }
cleanup:
    free(diff);
    free(sig);
    free(gmap);
    file_free(&fa);
    file_free(&fb);
    return st;
}

static const char *crit_label(const y90_gamma_criteria *c, char *buf, size_t len)
{
    snprintf(buf, len, "%g%%/%gmm %s%s", c->dd_percent, c->dta_mm, c->local ? "local" : "global",
             c->with_uncertainty ? " +unc" : "");
    return buf;
}

void y90_compare_print_text(const y90_compare *c, FILE *f)
{
    fprintf(f, "reference A: %s\nevaluated B: %s\n", c->path_a, c->path_b);
    fprintf(f, "%-26s %10s %10s %8s %9s %9s %8s %8s %8s %7s %7s\n", "structure", "mean A Gy", "mean B Gy", "diff %",
            "D70 A", "D70 B", "V100 A%", "V100 B%", "dV100", "unc A%", "unc B%");
    for (int i = 0; i < c->nrows; i++) {
        const y90_compare_row *r = &c->rows[i];
        fprintf(f, "%-26s %10.3f %10.3f %8.2f %9.3f %9.3f %8.2f %8.2f %8.2f %7.2f %7.2f\n", r->name, r->mean_a,
                r->mean_b, r->mean_a > 0 ? 100.0 * (r->mean_b - r->mean_a) / r->mean_a : NAN, r->d70_a, r->d70_b,
                r->v100_a, r->v100_b, r->v100_b - r->v100_a, r->unc_a, r->unc_b);
    }
    fprintf(f, "max dose A %.4g Gy, max |B - A| %.4g Gy; mean |B - A| / sigma above 10 %% of max A: %.3f "
            "(0.80 for pure noise)%s\n", c->max_a_gy, c->max_abs_diff_gy, c->mean_abs_z,
            c->has_unc_a && c->has_unc_b ? "" : " (a file has no uncertainty)");
    for (int i = 0; i < c->ngamma; i++) {
        char buf[96];
        fprintf(f, "gamma %-28s threshold %g %%: %.2f %% pass (%zu of %zu voxels)\n",
                crit_label(&c->crit[i], buf, sizeof buf), c->crit[i].threshold_percent, c->gamma[i].pass_percent,
                c->gamma[i].passed, c->gamma[i].evaluated);
    }
}

static void json_num(FILE *f, double v) { isfinite(v) ? fprintf(f, "%.6g", v) : fprintf(f, "null"); }

void y90_compare_print_json(const y90_compare *c, FILE *f)
{
    fprintf(f, "{\"reference\": \"%s\", \"evaluated\": \"%s\", \"structures\": [", c->path_a, c->path_b);
    for (int i = 0; i < c->nrows; i++) {
        const y90_compare_row *r = &c->rows[i];
        const double v[8] = {r->mean_a, r->mean_b, r->d70_a, r->d70_b, r->v100_a, r->v100_b, r->unc_a, r->unc_b};
        static const char *k[8] = {"mean_a_gy", "mean_b_gy", "d70_a_gy", "d70_b_gy", "v100_a_pct", "v100_b_pct",
                                   "unc_a_pct", "unc_b_pct"};
        fprintf(f, "%s{\"name\": \"%s\"", i ? ", " : "", r->name);
        for (int j = 0; j < 8; j++) {
            fprintf(f, ", \"%s\": ", k[j]);
            json_num(f, v[j]);
        }
        fprintf(f, "}");
    }
    fprintf(f, "], \"max_a_gy\": ");
    json_num(f, c->max_a_gy);
    fprintf(f, ", \"max_abs_diff_gy\": ");
    json_num(f, c->max_abs_diff_gy);
    fprintf(f, ", \"mean_abs_z\": ");
    json_num(f, c->mean_abs_z);
    fprintf(f, ", \"gamma\": [");
    for (int i = 0; i < c->ngamma; i++) {
        const y90_gamma_criteria *g = &c->crit[i];
        fprintf(f, "%s{\"dd_percent\": %g, \"dta_mm\": %g, \"local\": %s, \"threshold_percent\": %g, "
                "\"with_uncertainty\": %s, \"evaluated\": %zu, \"passed\": %zu, \"pass_percent\": ", i ? ", " : "",
                g->dd_percent, g->dta_mm, g->local ? "true" : "false", g->threshold_percent,
                g->with_uncertainty ? "true" : "false", c->gamma[i].evaluated, c->gamma[i].passed);
        json_num(f, c->gamma[i].pass_percent);
        fprintf(f, "}");
    }
    fprintf(f, "]}\n");
}
