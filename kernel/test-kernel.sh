#!/bin/bash
# npm run test:kernel: records the workload afresh (kernel/record.sh) and runs the fixture checks of
# test/unit/realKernel.test.ts on the new recordings instead of the committed ones.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
"$HERE/record.sh"
CHECK=$HERE/.cache/check
rm -rf "$CHECK"
"$HERE/fixtures.sh" "$HERE/.cache/runs/latest" "$CHECK"
cd "$REPO"
npm run --silent build
DMRL_REAL_TRACES=$CHECK npx mocha out/test/unit/realKernel.test.js
