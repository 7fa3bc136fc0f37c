/* LABEL validation: the 90Y voxel S values of the MC kernel against DOSXYZnrc (Lanconelli et al. 2012, Phys Med
 * Biol 57:517) for every voxel size and medium in tests/reference/vsv, and the dose in the interior of a large
 * water box against 49.77 Gy kg/GBq (ICRP-107 energy and half-life). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "y90/config.h"
#include "y90/io.h"
#include "y90/run.h"
#include "y90/tools.h"

typedef struct {
    const char *file, *medium;
    double density, voxel_mm;
    const char *estar; /* NIST ESTAR table of the medium (radiation yield) */
} vsv_case;

static const vsv_case cases[] = {
    {"vsv/y90_vsv_lanconelli2012_soft_2.21mm.csv", "soft", 1.04, 2.21, "estar/estar_tissue_soft_icrp.csv"},
    {"vsv/y90_vsv_lanconelli2012_soft_3mm.csv", "soft", 1.04, 3.0, "estar/estar_tissue_soft_icrp.csv"},
    {"vsv/y90_vsv_lanconelli2012_soft_4mm.csv", "soft", 1.04, 4.0, "estar/estar_tissue_soft_icrp.csv"},
    {"vsv/y90_vsv_lanconelli2012_soft_4.42mm.csv", "soft", 1.04, 4.42, "estar/estar_tissue_soft_icrp.csv"},
    {"vsv/y90_vsv_lanconelli2012_soft_6mm.csv", "soft", 1.04, 6.0, "estar/estar_tissue_soft_icrp.csv"},
    /* the reference's bone is "Bone compact" (its files' header): ICRU compact bone, whose ranges are 3 % shorter
     * than ICRP cortical bone's at 1-2 MeV (g/cm2) */
    {"vsv/y90_vsv_lanconelli2012_bone_2.21mm.csv", "bone_compact", 1.85, 2.21,
     "estar/computed_bone_compact_icru_computed.csv"},
    {"vsv/y90_vsv_lanconelli2012_bone_4.42mm.csv", "bone_compact", 1.85, 4.42,
     "estar/computed_bone_compact_icru_computed.csv"},
};

/* Reference S(i,j,k) in mGy/(MBq s). Returns the number of rows read. */
static int read_vsv(const char *rel, double S[6][6][6])
{
    FILE *f = fopen(y90t_ref(rel), "r");
    if (!f) return 0;
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        int i, j, k;
        double s;
        if (line[0] != '#' && sscanf(line, "%d,%d,%d,%lf", &i, &j, &k, &s) == 4 && i >= 0 && i < 6 && j >= 0 &&
            j < 6 && k >= 0 && k < 6) {
            S[i][j][k] = s;
            n++;
        }
    }
    fclose(f);
    return n;
}

/* Fraction of the 90Y beta energy radiated as bremsstrahlung in a medium: the NIST ESTAR radiation yield Y(E)
 * (interpolated linearly, 0 below the table) weighted by E N(E) of the ICRP-107 spectrum (both from
 * tests/reference; independent of the code). */
static double radiated_fraction(const char *estar_rel)
{
    double e[200], n[200];
    static double rows[128][7];
    int nt = y90t_read_estar(estar_rel, rows, 128), ns = y90t_read_spectrum(e, n, 200);
    double num = 0, den = 0;
    for (int i = 0; i < ns; i++) {
        double y = 0;
        for (int k = 0; k + 1 < nt; k++) {
            const double *a = rows[k], *b = rows[k + 1]; /* energy column 0, radiation yield column 5 */
            if (e[i] >= a[0] && e[i] <= b[0]) y = a[5] + (b[5] - a[5]) * (e[i] - a[0]) / (b[0] - a[0]);
        }
        double w = i ? 0.5 * (e[i] - e[i - 1]) : 0, w2 = i + 1 < ns ? 0.5 * (e[i + 1] - e[i]) : 0; /* trapezoid */
        num += (w + w2) * e[i] * n[i] * y;
        den += (w + w2) * e[i] * n[i];
    }
    return num / den;
}

