/* y90mc kernels: the Monte Carlo kernel entry: one 90Y decay per history, the photon transport, and the
 * parameters built once per run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "driver.h"
#include "mc.h"

#define MM_PER_CM 10.0

/* Position of E on the physics energy grid, as y90_phys_interp takes it (linear in ln E between grid points):
 * computed once per photon energy, then used for the majorant and for every voxel a flight samples. */
typedef struct { int i; double f; } ph_pos;

static inline ph_pos photon_pos(const y90_physics *ph, double E)
{
    ph_pos t = {0, 0.0};
    double x = log(E / Y90_PHYS_EMIN) / ph->dlnE;
    if (x <= 0) return t;
    t.i = (int)x;
    if (t.i >= Y90_PHYS_NE - 1) { t.i = Y90_PHYS_NE - 2; t.f = 1.0; return t; }
    t.f = x - t.i;
    return t;
}
static inline double ph_tab(const double *a, ph_pos t) { return a[t.i] + t.f * (a[t.i + 1] - a[t.i]); }

/* mm along u from x (inside the grid) to the grid's boundary. */
static double grid_exit(const mc_params *P, const mc_particle *p)
{
    double t = INFINITY;
    for (int a = 0; a < 3; a++) {
        if (p->u[a] > 0) t = fmin(t, (P->hi_mm[a] - p->x[a]) / p->u[a]);
        else if (p->u[a] < 0) t = fmin(t, (P->g->lo[a] - p->x[a]) / p->u[a]);
    }
    return t > 0 ? t : 0;
}

/* Photon: Woodcock (delta) tracking: tentative flights of exponential length with the majorant mu_max of the whole
 * grid at the photon's energy, each ending in a real interaction with probability mu(x)/mu_max (mu: Compton plus
 * photoelectric of the voxel reached, 0 in vacuum) and else in a fictitious one that changes nothing; a flight
 * that reaches the grid's boundary escapes (also from a periodic grid, as electrons do not). This samples the
 * same free path as marching voxel by voxel with each voxel's attenuation (Woodcock et al. 1965; Coleman 1968),
 * with one table position per photon energy instead of an interpolation per voxel crossed. One uniform number
 * decides real or fictitious and which interaction: Compton scattering (the Compton electron is transported) or
 * photoelectric absorption: the photoelectron gets the whole photon energy (the binding energy, at most a few keV
 * in tissue, 17 keV in yttrium, goes with it instead of to fluorescence and Auger electrons) and the photon's
 * direction (the Sauter angular distribution is not sampled). Photons below the photon cutoff are absorbed on
 * the spot. */
void mc_transport_photon(const mc_params *P, mc_particle *p, mc_scratch *w, y90_rng *r, y90_hist *hb)
{
    const y90_physics *ph = P->phys;
    const y90_grid *g = P->g;
    const int nvx[3] = {g->nx, g->ny, g->nz};
    while (p->E > ph->photon_cutoff) {
        const ph_pos t = photon_pos(ph, p->E);
        const double mu_max = ph_tab(P->mu_max, t); /* 1/mm */
        double left = grid_exit(P, p);
        int photo = 0;
        for (;;) {
            double s = mu_max > 0 ? -log(y90_rng_uniform32(r)) / mu_max : INFINITY;
            if (s >= left) {
                hb->eb[Y90_EB_ESC_PH] += p->E;
                return;
            }
            left -= s;
            for (int a = 0; a < 3; a++) {
                p->x[a] += s * p->u[a];
                int i = (int)floor((p->x[a] - g->lo[a]) * P->inv_sp[a]);
                p->ix[a] = i < 0 ? 0 : i >= nvx[a] ? nvx[a] - 1 : i; /* rounding at the grid's faces */
            }
            size_t v = mc_voxel(P, p);
            const y90_phys_material *pm = &ph->mat[g->material[v]];
            const double rho = g->density[v] / MM_PER_CM; /* g/cm3 -> 1/mm per cm2/g */
            const double mp = ph_tab(pm->mu_photo, t) * rho, mc_ = ph_tab(pm->mu_compton, t) * rho;
            const double xi = y90_rng_uniform32(r) * mu_max;
            if (xi < mp + mc_) {
                photo = xi < mp;
                break;
            }
        }
        if (photo) { /* photoelectric absorption */
            mc_particle e = *p;
            e.type = MC_ELECTRON;
            if (e.E > ph->cutoff && w->nstack < MC_STACK) w->stack[w->nstack++] = e;
            else {
                y90_hist_score(hb, mc_here(P, p), e.E);
                hb->eb[Y90_EB_CUTOFF] += e.E;
            }
            return;
        }
        double kp, cost, u0[3] = {p->u[0], p->u[1], p->u[2]};
        mc_compton(p->E, r, &kp, &cost);
        mc_rotate(p->u, cost, 2.0 * Y90_PI * y90_rng_uniform32(r));
        mc_particle e = *p; /* the Compton electron: momentum conservation gives its direction */
        e.type = MC_ELECTRON;
        e.E = p->E - kp;
        double pe[3], n = 0;
        for (int k = 0; k < 3; k++) {
            pe[k] = p->E * u0[k] - kp * p->u[k];
            n += pe[k] * pe[k];
        }
        n = sqrt(n);
        for (int k = 0; k < 3; k++) e.u[k] = n > 0 ? pe[k] / n : u0[k];
        p->E = kp;
        if (e.E > ph->cutoff && w->nstack < MC_STACK) w->stack[w->nstack++] = e;
        else {
            y90_hist_score(hb, mc_here(P, p), e.E);
            hb->eb[Y90_EB_CUTOFF] += e.E;
        }
    }
    y90_hist_score(hb, mc_here(P, p), p->E);
    hb->eb[Y90_EB_CUTOFF] += p->E;
}

