/* y90mc: merging the parts of a run (`run --part I/N`) by adding their integer tallies: the result is the whole
 * run's bit for bit, because the tallies are exact integer sums over per-history random streams. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/io.h"
#include "y90/phantom.h"
#include "y90/run.h"
#include "y90/source.h"
#include "run_internal.h"

#define TEXT_MAX (1u << 20) /* config texts read back from a part */

typedef struct {
    const char *path;
    double index, count, first, histories, total, runtime;
    char *effective, *config, *config_path, *overrides;
} part_info;

static void part_free(part_info *p)
{
    free(p->effective);
    free(p->config);
    free(p->config_path);
    free(p->overrides);
}

/* A string attribute of "/" (malloc'd); a missing optional one gives NULL and Y90_OK. */
static y90_status read_text(const char *path, const char *name, int optional, char **out, y90_error *err)
{
    char *buf = malloc(TEXT_MAX);
    *out = NULL;
    if (!buf) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", path);
    y90_error e = {0};
    y90_status st = y90_io_read_attr_string(path, "/", name, buf, TEXT_MAX, &e);
    if (st && optional && strstr(e.msg, "no attribute")) st = Y90_OK, buf[0] = 0;
    else if (st && err) *err = e;
    else if (!st && strlen(buf) >= TEXT_MAX - 1)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s longer than 1 MB", path, name);
    if (st || !buf[0]) {
        free(buf);
        buf = NULL;
    }
    *out = buf;
    return st;
}

/* A count attribute of a part: a whole number in [lo, hi] (a corrupt or edited file may hold anything). */
static y90_status check_count(const char *path, const char *name, double v, double lo, double hi, y90_error *err)
{
    if (v >= lo && v <= hi && v == floor(v)) return Y90_OK;
    return Y90_FAIL(err, Y90_EINPUT, "%s: attribute %s = %g; expected a whole number in [%.0f, %.0f] (a corrupt part "
                    "file?)", path, name, v, lo, hi);
}

static y90_status read_part(const char *path, part_info *p, y90_error *err)
{
    memset(p, 0, sizeof *p);
    p->path = path;
    y90_error e = {0};
    if (y90_io_read_attr_double(path, "/", "part_count", &p->count, &e)) {
        if (strstr(e.msg, "no attribute"))
            return Y90_FAIL(err, Y90_EINPUT, "%s: not a part of a run (expected files of y90mc run --part I/N)", path);
        if (err) *err = e;
        return e.code;
    }
    y90_status st = y90_io_read_attr_double(path, "/", "part_index", &p->index, err);
    if (!st) st = y90_io_read_attr_double(path, "/", "part_first_history", &p->first, err);
    if (!st) st = y90_io_read_attr_double(path, "/", "histories", &p->histories, err);
    if (!st) st = y90_io_read_attr_double(path, "/", "histories_total", &p->total, err);
    if (!st) st = y90_io_read_attr_double(path, "/", "runtime_s", &p->runtime, err);
    if (!st) st = check_count(path, "part_count", p->count, 1, INT_MAX, err);
    if (!st) st = check_count(path, "part_index", p->index, 1, p->count, err);
    if (!st) st = check_count(path, "histories_total", p->total, 1, 1e18, err);
    if (!st) st = check_count(path, "part_first_history", p->first, 0, p->total, err);
    if (!st) st = check_count(path, "histories", p->histories, 0, p->total, err);
    if (!st) st = read_text(path, "config_effective", 0, &p->effective, err);
    if (!st) st = read_text(path, "config", 0, &p->config, err);
    if (!st) st = read_text(path, "config_path", 0, &p->config_path, err);
    if (!st) st = read_text(path, "config_overrides", 1, &p->overrides, err);
    return st;
}

/* Keys that do not change the result of the histories done: the parts of one run, or a run and its resumption, may
 * differ in them. */
static int result_neutral(const char *section, const char *line, size_t len)
{
    static const char *const transport[] = {"threads:", "time_limit_s:", "target_uncertainty:", "target_structure:"};
    static const char *const output[] = {"max_memory_gb:", "checkpoint_s:"};
    int t = !strcmp(section, "transport"), o = !strcmp(section, "output");
    for (size_t i = 0; t && i < sizeof transport / sizeof transport[0]; i++)
        if (len >= strlen(transport[i]) && !strncmp(line, transport[i], strlen(transport[i]))) return 1;
    for (size_t i = 0; o && i < sizeof output / sizeof output[0]; i++)
        if (len >= strlen(output[i]) && !strncmp(line, output[i], strlen(output[i]))) return 1;
    return 0;
}

int y90_config_first_difference(const char *a, const char *b, char *out_a, char *out_b, size_t len)
{
    char section[64] = "";
    while (*a || *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (a[0] && a[0] != ' ') snprintf(section, sizeof section, "%.*s", (int)(la < 63 ? la - (la > 0) : 63), a);
        const char *ta = a, *tb = b;
        size_t ka = la, kb = lb;
        while (*ta == ' ') ta++, ka--;
        while (*tb == ' ') tb++, kb--;
        if ((la != lb || strncmp(a, b, la)) && !(result_neutral(section, ta, ka) && result_neutral(section, tb, kb))) {
            snprintf(out_a, len, "%s%s%.*s", a[0] == ' ' ? section : "", a[0] == ' ' ? ": " : "", (int)ka, ta);
            snprintf(out_b, len, "%s%s%.*s", b[0] == ' ' ? section : "", b[0] == ' ' ? ": " : "", (int)kb, tb);
            return 1;
        }
        a += la + (a[la] ? 1 : 0);
        b += lb + (b[lb] ? 1 : 0);
    }
    return 0;
}

