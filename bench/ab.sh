#!/bin/sh
# Builds of y90mc against each other on the default liver case, in one run, by the kernel's own histories/s (the
# "kernel" line of `y90mc run`, which leaves out setup and output): for each repetition and thread count every
# build in turn, so that the machine's load hits all alike. Prints every run, then per thread count the median
# rate of each build and the median ratio of each build to the one before it and to the first.
# With -c N0, the rate is histories per second of kernel CPU time instead: `perf stat` task-clock of the run minus
# that of a run of N0 histories (the set-up cancels; OpenMP waiting passively, the set-up on the run's threads):
# time slices taken by other processes do not count (cache and SMT sharing still do), steadier on a loaded shared
# machine; use it with -t 1.
# Usage: bench/ab.sh [-n HISTORIES] [-r REPS] [-t "1 2"] [-c N0] Y90MC_A Y90MC_B [...]   (defaults 300000, 3, "1 2")
# As root, put the shell's autogroup at top priority first: echo -20 > /proc/$$/autogroup (reset with 0).
set -eu
h=300000 reps=3 threads="1 2" h0=0
while getopts n:r:t:c: o; do
    case $o in n) h=$OPTARG ;; r) reps=$OPTARG ;; t) threads=$OPTARG ;; c) h0=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
cfg=$(dirname "$0")/../configs/net_bilobar_therasphere.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpu() { # build histories threads -> CPU ms in $out/cpu
    OMP_NUM_THREADS=$3 OMP_WAIT_POLICY=PASSIVE perf stat -x, -e task-clock -o "$out/stat" "$1" run "$cfg" \
        -o "$out/x.h5" --force --histories "$2" --threads "$3" > /dev/null 2>&1
    awk -F, '/task-clock/ { print $1 }' "$out/stat" > "$out/cpu"
}
med() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for t in $threads; do
    i=0
    while [ $i -lt "$reps" ]; do
        k=0
        for b in "$@"; do
            if [ "$h0" -gt 0 ]; then
                cpu "$b" "$h" "$t"; c=$(cat "$out/cpu"); cpu "$b" "$h0" "$t"; c0=$(cat "$out/cpu")
                awk -v c="$c" -v c0="$c0" -v n="$h" -v n0="$h0" 'BEGIN { printf "%.4g\n", 1e3 * (n - n0) / (c - c0) }' \
                    > "$out/t$t-b$k-r$i"
            else
                "$b" run "$cfg" -o "$out/x.h5" --force --histories "$h" --threads "$t" > "$out/log" 2>&1
                sed -n 's/^kernel mc: .*(\([0-9.e+]*\) histories\/s)$/\1/p' "$out/log" > "$out/t$t-b$k-r$i"
            fi
            echo "threads $t rep $i: $b $(cat "$out/t$t-b$k-r$i") histories/s"
            k=$((k + 1))
        done
        i=$((i + 1))
    done
    k=0
    for b in "$@"; do
        r=$(cat "$out/t$t-b$k"-r* | med)
        if [ $k -gt 0 ]; then
            i=0; : > "$out/q"; : > "$out/q0"
            while [ $i -lt "$reps" ]; do
                awk -v x="$(cat "$out/t$t-b$((k - 1))-r$i")" -v y="$(cat "$out/t$t-b$k-r$i")" 'BEGIN { print y / x }' >> "$out/q"
                awk -v x="$(cat "$out/t$t-b0-r$i")" -v y="$(cat "$out/t$t-b$k-r$i")" 'BEGIN { print y / x }' >> "$out/q0"
                i=$((i + 1))
            done
            echo "threads $t: $b median $r /s, to the one before x$(med < "$out/q"), to the first x$(med < "$out/q0")"
        else
            echo "threads $t: $b median $r /s"
        fi
        k=$((k + 1))
    done
done
