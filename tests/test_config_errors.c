/* Config values and errors: the accepted spellings of integers, booleans and 64-bit seeds, and one test per kind
 * of bad config. Each bad config must return Y90_EINPUT with a message naming the file, the line, the key and
 * what is allowed (range or choices). (Defaults, every key and the key reference: test_config.c.) */
#include "testutil.h"
#include "y90/config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HAS Y90T_HAS

/* ------------------------------------------------------------------------------------------- helpers */

static y90_status parse(const char *name, const char *text, y90_config *c, y90_error *e)
{
    memset(e, 0, sizeof *e);
    return y90_config_parse(name, text, strlen(text), c, e);
}

/* Parse text as file `name`; expect Y90_EINPUT and a message holding "name:line:" (line > 0) and each of the
 * NULL-terminated substrings (the key, the offending value, the allowed range or choices). */
static void expect_bad(const char *name, const char *text, int line, ...)
{
    y90_config c;
    y90_error e;
    y90_status st = parse(name, text, &c, &e);
    if (getenv("Y90T_VERBOSE")) fprintf(stderr, "\n    [%s] %s", name, e.msg);
    if (st != Y90_EINPUT) fprintf(stderr, "\n    %s: status %d (message \"%s\"), expected Y90_EINPUT ", name, st, e.msg);
    CU_ASSERT_EQUAL(st, Y90_EINPUT);
    char where[256];
    if (line > 0) snprintf(where, sizeof where, "%s:%d:", name, line);
    else snprintf(where, sizeof where, "%s", name);
    HAS(e.msg, where);
    va_list ap;
    va_start(ap, line);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) HAS(e.msg, s);
    va_end(ap);
    y90_config_free(&c);
}

#define NEEDS "treatment:\n  activity_gbq: 1\n" /* the one required key, lines 1-2 */

/* Integers and booleans in their accepted spellings; uint64 seeds over the whole range. */
static void test_scalar_spellings(void)
{
    y90_config c;
    y90_error e;
    CU_ASSERT_EQUAL_FATAL(parse("sp.yaml", NEEDS "transport:\n  histories: 2e6\n  straggling: True\n  seed: 0\n", &c, &e),
                          Y90_OK);
    CU_ASSERT(c.transport.histories == 2000000);
    CU_ASSERT_EQUAL(c.transport.straggling, 1);
    CU_ASSERT(c.transport.seed == 0);
    y90_config_free(&c);
    /* a non-integer and a negative seed are refused */
    expect_bad("seed_frac.yaml", NEEDS "transport:\n  seed: 1.5\n", 4, "transport.seed", "1.5", "integer", NULL);
    expect_bad("seed_neg.yaml", NEEDS "transport:\n  seed: -3\n", 4, "transport.seed", "-3", NULL);
    expect_bad("hist_frac.yaml", NEEDS "transport:\n  histories: 10.5\n", 4, "transport.histories", "10.5", NULL);
    expect_bad("bool.yaml", NEEDS "output:\n  uncertainty: maybe\n", 4, "output.uncertainty", "maybe", "true or false",
               NULL);
}

/* A seed is any 64-bit unsigned integer: 2^64 - 1 (and 1.85e19 > 1.8e19) must be accepted exactly. */
static void test_seed_uint64_max(void)
{
    y90_config c;
    y90_error e;
    y90_status st = parse("seed_max.yaml", NEEDS "transport:\n  seed: 18446744073709551615\n", &c, &e);
    if (st) fprintf(stderr, "\n    %s ", e.msg);
    CU_ASSERT_EQUAL(st, Y90_OK);
    if (!st) CU_ASSERT(c.transport.seed == UINT64_MAX);
    y90_config_free(&c);
    st = parse("seed_big.yaml", NEEDS "phantom:\n  seed: 18100000000000000000\n", &c, &e);
    CU_ASSERT_EQUAL(st, Y90_OK);
    if (!st) CU_ASSERT(c.phantom.seed == 18100000000000000000ull);
    y90_config_free(&c);
    /* 2^64 itself does not fit */
    expect_bad("seed_over.yaml", NEEDS "transport:\n  seed: 18446744073709551616\n", 4, "transport.seed", NULL);
}

/* ------------------------------------------------------------------------------------------ bad configs */

static void test_unknown_key(void)
{
    expect_bad("unknown_key.yaml", NEEDS "transport: {histores: 10}\n", 3, "transport.histores", "histories", NULL);
    expect_bad("unknown_key2.yaml", NEEDS "phantom:\n  type: box\n  voxel: 2\n", 5, "phantom.voxel", "voxel_mm", NULL);
}

