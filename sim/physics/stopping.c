/* Electron stopping powers: collision (Bethe, ICRU Report 37), density effect (Sternheimer), radiative
 * (scaled from ESTAR water), and the CSDA range.
 *
 * Radiative model. No elemental radiative tables are shipped, so the scaled radiative energy-loss cross
 * section of ICRU Report 37 is taken as universal:
 *   S_rad/rho (T) = (T + mc2) alpha r_e^2 N_A [sum_i w_i Z_i (Z_i + 1) / A_i] Phi_rad(T),
 * with Phi_rad(T) obtained by inverting this formula on the NIST ESTAR radiative stopping power of liquid
 * water (table below), interpolated log-log in T. Z(Z+1) counts nuclear (Z^2) and electron-electron (Z)
 * bremsstrahlung alike. Validation against ESTAR, 10 keV - 3 MeV (tests/test_stopping.c): soft tissue
 * (ICRP) within 1.1 %, cortical bone (ICRP) up to 8.2 % low near 70 keV (the Z-dependence of Phi_rad
 * is ignored), TheraSphere glass (Y, Z = 39) up to 17 % low against additive elemental ESTAR values.
 * S_rad is below 1 % of S_tot in these materials under 3 MeV, so the effect on S_tot is <= 0.1 %.
 */
#include <math.h>
#include "y90/materials.h"

#define Y90_MC2 Y90_ELECTRON_MASS_MEV
#define Y90_BETHE_K 0.153536 /* MeV cm2/mol, 2 pi r_e^2 m c^2 N_A as in ICRU Report 37 */
#define Y90_LN2 0.6931471805599453
#define Y90_RANGE_TMIN 1e-3 /* MeV, lower limit of the range integral (header contract) */
#define Y90_RANGE_STEPS_PER_EFOLD 32 /* Simpson intervals per factor e in T; converged to < 1e-5 */

/* ---- density effect and collision stopping power ---- */

/* Sternheimer's delta from the oscillators (SBS84 eqs. 1-2; y = (beta gamma)^2 = tau (tau + 2)):
 *   sum_j f_j / (nu'_j^2 + L^2) = 1/y,   delta = sum_j f_j ln(1 + L^2 / l_j^2) - L^2 / (1 + y).
 * No positive root (1/y >= sum f/nu'^2, possible only without conduction electrons) means delta = 0.
 * G(x) = sum f/(nu'^2 + x) - 1/y is decreasing and convex, so Newton from x = 0 rises monotonically. */
double y90_density_effect(const y90_material_consts *c, double T)
{
    double tau = T / Y90_MC2, y = tau * (tau + 2.0), x = 0.0;
    for (int it = 0; it < 500; it++) {
        double G = -1.0 / y, dG = 0.0;
        for (int j = 0; j < c->nosc; j++) {
            double d = c->osc_nu2[j] + x;
            if (d <= 0) { G = INFINITY; dG = -INFINITY; break; } /* conduction electrons at x = 0 */
            G += c->osc_f[j] / d;
            dG -= c->osc_f[j] / (d * d);
        }
        if (G == INFINITY) { x = 1e-30 * y; continue; }
        if (G <= 0) break;
        double dx = -G / dG;
        x += dx;
        if (dx <= 1e-13 * x) break;
    }
    if (!(x > 0)) return 0.0;
    double d = 0.0;
    for (int j = 0; j < c->nosc; j++) d += c->osc_f[j] * log1p(x / c->osc_l2[j]);
    d -= x / (1.0 + y);
    return d > 0 ? d : 0.0;
}

/* ICRU Report 37 Bethe formula for electrons:
 * S_col/rho = K <Z/A> / beta^2 [ ln(tau^2 (tau + 2) / (2 (I/mc2)^2)) + F-(tau) - delta ],
 * F-(tau) = 1 - beta^2 + [tau^2/8 - (2 tau + 1) ln 2] / (tau + 1)^2. The bracket stays positive for
 * T >= 1 keV and every I of sim/physics/elements.c (largest compound value 1.13 x 994 eV). */
