/* y90mc: electron and photon tables for the Monte Carlo kernel (class II condensed history).
 *
 * Collision and radiative stopping powers come from sim/physics/stopping.c (ICRU 37 Bethe formula with the Sternheimer
 * density effect; radiative scaled from NIST ESTAR). Hard collisions are Moller collisions transferring more
 * than the delta threshold Tc; the restricted collision stopping power is S_col minus the energy lost in them:
 *   Moller cross section per electron (ICRU Report 37, eq. 2.7; Rossi 1952), eps = W/E, tau = E/mc2:
 *   dsigma/deps = 2 pi re^2 mc2 / (beta^2 E) [1/eps^2 + 1/(1-eps)^2 + (tau/(tau+1))^2 - (2tau+1)/(tau+1)^2 /(eps(1-eps))]
 * integrated analytically over [Tc/E, 1/2] for the number and the energy of hard collisions.
 * Bremsstrahlung: photons above kc with the flat (Kramers 1923) intensity spectrum k dsigma/dk = S_rad/E, so
 * the soft radiative loss is S_rad kc/E and the hard cross section S_rad ln(E/kc)/E.
 * Straggling of the soft collision loss: variance per unit mass path = n_e times the second moment of the
 * Moller cross section over the soft energy transfers W < Tc' = min(Tc, E/2) (the close collisions carry it;
 * distant collisions, W of the order of binding energies, add a negligible W^2). With a = Tc'/E,
 *   Omega^2 = n_e 2 pi re^2 mc2 E / beta^2 [2a + 1/(1-a) - 1 + 2 ln(1-a) + g^2 a^3/3 + c (ln(1-a) + a)],
 * g = tau/(tau+1), c = (2tau+1)/(tau+1)^2 (the integral of W^2 dsigma/dW of the Moller formula above; for
 * a -> 0 it tends to 2 pi re^2 mc2 n_e Tc / beta^2, Bohr's value for spin-1/2 electrons without the heavy-
 * particle factor 1 - beta^2/2 that was used before: 1.5x larger at 0.5 MeV, 1.85x at 1.4 MeV).
 * Elastic scattering: screened Rutherford cross section with the Moliere screening parameter
 *   A = (hbar c / (2 p c a_TF))^2 (1.13 + 3.76 (alpha Z / beta)^2), a_TF = 0.88534 a0 Z^-1/3
 * (Moliere 1947; as in PENELOPE and Geant4), first transport cross section per atom
 *   sigma_1 = 2 pi (re mc2 / (p c beta))^2 Z(Z+1) [ln(1 + 1/A) - 1/(1 + A)],
 * and second transport cross section (sigma_l = int (1 - P_l(cos theta)) dsigma; 1 - P_2 = 6 mu (1 - mu) with
 * mu = sin^2(theta/2); the integral of the same screened Rutherford DCS, which the multiple scattering of
 * kernels/mc_interact.c needs for the second moment of the step's deflection, Fernandez-Varea et al. 1993)
 *   sigma_2 = 6 pi (re mc2 / (p c beta))^2 Z(Z+1) [(1 + 2A) ln(1 + 1/A) - 2].
 * The Z(Z+1) counts the deflections by the atomic electrons (Z^2 the nucleus, Z the electrons) in all inelastic
 * collisions, but the hard Moller collisions above the delta threshold Tc deflect the primary explicitly
 * (kernels/mc_interact.c): counted twice, which makes lambda_1 too short by up to 13 % x the share of the
 * electrons' scattering power above Tc in water (6 % at Tc = 10 keV, 1 MeV). As EGSnrc does with spin on (Kawrakow,
 * Med Phys 24 (1997) 505; EGSnrc manual NRCC PIRS-701, section "Elastic scattering with spin", xi(T, Tc)), the
 * part taken by the discrete Moller events is subtracted from the electrons' term:
 *   sigma_l -= n_e int_Tc^{E/2} (1 - P_l(cos theta_p(W))) dsigma_Moller/dW dW,
 *   cos theta_p = sqrt((E - W)(E + 2mc2) / (E (E - W + 2mc2)))  (the primary's deflection in the collision),
 * integrated numerically (Simpson in ln W), at most the whole electron term; nothing when there are no hard
 * collisions (E <= 2 Tc or transport.secondaries off). (EGSnrc subtracts its analytic g_M(tau, tau_c) from the
 * scattering power in the same way, with spin on only: with spin off it keeps Z(Z+1) whole (egsnrc.mortran: ms_corr
 * = 1 unless spin_effects), and so does transport.spin: false here, to match the spin-off references.)
 * Spin (transport.spin): the screened Rutherford cross section times the Mott-to-Rutherford ratio R(mu) of
 * sim/physics/mott.c, mu = sin^2(theta/2): the analytic fit of Lijian et al. (Radiat Phys Chem 45 (1995) 235) to
 * the exact Mott cross section with the coefficients of Boschini et al. (2011) for the elements of the built-in
 * materials (up to yttrium, Z = 39), the McKinley-Feshbach expansion (Phys Rev 74 (1948) 1759, first order in
 * alpha Z) for other elements. sigma_l is multiplied by the factor of the same DCS times R,
 *   F_1 = int mu R(mu) / (mu + A)^2 dmu / int mu / (mu + A)^2 dmu  over [0, 1],
 *   F_2 = int mu (1 - mu) R(mu) / (mu + A)^2 dmu / int mu (1 - mu) / (mu + A)^2 dmu,
 * integrated numerically (Simpson in ln(mu + A)), so that both transport cross sections are those of the one
 * Mott-corrected DCS and the step's angular distribution (the modified Wentzel model of kernels/mc_interact.c)
 * matches its first and second moments.
 * Photons: Klein-Nishina Compton cross section on free electrons; photoelectric absorption from the EPDL97
 * elemental cross sections (sim/physics/photo.c), additive over the elements by mass fraction.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "y90/materials.h"
#include "y90/physics.h"

#define MC2 Y90_ELECTRON_MASS_MEV
#define RE Y90_CLASSICAL_RADIUS_CM
#define HBARC_MEV_CM 1.973269804e-11 /* hbar c, MeV cm (CODATA 2018) */
#define BOHR_RADIUS_CM 5.29177210903e-9 /* a0, cm (CODATA 2018) */

