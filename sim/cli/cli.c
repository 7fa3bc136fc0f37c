/* y90mc CLI: check, phantom, run and config-reference. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include "cli.h"
#include "y90/config.h"
#include "y90/io.h"
#include "y90/run.h"

static int exit_status(const y90_error *e)
{
    switch (e->code) {
    case Y90_OK: return 0;
    case Y90_EINPUT: case Y90_ENOMEM: return 2;
    case Y90_EINTERRUPTED: return 130;
    default: return 1;
    }
}

int y90_cli_fail(const y90_error *e)
{
    fprintf(stderr, "y90mc: %s\n", e->msg[0] ? e->msg : "error");
    return exit_status(e);
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

/* The --set KEY=VALUE overrides of one command line (and the options that are shorthands for them). */
#define CLI_MAX_SETS 256
typedef struct {
    const char *v[CLI_MAX_SETS];
    int n;
    char own[12][128]; /* text of the shorthand options (--histories N -> transport.histories=N) */
    int nown;
} cli_sets;

static int sets_add(cli_sets *s, const char *cmd, const char *kv)
{
    if (s->n >= CLI_MAX_SETS) return y90_cli_usage_error(cmd, "too many --set options (at most 256)", kv);
    s->v[s->n++] = kv;
    return 0;
}

static int sets_add_own(cli_sets *s, const char *cmd, const char *key, const char *value)
{
    if (s->nown >= 12) return y90_cli_usage_error(cmd, "too many options", key);
    char *b = s->own[s->nown++];
    snprintf(b, sizeof s->own[0], "%s=%s", key, value);
    return sets_add(s, cmd, b);
}

int y90_cli_check(int argc, char **argv)
{
    const char *cfgpath = NULL;
    cli_sets sets = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--set") && i + 1 < argc) { if (sets_add(&sets, "check", argv[++i])) return 2; }
        else if (argv[i][0] == '-') return y90_cli_usage_error("check", "unknown option or missing value", argv[i]);
        else if (!cfgpath) cfgpath = argv[i];
        else return y90_cli_usage_error("check", "expected exactly one CONFIG", argv[i]);
    }
    if (!cfgpath) return y90_cli_usage_error("check", "expected exactly one CONFIG", NULL);
    y90_config c;
    y90_error e = {0};
    if (y90_config_load_sets(cfgpath, sets.v, sets.n, &c, &e)) return y90_cli_fail(&e);
    int rc = y90_run_check(&c, stderr, &e) ? y90_cli_fail(&e) : 0;
    if (!rc) printf("%s: valid (phantom and sources built)\n", cfgpath);
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
    cli_sets sets = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--set") && i + 1 < argc) { if (sets_add(&sets, "phantom", argv[++i])) return 2; }
        else if (!strcmp(argv[i], "--force")) force = 1;
        else if (argv[i][0] == '-') return y90_cli_usage_error("phantom", "unknown option", argv[i]);
        else if (!cfgpath) cfgpath = argv[i];
        else return y90_cli_usage_error("phantom", "more than one CONFIG", argv[i]);
    }
    if (!cfgpath || !out) return y90_cli_usage_error("phantom", "expected CONFIG and -o PHANTOM.h5", NULL);
    y90_config c;
    y90_error e = {0};
    if (y90_config_load_sets(cfgpath, sets.v, sets.n, &c, &e)) return y90_cli_fail(&e);
    int rc = y90_run_phantom(&c, out, force, stderr, &e) ? y90_cli_fail(&e) : 0;
    if (!rc) fprintf(stderr, "wrote %s\n", out);
    y90_config_free(&c);
    return rc;
}

volatile int y90_cli_stop;
static void on_signal(int sig)
{
    (void)sig;
    y90_cli_stop = 1;
}

