/* y90mc kernels: sampling of the interactions: multiple elastic scattering, Moller collisions,
 * bremsstrahlung photon energies and Compton scattering. */
#include <math.h>
#include "mc.h"

#define MC2 Y90_ELECTRON_MASS_MEV

/* Standard normal deviates by the ziggurat method of Marsaglia & Tsang (2000, J Stat Softw 5(8), "The ziggurat
 * method for generating random variables"): 128 layers of equal area v under the half density exp(-x^2/2), the
 * base layer holding the tail beyond r; r and v are the paper's constants for 128 layers. One 32-bit draw gives
 * the layer (7 bits), the sign (1 bit) and the abscissa (the other 24 bits, disjoint from the layer's: the form of
 * GSL's gsl_ran_gaussian_ziggurat, J. Voss, which avoids the correlation of the paper's shared bits); about 99 %
 * of the draws are accepted without a test, the others by rejection against exp(-x^2/2) in their layer or
 * Marsaglia's (1964) exact tail method. Exact: the deviates have the normal distribution (to the doubles of the
 * tables). */
#define MC_ZIG_R 3.442619855899
#define MC_ZIG_V 9.91256303526217e-3
#define MC_ZIG_M 16777216.0 /* 2^24 */

void mc_zig_init(mc_zig *z)
{
    double dn = MC_ZIG_R, tn = dn, q = MC_ZIG_V / exp(-0.5 * dn * dn);
    z->k[0] = (uint32_t)(dn / q * MC_ZIG_M);
    z->k[1] = 0;
    z->w[0] = q / MC_ZIG_M;
    z->w[MC_ZIG_N - 1] = dn / MC_ZIG_M;
    z->f[0] = 1.0;
    z->f[MC_ZIG_N - 1] = exp(-0.5 * dn * dn);
    for (int i = MC_ZIG_N - 2; i >= 1; i--) {
        dn = sqrt(-2.0 * log(MC_ZIG_V / dn + exp(-0.5 * dn * dn)));
        z->k[i + 1] = (uint32_t)(dn / tn * MC_ZIG_M);
        tn = dn;
        z->f[i] = exp(-0.5 * dn * dn);
        z->w[i] = dn / MC_ZIG_M;
    }
}

double mc_gauss(const mc_zig *z, y90_rng *r)
{
    for (;;) {
        const uint32_t b = y90_rng_u32(r), i = b & (MC_ZIG_N - 1), j = b >> 8;
        const double s = (b & 0x80u) ? 1.0 : -1.0;
        double x = j * z->w[i];
        if (j < z->k[i]) return s * x;
        if (i == 0) {
            if (x < MC_ZIG_R) return s * x; /* the base rectangle below r */
            double y; /* the tail beyond r (Marsaglia 1964) */
            do {
                x = -log(y90_rng_uniform32(r)) / MC_ZIG_R;
                y = -log(y90_rng_uniform32(r));
            } while (y + y < x * x);
            return s * (MC_ZIG_R + x);
        }
        if (z->f[i] + y90_rng_uniform32(r) * (z->f[i - 1] - z->f[i]) < exp(-0.5 * x * x)) return s * x;
    }
}

/* Gamma deviate of shape k (scale 1): Marsaglia & Tsang (2000, ACM TOMS 26:363) with the ziggurat normal (as GSL's
 * gsl_ran_gamma); k < 1 through Gamma(k + 1) U^(1/k). */
double mc_gamma(const mc_zig *z, double k, y90_rng *r)
{
    double boost = 1.0;
    if (k < 1.0) {
        boost = pow(y90_rng_uniform32(r), 1.0 / k);
        k += 1.0;
    }
    const double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = mc_gauss(z, r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = y90_rng_uniform32(r), x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v * boost;
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) return d * v * boost;
    }
}

