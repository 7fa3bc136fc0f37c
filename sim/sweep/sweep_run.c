/* y90mc sweeps: running points, the summary (CSV and JSON from the report module) and the Slurm job array. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "y90/grid.h"
#include "y90/io.h"
#include "y90/phantom.h"
#include "y90/report.h"
#include "y90/run.h"
#include "y90/source.h"
#include "y90/sweep.h"

/* mkdir -p */
static y90_status make_dirs(const char *path, y90_error *err)
{
    char p[1024];
    snprintf(p, sizeof p, "%s", path);
    for (char *q = p + 1;; q++) {
        if (*q == '/' || !*q) {
            char c = *q;
            *q = 0;
            if (mkdir(p, 0777) && errno != EEXIST)
                return Y90_FAIL(err, Y90_EINPUT, "%s: cannot create the output folder: %s", p, strerror(errno));
            *q = c;
            if (!c) break;
        }
    }
    struct stat sb;
    if (stat(path, &sb) || !S_ISDIR(sb.st_mode))
        return Y90_FAIL(err, Y90_EINPUT, "%s: not a folder; expected the sweep's output folder", path);
    return Y90_OK;
}

/* Write text to path through a temporary file renamed over it (a summary or a failure note is derived data). */
static y90_status write_text(const char *path, const char *text, y90_error *err)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return Y90_FAIL(err, Y90_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path)) {
        int e = errno;
        remove(tmp);
        return Y90_FAIL(err, Y90_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    return Y90_OK;
}

y90_status y90_sweep_run_point(const y90_sweep *s, int i, const y90_sweep_options *o, y90_error *err)
{
    char h5[1100], failed[1100], label[2048];
    y90_sweep_point_path(s, i, ".h5", h5, sizeof h5);
    y90_sweep_point_path(s, i, ".failed", failed, sizeof failed);
    y90_sweep_point_label(s, i, label, sizeof label);
    y90_status st = make_dirs(s->outdir, err);
    if (st) return st;
    y90_point_state state = y90_sweep_point_state(s, i);
    if (state == Y90_POINT_DONE) {
        if (o->log) fprintf(o->log, "[sweep] point %d/%d (%s): finished before, skipped\n", i + 1, s->npoints, label);
        remove(failed);
        return Y90_OK;
    }
    if (o->log) fprintf(o->log, "[sweep] point %d/%d (%s)\n", i + 1, s->npoints, label);
    y90_config c;
    if (state == Y90_POINT_OTHER)
        st = Y90_FAIL(err, Y90_EINPUT, "%s exists but was made from another config (the sweep file or the base config "
                      "changed?); remove it to run this point again", h5);
    else st = y90_sweep_point_config(s, i, &c, err);
    if (!st) {
        /* an interrupted earlier try of this very point is replaced, from its checkpoint when there is one */
        y90_run_options ro = {.out_path = h5, .force = state == Y90_POINT_PARTIAL, .progress = o->progress,
                              .progress_user = o->progress_user, .stop = o->stop, .log = o->log, .resume = 1};
        st = y90_run(&c, &ro, err);
        y90_config_free(&c);
    }
    if (st == Y90_OK) {
        remove(failed);
    } else if (st != Y90_EINTERRUPTED) {
        char note[sizeof err->msg + 2300];
        snprintf(note, sizeof note, "point %d (%s): %s\n", i + 1, label, err ? err->msg : "failed");
        y90_error we = {0};
        if (write_text(failed, note, &we) && o->log) fprintf(o->log, "[sweep] %s\n", we.msg);
    }
    return st;
}

y90_status y90_sweep_run(const y90_sweep *s, const y90_sweep_options *o, int *nfailed, y90_error *err)
{
    const int rank = y90_mpi_rank(), size = y90_mpi_size(); /* under mpirun the points are dealt round the ranks */
    *nfailed = 0;
    for (int i = rank; i < s->npoints; i += size) {
        if (o->stop && *o->stop) return Y90_FAIL(err, Y90_EINTERRUPTED, "sweep stopped before point %d", i + 1);
        y90_error pe = {0};
        y90_status st = y90_sweep_run_point(s, i, o, &pe);
        if (st == Y90_EINTERRUPTED)
            return Y90_FAIL(err, st, "sweep interrupted in point %d: %s (run it again to finish the missing points)",
                            i + 1, pe.msg);
        if (st) {
            (*nfailed)++;
            if (o->log) fprintf(o->log, "[sweep] point %d failed: %s\n", i + 1, pe.msg);
        }
    }
    y90_mpi_barrier();
    if (rank != 0) return Y90_OK;
    int missing = 0;
    y90_status st = y90_sweep_collect(s, &missing, err);
    *nfailed = missing; /* every rank's failures, as the summary sees them */
    return st;
}

/* ---------------------------------------------------------------------------------------------- summary */

/* A growing text buffer; on out of memory it stays NULL and every append is ignored. */
typedef struct {
    char *p;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void put(text *t, const char *fmt, ...)
{
    if (!t->p && t->cap) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) return;
        if (t->p && t->n + (size_t)w < t->cap) {
            t->n += (size_t)w;
            return;
        }
        size_t cap = 2 * t->cap + (size_t)w + 4096;
        char *np = realloc(t->p, cap);
        if (!np) {
            free(t->p);
            t->p = NULL;
            t->cap = 1;
            return;
        }
        t->p = np;
        t->cap = cap;
    }
}