double y90_scol(const y90_material_consts *c, double T)
{
    double tau = T / Y90_MC2;
    double g2 = (tau + 1.0) * (tau + 1.0);
    double beta2 = tau * (tau + 2.0) / g2;
    double fminus = 1.0 - beta2 + (tau * tau / 8.0 - (2.0 * tau + 1.0) * Y90_LN2) / g2;
    double i = c->I_MeV / Y90_MC2;
    double L = log(tau * tau * (tau + 2.0) / (2.0 * i * i));
    return Y90_BETHE_K * c->z_over_a / beta2 * (L + fminus - y90_density_effect(c, T));
}

/* ---- radiative stopping power ---- */

typedef struct {
    double T;    /* MeV */
    double srad; /* MeV cm2/g */
} srad_row;

/* NIST ESTAR, WATER, LIQUID: radiative stopping power, 10 keV - 20 MeV (Berger, Coursey, Zucker & Chang,
 * NIST Standard Reference Database 124), copied from tests/reference/estar/estar_water_liquid.csv. */
static const srad_row WATER_SRAD[] = {
    {1.000E-02, 3.898E-03}, {1.250E-02, 3.927E-03}, {1.500E-02, 3.944E-03}, {1.750E-02, 3.955E-03},
    {2.000E-02, 3.963E-03}, {2.500E-02, 3.974E-03}, {3.000E-02, 3.984E-03}, {3.500E-02, 3.994E-03},
    {4.000E-02, 4.005E-03}, {4.500E-02, 4.018E-03}, {5.000E-02, 4.031E-03}, {5.500E-02, 4.046E-03},
    {6.000E-02, 4.062E-03}, {7.000E-02, 4.098E-03}, {8.000E-02, 4.138E-03}, {9.000E-02, 4.181E-03},
    {1.000E-01, 4.228E-03}, {1.250E-01, 4.355E-03}, {1.500E-01, 4.494E-03}, {1.750E-01, 4.643E-03},
    {2.000E-01, 4.801E-03}, {2.500E-01, 5.141E-03}, {3.000E-01, 5.514E-03}, {3.500E-01, 5.914E-03},
    {4.000E-01, 6.339E-03}, {4.500E-01, 6.787E-03}, {5.000E-01, 7.257E-03}, {5.500E-01, 7.747E-03},
    {6.000E-01, 8.254E-03}, {7.000E-01, 9.313E-03}, {8.000E-01, 1.042E-02}, {9.000E-01, 1.159E-02},
    {1.000E+00, 1.280E-02}, {1.250E+00, 1.600E-02}, {1.500E+00, 1.942E-02}, {1.750E+00, 2.303E-02},
    {2.000E+00, 2.678E-02}, {2.500E+00, 3.468E-02}, {3.000E+00, 4.299E-02}, {3.500E+00, 5.164E-02},
    {4.000E+00, 6.058E-02}, {4.500E+00, 6.976E-02}, {5.000E+00, 7.917E-02}, {5.500E+00, 8.876E-02},
    {6.000E+00, 9.854E-02}, {7.000E+00, 1.185E-01}, {8.000E+00, 1.391E-01}, {9.000E+00, 1.601E-01},
    {1.000E+01, 1.814E-01}, {1.250E+01, 2.362E-01}, {1.500E+01, 2.926E-01}, {1.750E+01, 3.501E-01},
    {2.000E+01, 4.086E-01},
};

#define Y90_NWATER_SRAD ((int)(sizeof WATER_SRAD / sizeof WATER_SRAD[0]))

