/* y90mc: 90Y decay arithmetic (constants in include/y90/nuclide.h). */
#include <math.h>
#include "y90/nuclide.h"

double y90_decays_full(double activity_bq) { return activity_bq * Y90_HALF_LIFE_H * 3600.0 / M_LN2; }

double y90_activity_at(double a_cal_bq, double hours) { return a_cal_bq * exp2(-hours / Y90_HALF_LIFE_H); }

double y90_gy_kg_per_gbq(void) { return y90_decays_full(1e9) * Y90_MEAN_ENERGY_MEV * Y90_J_PER_MEV; }
