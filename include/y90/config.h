/* y90mc: the run configuration (YAML), parsed and validated through one key table (sim/config/config_table.c). */
#ifndef Y90_CONFIG_H
#define Y90_CONFIG_H

#include "y90/common.h"
#include "y90/grid.h"
#include <stdio.h>

#define Y90_MAX_SLABS 16
#define Y90_MAX_USER_MATERIALS 8
#define Y90_MAX_ELEMENTS 16
#define Y90_MAX_IMAGE_LABELS 48 /* entries of the `labels` section */
#define Y90_PATH_LEN 1024       /* file names in the config (images) */

typedef enum { Y90_PHANTOM_LIVER = 0, Y90_PHANTOM_BOX, Y90_PHANTOM_SLABS, Y90_PHANTOM_IMAGE,
               Y90_PHANTOM_LOBULES } y90_phantom_type;

/* One entry of the `labels` section: what the voxels of one value of the label map are (phantom.type: image). */
typedef struct {
    int value;                       /* label value in the label map */
    char name[Y90_NAME_LEN];         /* structure name, e.g. liver_right */
    y90_kind kind;
    y90_lobe lobe;
    int tumour_id;                   /* 0: not a tumour; k > 0: tumour k (the grid's tumour_ids) */
    char material[Y90_NAME_LEN];     /* "" : the CT's material (soft_tissue without a CT) */
    double density;                  /* g/cm3 (0: from the CT or density map, else the material's nominal) */
} y90_image_label;

/* Lesion patterns of the analytic liver (sim/phantom/tumours.c says what each places). */
typedef enum {
    Y90_PATTERN_SCATTERED = 0, /* random positions, separate while room allows, merging when dense */
    Y90_PATTERN_FEW_LARGE,     /* at most 10 separate lesions, never merged */
    Y90_PATTERN_MILIARY,       /* at least 20 lesions spread over the lobes in proportion to their volume */
    Y90_PATTERN_CONFLUENT,     /* one lobulated mass: every lesion overlaps the ones before it */
    Y90_PATTERN_MIX            /* one dominant lesion plus small ones spread as in miliary */
} y90_tumour_pattern;

typedef enum { Y90_TREAT_BOTH = 0, Y90_TREAT_RIGHT, Y90_TREAT_LEFT } y90_treated_lobes;
/* What treatment.activity_gbq means: the vial's activity at calibration, or the activity at injection. */
typedef enum { Y90_ACTIVITY_AT_CALIBRATION = 0, Y90_ACTIVITY_AT_TREATMENT } y90_activity_time;

