/* The y90mc binary end to end: version, the example configs, bad configs (exit 2, file:line and key, nothing
 * written), memory limits, --force, and physics acceptance through the CLI: the water-box constant, MIRD vs
 * simulated for uniform uptake, thread-count independence, report, vsv and dpk. Runs are small (2 cores). */
#include "testutil.h"
#include "y90/grid.h"
#include "y90/io.h"
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 90Y constants from ICRP 107 (independent of the code's own y90_gy_kg_per_gbq). */
#define T_HALF_H 64.10
#define E_MEAN_MEV 0.93310
#define J_PER_MEV 1.602176634e-13
static double gy_kg_per_gbq(void) { return T_HALF_H * 3600.0 / log(2.0) * 1e9 * E_MEAN_MEV * J_PER_MEV; }

/* ------------------------------------------------------------------------------------------- helpers */

#define HAS Y90T_HAS
#define cli y90t_clif


static int exists(const char *path) { return access(path, F_OK) == 0; }

/* No "*.tmp-*" file left in the test directory. */
static void assert_no_tmp_files(void)
{
    DIR *d = opendir(y90t_dir());
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d))) {
        if (strstr(e->d_name, ".tmp-")) {
            fprintf(stderr, "\n    leftover temporary file %s ", e->d_name);
            found = 1;
        }
    }
    closedir(d);
    CU_ASSERT_FALSE(found);
}

/* Value of the first "key": number after `after` (a JSON object key) in text; NAN if absent. */
static double json_number(const char *text, const char *after, const char *key)
{
    const char *p = text ? strstr(text, after) : NULL;
    if (!p) return NAN;
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(p, pat);
    if (!p) return NAN;
    char *end;
    double v = strtod(p + strlen(pat), &end);
    return end == p + strlen(pat) ? NAN : v;
}

typedef struct {
    y90_grid g;
    double *dose;
    float *unc;
} run_file;

static int read_run(const char *path, run_file *r)
{
    memset(r, 0, sizeof *r);
    y90_error e = {0};
    if (y90_io_read_grid(path, &r->g, &e) || y90_io_read_dose(path, y90_grid_nvox(&r->g), &r->dose, &r->unc, &e)) {
        fprintf(stderr, "\n    cannot read %s: %s ", path, e.msg);
        return -1;
    }
    return 0;
}
static void free_run(run_file *r)
{
    y90_grid_free(&r->g);
    free(r->dose);
    free(r->unc);
}

/* Mass-weighted mean dose (Gy) and mass (kg) over voxels whose structure kind passes want[kind]. */
static double mean_dose(const run_file *r, const int want[], double *mass_kg)
{
    double e = 0, m = 0;
    size_t n = y90_grid_nvox(&r->g);
    for (size_t i = 0; i < n; i++) {
        if (!want[r->g.structures[r->g.label[i]].kind]) continue;
        double mi = y90_grid_voxel_mass_kg(&r->g, i);
        e += r->dose[i] * mi;
        m += mi;
    }
    if (mass_kg) *mass_kg = m;
    return m > 0 ? e / m : NAN;
}

static const char *const WATER_BOX = "phantom:\n  type: box\n  voxel_mm: 5\n  box_size_mm: [50, 50, 50]\n"
                                     "  material: water\nsource:\n  type: uniform_box\ntreatment:\n  activity_gbq: 1.0\n"
                                     "transport:\n  kernel: local\n  histories: 200000\n";

/* ------------------------------------------------------------------------------------------ basics */

static void test_version(void)
{
    char *out;
    CU_ASSERT_EQUAL(cli(&out, "--version"), 0);
    HAS(out, "y90mc ");
    HAS(out, y90_version());
    HAS(out, "git");
    free(out);
    CU_ASSERT_EQUAL(cli(&out, "--help"), 0);
    HAS(out, "usage");
    free(out);
    CU_ASSERT_EQUAL(cli(NULL, "no-such-command"), 2);
}

static void test_check_examples(void)
{
    DIR *d = opendir(Y90_SOURCE_DIR "/configs");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml")) continue;
        char *out;
        /* sweep files (sweep_*.yaml): every point is checked like a config before the list is printed */
        int sweep = strncmp(e->d_name, "sweep_", 6) == 0;
        int rc = sweep ? cli(&out, "sweep " Y90_SOURCE_DIR "/configs/%s --list", e->d_name)
                       : cli(&out, "check " Y90_SOURCE_DIR "/configs/%s", e->d_name);
        if (rc) fprintf(stderr, "\n    %s configs/%s: exit %d: %s ", sweep ? "sweep --list" : "check", e->d_name, rc,
                        out ? out : "");
        CU_ASSERT_EQUAL(rc, 0);
        if (sweep) {
            CU_ASSERT(out && strncmp(out, "1\t", 2) == 0); /* "1<TAB>state<TAB>key=value" */
        } else {
            HAS(out, "valid");
        }
        free(out);
        n++;
    }
    closedir(d);
    CU_ASSERT(n >= 5);
}

/* ------------------------------------------------------------------------------------------ bad configs */

typedef struct {
    const char *name;  /* file name */
    const char *text;
    int line;          /* 0: no line expected */
    const char *key;   /* must appear in the message */
    const char *allowed; /* range or choices that must appear (may be NULL) */
} bad_case;

