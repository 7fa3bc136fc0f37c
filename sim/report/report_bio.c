/* The report's arithmetic on dose values: the defaults and where they come from, Dx and Vx on a step DVH, the
 * biologically effective dose of a permanent 90Y implant and the generalised equivalent uniform dose. */
#include <math.h>
#include <string.h>
#include "y90/report.h"

/* Defaults, each with its source (the project's reference sheet marks how each was checked):
 * - treated-liver prescription: the file's (113 Gy in the default case: median dose of Memon et al., Int J Radiat
 *   Oncol Biol Phys 2012;83:887).
 * - tumour target 205 Gy, glass spheres: DOSISPHERE-01 personalised arm ">= 205 Gy to the index lesion" (Garin E
 *   et al., Lancet Gastroenterol Hepatol 2021;6:17-29, doi:10.1016/S2468-1253(20)30290-9) and EANM 2022 Table 2,
 *   glass, HCC, tumour ">= 205 Gy" (Weber M et al., EJNMMI 2022;49:1682-1699, doi:10.1007/s00259-021-05600-z).
 *   Resin spheres need another value (EANM 2022 Table 3: HCC tumour >= 100-120 Gy): set --tumour-target-gy.
 * - lung: 30 Gy in one session, 50 Gy cumulative (Ho S et al. 1997; stated as such in van Roekel C, PhD thesis,
 *   Utrecht, ch. 2 p. 30).
 * - whole normal liver mean: < 75 Gy (EANM 2022 Table 2, glass, HCC, lobectomy and unilobar; bilobar: < 50 Gy with
 *   bilirubin > 1.1 mg/dl, < 90 Gy otherwise).
 * - BED (Dale RG, Br J Radiol 1985;58:515-528): tumour alpha/beta 10 Gy, repair half-time 1.5 h; normal liver
 *   alpha/beta 2.5 Gy, repair half-time 1.5 h (values used in 90Y papers: Cremonesi M et al., Front Oncol
 *   2014;4:210; Strigari L et al., J Nucl Med 2010;51:1377-1385; recalled, not checked against the papers). No
 *   lung-specific value is in the reference: lung and body use the normal-liver values.
 * - EUD: generalised form (sum v_i D_i^a)^(1/a) after Niemierko A (Med Phys 1997;24:103-110; generalised in Med
 *   Phys 1999;26:1100): a = -10 for tumour (cold spots dominate), a = 1 for normal tissue (a parallel organ: the
 *   mean dose). These a are conventions, not fitted values: set them with --eud-a-tumour / --eud-a-normal. */
void y90_report_options_default(y90_report_options *o)
{
    static const double dx[] = {2, 50, 70, 90, 98}, vx[] = {70, 100, 113, 150, 205};
    memset(o, 0, sizeof *o);
    o->prescription_gy = 0;
    o->tumour_target_gy = 205.0;
    o->ndx = (int)(sizeof dx / sizeof *dx);
    memcpy(o->dx_pct, dx, sizeof dx);
    o->nvx = (int)(sizeof vx / sizeof *vx);
    memcpy(o->vx_gy, vx, sizeof vx);
    o->lung_session_gy = 30.0;
    o->lung_cumulative_gy = 50.0;
    o->prior_lung_gy = 0.0;
    o->normal_liver_limit_gy = 75.0;
    o->ab_tumour_gy = 10.0;
    o->ab_normal_gy = 2.5;
    o->trep_tumour_h = 1.5;
    o->trep_normal_h = 1.5;
    o->eud_a_tumour = -10.0;
    o->eud_a_normal = 1.0;
}

/* Convention (step DVH, no interpolation): the hottest k voxels hold the cumulative volume k/n; Dx is the dose of
 * the first voxel at which the cumulative volume reaches x %, i.e. desc[k-1] with k = ceil(x n / 100) clamped to
 * 1..n. So Dx is the minimum dose received by the hottest x % of the volume: for doses 1..100 Gy in 100 voxels,
 * D50 = 51 Gy, D90 = 11 Gy, D2 = 99 Gy, D98 = 3 Gy. Ties need no rule: equal doses give the same Dx. */
double y90_dose_at_volume(const double *desc, size_t n, double pct)
{
    if (n == 0 || isnan(pct)) return NAN;
    double k = ceil(pct / 100.0 * (double)n - 1e-9); /* tolerance: x n / 100 = 45.0000000001 is 45 */
    size_t i = k < 1 ? 1 : (k > (double)n ? n : (size_t)k);
    return desc[i - 1];
}

/* Vx: % of the voxels with dose >= thr (descending array; binary search). */
double y90_volume_at_dose(const double *desc, size_t n, double thr)
{
    if (n == 0 || isnan(thr)) return NAN;
    size_t lo = 0, hi = n; /* count of d >= thr is the first index with d < thr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (desc[mid] >= thr) lo = mid + 1;
        else hi = mid;
    }
    return 100.0 * (double)lo / (double)n;
}

double y90_bed_gy(double dose_gy, double alpha_beta_gy, double t_rep_h, double t_half_h)
{
    /* lambda / (mu + lambda) = T_rep / (T_rep + T_half) */
    double g = t_rep_h / (t_rep_h + t_half_h);
    return dose_gy * (1.0 + dose_gy * g / alpha_beta_gy);
}

/* log-sum-exp so that a = -10 with doses of 1e-40 Gy or a = 10 with 1e40 Gy neither overflows nor underflows. */
double y90_geud(const double *dose, size_t n, double a)
{
    if (n == 0) return NAN;
    if (a == 0) { /* the limit a -> 0: geometric mean */
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            if (!(dose[i] > 0)) return 0.0;
            s += log(dose[i]);
        }
        return exp(s / (double)n);
    }
    double m = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!(dose[i] > 0)) {
            if (a < 0) return 0.0; /* 0^a = infinity: the EUD is 0 */
            continue;              /* 0^a = 0: adds nothing */
        }
        double t = a * log(dose[i]);
        if (t > m) m = t;
    }
    if (m == -INFINITY) return 0.0; /* every dose 0 with a > 0 */
    double s = 0;
    for (size_t i = 0; i < n; i++)
        if (dose[i] > 0) s += exp(a * log(dose[i]) - m);
    return exp((m + log(s / (double)n)) / a);
}
