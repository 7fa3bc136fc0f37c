/* y90mc: checkpoints, resume and the stopping rules of a run. The histories of a run are simulated in ordered
 * batches with per-history random streams into integer tallies (kernels/driver.c), so "histories first..first+k-1
 * are finished, with these tallies" is an exact checkpoint: a run resumed from it adds the rest to the same
 * integers and ends bit for bit where the uninterrupted run ends. The time limit and the target uncertainty are
 * checked between batches. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_statistics_double.h>
#include "y90/report.h"
#include "run_internal.h"

#define CHECK_SHARE 0.05   /* the target uncertainty may take at most this share of the run's wall time; */
#define CHECK_MAX_GAP_S 1.0 /* within that, it is computed at least once a second ... */
#define CHECK_GROWTH 0.1    /* ... and whenever the histories done have grown by a tenth since the last check (so
                             * that a run that reaches its target early does not go far past it, on any machine) */

int y90_checkpoint_path(const char *out, int rank_index, int ranks, char *buf, size_t len)
{
    int n = ranks > 1 ? snprintf(buf, len, "%s.ckpt-rank-%d-of-%d", out, rank_index, ranks)
                      : snprintf(buf, len, "%s.ckpt", out);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Median relative uncertainty of the target structure's voxels; a voxel without a deposit counts as infinite. */
static double target_median(y90_run_control *rc, int64_t done, const y90_tally *t)
{
    size_t n = y90_grid_nvox(rc->g), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rc->member[rc->g->label[i]]) continue;
        double u = y90_tally_voxel_rel_unc(t, i, (double)done);
        rc->unc[k++] = t->sum[i] > 0 && done > 1 ? u : INFINITY;
    }
    return gsl_stats_median(rc->unc, 1, k); /* quickselect, reorders the scratch */
}

static int between(void *user, int64_t done, const y90_tally *t)
{
    y90_run_control *rc = user;
    const y90_transport_params *tp = &rc->c->transport;
    double now = y90_wall_s();
    if (tp->time_limit_s > 0 && now - rc->t_start >= tp->time_limit_s) return Y90_STOP_TIME_LIMIT;
    if (tp->target_uncertainty > 0 && now >= rc->next_check &&
        (done >= rc->next_check_done || now >= rc->last_check + CHECK_MAX_GAP_S)) {
        double med = target_median(rc, done, t), after = y90_wall_s(), cost = after - now;
        rc->next_check = after + cost / CHECK_SHARE; /* the cost share */
        rc->last_check = after;
        rc->next_check_done = done + (int64_t)(CHECK_GROWTH * (double)done) + 1;
        if (med <= tp->target_uncertainty) {
            if (rc->log)
                fprintf(rc->log, "target reached: median uncertainty %.3g %% in %s after %lld histories\n", 100 * med,
                        tp->target_structure, (long long)done);
            return Y90_STOP_TARGET;
        }
    }
    if (rc->path[0] && rc->c->output.checkpoint_s > 0 && now - rc->last_ckpt >= rc->c->output.checkpoint_s) {
        y90_error e = {0};
        if (y90_control_checkpoint(rc, done, t, rc->runtime_before_s + (now - rc->t_kernel), &e) && !rc->ckpt_failed) {
            rc->ckpt_failed = 1;
            if (rc->log) fprintf(rc->log, "warning: checkpoint not written (the run goes on): %s\n", e.msg);
        }
        rc->last_ckpt = y90_wall_s();
    }
    return 0;
}

y90_status y90_control_checkpoint(y90_run_control *rc, int64_t done, const y90_tally *t, double runtime_s,
                                  y90_error *err)
{
    y90_checkpoint_info ck = {0};
    ck.config_effective = rc->effective;
    ck.seed = rc->c->transport.seed;
    ck.part_index = rc->part_index;
    ck.part_count = rc->part_count;
    ck.first = rc->first;
    ck.done = done;
    ck.requested = rc->requested;
    ck.runtime_s = runtime_s;
    return y90_io_write_checkpoint(rc->path, &ck, t, err);
}

