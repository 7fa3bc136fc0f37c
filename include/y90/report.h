/* y90mc: dose report from an output file: per-structure, per-group and per-tumour dose statistics, DVH metrics,
 * radiobiology (BED, EUD), the clinical (MIRD single-compartment and partition-model) estimates next to the
 * simulated values with the energy balance that explains the difference, pictures and activity planning.
 * Reads only the HDF5 file (io.h format), so it works on any run. */
#ifndef Y90_REPORT_H
#define Y90_REPORT_H

#include <stdio.h>
#include "y90/common.h"
#include "y90/grid.h"

#define Y90_REPORT_MAX_LIST 16  /* entries of the --dx and --vx-gy lists */
#define Y90_REPORT_ALIAS_LEN 96

/* What the report computes and checks against. y90_report_options_default fills the cited defaults. */
typedef struct {
    double prescription_gy;        /* Gy, treated-liver prescription; <= 0: the file's /treatment prescription_gy */
    double tumour_target_gy;       /* Gy, viable-tumour target (default 205 Gy: glass spheres, DOSISPHERE-01 and
                                      EANM 2022 Table 2, see report.c) */
    int ndx;
    double dx_pct[Y90_REPORT_MAX_LIST]; /* %, Dx volumes (default 2, 50, 70, 90, 98) */
    int nvx;
    double vx_gy[Y90_REPORT_MAX_LIST];  /* Gy, Vx doses (default 70, 100, 113, 150, 205) */
    double lung_session_gy;        /* Gy, lung limit for one session (30) */
    double lung_cumulative_gy;     /* Gy, lung limit over all sessions (50) */
    double prior_lung_gy;          /* Gy, lung dose of earlier sessions (0) */
    double normal_liver_limit_gy;  /* Gy, whole normal liver mean limit (75, EANM 2022 Table 2) */
    double ab_tumour_gy, ab_normal_gy;     /* Gy, alpha/beta of tumour (10) and normal tissue (2.5) */
    double trep_tumour_h, trep_normal_h;   /* h, repair half-time of tumour (1.5) and normal tissue (1.5) */
    double eud_a_tumour, eud_a_normal;     /* generalised-EUD volume parameter a of tumour (-10) and normal (1) */
} y90_report_options;

void y90_report_options_default(y90_report_options *o);

/* Dose statistics of one row: a structure, a group of structures or one tumour. Mean is mass-weighted
 * (energy / mass); Dx, Vx and EUD are volume-based (every voxel has the same volume). */
typedef struct {
    char name[Y90_NAME_LEN];
    char alias[Y90_REPORT_ALIAS_LEN]; /* other names of the same voxels ("liver" for liver_treated when both lobes
                                         are treated), comma separated; "" when none */
    int tumour;                     /* 1..n for the rows of tumour n, else 0 */
    int tissue_tumour;              /* 1 when every voxel is tumour: EUD parameter of tumour */
    size_t nvox;
    double volume_ml, mass_g;
    double energy_j;                /* J, sum of dose x mass */
    double mean_gy, min_gy, max_gy;
    double mean_unc_pct;            /* %, 1 sigma of the mean from the voxel uncertainties taken as independent */
    double dx[Y90_REPORT_MAX_LIST]; /* Gy: minimum dose to the hottest dx_pct % of the volume */
    double vx[Y90_REPORT_MAX_LIST]; /* % of volume receiving at least vx_gy */
    double d70_gy;                  /* Gy, D70 whatever the --dx list (the plan's tumour-d70 goal) */
    double vpresc, vtarget;         /* % of volume receiving at least the prescription / the tumour target */
    double bed_mean_gy;             /* Gy, mass-weighted mean of the voxel BEDs */
    double eud_gy, eud_bed_gy;      /* Gy, generalised EUD of the voxel doses and of the voxel BEDs */
    double eud_a;                   /* the a used */
    double unc_median_pct;          /* %, median 1-sigma statistical uncertainty of the voxel doses (voxels with
                                       dose > 0; NAN when the file has no uncertainty) */
    double spheres;                 /* spheres whose centres lie in the row's voxels (NAN: the file stores none) */
} y90_dose_stats;

/* Microscale statistics of a lobule phantom (files with /lobule_ids): over the normal-liver voxels (kind
 * liver_normal: parenchyma, portal tracts, central veins). Mass-weighted mean; fractions of the volume. */
