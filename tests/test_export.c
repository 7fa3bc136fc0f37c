/* Frame, XDMF sidecar and `y90mc export`, end to end through the CLI: the HDF5 root attributes frame and direction;
 * a box that is not a whole number of voxels rounded with a warning; OUT.xdmf beside every OUT.h5 (relative path,
 * z y x order, cell dimensions), kept or replaced with the HDF5 file (a stale one without it replaced); NIfTI read back
 * by nibabel (a voxel of known dose at a known LPS position lands at the right RAS position), MetaImage, DICOM RT
 * Dose read back by pydicom within the grid scaling's rounding and passed by dciodvfy (dicom3tools), the Slicer
 * colour table; bad input refused with exit 2 and nothing written. The readers are tests/scripts/check_exports.py
 * (/usr/bin/python3 with h5py, nibabel, pydicom: .ci/deps installs them; a missing one fails the test). */
#include "testutil.h"
#include "y90/io.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 90Y: full-decay energy per GBq, ICRP 107 (T1/2 64.10 h, mean beta energy 0.93310 MeV), written out here so that
 * the known dose does not come from the code under test. */
#define GY_KG_PER_GBQ (64.10 * 3600.0 / 0.69314718055994531 * 1e9 * 0.93310 * 1.602176634e-13)

/* A 14 x 10 x 8 mm water box of 2 mm voxels asked as 13 x 10 x 8 mm (rounded, with a warning), centred on 0: voxel
 * lower corner (-7, -5, -4) mm. A point source at LPS (3.5, -2.5, 1.0) mm with local deposition puts all its dose
 * in voxel (i, j, k) = (5, 1, 2), whose centre is LPS (4, -2, 1) mm; 1 GBq in 8 mm3 of water (8e-6 kg). */
#define POINT_YAML                                                                                              \
    "phantom:\n  type: box\n  voxel_mm: 2\n  box_size_mm: [13, 10, 8]\n  material: water\n  density: 1.0\n"      \
    "source:\n  type: point\n  point_mm: [3.5, -2.5, 1.0]\ntreatment:\n  activity_gbq: 1.0\n"                  \
    "transport:\n  kernel: local\n  histories: 20000\n"

static char dir[1024], point_h5[1100], point_cfg[1100];

static int exists(const char *name)
{
    struct stat sb;
    return stat(y90t_path(name), &sb) == 0;
}

/* No "*.tmp-*" left in the test folder. */
static int temp_files(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strstr(e->d_name, ".tmp-")) n++;
    if (d) closedir(d);
    return n;
}

