/* y90mc kernels: where the random hinge of a condensed-history step lies.
 *
 * A hinge step goes straight for s1, takes the whole step's multiple-scattering deflection there (mean cosine
 * e^-K after K first transport mean free paths), and goes straight on to the step's end. Lewis (1950, Phys Rev
 * 78:526) gives the exact mean penetration <z> and mean square distance <r^2> of continuous scattering for any
 * variation of the transport mean free path along the path:
 *   <z>   = int_0^s e^-K(x) dx,
 *   <r^2> = 2 int_0^s dx int_0^x dy e^-(K(x) - K(y)),
 * with K(x) the first transport mean free paths gone after path x. The hinge step has <z> = <s1> + (s - <s1>) e^-K
 * and <r^2> = s^2 - 2 (1 - e^-K) (s <s1> - <s1^2>) (s1 independent of the deflection), so one mean and one mean
 * square of s1 reproduce both: s1 is drawn uniform on [m - w, m + w] (w = sqrt(3 v), v its variance), in units of s.
 * Where that interval leaves the step (small K with alpha > 0: m + w up to 1.07), s1 is drawn instead from the
 * linear density on [0, 1] with mean m mixed with the point m, which keeps both moments exact (mc_hinge_place).
 *
 * An electron loses energy along the step, and its scattering power 1/lambda_1 grows as it does (by a factor
 * 1 + alpha from the step's start to its CSDA end: in water at most 0.21 / 0.49 / 0.89 for 10 / 20 / 30 % energy
 * loss per step, with K1 at most 0.20 / 0.43 / 0.68).
 * Taking 1/lambda_1 linear in the path, K(x) = K (x + alpha x^2 / 2) / (1 + alpha / 2) in units of s. Placing the
 * hinge for a constant rate per K1 and mapping it to path length (the previous method) is right to first order in
 * K only: at K = 0.5 and alpha = 0.8 its <z> is 0.39 % too long, at K = 1 1.3 % (tests/test_interact.c). This was
 * not what makes the water point kernel's R90 grow with steps above 10 % energy loss (+0.35 % at 20 %): that drift
 * stayed the same within 0.04 % with this placement. What a single hinge cannot hold, and the probable cause, is
 * the correlation of the penetration with the final direction: its <z cos theta> is 3 % above the continuous
 * value at K = 0.5, 14 % at K = 1 (tests/test_interact.c prints both), which PRESTA-II's lateral correlation
 * addresses.
 *
 * m(K, alpha) and v(K, alpha) are tabulated once per run (mc_hinge_init: Gauss-Legendre quadrature of the two
 * integrals, 24 points each way, GSL) on a grid uniform in ln K and alpha, and interpolated bilinearly per step: no
 * exp or expm1 in the hot loop (one log and one sqrt). For K small the hinge tends to the scattering-weighted mean
 * position ((1/2 + alpha/3) / (1 + alpha/2)); for K above about 1.6 (alpha 0) to 2 (alpha 4) no single hinge holds
 * both moments (v < 0), and the hinge sits at m. Outside the table's K range the values at its edge are used:
 * below 1e-3 they are the small-K limit to 1e-4; above 10 they are not right (m falls as (1 + alpha/2)/K there),
 * but no step reaches such K (K1 <= 1.4 at 50 % energy loss per step in water). */
#include <gsl/gsl_integration.h>
#include <math.h>
#include "mc.h"

#define GL_N 24

/* The mean m and variance v of the hinge's place (fractions of the step) for one (K, alpha), with the
 * Gauss-Legendre table q on [0, 1]; v < 0 where no single hinge holds both moments (kept: the table interpolates
 * smoothly through 0). */