static double beta2_of(double E)
{
    double g = 1.0 + E / MC2;
    return 1.0 - 1.0 / (g * g);
}

/* Hard Moller collisions above tc for an electron of kinetic energy E: number (per electron, cm2) and
 * energy (per electron, MeV cm2). Zero when E <= 2 tc. */
static void moller_hard(double E, double tc, double *sigma, double *eloss)
{
    *sigma = *eloss = 0.0;
    if (E <= 2.0 * tc) return;
    double tau = E / MC2, b2 = beta2_of(E), ec = tc / E;
    double g = tau / (tau + 1.0), c = (2.0 * tau + 1.0) / ((tau + 1.0) * (tau + 1.0));
    double k = 2.0 * Y90_PI * RE * RE * MC2 / b2;
    *sigma = k / E * (1.0 / ec - 1.0 / (1.0 - ec) + g * g * (0.5 - ec) - c * log((1.0 - ec) / ec));
    *eloss = k * (log(1.0 / (2.0 * ec)) + 2.0 - M_LN2 - 1.0 / (1.0 - ec) - log(1.0 - ec) +
                  g * g * (0.125 - 0.5 * ec * ec) - c * log(2.0 * (1.0 - ec)));
}

/* Second moment of the Moller cross section over soft transfers W < tcp (per electron, MeV^2 cm2). */
static double moller_soft_m2(double E, double tcp)
{
    double tau = E / MC2, b2 = beta2_of(E), a = tcp / E;
    double g = tau / (tau + 1.0), c = (2.0 * tau + 1.0) / ((tau + 1.0) * (tau + 1.0));
    double l = log1p(-a);
    return 2.0 * Y90_PI * RE * RE * MC2 * E / b2 *
           (2.0 * a + a / (1.0 - a) + 2.0 * l + g * g * a * a * a / 3.0 + c * (l + a));
}

/* Transport cross sections of order l = 1, 2 of the hard Moller collisions above tc (per electron, cm2): the
 * primary's deflection, int_tc^{E/2} (1 - P_l(cos theta_p)) dsigma/dW dW (see the header). Zero when E <= 2 tc. */
