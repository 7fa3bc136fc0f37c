/* y90mc kernels: the PRESTA-II electron-step algorithm (Kawrakow and Bielajew 1998, "On the condensed history
 * technique for electron transport", Nucl Instrum Methods B 142:253-280; in the form of EGSnrc's msdist_pII,
 * HEN_HOUSE/src/egsnrc.mortran, read for its constants). A condensed step of path s scatters twice, each half
 * with half the step's K1 and K2 (so the final direction has <P_l(cos theta)> = exp(-K_l), l = 1, 2, exactly);
 * the end position is
 *   x0 + s [eta1 (1 + t) u0 + eta delta u1 + eta (1 - delta) c + eta1 (1 - t) uf],
 * eta = sqrt(xi), eta1 = (1 - eta)/2, u1 the direction after the first deflection, uf the final direction, c the
 * second deflection taken in the frame of the first deflection's azimuth, and delta = 1/2 + 1/sqrt(6) minus a
 * term linear in K1 (the paper's fit, below), so that the end position's moments and its correlation with the
 * final direction follow continuous scattering much further in K1 than a single random hinge does (whose
 * <z cos theta> is +3 % at K1 = 0.5, +14 % at K1 = 1; test_interact checks both against Lewis's moments of
 * continuous scattering). t and the energy term of delta correct for the scattering power's growth over a step
 * that loses energy (derivation in mc_presta2's comment). The transport walks the four terms as four straight
 * parts and takes such a step only where it cannot meet another medium (kernels/mc_transport.c). */
#include <math.h>
#include "mc.h"

/* delta = D0 - (D1 - D2 gamma) K1 + (energy-loss terms)/sqrt(6): Kawrakow and Bielajew (1998), as coded in EGSnrc's
 * msdist_pII (0.9082483 = 1/2 + 1/sqrt(6)); gamma = K2/K1 of the step (for screened Rutherford scattering it is
 * their q2/q1). */
#define PII_D0 0.9082483
#define PII_D1 0.1020621
#define PII_D2 0.0263747
#define PII_RS6 0.40824829 /* 1/sqrt(6) */

/* The vector loc[0] e1 + loc[1] e2 + loc[2] u0 (e1, e2 orthonormal and perpendicular to u0; any such pair will do:
 * every azimuth is sampled uniformly) */
static inline void to_lab(const double u0[3], const double loc[3], double out[3])
{
    const double ux = u0[0], uy = u0[1], uz = u0[2], rho2 = ux * ux + uy * uy;
    if (rho2 > 1e-20) {
        const double rho = sqrt(rho2), cp = ux / rho, sp = uy / rho;
        /* e1 = (uz cp, uz sp, -rho), e2 = (-sp, cp, 0) */
        out[0] = loc[0] * uz * cp - loc[1] * sp + loc[2] * ux;
        out[1] = loc[0] * uz * sp + loc[1] * cp + loc[2] * uy;
        out[2] = -loc[0] * rho + loc[2] * uz;
    } else {
        const double s = uz >= 0 ? 1.0 : -1.0;
        out[0] = loc[0];
        out[1] = s * loc[1];
        out[2] = s * loc[2];
    }
}

/* One PRESTA-II step. K1, K2: the step's first and second transport mean free paths (integrated along its CSDA
 * path); t: half the relative growth of the scattering power 1/lambda_1 over the step, (tr1(end) - tr1(start)) /
 * (tr1(end) + tr1(start)); dlng: half of ln(gamma(start)/gamma(end)), gamma = tr2/tr1.
 *
 * The energy-loss terms of EGSnrc's msdist_pII, in the screened-Rutherford quantities of its cross sections, are
 * t = eps' [(2 + tau(2 + tau))/((tau + 1)(tau + 2)) - (tau + 1)/((tau + 2)(L1))] and the delta term
 * eps (tau + 1)/((tau + 2) L1 L2) with L1 = (1 + A) ln(1 + 1/A) - 1, L2 = (1 + 2A) ln(1 + 1/A) - 2 (A the
 * screening parameter, eps the step's fractional loss). Differentiating 1/lambda_1 ~ L1 / (beta^2 p^2) and
 * gamma ~ L2/L1 with A ~ 1/p^2 gives, to first order in eps, t = -(eps/2) d ln(1/lambda_1)/d ln E and the delta
 * term (eps/2) d ln gamma / d ln E: half the relative change of the scattering power, and half that of gamma, over
 * the step. Written so, they hold for any cross section; here they come from the project's tables (spin and the
 * Moller correction included) at the step's start and CSDA end. */
void mc_presta2(const mc_params *P, double K1, double K2, double t, double dlng, const double u0[3], y90_rng *r,
                mc_pii_step *st)
{
    mc_msc_dist md;
    mc_msc_setup(P, 0.5 * K1, 0.5 * K2, &md);
    const double w1 = mc_msc_sample(&md, r), s1 = sqrt(fmax(0.0, 1.0 - w1 * w1));
    const double w2 = mc_msc_sample(&md, r), s2 = sqrt(fmax(0.0, 1.0 - w2 * w2));
    double c1, sn1, c2, sn2;
    mc_azimuth(&P->az, r, &c1, &sn1);
    mc_azimuth(&P->az, r, &c2, &sn2);
    const double gam = K1 > 0 ? K2 / K1 : 3.0;
    const double eta = sqrt(y90_rng_uniform32(r)), eta1 = 0.5 * (1.0 - eta);
    const double delta = PII_D0 - (PII_D1 - PII_D2 * gam) * K1 + PII_RS6 * (dlng - 0.25 * t * t);
    const double b = eta * delta, c = eta * (1.0 - delta);
    /* local frame: u0 = z */
    const double u2 = s2 * c2, v2 = s2 * sn2, u2p = w1 * u2 + s1 * w2;
    const double d1[3] = {s1 * c1, s1 * sn1, w1};                               /* after the first deflection */
    const double dc[3] = {c1 * u2 - sn1 * w1 * v2, sn1 * u2 + c1 * w1 * v2, w2}; /* |dc| <= 1 */
    const double df[3] = {u2p * c1 - v2 * sn1, u2p * sn1 + v2 * c1, w1 * w2 - s1 * u2}; /* final */
    const double nc = sqrt(dc[0] * dc[0] + dc[1] * dc[1] + dc[2] * dc[2]);
    const double z[3] = {0.0, 0.0, 1.0};
    double dcn[3] = {0.0, 0.0, 1.0};
    if (nc > 0) for (int a = 0; a < 3; a++) dcn[a] = dc[a] / nc;
    st->f[0] = eta1 * (1.0 + t);
    st->f[1] = b;
    st->f[2] = c;
    st->f[3] = eta1 * (1.0 - t);
    st->g[0] = st->g[1] = st->g[3] = 1.0;
    st->g[2] = nc > 0 ? nc : 1.0;
    to_lab(u0, z, st->u[0]);
    to_lab(u0, d1, st->u[1]);
    to_lab(u0, dcn, st->u[2]);
    to_lab(u0, df, st->u[3]);
    /* unit length against rounding */
    const double n = 1.0 / sqrt(st->u[3][0] * st->u[3][0] + st->u[3][1] * st->u[3][1] + st->u[3][2] * st->u[3][2]);
    for (int a = 0; a < 3; a++) st->u[3][a] *= n;
}
