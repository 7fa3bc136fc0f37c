/* Stratified decays (transport.stratify): history h takes the sphere at u_h = frac(u0 + h alpha) of the cumulative
 * activity. Expected values are independent arithmetic: each sphere's share N w_i of N histories (w_i its activity
 * over the total), the binomial scatter sqrt(N w (1 - w)) of random draws, and the seed-to-seed scatter of the dose.
 *
 * The bound on the counts: the decays a sphere gets from histories a..b-1 differ from (b - a) w_i by at most the
 * extreme discrepancy of those b - a points of the Kronecker sequence. For the golden ratio it is the smallest of any
 * alpha but grows like log N (Schmidt 1972: every sequence has intervals where it does; Niederreiter 1992, Random
 * Number Generation and Quasi-Monte Carlo Methods, ch. 2 and 3): over the 1000 spheres here it stays below 3 (the
 * largest deviation measured was 2.8; random draws give about 3.3 sqrt(N w) = 100 at N = 1e6), and the rms
 * deviation per sphere is below 1. */
#include "testutil.h"
#include "y90/kernel.h"
#include "y90/phantom.h"
#include "y90/physics.h"
#include "y90/rng.h"
#include "y90/source.h"
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_BOUND 3.0 /* decays, see above */

static y90_grid liver; /* the default liver phantom at 4 mm */

static int build_grid(void)
{
    y90_config c;
    y90_error e = {0};
    y90_config_defaults(&c);
    c.phantom.voxel_mm = 4;
    if (y90_phantom_build(&c.phantom, 0, &liver, NULL, &e)) {
        fprintf(stderr, "liver phantom: %s\n", e.msg);
        return 1;
    }
    return 0;
}

static int free_grid(void)
{
    y90_grid_free(&liver);
    return 0;
}

/* 2.5 MBq of glass spheres (1000 spheres, activity ~ d^3 with the diameter spread widened to 20-30 um: activities
 * over a factor of 3.4), 10 % in the lungs; stratified or not, transport seed 7. */
static y90_config small_config(int stratify)
{
    y90_config c;
    y90_config_defaults(&c);
    c.phantom.voxel_mm = 4;
    c.source.type = Y90_SOURCE_MICROSPHERES;
    c.source.product = Y90_PRODUCT_THERASPHERE;
    c.source.sphere_diameter_sd_um = 4;
    c.treatment.activity_gbq = 0.0025;
    c.treatment.lung_shunt_fraction = 0.1;
    c.transport.stratify = stratify;
    c.transport.seed = 7;
    snprintf(c.path, sizeof c.path, "test_stratify");
    return c;
}

static y90_status build_sources(const y90_config *c, y90_sources *s)
{
    y90_error e = {0};
    y90_status st = y90_sources_build(c, &liver, s, &e);
    if (st) fprintf(stderr, "\n    y90_sources_build: %s ", e.msg);
    return st;
}

/* Decays per sphere from histories a..b-1 (streams as the driver makes them: transport seed, history h). */
static void count_decays(const y90_sources *s, uint64_t seed, int64_t a, int64_t b, long *count)
{
    memset(count, 0, s->nspheres * sizeof *count);
    for (int64_t h = a; h < b; h++) {
        y90_rng r;
        y90_rng_init(&r, seed, Y90_STREAM_HISTORY, (uint64_t)h);
        count[y90_sources_pick_sphere(s, y90_sources_decay_u(s, h, &r))]++;
    }
}

/* Largest and rms deviation of the counts from n w_i, and the rms in units of the binomial sd. */
static void deviations(const y90_sources *s, const long *count, double n, double *maxdev, double *rms, double *rms_binom)
{
    double total = 0, m = 0, q = 0, qb = 0;
    double *a = malloc(s->nspheres * sizeof *a); /* either storage: the table's rows or regenerated spheres */
    for (size_t i = 0; i < s->nspheres; i++) {
        y90_sphere sp;
        y90_sources_sphere(s, &liver, i, &sp);
        total += a[i] = sp.activity_bq;
    }
    for (size_t i = 0; i < s->nspheres; i++) {
        double w = a[i] / total, d = (double)count[i] - n * w;
        m = fmax(m, fabs(d));
        q += d * d;
        qb += d * d / (n * w * (1 - w));
    }
    free(a);
    *maxdev = m;
    *rms = sqrt(q / (double)s->nspheres);
    *rms_binom = sqrt(qb / (double)s->nspheres);
}

