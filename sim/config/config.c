/* y90mc: YAML config parsing and validation driven by the key table (sim/config/config_table.c).
 * Every error names the file, the line, the key and what was expected, and returns Y90_EINPUT. The checks across
 * keys are in config_check.c, the `labels` section and the image keys in config_image.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "config_table.h"
#include "y90/config.h"
#include "y90/materials.h"

typedef struct {
    const char *file;     /* name used in messages */
    y90_config *cfg;
    y90_error *err;
    int *seen;            /* per key: line where it was set (0 = not set) */
    int *count;           /* per list key: number of entries given */
    int no_lines;         /* values from --set: messages name the option, not a line */
    int section_line[7];  /* line of each section (sections[] order, then materials, labels); 0 = not yet seen */
} parse_ctx;

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* Text of the allowed range of a numeric key, e.g. "(0, 50]". */
void y90_key_range_text(const y90_key *k, char *buf, size_t len)
{
    char lo[32], hi[32];
    if (k->min <= -1e300) snprintf(lo, sizeof lo, "-inf");
    else snprintf(lo, sizeof lo, "%g", k->min);
    if (k->max >= 1e300) snprintf(hi, sizeof hi, "inf");
    else snprintf(hi, sizeof hi, "%g", k->max);
    snprintf(buf, len, "%c%s, %s%c", (k->range_flags & Y90_RANGE_MIN_OPEN) ? '(' : '[', lo, hi,
             (k->range_flags & Y90_RANGE_MAX_OPEN) ? ')' : ']');
}

static int in_range(const y90_key *k, double v)
{
    if (k->min == 0 && k->max == 0) return 1; /* unbounded */
    if ((k->range_flags & Y90_RANGE_MIN_OPEN) ? !(v > k->min) : !(v >= k->min)) return 0;
    if ((k->range_flags & Y90_RANGE_MAX_OPEN) ? !(v < k->max) : !(v <= k->max)) return 0;
    return 1;
}

const char *y90_key_type_text(const y90_key *k)
{
    switch (k->type) {
    case Y90_KT_DOUBLE: return "a number";
    case Y90_KT_INT: case Y90_KT_INT64: case Y90_KT_UINT64: return "an integer";
    case Y90_KT_BOOL: return "true or false";
    case Y90_KT_STRING: return "a name";
    case Y90_KT_ENUM: return "a choice";
    case Y90_KT_DOUBLE3: return "a list of 3 numbers";
    case Y90_KT_INT3: return "a list of 3 integers";
    case Y90_KT_STRLIST: return "a list of names";
    case Y90_KT_DOUBLELIST: return "a list of numbers";
    case Y90_KT_PATH: return "a file name";
    }
    return "?";
}

/* "expected ..." text for a key: type, range or choices, unit. */
static void expected_text(const y90_key *k, char *buf, size_t len)
{
    char r[96] = "";
    if (k->type == Y90_KT_ENUM) {
        snprintf(buf, len, "one of %s", k->choices);
        return;
    }
    if (k->type != Y90_KT_BOOL && k->type != Y90_KT_STRING && k->type != Y90_KT_STRLIST &&
        k->type != Y90_KT_PATH && !(k->min == 0 && k->max == 0)) {
        char rt[64];
        y90_key_range_text(k, rt, sizeof rt);
        snprintf(r, sizeof r, " in %s", rt);
    }
    snprintf(buf, len, "%s%s%s%s", y90_key_type_text(k), r, (k->unit && k->unit[0]) ? " " : "", k->unit ? k->unit : "");
}

static y90_status bad_value(parse_ctx *c, const y90_key *k, int line, const char *text, const char *why)
{
    char exp[160];
    expected_text(k, exp, sizeof exp);
    if (c->no_lines)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: %s = '%s': %s; expected %s", c->file, k->key, text, why, exp);
    return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: %s = '%s': %s; expected %s", c->file, line, k->key, text, why,
                    exp);
}

