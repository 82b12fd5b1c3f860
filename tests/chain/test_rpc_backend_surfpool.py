"""The surfpool helper: never downloads, starts only an installed binary, stops only its child.

surfpool is not installed here, so a stand-in executable on a temporary PATH plays it: it
records its arguments and answers getHealth on the port it was given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from reev.chain.surfpool import SurfpoolError, find_surfpool, start_surfpool

STAND_IN = """#!{python}
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
open({args!r}, "w").write(json.dumps(sys.argv[1:]))
port = int(sys.argv[sys.argv.index("--port") + 1])
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        raw = json.dumps({{"jsonrpc": "2.0", "id": body["id"], "result": "ok"}}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(raw))); self.end_headers()
        self.wfile.write(raw)
    def log_message(self, *a): pass
HTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def test_missing_surfpool_is_an_error_and_nothing_is_downloaded(tmp_path: Path) -> None:
    assert find_surfpool(tmp_path / "no-such-surfpool") is None
    with pytest.raises(SurfpoolError, match=r"not installed.*never downloads"):
        start_surfpool(binary=tmp_path / "no-such-surfpool")
    assert list(tmp_path.iterdir()) == []


def test_installed_surfpool_is_started_on_loopback_and_only_it_is_stopped(tmp_path: Path) -> None:
    args_file = tmp_path / "args.json"
    exe = tmp_path / "surfpool"
    exe.write_text(STAND_IN.format(python=sys.executable, args=str(args_file)))
    exe.chmod(0o755)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        node = start_surfpool(binary=exe, fork_url="https://rpc.example/?api-key=secret")
        with node:
            answer = httpx.post(node.url, json={"jsonrpc": "2.0", "id": 1, "method": "getHealth"})
            assert answer.json()["result"] == "ok"
            args = json.loads(args_file.read_text())
            assert args[:1] == ["start"] and "--no-tui" in args
            assert args[args.index("--host") + 1] == "127.0.0.1"
            assert args[args.index("--rpc-url") + 1] == "https://rpc.example/?api-key=secret"
        assert node.process.poll() is not None  # our child is gone ...
        assert bystander.poll() is None  # ... and nothing else was touched
        offline = start_surfpool(binary=exe)
        offline.stop()
        assert "--offline" in json.loads(args_file.read_text())
    finally:
        bystander.kill()
        bystander.wait()


def test_surfpool_that_dies_at_startup_is_reported(tmp_path: Path) -> None:
    exe = tmp_path / "surfpool"
    exe.write_text("#!/bin/sh\nexit 3\n")
    exe.chmod(0o755)
    with pytest.raises(SurfpoolError, match="exited with status 3"):
        start_surfpool(binary=exe, startup_timeout=10)
    assert os.access(exe, os.X_OK)
