/* y90mc kernels: class II condensed-history transport of electrons (continuous soft loss with straggling,
 * random-hinge multiple scattering, explicit Moller deltas and bremsstrahlung photons) and photon transport
 * (Compton), scoring the energy lost along each straight move in every voxel it crosses. */
#include <math.h>
#include <string.h>
#include "mc.h"

#define MM_PER_CM 10.0

/* Table position of energy E: interval i of the log grid and the fraction f of E across it, linear in E, so
 * that every table (the range in particular) is piecewise linear in E and the range inverts exactly. */
typedef struct { int i; double f; } tpos;

/* ln(y) to about 2.3e-3 for y > 0 (y = 2^k m, m in [1, 2), k and m taken from the IEEE 754 bits; a cubic for
 * ln m): enough to find the grid interval, which the comparisons with the grid energies below then make exact.
 * y = 0 gives -1023 ln 2, below every grid energy. */
static inline double approx_ln(double y)
{
    uint64_t b;
    memcpy(&b, &y, sizeof b);
    const int k = (int)(b >> 52) - 1023; /* y > 0: no sign bit */
    b = (b & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
    double t;
    memcpy(&t, &b, sizeof t);
    t -= 1.0; /* ln(1 + t), t in [0, 1) */
    return k * M_LN2 + t * (0.99949556 + t * (-0.49190896 + t * 0.28947478 - t * t * 0.10486536));
}

static inline tpos tab_pos(const y90_physics *ph, double E)
{
    double x = approx_ln(E * (1.0 / Y90_PHYS_EMIN)) / ph->dlnE;
    tpos t = {0, 0.0};
    if (x <= 0) return t;
    t.i = (int)x;
    if (t.i >= Y90_PHYS_NE - 1) { t.i = Y90_PHYS_NE - 2; t.f = 1.0; return t; }
    while (t.i > 0 && E < ph->egrid[t.i]) t.i--;
    while (t.i < Y90_PHYS_NE - 2 && E >= ph->egrid[t.i + 1]) t.i++;
    t.f = (E - ph->egrid[t.i]) / (ph->egrid[t.i + 1] - ph->egrid[t.i]);
    return t;
}
static inline double tab(const double *a, tpos t) { return a[t.i] + t.f * (a[t.i + 1] - a[t.i]); }

/* Table position where the table a (increasing in E, piecewise linear in E between grid points) takes the value
 * y, for y below a at grid index i0 + 1 and not below a[0]: scanning down from i0 (a step crosses a few grid
 * points at most); exact for the tables' interpolation. */
static inline tpos pos_of_value(const double *a, double y, int i0)
{
    int i = i0 < Y90_PHYS_NE - 1 ? i0 : Y90_PHYS_NE - 2;
    while (i > 0 && a[i] > y) i--;
    while (i < Y90_PHYS_NE - 2 && a[i + 1] < y) i++;
    tpos t = {i, (y - a[i]) / (a[i + 1] - a[i])};
    t.f = t.f < 0 ? 0 : t.f > 1 ? 1 : t.f;
    return t;
}

/* Path (mm) over which an electron of energy E (range R, g/cm2) loses the fraction f of E along its CSDA path, not
 * going below the cutoff; *te: the table position of the energy there */
static double path_of_eloss(const y90_physics *ph, const y90_phys_material *m, double rho, double R, double E,
                            double f, tpos *te)
{
    *te = tab_pos(ph, fmax(E * (1.0 - f), ph->cutoff));
    return (R - tab(m->range, *te)) * MM_PER_CM / rho;
}

/* Path (mm) over which the electron at table position tp (range R, g/cm2) scatters K1 = kmax first transport mean
 * free paths along its CSDA path (the g1 table, increasing in E); INFINITY when its whole residual path
 * scatters less */
static double path_of_k1(const y90_phys_material *m, double rho, double R, const tpos *tp, double kmax)
{
    const double gt = tab(m->g1, *tp) - kmax;
    if (gt <= m->g1[0]) return INFINITY;
    const tpos t = pos_of_value(m->g1, gt, tp->i + 1);
    return (R - tab(m->range, t)) * MM_PER_CM / rho;
}

/* Energy (MeV) whose range is R (g/cm2) in material m, R below the range at grid index i0 + 1: the inverse of the
 * range table (E linear in R within a grid interval; grid ratio 1.016: error below 1e-4). */
static double energy_from_range(const y90_physics *ph, const y90_phys_material *m, double R, int i0)
{
    if (R <= m->range[0]) return ph->egrid[0] * (R > 0 ? R / m->range[0] : 0.0);
    tpos t = pos_of_value(m->range, R, i0);
    return ph->egrid[t.i] + t.f * (ph->egrid[t.i + 1] - ph->egrid[t.i]);
}

static inline void push(mc_scratch *w, const mc_particle *p, y90_hist *hb, size_t v)
{
    if (w->nstack < MC_STACK) w->stack[w->nstack++] = *p;
    else { /* stack full (never seen for 90Y): deposit locally, and say so in the balance */
        y90_hist_score(hb, v, p->E);
        hb->eb[Y90_EB_CUTOFF] += p->E;
    }
}

/* Radial shell of radius r (dose point kernel mode): the k with edges[k] <= r < edges[k + 1], or nshell beyond. */
static inline int shell_at(const mc_params *P, double r)
{
    if (r >= P->edges[P->nshell]) return P->nshell;
    int lo = 0, hi = P->nshell - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (P->edges[mid] <= r) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

static inline size_t shell_of(const mc_params *P, const double x[3])
{
    double d0 = x[0] - P->origin_mm[0], d1 = x[1] - P->origin_mm[1], d2 = x[2] - P->origin_mm[2];
    return (size_t)shell_at(P, sqrt(d0 * d0 + d1 * d1 + d2 * d2));
}

/* Share e (MeV) over the shells a straight segment from a (mm) along the unit vector u for len mm crosses, by its
 * exact chord in each: with b = a - origin, r(t)^2 = rmin^2 + (t - t0)^2, t0 = -b.u the point closest to the
 * origin; inward (t < t0) the next radius is the shell's inner edge, if the line reaches it, else the turn at t0;
 * outward the shell's outer edge. */
static void score_chords(const mc_params *P, const double a[3], const double u[3], double len, double e,
                         y90_hist *hb)
{
    if (len <= 0) { y90_hist_score(hb, shell_of(P, a), e); return; }
    double b[3] = {a[0] - P->origin_mm[0], a[1] - P->origin_mm[1], a[2] - P->origin_mm[2]};
    double t0 = -(b[0] * u[0] + b[1] * u[1] + b[2] * u[2]);
    double rmin2 = fmax(b[0] * b[0] + b[1] * b[1] + b[2] * b[2] - t0 * t0, 0.0);
    int k = shell_at(P, sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]));
    double t = 0, per_mm = e / len;
    int inward = t0 > 0;
    while (t < len) {
        double tn;
        int kn = k;
        if (inward) {
            double rin = P->edges[k];
            if (k > 0 && rin * rin > rmin2) { tn = t0 - sqrt(rin * rin - rmin2); kn = k - 1; }
            else { tn = t0; inward = 0; } /* turns outward inside shell k */
        } else if (k < P->nshell) {
            double rout = P->edges[k + 1];
            tn = t0 + sqrt(fmax(rout * rout - rmin2, 0.0));
            kn = k + 1;
        } else tn = len; /* beyond the last shell: stays there */
        if (tn > len) tn = len;
        if (tn > t) y90_hist_score(hb, (size_t)k, per_mm * (tn - t));
        if (tn >= len) return;
        t = tn > t ? tn : t;
        k = kn;
    }
}

