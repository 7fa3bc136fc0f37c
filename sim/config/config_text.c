/* y90mc: the config as text: the key reference table (`y90mc --help-config`, the README), the effective config
 * (every key with its value, re-parseable), and the file:line of a key for error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config_table.h"
#include "y90/config.h"
#include "y90/materials.h"

void y90_config_print_reference(FILE *f)
{
    fprintf(f, "| key | type | default | allowed | unit | meaning |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < y90_config_nkeys; i++) {
        const y90_key *k = &y90_config_keys[i];
        char allowed[160] = "";
        if (k->type == Y90_KT_ENUM) {
            size_t j = 0; /* "a|b" -> "a, b": a bar would split the Markdown cell */
            for (const char *q = k->choices; *q && j + 3 < sizeof allowed; q++) {
                if (*q == '|') { allowed[j++] = ','; allowed[j++] = ' '; }
                else allowed[j++] = *q;
            }
            allowed[j] = 0;
        }
        else if (!(k->min == 0 && k->max == 0) && k->type != Y90_KT_BOOL && k->type != Y90_KT_STRING &&
                 k->type != Y90_KT_STRLIST && k->type != Y90_KT_PATH)
            y90_key_range_text(k, allowed, sizeof allowed);
        fprintf(f, "| `%s` | %s | %s | %s | %s | %s |\n", k->key, y90_key_type_text(k), k->def ? k->def : "(required)",
                allowed, k->unit, k->help);
    }
}

/* A name as a double-quoted YAML scalar (quotes and backslashes escaped). */
static void quoted(const char *s, char *buf, size_t len)
{
    size_t j = 0;
    if (len < 3) { if (len) buf[0] = 0; return; }
    buf[j++] = '"';
    for (; *s && j + 3 < len; s++) {
        if (*s == '"' || *s == '\\') buf[j++] = '\\';
        buf[j++] = *s;
    }
    buf[j++] = '"';
    buf[j] = 0;
}

/* One key's value as YAML text. */
static void value_text(const y90_config *cfg, const y90_key *k, char *buf, size_t len)
{
    const char *base = (const char *)cfg + k->offset;
    int n = k->count_offset ? *(const int *)((const char *)cfg + k->count_offset) : 0;
    size_t used = 0;
    switch (k->type) {
    case Y90_KT_DOUBLE: snprintf(buf, len, "%.17g", *(const double *)base); return;
    case Y90_KT_INT: snprintf(buf, len, "%d", *(const int *)base); return;
    case Y90_KT_INT64: snprintf(buf, len, "%lld", (long long)*(const int64_t *)base); return;
    case Y90_KT_UINT64: snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)base); return;
    case Y90_KT_BOOL: snprintf(buf, len, "%s", *(const int *)base ? "true" : "false"); return;
    case Y90_KT_STRING: case Y90_KT_PATH: quoted(base, buf, len); return;
    case Y90_KT_ENUM: {
        int v = *(const int *)base, i = 0;
        const char *p = k->choices;
        while (i < v && (p = strchr(p, '|'))) { p++; i++; }
        snprintf(buf, len, "%.*s", p ? (int)strcspn(p, "|") : 1, p ? p : "?");
        return;
    }
    case Y90_KT_DOUBLE3: {
        const double *d = (const double *)base;
        snprintf(buf, len, "[%.17g, %.17g, %.17g]", d[0], d[1], d[2]);
        return;
    }
    case Y90_KT_INT3: {
        const int *d = (const int *)base;
        snprintf(buf, len, "[%d, %d, %d]", d[0], d[1], d[2]);
        return;
    }
    case Y90_KT_STRLIST: case Y90_KT_DOUBLELIST:
        if (!k->count_offset) n = cfg->phantom.nslabs; /* the density and thickness lists follow the materials */
        used = (size_t)snprintf(buf, len, "[");
        for (int i = 0; i < n && used < len; i++) {
            if (k->type == Y90_KT_STRLIST)
            {
                char q[2 * Y90_NAME_LEN + 3];
                quoted(base + (size_t)i * Y90_NAME_LEN, q, sizeof q);
                used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", q);
            }
            else
                used += (size_t)snprintf(buf + used, len - used, "%s%.17g", i ? ", " : "", ((const double *)base)[i]);
        }
        if (used < len) snprintf(buf + used, len - used, "]");
        return;
    }
}

/* Append to a growing text; returns -1 (and frees nothing) when out of memory. */
static int append(char **out, size_t *used, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static int append(char **out, size_t *used, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(*out + *used, *cap - *used, fmt, ap);
        va_end(ap);
        if (w < 0) return -1;
        if (*used + (size_t)w < *cap) {
            *used += (size_t)w;
            return 0;
        }
        char *n = realloc(*out, 2 * *cap + (size_t)w);
        if (!n) return -1;
        *out = n;
        *cap = 2 * *cap + (size_t)w;
    }
}

