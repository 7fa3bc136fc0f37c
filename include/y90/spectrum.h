/* y90mc: sampling the ICRP-107 90Y beta spectrum (sim/physics/spectrum.c). */
#ifndef Y90_SPECTRUM_H
#define Y90_SPECTRUM_H

#include "y90/common.h"

#define Y90_SPECTRUM_FINE 4096

typedef struct {
    double e[Y90_SPECTRUM_FINE];   /* MeV */
    double pdf[Y90_SPECTRUM_FINE]; /* betas per MeV per decay (interpolated) */
    double cdf[Y90_SPECTRUM_FINE]; /* normalised cumulative */
    double betas_per_decay;        /* integral of the interpolated spectrum */
    double mean_mev;               /* MeV, mean of the sampled distribution */
} y90_spectrum;

y90_status y90_spectrum_init(y90_spectrum *s, y90_error *err);
/* Energy (MeV) for a uniform u in (0,1). */
double y90_spectrum_sample(const y90_spectrum *s, double u);
/* The tabulated ICRP-107 points (for tests). */
const double *y90_spectrum_table_energy(int *n);
const double *y90_spectrum_table_density(int *n);

#endif
