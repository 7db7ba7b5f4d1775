#!/usr/bin/env bash
# Restores, builds (warnings as errors) and tests every project of Lifetime.sln, then prints one
# line: N passed, N failed, N skipped. Where the Akka.NET packages cannot be restored, the Akka
# projects are left out (eng/solution-filter.sh says so in one line) and everything else is tested;
# their specs are neither run nor counted.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work="$root/artifacts/test"
rm -rf "$work"
mkdir -p "$work/results"

# The solution less the Akka projects where Akka cannot be restored (that case is said on stderr).
filter=$(bash eng/solution-filter.sh)
if ! dotnet build "$filter" -c Release -warnaserror -nologo -v:q -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# A test that hangs is killed after 5 minutes and counted as failed, so a hang cannot stall CI.
dotnet test "$filter" -c Release --no-build --nologo -v:q --blame-hang-timeout 5m \
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