static int suite_init(void)
{
    snprintf(dir, sizeof dir, "%s", y90t_dir());
    snprintf(point_cfg, sizeof point_cfg, "%s", y90t_write("point.yaml", POINT_YAML));
    snprintf(point_h5, sizeof point_h5, "%s/point.h5", dir);
    char *out = NULL;
    int rc = y90t_sh(&out, "%s run %s -o %s", Y90_CLI, point_cfg, point_h5);
    if (rc != 0) printf("\nrun failed: %s", out ? out : "");
    free(out);
    return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------------------------------------ frame */

static void test_frame_attributes(void)
{
    char frame[64];
    CU_ASSERT_EQUAL_FATAL(y90_io_read_attr_string(point_h5, "/", "frame", frame, sizeof frame, NULL), Y90_OK);
    CU_ASSERT_STRING_EQUAL(frame, "LPS");
    char *out = NULL;
    CU_ASSERT_EQUAL(y90t_sh(&out, "/usr/bin/python3 -c 'import h5py,sys; f=h5py.File(sys.argv[1]); "
                             "print(list(f.attrs[\"direction\"]), list(f.attrs[\"origin_mm\"]))' %s", point_h5), 0);
    Y90T_HAS(out, "[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0] [-6.0, -4.0, -3.0]");
    free(out);
}

/* A file whose frame is not LPS with identity direction (or NaN in it) is refused by every reader. */
static void test_frame_refused(void)
{
    const char *edits[] = {"f.attrs[\"direction\"] = [-1.0, 0, 0, 0, 1, 0, 0, 0, 1]",
                           "f.attrs[\"direction\"] = [float(\"nan\"), 0, 0, 0, 1, 0, 0, 0, 1]",
                           "f.attrs[\"frame\"] = \"RAS\""};
    const char *why[] = {"attribute direction of / is not the identity", "attribute direction of / is not the identity",
                         "attribute frame of / is 'RAS'; expected 'LPS'"};
    for (int i = 0; i < 3; i++) {
        char *out = NULL;
        CU_ASSERT_EQUAL(y90t_sh(NULL, "cp %s %s/frame.h5 && /usr/bin/python3 -c 'import h5py,sys; f=h5py.File(sys.argv[1], "
                                 "\"r+\"); %s' %s/frame.h5", point_h5, dir, edits[i], dir), 0);
        CU_ASSERT_EQUAL(y90t_sh(&out, "%s export %s/frame.h5 --format mha -o %s/frame.mha", Y90_CLI, dir, dir), 2);
        Y90T_HAS(out, why[i]);
        free(out);
        CU_ASSERT(!exists("frame.mha"));
    }
}

static void test_box_rounding_warning(void)
{
    char *out = NULL;
    CU_ASSERT_EQUAL(y90t_sh(&out, "%s check %s", Y90_CLI, point_cfg), 0);
    Y90T_HAS(out, "warning: phantom.box_size_mm = [13, 10, 8] mm is not a whole number of 2 mm voxels; using 14 x 10 x 8 mm");
    free(out);
    const char *whole = y90t_write("whole.yaml", "phantom:\n  type: box\n  voxel_mm: 2\n  box_size_mm: [14, 10, 8]\n"
                                   "  material: water\nsource:\n  type: point\ntreatment:\n  activity_gbq: 1\n");
    CU_ASSERT_EQUAL(y90t_sh(&out, "%s check %s", Y90_CLI, whole), 0);
    CU_ASSERT_PTR_NULL(strstr(out ? out : "", "warning"));
    free(out);
}

/* ------------------------------------------------------------------------------------------------ XDMF */

static void test_xdmf_sidecar(void)
{
    char *x = y90t_slurp(y90t_path("point.xdmf"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    /* cells 7 x 5 x 4 (x y z) are points 8 x 6 x 5, listed z y x; origin = lower corner of voxel 0, z y x */
    Y90T_HAS(x, "TopologyType=\"3DCoRectMesh\" Dimensions=\"5 6 8\"");
    Y90T_HAS(x, ">-4 -5 -7</DataItem>");
    Y90T_HAS(x, ">2 2 2</DataItem>");
    Y90T_HAS(x, "Dimensions=\"4 5 7\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">point.h5:/dose<");
    Y90T_HAS(x, ">point.h5:/dose_rel_uncertainty<");
    Y90T_HAS(x, ">point.h5:/labels<");
    Y90T_HAS(x, ">point.h5:/materials<");
    Y90T_HAS(x, ">point.h5:/density<");
    CU_ASSERT_PTR_NULL(strstr(x, dir)); /* relative: the pair can be moved together */
    free(x);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "/usr/bin/python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "
                             "%s/point.xdmf", dir), 0);
}

static void test_xdmf_force_semantics(void)
{
    char *out = NULL;
    const char *h5 = y90t_path("again.h5");
    char h5c[1100];
    snprintf(h5c, sizeof h5c, "%s", h5);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s run %s -o %s --quiet", Y90_CLI, point_cfg, h5c), 0);
    CU_ASSERT(exists("again.h5") && exists("again.xdmf"));
    /* an existing OUT.h5 keeps both without --force */
    CU_ASSERT_EQUAL(y90t_sh(NULL, "(echo keep > %s/again.xdmf)", dir), 0);
    CU_ASSERT_EQUAL(y90t_sh(&out, "%s run %s -o %s --quiet", Y90_CLI, point_cfg, h5c), 2);
    Y90T_HAS(out, "again.h5: exists; use --force to overwrite");
    free(out);
    char *keep = y90t_slurp(y90t_path("again.xdmf"), NULL);
    CU_ASSERT(keep && strcmp(keep, "keep\n") == 0);
    free(keep);
    /* a sidecar left without its HDF5 file is stale: the next run replaces it */
    CU_ASSERT_EQUAL(y90t_sh(NULL, "rm %s", h5c), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s run %s -o %s --quiet", Y90_CLI, point_cfg, h5c), 0);
    keep = y90t_slurp(y90t_path("again.xdmf"), NULL);
    Y90T_HAS(keep, "again.h5:/dose<");
    free(keep);
    /* --force replaces both; the phantom command writes a sidecar without dose */
    CU_ASSERT_EQUAL(y90t_sh(NULL, "(echo old > %s/again.xdmf)", dir), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s run %s -o %s --quiet --force", Y90_CLI, point_cfg, h5c), 0);
    keep = y90t_slurp(y90t_path("again.xdmf"), NULL);
    Y90T_HAS(keep, "again.h5:/dose<");
    free(keep);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s phantom %s -o %s/ph.h5", Y90_CLI, point_cfg, dir), 0);
    char *px = y90t_slurp(y90t_path("ph.xdmf"), NULL);
    Y90T_HAS(px, "ph.h5:/density<");
    CU_ASSERT_PTR_NULL(strstr(px ? px : "", "/dose"));
    free(px);
    CU_ASSERT_EQUAL(temp_files(), 0);
}

/* ------------------------------------------------------------------------------------------------ exports */

static const char *script(void)
{
    static char s[1100];
    snprintf(s, sizeof s, "/usr/bin/python3 %s/tests/scripts/check_exports.py", Y90_SOURCE_DIR);
    return s;
}

static void test_nifti_known_voxel(void)
{
    char *out = NULL;
    CU_ASSERT_EQUAL(y90t_sh(&out, "%s export %s --format nifti -o %s/dose.nii.gz", Y90_CLI, point_h5, dir), 0);
    Y90T_HAS(out, "wrote");
    free(out);
    /* LPS (3.5, -2.5, 1.0) must be RAS (-3.5, 2.5, 1.0), in the voxel whose centre is LPS (4, -2, 1) by hand */
    CU_ASSERT_EQUAL(y90t_sh(&out, "%s nifti %s %s/dose.nii.gz dose 3.5 -2.5 1.0 4 -2 1", script(), point_h5, dir), 0);
    Y90T_HAS(out, "PASS");
    /* and that voxel holds the whole dose: 1 GBq fully decayed in 8e-6 kg (within the local kernel's sampling of
     * the spectrum's mean energy) */
    char *p = strstr(out ? out : "", "the largest (");
    double d = p ? atof(p + strlen("the largest (")) : 0;
    CU_ASSERT(fabs(d / (GY_KG_PER_GBQ / 8e-6) - 1) < 0.01);
    if (!(fabs(d / (GY_KG_PER_GBQ / 8e-6) - 1) < 0.01)) printf("\n    voxel dose %g, expected %g", d, GY_KG_PER_GBQ / 8e-6);
    free(out);
}

static void test_nifti_quantities_and_labels(void)
{
    const char *q[] = {"uncertainty", "density", "labels"};
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(y90t_sh(NULL, "%s export %s --format nifti --quantity %s -o %s/%s.nii", Y90_CLI, point_h5, q[i], dir,
                           q[i]), 0);
        CU_ASSERT_EQUAL(y90t_sh(NULL, "%s nifti %s %s/%s.nii %s", script(), point_h5, dir, q[i], q[i]), 0);
    }
    CU_ASSERT(exists("labels.ctbl"));
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s ctbl %s %s/labels.ctbl", script(), point_h5, dir), 0);
}

static void test_mha(void)
{
    const char *q[] = {"dose", "labels"};
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(y90t_sh(NULL, "%s export %s --format mha --quantity %s -o %s/%s.mha", Y90_CLI, point_h5, q[i], dir,
                           q[i]), 0);
        CU_ASSERT_EQUAL(y90t_sh(NULL, "%s mha %s %s/%s.mha %s", script(), point_h5, dir, q[i], q[i]), 0);
    }
}

/* dciodvfy prints "Error - ..." for every violation of the IOD; it must print none. */
static void dciodvfy_clean(const char *file)
{
    char *out = NULL;
    int rc = y90t_sh(&out, "dciodvfy %s", file);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(out);
    int clean = out && strstr(out, "RTDose") && !strstr(out, "Error");
    if (!clean) printf("\n    dciodvfy %s:\n%s", file, out ? out : "(no output)");
    CU_ASSERT(clean);
    free(out);
}

static void test_rtdose(void)
{
    const char *study = "1.2.826.0.1.3680043.2.1125.7.1", *frame = "1.2.826.0.1.3680043.2.1125.7.2";
    /* the point run has one hot voxel; the mc-transport-free box still checks geometry, scaling and UIDs */
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s export %s --format rtdose -o %s/d16.dcm --study-uid %s --frame-uid %s "
                             "--patient-id P1 --patient-name 'Doe^Jane'", Y90_CLI, point_h5, dir, study, frame), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s rtdose %s %s/d16.dcm dose %s %s", script(), point_h5, dir, study, frame), 0);
    dciodvfy_clean(y90t_path("d16.dcm"));
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s export %s --format rtdose --bits 32 -o %s/d32.dcm", Y90_CLI, point_h5, dir), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s rtdose %s %s/d32.dcm dose", script(), point_h5, dir), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s export %s --format rtdose --quantity uncertainty -o %s/u.dcm", Y90_CLI, point_h5,
                       dir), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s rtdose %s %s/u.dcm uncertainty", script(), point_h5, dir), 0);
    dciodvfy_clean(y90t_path("u.dcm"));
}

