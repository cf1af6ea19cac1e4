#!/usr/bin/env bash
# The whole test suite, as CI runs it: build the plugin, check types, lint and formatting, verify the package, then
# unit, integration (real Strapi + Dovecot), crash and corpus tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-prerequisites.sh --browser
npm run build
npm run verify
npm run typecheck
npm run lint
mkdir -p test-artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile=test-artifacts/vitest.json "$@" || status=$?
# One plain closing line that any CI reader understands.
node -e '
  const r = require("./test-artifacts/vitest.json");
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit "$status"
