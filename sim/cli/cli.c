/* y90mc CLI: check, phantom, run and config-reference. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include "cli.h"
#include "y90/config.h"
#include "y90/io.h"
#include "y90/run.h"

int y90_cli_fail(const y90_error *e)
{
    fprintf(stderr, "y90mc: %s\n", e->msg[0] ? e->msg : "error");
    switch (e->code) {
    case Y90_OK: return 0;
    case Y90_EINPUT: case Y90_ENOMEM: return 2;
    case Y90_EINTERRUPTED: return 130;
    default: return 1;
    }
}

int y90_cli_usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "y90mc %s: %s%s%s (see y90mc --help)\n", cmd, msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

int y90_cli_number(const char *cmd, const char *opt, const char *s, double lo, double hi, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end || errno || !(*v >= lo && *v <= hi)) {
        fprintf(stderr, "y90mc %s: %s '%s': expected a number in [%g, %g]\n", cmd, opt, s, lo, hi);
        return -1;
    }
    return 0;
}

/* Parse a whole number option value in [lo, hi]. */
static int opt_i64(const char *cmd, const char *name, const char *s, double lo, double hi, int64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= lo && v <= hi) || v != floor(v)) {
        fprintf(stderr, "y90mc %s: %s '%s': expected a whole number in [%g, %g]\n", cmd, name, s, lo, hi);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

int y90_cli_check(int argc, char **argv)
{
    if (argc != 2) return y90_cli_usage_error("check", "expected exactly one CONFIG", NULL);
    y90_config c;
    y90_error e = {0};
    if (y90_config_load(argv[1], &c, &e)) return y90_cli_fail(&e);
    int rc = y90_run_check(&c, stderr, &e) ? y90_cli_fail(&e) : 0;
    if (!rc) printf("%s: valid (phantom and sources built)\n", argv[1]);
    y90_config_free(&c);
    return rc;
}

int y90_cli_config_reference(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    y90_config_print_reference(stdout);
    return 0;
}

int y90_cli_phantom(int argc, char **argv)
{
    const char *cfgpath = NULL, *out = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--force")) force = 1;
        else if (argv[i][0] == '-') return y90_cli_usage_error("phantom", "unknown option", argv[i]);
        else if (!cfgpath) cfgpath = argv[i];
        else return y90_cli_usage_error("phantom", "more than one CONFIG", argv[i]);
    }
    if (!cfgpath || !out) return y90_cli_usage_error("phantom", "expected CONFIG and -o PHANTOM.h5", NULL);
    y90_config c;
    y90_error e = {0};
    if (y90_config_load(cfgpath, &c, &e)) return y90_cli_fail(&e);
    int rc = y90_run_phantom(&c, out, force, stderr, &e) ? y90_cli_fail(&e) : 0;
    if (!rc) fprintf(stderr, "wrote %s\n", out);
    y90_config_free(&c);
    return rc;
}

static volatile int stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct {
    double t0, last;
    int tty, quiet, last_pct;
} progress_state;

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress(int64_t done, int64_t total, void *user)
{
    progress_state *p = user;
    if (p->quiet) return;
    double t = wall_s() - p->t0, eta = done > 0 ? t * (double)(total - done) / (double)done : 0;
    int pct = (int)(100.0 * (double)done / (double)total);
    if (p->tty) {
        fprintf(stderr, "\r[run] %3d %%  %lld/%lld histories  %.1f s  ETA %.1f s   ", pct, (long long)done,
                (long long)total, t, eta);
        if (done == total) fputc('\n', stderr);
    } else if (pct / 10 != p->last_pct / 10 || done == total) {
        fprintf(stderr, "[run] %3d %%  %lld/%lld histories  %.1f s  ETA %.1f s\n", pct, (long long)done,
                (long long)total, t, eta);
    }
    p->last_pct = pct;
}

/* One option of `run` (also taken by `plan CONFIG`) at argv[*i]: 1 when taken (and *i moved past its value),
 * 0 when it is not a run option, -1 after a message on a bad value. */
int y90_cli_run_option(const char *cmd, int argc, char **argv, int *i, y90_cli_run_opts *o)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--histories") && v) return opt_i64(cmd, a, argv[++*i], 1, 1e13, &o->hist) ? -1 : 1;
    if (!strcmp(a, "--threads") && v) return opt_i64(cmd, a, argv[++*i], 1, 4096, &o->threads) ? -1 : 1;
    if (!strcmp(a, "--seed") && v) {
        char *end;
        errno = 0;
        o->seed = strtoull(argv[++*i], &end, 10);
        if (*end || end == argv[*i] || errno || argv[*i][0] == '-') {
            y90_cli_usage_error(cmd, "--seed: expected a whole number in [0, 2^64-1]", argv[*i]);
            return -1;
        }
        o->have_seed = 1;
        return 1;
    }
    if (!strcmp(a, "--kernel") && v) {
        o->kernel = argv[++*i];
        if (strcmp(o->kernel, "mc") && strcmp(o->kernel, "local")) {
            y90_cli_usage_error(cmd, "--kernel: expected mc or local", o->kernel);
            return -1;
        }
        return 1;
    }
    if (!strcmp(a, "--quiet")) return o->quiet = 1;
    return 0;
}

/* Run cfg into out with the command-line overrides; Ctrl-C stops after the current batch and writes what is
 * finished (a second one kills). */
int y90_cli_simulate(y90_config *c, const y90_cli_run_opts *ro, const char *out, int force)
{
    if (ro->hist > 0) c->transport.histories = ro->hist;
    if (ro->threads > 0) c->transport.threads = (int)ro->threads;
    if (ro->have_seed) c->transport.seed = (uint64_t)ro->seed;
    if (ro->kernel) c->transport.kernel = !strcmp(ro->kernel, "mc") ? Y90_KERNEL_MC : Y90_KERNEL_LOCAL;
    progress_state ps = {.t0 = wall_s(), .tty = isatty(2), .quiet = ro->quiet, .last_pct = -1};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    y90_run_options o = {out, force, progress, &ps, &stop_requested, ro->quiet ? NULL : stderr};
    y90_error e = {0};
    return y90_run(c, &o, &e) ? y90_cli_fail(&e) : 0;
}

int y90_cli_run(int argc, char **argv)
{
    const char *cfgpath = NULL, *out = NULL;
    int force = 0;
    y90_cli_run_opts ro = {.hist = -1, .threads = -1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int took = y90_cli_run_option("run", argc, argv, &i, &ro);
        if (took < 0) return 2;
        if (took) continue;
        if (!strcmp(a, "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(a, "--force")) force = 1;
        else if (a[0] == '-') return y90_cli_usage_error("run", "unknown option or missing value", a);
        else if (!cfgpath) cfgpath = a;
        else return y90_cli_usage_error("run", "more than one CONFIG", a);
    }
    if (!cfgpath || !out) return y90_cli_usage_error("run", "expected CONFIG and -o OUT.h5", NULL);
    y90_config c;
    y90_error e = {0};
    if (y90_config_load(cfgpath, &c, &e)) return y90_cli_fail(&e);
    int rc = y90_cli_simulate(&c, &ro, out, force);
    if (!rc && !ro.quiet) fprintf(stderr, "wrote %s\n", out);
    y90_config_free(&c);
    return rc;
}
