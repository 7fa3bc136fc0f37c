/* Shared inside sim/report: the data the pictures need, loaded once by report.c. */
#ifndef Y90_REPORT_INTERNAL_H
#define Y90_REPORT_INTERNAL_H

#include "y90/report.h"

typedef struct {
    y90_grid g;
    double *dose;                 /* Gy per voxel */
    float *unc;                   /* relative 1 sigma per voxel, or NULL */
    int nrows;                    /* the report's rows, in its order */
    char (*names)[Y90_NAME_LEN];
    int *tumour;                  /* tumour id of each row, 0 for structures and groups */
    double step;                  /* Gy, DVH bin */
    size_t nb;                    /* bins: doses 0, step, ..., nb * step */
    double *cum;                  /* cum[r * (nb + 1) + j]: % of row r's volume with dose >= j * step */
} y90_report_dvh;

y90_status y90_report_dvh_table(const char *h5path, y90_report_dvh *t, y90_error *err);
void y90_report_dvh_free(y90_report_dvh *t);

/* The report's groups of structures (sim/report/report_groups.c): rows after the structures, in this order. */
enum { G_VIABLE, G_NECROTIC, G_TUMOUR, G_LIVER_TREATED, G_NORMAL_TREATED, G_VIABLE_TREATED, G_LIVER, G_NORMAL,
       G_LUNGS, G_COUNT };
extern const char *const y90_report_group_names[G_COUNT];
int y90_report_is_tumour(y90_kind k);
/* 1 when structure s belongs to group (treated: the treated lobe, Y90_LOBE_NONE for both). */
int y90_report_in_group(int group, const y90_structure *s, y90_lobe treated);

/* qsort comparators, ascending (report.c, report_micro.c, plot_slices.c). */
static inline int y90_report_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static inline int y90_report_cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

#endif
