#!/usr/bin/python3
"""Systematic dose shift between two y90mc runs of the same phantom, per structure.

Usage: bench/voxel_shift.py A.h5 B.h5 [THRESHOLD_FRACTION]   (default 0.1)

Voxels compared: those whose mean dose of the two runs is above THRESHOLD_FRACTION of A's maximum (selecting on
one run alone would pick that run's upward fluctuations). Per voxel z = (B - A) / combined 1-sigma; per structure
(label) and for the voxels on a label boundary: the mean z with its standard error, and the ratio of the summed
doses - 1. Neighbouring voxels share tracks and spheres, so the standard error comes from blocks of 4 x 4 x 4
voxels (the spread of the blocks' sums, a ratio estimator), not from the voxels as if independent (printed too,
"naive"). A mean z several standard errors from 0 is a systematic shift; pure noise gives 0 +- se. Two runs with
the same seed share part of their noise: their mean z then scatters less than between independent runs. Used
for the step-size table of bench/RESULTS.md."""
import sys
import h5py
import numpy as np


def load(path):
    with h5py.File(path, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["labels"].attrs["names"]]
        return f["dose"][...], f["dose_rel_uncertainty"][...], f["labels"][...], names


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    d0, u0, lab, names = load(sys.argv[1])
    d1, u1, lab1, _ = load(sys.argv[2])
    if d0.shape != d1.shape or not np.array_equal(lab, lab1):
        sys.exit("voxel_shift: %s and %s are not the same phantom" % (sys.argv[1], sys.argv[2]))
    thr = float(sys.argv[3]) if len(sys.argv) == 4 else 0.1
    sel = (d0 + d1) > 2 * thr * d0.max()
    s = np.sqrt((d0 * u0) ** 2 + (d1 * u1) ** 2)
    sel &= s > 0
    z = np.zeros_like(d0, dtype=float)
    z[sel] = (d1[sel] - d0[sel]) / s[sel]
    boundary = np.zeros(lab.shape, bool)
    for ax in range(3):
        for sh in (1, -1):
            boundary |= np.roll(lab, sh, axis=ax) != lab

    block = (np.arange(lab.shape[0])[:, None, None] // 4 * 1000000 + np.arange(lab.shape[1])[None, :, None] // 4 * 1000
             + np.arange(lab.shape[2])[None, None, :] // 4)

    def row(name, m):
        m = m & sel
        n = int(m.sum())
        if n < 2:
            return
        zm = z[m].mean()
        _, inv = np.unique(block[m], return_inverse=True)
        zb = np.bincount(inv, weights=z[m]) - zm * np.bincount(inv)  # block sums of (z - mean)
        nb = len(zb)
        se = np.sqrt((zb ** 2).sum() * nb / max(nb - 1, 1)) / n
        print("%-24s %8d  mean z %+.4f +- %.4f (naive %.4f)  dose %+.3f %%"
              % (name, n, zm, se, z[m].std() / np.sqrt(n), 100 * (d1[m].sum() / d0[m].sum() - 1)))

    print("%-24s %8s" % ("structure", "voxels"))
    row("all", np.ones(lab.shape, bool))
    row("label boundaries", boundary)
    row("interior", ~boundary)
    for k in np.unique(lab[sel]):
        row(names[k] if k < len(names) else "label %d" % k, lab == k)


if __name__ == "__main__":
    main()
