/* Split and merge: `run --part I/N` parts (any thread counts) merged with `y90mc merge` equal the whole run bit
 * for bit (/dose, /dose_rel_uncertainty, energy balance); parts of different runs, missing, repeated or foreign
 * files are refused by name. Seeds: the transport seed leaves the spheres where they are (source.seed moves them).
 * Small liver phantom (6 mm voxels) with the MC kernel and few histories. */
#include "testutil.h"
#include "y90/grid.h"
#include "y90/io.h"
#include "y90/run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *CFG = "phantom:\n  type: liver\n  voxel_mm: 6\n  tumour_count: 2\n  tumour_burden_percent: 5\n"
                         "source:\n  product: sir_spheres\ntreatment:\n  activity_gbq: 0.01\n"
                         "  lung_shunt_fraction: 0.05\ntransport:\n  kernel: mc\n  histories: 3000\n";


static double attr(const char *path, const char *obj, const char *name)
{
    double v = -1;
    y90_error e = {0};
    if (y90_io_read_attr_double(path, obj, name, &v, &e)) fprintf(stderr, "\n    %s ", e.msg);
    return v;
}

static y90t_pathbuf cfg, whole, part[3];

static void test_part_range(void)
{
    int64_t first, count, next = 0, lo = INT64_MAX, hi = 0;
    const int64_t H = 10000000000000; /* 1e13: H * I overflows 64 bits */
    for (int i = 1; i <= 7; i++) {
        y90_part_range(H, i, 7, &first, &count);
        CU_ASSERT_EQUAL(first, next);
        next = first + count;
        if (count < lo) lo = count;
        if (count > hi) hi = count;
    }
    CU_ASSERT_EQUAL(next, H);
    CU_ASSERT(hi - lo <= 1);
}

/* The whole run and three parts on 1, 2 and 1 threads, merged in shuffled order: bitwise equal. */
static void test_merge_bitwise(void)
{
    cfg = y90t_tpath("case.yaml");
    y90t_write("case.yaml", CFG);
    whole = y90t_tpath("whole.h5");
    CU_ASSERT_EQUAL_FATAL(y90t_clif(NULL, "run %s -o %s --quiet", cfg.s, whole.s), 0);
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "part%d.h5", i + 1);
        part[i] = y90t_tpath("%s", name);
        CU_ASSERT_EQUAL_FATAL(y90t_clif(NULL, "run %s -o %s --part %d/3 --threads %d --quiet", cfg.s, part[i].s, i + 1,
                                  i == 1 ? 2 : 1), 0);
    }
    CU_ASSERT_DOUBLE_EQUAL(attr(part[1].s, "/", "part_index"), 2, 0);
    CU_ASSERT_DOUBLE_EQUAL(attr(part[1].s, "/", "part_first_history"), 1000, 0);
    CU_ASSERT_DOUBLE_EQUAL(attr(part[1].s, "/", "histories"), 1000, 0);
    CU_ASSERT_DOUBLE_EQUAL(attr(part[1].s, "/", "histories_total"), 3000, 0);
    /* a part is a valid (noisier) run of its own share */
    CU_ASSERT(y90_io_has_object(part[1].s, "/dose"));
    CU_ASSERT(!y90_io_has_object(whole.s, "/tally"));
    y90t_pathbuf merged = y90t_tpath("merged.h5");
    char *o = NULL;
    CU_ASSERT_EQUAL_FATAL(y90t_clif(&o, "merge %s %s %s -o %s", part[2].s, part[0].s, part[1].s, merged.s), 0);
    Y90T_HAS(o, "merged 3 parts: 3000 histories of seed 1");
    free(o);
    CU_ASSERT(y90t_same_dataset(whole.s, merged.s, "/dose"));
    CU_ASSERT(y90t_same_dataset(whole.s, merged.s, "/dose_rel_uncertainty"));
    CU_ASSERT(y90t_same_dataset(whole.s, merged.s, "/microspheres"));
    CU_ASSERT(y90t_same_dataset(whole.s, merged.s, "/labels"));
    const char *eb[] = {"emitted_mev", "deposited_mev", "escaped_electron_mev", "escaped_photon_mev",
                        "below_cutoff_mev", "in_spheres_mev"};
    for (int k = 0; k < 6; k++) CU_ASSERT_EQUAL(attr(whole.s, "/energy_balance", eb[k]), attr(merged.s, "/energy_balance", eb[k]));
    CU_ASSERT_EQUAL(attr(whole.s, "/", "histories"), attr(merged.s, "/", "histories"));
    /* provenance: asked for and done */
    char status[32] = "";
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_io_read_attr_string(merged.s, "/", "run_status", status, sizeof status, &e), Y90_OK);
    CU_ASSERT_STRING_EQUAL(status, "completed");
    CU_ASSERT_DOUBLE_EQUAL(attr(merged.s, "/", "histories_requested"), 3000, 0);
    CU_ASSERT_DOUBLE_EQUAL(attr(part[1].s, "/", "histories_requested"), 1000, 0);
    CU_ASSERT_DOUBLE_EQUAL(attr(whole.s, "/", "mpi_ranks"), 1, 0);
    CU_ASSERT_EQUAL(attr(whole.s, "/", "decays"), attr(merged.s, "/", "decays"));
    /* the merged file is a normal run: the report reads it */
    CU_ASSERT_EQUAL(y90t_clif(&o, "report %s", merged.s), 0);
    free(o);
    /* an existing output is kept */
    CU_ASSERT_EQUAL(y90t_clif(&o, "merge %s %s %s -o %s", part[0].s, part[1].s, part[2].s, merged.s), 2);
    Y90T_HAS(o, "exists; use --force");
    free(o);
}