int y90_config_number(const char *s, double *v)
{
    char *end;
    if (strpbrk(s, "xXpP")) return -1; /* decimal numbers only (strtod would take hexadecimal) */
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(*v)) return -1;
    return 0;
}

static int parse_bool(const char *s, int *b)
{
    static const char *t[] = {"true", "True", "TRUE", "yes", "Yes", "on"};
    static const char *f[] = {"false", "False", "FALSE", "no", "No", "off"};
    for (size_t i = 0; i < 6; i++) {
        if (strcmp(s, t[i]) == 0) { *b = 1; return 0; }
        if (strcmp(s, f[i]) == 0) { *b = 0; return 0; }
    }
    return -1;
}

static int parse_enum(const char *choices, const char *s, int *out)
{
    int idx = 0;
    size_t n = strlen(s);
    for (const char *p = choices; *p; idx++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0) { *out = idx; return 0; }
        if (!bar) break;
        p = bar + 1;
    }
    return -1;
}

/* Store one scalar into a numeric/bool/string/enum slot. */
static y90_status set_scalar(parse_ctx *c, const y90_key *k, void *slot, const char *s, int line)
{
    double v;
    switch (k->type) {
    case Y90_KT_DOUBLE: case Y90_KT_DOUBLE3: case Y90_KT_DOUBLELIST:
        if (y90_config_number(s, &v)) return bad_value(c, k, line, s, "not a number");
        if (!in_range(k, v)) return bad_value(c, k, line, s, "out of range");
        *(double *)slot = v;
        return Y90_OK;
    case Y90_KT_INT: case Y90_KT_INT3: case Y90_KT_INT64: case Y90_KT_UINT64:
        if (y90_config_number(s, &v) || v != floor(v)) return bad_value(c, k, line, s, "not an integer");
        if (!in_range(k, v)) return bad_value(c, k, line, s, "out of range");
        if (k->type == Y90_KT_UINT64) {
            if (v < 0 || v > 18446744073709551615.0) return bad_value(c, k, line, s, "out of range");
            if (strchr(s, 'e') || strchr(s, 'E') || strchr(s, '.')) {
                if (v >= 18446744073709551615.0) return bad_value(c, k, line, s, "out of range");
                *(uint64_t *)slot = (uint64_t)v;
            } else {
                errno = 0;
                unsigned long long u = strtoull(s, NULL, 10);
                if (errno == ERANGE || s[0] == '-') return bad_value(c, k, line, s, "out of range");
                *(uint64_t *)slot = (uint64_t)u;
            }
        } else if (k->type == Y90_KT_INT64) {
            *(int64_t *)slot = (int64_t)v;
        } else {
            if (fabs(v) > 2147483647.0) return bad_value(c, k, line, s, "out of range");
            *(int *)slot = (int)v;
        }
        return Y90_OK;
    case Y90_KT_BOOL:
        if (parse_bool(s, (int *)slot)) return bad_value(c, k, line, s, "not a boolean");
        return Y90_OK;
    case Y90_KT_STRING: case Y90_KT_STRLIST:
        if (strlen(s) == 0 || strlen(s) >= Y90_NAME_LEN)
            return bad_value(c, k, line, s, "empty or longer than 47 characters");
        for (const char *q = s; *q; q++)
            if ((unsigned char)*q < 0x20 || *q == 0x7f)
                return bad_value(c, k, line, "(a name with a control character)", "not a printable name");
        snprintf((char *)slot, Y90_NAME_LEN, "%s", s);
        return Y90_OK;
    case Y90_KT_ENUM:
        if (parse_enum(k->choices, s, (int *)slot)) return bad_value(c, k, line, s, "not a known choice");
        return Y90_OK;
    case Y90_KT_PATH:
        if (strlen(s) >= Y90_PATH_LEN) return bad_value(c, k, line, "(a long name)", "longer than 1023 characters");
        for (const char *q = s; *q; q++)
            if ((unsigned char)*q < 0x20 || *q == 0x7f)
                return bad_value(c, k, line, "(a name with a control character)", "not a printable file name");
        snprintf((char *)slot, Y90_PATH_LEN, "%s", s);
        return Y90_OK;
    }
    return Y90_FAIL(c->err, Y90_EINTERNAL, "key %s: unknown type", k->key);
}