/* Multiple scattering: the modified Wentzel (MW) model of Fernandez-Varea, Mayol, Baro & Salvat (1993, Nucl
 * Instrum Meth B 73:447, section 4), the multiple-scattering model of the original PENELOPE (Baro et al. 1995,
 * Nucl Instrum Meth B 100:31). In mu = (1 - cos theta)/2 the Goudsmit-Saunderson distribution after a path s has
 * the Legendre moments <P_l(cos theta)> = exp(-s/lambda_l), 1/lambda_l = N int (1 - P_l) dsigma (the transport
 * cross sections tr1, tr2 of sim/physics/physics.c). With P_1 = 1 - 2 mu and P_2 = 1 - 6 mu + 6 mu^2:
 *   <mu>   = (1 - exp(-K1))/2,                K1 = s/lambda_1,
 *   <mu^2> = <mu> - (1 - exp(-K2))/6,         K2 = s/lambda_2.
 * The Wentzel (screened Rutherford) distribution p_W(A; mu) = A(1+A)/(mu+A)^2 on [0, 1] has
 *   <mu>_W = A[(1+A) ln((1+A)/A) - 1],   <mu^2>_W = A(1 - 2<mu>_W).
 * MW: take A0 with <mu>_W(A0) = <mu>; then
 *   if <mu^2>_W(A0) >= <mu^2>: p = (1-B) p_W(A0; mu) + B delta(mu - <mu>),
 *        B = (<mu^2>_W(A0) - <mu^2>) / (<mu^2>_W(A0) - <mu>^2);
 *   else:                      p = (1-B) delta(mu) + B p_W(A; mu), with A and B from
 *        <mu^2>_W(A)/<mu>_W(A) = <mu^2>/<mu>,  B = <mu>/<mu>_W(A).
 * Both branches reproduce <mu> and <mu^2> exactly (the Wentzel model alone, used before, only <mu>). p_W is sampled
 * by inversion, mu = A u / (1 + A - u). */
static double wentzel_mean(double A) { return A * ((1.0 + A) * log1p(1.0 / A) - 1.0); }

#define MC_WA_MIN 1e-12 /* range of A of the ratio table (ratio 0.037 to 0.667) */
#define MC_WA_MAX 1e4

/* The tables: ln A on a uniform grid of ln K, K = s/lambda_1 the step in transport mean free paths, for
 * K in [MC_K_MIN, MC_K_MAX]; <mu> = (1 - exp(-K))/2 is inverted by bisection in ln A when the table is built. And
 * the ratio <mu^2>_W/<mu>_W = A(1 - 2<mu>_W)/<mu>_W on a uniform grid of ln A. */
void mc_wentzel_init(mc_params *P)
{
    const double lk0 = log(MC_K_MIN), lk1 = log(MC_K_MAX);
    for (int k = 0; k < MC_WENTZEL_N; k++) {
        double K = exp(lk0 + (lk1 - lk0) * k / (MC_WENTZEL_N - 1));
        double m = 0.5 * (-expm1(-K)), lo = log(1e-16), hi = log(1e6);
        for (int it = 0; it < 100; it++) {
            double mid = 0.5 * (lo + hi);
            if (wentzel_mean(exp(mid)) < m) lo = mid;
            else hi = mid;
        }
        P->wlogA[k] = 0.5 * (lo + hi);
    }
    P->wk0 = lk0;
    P->wdk = (lk1 - lk0) / (MC_WENTZEL_N - 1);
    P->wa0 = log(MC_WA_MIN);
    P->wda = (log(MC_WA_MAX) - P->wa0) / (MC_WENTZEL_N - 1);
    for (int k = 0; k < MC_WENTZEL_N; k++) {
        double A = exp(P->wa0 + k * P->wda), m = wentzel_mean(A);
        P->wratio[k] = A * (1.0 - 2.0 * m) / m;
    }
}

void mc_msc_moments(double K1, double K2, double *m1, double *m2)
{
    *m1 = -0.5 * expm1(-K1);
    *m2 = *m1 + expm1(-K2) / 6.0;
}

/* A of the Wentzel distribution with <mu^2>_W/<mu>_W = q: bisection in the ratio table, then linear in ln A. */
static double wentzel_A_of_ratio(const mc_params *P, double q)
{
    if (q <= P->wratio[0]) return MC_WA_MIN;
    if (q >= P->wratio[MC_WENTZEL_N - 1]) return MC_WA_MAX;
    int lo = 0, hi = MC_WENTZEL_N - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (P->wratio[mid] <= q) lo = mid;
        else hi = mid;
    }
    double f = (q - P->wratio[lo]) / (P->wratio[hi] - P->wratio[lo]);
    return exp(P->wa0 + (lo + f) * P->wda);
}

