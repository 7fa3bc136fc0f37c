#!/bin/sh
# Builds of y90mc against each other on the default liver case by the CPU time of the kernel (perf stat
# task-clock of a run of N histories minus that of a run of N0 histories: the setup cancels), one thread. On a
# loaded shared machine this is steadier than bench/ab.sh's wall-clock histories/s: CPU time counts only while the
# process runs (time slices taken by other processes do not count; cache and SMT sharing still do; the virtual
# machine has no cycle counters). Prints per build the median kernel CPU microseconds per history and the median
# ratio (time of the first / time of this build: > 1 is faster) over REPS repetitions, every build in turn per
# repetition.
# Usage: bench/ab_cycles.sh [-n N] [-z N0] [-r REPS] Y90MC_A Y90MC_B [...]   (defaults 200000, 2000, 3)
set -eu
h=200000 h0=2000 reps=3
while getopts n:z:r: o; do case $o in n) h=$OPTARG ;; z) h0=$OPTARG ;; r) reps=$OPTARG ;; *) exit 2 ;; esac; done
shift $((OPTIND - 1))
cfg=$(dirname "$0")/../configs/net_bilobar_therasphere.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
med() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cyc() { # build histories -> CPU ms (setup on one thread too, OpenMP threads not spinning)
    OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE \
    perf stat -x, -e task-clock -o "$out/stat" "$1" run "$cfg" -o "$out/x.h5" --force --histories "$2" --threads 1 \
        > /dev/null 2>&1
    awk -F, '/task-clock/ { print $1 }' "$out/stat"
}
i=0
while [ $i -lt "$reps" ]; do
    k=0
    for b in "$@"; do
        c=$(cyc "$b" "$h") c0=$(cyc "$b" "$h0")
        awk -v c="$c" -v c0="$c0" -v n="$h" -v n0="$h0" 'BEGIN { printf "%.3f\n", 1e3 * (c - c0) / (n - n0) }' \
            > "$out/b$k-r$i"
        echo "rep $i: $b $(cat "$out/b$k-r$i") kernel us/history"
        k=$((k + 1))
    done
    i=$((i + 1))
done
k=0
for b in "$@"; do
    i=0; : > "$out/q"
    while [ $i -lt "$reps" ]; do
        awk -v x="$(cat "$out/b0-r$i")" -v y="$(cat "$out/b$k-r$i")" 'BEGIN { print x / y }' >> "$out/q"
        i=$((i + 1))
    done
    echo "$b: median $(cat "$out/b$k"-r* | med) kernel us/history, speed to the first x$(med < "$out/q")"
    k=$((k + 1))
done