void mc_score_segment(const mc_params *P, y90_hist *hb, size_t v, const double a[3], const double u[3], double len,
                      double e)
{
    if (e <= 0) return;
    if (P->radial) score_chords(P, a, u, len, e, hb);
    else y90_hist_score(hb, v, e);
}

/* Voxel (or radial bin) where a local deposit at the particle's position goes. */
size_t mc_here(const mc_params *P, const mc_particle *p)
{
    return P->radial ? shell_of(P, p->x) : mc_voxel(P, p);
}

static void deposit_local(const mc_params *P, const mc_particle *p, double E, int cat, y90_hist *hb)
{
    y90_hist_score(hb, mc_here(P, p), E);
    hb->eb[cat] += E;
    if (p->in_sphere) hb->eb[Y90_EB_SPHERE] += E; /* an electron that stops inside its sphere */
}

/* One straight move of length s (mm) losing energy continuously: returns the move status; p->E updated. The
 * move is walked once for its geometry (where it stops: the loss depends on the length actually gone); a move
 * within one voxel (most of them) scores its loss there, one across voxels is walked again scoring the loss at a
 * constant rate per mm in each voxel on the way. Nothing is stored per segment. */
static int move_and_lose(const mc_params *P, mc_particle *p, const y90_phys_material *m, double rho, double s,
                         const tpos *tp0, y90_rng *r, y90_hist *hb, double *moved_out)
{
    const y90_physics *ph = P->phys;
    double moved, E0 = p->E;
    /* what the move changes, to replay it from the same start (the sphere's centre and radius, set when it enters
     * one, are set again the same way) */
    const int in_sphere = p->in_sphere, ix0[3] = {p->ix[0], p->ix[1], p->ix[2]};
    const double x0[3] = {p->x[0], p->x[1], p->x[2]};
    const long cluster0 = p->cluster;
    const size_t v0 = mc_voxel(P, p);
    int nseg;
    int st = mc_move(P, p, s, NULL, &moved, &nseg);
    double t = rho * moved / MM_PER_CM; /* g/cm2 */
    tpos tp = tp0 ? *tp0 : tab_pos(ph, E0); /* tp0: the table position of p->E, when the caller has it */
    double R = tab(m->range, tp);
    double E1 = R > t ? energy_from_range(ph, m, R - t, tp.i + 1) : 0.0;
    double dE = (t > 0 && E0 - E1 > 0) ? E0 - E1 : 0.0;
    if (ph->straggling && dE > 0 && E1 > 0) {
        /* soft-loss straggling: a Gamma distribution with the mean loss and the Bohr variance (non-negative; with
         * the scale var/mean fixed by the medium and energy, the losses of the two parts of a split move add up
         * to the same Gamma, so hinge and boundary splits do not bias the loss) */
        double var = tab(m->strag, tp) * t;
        if (var > 0) dE = mc_gamma(&P->zig, dE * dE / var, r) * (var / dE);
        if (dE > E0) dE = E0;
    }
    if (nseg <= 1 || !(moved > 0)) { /* one voxel (or nothing gone): all of the loss where the move started */
        mc_score_segment(P, hb, v0, x0, p->u, moved, dE);
    } else { /* the replay: the same path from the same start, scoring on the way */
        memcpy(p->x, x0, sizeof x0);
        memcpy(p->ix, ix0, sizeof ix0);
        p->in_sphere = in_sphere;
        p->cluster = cluster0;
        const mc_deposit d = {hb, dE, moved};
        mc_move(P, p, s, &d, &moved, &nseg);
    }
    if (in_sphere) hb->eb[Y90_EB_SPHERE] += dE;
    p->E = E0 - dE;
    *moved_out = moved;
    return st;
}