#define NEEDS "treatment:\n  activity_gbq: 1\n"

/* `run` and `check` both exit 2 naming file:line and key; run writes no output and leaves no temporary file. */
static void run_bad_case(const bad_case *b)
{
    y90t_pathbuf cfg = y90t_twrite(b->name, b->text);
    char outname[128];
    snprintf(outname, sizeof outname, "%s.h5", b->name);
    y90t_pathbuf out = y90t_tpath("%s", outname);
    remove(out.s);
    char where[256];
    if (b->line > 0) snprintf(where, sizeof where, "%s:%d:", b->name, b->line);
    else snprintf(where, sizeof where, "%s", b->name);
    char *msg;
    int rc = cli(&msg, "run %s -o %s --quiet", cfg.s, out.s);
    if (rc != 2) fprintf(stderr, "\n    %s: exit %d: %s ", b->name, rc, msg ? msg : "");
    CU_ASSERT_EQUAL(rc, 2);
    HAS(msg, where);
    HAS(msg, b->key);
    if (b->allowed) HAS(msg, b->allowed);
    free(msg);
    CU_ASSERT_FALSE(exists(out.s));
    assert_no_tmp_files();
    rc = cli(&msg, "check %s", cfg.s);
    CU_ASSERT_EQUAL(rc, 2);
    HAS(msg, where);
    free(msg);
}

#define BAD(fn, ...)                                                                                            \
    static void fn(void)                                                                                        \
    {                                                                                                           \
        static const bad_case b = {__VA_ARGS__};                                                                \
        run_bad_case(&b);                                                                                       \
    }

BAD(bad_unknown_key, "unknown_key.yaml", NEEDS "transport: {histores: 10}\n", 3, "transport.histores", "histories")
BAD(bad_unknown_section, "unknown_section.yaml", NEEDS "transprot:\n  histories: 10\n", 3, "transprot", "transport")
BAD(bad_type_int, "type_int.yaml", NEEDS "transport:\n  histories: abc\n", 4, "transport.histories", "[1, 1e+13]")
BAD(bad_type_list, "type_list.yaml", NEEDS "phantom:\n  voxel_mm: [1, 2]\n", 4, "phantom.voxel_mm", "(0, 50]")
BAD(bad_activity_neg, "activity_neg.yaml", "treatment:\n  activity_gbq: -1\n", 2, "treatment.activity_gbq", "(0, 100]")
BAD(bad_activity_zero, "activity_zero.yaml", "treatment:\n  activity_gbq: 0\n", 2, "treatment.activity_gbq", "(0, 100]")
BAD(bad_lsf, "lsf.yaml", NEEDS "  lung_shunt_fraction: 1.3\n", 3, "treatment.lung_shunt_fraction", "[0, 1]")
BAD(bad_burden90, "burden90.yaml", NEEDS "phantom:\n  tumour_burden_percent: 90\n", 4, "phantom.tumour_burden_percent",
    "[0, 90)")
BAD(bad_burden95, "burden95.yaml", NEEDS "phantom:\n  tumour_burden_percent: 95\n", 4, "phantom.tumour_burden_percent",
    "[0, 90)")
BAD(bad_voxel0, "voxel0.yaml", NEEDS "phantom:\n  voxel_mm: 0\n", 4, "phantom.voxel_mm", "(0, 50]")
BAD(bad_duplicate, "duplicate.yaml", NEEDS "transport:\n  histories: 10\n  histories: 20\n", 5, "transport.histories",
    "line 4")
BAD(bad_enum, "enum.yaml", NEEDS "transport:\n  kernel: gpu\n", 4, "transport.kernel", "mc|local")
BAD(bad_missing, "missing.yaml", "phantom:\n  type: liver\n", 0, "treatment.activity_gbq", "required")
BAD(bad_syntax, "syntax.yaml", NEEDS "phantom:\n  type: box\n voxel_mm: 2\n", 5, "syntax", NULL)
BAD(bad_slabs, "slabs.yaml",
    NEEDS "phantom:\n  type: slabs\n  slab_materials: [water, lung]\n  slab_thickness_mm: [10]\nsource:\n  type: point\n",
    5, "slab_thickness_mm", NULL)
BAD(bad_material, "material.yaml", NEEDS "phantom:\n  type: box\n  material: unobtainium\nsource:\n  type: point\n", 5,
    "phantom.material", "unobtainium")
BAD(bad_spheres_box, "spheres_box.yaml", NEEDS "phantom:\n  type: box\nsource:\n  type: microspheres\n", 6,
    "source.type", "liver")
BAD(bad_spheres_box_default, "spheres_box_default.yaml", NEEDS "phantom:\n  type: box\n", 4, "source.type", "liver")
BAD(bad_element, "element.yaml", NEEDS "materials:\n  - name: junk\n    density: 1.0\n    composition: {H: 0.5, Xx: 0.5}\n",
    6, "Xx", NULL)
BAD(bad_fractions, "fractions.yaml", NEEDS "materials:\n  - name: junk\n    density: 1.0\n    composition: {H: 0.5, O: 0.4}\n",
    4, "junk", "sum")
