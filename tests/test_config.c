/* Config: defaults, every key parsed, the key reference, loading from a file and the effective config. The
 * accepted spellings of values and one test per kind of bad config are in test_config_errors.c. */
#include "testutil.h"
#include "y90/config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------- helpers */

static y90_status parse(const char *name, const char *text, y90_config *c, y90_error *e)
{
    memset(e, 0, sizeof *e);
    return y90_config_parse(name, text, strlen(text), c, e);
}

#define HAS Y90T_HAS

#define NEEDS "treatment:\n  activity_gbq: 1\n" /* the one required key, lines 1-2 */

/* -------------------------------------------------------------------------------------------- defaults */

static void test_defaults(void)
{
    y90_config c;
    y90_config_defaults(&c);
    /* the documented defaults (key reference, README) */
    CU_ASSERT_EQUAL(c.phantom.type, Y90_PHANTOM_LIVER);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.voxel_mm, 2.0, 1e-12);
    CU_ASSERT_EQUAL(c.phantom.seed, 1);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.liver_mass_g, 1800, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.liver_density, 1.06, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.right_lobe_fraction, 0.65, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.tumour_burden_percent, 15, 1e-12);
    CU_ASSERT_EQUAL(c.phantom.tumour_count, 5);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.tumour_size_sigma, 0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.necrotic_fraction, 0.3, 1e-12);
    CU_ASSERT_EQUAL(c.phantom.tumour_pattern, Y90_PATTERN_SCATTERED);
    CU_ASSERT_EQUAL(c.phantom.tumour_lobes, Y90_TREAT_BOTH);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.tumour_large_fraction, 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.necrosis_min_diameter_mm, 0, 0); /* every tumour necrotic_fraction, as before */
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.lung_density, 0.26, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.body_density, 1.03, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.margin_mm, 30, 1e-12);
    for (int a = 0; a < 3; a++) CU_ASSERT_DOUBLE_EQUAL(c.phantom.box_size_mm[a], 100, 1e-12);
    CU_ASSERT_STRING_EQUAL(c.phantom.material, "water");
    CU_ASSERT_DOUBLE_EQUAL(c.phantom.density, 0, 0);
    CU_ASSERT_EQUAL(c.phantom.nslabs, 0);

    CU_ASSERT_EQUAL(c.source.type, Y90_SOURCE_MICROSPHERES);
    CU_ASSERT_EQUAL(c.source.product, Y90_PRODUCT_THERASPHERE);
    CU_ASSERT_DOUBLE_EQUAL(c.source.sphere_diameter_um, 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.source.sphere_diameter_sd_um, -1, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.source.sphere_density, 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.source.activity_per_sphere_bq, 0, 0);
    CU_ASSERT_STRING_EQUAL(c.source.structure, "slab0");
    CU_ASSERT_EQUAL(c.source.seed, 1);
    for (int a = 0; a < 3; a++) {
        CU_ASSERT_DOUBLE_EQUAL(c.source.box_min_mm[a], 0, 0);
        CU_ASSERT_DOUBLE_EQUAL(c.source.box_max_mm[a], 0, 0);
        CU_ASSERT_EQUAL(c.source.voxel[a], 0);
        CU_ASSERT_DOUBLE_EQUAL(c.source.point_mm[a], 0, 0);
    }

    CU_ASSERT_DOUBLE_EQUAL(c.treatment.activity_gbq, 0, 0); /* required: no default */
    CU_ASSERT_DOUBLE_EQUAL(c.treatment.hours_after_calibration, 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.treatment.lung_shunt_fraction, 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.treatment.tn_ratio, 1, 0);
    CU_ASSERT_EQUAL(c.treatment.treated_lobes, Y90_TREAT_BOTH);
    CU_ASSERT_DOUBLE_EQUAL(c.treatment.prescription_gy, 113, 1e-12);

    CU_ASSERT_EQUAL(c.transport.kernel, Y90_KERNEL_MC);
    CU_ASSERT_EQUAL(c.transport.histories, 1000000);
    CU_ASSERT_EQUAL(c.transport.seed, 1);
    CU_ASSERT_EQUAL(c.transport.threads, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.transport.cutoff_kev, 10, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.transport.photon_cutoff_kev, 10, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.transport.delta_threshold_kev, 10, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.transport.brems_threshold_kev, 10, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.transport.max_eloss_fraction, 0.1, 1e-12);
    CU_ASSERT_EQUAL(c.transport.step_algorithm, Y90_STEP_PRESTA2);
    CU_ASSERT_EQUAL(c.transport.straggling, 1);
    CU_ASSERT_EQUAL(c.transport.secondaries, 1);
    CU_ASSERT_EQUAL(c.transport.multiple_scattering, 1);
    CU_ASSERT_EQUAL(c.transport.spin, 1);
    CU_ASSERT_EQUAL(c.transport.stratify, 1);
    CU_ASSERT_EQUAL(c.transport.range_rejection, 1);

    CU_ASSERT_EQUAL(c.output.uncertainty, 1);
    CU_ASSERT_EQUAL(c.output.microspheres, 1);
    CU_ASSERT_DOUBLE_EQUAL(c.output.max_memory_gb, 0, 0);
    CU_ASSERT_EQUAL(c.nuser_materials, 0);
    CU_ASSERT_PTR_NULL(c.yaml_text);
}

