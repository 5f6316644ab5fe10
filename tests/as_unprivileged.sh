#!/usr/bin/env bash
# Run the sandbox-facing tests as an unprivileged user (`make test-unprivileged`).
# As root the grader drops each child to an unprivileged user; run by that user
# itself, the grader has no uid to drop to and must rely on Landlock and a user
# namespace instead. Both paths are tested. Outside root this is plain pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=(tests/sandbox/test_sandbox.py tests/sandbox/test_private_root.py tests/exercises/test_corpus.py tests/exercises/test_every_exercise.py tests/sandbox/test_hostile.py tests/verbs/test_gradescope.py tests/sandbox/test_isolation.py tests/submission/test_load.py tests/submission/test_careless.py tests/submission/test_bounded.py)
existing=()
for t in "${tests[@]}"; do [ -e "$t" ] && existing+=("$t"); done
if [ "$(id -u)" != 0 ]; then
    exec .venv/bin/python -m pytest -q -p no:cacheprovider "${existing[@]}"
fi
user=nobody
tree="$PWD"
if ! runuser -u "$user" -- test -r "$tree/Makefile" -a -x "$tree/.venv/bin/python"; then
    # This clone sits somewhere the user cannot read (under /root, say): test a copy.
    tree="$(mktemp -d /tmp/pseudoloss-unprivileged.XXXXXX)"
    trap 'rm -rf "$tree"' EXIT
    cp -a . "$tree/"
    chmod 755 "$tree"
fi
cd "$tree"
exec runuser -u "$user" -- env HOME=/tmp PYTHONDONTWRITEBYTECODE=1 \
    .venv/bin/python -m pytest -q -p no:cacheprovider "${existing[@]}"
