#!/usr/bin/python3
"""The synthetic patient of make_image_case.py as DICOM (pydicom), for the README's route from DICOM
(tests/test_dicom.c): dcm2niix turns the CT and PET series into NIfTI, plastimatch turns the RT Structure Set into a
label map, and y90mc reads the result.

  make_dicom_case.py OUTDIR        writes OUTDIR/dicom/CT/*.dcm (2 x 2 x 4 mm, 48 x 40 x 16, int16 stored as HU + 1024
                                   with RescaleIntercept -1024), OUTDIR/dicom/PET/*.dcm (8 mm, Bq/ml stored as
                                   uint16 with RescaleSlope 0.5, one hot voxel), OUTDIR/dicom/RTSTRUCT.dcm (the four
                                   boxes of make_image_case.BOXES as closed planar contours on every CT slice they
                                   cover, in the order lung, liver_right, liver_left, tumour1) and OUTDIR/truth.txt
                                   (the expected volumes and activities, from the box geometry)
  make_dicom_case.py check OUTDIR  reads OUTDIR/img/{labels.nii.gz,labels.txt,ct.nii.gz,pet.nii.gz} (what dcm2niix
                                   and plastimatch wrote) with nibabel and checks them against the boxes: the label of
                                   every voxel centre, the HU there, the PET concentration there and its hot voxel;
                                   prints the label value of each structure as `value NAME V` lines and `ok` at the
                                   end, or what differs (exit 1)

Slices are written in a shuffled order, so the converters must sort them by position. Every box edge lies on a
multiple of 8 mm and every voxel centre at least 1 mm from an edge, so the rasterised structures are exact.
"""
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_image_case import BOXES, HI, HOT_LPS, HU, LO, PET, label_at  # noqa: E402

NAMES = {4: "lung", 1: "liver_right", 2: "liver_left", 3: "tumour1"}
HOT_BQ_ML = 20000.0
CT_SP = (2.0, 2.0, 4.0)  # mm: x (columns), y (rows), z (slices)
PET_SP = 8.0
PET_LO, PET_HI = LO - 16, HI + 16


def uid(tag):
    import pydicom.uid
    return pydicom.uid.generate_uid(entropy_srcs=["y90mc-test", tag])


def base(path, sop_class, sop_uid, modality, study, series, frame):
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = sop_class, sop_uid, modality
    ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "Synthetic^Y90", "Y90TEST", "", "O"
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = "20261130"
    ds.StudyTime = ds.SeriesTime = ds.AcquisitionTime = "120000"
    ds.StudyID, ds.AccessionNumber, ds.ReferringPhysicianName = "1", "", ""
    ds.Manufacturer = "y90mc test"
    return ds


def image_series(outdir, modality, sop_class, series, study, frame, lo, sp, n, value, slope, intercept, signed):
    """One axial slice per z; value(LPS point) -> stored = (value - intercept) / slope. Returns the SOP UIDs."""
    os.makedirs(outdir, exist_ok=True)
    order = list(range(n[2]))
    random.Random(3).shuffle(order)
    sops = []
    for num, k in enumerate(order):
        z = lo[2] + (k + 0.5) * sp[2]
        sop = uid("%s-%d" % (modality, k))
        ds = base(os.path.join(outdir, "im%03d.dcm" % num), sop_class, sop, modality, study, series, frame)
        ds.SeriesNumber, ds.InstanceNumber = 2 if modality == "PT" else 1, k + 1
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [lo[0] + 0.5 * sp[0], lo[1] + 0.5 * sp[1], z]
        ds.PixelSpacing = [sp[1], sp[0]]  # row spacing (along y), column spacing (along x)
        ds.SliceThickness = sp[2]
        ds.Rows, ds.Columns = n[1], n[0]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1 if signed else 0
        ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
        a = np.zeros((n[1], n[0]))
        for j in range(n[1]):
            for i in range(n[0]):
                a[j, i] = value((lo[0] + (i + 0.5) * sp[0], lo[1] + (j + 0.5) * sp[1], z))
        stored = np.rint((a - intercept) / slope)
        ds.PixelData = stored.astype(np.int16 if signed else np.uint16).tobytes()
        if modality == "PT":
            ds.Units, ds.CorrectedImage, ds.DecayCorrection = "BQML", ["ATTN", "DECY"], "START"
            ds.RescaleType = "BQML"
        else:
            ds.RescaleType, ds.KVP = "HU", 120
        ds.save_as(ds.filename, write_like_original=False)
        sops.append((k, sop))
    return [s for _, s in sorted(sops)]


