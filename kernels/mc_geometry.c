/* y90mc kernels: voxel geometry of the Monte Carlo transport: straight moves through the grid, stopping where the
 * material or density changes or the grid ends, that count the voxels crossed and can score a deposit at a
 * constant rate per mm in each of them on the way (no segment list is kept). */
#include <math.h>
#include <stdlib.h>
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

int mc_locate_wrap(const mc_params *P, mc_particle *p)
{
    const y90_grid *g = P->g;
    int st = mc_locate(P, p);
    if (st == 0 || !g->periodic) return st;
    const int n[3] = {g->nx, g->ny, g->nz};
    for (int a = 0; a < 3; a++) {
        double len = n[a] * g->spacing[a], f = fmod(p->x[a] - g->lo[a], len);
        if (f < 0) f += len;
        p->x[a] = g->lo[a] + f;
        if (!(p->x[a] < g->lo[a] + len)) p->x[a] = g->lo[a]; /* rounding onto the upper face */
    }
    p->cluster = -1; /* its cluster's spheres are left behind */
    return mc_locate(P, p);
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

/* One voxel segment of a move: counted, and with a deposit (d non-NULL) its share of it scored (the segment starts
 * at a, mm, along u). */
static inline void segment(const mc_params *P, const mc_deposit *d, int *nseg, size_t v, const double a[3],
                           const double u[3], double len)
{
    (*nseg)++;
    if (d) mc_score_segment(P, d->hb, v, a, u, len, d->e * len / d->len);
}

/* Inside the emitting microsphere: move up to s or to its surface (all energy goes to the host voxel). */
static int move_in_sphere(const mc_params *P, mc_particle *p, double s, const mc_deposit *dep, double *moved,
                          int *nseg)
{
    double t = mc_sphere_exit(p);
    double d = s < t ? s : t;
    segment(P, dep, nseg, mc_voxel(P, p), p->x, p->u, d);
    for (int a = 0; a < 3; a++) p->x[a] += d * p->u[a];
    *moved = d;
    if (s < t) return MC_MOVE_DONE;
    p->in_sphere = 0;
    if (mc_locate_wrap(P, p)) return MC_MOVE_ESCAPED;
    return MC_MOVE_BOUNDARY;
}

/* Branch-free in the signs of u (random: the branches were mispredicted), the same arithmetic as a branch per
 * axis: the face ahead is at lo + (ix + [u > 0]) spacing; an axis with u = 0 is never left. Ties go to the lower
 * axis. */
double mc_voxel_exit(const mc_params *P, const mc_particle *p, int *axis)
{
    const y90_grid *g = P->g;
    double t[3];
    for (int a = 0; a < 3; a++) {
        const double face = g->lo[a] + (p->ix[a] + (p->u[a] > 0)) * g->spacing[a];
        t[a] = p->u[a] != 0 ? (face - p->x[a]) / p->u[a] : INFINITY;
    }
    int k = t[1] < t[0];
    double tmin = k ? t[1] : t[0];
    k = t[2] < tmin ? 2 : k;
    tmin = t[2] < tmin ? t[2] : tmin;
    *axis = k;
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

/* Distance along u to the first sphere of the particle's cluster that the move of length s enters (INFINITY when
 * none; its own sphere counts too: a track may turn back into it); *hit its index. Spheres never overlap, and a
 * track on a sphere's surface moving outwards does not re-enter it. Only a move that meets the cluster's bounding
 * ball looks at its spheres. */
static double ray_ball(const double x[3], const double u[3], const double c[3], double r)
{
    double d[3] = {x[0] - c[0], x[1] - c[1], x[2] - c[2]};
    double b = d[0] * u[0] + d[1] * u[1] + d[2] * u[2];
    double q = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] - r * r;
    if (q <= 0) return 0.0;             /* inside the ball */
    if (b >= 0) return INFINITY;        /* outside and moving away */
    double disc = b * b - q;
    return disc < 0 ? INFINITY : -b - sqrt(disc);
}

static double cluster_hit(const mc_params *P, const mc_particle *p, double s, size_t *hit)
{
    const y90_sources *src = P->src;
    const double *bb = src->cluster_bound[p->cluster];
    if (ray_ball(p->x, p->u, bb, bb[3]) >= s) return INFINITY;
    double best = INFINITY;
    for (size_t k = src->cluster_start[p->cluster]; k < src->cluster_start[p->cluster + 1]; k++) {
        const y90_sphere *sp = &src->spheres[src->cluster_members[k]];
        double c[3];
        y90_sphere_centre(P->g, sp, c); /* the same double centre as the emission's (mc_history) */
        double t = ray_ball(p->x, p->u, c, 0.5e-3 * sp->diameter_um);
        if (t > 0 && t < best) { /* t = 0: on (or within rounding inside) a surface it is leaving */
            best = t;
            *hit = src->cluster_members[k];
        }
    }
    return best;
}

double mc_cluster_distance(const mc_params *P, const mc_particle *p)
{
    if (p->cluster < 0) return INFINITY;
    const double *bb = P->src->cluster_bound[p->cluster];
    const double d[3] = {p->x[0] - bb[0], p->x[1] - bb[1], p->x[2] - bb[2]};
    const double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) - bb[3];
    return r > 0 ? r : 0;
}

