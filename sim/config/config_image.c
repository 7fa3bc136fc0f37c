/* y90mc: the config keys of patient images: the `labels` section (label value -> structure, kind, lobe, tumour,
 * material, density), the checks across the image keys, and file names relative to the config's folder. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "config_table.h"

typedef struct {
    const char *file;
    const int *seen; /* per key: line where it was set (0: default, -1: --set) */
    y90_error *err;
} ctx;

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static int line_either(const ctx *c, const char *k1, const char *k2) { return y90_key_line_either(c->seen, k1, k2); }
static const char *where(const ctx *c, int line, char *buf, size_t len)
{
    return y90_config_where(c->file, line, buf, len);
}

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0;
    return 1;
}

/* Names of y90_kind and y90_lobe in enum order (the config stage comes before sim/phantom/grid.c, which has the
 * same names for the output files). */
const char *const y90_config_kind_names[7] = {"outside", "body", "lung", "liver_normal", "tumour_viable",
                                              "tumour_necrotic", "medium"};
const char *const y90_config_lobe_names[3] = {"none", "right", "left"};

static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return i;
    return -1;
}

#define LABEL_KEYS "value (integer), name, kind (outside|body|lung|liver_normal|tumour_viable|tumour_necrotic|" \
                   "medium), lobe (none|right|left), tumour (0 or the tumour number), material, density (g/cm3)"

/* One `labels` entry. */
static y90_status parse_label(const char *file, yaml_document_t *doc, yaml_node_t *map, y90_config *cfg,
                              y90_error *err)
{
    y90_phantom_params *p = &cfg->phantom;
    if (map->type != YAML_MAPPING_NODE)
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels: each entry must be a mapping of %s", file, line_of(map),
                        LABEL_KEYS);
    if (p->nlabels >= Y90_MAX_IMAGE_LABELS)
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels: at most %d entries", file, line_of(map),
                        Y90_MAX_IMAGE_LABELS);
    y90_image_label *l = &p->labels[p->nlabels];
    memset(l, 0, sizeof *l);
    l->kind = Y90_KIND_BODY;
    int has_value = 0;
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < map->data.mapping.pairs.top; q++) {
        yaml_node_t *kn = yaml_document_get_node(doc, q->key), *vn = yaml_document_get_node(doc, q->value);
        const char *key = kn->type == YAML_SCALAR_NODE ? (const char *)kn->data.scalar.value : "?";
        const char *v = vn->type == YAML_SCALAR_NODE ? (const char *)vn->data.scalar.value : NULL;
        int line = line_of(vn);
        double x;
        if (!v)
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels.%s: expected a single value; an entry has %s", file, line,
                            key, LABEL_KEYS);
        if (strcmp(key, "value") == 0 || strcmp(key, "tumour") == 0) {
            int val = key[0] == 'v';
            if (y90_config_number(v, &x) || x != floor(x) || x < (val ? -2147483647.0 : 0) || x > (val ? 2147483647.0 : 65535))
                return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels.%s = '%s': expected %s", file, line, key, v,
                                val ? "an integer (the label value)" : "an integer in [0, 65535] (0: not a tumour)");
            if (val) {
                for (int i = 0; i < p->nlabels; i++)
                    if (p->labels[i].value == (int)x)
                        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels.value = %d given twice; expected one entry "
                                        "per label value", file, line, (int)x);
                l->value = (int)x;
                has_value = 1;
            } else {
                l->tumour_id = (int)x;
            }
        } else if (strcmp(key, "name") == 0 || strcmp(key, "material") == 0) {
            if (!v[0] || strlen(v) >= Y90_NAME_LEN || !printable(v))
                return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels.%s = '%s': expected a printable name of 1 to 47 "
                                "characters", file, line, key, printable(v) ? v : "?");
            snprintf(key[0] == 'n' ? l->name : l->material, Y90_NAME_LEN, "%s", v);
        } else if (strcmp(key, "kind") == 0) {
            int k = name_index(y90_config_kind_names, 7, v);
            l->kind = k >= 0 ? (y90_kind)k : l->kind;
            if (k < 0)
                return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels.kind = '%s': expected one of outside, body, lung, "
                                "liver_normal, tumour_viable, tumour_necrotic, medium", file, line, v);
        } else if (strcmp(key, "lobe") == 0) {
            int k = name_index(y90_config_lobe_names, 3, v);
            l->lobe = k >= 0 ? (y90_lobe)k : l->lobe;
            if (k < 0)
                return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels.lobe = '%s': expected none, right or left", file, line,
                                v);
        } else if (strcmp(key, "density") == 0) {
            if (y90_config_number(v, &x) || !(x >= 0 && x <= 25))
                return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels.density = '%s': expected a number in [0, 25] g/cm3 "
                                "(0: from the CT or density map, else the material's)", file, line, v);
            l->density = x;
        } else {
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels.%s: unknown key; an entry has %s", file, line_of(kn), key,
                            LABEL_KEYS);
        }
    }
    if (!has_value || !l->name[0])
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels: an entry needs value and name (and may have kind, lobe, "
                        "tumour, material, density)", file, line_of(map));
    for (int i = 0; i < p->nlabels; i++)
        if (strcmp(p->labels[i].name, l->name) == 0 &&
            (p->labels[i].kind != l->kind || p->labels[i].lobe != l->lobe))
            return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels: name '%s' is used by value %d with another kind or lobe; "
                            "expected one kind and lobe per structure name", file, line_of(map), l->name,
                            p->labels[i].value);
    p->nlabels++;
    return Y90_OK;
}