static size_t elem_size(const y90_key *k)
{
    switch (k->type) {
    case Y90_KT_DOUBLE3: case Y90_KT_DOUBLELIST: return sizeof(double);
    case Y90_KT_INT3: return sizeof(int);
    case Y90_KT_STRLIST: return Y90_NAME_LEN;
    default: return 0;
    }
}

/* Store a value node (scalar or sequence) for key k. */
static y90_status set_value(parse_ctx *c, yaml_document_t *doc, const y90_key *k, yaml_node_t *v)
{
    char *base = (char *)c->cfg + k->offset;
    int line = line_of(v);
    int is_list = k->type == Y90_KT_DOUBLE3 || k->type == Y90_KT_INT3 || k->type == Y90_KT_STRLIST ||
                  k->type == Y90_KT_DOUBLELIST;
    if (!is_list) {
        if (v->type != YAML_SCALAR_NODE) return bad_value(c, k, line, "(a list or mapping)", "wrong type");
        return set_scalar(c, k, base, scalar(v), line);
    }
    if (v->type != YAML_SEQUENCE_NODE) {
        const char *t = v->type == YAML_SCALAR_NODE ? scalar(v) : "(a mapping)";
        return bad_value(c, k, line, t, "wrong type");
    }
    int n = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
    int fixed = (k->type == Y90_KT_DOUBLE3 || k->type == Y90_KT_INT3) ? 3 : 0;
    if ((fixed && n != fixed) || (!fixed && n > Y90_MAX_SLABS)) {
        char t[48];
        snprintf(t, sizeof t, "(a list of %d)", n);
        return bad_value(c, k, line, t, fixed ? "wrong length" : "too many entries (at most 16)");
    }
    for (int i = 0; i < n; i++) {
        yaml_node_t *e = yaml_document_get_node(doc, v->data.sequence.items.start[i]);
        if (!e || e->type != YAML_SCALAR_NODE) return bad_value(c, k, line, "(nested)", "wrong type");
        y90_status st = set_scalar(c, k, base + (size_t)i * elem_size(k), scalar(e), line_of(e));
        if (st) return st;
    }
    if (k->count_offset) *(int *)((char *)c->cfg + k->count_offset) = n;
    c->count[k - y90_config_keys] = n;
    return Y90_OK;
}

static const y90_key *find_key(const char *section, const char *name)
{
    char full[128];
    snprintf(full, sizeof full, "%s.%s", section, name);
    for (size_t i = 0; i < y90_config_nkeys; i++)
        if (strcmp(y90_config_keys[i].key, full) == 0) return &y90_config_keys[i];
    return NULL;
}

/* List the keys of a section for an "unknown key" message. */
static void section_keys(const char *section, char *buf, size_t len)
{
    size_t sl = strlen(section), used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < y90_config_nkeys && used + 2 < len; i++) {
        const char *k = y90_config_keys[i].key;
        if (strncmp(k, section, sl) == 0 && k[sl] == '.') {
            int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", k + sl + 1);
            if (w < 0) break;
            used += (size_t)w;
        }
    }
}

