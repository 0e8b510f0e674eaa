#!/usr/bin/env bash
# Reruns the expected-output tests in update mode (ENVSTACKS_UPDATE_EXPECTED_OUTPUT=1): they
# write the fresh sample locks and metadata over the committed ones instead of failing. Then
# writes to LIST_FILE the files that now differ from git's index, one path a line (empty when
# nothing changed). Fails only when the tests cannot run (pins that differ, no registry, ...),
# never because outputs changed.
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 LIST_FILE" >&2
  exit 2
fi
case "$1" in
  /* | [A-Za-z]:[\\/]*) list_file="$1" ;;
  *) list_file="$PWD/$1" ;;
esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ENVSTACKS_UPDATE_EXPECTED_OUTPUT=1 npm run tox -- -e expected_output -- tests/sample/expected-output.test.ts

# Paths only (porcelain's first 3 columns are the status); new folders listed file by file.
git status --porcelain --untracked-files=all -- sample_project/requirements expected-output \
  | cut -c4- >"$list_file"

count="$(wc -l <"$list_file" | tr -d ' ')"
echo "update_expected_output: ${count} changed file(s) listed in ${list_file}"
