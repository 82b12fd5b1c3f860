"""Tracing: session JSON files (reev's shape), later OpenTelemetry spans and flow diagrams.

Never required for a run to work.
"""