static y90_status parse_section(parse_ctx *c, yaml_document_t *doc, const char *section, yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: section '%s' must be a mapping of key: value", c->file,
                        line_of(map), section);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        if (kn->type != YAML_SCALAR_NODE)
            return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: keys of section '%s' must be names", c->file,
                            line_of(kn), section);
        const y90_key *k = find_key(section, scalar(kn));
        if (!k) {
            char known[1024];
            section_keys(section, known, sizeof known);
            return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: unknown key '%s.%s'; section %s has: %s", c->file,
                            line_of(kn), section, scalar(kn), section, known);
        }
        size_t ki = (size_t)(k - y90_config_keys);
        if (c->seen[ki])
            return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: %s given twice (first at line %d)", c->file, line_of(kn),
                            k->key, c->seen[ki]);
        c->seen[ki] = line_of(kn);
        y90_status st = set_value(c, doc, k, vn);
        if (st) return st;
    }
    return Y90_OK;
}

/* One `materials` entry: {name, density, I_eV (optional), composition: {H: 0.11, O: 0.89}}. */
static y90_status parse_material(parse_ctx *c, yaml_document_t *doc, yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials: each entry must be a mapping with name, density, "
                        "composition", c->file, line_of(map));
    if (c->cfg->nuser_materials >= Y90_MAX_USER_MATERIALS)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials: at most %d entries", c->file, line_of(map),
                        Y90_MAX_USER_MATERIALS);
    y90_user_material *m = &c->cfg->user_materials[c->cfg->nuser_materials];
    memset(m, 0, sizeof *m);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        const char *key = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "?";
        int line = line_of(vn);
        double v;
        if (strcmp(key, "name") == 0 && vn->type == YAML_SCALAR_NODE && strlen(scalar(vn)) > 0 &&
            strlen(scalar(vn)) < Y90_NAME_LEN) {
            const char *nm = scalar(vn);
            for (const char *q = nm; *q; q++)
                if ((unsigned char)*q < 0x20 || *q == 0x7f)
                    return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.name: a control character in the name; "
                                    "expected a printable name", c->file, line);
            if (y90_material_builtin(nm))
                return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.name = '%s': a built-in material has this "
                                "name; choose another name (a config cannot redefine built-in materials)",
                                c->file, line, nm);
            for (int i = 0; i < c->cfg->nuser_materials; i++)
                if (strcmp(c->cfg->user_materials[i].name, nm) == 0)
                    return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.name = '%s': two materials have this "
                                    "name; expected one entry per name", c->file, line, nm);
            snprintf(m->name, sizeof m->name, "%s", nm);
        } else if ((strcmp(key, "density") == 0 || strcmp(key, "I_eV") == 0) && vn->type == YAML_SCALAR_NODE) {
            int dens = key[0] == 'd';
            if (y90_config_number(scalar(vn), &v) || (dens ? !(v > 0 && v <= 25) : !(v >= 0 && v <= 2000)))
                return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.%s = '%s': expected a number in %s", c->file,
                                line, key, scalar(vn), dens ? "(0, 25] g/cm3" : "[0, 2000] eV (0: Bragg rule)");
            *(dens ? &m->density : &m->I_eV) = v;
        } else if (strcmp(key, "composition") == 0 && vn->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *q = vn->data.mapping.pairs.start; q < vn->data.mapping.pairs.top; q++) {
                yaml_node_t *en = yaml_document_get_node(doc, q->key), *wn = yaml_document_get_node(doc, q->value);
                int Z = en->type == YAML_SCALAR_NODE ? y90_element_from_symbol(scalar(en)) : 0;
                if (Z == 0)
                    return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.composition: '%s' is not an element "
                                    "symbol (e.g. H, C, O, Ca)", c->file, line_of(en),
                                    en->type == YAML_SCALAR_NODE ? scalar(en) : "?");
                if (wn->type != YAML_SCALAR_NODE || y90_config_number(scalar(wn), &v) || !(v > 0 && v <= 1))
                    return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.composition.%s: expected a mass "
                                    "fraction in (0, 1]", c->file, line_of(wn), scalar(en));
                for (int e = 0; e < m->nelem; e++)
                    if (m->Z[e] == Z)
                        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.composition: element %s given twice",
                                        c->file, line_of(en), scalar(en));
                if (m->nelem >= Y90_MAX_ELEMENTS)
                    return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.composition: at most %d elements",
                                    c->file, line_of(wn), Y90_MAX_ELEMENTS);
                m->Z[m->nelem] = Z;
                m->w[m->nelem++] = v;
            }
        } else {
            return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials.%s: unknown key or wrong type; an entry has "
                            "name (text), density (g/cm3), I_eV (optional) and composition (symbol: mass "
                            "fraction)", c->file, line_of(kn), key);
        }
    }
    if (!m->name[0] || m->density <= 0 || m->nelem == 0)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials: an entry needs name, density and composition",
                        c->file, line_of(map));
    y90_material mm = {.density = m->density, .I_eV = m->I_eV, .nelem = m->nelem, .source = "config"};
    snprintf(mm.name, sizeof mm.name, "%s", m->name);
    memcpy(mm.Z, m->Z, sizeof mm.Z);
    memcpy(mm.w, m->w, sizeof mm.w);
    y90_error me = {0};
    if (y90_material_check(&mm, &me))
        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials: %s", c->file, line_of(map), me.msg);
    c->cfg->nuser_materials++;
    return Y90_OK;
}