typedef struct {
    int present;                    /* 1 when the file has /lobule_ids */
    size_t nvox;
    double mean_gy, sd_gy, cv;      /* cv = sd / mean of the voxel doses */
    double below30_pct, below70_pct;/* % of the volume below 30 Gy and below 70 Gy */
    double unc_median_pct;          /* %, median voxel uncertainty (NAN without one): the fractions and cv are
                                       widened by that noise */
    int nlobules;
    double *lobule_mean_gy;         /* [nlobules], Gy, mean of lobule k+1 (NAN when it has no liver voxel) */
    double lobule_min_gy, lobule_median_gy, lobule_max_gy;
} y90_micro_stats;

/* Where the numbers came from. Strings are "" and numbers NAN / -1 when the file does not say. */
typedef struct {
    char input[1024];               /* the HDF5 file read */
    char config_path[1024];
    char *config;                   /* the run's YAML (malloc'd; NULL when absent) */
    char git_revision[64], version[32], created[40], kernel[16];
    double histories, histories_requested;
    int interrupted;                /* 1 stopped early, 0 complete, -1 unknown (file from before the attribute) */
    char run_status[24];            /* completed | interrupted | target_uncertainty | time_limit ("" unknown) */
    double seed;
    double threads, mpi_ranks, cpu_cores, runtime_s; /* NAN when absent */
    char hostname[256], cpu_model[256], compiler[128], compile_flags[512], build_type[32];
    char hdf5_version[32], gsl_version[32], fftw_version[64], mpi_library[256];
    char command_line[4096], slurm_job_id[32], slurm_array_job_id[32], slurm_array_task_id[32];
} y90_provenance;

typedef struct {
    y90_report_options opt;
    double prescription_gy;         /* the one used */
    y90_provenance prov;
    int nrows;
    y90_dose_stats *rows;           /* each structure, the groups, then per tumour: whole, viable, necrotic */
    int ntumours;                   /* tumours with their own rows (0 when the file has no /tumour_ids) */
    int largest_tumour;             /* 1-based id of the largest tumour, 0 when none */
    double largest_tumour_centre_mm[3]; /* mm, its voxel centroid */
    /* treatment (NAN without /treatment) */
    int treatment;
    double activity_gbq, activity_calibration_gbq, hours_after_calibration, lsf, tn, gy_kg_per_gbq, half_life_h;
    char treated_lobes[16], product[32];
    char tn_source[16];             /* where tn came from: "config", or "activity_map" (the image's own T/N) */
    char sphere_storage[16];        /* how the file stores its spheres: "table", "counts", "" (none stored) */
    double spheres_stored;          /* spheres in the file's table or counts (NAN: none stored) */
    /* simulated summary */
    double treated_liver_mean_gy, tumour_mean_gy, normal_liver_mean_gy, whole_normal_liver_mean_gy, liver_mean_gy,
        lung_mean_gy, tumour_d70_gy;
    /* clinical estimates from the file's treatment attributes and the phantom's masses */
    double mird_treated_liver_gy;    /* gy_kg_per_gbq * A * (1 - LSF) / M_treated_liver */
    double partition_normal_gy, partition_tumour_gy; /* Ho et al. 1996 partition model */
    double mird_lung_gy;             /* gy_kg_per_gbq * A * LSF / M_lung (phantom lung mass) */
    double mird_lung_1kg_gy;         /* the same with the clinical convention M_L = 1 kg */
    double lung_limit_gy;            /* the session limit (opt.lung_session_gy) */
    /* energy balance (fractions of the emitted energy; NAN when the file has none) */
    double f_treated_liver, f_necrotic, f_other_liver, f_lung, f_body, f_photon, f_electron, f_spheres;
    char why[4][640];                /* a sentence per clinical estimate: why the simulated number differs */
    y90_micro_stats micro;           /* lobule phantoms only (micro.present) */
} y90_report;

/* Compute the report (opt NULL: the defaults). Free with y90_report_free. */
y90_status y90_report_compute(const char *h5path, const y90_report_options *opt, y90_report *r, y90_error *err);
void y90_report_free(y90_report *r);
/* Print it as a readable table or as JSON. */
void y90_report_print_text(const y90_report *r, FILE *f);
void y90_report_print_json(const y90_report *r, FILE *f);
/* The row named name (a structure, a group, a tumour or an alias), or NULL when the report has none. */
const y90_dose_stats *y90_report_row(const y90_report *r, const char *name);
/* The structures (labels) of grid g that the report's row `name` covers (a structure of the phantom or a group such
 * as liver_normal_treated; per-tumour rows aside): member[label] = 1. treated: the treated lobe (Y90_LOBE_NONE for
 * both). -1 when no voxel structure has that name or belongs to that group. */
