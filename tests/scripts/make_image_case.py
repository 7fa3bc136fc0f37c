#!/usr/bin/python3
"""Write a small synthetic patient for phantom.type image and source.type activity_map (tests/test_image.c,
configs/image_synthetic.yaml), with nibabel (NIfTI) and h5py (HDF5), independently of y90mc's readers.

Geometry (LPS, mm; every structure is a box on 8 mm boundaries so that the 4 mm label grid and the 8 mm PET grid
both hold each structure exactly):
  label 0 unlabelled (body)        the rest of x [-48, 48), y [-40, 40), z [-32, 32)
  label 1 liver_right              x [-40, 0),  y [-24, 24), z [-24, 16)   (minus the tumour)
  label 2 liver_left               x [0, 24),   y [-24, 24), z [-24, 16)
  label 3 tumour 1 (viable, right) x [-24, -8), y [-8, 8),   z [-8, 8)
  label 4 lung                     x [-40, 40), y [-32, 32), z [16, 32)
CT (HU): body 40, liver 60, tumour 50, lung -800; PET (Bq/ml): liver 1000, tumour 4000, lung 200, body 100.

Files (NIfTI: RAS affines as nibabel writes them, qform and sform set):
  labels.nii.gz   4 mm, i towards patient right (a flipped x axis), j posterior, k superior
  ct.nii          (ct.nii.gz with --example) 2 mm, axes permuted: i superior, j left, k anterior
  pet.nii.gz      8 mm, the usual dcm2niix orientation (i left, j posterior, k superior), a larger field of view
  hot.nii.gz      as pet.nii.gz, but only one voxel holds activity (HOT_BQ_ML), inside the left lobe
  labels.h5, pet.h5  the same images in the HDF5 layout of include/y90/image.h (LPS; labels.h5 with j flipped)
  bad_oblique.nii.gz  labels rotated by 10 degrees about z (refused)
  bad_ct_half.nii.gz  a CT covering only half of the label map (refused); bad_spacing.h5: spacing_mm of 2 numbers
  expected.txt    points (LPS mm) and the label value nibabel finds there, the hot voxel's LPS box, totals
Usage: make_image_case.py OUTDIR [--example]  (--example: labels, ct and pet only, for configs/)
"""
import math
import os
import sys

import numpy as np
import nibabel as nib

LO = np.array([-48.0, -40.0, -32.0])
HI = np.array([48.0, 40.0, 32.0])
BOXES = [  # label, lo, hi (LPS mm); later boxes paint over earlier ones
    (4, (-40, -32, 16), (40, 32, 32)),
    (1, (-40, -24, -24), (0, 24, 16)),
    (2, (0, -24, -24), (24, 24, 16)),
    (3, (-24, -8, -8), (-8, 8, 8)),
]
HU = {0: 40.0, 1: 60.0, 2: 60.0, 3: 50.0, 4: -800.0}
PET = {0: 100.0, 1: 1000.0, 2: 1000.0, 3: 4000.0, 4: 200.0}
HOT_BQ_ML = 5.0e4
HOT_LPS = (12.0, 4.0, 4.0)  # a point inside the hot PET voxel (left lobe)

LPS2RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def label_at(p):
    """Label of LPS point p (mm) from the boxes."""
    lab = 0
    for v, lo, hi in BOXES:
        if all(lo[a] <= p[a] < hi[a] for a in range(3)):
            lab = v
    return lab


def make(shape, affine_ras, fn):
    """An array of shape whose voxel (i,j,k) holds fn(LPS centre)."""
    a = np.zeros(shape, dtype=np.float64)
    for idx in np.ndindex(*shape):
        ras = affine_ras @ np.array([idx[0], idx[1], idx[2], 1.0])
        a[idx] = fn((-ras[0], -ras[1], ras[2]))
    return a


def lps_affine(axes_lps, first_centre_lps):
    """RAS affine from LPS axis vectors (columns: mm per voxel step) and the LPS centre of voxel (0,0,0)."""
    m = np.eye(4)
    m[:3, :3] = np.array(axes_lps, dtype=float).T
    m[:3, 3] = first_centre_lps
    return LPS2RAS @ m


def save_nii(a, affine, path, dtype):
    img = nib.Nifti1Image(a.astype(dtype), affine)
    img.set_qform(affine, code=1)
    img.set_sform(affine, code=1)
    img.header.set_xyzt_units("mm")
    nib.save(img, path)


def save_h5(a, spacing, origin, direction, path):
    import h5py
    with h5py.File(path, "w") as f:
        f.create_dataset("image", data=np.ascontiguousarray(a.transpose(2, 1, 0)))  # [nk][nj][ni], i fastest
        f.attrs["spacing_mm"] = np.array(spacing, dtype=float)
        f.attrs["origin_mm"] = np.array(origin, dtype=float)
        f.attrs["direction"] = np.array(direction, dtype=float).reshape(9)
        f.attrs["frame"] = "LPS"


