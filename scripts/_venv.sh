# Shared by scripts/develop and scripts/simulate (source it, then call ensure_venv):
# the development virtual environment .venv-dev with requirements/run.txt installed.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-dev"
VENV_PY="$VENV/bin/python"
REQS="$ROOT/requirements/run.txt"
STAMP="$VENV/.requirements.sha256"

# Print the first Python >= $MIN_PYTHON (default 3.13.2: Home Assistant 2026.2's minimum); $PYTHON wins if set.
MIN_PYTHON="${MIN_PYTHON:-3.13.2}"
find_python() {
    local candidates=(python3.14 python3.13 python3.12 python3) candidate
    [[ -n "${PYTHON:-}" ]] && candidates=("$PYTHON")
    for candidate in "${candidates[@]}"; do
        # `command -v` alone is not enough: pyenv shims exist but fail for versions not selected.
        if "$candidate" -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$MIN_PYTHON'.split('.'))))" \
            >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: need Python >= $MIN_PYTHON (tried: ${candidates[*]})." >&2
    echo "       Install one, or point to it: PYTHON=/path/to/python3.13 $0" >&2
    return 1
}

# Hash run.txt together with the files it includes (-r core.txt), so a change to any of them reinstalls.
requirements_hash() {
    local files=("$REQS") include
    while read -r include; do
        files+=("$(dirname "$REQS")/$include")
    done < <(sed -n 's/^-r[[:space:]]*//p' "$REQS")
    cat "${files[@]}" | sha256sum | cut -d' ' -f1
}

ensure_venv() {
    local python want
    # A venv whose base interpreter is gone (upgraded, removed) cannot be repaired: start over.
    if [[ -d "$VENV" ]] && ! "$VENV_PY" -c '' >/dev/null 2>&1; then
        echo "==> $VENV is broken; recreating it"
        rm -rf "$VENV"
    fi
    if [[ ! -x "$VENV_PY" ]]; then
        python="$(find_python)" || return 1
        echo "==> Creating $VENV with $python ($("$python" --version))"
        "$python" -m venv "$VENV"
    fi
    want="$(requirements_hash)"
    [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && return 0

    echo "==> Installing ${REQS#"$ROOT"/} into $VENV (new or changed; the first time takes a while)"
    # uv resolves and installs Home Assistant's ~100 packages far faster than pip;
    # fall back to pip when uv cannot be installed (e.g. no wheel for this platform).
    # (`|| return 1`: the callers do not all run under `set -e`, and a failed install must not be stamped)
    if [[ -x "$VENV/bin/uv" ]] || "$VENV_PY" -m pip install --quiet uv; then
        "$VENV/bin/uv" pip install --python "$VENV_PY" -r "$REQS" || return 1
    else
        echo "==> uv is not available here; installing with pip (slower)"
        "$VENV_PY" -m pip install --upgrade pip || return 1
        "$VENV_PY" -m pip install -r "$REQS" || return 1
    fi
    # Written only after a successful install, so an interrupted one is retried next time.
    echo "$want" >"$STAMP"
}

# Run "$@" (Home Assistant) again each time it exits with code 100: that is how HA's Restart
# ends it (it leaves the restart to whatever supervises it).  Any other exit code is passed on.
run_restarting() {
    local status
    while true; do
        status=0
        "$@" || status=$?
        [[ $status -eq 100 ]] || return "$status"
        echo "==> Home Assistant asked for a restart; starting it again"
    done
}

# Link each blueprint of blueprints/automation/ocpp_core into CONFIG's blueprint folder (files, not the
# folder: Home Assistant's blueprint search does not descend into a linked folder), dropping links to
# blueprints that are gone.
link_blueprints() {
    local target="$1/blueprints/automation/ocpp_core" blueprint
    mkdir -p "$target"
    for blueprint in "$ROOT"/blueprints/automation/ocpp_core/*.yaml; do
        ln -sfn "$blueprint" "$target/$(basename "$blueprint")"
    done
    find "$target" -xtype l -delete
}

# Home Assistant itself needs two programs the Python packages do not bring: without them the dev
# instance logs errors that are not ours (tts, which onboarding sets up, runs ffmpeg; the camera
# support that the action list imports loads libturbojpeg).  Only a warning: HA still runs.
warn_missing_system_packages() {
    local missing=()
    command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
    if [[ "$(uname -s)" == Linux ]] && ! ldconfig -p 2>/dev/null | grep -q libturbojpeg; then
        missing+=(libturbojpeg)
    fi
    [[ ${#missing[@]} -eq 0 ]] && return 0
    echo "==> warning: ${missing[*]} not installed; Home Assistant will log errors about it." >&2
    echo "    Debian/Ubuntu: sudo apt-get install ffmpeg libturbojpeg0   macOS: brew install ffmpeg jpeg-turbo" >&2
}