y90_status y90_config_parse_labels(const char *file, yaml_document_t *doc, yaml_node_t *seq, y90_config *cfg,
                                   y90_error *err)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return Y90_FAIL(err, Y90_EINPUT, "%s:%d: labels must be a list of entries (%s)", file, line_of(seq),
                        LABEL_KEYS);
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
        y90_status st = parse_label(file, doc, yaml_document_get_node(doc, *it), cfg, err);
        if (st) return st;
    }
    return Y90_OK;
}

/* The image keys (phantom.type image, source.type activity_map): which files go together, the HU tables. */
y90_status y90_config_check_image(const char *file, const y90_config *cfg, const int *seen, int labels_line,
                                  y90_error *err)
{
    ctx cc = {file, seen, err}, *c = &cc;
    const y90_phantom_params *p = &cfg->phantom;
    char w[1100];
    int image = p->type == Y90_PHANTOM_IMAGE;
    static const char *files[] = {"phantom.label_file", "phantom.ct_file", "phantom.density_file"};
    const char *vals[] = {p->label_file, p->ct_file, p->density_file};
    for (int i = 0; i < 3; i++)
        if (!image && vals[i][0])
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: %s is given but phantom.type is not image",
                            where(c, c->seen[y90_key_index(files[i])], w, sizeof w), files[i]);
    if (!image && labels_line)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s:%d: a `labels` section is given but phantom.type is not image",
                        c->file, labels_line);
    if (image && !p->label_file[0])
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.type = image needs phantom.label_file (the label map, whose "
                        "grid is the dose grid)", where(c, c->seen[y90_key_index("phantom.type")], w, sizeof w));
    if (image && p->nlabels == 0)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.type = image needs a `labels` section (one entry per label "
                        "value: value, name, kind, lobe, tumour, material, density)",
                        where(c, c->seen[y90_key_index("phantom.type")], w, sizeof w));
    if (p->ct_file[0] && p->density_file[0])
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.ct_file and phantom.density_file are both given; expected "
                        "one of them", where(c, c->seen[y90_key_index("phantom.density_file")], w, sizeof w));
    const char *at = where(c, line_either(c, "phantom.hu_points", "phantom.hu_densities"), w, sizeof w);
    if (p->nhu_points < 1 || p->nhu_points != p->nhu_densities)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.hu_points has %d entries and hu_densities %d; expected the "
                        "same number, at least 1", at, p->nhu_points, p->nhu_densities);
    for (int i = 1; i < p->nhu_points; i++)
        if (!(p->hu_points[i] > p->hu_points[i - 1]))
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.hu_points[%d] = %g is not above hu_points[%d] = %g; "
                            "expected ascending HU", at, i, p->hu_points[i], i - 1, p->hu_points[i - 1]);
    at = where(c, line_either(c, "phantom.hu_material_lower_hu", "phantom.hu_materials"), w, sizeof w);
    if (p->nhu_material_bins < 1 || p->nhu_material_bins != p->nhu_materials)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.hu_material_lower_hu has %d entries and hu_materials %d; "
                        "expected one material per bin", at, p->nhu_material_bins, p->nhu_materials);
    for (int i = 0; i < p->nhu_materials; i++) {
        if (i > 0 && !(p->hu_material_lower_hu[i] > p->hu_material_lower_hu[i - 1]))
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.hu_material_lower_hu[%d] = %g is not above the entry "
                            "before it; expected ascending HU", at, i, p->hu_material_lower_hu[i]);
        if (!y90_config_known_material(cfg, p->hu_materials[i]))
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: phantom.hu_materials[%d] = '%s': unknown material", at, i,
                            p->hu_materials[i]);
    }
    for (int i = 0; i < p->nlabels; i++)
        if (p->labels[i].material[0] && !y90_config_known_material(cfg, p->labels[i].material))
            return Y90_FAIL(c->err, Y90_EINPUT, "%s: labels: value %d: material '%s' is unknown; expected a built-in "
                            "material or a `materials` entry", c->file, p->labels[i].value, p->labels[i].material);
    int amap = cfg->source.type == Y90_SOURCE_ACTIVITY_MAP;
    if (amap && !image)
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: source.type = activity_map needs phantom.type = image (the label "
                        "map says where the liver and tumours are)",
                        where(c, line_either(c, "source.type", "phantom.type"), w, sizeof w));
    if (amap && !cfg->source.activity_file[0])
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: source.type = activity_map needs source.activity_file",
                        where(c, c->seen[y90_key_index("source.type")], w, sizeof w));
    if (!amap && cfg->source.activity_file[0])
        return Y90_FAIL(c->err, Y90_EINPUT, "%s: source.activity_file is given but source.type is not activity_map",
                        where(c, c->seen[y90_key_index("source.activity_file")], w, sizeof w));
    return Y90_OK;
}

void y90_config_resolve_paths(const char *file, y90_config *cfg, const int *seen)
{
    const char *slash = strrchr(file, '/');
    if (!slash) return; /* the config is in the working folder: names stay as they are */
    for (size_t i = 0; i < y90_config_nkeys; i++) {
        const y90_key *k = &y90_config_keys[i];
        char *v = (char *)cfg + k->offset;
        if (k->type != Y90_KT_PATH || seen[i] <= 0 || !v[0] || v[0] == '/') continue;
        char full[2 * Y90_PATH_LEN];
        snprintf(full, sizeof full, "%.*s/%s", (int)(slash - file), file, v);
        if (strlen(full) < Y90_PATH_LEN) snprintf(v, Y90_PATH_LEN, "%s", full);
    }
}

