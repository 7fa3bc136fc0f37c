/* DICOM RT Dose export through DCMTK's dataset API (the one C++ file of y90mc; an extern "C" interface,
 * include/y90/export.h). RT Dose IOD (PS3.3 A.18): Patient, General Study, RT Series, Frame of Reference, General
 * Equipment, General Image, Image Plane, Image Pixel, Multi-frame, RT Dose and SOP Common modules.
 *
 * Geometry: DICOM is LPS like the HDF5 file. One frame per z slice; ImagePositionPatient is the LPS centre of voxel
 * (0,0,0), ImageOrientationPatient 1\0\0\0\1\0 (rows along +x, columns along +y), PixelSpacing dy\dx (row
 * spacing first), GridFrameOffsetVector 0, dz, 2 dz, ... Pixels are unsigned 16-bit (default) or 32-bit integers;
 * value = pixel x DoseGridScaling with DoseGridScaling = max / (2^bits - 1), so the rounding error is at most half a
 * scaling step (16 bits: max / 131070). 16 bits is the default because dicom3tools' dciodvfy (Debian 12) stops on
 * an assertion for any 32-bit Pixel Data (pydicom's own test file rtdose.dcm included), so only 16-bit files can
 * be checked with it. */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <ctime>
#include <vector>
#include <unistd.h>
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

extern "C" {
#include "y90/export.h"
#include "y90/io.h"
}