int y90_report_select(const y90_grid *g, y90_lobe treated, const char *name, uint8_t *member);
/* Cumulative DVH of every row (dose bins in Gy, volume fraction in %) as CSV. */
y90_status y90_report_write_dvh_csv(const char *h5path, const char *csv_path, int force, y90_error *err);
/* Pictures into folder dir (created if missing): dvh.png, dvh_tumours.png (when there are tumours),
 * slices.png and profile.png. Names of the files written go to log (may be NULL). */
y90_status y90_report_write_png(const char *h5path, const y90_report *r, const char *dir, FILE *log,
                                y90_error *err);

/* Microscale statistics from a grid with lobule ids and its dose (sim/report/report_micro.c); printed by the
 * report when present. */
y90_status y90_micro_stats_compute(const y90_grid *g, const double *dose, const float *unc, y90_micro_stats *m,
                                   y90_error *err);
void y90_micro_stats_free(y90_micro_stats *m);
void y90_micro_print_text(const y90_micro_stats *m, FILE *f);
void y90_micro_print_json(const y90_micro_stats *m, FILE *f);

/* ---- the arithmetic, public for the tests ---- */
/* BED of a permanent implant of an exponentially decaying source (Dale 1985):
 * D [1 + D lambda / ((mu + lambda) alpha/beta)], lambda = ln2 / T_half, mu = ln2 / T_rep. */
double y90_bed_gy(double dose_gy, double alpha_beta_gy, double t_rep_h, double t_half_h);
/* Generalised EUD (Niemierko): (sum_i v_i D_i^a)^(1/a) with v_i = 1/n; a = 0 the geometric mean; for a < 0 a
 * zero dose gives 0. n = 0 gives NAN. */
double y90_geud(const double *dose, size_t n, double a);
/* Dx (step DVH) from doses sorted descending; Vx in % of n. */
double y90_dose_at_volume(const double *desc, size_t n, double pct);
double y90_volume_at_dose(const double *desc, size_t n, double thr);

/* ---- planning: the activity that meets a goal, scaling the simulated dose linearly ---- */
typedef enum { Y90_GOAL_TREATED_LIVER_MEAN, Y90_GOAL_TUMOUR_D70, Y90_GOAL_NORMAL_LIVER_MEAN } y90_goal_kind;

typedef struct {
    y90_goal_kind kind;
    double gy;                 /* Gy */
    int upper;                 /* 1 for "<=": the largest activity keeping the quantity at or below gy */
} y90_goal;

typedef struct {
    double hours_after_calibration; /* h, treatment time after the vial's calibration; NAN: the file's */
    double vial_gbq;                /* GBq at calibration; <= 0: pick the smallest standard glass vial */
} y90_plan_options;

typedef struct {
    y90_goal goal;
    double simulated_gy;       /* Gy, the goal quantity in the file at the file's activity */
    double file_activity_gbq;  /* GBq at treatment, the file's */
    double scale;              /* planned / file activity */
    double activity_gbq;       /* GBq at treatment */
    double hours_after_calibration;
    double activity_calibration_gbq; /* GBq needed at calibration for that treatment time */
    double vial_gbq;           /* vial chosen or given (GBq at calibration); NAN when none is large enough */
    double vial_hours;         /* h after calibration at which that vial holds activity_gbq */
    double mird_gbq, partition_gbq; /* GBq at treatment: the clinical models' answers for the same goal */
    double treated_liver_mean_gy, tumour_mean_gy, tumour_d70_gy, normal_liver_mean_gy, whole_normal_liver_mean_gy,
        lung_mean_gy, lung_1kg_gy; /* Gy, at the planned activity */
    int lung_session_ok, lung_cumulative_ok, normal_liver_ok;
} y90_plan;

/* Parse "treated-liver-mean=113", "tumour-d70=205", "normal-liver-mean<=70"; -1 when not understood. */
int y90_goal_parse(const char *s, y90_goal *g);
y90_status y90_plan_compute(const y90_report *r, const y90_goal *goal, const y90_plan_options *po, y90_plan *p,
                            y90_error *err);
void y90_plan_print(const y90_report *r, const y90_plan *p, FILE *f);

#endif