static void test_unknown_section(void)
{
    expect_bad("unknown_section.yaml", NEEDS "transprot:\n  histories: 10\n", 3, "transprot", "transport", "phantom",
               NULL);
}

static void test_wrong_type(void)
{
    expect_bad("type_int.yaml", NEEDS "transport:\n  histories: abc\n", 4, "transport.histories", "abc",
               "[1, 1e+13]", NULL);
    expect_bad("type_list.yaml", NEEDS "phantom:\n  voxel_mm: [1, 2]\n", 4, "phantom.voxel_mm", "(0, 50]", NULL);
    expect_bad("type_scalar_for_list.yaml", NEEDS "phantom:\n  box_size_mm: 10\n", 4, "phantom.box_size_mm", "3",
               NULL);
    expect_bad("type_list_length.yaml", NEEDS "phantom:\n  box_size_mm: [10, 10]\n", 4, "phantom.box_size_mm",
               "3", NULL);
    expect_bad("type_section.yaml", NEEDS "transport: 5\n", 3, "transport", "mapping", NULL);
}

static void test_activity_negative(void)
{
    expect_bad("activity_neg.yaml", "treatment:\n  activity_gbq: -1\n", 2, "treatment.activity_gbq", "-1",
               "(0, 100]", NULL);
}

static void test_activity_zero(void)
{
    expect_bad("activity_zero.yaml", "\ntreatment:\n  activity_gbq: 0\n", 3, "treatment.activity_gbq", "'0'",
               "(0, 100]", NULL);
}

static void test_lung_shunt(void)
{
    expect_bad("lsf.yaml", "treatment:\n  activity_gbq: 1\n  lung_shunt_fraction: 1.3\n", 3,
               "treatment.lung_shunt_fraction", "1.3", "[0, 1]", NULL);
}

static void test_tumour_burden(void)
{
    expect_bad("burden90.yaml", NEEDS "phantom:\n  tumour_burden_percent: 90\n", 4, "phantom.tumour_burden_percent",
               "90", "[0, 90)", NULL);
    expect_bad("burden95.yaml", NEEDS "phantom:\n  tumour_burden_percent: 95\n", 4, "phantom.tumour_burden_percent",
               "95", "[0, 90)", NULL);
    y90_config c;
    y90_error e;
    CU_ASSERT_EQUAL(parse("burden89.yaml", NEEDS "phantom:\n  tumour_burden_percent: 89.9\n", &c, &e), Y90_OK);
    y90_config_free(&c);
}

static void test_voxel_zero(void)
{
    expect_bad("voxel0.yaml", NEEDS "phantom:\n  type: box\n  voxel_mm: 0\n", 5, "phantom.voxel_mm", "(0, 50]", NULL);
    expect_bad("voxel_neg.yaml", NEEDS "phantom:\n  voxel_mm: -2\n", 4, "phantom.voxel_mm", "(0, 50]", NULL);
}

static void test_duplicate_key(void)
{
    expect_bad("duplicate.yaml", NEEDS "transport:\n  histories: 10\n  seed: 3\n  histories: 20\n", 6,
               "transport.histories", "line 4", NULL);
}

static void test_enum_choice(void)
{
    expect_bad("enum.yaml", NEEDS "transport:\n  kernel: gpu\n", 4, "transport.kernel", "gpu", "mc|local", NULL);
    expect_bad("enum2.yaml", "treatment:\n  activity_gbq: 1\n  treated_lobes: middle\n", 3,
               "treatment.treated_lobes", "middle", "both|right|left", NULL);
}

/* The duplicate-section form: `treatment` twice (libyaml keeps both mappings): refused at the second section,
 * also when the two sections set different keys (they used to be merged silently). */
static void test_duplicate_section(void)
{
    expect_bad("dup_section.yaml", NEEDS "transport:\n  seed: 1\ntreatment:\n  activity_gbq: 2\n", 5,
               "section 'treatment' given twice", "line 1", NULL);
    expect_bad("dup_phantom.yaml", NEEDS "phantom:\n  type: box\nsource:\n  type: point\nphantom:\n  voxel_mm: 5\n",
               7, "section 'phantom' given twice", "line 3", NULL);
}

static void test_missing_required(void)
{
    expect_bad("missing.yaml", "phantom:\n  type: liver\n", 0, "treatment.activity_gbq", "required", NULL);
    expect_bad("empty.yaml", "", 0, NULL);
}