static void moller_hard_tr(double E, double tc, double *t1, double *t2)
{
    *t1 = *t2 = 0.0;
    if (tc <= 0 || E <= 2.0 * tc) return;
    const int n = 200; /* Simpson intervals in ln W; the integrand is smooth: converged to < 1e-6 */
    double tau = E / MC2, g = tau / (tau + 1.0), c = (2.0 * tau + 1.0) / ((tau + 1.0) * (tau + 1.0));
    double k = 2.0 * Y90_PI * RE * RE * MC2 / beta2_of(E) / E, l0 = log(tc), h = (log(0.5 * E) - l0) / n;
    for (int i = 0; i <= n; i++) {
        double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        double W = exp(l0 + i * h), eps = W / E, Ep = E - W;
        double dsig = k * (1.0 / (eps * eps) + 1.0 / ((1.0 - eps) * (1.0 - eps)) + g * g - c / (eps * (1.0 - eps)));
        double cp = fmin(sqrt(Ep * (E + 2.0 * MC2) / (E * (Ep + 2.0 * MC2))), 1.0);
        double f = w * dsig * eps; /* dsigma/deps x deps/dln W */
        *t1 += f * (1.0 - cp);
        *t2 += f * 1.5 * (1.0 - cp * cp); /* 1 - P_2 = 3 (1 - cos^2) / 2 */
    }
    *t1 *= h / 3.0;
    *t2 *= h / 3.0;
}

/* Klein-Nishina total cross section per electron, cm2, photon energy k MeV. */
static double klein_nishina(double k)
{
    double x = k / MC2;
    if (x < 1e-4) return 8.0 * Y90_PI / 3.0 * RE * RE * (1.0 - 2.0 * x);
    double l = log(1.0 + 2.0 * x);
    return 2.0 * Y90_PI * RE * RE *
           ((1.0 + x) / (x * x) * (2.0 * (1.0 + x) / (1.0 + 2.0 * x) - l / x) + l / (2.0 * x) -
            (1.0 + 3.0 * x) / ((1.0 + 2.0 * x) * (1.0 + 2.0 * x)));
}

/* Photoelectric mass attenuation coefficient, cm2/g: sum_i w_i N_A / A_i sigma_i(k). */
static double photo_mu(const y90_material *m, double k)
{
    double s = 0.0, wsum = 0.0;
    for (int i = 0; i < m->nelem; i++) wsum += m->w[i];
    for (int i = 0; i < m->nelem; i++)
        s += m->w[i] / wsum * Y90_AVOGADRO / y90_atomic_weight(m->Z[i]) * y90_photo_xs_barn(m->Z[i], k) * 1e-24;
    return s;
}

/* Spin factor F_l of the transport cross section of order l = 1, 2 (see the header), screening A. */
static double spin_factor(double A, double beta, int Z, int order)
{
    const int n = 400; /* Simpson intervals in t = ln(mu + A); converged to < 1e-6 */
    const double t0 = log(A), t1 = log1p(A), h = (t1 - t0) / n;
    double num = 0, den = 0;
    for (int i = 0; i <= n; i++) {
        double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        double mu = (i == n ? 1.0 + A : exp(t0 + i * h)) - A; /* dmu = (mu + A) dt */
        if (mu < 0) mu = 0;
        double g = w * mu * (order == 2 ? 1.0 - mu : 1.0) / (mu + A);
        den += g;
        num += g * y90_mott_ratio(Z, beta, mu);
    }
    return num / den;
}

/* Elastic scattering: first and second transport cross sections per gram, cm2/g; with the spin factors when spin
 * is on; less the part of the electrons' term that the hard Moller collisions above tch (0: none) deflect
 * explicitly. */
