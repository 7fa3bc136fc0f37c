#!/usr/bin/env bash
# Run the libFuzzer harnesses over the seed corpus in tests/fuzz/corpus, each for SECONDS (default 60).
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS [HARNESS...]]   (BUILD_DIR configured with clang and -DY90_FUZZ=ON;
# harnesses: config report, default both)
# New inputs found go to a temporary folder that is removed afterwards, so the tree is left as it was; a finding
# (crash, sanitizer report, leak, timeout) stops the run with libFuzzer's report and the input that caused it,
# which is saved in that folder and named in the message: copy it into tests/fuzz/corpus/HARNESS/ with the fix.
set -euo pipefail
build="$(cd "$1" && pwd)"; seconds="${2:-60}"; shift; shift || true
harnesses=("${@:-config report}")
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/y90fuzz-run-XXXXXX")"
status=0
export TMPDIR="$work" # the harnesses' own temporary files go there too
for h in ${harnesses[@]}; do
  exe="$build/tests/fuzz/fuzz_$h"
  mkdir -p "$work/$h"
  dict=(); [ -f "$src/$h.dict" ] && dict=(-dict="$src/$h.dict")
  # first every corpus input once (regression), then fuzzing for the time given
  if ! (cd "$work" && "$exe" -runs=0 "$src/corpus/$h" >"$work/$h.log" 2>&1); then
    echo "fuzz_$h: a corpus input fails:"; tail -40 "$work/$h.log"; status=1; continue
  fi
  if (cd "$work" && "$exe" "${dict[@]}" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
        -max_len=4096 -artifact_prefix="$work/$h-" "$work/$h" "$src/corpus/$h" >"$work/$h.log" 2>&1); then
    echo "fuzz_$h: $(grep -E '^Done' "$work/$h.log" | tail -1), no finding"
  else
    echo "fuzz_$h: FINDING (input kept in $work):"; tail -60 "$work/$h.log"; status=1
  fi
done
[ $status -eq 0 ] && rm -rf "$work"
exit $status
