/* y90mc sweeps: the sweep file (include/y90/sweep.h), its points as --set overrides of the base config, and the
 * state of each point's files. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "y90/io.h"
#include "y90/sweep.h"

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* Read a whole file (malloc'd, NUL-terminated). */
static char *slurp(const char *path, size_t *len, y90_error *err, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        Y90_FAIL(err, Y90_EINPUT, "%s: cannot open %s: %s", path, what, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
        if (n + 1 == cap) {
            char *nb = cap < (64u << 20) ? realloc(buf, 2 * cap) : NULL;
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        Y90_FAIL(err, Y90_EINPUT, "%s: %s too large or out of memory", path, what);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* path relative to the folder of `from` (absolute paths stay). */
static void resolve(const char *from, const char *path, char *out, size_t len)
{
    const char *slash = strrchr(from, '/');
    if (path[0] == '/' || !slash) snprintf(out, len, "%s", path);
    else snprintf(out, len, "%.*s/%s", (int)(slash - from), from, path);
}

/* A value node as YAML text: a scalar as written, a sequence of scalars as a flow list. */
static int node_text(yaml_document_t *doc, yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_SCALAR_NODE) return snprintf(buf, len, "%s", scalar(n)) >= (int)len ? -1 : 0;
    if (n->type != YAML_SEQUENCE_NODE) return -1;
    size_t used = (size_t)snprintf(buf, len, "[");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(doc, *it);
        if (!e || e->type != YAML_SCALAR_NODE) return -1;
        used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
                                 it == n->data.sequence.items.start ? "" : ", ", scalar(e));
    }
    used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "]");
    return used < len ? 0 : -1;
}

static int number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && !errno && isfinite(*v) ? 0 : -1;
}

/* The values of one varied key: a list, or {from, to, step} / {from, to, count}. */
static y90_status parse_values(y90_sweep *s, yaml_document_t *doc, int k, yaml_node_t *v, y90_error *err)
{
    char buf[1024];
    int n = 0;
    if (v->type == YAML_SEQUENCE_NODE) {
        n = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (n < 1 || n > Y90_SWEEP_MAX_VALUES)
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s: expected a list of 1 to %d values", s->path, line_of(v),
                            s->key[k], Y90_SWEEP_MAX_VALUES);
        s->values[k] = calloc((size_t)n, sizeof(char *));
        if (!s->values[k]) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", s->path);
        for (int i = 0; i < n; i++) {
            yaml_node_t *e = yaml_document_get_node(doc, v->data.sequence.items.start[i]);
            if (node_text(doc, e, buf, sizeof buf))
                return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s[%d]: expected a value (a scalar or a flat list)",
                                s->path, line_of(e), s->key[k], i);
            if (!(s->values[k][i] = strdup(buf))) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", s->path);
            s->nvalues[k]++;
        }
        return Y90_OK;
    }
    if (v->type != YAML_MAPPING_NODE)
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s: expected a list of values or a range {from, to, step} or "
                        "{from, to, count}", s->path, line_of(v), s->key[k]);
    double from = NAN, to = NAN, step = NAN, count = NAN;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        const char *name = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "?";
        double x;
        if (vn->type != YAML_SCALAR_NODE || number(scalar(vn), &x))
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s.%s: expected a number", s->path, line_of(vn), s->key[k],
                            name);
        if (!strcmp(name, "from")) from = x;
        else if (!strcmp(name, "to")) to = x;
        else if (!strcmp(name, "step")) step = x;
        else if (!strcmp(name, "count")) count = x;
        else
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s: unknown range key '%s'; expected from, to and step or "
                            "count", s->path, line_of(kn), s->key[k], name);
    }
    if (isnan(from) || isnan(to) || isnan(step) == isnan(count))
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s: a range needs from, to and exactly one of step or count",
                        s->path, line_of(v), s->key[k]);
    if (!isnan(step)) {
        if (!(step > 0) || to < from)
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s: expected step > 0 and from <= to", s->path, line_of(v),
                            s->key[k]);
        double m = floor((to - from) / step * (1 + 1e-12) + 1e-9) + 1;
        if (m > Y90_SWEEP_MAX_VALUES)
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s: %g values, more than %d", s->path, line_of(v),
                            s->key[k], m, Y90_SWEEP_MAX_VALUES);
        n = (int)m;
    } else {
        if (!(count >= 1 && count <= Y90_SWEEP_MAX_VALUES && count == floor(count)) || (count == 1 && to != from))
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s: count must be a whole number in [1, %d] (1 only when "
                            "from = to)", s->path, line_of(v), s->key[k], Y90_SWEEP_MAX_VALUES);
        n = (int)count;
        step = n > 1 ? (to - from) / (n - 1) : 0;
    }
    s->values[k] = calloc((size_t)n, sizeof(char *));
    if (!s->values[k]) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", s->path);
    for (int i = 0; i < n; i++) {
        double x = (!isnan(count) && i == n - 1) ? to : from + step * i;
        snprintf(buf, sizeof buf, "%.15g", x); /* 15 digits: 0.1 steps print as 0.3, not 0.30000000000000004 */
        if (!(s->values[k][i] = strdup(buf))) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", s->path);
        s->nvalues[k]++;
    }
    return Y90_OK;
}

