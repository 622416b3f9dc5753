#!/usr/bin/env bash
# The GPU checks in one prepared run, for a machine that lends a GPU for a few minutes:
#   1. the card and the software, recorded;
#   2. the estimate of every experiment at that scale on that card (`ddlit reproduce all --estimate`);
#   3. the notebooks' `cuda` cells (`nbdev_test --flags cuda`), which only run where CUDA is;
#   4. the phase-1 benchmark on the card (bench/phase1.py);
#   5. the sweeps at the chosen scale, most valuable first (Figure 1, then Figure 3 and Tables 2-4, ...), each stopped
#      cleanly when the time budget runs out: a stopped sweep's log keeps every finished cell and the next run resumes it.
# Everything goes under OUT: gpu-check.log (all output), summary.md (what ran, how long, how it ended) and
# results.tar.gz (the results folder: logs, tables, figures, claims).
#
#   tools/gpu_check.sh                       # on the GPU machine: DEVICE=cuda, SCALE=full, BUDGET=480 s
#   tools/gpu_check.sh wheels .whl           # here, before: the wheels the GPU machine lacks (Python 3.12, x86-64)
#   DEVICE=cpu SCALE=quick BUDGET=60 NOTEBOOKS=nbs/00_core.ipynb tools/gpu_check.sh   # the same run, tiny, on a CPU
#
# Settings (environment): DEVICE (cuda), SCALE (full), DTYPE (float32), BUDGET (seconds for the whole run, 480),
# OUT (the tool's $OUT, else ./gpu-check-out), WHEELS (.whl: installed with --no-index when the folder exists),
# NOTEBOOKS (nbs: what nbdev_test runs), ESTIMATE (all: what is estimated), BENCH (the benchmark's arguments),
# SWEEPS (the experiments, in order), RESUME (a results folder to continue: the last run's, unpacked),
# STEPS (which of environment estimate notebooks bench sweeps to run; all by default).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ "${1:-}" = wheels ]; then # what the GPU machine's image lacks, for its Python 3.12
  dest=${2:-.whl}; mkdir -p "$dest"
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d "$dest" \
    'nbdev==2.4.14' 'fastcore<2' 'execnb<0.2' 'ghapi<2' asttokens astunparse six watchdog ipython ipython-pygments-lexers \
    jedi parso traitlets pygments decorator matplotlib-inline pexpect ptyprocess prompt-toolkit wcwidth stack-data \
    executing pure-eval pyyaml packaging
  ls "$dest"; exit $?
fi

DEVICE=${DEVICE:-cuda}; SCALE=${SCALE:-full}; DTYPE=${DTYPE:-float32}; BUDGET=${BUDGET:-480}
OUT=${OUT:-$ROOT/gpu-check-out}; WHEELS=${WHEELS:-.whl}; NOTEBOOKS=${NOTEBOOKS:-nbs}
SWEEPS=${SWEEPS:-fig1 tables fig3 rank finite_t memory iterated fig2 fig2_dims rates}; ESTIMATE=${ESTIMATE:-all}; BENCH=${BENCH:---repeat 3}
STEPS=" ${STEPS:-environment estimate notebooks bench sweeps} "
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
exec > >(tee "$OUT/gpu-check.log") 2>&1
START=$(date +%s); DEADLINE=$((START + BUDGET)); RESERVE=15 # seconds kept for packing the results
WORK=$(mktemp -d); RESULTS=$WORK/results; trap 'rm -rf "$WORK"' EXIT
[ -n "${RESUME:-}" ] && [ -d "$RESUME" ] && cp -r "$RESUME" "$RESULTS"
mkdir -p "$RESULTS"
SUMMARY=$OUT/summary.md
echo "# ddlit GPU check: DEVICE=$DEVICE SCALE=$SCALE DTYPE=$DTYPE BUDGET=${BUDGET}s" > "$SUMMARY"
echo "| step | seconds | how it ended |" >> "$SUMMARY"; echo "|---|---|---|" >> "$SUMMARY"

if [ -d "$WHEELS" ] && ls "$WHEELS"/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$WORK/site" "$WHEELS"/*.whl || exit 1
  export PYTHONPATH=$ROOT:$WORK/site
else
  export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
mkdir -p "$WORK/bin" # the repository's ddlit, whether or not it is installed (timeout runs programs, not functions)
printf '#!/bin/sh\nexec python3 -c "import sys; from ddlit.repro.cli import main; sys.exit(main(sys.argv[1:]))" "$@"\n' > "$WORK/bin/ddlit"
chmod +x "$WORK/bin/ddlit"; export PATH=$WORK/bin:$PATH

left() { echo $((DEADLINE - RESERVE - $(date +%s))); }

step() { # step KIND NAME CAP COMMAND...: run COMMAND for at most min(CAP, what the budget leaves), ended by SIGINT (sweeps log and stop)
  local kind=$1 name=$2 cap=$3; shift 3
  [[ "$STEPS" == *" $kind "* ]] || return 0
  local t=$(left); [ "$cap" -lt "$t" ] && t=$cap
  if [ "$t" -le 5 ]; then echo "| $name | 0 | not started: budget spent |" >> "$SUMMARY"; return 0; fi
  echo "== $name (at most ${t}s)"
  local s=$(date +%s); timeout --signal=INT --kill-after=20 "$t" "$@"; local rc=$?
  local how="exit $rc"; [ $rc -eq 0 ] && how=done; { [ $rc -eq 124 ] || [ $rc -eq 130 ]; } && how="stopped at its time limit (resumable)"
  echo "| $name | $(( $(date +%s) - s )) | $how |" >> "$SUMMARY"
  [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ $rc -eq 130 ] || FAILED="$FAILED $name"
}
FAILED=""

step environment environment 60 python3 -c "
import platform, torch, ddlit
dev = torch.device('$DEVICE')
name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else platform.processor() or platform.machine()
print(f'ddlit {ddlit.__version__}, torch {torch.__version__}, Python {platform.python_version()}, device $DEVICE: {name}')"
calibrate=(); [ "$SCALE" = full ] && calibrate=(--calibrate quick) # full cells are too long to time: rate from quick ones, scaled by work
step estimate estimate 120 ddlit reproduce "$ESTIMATE" --"$SCALE" --estimate --estimate-cells "${ESTIMATE_CELLS:-2}" "${calibrate[@]}" --device "$DEVICE" --dtype "$DTYPE" --out "$WORK/estimate"
# nbdev_test's function itself (__wrapped__): its command-line wrapper would read python's own arguments, not these
step notebooks "nbdev_test --flags cuda" 240 python3 -c 'import sys; from nbdev.test import nbdev_test; nbdev_test.__wrapped__(path=sys.argv[1], flags="cuda")' "$NOTEBOOKS"
step bench "phase-1 benchmark" 90 python3 bench/phase1.py --device "$DEVICE" $BENCH
for name in $SWEEPS; do
  step sweeps "reproduce $name --$SCALE" 100000 ddlit reproduce "$name" --"$SCALE" --device "$DEVICE" --dtype "$DTYPE" --out "$RESULTS"
done

tar -czf "$OUT/results.tar.gz" -C "$WORK" results
echo "total: $(( $(date +%s) - START ))s of ${BUDGET}s; failed steps:${FAILED:- none}" | tee -a "$SUMMARY"
[ -z "$FAILED" ]