static void expect_merge_refused(const char *files, const char *sub)
{
    char *o = NULL;
    y90t_pathbuf out = y90t_tpath("refused.h5");
    CU_ASSERT_EQUAL(y90t_clif(&o, "merge %s -o %s", files, out.s), 2);
    Y90T_HAS(o, sub);
    free(o);
    CU_ASSERT(!y90t_slurp(out.s, NULL));
}

static void test_merge_refusals(void)
{
    char files[4 * sizeof(y90t_pathbuf)];
    y90t_pathbuf other = y90t_tpath("other-seed.h5");
    CU_ASSERT_EQUAL_FATAL(y90t_clif(NULL, "run %s -o %s --part 2/3 --seed 7 --quiet", cfg.s, other.s), 0);
    snprintf(files, sizeof files, "%s %s %s", part[0].s, other.s, part[2].s);
    expect_merge_refused(files, "parts of different runs (config or seeds differ: 'transport: seed: 7' against "
                                "'transport: seed: 1')");
    y90t_pathbuf act = y90t_tpath("other-activity.h5");
    CU_ASSERT_EQUAL_FATAL(y90t_clif(NULL, "run %s -o %s --part 2/3 --set treatment.activity_gbq=0.02 --quiet", cfg.s,
                              act.s), 0);
    snprintf(files, sizeof files, "%s %s %s", part[0].s, act.s, part[2].s);
    expect_merge_refused(files, "'treatment: activity_gbq: 0.02' against 'treatment: activity_gbq: 0.01'");
    snprintf(files, sizeof files, "%s %s", part[0].s, part[2].s);
    expect_merge_refused(files, "is part 1 of 3, but 2 files were given; expected all 3 parts");
    snprintf(files, sizeof files, "%s %s %s", part[0].s, part[2].s, part[0].s);
    expect_merge_refused(files, "are both part 1 of 3");
    snprintf(files, sizeof files, "%s", whole.s);
    expect_merge_refused(files, "not a part of a run");
    snprintf(files, sizeof files, "%s", y90t_path("nosuch.h5"));
    expect_merge_refused(files, "nosuch.h5: No such file");
    char *o = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --part 0/2", cfg.s, y90t_path("x.h5")), 2);
    Y90T_HAS(o, "--part: expected I/N");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(&o, "run %s -o %s --part 1/5000", cfg.s, y90t_path("x.h5")), 2);
    Y90T_HAS(o, "--part 1/5000: expected 1 <= I <= N <= transport.histories (3000)");
    free(o);
    CU_ASSERT_EQUAL(y90t_clif(NULL, "merge -o %s", y90t_path("x.h5")), 2);
}

/* The transport seed changes the decays but not the spheres; source.seed moves the spheres. */
static void test_seeds(void)
{
    y90t_pathbuf s2 = y90t_tpath("seed2.h5"), src2 = y90t_tpath("source2.h5");
    CU_ASSERT_EQUAL_FATAL(y90t_clif(NULL, "run %s -o %s --seed 2 --quiet", cfg.s, s2.s), 0);
    CU_ASSERT(y90t_same_dataset(whole.s, s2.s, "/microspheres"));
    size_t na, nb;
    unsigned char *a = y90t_dataset_bytes(whole.s, "/dose", &na), *b = y90t_dataset_bytes(s2.s, "/dose", &nb);
    CU_ASSERT(a && b && na == nb && memcmp(a, b, na) != 0);
    free(a);
    free(b);
    CU_ASSERT_EQUAL_FATAL(y90t_clif(NULL, "run %s -o %s --set source.seed=2 --quiet", cfg.s, src2.s), 0);
    a = y90t_dataset_bytes(whole.s, "/microspheres", &na);
    b = y90t_dataset_bytes(src2.s, "/microspheres", &nb);
    CU_ASSERT(a && b && na == nb && memcmp(a, b, na) != 0);
    free(a);
    free(b);
}

/* Ctrl-C acts within a batch, and batches are bounded by time as well as by 1 % of the run: a stop requested at
 * the first progress report of a 1e12-history run ends it after the first batch (256 histories per thread), not
 * after 1e10. */
static volatile int stop_now;
static void stop_at_first_report(int64_t done, int64_t total, void *user)
{
    (void)done, (void)total, (void)user;
    stop_now = 1;
}

static void test_stop_in_huge_run(void)
{
    const char *text = "phantom: {type: box, voxel_mm: 10, box_size_mm: [40, 40, 40], material: water}\n"
                       "source: {type: uniform_box}\ntreatment: {activity_gbq: 1}\n"
                       "transport: {kernel: mc, histories: 1000000000000, threads: 2}\n"; /* mc: local samples nothing */
    y90_config c;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_config_parse("huge.yaml", text, strlen(text), &c, &e), Y90_OK);
    y90t_pathbuf out = y90t_tpath("huge.h5");
    stop_now = 0;
    y90_run_options o = {.out_path = out.s, .progress = stop_at_first_report, .stop = &stop_now};
    CU_ASSERT_EQUAL(y90_run(&c, &o, &e), Y90_EINTERRUPTED);
    CU_ASSERT_DOUBLE_EQUAL(attr(out.s, "/", "histories"), 512, 0);
    y90_config_free(&c);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("parts", NULL, NULL);
    CU_add_test(s, "part ranges cover the run", test_part_range);
    CU_add_test(s, "3 parts merged = whole run, bitwise", test_merge_bitwise);
    CU_add_test(s, "merge refusals name the file", test_merge_refusals);
    CU_add_test(s, "transport seed keeps spheres, source.seed moves them", test_seeds);
    CU_add_test(s, "a stop in a 1e12-history run acts after one small batch", test_stop_in_huge_run);
}
