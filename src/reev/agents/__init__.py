"""Agents: the Agent protocol and its implementations. Agents never hold private keys."""

from reev.agents.base import Agent, AgentHarness, StepTask
from reev.agents.registry import AgentSpec, available_agents, create_agent

__all__ = ["Agent", "AgentHarness", "AgentSpec", "StepTask", "available_agents", "create_agent"]