/* Every part 1..n once, of one config and seeds, each complete. */
static y90_status check_parts(const part_info *p, int n, y90_error *err)
{
    for (int i = 0; i < n; i++) {
        if (p[i].count != n)
            return Y90_FAIL(err, Y90_EINPUT, "%s is part %.0f of %.0f, but %d file%s given; expected all %.0f parts of "
                            "one run", p[i].path, p[i].index, p[i].count, n, n == 1 ? " was" : "s were", p[i].count);
        char da[256], db[256];
        if (y90_config_first_difference(p[i].effective, p[0].effective, da, db, sizeof da)) {
            return Y90_FAIL(err, Y90_EINPUT, "%s and %s are parts of different runs (config or seeds differ: '%s' "
                            "against '%s'); expected the parts of one run", p[i].path, p[0].path, da, db);
        }
        for (int j = 0; j < i; j++)
            if (p[j].index == p[i].index)
                return Y90_FAIL(err, Y90_EINPUT, "%s and %s are both part %.0f of %d; expected each part once",
                                p[j].path, p[i].path, p[i].index, n);
        int64_t first, count;
        y90_part_range((int64_t)p[i].total, (int)p[i].index, n, &first, &count);
        if ((double)first != p[i].first || p[i].histories != (double)count)
            return Y90_FAIL(err, Y90_EINPUT, "%s: part %.0f of %d holds %.0f histories from %.0f, expected %lld from "
                            "%lld (an interrupted part? run it again)", p[i].path, p[i].index, n, p[i].histories,
                            p[i].first, (long long)count, (long long)first);
    }
    return Y90_OK;
}

/* The run's config from the first part: the values from config_effective, the texts as the run stored them. */
static y90_status part_config(const part_info *p, y90_config *c, y90_error *err)
{
    char name[1200];
    snprintf(name, sizeof name, "%s (config_effective)", p->path);
    y90_status st = y90_config_parse(name, p->effective, strlen(p->effective), c, err);
    if (st) return st;
    free(c->yaml_text);
    c->yaml_text = strdup(p->config);
    c->overrides = p->overrides ? strdup(p->overrides) : NULL;
    snprintf(c->path, sizeof c->path, "%s", p->config_path);
    if (!c->yaml_text || (p->overrides && !c->overrides)) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", p->path);
    return Y90_OK;
}

y90_status y90_merge_parts(const char *const *parts, int nparts, const char *out_path, int force, FILE *log,
                           y90_error *err)
{
    if (nparts < 1) return Y90_FAIL(err, Y90_EINPUT, "merge: expected the part files");
    y90_status st = y90_check_output(out_path, force, err);
    if (st) return st;
    part_info *p = calloc((size_t)nparts, sizeof *p);
    if (!p) return Y90_FAIL(err, Y90_ENOMEM, "merge: out of memory");
    for (int i = 0; i < nparts && !st; i++) st = read_part(parts[i], &p[i], err);
    if (!st) st = check_parts(p, nparts, err);
    y90_config c;
    int have_config = 0;
    y90_grid g = {0};
    y90_sources src = {0};
    y90_tally sum = {0}, one = {0};
    y90_run_result res = {0};
    if (!st) st = part_config(&p[0], &c, err);
    have_config = !st;
    /* the phantom and the sources are rebuilt from the config (their seeds make them the run's own) */
    if (!st) {
        y90_phantom_params pp = y90_config_phantom(&c);
        st = y90_phantom_build(&pp, y90_memory_limit_bytes(c.output.max_memory_gb), &g, NULL, err);
    }
    if (!st) st = y90_sources_build(&c, &g, &src, err);
    if (!st) st = y90_tally_alloc(&sum, y90_grid_nvox(&g), err);
    if (!st) st = y90_tally_alloc(&one, y90_grid_nvox(&g), err);
    double runtime = 0;
    for (int i = 0; i < nparts && !st; i++) {
        st = y90_io_read_tally(parts[i], &one, err);
        if (!st) y90_tally_add(&sum, &one);
        runtime += p[i].runtime;
    }
    if (!st) st = y90_tally_to_result(&sum, &g, c.transport.histories, src.decays, &res, err);
    if (!st) {
        res.seed = c.transport.seed;
        res.kernel = c.transport.kernel == Y90_KERNEL_MC ? "mc" : "local";
        res.threads = c.transport.threads;
        res.runtime_s = runtime; /* the parts' kernel time together */
        res.histories_requested = c.transport.histories;
        st = y90_io_write_run(out_path, force, &c, &g, &src, &res, err);
    }
    if (!st && log)
        fprintf(log, "merged %d parts: %lld histories of seed %llu\n", nparts, (long long)c.transport.histories,
                (unsigned long long)c.transport.seed);
    y90_run_result_free(&res);
    y90_tally_free(&sum);
    y90_tally_free(&one);
    y90_sources_free(&src);
    y90_grid_free(&g);
    if (have_config) y90_config_free(&c);
    for (int i = 0; i < nparts; i++) part_free(&p[i]);
    free(p);
    return st;
}
