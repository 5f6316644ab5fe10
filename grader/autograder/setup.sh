#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
# It installs the grader into a venv made with the image's own python3 (3.10 on
# Ubuntu 22.04, 3.12 on 24.04), creates the unprivileged user that runs student
# code, and makes the grader's files unreadable to that user.
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"  # useradd lives in sbin, not always on PATH
source_dir="$(cd "$(dirname "$0")" && pwd)"
root="${AUTOGRADER_ROOT:-/autograder}"  # overridable so a test can run this in a scratch folder
venv="$root/venv"
sandbox_user=grader-sandbox

fail() { echo "setup.sh: $*" >&2; exit 1; }

if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
    # --no-install-recommends: python3-pip alone recommends ~400 MB of compilers, headers and fonts
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv python3-pip \
        || fail "python3-venv is missing and could not be installed"
fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || fail "the grader needs Python >= 3.10, the image has $(python3 --version 2>&1)"

python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip || echo "setup.sh: keeping $("$venv/bin/pip" --version)"
# CPU-only torch first: from PyPI, plain torch==2.13.0 is a multi-GB CUDA build.
"$venv/bin/pip" install --quiet --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    || fail "could not install the CPU build of torch 2.13.0 for $(python3 --version 2>&1) on $(uname -m)"
"$venv/bin/pip" install --quiet -r "$source_dir/requirements.txt" \
    || fail "could not install the pinned dependencies in requirements.txt"
"$venv/bin/python" -c "import torch, gymnasium, nbformat; assert torch.__version__.startswith('2.13.0')" \
    || fail "the venv does not import torch 2.13.0, gymnasium and nbformat"

id -u "$sandbox_user" >/dev/null 2>&1 \
    || useradd --system --no-create-home --shell /usr/sbin/nologin "$sandbox_user" \
    || fail "could not create the user $sandbox_user"
# The reference, the hidden cases and the grader stay root's alone; the venv stays readable.
chmod -R go-rwx "$source_dir"
chmod 755 "$root" "$source_dir" && chmod 755 "$source_dir/run_autograder"
echo "setup.sh: grader installed with $("$venv/bin/python" --version), student code runs as $sandbox_user"
