/* Patient images in (phantom.type image, source.type activity_map): NIfTI and HDF5 round trips on a synthetic patient
 * written by nibabel and h5py (tests/scripts/make_image_case.py), the Schneider 2000 HU curve, mass-conserving
 * resampling, sphere counts per structure against the image's uptake, and bad images refused with exit 2. */
#include <math.h>
#include <stdlib.h>
#include "testutil.h"
#include "y90/image.h"
#include "y90/io.h"
#include "y90/phantom.h"
#include "y90/source.h"

#define PY "/usr/bin/python3"

static char dir[1024];  /* the synthetic case (y90t_dir()/case) */
static int case_ok = 0; /* the script ran */

static const char *cpath(const char *name)
{
    static char buf[4][1200];
    static int k = 0;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int make_case(void)
{
    if (case_ok) return 1;
    snprintf(dir, sizeof dir, "%s/case", y90t_dir());
    char *out = NULL;
    int rc = y90t_sh(&out, PY " %s/tests/scripts/make_image_case.py %s", Y90_SOURCE_DIR, dir);
    if (rc != 0) fprintf(stderr, "make_image_case.py failed: %s\n", out ? out : "");
    free(out);
    case_ok = rc == 0;
    return case_ok;
}

/* The config of the synthetic case (file names relative to the config's folder, dir). */
static const char *CASE_YAML =
    "phantom:\n  type: image\n  label_file: %s\n  ct_file: %s\n"
    "source:\n  type: activity_map\n  activity_file: %s\n"
    "treatment:\n  activity_gbq: 0.05\n  lung_shunt_fraction: 0.1\n"
    "transport:\n  kernel: local\n"
    "labels:\n"
    "  - {value: 1, name: liver_right, kind: liver_normal, lobe: right, material: liver}\n"
    "  - {value: 2, name: liver_left, kind: liver_normal, lobe: left, material: liver}\n"
    "  - {value: 3, name: tumour1, kind: tumour_viable, lobe: right, tumour: 1, material: liver}\n"
    "%s";
static const char *LUNG_ENTRY = "  - {value: 4, name: lung, kind: lung}\n";

static const char *write_config(const char *name, const char *labels, const char *ct, const char *act, int lung)
{
    static char path[1200];
    char text[4096];
    snprintf(text, sizeof text, CASE_YAML, labels, ct, act, lung ? LUNG_ENTRY : "");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

/* Every point of expected.txt (LPS centre of a label voxel as nibabel maps it) has its label in the image. */
static void check_label_points(const char *file)
{
    y90_image img;
    y90_error err = {0};
    CU_ASSERT_EQUAL_FATAL(y90_image_read(cpath(file), 0, &img, &err), Y90_OK);
    for (int a = 0; a < 3; a++) CU_ASSERT_DOUBLE_EQUAL(img.spacing[a], 4.0, 1e-9);
    const double lo[3] = {-48, -40, -32};
    const int n[3] = {24, 20, 16};
    for (int a = 0; a < 3; a++) {
        CU_ASSERT_DOUBLE_EQUAL(img.lo[a], lo[a], 1e-6);
        CU_ASSERT_EQUAL(img.n[a], n[a]);
    }
    FILE *f = fopen(cpath("expected.txt"), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char kind[16];
    double p[3];
    int lab, checked = 0, nonzero = 0;
    while (fscanf(f, "%15s", kind) == 1) {
        if (strcmp(kind, "label") == 0 && fscanf(f, "%lf %lf %lf %d", &p[0], &p[1], &p[2], &lab) == 4) {
            float v = -1;
            CU_ASSERT_EQUAL(y90_image_at(&img, p, &v), 0);
            if ((int)v != lab) fprintf(stderr, "\n  %s: (%g, %g, %g) holds %g, nibabel %d", file, p[0], p[1], p[2], v, lab);
            CU_ASSERT_EQUAL((int)v, lab);
            checked++;
            nonzero += lab != 0;
        } else {
            int ch;
            while ((ch = fgetc(f)) != '\n' && ch != EOF) continue;
        }
    }
    fclose(f);
    CU_ASSERT_EQUAL(checked, 40);
    CU_ASSERT(nonzero >= 5); /* the points reach the structures, not only the background */
    y90_image_free(&img);
}

static void test_label_orientation(void)
{
    CU_ASSERT_FATAL(make_case());
    check_label_points("labels.nii.gz"); /* i runs towards the patient's right: flipped */
    check_label_points("labels.h5");     /* j runs anterior (direction row (0, -1, 0)): flipped */
}

/* The CT's axes are permuted (i superior, j left, k anterior) and its voxels 2 mm. */
static void test_ct_permuted(void)
{
    CU_ASSERT_FATAL(make_case());
    y90_image ct;
    y90_error err = {0};
    CU_ASSERT_EQUAL_FATAL(y90_image_read(cpath("ct.nii"), 0, &ct, &err), Y90_OK);
    const int n[3] = {48, 40, 32};
    for (int a = 0; a < 3; a++) {
        CU_ASSERT_EQUAL(ct.n[a], n[a]);
        CU_ASSERT_DOUBLE_EQUAL(ct.spacing[a], 2.0, 1e-9);
    }
    struct { double p[3]; float hu; } pts[] = {
        {{-20, 0, 0}, 50}, {{-30, 20, -20}, 60}, {{10, 0, 0}, 60}, {{0, 0, 24}, -800}, {{44, 36, 28}, 40}};
    for (size_t i = 0; i < sizeof pts / sizeof *pts; i++) {
        float v = 0;
        CU_ASSERT_EQUAL(y90_image_at(&ct, pts[i].p, &v), 0);
        CU_ASSERT_DOUBLE_EQUAL(v, pts[i].hu, 1e-6);
    }
    y90_image_free(&ct);
}

/* Schneider, Bortfeld & Schlegel 2000 (Phys Med Biol 45:459) density nodes as tabulated by GATE
 * (Schneider2000DensitiesTable.txt), and the linear segments they imply: soft tissue 23..100 HU: 1.0045 + 1.1545e-3
 * HU; bone 101..1600 HU: 1.0164 + 0.5924e-3 HU; adipose -97..14 HU: 1.0175 + 0.8965e-3 HU. */
static void test_hu_curve(void)
{
    y90_config c;
    y90_config_defaults(&c);
    const y90_phantom_params *p = &c.phantom;
    CU_ASSERT_DOUBLE_EQUAL(y90_hu_density(p, -1000), 0.00121, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(y90_hu_density(p, -2000), 0.00121, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(y90_hu_density(p, 14), 1.03, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(y90_hu_density(p, 1600), 1.9642, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(y90_hu_density(p, 60), 1.0045 + 1.1545e-3 * 60, 2e-4);
    CU_ASSERT_DOUBLE_EQUAL(y90_hu_density(p, 800), 1.0164 + 0.5924e-3 * 800, 2e-4);
    CU_ASSERT_DOUBLE_EQUAL(y90_hu_density(p, -50), 1.0175 + 0.8965e-3 * -50, 2e-4);
    CU_ASSERT_DOUBLE_EQUAL(y90_hu_density(p, 5000), 2.9, 1e-9);
    /* bins: air below -950, lung to -120, soft tissue to 120, bone above */
    const char *want[][2] = {{"-1000", "air"}, {"-800", "lung"}, {"40", "soft_tissue"}, {"500", "bone_cortical"}};
    for (int i = 0; i < 4; i++)
        CU_ASSERT_STRING_EQUAL(p->hu_materials[y90_hu_material_bin(p, atof(want[i][0]))], want[i][1]);
}

static y90_status build_case(const char *cfg_path, y90_config *c, y90_grid *g, y90_sources *s, y90_error *err)
{
    y90_status st = y90_config_load(cfg_path, c, err);
    if (st) return st;
    y90_phantom_params pp = y90_config_phantom(c);
    st = y90_phantom_build(&pp, 0, g, NULL, err);
    if (!st) st = y90_sources_build(c, g, s, err);
    return st;
}

/* The PET's whole activity is kept by the resampling; one hot voxel lands in the dose voxels of its box (from
 * nibabel's affine) and nowhere else. */
static void test_resample_amount(void)
{
    CU_ASSERT_FATAL(make_case());
    double box[6], hot_bq = 0, pet_total = 0;
    FILE *f = fopen(cpath("expected.txt"), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "hot ", 4) == 0)
            CU_ASSERT_EQUAL(sscanf(line + 4, "%lf %lf %lf %lf %lf %lf %lf", &box[0], &box[1], &box[2], &box[3], &box[4],
                                   &box[5], &hot_bq), 7);
        if (strncmp(line, "pet_total ", 10) == 0) pet_total = atof(line + 10);
    }
    fclose(f);
    CU_ASSERT_FATAL(hot_bq > 0 && pet_total > 0);
    y90_config c;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_error err = {0};
    const char *cfg = write_config("hot.yaml", "labels.nii.gz", "ct.nii", "hot.nii.gz", 1);
    y90_status st = build_case(cfg, &c, &g, &s, &err);
    if (st) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(st, Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(s.image_total, hot_bq, 1e-6 * hot_bq);
    CU_ASSERT_DOUBLE_EQUAL(s.image_in_liver, hot_bq, 1e-6 * hot_bq);
    double in_box = 0, outside = 0;
    for (int iz = 0; iz < g.nz; iz++)
        for (int iy = 0; iy < g.ny; iy++)
            for (int ix = 0; ix < g.nx; ix++) {
                double p[3] = {g.lo[0] + (ix + 0.5) * 4, g.lo[1] + (iy + 0.5) * 4, g.lo[2] + (iz + 0.5) * 4};
                double a = s.voxel_uptake[y90_grid_index(&g, ix, iy, iz)];
                int in = p[0] > box[0] && p[0] < box[3] && p[1] > box[1] && p[1] < box[4] && p[2] > box[2] && p[2] < box[5];
                *(in ? &in_box : &outside) += a;
            }
    CU_ASSERT_DOUBLE_EQUAL(in_box, hot_bq, 1e-6 * hot_bq);
    CU_ASSERT_EQUAL(outside, 0.0);
    /* every liver sphere inside the hot voxel's box, the shunted ones in the lung label */
    size_t lung = 0;
    int lung_id = -1;
    for (int i = 0; i < g.nstructures; i++)
        if (g.structures[i].kind == Y90_KIND_LUNG) lung_id = i;
    for (size_t i = 0; i < s.nspheres; i++) {
        const y90_sphere *sp = &s.spheres[i];
        size_t v;
        double p[3];
        y90_sphere_centre(&g, sp, p);
        CU_ASSERT_EQUAL_FATAL(y90_grid_locate(&g, p, &v), 0);
        if (g.label[v] == lung_id) { lung++; continue; }
        CU_ASSERT(p[0] >= box[0] && p[0] <= box[3] && p[1] >= box[1] && p[1] <= box[4] && p[2] >= box[2] &&
                  p[2] <= box[5]);
    }
    CU_ASSERT_EQUAL(lung, s.spheres_in_lung);
    CU_ASSERT_EQUAL(s.spheres_in_lung, (size_t)floor(0.1 * (double)s.nspheres + 0.5));
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
    /* the whole PET: its amount on and off the grid adds up to nibabel's total */
    cfg = write_config("pet.yaml", "labels.nii.gz", "ct.nii", "pet.nii.gz", 1);
    CU_ASSERT_EQUAL_FATAL(build_case(cfg, &c, &g, &s, &err), Y90_OK);
    CU_ASSERT_DOUBLE_EQUAL(s.image_total, pet_total, 1e-6 * pet_total);
    double sum = 0;
    for (size_t v = 0; v < y90_grid_nvox(&g); v++) sum += s.voxel_uptake[v];
    CU_ASSERT_DOUBLE_EQUAL(sum, s.image_in_liver, 1e-9 * sum);
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
}

/* Sphere counts per structure against the image's uptake: liver boxes of 1000 Bq/ml and a 16 mm tumour cube of
 * 4000 Bq/ml (make_image_case.py), so the expected shares are analytic volumes times concentrations. Each count
 * must lie within 3 sigma of the multinomial expectation. The NIfTI and HDF5 versions give the same phantom. */
static void check_counts(const char *labels, const char *pet)
{
    y90_config c;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_error err = {0};
    const char *cfg = write_config("counts.yaml", labels, "ct.nii", pet, 1);
    y90_status st = build_case(cfg, &c, &g, &s, &err);
    if (st) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(st, Y90_OK);
    const double v_tum = 16.0 * 16 * 16, v_right = 40.0 * 48 * 40 - v_tum, v_left = 24.0 * 48 * 40; /* mm3 */
    const double a[3] = {1000 * v_right, 1000 * v_left, 4000 * v_tum};
    const char *names[3] = {"liver_right", "liver_left", "tumour1"};
    double atot = a[0] + a[1] + a[2];
    size_t count[Y90_MAX_LABELS] = {0};
    for (size_t i = 0; i < s.nspheres; i++) {
        size_t v;
        double p[3];
        y90_sphere_centre(&g, &s.spheres[i], p);
        CU_ASSERT_EQUAL_FATAL(y90_grid_locate(&g, p, &v), 0);
        count[g.label[v]]++;
    }
    double nliver = (double)(s.nspheres - s.spheres_in_lung);
    for (int k = 0; k < 3; k++) {
        int id = -1;
        for (int i = 0; i < g.nstructures; i++)
            if (strcmp(g.structures[i].name, names[k]) == 0) id = i;
        CU_ASSERT_FATAL(id >= 0);
        double pk = a[k] / atot, mean = nliver * pk, sd = sqrt(nliver * pk * (1 - pk));
        if (fabs((double)count[id] - mean) > 3 * sd)
            fprintf(stderr, "\n  %s %s: %zu spheres, expected %.1f +- %.1f", labels, names[k], count[id], mean, sd);
        CU_ASSERT(fabs((double)count[id] - mean) <= 3 * sd);
    }
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
}

static void test_sphere_counts(void)
{
    CU_ASSERT_FATAL(make_case());
    check_counts("labels.nii.gz", "pet.nii.gz");
    check_counts("labels.h5", "pet.h5");
    /* the two label maps build the same grid */
    y90_config c1, c2;
    y90_grid g1 = {0}, g2 = {0};
    y90_error err = {0};
    CU_ASSERT_EQUAL_FATAL(y90_config_load(write_config("a.yaml", "labels.nii.gz", "ct.nii", "pet.nii.gz", 1), &c1,
                                          &err), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_config_load(write_config("b.yaml", "labels.h5", "ct.nii", "pet.h5", 1), &c2, &err),
                          Y90_OK);
    y90_phantom_params p1 = y90_config_phantom(&c1), p2 = y90_config_phantom(&c2);
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p1, 0, &g1, NULL, &err), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_phantom_build(&p2, 0, &g2, NULL, &err), Y90_OK);
    CU_ASSERT_EQUAL(memcmp(g1.label, g2.label, y90_grid_nvox(&g1)), 0);
    CU_ASSERT_EQUAL(memcmp(g1.density, g2.density, y90_grid_nvox(&g1) * sizeof(float)), 0);
    CU_ASSERT_EQUAL(g1.ntumours, 1);
    /* the liver's density from the CT: 60 HU on the soft-tissue segment of Schneider 2000 */
    size_t v;
    const double p[3] = {10, 0, 0};
    CU_ASSERT_EQUAL(y90_grid_locate(&g1, p, &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(g1.density[v], 1.0045 + 1.1545e-3 * 60, 2e-4);
    CU_ASSERT_STRING_EQUAL(g1.material_names[g1.material[v]], "liver");
    y90_grid_free(&g1);
    y90_grid_free(&g2);
    y90_config_free(&c1);
    y90_config_free(&c2);
}

/* source.type activity_map with source.clustering (lognormal, mean 6) on the synthetic case, 100,000 resin spheres:
 * the cluster sizes (the cut last cluster of the lung and liver groups left out) pass the chi-square test against
 * the configured distribution and fail it against a geometric one of the same mean; the liver spheres per
 * structure lie within 3 sigma of the image's shares (analytic volumes x concentrations, as check_counts), sigma^2
 * = p (1 - p) sum_c k_c^2 over the liver clusters of k_c spheres (clusters land whole); the lung spheres in the
 * lung. */
static void test_clustered_activity_map(void)
{
    CU_ASSERT_FATAL(make_case());
    char text[4096], with[4200];
    snprintf(text, sizeof text, CASE_YAML, "labels.nii.gz", "ct.nii", "pet.nii.gz", LUNG_ENTRY);
    const char *t = strstr(text, "treatment:\n  activity_gbq: 0.05\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    snprintf(with, sizeof with, "%.*s  product: sir_spheres\n  clustering: lognormal\n  cluster_mean: 6\n"
             "treatment:\n  activity_gbq: 0.005\n%s", (int)(t - text), text, t + strlen("treatment:\n  activity_gbq: 0.05\n"));
    char path[1200];
    snprintf(path, sizeof path, "%s/clustered.yaml", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(with, f);
    fclose(f);
    y90_config c;
    y90_grid g = {0};
    y90_sources s = {0};
    y90_error err = {0};
    y90_status st = build_case(path, &c, &g, &s, &err);
    if (st) fprintf(stderr, "\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(st, Y90_OK);
    CU_ASSERT_EQUAL(s.nspheres, 100000);
    CU_ASSERT(s.storage == Y90_SPHERES_TABLE && s.nclusters > 1000 && s.nclusters_lung > 0);
    size_t *hist = calloc(Y90_CLUSTER_MAX + 1, sizeof *hist), nh = 0;
    for (size_t k = 0; k < s.nclusters; k++)
        if (k + 1 != s.nclusters_lung && k + 1 != s.nclusters) hist[s.cluster_start[k + 1] - s.cluster_start[k]]++, nh++;
    int dof;
    double p = y90t_cluster_chi2_p(&c.source, hist, Y90_CLUSTER_MAX, nh, &dof);
    y90_source_params geo = c.source;
    geo.clustering = Y90_CLUSTER_GEOMETRIC;
    double p_wrong = y90t_cluster_chi2_p(&geo, hist, Y90_CLUSTER_MAX, nh, &dof);
    fprintf(stderr, "\n    %zu clusters: size histogram p = %.3g (%d dof), against geometric %.3g ", nh, p, dof, p_wrong);
    CU_ASSERT(p > 1e-3);
    CU_ASSERT(p_wrong < 1e-6);
    free(hist);
    const double v_tum = 16.0 * 16 * 16, v_right = 40.0 * 48 * 40 - v_tum, v_left = 24.0 * 48 * 40; /* mm3 */
    const double a[3] = {1000 * v_right, 1000 * v_left, 4000 * v_tum};
    const char *names[4] = {"liver_right", "liver_left", "tumour1", "lung"};
    double got[Y90_MAX_LABELS] = {0}, k2 = 0;
    for (size_t k = 0; k < s.nclusters; k++) {
        double kk = (double)(s.cluster_start[k + 1] - s.cluster_start[k]);
        if (k >= s.nclusters_lung) k2 += kk * kk;
    }
    for (size_t i = 0; i < s.nspheres; i++) got[g.label[s.spheres[i].voxel]]++;
    double nliver = (double)(s.nspheres - s.spheres_in_lung), atot = a[0] + a[1] + a[2];
    for (int k = 0; k < 4; k++) {
        int id = -1;
        for (int i = 0; i < g.nstructures; i++)
            if (strcmp(g.structures[i].name, names[k]) == 0) id = i;
        CU_ASSERT_FATAL(id >= 0);
        if (k == 3) { /* shunted clusters lodge in the lung; spheres of a cluster at its edge may spill over the
                         * label boundary by the cluster spread (30 um of 4 mm voxels) */
            size_t in = 0;
            for (size_t i = 0; i < s.spheres_in_lung; i++) in += g.label[s.spheres[s.cluster_members[i]].voxel] == id;
            fprintf(stderr, "\n    lung: %zu of the %zu shunted spheres in lung voxels ", in, s.spheres_in_lung);
            CU_ASSERT(s.spheres_in_lung == 10000 && (double)in >= 0.98 * (double)s.spheres_in_lung);
            continue;
        }
        double pk = a[k] / atot, mean = nliver * pk, sd = sqrt(pk * (1 - pk) * k2);
        fprintf(stderr, "\n    %-12s %6.0f spheres, expected %8.1f +- %.1f ", names[k], got[id], mean, sd);
        CU_ASSERT(fabs(got[id] - mean) <= 3 * sd);
    }
    y90_sources_free(&s);
    y90_grid_free(&g);
    y90_config_free(&c);
}

/* A run through the CLI: the output's spheres, read with h5py, lie in the hot voxel that nibabel locates. */
static void test_cli_hot_voxel_nibabel(void)
{
    CU_ASSERT_FATAL(make_case());
    const char *cfg = write_config("hot_cli.yaml", "labels.nii.gz", "ct.nii", "hot.nii.gz", 1);
    char *out = NULL;
    int rc = y90t_clif(&out, "run %s -o %s --quiet", cfg, cpath("hot.h5"));
    if (rc) fprintf(stderr, "\n  %s\n", out ? out : "");
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    free(out);
    out = NULL;
    rc = y90t_sh(&out,
                 PY " -c \"import h5py, nibabel as nib, numpy as np\n"
                 "img = nib.load('%s'); d = np.asanyarray(img.dataobj); (idx,) = np.argwhere(d > 0)\n"
                 "c = [img.affine @ np.array([*(idx + s), 1.0]) for s in (-0.5, 0.5)]\n"
                 "lo = np.minimum(c[0][:3] * [-1, -1, 1], c[1][:3] * [-1, -1, 1]); hi = np.maximum(c[0][:3] * [-1, -1, 1], c[1][:3] * [-1, -1, 1])\n"
                 "f = h5py.File('%s', 'r'); m = f['microspheres'][:]; lab = f['labels'][:]\n"
                 "names = [n.decode() if isinstance(n, bytes) else n for n in f['labels'].attrs['names']]\n"
                 "sp = np.array(f.attrs['spacing_mm']); org = np.array(f.attrs['origin_mm'])\n"
                 "nz, ny, nx = lab.shape; v = m['voxel'].astype(np.int64)\n"
                 "ijk0 = np.stack([v %% nx, (v // nx) %% ny, v // (nx * ny)], 1)\n"
                 "off = np.stack([m['x_offset_mm'], m['y_offset_mm'], m['z_offset_mm']], 1).astype(float)\n"
                 "p = org + (ijk0 - 0.5) * sp + off  # the centre, as the README documents the version-2 table\n"
                 "ijk = np.floor((p - org) / sp + 0.5).astype(int)\n"
                 "l = np.array([names[lab[k, j, i]] for i, j, k in ijk])\n"
                 "inside = np.all((p >= lo) & (p <= hi), 1)\n"
                 "print('liver spheres', int((l != 'lung').sum()), 'in the hot voxel', int(inside[l != 'lung'].sum()), 'lung', int((l == 'lung').sum()))\n"
                 "assert (l != 'lung').sum() > 0 and inside[l != 'lung'].all() and (l == 'lung').sum() > 0\n\"",
                 cpath("hot.nii.gz"), cpath("hot.h5"));
    if (rc) fprintf(stderr, "\n  %s\n", out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    Y90T_HAS(out, "in the hot voxel");
    free(out);
}

/* An image whose reading would exceed the memory limit is refused from its header, naming the file and the need:
 * the 32 x 48 x 40 int16 CT needs 61440 x (2 + 8) bytes, the 24 x 20 x 16 HDF5 label map 7680 x 8. */
static void test_image_memory_limit(void)
{
    CU_ASSERT_FATAL(make_case());
    y90_image img;
    y90_error err = {0};
    CU_ASSERT_EQUAL(y90_image_read(cpath("ct.nii"), 614400, &img, &err), Y90_OK);
    y90_image_free(&img);
    CU_ASSERT_EQUAL(y90_image_read(cpath("ct.nii"), 614399, &img, &err), Y90_ENOMEM);
    Y90T_HAS(err.msg, "ct.nii: reading this 32 x 48 x 40 image needs 0.000614 GB, more than the 0.000614 GB allowed");
    CU_ASSERT_EQUAL(y90_image_read(cpath("labels.h5"), 61440, &img, &err), Y90_OK);
    y90_image_free(&img);
    CU_ASSERT_EQUAL(y90_image_read(cpath("labels.h5"), 61439, &img, &err), Y90_ENOMEM);
    Y90T_HAS(err.msg, "labels.h5: reading this 24 x 20 x 16 image needs");
}

/* The partition model of an activity-map run uses the image's own T/N: PET 4000 Bq/ml in the tumour (50 HU) and
 * 1000 in the normal liver (60 HU), per gram with Schneider's soft-tissue densities 1.0045 + 1.1545e-3 HU g/cm3:
 * 4 x 1.07377 / 1.06223 = 4.0435; the config's tn_ratio (7) is not used. */
static void test_tn_from_map(void)
{
    CU_ASSERT_FATAL(make_case());
    const char *cfg = write_config("tn.yaml", "labels.nii.gz", "ct.nii", "pet.nii.gz", 1);
    char *out = NULL;
    const char *h5 = cpath("tn.h5");
    int rc = y90t_clif(&out, "run %s -o %s --set treatment.tn_ratio=7 --quiet", cfg, h5);
    if (rc) fprintf(stderr, "\n  %s\n", out ? out : "");
    free(out);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const double rho_n = 1.0045 + 1.1545e-3 * 60, rho_t = 1.0045 + 1.1545e-3 * 50, want = 4.0 * rho_n / rho_t;
    double tn = 0;
    char from[32] = "";
    CU_ASSERT_EQUAL(y90_io_read_attr_double(h5, "/treatment", "tn_ratio", &tn, NULL), Y90_OK);
    CU_ASSERT_EQUAL(y90_io_read_attr_string(h5, "/treatment", "tn_ratio_source", from, sizeof from, NULL), Y90_OK);
    printf("\n  T/N of the map %.5f (expected %.5f), from %s", tn, want, from);
    CU_ASSERT_DOUBLE_EQUAL(tn, want, 2e-4 * want); /* densities are float32 */
    CU_ASSERT_STRING_EQUAL(from, "activity_map");
    out = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&out, "report %s", h5), 0);
    Y90T_HAS(out, "T/N = 4.04 of the activity map");
    free(out);
}

/* Bad images: exit 2, the message names the file, and no output is written. */
static void expect_refused(const char *name, const char *labels, const char *ct, const char *act, int lung,
                           const char *file, const char *why)
{
    const char *cfg = write_config(name, labels, ct, act, lung);
    char outp[1200], *out = NULL;
    snprintf(outp, sizeof outp, "%s/%s.h5", dir, name);
    int rc = y90t_clif(&out, "run %s -o %s --quiet", cfg, outp);
    CU_ASSERT_EQUAL(rc, 2);
    Y90T_HAS(out, file);
    Y90T_HAS(out, why);
    CU_ASSERT(!y90_file_exists(outp));
    free(out);
}

static void test_bad_images(void)
{
    CU_ASSERT_FATAL(make_case());
    /* corrupt: random bytes; truncated: half of each file */
    FILE *f = fopen(cpath("corrupt.nii.gz"), "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 4000; i++) fputc((i * 7919 + 13) & 0xff, f);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(y90t_sh(NULL, "cd %s && head -c 100000 ct.nii > trunc_ct.nii && head -c 200 pet.nii.gz > "
                                  "trunc_pet.nii.gz && head -c 20000 labels.h5 > trunc_labels.h5", dir), 0);
    expect_refused("corrupt", "corrupt.nii.gz", "ct.nii", "pet.nii.gz", 1, "corrupt.nii.gz", "not a readable NIfTI");
    expect_refused("trunc_ct", "labels.nii.gz", "trunc_ct.nii", "pet.nii.gz", 1, "trunc_ct.nii", "truncated");
    expect_refused("trunc_pet", "labels.nii.gz", "ct.nii", "trunc_pet.nii.gz", 1, "trunc_pet.nii.gz", "truncated");
    expect_refused("trunc_h5", "trunc_labels.h5", "ct.nii", "pet.nii.gz", 1, "trunc_labels.h5",
                   "not a readable HDF5");
    expect_refused("spacing", "labels.nii.gz", "ct.nii", "bad_spacing.h5", 1, "bad_spacing.h5", "spacing_mm");
    expect_refused("oblique", "bad_oblique.nii.gz", "ct.nii", "pet.nii.gz", 1, "bad_oblique.nii.gz", "oblique");
    expect_refused("half_ct", "labels.nii.gz", "bad_ct_half.nii.gz", "pet.nii.gz", 1, "bad_ct_half.nii.gz",
                   "does not cover the label map");
    expect_refused("no_lung_entry", "labels.nii.gz", "ct.nii", "pet.nii.gz", 0, "labels.nii.gz",
                   "label value 4");
    expect_refused("missing", "labels.nii.gz", "ct.nii", "nothere.nii.gz", 1, "nothere.nii.gz", "not a readable");
}

/* Config errors of the image keys name the file and line. */
static void test_config_errors(void)
{
    y90_config c;
    y90_error err = {0};
    const char *bad[][2] = {
        {"phantom: {type: image}\ntreatment: {activity_gbq: 1}\n", "needs phantom.label_file"},
        {"phantom: {type: image, label_file: a.nii}\ntreatment: {activity_gbq: 1}\n", "needs a `labels` section"},
        {"phantom: {ct_file: a.nii}\ntreatment: {activity_gbq: 1}\n", "phantom.type is not image"},
        {"phantom: {type: image, label_file: a.nii}\nsource: {type: activity_map}\ntreatment: {activity_gbq: 1}\n"
         "labels: [{value: 1, name: liver}]\n", "needs source.activity_file"},
        {"phantom: {type: image, label_file: a.nii}\ntreatment: {activity_gbq: 1}\nlabels: [{value: 1, name: x, "
         "kind: liver}]\n", "labels.kind = 'liver'"},
        {"phantom: {type: image, label_file: a.nii}\ntreatment: {activity_gbq: 1}\nlabels: [{value: 1, name: x}, "
         "{value: 1, name: y}]\n", "given twice"},
        {"phantom: {type: image, label_file: a.nii, hu_points: [0, -10], hu_densities: [1, 1]}\ntreatment: {activity_gbq: 1}\nlabels: "
         "[{value: 1, name: x}]\n", "ascending"},
        {"phantom: {type: image, label_file: a.nii}\ntreatment: {activity_gbq: 1}\nlabels: [{value: 1, name: x, "
         "material: unobtainium}]\n", "unknown"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        y90_status st = y90_config_parse("t.yaml", bad[i][0], strlen(bad[i][0]), &c, &err);
        CU_ASSERT_EQUAL(st, Y90_EINPUT);
        Y90T_HAS(err.msg, bad[i][1]);
        Y90T_HAS(err.msg, "t.yaml");
        y90_config_free(&c);
    }
    /* relative names are taken from the config's folder; the effective config lists the labels */
    const char *ok = "phantom: {type: image, label_file: img/l.nii.gz}\ntreatment: {activity_gbq: 1}\n"
                     "labels: [{value: 1, name: liver, kind: liver_normal, lobe: right, material: liver}]\n";
    CU_ASSERT_EQUAL_FATAL(y90_config_parse("/data/p1/case.yaml", ok, strlen(ok), &c, &err), Y90_OK);
    CU_ASSERT_STRING_EQUAL(c.phantom.label_file, "/data/p1/img/l.nii.gz");
    char *eff = y90_config_effective(&c);
    Y90T_HAS(eff, "label_file: \"/data/p1/img/l.nii.gz\"");
    Y90T_HAS(eff, "{value: 1, name: \"liver\", kind: liver_normal, lobe: right, tumour: 0, material: \"liver\"");
    y90_config c2;
    CU_ASSERT_EQUAL(y90_config_parse("eff.yaml", eff, strlen(eff), &c2, &err), Y90_OK); /* re-parseable */
    CU_ASSERT_EQUAL(c2.phantom.nlabels, 1);
    free(eff);
    y90_config_free(&c2);
    y90_config_free(&c);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("image", NULL, NULL);
    CU_add_test(s, "label map orientation, NIfTI and HDF5, against nibabel", test_label_orientation);
    CU_add_test(s, "an activity map's own T/N in /treatment and the partition model", test_tn_from_map);
    CU_add_test(s, "an image over the memory limit is refused from its header", test_image_memory_limit);
    CU_add_test(s, "CT with permuted axes", test_ct_permuted);
    CU_add_test(s, "Schneider 2000 HU curve and bins", test_hu_curve);
    CU_add_test(s, "activity resampling conserves the amount; a hot voxel lands in place", test_resample_amount);
    CU_add_test(s, "sphere counts per structure within 3 sigma", test_sphere_counts);
    CU_add_test(s, "activity_map with clustering: cluster sizes (chi-square), counts within 3 sigma",
                test_clustered_activity_map);
    CU_add_test(s, "CLI run: spheres in the hot voxel (h5py + nibabel)", test_cli_hot_voxel_nibabel);
    CU_add_test(s, "corrupt, truncated, mismatched images: exit 2, nothing written", test_bad_images);
    CU_add_test(s, "image config keys", test_config_errors);
}
