/* y90mc: voxel S values and dose point kernels computed with the Monte Carlo kernel in a homogeneous medium. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "y90/io.h"
#include "y90/materials.h"
#include "y90/phantom.h"
#include "y90/physics.h"
#include "y90/run.h"
#include "y90/source.h"
#include "y90/tools.h"

const char *y90_tool_medium(const char *name)
{
    if (!strcmp(name, "soft")) return "soft_tissue";
    if (!strcmp(name, "bone")) return "bone_cortical";
    return y90_material_builtin(name) ? name : NULL;
}

/* A config for a homogeneous box with the tool's medium and transport settings. */
static y90_status tool_config(const y90_tool_options *o, y90_config *c, y90_error *err)
{
    y90_config_defaults(c);
    const char *m = y90_tool_medium(o->medium);
    if (!m) return Y90_FAIL(err, Y90_EINPUT, "--medium %s: unknown; expected water, soft, bone or a built-in material",
                            o->medium);
    if (o->transport) c->transport = *o->transport;
    c->transport.kernel = Y90_KERNEL_MC;
    c->transport.histories = o->histories;
    c->transport.threads = o->threads;
    c->transport.seed = o->seed;
    c->phantom.type = Y90_PHANTOM_BOX;
    snprintf(c->phantom.material, sizeof c->phantom.material, "%s", m);
    c->phantom.density = o->density > 0 ? o->density : y90_material_builtin(m)->density; /* g/cm3 */
    c->treatment.activity_gbq = 1.0;
    snprintf(c->path, sizeof c->path, "(%s)", "kernel tool");
    return Y90_OK;
}

/* Run the MC kernel on the config's phantom and sources; the caller frees grid, sources and physics. */
static y90_status tool_setup(const y90_config *c, y90_grid *g, y90_sources *s, y90_physics **ph, y90_error *err)
{
    y90_status st = y90_phantom_build(&c->phantom, y90_memory_limit_bytes(c->output.max_memory_gb), g, NULL, err);
    if (!st) st = y90_sources_build(c, g, s, err);
    if (!st) st = y90_physics_build(c, g, s, ph, err);
    return st;
}

/* Energy at offset (i,j,k) from the source voxel (centre at half, half, half) averaged over the 48 symmetries of
 * the cube (8 sign flips x 6 axis permutations): mean MeV per voxel summed over histories, and its 1 sigma. */
static void symmetrised(const y90_grid *g, const y90_run_result *res, int half, int i, int j, int k, double *mean,
                        double *sigma)
{
    /* average over the 48 symmetries of the cube (8 sign flips x 6 axis permutations), each distinct voxel once:
     * the copies of one voxel are the same tally, not independent estimates (counting them 48 times understated
     * the S(0,0,0) uncertainty by sqrt(48)). Distinct voxels are taken as independent; tests/test_run.c checks the
     * result against the seed-to-seed scatter. */
    static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    int off[3] = {i, j, k};
    double sum = 0, var = 0;
    int cnt = 0;
    size_t seen[48];
    for (int pm = 0; pm < 6; pm++)
        for (int sg = 0; sg < 8; sg++) {
            int d[3];
            for (int a = 0; a < 3; a++) d[a] = ((sg >> a) & 1 ? -1 : 1) * off[perm[pm][a]];
            size_t v = y90_grid_index(g, half + d[0], half + d[1], half + d[2]);
            int dup = 0;
            for (int q = 0; q < cnt && !dup; q++) dup = seen[q] == v;
            if (dup) continue;
            seen[cnt++] = v;
            sum += res->edep_mev[v];
            var += pow(res->rel_unc[v] * res->edep_mev[v], 2);
        }
    *mean = sum / cnt;
    *sigma = sqrt(var) / cnt;
}