static y90_status parse_materials(parse_ctx *c, yaml_document_t *doc, yaml_node_t *seq)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: materials must be a list of entries", c->file, line_of(seq));
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
        y90_status st = parse_material(c, doc, yaml_document_get_node(doc, *it));
        if (st) return st;
    }
    return Y90_OK;
}

/* Index of a section name (5: materials, 6: labels), or -1. */
static int section_index(const char *s)
{
    static const char *sections[] = {"phantom", "source", "treatment", "transport", "output", "materials", "labels"};
    for (int i = 0; i < (int)(sizeof sections / sizeof *sections); i++)
        if (strcmp(s, sections[i]) == 0) return i;
    return -1;
}

/* 1 for a section of keys (not materials). */
static int is_section(const char *s) { int i = section_index(s); return i >= 0 && i < 5; }

static y90_status parse_document(parse_ctx *c, yaml_document_t *doc)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) return Y90_FAIL(c->err, Y90_EINPUT, "%s: empty config", c->file);
    if (root->type != YAML_MAPPING_NODE)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: the config must be a mapping of sections (phantom, source, "
                        "treatment, transport, output, materials, labels)", c->file, line_of(root));
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        const char *name = kn->type == YAML_SCALAR_NODE ? scalar(kn) : "?";
        int si = section_index(name);
        if (si >= 0 && c->section_line[si]) /* YAML would merge or replace it silently */
            return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: section '%s' given twice (first at line %d); expected each "
                            "section once", c->file, line_of(kn), name, c->section_line[si]);
        if (si >= 0) c->section_line[si] = line_of(kn);
        y90_status st;
        if (si == 5) st = parse_materials(c, doc, vn);
        else if (si == 6) st = y90_config_parse_labels(c->file, doc, vn, c->cfg, c->err);
        else if (si >= 0) st = parse_section(c, doc, name, vn);
        else
            st = Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: unknown section '%s'; expected phantom, source, treatment, "
                          "transport, output, materials or labels", c->file, line_of(kn), name);
        if (st) return st;
    }
    return Y90_OK;
}

/* Apply every key's default (a YAML scalar or flow list) through the same parser. */
void y90_config_defaults(y90_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    int seen[128] = {0}, count[128] = {0};
    parse_ctx c = {.file = "(defaults)", .cfg = cfg, .err = NULL, .seen = seen, .count = count};
    for (size_t i = 0; i < y90_config_nkeys; i++) {
        const y90_key *k = &y90_config_keys[i];
        if (!k->def) continue;
        yaml_document_t doc;
        yaml_parser_t parser;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_string(&parser, (const unsigned char *)k->def, strlen(k->def));
        if (yaml_parser_load(&parser, &doc)) {
            yaml_node_t *n = yaml_document_get_root_node(&doc);
            if (n) set_value(&c, &doc, k, n);
            yaml_document_delete(&doc);
        }
        yaml_parser_delete(&parser);
    }
}