int mc_move(const mc_params *P, mc_particle *p, double s, const mc_deposit *dep, double *moved, int *nseg)
{
    *nseg = 0;
    if (p->in_sphere) return move_in_sphere(P, p, s, dep, moved, nseg);
    const y90_grid *g = P->g;
    size_t v = mc_voxel(P, p), hit = 0;
    const uint8_t mat0 = g->material[v];
    const float rho0 = g->density[v];
    double t_sphere = p->cluster >= 0 ? cluster_hit(P, p, s, &hit) : INFINITY;
    double left = t_sphere < s ? t_sphere : s, done = 0;
    for (;;) {
        int a;
        double t = mc_voxel_exit(P, p, &a);
        if (t >= left) {
            segment(P, dep, nseg, v, p->x, p->u, left);
            for (int k = 0; k < 3; k++) p->x[k] += left * p->u[k];
            *moved = done + left;
            if (t_sphere < s) { /* entered a sphere of the cluster: its glass or resin absorbs from here */
                const y90_sphere *sp = &P->src->spheres[hit];
                y90_sphere_centre(g, sp, p->sc);
                p->sr = 0.5e-3 * sp->diameter_um;
                p->in_sphere = 1;
                return MC_MOVE_BOUNDARY;
            }
            return MC_MOVE_DONE;
        }
        segment(P, dep, nseg, v, p->x, p->u, t);
        for (int k = 0; k < 3; k++) p->x[k] += t * p->u[k];
        done += t;
        left -= t;
        if (mc_cross(P, p, a)) {
            if (!g->periodic) {
                *moved = done;
                return MC_MOVE_ESCAPED;
            }
            /* periodic block: in again through the opposite face (the cluster's spheres are left behind) */
            const int n = a == 0 ? g->nx : a == 1 ? g->ny : g->nz;
            p->ix[a] = p->u[a] > 0 ? 0 : n - 1;
            p->x[a] = g->lo[a] + (p->u[a] > 0 ? 0 : n) * g->spacing[a];
            p->cluster = -1;
            if (t_sphere < s) { /* the sphere it was heading for lies beyond the face: go the full move */
                left += s - t_sphere;
                t_sphere = INFINITY;
            }
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

/* Chessboard distance (in voxels, at most 255) of every voxel to the nearest voxel that has a 26-neighbour of
 * another material or density: 0 there, and all voxels within distance k of a voxel at k share its material and
 * density (by induction over the rings: the voxels within k - 1 have no other neighbour). Two raster passes with
 * the 13 neighbours already visited are exact for this metric (Rosenfeld and Pfaltz 1966, J ACM 13:471). A
 * periodic grid's outer layer counts as a boundary (across it lies the opposite face, another neighbourhood). */
int mc_safety_init(mc_params *P)
{
    const y90_grid *g = P->g;
    const int nx = g->nx, ny = g->ny, nz = g->nz;
    const size_t nv = y90_grid_nvox(g);
    uint8_t *d = malloc(nv ? nv : 1);
    if (!d) return -1;
    P->sp_min = fmin(g->spacing[0], fmin(g->spacing[1], g->spacing[2]));
#pragma omp parallel for schedule(static)
    for (int z = 0; z < nz; z++)
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++) {
                const size_t v = y90_grid_index(g, x, y, z);
                uint8_t b = g->periodic && (!x || !y || !z || x == nx - 1 || y == ny - 1 || z == nz - 1) ? 0 : 255;
                for (int dz = -1; dz <= 1 && b; dz++)
                    for (int dy = -1; dy <= 1 && b; dy++)
                        for (int dx = -1; dx <= 1; dx++) {
                            const int X = x + dx, Y = y + dy, Z = z + dz;
                            if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz) continue;
                            const size_t n = y90_grid_index(g, X, Y, Z);
                            if (g->material[n] != g->material[v] || g->density[n] != g->density[v]) { b = 0; break; }
                        }
                d[v] = b;
            }
    for (int pass = 0; pass < 2; pass++) { /* forward, then backward */
        const int s = pass ? -1 : 1;
        for (int zi = 0; zi < nz; zi++)
            for (int yi = 0; yi < ny; yi++)
                for (int xi = 0; xi < nx; xi++) {
                    const int z = pass ? nz - 1 - zi : zi, y = pass ? ny - 1 - yi : yi, x = pass ? nx - 1 - xi : xi;
                    const size_t v = y90_grid_index(g, x, y, z);
                    int m = d[v];
                    if (!m) continue;
                    /* the 13 neighbours before v in this pass's order: the previous plane, row and voxel */
                    for (int dz = -1; dz <= 0; dz++)
                        for (int dy = -1; dy <= 1; dy++)
                            for (int dx = -1; dx <= 1; dx++) {
                                if (dz == 0 && (dy > 0 || (dy == 0 && dx >= 0))) continue;
                                const int X = x + s * dx, Y = y + s * dy, Z = z + s * dz;
                                if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz) continue;
                                const int c = d[y90_grid_index(g, X, Y, Z)] + 1;
                                if (c < m) m = c;
                            }
                    d[v] = (uint8_t)m;
                }
    }
    P->safe = d;
    return 0;
}