static void csv_str(text *t, const char *s)
{
    if (!strpbrk(s, ",\"\n")) { put(t, "%s", s); return; }
    put(t, "\"");
    for (; *s; s++) {
        if (*s == '"') put(t, "\"\"");
        else put(t, "%c", *s);
    }
    put(t, "\"");
}

static void json_str(text *t, const char *s)
{
    put(t, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') put(t, "\\%c", ch);
        else if (ch == '\n') put(t, "\\n");
        else if (ch < 0x20) put(t, "\\u%04x", ch);
        else put(t, "%c", ch);
    }
    put(t, "\"");
}

/* A sweep value in JSON: a number when it is one, else a string. */
static void json_value(text *t, const char *v)
{
    char *end;
    double x = strtod(v, &end);
    if (end != v && !*end && isfinite(x) && !strpbrk(v, "xXpP")) put(t, "%s", v);
    else json_str(t, v);
}

enum { M_TREATED, M_TUMOUR, M_NORMAL, M_TUMOUR_D70, M_LUNG, M_LUNG_LIMIT, M_LUNG_OK, M_MIRD, M_PART_N, M_PART_T,
       M_MIRD_LUNG, M_COUNT };
static const char *const metric_names[M_COUNT] = {
    "treated_liver_mean_gy", "tumour_mean_gy", "normal_liver_mean_gy", "tumour_d70_gy", "lung_mean_gy",
    "lung_limit_gy", "lung_ok", "mird_treated_liver_gy", "partition_normal_gy", "partition_tumour_gy",
    "mird_lung_gy"};

/* The key metrics of a point from the report module. lung_ok is 1/0 (NaN without lungs). */
static y90_status point_metrics(const char *h5, double m[M_COUNT], y90_error *err)
{
    y90_report *r = calloc(1, sizeof *r);
    if (!r) return Y90_FAIL(err, Y90_ENOMEM, "out of memory for the report");
    y90_status st = y90_report_compute(h5, 0, r, err);
    if (!st) {
        const y90_dose_stats *t = y90_report_row(r, "tumour_viable_treated");
        if (!t) t = y90_report_row(r, "tumour_viable");
        m[M_TREATED] = r->treated_liver_mean_gy;
        m[M_TUMOUR] = r->tumour_mean_gy;
        m[M_NORMAL] = r->normal_liver_mean_gy;
        m[M_TUMOUR_D70] = t ? t->d70_gy : NAN;
        m[M_LUNG] = r->lung_mean_gy;
        m[M_LUNG_LIMIT] = r->lung_limit_gy;
        m[M_LUNG_OK] = isnan(r->lung_mean_gy) ? NAN : r->lung_mean_gy <= r->lung_limit_gy;
        m[M_MIRD] = r->mird_treated_liver_gy;
        m[M_PART_N] = r->partition_normal_gy;
        m[M_PART_T] = r->partition_tumour_gy;
        m[M_MIRD_LUNG] = r->mird_lung_gy;
        y90_report_free(r);
    }
    free(r);
    return st;
}