/* One override "KEY=VALUE": VALUE is YAML (a scalar or a flow list such as [1, 2, 3]) and goes through the same
 * set_value as the file's value; messages start with "--set KEY=VALUE". */
static y90_status apply_set(parse_ctx *c, const char *set)
{
    const char *eq = strchr(set, '=');
    char key[128];
    if (!eq || eq == set || (size_t)(eq - set) >= sizeof key)
        return Y90_FAIL(c->err, Y90_EINPUT, "--set %s: expected KEY=VALUE, e.g. --set treatment.activity_gbq=2.5",
                        set);
    snprintf(key, sizeof key, "%.*s", (int)(eq - set), set);
    size_t ki = y90_config_nkeys;
    for (size_t i = 0; i < y90_config_nkeys; i++)
        if (strcmp(y90_config_keys[i].key, key) == 0) ki = i;
    if (ki == y90_config_nkeys) {
        char section[64], known[1024] = "";
        const char *dot = strchr(key, '.');
        snprintf(section, sizeof section, "%.*s", dot ? (int)(dot - key) : (int)strlen(key), key);
        if (is_section(section)) section_keys(section, known, sizeof known);
        if (known[0])
            return Y90_FAIL(c->err, Y90_EINPUT, "--set %s: unknown key '%s'; section %s has: %s", set, key, section,
                            known);
        return Y90_FAIL(c->err, Y90_EINPUT, "--set %s: unknown key '%s'; expected section.name with a section of "
                        "phantom, source, treatment, transport or output (y90mc config-reference lists them; "
                        "materials can only be given in the file)", set, key);
    }
    const y90_key *k = &y90_config_keys[ki];
    if (c->seen[ki] < 0)
        return Y90_FAIL(c->err, Y90_EINPUT, "--set %s: %s given twice on the command line", set, k->key);
    char label[1200];
    snprintf(label, sizeof label, "--set %.1100s", set);
    parse_ctx sc = *c;
    sc.file = label;
    sc.no_lines = 1;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)(eq + 1), strlen(eq + 1));
    y90_status st;
    if (!yaml_parser_load(&parser, &doc)) {
        char exp[160];
        expected_text(k, exp, sizeof exp);
        st = Y90_FAIL(c->err, Y90_EINPUT, "%s: the value is not valid YAML (%s); expected %s", label,
                      parser.problem ? parser.problem : "syntax error", exp);
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            char exp[160];
            expected_text(k, exp, sizeof exp);
            st = Y90_FAIL(c->err, Y90_EINPUT, "%s: empty value; expected %s", label, exp);
        } else {
            st = set_value(&sc, &doc, k, root);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (!st) c->seen[ki] = -1; /* set by an option: messages say --set instead of a line */
    return st;
}

/* The overrides as "KEY=VALUE" lines (malloc'd), or NULL when there are none. */
static char *join_sets(const char *const *sets, int nsets)
{
    size_t n = 1;
    for (int i = 0; i < nsets; i++) n += strlen(sets[i]) + 1;
    char *out = nsets > 0 ? malloc(n) : NULL;
    if (!out) return NULL;
    out[0] = 0;
    for (int i = 0; i < nsets; i++) {
        strcat(out, sets[i]);
        strcat(out, "\n");
    }
    return out;
}

/* Before libyaml sees the text: flow nesting ([ and {, outside quotes and comments) deeper than the limit is
 * refused here, because libyaml's scanner takes time quadratic in it (100,000 brackets hang it). */