/* A minimal config: defaults everywhere else, text and path kept. */
static void test_minimal(void)
{
    y90_config c, d;
    y90_error e;
    const char *text = "treatment:\n  activity_gbq: 2.5\n";
    CU_ASSERT_EQUAL_FATAL(parse("minimal.yaml", text, &c, &e), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(c.treatment.activity_gbq, 2.5, 1e-12);
    CU_ASSERT_STRING_EQUAL(c.path, "minimal.yaml");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c.yaml_text);
    CU_ASSERT_STRING_EQUAL(c.yaml_text, text);
    /* everything else equals the defaults */
    y90_config_defaults(&d);
    d.treatment.activity_gbq = 2.5;
    CU_ASSERT_EQUAL(memcmp(&c.phantom, &d.phantom, sizeof c.phantom), 0);
    CU_ASSERT_EQUAL(memcmp(&c.source, &d.source, sizeof c.source), 0);
    CU_ASSERT_EQUAL(memcmp(&c.treatment, &d.treatment, sizeof c.treatment), 0);
    CU_ASSERT_EQUAL(memcmp(&c.transport, &d.transport, sizeof c.transport), 0);
    CU_ASSERT_EQUAL(memcmp(&c.output, &d.output, sizeof c.output), 0);
    y90_config_free(&c);
}

/* ------------------------------------------------------------------------------------ every key parsed */

