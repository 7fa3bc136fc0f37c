/* y90mc: the config key table (private to sim/config*.c). One row per key drives parsing, validation,
 * defaults, `y90mc --help-config` and the README's config reference. */
#ifndef Y90_CONFIG_TABLE_H
#define Y90_CONFIG_TABLE_H

#include <stddef.h>
#include <yaml.h>
#include "y90/config.h"

typedef enum {
    Y90_KT_DOUBLE,
    Y90_KT_INT,
    Y90_KT_INT64,
    Y90_KT_UINT64,
    Y90_KT_BOOL,
    Y90_KT_STRING,     /* char[Y90_NAME_LEN] */
    Y90_KT_ENUM,       /* int-sized enum; choices "a|b|c" map to 0, 1, 2 */
    Y90_KT_DOUBLE3,    /* double[3] */
    Y90_KT_INT3,       /* int[3] */
    Y90_KT_STRLIST,    /* char[Y90_MAX_SLABS][Y90_NAME_LEN] with a count */
    Y90_KT_DOUBLELIST, /* double[Y90_MAX_SLABS] with a count */
    Y90_KT_PATH        /* char[Y90_PATH_LEN]: a file; relative names are taken from the config file's folder */
} y90_key_type;

enum { Y90_RANGE_MIN_OPEN = 1, Y90_RANGE_MAX_OPEN = 2 };

typedef struct {
    const char *key;       /* "section.name" */
    y90_key_type type;
    size_t offset;         /* offsetof(y90_config, ...) */
    const char *def;       /* default as YAML scalar text ("" list = empty); NULL = required */
    double min, max;       /* allowed range of numbers (each element of a list) */
    int range_flags;       /* Y90_RANGE_MIN_OPEN / Y90_RANGE_MAX_OPEN */
    const char *unit;
    const char *choices;   /* Y90_KT_ENUM: "a|b|c" */
    size_t count_offset;   /* lists: offsetof the int count */
    const char *help;
} y90_key;

extern const y90_key y90_config_keys[];
extern const size_t y90_config_nkeys;

/* Text of a numeric key's allowed range, e.g. "(0, 50]"; the name of a key's type (config.c). */
void y90_key_range_text(const y90_key *k, char *buf, size_t len);
const char *y90_key_type_text(const y90_key *k);

/* A decimal number (no hexadecimal), finite and in range of a double, into *v: 0, else -1 (config.c; also
 * config_image.c). */
int y90_config_number(const char *s, double *v);

/* Shared by config_check.c (where they are) and config_image.c: the index of a key in the table (0 if unknown);
 * whether a material is built in or a `materials` entry; the line of the first of two keys that was set (0:
 * neither; seen: line per key, -1 for --set); "file:line", "--set" or "file" for messages. */
size_t y90_key_index(const char *key);
int y90_config_known_material(const y90_config *cfg, const char *name);
int y90_key_line_either(const int *seen, const char *k1, const char *k2);
const char *y90_config_where(const char *file, int line, char *buf, size_t len);
/* Checks across keys (config_check.c), after the file and the --set overrides: file names the config in
 * messages; seen: line per key (0 default, -1 --set); count: entries given per list key; labels_line: line of
 * `labels` (0: none). May set a default that depends on another key (phantom.voxel_mm for lobules). */
y90_status y90_config_cross_check(const char *file, y90_config *cfg, const int *seen, const int *count,
                                  int labels_line, y90_error *err);

/* Names of y90_kind and y90_lobe in enum order, for the `labels` section (the config stage comes before
 * sim/phantom/grid.c, which names them for the output files). */
extern const char *const y90_config_kind_names[7];
extern const char *const y90_config_lobe_names[3];

/* The `labels` section (config_image.c): a list of {value, name, kind, lobe, tumour, material, density}. */
y90_status y90_config_parse_labels(const char *file, yaml_document_t *doc, yaml_node_t *seq, y90_config *cfg,
                                   y90_error *err);
/* Checks across the image keys; seen: line of each key (0 default, -1 --set); labels_line: line of `labels`. */
y90_status y90_config_check_image(const char *file, const y90_config *cfg, const int *seen, int labels_line,
                                  y90_error *err);
/* File keys set in the file (seen > 0) with a relative name are taken from the folder of file. */
void y90_config_resolve_paths(const char *file, y90_config *cfg, const int *seen);

#endif