static y90_status parse_vary(y90_sweep *s, yaml_document_t *doc, yaml_node_t *map, y90_error *err)
{
    if (map->type != YAML_MAPPING_NODE)
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary: expected a mapping KEY: values", s->path, line_of(map));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        if (kn->type != YAML_SCALAR_NODE || strlen(scalar(kn)) >= sizeof s->key[0])
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary: expected config keys (section.name)", s->path, line_of(kn));
        if (s->nkeys == Y90_SWEEP_MAX_KEYS)
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary: at most %d keys", s->path, line_of(kn), Y90_SWEEP_MAX_KEYS);
        for (int k = 0; k < s->nkeys; k++)
            if (!strcmp(s->key[k], scalar(kn)))
                return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary.%s given twice", s->path, line_of(kn), scalar(kn));
        snprintf(s->key[s->nkeys], sizeof s->key[0], "%s", scalar(kn));
        y90_status st = parse_values(s, doc, s->nkeys++, vn, err);
        if (st) return st;
    }
    if (s->nkeys == 0) return Y90_FAIL(err, Y90_EINPUT, "%s:%d: vary: expected at least one key", s->path, line_of(map));
    return Y90_OK;
}

static y90_status parse_set(y90_sweep *s, yaml_document_t *doc, yaml_node_t *map, y90_error *err)
{
    if (map->type != YAML_MAPPING_NODE)
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: set: expected a mapping KEY: value", s->path, line_of(map));
    int n = (int)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    s->set = calloc((size_t)n + 1, sizeof(char *));
    if (!s->set) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", s->path);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        char val[1024], kv[1200];
        if (kn->type != YAML_SCALAR_NODE || node_text(doc, vn, val, sizeof val))
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: set: expected KEY: value (a scalar or a flat list)", s->path,
                            line_of(kn));
        snprintf(kv, sizeof kv, "%s=%s", scalar(kn), val);
        if (!(s->set[s->nset++] = strdup(kv))) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", s->path);
    }
    return Y90_OK;
}

static y90_status parse_slurm(y90_sweep *s, yaml_document_t *doc, yaml_node_t *map, y90_error *err)
{
    if (map->type != YAML_MAPPING_NODE)
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: slurm: expected a mapping", s->path, line_of(map));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        const char *name = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "?", *v = vn->type == YAML_SCALAR_NODE ? scalar(vn) : NULL;
        double x;
        int ok = v != NULL;
        if (ok && !strcmp(name, "partition")) ok = strlen(v) < sizeof s->partition && !strpbrk(v, " \t\n'\"$`\\");
        else if (ok && !strcmp(name, "time")) ok = strlen(v) < sizeof s->time && strspn(v, "0123456789:-") == strlen(v);
        else if (ok && !strcmp(name, "cpus_per_task")) ok = !number(v, &x) && x >= 1 && x <= 4096 && x == floor(x);
        else if (ok && !strcmp(name, "mem_gb")) ok = !number(v, &x) && x >= 0 && x <= 1e5;
        else
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: slurm: unknown key '%s'; expected partition, time, cpus_per_task "
                            "or mem_gb", s->path, line_of(kn), name);
        if (!ok)
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: slurm.%s = '%s': expected %s", s->path, line_of(vn), name,
                            v ? v : "(not a scalar)",
                            !strcmp(name, "partition") ? "a partition name" : !strcmp(name, "time")
                            ? "a Slurm time such as 02:00:00 or 1-00:00:00" : !strcmp(name, "cpus_per_task")
                            ? "a whole number in [1, 4096]" : "GB in [0, 1e5] (0: estimated)");
        if (!strcmp(name, "partition")) snprintf(s->partition, sizeof s->partition, "%s", v);
        else if (!strcmp(name, "time")) snprintf(s->time, sizeof s->time, "%s", v);
        else if (!strcmp(name, "cpus_per_task")) s->cpus_per_task = (int)x;
        else s->mem_gb = x;
    }
    return Y90_OK;
}