static void test_yaml_syntax(void)
{
    /* line 3 is indented by one space: not a key of phantom, not a top-level key */
    expect_bad("syntax.yaml", NEEDS "phantom:\n  type: box\n voxel_mm: 2\n", 5, "syntax", NULL);
    expect_bad("syntax2.yaml", "treatment:\n  activity_gbq: 1\n  tn_ratio: [1, 2\n\n", 0, "syntax", NULL);
}

static void test_slab_mismatch(void)
{
    /* found by fuzz_config: slab lists on a liver phantom were accepted, and the effective config (whose
     * thickness list follows the material count) then did not re-parse */
    expect_bad("slabs_liver.yaml", NEEDS "phantom:\n  voxel_mm: 2\n  slab_materials: [water, lung]\n", 5,
               "phantom.slab_materials", "not slabs", NULL);
    expect_bad("slabs_box.yaml", NEEDS "phantom:\n  type: box\n  slab_thickness_mm: [10]\n", 5,
               "phantom.slab_thickness_mm", "not slabs", NULL);
    expect_bad("slabs.yaml",
               NEEDS "phantom:\n  type: slabs\n  slab_materials: [water, lung]\n  slab_thickness_mm: [10]\n"
                     "source:\n  type: uniform_structure\n",
               5, "slab_materials", "slab_thickness_mm", NULL);
    expect_bad("slabs_dens.yaml",
               NEEDS "phantom:\n  type: slabs\n  slab_materials: [water, lung]\n  slab_thickness_mm: [10, 10]\n"
                     "  slab_densities: [1, 0.26, 3]\nsource:\n  type: uniform_structure\n",
               5, "slab_densities", NULL);
}

static void test_unknown_material(void)
{
    expect_bad("material.yaml", NEEDS "phantom:\n  type: box\n  material: unobtainium\nsource:\n  type: point\n", 5,
               "phantom.material", "unobtainium", "materials", NULL);
    expect_bad("slab_material.yaml",
               NEEDS "phantom:\n  type: slabs\n  slab_materials: [water, unobtainium]\n  slab_thickness_mm: [5, 5]\n"
                     "source:\n  type: point\n",
               5, "slab_materials", "unobtainium", NULL);
}

static void test_microspheres_box(void)
{
    expect_bad("spheres_box.yaml", NEEDS "phantom:\n  type: box\nsource:\n  type: microspheres\n", 6, "source.type",
               "microspheres", "liver", NULL);
}

/* microspheres is the default source: with a box phantom and no source section the message must still give a
 * real line (that of phantom.type), not ":0:". */
static void test_microspheres_box_default_source(void)
{
    expect_bad("spheres_box_default.yaml", NEEDS "phantom:\n  type: box\n", 4, "source.type", "liver", NULL);
    y90_config c;
    y90_error e;
    parse("spheres_box_default.yaml", NEEDS "phantom:\n  type: box\n", &c, &e);
    CU_ASSERT_PTR_NULL(strstr(e.msg, ":0:"));
}

static void test_user_material_good(void)
{
    y90_config c;
    y90_error e;
    const char *text = NEEDS "phantom:\n  type: box\n  material: my_water\nsource:\n  type: uniform_box\n"
                             "materials:\n  - name: my_water\n    density: 1.0\n    composition: {H: 0.111894, O: "
                             "0.888106}\n";
    y90_status st = parse("usermat.yaml", text, &c, &e);
    if (st) fprintf(stderr, "\n    %s ", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, Y90_OK);
    CU_ASSERT_EQUAL(c.nuser_materials, 1);
    CU_ASSERT_STRING_EQUAL(c.user_materials[0].name, "my_water");
    CU_ASSERT_EQUAL(c.user_materials[0].nelem, 2);
    CU_ASSERT_EQUAL(c.user_materials[0].Z[0], 1);
    CU_ASSERT_EQUAL(c.user_materials[0].Z[1], 8);
    CU_ASSERT_DOUBLE_EQUAL(c.user_materials[0].I_eV, 0, 0); /* Bragg rule */
    CU_ASSERT_EQUAL(y90_config_validate(&c, &e), Y90_OK);
    y90_config_free(&c);
}

static void test_user_material_bad_element(void)
{
    expect_bad("usermat_elem.yaml",
               NEEDS "materials:\n  - name: junk\n    density: 1.0\n    composition:\n      H: 0.5\n      Xx: 0.5\n", 8,
               "Xx", "materials", NULL);
}

