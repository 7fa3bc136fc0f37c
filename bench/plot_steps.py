#!/usr/bin/python3
"""Plot R50 and R90 of the water DPK against the step size (y90bench_steps CSVs), one curve per CSV.
Usage: plot_steps.py OUT.png LABEL1=FILE1.csv [LABEL2=FILE2.csv ...]"""
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

fig, ax = plt.subplots(1, 2, figsize=(10, 4))
for arg in sys.argv[2:]:
    label, path = arg.split("=", 1)
    d = np.genfromtxt(path, delimiter=",", skip_header=1, names=True)
    d = np.sort(d, order="max_eloss_fraction")
    for a, (v, e) in zip(ax, (("R50_mm", "R50_se_mm"), ("R90_mm", "R90_se_mm"))):
        a.errorbar(d["max_eloss_fraction"], d[v], yerr=d[e], marker="o", capsize=3, label=label)
for a, name in zip(ax, ("R50", "R90")):
    a.set_xlabel("transport.max_eloss_fraction")
    a.set_ylabel(name + " (mm)")
    a.set_title("90Y point source in water, spin off: " + name)
    a.grid(alpha=0.3)
    a.legend()
fig.tight_layout()
fig.savefig(sys.argv[1], dpi=110)