static void hinge_moments_q(const gsl_integration_glfixed_table *q, double K, double alpha, double *m, double *v)
{
    const double c = K / (1.0 + 0.5 * alpha);
    double Z = 0, R2 = 0;
    for (size_t i = 0; i < q->n; i++) {
        double x, wx;
        gsl_integration_glfixed_point(0.0, 1.0, i, &x, &wx, q);
        const double kx = c * x * (1.0 + 0.5 * alpha * x);
        Z += wx * exp(-kx);
        double inner = 0;
        for (size_t j = 0; j < q->n; j++) {
            double y, wy;
            gsl_integration_glfixed_point(0.0, x, j, &y, &wy, q);
            inner += wy * exp(-(kx - c * y * (1.0 + 0.5 * alpha * y)));
        }
        R2 += 2.0 * wx * inner;
    }
    const double mu = exp(-K), den = -expm1(-K); /* <cos theta> and 1 - <cos theta> */
    *m = (Z - mu) / den;
    *v = *m + (R2 - 1.0) / (2.0 * den) - *m * *m;
}

int mc_hinge_moments(double K, double alpha, double *m, double *v)
{
    gsl_integration_glfixed_table *q = gsl_integration_glfixed_table_alloc(GL_N);
    if (!q) return -1;
    hinge_moments_q(q, K, alpha, m, v);
    gsl_integration_glfixed_table_free(q);
    return 0;
}

int mc_hinge_init(mc_params *P)
{
    gsl_integration_glfixed_table *q = gsl_integration_glfixed_table_alloc(GL_N);
    if (!q) return -1;
    P->hk0 = log(MC_HINGE_KMIN);
    P->hdk = (log(MC_HINGE_KMAX) - P->hk0) / (MC_HINGE_NK - 1);
    P->hda = (MC_HINGE_AMAX - MC_HINGE_AMIN) / (MC_HINGE_NA - 1);
    for (int i = 0; i < MC_HINGE_NK; i++)
        for (int j = 0; j < MC_HINGE_NA; j++)
            hinge_moments_q(q, exp(P->hk0 + i * P->hdk), MC_HINGE_AMIN + j * P->hda, &P->hinge_m[i][j],
                            &P->hinge_v[i][j]);
    gsl_integration_glfixed_table_free(q);
    return 0;
}

double mc_hinge_place(double m, double v, double xi)
{
    const double w = v > 0 ? sqrt(3.0 * v) : 0.0;
    if (m - w >= 0 && m + w <= 1) return m + w * (2.0 * xi - 1.0);
    /* the uniform does not fit in the step: the linear density 1 + b (x - 1/2) on [0, 1] with mean m (b = 12 (m -
     * 1/2), variance 1/12 - (m - 1/2)^2, the small-K limit itself) with weight q, the point m with weight 1 - q */
    const double d = m - 0.5, vl = 1.0 / 12.0 - d * d;
    if (vl > 0 && v > 0 && v <= vl * (1 + 1e-9) && fabs(d) <= 1.0 / 6.0) {
        const double q = v < vl ? v / vl : 1.0;
        if (xi >= q) return m;
        const double u = xi / q, b = 12.0 * d, a = 1.0 - 0.5 * b;
        return 2.0 * u / (a + sqrt(a * a + 2.0 * b * u)); /* the root of a x + b x^2 / 2 = u in [0, 1] */
    }
    const double f = m + w * (2.0 * xi - 1.0); /* not met in the table's range (tests/test_interact.c) */
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

double mc_hinge_fraction(const mc_params *P, double K, double alpha, double xi)
{
    double x = (log(K) - P->hk0) / P->hdk, y = (alpha - MC_HINGE_AMIN) / P->hda;
    if (!(x > 0)) x = 0; /* NaN too */
    if (!(y > 0)) y = 0;
    if (x > MC_HINGE_NK - 1) x = MC_HINGE_NK - 1;
    if (y > MC_HINGE_NA - 1) y = MC_HINGE_NA - 1;
    int i = (int)x, j = (int)y;
    i = i > MC_HINGE_NK - 2 ? MC_HINGE_NK - 2 : i;
    j = j > MC_HINGE_NA - 2 ? MC_HINGE_NA - 2 : j;
    const double fx = x - i, fy = y - j;
#define BILIN(t) ((1 - fx) * ((1 - fy) * (t)[i][j] + fy * (t)[i][j + 1]) + \
                  fx * ((1 - fy) * (t)[i + 1][j] + fy * (t)[i + 1][j + 1]))
    const double m = BILIN(P->hinge_m), v = BILIN(P->hinge_v);
#undef BILIN
    return mc_hinge_place(m, v, xi);
}