/* Range rejection: an electron whose residual path (the range of the restricted stopping power, longer than its
 * CSDA range) cannot reach any face of its voxel deposits all its energy there: exact for the voxel dose, and most
 * of the steps of a track are saved (EGSnrc's electron range rejection, without the bremsstrahlung it would emit,
 * which is below 1e-3 of the energy under 200 keV). It applies outside the radial (point-kernel) mode and outside
 * the emitting sphere: the first thing mc_transport_electron checks, and for a delta ray where it is made (most are
 * rejected at once: 4.0 of the 4.4 deltas of a history of the default liver case, bench/RESULTS.md), which saves
 * it the stack and the direction and consumes the same random numbers. */
static inline int range_rejection_applies(const mc_params *P, const mc_particle *p)
{
    return P->phys->range_rejection && !P->radial && !p->in_sphere;
}

static void hard_interaction(const mc_params *P, mc_particle *p, const y90_phys_material *m, double rho, y90_rng *r,
                             mc_scratch *w, y90_hist *hb)
{
    const y90_physics *ph = P->phys;
    tpos tp = tab_pos(ph, p->E);
    double sm = tab(m->sig_moller, tp), sb = tab(m->sig_brems, tp);
    if (sm + sb <= 0) return;
    double cphi, sphi;
    mc_azimuth(&P->az, r, &cphi, &sphi);
    mc_particle s = *p;
    s.in_sphere = p->in_sphere;
    if (y90_rng_uniform32(r) * (sm + sb) < sm) {
        if (p->E <= 2.0 * ph->tc) return; /* table interpolation edge: no hard collision possible */
        double W, cp, cd;
        mc_moller(p->E, ph->tc, r, &W, &cp, &cd);
        p->E -= W;
        mc_rotate_cs(p->u, cp, cphi, sphi);
        /* what the delta would do first, without its push, pop and direction */
        if (range_rejection_applies(P, p) && tab(m->range, tab_pos(ph, W)) * MM_PER_CM / rho < mc_face_distance(P, p)) {
            deposit_local(P, p, W, Y90_EB_CUTOFF, hb);
            return;
        }
        s.type = MC_ELECTRON;
        s.E = W;
        mc_rotate_cs(s.u, cd, -cphi, -sphi); /* azimuth phi + pi */
    } else {
        if (p->E <= ph->kc) return;
        double k = mc_brems_k(p->E, ph->kc, r);
        s.type = MC_PHOTON;
        s.E = k;
        mc_rotate_cs(s.u, mc_brems_cos(p->E, r), cphi, sphi); /* the electron keeps its direction */
        s.in_sphere = 0; /* photons ignore the sphere (its attenuation is negligible at 25 um) */
        p->E -= k;
    }
    push(w, &s, hb, mc_here(P, p));
}

