/* y90mc CLI: check, phantom, run, report and config-reference. */
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
#include "y90/report.h"
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

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "y90mc %s: %s%s%s (see y90mc --help)\n", cmd, msg, arg ? ": " : "", arg ? arg : "");
    return 2;
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
    if (argc != 2) return usage_error("check", "expected exactly one CONFIG", NULL);
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
        else if (argv[i][0] == '-') return usage_error("phantom", "unknown option", argv[i]);
        else if (!cfgpath) cfgpath = argv[i];
        else return usage_error("phantom", "more than one CONFIG", argv[i]);
    }
    if (!cfgpath || !out) return usage_error("phantom", "expected CONFIG and -o PHANTOM.h5", NULL);
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

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void y90_cli_progress_init(y90_cli_progress_state *p, const char *label, int quiet)
{
    p->label = label;
    p->t0 = wall_s();
    p->tty = isatty(2);
    p->quiet = quiet;
    p->last_pct = -1;
}

void y90_cli_progress(int64_t done, int64_t total, void *user)
{
    y90_cli_progress_state *p = user;
    if (p->quiet) return;
    double t = wall_s() - p->t0, eta = done > 0 ? t * (double)(total - done) / (double)done : 0;
    int pct = (int)(100.0 * (double)done / (double)total);
    if (p->tty) {
        fprintf(stderr, "\r[%s] %3d %%  %lld/%lld histories  %.1f s  ETA %.1f s   ", p->label, pct, (long long)done,
                (long long)total, t, eta);
        if (done == total) fputc('\n', stderr);
    } else if (pct / 10 != p->last_pct / 10 || done == total) {
        fprintf(stderr, "[%s] %3d %%  %lld/%lld histories  %.1f s  ETA %.1f s\n", p->label, pct, (long long)done,
                (long long)total, t, eta);
    }
    p->last_pct = pct;
}

int y90_cli_run(int argc, char **argv)
{
    const char *cfgpath = NULL, *out = NULL, *kernel = NULL;
    int force = 0, quiet = 0;
    int64_t hist = -1, threads = -1;
    unsigned long long seed_u = 0;
    int have_seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-o") && v) out = argv[++i];
        else if (!strcmp(a, "--histories") && v) { if (opt_i64("run", a, argv[++i], 1, 1e13, &hist)) return 2; }
        else if (!strcmp(a, "--threads") && v) { if (opt_i64("run", a, argv[++i], 0, 4096, &threads)) return 2; }
        else if (!strcmp(a, "--seed") && v) {
            char *end;
            errno = 0;
            seed_u = strtoull(argv[++i], &end, 10);
            if (*end || end == argv[i] || errno || argv[i][0] == '-')
                return usage_error("run", "--seed: expected a whole number in [0, 2^64-1]", argv[i]);
            have_seed = 1;
        }
        else if (!strcmp(a, "--kernel") && v) kernel = argv[++i];
        else if (!strcmp(a, "--force")) force = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (a[0] == '-') return usage_error("run", "unknown option or missing value", a);
        else if (!cfgpath) cfgpath = a;
        else return usage_error("run", "more than one CONFIG", a);
    }
    if (!cfgpath || !out) return usage_error("run", "expected CONFIG and -o OUT.h5", NULL);
    y90_config c;
    y90_error e = {0};
    if (y90_config_load(cfgpath, &c, &e)) return y90_cli_fail(&e);
    if (hist > 0) c.transport.histories = hist;
    if (threads >= 0) c.transport.threads = (int)threads; /* 0: all cores, as in the config */
    if (have_seed) c.transport.seed = (uint64_t)seed_u;
    if (kernel) {
        if (!strcmp(kernel, "mc")) c.transport.kernel = Y90_KERNEL_MC;
        else if (!strcmp(kernel, "local")) c.transport.kernel = Y90_KERNEL_LOCAL;
        else { y90_config_free(&c); return usage_error("run", "--kernel: expected mc or local", kernel); }
    }
    y90_cli_progress_state ps;
    y90_cli_progress_init(&ps, "run", quiet);
    /* the first Ctrl-C stops after the current batch and writes what is finished; a second one kills */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    y90_run_options o = {out, force, y90_cli_progress, &ps, &stop_requested, quiet ? NULL : stderr};
    int rc = y90_run(&c, &o, &e) ? y90_cli_fail(&e) : 0;
    if (!rc && stop_requested) { /* the signal came while the finished result was being written */
        fprintf(stderr, "y90mc: interrupted while writing; the complete result was written to %s\n", out);
        rc = 130;
    } else if (!rc && !quiet) fprintf(stderr, "wrote %s\n", out);
    y90_config_free(&c);
    return rc;
}

int y90_cli_report(int argc, char **argv)
{
    const char *path = NULL, *dvh = NULL;
    int json = 0, force = 0;
    double presc = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--force")) force = 1;
        else if (!strcmp(argv[i], "--dvh-csv") && i + 1 < argc) dvh = argv[++i];
        else if (!strcmp(argv[i], "--prescription-gy") && i + 1 < argc) {
            char *end;
            presc = strtod(argv[++i], &end);
            if (*end || !(presc > 0 && presc < 1e5))
                return usage_error("report", "--prescription-gy: expected a dose in Gy, > 0", argv[i]);
        } else if (argv[i][0] == '-') return usage_error("report", "unknown option or missing value", argv[i]);
        else if (!path) path = argv[i];
        else return usage_error("report", "more than one file", argv[i]);
    }
    if (!path) return usage_error("report", "expected OUT.h5", NULL);
    y90_error e = {0};
    if (dvh && (y90_check_output(dvh, force, &e) || y90_check_not_input(dvh, path, &e))) return y90_cli_fail(&e);
    if (dvh) y90_remove_stale_temps(dvh, stderr);
    y90_report *r = calloc(1, sizeof *r);
    if (!r) return 1;
    int rc = 0;
    if (y90_report_compute(path, presc, r, &e)) rc = y90_cli_fail(&e);
    else {
        if (json) y90_report_print_json(r, stdout);
        else y90_report_print_text(r, stdout);
        if (dvh && y90_report_write_dvh_csv(path, dvh, force, &e)) rc = y90_cli_fail(&e);
    }
    free(r);
    return rc;
}
