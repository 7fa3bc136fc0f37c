/* y90mc: dose report from an output file: per-structure dose statistics, DVH metrics and the clinical
 * (MIRD single-compartment and partition-model) estimates next to the simulated values.
 * Reads only the HDF5 file (io.h format), so it works on any run. */
#ifndef Y90_REPORT_H
#define Y90_REPORT_H

#include <stdio.h>
#include "y90/common.h"
#include "y90/grid.h"

#define Y90_REPORT_MAX_ROWS (Y90_MAX_LABELS + 8)

/* Dose statistics of one structure or group of structures. Mean is mass-weighted (energy / mass);
 * Dx and Vx are volume-based (every voxel has the same volume). */
typedef struct {
    char name[Y90_NAME_LEN];
    size_t nvox;
    double volume_ml, mass_g;
    double mean_gy, min_gy, max_gy;
    double d2, d50, d70, d90, d98;   /* Gy: minimum dose to the hottest x % of the volume */
    double v70, v100, v113, v150;    /* % of volume receiving at least 70, 100, 113, 150 Gy */
    double vpresc;                   /* % of volume receiving at least the prescription */
    double unc_median_pct;           /* %, median 1-sigma statistical uncertainty of the voxel doses (voxels with
                                        dose > 0; NAN when the file has no uncertainty): DVH metrics are widened
                                        by noise of this size */
} y90_dose_stats;

typedef struct {
    double prescription_gy;
    int nrows;
    y90_dose_stats rows[Y90_REPORT_MAX_ROWS]; /* each structure, then the groups (tumour_viable, tumour, liver_normal_treated, liver_treated, lungs) */
    /* simulated summary */
    double treated_liver_mean_gy, tumour_mean_gy, normal_liver_mean_gy, lung_mean_gy;
    /* clinical estimates from the file's treatment attributes and the phantom's masses */
    double mird_treated_liver_gy;    /* gy_kg_per_gbq * A * (1 - LSF) / M_treated_liver */
    double partition_normal_gy, partition_tumour_gy; /* Ho et al. 1996 partition model */
    double mird_lung_gy;             /* gy_kg_per_gbq * A * LSF / M_lung (phantom lung mass) */
    double lung_limit_gy;            /* 30 Gy single session */
} y90_report;

/* Compute the report; prescription_gy <= 0 uses the file's /treatment prescription_gy. */
y90_status y90_report_compute(const char *h5path, double prescription_gy, y90_report *r, y90_error *err);
/* Print it as a readable table or as JSON. */
void y90_report_print_text(const y90_report *r, FILE *f);
void y90_report_print_json(const y90_report *r, FILE *f);
/* The row named name (a structure or a group), or NULL when the report has none (no voxels). */
const y90_dose_stats *y90_report_row(const y90_report *r, const char *name);
/* Cumulative DVH of every row (dose bins in Gy, volume fraction in %) as CSV. */
y90_status y90_report_write_dvh_csv(const char *h5path, const char *csv_path, int force, y90_error *err);

#endif
