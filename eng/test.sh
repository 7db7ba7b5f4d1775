#!/usr/bin/env bash
# Restores, builds (warnings as errors) and tests every project of Lifetime.sln, then prints one
# line: N passed, N failed, N skipped. A restore or build failure fails the run with the tool's own
# errors on screen.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work="$root/artifacts/test"
rm -rf "$work"
mkdir -p "$work/results"

if ! dotnet build Lifetime.sln -c Release -warnaserror -nologo -v:q -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# A test that hangs is killed after 5 minutes and counted as failed, so a hang cannot stall CI.
dotnet test Lifetime.sln -c Release --no-build --nologo -v:q --blame-hang-timeout 5m \
  --logger "trx" --results-directory "$work/results"
test_exit=$?

passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$work"/results/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # Skipped tests are in the total but were not executed (the notExecuted counter stays 0 for them).
  skipped=$((skipped + $(get total) - $(get executed)))
done

if ((test_exit != 0 && failed == 0)); then
  # The runner failed without a failing test (a crash, a hang killed by the blame collector, no results).
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
