/* y90mc: 90Y decay data (ICRP Publication 107, Eckerman & Endo 2008, ICRP-07.NDX/.RAD; tests/reference/SOURCES.md)
 * and the decay arithmetic every stage uses (sources, kernels, I/O, report). Depends on nothing but common.h. */
#ifndef Y90_NUCLIDE_H
#define Y90_NUCLIDE_H

#include "y90/common.h"

#define Y90_HALF_LIFE_H 64.10          /* h */
#define Y90_MEAN_ENERGY_MEV 0.93310    /* MeV, total electron energy emitted per decay (all branches) */
#define Y90_ENDPOINT_MEV 2.2801        /* MeV, beta endpoint energy */

/* Decays of activity A (Bq) followed to complete decay: A * T1/2 / ln 2. */
double y90_decays_full(double activity_bq);
/* Activity (Bq) t hours after calibration for A_cal (Bq). */
double y90_activity_at(double a_cal_bq, double hours);
/* Absorbed dose per activity fully decayed in 1 kg, Gy kg/GBq (49.77 from the constants above). */
double y90_gy_kg_per_gbq(void);

#endif
