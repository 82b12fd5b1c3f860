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

    def needs(self) -> str:
        """What `reev agents` shows under 'needs'."""
        parts = []
        if self.key_env:
            parts.append(f"${self.key_env}" + ("" if self.key_required else " (optional)"))
        if self.model is None and self.model_env is None:
            parts.append("--model NAME")
        if self.base_url_env:
            parts.append(f"${self.base_url_env} (optional, default {self.base_url})")
        if self.model_env:
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