char *y90_config_effective(const y90_config *cfg)
{
    size_t cap = 8192, used = 0;
    char *out = malloc(cap);
    int bad = !out;
    const char *section = "";
    for (size_t i = 0; i < y90_config_nkeys && !bad; i++) {
        const y90_key *k = &y90_config_keys[i];
        const char *dot = strchr(k->key, '.');
        size_t sl = (size_t)(dot - k->key);
        char val[2 * Y90_PATH_LEN + 3];
        value_text(cfg, k, val, sizeof val);
        if (strncmp(section, k->key, sl) != 0 || section[sl] != '.')
            bad |= append(&out, &used, &cap, "%.*s:\n", (int)sl, k->key);
        section = k->key;
        bad |= append(&out, &used, &cap, "  %s: %s\n", dot + 1, val);
    }
    for (int m = 0; m < cfg->nuser_materials && !bad; m++) {
        const y90_user_material *u = &cfg->user_materials[m];
        char q[2 * Y90_NAME_LEN + 3];
        quoted(u->name, q, sizeof q);
        if (m == 0) bad |= append(&out, &used, &cap, "materials:\n");
        bad |= append(&out, &used, &cap, "  - name: %s\n    density: %.17g\n    I_eV: %.17g\n    composition: {", q,
                      u->density, u->I_eV);
        for (int e = 0; e < u->nelem && !bad; e++)
            bad |= append(&out, &used, &cap, "%s%s: %.17g", e ? ", " : "", y90_element_symbol(u->Z[e]), u->w[e]);
        bad |= append(&out, &used, &cap, "}\n");
    }
    for (int i = 0; i < cfg->phantom.nlabels && !bad; i++) {
        const y90_image_label *l = &cfg->phantom.labels[i];
        char qn[2 * Y90_NAME_LEN + 3], qm[2 * Y90_NAME_LEN + 3];
        quoted(l->name, qn, sizeof qn);
        quoted(l->material, qm, sizeof qm);
        if (i == 0) bad |= append(&out, &used, &cap, "labels:\n");
        bad |= append(&out, &used, &cap, "  - {value: %d, name: %s, kind: %s, lobe: %s, tumour: %d%s%s, density: "
                      "%.17g}\n", l->value, qn, y90_config_kind_names[l->kind], y90_config_lobe_names[l->lobe], l->tumour_id,
                      l->material[0] ? ", material: " : "", l->material[0] ? qm : "", l->density);
    }
    if (bad) {
        free(out);
        return NULL;
    }
    return out;
}

int y90_config_line(const y90_config *c, const char *key)
{
    for (size_t i = 0; i < y90_config_nkeys && i < Y90_CONFIG_MAX_KEYS; i++)
        if (strcmp(y90_config_keys[i].key, key) == 0) return c->key_line[i];
    return 0;
}

void y90_config_locate_error(const y90_config *c, y90_error *err)
{
    if (!c || !err || !err->msg[0]) return;
    /* the first table key the message names (longest match at that place, whole words only) */
    const char *first = NULL;
    int line = 0;
    for (size_t i = 0; i < y90_config_nkeys; i++) {
        const char *k = y90_config_keys[i].key;
        size_t kl = strlen(k);
        for (const char *p = strstr(err->msg, k); p; p = strstr(p + 1, k)) {
            char after = p[kl], before = p > err->msg ? p[-1] : ' ';
            if ((after == '_' || (after >= 'a' && after <= 'z')) || before == '_' || before == '.' ||
                (before >= 'a' && before <= 'z'))
                continue;
            if (!first || p < first) {
                first = p;
                line = c->key_line[i];
            }
            break;
        }
    }
    size_t pl = strlen(c->path);
    int has_path = pl > 0 && strncmp(err->msg, c->path, pl) == 0 && (err->msg[pl] == ':');
    if (has_path && err->msg[pl + 1] != ' ') return; /* already "path:line:" */
    char where[1100], rest[sizeof err->msg];
    snprintf(rest, sizeof rest, "%s", has_path ? err->msg + pl + 2 : err->msg);
    if (line > 0) snprintf(where, sizeof where, "%s:%d", c->path, line);
    else snprintf(where, sizeof where, "%s", c->path);
    char out[sizeof where + sizeof rest + 2];
    snprintf(out, sizeof out, "%s: %s", where, rest);
    size_t n = strnlen(out, sizeof err->msg - 1);
    memcpy(err->msg, out, n);
    err->msg[n] = 0;
}
