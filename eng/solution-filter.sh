#!/usr/bin/env bash
# Writes artifacts/Lifetime.available.slnf: every project of Lifetime.sln that can be restored here.
# Projects whose path contains "Akka" need Akka.NET 1.5.30 packages; where those cannot be restored
# from the configured NuGet sources, they are left out and one line says so (on stderr with --quiet
# left out, so a caller can show it once). Prints the filter's path on stdout.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p artifacts
filter="$root/artifacts/Lifetime.available.slnf"

mapfile -t projects < <(dotnet sln Lifetime.sln list | grep -E '\.csproj$' | tr '\\' '/')

akka=yes
akka_projects=()
for p in "${projects[@]}"; do
  [[ "$p" == *Akka* ]] && akka_projects+=("$p")
done
if ((${#akka_projects[@]})); then
  if ! dotnet restore "${akka_projects[0]}" >artifacts/akka-restore.log 2>&1; then
    akka=no
    if [[ "${1:-}" != "--quiet" ]]; then
      echo "Akka.NET 1.5.30 packages cannot be restored from the configured NuGet sources: skipping ${#akka_projects[@]} Akka project(s) (${akka_projects[*]}); their specs are not run or counted." >&2
    fi
  fi
fi

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
echo "$filter"