/* Load the checkpoint into rc->resume after checking it is this run's. */
static y90_status load(y90_run_control *rc, y90_error *err)
{
    y90_checkpoint_info ck;
    y90_status st = y90_io_read_checkpoint(rc->path, &ck, err);
    if (st) return st;
    char a[256], b[256];
    if (strcmp(ck.version, y90_version()) || strcmp(ck.git_revision, y90_git_revision()))
        st = Y90_FAIL(err, Y90_EINPUT, "%s: checkpoint of y90mc %s (git %s), this is %s (git %s): it cannot be "
                      "resumed exactly; remove it to start again", rc->path, ck.version, ck.git_revision,
                      y90_version(), y90_git_revision());
    else if (y90_config_first_difference(ck.config_effective, rc->effective, a, b, sizeof a))
        st = Y90_FAIL(err, Y90_EINPUT, "%s: checkpoint of another run (config or seeds differ: '%s' in the checkpoint, "
                      "'%s' now); remove it to start again, or resume with the config it was made from", rc->path, a, b);
    else if (ck.part_index != rc->part_index || ck.part_count != rc->part_count || ck.first != rc->first ||
             ck.requested != rc->requested)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: checkpoint of part %d/%d (histories %lld..+%lld), this run is part %d/%d "
                      "(%lld..+%lld); remove it to start again", rc->path, ck.part_index, ck.part_count,
                      (long long)ck.first, (long long)ck.requested, rc->part_index, rc->part_count,
                      (long long)rc->first, (long long)rc->requested);
    else if (ck.done < 0 || ck.done > rc->requested)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: %lld histories done of %lld: not a valid checkpoint", rc->path,
                      (long long)ck.done, (long long)rc->requested);
    free(ck.config_effective);
    if (!st) st = y90_tally_alloc(&rc->resume, y90_grid_nvox(rc->g), err);
    if (!st) st = y90_io_read_tally(rc->path, &rc->resume, err);
    if (st) return st;
    rc->kc.resume = &rc->resume;
    rc->kc.resume_done = ck.done;
    rc->runtime_before_s = ck.runtime_s;
    if (rc->log)
        fprintf(rc->log, "resuming from %s: %lld of %lld histories done\n", rc->path, (long long)ck.done,
                (long long)rc->requested);
    return Y90_OK;
}

static y90_status target_init(y90_run_control *rc, y90_error *err)
{
    const y90_config *c = rc->c;
    y90_lobe treated = c->treatment.treated_lobes == Y90_TREAT_RIGHT ? Y90_LOBE_RIGHT
                       : c->treatment.treated_lobes == Y90_TREAT_LEFT ? Y90_LOBE_LEFT : Y90_LOBE_NONE;
    rc->member = calloc(256, 1);
    if (!rc->member) return Y90_FAIL(err, Y90_ENOMEM, "out of memory");
    int bad = y90_report_select(rc->g, treated, c->transport.target_structure, rc->member);
    size_t n = y90_grid_nvox(rc->g);
    for (size_t i = 0; i < n && !bad; i++) rc->nmember += rc->member[rc->g->label[i]];
    if (bad || rc->nmember == 0) {
        char names[1024] = "";
        size_t len = 0;
        for (int i = 0; i < rc->g->nstructures && len < sizeof names; i++)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", rc->g->structures[i].name);
        return Y90_FAIL(err, Y90_EINPUT, "transport.target_structure = %s: %s in this phantom (its structures: %s; "
                        "or a group of y90mc report: tumour, liver_normal_treated, liver, lungs, ...)",
                        c->transport.target_structure, bad ? "no such structure" : "no voxels", names);
    }
    rc->unc = y90_calloc(rc->nmember, sizeof *rc->unc, "target uncertainty scratch", err);
    return rc->unc ? Y90_OK : Y90_ENOMEM;
}

y90_status y90_control_init(y90_run_control *rc, const y90_config *c, const y90_run_options *o, const y90_grid *g,
                            int part_index, int part_count, int ranks, int64_t first, int64_t count, double t_start,
                            y90_error *err)
{
    memset(rc, 0, sizeof *rc);
    rc->c = c;
    rc->g = g;
    rc->log = o->log;
    rc->part_index = part_index;
    rc->part_count = part_count;
    rc->first = first;
    rc->requested = count;
    rc->t_start = t_start;
    rc->t_kernel = rc->last_ckpt = y90_wall_s();
    rc->next_check = rc->last_check = rc->t_kernel; /* the first check after the first batch */
    rc->next_check_done = 0;
    rc->kc.between = between;
    rc->kc.user = rc;
    rc->effective = y90_config_effective(c);
    if (!rc->effective) return Y90_FAIL(err, Y90_ENOMEM, "out of memory for the effective config");
    if ((c->output.checkpoint_s > 0 || o->resume) &&
        y90_checkpoint_path(o->out_path, ranks > 1 ? part_index : 0, ranks, rc->path, sizeof rc->path))
        return Y90_FAIL(err, Y90_EINPUT, "%s: output path too long for its checkpoint", o->out_path);
    if (c->transport.target_uncertainty > 0) {
        y90_status st = target_init(rc, err);
        if (st) return st;
    }
    if (o->resume && rc->path[0] && y90_file_exists(rc->path)) return load(rc, err);
    return Y90_OK;
}

void y90_control_remove(y90_run_control *rc)
{
    if (rc->path[0] && y90_file_exists(rc->path) && remove(rc->path) && rc->log)
        fprintf(rc->log, "warning: cannot remove the checkpoint %s\n", rc->path);
}

void y90_control_free(y90_run_control *rc)
{
    free(rc->effective);
    free(rc->member);
    free(rc->unc);
    y90_tally_free(&rc->resume);
    rc->effective = NULL;
    rc->member = NULL;
    rc->unc = NULL;
}
