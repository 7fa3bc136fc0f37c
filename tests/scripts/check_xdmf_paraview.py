"""Run by pvpython (tests/test_paraview.c): ParaView's own XDMF readers open OUT.xdmf and must see the grid and the
voxel values h5py reads from OUT.h5 (a run's arrays, or the difference map of `y90mc compare --diff-out`). Usage: pvpython check_xdmf_paraview.py OUT.xdmf OUT.h5. Exit 0 when all agree."""
import os
import sys

import h5py
import numpy as np
from paraview.simple import OpenDataFile, XDMFReader, servermanager
from vtk.numpy_interface import dataset_adapter as dsa

xdmf, h5 = os.path.abspath(sys.argv[1]), sys.argv[2]
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


with h5py.File(h5, "r") as f:
    spacing = np.array(f.attrs["spacing_mm"])  # x y z
    origin = np.array(f.attrs["origin_mm"])  # centre of voxel (0,0,0), x y z
    arrays = {k: f[k][...] for k in ("dose", "dose_rel_uncertainty", "labels", "materials", "density",
                                   "dose_difference", "gamma", "dose_difference_sigma") if k in f}
nz, ny, nx = arrays["labels"].shape


def image_of(reader):
    reader.UpdatePipeline()
    d = servermanager.Fetch(reader)
    while d.IsA("vtkMultiBlockDataSet"):
        d = d.GetBlock(0)
    return d


# Xdmf3ReaderS is what File > Open picks for .xdmf; XDMFReader is the XDMF 2 reader (also what VisIt implements).
for label, reader in (("default reader", OpenDataFile(xdmf)), ("XDMF 2 reader", XDMFReader(FileNames=[xdmf]))):
    print(f"{label}: {type(reader).__name__}")
    if hasattr(reader, "CellArrayStatus"):
        reader.CellArrayStatus = list(arrays)
    img = image_of(reader)
    check(tuple(img.GetDimensions()) == (nx + 1, ny + 1, nz + 1),
          f"{label}: points {img.GetDimensions()} = voxels + 1 ({nx + 1}, {ny + 1}, {nz + 1})")
    check(np.allclose(img.GetSpacing(), spacing, rtol=0, atol=1e-12), f"{label}: spacing {img.GetSpacing()} = {spacing}")
    # the mesh points are voxel corners: the first cell's centre is the file's origin_mm
    centre0 = np.array(img.GetOrigin()) + 0.5 * np.array(img.GetSpacing())
    check(np.allclose(centre0, origin, rtol=0, atol=1e-12), f"{label}: first cell centre {centre0} = origin_mm {origin}")
    cells = dsa.WrapDataObject(img).CellData
    for name, ref in arrays.items():
        got = cells[name]
        if not isinstance(got, np.ndarray):
            check(False, f"{label}: cell array {name} present")
            continue
        got = np.asarray(got).reshape(nz, ny, nx)  # VTK cell order: x fastest, like the HDF5 [nz][ny][nx]
        check(got.dtype == ref.dtype and np.array_equal(got, ref),
              f"{label}: {name} ({got.dtype}) equals h5py voxel for voxel (max {ref.max():.6g})")
    # one voxel by position: the cell containing the LPS point at the centre of voxel (i,j,k) = (nx-1, 1, nz-1)
    i, j, k = nx - 1, 1, nz - 1
    p = origin + spacing * np.array([i, j, k])
    ijk, pcoords = [0, 0, 0], [0.0, 0.0, 0.0]
    inside = img.ComputeStructuredCoordinates(p.tolist(), ijk, pcoords)
    cid = img.ComputeCellId(ijk) if inside else -1
    check(cid == (k * ny + j) * nx + i and float(cells["density"][cid]) == float(arrays["density"][k, j, i]),
          f"{label}: point {p} lies in cell {cid} = voxel (i={i}, j={j}, k={k})")

print("PASS" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