/* N = 1e6 histories over 1000 spheres: stratified, every sphere gets N w_i within the bound (rms under 1); drawn
 * at random, the counts scatter binomially (rms 1 binomial sd within 10 %) and break the bound. */
static void test_counts_whole_run(void)
{
    y90_config cs = small_config(1), cr = small_config(0);
    y90_sources s, r;
    CU_ASSERT_EQUAL_FATAL(build_sources(&cs, &s), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(build_sources(&cr, &r), Y90_OK);
    CU_ASSERT_EQUAL(s.nspheres, 1000);
    CU_ASSERT(s.stratified && s.cum_activity && s.cum_guide);
    CU_ASSERT(!r.stratified && r.cum_activity && r.cum_guide);
    float amin = 1e30f, amax = 0;
    for (size_t i = 0; i < s.nspheres; i++) {
        amin = fminf(amin, s.spheres[i].activity_bq);
        amax = fmaxf(amax, s.spheres[i].activity_bq);
    }
    printf("\n  %zu spheres, activities %.0f-%.0f Bq", s.nspheres, amin, amax);
    CU_ASSERT(amax > 2 * amin);
    const int64_t N = 1000000;
    long *count = calloc(s.nspheres, sizeof *count);
    CU_ASSERT_PTR_NOT_NULL_FATAL(count);
    double mx, rms, rb;
    count_decays(&s, 7, 0, N, count);
    deviations(&s, count, (double)N, &mx, &rms, &rb);
    printf("\n  stratified: largest deviation from N w %.2f, rms %.2f (%.3f binomial sd)", mx, rms, rb);
    CU_ASSERT(mx <= COUNT_BOUND);
    CU_ASSERT(rms < 1.0);
    count_decays(&r, 7, 0, N, count);
    deviations(&r, count, (double)N, &mx, &rms, &rb);
    printf("\n  random:     largest deviation from N w %.2f, rms %.2f (%.3f binomial sd)", mx, rms, rb);
    CU_ASSERT(mx > COUNT_BOUND);
    CU_ASSERT(fabs(rb - 1.0) < 0.1);
    /* the same spheres in counts storage (per-voxel counts, spheres regenerated; the pick inverts the cumulative
     * activity over the voxels, then over the voxel's spheres): the same bound */
    y90_sources k;
    cs.source.sphere_storage = Y90_SPHERES_COUNTS;
    CU_ASSERT_EQUAL_FATAL(build_sources(&cs, &k), Y90_OK);
    CU_ASSERT(k.storage == Y90_SPHERES_COUNTS && k.stratified && !k.cum_activity);
    CU_ASSERT_EQUAL_FATAL(k.nspheres, s.nspheres);
    count_decays(&k, 7, 0, N, count);
    deviations(&k, count, (double)N, &mx, &rms, &rb);
    printf("\n  counts storage, stratified: largest deviation from N w %.2f, rms %.2f", mx, rms);
    CU_ASSERT(mx <= COUNT_BOUND);
    CU_ASSERT(rms < 1.0);
    y90_sources_free(&k);
    free(count);
    y90_sources_free(&s);
    y90_sources_free(&r);
}

/* Any stretch a..b-1 of histories (a part, an MPI rank's share, a resumed rest, a run stopped early) spreads its
 * decays evenly: counts within the bound of (b - a) w_i, also far out in the history numbers (64-bit h alpha), and
 * for other transport seeds (other u0). */
static void test_counts_windows(void)
{
    static const int64_t win[][2] = {{0, 1}, {0, 999}, {12345, 12345 + 77777}, {333333, 500000}, {999000, 1000000},
                                      {5000000000000LL, 5000000000000LL + 250000}, {(1LL << 40) - 3, (1LL << 40) + 40000}};
    const int nw = (int)(sizeof win / sizeof win[0]);
    long *count = NULL;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        y90_config c = small_config(1);
        c.transport.seed = seed;
        y90_sources s;
        CU_ASSERT_EQUAL_FATAL(build_sources(&c, &s), Y90_OK);
        if (!count) count = calloc(s.nspheres, sizeof *count);
        CU_ASSERT_PTR_NOT_NULL_FATAL(count);
        double worst = 0, worst_rms = 0;
        for (int k = 0; k < nw; k++) {
            double mx, rms, rb;
            count_decays(&s, seed, win[k][0], win[k][1], count);
            deviations(&s, count, (double)(win[k][1] - win[k][0]), &mx, &rms, &rb);
            if (mx > COUNT_BOUND) printf("\n  seed %llu, histories %lld..%lld: deviation %.2f", (unsigned long long)seed,
                                         (long long)win[k][0], (long long)win[k][1], mx);
            CU_ASSERT(mx <= COUNT_BOUND);
            CU_ASSERT(rms < 1.0);
            worst = fmax(worst, mx);
            worst_rms = fmax(worst_rms, rms);
        }
        printf("\n  seed %llu: %d windows, largest deviation %.2f, largest rms %.2f", (unsigned long long)seed, nw, worst,
               worst_rms);
        y90_sources_free(&s);
    }
    free(count);
}

