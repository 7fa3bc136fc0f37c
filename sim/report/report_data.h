/* Shared inside sim/report by report.c and report_summary.c: what the report reads from the output file and its
 * rows (structures, groups, tumours). */
#ifndef Y90_REPORT_DATA_H
#define Y90_REPORT_DATA_H

#include <stddef.h>
#include <stdint.h>
#include "y90/report.h"

typedef struct {
    char name[Y90_NAME_LEN];
    char alias[Y90_REPORT_ALIAS_LEN];
    uint8_t member[Y90_MAX_LABELS]; /* 1 for each structure (label) in the row */
    int tumour;                     /* 0: any voxel of the member labels; k: only those of tumour k */
    size_t n;                       /* voxels */
    uint64_t hash;                  /* sum of a mix of the voxel indices: equal sets have equal (n, hash) */
} row_def;

/* What the report reads from the file. */
typedef struct {
    y90_grid g;
    double *dose;                   /* Gy per voxel */
    float *unc;                     /* relative 1-sigma uncertainty per voxel, or NULL */
    size_t count[Y90_MAX_LABELS];   /* voxels per label */
    size_t *tstart, *tvox;          /* voxels of tumour k: tvox[tstart[k-1] .. tstart[k]-1] */
    int treatment;                  /* 1 when the file has /treatment */
    y90_lobe treated_lobe;          /* Y90_LOBE_NONE = both lobes */
    double a_gbq, lsf, tn, k, presc_gy;
    uint32_t *spheres;              /* spheres per voxel (either storage), or NULL when the file stores none */
    int nrows, maxrows;
    row_def *rows;
} report_data;

/* The simulated summary (mean doses of the treated liver, tumour, lungs), the clinical estimates (MIRD single
 * compartment, partition model, lung), the largest tumour, the fractions of the emitted energy (from the
 * /energy_balance of h5path) and one sentence per estimate on why the simulation differs (report_summary.c).
 * Needs r's rows (y90_report_row) and the /treatment values of d. */
void y90_report_summary(const char *h5path, const report_data *d, y90_report *r);

#endif