/* Fractions summing to 0.9: refused by y90_material_check, and the message must still say where. */
static void test_user_material_fractions(void)
{
    const char *text = NEEDS "materials:\n  - name: junk\n    density: 1.0\n    composition: {H: 0.5, O: 0.4}\n";
    y90_config c;
    y90_error e;
    CU_ASSERT_EQUAL(parse("usermat_sum.yaml", text, &c, &e), Y90_EINPUT);
    HAS(e.msg, "junk");
    HAS(e.msg, "0.9");
    HAS(e.msg, "usermat_sum.yaml");
    /* the line of the entry (4) or of its composition (6) */
    int line_ok = strstr(e.msg, "usermat_sum.yaml:4:") || strstr(e.msg, "usermat_sum.yaml:6:");
    if (!line_ok) fprintf(stderr, "\n    message \"%s\" gives no line of the materials entry ", e.msg);
    CU_ASSERT(line_ok);
    y90_config_free(&c);
}

static void test_user_material_incomplete(void)
{
    expect_bad("usermat_nodens.yaml", NEEDS "materials:\n  - name: junk\n    composition: {H: 1}\n", 4, "materials",
               "density", NULL);
    expect_bad("usermat_dens.yaml", NEEDS "materials:\n  - name: junk\n    density: -1\n    composition: {H: 1}\n", 5,
               "materials.density", "-1", "(0, 25]", NULL);
    expect_bad("usermat_key.yaml", NEEDS "materials:\n  - name: junk\n    densty: 1\n    composition: {H: 1}\n", 5,
               "densty", NULL);
}

/* Configs that YAML accepts but that used to be merged or shadowed silently (issue 11 item 10): each is an error
 * naming the file and the line. */
static void test_config_duplicates(void)
{
#define MAT(n, comp) "  - name: " n "\n    density: 1.0\n    composition: " comp "\n"
    expect_bad("dup_materials.yaml", NEEDS "materials:\n" MAT("a", "{H: 1}") "materials:\n" MAT("b", "{O: 1}"), 7,
               "section 'materials' given twice", "line 3", NULL);
    expect_bad("dup_name.yaml", NEEDS "materials:\n" MAT("a", "{H: 1}") MAT("a", "{O: 1}"), 7, "materials.name",
               "'a'", "two materials", NULL);
    expect_bad("dup_element.yaml", NEEDS "materials:\n" MAT("a", "{H: 0.5, O: 0.2, H: 0.3}"), 6, "element H given twice",
               NULL);
    expect_bad("shadow.yaml", NEEDS "materials:\n" MAT("water", "{H: 1}"), 4, "materials.name", "'water'", "built-in",
               NULL);
#undef MAT
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("config values and errors", NULL, NULL);
    CU_add_test(s, "scalar spellings and uint64 range", test_scalar_spellings);
    CU_add_test(s, "uint64 seeds: whole range", test_seed_uint64_max);
    CU_add_test(s, "unknown key", test_unknown_key);
    CU_add_test(s, "unknown section", test_unknown_section);
    CU_add_test(s, "wrong type", test_wrong_type);
    CU_add_test(s, "negative activity", test_activity_negative);
    CU_add_test(s, "activity 0", test_activity_zero);
    CU_add_test(s, "lung shunt 1.3", test_lung_shunt);
    CU_add_test(s, "tumour burden 90 and 95", test_tumour_burden);
    CU_add_test(s, "voxel_mm 0", test_voxel_zero);
    CU_add_test(s, "duplicated key", test_duplicate_key);
    CU_add_test(s, "duplicated section", test_duplicate_section);
    CU_add_test(s, "enum not a choice", test_enum_choice);
    CU_add_test(s, "missing required key", test_missing_required);
    CU_add_test(s, "YAML syntax error", test_yaml_syntax);
    CU_add_test(s, "slab list length mismatch", test_slab_mismatch);
    CU_add_test(s, "unknown material", test_unknown_material);
    CU_add_test(s, "microspheres with a box phantom", test_microspheres_box);
    CU_add_test(s, "microspheres (default) with a box: line", test_microspheres_box_default_source);
    CU_add_test(s, "user material good", test_user_material_good);
    CU_add_test(s, "user material unknown element", test_user_material_bad_element);
    CU_add_test(s, "user material fractions not summing to 1", test_user_material_fractions);
    CU_add_test(s, "user material incomplete", test_user_material_incomplete);
    CU_add_test(s, "duplicate sections, material names, elements; built-in names", test_config_duplicates);
}
