#!/bin/bash
# npm run test:kernel: records the workload afresh (kernel/record.sh) and runs the fixture checks of
# test/unit/kernel/realKernel.test.ts on the new recordings instead of the committed ones.
# npm run test:kernel -- --races: the race variants instead (kernel/workload/run-races.sh --record):
# one row per variant and stock control, window hit or not, and the findings by rule of a recording.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
if [ "${1:-}" = --races ]; then
  shift
  cd "$REPO" && npm run --silent build
  exec sh "$HERE/workload/run-races.sh" --record "$@"
fi
"$HERE/record.sh"
CHECK=$HERE/.cache/check
rm -rf "$CHECK"
"$HERE/fixtures.sh" "$HERE/.cache/runs/latest" "$CHECK"
cd "$REPO"
npm run --silent build
DMRL_REAL_TRACES=$CHECK npx mocha --no-config --timeout 60000 out/test/unit/kernel/realKernel.test.js
