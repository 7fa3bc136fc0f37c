#!/usr/bin/env bash
# End-to-end check of the CLI under a memory checker: `check`, `run`, `report` (with pictures), `plan` and
# `export` (RT Dose, labels as NIfTI with their colour table, MetaImage) on a small liver case, in a fresh temporary
# folder that is removed when the check passes.
# Usage: run_report.sh Y90MC CONFIG [WRAPPER...]   e.g. run_report.sh build/y90mc tests/e2e/small_liver.yaml valgrind ...
set -euo pipefail
y90mc="$1"; config="$2"; shift 2
dir="$(mktemp -d "${TMPDIR:-/tmp}/y90e2e-XXXXXX")"
"$@" "$y90mc" check "$config"
"$@" "$y90mc" run "$config" -o "$dir/out.h5" --threads 2 --quiet
"$@" "$y90mc" report "$dir/out.h5" --json --dvh-csv "$dir/dvh.csv" --png "$dir/png" > "$dir/report.json"
grep -q '"treated_liver"\|treated' "$dir/report.json"
test -s "$dir/png/slices.png" && test -s "$dir/png/dvh.png" && test -s "$dir/png/profile.png"
"$@" "$y90mc" plan "$dir/out.h5" --goal treated-liver-mean=113 > "$dir/plan.txt"
grep -q 'activity at treatment' "$dir/plan.txt"
test -s "$dir/out.xdmf"
"$@" "$y90mc" export "$dir/out.h5" --format rtdose -o "$dir/dose.dcm"
"$@" "$y90mc" export "$dir/out.h5" --format nifti --quantity labels -o "$dir/labels.nii.gz"
"$@" "$y90mc" export "$dir/out.h5" --format mha --quantity density -o "$dir/density.mha"
test -s "$dir/dose.dcm" && test -s "$dir/labels.ctbl" && test -s "$dir/density.mha"
rm -rf "$dir"
echo "end-to-end run and report passed${*:+ under $1}"
