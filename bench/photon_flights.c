/* y90mc benchmark: photon transport alone (kernels/mc.c mc_transport_photon) in a config's phantom: N photons of
 * one energy from the config's source positions, isotropic, each followed until it escapes, is absorbed or falls
 * below the photon cutoff (Compton and photoelectrons are dropped, not transported); one thread, the histories'
 * own Philox streams. Prints photons per second and the mean number of Compton scatterings, escapes and energy.
 * Usage: y90bench_photons CONFIG [--photons N] [--energy-mev E] [--seed S] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/config.h"
#include "y90/phantom.h"
#include "y90/physics.h"
#include "y90/source.h"
#include "../kernels/mc.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: y90bench_photons CONFIG [--photons N] [--energy-mev E] [--seed S]\n");
        return 2;
    }
    long long n = 1000000;
    double E = 0.1;
    unsigned long long seed = 1;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--photons")) n = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--energy-mev")) E = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "y90bench_photons: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (n < 1 || !(E > 0)) { fprintf(stderr, "y90bench_photons: expected --photons >= 1, --energy-mev > 0\n"); return 2; }
    y90_config c;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_physics *ph = NULL;
    y90_error e = {0};
    mc_params *P = malloc(sizeof *P);
    mc_scratch *w = calloc(1, sizeof *w);
    y90_hist *hb = malloc(sizeof *hb); /* a photon scores in one voxel at most: the buffer never spills */
    if (!P || !w || !hb || y90_config_load(argv[1], &c, &e) || y90_phantom_build(&c.phantom, 0, &g, NULL, &e) ||
        y90_sources_build(&c, &g, &s, &e) || y90_physics_build(&c, &g, &s, &ph, &e) ||
        mc_params_init(P, ph, &g, &s, &e)) {
        fprintf(stderr, "y90bench_photons: %s\n", e.msg);
        return 1;
    }
    double esc = 0, t0 = y90_wall_s();
    long long compton = 0;
    for (long long h = 0; h < n; h++) {
        y90_rng r;
        y90_rng_init(&r, seed, Y90_STREAM_HISTORY, (uint64_t)h);
        mc_particle p;
        memset(&p, 0, sizeof p);
        long sphere;
        y90_sources_sample(&s, &g, &r, (int64_t)h, p.x, &sphere);
        p.type = MC_PHOTON;
        p.E = E;
        p.cluster = -1;
        double ct = 2.0 * y90_rng_uniform32(&r) - 1.0, phi = 2.0 * Y90_PI * y90_rng_uniform32(&r);
        p.u[0] = sqrt(1 - ct * ct) * cos(phi);
        p.u[1] = sqrt(1 - ct * ct) * sin(phi);
        p.u[2] = ct;
        if (mc_locate(P, &p)) continue;
        w->nstack = 0;
        y90_hist_init(hb, NULL);
        mc_transport_photon(P, &p, w, &r, hb);
        compton += w->nstack;
        esc += hb->eb[Y90_EB_ESC_PH];
    }
    double t = y90_wall_s() - t0;
    printf("y90bench_photons: %s, %lld photons of %g MeV in %.2f s: %.4g photons/s; per photon %.3f electrons set "
           "moving, %.4f MeV escaped\n",
           argv[1], n, E, t, n / t, (double)compton / n, esc / n);
    free(hb);
    free(w);
    mc_params_free(P);
    free(P);
    y90_physics_free(ph);
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
    return 0;
}