/* A run with transport: many different dose values, so the 16-bit rounding is exercised everywhere. */
static void test_rtdose_transport(void)
{
    const char *cfg = y90t_write("mc.yaml", "phantom:\n  type: slabs\n  voxel_mm: 2\n  box_size_mm: [14, 10, 10]\n"
                                 "  slab_materials: [liver, lung, water]\n  slab_densities: [1.06, 0.26, 0]\n"
                                 "  slab_thickness_mm: [4, 4, 2]\nsource:\n  type: point\n  point_mm: [3.5, -2.5, 3.0]\n"
                                 "treatment:\n  activity_gbq: 1.0\ntransport:\n  kernel: mc\n  histories: 5000\n");
    CU_ASSERT_EQUAL_FATAL(y90t_sh(NULL, "%s run %s -o %s/mc.h5 --quiet", Y90_CLI, cfg, dir), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s export %s/mc.h5 --format rtdose -o %s/mc.dcm", Y90_CLI, dir, dir), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s rtdose %s/mc.h5 %s/mc.dcm dose", script(), dir, dir), 0);
    dciodvfy_clean(y90t_path("mc.dcm"));
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s export %s/mc.h5 --format nifti -o %s/mc.nii.gz", Y90_CLI, dir, dir), 0);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s nifti %s/mc.h5 %s/mc.nii.gz dose", script(), dir, dir), 0);
}

