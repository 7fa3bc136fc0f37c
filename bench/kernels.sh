#!/usr/bin/env bash
# Dose kernels side by side: every kernel (mc, local, dvk, dvk_density) on the standard cases (default liver,
# liver/lung slabs, water point source, a 256^3 grid): wall time, histories or voxels per second, thread scaling,
# peak memory, and accuracy against a higher-statistics Monte Carlo reference of the same case (y90mc compare:
# per-structure mean and D70, gamma pass rates; the slab interface profile). Writes OUT/results.jsonl (one JSON
# object per run or comparison) and prints the Markdown tables for bench/RESULTS.md.
# Usage: bench/kernels.sh [BUILD_DIR [OUT_DIR]]   (defaults: build, bench-out; OUT_DIR is created)
#   env: THREADS="1 2" (thread counts timed), REF_SCALE (reference histories = REF_SCALE x the run's; default 4),
#        CASES="liver slab point grid256", Y90MC_KERNEL_CACHE (default OUT_DIR/kernel-cache),
#        REUSE_REF=1 (keep a reference OUT_DIR/CASE-ref.h5 from an earlier run of the same build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-build}" && pwd)
O=${2:-bench-out}
mkdir -p "$O"
O=$(cd "$O" && pwd)
THREADS=${THREADS:-"1 $(nproc)"}
TMAX=$(echo $THREADS | awk '{print $NF}')
REF_SCALE=${REF_SCALE:-4}
CASES=${CASES:-"liver slab point grid256"}
export Y90MC_KERNEL_CACHE=${Y90MC_KERNEL_CACHE:-$O/kernel-cache}
K=$B/bench/y90kbench
J=$O/results.jsonl
: > "$J"

declare -A CFG=([liver]=configs/net_bilobar_therasphere.yaml [slab]=configs/validation_liver_lung_slabs.yaml
                [point]=configs/validation_point_source_water.yaml [grid256]=bench/grid256.yaml)
# histories of the timed MC run of each case (the reference runs REF_SCALE times as many)
declare -A HIST=([liver]=1000000 [slab]=400000 [point]=200000 [grid256]=200000)

run() { # case kernel threads histories out [extra]
  "$K" "$ROOT/${CFG[$1]}" --case "$1" --kernel "$2" --threads "$3" --histories "$4" -o "$5" "${@:6}" 2>>"$O/log.txt" >>"$J"
}

for c in $CASES; do
  h=${HIST[$c]}
  echo "== $c" >&2
  # the reference: the same case with REF_SCALE times the histories
  if ! { [ "${REUSE_REF:-0}" = 1 ] && [ -s "$O/$c-ref.h5" ]; }; then
    J=$O/ref-$c.jsonl run "$c" mc "$TMAX" $((h * REF_SCALE)) "$O/$c-ref.h5"
  fi
  # compute (or load) the voxel kernel once, so that the timed dvk runs below are the convolution only
  t0=$(date +%s.%N); run "$c" dvk "$TMAX" 1 "$O/$c-kernelwarm.h5"; t1=$(date +%s.%N)
  echo "{\"case\": \"$c\", \"kernel_cache_fill_s\": $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')}" >>"$J"
  for k in mc local dvk dvk_density; do
    for t in $THREADS; do run "$c" "$k" "$t" "$h" "$O/$c-$k-t$t.h5"; done
    "$B/y90mc" compare "$O/$c-ref.h5" "$O/$c-$k-t$TMAX.h5" --gamma 3,3 --json |
      sed "s/^{/{\"case\": \"$c\", \"kernel\": \"$k\", \"compare\": 1, /" >>"$J"
  done
  if [ "$c" = liver ]; then # the noise-free activity map
    for k in local dvk; do
      run "$c" "$k" "$TMAX" "$h" "$O/$c-$k-expected.h5" --activity-map expected
      "$B/y90mc" compare "$O/$c-ref.h5" "$O/$c-$k-expected.h5" --gamma 3,3 --json |
        sed "s/^{/{\"case\": \"$c\", \"kernel\": \"$k+expected\", \"compare\": 1, /" >>"$J"
    done
  fi
done

