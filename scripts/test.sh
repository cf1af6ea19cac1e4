#!/usr/bin/env bash
# The whole test suite, as CI runs it: build the plugin, check types, lint and formatting, verify the package, then
# Vitest on each database Strapi supports:
#   - SQLite: everything (unit, integration with real Strapi + Dovecot, crash, corpus, browser);
#   - PostgreSQL and MariaDB: the whole integration suite again each (unit and browser tests do not reach the
#     database's dialect: the browser tests drive the same admin API the integration tests call).
# Each server is started by the harness in a temp dir on a free port (tests/harness/postgres.ts, mysql.ts).
# With arguments (`npm test -- tests/integration/import.test.ts`) one run on EMAIL_PIPING_TEST_DB (default sqlite)
# with those arguments instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-prerequisites.sh --browser
npm run build
npm run verify
npm run typecheck
npm run lint
mkdir -p test-artifacts
rm -f test-artifacts/vitest-*.json

status=0
legs=()
# One Vitest run on one database; its JSON report and its time in seconds go to test-artifacts/.
leg() {
  local database=$1
  shift
  local started=$SECONDS
  echo "==> tests on ${database}: ${*:-everything}"
  EMAIL_PIPING_TEST_DB="$database" npx vitest run --reporter=default --reporter=json \
    --outputFile="test-artifacts/vitest-${database}.json" "$@" || status=$?
  echo "$((SECONDS - started))" >"test-artifacts/vitest-${database}.seconds"
  legs+=("$database")
}

if [ "$#" -gt 0 ]; then
  leg "${EMAIL_PIPING_TEST_DB:-sqlite}" "$@"
else
  leg sqlite
  leg postgres tests/integration
  leg mysql tests/integration
fi

# One plain closing line that any CI reader understands: totals per database, and the time each took.
node -e '
  const fs = require("fs");
  const parts = process.argv.slice(1).map((db) => {
    const file = `test-artifacts/vitest-${db}.json`;
    const seconds = Number(fs.readFileSync(`test-artifacts/vitest-${db}.seconds`, "utf8"));
    const time = `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
    if (!fs.existsSync(file)) return `${db}: no report (${time})`;
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    return `${db} ${r.numPassedTests} passed, ${r.numFailedTests} failed` +
      (r.numPendingTests ? `, ${r.numPendingTests} skipped` : "") + ` (${time})`;
  });
  console.log(`Tests: ${parts.join(" · ")}`);
' "${legs[@]}" || true
exit "$status"
