# Sourced by the CI scripts: the pinned Python tools of .ci/requirements.txt in one virtual
# environment (target/ci/venv), on PATH.
venv=target/ci/venv
mkdir -p target/ci
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" 2>/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    python3 -m venv "$venv"
  }
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r .ci/requirements.txt
export PATH="$PWD/$venv/bin:$PATH"
