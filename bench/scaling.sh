#!/bin/sh
# Threads and MPI ranks on the default liver case: kernel time of one run with 1 and 2 OpenMP threads, then with
# 1 and 2 MPI ranks of one thread each (an MPI build). Usage: bench/scaling.sh [HISTORIES] [BUILD_DIR]
# Prints one line per run: threads or ranks, histories, kernel seconds, histories/s (from the run's own log).
set -eu
h=${1:-300000}
b=${2:-build}
cfg=$(dirname "$0")/../configs/net_bilobar_therasphere.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for t in 1 2; do
    "$b/y90mc" run "$cfg" -o "$out/t$t.h5" --histories "$h" --threads "$t" 2>&1 | grep "^kernel" | sed "s/^/threads $t: /"
done
if command -v mpirun >/dev/null 2>&1; then
    for n in 1 2; do
        OMP_NUM_THREADS=1 mpirun --allow-run-as-root --bind-to none -np "$n" "$b/y90mc" run "$cfg" -o "$out/r$n.h5" \
            --histories "$h" 2>&1 | grep "^kernel" | sed "s/^/ranks $n x 1 thread: /"
    done
fi
