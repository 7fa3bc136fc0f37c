#!/usr/bin/env bash
# Sphere storage: peak memory (getrusage through GNU time) and wall time of configs/resin_counts.yaml (60 million
# resin spheres) run with source.sphere_storage table and counts, and the structure means of both (y90mc compare).
# Usage: bench/sphere_storage.sh [BUILD_DIR [OUT_DIR]]   (defaults: build, bench-out)
#   env: HISTORIES (default 200000), THREADS (default nproc), ACTIVITY_GBQ (default: the config's 3 GBq)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-build}" && pwd)
O=${2:-bench-out}
mkdir -p "$O"
O=$(cd "$O" && pwd)
H=${HISTORIES:-200000}
T=${THREADS:-$(nproc)}
SET=()
[ -n "${ACTIVITY_GBQ:-}" ] && SET=(--set "treatment.activity_gbq=$ACTIVITY_GBQ")
echo "| storage | spheres | histories | threads | wall s | peak RSS MB | output MB |"
echo "|---|---|---|---|---|---|---|"
for s in table counts; do
    out=$O/resin_$s.h5
    /usr/bin/time -f "%e %M" -o "$O/time_$s.txt" "$B/y90mc" run "$ROOT/configs/resin_counts.yaml" -o "$out" --force \
        --quiet --histories "$H" --threads "$T" --set "source.sphere_storage=$s" "${SET[@]}"
    read -r wall kb < "$O/time_$s.txt"
    n=$(/usr/bin/python3 -c "import h5py; print(h5py.File('$out')['treatment'].attrs['n_spheres'])")
    mb=$(du -m "$out" | cut -f1)
    echo "| $s | $n | $H | $T | $wall | $((kb / 1024)) | $mb |"
done
"$B/y90mc" compare "$O/resin_table.h5" "$O/resin_counts.h5" | head -20
