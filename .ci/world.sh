#!/usr/bin/env bash
# Runs `studioform validate` and cfn-lint over the vendored cfn-lint fixtures
# (tests/world/cfn-lint/{good,bad}) and prints, per set, how many files each rejects at
# error level. With --record, rewrites tests/world/cfn-lint/cfn-lint.txt, the verdicts of
# cfn-lint the `world` test compares against.
#
# A file is rejected by studioform when `validate` exits non-zero (1: an error finding,
# 2: not a usable template), by cfn-lint when it reports any E rule (or cannot parse it).
#
# Usage: .ci/world.sh [--record]   (CFN_LINT names cfn-lint; default target/ci-venv/bin/cfn-lint)
set -euo pipefail
cd "$(dirname "$0")/.."

record=false
[[ "${1:-}" == --record ]] && record=true
cfn_lint=${CFN_LINT:-target/ci-venv/bin/cfn-lint}
world=tests/world/cfn-lint
cargo build --quiet
bin=$PWD/target/debug/studioform

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$world" && find good bad -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | LC_ALL=C sort) >"$work/files"

# studioform: one run per file, its exit code is the verdict.
while read -r f; do
  status=0
  "$bin" validate --quiet --format short "$world/$f" >/dev/null 2>&1 || status=$?
  echo "$f $status"
done <"$work/files" >"$work/ours"

if $record || [[ ! -f "$world/cfn-lint.txt" ]]; then
  # cfn-lint: one run over every file (it starts slowly); a file is rejected when any line
  # of its parseable output names an E rule. Run from inside the folder so that paths match.
  # shellcheck disable=SC2046
  (cd "$world" && "$cfn_lint" --format parseable -- $(cat "$work/files") 2>/dev/null || true) >"$work/lint"
  {
    echo "# cfn-lint $("$cfn_lint" --version | awk '{print $2}') on each file: E (an error-level finding) or ok"
    while read -r f; do
      if grep -qE "^$f:[0-9]+:[0-9]+:[0-9]+:[0-9]+:E" "$work/lint"; then echo "$f E"; else echo "$f ok"; fi
    done <"$work/files"
  } >"$work/theirs"
  if $record; then cp "$work/theirs" "$world/cfn-lint.txt"; fi
else
  cp "$world/cfn-lint.txt" "$work/theirs"
fi

printf '%-5s %6s %18s %18s %24s\n' set files studioform cfn-lint 'studioform-only (good)'
for set in good bad; do
  files=$(grep -c "^$set/" "$work/files")
  ours=$(grep "^$set/" "$work/ours" | awk '$2 != 0' | wc -l)
  theirs=$(grep "^$set/" "$work/theirs" | awk '$2 == "E"' | wc -l)
  only=$(join <(grep "^$set/" "$work/ours" | sort) <(grep "^$set/" "$work/theirs" | sort) | awk '$2 != 0 && $3 == "ok"' | wc -l)
  printf '%-5s %6s %18s %18s %24s\n' "$set" "$files" "$ours" "$theirs" "$only"
done
echo
echo "good files studioform rejects that cfn-lint accepts:"
join <(grep '^good/' "$work/ours" | sort) <(grep '^good/' "$work/theirs" | sort) | awk '$2 != 0 && $3 == "ok" {print "  " $1}'
echo "bad files cfn-lint flags and studioform does not:"
join <(grep '^bad/' "$work/ours" | sort) <(grep '^bad/' "$work/theirs" | sort) | awk '$2 == 0 && $3 == "E" {print "  " $1}'