BAD(bad_hex_seed, "hex_seed.yaml", NEEDS "transport:\n  seed: 0x10\n", 4, "transport.seed", "integer")
BAD(bad_second_document, "second_doc.yaml", NEEDS "---\nbogus: 1\n", 4, "second YAML document", NULL)
BAD(bad_voxel_outside, "voxel_outside.yaml",
    NEEDS "phantom: {type: box, voxel_mm: 10, box_size_mm: [50, 50, 50]}\nsource: {type: voxel, voxel: [50, 0, 0]}\n",
    0, "source.voxel", "outside")
BAD(bad_flat_box, "flat_box.yaml",
    NEEDS "phantom: {type: box, voxel_mm: 10, box_size_mm: [50, 50, 50]}\n"
    "source: {type: uniform_box, box_min_mm: [-10, -10, 0], box_max_mm: [10, 10, 0]}\n", 0, "box_max_mm", "zero volume")

/* ------------------------------------------------------------------------------------------ memory */

static void expect_memory_refusal(const char *name, const char *text)
{
    y90t_pathbuf cfg = y90t_twrite(name, text);
    char outname[128];
    snprintf(outname, sizeof outname, "%s.h5", name);
    y90t_pathbuf out = y90t_tpath("%s", outname);
    char *msg;
    int rc = cli(&msg, "run %s -o %s --quiet", cfg.s, out.s);
    if (rc != 2) fprintf(stderr, "\n    %s: exit %d: %s ", name, rc, msg ? msg : "");
    CU_ASSERT_EQUAL(rc, 2);
    HAS(msg, "memory");
    free(msg);
    CU_ASSERT_FALSE(exists(out.s));
    rc = cli(&msg, "phantom %s -o %s", cfg.s, out.s);
    CU_ASSERT_EQUAL(rc, 2);
    HAS(msg, "memory");
    free(msg);
    CU_ASSERT_FALSE(exists(out.s));
    assert_no_tmp_files();
}

static void test_memory_limit_setting(void)
{
    expect_memory_refusal("mem_limit.yaml", "phantom:\n  type: box\n  voxel_mm: 1\n  box_size_mm: [50, 50, 50]\n"
                                            "source:\n  type: point\ntreatment:\n  activity_gbq: 1\n"
                                            "output:\n  max_memory_gb: 0.001\n");
    expect_memory_refusal("mem_limit_liver.yaml", "phantom:\n  voxel_mm: 4\ntreatment:\n  activity_gbq: 1\n"
                                                  "output:\n  max_memory_gb: 0.001\n");
}

static void test_memory_liver_tiny_voxels(void)
{
    expect_memory_refusal("mem_voxel.yaml", "phantom:\n  voxel_mm: 0.05\ntreatment:\n  activity_gbq: 1\n");
}

/* ------------------------------------------------------------------------------------------ --force */

