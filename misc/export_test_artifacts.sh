#!/usr/bin/env bash
# Runs the expected-output tests with ENVSTACKS_EXPORT_TEST_ARTIFACTS=DIR: a failing test
# saves its fresh locks, metadata and archives under DIR/<test-file>/{requirements,manifests,
# archives} (set ENVSTACKS_FORCE_TEST_EXPORT=1 to save them on success too). Creates DIR;
# exits with the tests' status.
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
mkdir -p "$1"
export_dir="$(cd "$1" && pwd)"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ENVSTACKS_EXPORT_TEST_ARTIFACTS="$export_dir" npm run tox -- -e expected_output
