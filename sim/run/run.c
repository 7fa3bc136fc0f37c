/* y90mc: one whole run: config -> phantom -> physics -> sources -> kernel -> HDF5, each a named call. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "y90/io.h"
#include "y90/kernelcache.h"
#include "y90/phantom.h"
#include "y90/physics.h"
#include "y90/run.h"
#include "y90/source.h"
#include "y90/tools.h"
#include "run_internal.h"

static void log_phantom(FILE *log, const y90_grid *g, const y90_phantom_info *pi, int liver)
{
    if (!log) return;
    fprintf(log, "phantom: %d x %d x %d voxels of %g x %g x %g mm\n", g->nx, g->ny, g->nz, g->spacing[0],
            g->spacing[1], g->spacing[2]);
    if (pi->box_rounded)
        fprintf(log, "warning: phantom.box_size_mm = [%g, %g, %g] mm is not a whole number of %g mm voxels; using "
                "%g x %g x %g mm (%d x %d x %d voxels, centred on x = y = 0)\n", pi->box_size_asked_mm[0],
                pi->box_size_asked_mm[1], pi->box_size_asked_mm[2], g->spacing[0], pi->box_size_used_mm[0],
                pi->box_size_used_mm[1], pi->box_size_used_mm[2], g->nx, g->ny, g->nz);
    if (liver)
        fprintf(log, "phantom: liver %.1f ml (%.1f g), right lobe %.1f ml, left lobe %.1f ml, %d tumours %.1f ml "
                "(burden %.2f %%), lungs %.1f ml\n", pi->liver_volume_ml, pi->liver_mass_g,
                pi->lobe_volume_ml[Y90_LOBE_RIGHT], pi->lobe_volume_ml[Y90_LOBE_LEFT], pi->ntumours,
                pi->tumour_volume_ml, pi->tumour_burden_percent, pi->lung_volume_ml);
    if (liver && pi->ntumours > 0)
        fprintf(log, "phantom: tumour burden per lobe: right %.2f %% (%.1f ml), left %.2f %% (%.1f ml); necrotic "
                "cores %.1f ml\n", pi->lobe_burden_percent[Y90_LOBE_RIGHT], pi->lobe_tumour_volume_ml[Y90_LOBE_RIGHT],
                pi->lobe_burden_percent[Y90_LOBE_LEFT], pi->lobe_tumour_volume_ml[Y90_LOBE_LEFT],
                pi->necrotic_volume_ml);
}

/* source.type activity_map: how much of the image lands on the grid and in the liver and tumours. */
static void log_activity_image(FILE *log, const y90_config *c, const y90_sources *s)
{
    if (!log || !s->voxel_uptake) return;
    const char *unit = c->source.activity_kind == Y90_ACTIVITY_PET_BQ_ML ? "Bq" : "counts";
    fprintf(log, "activity map %s: %.4g %s in the image, %.4g on the dose grid, %.4g (%.1f %%) in the liver and "
            "tumours, which place the liver spheres\n", c->source.activity_file, s->image_total, unit,
            s->image_on_grid, s->image_in_liver, 100.0 * s->image_in_liver / s->image_total);
}

y90_status y90_run_phantom(const y90_config *c, const char *out_path, int force, FILE *log, y90_error *err)
{
    y90_grid g = {0};
    y90_phantom_info pi;
    y90_status st = y90_check_output_h5(out_path, force, err);
    if (!st) st = y90_check_not_input(out_path, c->path, err);
    if (!st) {
        y90_remove_stale_temps(out_path, log);
        y90_phantom_params pp = y90_config_phantom(c);
        st = y90_phantom_build(&pp, y90_memory_limit_bytes(c->output.max_memory_gb), &g, &pi, err);
        if (st) y90_config_locate_error(c, err);
    }
    if (!st) log_phantom(log, &g, &pi, c->phantom.type == Y90_PHANTOM_LIVER || c->phantom.type == Y90_PHANTOM_IMAGE);
    if (!st) st = y90_io_write_phantom(out_path, force, c, &g, err);
    y90_grid_free(&g);
    return st;
}

