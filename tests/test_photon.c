/* Photon transport of the MC kernel (Woodcock tracking, kernels/mc.c): narrow-beam transmission through a
 * heterogeneous slab stack against exp(-sum mu_i rho_i t_i), and the energy balance of photon histories. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/config.h"
#include "y90/physics.h"
#include "../kernels/mc.h"

#define T_MC2 0.51099895000        /* MeV, electron rest energy, CODATA 2018 */
#define T_RE 2.8179403262e-13      /* cm, classical electron radius, CODATA 2018 */
#define T_NA 6.02214076e23         /* 1/mol, Avogadro constant (SI 2019) */
#define T_MH 1.008                 /* g/mol, standard atomic weights (IUPAC 2013 conventional values) */
#define T_MO 15.999
#define T_BARN 1e-24               /* cm2 */

/* The slab stack along z (lateral 5 x 5 voxels of 10 mm, slabs in 5 mm voxel layers): water, cortical bone
 * above its nominal density, vacuum, lung, water at half density. Every material's largest density differs, so
 * a majorant or an acceptance ratio that got one of them wrong changes the transmission. */
typedef struct {
    const char *mat;
    double rho;                    /* g/cm3 */
    int layers;                    /* 5 mm voxel layers */
} slab;

static const slab SLABS[] = {{"water", 1.0, 6}, {"bone_cortical", 1.92, 4}, {"water", 0.0, 2}, {"lung", 0.26, 10},
                             {"water", 0.5, 4}};
#define NSLAB (int)(sizeof SLABS / sizeof SLABS[0])
#define LAYER_MM 5.0

typedef struct {
    y90_config c;
    y90_grid g;
    y90_physics *ph;
    mc_params *P;
} stack;

static void stack_build(stack *s)
{
    memset(s, 0, sizeof *s);
    y90_config_defaults(&s->c);
    y90_grid *g = &s->g;
    g->nx = g->ny = 5;
    g->nz = 0;
    for (int k = 0; k < NSLAB; k++) g->nz += SLABS[k].layers;
    g->spacing[0] = g->spacing[1] = 10.0;
    g->spacing[2] = LAYER_MM;
    g->lo[0] = g->lo[1] = -25.0;
    g->lo[2] = 0.0;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_grid_alloc(g, 0, &e) == Y90_OK);
    CU_ASSERT_FATAL(y90_grid_add_structure(g, "slabs", Y90_KIND_BODY, Y90_LOBE_NONE) == 0);
    int iz = 0;
    for (int k = 0; k < NSLAB; k++) {
        int m = y90_grid_add_material(g, SLABS[k].mat);
        CU_ASSERT_FATAL(m >= 0);
        for (int l = 0; l < SLABS[k].layers; l++, iz++)
            for (int iy = 0; iy < g->ny; iy++)
                for (int ix = 0; ix < g->nx; ix++) {
                    size_t v = y90_grid_index(g, ix, iy, iz);
                    g->material[v] = (uint8_t)m;
                    g->density[v] = (float)SLABS[k].rho;
                }
    }
    CU_ASSERT_FATAL(y90_physics_build(&s->c, g, NULL, &s->ph, &e) == Y90_OK);
    s->P = malloc(sizeof *s->P);
    CU_ASSERT_FATAL(s->P != NULL);
    CU_ASSERT_FATAL(mc_params_init(s->P, s->ph, g, NULL, &e) == Y90_OK);
}

static void stack_free(stack *s)
{
    mc_params_free(s->P);
    free(s->P);
    y90_physics_free(s->ph);
    y90_grid_free(&s->g);
}

/* A photon of E MeV entering the stack at the centre of its first face along +z. */
static mc_particle beam_photon(const mc_params *P, double E)
{
    mc_particle p;
    memset(&p, 0, sizeof p);
    p.type = MC_PHOTON;
    p.E = E;
    p.x[0] = 1.0; /* off the lateral voxel faces */
    p.x[1] = -2.0;
    p.x[2] = 0.0;
    p.u[2] = 1.0;
    p.cluster = -1;
    CU_ASSERT_FATAL(mc_locate(P, &p) == 0);
    return p;
}

/* Klein-Nishina total cross section per electron, cm2 (Klein and Nishina 1929; e.g. Attix, Introduction to
 * Radiological Physics and Radiation Dosimetry, eq. 7.13). */