void y90_cli_catch_signals(void)
{
    /* the first Ctrl-C stops after the current batch and writes what is finished; a second one kills */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void y90_cli_progress_init(y90_cli_progress_state *p, const char *label, int quiet)
{
    p->label = label;
    p->t0 = y90_wall_s();
    p->tty = isatty(2);
    p->quiet = quiet;
    p->last_pct = -1;
    p->last_done = p->done0 = 0;
    p->t_done0 = p->t0;
}

void y90_cli_progress(int64_t done, int64_t total, void *user)
{
    y90_cli_progress_state *p = user;
    if (p->quiet) return;
    double now = y90_wall_s();
    if (done < p->last_done) p->t0 = now; /* a new run (next sweep point) */
    if (done < p->last_done || p->last_done == 0) { /* the rate counts from here: a resumed run starts far along */
        p->done0 = done;
        p->t_done0 = now;
    }
    p->last_done = done;
    double t = now - p->t0, eta = done > p->done0 ? (now - p->t_done0) * (double)(total - done) / (double)(done - p->done0)
                                                  : 0;
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

/* A duration ("90", "90s", "5m", "1.5h", "2d") as seconds into buf; -1 after a message. */
static int opt_duration(const char *opt, const char *s, char *buf, size_t len)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end), unit = 1;
    if (end != s && !strcmp(end, "m")) unit = 60;
    else if (end != s && !strcmp(end, "h")) unit = 3600;
    else if (end != s && !strcmp(end, "d")) unit = 86400;
    else if (end != s && *end && strcmp(end, "s")) end = (char *)s;
    if (end == s || errno || !(v >= 0) || !(v * unit <= 1e9)) {
        fprintf(stderr, "y90mc run: %s '%s': expected a duration: seconds, or a number with s, m, h or d (e.g. 10m)\n",
                opt, s);
        return -1;
    }
    snprintf(buf, len, "%.17g", v * unit);
    return 0;
}

/* A relative uncertainty ("2%" or "0.02") as a fraction into buf; -1 after a message. */
static int opt_fraction(const char *opt, const char *s, char *buf, size_t len)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && !strcmp(end, "%")) v /= 100;
    else if (*end) end = (char *)s;
    if (end == s || errno || !(v > 0 && v < 1)) {
        fprintf(stderr, "y90mc run: %s '%s': expected a relative uncertainty in (0, 1) or a percentage (e.g. 2%%)\n",
                opt, s);
        return -1;
    }
    snprintf(buf, len, "%.17g", v);
    return 0;
}

