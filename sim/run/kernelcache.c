/* y90mc: the dvk voxel kernel of a run, computed by the MC kernel and cached on disk. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "y90/kernelcache.h"
#include "y90/tools.h"

#define MAGIC "y90mc voxel kernel 1\n"

int y90_kernel_cache_dir(const char *dir, char *out, size_t len)
{
    const char *env = getenv("Y90MC_KERNEL_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int w;
    if (dir && *dir) w = snprintf(out, len, "%s", dir);
    else if (env && *env) w = snprintf(out, len, "%s", env);
    else if (xdg && *xdg) w = snprintf(out, len, "%s/y90mc", xdg);
    else if (home && *home) w = snprintf(out, len, "%s/.cache/y90mc", home);
    else return -1;
    return w > 0 && (size_t)w < len ? 0 : -1;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The medium holding most of the activity and its activity-weighted density (4 significant digits). */
static y90_status kernel_medium(const y90_config *c, const y90_grid *g, const y90_sources *s, const char **medium,
                                double *density, y90_error *err)
{
    size_t n = y90_grid_nvox(g);
    double *a = y90_calloc(n, sizeof(double), "activity map", err);
    if (!a) return err ? err->code : Y90_ENOMEM;
    y90_status st = y90_sources_activity_map(s, g, c->transport.activity_map == Y90_ACTIVITY_EXPECTED, a, err);
    double w[Y90_MAX_GRID_MATERIALS] = {0}, wr[Y90_MAX_GRID_MATERIALS] = {0};
    for (size_t i = 0; !st && i < n; i++) {
        w[g->material[i]] += a[i];
        wr[g->material[i]] += a[i] * g->density[i];
    }
    free(a);
    if (st) return st;
    int best = 0;
    for (int m = 1; m < g->nmaterials; m++)
        if (w[m] > w[best]) best = m;
    *medium = y90_tool_medium(g->material_names[best]);
    if (!*medium)
        return Y90_FAIL(err, Y90_EINPUT, "%s: transport.kernel dvk: the activity lies mostly in material '%s', for "
                        "which no voxel kernel can be computed (expected a built-in material)", c->path,
                        g->material_names[best]);
    char buf[32];
    snprintf(buf, sizeof buf, "%.4g", wr[best] / w[best]);
    *density = atof(buf);
    return Y90_OK;
}

static y90_status read_kernel(const char *path, const char *key, y90_voxel_kernel *k)
{
    FILE *f = fopen(path, "rb");
    if (!f) return Y90_EIO;
    char line[2048];
    int ok = fgets(line, sizeof line, f) && !strcmp(line, MAGIC) && fgets(line, sizeof line, f) &&
             !strncmp(line, key, strlen(key)) && line[strlen(key)] == '\n';
    long long hist = 0;
    ok = ok && fgets(line, sizeof line, f) &&
         sscanf(line, "half %d histories %lld energy_fraction %lf", &k->half, &hist, &k->energy_fraction) == 3 &&
         k->half >= 0 && k->half < 1000;
    size_t n = ok ? (size_t)(2 * k->half + 1) * (2 * k->half + 1) * (2 * k->half + 1) : 0;
    if (ok) {
        k->mev = malloc(n * sizeof(double));
        k->sigma_mev = malloc(n * sizeof(double));
        ok = k->mev && k->sigma_mev && fread(k->mev, sizeof(double), n, f) == n &&
             fread(k->sigma_mev, sizeof(double), n, f) == n && fgetc(f) == EOF;
    }
    fclose(f);
    k->histories = hist;
    if (!ok) y90_voxel_kernel_free(k);
    return ok ? Y90_OK : Y90_EIO;
}

static y90_status write_kernel(const char *path, const char *key, const y90_voxel_kernel *k, y90_error *err)
{
    char tmp[1300];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%ld", path, (long)getpid(), (long)ts.tv_nsec);
    FILE *f = fopen(tmp, "wb");
    if (!f) return Y90_FAIL(err, Y90_EIO, "voxel kernel cache: cannot create %s: %s", tmp, strerror(errno));
    size_t n = (size_t)(2 * k->half + 1) * (2 * k->half + 1) * (2 * k->half + 1);
    int ok = fprintf(f, "%s%s\nhalf %d histories %lld energy_fraction %.17g\n", MAGIC, key, k->half,
                     (long long)k->histories, k->energy_fraction) > 0;
    ok = ok && fwrite(k->mev, sizeof(double), n, f) == n && fwrite(k->sigma_mev, sizeof(double), n, f) == n;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path)) { /* rename replaces atomically: readers see the old file or the new one */
        remove(tmp);
        return Y90_FAIL(err, Y90_EIO, "voxel kernel cache: cannot write %s (disk full?)", path);
    }
    return Y90_OK;
}

