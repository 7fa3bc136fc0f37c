/* y90mc kernels: voxel-kernel convolution (dvk): the activity map convolved with a 90Y voxel kernel of the
 * grid's voxel size by FFT (FFTW3, threads through its OpenMP interface). The kernel is an input (computed by the
 * MC kernel and cached by sim/run/kernelcache.c); this file does no I/O.
 *   dvk:         dose = energy / mass of a voxel of the kernel's medium (the kernel's dose everywhere);
 *   dvk_density: dose = energy / mass of the voxel itself (= dvk x kernel density / local density: the common
 *                lung correction).
 * Uncertainty: the kernel's statistical error, treated as fully correlated between kernel voxels, gives the upper
 * bound sigma_D(v) <= sum_u a(u) sigma_K(v-u), a second convolution (the activity map itself is exact). */
#include <fftw3.h>
#include <omp.h>
#include <math.h>
#include <string.h>
#include "driver.h"
#include "y90/source.h"

/* Smallest n' >= n whose prime factors are 2, 3, 5 and 7 (FFTW's fast sizes). */
static int fft_size(int n)
{
    for (;; n++) {
        int m = n;
        static const int p[4] = {2, 3, 5, 7};
        for (int i = 0; i < 4; i++)
            while (m % p[i] == 0) m /= p[i];
        if (m == 1) return n;
    }
}

typedef struct {
    int N[3], M[3];        /* grid and padded FFT sizes, x y z */
    size_t mx2;            /* padded x row of the in-place real transform: 2 (Mx/2 + 1) */
    double *a, *b;         /* activity (then its transform) and the work array */
    fftw_plan fwd, bwd;
} conv;

static size_t pidx(const conv *c, int x, int y, int z) { return ((size_t)z * (size_t)c->M[1] + (size_t)y) * c->mx2 + (size_t)x; }

/* b = IFFT(FFT(a) x FFT(kernel)): the linear convolution (sizes M >= N + half leave no wrap-around in the grid). */
static void convolve(conv *c, const y90_voxel_kernel *k, const double *kv)
{
    const int h = k->half, n = 2 * h + 1;
    memset(c->b, 0, sizeof(double) * c->mx2 * (size_t)c->M[1] * (size_t)c->M[2]);
    for (int dz = -h; dz <= h; dz++)
        for (int dy = -h; dy <= h; dy++)
            for (int dx = -h; dx <= h; dx++)
                c->b[pidx(c, (dx + c->M[0]) % c->M[0], (dy + c->M[1]) % c->M[1], (dz + c->M[2]) % c->M[2])] =
                    kv[((size_t)(dz + h) * n + (size_t)(dy + h)) * n + (size_t)(dx + h)];
    fftw_execute_dft_r2c(c->fwd, c->b, (fftw_complex *)c->b);
    const size_t nc = c->mx2 / 2 * (size_t)c->M[1] * (size_t)c->M[2];
    const double scale = 1.0 / ((double)c->M[0] * c->M[1] * c->M[2]);
    fftw_complex *A = (fftw_complex *)c->a, *B = (fftw_complex *)c->b;
    #pragma omp parallel for schedule(static)
    for (size_t i = 0; i < nc; i++) {
        double re = A[i][0] * B[i][0] - A[i][1] * B[i][1], im = A[i][0] * B[i][1] + A[i][1] * B[i][0];
        B[i][0] = re * scale;
        B[i][1] = im * scale;
    }
    fftw_execute_dft_c2r(c->bwd, (fftw_complex *)c->b, c->b);
}