/* Every key of the table with a value different from its default. */
static const char *const full_text =
    "phantom:\n"
    "  type: slabs\n"
    "  voxel_mm: 1.5\n"
    "  seed: 12345678901234567\n"
    "  liver_mass_g: 1500\n"
    "  liver_density: 1.05\n"
    "  right_lobe_fraction: 0.6\n"
    "  tumour_burden_percent: 20\n"
    "  tumour_count: 3\n"
    "  tumour_size_sigma: 0.5\n"
    "  tumour_pattern: confluent\n"
    "  tumour_lobes: left\n"
    "  tumour_large_fraction: 0.4\n"
    "  necrotic_fraction: 0.2\n"
    "  necrosis_min_diameter_mm: 25\n"
    "  lung_density: 0.3\n"
    "  body_density: 1.04\n"
    "  margin_mm: 20\n"
    "  box_size_mm: [30, 40.5, 50]\n"
    "  material: lung\n"
    "  density: 0.5\n"
    "  slab_materials: [water, lung, my_bone]\n"
    "  slab_densities: [1.0, 0.26, 0]\n"
    "  slab_thickness_mm: [10.5, 12, 3]\n"
    "  hu_points: [-1000, 0, 1000]\n"
    "  hu_densities: [0.001, 1.0, 1.6]\n"
    "  hu_material_lower_hu: [-1000, -500]\n"
    "  hu_materials: [air, water]\n"
    "source:\n"
    "  type: point\n"
    "  product: sir_spheres\n"
    "  seed: 18446744073709551614\n"
    "  sphere_diameter_um: 30\n"
    "  sphere_diameter_sd_um: 5\n"
    "  sphere_density: 1.7\n"
    "  activity_per_sphere_bq: 60\n"
    "  box_min_mm: [-1, -2, -3]\n"
    "  box_max_mm: [1, 2, 3.5]\n"
    "  structure: slab1\n"
    "  voxel: [1, 2, 3]\n"
    "  point_mm: [0.5, -0.5, 4]\n"
    "  energy_mev: 1.5\n"
    "  direction: [0, 0, 1]\n"
    "  activity_kind: spect_counts\n"
    "  sphere_storage: counts\n"
    "treatment:\n"
    "  activity_gbq: 2.5\n"
    "  hours_after_calibration: 24\n"
    "  lung_shunt_fraction: 0.07\n"
    "  tn_ratio: 4\n"
    "  treated_lobes: right\n"
    "  prescription_gy: 120\n"
    "transport:\n"
    "  kernel: local\n"
    "  histories: 123456789012\n"
    "  seed: 42\n"
    "  threads: 3\n"
    "  cutoff_kev: 20\n"
    "  photon_cutoff_kev: 5\n"
    "  delta_threshold_kev: 200\n"
    "  brems_threshold_kev: 20\n"
    "  max_eloss_fraction: 0.05\n"
    "  step_algorithm: hinge\n"
    "  ximax: 0.3\n"
    "  straggling: false\n"
    "  secondaries: no\n"
    "  multiple_scattering: off\n"
    "  spin: false\n"
    "  stratify: false\n"
    "  range_rejection: false\n"
    "  activity_map: expected\n"
    "  kernel_histories: 50000\n"
    "  time_limit_s: 600\n"
    "  target_uncertainty: 0.02\n"
    "  target_structure: tumour\n"
    "output:\n"
    "  uncertainty: false\n"
    "  microspheres: false\n"
    "  max_memory_gb: 2\n"
    "  checkpoint_s: 60\n"
    "materials:\n"
    "  - name: my_bone\n"
    "    density: 1.85\n"
    "    I_eV: 91.9\n"
    "    composition: {H: 0.047234, C: 0.14433, N: 0.04199, O: 0.446096, Mg: 0.0022, P: 0.104970, S: 0.00315,\n"
    "                  Ca: 0.20993, Zn: 0.0001}\n";

/* Keys set in full_text (must be every key of the table: see test_reference). */
static const char *const all_keys[] = {
    "phantom.type", "phantom.voxel_mm", "phantom.seed", "phantom.liver_mass_g", "phantom.liver_density",
    "phantom.right_lobe_fraction", "phantom.tumour_burden_percent", "phantom.tumour_count",
    "phantom.tumour_size_sigma", "phantom.tumour_pattern", "phantom.tumour_lobes", "phantom.tumour_large_fraction",
    "phantom.necrotic_fraction", "phantom.necrosis_min_diameter_mm", "phantom.lung_density", "phantom.body_density",
    "phantom.margin_mm", "phantom.box_size_mm", "phantom.material", "phantom.density", "phantom.slab_materials",
    "phantom.slab_densities", "phantom.slab_thickness_mm", "phantom.lobule_block_mm", "phantom.lobule_diameter_mm",
    "phantom.portal_radius_um", "phantom.central_vein_radius_um", "phantom.lobule_tumour_depth_mm", "source.type", "source.seed", "source.product",
    "source.sphere_diameter_um", "source.sphere_diameter_sd_um", "source.sphere_density",
    "source.activity_per_sphere_bq", "source.box_min_mm", "source.box_max_mm", "source.structure", "source.voxel",
    "source.point_mm", "source.energy_mev", "source.direction", "source.clustering", "source.cluster_mean",
    "source.cluster_sigma", "source.cluster_spread_um", "source.sphere_storage", "treatment.activity_gbq",
    "treatment.activity_at",
    "treatment.hours_after_calibration", "treatment.lung_shunt_fraction", "treatment.tn_ratio",
    "treatment.treated_lobes", "treatment.prescription_gy", "transport.kernel", "transport.histories",
    "transport.seed", "transport.threads", "transport.cutoff_kev", "transport.photon_cutoff_kev",
    "transport.delta_threshold_kev", "transport.brems_threshold_kev", "transport.max_eloss_fraction",
    "transport.step_algorithm", "transport.ximax", "transport.straggling", "transport.secondaries", "transport.multiple_scattering", "transport.spin",
    "transport.stratify", "transport.range_rejection", "transport.activity_map", "transport.kernel_histories",
    "transport.time_limit_s", "transport.target_uncertainty", "transport.target_structure", "output.uncertainty",
    "output.microspheres", "output.max_memory_gb", "output.checkpoint_s", "phantom.hu_points",
    "phantom.hu_densities", "phantom.hu_material_lower_hu", "phantom.hu_materials", "source.activity_kind",
    /* the file keys apply only to phantom.type image and source.type activity_map: tests/test_image.c sets them */
    "phantom.label_file", "phantom.ct_file", "phantom.density_file", "source.activity_file",
};
#define NKEYS (sizeof all_keys / sizeof all_keys[0])