void mc_msc_setup(const mc_params *P, double K1, double K2, mc_msc_dist *d)
{
    d->kind = MC_MSC_ISOTROPIC;
    if (K1 >= MC_K_MAX) return; /* isotropic to 1e-9 */
    double A;
    if (K1 <= MC_K_MIN) { /* small K: <mu> = K/2 = A (ln(1/A) - 1) to first order, by fixed-point iteration */
        A = 0.5 * K1 / log(2.0 / K1);
        for (int it = 0; it < 4; it++) A = 0.5 * K1 / (log(1.0 / A) - 1.0);
    } else {
        double x = (log(K1) - P->wk0) / P->wdk;
        int i = (int)x;
        if (i > MC_WENTZEL_N - 2) i = MC_WENTZEL_N - 2;
        double f = x - i;
        A = exp(P->wlogA[i] + f * (P->wlogA[i + 1] - P->wlogA[i]));
    }
    double m1, m2;
    mc_msc_moments(K1, K2, &m1, &m2);
    double w2 = A * exp(-K1); /* <mu^2>_W(A0) = A0 (1 - 2 <mu>) */
    d->m1 = m1;
    if (w2 >= m2) {
        d->kind = MC_MSC_POINT;
        d->A = A;
        d->B = (w2 - m2) / (w2 - m1 * m1);
    } else {
        d->kind = MC_MSC_FORWARD;
        d->A = wentzel_A_of_ratio(P, m2 / m1);
        d->B = wentzel_mean(d->A);
    }
}

double mc_msc_sample(const mc_msc_dist *d, y90_rng *r)
{
    if (d->kind == MC_MSC_ISOTROPIC) return 1.0 - 2.0 * y90_rng_uniform32(r);
    double v = y90_rng_uniform32(r), u = y90_rng_uniform32(r);
    if (d->kind == MC_MSC_POINT) {
        if (v < d->B) return 1.0 - 2.0 * d->m1;
    } else if (v * d->B >= d->m1) return 1.0; /* v >= m1 / <mu>_W: no deflection */
    double mu = d->A * u / (1.0 + d->A - u);
    return 1.0 - 2.0 * mu;
}

double mc_msc_cos(const mc_params *P, double K1, double K2, y90_rng *r)
{
    mc_msc_dist d;
    mc_msc_setup(P, K1, K2, &d);
    return mc_msc_sample(&d, r);
}

void mc_az_init(mc_az *t)
{
    for (int k = 0; k < MC_AZ_N; k++) {
        t->c[k] = cos(2.0 * Y90_PI * k / MC_AZ_N);
        t->s[k] = sin(2.0 * Y90_PI * k / MC_AZ_N);
    }
}

void mc_azimuth(const mc_az *t, y90_rng *r, double *c, double *s)
{
    const uint32_t u = y90_rng_u32(r);
    const int k = (int)(u >> 24); /* MC_AZ_N = 2^8 */
    const double d = ((double)(u & 0xFFFFFFu) + 0.5) * (2.0 * Y90_PI / 4294967296.0), d2 = d * d;
    const double cd = 1.0 - 0.5 * d2 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0)));
    const double sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0)));
    *c = t->c[k] * cd - t->s[k] * sd;
    *s = t->s[k] * cd + t->c[k] * sd;
}

void mc_rotate(double u[3], double cost, double phi) { mc_rotate_cs(u, cost, cos(phi), sin(phi)); }

void mc_rotate_cs(double u[3], double cost, double cp, double sp)
{
    double sint = sqrt(fmax(0.0, 1.0 - cost * cost));
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
 * eps = W/E from the Moller cross section (sim/physics/physics.c) by sampling 1/eps^2 on [tc/E, 1/2] and rejecting with
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

/* Bremsstrahlung photon energy from the flat intensity spectrum (sim/physics/physics.c): k = kc (E/kc)^u. */
double mc_brems_k(double E, double kc, y90_rng *r) { return kc * pow(E / kc, y90_rng_uniform32(r)); }

/* Bremsstrahlung photon polar angle relative to the electron direction: the leading term of the Koch & Motz
 * (Rev Mod Phys 31 (1959) 920) formula 2BS, whose angular factor is (1 - beta cos theta)^-2 (the small-angle
 * form y dy / (1 + y^2)^2, y = E_tot theta / mc2, is what EGSnrc samples with IBR_ANGLE "simple"; Bielajew,
 * Mohan & Chui, NRCC PIRS-0203 (1989)). beta: the emitting electron's speed. Inverse of the cumulative
 * distribution on [-1, 1]: cos theta = (2u - 1 + beta) / (1 - beta + 2 u beta). */
double mc_brems_cos(double E, y90_rng *r)
{
    double g = 1.0 + E / MC2, beta = sqrt(fmax(0.0, 1.0 - 1.0 / (g * g))), u = y90_rng_uniform32(r);
    return (2.0 * u - 1.0 + beta) / (1.0 - beta + 2.0 * u * beta);
}

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