y90_status y90_kernel_dvk_run(const y90_kernel_input *in, y90_run_result *res, y90_error *err)
{
    const y90_voxel_kernel *k = in->vk;
    const y90_grid *g = in->grid;
    const int density_corrected = in->tp->kernel == Y90_KERNEL_DVK_DENSITY;
    const char *name = density_corrected ? "dvk_density" : "dvk";
    if (!k || !k->mev || !k->sigma_mev) return Y90_FAIL(err, Y90_EINTERNAL, "%s kernel: no voxel kernel given", name);
    for (int a = 0; a < 3; a++)
        if (fabs(g->spacing[a] - k->voxel_mm) > 1e-9 * k->voxel_mm)
            return Y90_FAIL(err, Y90_EINTERNAL, "%s kernel: voxel kernel of %g mm for a grid of %g x %g x %g mm voxels",
                            name, k->voxel_mm, g->spacing[0], g->spacing[1], g->spacing[2]);
    if (in->src->energy_mev > 0)
        return Y90_FAIL(err, Y90_EINPUT, "%s kernel: the voxel kernel is of the 90Y spectrum; source.energy_mev = %g "
                        "MeV needs the mc kernel", name, in->src->energy_mev);
    double t0;
    y90_status st = y90_kernel_deterministic_begin(in, name, res, &t0, err);
    if (st) return st;
    st = y90_sources_activity_map(in->src, g, in->tp->activity_map == Y90_ACTIVITY_EXPECTED, res->dose, err);
    if (st) return st;
    conv c = {{g->nx, g->ny, g->nz}, {0, 0, 0}, 0, NULL, NULL, NULL, NULL};
    for (int a = 0; a < 3; a++) c.M[a] = fft_size(c.N[a] + k->half > 2 * k->half + 1 ? c.N[a] + k->half : 2 * k->half + 1);
    c.mx2 = 2 * ((size_t)c.M[0] / 2 + 1);
    const size_t nreal = c.mx2 * (size_t)c.M[1] * (size_t)c.M[2];
    const int threads = in->tp->threads > 0 ? in->tp->threads : omp_get_num_procs();
    /* memory: the activity map (in res->dose) is copied into a and freed before b exists; the kernel sigma goes
     * first (into rel_unc), so that a is freed before the dose array comes back: at most two FFT arrays and two
     * grid arrays at a time */
    c.a = fftw_alloc_real(nreal);
    if (c.a) {
        memset(c.a, 0, nreal * sizeof(double));
        for (int z = 0; z < c.N[2]; z++)
            for (int y = 0; y < c.N[1]; y++)
                memcpy(c.a + pidx(&c, 0, y, z), res->dose + y90_grid_index(g, 0, y, z), (size_t)c.N[0] * sizeof(double));
        free(res->dose);
        res->dose = NULL;
        c.b = fftw_alloc_real(nreal);
    }
    if (!c.b) {
        st = Y90_FAIL(err, Y90_ENOMEM, "%s kernel: out of memory for two %d x %d x %d FFT arrays (%.2f GB)", name,
                      c.M[0], c.M[1], c.M[2], 2.0 * nreal * sizeof(double) / 1e9);
        goto cleanup;
    }
    #pragma omp critical(y90_fftw_planner)
    {
        static int fftw_threads_ready;
        if (!fftw_threads_ready) fftw_threads_ready = fftw_init_threads();
        fftw_plan_with_nthreads(threads);
        c.fwd = fftw_plan_dft_r2c_3d(c.M[2], c.M[1], c.M[0], c.b, (fftw_complex *)c.b, FFTW_ESTIMATE);
        c.bwd = fftw_plan_dft_c2r_3d(c.M[2], c.M[1], c.M[0], (fftw_complex *)c.b, c.b, FFTW_ESTIMATE);
    }
    if (!c.fwd || !c.bwd) {
        st = Y90_FAIL(err, Y90_EINTERNAL, "%s kernel: FFTW could not plan a %d x %d x %d transform", name, c.M[0],
                      c.M[1], c.M[2]);
        goto cleanup;
    }
    fftw_execute_dft_r2c(c.fwd, c.a, (fftw_complex *)c.a);
    /* the uncertainty bound (MeV per decay, absolute for now), then the energy per decay (MeV) */
    convolve(&c, k, k->sigma_mev);
    for (int z = 0; z < c.N[2]; z++)
        for (int y = 0; y < c.N[1]; y++)
            for (int x = 0; x < c.N[0]; x++) res->rel_unc[y90_grid_index(g, x, y, z)] = (float)c.b[pidx(&c, x, y, z)];
    convolve(&c, k, k->mev);
    fftw_free(c.a);
    c.a = NULL;
    res->dose = y90_calloc(res->nvox, sizeof(double), "dose grid", err);
    if (!res->dose) {
        st = err ? err->code : Y90_ENOMEM;
        goto cleanup;
    }
    const double vol = y90_grid_voxel_volume_mm3(g), m_kernel = k->density * vol * 1e-6; /* kg */
    double dep = 0;
    for (int z = 0; z < c.N[2]; z++)
        for (int y = 0; y < c.N[1]; y++)
            for (int x = 0; x < c.N[0]; x++) {
                size_t v = y90_grid_index(g, x, y, z);
                double e = c.b[pidx(&c, x, y, z)], s = res->rel_unc[v];
                e = e > 0 ? e : 0.0; /* round-off of the transforms */
                dep += e;
                double m = density_corrected ? y90_grid_voxel_mass_kg(g, v) : m_kernel;
                res->rel_unc[v] = e > 0 && s > 0 ? (float)(s / e) : 0.0f;
                res->dose[v] = m > 0 ? e * in->src->decays * Y90_J_PER_MEV / m : 0.0;
            }
    res->threads = threads;
    res->eb.emitted = y90_kernel_energy_per_decay(in->src);
    res->eb.deposited = dep;
    /* outside the kernel (bremsstrahlung beyond it) or the grid; not split by particle */
    res->eb.escaped_electron = res->eb.emitted - dep;
    y90_kernel_deterministic_end(res, t0);
cleanup:
    if (c.fwd) fftw_destroy_plan(c.fwd);
    if (c.bwd) fftw_destroy_plan(c.bwd);
    fftw_free(c.a);
    fftw_free(c.b);
    return st;
}
