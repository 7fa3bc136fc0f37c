/* Where the transport may take a PRESTA-II step (kernels/mc_geometry.c, mc_safety): the boundary-distance map
 * against a brute-force search, and its promise checked directly: from random points, nothing within mc_safety
 * of the point has another material or density. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/grid.h"
#include "y90/rng.h"
#include "../kernels/mc.h"

/* A 23 x 19 x 17 grid of 0.5 x 0.7 x 0.6 mm voxels: water at 1.0 with a few blobs of another density or material
 * and single odd voxels; periodic or not. */
static void make_grid(y90_grid *g, int periodic)
{
    memset(g, 0, sizeof *g);
    g->nx = 23;
    g->ny = 19;
    g->nz = 17;
    g->spacing[0] = 0.5;
    g->spacing[1] = 0.7;
    g->spacing[2] = 0.6;
    g->lo[0] = -3;
    g->lo[1] = 2;
    g->lo[2] = 0;
    g->periodic = periodic;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_grid_alloc(g, 0, &e) == Y90_OK);
    for (int z = 0; z < g->nz; z++)
        for (int y = 0; y < g->ny; y++)
            for (int x = 0; x < g->nx; x++) {
                const size_t v = y90_grid_index(g, x, y, z);
                g->density[v] = 1.0f;
                if ((x - 5) * (x - 5) + (y - 6) * (y - 6) + (z - 4) * (z - 4) < 9) g->density[v] = 1.000001f;
                if (x >= 15 && x < 19 && y >= 12 && z >= 10) g->material[v] = 1;
            }
    g->density[y90_grid_index(g, 11, 2, 14)] = 0.26f;
    g->material[y90_grid_index(g, 20, 3, 3)] = 2;
}

static int same(const y90_grid *g, size_t a, size_t b)
{
    return g->material[a] == g->material[b] && g->density[a] == g->density[b];
}

/* brute force: the chessboard distance to the nearest voxel with a 26-neighbour of another medium (a periodic
 * grid's outer layer counts as one), at most 255 */
static int brute(const y90_grid *g, int x, int y, int z)
{
    int best = 255;
    for (int Z = 0; Z < g->nz; Z++)
        for (int Y = 0; Y < g->ny; Y++)
            for (int X = 0; X < g->nx; X++) {
                int b = g->periodic && (!X || !Y || !Z || X == g->nx - 1 || Y == g->ny - 1 || Z == g->nz - 1);
                for (int dz = -1; dz <= 1 && !b; dz++)
                    for (int dy = -1; dy <= 1 && !b; dy++)
                        for (int dx = -1; dx <= 1 && !b; dx++) {
                            const int a = X + dx, c = Y + dy, d = Z + dz;
                            if (a < 0 || c < 0 || d < 0 || a >= g->nx || c >= g->ny || d >= g->nz) continue;
                            b = !same(g, y90_grid_index(g, X, Y, Z), y90_grid_index(g, a, c, d));
                        }
                if (!b) continue;
                const int m = abs(X - x) > abs(Y - y) ? abs(X - x) : abs(Y - y);
                const int dd = m > abs(Z - z) ? m : abs(Z - z);
                if (dd < best) best = dd;
            }
    return best;
}

static void check_map(int periodic)
{
    y90_grid g;
    make_grid(&g, periodic);
    static mc_params P;
    memset(&P, 0, sizeof P);
    P.g = &g;
    for (int a = 0; a < 3; a++) P.inv_sp[a] = 1.0 / g.spacing[a];
    CU_ASSERT_FATAL(mc_safety_init(&P) == 0);
    CU_ASSERT_DOUBLE_EQUAL(P.sp_min, 0.5, 0);
    int wrong = 0, maxd = 0;
    for (int z = 0; z < g.nz; z++)
        for (int y = 0; y < g.ny; y++)
            for (int x = 0; x < g.nx; x++) {
                const int d = P.safe[y90_grid_index(&g, x, y, z)];
                wrong += d != brute(&g, x, y, z);
                if (d > maxd) maxd = d;
            }
    printf("\n  %s grid: %d of %zu voxels differ from brute force (largest distance %d)",
           periodic ? "periodic" : "open", wrong, y90_grid_nvox(&g), maxd);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT(maxd >= 4); /* the map is not all zeros */
    /* the promise: from random points, every point along random rays up to mc_safety lies in the same medium */
    y90_rng r;
    y90_rng_init(&r, 7, Y90_STREAM_TEST, 0);
    int broken = 0, positive = 0;
    for (int i = 0; i < 20000; i++) {
        mc_particle p;
        memset(&p, 0, sizeof p);
        for (int a = 0; a < 3; a++) {
            const int n = a == 0 ? g.nx : a == 1 ? g.ny : g.nz;
            p.x[a] = g.lo[a] + y90_rng_uniform32(&r) * n * g.spacing[a];
        }
        if (mc_locate(&P, &p)) continue;
        const size_t v0 = mc_voxel(&P, &p);
        const double s = mc_safety(&P, &p, mc_face_distance(&P, &p)) * (1 - 1e-9);
        positive += s > 0;
        const double ct = 1 - 2 * y90_rng_uniform32(&r), st = sqrt(1 - ct * ct);
        const double ph = 2 * Y90_PI * y90_rng_uniform32(&r);
        const double u[3] = {st * cos(ph), st * sin(ph), ct};
        for (int k = 1; k <= 64; k++) {
            mc_particle q = p;
            for (int a = 0; a < 3; a++) q.x[a] = p.x[a] + s * k / 64.0 * u[a];
            if (mc_locate(&P, &q)) continue; /* outside the grid: the track ends there */
            broken += !same(&g, v0, mc_voxel(&P, &q));
        }
    }
    printf("; 20000 random points: %d with a positive safety, %d ray points in another medium", positive, broken);
    CU_ASSERT_EQUAL(broken, 0);
    CU_ASSERT(positive > 10000);
    mc_params_free(&P);
    CU_ASSERT_PTR_NULL(P.safe);
    y90_grid_free(&g);
}

static void test_safety_open(void) { check_map(0); }
static void test_safety_periodic(void) { check_map(1); }

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("step", NULL, NULL);
    CU_add_test(s, "boundary-distance map and safety, open grid", test_safety_open);
    CU_add_test(s, "boundary-distance map and safety, periodic grid", test_safety_periodic);
}