typedef struct {
    y90_phantom_type type;
    double voxel_mm;                 /* mm, cubic voxel edge */
    uint64_t seed;                   /* seed of the tumour placement */
    /* analytic liver */
    double liver_mass_g;             /* g, whole liver including tumours */
    double liver_density;            /* g/cm3 */
    double right_lobe_fraction;      /* fraction of liver volume in the right lobe */
    double tumour_burden_percent;    /* % of liver volume that is tumour (viable + necrotic) */
    int tumour_count;
    double tumour_size_sigma;        /* log-normal sigma of tumour volumes (0 = all equal) */
    y90_tumour_pattern tumour_pattern;
    y90_treated_lobes tumour_lobes;  /* lobes that hold tumours (both, right or left) */
    double tumour_large_fraction;    /* mix pattern: fraction of the tumour volume in the dominant lesion */
    double necrotic_fraction;        /* necrotic fraction of each tumour's volume (the largest, with the rim model) */
    double necrosis_min_diameter_mm; /* mm, tumours up to this diameter have no necrotic core (0 = every tumour
                                        has necrotic_fraction) */
    double lung_density;             /* g/cm3 */
    double body_density;             /* g/cm3 */
    double margin_mm;                /* mm, soft tissue around the organs */
    /* box and slabs */
    double box_size_mm[3];           /* mm, x y z extent (slabs: x y lateral, z ignored) */
    char material[Y90_NAME_LEN];     /* box material */
    double density;                  /* g/cm3, box density (0 = the material's nominal density) */
    int nslabs;
    char slab_materials[Y90_MAX_SLABS][Y90_NAME_LEN];
    double slab_densities[Y90_MAX_SLABS];   /* g/cm3 (0 = nominal) */
    double slab_thickness_mm[Y90_MAX_SLABS]; /* mm, along z, first slab at the lowest z */
    /* image (include/y90/image.h): the label map's grid is the dose grid */
    char label_file[Y90_PATH_LEN];   /* label map (NIfTI or HDF5), values as in labels[] */
    char ct_file[Y90_PATH_LEN];      /* CT in HU ("" : none) */
    char density_file[Y90_PATH_LEN]; /* density map in g/cm3 instead of a CT ("" : none) */
    int nhu_points;
    double hu_points[Y90_MAX_SLABS];     /* HU, nodes of the piecewise-linear HU-to-density curve, ascending */
    int nhu_densities;
    double hu_densities[Y90_MAX_SLABS];  /* g/cm3 at each node */
    int nhu_material_bins;
    double hu_material_lower_hu[Y90_MAX_SLABS]; /* HU, lower edge of each material bin, ascending */
    int nhu_materials;
    char hu_materials[Y90_MAX_SLABS][Y90_NAME_LEN]; /* material of each bin */
    int nlabels;
    y90_image_label labels[Y90_MAX_IMAGE_LABELS];
    /* lobules (microscale block of liver, sim/phantom/lobules.c) */
    double lobule_block_mm[3];       /* mm, x y z extent of the block */
    double lobule_diameter_mm;       /* mm, corner-to-corner diameter of the hexagonal lobules */
    double portal_radius_um;         /* um, radius of the portal tracts at the lobule corners */
    double central_vein_radius_um;   /* um, radius of the central veins */
    double lobule_tumour_depth_mm;   /* mm, tumour edge: the block's last depth along +x is tumour (0 = none) */
} y90_phantom_params;

typedef enum {
    Y90_SOURCE_MICROSPHERES = 0,
    Y90_SOURCE_UNIFORM_BOX,
    Y90_SOURCE_UNIFORM_STRUCTURE,
    Y90_SOURCE_VOXEL,
    Y90_SOURCE_POINT,
    Y90_SOURCE_ACTIVITY_MAP /* microspheres placed in proportion to an activity image in the liver and tumours */
} y90_source_type;

typedef enum { Y90_ACTIVITY_PET_BQ_ML = 0, Y90_ACTIVITY_SPECT_COUNTS } y90_activity_kind;

typedef enum { Y90_PRODUCT_THERASPHERE = 0, Y90_PRODUCT_SIR_SPHERES } y90_product;

/* Cluster-size distribution of the lodged spheres (sim/source/cluster.c). */
typedef enum { Y90_CLUSTER_NONE = 0, Y90_CLUSTER_GEOMETRIC, Y90_CLUSTER_LOGNORMAL } y90_cluster_dist;

/* How a run keeps its microspheres (sim/source/source.c): one row per sphere, or per-voxel counts with each
 * sphere's position in its voxel and diameter regenerated from its own random stream; auto: counts above
 * Y90_SPHERE_COUNTS_AUTO spheres (table with clustering, which needs every sphere's position). */
typedef enum { Y90_SPHERES_TABLE = 0, Y90_SPHERES_COUNTS, Y90_SPHERES_AUTO } y90_sphere_storage;
#define Y90_SPHERE_COUNTS_AUTO 5000000.0 /* spheres: above this many, auto keeps counts */