/* Energy per decay (MeV) in the 11 x 11 x 11 voxels of a kernel given by one octant of S (mGy/(MBq s)): the sum of
 * S x multiplicity (2 per non-zero offset) x voxel mass. */
static double kernel_energy_mev(double S[6][6][6], double voxel_mm, double density)
{
    double m = density * voxel_mm * voxel_mm * voxel_mm * 1e-6, e = 0; /* kg */
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 6; k++)
                e += S[i][j][k] * (double)((i ? 2 : 1) * (j ? 2 : 1) * (k ? 2 : 1)) * 1e-9 * m / 1.602176634e-13;
    return e;
}

/* With spin on (the default, as DOSXYZnrc's default with which the reference was made): S(0,0,0) within 1 %,
 * S(0,0,1) within 2 %, S(0,1,1) and S(1,1,1) within 5 % (the acceptance of issue 9; with 1e6 histories their
 * statistical uncertainties are 0.07-0.1 %, 0.2 %, 0.3 % and 0.5-1 %). S(0,0,2) lies at the end of the beta range
 * (in bone 4.42 mm its voxel starts 4.4 mm from the source voxel's face, the CSDA range at 2.28 MeV is 6.5 mm): its
 * statistical uncertainty there is 6 %, so it is checked to 10 % plus two of its standard errors (a plain 10 % check
 * fails one run in ten for a perfect code). Energy: in the whole
 * simulated 200 mm medium within 0.5 % of the energy sampled; and in the kernel's 11^3 voxels (as the reference is
 * tabulated) within 0.5 % of the 0.9331 MeV emitted per decay (ICRP 107) once the bremsstrahlung is added, which
 * escapes 11^3 voxels here (radiated fraction from the ESTAR radiation yield: 0.42 % in soft tissue, 0.69 % in
 * bone). The reference's own 11^3 sums are 0.999-1.003 of 0.9331 MeV: DOSXYZnrc evidently kept that energy. */
static void test_vsv(void)
{
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        static double ref[6][6][6];
        CU_ASSERT_FATAL(read_vsv(cases[c].file, ref) == 216);
        y90_tool_options o = {.medium = cases[c].medium, .density = cases[c].density, .voxel_mm = cases[c].voxel_mm,
                              .histories = 1000000, .threads = 0, .seed = 2012};
        y90_vsv_result r;
        y90_error e = {0};
        CU_ASSERT_FATAL(y90_vsv_compute(&o, &r, &e) == Y90_OK);
        double d000 = r.S[0][0][0] / ref[0][0][0] - 1, d001 = r.S[0][0][1] / ref[0][0][1] - 1;
        double d011 = r.S[0][1][1] / ref[0][1][1] - 1, d111 = r.S[1][1][1] / ref[1][1][1] - 1;
        printf("\n  %s %.2f mm: S000 %+.2f %%, S001 %+.2f %%, S011 %+.2f %%, S111 %+.2f %%, S002 %+.1f %%; energy in "
               "grid %.4f; %.0f histories/s", cases[c].medium, cases[c].voxel_mm, 100 * d000, 100 * d001, 100 * d011,
               100 * d111, 100 * (r.S[0][0][2] / ref[0][0][2] - 1), r.energy_fraction, r.histories / r.runtime_s);
        CU_ASSERT(fabs(d000) < 0.01);
        CU_ASSERT(fabs(d001) < 0.02);
        CU_ASSERT(fabs(d011) < 0.05);
        CU_ASSERT(fabs(d111) < 0.05);
        printf(" (S002 1 sigma %.1f %%)", 100 * r.S_rel_unc[0][0][2]);
        CU_ASSERT(fabs(r.S[0][0][2] / ref[0][0][2] - 1) < 0.10 + 2.0 * r.S_rel_unc[0][0][2]);
        CU_ASSERT(fabs(r.energy_fraction - 1) < 0.005);
        double ek = kernel_energy_mev(r.S, cases[c].voxel_mm, cases[c].density);
        double eref = kernel_energy_mev(ref, cases[c].voxel_mm, cases[c].density);
        double yrad = radiated_fraction(cases[c].estar);
        printf("\n    kernel energy (11^3 voxels): %.5f MeV per decay = %.4f x 0.9331 (reference %.4f x); + radiated "
               "%.4f (ESTAR) = %.4f", ek, ek / 0.9331, eref / 0.9331, yrad, ek / 0.9331 + yrad);
        CU_ASSERT(fabs(ek / 0.9331 + yrad - 1) < 0.005);
    }
}