/* Run the MC kernel with the activity uniform in the centre voxel of a (2 half + 1)^3 box of the tool's medium. */
static y90_status vsv_run(const y90_tool_options *o, int half, y90_config *c, y90_grid *g, y90_run_result *res,
                          y90_error *err)
{
    int n = 2 * half + 1;
    c->phantom.voxel_mm = o->voxel_mm;
    for (int a = 0; a < 3; a++) c->phantom.box_size_mm[a] = n * o->voxel_mm;
    c->source.type = Y90_SOURCE_VOXEL;
    c->source.voxel[0] = c->source.voxel[1] = c->source.voxel[2] = half;
    y90_sources s = {0};
    y90_physics *ph = NULL;
    y90_status st = tool_setup(c, g, &s, &ph, err);
    y90_kernel_input in = {&c->transport, g, &s, ph, o->progress, o->progress_user, NULL, 0, 0, NULL, NULL};
    if (!st) st = y90_kernel_run(&in, res, err);
    y90_physics_free(ph);
    y90_sources_free(&s);
    return st;
}

y90_status y90_vsv_kernel_compute(const y90_tool_options *o, int half, y90_voxel_kernel *k, y90_error *err)
{
    memset(k, 0, sizeof *k);
    y90_config c;
    y90_status st = tool_config(o, &c, err);
    if (st) return st;
    const int n = 2 * half + 1;
    const size_t nk = (size_t)n * n * n;
    y90_grid g = {0};
    y90_run_result res = {0};
    k->mev = y90_calloc(nk, sizeof(double), "voxel kernel", err);
    k->sigma_mev = k->mev ? y90_calloc(nk, sizeof(double), "voxel kernel", err) : NULL;
    st = k->sigma_mev ? vsv_run(o, half, &c, &g, &res, err) : (err ? err->code : Y90_ENOMEM);
    if (!st) {
        double total = 0, N = (double)res.histories;
        for (int dz = -half; dz <= half; dz++)
            for (int dy = -half; dy <= half; dy++)
                for (int dx = -half; dx <= half; dx++) {
                    double e, se;
                    symmetrised(&g, &res, half, abs(dx), abs(dy), abs(dz), &e, &se);
                    size_t i = ((size_t)(dz + half) * n + (size_t)(dy + half)) * n + (size_t)(dx + half);
                    k->mev[i] = e / N;
                    k->sigma_mev[i] = se / N;
                    total += e;
                }
        k->half = half;
        k->voxel_mm = o->voxel_mm;
        k->density = c.phantom.density;
        snprintf(k->medium, sizeof k->medium, "%s", c.phantom.material);
        k->energy_fraction = total / res.eb.emitted;
        k->histories = res.histories;
    }
    if (st) y90_voxel_kernel_free(k);
    y90_run_result_free(&res);
    y90_grid_free(&g);
    y90_config_free(&c);
    return st;
}

void y90_voxel_kernel_free(y90_voxel_kernel *k)
{
    free(k->mev);
    free(k->sigma_mev);
    k->mev = k->sigma_mev = NULL;
}

y90_status y90_vsv_compute(const y90_tool_options *o, y90_vsv_result *r, y90_error *err)
{
    memset(r, 0, sizeof *r);
    y90_config c;
    y90_status st = tool_config(o, &c, err);
    if (st) return st;
    /* a cube of odd side holding the whole 90Y electron range (11.3 mm CSDA at the endpoint in water, scaled by
     * 1/density) and at least 100 mm around the source: a kernel of the (nearly) infinite medium, which also holds
     * most of the bremsstrahlung (mean free paths of 5-10 cm); the rest escapes and is in the energy balance */
    double rho = c.phantom.density;
    int half = (int)ceil(fmax(12.0 / rho, 100.0) / o->voxel_mm);
    if (half < 5) half = 5;
    y90_grid g = {0};
    y90_run_result res = {0};
    st = vsv_run(o, half, &c, &g, &res, err);
    if (st) goto cleanup;
    double mass = y90_grid_voxel_mass_kg(&g, 0), total = 0;
    for (size_t i = 0; i < res.nvox; i++) total += res.edep_mev[i];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 6; k++) {
                double e, se;
                symmetrised(&g, &res, half, i, j, k, &e, &se);
                /* Gy per decay -> mGy per (MBq s): x 1e6 decays/s per MBq x 1e3 mGy/Gy */
                r->S[i][j][k] = e / (double)res.histories * Y90_J_PER_MEV / mass * 1e9;
                r->S_rel_unc[i][j][k] = e > 0 ? se / e : 0;
            }
    r->energy_fraction = total / res.eb.emitted;
    r->density = rho;
    r->eb = res.eb;
    r->histories = res.histories;
    r->runtime_s = res.runtime_s;
