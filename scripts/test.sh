#!/usr/bin/env bash
# The project's test command: everything CI checks, in the order CI runs it.
#
#   ./scripts/test.sh            # from the repository root
#
# It expects the shared folder (spec, Wine and hio tooling) beside the
# repository, at ../shared, or at $MEMOGRAM_SHARED. It installs what it
# needs through the shared setup scripts (Debian packages for Wine and for
# the Python hio peer; root or sudo), which are idempotent.
#
# Environment: FUZZTIME (default 20s per fuzz target; 0 skips the fuzz
# smoke), SKIP_WINE=1 (skip the Windows build under Wine; never in CI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
shared=$(realpath "${MEMOGRAM_SHARED:-../shared}")
export MEMOGRAM_SPEC=$shared/spec
fuzztime=${FUZZTIME:-20s}
step() { printf '\n=== %s\n' "$*"; }

step "toolchain"
go version
go mod download

step "gofmt"
unformatted=$(gofmt -l .)
if [[ -n $unformatted ]]; then
  echo "not gofmt-ed:"; echo "$unformatted"; exit 1
fi

step "go vet, staticcheck (linux, windows)"
go vet ./...
GOOS=windows go vet ./...
# 'go tool' would build staticcheck itself for GOOS; build it for the host
# once and point it at each target OS.
staticcheck=$(go tool -n staticcheck)
"$staticcheck" ./...
GOOS=windows "$staticcheck" ./...

step "hio Python peer (interop tests)"
hio_exports=$(bash "$shared/hio-python/setup.sh")
eval "$hio_exports"
export MEMOGRAM_REQUIRE_HIO=1 # interop tests fail instead of skipping

step "go test -race (linux)"
go test -race -count=1 -timeout 20m ./...

if [[ ${SKIP_WINE:-} == 1 && ${CI:-} != true ]]; then
  step "Windows tests under Wine: SKIPPED (SKIP_WINE=1)"
else
  step "go test (windows, under Wine)"
  (
    wine_exports=$(bash "$shared/wine/setup.sh")
    eval "$wine_exports"
    GOOS=windows go test -count=1 -timeout 20m ./...
  )
fi

if [[ $fuzztime != 0 ]]; then
  step "fuzz smoke ($fuzztime per target)"
  while read -r pkg target; do
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done < <(grep -rhoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+' . | sort -u | while read -r _ fn; do
      file=$(grep -rlE --include='*_test.go' "^func ${fn}\(" . | head -n1)
      echo "./$(dirname "${file#./}") $fn"
    done)
fi

step "all checks passed"