/* 1 GBq uniform in a 200 mm water cube (8 kg), MC: the mean dose over the interior (voxels more than 16 mm from
 * every face: charged-particle equilibrium) equals 49.77 Gy kg/GBq x A/M within 0.5 %. The constant is computed
 * here from T1/2 = 64.10 h and 0.93310 MeV per decay (ICRP 107). Bremsstrahlung escaping the cube lowers the
 * interior by about 0.3 %; seeds scatter by about 0.05 %. */
static void test_water_box_interior(void)
{
    const char *cfg = y90t_write("waterbox.yaml",
                                 "phantom: {type: box, voxel_mm: 8, box_size_mm: [200, 200, 200], material: water}\n"
                                 "source: {type: uniform_box}\n"
                                 "treatment: {activity_gbq: 1.0}\n"
                                 "transport: {kernel: mc, histories: 3000000, seed: 7}\n");
    y90_config c;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_config_load(cfg, &c, &e) == Y90_OK);
    y90_grid g;
    double *dose;
    float *unc;
    CU_ASSERT_FATAL(y90t_run_read(&c, "waterbox.h5", &g, &dose, &unc) == 0);
    const double k = 64.10 * 3600.0 / log(2.0) * 1e9 * 0.93310 * 1.602176634e-13; /* Gy kg / GBq */
    const double mass = 8.0; /* kg: 20 cm cube of water at 1 g/cm3 */
    double expect = k * 1.0 / mass, sum = 0, n = 0;
    for (int iz = 2; iz < g.nz - 2; iz++)
        for (int iy = 2; iy < g.ny - 2; iy++)
            for (int ix = 2; ix < g.nx - 2; ix++) {
                sum += dose[y90_grid_index(&g, ix, iy, iz)];
                n++;
            }
    double mean = sum / n;
    printf("\n  water box interior: %.4f Gy vs %.4f Gy (%+.3f %%)", mean, expect, 100 * (mean / expect - 1));
    CU_ASSERT(y90t_rel(mean, expect) < 0.005);
    /* and below it by more than the noise (0.05 %): bremsstrahlung escapes; depositing it locally would not */
    CU_ASSERT(mean < expect * (1 - 0.0005));
    free(dose);
    free(unc);
    y90_grid_free(&g);
    y90_config_free(&c);
}

/* 90Y dose point kernel in water: R90 within the literature range 5.2-5.4 mm (tests/reference/SOURCES.md; EGSnrc
 * computations give 5.3-5.35 mm for the ICRP-107 spectrum with spin off, so spin is off here: with it the elastic
 * transport cross section is 6-7 % smaller at 0.5-1.4 MeV in water and the tracks straighter).
 * 4e6 histories: seeds scatter R90 by about 0.002 mm (0.014 mm at 1e5). */
static void test_dpk_r90(void)
{
    y90_config c;
    y90_config_defaults(&c);
    c.transport.spin = 0;
    y90_tool_options o = {.medium = "water", .shell_mm = 0.1, .histories = 4000000, .threads = 0, .seed = 90,
                          .transport = &c.transport};
    y90_dpk_result r;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_dpk_compute(&o, &r, &e) == Y90_OK);
    printf("\n  water DPK, spin off: R50 %.3f mm, R90 %.3f mm", r.r50_mm, r.r90_mm);
    CU_ASSERT(r.r90_mm >= 5.2 && r.r90_mm <= 5.4);
    y90_dpk_free(&r);
    y90_config_free(&c);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("validation", NULL, NULL);
    CU_add_test(s, "voxel S values vs DOSXYZnrc (Lanconelli 2012)", test_vsv);
    CU_add_test(s, "uniform water box interior vs 49.77 Gy kg/GBq", test_water_box_interior);
    CU_add_test(s, "90Y DPK R90 in water vs the literature", test_dpk_r90);
}
