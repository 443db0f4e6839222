#!/usr/bin/env bash
# Runs every test of the solution: installs and starts the emulators it needs (127.0.0.1 only), runs
# `dotnet test` in Release, stops the emulators by PID, and ends with the line 'N passed, N failed'.
# Extra arguments go to dotnet test (e.g. --filter 'FullyQualifiedName~Segmentation').
set -uo pipefail
cd "$(dirname "$0")/.."

results=TestResults
rm -rf "$results"

# Bicep build + lint of infra/ (offline, a few seconds; zero diagnostics allowed).
bash scripts/bicep.sh || { echo "0 passed, 0 failed"; echo "bicep build/lint of infra/main.bicep failed" >&2; exit 1; }

# The dashboard bundle and its browser tests need the npm packages (esbuild, chart.js, playwright-core) and
# Debian's chromium; install what is missing (npm ci before the emulators start, since it replaces node_modules).
if [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/esbuild/package.json ]; then
  echo "installing npm packages (npm ci)"
  npm ci --no-fund --no-audit --loglevel=error >/dev/null || echo "npm ci failed: the dashboard tests will fail" >&2
fi
bash scripts/install-chromium.sh

bash scripts/emulators.sh start || { echo "0 passed, 0 failed"; echo "emulators failed to start" >&2; exit 1; }
trap 'bash scripts/emulators.sh stop >/dev/null' EXIT

# Tests find the emulators (on the ports emulators.sh used) through SMARTSHOP_TEST_STORAGE and
# SMARTSHOP_TEST_COSMOS_ENDPOINT; they fail (never skip) when an emulator does not answer.
eval "$(bash scripts/emulators.sh env)"
export AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX=true
export AZURE_COSMOS_OPTIMISTIC_DIRECT_EXECUTION_ENABLED=true
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# A hung test fails the run (no dump) instead of eating CI's 90 minutes.
dotnet test SmartShop.Functions.sln -c Release --logger "trx" --logger "console;verbosity=minimal" --blame-hang-timeout 15m --blame-hang-dump-type none \
  --results-directory "$results" "$@"
status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
  echo "dotnet test exited with $status (build failure or test host crash)" >&2
fi
echo "$passed passed, $failed failed"
exit $status