int y90_cli_run(int argc, char **argv)
{
    const char *cfgpath = NULL, *out = NULL, *kernel = NULL, *cache = NULL;
    int force = 0, quiet = 0;
    int64_t hist = -1, threads = -1;
    unsigned long long seed_u = 0;
    int have_seed = 0, part_index = 0, part_count = 0, resume = 0;
    cli_sets sets = {0};
    char val[64];
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
                return y90_cli_usage_error("run", "--seed: expected a whole number in [0, 2^64-1]", argv[i]);
            have_seed = 1;
        }
        else if (!strcmp(a, "--kernel") && v) kernel = argv[++i];
        else if (!strcmp(a, "--set") && v) { if (sets_add(&sets, "run", argv[++i])) return 2; }
        else if (!strcmp(a, "--part") && v) {
            char *end;
            errno = 0;
            long pi = strtol(argv[++i], &end, 10), pn = *end == '/' ? strtol(end + 1, &end, 10) : 0;
            if (*end || errno || pi < 1 || pn < 1 || pi > pn || pn > 1000000)
                return y90_cli_usage_error("run", "--part: expected I/N with 1 <= I <= N <= 1000000, e.g. --part 2/4", argv[i]);
            part_index = (int)pi;
            part_count = (int)pn;
        }
        else if (!strcmp(a, "--kernel-cache") && v) cache = argv[++i];
        else if (!strcmp(a, "--checkpoint-every") && v) {
            if (opt_duration(a, argv[++i], val, sizeof val) || sets_add_own(&sets, "run", "output.checkpoint_s", val))
                return 2;
        }
        else if (!strcmp(a, "--time-limit") && v) {
            if (opt_duration(a, argv[++i], val, sizeof val) || sets_add_own(&sets, "run", "transport.time_limit_s", val))
                return 2;
        }
        else if (!strcmp(a, "--target-uncertainty") && v) {
            if (opt_fraction(a, argv[++i], val, sizeof val) ||
                sets_add_own(&sets, "run", "transport.target_uncertainty", val))
                return 2;
        }
        else if (!strcmp(a, "--target-structure") && v) {
            if (sets_add_own(&sets, "run", "transport.target_structure", argv[++i])) return 2;
        }
        else if (!strcmp(a, "--resume")) resume = 1;
        else if (!strcmp(a, "--force")) force = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (a[0] == '-') return y90_cli_usage_error("run", "unknown option or missing value", a);
        else if (!cfgpath) cfgpath = a;
        else return y90_cli_usage_error("run", "more than one CONFIG", a);
    }
    if (!cfgpath || !out) return y90_cli_usage_error("run", "expected CONFIG and -o OUT.h5", NULL);
    if (kernel && strcmp(kernel, "mc") && strcmp(kernel, "local") && strcmp(kernel, "dvk") && strcmp(kernel, "dvk_density"))
        return y90_cli_usage_error("run", "--kernel: expected mc, local, dvk or dvk_density", kernel);
    /* the shorthand options are overrides like --set: validated by the config table and recorded */
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)hist);
    if (hist > 0 && sets_add_own(&sets, "run", "transport.histories", num)) return 2;
    snprintf(num, sizeof num, "%lld", (long long)threads);
    if (threads >= 0 && sets_add_own(&sets, "run", "transport.threads", num)) return 2; /* 0: all cores */
    snprintf(num, sizeof num, "%llu", seed_u);
    if (have_seed && sets_add_own(&sets, "run", "transport.seed", num)) return 2;
    if (kernel && sets_add_own(&sets, "run", "transport.kernel", kernel)) return 2;
    y90_config c;
    y90_error e = {0};
    if (y90_config_load_sets(cfgpath, sets.v, sets.n, &c, &e)) return y90_cli_fail(&e);
    y90_cli_catch_signals();
    int rank = y90_mpi_rank();
    if (rank != 0) quiet = 1; /* under mpirun rank 0 speaks */
    y90_cli_progress_state ps;
    y90_cli_progress_init(&ps, "run", quiet);
    int finished_already = 0;
    y90_run_options o = {.out_path = out, .force = force, .progress = y90_cli_progress, .progress_user = &ps,
                         .stop = &y90_cli_stop, .log = quiet ? NULL : stderr, .kernel_cache = cache,
                         .resume = resume, .finished_already = &finished_already};
    y90_status st;
    if (part_count > 0 && y90_mpi_size() > 1) st = Y90_FAIL(&e, Y90_EINPUT, "--part and mpirun exclude each other");
    else if (part_count > 0) st = y90_run_part(&c, &o, part_index, part_count, &e);
    else st = y90_run_ranks(&c, &o, &e);
    int rc = !st ? 0 : rank == 0 ? y90_cli_fail(&e) : exit_status(&e); /* one message, from rank 0 */
    if (!rc && y90_cli_stop) { /* the signal came while the finished result was being written */
        if (rank == 0) fprintf(stderr, "y90mc: interrupted while writing; the complete result was written to %s\n", out);
        rc = 130;
    } else if (!rc && !quiet && !finished_already) fprintf(stderr, "wrote %s\n", out);
    y90_config_free(&c);
    return rc;
}

int y90_cli_merge(int argc, char **argv)
{
    const char *out = NULL;
    int force = 0, n = 0, quiet = 0;
    const char **parts = calloc((size_t)argc, sizeof *parts);
    if (!parts) return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--force")) force = 1;
        else if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else if (argv[i][0] == '-') { free(parts); return y90_cli_usage_error("merge", "unknown option or missing value", argv[i]); }
        else parts[n++] = argv[i];
    }
    if (!out || n == 0) {
        free(parts);
        return y90_cli_usage_error("merge", "expected PART.h5... -o OUT.h5", NULL);
    }
    y90_error e = {0};
    int rc = y90_merge_parts(parts, n, out, force, quiet ? NULL : stderr, &e) ? y90_cli_fail(&e) : 0;
    if (!rc && !quiet) fprintf(stderr, "wrote %s\n", out);
    free(parts);
    return rc;
}