static void isotropic(y90_rng *r, double u[3])
{
    double cost = 2.0 * y90_rng_uniform32(r) - 1.0, phi = 2.0 * Y90_PI * y90_rng_uniform32(r);
    double sint = sqrt(1.0 - cost * cost);
    u[0] = sint * cos(phi);
    u[1] = sint * sin(phi);
    u[2] = cost;
}

/* One decay: position from the source (uniform in the emitting sphere's volume for microspheres), isotropic
 * direction, energy from the ICRP-107 spectrum; then all particles of the history. */
void mc_history(const void *ctx, void *scratch, int64_t h, y90_rng *r, y90_hist *hb)
{
    const mc_params *P = ctx;
    mc_scratch *w = scratch;
    mc_particle p;
    memset(&p, 0, sizeof p);
    long sphere;
    y90_sources_sample(P->src, P->g, r, h, p.x, &sphere);
    p.type = MC_ELECTRON;
    p.E = P->src->energy_mev > 0 ? P->src->energy_mev : y90_spectrum_sample(&P->phys->spectrum, y90_rng_uniform(r));
    hb->eb[Y90_EB_EMITTED] += p.E;
    if (sphere >= 0) {
        y90_sphere s; /* the table's row, or regenerated from its stream (counts storage) */
        y90_sources_sphere(P->src, P->g, (size_t)sphere, &s);
        y90_sphere_centre(P->g, &s, p.sc);
        p.sr = 0.5e-3 * s.diameter_um; /* um diameter -> mm radius */
        double d[3], rr;
        do { /* uniform in the ball */
            for (int a = 0; a < 3; a++) d[a] = 2.0 * y90_rng_uniform32(r) - 1.0;
            rr = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        } while (rr > 1.0);
        for (int a = 0; a < 3; a++) p.x[a] = p.sc[a] + p.sr * d[a];
        p.in_sphere = 1;
        p.cluster = P->src->nclusters > 0 ? (long)P->src->sphere_cluster[sphere] : -1;
    } else p.cluster = -1;
    if (P->src->direction[0] != 0 || P->src->direction[1] != 0 || P->src->direction[2] != 0)
        memcpy(p.u, P->src->direction, sizeof p.u);
    else isotropic(r, p.u);
    if (mc_locate_wrap(P, &p)) { /* a source outside the grid: nothing of it is scored */
        hb->eb[Y90_EB_ESC_E] += p.E;
        return;
    }
    w->nstack = 0;
    w->stack[w->nstack++] = p;
    while (w->nstack > 0) {
        mc_particle q = w->stack[--w->nstack];
        if (q.type == MC_ELECTRON) mc_transport_electron(P, &q, w, r, hb);
        else mc_transport_photon(P, &q, w, r, hb);
    }
}

/* The driver's order of a batch: by the decay's place in the cumulative activity of the spheres, which are stored
 * by voxel, so that consecutive histories start in neighbouring voxels and find the phantom, the tally and the
 * sphere table in cache (bench/RESULTS.md: "Histories in sphere order") */
static uint32_t mc_order(const void *ctx, int64_t h, const y90_rng *r)
{
    const mc_params *P = ctx;
    y90_rng c = *r;
    const double u = y90_sources_decay_u(P->src, h, &c);
    return u < 1.0 ? (uint32_t)(u * 4294967296.0) : UINT32_MAX;
}

static void mc_prefetch(const void *ctx, uint32_t key1, uint32_t key2)
{
    y90_sources_prefetch(((const mc_params *)ctx)->src, key1, key2);
}

void *mc_thread_init(const void *ctx)
{
    (void)ctx;
    return calloc(1, sizeof(mc_scratch));
}