static void elastic_tr(const y90_material *m, double E, int spin, double tch, double *tr1, double *tr2)
{
    double pc2 = E * (E + 2.0 * MC2), b2 = beta2_of(E), pcb = pc2 / (E + MC2);
    double s1 = 0.0, s2 = 0.0, e1 = 0.0, e2 = 0.0, ne = 0.0;
    for (int i = 0; i < m->nelem; i++) {
        int Z = m->Z[i];
        double aTF = 0.88534 * BOHR_RADIUS_CM * pow(Z, -1.0 / 3.0);
        double x = HBARC_MEV_CM / (2.0 * sqrt(pc2) * aTF);
        double az = Y90_FINE_STRUCTURE * Z;
        double A = x * x * (1.13 + 3.76 * az * az / b2);
        double zz = (double)Z * (Z + 1.0), L = log1p(1.0 / A);
        double c = Y90_PI * (RE * MC2 / pcb) * (RE * MC2 / pcb) * zz;
        double a1 = 2.0 * c * (L - 1.0 / (1.0 + A));
        double a2 = 6.0 * c * ((1.0 + 2.0 * A) * L - 2.0);
        if (spin) {
            a1 *= spin_factor(A, sqrt(b2), Z, 1);
            a2 *= spin_factor(A, sqrt(b2), Z, 2);
        }
        double n = m->w[i] * Y90_AVOGADRO / y90_atomic_weight(Z);
        s1 += n * a1;
        s2 += n * a2;
        e1 += n * a1 / (Z + 1.0); /* the electrons' term, Z of Z(Z+1) */
        e2 += n * a2 / (Z + 1.0);
        ne += n * Z;
    }
    double h1, h2;
    moller_hard_tr(E, tch, &h1, &h2);
    *tr1 = s1 - fmin(ne * h1, e1);
    *tr2 = s2 - fmin(ne * h2, e2);
}

static y90_status fill_material(const y90_physics *p, const y90_material *m, y90_phys_material *pm,
                                y90_error *err)
{
    y90_material_consts mc;
    y90_status st = y90_material_consts_compute(m, &mc, err);
    if (st) return st;
    snprintf(pm->name, sizeof pm->name, "%s", m->name);
    pm->density = m->density;
    pm->electrons_per_g = mc.electrons_per_g;
    const double ne = mc.electrons_per_g;
    /* hard Moller collisions above tch deflect explicitly; subtracted with spin on only, as EGSnrc does (its ms_corr,
     * the blcce table built in init_spin, is 1 with spin off: HEN_HOUSE/src/egsnrc.mortran) so that spin off
     * reproduces EGSnrc's spin-off elastic model, the one of the spin-off references */
    const double tch = (p->secondaries && p->spin) ? p->tc : 0.0;
    for (int i = 0; i < Y90_PHYS_NE; i++) {
        double E = p->egrid[i];
        double scol = y90_scol(&mc, E), srad = y90_srad(&mc, E);
        double sig = 0, hard = 0;
        if (p->secondaries) moller_hard(E, p->tc, &sig, &hard);
        double rad_soft = (p->secondaries && E > p->kc) ? srad * p->kc / E : srad;
        pm->L[i] = scol - ne * hard + rad_soft;
        pm->sig_moller[i] = ne * sig;
        pm->sig_brems[i] = (p->secondaries && E > p->kc) ? srad / E * log(E / p->kc) : 0.0;
        double tcp = p->secondaries ? fmin(p->tc, 0.5 * E) : 0.5 * E;
        pm->strag[i] = ne * moller_soft_m2(E, tcp);
        elastic_tr(m, E, p->spin, tch, &pm->tr1[i], &pm->tr2[i]);
        pm->mu_compton[i] = ne * klein_nishina(E);
        pm->mu_photo[i] = photo_mu(m, E);
    }
    /* range of the restricted stopping power: R(EMIN) = EMIN / (2 L(EMIN)) (L ~ 1/E below EMIN, as the CSDA
     * range of sim/physics/stopping.c), then Simpson in ln E per interval */
    pm->range[0] = 0.5 * Y90_PHYS_EMIN / pm->L[0];
    pm->g1[0] = pm->g2[0] = 0.0; /* an offset: the kernel takes differences */
    for (int i = 1; i < Y90_PHYS_NE; i++) {
        double Ea = p->egrid[i - 1], Eb = p->egrid[i];
        double Em = sqrt(Ea * Eb);
        double scol = y90_scol(&mc, Em), srad = y90_srad(&mc, Em), sig = 0, hard = 0;
        if (p->secondaries) moller_hard(Em, p->tc, &sig, &hard);
        double Lm = scol - ne * hard + ((p->secondaries && Em > p->kc) ? srad * p->kc / Em : srad);
        pm->range[i] = pm->range[i - 1] + p->dlnE / 6.0 * (Ea / pm->L[i - 1] + 4.0 * Em / Lm + Eb / pm->L[i]);
        /* transport mean free paths along the range (the same Simpson rule): g_l = int tr_l dR */
        double t1m, t2m;
        elastic_tr(m, Em, p->spin, tch, &t1m, &t2m);
        pm->g1[i] = pm->g1[i - 1] + p->dlnE / 6.0 *
                    (Ea * pm->tr1[i - 1] / pm->L[i - 1] + 4.0 * Em * t1m / Lm + Eb * pm->tr1[i] / pm->L[i]);
        pm->g2[i] = pm->g2[i - 1] + p->dlnE / 6.0 *
                    (Ea * pm->tr2[i - 1] / pm->L[i - 1] + 4.0 * Em * t2m / Lm + Eb * pm->tr2[i] / pm->L[i]);
    }
    return Y90_OK;
}

