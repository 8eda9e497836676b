#!/usr/bin/env bash
# SARIF from the sample services must pass the SARIF Multitool in default and GitHub modes with
# zero errors (see scripts/validate-sarif.mjs). Called by .ci/run after the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f dist/cli/main.js ]] || npm run build:dist
node scripts/validate-sarif.mjs "$@"