typedef struct {
    y90_source_type type;
    y90_product product;
    uint64_t seed;                   /* seed of the sphere placement (independent of the transport seed) */
    double sphere_diameter_um;       /* um, mean diameter (0 = product preset) */
    double sphere_diameter_sd_um;    /* um, standard deviation (<0 = product preset) */
    double sphere_density;           /* g/cm3 (0 = product preset) */
    double activity_per_sphere_bq;   /* Bq at calibration, mean (0 = product preset) */
    double box_min_mm[3];            /* mm, uniform_box lower corner */
    double box_max_mm[3];            /* mm, uniform_box upper corner (min == max: whole phantom) */
    char structure[Y90_NAME_LEN];    /* uniform_structure: structure name */
    int voxel[3];                    /* voxel source: ix iy iz */
    double point_mm[3];              /* mm, point source position */
    double energy_mev;               /* MeV, mono-energetic electrons instead of the 90Y spectrum (0 = spectrum) */
    double direction[3];             /* emission direction (all 0 = isotropic); normalised when read */
    char activity_file[Y90_PATH_LEN];/* activity_map: the image (NIfTI or HDF5) */
    y90_activity_kind activity_kind; /* pet_bq_ml: values are Bq/ml; spect_counts: counts per voxel */
    y90_cluster_dist clustering;     /* cluster-size distribution (none: every sphere alone) */
    double cluster_mean;             /* spheres, mean cluster size (geometric and log-normal) */
    double cluster_sigma;            /* log-normal sigma of the cluster size */
    double cluster_spread_um;        /* um, standard deviation of a sphere's offset from its cluster centre per axis */
    y90_sphere_storage sphere_storage; /* table, counts or auto */
} y90_source_params;

typedef struct {
    double activity_gbq;             /* GBq, at calibration or at injection (activity_at) */
    y90_activity_time activity_at;    /* the time activity_gbq refers to */
    double hours_after_calibration;  /* h, time from calibration to injection */
    double lung_shunt_fraction;      /* fraction of activity to the lungs */
    double tn_ratio;                 /* tumour-to-normal activity concentration ratio (per mass) */
    y90_treated_lobes treated_lobes;
    double prescription_gy;          /* Gy, goal for the treated liver (report default) */
} y90_treatment_params;

typedef enum { Y90_KERNEL_MC = 0, Y90_KERNEL_LOCAL, Y90_KERNEL_DVK, Y90_KERNEL_DVK_DENSITY } y90_kernel_type;

/* Activity map of the deterministic kernels (local, dvk, dvk_density): the sampled spheres, or the uptake model's
 * expectation (noise-free). */
typedef enum { Y90_ACTIVITY_SAMPLED = 0, Y90_ACTIVITY_EXPECTED } y90_activity_map_type;

/* Electron-step mechanics of the multiple scattering (kernels/mc_presta.c, kernels/mc_hinge.c). */
typedef enum { Y90_STEP_PRESTA2 = 0, Y90_STEP_HINGE } y90_step_algorithm;

typedef struct {
    y90_kernel_type kernel;
    int64_t histories;               /* decays simulated */
    uint64_t seed;
    int threads;                     /* 0 = all cores */
    double cutoff_kev;               /* keV, electron transport cutoff (kinetic energy) */
    double photon_cutoff_kev;        /* keV, photon transport cutoff */
    double delta_threshold_kev;      /* keV, Moller delta-ray production threshold */
    double brems_threshold_kev;      /* keV, bremsstrahlung photon production threshold */
    double max_eloss_fraction;       /* maximum fractional energy loss per condensed step */
    y90_step_algorithm step_algorithm; /* how a step's scattering places its end (presta2 | hinge) */
    double ximax;                    /* largest first transport mean free paths (K1) of a presta2 step */
    int straggling;                  /* bool: energy-loss straggling */
    int secondaries;                 /* bool: hard collisions and bremsstrahlung produce tracked secondaries */
    int multiple_scattering;         /* bool */
    int spin;                        /* bool: Mott (spin) correction of elastic scattering */
    int stratify;                    /* bool: decays stratified over the spheres (else drawn at random) */
    int range_rejection;             /* bool: an electron that cannot leave its voxel deposits its energy there */
    y90_activity_map_type activity_map;
    int64_t kernel_histories;        /* MC histories of the dvk voxel kernel */
    double time_limit_s;             /* s, wall time after which the run stops (0: none) */
    double target_uncertainty;       /* median relative voxel uncertainty at which the run stops (0: off) */
    char target_structure[Y90_NAME_LEN]; /* report row name of target_uncertainty */
} y90_transport_params;