static double sigma_kn(double E)
{
    double k = E / T_MC2, l = log(1.0 + 2.0 * k);
    return 2.0 * M_PI * T_RE * T_RE *
           ((1.0 + k) / (k * k) * (2.0 * (1.0 + k) / (1.0 + 2.0 * k) - l / k) + l / (2.0 * k) -
            (1.0 + 3.0 * k) / ((1.0 + 2.0 * k) * (1.0 + 2.0 * k)));
}

/* Water's photoelectric mass attenuation (cm2/g) at E from the NIST XCOM cross sections of H and O in
 * tests/reference/xcom_photoelectric.csv (E must be one of its energies); -1 when not found. */
static double xcom_water_photo(double E)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/reference/xcom_photoelectric.csv", Y90_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[256];
    double sH = -1, sO = -1;
    while (fgets(line, sizeof line, f)) {
        int Z;
        double e, s;
        if (sscanf(line, "%d,%lf,%lf", &Z, &e, &s) != 3 || fabs(e - E) > 1e-9 * E) continue;
        if (Z == 1) sH = s;
        if (Z == 8) sO = s;
    }
    fclose(f);
    if (sH < 0 || sO < 0) return -1;
    return (2.0 * sH + sO) * T_BARN * T_NA / (2.0 * T_MH + T_MO);
}

/* Narrow-beam transmission: the fraction of photons leaving the far face uncollided (with their full energy:
 * every Compton scattering lowers it, photoelectric absorption ends the photon) against exp(-sum mu rho t) with
 * mu from the project's tables (Compton plus photoelectric), within 3 binomial sigma; and against Klein-Nishina
 * computed here plus, for water at 100 keV, XCOM's photoelectric cross sections (bone, lung and 1 MeV: the
 * project's photoelectric table, 1e-4 of the attenuation at 1 MeV), also within 3 sigma (the Compton table is free-electron Klein-Nishina, as is the kernel). */
static void test_narrow_beam(void)
{
    stack s;
    stack_build(&s);
    const double energies[2] = {0.1, 1.0};
    const int N = 200000;
    /* the history buffer without a tally: these histories score in far fewer than Y90_HIST_CAP voxels (checked),
     * so it never spills */
    y90_hist *hb = malloc(sizeof *hb);
    CU_ASSERT_FATAL(hb != NULL);
    y90_hist_init(hb, NULL);
    mc_scratch *w = calloc(1, sizeof *w);
    CU_ASSERT_FATAL(w != NULL);
    for (int ie = 0; ie < 2; ie++) {
        const double E = energies[ie];
        double tau_tab = 0, tau_ind = 0;
        int iz = 0;
        for (int k = 0; k < NSLAB; k++) {
            const y90_phys_material *pm = &s.ph->mat[s.g.material[y90_grid_index(&s.g, 0, 0, iz)]];
            double t_cm = SLABS[k].layers * LAYER_MM / 10.0;
            double mu_tab = y90_phys_interp(s.ph, pm->mu_compton, E) + y90_phys_interp(s.ph, pm->mu_photo, E);
            double photo = y90_phys_interp(s.ph, pm->mu_photo, E);
            if (!strcmp(SLABS[k].mat, "water") && E < 0.5) { /* the file has H up to 100 keV */
                double x = xcom_water_photo(E);
                CU_ASSERT_FATAL(x > 0);
                photo = x;
            }
            tau_tab += mu_tab * SLABS[k].rho * t_cm;
            tau_ind += (pm->electrons_per_g * sigma_kn(E) + photo) * SLABS[k].rho * t_cm;
            iz += SLABS[k].layers;
        }
        long through = 0;
        for (int h = 0; h < N; h++) {
            y90_rng r;
            y90_rng_init(&r, 7, 3, (uint64_t)h);
            mc_particle p = beam_photon(s.P, E);
            y90_hist_init(hb, NULL);
            w->nstack = 0;
            mc_transport_photon(s.P, &p, w, &r, hb);
            if (hb->eb[Y90_EB_ESC_PH] == E && w->nstack == 0) through++;
        }
        double T = (double)through / N, T_tab = exp(-tau_tab), T_ind = exp(-tau_ind);
        double sig = sqrt(T_tab * (1.0 - T_tab) / N);
        printf("\n  %.0f keV: uncollided %.5f, tables exp(-%.4f) = %.5f (%+.2f sigma), Klein-Nishina + XCOM "
               "exp(-%.4f) = %.5f (%+.2f sigma)",
               E * 1e3, T, tau_tab, T_tab, (T - T_tab) / sig, tau_ind, T_ind, (T - T_ind) / sig);
        CU_ASSERT(fabs(T - T_tab) < 3.0 * sig);
        CU_ASSERT(fabs(T - T_ind) < 3.0 * sig);
    }
    free(w);
    free(hb);
    stack_free(&s);
}

