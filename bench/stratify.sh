#!/usr/bin/env bash
# Stratified decays (transport.stratify) against decays drawn at random: the default liver case run with SEEDS
# transport seeds in each mode (the same spheres: source.seed is fixed), the modes alternating seed by seed so that
# both see the same machine load. In the treated normal liver it compares per voxel
#   true   relative standard deviation of the dose across the seeds (ddof 1),
#   reported  the run's own /dose_rel_uncertainty (history-by-history estimator, which takes histories as
#          independent), averaged over the seeds,
# and prints the medians over the voxels, their ratio, the kernel time T (runtime_s), the efficiency 1/(s^2 T) with
# s the true median relative standard deviation, the time to a 2 % median uncertainty extrapolated as T (s/0.02)^2,
# and the mean normal-liver dose of both modes with its standard error (they must agree: both are unbiased).
# Usage: bench/stratify.sh [BUILD_DIR [OUT_DIR]]   (defaults: build, bench-out/stratify; OUT_DIR is created)
#   env: SEEDS (default 8), HIST (histories per run, default 1000000), THREADS (default 2),
#        CONFIG (default configs/net_bilobar_therasphere.yaml), REUSE=1 (keep runs already in OUT_DIR)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-build}" && pwd)
O=${2:-bench-out/stratify}
mkdir -p "$O"
O=$(cd "$O" && pwd)
SEEDS=${SEEDS:-8}
HIST=${HIST:-1000000}
THREADS=${THREADS:-2}
CONFIG=${CONFIG:-$ROOT/configs/net_bilobar_therasphere.yaml}

for s in $(seq 1 "$SEEDS"); do
  for mode in false true; do
    f=$O/stratify-$mode-seed$s.h5
    if [ "${REUSE:-0}" = 1 ] && [ -s "$f" ]; then continue; fi
    echo "== stratify $mode seed $s" >&2
    "$B/y90mc" run "$CONFIG" -o "$f" --histories "$HIST" --threads "$THREADS" --seed "$s" \
      --set transport.stratify=$mode --set output.checkpoint_s=0 --quiet --force 2>>"$O/log.txt"
  done
done

/usr/bin/python3 - "$O" "$SEEDS" <<'PY'
import sys, glob, h5py, numpy as np
O, K = sys.argv[1], int(sys.argv[2])
res = {}
for mode in ("false", "true"):
    files = [f"{O}/stratify-{mode}-seed{s}.h5" for s in range(1, K + 1)]
    doses, reps, T = [], [], []
    mask = None
    for p in files:
        with h5py.File(p, "r") as f:
            if mask is None:
                kinds = [str(k) for k in f["labels"].attrs["kinds"]]
                lab = f["labels"][...]
                # the treated normal liver: the default case treats both lobes, so every liver_normal label
                mask = np.isin(lab, [i for i, k in enumerate(kinds) if k == "liver_normal"])
                cores, cpu, hist = f.attrs["cpu_cores"], f.attrs["cpu_model"], int(f.attrs["histories"])
            doses.append(f["dose"][...][mask])
            reps.append(f["dose_rel_uncertainty"][...][mask].astype(np.float64))
            T.append(float(f.attrs["runtime_s"]))
    d, r = np.array(doses), np.array(reps)
    m = d.mean(axis=0)
    ok = (m > 0) & np.all(d > 0, axis=0)            # voxels with a deposit in every run
    true_rel = d.std(axis=0, ddof=1)[ok] / m[ok]
    rep_rel = r[:, ok].mean(axis=0)
    run_means = d.mean(axis=1)                      # mean normal-liver dose of each run (Gy)
    s_true, s_rep = np.median(true_rel), np.median(rep_rel)
    # variance-based ratio (unbiased per voxel in the mean, unlike the median of a K-sample standard deviation)
    ratio_var = np.sqrt(np.mean((r[:, ok] ** 2).mean(axis=0)) / np.mean(true_rel ** 2))
    Tm = float(np.mean(T))
    res[mode] = dict(s=s_true, rep=s_rep, T=Tm, eff=1 / (s_true ** 2 * Tm), mean=run_means.mean(),
                     sem=run_means.std(ddof=1) / np.sqrt(K), nvox=int(ok.sum()), ratio_var=ratio_var,
                     t2=Tm * (s_true / 0.02) ** 2)
print(f"default liver case, {K} seeds x {hist} histories, {cores} cores ({cpu}), treated normal liver "
      f"({res['true']['nvox']} voxels with dose in every run)\n")
print("| stratify | true median rel. sd s | reported median rel. unc. | reported / true (median; rms) | "
      "kernel time T (s) | efficiency 1/(s^2 T) (1/s) | time to 2 % (s) | mean dose (Gy) +- s.e. |")
print("|---|---|---|---|---|---|---|---|")
for mode in ("false", "true"):
    x = res[mode]
    print(f"| {mode} | {100 * x['s']:.2f} % | {100 * x['rep']:.2f} % | {x['rep'] / x['s']:.3f}; {x['ratio_var']:.3f} | "
          f"{x['T']:.1f} | {x['eff']:.4f} | {x['t2']:.0f} | {x['mean']:.3f} +- {x['sem']:.3f} |")
a, b = res["false"], res["true"]
z = (b["mean"] - a["mean"]) / np.hypot(a["sem"], b["sem"])
print(f"\nefficiency gain (true / false): {b['eff'] / a['eff']:.2f}; variance ratio s_false^2 / s_true^2: "
      f"{(a['s'] / b['s']) ** 2:.2f}; time ratio T_true / T_false: {b['T'] / a['T']:.3f}")
print(f"mean dose difference (true - false): {b['mean'] - a['mean']:+.3f} Gy = {z:+.2f} combined sigma")
PY
