/* y90mc CLI: `export`: one quantity of an output file as NIfTI-1, MetaImage or DICOM RT Dose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "y90/export.h"
#include "y90/io.h"

typedef enum { FMT_NIFTI, FMT_MHA, FMT_RTDOSE } export_format;

static int export_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "y90mc export: %s%s%s (see y90mc --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

/* OUT.h5 -> OUT_<quantity><ext> when -o is not given. */
static int default_output(const char *h5, const char *quantity, const char *ext, char *buf, size_t len)
{
    size_t n = strlen(h5);
    if (n > 3 && strcmp(h5 + n - 3, ".h5") == 0) n -= 3;
    return (size_t)snprintf(buf, len, "%.*s_%s%s", (int)n, h5, quantity, ext) < len ? 0 : -1;
}

/* FILE.nii.gz / FILE.nii -> FILE.ctbl: the colour table beside a label volume. */
static int colour_table_path(const char *nii, char *buf, size_t len)
{
    size_t n = strlen(nii);
    if (n > 7 && strcmp(nii + n - 7, ".nii.gz") == 0) n -= 7;
    else if (n > 4 && strcmp(nii + n - 4, ".nii") == 0) n -= 4;
    return (size_t)snprintf(buf, len, "%.*s.ctbl", (int)n, nii) < len ? 0 : -1;
}

static int write_export(const char *in, export_format fmt, const char *out, int force, y90_quantity q,
                        const y90_rtdose_options *dcm)
{
    y90_error e = {0};
    char ctbl[4096] = "";
    y90_status st = Y90_OK;
    if (fmt == FMT_RTDOSE && q != Y90_Q_DOSE && q != Y90_Q_UNCERTAINTY)
        return export_usage("--format rtdose holds --quantity dose or uncertainty, not", y90_quantity_name(q));
    if (y90_same_file(in, out)) return export_usage("the output would overwrite the input file", out);
    if (fmt == FMT_NIFTI && q == Y90_Q_LABELS) {
        if (colour_table_path(out, ctbl, sizeof ctbl)) return export_usage("output path too long", out);
        st = y90_check_output(ctbl, force, &e); /* before any work, like the image itself */
    }
    if (st == Y90_OK) st = y90_check_output(out, force, &e);
    if (st != Y90_OK) return y90_cli_fail(&e);
    y90_volume v;
    st = y90_volume_read(in, q, &v, &e);
    if (st != Y90_OK) return y90_cli_fail(&e);
    if (fmt == FMT_NIFTI) st = y90_export_nifti(&v, out, force, &e);
    else if (fmt == FMT_MHA) st = y90_export_mha(&v, out, force, &e);
    else st = y90_export_rtdose(&v, out, force, dcm, &e);
    if (st == Y90_OK && ctbl[0]) st = y90_export_colour_table(&v, ctbl, force, &e);
    int rc = st == Y90_OK ? 0 : y90_cli_fail(&e);
    if (!rc)
        fprintf(stderr, "wrote %s (%s, %d x %d x %d voxels, max %g%s%s)%s%s\n", out, v.name, v.grid.nx, v.grid.ny,
                v.grid.nz, v.max, v.units[0] ? " " : "", v.units, ctbl[0] ? " and its colour table " : "", ctbl);
    y90_volume_free(&v);
    return rc;
}

int y90_cli_export(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *format = NULL, *quantity = "dose";
    y90_rtdose_options dcm = {0};
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--force")) force = 1;
        else if (!strcmp(a, "-o") && v) out = argv[++i];
        else if (!strcmp(a, "--format") && v) format = argv[++i];
        else if (!strcmp(a, "--quantity") && v) quantity = argv[++i];
        else if (!strcmp(a, "--study-uid") && v) dcm.study_uid = argv[++i];
        else if (!strcmp(a, "--frame-uid") && v) dcm.frame_uid = argv[++i];
        else if (!strcmp(a, "--patient-id") && v) dcm.patient_id = argv[++i];
        else if (!strcmp(a, "--patient-name") && v) dcm.patient_name = argv[++i];
        else if (!strcmp(a, "--bits") && v) {
            i++;
            if (strcmp(v, "16") && strcmp(v, "32")) return export_usage("--bits: expected 16 or 32", v);
            dcm.bits = atoi(v);
        }
        else if (a[0] == '-') return export_usage("unknown option or missing value", a);
        else if (!in) in = a;
        else return export_usage("more than one input file", a);
    }
    if (!in || !format) return export_usage("expected OUT.h5 and --format nifti|mha|rtdose", NULL);
    export_format fmt;
    const char *ext;
    if (!strcmp(format, "nifti")) fmt = FMT_NIFTI, ext = ".nii.gz";
    else if (!strcmp(format, "mha")) fmt = FMT_MHA, ext = ".mha";
    else if (!strcmp(format, "rtdose")) fmt = FMT_RTDOSE, ext = ".dcm";
    else return export_usage("--format: expected nifti, mha or rtdose", format);
    y90_quantity q;
    if (y90_quantity_from_name(quantity, &q))
        return export_usage("--quantity: expected dose, uncertainty, labels or density", quantity);
    if (fmt != FMT_RTDOSE && (dcm.study_uid || dcm.frame_uid || dcm.patient_id || dcm.patient_name || dcm.bits))
        return export_usage("--study-uid, --frame-uid, --patient-id, --patient-name and --bits are for --format rtdose",
                            NULL);
    if (dcm.study_uid && !y90_uid_valid(dcm.study_uid))
        return export_usage("--study-uid: expected a DICOM UID (digits and dots, at most 64 characters)", dcm.study_uid);
    if (dcm.frame_uid && !y90_uid_valid(dcm.frame_uid))
        return export_usage("--frame-uid: expected a DICOM UID (digits and dots, at most 64 characters)", dcm.frame_uid);
    char def[4096];
    if (!out) {
        if (default_output(in, quantity, ext, def, sizeof def)) return export_usage("input path too long", in);
        out = def;
    }
    return write_export(in, fmt, out, force, q, &dcm);
}