/* Whole photon histories (the Compton and photoelectrons transported, their bremsstrahlung too): every MeV that
 * enters the stack is deposited in a voxel or escapes, exactly up to the tally's 1e-9 MeV units. */
static void test_photon_energy_balance(void)
{
    stack s;
    stack_build(&s);
    /* the history buffer without a tally: these histories score in far fewer than Y90_HIST_CAP voxels (checked),
     * so it never spills */
    y90_hist *hb = malloc(sizeof *hb);
    CU_ASSERT_FATAL(hb != NULL);
    y90_hist_init(hb, NULL);
    mc_scratch *w = calloc(1, sizeof *w);
    CU_ASSERT_FATAL(w != NULL);
    const double energies[2] = {0.1, 1.0};
    for (int ie = 0; ie < 2; ie++) {
        const double E = energies[ie];
        const int N = 20000;
        double dep = 0, esc_e = 0, esc_ph = 0, scores = 0;
        for (int h = 0; h < N; h++) {
            y90_rng r;
            y90_rng_init(&r, 11, 5, (uint64_t)h);
            y90_hist_init(hb, NULL);
            w->nstack = 0;
            w->stack[w->nstack++] = beam_photon(s.P, E);
            while (w->nstack > 0) {
                mc_particle q = w->stack[--w->nstack];
                if (q.type == MC_ELECTRON) mc_transport_electron(s.P, &q, w, &r, hb);
                else mc_transport_photon(s.P, &q, w, &r, hb);
            }
            CU_ASSERT_FATAL(hb->n < Y90_HIST_CAP);
            for (size_t i = 0; i < hb->n; i++) dep += (double)hb->e[i] * Y90_TALLY_E_UNIT;
            scores += (double)hb->n;
            esc_e += hb->eb[Y90_EB_ESC_E];
            esc_ph += hb->eb[Y90_EB_ESC_PH];
        }
        double emitted = N * E, imb = fabs(emitted - dep - esc_e - esc_ph);
        printf("\n  %.0f keV: per photon deposited %.5f, escaped e %.2e, photons %.5f MeV; imbalance %.2e MeV "
               "(rounding bound %.2e)",
               E * 1e3, dep / N, esc_e / N, esc_ph / N, imb, 0.5 * Y90_TALLY_E_UNIT * scores);
        CU_ASSERT(dep > 0.01 * emitted && esc_ph > 0.01 * emitted);
        CU_ASSERT(imb <= 0.5 * Y90_TALLY_E_UNIT * scores + 1e-12 * emitted);
    }
    free(w);
    free(hb);
    stack_free(&s);
}

/* The majorant bounds every voxel's attenuation at every grid energy, and is reached by one of them. */
static void test_majorant(void)
{
    stack s;
    stack_build(&s);
    int bad = 0, tight = 0;
    for (int i = 0; i < Y90_PHYS_NE; i++) {
        double top = 0;
        for (size_t v = 0; v < y90_grid_nvox(&s.g); v++) {
            const y90_phys_material *pm = &s.ph->mat[s.g.material[v]];
            double mu = (pm->mu_compton[i] + pm->mu_photo[i]) * s.g.density[v] / 10.0;
            top = fmax(top, mu);
            if (mu > s.P->mu_max[i] * (1 + 1e-12)) bad++;
        }
        if (top == s.P->mu_max[i]) tight++;
    }
    CU_ASSERT(bad == 0);
    CU_ASSERT(tight == Y90_PHYS_NE);
    stack_free(&s);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("photon", NULL, NULL);
    CU_add_test(s, "Woodcock majorant", test_majorant);
    CU_add_test(s, "narrow-beam transmission through a slab stack", test_narrow_beam);
    CU_add_test(s, "energy balance of photon histories", test_photon_energy_balance);
}