/* A step of path s (mm) from table position tp (range R, g/cm2): its CSDA end (energy E2, table position t2) and
 * its scattering K1, K2 (K_l = int ds/lambda_l along the CSDA path, tables g_l), the same in both mechanics. */
static void step_scattering(const y90_physics *ph, const y90_phys_material *m, double rho, double s, double R,
                            const tpos *tp, tpos *t2, double *E2, double *K1, double *K2)
{
    *E2 = energy_from_range(ph, m, R - rho * s / MM_PER_CM, tp->i + 1); /* CSDA step end */
    *t2 = tab_pos(ph, *E2);
    *K1 = fmax(tab(m->g1, *tp) - tab(m->g1, *t2), 0);
    *K2 = fmax(tab(m->g2, *tp) - tab(m->g2, *t2), 0);
}

/* The two step mechanics below move the particle along a condensed step of path s (mm) and score its soft loss (R:
 * its range, g/cm2; tp: the table position of its energy). They return MC_MOVE_DONE when the whole step was gone,
 * MC_MOVE_BOUNDARY when it stopped early (a new medium, or the energy fell below the cutoff: the caller starts a
 * new step there; interactions are memoryless), MC_MOVE_ESCAPED when the particle left the grid.
 *
 * PRESTA-II (kernels/mc_presta.c), for a step that cannot meet another medium: the step's soft loss at once (its
 * CSDA loss, then the Gamma straggling of the whole path: the same distribution as the sum of its parts' Gammas,
 * whose scale var/mean the medium and energy fix), shared among the four straight parts as the CSDA loss is (the
 * range table at each part's end: the stopping power grows along a step, by 1.2x over a 25 % step at 100 keV,
 * so shares by path length put too much of it near the step's start: +6 % dose at the centre of a 100 keV point
 * kernel), and within a part scored at a constant rate per mm on the voxels it crosses. A part stopped early (the
 * grid's end, or a sphere of the track's cluster) keeps its share of what it went. A step whose path is shorter
 * than the distance to its voxel's nearest face cannot leave the voxel: all of its loss is scored there and the
 * particle put at the step's end, without walking the parts. */