y90_status y90_kernel_cache_get(const y90_config *c, const y90_grid *g, const y90_sources *s, const char *dir,
                                FILE *log, y90_voxel_kernel *k, y90_error *err)
{
    memset(k, 0, sizeof *k);
    const double vox = g->spacing[0];
    if (fabs(g->spacing[1] - vox) > 1e-9 * vox || fabs(g->spacing[2] - vox) > 1e-9 * vox)
        return Y90_FAIL(err, Y90_EINPUT, "%s: transport.kernel dvk needs cubic voxels; the grid has %g x %g x %g mm",
                        c->path, g->spacing[0], g->spacing[1], g->spacing[2]);
    const char *medium = NULL;
    double rho = 0;
    y90_status st = kernel_medium(c, g, s, &medium, &rho, err);
    if (st) return st;
    /* the whole electron range (11.3 mm CSDA at the 2.28 MeV endpoint in water, scaled by 1/density) and one voxel
     * more; bremsstrahlung deposited beyond it is left out (energy_fraction says how much is kept) */
    const int half = (int)ceil(12.0 / rho / vox) + 1;
    const y90_transport_params *t = &c->transport;
    const uint64_t seed = 1;
    char key[1024], cdir[1024], path[1200];
    snprintf(key, sizeof key, "medium %s density %.4g voxel_mm %.9g half %d histories %lld seed %llu cutoff_kev %.9g "
             "photon_cutoff_kev %.9g delta_threshold_kev %.9g brems_threshold_kev %.9g max_eloss_fraction %.9g "
             "straggling %d secondaries %d multiple_scattering %d spin %d range_rejection %d step %d ximax %.9g y90mc %s "
             "git %s", medium,
             rho, vox, half, (long long)t->kernel_histories, (unsigned long long)seed, t->cutoff_kev, t->photon_cutoff_kev,
             t->delta_threshold_kev, t->brems_threshold_kev, t->max_eloss_fraction, t->straggling, t->secondaries,
             t->multiple_scattering, t->spin, t->range_rejection, (int)t->step_algorithm, t->ximax, y90_version(),
             y90_git_revision());
    if (y90_kernel_cache_dir(dir, cdir, sizeof cdir))
        return Y90_FAIL(err, Y90_EINPUT, "voxel kernel cache: no folder (set --kernel-cache, Y90MC_KERNEL_CACHE or HOME)");
    snprintf(path, sizeof path, "%s/vsv-%016llx.bin", cdir, (unsigned long long)fnv1a(key));
    if (read_kernel(path, key, k) == Y90_OK) {
        k->voxel_mm = vox;
        k->density = rho;
        snprintf(k->medium, sizeof k->medium, "%s", medium);
        if (log) fprintf(log, "dvk: voxel kernel %s %.4g g/cm3, %g mm voxels, %d^3, from the cache %s\n", medium, rho,
                         vox, 2 * half + 1, path);
        return Y90_OK;
    }
    if (make_dirs(cdir))
        return Y90_FAIL(err, Y90_EIO, "voxel kernel cache: cannot create the folder %s: %s", cdir, strerror(errno));
    y90_tool_options o = {.medium = medium, .density = rho, .voxel_mm = vox, .histories = t->kernel_histories,
                          .threads = t->threads, .seed = seed, .transport = t};
    if (log) fprintf(log, "dvk: computing the voxel kernel %s %.4g g/cm3, %g mm voxels, %d^3, %lld MC histories\n",
                     medium, rho, vox, 2 * half + 1, (long long)t->kernel_histories);
    st = y90_vsv_kernel_compute(&o, half, k, err);
    if (!st) st = write_kernel(path, key, k, err);
    if (st) y90_voxel_kernel_free(k);
    else if (log) fprintf(log, "dvk: voxel kernel (energy fraction kept %.4f) saved to %s\n", k->energy_fraction, path);
    return st;
}