/* The material definition for a name: a config `materials` entry first, then the built-ins. */
static y90_status find_material(const y90_config *c, const char *name, y90_material *out, y90_error *err)
{
    for (int i = 0; c && i < c->nuser_materials; i++) {
        const y90_user_material *u = &c->user_materials[i];
        if (strcmp(u->name, name) == 0) {
            memset(out, 0, sizeof *out);
            snprintf(out->name, sizeof out->name, "%s", u->name);
            out->density = u->density;
            out->I_eV = u->I_eV;
            out->nelem = u->nelem;
            memcpy(out->Z, u->Z, sizeof out->Z);
            memcpy(out->w, u->w, sizeof out->w);
            out->source = "config";
            return y90_material_check(out, err);
        }
    }
    const y90_material *b = y90_material_builtin(name);
    if (!b) return Y90_FAIL(err, Y90_EINPUT, "material '%s': not built in and not in the config's materials", name);
    *out = *b;
    return Y90_OK;
}

y90_status y90_physics_build(const y90_config *c, const y90_grid *g, const y90_sources *s, y90_physics **out,
                             y90_error *err)
{
    const y90_transport_params *tp = &c->transport;
    y90_physics *p = y90_calloc(1, sizeof *p, "physics tables", err);
    if (!p) return err ? err->code : Y90_ENOMEM;
    p->dlnE = log(Y90_PHYS_EMAX / Y90_PHYS_EMIN) / (Y90_PHYS_NE - 1);
    for (int i = 0; i < Y90_PHYS_NE; i++) p->egrid[i] = Y90_PHYS_EMIN * exp(i * p->dlnE);
    p->cutoff = tp->cutoff_kev * 1e-3;
    p->photon_cutoff = tp->photon_cutoff_kev * 1e-3;
    p->tc = tp->delta_threshold_kev * 1e-3;
    p->kc = tp->brems_threshold_kev * 1e-3;
    p->max_eloss = tp->max_eloss_fraction;
    p->straggling = tp->straggling;
    p->secondaries = tp->secondaries;
    p->msc = tp->multiple_scattering;
    p->spin = tp->spin;
    p->range_rejection = tp->range_rejection;
    p->step_alg = (int)tp->step_algorithm;
    p->ximax = tp->ximax;
    int has_sphere = s && s->type == Y90_SOURCE_MICROSPHERES;
    p->nmat = g->nmaterials + (has_sphere ? 1 : 0);
    p->sphere_material = has_sphere ? g->nmaterials : -1;
    y90_status st = y90_spectrum_init(&p->spectrum, err);
    p->mat = st ? NULL : y90_calloc((size_t)p->nmat, sizeof *p->mat, "material tables", err);
    if (!p->mat) { st = st ? st : (err ? err->code : Y90_ENOMEM); goto fail; }
    for (int i = 0; i < p->nmat && !st; i++) {
        y90_material m;
        const char *name = i < g->nmaterials ? g->material_names[i] : s->sphere_material;
        st = find_material(c, name, &m, err);
        if (!st && i == p->sphere_material) m.density = s->sphere_density;
        if (!st) st = fill_material(p, &m, &p->mat[i], err);
    }
    if (st) goto fail;
    *out = p;
    return Y90_OK;
fail:
    y90_physics_free(p);
    return st;
}

void y90_physics_free(y90_physics *p)
{
    if (!p) return;
    free(p->mat);
    free(p);
}