cleanup:
    y90_run_result_free(&res);
    y90_grid_free(&g);
    y90_config_free(&c);
    return st;
}

/* Append printf output to a growing buffer. */
typedef struct { char *p; size_t n, cap; int failed; } textbuf;
static void tb_printf(textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void tb_printf(textbuf *b, const char *fmt, ...)
{
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) { b->failed = 1; return; }
        if (b->p && b->n + (size_t)w < b->cap) { b->n += (size_t)w; return; }
        size_t cap = b->cap ? 2 * b->cap + (size_t)w : 4096 + (size_t)w;
        char *np = realloc(b->p, cap);
        if (!np) { b->failed = 1; return; }
        b->p = np;
        b->cap = cap;
    }
}

static y90_status tb_write(textbuf *b, const char *path, int force, y90_error *err)
{
    y90_status st = b->failed ? Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", path)
                              : y90_write_atomic(path, b->p, b->n, force, err);
    free(b->p);
    return st;
}

y90_status y90_vsv_write_csv(const char *path, const y90_tool_options *o, const y90_vsv_result *r, y90_error *err)
{
    textbuf b = {0};
    tb_printf(&b, "# y90mc %s (git %s) voxel S values: 90Y, medium %s, density %g g/cm3, voxel %g mm, %lld histories, "
              "seed %llu\n# energy scored in the whole simulated medium (a cube of at least 200 mm) / emitted = %.5f\n"
              "# S in mGy/(MBq*s): mean absorbed dose rate in the target voxel per unit activity uniform in the source "
              "voxel\ni,j,k,S_mGy_per_MBq_s,rel_unc\n",
              y90_version(), y90_git_revision(), o->medium, r->density, o->voxel_mm, (long long)r->histories,
              (unsigned long long)o->seed, r->energy_fraction);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 6; k++)
                tb_printf(&b, "%d,%d,%d,%.5E,%.3g\n", i, j, k, r->S[i][j][k], r->S_rel_unc[i][j][k]);
    return tb_write(&b, path, o->force, err);
}

/* Shell radii (mm) up to rmax: uniform shell_mm; or shell_um near the source, 20 of them, then each 5 % of its
 * inner radius wide (about 130 shells from 20 um to 12 mm), with an edge at the sphere radius a (when a > 0) so
 * that no shell straddles the sphere surface. Returns the count of shells (malloc'd *edges, count + 1 radii). */
static int dpk_edges(const y90_tool_options *o, double rmax, double a, double **edges)
{
    int cap = 64, n = 0, nb = 0;
    double *e = malloc((size_t)cap * sizeof *e), w = o->shell_um * 1e-3, r = 0; /* r: last radius of the series */
    if (!e) return -1;
    e[n++] = 0;
    while (r < rmax) {
        double next = o->shell_um > 0 ? fmax(r + w, r * 1.05) : (double)++nb * o->shell_mm;
        if (n + 2 >= cap) {
            double *ne = realloc(e, (size_t)(cap *= 2) * sizeof *e);
            if (!ne) { free(e); return -1; }
            e = ne;
        }
        if (a > r * (1 + 1e-9) && a < next * (1 - 1e-9)) e[n++] = a; /* the other radii stay where they were */
        e[n++] = r = next;
    }
    *edges = e;
    return n - 1;
}

