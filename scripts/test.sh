#!/usr/bin/env bash
# The whole test suite, as CI runs it: build the plugin, check types, lint and formatting, verify the package, then
# unit, integration (real Strapi + Dovecot), crash and corpus tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-prerequisites.sh
npm run build
npm run verify
npm run typecheck
npm run lint
npx vitest run "$@"