namespace {

const char *RT_DOSE_STORAGE = "1.2.840.10008.5.1.4.1.1.481.2"; /* PS3.4 B.5 */

struct writer {
    DcmDataset *ds;
    OFCondition status;
    void put(const DcmTagKey &tag, const char *value)
    {
        if (status.good()) status = ds->putAndInsertString(tag, value ? value : "");
    }
    void put(const DcmTagKey &tag, const std::string &value) { put(tag, value.c_str()); }
    void put_us(const DcmTagKey &tag, Uint16 value)
    {
        if (status.good()) status = ds->putAndInsertUint16(tag, value);
    }
};

/* A decimal string (DS: at most 16 characters) as precise as fits. */
std::string ds_value(double v)
{
    for (int prec = 12; prec > 1; prec--) {
        char b[64];
        std::snprintf(b, sizeof b, "%.*g", prec, v);
        if (std::strlen(b) <= 16) return b;
    }
    return "0";
}

std::string fresh_uid(const char *root)
{
    char b[100];
    return dcmGenerateUniqueIdentifier(b, root);
}

void put_patient_study_series(writer &w, const y90_rtdose_options *o, const char *date, const char *tm)
{
    w.put(DCM_SpecificCharacterSet, "ISO_IR 100");
    w.put(DCM_SOPClassUID, RT_DOSE_STORAGE);
    w.put(DCM_SOPInstanceUID, fresh_uid(SITE_INSTANCE_UID_ROOT));
    w.put(DCM_InstanceCreationDate, date);
    w.put(DCM_InstanceCreationTime, tm);
    w.put(DCM_PatientName, o && o->patient_name ? o->patient_name : "");
    w.put(DCM_PatientID, o && o->patient_id ? o->patient_id : "");
    w.put(DCM_PatientBirthDate, "");
    w.put(DCM_PatientSex, "");
    w.put(DCM_StudyInstanceUID, o && o->study_uid ? o->study_uid : fresh_uid(SITE_STUDY_UID_ROOT));
    w.put(DCM_StudyDate, date);
    w.put(DCM_StudyTime, tm);
    w.put(DCM_ReferringPhysicianName, "");
    w.put(DCM_StudyID, o && o->study_uid ? "" : "1");
    w.put(DCM_AccessionNumber, "");
    w.put(DCM_Modality, "RTDOSE");
    w.put(DCM_SeriesInstanceUID, fresh_uid(SITE_SERIES_UID_ROOT));
    w.put(DCM_SeriesNumber, "1");
    w.put(DCM_SeriesDescription, "y90mc Monte Carlo dose");
    w.put(DCM_OperatorsName, "");
    w.put(DCM_FrameOfReferenceUID, o && o->frame_uid ? o->frame_uid : fresh_uid(SITE_INSTANCE_UID_ROOT));
    w.put(DCM_PositionReferenceIndicator, "");
    w.put(DCM_Manufacturer, "y90mc");
    w.put(DCM_SoftwareVersions, y90_version());
    w.put(DCM_InstanceNumber, "1");
    w.put(DCM_ContentDate, date);
    w.put(DCM_ContentTime, tm);
}

void put_geometry(writer &w, const y90_volume *v, int bits)
{
    const y90_grid *g = &v->grid;
    double o[3];
    y90_volume_origin(v, o);
    w.put(DCM_ImagePositionPatient, ds_value(o[0]) + "\\" + ds_value(o[1]) + "\\" + ds_value(o[2]));
    w.put(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
    w.put(DCM_PixelSpacing, ds_value(g->spacing[1]) + "\\" + ds_value(g->spacing[0]));
    w.put(DCM_SliceThickness, ds_value(g->spacing[2]));
    std::string offsets;
    for (int k = 0; k < g->nz; k++) offsets += (k ? "\\" : "") + ds_value(k * g->spacing[2]);
    w.put(DCM_GridFrameOffsetVector, offsets);
    w.put(DCM_NumberOfFrames, std::to_string(g->nz));
    if (w.status.good()) w.status = w.ds->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_GridFrameOffsetVector);
    w.put_us(DCM_Rows, (Uint16)g->ny);
    w.put_us(DCM_Columns, (Uint16)g->nx);
    w.put_us(DCM_SamplesPerPixel, 1);
    w.put(DCM_PhotometricInterpretation, "MONOCHROME2");
    w.put_us(DCM_BitsAllocated, (Uint16)bits);
    w.put_us(DCM_BitsStored, (Uint16)bits);
    w.put_us(DCM_HighBit, (Uint16)(bits - 1));
    w.put_us(DCM_PixelRepresentation, 0);
}

/* Pixels: value / scaling rounded to the nearest integer in [0, top]. */
template <typename T> std::vector<T> pixels(const y90_volume *v, double scaling, double top)
{
    size_t n = y90_grid_nvox(&v->grid);
    std::vector<T> px(n);
    for (size_t i = 0; i < n; i++) {
        double p = std::floor(v->values[i] / scaling + 0.5);
        px[i] = (T)(p <= 0 ? 0 : p >= top ? top : p);
    }
    return px;
}

/* RT Dose module and the pixels. */
void put_dose(writer &w, const y90_volume *v, int bits)
{
    size_t n = y90_grid_nvox(&v->grid);
    double top = bits == 16 ? 65535.0 : 4294967295.0;
    double scaling = v->max > 0 ? v->max / top : 1.0;
    std::string s = ds_value(scaling);
    scaling = std::atof(s.c_str()); /* the value as written, so that the pixels round against it */
    if (scaling * top < v->max) { /* the written scaling must still reach the maximum */
        s = ds_value(scaling * (1 + 1e-10));
        scaling = std::atof(s.c_str());
    }
    int error = v->quantity == Y90_Q_UNCERTAINTY;
    w.put(DCM_DoseUnits, error ? "RELATIVE" : "GY");
    w.put(DCM_DoseType, error ? "ERROR" : "PHYSICAL");
    w.put(DCM_DoseComment, error ? "y90mc 1-sigma relative uncertainty of the dose" :
                                   "y90mc 90Y dose, full decay of the activity at treatment");
    /* no RT Plan or RT Treatment Record exists for radioembolization, and PLAN, BRACHY and RECORD require a
     * reference to one (dciodvfy reports the missing Referenced RT Plan / Treatment Record Sequence as an error);
     * PLAN_OVERVIEW needs neither. dciodvfy of 2022 does not know that defined term (a warning). */
    w.put(DCM_DoseSummationType, "PLAN_OVERVIEW");
    w.put(DCM_DoseGridScaling, s);
    if (!w.status.good()) return;
    if (bits == 16) {
        std::vector<Uint16> px = pixels<Uint16>(v, scaling, top);
        w.status = w.ds->putAndInsertUint16Array(DCM_PixelData, px.data(), (unsigned long)n);
    } else {
        /* OW pixel data: the 32-bit values as pairs of 16-bit words, which on a little-endian host (checked by the
         * caller) is the same byte sequence */
        std::vector<Uint32> px = pixels<Uint32>(v, scaling, top);
        w.status = w.ds->putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16 *>(px.data()),
                                                 (unsigned long)(2 * n));
    }
}

} // namespace