static y90_status parse_root(y90_sweep *s, yaml_document_t *doc, y90_error *err)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        return Y90_FAIL(err, Y90_EINPUT, "%s: a sweep is a mapping with base, output, vary (and optionally mode, set, "
                        "slurm)", s->path);
    int have_base = 0, have_out = 0, have_vary = 0;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        const char *name = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "?";
        int sc = vn->type == YAML_SCALAR_NODE && scalar(vn)[0];
        y90_status st = Y90_OK;
        if (!strcmp(name, "base") || !strcmp(name, "output")) {
            if (!sc) return Y90_FAIL(err, Y90_EINPUT, "%s:%d: %s: expected a path", s->path, line_of(vn), name);
            if (name[0] == 'b') resolve(s->path, scalar(vn), s->base, sizeof s->base), have_base = 1;
            else resolve(s->path, scalar(vn), s->outdir, sizeof s->outdir), have_out = 1;
        } else if (!strcmp(name, "mode")) {
            if (sc && !strcmp(scalar(vn), "grid")) s->zip = 0;
            else if (sc && !strcmp(scalar(vn), "zip")) s->zip = 1;
            else return Y90_FAIL(err, Y90_EINPUT, "%s:%d: mode: expected grid or zip", s->path, line_of(vn));
        } else if (!strcmp(name, "vary")) {
            st = parse_vary(s, doc, vn, err);
            have_vary = 1;
        } else if (!strcmp(name, "set")) st = parse_set(s, doc, vn, err);
        else if (!strcmp(name, "slurm")) st = parse_slurm(s, doc, vn, err);
        else
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: unknown key '%s'; a sweep has base, output, mode, set, vary and "
                            "slurm", s->path, line_of(kn), name);
        if (st) return st;
    }
    if (!have_base || !have_out || !have_vary)
        return Y90_FAIL(err, Y90_EINPUT, "%s: %s is required", s->path, !have_base ? "base (the base config)" :
                        !have_out ? "output (the folder of the results)" : "vary (the keys to vary)");
    double n = 1;
    for (int k = 0; k < s->nkeys; k++) {
        if (s->zip && s->nvalues[k] != s->nvalues[0])
            return Y90_FAIL(err, Y90_EINPUT, "%s: mode zip needs as many values for every key: %s has %d, %s has %d",
                            s->path, s->key[0], s->nvalues[0], s->key[k], s->nvalues[k]);
        n = s->zip ? s->nvalues[0] : n * s->nvalues[k];
    }
    if (n > Y90_SWEEP_MAX_VALUES)
        return Y90_FAIL(err, Y90_EINPUT, "%s: %.0f points, more than %d", s->path, n, Y90_SWEEP_MAX_VALUES);
    s->npoints = (int)n;
    return Y90_OK;
}

