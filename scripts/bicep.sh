#!/usr/bin/env bash
# Builds and lints infra/main.bicep with the Bicep compiler from NuGet (Azure.Bicep.CommandLine.linux-x64, the
# version pinned in Directory.Packages.props), offline. Fails on any error, warning or info diagnostic.
# Set BICEP=/path/to/bicep to use another compiler (e.g. on macOS or arm64).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BICEP:-}" ]; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "bicep.sh: the NuGet package holds a linux-x64 binary; set BICEP to a Bicep CLI for $(uname -s)-$(uname -m)." >&2
    exit 2
  fi
  version=$(sed -n 's/.*Include="Azure.Bicep.CommandLine.linux-x64" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
  [ -n "$version" ] || { echo "bicep.sh: no Azure.Bicep.CommandLine.linux-x64 version in Directory.Packages.props." >&2; exit 2; }
  if ! restore_log=$(dotnet restore msbuild/bicep/BicepCompiler.csproj -nologo -v q "-p:BicepVersion=$version" 2>&1); then
    printf '%s\n' "$restore_log" >&2
    echo "bicep.sh: could not restore Azure.Bicep.CommandLine.linux-x64 $version from the NuGet feed." >&2
    exit 2
  fi
  BICEP=$(dotnet msbuild msbuild/bicep/BicepCompiler.csproj -nologo "-p:BicepVersion=$version" -getProperty:BicepPath | tr '\\' '/')
  [ -x "$BICEP" ] || chmod u+x "$BICEP"
fi

export BICEP_TELEMETRY_ENABLED=false
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$BICEP" build infra/main.bicep --stdout >"$out/main.json" 2>"$out/build.txt" || { cat "$out/build.txt" >&2; echo "bicep build: FAILED" >&2; exit 1; }
"$BICEP" lint infra/main.bicep >"$out/lint.txt" 2>&1 || { cat "$out/lint.txt" >&2; echo "bicep lint: FAILED" >&2; exit 1; }
cat "$out/build.txt" "$out/lint.txt"
if [ -s "$out/build.txt" ] || [ -s "$out/lint.txt" ]; then
  echo "bicep: diagnostics reported (zero are allowed)" >&2
  exit 1
fi
echo "bicep $("$BICEP" --version | sed -n 's/Bicep CLI version \([^ ]*\).*/\1/p'): build and lint of infra/main.bicep clean ($(wc -c <"$out/main.json") bytes of ARM JSON, 0 diagnostics)"