/* ESTAR water S_rad at T, log-log interpolation; T is clamped to the table (10 keV - 20 MeV). */
static double water_srad(double T)
{
    const srad_row *t = WATER_SRAD;
    if (T <= t[0].T) return t[0].srad;
    if (T >= t[Y90_NWATER_SRAD - 1].T) return t[Y90_NWATER_SRAD - 1].srad;
    int lo = 0, hi = Y90_NWATER_SRAD - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (t[mid].T <= T) lo = mid;
        else hi = mid;
    }
    double f = log(T / t[lo].T) / log(t[hi].T / t[lo].T);
    return t[lo].srad * exp(f * log(t[hi].srad / t[lo].srad));
}

/* alpha r_e^2 N_A, cm2/mol */
static double rad_constant(void)
{
    return Y90_FINE_STRUCTURE * Y90_CLASSICAL_RADIUS_CM * Y90_CLASSICAL_RADIUS_CM * Y90_AVOGADRO;
}

/* sum w Z(Z+1)/A of the built-in water (mol/g); 0 if missing (cannot happen). */
static double water_zz1(void)
{
    const y90_material *w = y90_material_builtin("water");
    double s = 0;
    for (int i = 0; w && i < w->nelem; i++) s += w->w[i] * w->Z[i] * (w->Z[i] + 1.0) / y90_atomic_weight(w->Z[i]);
    return s;
}

/* Phi_rad(T) from ESTAR water. Below 10 keV Phi_rad is held at its 10 keV value (it is nearly constant
 * there: 5.08 at 10 keV, 4.7 at 0.1 MeV); above 20 MeV at its 20 MeV value. */
static double phi_rad(double T)
{
    double Tt = T < WATER_SRAD[0].T ? WATER_SRAD[0].T : T;
    if (Tt > WATER_SRAD[Y90_NWATER_SRAD - 1].T) Tt = WATER_SRAD[Y90_NWATER_SRAD - 1].T;
    return water_srad(Tt) / ((Tt + Y90_MC2) * rad_constant() * water_zz1());
}

double y90_srad(const y90_material_consts *c, double T)
{
    return (T + Y90_MC2) * rad_constant() * c->zz1_over_a * phi_rad(T);
}

/* ---- CSDA range ---- */

static double stot(const y90_material_consts *c, double T) { return y90_scol(c, T) + y90_srad(c, T); }

/* Integrand of the range in u = ln T: T / S_tot(T), g/cm2. */
static double range_integrand(const y90_material_consts *c, double u)
{
    double T = exp(u);
    return T / stot(c, T);
}

/* Range (g/cm2): R(1 keV) + integral of dT/S_tot from 1 keV to T (Simpson in ln T). Below 1 keV the
 * stopping power is taken proportional to 1/T (the 1/beta^2 of the Bethe formula with its logarithm frozen),
 * so R(T) = T / (2 S_tot(1 keV)) (T / 1 keV) for T <= 1 keV. That starting value is what ESTAR's ranges imply:
 * with R(1 keV) = 1 keV / S_tot the 10 keV ranges of water, soft tissue and cortical bone were 1.6-1.8 % above
 * ESTAR, by 0.497, 0.494 and 0.502 of 1 keV / S_tot(1 keV) respectively. */
double y90_csda_range(const y90_material_consts *c, double T)
{
    double r0 = 0.5 * Y90_RANGE_TMIN / stot(c, Y90_RANGE_TMIN);
    if (!(T > Y90_RANGE_TMIN)) return r0 * (T / Y90_RANGE_TMIN) * (T / Y90_RANGE_TMIN);
    double u0 = log(Y90_RANGE_TMIN), u1 = log(T);
    int n = 2 * (int)ceil(0.5 * (u1 - u0) * Y90_RANGE_STEPS_PER_EFOLD);
    if (n < 2) n = 2;
    double h = (u1 - u0) / n;
    double sum = range_integrand(c, u0) + range_integrand(c, u1);
    for (int i = 1; i < n; i++) sum += (i % 2 ? 4.0 : 2.0) * range_integrand(c, u0 + i * h);
    return r0 + sum * h / 3.0;
}