static y90_status check_flow_nesting(const char *name, const char *text, size_t len, y90_error *err)
{
    int depth = 0, line = 1, comment = 0;
    char quote = 0, prev = '\n';
    for (size_t i = 0; i < len; prev = text[i++]) {
        char ch = text[i];
        if (ch == '\n') line++;
        if (comment) {
            comment = ch != '\n';
            continue;
        }
        if (quote) {
            if (quote == '"' && ch == '\\' && i + 1 < len) i++;
            else if (ch == quote) quote = 0; /* '' inside single quotes closes and reopens: same depth */
            continue;
        }
        if (ch == '#' && (prev == ' ' || prev == '\t' || prev == '\n')) comment = 1;
        else if ((ch == '"' || ch == '\'') && strchr(" \t\n:,[{-", prev)) quote = ch;
        else if (ch == '[' || ch == '{') {
            if (++depth > Y90_CONFIG_MAX_DEPTH)
                return Y90_FAIL(err, Y90_EINPUT, "%s:%d: lists or mappings nested deeper than %d levels; a config "
                                "needs at most 4", name, line, Y90_CONFIG_MAX_DEPTH);
        } else if ((ch == ']' || ch == '}') && depth > 0) depth--;
    }
    return Y90_OK;
}

/* Nesting of block and flow collections, from libyaml's events (linear once the flow nesting is bounded). */
static y90_status check_nesting(const char *name, const char *text, size_t len, y90_error *err)
{
    y90_status st = check_flow_nesting(name, text, len, err);
    if (st != Y90_OK) return st;
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int depth = 0, done = 0;
    while (!done && st == Y90_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) break; /* the loader reports syntax errors with their line */
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
            if (++depth > Y90_CONFIG_MAX_DEPTH)
                st = Y90_FAIL(err, Y90_EINPUT, "%s:%d: lists or mappings nested deeper than %d levels; a config "
                              "needs at most 4", name, (int)ev.start_mark.line + 1, Y90_CONFIG_MAX_DEPTH);
        } else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return st;
}

y90_status y90_config_parse(const char *name, const char *text, size_t len, y90_config *cfg, y90_error *err)
{
    return y90_config_parse_sets(name, text, len, NULL, 0, cfg, err);
}

y90_status y90_config_parse_sets(const char *name, const char *text, size_t len, const char *const *sets, int nsets,
                                 y90_config *cfg, y90_error *err)
{
    y90_config_defaults(cfg);
    snprintf(cfg->path, sizeof cfg->path, "%s", name);
    if (len > Y90_CONFIG_MAX_BYTES)
        return Y90_FAIL(err, Y90_EINPUT, "%s: %zu bytes; a config is at most %u bytes", name, len,
                        Y90_CONFIG_MAX_BYTES);
    y90_status nst = check_nesting(name, text, len, err);
    if (nst != Y90_OK) return nst;
    int seen[128] = {0}, count[128] = {0};
    parse_ctx c = {.file = name, .cfg = cfg, .err = err, .seen = seen, .count = count};
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        y90_status st = Y90_FAIL(err, Y90_EINPUT, "%s:%d: YAML syntax error: %s %s", name,
                                 (int)parser.problem_mark.line + 1, parser.problem ? parser.problem : "",
                                 parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return st;
    }
    y90_status st = parse_document(&c, &doc);
    if (!st) y90_config_resolve_paths(name, cfg, seen); /* before the overrides: a --set name is taken from the working folder */
    for (int i = 0; i < nsets && !st; i++) st = apply_set(&c, sets[i]);
    if (!st) st = y90_config_cross_check(name, cfg, seen, count, c.section_line[6], err);
    for (size_t i = 0; i < y90_config_nkeys && i < Y90_CONFIG_MAX_KEYS; i++) cfg->key_line[i] = seen[i] > 0 ? seen[i] : 0; /* -1: set by --set, no line */
    yaml_document_delete(&doc);
    if (!st) { /* a second document ("---") would be silently ignored: refuse it */
        yaml_document_t more;
        if (!yaml_parser_load(&parser, &more))
            st = Y90_FAIL(err, Y90_EINPUT, "%s:%d: YAML syntax error: %s", name, (int)parser.problem_mark.line + 1,
                          parser.problem ? parser.problem : "");
        else {
            yaml_node_t *extra = yaml_document_get_root_node(&more);
            if (extra)
                st = Y90_FAIL(err, Y90_EINPUT, "%s:%d: a second YAML document; expected one config per file", name,
                              line_of(extra));
            yaml_document_delete(&more);
        }
    }
    yaml_parser_delete(&parser);
    if (st) return st;
    cfg->yaml_text = malloc(len + 1);
    if (!cfg->yaml_text) return Y90_FAIL(err, Y90_ENOMEM, "%s: cannot keep the config text", name);
    memcpy(cfg->yaml_text, text, len);
    cfg->yaml_text[len] = 0;
    if (nsets > 0 && !(cfg->overrides = join_sets(sets, nsets))) {
        y90_config_free(cfg);
        return Y90_FAIL(err, Y90_ENOMEM, "%s: cannot keep the --set overrides", name);
    }
    return y90_config_validate(cfg, err);
}

