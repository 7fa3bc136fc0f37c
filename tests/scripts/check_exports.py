"""Run by tests/test_export.c with /usr/bin/python3: the exports of one output file, read back by the tools they
are for, must hold the HDF5 file's voxels at the same patient positions.

  check_exports.py nifti  OUT.h5 FILE.nii.gz QUANTITY [x y z cx cy cz]     nibabel: affine, qform = sform, values;
                                        with an LPS point (x, y, z) and the LPS centre (cx, cy, cz) of the voxel
                                        holding it (worked out by hand): the largest voxel is the one RAS (-x, -y, z)
                                        falls in, and its centre lies at RAS (-cx, -cy, cz)
  check_exports.py mha    OUT.h5 FILE.mha QUANTITY                          header fields and raw voxels
  check_exports.py rtdose OUT.h5 FILE.dcm QUANTITY [STUDY_UID FRAME_UID]    pydicom: geometry, scaling, values
  check_exports.py ctbl   OUT.h5 FILE.ctbl                                  Slicer colour table: one line per label

Exit 0 when everything agrees; every check is printed."""
import sys

import h5py
import numpy as np

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


DATASET = {"dose": "/dose", "uncertainty": "/dose_rel_uncertainty", "labels": "/labels", "density": "/density"}


def reference(h5, quantity):
    with h5py.File(h5, "r") as f:
        return (f[DATASET[quantity]][...], np.array(f.attrs["origin_mm"]), np.array(f.attrs["spacing_mm"]),
                [str(s) for s in f["/labels"].attrs["names"]])


def check_nifti(h5, path, quantity, point):
    import nibabel as nib
    ref, origin, spacing, _ = reference(h5, quantity)
    img = nib.load(path)
    check(isinstance(img, nib.Nifti1Image), f"{path}: NIfTI-1 ({type(img).__name__})")
    hdr = img.header
    sform, scode = img.get_sform(coded=True)
    qform, qcode = img.get_qform(coded=True)
    check(int(scode) == 1 and int(qcode) == 1, f"sform_code {scode} and qform_code {qcode} are 1 (scanner)")
    check(np.allclose(sform, qform, atol=1e-5), "qform equals sform")
    # LPS -> RAS: x and y change sign; the voxel order is the HDF5 one (x fastest)
    want = np.array([[-spacing[0], 0, 0, -origin[0]], [0, -spacing[1], 0, -origin[1]],
                     [0, 0, spacing[2], origin[2]], [0, 0, 0, 1]])
    check(np.allclose(img.affine, want, atol=1e-5), f"affine\n{img.affine}\n equals diag(-dx,-dy,dz), (-ox,-oy,oz)")
    check(hdr.get_xyzt_units()[0] == "mm", f"units {hdr.get_xyzt_units()}")
    check("".join(nib.aff2axcodes(img.affine)) == "LPS", f"axis codes {nib.aff2axcodes(img.affine)} (i to L, j to P, k to S)")
    data = np.asarray(img.dataobj)
    check(data.shape == ref.shape[::-1], f"shape {data.shape} = HDF5 {ref.shape} reversed (i, j, k)")
    vox = data.transpose(2, 1, 0)  # back to [nz][ny][nx]
    if quantity == "labels":
        check(data.dtype == np.uint8 and np.array_equal(vox, ref), "labels equal voxel for voxel (uint8)")
    else:
        check(data.dtype == np.float32 and np.allclose(vox, ref.astype(np.float32), rtol=0, atol=0),
              f"{quantity} equals the HDF5 values rounded to float32 (max {ref.max():.6g})")
    if point is not None:
        lps, centre = np.array(point[:3]), np.array(point[3:6])
        hottest = np.array(np.unravel_index(np.argmax(data), data.shape))
        ras = np.array([-lps[0], -lps[1], lps[2]])
        ijk = np.linalg.solve(img.affine[:3, :3], ras - img.affine[:3, 3])
        check(np.array_equal(np.floor(ijk + 0.5).astype(int), hottest),
              f"LPS {lps} = RAS {ras} falls in voxel {ijk.round(3)}, the largest ({data.max():.6g}) is {hottest}")
        at = (img.affine @ np.append(hottest, 1.0))[:3]
        want = np.array([-centre[0], -centre[1], centre[2]])
        check(np.allclose(at, want, rtol=0, atol=1e-5), f"its centre lies at RAS {at}; by hand {want} (LPS {centre})")