/* First line of a point's .failed note (its message). */
static void failure_message(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    buf[0] = 0;
    if (f) {
        if (!fgets(buf, (int)len, f)) buf[0] = 0;
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

y90_status y90_sweep_collect(const y90_sweep *s, int *nmissing, y90_error *err)
{
    y90_status st = make_dirs(s->outdir, err);
    if (st) return st;
    text csv = {0}, js = {0};
    put(&csv, "point,state");
    for (int k = 0; k < s->nkeys; k++) put(&csv, ",%s", s->key[k]);
    put(&csv, ",file");
    for (int j = 0; j < M_COUNT; j++) put(&csv, ",%s", metric_names[j]);
    put(&csv, ",error\n");
    put(&js, "{\n  \"sweep\": ");
    json_str(&js, s->path);
    put(&js, ",\n  \"base\": ");
    json_str(&js, s->base);
    put(&js, ",\n  \"mode\": \"%s\",\n  \"keys\": [", s->zip ? "zip" : "grid");
    for (int k = 0; k < s->nkeys; k++) {
        put(&js, k ? ", " : "");
        json_str(&js, s->key[k]);
    }
    put(&js, "],\n  \"points\": [\n");
    *nmissing = 0;
    for (int i = 0; i < s->npoints; i++) {
        char h5[1100], failed[1100], msg[2048] = "";
        double m[M_COUNT];
        y90_sweep_point_path(s, i, ".h5", h5, sizeof h5);
        y90_sweep_point_path(s, i, ".failed", failed, sizeof failed);
        y90_point_state state = y90_sweep_point_state(s, i);
        if (state == Y90_POINT_DONE) {
            y90_error re = {0};
            if (point_metrics(h5, m, &re)) {
                state = Y90_POINT_FAILED;
                snprintf(msg, sizeof msg, "report: %s", re.msg);
            }
        } else if (state == Y90_POINT_FAILED) {
            failure_message(failed, msg, sizeof msg);
        }
        if (state != Y90_POINT_DONE) (*nmissing)++;
        put(&csv, "%d,%s", i + 1, y90_point_state_name(state));
        put(&js, "    {\"point\": %d, \"state\": \"%s\", \"params\": {", i + 1, y90_point_state_name(state));
        const char *sets[Y90_SWEEP_MAX_KEYS + 1];
        char buf[Y90_SWEEP_MAX_KEYS][1024];
        y90_sweep point = *s; /* only the varied values: no fixed sets */
        point.nset = 0;
        y90_sweep_point_sets(&point, i, sets, Y90_SWEEP_MAX_KEYS, buf);
        for (int k = 0; k < s->nkeys; k++) {
            const char *v = strchr(sets[k], '=') + 1;
            put(&csv, ",");
            csv_str(&csv, v);
            put(&js, "%s", k ? ", " : "");
            json_str(&js, s->key[k]);
            put(&js, ": ");
            json_value(&js, v);
        }
        put(&csv, ",%s", state == Y90_POINT_DONE ? base_name(h5) : "");
        put(&js, "}, \"file\": ");
        if (state == Y90_POINT_DONE) json_str(&js, base_name(h5));
        else put(&js, "null");
        put(&js, ", \"metrics\": ");
        if (state == Y90_POINT_DONE) put(&js, "{");
        else put(&js, "null");
        for (int j = 0; j < M_COUNT; j++) {
            int ok = state == Y90_POINT_DONE && !isnan(m[j]);
            if (j == M_LUNG_OK) put(&csv, ",%s", ok ? (m[j] ? "true" : "false") : "");
            else if (ok) put(&csv, ",%.10g", m[j]);
            else put(&csv, ",");
            if (state != Y90_POINT_DONE) continue;
            put(&js, "%s\"%s\": ", j ? ", " : "", metric_names[j]);
            if (!ok) put(&js, "null");
            else if (j == M_LUNG_OK) put(&js, "%s", m[j] ? "true" : "false");
            else put(&js, "%.10g", m[j]);
        }
        if (state == Y90_POINT_DONE) put(&js, "}");
        put(&csv, ",");
        csv_str(&csv, msg);
        put(&csv, "\n");
        put(&js, ", \"error\": ");
        if (msg[0]) json_str(&js, msg);
        else put(&js, "null");
        put(&js, "}%s\n", i + 1 < s->npoints ? "," : "");
    }
    put(&js, "  ]\n}\n");
    if (!csv.p || !js.p) st = Y90_FAIL(err, Y90_ENOMEM, "out of memory for the sweep summary");
    char path[1100];
    snprintf(path, sizeof path, "%s/summary.csv", s->outdir);
    if (!st) st = write_text(path, csv.p, err);
    snprintf(path, sizeof path, "%s/summary.json", s->outdir);
    if (!st) st = write_text(path, js.p, err);
    free(csv.p);
    free(js.p);
    return st;
}

/* ------------------------------------------------------------------------------------------------ Slurm */

y90_status y90_sweep_memory_estimate(const y90_config *c, double *bytes, y90_error *err)
{
    y90_grid g = {0};
    y90_sources src = {0};
    y90_phantom_params pp = y90_config_phantom(c);
    y90_status st = y90_phantom_build(&pp, y90_memory_limit_bytes(c->output.max_memory_gb), &g, NULL, err);
    if (!st) st = y90_sources_build(c, &g, &src, err);
    if (!st) {
        double nv = (double)y90_grid_nvox(&g);
        /* a run's grid, tallies and result (y90_grid_bytes_per_voxel_run), the energy grid (8) and the uptake
         * tables of the sphere placement (16) per voxel; per sphere the row (32), its cumulative (8) and alias
         * (8) entries, or with counts storage 12 bytes a voxel instead; 256 MiB for the physics tables, threads'
         * buffers and HDF5 */
        double spheres = src.storage == Y90_SPHERES_COUNTS ? nv * 12.0 : (double)src.nspheres * 48;
        *bytes = nv * ((double)y90_grid_bytes_per_voxel_run() + 24) + spheres + 256.0 * 1048576;
    }
    y90_sources_free(&src);
    y90_grid_free(&g);
    return st;
}

static int shell_safe(const char *p) { return !strpbrk(p, "'\n"); }

y90_status y90_sweep_write_slurm(const y90_sweep *s, const y90_slurm_options *o, char *script, size_t len,
                                 y90_error *err)
{
    char sweep_abs[PATH_MAX], exe_abs[PATH_MAX], out_abs[PATH_MAX];
    y90_status st = make_dirs(s->outdir, err);
    if (st) return st;
    if (!realpath(s->path, sweep_abs) || !realpath(o->exe, exe_abs) || !realpath(s->outdir, out_abs))
        return Y90_FAIL(err, Y90_EINPUT, "%s: cannot resolve the absolute paths of the sweep, y90mc or the output "
                        "folder: %s", s->path, strerror(errno));
    if (!shell_safe(sweep_abs) || !shell_safe(exe_abs) || !shell_safe(out_abs))
        return Y90_FAIL(err, Y90_EINPUT, "%s: a path holds a quote or a newline; expected plain paths for the job "
                        "script", s->path);
    const char *partition = o->partition ? o->partition : s->partition;
    const char *time = o->time ? o->time : s->time[0] ? s->time : "01:00:00";
    int cpus = o->cpus_per_task > 0 ? o->cpus_per_task : s->cpus_per_task > 0 ? s->cpus_per_task : 1;
    double mem_gb = o->mem_gb > 0 ? o->mem_gb : s->mem_gb;
    double need = 0;
    if (!(mem_gb > 0)) {
        for (int i = 0; i < s->npoints && !st; i++) {
            y90_config c;
            double b = 0;
            st = y90_sweep_point_config(s, i, &c, err);
            if (!st) st = y90_sweep_memory_estimate(&c, &b, err);
            if (!st) y90_config_free(&c);
            if (b > need) need = b;
        }
        if (st) return st;
        mem_gb = 1.25 * need / 1e9; /* 25 % headroom over the estimate of the largest point */
    }
    long mem_mb = (long)ceil(mem_gb * 1e3);
    text t = {0};
    put(&t, "#!/bin/bash\n# y90mc sweep as a Slurm job array, one task per point (written by y90mc sweep --slurm).\n"
            "# Submit: sbatch %s/sweep.sbatch   then, when all tasks are done: y90mc sweep '%s' --collect\n"
            "# A requeued task skips its point when it finished, and resumes it from its checkpoint otherwise: 60 s\n"
            "# before the time limit (--signal) and when preempted, SIGTERM makes y90mc write one (output.checkpoint_s).\n",
            out_abs, sweep_abs);
    put(&t, "#SBATCH --job-name=y90-sweep\n#SBATCH --array=1-%d\n#SBATCH --cpus-per-task=%d\n", s->npoints, cpus);
    put(&t, "#SBATCH --mem=%ldM\n#SBATCH --time=%s\n", mem_mb, time);
    if (partition && partition[0]) put(&t, "#SBATCH --partition=%s\n", partition);
    put(&t, "#SBATCH --output=%s/slurm-%%A_%%a.out\n#SBATCH --requeue\n#SBATCH --signal=B:TERM@60\n", out_abs);
    if (!(o->mem_gb > 0 || s->mem_gb > 0))
        put(&t, "# --mem: 1.25 x the estimated %.3g GB of the largest point (grid and sphere list)\n", need / 1e9);
    put(&t, "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n"
            "exec '%s' sweep '%s' --index \"$SLURM_ARRAY_TASK_ID\"\n", exe_abs, sweep_abs);
    if (!t.p) return Y90_FAIL(err, Y90_ENOMEM, "out of memory for the job script");
    snprintf(script, len, "%s/sweep.sbatch", s->outdir);
    st = write_text(script, t.p, err);
    free(t.p);
    return st;
}
