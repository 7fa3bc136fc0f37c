/* The README's route from DICOM, end to end: tests/scripts/make_dicom_case.py writes the synthetic patient of
 * make_image_case.py as a CT series, a 90Y PET series (Bq/ml, one hot voxel) and an RT Structure Set (pydicom, slices in
 * shuffled order); dcm2niix and plastimatch convert them with the README's commands; nibabel finds every label, HU and
 * Bq/ml where the boxes put them; and `y90mc check` on the converted images gives the boxes' volumes and the PET's
 * activity. dcm2niix, plastimatch (Debian packages, installed by .ci/deps), /usr/bin/python3 with pydicom and nibabel:
 * a missing one fails the test. */
#include "testutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[1100];
static int converted; /* the suite's conversions worked */

static int suite_init(void)
{
    snprintf(dir, sizeof dir, "%s/case", y90t_dir());
    char *out = NULL;
    int rc = y90t_sh(&out, "/usr/bin/python3 %s/tests/scripts/make_dicom_case.py %s && cd %s && mkdir img && "
                           "dcm2niix -z y -f ct -o img/ dicom/CT/ && dcm2niix -z y -f pet -o img/ dicom/PET/ && "
                           "plastimatch convert --input dicom/RTSTRUCT.dcm --referenced-ct dicom/CT "
                           "--output-labelmap img/labels.nii.gz --output-ss-list img/labels.txt",
                     Y90_SOURCE_DIR, dir, dir);
    if (rc != 0) printf("\nDICOM case or its conversion failed (exit %d):\n%s", rc, out ? out : "");
    free(out);
    converted = rc == 0;
    return 0;
}

/* A number following `key` in text, or NAN. */
static double after(const char *text, const char *key)
{
    const char *p = text ? strstr(text, key) : NULL;
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

static double truth(const char *name)
{
    char path[1200], key[64];
    snprintf(path, sizeof path, "%s/truth.txt", dir);
    snprintf(key, sizeof key, "volume_ml %s ", name);
    char *t = y90t_slurp(path, NULL);
    double v = after(t, key);
    free(t);
    return v;
}

/* nibabel reads what dcm2niix and plastimatch wrote: every voxel's label, HU and Bq/ml as the boxes put them, the
 * hot PET voxel at its LPS position, and plastimatch's label values (list index + 1, later structures win). */
static void test_converted_images(void)
{
    CU_ASSERT_FATAL(converted);
    char *out = NULL;
    int rc = y90t_sh(&out, "/usr/bin/python3 %s/tests/scripts/make_dicom_case.py check %s", Y90_SOURCE_DIR, dir);
    printf("\n%s", out ? out : "");
    CU_ASSERT_EQUAL(rc, 0);
    Y90T_HAS(out, "labels: 0 of 30720 voxels differ");
    Y90T_HAS(out, "value lung 1\n");
    Y90T_HAS(out, "value liver_right 2\n");
    Y90T_HAS(out, "value liver_left 3\n");
    Y90T_HAS(out, "value tumour1 4\n");
    free(out);
}

/* y90mc reads the converted images: volumes from the boxes' geometry (truth.txt), the PET's activity from nibabel's
 * sum (the check script), the tumour in the right lobe. */
static void test_y90mc_reads_them(void)
{
    CU_ASSERT_FATAL(converted);
    char *py = NULL;
    CU_ASSERT_EQUAL_FATAL(y90t_sh(&py, "/usr/bin/python3 %s/tests/scripts/make_dicom_case.py check %s",
                                  Y90_SOURCE_DIR, dir), 0);
    double pet_bq = after(py, "pet_total_bq ");
    free(py);
    char cfg[1200];
    snprintf(cfg, sizeof cfg, "%s/case.yaml", dir);
    FILE *f = fopen(cfg, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("phantom:\n  type: image\n  label_file: img/labels.nii.gz\n  ct_file: img/ct.nii.gz\n"
          "source:\n  type: activity_map\n  activity_file: img/pet.nii.gz\n  activity_kind: pet_bq_ml\n"
          "  product: therasphere\ntreatment:\n  activity_gbq: 0.3\n  lung_shunt_fraction: 0.1\n"
          "transport:\n  kernel: mc\n  histories: 20000\nlabels:\n"
          "  - {value: 2, name: liver_right, kind: liver_normal, lobe: right, material: liver}\n"
          "  - {value: 3, name: liver_left, kind: liver_normal, lobe: left, material: liver}\n"
          "  - {value: 4, name: tumour1, kind: tumour_viable, lobe: right, tumour: 1, material: liver}\n"
          "  - {value: 1, name: lung, kind: lung}\n",
          f);
    fclose(f);
    char *out = NULL;
    CU_ASSERT_EQUAL(y90t_clif(&out, "check %s", cfg), 0);
    printf("\n%s", out ? out : "");
    double liver = truth("liver_right") + truth("liver_left") + truth("tumour1");
    CU_ASSERT(fabs(after(out, "phantom: liver ") - liver) < 0.051);            /* printed to 0.1 ml */
    CU_ASSERT(fabs(after(out, "right lobe ") - truth("liver_right") - truth("tumour1")) < 0.051);
    CU_ASSERT(fabs(after(out, "left lobe ") - truth("liver_left")) < 0.051);
    CU_ASSERT(fabs(after(out, "1 tumours ") - truth("tumour1")) < 0.051);
    CU_ASSERT(fabs(after(out, "lungs ") - truth("lung")) < 0.051);
    CU_ASSERT(fabs(after(out, "pet.nii.gz: ") / pet_bq - 1) < 5e-4); /* printed to 4 digits */
    free(out);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("dicom", suite_init, NULL);
    CU_add_test(s, "dcm2niix and plastimatch output as the boxes put it (nibabel)", test_converted_images);
    CU_add_test(s, "y90mc check on the converted images: volumes and activity", test_y90mc_reads_them);
}