TMAX=$TMAX /usr/bin/python3 - "$O" <<'PY'
import json, sys, h5py, numpy as np
O = sys.argv[1]
import glob
rows = [json.loads(l) for f in sorted(glob.glob(O + "/ref-*.jsonl")) + [O + "/results.jsonl"] for l in open(f) if l.strip()]
runs = [r for r in rows if "wall_s" in r and r["kernel"] and not r.get("compare")]
print("| case | kernel | threads | histories | wall s | kernel s | histories/s or voxels/s | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|")
for r in runs:
    rate = r.get("histories_per_s", r.get("voxels_per_s"))
    print(f"| {r['case']} | {r['kernel']} | {r['threads']} | {r['histories'] or '-'} | {r['wall_s']:.2f} | "
          f"{r['kernel_s']:.3f} | {rate:.4g} | {r['peak_rss_mb']:.0f} |")
print()
for r in rows:
    if "kernel_cache_fill_s" in r:
        print(f"- {r['case']}: first dvk run incl. voxel-kernel MC or cache read: {r['kernel_cache_fill_s']:.1f} s")
print()
eff = [r for r in runs if "efficiency_tumour_mean" in r]
if eff:
    print("| case | histories | threads | kernel s | viable tumour mean Gy | s (rel) | 1/(s^2 T) | normal liver median voxel unc | 1/(s^2 T) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in eff:
        print(f"| {r['case']} | {r['histories']} | {r['threads']} | {r['kernel_s']:.2f} | {r['tumour_viable_mean_gy']:.2f} | "
              f"{r['tumour_viable_mean_rel_sigma']:.2e} | {r['efficiency_tumour_mean']:.4g} | {r['liver_normal_median_unc']:.3f} | "
              f"{r['efficiency_normal_median_voxel']:.4g} |")
    print()
print("| case | kernel | structure | mean diff % | D70 diff % | gamma 3%/3mm global (+unc) | 3%/3mm local (+unc) |")
print("|---|---|---|---|---|---|---|")
pick = {"liver": ["tumour_viable", "liver_normal_treated", "liver_treated", "lungs"], "slab": ["slab0", "slab1"],
        "point": ["medium"], "grid256": ["medium"]}
for r in rows:
    if not r.get("compare"): continue
    g = {(x["dd_percent"], x["dta_mm"], x["local"], x["with_uncertainty"]): x["pass_percent"] for x in r["gamma"]}
    gs = lambda dd, dta, loc: f"{g.get((dd, dta, loc, False), float('nan')):.1f} ({g.get((dd, dta, loc, True), float('nan')):.1f})"
    for s in r["structures"]:
        if s["name"] not in pick.get(r["case"], []): continue
        md = 100 * (s["mean_b_gy"] / s["mean_a_gy"] - 1) if s["mean_a_gy"] else float("nan")
        dd = 100 * (s["d70_b_gy"] / s["d70_a_gy"] - 1) if s["d70_a_gy"] else float("nan")
        print(f"| {r['case']} | {r['kernel']} | {s['name']} | {md:+.2f} | {dd:+.2f} | {gs(3, 3, False)} | {gs(3, 3, True)} |")
print()
# the liver/lung interface: laterally averaged dose per z layer against the reference
import os
if os.path.exists(O + "/slab-ref.h5"):
    def prof(p):
        f = h5py.File(p, "r"); d = f["dose"][:]; lab = f["labels"][:]
        return d[:, 20:40, 20:40].mean(axis=(1, 2)), lab[:, 30, 30], f.attrs["spacing_mm"][2]
    ref, lab, dz = prof(O + "/slab-ref.h5")
    iz = int(np.argmax(lab != lab[0]))  # first lung layer
    print("| kernel | liver 0.5 mm before | lung 0.5 mm | lung 1.5 mm | lung 2.5 mm | lung 5.5 mm | lung 10.5 mm |")
    print("|---|---|---|---|---|---|---|")
    print("| mc reference (Gy) | " + " | ".join(f"{ref[iz + o]:.3g}" for o in (-1, 0, 1, 2, 5, 10)) + " |")
    t = sys.argv[1]
    for k in ("mc", "local", "dvk", "dvk_density"):
        p, _, _ = prof(f"{O}/slab-{k}-t{os.environ.get('TMAX', '2')}.h5") if os.path.exists(f"{O}/slab-{k}-t{os.environ.get('TMAX', '2')}.h5") else (None, 0, 0)
        if p is None: continue
        print(f"| {k} (% from mc) | " + " | ".join(f"{100 * (p[iz + o] / ref[iz + o] - 1):+.1f}" for o in (-1, 0, 1, 2, 5, 10)) + " |")
PY