static void test_every_key(void)
{
    y90_config c;
    y90_error e;
    y90_status st = parse("full.yaml", full_text, &c, &e);
    if (st) fprintf(stderr, "\n    %s ", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, Y90_OK);
    const y90_phantom_params *p = &c.phantom;
    CU_ASSERT_EQUAL(p->type, Y90_PHANTOM_SLABS);
    CU_ASSERT_DOUBLE_EQUAL(p->voxel_mm, 1.5, 0);
    CU_ASSERT(p->seed == 12345678901234567ull); /* above 2^53: must be exact */
    CU_ASSERT_DOUBLE_EQUAL(p->liver_mass_g, 1500, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->liver_density, 1.05, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->right_lobe_fraction, 0.6, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->tumour_burden_percent, 20, 0);
    CU_ASSERT_EQUAL(p->tumour_count, 3);
    CU_ASSERT_DOUBLE_EQUAL(p->tumour_size_sigma, 0.5, 0);
    CU_ASSERT_EQUAL(p->tumour_pattern, Y90_PATTERN_CONFLUENT);
    CU_ASSERT_EQUAL(p->tumour_lobes, Y90_TREAT_LEFT);
    CU_ASSERT_DOUBLE_EQUAL(p->tumour_large_fraction, 0.4, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->necrotic_fraction, 0.2, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->necrosis_min_diameter_mm, 25, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->lung_density, 0.3, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->body_density, 1.04, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->margin_mm, 20, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->box_size_mm[0], 30, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->box_size_mm[1], 40.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->box_size_mm[2], 50, 0);
    CU_ASSERT_STRING_EQUAL(p->material, "lung");
    CU_ASSERT_DOUBLE_EQUAL(p->density, 0.5, 0);
    CU_ASSERT_EQUAL(p->nslabs, 3);
    CU_ASSERT_STRING_EQUAL(p->slab_materials[0], "water");
    CU_ASSERT_STRING_EQUAL(p->slab_materials[1], "lung");
    CU_ASSERT_STRING_EQUAL(p->slab_materials[2], "my_bone");
    CU_ASSERT_DOUBLE_EQUAL(p->slab_densities[0], 1.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->slab_densities[1], 0.26, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->slab_densities[2], 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->slab_thickness_mm[0], 10.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->slab_thickness_mm[1], 12, 0);
    CU_ASSERT_DOUBLE_EQUAL(p->slab_thickness_mm[2], 3, 0);

    CU_ASSERT_EQUAL(p->nhu_points, 3);
    CU_ASSERT_DOUBLE_EQUAL(p->hu_densities[2], 1.6, 0);
    CU_ASSERT_EQUAL(p->nhu_materials, 2);
    CU_ASSERT_STRING_EQUAL(p->hu_materials[1], "water");
    CU_ASSERT_DOUBLE_EQUAL(p->hu_material_lower_hu[1], -500, 0);

    const y90_source_params *s = &c.source;
    CU_ASSERT_EQUAL(s->type, Y90_SOURCE_POINT);
    CU_ASSERT_EQUAL(s->activity_kind, Y90_ACTIVITY_SPECT_COUNTS);
    CU_ASSERT_EQUAL(s->sphere_storage, Y90_SPHERES_COUNTS);
    CU_ASSERT_EQUAL(s->product, Y90_PRODUCT_SIR_SPHERES);
    CU_ASSERT(s->seed == 18446744073709551614ull); /* its own seed, the full uint64 range */
    CU_ASSERT_DOUBLE_EQUAL(s->sphere_diameter_um, 30, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->sphere_diameter_sd_um, 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->sphere_density, 1.7, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->activity_per_sphere_bq, 60, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->box_min_mm[0], -1, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->box_min_mm[1], -2, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->box_min_mm[2], -3, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->box_max_mm[0], 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->box_max_mm[1], 2, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->box_max_mm[2], 3.5, 0);
    CU_ASSERT_STRING_EQUAL(s->structure, "slab1");
    CU_ASSERT_EQUAL(s->voxel[0], 1);
    CU_ASSERT_EQUAL(s->voxel[1], 2);
    CU_ASSERT_EQUAL(s->voxel[2], 3);
    CU_ASSERT_DOUBLE_EQUAL(s->point_mm[0], 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->point_mm[1], -0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->point_mm[2], 4, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->energy_mev, 1.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->direction[0], 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->direction[1], 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->direction[2], 1, 1e-12);

    const y90_treatment_params *t = &c.treatment;
    CU_ASSERT_DOUBLE_EQUAL(t->activity_gbq, 2.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(t->hours_after_calibration, 24, 0);
    CU_ASSERT_DOUBLE_EQUAL(t->lung_shunt_fraction, 0.07, 0);
    CU_ASSERT_DOUBLE_EQUAL(t->tn_ratio, 4, 0);
    CU_ASSERT_EQUAL(t->treated_lobes, Y90_TREAT_RIGHT);
    CU_ASSERT_DOUBLE_EQUAL(t->prescription_gy, 120, 0);

    const y90_transport_params *tp = &c.transport;
    CU_ASSERT_EQUAL(tp->kernel, Y90_KERNEL_LOCAL);
    CU_ASSERT(tp->histories == 123456789012LL);
    CU_ASSERT(tp->seed == 42);
    CU_ASSERT_EQUAL(tp->threads, 3);
    CU_ASSERT_DOUBLE_EQUAL(tp->cutoff_kev, 20, 0);
    CU_ASSERT_DOUBLE_EQUAL(tp->photon_cutoff_kev, 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(tp->delta_threshold_kev, 200, 0);
    CU_ASSERT_DOUBLE_EQUAL(tp->brems_threshold_kev, 20, 0);
    CU_ASSERT_DOUBLE_EQUAL(tp->max_eloss_fraction, 0.05, 0);
    CU_ASSERT_EQUAL(tp->step_algorithm, Y90_STEP_HINGE);
    CU_ASSERT_DOUBLE_EQUAL(tp->ximax, 0.3, 0);
    CU_ASSERT_EQUAL(tp->straggling, 0);
    CU_ASSERT_EQUAL(tp->secondaries, 0);
    CU_ASSERT_EQUAL(tp->multiple_scattering, 0);
    CU_ASSERT_EQUAL(tp->spin, 0);
    CU_ASSERT_EQUAL(tp->stratify, 0);
    CU_ASSERT_EQUAL(tp->range_rejection, 0);
    CU_ASSERT_EQUAL(tp->activity_map, Y90_ACTIVITY_EXPECTED);
    CU_ASSERT(tp->kernel_histories == 50000);
    CU_ASSERT_DOUBLE_EQUAL(tp->time_limit_s, 600, 0);
    CU_ASSERT_DOUBLE_EQUAL(tp->target_uncertainty, 0.02, 0);
    CU_ASSERT_STRING_EQUAL(tp->target_structure, "tumour");

    CU_ASSERT_EQUAL(c.output.uncertainty, 0);
    CU_ASSERT_EQUAL(c.output.microspheres, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.output.max_memory_gb, 2, 0);
    CU_ASSERT_DOUBLE_EQUAL(c.output.checkpoint_s, 60, 0);

    CU_ASSERT_EQUAL_FATAL(c.nuser_materials, 1);
    const y90_user_material *m = &c.user_materials[0];
    CU_ASSERT_STRING_EQUAL(m->name, "my_bone");
    CU_ASSERT_DOUBLE_EQUAL(m->density, 1.85, 0);
    CU_ASSERT_DOUBLE_EQUAL(m->I_eV, 91.9, 0);
    CU_ASSERT_EQUAL_FATAL(m->nelem, 9);
    static const int Z[9] = {1, 6, 7, 8, 12, 15, 16, 20, 30};
    static const double w[9] = {0.047234, 0.14433, 0.04199, 0.446096, 0.0022, 0.104970, 0.00315, 0.20993, 0.0001};
    for (int i = 0; i < 9; i++) {
        CU_ASSERT_EQUAL(m->Z[i], Z[i]);
        CU_ASSERT_DOUBLE_EQUAL(m->w[i], w[i], 0);
    }
    y90_config_free(&c);
}

/* ------------------------------------------------------------------------------------- key reference */

static char *reference_text(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    y90_config_print_reference(f);
    fclose(f);
    return buf;
}

/* Every key appears in the reference, once, and the reference has no key the test does not know. */
static void test_reference(void)
{
    char *ref = reference_text();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    for (size_t i = 0; i < NKEYS; i++) {
        char pat[128];
        snprintf(pat, sizeof pat, "| `%s` |", all_keys[i]);
        const char *hit = strstr(ref, pat);
        if (!hit) fprintf(stderr, "\n    reference lacks %s ", all_keys[i]);
        CU_ASSERT_PTR_NOT_NULL(hit);
        if (hit) CU_ASSERT_PTR_NULL(strstr(hit + 1, pat));
    }
    /* rows: "| `key` | ..." ; each key must be one of all_keys (else this test and full_text need it) */
    int rows = 0;
    for (const char *l = ref; (l = strstr(l, "| `")); l++) {
        char key[128] = "";
        sscanf(l, "| `%127[^`]`", key);
        int known = 0;
        for (size_t i = 0; i < NKEYS; i++) known |= strcmp(key, all_keys[i]) == 0;
        if (!known) fprintf(stderr, "\n    reference has key %s that test_config does not cover ", key);
        CU_ASSERT(known);
        rows++;
    }
    CU_ASSERT_EQUAL(rows, (int)NKEYS);
    /* the required key is marked */
    const char *act = strstr(ref, "| `treatment.activity_gbq` |");
    CU_ASSERT(act && strstr(act, "(required)") && strstr(act, "(required)") < strchr(act, '\n'));
    free(ref);
}

/* The reference is a Markdown table: every row has the header's 6 cells (a '|' inside a cell, such as the
 * choices "mc|local", must be escaped or it splits the row). */
static void test_reference_markdown(void)
{
    char *ref = reference_text();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    for (char *l = ref; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl) *nl = 0;
        int bars = 0;
        for (const char *p = l; *p; p++) bars += *p == '|' && (p == l || p[-1] != '\\');
        if (bars != 7) fprintf(stderr, "\n    row with %d cells: %s ", bars - 1, l);
        CU_ASSERT_EQUAL(bars, 7);
        l = nl ? nl + 1 : NULL;
    }
    free(ref);
}

/* Every key's default as printed in the reference parses as that key (a bad default would be dropped silently by
 * y90_config_defaults). */
static void test_reference_defaults_parse(void)
{
    char *ref = reference_text();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    int checked = 0;
    for (const char *l = ref; (l = strstr(l, "| `")); l++) {
        char key[128] = "", type[64] = "", def[128] = "";
        if (sscanf(l, "| `%127[^`]` | %63[^|]| %127[^|]|", key, type, def) != 3) {
            fprintf(stderr, "\n    cannot read row %.60s ", l);
            CU_FAIL("reference row");
            continue;
        }
        size_t n = strlen(def);
        while (n && def[n - 1] == ' ') def[--n] = 0;
        if (!strcmp(def, "(required)")) continue;
        char section[64], name[64], text[512];
        if (sscanf(key, "%63[^.].%63s", section, name) != 2) continue;
        if (!strcmp(section, "treatment"))
            snprintf(text, sizeof text, "treatment:\n  activity_gbq: 1\n  %s: %s\n", name, def);
        else
            snprintf(text, sizeof text, NEEDS "%s:\n  %s: %s\n", section, name, def);
        y90_config c;
        y90_error e;
        y90_status st = parse("defaults.yaml", text, &c, &e);
        if (st) fprintf(stderr, "\n    default of %s ('%s') does not parse: %s ", key, def, e.msg);
        CU_ASSERT_EQUAL(st, Y90_OK);
        y90_config_free(&c);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, (int)NKEYS - 1);
    free(ref);
}

/* Load from a file: messages name the path. */
static void test_load_file(void)
{
    const char *p = y90t_write("load_bad.yaml", NEEDS "phantom:\n  voxel_mm: 0\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char path[1024];
    snprintf(path, sizeof path, "%s", p);
    y90_config c;
    y90_error e = {0};
    CU_ASSERT_EQUAL(y90_config_load(path, &c, &e), Y90_EINPUT);
    char where[1100];
    snprintf(where, sizeof where, "%s:4:", path);
    HAS(e.msg, where);
    y90_config_free(&c);
    e = (y90_error){0};
    CU_ASSERT_EQUAL(y90_config_load("no/such/config.yaml", &c, &e), Y90_EINPUT);
    HAS(e.msg, "no/such/config.yaml");
}

/* The effective config stored in every output re-parses to exactly the same settings (every section). */
static void test_effective_round_trip(void)
{
    const char *text = "phantom: {type: slabs, voxel_mm: 0.5, box_size_mm: [10, 20, 30], slab_materials: [liver, "
                       "lung], slab_densities: [1.06, 0.2], slab_thickness_mm: [5, 5]}\n"
                       "source: {type: uniform_structure, structure: slab1, energy_mev: 1.5, direction: [0, 0, 1]}\n"
                       "treatment: {activity_gbq: 2.5, hours_after_calibration: 24, treated_lobes: left}\n"
                       "transport: {kernel: local, histories: 12345, seed: 18446744073709551615, straggling: false}\n"
                       "materials:\n  - name: gel\n    density: 1.02\n    composition: {H: 0.11, O: 0.89}\n";
    y90_config a, b;
    y90_error e = {0};
    CU_ASSERT_FATAL(y90_config_parse("a.yaml", text, strlen(text), &a, &e) == Y90_OK);
    char *eff = y90_config_effective(&a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(eff);
    y90_status st = y90_config_parse("effective.yaml", eff, strlen(eff), &b, &e);
    if (st) printf("\n  %s\n%s", e.msg, eff);
    CU_ASSERT_FATAL(st == Y90_OK);
    CU_ASSERT(memcmp(&a.phantom, &b.phantom, sizeof a.phantom) == 0);
    CU_ASSERT(memcmp(&a.source, &b.source, sizeof a.source) == 0);
    CU_ASSERT(memcmp(&a.treatment, &b.treatment, sizeof a.treatment) == 0);
    CU_ASSERT(memcmp(&a.transport, &b.transport, sizeof a.transport) == 0);
    CU_ASSERT(memcmp(&a.output, &b.output, sizeof a.output) == 0);
    CU_ASSERT_EQUAL(b.nuser_materials, 1);
    CU_ASSERT(memcmp(&a.user_materials[0], &b.user_materials[0], sizeof a.user_materials[0]) == 0);
    free(eff);
    y90_config_free(&a);
    y90_config_free(&b);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("config", NULL, NULL);
    CU_add_test(s, "defaults", test_defaults);
    CU_add_test(s, "minimal config", test_minimal);
    CU_add_test(s, "every key parsed", test_every_key);
    CU_add_test(s, "reference lists every key", test_reference);
    CU_add_test(s, "reference is a well-formed Markdown table", test_reference_markdown);
    CU_add_test(s, "reference defaults parse", test_reference_defaults_parse);
    CU_add_test(s, "load from file", test_load_file);
    CU_add_test(s, "effective config round trip", test_effective_round_trip);
}