void mc_thread_free(void *scratch) { free(scratch); }

y90_status mc_params_init(mc_params *P, const y90_physics *phys, const y90_grid *g, const y90_sources *src,
                          y90_error *err)
{
    memset(P, 0, sizeof *P);
    if (!phys) return Y90_FAIL(err, Y90_EINTERNAL, "mc kernel: no physics tables");
    P->phys = phys;
    P->g = g;
    P->src = src;
    for (int a = 0; a < 3; a++) {
        P->inv_sp[a] = 1.0 / g->spacing[a];
        P->hi_mm[a] = g->lo[a] + (a == 0 ? g->nx : a == 1 ? g->ny : g->nz) * g->spacing[a];
    }
    mc_wentzel_init(P);
    mc_zig_init(&P->zig);
    mc_az_init(&P->az);
    if (mc_hinge_init(P)) return Y90_FAIL(err, Y90_ENOMEM, "mc kernel: out of memory for the random-hinge table");
    if (phys->msc && phys->step_alg == Y90_STEP_PRESTA2 && mc_safety_init(P))
        return Y90_FAIL(err, Y90_ENOMEM, "mc kernel: out of memory for the boundary-distance map (1 byte a voxel)");
    /* the Woodcock majorant: the largest density of each grid material, then the largest attenuation */
    float rho_max[Y90_MAX_GRID_MATERIALS] = {0};
    const size_t nv = y90_grid_nvox(g);
    for (size_t v = 0; v < nv; v++) {
        const uint8_t m = g->material[v];
        if (m < Y90_MAX_GRID_MATERIALS && g->density[v] > rho_max[m]) rho_max[m] = g->density[v];
    }
    for (int m = 0; m < Y90_MAX_GRID_MATERIALS; m++)
        if (rho_max[m] > 0 && m >= phys->nmat)
            return Y90_FAIL(err, Y90_EINTERNAL, "mc kernel: grid material %d has no physics tables", m);
    for (int i = 0; i < Y90_PHYS_NE; i++) {
        double mu = 0;
        for (int m = 0; m < Y90_MAX_GRID_MATERIALS; m++)
            if (rho_max[m] > 0)
                mu = fmax(mu, (phys->mat[m].mu_compton[i] + phys->mat[m].mu_photo[i]) * rho_max[m] / MM_PER_CM);
        P->mu_max[i] = mu;
    }
    return Y90_OK;
}

void mc_params_free(mc_params *P)
{
    if (!P) return;
    free(P->safe);
    P->safe = NULL;
}

y90_status y90_kernel_mc_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err)
{
    mc_params *P = malloc(sizeof *P);
    if (!P) return Y90_FAIL(err, Y90_ENOMEM, "mc kernel: out of memory");
    y90_status st = mc_params_init(P, in->phys, in->grid, in->src, err);
    const y90_kernel_ops ops = {"mc", mc_thread_init, mc_thread_free, mc_history,
                                in->src->type == Y90_SOURCE_MICROSPHERES ? mc_order : NULL, mc_prefetch};
    if (!st) st = y90_drive(in, &ops, P, res, err);
    mc_params_free(P);
    free(P);
    return st;
}

y90_status y90_kernel_mc_radial(const y90_kernel_input *in, const double origin_mm[3], const double *edges_mm, int nshell,
                                double *edep, double *rel_unc, y90_energy_balance *eb, y90_error *err)
{
    mc_params *P = malloc(sizeof *P);
    if (!P) return Y90_FAIL(err, Y90_ENOMEM, "mc kernel: out of memory");
    y90_status st = mc_params_init(P, in->phys, in->grid, in->src, err);
    P->radial = 1;
    P->nshell = nshell;
    P->edges = edges_mm;
    memcpy(P->origin_mm, origin_mm, sizeof P->origin_mm);
    y90_tally t;
    if (!st) st = y90_tally_alloc(&t, (size_t)nshell + 1, err);
    if (st) { mc_params_free(P); free(P); return st; }
    const y90_kernel_ops ops = {"mc", mc_thread_init, mc_thread_free, mc_history, NULL, NULL};
    int64_t done = 0;
    int threads;
    st = y90_drive_tally(in, &ops, P, &t, &done, &threads, NULL, err);
    if (!st) {
        double N = (double)done;
        for (int k = 0; k <= nshell; k++) {
            edep[k] = y90_tally_energy(&t, (size_t)k);
            if (rel_unc) rel_unc[k] = y90_tally_rel_unc(&t, (size_t)k, N);
        }
        y90_tally_balance(&t, eb);
    }
    y90_tally_free(&t);
    mc_params_free(P);
    free(P);
    return st;
}