/* The source of a dose point kernel: a point at the centre of the one-voxel box, or one microsphere there. */
static y90_status dpk_source(const y90_tool_options *o, const y90_config *c, const y90_grid *g, y90_sources *s,
                             double origin[3], y90_error *err)
{
    double half[3];
    for (int a = 0; a < 3; a++) {
        half[a] = 0.5 * g->spacing[a];
        origin[a] = g->lo[a] + half[a];
    }
    if (!o->sphere) {
        y90_status st = y90_sources_build(c, g, s, err);
        if (!st) memcpy(s->point, origin, sizeof s->point);
        return st;
    }
    y90_status st = y90_sources_one_sphere(o->sphere, o->diameter_um, g, 0, half, s, err);
    if (st) return st;
    y90_sphere_centre(g, &s->spheres[0], origin); /* the float offset: the exact centre of the scoring */
    s->energy_mev = o->energy_mev;
    return Y90_OK;
}

y90_status y90_dpk_compute(const y90_tool_options *o, y90_dpk_result *r, y90_error *err)
{
    memset(r, 0, sizeof *r);
    y90_config c;
    y90_status st = tool_config(o, &c, err);
    if (st) return st;
    double rho = c.phantom.density;
    double rmax = 12.0 / rho; /* mm: beyond the endpoint CSDA range (11.3 mm in water) */
    double *edep = NULL;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_physics *ph = NULL;
    if (o->sphere && o->shell_um <= 0) {
        st = Y90_FAIL(err, Y90_EINPUT, "dpk --sphere: expected --shell-um > 0");
        goto cleanup;
    }
    /* one voxel holding the whole medium: no boundaries, the scoring is radial */
    double side = 2.0 * (rmax + 1.0);
    c.phantom.voxel_mm = side;
    for (int a = 0; a < 3; a++) c.phantom.box_size_mm[a] = side;
    c.source.type = Y90_SOURCE_POINT;
    c.source.energy_mev = o->energy_mev;
    st = y90_phantom_build(&c.phantom, y90_memory_limit_bytes(c.output.max_memory_gb), &g, NULL, err);
    double origin[3];
    if (!st) st = dpk_source(o, &c, &g, &s, origin, err);
    if (!st) st = y90_physics_build(&c, &g, &s, &ph, err);
    if (st) goto cleanup;
    const double sr = o->sphere ? 0.5e-3 * s.spheres[0].diameter_um : 0.0; /* mm */
    int nshell = dpk_edges(o, rmax, sr, &r->edges_mm);
    if (nshell < 1) {
        st = Y90_FAIL(err, Y90_ENOMEM, "dpk: out of memory");
        goto cleanup;
    }
    r->nshell = nshell;
    r->shell_mm = o->shell_um > 0 ? 0.0 : o->shell_mm;
    r->sphere_radius_mm = sr;
    r->sphere_density = o->sphere ? s.sphere_density : 0.0;
    r->density = rho;
    r->r_mid_mm = calloc((size_t)nshell, sizeof(double));
    r->dose_gy = calloc((size_t)nshell, sizeof(double));
    r->cum_fraction = calloc((size_t)nshell, sizeof(double));
    r->rel_unc = calloc((size_t)nshell + 1, sizeof(double));
    edep = calloc((size_t)nshell + 1, sizeof(double));
    if (!r->r_mid_mm || !r->dose_gy || !r->cum_fraction || !r->rel_unc || !edep) {
        st = Y90_FAIL(err, Y90_ENOMEM, "dpk: out of memory");
        goto cleanup;
    }
    y90_kernel_input in = {&c.transport, &g, &s, ph, o->progress, o->progress_user, NULL, 0, 0, NULL, NULL};
    double t0 = y90_wall_s();
    st = y90_kernel_mc_radial(&in, origin, r->edges_mm, nshell, edep, r->rel_unc, &r->eb, err);
    if (st) goto cleanup;
    r->runtime_s = y90_wall_s() - t0;
    r->histories = o->histories;
    r->mean_energy_mev = r->eb.emitted / (double)o->histories;
    r->sphere_fraction = o->sphere ? r->eb.in_spheres / r->eb.emitted : 0.0;
    double cum = 0;
    for (int k = 0; k < nshell; k++) {
        double r1 = r->edges_mm[k], r2 = r->edges_mm[k + 1];
        double rho_k = r2 <= sr * (1 + 1e-9) ? s.sphere_density : rho; /* shells inside the sphere: its material */
        double mass_kg = rho_k * 4.0 / 3.0 * Y90_PI * (r2 * r2 * r2 - r1 * r1 * r1) * 1e-6;
        r->r_mid_mm[k] = 0.5 * (r1 + r2);
        r->dose_gy[k] = edep[k] / (double)o->histories * Y90_J_PER_MEV / mass_kg;
        double prev = cum;
        cum += edep[k] / r->eb.emitted;
        r->cum_fraction[k] = cum;
        if (prev < 0.5 && cum >= 0.5) r->r50_mm = r1 + (0.5 - prev) / (cum - prev) * (r2 - r1);
        if (prev < 0.9 && cum >= 0.9) r->r90_mm = r1 + (0.9 - prev) / (cum - prev) * (r2 - r1);
    }
cleanup:
    free(edep);
    if (st) y90_dpk_free(r);
    y90_physics_free(ph);
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
    return st;
}