/* The guide table and its search give the sphere a plain scan of the cumulative activities gives. */
static void test_search_exact(void)
{
    y90_config c = small_config(1);
    y90_sources s;
    CU_ASSERT_EQUAL_FATAL(build_sources(&c, &s), Y90_OK);
    const size_t n = s.nspheres;
    const double total = s.cum_activity[n - 1];
    int ok = 1;
    /* 2e5 histories, each against a linear scan for the first sphere whose cumulative activity exceeds u total */
    for (int64_t h = 0; h < 200000; h++) {
        double u = (double)((s.decay_u0 + (uint64_t)h * Y90_GOLDEN_64) >> 11) * (1.0 / 9007199254740992.0);
        double x = u * total;
        size_t want = 0;
        while (want + 1 < n && s.cum_activity[want] <= x) want++;
        ok &= y90_sources_decay_u(&s, h, NULL) == u && y90_sources_pick_sphere(&s, u) == want;
    }
    CU_ASSERT(ok);
    y90_sources_free(&s);
}

/* Small MC runs of the liver case (1000 spheres, 10 % in the lungs) with NSEED transport seeds. */
enum { NSEED = 6, NHIST = 10000 };
enum { S_NORMAL, S_TUMOUR, S_LUNG, NSTRUCT };

static y90_status mc_run(const y90_config *c, y90_physics **ph, y90_sources *s, int64_t first, int64_t count,
                         y90_run_result *res)
{
    y90_error e = {0};
    y90_status st = Y90_OK;
    if (!*ph) st = y90_physics_build(c, &liver, s, ph, &e);
    y90_kernel_input in = {&c->transport, &liver, s, *ph, NULL, NULL, NULL, first, count, NULL, NULL};
    if (!st) st = y90_kernel_run(&in, res, &e);
    if (st) printf("\n  run failed: %s", e.msg);
    return st;
}

/* Energy (MeV) deposited in the normal liver, the viable tumour and the lungs. */
static void structure_energy(const y90_run_result *res, double out[NSTRUCT])
{
    memset(out, 0, NSTRUCT * sizeof *out);
    for (size_t v = 0; v < res->nvox; v++) {
        int k = (int)liver.structures[liver.label[v]].kind;
        int j = k == Y90_KIND_LIVER_NORMAL ? S_NORMAL : k == Y90_KIND_TUMOR_VIABLE ? S_TUMOUR : k == Y90_KIND_LUNG ? S_LUNG : -1;
        if (j >= 0) out[j] += res->edep_mev[v];
    }
}

/* Unbiased: the mean energy in the normal liver, the tumours and the lungs over NSEED seeds agrees between stratified
 * and random decays within 3 combined standard errors (seed-to-seed). */