def pet_value(p):
    """Bq/ml at LPS p: the boxes' concentrations, and HOT_BQ_ML in the PET voxel that holds HOT_LPS."""
    cell = lambda q: tuple(int(np.floor((q[a] - PET_LO[a]) / PET_SP)) for a in range(3))
    return HOT_BQ_ML if cell(p) == cell(HOT_LPS) else PET[label_at(p)]


def write(out):
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence
    study, frame = uid("study"), uid("frame")
    ct_series, pet_series = uid("ct-series"), uid("pet-series")
    nct = tuple(int(round((HI[a] - LO[a]) / CT_SP[a])) for a in range(3))
    ct_sops = image_series(os.path.join(out, "dicom", "CT"), "CT", "1.2.840.10008.5.1.4.1.1.2", ct_series, study,
                           frame, LO, CT_SP, nct, lambda p: HU[label_at(p)], 1.0, -1024.0, True)
    npet = tuple(int(round((PET_HI[a] - PET_LO[a]) / PET_SP)) for a in range(3))
    image_series(os.path.join(out, "dicom", "PET"), "PT", "1.2.840.10008.5.1.4.1.1.128", pet_series, study, frame,
                 PET_LO, (PET_SP,) * 3, npet, pet_value, 0.5, 0.0, False)
    ct_class = "1.2.840.10008.5.1.4.1.1.2"
    rs = base(os.path.join(out, "dicom", "RTSTRUCT.dcm"), "1.2.840.10008.5.1.4.1.1.481.3", uid("rtstruct"),
              "RTSTRUCT", study, uid("rs-series"), frame)
    rs.SeriesNumber, rs.InstanceNumber = 3, 1
    rs.StructureSetLabel, rs.StructureSetDate, rs.StructureSetTime = "boxes", "20261130", "120000"

    def ref_image(sop):
        r = Dataset()
        r.ReferencedSOPClassUID, r.ReferencedSOPInstanceUID = ct_class, sop
        return r

    series_ref = Dataset()
    series_ref.SeriesInstanceUID = ct_series
    series_ref.ContourImageSequence = Sequence([ref_image(s) for s in ct_sops])
    study_ref = Dataset()
    study_ref.ReferencedSOPClassUID, study_ref.ReferencedSOPInstanceUID = "1.2.840.10008.3.1.2.3.1", study
    study_ref.RTReferencedSeriesSequence = Sequence([series_ref])
    frame_ref = Dataset()
    frame_ref.FrameOfReferenceUID = frame
    frame_ref.RTReferencedStudySequence = Sequence([study_ref])
    rs.ReferencedFrameOfReferenceSequence = Sequence([frame_ref])
    rois, contours, obs = [], [], []
    for num, (v, lo, hi) in enumerate(BOXES, start=1):
        roi = Dataset()
        roi.ROINumber, roi.ReferencedFrameOfReferenceUID, roi.ROIName = num, frame, NAMES[v]
        roi.ROIGenerationAlgorithm = "MANUAL"
        rois.append(roi)
        seq = []
        for k in range(nct[2]):
            z = LO[2] + (k + 0.5) * CT_SP[2]
            if not lo[2] <= z < hi[2]:
                continue
            c = Dataset()
            c.ContourGeometricType = "CLOSED_PLANAR"
            pts = [(lo[0], lo[1]), (hi[0], lo[1]), (hi[0], hi[1]), (lo[0], hi[1])]
            c.NumberOfContourPoints = len(pts)
            c.ContourData = [float(x) for p in pts for x in (p[0], p[1], z)]
            c.ContourImageSequence = Sequence([ref_image(ct_sops[k])])
            seq.append(c)
        rc = Dataset()
        rc.ReferencedROINumber, rc.ROIDisplayColor = num, [255, 60 * num % 256, 0]
        rc.ContourSequence = Sequence(seq)
        contours.append(rc)
        o = Dataset()
        o.ObservationNumber, o.ReferencedROINumber, o.RTROIInterpretedType, o.ROIInterpreter = num, num, "ORGAN", ""
        obs.append(o)
    rs.StructureSetROISequence = Sequence(rois)
    rs.ROIContourSequence = Sequence(contours)
    rs.RTROIObservationsSequence = Sequence(obs)
    rs.save_as(rs.filename, write_like_original=False)
    # truth from the geometry: volumes (ml) of what each label holds (later boxes paint over earlier ones)
    vol = {v: 0.0 for v in NAMES}
    for v, lo, hi in BOXES:
        vol[v] += float(np.prod(np.array(hi, float) - np.array(lo, float))) * 1e-3
        for w, lo2, hi2 in BOXES:  # what a later box takes away
            if BOXES.index((w, lo2, hi2)) > BOXES.index((v, lo, hi)):
                d = np.minimum(hi, hi2) - np.maximum(lo, lo2)
                if (d > 0).all():
                    vol[v] -= float(np.prod(d)) * 1e-3
    with open(os.path.join(out, "truth.txt"), "w") as f:
        for v in NAMES:
            f.write("volume_ml %s %.4f\n" % (NAMES[v], vol[v]))