def main():
    out = sys.argv[1]
    example = "--example" in sys.argv
    os.makedirs(out, exist_ok=True)
    n = ((HI - LO) / 4).astype(int)  # 24 x 20 x 16
    # labels: i along -x (towards the patient's right), j +y, k +z
    lab_aff = lps_affine([(-4, 0, 0), (0, 4, 0), (0, 0, 4)], (HI[0] - 2, LO[1] + 2, LO[2] + 2))
    labels = make(tuple(n), lab_aff, label_at)
    save_nii(labels, lab_aff, os.path.join(out, "labels.nii.gz"), np.uint8)
    # CT: 2 mm, i +z, j +x, k -y
    nct = (int((HI[2] - LO[2]) / 2), int((HI[0] - LO[0]) / 2), int((HI[1] - LO[1]) / 2))
    ct_aff = lps_affine([(0, 0, 2), (2, 0, 0), (0, -2, 0)], (LO[0] + 1, HI[1] - 1, LO[2] + 1))
    ct = make(nct, ct_aff, lambda p: HU[label_at(p)])
    save_nii(ct, ct_aff, os.path.join(out, "ct.nii.gz" if example else "ct.nii"), np.int16)
    # PET: 8 mm over a field of view 16 mm larger on each side
    plo, phi = LO - 16, HI + 16
    npet = tuple(((phi - plo) / 8).astype(int))
    pet_aff = lps_affine([(8, 0, 0), (0, 8, 0), (0, 0, 8)], plo + 4)
    pet = make(npet, pet_aff, lambda p: PET[label_at(p)])
    save_nii(pet, pet_aff, os.path.join(out, "pet.nii.gz"), np.float32)
    if example:
        return
    inv = np.linalg.inv(pet_aff)
    hot_idx = tuple(int(math.floor(x + 0.5)) for x in (inv @ np.array([-HOT_LPS[0], -HOT_LPS[1], HOT_LPS[2], 1]))[:3])
    hot = np.zeros(npet)
    hot[hot_idx] = HOT_BQ_ML
    save_nii(hot, pet_aff, os.path.join(out, "hot.nii.gz"), np.float32)
    # HDF5: labels with j running along -y (direction row 2 = (0, -1, 0)), PET as is
    lab_lps = make(tuple(n), lps_affine([(4, 0, 0), (0, -4, 0), (0, 0, 4)], (LO[0] + 2, HI[1] - 2, LO[2] + 2)),
                   label_at)
    save_h5(lab_lps, (4, 4, 4), (LO[0] + 2, HI[1] - 2, LO[2] + 2), [1, 0, 0, 0, -1, 0, 0, 0, 1],
            os.path.join(out, "labels.h5"))
    save_h5(pet, (8, 8, 8), plo + 4, [1, 0, 0, 0, 1, 0, 0, 0, 1], os.path.join(out, "pet.h5"))
    # mismatched: a CT covering only z >= 0 of the label map
    half = (nct[0] // 2, nct[1], nct[2])
    half_aff = lps_affine([(0, 0, 2), (2, 0, 0), (0, -2, 0)], (LO[0] + 1, HI[1] - 1, 1))
    save_nii(make(half, half_aff, lambda p: HU[label_at(p)]), half_aff, os.path.join(out, "bad_ct_half.nii.gz"),
             np.int16)
    # HDF5 without a proper spacing (two numbers)
    save_h5(pet, (8, 8, 8), plo + 4, [1, 0, 0, 0, 1, 0, 0, 0, 1], os.path.join(out, "bad_spacing.h5"))
    import h5py
    with h5py.File(os.path.join(out, "bad_spacing.h5"), "a") as f:
        f.attrs["spacing_mm"] = np.array([8.0, 8.0])
    # oblique: the label affine rotated by 10 degrees about z
    c, s = math.cos(math.radians(10)), math.sin(math.radians(10))
    rot = np.array([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    save_nii(labels, rot @ lab_aff, os.path.join(out, "bad_oblique.nii.gz"), np.uint8)
    # expected values through nibabel: read the files back, take voxel centres, map to LPS
    with open(os.path.join(out, "expected.txt"), "w") as f:
        img = nib.load(os.path.join(out, "labels.nii.gz"))
        data = np.asanyarray(img.dataobj)
        rng = np.random.default_rng(7)
        for _ in range(40):
            idx = tuple(int(rng.integers(0, d)) for d in data.shape)
            ras = img.affine @ np.array([*idx, 1.0])
            f.write("label %.6f %.6f %.6f %d\n" % (-ras[0], -ras[1], ras[2], int(data[idx])))
        himg = nib.load(os.path.join(out, "hot.nii.gz"))
        hdat = np.asanyarray(himg.dataobj)
        (hi_idx,) = np.argwhere(hdat > 0)
        corners = [himg.affine @ np.array([*(hi_idx + d), 1.0]) for d in (-0.5, 0.5)]
        lo = [min(-corners[0][0], -corners[1][0]), min(-corners[0][1], -corners[1][1]), min(corners[0][2], corners[1][2])]
        hi = [max(-corners[0][0], -corners[1][0]), max(-corners[0][1], -corners[1][1]), max(corners[0][2], corners[1][2])]
        vol_ml = abs(np.linalg.det(himg.affine[:3, :3])) * 1e-3
        f.write("hot %.6f %.6f %.6f %.6f %.6f %.6f %.9g\n" % (*lo, *hi, float(hdat[tuple(hi_idx)]) * vol_ml))
        pimg = nib.load(os.path.join(out, "pet.nii.gz"))
        pvol = abs(np.linalg.det(pimg.affine[:3, :3])) * 1e-3
        f.write("pet_total %.9g\n" % (float(np.asanyarray(pimg.dataobj).sum()) * pvol))


if __name__ == "__main__":
    main()