void y90_dpk_free(y90_dpk_result *r)
{
    free(r->edges_mm);
    free(r->r_mid_mm);
    free(r->dose_gy);
    free(r->cum_fraction);
    free(r->rel_unc);
    r->edges_mm = r->r_mid_mm = r->dose_gy = r->cum_fraction = r->rel_unc = NULL;
}

y90_status y90_dpk_write_csv(const char *path, const y90_tool_options *o, const y90_dpk_result *r, y90_error *err)
{
    textbuf b = {0};
    char src[160], shells[96];
    if (o->sphere)
        snprintf(src, sizeof src, "one %s microsphere of %g um (%g g/cm3), the source uniform in its volume",
                 o->sphere, 2e3 * r->sphere_radius_mm, r->sphere_density);
    else snprintf(src, sizeof src, "90Y point source");
    if (r->shell_mm > 0) snprintf(shells, sizeof shells, "shells of %g mm", r->shell_mm);
    else snprintf(shells, sizeof shells, "shells of %g um to %g um, then 5 %% of the radius", o->shell_um,
                  20 * o->shell_um);
    tb_printf(&b, "# y90mc %s (git %s) dose point kernel: %s, medium %s, density %g g/cm3, %s, %lld histories, "
              "seed %llu\n# R50 = %.3f mm, R90 = %.3f mm; mean emitted energy %.5f MeV per decay\n",
              y90_version(), y90_git_revision(), src, o->medium, r->density, shells, (long long)r->histories,
              (unsigned long long)o->seed, r->r50_mm, r->r90_mm, r->mean_energy_mev);
    if (o->sphere)
        tb_printf(&b, "# fraction of the emitted energy absorbed inside the sphere: %.5f (shells inside it: dose to "
                  "the sphere's material)\n", r->sphere_fraction);
    tb_printf(&b, "r_mm,dose_gy_per_decay,cumulative_energy_fraction,rel_unc,r_in_mm,r_out_mm\n");
    for (int k = 0; k < r->nshell; k++)
        tb_printf(&b, "%.6f,%.6E,%.6f,%.3g,%.6f,%.6f\n", r->r_mid_mm[k], r->dose_gy[k], r->cum_fraction[k],
                  r->rel_unc[k], r->edges_mm[k], r->edges_mm[k + 1]);
    return tb_write(&b, path, o->force, err);
}