def check_mha(h5, path, quantity):
    ref, origin, spacing, _ = reference(h5, quantity)
    raw = open(path, "rb").read()
    end = raw.index(b"ElementDataFile = LOCAL\n") + len(b"ElementDataFile = LOCAL\n")
    fields = dict(line.split(" = ", 1) for line in raw[:end].decode().splitlines())
    nums = lambda k: np.array([float(x) for x in fields[k].split()])
    check(fields["ObjectType"] == "Image" and fields["NDims"] == "3", "3-D image")
    check(np.array_equal(nums("DimSize"), ref.shape[::-1]), f"DimSize {fields['DimSize']}")
    check(np.allclose(nums("ElementSpacing"), spacing, rtol=0, atol=0), f"ElementSpacing {fields['ElementSpacing']}")
    check(np.allclose(nums("Offset"), origin, rtol=0, atol=0), f"Offset {fields['Offset']} = origin_mm {origin} (LPS)")
    check(np.array_equal(nums("TransformMatrix"), np.eye(3).ravel()), "identity TransformMatrix")
    dtype = np.uint8 if quantity == "labels" else np.dtype("<f4")
    check(fields["ElementType"] == ("MET_UCHAR" if quantity == "labels" else "MET_FLOAT"), fields["ElementType"])
    vox = np.frombuffer(raw[end:], dtype=dtype)
    check(vox.size == ref.size and np.array_equal(vox.reshape(ref.shape), ref.astype(dtype)),
          f"{vox.size} voxels equal the HDF5 values (as {np.dtype(dtype).name})")


def check_rtdose(h5, path, quantity, study_uid, frame_uid):
    import pydicom
    ref, origin, spacing, _ = reference(h5, quantity)
    ds = pydicom.dcmread(path)
    check(ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.481.2" and ds.Modality == "RTDOSE", "RT Dose Storage, RTDOSE")
    check(ds.DoseUnits == ("GY" if quantity == "dose" else "RELATIVE"), f"DoseUnits {ds.DoseUnits}")
    check(ds.DoseType == ("PHYSICAL" if quantity == "dose" else "ERROR"), f"DoseType {ds.DoseType}")
    check((ds.NumberOfFrames, ds.Rows, ds.Columns) == ref.shape, f"frames x rows x columns {ds.NumberOfFrames} x "
          f"{ds.Rows} x {ds.Columns} = {ref.shape}")
    check(np.allclose([float(x) for x in ds.ImagePositionPatient], origin, atol=1e-6),
          f"ImagePositionPatient {list(ds.ImagePositionPatient)} = origin_mm {origin}")
    check([float(x) for x in ds.ImageOrientationPatient] == [1, 0, 0, 0, 1, 0], "ImageOrientationPatient 1\\0\\0\\0\\1\\0")
    check(np.allclose([float(x) for x in ds.PixelSpacing], [spacing[1], spacing[0]]), f"PixelSpacing (row, column) "
          f"{list(ds.PixelSpacing)}")
    check(np.allclose([float(x) for x in ds.GridFrameOffsetVector], spacing[2] * np.arange(ref.shape[0])),
          f"GridFrameOffsetVector {list(ds.GridFrameOffsetVector)}")
    check(ds.FrameIncrementPointer == 0x3004000C, "FrameIncrementPointer -> GridFrameOffsetVector")
    scaling = float(ds.DoseGridScaling)
    vals = ds.pixel_array.astype(np.float64) * scaling
    top = 2 ** int(ds.BitsStored) - 1
    check(scaling > 0 and (ref.max() == 0 or ref.max() <= scaling * top <= ref.max() * (1 + 1e-9)),
          f"DoseGridScaling {scaling:.6g} x {top} reaches the maximum {ref.max():.6g}")
    err = np.abs(vals - ref).max()
    check(err <= 0.5 * scaling * (1 + 1e-9), f"values within half a scaling step: max error {err:.3g} <= "
          f"{0.5 * scaling:.3g} ({ds.BitsStored} bits)")
    for name, given in (("StudyInstanceUID", study_uid), ("FrameOfReferenceUID", frame_uid)):
        v = getattr(ds, name)
        check(v == given if given else (len(v) <= 64 and v.replace(".", "").isdigit()),
              f"{name} {v}" + (f" = {given} (given)" if given else " (fresh)"))


def check_ctbl(h5, path):
    _, _, _, names = reference(h5, "labels")
    rows = [line.split() for line in open(path) if line.strip() and not line.startswith("#")]
    check(len(rows) == len(names), f"{len(rows)} colour rows for {len(names)} structures")
    for r, (i, name) in zip(rows, enumerate(names)):
        check(len(r) == 6 and int(r[0]) == i and r[1] == name and all(0 <= int(c) <= 255 for c in r[2:]),
              f"row {' '.join(r)}: label {i} {name}, RGBA 0-255")


if __name__ == "__main__":
    kind, h5, path = sys.argv[1:4]
    rest = sys.argv[4:]
    if kind == "nifti":
        check_nifti(h5, path, rest[0], [float(x) for x in rest[1:7]] if len(rest) >= 7 else None)
    elif kind == "mha":
        check_mha(h5, path, rest[0])
    elif kind == "rtdose":
        check_rtdose(h5, path, rest[0], rest[1] if len(rest) > 1 else None, rest[2] if len(rest) > 2 else None)
    elif kind == "ctbl":
        check_ctbl(h5, path)
    else:
        sys.exit(f"unknown kind {kind}")
    print("PASS" if not failures else f"{len(failures)} failures")
    sys.exit(1 if failures else 0)
