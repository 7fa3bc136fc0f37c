/* y90mc: counter-based random streams (Random123 Philox4x32-10, Salmon et al. SC'11).
 * A stream is a pure function of (seed, stream id, index): the key is the 64-bit seed, the counter holds the
 * stream id (which purpose: transport history, sphere sampling, phantom) and the 64-bit index (history number),
 * and a 32-bit draw counter. So results never depend on thread count or schedule. */
#ifndef Y90_RNG_H
#define Y90_RNG_H

#include <math.h>
#include <stdint.h>
#include <Random123/philox.h>
#include "y90/common.h"

enum { Y90_STREAM_HISTORY = 1, Y90_STREAM_SPHERES = 2, Y90_STREAM_PHANTOM = 3, Y90_STREAM_CLUSTER_SIZES = 4,
       Y90_STREAM_CLUSTERS = 5, Y90_STREAM_SPHERE_IN_VOXEL = 6, Y90_STREAM_STRATIFY = 7,
       Y90_STREAM_TEST = 99 };

typedef struct y90_rng {
    philox4x32_key_t key;
    philox4x32_ctr_t ctr;
    philox4x32_ctr_t out;
    int left;              /* unused 32-bit words in out */
} y90_rng;

static inline void y90_rng_init(y90_rng *r, uint64_t seed, uint32_t stream, uint64_t index)
{
    r->key.v[0] = (uint32_t)seed;
    r->key.v[1] = (uint32_t)(seed >> 32);
    r->ctr.v[0] = 0; /* draw counter */
    r->ctr.v[1] = stream;
    r->ctr.v[2] = (uint32_t)index;
    r->ctr.v[3] = (uint32_t)(index >> 32);
    r->left = 0;
}

static inline uint32_t y90_rng_u32(y90_rng *r)
{
    if (r->left == 0) {
        r->out = philox4x32(r->ctr, r->key);
        r->ctr.v[0]++;
        r->left = 4;
    }
    return r->out.v[--r->left];
}

/* Uniform double in (0, 1): 52 random bits, (k + 1/2) 2^-52, never exactly 0 or 1 (the largest is 1 - 2^-53). */
static inline double y90_rng_uniform(y90_rng *r)
{
    uint64_t hi = y90_rng_u32(r) >> 6, lo = y90_rng_u32(r) >> 6; /* 26 + 26 bits */
    return ((double)((hi << 26) | lo) + 0.5) * (1.0 / 4503599627370496.0);
}

/* Uniform double in (0, 1) from one 32-bit draw (resolution 2.3e-10): for angles, path fractions and free paths. */
static inline double y90_rng_uniform32(y90_rng *r) { return ((double)y90_rng_u32(r) + 0.5) * (1.0 / 4294967296.0); }

/* Standard normal deviate (Box-Muller, cosine branch): two uniform draws. */
static inline double y90_rng_normal(y90_rng *r)
{
    double u1 = y90_rng_uniform(r), u2 = y90_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * Y90_PI * u2);
}

#define Y90_RNG_SCHEME "Random123 philox4x32-10; key = 64-bit seed; counter = (draw, stream id, history index lo, hi); stream 1 = transport history, 2 = sphere sampling, 3 = phantom, 4 = cluster sizes, 5 = cluster placement, 6 = sphere k of voxel v (sphere counts storage; index v 2^32 + k), 7 = offset u0 of the stratified decays"

#endif
