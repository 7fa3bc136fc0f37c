/* Writes the 90Y beta spectrum exactly as y90mc samples it (sim/physics/spectrum.c: GSL's Steffen monotone cubic
 * through the 120 ICRP-107 points, tabulated on 4096 points from 0 to 2.2801 MeV, sampled linearly between
 * them) as an EGSnrc spectrum file of mode 3 ("interpolated": probability density at the energies, linear in
 * between, which egs++'s EGS_TabulatedSpectrum samples exactly), every 13th point of the 4096 (316 points,
 * 7.3 keV apart; the mean energy moves by 1e-6 MeV). Not built by CMake; it documents how
 * y90_icrp107_y90mc.spectrum was made:
 *   gcc -O2 -Iinclude tests/reference/egsnrc/inputs/make_spectrum.c build/liby90core.a -lgsl -lgslcblas -lm \
 *       -o /tmp/make_spectrum && /tmp/make_spectrum > tests/reference/egsnrc/inputs/y90_icrp107_y90mc.spectrum */
#include <stdio.h>
#include "y90/common.h"
#include "y90/spectrum.h"

#define STEP 13 /* 4095 = 13 x 315 */

int main(void)
{
    static y90_spectrum s;
    y90_error e = {0};
    if (y90_spectrum_init(&s, &e)) return 1;
    printf("90Y ICRP-107 beta spectrum as y90mc samples it (Steffen cubic, every %dth point of 4096), per MeV\n", STEP);
    printf("%d, 0.0, 3\n", (Y90_SPECTRUM_FINE - 1) / STEP + 1);
    for (int i = 0; i < Y90_SPECTRUM_FINE; i += STEP) printf("%.7f, %.7g\n", s.e[i], s.pdf[i]);
    return 0;
}
