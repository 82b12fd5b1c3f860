"""Loopback fakes for parts that need the internet: an OpenAI-compatible LLM server and
reev's agent service. They live in tests only and bind 127.0.0.1."""