static int step_presta2(const mc_params *P, mc_particle *p, const y90_phys_material *m, double rho, double s,
                        double R, const tpos *tp, double face, y90_rng *r, y90_hist *hb)
{
    const y90_physics *ph = P->phys;
    tpos t2;
    double E2, K1, K2;
    step_scattering(ph, m, rho, s, R, tp, &t2, &E2, &K1, &K2);
    const double E0 = p->E, t = rho * s / MM_PER_CM; /* g/cm2 */
    double dE = E0 - E2 > 0 ? E0 - E2 : 0.0;
    if (ph->straggling && dE > 0 && E2 > 0) {
        const double var = tab(m->strag, *tp) * t;
        if (var > 0) dE = mc_gamma(&P->zig, dE * dE / var, r) * (var / dE);
        if (dE > E0) dE = E0;
    }
    const double a0 = tab(m->tr1, *tp), a1 = tab(m->tr1, t2), b0 = tab(m->tr2, *tp), b1 = tab(m->tr2, t2);
    /* half the relative growth of 1/lambda_1 and of gamma = tr2/tr1 over the step (to first order) */
    const double tg = a0 + a1 > 0 ? (a1 - a0) / (a1 + a0) : 0.0;
    const double dg = b0 * a1 + b1 * a0 > 0 ? (b0 * a1 - b1 * a0) / (b0 * a1 + b1 * a0) : 0.0;
    mc_pii_step ps;
    mc_presta2(P, K1, K2, tg, dg, p->u, r, &ps);
    if (!P->radial && s < face) { /* the whole step stays in this voxel: its loss goes there */
        y90_hist_score(hb, mc_voxel(P, p), dE);
        for (int k = 0; k < 4; k++)
            for (int a = 0; a < 3; a++) p->x[a] += s * ps.f[k] * ps.g[k] * ps.u[k][a];
        memcpy(p->u, ps.u[3], sizeof p->u);
        p->E = E0 - dE;
        return MC_MOVE_DONE;
    }
    /* CSDA energies at the ends of parts 0-2 (part 3 ends at E2) */
    double Ek[5] = {E0, 0, 0, 0, E2}, fc = 0;
    for (int k = 0; k < 3; k++) {
        fc += ps.f[k];
        Ek[k + 1] = fc >= 1.0 ? E2 : energy_from_range(ph, m, R - t * fc, tp->i + 1);
    }
    const double csda = E0 - E2, scale = csda > 0 ? dE / csda : 0.0;
    double lost = 0;
    for (int k = 0; k < 4; k++) {
        const double len = s * ps.f[k] * ps.g[k], share = csda > 0 ? (Ek[k] - Ek[k + 1]) * scale : dE * ps.f[k];
        memcpy(p->u, ps.u[k], sizeof p->u);
        if (!(len > 0)) { lost += share; continue; }
        const mc_deposit d = {hb, share, len};
        double moved;
        int nseg, st = mc_move(P, p, len, &d, &moved, &nseg);
        if (st != MC_MOVE_DONE) {
            p->E = E0 - (lost + share * moved / len);
            return st;
        }
        lost += share;
    }
    p->E = E0 - dE;
    return MC_MOVE_DONE;
}

/* One random hinge: straight for s1, deflect by the whole step's multiple scattering, then the rest.
 * mc_hinge_fraction places the hinge so that the step has Lewis's exact <z> and <r^2> for a scattering power
 * 1/lambda_1 that grows linearly along the step by the ratio of tr1 at the CSDA end to tr1 at the start
 * (kernels/mc_hinge.c). A step cut before its hinge gets no deflection, with the probability that the hinge lies
 * after the cut, close to 1 - K1(s_cut)/K1 (equal in the small-K limit, where the hinge's density is the step's
 * scattering power: alpha 0.2, cut at half the step: 0.485 against 0.477), which keeps the mean scattering per
 * path length about right when steps are cut. */
static int step_hinge(const mc_params *P, mc_particle *p, const y90_phys_material *m, double rho, double s, double R,
                      const tpos *tp, y90_rng *r, y90_hist *hb)
{
    const y90_physics *ph = P->phys;
    double s1 = s, K1 = 0, K2 = 0, moved;
    if (ph->msc) {
        tpos t2;
        double E2;
        step_scattering(ph, m, rho, s, R, tp, &t2, &E2, &K1, &K2);
        const double xi = y90_rng_uniform32(r), tr0 = tab(m->tr1, *tp);
        s1 = K1 > 0 && tr0 > 0 ? s * mc_hinge_fraction(P, K1, tab(m->tr1, t2) / tr0 - 1.0, xi) : xi * s;
    }
    int st = move_and_lose(P, p, m, rho, s1, tp, r, hb, &moved);
    if (st != MC_MOVE_DONE || !ph->msc) return st;
    double cost = mc_msc_cos(P, K1, K2, r), cphi, sphi;
    mc_azimuth(&P->az, r, &cphi, &sphi);
    mc_rotate_cs(p->u, cost, cphi, sphi);
    if (p->E <= ph->cutoff) return MC_MOVE_BOUNDARY;
    return move_and_lose(P, p, m, rho, s - s1, NULL, r, hb, &moved);
}

/* Material and density where the particle is. */
static inline const y90_phys_material *medium(const mc_params *P, const mc_particle *p, double *rho)
{
    if (p->in_sphere) {
        *rho = P->src->sphere_density;
        return &P->phys->mat[P->phys->sphere_material];
    }
    size_t v = mc_voxel(P, p);
    *rho = P->g->density[v];
    return &P->phys->mat[P->g->material[v]];
}

