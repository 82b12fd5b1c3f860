"""Untrusted input read within limits: files, YAML and JSON checked before anything is built.

Every entry point that takes text from outside (benchmark files and uploads, predictions
files, cassettes, session and results files, JSON-RPC requests, API parameters, Host
headers: `reev.inputs.hosts`) goes through these functions, so a tiny hostile
file cannot exhaust memory, recurse the parser off the stack or hang on a FIFO. The limits
are stated in docs/benchmark-format.md and docs/api.md.
"""

from reev.inputs.files import InputFileError, read_text_file
from reev.inputs.json_bounded import (
    JsonLimitError,
    JsonLimits,
    JsonSyntaxError,
    load_json,
    read_json_file,
)
from reev.inputs.yaml_bounded import YamlLimitError, YamlLimits, load_yaml

__all__ = [
    "InputFileError",
    "JsonLimitError",
    "JsonLimits",
    "JsonSyntaxError",
    "YamlLimitError",
    "YamlLimits",
    "load_json",
    "load_yaml",
    "read_json_file",
    "read_text_file",
]