/* ------------------------------------------------------------------------------------------------ bad input */

static void refused(const char *args, const char *message, const char *must_not_exist)
{
    char *out = NULL;
    int rc = y90t_sh(&out, "%s export %s", Y90_CLI, args);
    CU_ASSERT_EQUAL(rc, 2);
    Y90T_HAS(out, message);
    free(out);
    if (must_not_exist) CU_ASSERT(!exists(must_not_exist));
}

static void test_bad_input(void)
{
    char a[4096];
    CU_ASSERT_EQUAL_FATAL(y90t_sh(NULL, "%s phantom %s -o %s/only.h5", Y90_CLI, point_cfg, dir), 0);
    snprintf(a, sizeof a, "%s/only.h5 --format nifti -o %s/x.nii.gz", dir, dir);
    refused(a, "no dataset /dose", "x.nii.gz");
    snprintf(a, sizeof a, "%s/only.h5 --format rtdose --quantity uncertainty -o %s/x.dcm", dir, dir);
    refused(a, "no dataset /dose", "x.dcm");
    snprintf(a, sizeof a, "%s --format jpeg -o %s/x.jpg", point_h5, dir);
    refused(a, "--format: expected nifti, mha or rtdose: jpeg", "x.jpg");
    snprintf(a, sizeof a, "%s --format nifti --quantity activity -o %s/x.nii.gz", point_h5, dir);
    refused(a, "--quantity: expected dose, uncertainty, labels or density: activity", "x.nii.gz");
    snprintf(a, sizeof a, "%s --format rtdose --quantity labels -o %s/x.dcm", point_h5, dir);
    refused(a, "--format rtdose holds --quantity dose or uncertainty", "x.dcm");
    snprintf(a, sizeof a, "%s --format rtdose --study-uid 1.2.03 -o %s/x.dcm", point_h5, dir);
    refused(a, "--study-uid: expected a DICOM UID", "x.dcm");
    snprintf(a, sizeof a, "%s --format nifti -o %s/x.png", point_h5, dir);
    refused(a, "must end in .nii.gz or .nii", "x.png");
    snprintf(a, sizeof a, "%s/missing.h5 --format mha -o %s/x.mha", dir, dir);
    refused(a, "missing.h5: No such file", "x.mha");
    snprintf(a, sizeof a, "%s --format nifti --study-uid 1.2 -o %s/x.nii.gz", point_h5, dir);
    refused(a, "are for --format rtdose", "x.nii.gz");
    /* an existing output is kept without --force, replaced with it */
    CU_ASSERT_EQUAL(y90t_sh(NULL, "(echo keep > %s/old.mha)", dir), 0);
    snprintf(a, sizeof a, "%s --format mha -o %s/old.mha", point_h5, dir);
    refused(a, "old.mha: exists; use --force to overwrite", NULL);
    char *keep = y90t_slurp(y90t_path("old.mha"), NULL);
    CU_ASSERT(keep && strcmp(keep, "keep\n") == 0);
    free(keep);
    CU_ASSERT_EQUAL(y90t_sh(NULL, "%s export %s --force", Y90_CLI, a), 0);
    keep = y90t_slurp(y90t_path("old.mha"), NULL);
    CU_ASSERT(keep && strncmp(keep, "ObjectType = Image", 18) == 0);
    free(keep);
    /* the colour table is checked before any work too */
    CU_ASSERT_EQUAL(y90t_sh(NULL, "(echo keep > %s/lab.ctbl)", dir), 0);
    snprintf(a, sizeof a, "%s --format nifti --quantity labels -o %s/lab.nii.gz", point_h5, dir);
    refused(a, "lab.ctbl: exists; use --force to overwrite", "lab.nii.gz");
    CU_ASSERT_EQUAL(temp_files(), 0);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("export", suite_init, NULL);
    CU_add_test(s, "HDF5 root attributes frame and direction", test_frame_attributes);
    CU_add_test(s, "a file in another frame is refused", test_frame_refused);
    CU_add_test(s, "a box not a whole number of voxels is rounded with a warning", test_box_rounding_warning);
    CU_add_test(s, "XDMF sidecar: relative path, z y x, cell dimensions", test_xdmf_sidecar);
    CU_add_test(s, "XDMF sidecar: kept or replaced with the HDF5 file", test_xdmf_force_semantics);
    CU_add_test(s, "NIfTI: a known voxel at a known LPS position lands at its RAS position", test_nifti_known_voxel);
    CU_add_test(s, "NIfTI: uncertainty, density, labels and the colour table", test_nifti_quantities_and_labels);
    CU_add_test(s, "MetaImage", test_mha);
    CU_add_test(s, "RT Dose: pydicom values and UIDs, dciodvfy clean", test_rtdose);
    CU_add_test(s, "RT Dose and NIfTI of a transport run", test_rtdose_transport);
    CU_add_test(s, "bad input: exit 2, nothing written", test_bad_input);
}