void mc_transport_electron(const mc_params *P, mc_particle *p, mc_scratch *w, y90_rng *r, y90_hist *hb)
{
    const y90_physics *ph = P->phys;
    for (;;) {
        if (p->E <= ph->cutoff) {
            deposit_local(P, p, p->E, Y90_EB_CUTOFF, hb);
            return;
        }
        double rho;
        const y90_phys_material *m = medium(P, p, &rho);
        if (rho <= 0) { /* vacuum voxel: fly straight to the next medium */
            double moved;
            int nseg, st = mc_move(P, p, 1e9, NULL, &moved, &nseg);
            if (st == MC_MOVE_ESCAPED) { hb->eb[Y90_EB_ESC_E] += p->E; return; }
            continue;
        }
        tpos tp = tab_pos(ph, p->E);
        double R = tab(m->range, tp);
        /* mm to the voxel's nearest face (range rejection, the safety of a PRESTA-II step and its shortcut within
         * one voxel; none of them in the radial mode) */
        const double face = P->radial ? 0.0 : mc_face_distance(P, p);
        if (range_rejection_applies(P, p) && R * MM_PER_CM / rho < face) {
            deposit_local(P, p, p->E, Y90_EB_CUTOFF, hb);
            return;
        }
        /* step limits (mm): energy loss fraction, PRESTA-II's largest scattering, distance to the next hard
         * interaction */
        int presta = ph->msc && ph->step_alg == Y90_STEP_PRESTA2;
        tpos te;
        double s_loss = path_of_eloss(ph, m, rho, R, p->E, ph->max_eloss, &te);
        /* (a step shortened by K1 keeps the hard-interaction majorant of the longer one: still an upper bound) */
        if (presta) s_loss = fmin(s_loss, path_of_k1(m, rho, R, &tp, ph->ximax));
        /* hard interactions by the fictitious-interaction method: free path with the largest cross section over
         * the step's energies (at its start or its end), accepted at the interaction with sigma(E) / sigma_max */
        double sig0 = tab(m->sig_moller, tp) + tab(m->sig_brems, tp);
        double sig_max = fmax(sig0, tab(m->sig_moller, te) + tab(m->sig_brems, te));
        double sig_h = sig_max * rho / MM_PER_CM; /* 1/mm */
        double s_hard = sig_h > 0 ? -log(y90_rng_uniform32(r)) / sig_h : INFINITY;
        int hard = s_hard < s_loss;
        double s = hard ? s_hard : s_loss;
        if (!(s > 1e-9)) s = 1e-9;
        /* PRESTA-II where the step cannot meet another medium (its parts are not a path that a cut can stop
         * without bias: a part cut early has had too much of the step's deflection, -2 % in the mean radius of a
         * grid where every voxel is a boundary), else the random hinge, whose deflection a cut takes with the
         * right probability, with its steps no longer than MC_HINGE_MAX_ELOSS, where its drift is small (as
         * EGSnrc, whose PRESTA-II steps stop short of the nearest boundary and whose boundary crossing is another
         * algorithm) */
        /* (the radial mode's medium is homogeneous: only a source sphere is a boundary there; the spheres of the
         * track's cluster are boundaries in both modes) */
        if (presta && (p->in_sphere || (!P->radial && s > mc_safety(P, p, face)) || s > mc_cluster_distance(P, p))) {
            presta = 0;
            if (ph->max_eloss > MC_HINGE_MAX_ELOSS) {
                tpos th;
                const double sh = path_of_eloss(ph, m, rho, R, p->E, MC_HINGE_MAX_ELOSS, &th);
                if (sh < s) { s = sh > 1e-9 ? sh : 1e-9; hard = 0; }
            }
        }
        const int st =
            presta ? step_presta2(P, p, m, rho, s, R, &tp, face, r, hb) : step_hinge(P, p, m, rho, s, R, &tp, r, hb);
        if (st == MC_MOVE_ESCAPED) { hb->eb[Y90_EB_ESC_E] += p->E; return; }
        if (st == MC_MOVE_BOUNDARY) continue; /* a new medium, or below the cutoff: a new step from here */
        if (hard && p->E > ph->cutoff) {
            tpos th = tab_pos(ph, p->E);
            double sig = tab(m->sig_moller, th) + tab(m->sig_brems, th);
            if (y90_rng_uniform32(r) * sig_max < sig) hard_interaction(P, p, m, rho, r, w, hb);
        }
    }
}
