#!/bin/sh
# Builds of y90mc against each other on the default liver case, in one run, by the kernel's own histories/s (the
# "kernel" line of `y90mc run`, which leaves out setup and output): for each repetition and thread count every
# build in turn, so that the machine's load hits all alike. Prints every run, then per thread count the median
# rate of each build and the median ratio of each build to the one before it and to the first.
# Usage: bench/ab.sh [-n HISTORIES] [-r REPS] [-t "1 2"] Y90MC_A Y90MC_B [...]   (defaults 300000, 3, "1 2")
# As root, put the shell's autogroup at top priority first: echo -20 > /proc/$$/autogroup (reset with 0).
set -eu
h=300000 reps=3 threads="1 2"
while getopts n:r:t: o; do case $o in n) h=$OPTARG ;; r) reps=$OPTARG ;; t) threads=$OPTARG ;; *) exit 2 ;; esac; done
shift $((OPTIND - 1))
cfg=$(dirname "$0")/../configs/net_bilobar_therasphere.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
med() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for t in $threads; do
    i=0
    while [ $i -lt "$reps" ]; do
        k=0
        for b in "$@"; do
            "$b" run "$cfg" -o "$out/x.h5" --force --histories "$h" --threads "$t" > "$out/log" 2>&1
            sed -n 's/^kernel mc: .*(\([0-9.e+]*\) histories\/s)$/\1/p' "$out/log" > "$out/t$t-b$k-r$i"
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
