/* y90mc kernels: voxel geometry of the Monte Carlo transport: straight moves through the grid that record the
 * length in every voxel crossed, stopping where the material or density changes or the grid ends. */
#include <math.h>
#include "mc.h"

int mc_locate(const mc_params *P, mc_particle *p)
{
    const y90_grid *g = P->g;
    const int n[3] = {g->nx, g->ny, g->nz};
    for (int a = 0; a < 3; a++) {
        double f = (p->x[a] - g->lo[a]) * P->inv_sp[a];
        if (!(f >= 0.0) || f >= (double)n[a]) return -1;
        p->ix[a] = (int)f;
        if (p->ix[a] >= n[a]) p->ix[a] = n[a] - 1;
    }
    return 0;
}

size_t mc_voxel(const mc_params *P, const mc_particle *p) { return y90_grid_index(P->g, p->ix[0], p->ix[1], p->ix[2]); }

double mc_sphere_exit(const mc_particle *p)
{
    double d[3] = {p->x[0] - p->sc[0], p->x[1] - p->sc[1], p->x[2] - p->sc[2]};
    double b = d[0] * p->u[0] + d[1] * p->u[1] + d[2] * p->u[2];
    double c = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] - p->sr * p->sr;
    double disc = b * b - c;
    if (disc < 0) disc = 0;
    double t = -b + sqrt(disc);
    return t > 0 ? t : 0;
}

static inline void record(mc_scratch *w, size_t v, double len, const double a[3])
{
    if (w->nseg < MC_SEGS) {
        w->seg_vox[w->nseg] = v;
        w->seg_len[w->nseg] = len;
        w->seg_a[w->nseg][0] = a[0];
        w->seg_a[w->nseg][1] = a[1];
        w->seg_a[w->nseg][2] = a[2];
        w->nseg++;
    } else { /* cannot happen for moves shorter than MC_SEGS voxels; keep the energy in the last voxel */
        w->seg_len[MC_SEGS - 1] += len;
    }
}

/* Inside the emitting microsphere: move up to s or to its surface (all energy goes to the host voxel). */
static int move_in_sphere(const mc_params *P, mc_particle *p, double s, mc_scratch *w, double *moved)
{
    double t = mc_sphere_exit(p);
    double d = s < t ? s : t;
    record(w, mc_voxel(P, p), d, p->x);
    for (int a = 0; a < 3; a++) p->x[a] += d * p->u[a];
    *moved = d;
    if (s < t) return MC_MOVE_DONE;
    p->in_sphere = 0;
    if (mc_locate(P, p)) return MC_MOVE_ESCAPED;
    return MC_MOVE_BOUNDARY;
}

double mc_voxel_exit(const mc_params *P, const mc_particle *p, int *axis)
{
    const y90_grid *g = P->g;
    double tmin = INFINITY;
    *axis = 0;
    for (int a = 0; a < 3; a++) {
        double t;
        if (p->u[a] > 0) t = (g->lo[a] + (p->ix[a] + 1) * g->spacing[a] - p->x[a]) / p->u[a];
        else if (p->u[a] < 0) t = (g->lo[a] + p->ix[a] * g->spacing[a] - p->x[a]) / p->u[a];
        else continue;
        if (t < tmin) { tmin = t; *axis = a; }
    }
    return tmin > 0 ? tmin : 0;
}

int mc_cross(const mc_params *P, mc_particle *p, int a)
{
    const y90_grid *g = P->g;
    const int n[3] = {g->nx, g->ny, g->nz};
    p->ix[a] += p->u[a] > 0 ? 1 : -1;
    /* put the position exactly on the face it crossed */
    p->x[a] = g->lo[a] + (p->ix[a] + (p->u[a] > 0 ? 0 : 1)) * g->spacing[a];
    return (p->ix[a] < 0 || p->ix[a] >= n[a]) ? -1 : 0;
}

int mc_move(const mc_params *P, mc_particle *p, double s, mc_scratch *w, double *moved)
{
    w->nseg = 0;
    if (p->in_sphere) return move_in_sphere(P, p, s, w, moved);
    const y90_grid *g = P->g;
    size_t v = mc_voxel(P, p);
    const uint8_t mat0 = g->material[v];
    const float rho0 = g->density[v];
    double left = s, done = 0;
    for (;;) {
        int a;
        double t = mc_voxel_exit(P, p, &a);
        if (t >= left) {
            record(w, v, left, p->x);
            for (int k = 0; k < 3; k++) p->x[k] += left * p->u[k];
            *moved = done + left;
            return MC_MOVE_DONE;
        }
        record(w, v, t, p->x);
        for (int k = 0; k < 3; k++) p->x[k] += t * p->u[k];
        done += t;
        left -= t;
        if (mc_cross(P, p, a)) {
            *moved = done;
            return MC_MOVE_ESCAPED;
        }
        v = mc_voxel(P, p);
        if (g->material[v] != mat0 || g->density[v] != rho0) {
            *moved = done;
            return MC_MOVE_BOUNDARY;
        }
    }
}

double mc_face_distance(const mc_params *P, const mc_particle *p)
{
    const y90_grid *g = P->g;
    double d = INFINITY;
    for (int a = 0; a < 3; a++) {
        double lo = p->x[a] - (g->lo[a] + p->ix[a] * g->spacing[a]);
        double hi = g->spacing[a] - lo;
        d = fmin(d, fmin(lo, hi));
    }
    return d;
}
