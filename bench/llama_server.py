"""Serve a GGUF with llama-cpp-python's OpenAI-compatible server, extra buffer types off.

Run with the Python of the venv that has `llama-cpp-python[server]` (bench/real_model_setup.sh
builds one), not reev's: `LLAMA_VENV/bin/python bench/llama_server.py --model M.gguf ...`;
every argument is the server's own (`python -m llama_cpp.server --help`).

Why a launcher: on CPUs with AMX, llama.cpp repacks weights into AMX tiles ("extra
buffer types") and the repacked kernels trap with SIGILL at `tilezero` on these machines.
The server has no option for it, so the model parameters are given
`use_extra_bufts = False` here before the server loads the model.
"""

from __future__ import annotations

from typing import Any

import llama_cpp.llama_cpp as llama_c  # the ctypes bindings `llama_cpp.Llama` reads

_default_params = llama_c.llama_model_default_params


def _params_without_extra_buffer_types() -> Any:
    params = _default_params()
    params.use_extra_bufts = False
    return params


llama_c.llama_model_default_params = _params_without_extra_buffer_types

if __name__ == "__main__":
    from llama_cpp.server.__main__ import main

    main()
