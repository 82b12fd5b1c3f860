"""Named endpoints for the `openai` agent: the providers reev users know.

A preset says where to connect, which model to ask for and which environment variable
holds the key. `--model` and `--base-url` override it. Keys are read from the environment
when the agent is created and are never written anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from reev.agents.base import AgentError

OPENAI_DEFAULT_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class ModelPreset:
    """One provider endpoint."""

    name: str
    description: str
    base_url: str
    model: str | None
    key_env: str | None
    key_required: bool = True
    base_url_env: str | None = None
    model_env: str | None = None
    # how this kind of server is best driven (each overridable by a run option)
    stream: bool = False  # a streamed reply stops generating when the client disconnects
    results_role: str = "user"  # JSON/grammar modes: "tool" where the chat template renders it
    grammar_format: str = "openai"  # response_format shape for the grammar tool mode

    def needs(self) -> str:
        """What `reev agents` shows under 'needs'."""
        parts = []
        if self.key_env:
            parts.append(f"${self.key_env}" + ("" if self.key_required else " (optional)"))
        if self.model is None:
            parts.append("--model NAME" + (f" or ${self.model_env}" if self.model_env else ""))
        if self.base_url_env:
            parts.append(f"${self.base_url_env} (optional, default {self.base_url})")
        if self.model_env and self.model is not None:
            parts.append(f"${self.model_env} (optional, default {self.model})")
        return ", ".join(parts) or "nothing"


PRESETS: dict[str, ModelPreset] = {
    p.name: p
    for p in (
        ModelPreset(
            name="openai",
            description="any OpenAI-compatible chat-completions endpoint with tool calling",
            base_url=OPENAI_DEFAULT_URL,
            model=None,
            key_env="OPENAI_API_KEY",
            base_url_env="OPENAI_BASE_URL",
        ),
        ModelPreset(
            name="glm-4.6",
            description="Z.AI GLM-4.6 (general endpoint)",
            base_url="https://api.z.ai/api/paas/v4",
            model="glm-4.6",
            key_env="ZAI_API_KEY",
            base_url_env="ZAI_API_URL",
        ),
        ModelPreset(
            name="glm-4.6-coding",
            description="Z.AI GLM-4.6 on the GLM Coding Plan endpoint",
            base_url="https://api.z.ai/api/coding/paas/v4",
            model="glm-4.6",
            key_env="GLM_CODING_API_KEY",
            base_url_env="GLM_CODING_API_URL",
        ),
        ModelPreset(
            name="local",
            description="a local OpenAI-compatible server (LM Studio, llama.cpp, Ollama, vLLM)",
            base_url="http://localhost:1234/v1",
            model="qwen3-coder-30b-a3b-instruct-mlx",
            key_env="LOCAL_MODEL_API_KEY",
            key_required=False,
            base_url_env="LOCAL_MODEL_URL",
            model_env="LOCAL_MODEL_NAME",
        ),
        ModelPreset(
            name="llama-cpp",
            description="llama-cpp-python's or llama.cpp's server (streams; JSON-schema grammar)",
            base_url="http://127.0.0.1:8000/v1",
            model="local",
            key_env="LLAMA_CPP_API_KEY",
            key_required=False,
            base_url_env="LLAMA_CPP_URL",
            model_env="LLAMA_CPP_MODEL",
            stream=True,
            grammar_format="llama.cpp",
        ),
        ModelPreset(
            name="ollama",
            description="Ollama's OpenAI-compatible endpoint (needs --model, e.g. qwen2.5-coder)",
            base_url="http://127.0.0.1:11434/v1",
            model=None,
            key_env="OLLAMA_API_KEY",
            key_required=False,
            base_url_env="OLLAMA_URL",
            model_env="OLLAMA_MODEL",
            stream=True,
        ),
        ModelPreset(
            name="vllm",
            description="a vLLM server (needs --model: the served model name)",
            base_url="http://127.0.0.1:8000/v1",
            model=None,
            key_env="VLLM_API_KEY",
            key_required=False,
            base_url_env="VLLM_URL",
            model_env="VLLM_MODEL",
            stream=True,
        ),
        ModelPreset(
            name="lmstudio",
            description="LM Studio's local server (needs --model: the loaded model's id)",
            base_url="http://127.0.0.1:1234/v1",
            model=None,
            key_env="LMSTUDIO_API_KEY",
            key_required=False,
            base_url_env="LMSTUDIO_URL",
            model_env="LMSTUDIO_MODEL",
            stream=True,
        ),
    )
}


@dataclass(frozen=True)
class Endpoint:
    """Where and what to call. `api_key` lives in memory only; repr hides it."""

    preset: str
    base_url: str
    model: str
    api_key: str | None

    def __repr__(self) -> str:
        return f"Endpoint(preset={self.preset!r}, base_url={self.base_url!r}, model={self.model!r})"


def resolve_endpoint(
    preset_name: str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Endpoint:
    """The endpoint of a preset with overrides applied; AgentError naming what is missing.

    For `openai`, a key is required only when talking to OpenAI itself: a custom
    `--base-url` (vLLM, Ollama, ...) may need none.
    """
    env = os.environ if environ is None else environ
    preset = PRESETS.get(preset_name)
    if preset is None:
        raise AgentError(f"unknown model preset {preset_name!r}; known: {', '.join(PRESETS)}")
    url = base_url or (env.get(preset.base_url_env) if preset.base_url_env else None)
    url = url or preset.base_url
    name = model or (env.get(preset.model_env) if preset.model_env else None) or preset.model
    if not name:
        raise AgentError(f"the {preset.name} agent needs --model NAME")
    key = env.get(preset.key_env) if preset.key_env else None
    required = preset.key_required and not (preset.name == "openai" and base_url)
    if required and not key:
        raise AgentError(
            f"the {preset.name} agent needs an API key in the environment variable {preset.key_env}"
        )
    return Endpoint(preset=preset.name, base_url=url.rstrip("/"), model=name, api_key=key or None)
