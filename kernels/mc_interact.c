/* y90mc kernels: sampling of the interactions: multiple elastic scattering, Moller collisions,
 * bremsstrahlung photon energies and Compton scattering. */
#include <math.h>
#include "mc.h"

#define MC2 Y90_ELECTRON_MASS_MEV

/* Standard normal deviate: Marsaglia's polar method (no trigonometric calls). */
double mc_gauss(y90_rng *r)
{
    double v1, v2, q;
    do {
        v1 = 2.0 * y90_rng_uniform32(r) - 1.0;
        v2 = 2.0 * y90_rng_uniform32(r) - 1.0;
        q = v1 * v1 + v2 * v2;
    } while (q >= 1.0 || q == 0.0);
    return v1 * sqrt(-2.0 * log(q) / q);
}

/* Multiple scattering: the angular deflection over a step is drawn from a Wentzel (screened Rutherford)
 * distribution in mu = (1 - cos theta)/2, p(mu) = A(1+A)/(mu+A)^2 on [0,1], whose screening A is chosen so that
 * its mean <mu> equals the Goudsmit-Saunderson value (1 - exp(-s/lambda_1))/2 for the step: the "Wentzel" model
 * of multiple scattering (Fernandez-Varea, Mayol, Baro & Salvat 1993, Nucl Instrum Meth B 73:447), exact in the
 * first moment. <mu>(A) = A[(1+A) ln((1+A)/A) - 1]. */
static double wentzel_mean(double A) { return A * ((1.0 + A) * log1p(1.0 / A) - 1.0); }

void mc_wentzel_init(mc_params *P)
{
    for (int k = 0; k < MC_WENTZEL_N; k++) {
        double lA = log(1e-10) + (log(1e4) - log(1e-10)) * k / (MC_WENTZEL_N - 1);
        P->wlogA[k] = lA;
        P->wmean[k] = wentzel_mean(exp(lA));
    }
}

double mc_msc_cos(const mc_params *P, double m, y90_rng *r)
{
    double u = y90_rng_uniform32(r);
    if (m >= P->wmean[MC_WENTZEL_N - 1]) return 1.0 - 2.0 * u; /* isotropic */
    double A;
    if (m <= P->wmean[0]) {
        A = exp(P->wlogA[0]) * m / P->wmean[0];
    } else {
        int lo = 0, hi = MC_WENTZEL_N - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >> 1;
            if (P->wmean[mid] <= m) lo = mid;
            else hi = mid;
        }
        double f = (m - P->wmean[lo]) / (P->wmean[hi] - P->wmean[lo]);
        A = exp(P->wlogA[lo] + f * (P->wlogA[hi] - P->wlogA[lo]));
    }
    double mu = A * u / (1.0 + A - u);
    return 1.0 - 2.0 * mu;
}

void mc_rotate(double u[3], double cost, double phi)
{
    double sint = sqrt(fmax(0.0, 1.0 - cost * cost)), cp = cos(phi), sp = sin(phi);
    double ux = u[0], uy = u[1], uz = u[2];
    double rho2 = ux * ux + uy * uy;
    if (rho2 > 1e-20) {
        double rho = sqrt(rho2);
        u[0] = ux * cost + sint * (ux * uz * cp - uy * sp) / rho;
        u[1] = uy * cost + sint * (uy * uz * cp + ux * sp) / rho;
        u[2] = uz * cost - sint * rho * cp;
    } else {
        double s = uz >= 0 ? 1.0 : -1.0;
        u[0] = sint * cp;
        u[1] = sint * sp;
        u[2] = s * cost;
    }
    double n = 1.0 / sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    u[0] *= n;
    u[1] *= n;
    u[2] *= n;
}

/* Moller collision of an electron of kinetic energy E transferring W > tc (tc < E/2): the energy fraction
 * eps = W/E from the Moller cross section (sim/physics.c) by sampling 1/eps^2 on [tc/E, 1/2] and rejecting with
 * the bracket B(eps) / 2.25 (B <= 2.25 on that interval); then the free-electron kinematics. */
void mc_moller(double E, double tc, y90_rng *r, double *W, double *cos_p, double *cos_d)
{
    double tau = E / MC2, g = tau / (tau + 1.0), c = (2.0 * tau + 1.0) / ((tau + 1.0) * (tau + 1.0));
    double ec = tc / E, eps;
    for (;;) {
        eps = ec / (1.0 - y90_rng_uniform32(r) * (1.0 - 2.0 * ec));
        double q = eps / (1.0 - eps);
        double B = 1.0 + q * q + g * g * eps * eps - c * q;
        if (2.25 * y90_rng_uniform32(r) <= B) break;
    }
    *W = eps * E;
    double Ep = E - *W;
    *cos_d = sqrt(*W * (E + 2.0 * MC2) / (E * (*W + 2.0 * MC2)));
    *cos_p = sqrt(Ep * (E + 2.0 * MC2) / (E * (Ep + 2.0 * MC2)));
    if (*cos_d > 1.0) *cos_d = 1.0;
    if (*cos_p > 1.0) *cos_p = 1.0;
}

/* Bremsstrahlung photon energy from the flat intensity spectrum (sim/physics.c): k = kc (E/kc)^u. */
double mc_brems_k(double E, double kc, y90_rng *r) { return kc * pow(E / kc, y90_rng_uniform32(r)); }

/* Compton scattering on a free electron at rest, Klein-Nishina, sampled with the Butcher & Messel (1960)
 * composition-rejection method (as in EGS4, Nelson et al. 1985, SLAC-265). */
void mc_compton(double k, y90_rng *r, double *kp, double *cost)
{
    double x = k / MC2, e0 = 1.0 / (1.0 + 2.0 * x), e02 = e0 * e0;
    double a1 = -log(e0), a2 = 0.5 * (1.0 - e02), eps, onecos;
    for (;;) {
        if (a1 >= (a1 + a2) * y90_rng_uniform32(r)) eps = exp(-a1 * y90_rng_uniform32(r));
        else eps = sqrt(e02 + (1.0 - e02) * y90_rng_uniform32(r));
        onecos = (1.0 - eps) / (eps * x);
        double sin2 = onecos * (2.0 - onecos);
        if (1.0 - eps * sin2 / (1.0 + eps * eps) >= y90_rng_uniform32(r)) break;
    }
    *kp = eps * k;
    *cost = 1.0 - onecos;
}
