#!/bin/sh
# Two builds of y90mc against each other on the default liver case, in one run, by the kernel's own histories/s
# (the "kernel" line of `y90mc run`, which leaves out setup and output):
#   1 thread: A and B run at the same time, one thread each, so that whatever load the machine has hits both alike;
#   2 threads: A then B, alternating.
# Prints every pair and the median of B/A per thread count. On a shared machine the absolute rates measure the load
# as much as the code; the 1-thread ratio is the robust number.
# Usage: bench/ab.sh Y90MC_A Y90MC_B [HISTORIES [REPS [THREADS]]]   (defaults 300000, 3, "1 2")
# As root, put the shell's autogroup at top priority first: echo -20 > /proc/$$/autogroup (reset with 0).
set -eu
a=$1 b=$2 h=${3:-300000} reps=${4:-3} threads=${5:-"1 2"}
cfg=$(dirname "$0")/../configs/net_bilobar_therasphere.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rate() { sed -n 's/^kernel mc: .*(\([0-9.e+]*\) histories\/s)$/\1/p' "$1"; }
go() { "$1" run "$cfg" -o "$out/$2.h5" --force --histories "$h" --threads "$3" > "$out/$2.log" 2>&1; }
med() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for t in $threads; do
    : > "$out/r$t"
    i=0
    while [ $i -lt "$reps" ]; do
        if [ "$t" = 1 ]; then
            go "$a" A 1 & pa=$!; go "$b" B 1 & pb=$!; wait $pa; wait $pb
        else
            go "$a" A "$t"; go "$b" B "$t"
        fi
        ra=$(rate "$out/A.log"); rb=$(rate "$out/B.log")
        q=$(awk -v x="$ra" -v y="$rb" 'BEGIN { printf "%.4f", y / x }')
        echo "$ra $rb $q" >> "$out/r$t"
        echo "threads $t: A $ra B $rb /s  B/A $q"
        i=$((i + 1))
    done
    echo "threads $t: medians A $(cut -d' ' -f1 "$out/r$t" | med) B $(cut -d' ' -f2 "$out/r$t" | med) /s," \
         "B/A $(cut -d' ' -f3 "$out/r$t" | med) ($reps pairs$([ "$t" = 1 ] && echo ", run side by side"))"
done