typedef struct {
    int uncertainty;                 /* bool: write /dose_rel_uncertainty */
    int microspheres;                /* bool: write the spheres (/microspheres or /microsphere_counts) */
    double max_memory_gb;            /* GB a run may use (0 = 80 % of physical memory) */
    double checkpoint_s;             /* s between checkpoints (0: none) */
} y90_output_params;

/* A user-defined material (config section `materials`). */
typedef struct {
    char name[Y90_NAME_LEN];
    double density;                  /* g/cm3, nominal */
    double I_eV;                     /* eV, mean excitation energy (0 = Bragg additivity) */
    int nelem;
    int Z[Y90_MAX_ELEMENTS];
    double w[Y90_MAX_ELEMENTS];      /* mass fractions */
} y90_user_material;

#define Y90_CONFIG_MAX_KEYS 128

typedef struct {
    char path[1024];                 /* file it was read from */
    char *yaml_text;                 /* the full YAML text, stored in every output */
    char *overrides;                 /* the --set KEY=VALUE overrides applied on top, one a line (NULL: none) */
    y90_phantom_params phantom;
    y90_source_params source;
    y90_treatment_params treatment;
    y90_transport_params transport;
    y90_output_params output;
    int nuser_materials;
    y90_user_material user_materials[Y90_MAX_USER_MATERIALS];
    int key_line[Y90_CONFIG_MAX_KEYS]; /* line of path where each key of the table was set (0: default) */
} y90_config;

/* Limits that refuse a config early, before the YAML parser (whose time grows with the square of the nesting). */
#define Y90_CONFIG_MAX_BYTES (1u << 20) /* bytes of a config file */
#define Y90_CONFIG_MAX_DEPTH 16         /* nesting of mappings and lists (a config needs 4) */

/* Fill every key with its table default (no file). */
void y90_config_defaults(y90_config *c);
/* Parse a YAML file; every error names file:line, the key and what was expected (Y90_EINPUT). */
y90_status y90_config_load(const char *path, y90_config *c, y90_error *err);
/* Parse YAML text (name used in messages). */
y90_status y90_config_parse(const char *name, const char *text, size_t len, y90_config *c, y90_error *err);
/* The same with overrides "KEY=VALUE" (`--set`, repeatable) applied after the file and before the cross-key
 * checks: VALUE is YAML (a scalar, or a flow list like [1, 2, 3]) validated exactly like the file's value; errors
 * start with "--set KEY=VALUE". Any key of the table; a key given twice is refused. */
y90_status y90_config_parse_sets(const char *name, const char *text, size_t len, const char *const *sets, int nsets,
                                 y90_config *c, y90_error *err);
y90_status y90_config_load_sets(const char *path, const char *const *sets, int nsets, y90_config *c,
                                y90_error *err);
/* Cross-key checks that one key alone cannot express. */
y90_status y90_config_validate(const y90_config *c, y90_error *err);
void y90_config_free(y90_config *c);
/* The phantom parameters with the nominal density of `materials` entries filled in where a density is 0
 * (the phantom module knows only the built-in materials). */
y90_phantom_params y90_config_phantom(const y90_config *c);
/* Every key with the value the run used (defaults and command-line overrides included), as YAML text
 * (malloc'd; NULL when out of memory). Stored in every output file as `config_effective`. */
char *y90_config_effective(const y90_config *c);
/* Line of path where key ("phantom.voxel_mm") was set; 0 when it has its default or is unknown. */
int y90_config_line(const y90_config *c, const char *key);
/* Give an error raised later from the config's values (phantom, sources) the file and the line of the first
 * config key its message names: "path:line: message" (or "path: message" for a default value). */
void y90_config_locate_error(const y90_config *c, y90_error *err);
/* Print the key reference (Markdown table) generated from the key table. */
void y90_config_print_reference(FILE *f);
#endif
