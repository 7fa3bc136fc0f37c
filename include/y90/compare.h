/* y90mc: two dose files compared (`y90mc compare A.h5 B.h5`, sim/report/compare.c): per-structure differences
 * of the mean, D70 and V100, a voxel-wise difference map, and the 3D gamma index (Low et al. 1998, Med Phys
 * 25:656) of B (evaluated) against A (reference). */
#ifndef Y90_COMPARE_H
#define Y90_COMPARE_H

#include <stdio.h>
#include "y90/common.h"
#include "y90/grid.h"
#include "y90/report.h"

typedef struct {
    double dd_percent;        /* %, dose-difference criterion */
    double dta_mm;            /* mm, distance to agreement */
    int local;                /* 1: dd_percent of the local reference dose; 0: of the reference maximum (global) */
    double threshold_percent; /* %, reference voxels below this share of the reference maximum are not evaluated */
    int with_uncertainty;     /* 1: the dose criterion widened by the statistical uncertainty of both files:
                                 dd_eff = sqrt(dd^2 + sigma_A^2 + sigma_B^2), sigma = absolute 1-sigma of the two
                                 doses in the reference voxel */
} y90_gamma_criteria;

typedef struct {
    size_t evaluated, passed; /* reference voxels at or above the threshold; those with gamma <= 1 */
    double pass_percent;      /* % */
} y90_gamma_result;

/* Gamma of eval against ref on grid g (same geometry): for each reference voxel at or above the threshold, the
 * minimum over points r within dta_mm of sqrt(|r|^2/dta^2 + (eval(x+r) - ref(x))^2/dd^2), eval interpolated
 * trilinearly between voxel centres, r on a cubic lattice of step min(voxel/3, dta/5). Voxels whose gamma is
 * above 1 are failed (the search stops at dta). gamma_map (may be NULL): gamma per voxel, values above 1 are
 * upper bounds, -1 where not evaluated. The uncertainty arrays (relative 1-sigma) may be NULL (= 0). */
y90_status y90_gamma_index(const y90_grid *g, const double *ref, const float *ref_unc, const double *eval,
                           const float *eval_unc, const y90_gamma_criteria *c, y90_gamma_result *r, float *gamma_map,
                           y90_error *err);

#define Y90_COMPARE_MAX_GAMMA 8
#define Y90_COMPARE_MAX_ROWS (Y90_MAX_LABELS + 16) /* structures and groups (the report's rows without per-tumour ones) */

typedef struct {
    char name[Y90_NAME_LEN];
    double mean_a, mean_b;    /* Gy, mass-weighted */
    double d70_a, d70_b;      /* Gy */
    double v100_a, v100_b;    /* % of volume at or above 100 Gy */
    double unc_a, unc_b;      /* %, median voxel 1-sigma of the structure (NAN without uncertainty) */
} y90_compare_row;

typedef struct {
    char path_a[1024], path_b[1024];
    int nrows;
    y90_compare_row rows[Y90_COMPARE_MAX_ROWS];
    double max_a_gy, max_abs_diff_gy;
    double mean_abs_z;        /* mean |B - A| / sigma_comb over voxels above 10 % of max(A) with sigma_comb > 0
                                 (about 0.80 = sqrt(2/pi) when the files differ only by noise); NAN if none */
    int has_unc_a, has_unc_b;
    int ngamma;
    y90_gamma_criteria crit[Y90_COMPARE_MAX_GAMMA];
    y90_gamma_result gamma[Y90_COMPARE_MAX_GAMMA];
} y90_compare;

/* Compare A (reference) and B; with diff_out, write /dose_difference (B - A, Gy), /dose_difference_sigma (combined
 * 1-sigma, Gy; when both files have uncertainties) and /gamma (the first criterion) with the phantom of A. */
y90_status y90_compare_files(const char *a, const char *b, const y90_gamma_criteria *crit, int ncrit,
                             const char *diff_out, int force, y90_compare *out, y90_error *err);
void y90_compare_print_text(const y90_compare *c, FILE *f);
void y90_compare_print_json(const y90_compare *c, FILE *f);

#endif