y90_status y90_sweep_load(const char *path, y90_sweep *s, y90_error *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    size_t len;
    char *text = slurp(path, &len, err, "sweep file");
    if (!text) return err ? err->code : Y90_EINPUT;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    y90_status st;
    if (!yaml_parser_load(&parser, &doc)) {
        st = Y90_FAIL(err, Y90_EINPUT, "%s:%d: YAML syntax error: %s", path, (int)parser.problem_mark.line + 1,
                      parser.problem ? parser.problem : "");
    } else {
        st = parse_root(s, &doc, err);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    free(text);
    if (!st && !(s->base_text = slurp(s->base, &s->base_len, err, "base config"))) st = err ? err->code : Y90_EINPUT;
    /* every point's config, validated before anything runs */
    for (int i = 0; i < s->npoints && !st; i++) {
        y90_config c;
        y90_error pe = {0};
        if (y90_sweep_point_config(s, i, &c, &pe)) {
            char label[2048];
            y90_sweep_point_label(s, i, label, sizeof label);
            st = Y90_FAIL(err, pe.code, "%s: point %d of %d (%s): %s", path, i + 1, s->npoints, label, pe.msg);
        } else {
            y90_config_free(&c);
        }
    }
    if (st) y90_sweep_free(s);
    return st;
}

void y90_sweep_free(y90_sweep *s)
{
    for (int i = 0; i < s->nset; i++) free(s->set[i]);
    free(s->set);
    for (int k = 0; k < s->nkeys; k++) {
        for (int i = 0; i < s->nvalues[k]; i++) free(s->values[k][i]);
        free(s->values[k]);
    }
    free(s->base_text);
    memset(s, 0, sizeof *s);
}

/* Value index of key k at point i: grid with the first key slowest, or zipped. */
static int value_index(const y90_sweep *s, int i, int k)
{
    if (s->zip) return i;
    for (int j = s->nkeys - 1; j > k; j--) i /= s->nvalues[j];
    return i % s->nvalues[k];
}

int y90_sweep_point_sets(const y90_sweep *s, int i, const char **sets, int max, char (*buf)[1024])
{
    int n = 0;
    for (int j = 0; j < s->nset && n < max; j++) sets[n++] = s->set[j];
    for (int k = 0; k < s->nkeys && n < max; k++) {
        snprintf(buf[k], 1024, "%s=%s", s->key[k], s->values[k][value_index(s, i, k)]);
        sets[n++] = buf[k];
    }
    return n;
}

y90_status y90_sweep_point_config(const y90_sweep *s, int i, y90_config *c, y90_error *err)
{
    const char **sets = malloc(((size_t)s->nset + Y90_SWEEP_MAX_KEYS) * sizeof *sets);
    char(*buf)[1024] = malloc(Y90_SWEEP_MAX_KEYS * sizeof *buf);
    if (!sets || !buf) {
        free(sets);
        free(buf);
        return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", s->path);
    }
    int n = y90_sweep_point_sets(s, i, sets, s->nset + Y90_SWEEP_MAX_KEYS, buf);
    y90_status st = y90_config_parse_sets(s->base, s->base_text, s->base_len, sets, n, c, err);
    free(sets);
    free(buf);
    return st;
}

void y90_sweep_point_path(const y90_sweep *s, int i, const char *ext, char *buf, size_t len)
{
    int w = s->npoints < 1000 ? 3 : s->npoints < 10000 ? 4 : 5;
    snprintf(buf, len, "%s/p%0*d%s", s->outdir, w, i + 1, ext);
}

void y90_sweep_point_label(const y90_sweep *s, int i, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = 0;
    for (int k = 0; k < s->nkeys && used < len; k++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", k ? " " : "", s->key[k],
                                 s->values[k][value_index(s, i, k)]);
}

const char *y90_point_state_name(y90_point_state st)
{
    static const char *const names[] = {"pending", "done", "failed", "partial", "other-config"};
    return names[st];
}

y90_point_state y90_sweep_point_state(const y90_sweep *s, int i)
{
    char h5[1100], failed[1100];
    y90_sweep_point_path(s, i, ".h5", h5, sizeof h5);
    y90_sweep_point_path(s, i, ".failed", failed, sizeof failed);
    if (!y90_file_exists(h5)) return y90_file_exists(failed) ? Y90_POINT_FAILED : Y90_POINT_PENDING;
    y90_config c;
    y90_error e = {0};
    if (y90_sweep_point_config(s, i, &c, &e)) return Y90_POINT_OTHER;
    char *eff = y90_config_effective(&c);
    size_t cap = eff ? strlen(eff) + 2 : 0;
    char *stored = cap ? malloc(cap) : NULL;
    char status[32] = "";
    y90_point_state st = Y90_POINT_OTHER;
    if (stored && !y90_io_read_attr_string(h5, "/", "config_effective", stored, cap, &e) && !strcmp(stored, eff)) {
        /* every history done (mc), or a deterministic kernel's finished file */
        /* (or stopped at its time limit or target uncertainty: finished as asked) */
        st = !y90_io_read_attr_string(h5, "/", "run_status", status, sizeof status, &e) && strcmp(status, "interrupted")
                 ? Y90_POINT_DONE : Y90_POINT_PARTIAL;
    }
    free(stored);
    free(eff);
    y90_config_free(&c);
    return st;
}
