#!/usr/bin/env bash
# Restores, builds and tests every project of Lifetime.sln, then prints one line:
#   N passed, N failed, N skipped
# Projects whose path contains "Akka" need Akka.NET 1.5.30 packages. Where those cannot be restored
# from the configured NuGet sources, they are left out (said in one line) and everything else is
# tested; their specs are neither run nor counted.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work="$root/artifacts/test"
rm -rf "$work"
mkdir -p "$work/results"

mapfile -t projects < <(dotnet sln Lifetime.sln list | grep -E '\.csproj$' | tr '\\' '/')

akka=yes
akka_projects=()
for p in "${projects[@]}"; do
  [[ "$p" == *Akka* ]] && akka_projects+=("$p")
done
if ((${#akka_projects[@]})); then
  if ! dotnet restore "${akka_projects[0]}" >"$work/akka-restore.log" 2>&1; then
    akka=no
    echo "Akka.NET 1.5.30 packages cannot be restored from the configured NuGet sources: skipping ${#akka_projects[@]} Akka project(s) (${akka_projects[*]})."
  fi
fi

# A solution filter with the projects that can be built here.
filter="$work/Lifetime.test.slnf"
{
  printf '{ "solution": { "path": "%s", "projects": [' "$root/Lifetime.sln"
  sep=""
  for p in "${projects[@]}"; do
    if [[ "$akka" == no && "$p" == *Akka* ]]; then continue; fi
    printf '%s"%s"' "$sep" "$p"
    sep=", "
  done
  printf '] } }\n'
} >"$filter"

if ! dotnet build "$filter" -c Release -warnaserror -nologo -v:q -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test "$filter" -c Release --no-build --nologo -v:q \
  --logger "trx" --results-directory "$work/results" -- RunConfiguration.TreatNoTestsAsError=false
test_exit=$?

passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$work"/results/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

if ((test_exit != 0 && failed == 0)); then
  # The runner failed without a failing test (a crash, a hang killed by the blame collector, no results).
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
