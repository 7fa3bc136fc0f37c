/* Config overrides (--set KEY=VALUE): every key of the table is accepted and validated exactly like the file,
 * errors name the option, cross-key checks see the overrides, and outputs record them. */
#include "testutil.h"
#include "y90/config.h"
#include "y90/io.h"
#include "../sim/config/config_table.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *BASE = "treatment:\n  activity_gbq: 2.0\n";

static y90_status parse_sets(const char *text, const char *const *sets, int n, y90_config *c, y90_error *e)
{
    memset(e, 0, sizeof *e);
    return y90_config_parse_sets("base.yaml", text, strlen(text), sets, n, c, e);
}

/* Every key with a default: KEY=DEFAULT parses and gives the same config as no override. */
static void test_every_key_default(void)
{
    y90_config ref, c;
    y90_error e;
    CU_ASSERT_EQUAL_FATAL(parse_sets(BASE, NULL, 0, &ref, &e), Y90_OK);
    char *ref_eff = y90_config_effective(&ref);
    for (size_t i = 0; i < y90_config_nkeys; i++) {
        const y90_key *k = &y90_config_keys[i];
        char set[512];
        snprintf(set, sizeof set, "%s=%s", k->key, k->def ? k->def : "2.0");
        const char *sets[] = {set};
        y90_status st = parse_sets(BASE, sets, 1, &c, &e);
        if (st) fprintf(stderr, "\n    %s: %s ", set, e.msg);
        CU_ASSERT_EQUAL(st, Y90_OK);
        if (st) continue;
        char *eff = y90_config_effective(&c);
        CU_ASSERT_STRING_EQUAL(eff, ref_eff);
        CU_ASSERT_PTR_NOT_NULL(c.overrides);
        if (c.overrides) Y90T_HAS(c.overrides, set);
        free(eff);
        y90_config_free(&c);
    }
    free(ref_eff);
    y90_config_free(&ref);
}

/* Every key refuses a value of the wrong kind or out of its range, and the message names the option, the key
 * and what is expected, like the file's message. */
static void test_every_key_bad(void)
{
    int checked = 0;
    for (size_t i = 0; i < y90_config_nkeys; i++) {
        const y90_key *k = &y90_config_keys[i];
        char set[512];
        const char *bad, *why;
        char num[64];
        switch (k->type) {
        case Y90_KT_BOOL: bad = "maybe"; why = "not a boolean"; break;
        case Y90_KT_ENUM: bad = "nonsense"; why = "not a known choice"; break;
        case Y90_KT_STRING: bad = "[a, b]"; why = "wrong type"; break;
        case Y90_KT_STRLIST: bad = "name"; why = "wrong type"; break;
        case Y90_KT_DOUBLE3: case Y90_KT_INT3: bad = "[1, 2]"; why = "wrong length"; break;
        default:
            if (k->type == Y90_KT_UINT64) { bad = "-1"; why = "out of range"; break; }
            if (k->min == 0 && k->max == 0) continue;
            if (k->max < 1e300) snprintf(num, sizeof num, "%.17g", k->max * 2 + 1);
            else snprintf(num, sizeof num, "%.17g", k->min - 1);
            bad = num;
            why = "out of range";
            if (k->type == Y90_KT_DOUBLELIST) {
                snprintf(num + 32, 32, "[%.17g]", k->max * 2 + 1);
                bad = num + 32;
            }
        }
        snprintf(set, sizeof set, "%s=%s", k->key, bad);
        const char *sets[] = {set};
        y90_config c;
        y90_error e;
        y90_status st = parse_sets(BASE, sets, 1, &c, &e);
        if (st != Y90_EINPUT) fprintf(stderr, "\n    %s accepted ", set);
        CU_ASSERT_EQUAL(st, Y90_EINPUT);
        if (st == Y90_OK) y90_config_free(&c);
        char opt[600];
        snprintf(opt, sizeof opt, "--set %s:", set);
        Y90T_HAS(e.msg, opt);
        Y90T_HAS(e.msg, why);
        Y90T_HAS(e.msg, "expected");
        checked++;
    }
    CU_ASSERT(checked > 40);
}

static void expect_set_error(const char *text, const char *set1, const char *set2, const char *sub1,
                             const char *sub2)
{
    const char *sets[] = {set1, set2};
    y90_config c;
    y90_error e;
    y90_status st = parse_sets(text, sets, set2 ? 2 : 1, &c, &e);
    CU_ASSERT_EQUAL(st, Y90_EINPUT);
    if (st == Y90_OK) y90_config_free(&c);
    Y90T_HAS(e.msg, sub1);
    if (sub2) Y90T_HAS(e.msg, sub2);
}