y90_status y90_config_load(const char *path, y90_config *cfg, y90_error *err)
{
    return y90_config_load_sets(path, NULL, 0, cfg, err);
}

y90_status y90_config_load_sets(const char *path, const char *const *sets, int nsets, y90_config *cfg,
                                y90_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return Y90_FAIL(err, Y90_EINPUT, "%s: cannot open config: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return Y90_FAIL(err, Y90_EINPUT, "%s: is a folder; expected a YAML config file", path);
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? 2 * cap : 65536;
            if (cap > 2 * (size_t)Y90_CONFIG_MAX_BYTES) { /* refused by y90_config_parse with its size */
                cap = len;
                break;
            }
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory", path); }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        fclose(f);
        return Y90_FAIL(err, Y90_EINPUT, "%s: cannot read config: %s", path, strerror(e));
    }
    fclose(f);
    y90_status st = y90_config_parse_sets(path, buf ? buf : "", len, sets, nsets, cfg, err);
    free(buf);
    return st;
}

/* Checks that need no line (also for configs built in code): user materials. */
y90_status y90_config_validate(const y90_config *cfg, y90_error *err)
{
    for (int i = 0; i < cfg->nuser_materials; i++) {
        const y90_user_material *u = &cfg->user_materials[i];
        y90_material m = {.density = u->density, .I_eV = u->I_eV, .nelem = u->nelem, .source = "config"};
        snprintf(m.name, sizeof m.name, "%s", u->name);
        memcpy(m.Z, u->Z, sizeof m.Z);
        memcpy(m.w, u->w, sizeof m.w);
        y90_status st = y90_material_check(&m, err);
        if (st) return st;
    }
    return Y90_OK;
}

static double user_density(const y90_config *c, const char *name)
{
    for (int i = 0; i < c->nuser_materials; i++)
        if (strcmp(c->user_materials[i].name, name) == 0) return c->user_materials[i].density;
    return 0.0;
}

y90_phantom_params y90_config_phantom(const y90_config *c)
{
    y90_phantom_params p = c->phantom;
    if (p.density == 0) p.density = user_density(c, p.material);
    for (int i = 0; i < p.nslabs; i++)
        if (p.slab_densities[i] == 0) p.slab_densities[i] = user_density(c, p.slab_materials[i]);
    if (!p.ct_file[0] && !p.density_file[0]) /* image without a CT: each label's density, else its material's */
        for (int i = 0; i < p.nlabels; i++)
            if (p.labels[i].density == 0 && p.labels[i].material[0])
                p.labels[i].density = user_density(c, p.labels[i].material);
    return p;
}

void y90_config_free(y90_config *c)
{
    free(c->yaml_text);
    free(c->overrides);
    c->yaml_text = NULL;
    c->overrides = NULL;
}
