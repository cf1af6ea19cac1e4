#!/usr/bin/env bash
# One command for the demo on a fresh machine: installs what is missing (Dovecot, npm packages), builds the plugin and
# the playground admin, then starts Strapi with a local mailbox whose mail becomes tickets.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-prerequisites.sh
echo "==> building the plugin"
npm run build
echo "==> building the playground admin panel (about a minute)"
(cd playground && npx strapi build)
exec node --import tsx scripts/demo.ts
