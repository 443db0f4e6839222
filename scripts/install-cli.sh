#!/usr/bin/env bash
# Builds the smartshop CLI as a .NET tool from this checkout and restores it through .config/dotnet-tools.json, so
# `dotnet smartshop …` works anywhere in the repository. Run it again after changing the CLI's code.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=artifacts/cli
rm -rf "$packages"
dotnet pack src/SmartShop.Cli -c Release -o "$packages" -nologo -v q
# A tool restored once is cached by version: drop the cached copy so the fresh build is the one used.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/smartshop.cli"
dotnet tool restore --add-source "$packages" >/dev/null
echo "installed: run 'dotnet smartshop --help' from anywhere in this repository"