static void log_balance(FILE *log, const y90_run_result *r)
{
    if (!log) return;
    const y90_energy_balance *e = &r->eb;
    if (r->histories == 0) { /* deterministic kernel: the balance is per decay */
        fprintf(log, "energy balance (MeV per decay): emitted %.6f, deposited in the grid %.6f; kernel %s "
                "(deterministic, no histories) in %.2f s on %d threads\n", e->emitted, e->deposited, r->kernel,
                r->runtime_s, r->threads);
        return;
    }
    double imb = e->emitted > 0 ? fabs(e->emitted - e->deposited - e->escaped_electron - e->escaped_photon) / e->emitted : 0;
    fprintf(log, "energy balance (MeV per decay): emitted %.6f = deposited %.6f + escaped electrons %.6f + escaped "
            "photons %.6f (relative imbalance %.2e); below cutoff %.6f, inside spheres %.6f\n",
            e->emitted / r->histories, e->deposited / r->histories, e->escaped_electron / r->histories,
            e->escaped_photon / r->histories, imb, e->below_cutoff / r->histories, e->in_spheres / r->histories);
    fprintf(log, "kernel %s: %lld histories in %.2f s on %d threads (%.3g histories/s)\n", r->kernel,
            (long long)r->histories, r->runtime_s, r->threads, r->histories / (r->runtime_s > 0 ? r->runtime_s : 1e-9));
}

y90_status y90_run_check(const y90_config *c, FILE *log, y90_error *err)
{
    y90_grid g = {0};
    y90_phantom_info pi;
    y90_sources src = {0};
    y90_phantom_params pp = y90_config_phantom(c);
    y90_status st = y90_phantom_build(&pp, y90_memory_limit_bytes(c->output.max_memory_gb), &g, &pi, err);
    if (!st) log_phantom(log, &g, &pi, c->phantom.type == Y90_PHANTOM_LIVER || c->phantom.type == Y90_PHANTOM_IMAGE);
    if (!st) st = y90_sources_build(c, &g, &src, err);
    if (st) y90_config_locate_error(c, err);
    if (!st) log_activity_image(log, c, &src);
    if (!st && log && src.nspheres)
        fprintf(log, "sources: %zu %s spheres (%zu in the lungs); %.4g GBq at calibration, %.4g GBq at injection "
                "(%g h after calibration); %.4g Bq per sphere at injection (mean)\n", src.nspheres, src.product,
                src.spheres_in_lung, src.activity_calibration_bq / 1e9, src.activity_treatment_bq / 1e9,
                c->treatment.hours_after_calibration, src.activity_treatment_bq / (double)src.nspheres);
    y90_sources_free(&src);
    y90_grid_free(&g);
    return st;
}

void y90_part_range(int64_t histories, int i, int n, int64_t *first, int64_t *count)
{
    unsigned __int128 h = (unsigned __int128)histories; /* h * i overflows 64 bits for 1e13 histories */
    int64_t a = (int64_t)(h * (unsigned)(i - 1) / (unsigned)n), b = (int64_t)(h * (unsigned)i / (unsigned)n);
    *first = a;
    *count = b - a;
}

y90_status y90_run(const y90_config *c, const y90_run_options *o, y90_error *err)
{
    return y90_run_with(c, o, 0, 0, NULL, err);
}

y90_status y90_run_part(const y90_config *c, const y90_run_options *o, int part_index, int part_count,
                        y90_error *err)
{
    return y90_run_with(c, o, part_index, part_count, NULL, err);
}

/* run --resume over an existing output: 1 when that output is this run's finished file and no checkpoint is left
 * (a requeued job: nothing to do), 0 when it may be replaced (this run's partial file), Y90_EINPUT when it is
 * another run's. */