def check(out):
    import nibabel as nib
    img = os.path.join(out, "img")
    values = {}
    for line in open(os.path.join(img, "labels.txt")):
        f = line.strip().split("|")
        if len(f) >= 3:
            values[f[2]] = int(f[0]) + 1  # plastimatch numbers the list from 0 and the label map from 1
    bad = []
    if sorted(values) != sorted(NAMES.values()):
        bad.append("structures %s, expected %s" % (sorted(values), sorted(NAMES.values())))
    by_value = {val: name for name, val in values.items()}
    lab = nib.load(os.path.join(img, "labels.nii.gz"))
    ld = np.asanyarray(lab.dataobj)
    wrong = 0
    for idx in np.ndindex(*ld.shape[:3]):
        ras = lab.affine @ np.array([*idx, 1.0])
        p = (-ras[0], -ras[1], ras[2])
        want = NAMES.get(label_at(p), "")
        got = by_value.get(int(ld[idx]), "") if ld[idx] else ""
        if want != got:
            wrong += 1
            if wrong <= 5:
                bad.append("label at LPS (%.1f, %.1f, %.1f): %r, expected %r" % (*p, got, want))
    print("labels: %d of %d voxels differ from the boxes" % (wrong, ld.size))
    ct = nib.load(os.path.join(img, "ct.nii.gz"))
    cd = ct.get_fdata()
    ctw = 0
    for idx in np.ndindex(*cd.shape[:3]):
        ras = ct.affine @ np.array([*idx, 1.0])
        if abs(cd[idx] - HU[label_at((-ras[0], -ras[1], ras[2]))]) > 0.5:
            ctw += 1
    print("ct: %d of %d voxels differ from the boxes' HU" % (ctw, cd.size))
    if ctw:
        bad.append("%d CT voxels differ" % ctw)
    pet = nib.load(os.path.join(img, "pet.nii.gz"))
    pd = pet.get_fdata()
    pw = 0
    for idx in np.ndindex(*pd.shape[:3]):
        ras = pet.affine @ np.array([*idx, 1.0])
        if abs(pd[idx] - pet_value((-ras[0], -ras[1], ras[2]))) > 0.5:
            pw += 1
    hot = np.linalg.inv(pet.affine) @ np.array([-HOT_LPS[0], -HOT_LPS[1], HOT_LPS[2], 1.0])
    hv = pd[tuple(int(np.floor(x + 0.5)) for x in hot[:3])]
    print("pet: %d of %d voxels differ; at LPS %s %.1f Bq/ml (expected %.1f)" % (pw, pd.size, HOT_LPS, hv, HOT_BQ_ML))
    if pw or abs(hv - HOT_BQ_ML) > 0.5:
        bad.append("PET differs in %d voxels, hot voxel %.1f" % (pw, hv))
    for name, val in sorted(values.items()):
        print("value %s %d" % (name, val))
    total = float(pd.sum()) * abs(np.linalg.det(pet.affine[:3, :3])) * 1e-3
    print("pet_total_bq %.6g" % total)
    if wrong:
        bad.append("%d label voxels differ" % wrong)
    for b in bad:
        print("DIFFERS: " + b)
    if not bad:
        print("ok")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    write(sys.argv[1])