extern "C" int y90_uid_valid(const char *s)
{
    if (!s || !*s || std::strlen(s) > 64) return 0;
    const char *c = s;
    while (*c) {
        const char *start = c;
        while (*c >= '0' && *c <= '9') c++;
        if (c == start || (*start == '0' && c - start > 1)) return 0;
        if (*c == '.') {
            c++;
            if (!*c) return 0;
        } else if (*c) {
            return 0;
        }
    }
    return 1;
}

extern "C" y90_status y90_export_rtdose(const y90_volume *v, const char *path, int force,
                                        const y90_rtdose_options *o, y90_error *err)
{
    if (!v->values || (v->quantity != Y90_Q_DOSE && v->quantity != Y90_Q_UNCERTAINTY))
        return Y90_FAIL(err, Y90_EINPUT, "%s: RT Dose holds dose or its uncertainty, not %s", path,
                        y90_quantity_name(v->quantity));
    const y90_grid *g = &v->grid;
    const Uint16 one = 1;
    if (*reinterpret_cast<const Uint8 *>(&one) != 1)
        return Y90_FAIL(err, Y90_EINTERNAL, "%s: the RT Dose writer supports little-endian hosts only", path);
    if (g->nx > 65535 || g->ny > 65535)
        return Y90_FAIL(err, Y90_EINPUT, "%s: %d x %d voxels per slice: DICOM allows at most 65535 rows and columns",
                        path, g->nx, g->ny);
    if (o && o->study_uid && !y90_uid_valid(o->study_uid))
        return Y90_FAIL(err, Y90_EINPUT, "--study-uid '%s': not a DICOM UID (digits and dots, at most 64)", o->study_uid);
    if (o && o->frame_uid && !y90_uid_valid(o->frame_uid))
        return Y90_FAIL(err, Y90_EINPUT, "--frame-uid '%s': not a DICOM UID (digits and dots, at most 64)", o->frame_uid);
    char tmp[4096];
    y90_status st = y90_check_output(path, force, err);
    if (st == Y90_OK) st = y90_export_tmp_name(path, "", tmp, sizeof tmp, err);
    if (st != Y90_OK) return st;
    char date[16], tm[16];
    std::time_t now = std::time(nullptr);
    std::tm t;
    gmtime_r(&now, &t);
    std::strftime(date, sizeof date, "%Y%m%d", &t);
    std::strftime(tm, sizeof tm, "%H%M%S", &t);
    DcmFileFormat file;
    writer w{file.getDataset(), EC_Normal};
    put_patient_study_series(w, o, date, tm);
    int bits = o && o->bits == 32 ? 32 : 16;
    put_geometry(w, v, bits);
    put_dose(w, v, bits);
    if (w.status.good()) w.status = file.saveFile(tmp, EXS_LittleEndianExplicit);
    if (w.status.bad()) st = Y90_FAIL(err, Y90_EIO, "%s: cannot write %s (DCMTK: %s)", path, tmp, w.status.text());
    return y90_export_finish(tmp, path, force, st, err);
}