static void test_bad_forms(void)
{
    expect_set_error(BASE, "phantom.voxel", NULL, "--set phantom.voxel", "KEY=VALUE");
    expect_set_error(BASE, "phantom.voxels_mm=2", NULL, "unknown key 'phantom.voxels_mm'", "voxel_mm");
    expect_set_error(BASE, "nosuch.key=2", NULL, "unknown key 'nosuch.key'", "config-reference");
    expect_set_error(BASE, "materials=[]", NULL, "unknown key 'materials'", "only be given in the file");
    expect_set_error(BASE, "phantom.voxel_mm=", NULL, "--set phantom.voxel_mm=: empty value", "(0, 50] mm");
    expect_set_error(BASE, "phantom.voxel_mm=[1", NULL, "not valid YAML", "(0, 50] mm");
    expect_set_error(BASE, "phantom.voxel_mm=2", "phantom.voxel_mm=3", "given twice", NULL);
    /* cross-key checks see the override and say where it came from */
    expect_set_error(BASE, "phantom.type=box", NULL, "--set: source.type = microspheres needs phantom.type = liver",
                     NULL);
    /* a required key may come from an override */
    const char *sets[] = {"treatment.activity_gbq=3.5"};
    y90_config c;
    y90_error e;
    CU_ASSERT_EQUAL_FATAL(parse_sets("phantom:\n  voxel_mm: 4\n", sets, 1, &c, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.treatment.activity_gbq, 3.5, 0);
    y90_config_free(&c);
}

/* Overrides win over the file, lists and enums included. */
static void test_values_applied(void)
{
    const char *text = "phantom:\n  voxel_mm: 4\ntreatment:\n  activity_gbq: 2.0\n  treated_lobes: both\n";
    const char *sets[] = {"phantom.voxel_mm=3", "treatment.treated_lobes=right", "phantom.box_size_mm=[10, 20, 30]",
                          "transport.seed=18446744073709551615", "source.sphere_diameter_um=30"};
    y90_config c;
    y90_error e;
    CU_ASSERT_EQUAL_FATAL(parse_sets(text, sets, 5, &c, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.voxel_mm, 3, 0);
    CU_ASSERT_EQUAL(c.treatment.treated_lobes, Y90_TREAT_RIGHT);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.box_size_mm[2], 30, 0);
    CU_ASSERT(c.transport.seed == UINT64_MAX);
    CU_ASSERT_DOUBLE_EQUAL(c.source.sphere_diameter_um, 30, 0);
    CU_ASSERT_STRING_EQUAL(c.yaml_text, text); /* the file text stays as it was */
    y90_config_free(&c);
}

/* Through the CLI: the option's message, exit 2 and nothing written; a run records the overrides. */
static void test_cli_records(void)
{
    const char *cfg = y90t_write("box.yaml", "phantom:\n  type: box\n  voxel_mm: 10\n  box_size_mm: [50, 50, 50]\n"
                                             "source:\n  type: uniform_box\ntreatment:\n  activity_gbq: 1\n"
                                             "transport:\n  kernel: local\n  histories: 1000\n");
    char cfgp[1024], out[1024], args[4096];
    snprintf(cfgp, sizeof cfgp, "%s", cfg);
    snprintf(out, sizeof out, "%s", y90t_path("o.h5"));
    char *o = NULL;
    snprintf(args, sizeof args, "run %s -o %s --set treatment.activity_gbq=-1 --quiet", cfgp, out);
    CU_ASSERT_EQUAL(y90t_cli(args, &o), 2);
    Y90T_HAS(o, "--set treatment.activity_gbq=-1: treatment.activity_gbq = '-1': out of range");
    free(o);
    FILE *f = fopen(out, "rb");
    CU_ASSERT_PTR_NULL(f);
    if (f) fclose(f);
    snprintf(args, sizeof args, "run %s -o %s --set treatment.activity_gbq=1.5 --set phantom.voxel_mm=5 "
             "--histories 500 --quiet", cfgp, out);
    CU_ASSERT_EQUAL_FATAL(y90t_cli(args, &o), 0);
    free(o);
    char buf[8192];
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_io_read_attr_string(out, "/", "config_overrides", buf, sizeof buf, &e), Y90_OK);
    CU_ASSERT_STRING_EQUAL(buf, "treatment.activity_gbq=1.5\nphantom.voxel_mm=5\ntransport.histories=500\n");
    CU_ASSERT_EQUAL_FATAL(y90_io_read_attr_string(out, "/", "config_effective", buf, sizeof buf, &e), Y90_OK);
    Y90T_HAS(buf, "activity_gbq: 1.5\n");
    Y90T_HAS(buf, "voxel_mm: 5\n");
    Y90T_HAS(buf, "histories: 500\n");
    double h = 0;
    CU_ASSERT_EQUAL(y90_io_read_attr_double(out, "/", "histories_requested", &h, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(h, 500, 0);
    /* check and phantom take --set too */
    snprintf(args, sizeof args, "check %s --set phantom.voxel_mm=0", cfgp);
    CU_ASSERT_EQUAL(y90t_cli(args, &o), 2);
    Y90T_HAS(o, "--set phantom.voxel_mm=0:");
    free(o);
    snprintf(args, sizeof args, "phantom %s -o %s --set phantom.material=nosuch", cfgp, y90t_path("p.h5"));
    CU_ASSERT_EQUAL(y90t_cli(args, &o), 2);
    Y90T_HAS(o, "phantom.material = 'nosuch': unknown material");
    free(o);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("overrides", NULL, NULL);
    CU_add_test(s, "every key: KEY=default accepted", test_every_key_default);
    CU_add_test(s, "every key: bad value refused naming --set", test_every_key_bad);
    CU_add_test(s, "malformed, unknown, twice, cross-key", test_bad_forms);
    CU_add_test(s, "values applied over the file", test_values_applied);
    CU_add_test(s, "cli: exit 2, run records overrides", test_cli_records);
}