static void test_unbiased_dose(void)
{
    static const char *names[NSTRUCT] = {"normal liver", "viable tumour", "lungs"};
    double sum[2][NSTRUCT] = {{0}}, sum2[2][NSTRUCT] = {{0}};
    for (int mode = 0; mode < 2; mode++) {
        y90_config c = small_config(mode);
        c.transport.histories = NHIST;
        c.transport.threads = 2;
        y90_physics *ph = NULL;
        for (int k = 0; k < NSEED; k++) {
            c.transport.seed = 100 + (uint64_t)k;
            y90_sources s;
            y90_run_result res;
            CU_ASSERT_EQUAL_FATAL(build_sources(&c, &s), Y90_OK);
            CU_ASSERT_EQUAL_FATAL(mc_run(&c, &ph, &s, 0, 0, &res), Y90_OK);
            double e[NSTRUCT];
            structure_energy(&res, e);
            for (int j = 0; j < NSTRUCT; j++) {
                sum[mode][j] += e[j] / NHIST;
                sum2[mode][j] += e[j] / NHIST * e[j] / NHIST;
            }
            y90_run_result_free(&res);
            y90_sources_free(&s);
        }
        y90_physics_free(ph);
    }
    for (int j = 0; j < NSTRUCT; j++) {
        double m[2], se2[2];
        for (int mode = 0; mode < 2; mode++) {
            m[mode] = sum[mode][j] / NSEED;
            se2[mode] = (sum2[mode][j] / NSEED - m[mode] * m[mode]) * NSEED / (NSEED - 1) / NSEED;
        }
        double z = (m[1] - m[0]) / sqrt(se2[0] + se2[1]);
        printf("\n  %-13s MeV per decay: random %.5f +- %.5f, stratified %.5f +- %.5f (%+.2f sigma)", names[j], m[0],
               sqrt(se2[0]), m[1], sqrt(se2[1]), z);
        CU_ASSERT(fabs(z) < 3.0);
    }
}

static int same_tally(const y90_tally *a, const y90_tally *b)
{
    size_t n = a->nvox;
    return a->nvox == b->nvox && !memcmp(a->sum, b->sum, n * sizeof *a->sum) &&
           !memcmp(a->sum2, b->sum2, n * sizeof *a->sum2) && !memcmp(a->sum_hi, b->sum_hi, n * sizeof *a->sum_hi) &&
           !memcmp(a->sum2_hi, b->sum2_hi, n * sizeof *a->sum2_hi) && !memcmp(a->eb, b->eb, sizeof a->eb);
}

/* Stratified runs are bitwise identical on 1 and 2 threads, and two parts (histories 0..N/2-1 and N/2..N-1, as run
 * --part and MPI ranks split them) add up bitwise to the whole run: h is the global history number. */
static void test_threads_and_parts(void)
{
    y90_config c = small_config(1);
    c.transport.histories = 6000;
    y90_sources s;
    y90_physics *ph = NULL;
    y90_run_result one, two, p1, p2;
    CU_ASSERT_EQUAL_FATAL(build_sources(&c, &s), Y90_OK);
    c.transport.threads = 1;
    CU_ASSERT_EQUAL_FATAL(mc_run(&c, &ph, &s, 0, 0, &one), Y90_OK);
    c.transport.threads = 2;
    CU_ASSERT_EQUAL_FATAL(mc_run(&c, &ph, &s, 0, 0, &two), Y90_OK);
    CU_ASSERT(same_tally(&one.tally, &two.tally));
    CU_ASSERT(!memcmp(one.dose, two.dose, one.nvox * sizeof *one.dose));
    CU_ASSERT_EQUAL_FATAL(mc_run(&c, &ph, &s, 0, 3000, &p1), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(mc_run(&c, &ph, &s, 3000, 3000, &p2), Y90_OK);
    int parts_add = 1;
    for (size_t v = 0; v < one.nvox; v++)
        parts_add &= p1.tally.sum[v] + p2.tally.sum[v] == one.tally.sum[v] &&
                     p1.tally.sum2[v] + p2.tally.sum2[v] == one.tally.sum2[v];
    CU_ASSERT(parts_add);
    y90_run_result_free(&one);
    y90_run_result_free(&two);
    y90_run_result_free(&p1);
    y90_run_result_free(&p2);
    y90_physics_free(ph);
    y90_sources_free(&s);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("stratify", build_grid, free_grid);
    CU_add_test(s, "whole run: every sphere its share", test_counts_whole_run);
    CU_add_test(s, "any stretch of histories: every sphere its share", test_counts_windows);
    CU_add_test(s, "guide table search exact", test_search_exact);
    CU_add_test(s, "unbiased against random decays", test_unbiased_dose);
    CU_add_test(s, "threads and parts bitwise", test_threads_and_parts);
}