static int resume_existing(const y90_config *c, const char *out, const char *ckpt, y90_error *err)
{
    size_t cap = 1u << 20;
    char *eff = y90_config_effective(c), *stored = malloc(cap), status[32] = "", a[256], b[256];
    y90_error e = {0};
    int rc = 0;
    if (!eff || !stored) rc = -Y90_FAIL(err, Y90_ENOMEM, "out of memory");
    else if (y90_io_read_attr_string(out, "/", "config_effective", stored, cap, &e) ||
             y90_config_first_difference(stored, eff, a, b, sizeof a))
        rc = -Y90_FAIL(err, Y90_EINPUT, "%s exists and is not an output of this config (use --force to replace it, "
                       "or another -o)", out);
    else if (!y90_io_read_attr_string(out, "/", "run_status", status, sizeof status, &e) &&
             strcmp(status, "interrupted") && !y90_file_exists(ckpt))
        rc = 1;
    free(eff);
    free(stored);
    return rc;
}

y90_status y90_run_with(const y90_config *c, const y90_run_options *o, int part_index, int part_count,
                        const y90_run_hook *hook, y90_error *err)
{
    const double t_start = y90_wall_s();
    y90_run_control rc;
    int have_rc = 0, replace = o->force;
    y90_grid g = {0};
    y90_phantom_info pi;
    y90_sources src = {0};
    y90_physics *phys = NULL;
    y90_run_result res = {0};
    int hooked = 0, write = 1;
    y90_status st = Y90_OK;
    y90_voxel_kernel vk = {0};
    if (part_count > 0 && (part_index < 1 || part_index > part_count || part_count > c->transport.histories))
        st = Y90_FAIL(err, Y90_EINPUT, "--part %d/%d: expected 1 <= I <= N <= transport.histories (%lld)",
                      part_index, part_count, (long long)c->transport.histories);
    if (!st && part_count > 0 && c->transport.kernel != Y90_KERNEL_MC)
        st = Y90_FAIL(err, Y90_EINPUT, "transport.kernel = %s is deterministic (no histories to share): run it in one "
                      "process, without --part or mpirun", c->transport.kernel == Y90_KERNEL_LOCAL ? "local" :
                      c->transport.kernel == Y90_KERNEL_DVK ? "dvk" : "dvk_density");
    if (!st && part_count > 0 && (c->transport.time_limit_s > 0 || c->transport.target_uncertainty > 0))
        st = Y90_FAIL(err, Y90_EINPUT, "transport.time_limit_s and target_uncertainty stop a run early, and the parts "
                      "of a run (--part, mpirun) must each be complete to be merged: run them in one process");
    if (!st && o->resume && !o->force && y90_file_exists(o->out_path)) {
        char ckpt[1100];
        if (y90_checkpoint_path(o->out_path, hook ? part_index : 0, hook ? part_count : 1, ckpt, sizeof ckpt))
            st = Y90_FAIL(err, Y90_EINPUT, "%s: output path too long for its checkpoint", o->out_path);
        int r = st ? 0 : resume_existing(c, o->out_path, ckpt, err);
        if (r < 0) st = (y90_status)-r;
        if (r == 1) {
            if (o->log) fprintf(o->log, "%s is finished (run_status recorded, no checkpoint left): nothing to do\n",
                                o->out_path);
            if (o->finished_already) *o->finished_already = 1;
            goto cleanup;
        }
        replace = 1; /* this run's own partial output */
    }
    if (!st) st = y90_check_output_h5(o->out_path, replace, err);
    if (!st) st = y90_check_not_input(o->out_path, c->path, err);
    if (st) goto cleanup;
    y90_remove_stale_temps(o->out_path, o->log ? o->log : stderr);
    y90_phantom_params pp = y90_config_phantom(c);
    st = y90_phantom_build(&pp, y90_memory_limit_bytes(c->output.max_memory_gb), &g, &pi, err);
    if (st) {
        y90_config_locate_error(c, err);
        goto cleanup;
    }
    log_phantom(o->log, &g, &pi, c->phantom.type == Y90_PHANTOM_LIVER || c->phantom.type == Y90_PHANTOM_IMAGE);
    st = y90_sources_build(c, &g, &src, err);
    if (st) {
        y90_config_locate_error(c, err);
        goto cleanup;
    }
    log_activity_image(o->log, c, &src);
    if (o->log && src.nspheres)
        fprintf(o->log, "sources: %zu %s spheres (%zu in the lungs), %.4g GBq at treatment, %.4g decays\n",
                src.nspheres, src.product, src.spheres_in_lung, src.activity_treatment_bq / 1e9, src.decays);
    if (c->transport.kernel == Y90_KERNEL_MC) {
        st = y90_physics_build(c, &g, &src, &phys, err);
        if (st) goto cleanup;
    }
    if (c->transport.kernel == Y90_KERNEL_DVK || c->transport.kernel == Y90_KERNEL_DVK_DENSITY) {
        st = y90_kernel_cache_get(c, &g, &src, o->kernel_cache, o->log, &vk, err);
        if (st) goto cleanup;
    }
    y90_kernel_input in = {&c->transport, &g, &src, phys, o->progress, o->progress_user, o->stop, 0, 0, &vk, NULL};
    if (part_count > 0) y90_part_range(c->transport.histories, part_index, part_count, &in.first, &in.count);
    if (c->transport.kernel == Y90_KERNEL_MC) { /* checkpoints, resume, time limit, target uncertainty */
        have_rc = 1;
        st = y90_control_init(&rc, c, o, &g, part_index, part_count, hook ? part_count : 1, in.first,
                              part_count > 0 ? in.count : c->transport.histories, t_start, err);
        if (st) goto cleanup;
        in.ctl = &rc.kc;
    }
    st = y90_kernel_run(&in, &res, err);
    if (have_rc) res.runtime_s += rc.runtime_before_s;
    const char *ckpt_note = "";
    if (have_rc && st == Y90_EINTERRUPTED && res.histories > 0 && rc.path[0] && c->output.checkpoint_s > 0) {
        y90_error ce = {0};
        if (y90_control_checkpoint(&rc, res.histories, &res.tally, res.runtime_s, &ce)) {
            if (o->log) fprintf(o->log, "warning: checkpoint not written: %s\n", ce.msg);
        } else ckpt_note = "; checkpoint written: continue with the same command and --resume";
    }
    res.part_index = part_index;
    res.part_count = part_count;
    res.histories_total = c->transport.histories;
    res.histories_requested = part_count > 0 ? in.count : c->transport.histories;
    if (hook) {
        hooked = 1;
        st = hook->combine(hook->user, st, &res, &g, &src, &write, err);
    }
    if (st && !(st == Y90_EINTERRUPTED && res.histories > 0)) goto cleanup;
    y90_status kst = st;
    if (!write) goto cleanup;
    log_balance(o->log, &res);
    st = y90_io_write_run(o->out_path, replace, c, &g, &src, &res, err);
    if (!st && kst) st = Y90_FAIL(err, kst, "interrupted: wrote the %lld finished histories to %s%s",
                                 (long long)res.histories, o->out_path, ckpt_note);
    if (!st && o->log && res.stop_reason)
        fprintf(o->log, "stopped (%s) after %lld of %lld histories\n", y90_stop_reason_name(res.stop_reason),
                (long long)res.histories, (long long)res.histories_requested);
cleanup:
    /* the final file is written (rank 0 of MPI runs: every rank's share is in it): the checkpoint is spent */
    if (have_rc && !st && (write || hook)) y90_control_remove(&rc);
    if (have_rc) y90_control_free(&rc);
    if (hook && !hooked) hook->combine(hook->user, st ? st : Y90_EINTERNAL, &res, &g, &src, &write, err);
    y90_voxel_kernel_free(&vk);
    y90_run_result_free(&res);
    y90_physics_free(phys);
    y90_sources_free(&src);
    y90_grid_free(&g);
    return st;
}
