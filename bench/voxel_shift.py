#!/usr/bin/python3
"""Systematic dose shift between two y90mc runs of the same phantom, per structure.

Usage: bench/voxel_shift.py A.h5 B.h5 [THRESHOLD_FRACTION]   (default 0.1)

Voxels compared: those whose mean dose of the two runs is above THRESHOLD_FRACTION of A's maximum (selecting on
one run alone would pick that run's upward fluctuations). Per voxel z = (B - A) / combined 1-sigma; per structure
(label) and for the voxels on a label boundary: the mean z with its standard error over the voxels, and the
ratio of the summed doses - 1. A mean z several standard errors from 0 is a systematic shift; pure noise gives
0 +- se. Used for the step-size table of bench/RESULTS.md."""
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

    def row(name, m):
        m = m & sel
        n = int(m.sum())
        if n < 2:
            return
        print("%-24s %8d  mean z %+.4f +- %.4f  dose %+.3f %%"
              % (name, n, z[m].mean(), z[m].std() / np.sqrt(n), 100 * (d1[m].sum() / d0[m].sum() - 1)))

    print("%-24s %8s" % ("structure", "voxels"))
    row("all", np.ones(lab.shape, bool))
    row("label boundaries", boundary)
    row("interior", ~boundary)
    for k in np.unique(lab[sel]):
        row(names[k] if k < len(names) else "label %d" % k, lab == k)


if __name__ == "__main__":
    main()
