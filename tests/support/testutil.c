#define _XOPEN_SOURCE 700
#include "testutil.h"
#include <ftw.h>
#include "y90/io.h"
#include "y90/run.h"
#include "y90/source.h"
#include <gsl/gsl_cdf.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

static char dir_buf[1024];
static char ring[8][1024];
static int ring_i;

static char *next_buf(void) { return ring[ring_i++ & 7]; }

const char *y90t_dir(void)
{
    if (!dir_buf[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir_buf, sizeof dir_buf, "%s/y90test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir_buf)) {
            fprintf(stderr, "tests: cannot create a temporary folder %s\n", dir_buf);
            exit(2);
        }
    }
    return dir_buf;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

void y90t_cleanup(int passed)
{
    if (!dir_buf[0]) return;
    if (!passed) {
        fprintf(stderr, "tests: failures; their files are kept in %s\n", dir_buf);
        return;
    }
    if (nftw(dir_buf, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "tests: could not remove %s\n", dir_buf);
}

const char *y90t_path(const char *name)
{
    char *b = next_buf();
    snprintf(b, 1024, "%s/%s", y90t_dir(), name);
    return b;
}

const char *y90t_write(const char *name, const char *text)
{
    const char *p = y90t_path(name);
    FILE *f = fopen(p, "w");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    return p;
}

y90t_pathbuf y90t_tpath(const char *fmt, ...)
{
    char name[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    y90t_pathbuf p;
    snprintf(p.s, sizeof p.s, "%s/%s", y90t_dir(), name);
    return p;
}

y90t_pathbuf y90t_twrite(const char *name, const char *text)
{
    y90t_pathbuf p = y90t_tpath("%s", name);
    FILE *f = fopen(p.s, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return p;
}

char *y90t_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b) { fclose(f); return NULL; }
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    b[got] = 0;
    if (len) *len = got;
    return b;
}

const char *y90t_cli_path(void)
{
    const char *over = getenv("Y90T_CLI"); /* another build, e.g. to see a regression test fail on older code */
    return over && *over ? over : Y90_CLI;
}

int y90t_cli(const char *args, char **output)
{
    const char *log = y90t_path("cli-output.txt");
    char logcopy[1024];
    snprintf(logcopy, sizeof logcopy, "%s", log);
    const char *bin = y90t_cli_path();
    size_t n = strlen(bin) + strlen(args) + strlen(logcopy) + 32;
    char *cmd = malloc(n);
    snprintf(cmd, n, "%s %s >%s 2>&1", bin, args, logcopy);
    int st = system(cmd);
    free(cmd);
    if (output) *output = y90t_slurp(logcopy, NULL);
    if (st == -1) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int y90t_clif(char **out, const char *fmt, ...)
{
    char args[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char *o = NULL;
    int rc = y90t_cli(args, &o);
    if (out) *out = o;
    else free(o);
    return rc;
}

const char *y90t_ref(const char *relpath)
{
    char *b = next_buf();
    snprintf(b, 1024, "%s/tests/reference/%s", Y90_SOURCE_DIR, relpath);
    return b;
}

double y90t_rel(double a, double b) { return fabs(a - b) / fabs(b); }

int y90t_run_read(const y90_config *c, const char *out_name, y90_grid *g, double **dose, float **unc)
{
    const char *out = y90t_path(out_name);
    char path[1024];
    snprintf(path, sizeof path, "%s", out);
    remove(path);
    y90_error e = {0};
    y90_run_options o = {.out_path = path, .force = 1};
    memset(g, 0, sizeof *g);
    *dose = NULL;
    *unc = NULL;
    if (y90_run(c, &o, &e) || y90_io_read_grid(path, g, &e) ||
        y90_io_read_dose(path, y90_grid_nvox(g), dose, unc, &e)) {
        printf("\n  %s", e.msg);
        return -1;
    }
    return 0;
}

int y90t_read_estar(const char *relpath, double (*rows)[7], int max)
{
    FILE *f = fopen(y90t_ref(relpath), "r");
    char line[512];
    int n = 0;
    while (f && n < max && fgets(line, sizeof line, f)) {
        double *v = rows[n];
        if (line[0] != '#' &&
            sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) == 7)
            n++;
    }
    if (f) fclose(f);
    return n;
}

int y90t_ref_radii(const char *relpath, const char *unit, double v[4])
{
    char fmt[128], line[512];
    snprintf(fmt, sizeof fmt, "# R50 = %%lf +- %%lf %s, R90 = %%lf +- %%lf %s", unit, unit);
    FILE *f = fopen(y90t_ref(relpath), "r");
    int ok = 0;
    while (f && !ok && fgets(line, sizeof line, f)) ok = sscanf(line, fmt, &v[0], &v[1], &v[2], &v[3]) == 4;
    if (f) fclose(f);
    return ok;
}

int y90t_read_spectrum(double *e, double *n, int max)
{
    FILE *f = fopen(y90t_ref("y90_beta_spectrum_icrp107.csv"), "r");
    char line[256];
    int k = 0;
    while (f && k < max && fgets(line, sizeof line, f))
        if (line[0] != '#' && sscanf(line, "%lf,%lf", &e[k], &n[k]) == 2) k++;
    if (f) fclose(f);
    return k;
}

int y90t_sh(char **out, const char *fmt, ...)
{
    char cmd[8192], log[1024], full[9300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(log, sizeof log, "%s", y90t_path("sh-output.txt"));
    snprintf(full, sizeof full, "%s > '%s' 2>&1", cmd, log);
    int st = system(full);
    if (out) *out = y90t_slurp(log, NULL);
    if (st == -1) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

unsigned char *y90t_dataset_bytes(const char *path, const char *name, size_t *n)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), d = f >= 0 ? H5Dopen2(f, name, H5P_DEFAULT) : -1;
    hid_t t = d >= 0 ? H5Dget_type(d) : -1, s = d >= 0 ? H5Dget_space(d) : -1;
    unsigned char *buf = NULL;
    *n = 0;
    if (t >= 0 && s >= 0) {
        *n = (size_t)H5Sget_simple_extent_npoints(s) * H5Tget_size(t);
        buf = malloc(*n ? *n : 1);
        if (buf && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            free(buf);
            buf = NULL;
        }
    }
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    if (d >= 0) H5Dclose(d);
    if (f >= 0) H5Fclose(f);
    return buf;
}

int y90t_same_dataset(const char *a, const char *b, const char *name)
{
    size_t na, nb;
    unsigned char *x = y90t_dataset_bytes(a, name, &na), *y = y90t_dataset_bytes(b, name, &nb);
    int same = x && y && na == nb && na > 0 && memcmp(x, y, na) == 0;
    if (!same) fprintf(stderr, "\n    %s differs between %s and %s ", name, a, b);
    free(x);
    free(y);
    return same;
}

/* Chi-square statistic of counts[1..kmax] (n draws) against pmf, bins merged from the top so that every bin
 * expects at least 5; the last bin holds the tail k >= its first k. Returns the p value; *dof the degrees. */
double y90t_cluster_chi2_p(const y90_source_params *sp, const size_t *counts, long kmax, size_t n, int *dof)
{
    double chi2 = 0, e = 0, o = 0, tail = 1.0;
    int bins = 0;
    for (long k = 1; k <= kmax; k++) {
        double pk = y90_cluster_pmf(sp, k);
        tail -= pk;
        e += pk * (double)n;
        o += (double)counts[k];
        if (e >= 5.0 && tail * (double)n >= 5.0) {
            chi2 += (o - e) * (o - e) / e;
            bins++;
            e = o = 0;
        }
    }
    size_t rest = 0; /* the last bin: what is left of the counts and the tail beyond kmax */
    for (long k = 1; k <= kmax; k++) rest += counts[k];
    e += tail * (double)n;
    o += (double)(n - rest);
    if (e > 0) {
        chi2 += (o - e) * (o - e) / e;
        bins++;
    }
    *dof = bins - 1;
    return gsl_cdf_chisq_Q(chi2, *dof);
}

const char *const y90t_box_yaml = "phantom:\n  type: box\n  voxel_mm: 5\n  box_size_mm: [50, 50, 50]\n  material: water\n"
                                  "source:\n  type: uniform_box\ntreatment:\n  activity_gbq: 1.0\n"
                                  "transport:\n  kernel: local\n  histories: 20000\n";

void y90t_box_run(const char *path)
{
    y90t_pathbuf cfg = y90t_twrite("box.yaml", y90t_box_yaml);
    char *msg = NULL;
    int rc = y90t_clif(&msg, "run %s -o %s --quiet --force", cfg.s, path);
    if (rc) fprintf(stderr, "\n    %s ", msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(msg);
}

int y90t_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}