static void test_force(void)
{
    y90t_pathbuf cfg = y90t_twrite("force.yaml", WATER_BOX);
    y90t_pathbuf out = y90t_tpath("force.h5");
    FILE *f = fopen(out.s, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("precious\n", f);
    fclose(f);
    char *msg;
    int rc = cli(&msg, "run %s -o %s --quiet", cfg.s, out.s);
    CU_ASSERT_EQUAL(rc, 2);
    HAS(msg, "--force");
    free(msg);
    char *content = y90t_slurp(out.s, NULL);
    CU_ASSERT(content && strcmp(content, "precious\n") == 0);
    free(content);
    rc = cli(&msg, "phantom %s -o %s", cfg.s, out.s);
    CU_ASSERT_EQUAL(rc, 2);
    free(msg);
    content = y90t_slurp(out.s, NULL);
    CU_ASSERT(content && strcmp(content, "precious\n") == 0);
    free(content);
    assert_no_tmp_files();
    rc = cli(&msg, "run %s -o %s --quiet --force", cfg.s, out.s);
    if (rc) fprintf(stderr, "\n    %s ", msg);
    CU_ASSERT_EQUAL(rc, 0);
    free(msg);
    CU_ASSERT_EQUAL(y90_io_has_object(out.s, "/dose"), 1);
    assert_no_tmp_files();
    /* the kernel tools refuse too */
    y90t_pathbuf csv = y90t_tpath("force.csv");
    f = fopen(csv.s, "w");
    fputs("precious\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(cli(NULL, "dpk --medium water --histories 100 -o %s", csv.s), 2);
    content = y90t_slurp(csv.s, NULL);
    CU_ASSERT(content && strcmp(content, "precious\n") == 0);
    free(content);
}

/* ------------------------------------------------------------------------------------------ physics */

/* (a) 90Y uniform in a water box, local kernel: mean dose = 49.77 Gy kg/GBq x A / M. */
static void test_water_box_constant(void)
{
    y90t_pathbuf cfg = y90t_twrite("water_box.yaml", WATER_BOX);
    y90t_pathbuf out = y90t_tpath("water_box.h5");
    char *msg;
    int rc = cli(&msg, "run %s -o %s --quiet --threads 2", cfg.s, out.s);
    if (rc) fprintf(stderr, "\n    %s ", msg);
    free(msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    run_file r;
    CU_ASSERT_EQUAL_FATAL(read_run(out.s, &r), 0);
    CU_ASSERT_EQUAL(r.g.nx * r.g.ny * r.g.nz, 1000);
    const int all[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    double mass;
    double mean = mean_dose(&r, all, &mass);
    CU_ASSERT_DOUBLE_EQUAL(mass, 0.125 * r.g.density[0], 1e-9); /* 5 cm cube */
    double k = gy_kg_per_gbq();
    CU_ASSERT_DOUBLE_EQUAL(k, 49.77, 0.01);
    double expect = k * 1.0 / mass;
    fprintf(stderr, "\n    water box: mean %.6f Gy, expected %.6f Gy (%.6f Gy kg/GBq x 1 GBq / %.6f kg), rel %.2e ", mean,
            expect, k, mass, y90t_rel(mean, expect));
    CU_ASSERT(y90t_rel(mean, expect) < 1e-3);
    /* the decays the dose represents */
    double decays = 0;
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_io_read_attr_double(out.s, "/", "decays", &decays, &e), Y90_OK);
    CU_ASSERT(y90t_rel(decays, 1e9 * T_HALF_H * 3600.0 / log(2.0)) < 1e-9);
    /* every voxel got some dose (200 histories per voxel on average) */
    size_t zero = 0;
    for (size_t i = 0; i < 1000; i++) zero += r.dose[i] <= 0;
    CU_ASSERT_EQUAL(zero, 0);
    free_run(&r);
}

static const char *const LIVER_UNIFORM = "phantom:\n  type: liver\n  voxel_mm: 4\nsource:\n  type: microspheres\n"
                                         "  product: therasphere\ntreatment:\n  activity_gbq: 1.0\n"
                                         "  lung_shunt_fraction: 0.1\n  tn_ratio: 1\n  prescription_gy: 113\n"
                                         "transport:\n  kernel: local\n  histories: 400000\n";

static y90t_pathbuf liver_out;
static int liver_rc = -1;
/* The uniform-uptake liver run, made once and shared by the MIRD and report tests. */
static int liver_run(void)
{
    if (liver_rc >= 0) return liver_rc;
    y90t_pathbuf cfg = y90t_twrite("liver_uniform.yaml", LIVER_UNIFORM);
    liver_out = y90t_tpath("liver_uniform.h5");
    char *msg;
    liver_rc = cli(&msg, "run %s -o %s --quiet", cfg.s, liver_out.s);
    if (liver_rc) fprintf(stderr, "\n    liver run: exit %d: %s ", liver_rc, msg ? msg : "");
    free(msg);
    return liver_rc;
}

/* (b) MIRD single compartment vs simulated for uniform uptake (T/N = 1), local kernel. */
static void test_mird_uniform_uptake(void)
{
    CU_ASSERT_EQUAL_FATAL(liver_run(), 0);
    run_file r;
    CU_ASSERT_EQUAL_FATAL(read_run(liver_out.s, &r), 0);
    int liver[8] = {0}, lung[8] = {0};
    liver[Y90_KIND_LIVER_NORMAL] = liver[Y90_KIND_TUMOR_VIABLE] = liver[Y90_KIND_TUMOR_NECROTIC] = 1;
    lung[Y90_KIND_LUNG] = 1;
    double m_liver, m_lung;
    double sim_liver = mean_dose(&r, liver, &m_liver), sim_lung = mean_dose(&r, lung, &m_lung);
    double k = gy_kg_per_gbq(), lsf = 0.1, a = 1.0;
    double mird = k * a * (1 - lsf) / m_liver, mird_lung = k * a * lsf / m_lung;
    fprintf(stderr, "\n    liver %.4f kg: simulated %.4f Gy, MIRD %.4f Gy (rel %.2e); lung %.4f kg: simulated %.4f Gy, "
            "MIRD %.4f Gy (rel %.2e) ", m_liver, sim_liver, mird, y90t_rel(sim_liver, mird), m_lung, sim_lung, mird_lung,
            y90t_rel(sim_lung, mird_lung));
    CU_ASSERT(y90t_rel(sim_liver, mird) < 0.01);
    CU_ASSERT(y90t_rel(sim_lung, mird_lung) < 0.02);
    /* the report says the same */
    char *json;
    CU_ASSERT_EQUAL_FATAL(cli(&json, "report %s --json", liver_out.s), 0);
    double rep_sim = json_number(json, "\"simulated\"", "treated_liver_mean_gy");
    double rep_mird = json_number(json, "\"estimates\"", "mird_treated_liver_gy");
    double rep_lung = json_number(json, "\"simulated\"", "lung_mean_gy");
    fprintf(stderr, "\n    report: treated liver simulated %.4f Gy, MIRD %.4f Gy; lung %.4f Gy ", rep_sim, rep_mird,
            rep_lung);
    CU_ASSERT(y90t_rel(rep_sim, rep_mird) < 0.01);
    CU_ASSERT(y90t_rel(rep_sim, sim_liver) < 1e-6);
    CU_ASSERT(y90t_rel(rep_mird, mird) < 1e-6);
    CU_ASSERT(y90t_rel(rep_lung, sim_lung) < 1e-6);
    free(json);
    free_run(&r);
}

/* Run cfg with threads and seed into name; read its dose. */
static int run_with(const char *cfg, const char *name, int threads, int seed, run_file *r)
{
    y90t_pathbuf out = y90t_tpath("%s", name);
    char *msg;
    int rc = cli(&msg, "run %s -o %s --quiet --force --threads %d --seed %d", cfg, out.s, threads, seed);
    if (rc) fprintf(stderr, "\n    %s: exit %d: %s ", name, rc, msg ? msg : "");
    free(msg);
    if (rc) return rc;
    return read_run(out.s, r);
}

/* seed_matters: another seed must give another dose (sampling); 0: the same dose (deterministic local kernel on a
 * validation source: nothing is sampled). */
static void check_thread_independence(const char *tag, const char *text, int seed_matters)
{
    char name[128];
    snprintf(name, sizeof name, "%s.yaml", tag);
    y90t_pathbuf cfg = y90t_twrite(name, text);
    run_file a, b, c;
    snprintf(name, sizeof name, "%s_t1.h5", tag);
    CU_ASSERT_EQUAL_FATAL(run_with(cfg.s, name, 1, 7, &a), 0);
    snprintf(name, sizeof name, "%s_t2.h5", tag);
    CU_ASSERT_EQUAL_FATAL(run_with(cfg.s, name, 2, 7, &b), 0);
    snprintf(name, sizeof name, "%s_s8.h5", tag);
    CU_ASSERT_EQUAL_FATAL(run_with(cfg.s, name, 2, 8, &c), 0);
    size_t n = y90_grid_nvox(&a.g);
    CU_ASSERT_EQUAL_FATAL(n, y90_grid_nvox(&b.g));
    CU_ASSERT_EQUAL_FATAL(n, y90_grid_nvox(&c.g));
    int same = memcmp(a.dose, b.dose, n * sizeof(double)) == 0;
    if (!same) fprintf(stderr, "\n    %s: /dose differs between 1 and 2 threads ", tag);
    CU_ASSERT(same);
    if (a.unc && b.unc) CU_ASSERT_EQUAL(memcmp(a.unc, b.unc, n * sizeof(float)), 0);
    CU_ASSERT_EQUAL(memcmp(a.dose, c.dose, n * sizeof(double)) != 0, seed_matters);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += a.dose[i];
    CU_ASSERT(sum > 0);
    free_run(&a);
    free_run(&b);
    free_run(&c);
}

/* (c) same seed, 1 and 2 threads: bitwise identical dose; another seed: a different dose where anything is
 * sampled (the local kernel on a uniform box samples nothing: the same dose). */
static void test_threads_local_box(void)
{
    check_thread_independence("thr_local_box",
                              "phantom:\n  type: box\n  voxel_mm: 5\n  box_size_mm: [50, 50, 50]\nsource:\n"
                              "  type: uniform_box\n  box_min_mm: [-10, -10, -10]\n  box_max_mm: [10, 12.5, 3]\n"
                              "treatment:\n  activity_gbq: 1\ntransport:\n  kernel: local\n  histories: 100000\n", 0);
}

static void test_threads_local_spheres(void)
{
    check_thread_independence("thr_local_liver", "phantom:\n  voxel_mm: 4\ntreatment:\n  activity_gbq: 0.2\n"
                                                 "  lung_shunt_fraction: 0.05\n  tn_ratio: 3\n"
                                                 "transport:\n  kernel: local\n  histories: 100000\n",
                              0); /* deterministic, and --seed (transport.seed) does not move the spheres */
}

static void test_threads_mc(void)
{
    check_thread_independence("thr_mc_point",
                              "phantom:\n  type: box\n  voxel_mm: 2\n  box_size_mm: [20, 20, 20]\n  material: water\n"
                              "source:\n  type: point\n  point_mm: [0.3, -0.2, 0.1]\ntreatment:\n  activity_gbq: 1\n"
                              "transport:\n  kernel: mc\n  histories: 20000\n", 1);
    check_thread_independence("thr_mc_voxel",
                              "phantom:\n  type: slabs\n  voxel_mm: 2\n  box_size_mm: [20, 20, 20]\n"
                              "  slab_materials: [water, lung]\n  slab_thickness_mm: [10, 10]\n"
                              "source:\n  type: voxel\n  voxel: [5, 5, 4]\ntreatment:\n  activity_gbq: 1\n"
                              "transport:\n  kernel: mc\n  histories: 20000\n", 1);
    check_thread_independence("thr_mc_liver", "phantom:\n  voxel_mm: 4\ntreatment:\n  activity_gbq: 0.2\n"
                                              "  lung_shunt_fraction: 0.05\n  tn_ratio: 3\n"
                                              "transport:\n  kernel: mc\n  histories: 20000\n", 1);
}

/* (d) the report as text, the DVH CSV, a missing file. */
static void test_report_text(void)
{
    CU_ASSERT_EQUAL_FATAL(liver_run(), 0);
    char *out;
    CU_ASSERT_EQUAL_FATAL(cli(&out, "report %s", liver_out.s), 0);
    static const char *const rows[] = {"lung", "liver_right", "liver_left", "tumour_viable_right",
                                       "tumour_necrotic_right", "tumour_viable_left", "liver_treated"};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char pat[64];
        snprintf(pat, sizeof pat, "\n%s ", rows[i]);
        HAS(out, pat);
    }
    HAS(out, "prescription 113.0 Gy");
    HAS(out, "MIRD");
    free(out);
    CU_ASSERT_EQUAL(cli(&out, "report %s --prescription-gy 80", liver_out.s), 0);
    HAS(out, "prescription 80.0 Gy");
    free(out);
}

static void test_report_dvh_csv(void)
{
    CU_ASSERT_EQUAL_FATAL(liver_run(), 0);
    y90t_pathbuf csv = y90t_tpath("dvh.csv");
    remove(csv.s);
    CU_ASSERT_EQUAL_FATAL(cli(NULL, "report %s --dvh-csv %s", liver_out.s, csv.s), 0);
    assert_no_tmp_files();
    char *text = y90t_slurp(csv.s, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(strncmp(text, "dose_gy,", 8), 0);
    /* column of liver_treated */
    char *nl = strchr(text, '\n');
    CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
    *nl = 0;
    int col = -1, c = 0;
    for (char *tok = strtok(text, ","); tok; tok = strtok(NULL, ","), c++)
        if (!strcmp(tok, "liver_treated")) col = c;
    CU_ASSERT_FATAL(col > 0);
    /* each row: dose, then the % of the structure's voxels with at least that dose; check against the file */
    run_file r;
    CU_ASSERT_EQUAL_FATAL(read_run(liver_out.s, &r), 0);
    size_t n = y90_grid_nvox(&r.g), nliver = 0;
    int rows = 0, checked = 0;
    for (char *line = nl + 1; line && *line; rows++) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        double d = strtod(line, NULL), pct = NAN;
        char *p = line;
        for (int k = 0; k < col && p; k++) p = strchr(p + 1, ',');
        if (p) pct = strtod(p + 1, NULL);
        if (rows % 20 == 5) {
            /* doses of the local kernel are multiples of one step: bracket the printed bin edge */
            size_t above_lo = 0, above_hi = 0;
            nliver = 0;
            for (size_t i = 0; i < n; i++) {
                y90_kind k = r.g.structures[r.g.label[i]].kind;
                if (k != Y90_KIND_LIVER_NORMAL && k != Y90_KIND_TUMOR_VIABLE && k != Y90_KIND_TUMOR_NECROTIC) continue;
                nliver++;
                above_lo += r.dose[i] >= d * (1 - 1e-5);
                above_hi += r.dose[i] >= d * (1 + 1e-5);
            }
            double lo = 100.0 * (double)above_hi / (double)nliver, hi = 100.0 * (double)above_lo / (double)nliver;
            int ok = pct >= lo - 0.001 && pct <= hi + 0.001;
            if (!ok) fprintf(stderr, "\n    DVH liver_treated at %g Gy: %g %%, file gives %g-%g %% ", d, pct, lo, hi);
            CU_ASSERT(ok);
            checked++;
        }
        line = next;
    }
    CU_ASSERT(rows >= 20);
    CU_ASSERT(checked >= 1);
    free_run(&r);
    free(text);
}

static void test_report_missing(void)
{
    y90t_pathbuf missing = y90t_tpath("no_such_run.h5");
    char *out;
    int rc = cli(&out, "report %s", missing.s);
    CU_ASSERT_NOT_EQUAL(rc, 0);
    HAS(out, "no_such_run.h5");
    free(out);
}

/* Report options (lists, tumour target, prior lung dose) reach the JSON; bad values exit 2; pictures. */
static void test_report_options(void)
{
    CU_ASSERT_EQUAL_FATAL(liver_run(), 0);
    char *out;
    CU_ASSERT_EQUAL_FATAL(cli(&out, "report %s --json --dx 50,90 --vx-gy 20 --tumour-target-gy 150 --prior-lung-gy 45",
                              liver_out.s), 0);
    HAS(out, "\"dx_pct\": [50, 90]");
    HAS(out, "\"vx_gy\": [20]");
    HAS(out, "\"tumour_target_gy\": 150");
    HAS(out, "\"prior_lung_gy\": 45");
    HAS(out, "\"interrupted\": false");
    HAS(out, "\"name\": \"tumour_1\"");
    free(out);
    CU_ASSERT_EQUAL(cli(&out, "report %s --dx 50,abc", liver_out.s), 2);
    HAS(out, "--dx");
    free(out);
    CU_ASSERT_EQUAL(cli(&out, "report %s --tumour-target-gy -5", liver_out.s), 2);
    HAS(out, "--tumour-target-gy");
    free(out);
    y90t_pathbuf dir = y90t_tpath("pictures");
    CU_ASSERT_EQUAL(cli(&out, "report %s --png %s", liver_out.s, dir.s), 0);
    HAS(out, "slices.png");
    free(out);
}

/* plan on a finished run: the activity scales with the goal; a bad goal exits 2. */
static void test_plan_cli(void)
{
    CU_ASSERT_EQUAL_FATAL(liver_run(), 0);
    char *json, *out;
    CU_ASSERT_EQUAL_FATAL(cli(&json, "report %s --json", liver_out.s), 0);
    double mean = json_number(json, "\"simulated\"", "treated_liver_mean_gy");
    free(json);
    CU_ASSERT_EQUAL_FATAL(cli(&out, "plan %s --goal treated-liver-mean=50 --json", liver_out.s), 0);
    double a = json_number(out, "{", "activity_gbq");
    CU_ASSERT(y90t_rel(a, 1.0 * 50 / mean) < 1e-8); /* the config's 1 GBq at calibration, treated at once */
    free(out);
    CU_ASSERT_EQUAL(cli(&out, "plan %s --goal 'normal-liver-mean<=40'", liver_out.s), 0);
    HAS(out, "activity at treatment");
    HAS(out, "MIRD single compartment");
    free(out);
    CU_ASSERT_EQUAL(cli(&out, "plan %s --goal lung=3", liver_out.s), 2);
    HAS(out, "--goal");
    free(out);
}

/* (e) vsv: 216 rows i,j,k,S; the S values hold the emitted energy (independent arithmetic). */
static void test_vsv(void)
{
    y90t_pathbuf csv = y90t_tpath("vsv.csv");
    char *out;
    int rc = cli(&out, "vsv --medium water --voxel-mm 2 --histories 20000 -o %s", csv.s);
    if (rc) fprintf(stderr, "\n    %s ", out);
    free(out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    char *text = y90t_slurp(csv.s, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "medium water, density 1 g/cm3")); /* the nominal density used, not 0 */
    const char *h = strstr(text, "\ni,j,k,S_mGy_per_MBq_s");
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    double S[6][6][6];
    int seen[6][6][6] = {{{0}}}, rows = 0;
    for (const char *l = strchr(h + 1, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        int i, j, k;
        double s;
        if (sscanf(l + 1, "%d,%d,%d,%lf", &i, &j, &k, &s) != 4) break;
        CU_ASSERT_FATAL(i >= 0 && i < 6 && j >= 0 && j < 6 && k >= 0 && k < 6);
        S[i][j][k] = s;
        seen[i][j][k]++;
        rows++;
    }
    CU_ASSERT_EQUAL(rows, 216);
    int all_once = 1;
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 6; k++) all_once &= seen[i][j][k] == 1;
    CU_ASSERT(all_once);
    if (rows == 216 && all_once) {
        /* falls with distance, symmetric under permutation */
        CU_ASSERT(S[0][0][0] > S[0][0][1] && S[0][0][1] > S[0][0][2] && S[0][0][2] > S[0][0][4]);
        CU_ASSERT(S[0][0][1] > S[0][1][1] && S[0][1][1] > S[1][1][1]);
        CU_ASSERT_DOUBLE_EQUAL(S[0][1][2], S[2][1][0], 1e-12 + 1e-9 * S[0][1][2]);
        /* energy: sum over the 11^3 voxels around the source of S x voxel mass = energy absorbed per decay;
         * S in mGy/(MBq s) = 1e9 x Gy per decay; 2 mm water voxel = 8e-6 kg. */
        double sum = 0;
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
                for (int k = 0; k < 6; k++) sum += S[i][j][k] * (i ? 2 : 1) * (j ? 2 : 1) * (k ? 2 : 1);
        double frac = sum / 1e9 * 8e-6 / (E_MEAN_MEV * J_PER_MEV);
        fprintf(stderr, "\n    vsv: S(0,0,0) = %.4g mGy/(MBq s); energy within +-5 voxels %.4f of 0.9331 MeV ", S[0][0][0],
                frac);
        CU_ASSERT(frac > 0.97 && frac < 1.005);
    }
    free(text);
}

static void test_dpk(void)
{
    y90t_pathbuf csv = y90t_tpath("dpk.csv");
    char *out;
    int rc = cli(&out, "dpk --medium water --histories 20000 -o %s", csv.s);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    double r50 = NAN, r90 = NAN;
    const char *p = out ? strstr(out, "R50 = ") : NULL;
    if (p) r50 = strtod(p + 6, NULL);
    p = out ? strstr(out, "R90 = ") : NULL;
    if (p) r90 = strtod(p + 6, NULL);
    free(out);
    fprintf(stderr, "\n    dpk water: R50 = %.3f mm, R90 = %.3f mm ", r50, r90);
    CU_ASSERT(r50 > 0 && r50 < r90);
    CU_ASSERT(r90 > 5.0 && r90 < 5.7); /* 5.2-5.4 mm in the literature */
    char *text = y90t_slurp(csv.s, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "medium water, density 1 g/cm3")); /* the nominal density used, not 0 */
    const char *h = strstr(text, "\nr_mm,");
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    const char *hend = strchr(h + 1, '\n');
    CU_ASSERT_PTR_NOT_NULL_FATAL(hend);
    char header[256];
    snprintf(header, sizeof header, "%.*s", (int)(hend - h - 1), h + 1);
    HAS(header, "dose");
    HAS(header, "cumulative");
    int rows = 0, mono = 1;
    double prev_r = 0, prev_c = 0, last_c = 0, r90_csv = NAN, prev_cum = 0;
    for (const char *l = hend; l && l[1]; l = strchr(l + 1, '\n')) {
        double r, d, c;
        if (sscanf(l + 1, "%lf,%lf,%lf", &r, &d, &c) != 3) break;
        mono &= r > prev_r && c >= prev_c && d >= 0;
        if (prev_cum < 0.9 && c >= 0.9 && isnan(r90_csv)) r90_csv = r; /* shell mid radius past R90 */
        prev_cum = c;
        prev_r = r;
        prev_c = c;
        last_c = c;
        rows++;
    }
    CU_ASSERT(rows >= 100);
    CU_ASSERT(mono);
    CU_ASSERT(last_c > 0.98 && last_c <= 1.0 + 1e-9); /* only bremsstrahlung escapes */
    CU_ASSERT(fabs(r90_csv - r90) < 0.2);
    free(text);
}

/* dpk --sphere: the absorbed fraction is printed and in the CSV; the shells inside the sphere come first, with an
 * edge at its surface (12.5 um); wrong --sphere values and --diameter-um without --sphere are refused with 2. */
static void test_dpk_sphere(void)
{
    y90t_pathbuf csv = y90t_tpath("dpk_sphere.csv");
    char *out;
    CU_ASSERT_EQUAL_FATAL(cli(&out, "dpk --sphere glass --diameter-um 25 --histories 2000 -o %s", csv.s), 0);
    HAS(out, "absorbed in the glass sphere (25 um, 3.29 g/cm3)");
    free(out);
    char *text = y90t_slurp(csv.s, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    HAS(text, "absorbed inside the sphere");
    HAS(text, ",0.012000,0.012500\n"); /* r_in, r_out of the last shell inside */
    free(text);
    static const char *const bad[][2] = {{"dpk --sphere quartz", "glass or resin"},
                                         {"dpk --diameter-um 30", "needs --sphere"},
                                         {"vsv --sphere glass --voxel-mm 2", "dpk options"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(cli(&out, "%s --histories 100 -o %s --force", bad[i][0], csv.s), 2);
        HAS(out, bad[i][1]);
        free(out);
    }
}

static void test_tools_bad_medium(void)
{
    y90t_pathbuf csv = y90t_tpath("bad_medium.csv");
    char *out;
    CU_ASSERT_EQUAL(cli(&out, "dpk --medium kryptonite --histories 100 -o %s", csv.s), 2);
    HAS(out, "kryptonite");
    free(out);
    CU_ASSERT_EQUAL(cli(&out, "vsv --medium kryptonite --voxel-mm 2 --histories 100 -o %s", csv.s), 2);
    HAS(out, "kryptonite");
    free(out);
    CU_ASSERT_FALSE(exists(csv.s));
    CU_ASSERT_EQUAL(cli(NULL, "vsv --medium water --histories 100 -o %s", csv.s), 2); /* no --voxel-mm */
    CU_ASSERT_FALSE(exists(csv.s));
    assert_no_tmp_files();
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("cli basics", NULL, NULL);
    CU_add_test(s, "--version", test_version);
    CU_add_test(s, "check configs/*.yaml", test_check_examples);
    s = CU_add_suite("cli bad configs", NULL, NULL);
    CU_add_test(s, "unknown key", bad_unknown_key);
    CU_add_test(s, "hexadecimal seed", bad_hex_seed);
    CU_add_test(s, "a second YAML document", bad_second_document);
    CU_add_test(s, "voxel source outside the grid (caught by check too)", bad_voxel_outside);
    CU_add_test(s, "uniform box of zero volume", bad_flat_box);
    CU_add_test(s, "unknown section", bad_unknown_section);
    CU_add_test(s, "wrong type (integer)", bad_type_int);
    CU_add_test(s, "wrong type (list for a number)", bad_type_list);
    CU_add_test(s, "negative activity", bad_activity_neg);
    CU_add_test(s, "activity 0", bad_activity_zero);
    CU_add_test(s, "lung shunt 1.3", bad_lsf);
    CU_add_test(s, "tumour burden 90", bad_burden90);
    CU_add_test(s, "tumour burden 95", bad_burden95);
    CU_add_test(s, "voxel_mm 0", bad_voxel0);
    CU_add_test(s, "duplicated key", bad_duplicate);
    CU_add_test(s, "enum not a choice", bad_enum);
    CU_add_test(s, "missing activity", bad_missing);
    CU_add_test(s, "YAML syntax error", bad_syntax);
    CU_add_test(s, "slab list length mismatch", bad_slabs);
    CU_add_test(s, "unknown material", bad_material);
    CU_add_test(s, "microspheres with a box", bad_spheres_box);
    CU_add_test(s, "microspheres (default) with a box", bad_spheres_box_default);
    CU_add_test(s, "user material unknown element", bad_element);
    CU_add_test(s, "user material fractions", bad_fractions);
    s = CU_add_suite("cli memory and outputs", NULL, NULL);
    CU_add_test(s, "output.max_memory_gb refuses a grid", test_memory_limit_setting);
    CU_add_test(s, "liver at 0.05 mm refused for memory", test_memory_liver_tiny_voxels);
    CU_add_test(s, "existing output and --force", test_force);
    s = CU_add_suite("cli physics", NULL, NULL);
    CU_add_test(s, "water box: 49.77 Gy kg/GBq", test_water_box_constant);
    CU_add_test(s, "MIRD vs simulated, uniform uptake", test_mird_uniform_uptake);
    CU_add_test(s, "threads: local kernel, box", test_threads_local_box);
    CU_add_test(s, "threads: local kernel, microspheres", test_threads_local_spheres);
    CU_add_test(s, "threads: mc kernel", test_threads_mc);
    CU_add_test(s, "report text", test_report_text);
    CU_add_test(s, "report DVH CSV", test_report_dvh_csv);
    CU_add_test(s, "report missing file", test_report_missing);
    CU_add_test(s, "report options and pictures", test_report_options);
    CU_add_test(s, "plan on a finished run", test_plan_cli);
    CU_add_test(s, "vsv", test_vsv);
    CU_add_test(s, "dpk", test_dpk);
    CU_add_test(s, "dpk --sphere", test_dpk_sphere);
    CU_add_test(s, "vsv/dpk bad medium", test_tools_bad_medium);
}
