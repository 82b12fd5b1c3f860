"""Which process owns a run, and whether that process is still alive.

A run made in-process (`reev run`, `reev tui`, `reev mcp`) is `running` until the process
that runs it says how it ended. A process killed with SIGKILL (or the OOM killer, or a
power cut) never says, so the run row records its owner and any later opening of the
store settles runs whose owner is provably gone (`Store.reconcile_abandoned_runs`).

An owner is `host/pid/boot=B,ns=N,start=T`:

- `host`: the host name; owners on another host are never judged (`UNKNOWN`), since their
  processes cannot be seen from here (host names must be unique among machines sharing a
  database, as for the API's job owners);
- `boot`: the first 8 characters of the kernel's boot id: an owner from an earlier boot of
  this host is gone, whatever its pid;
- `ns`: the pid namespace; an owner in another one (another container on the same kernel)
  cannot be seen, so it is `UNKNOWN`;
- `start`: the process's start time in clock ticks since boot (`/proc/PID/stat`, field
  22): a pid that exists with another start time was reused by a new process.

Where `/proc` is missing (not Linux) the owner is `host/pid/-` and only the pid's
existence is checked (signal 0; nothing is sent): a reused pid then keeps a dead owner's
run `running`, which errs on the safe side (on Windows, where signal 0 is not a probe,
every such owner counts as alive).
"""

from __future__ import annotations

import functools
import os
import socket
from enum import Enum
from pathlib import Path

PROC = Path("/proc")


class OwnerState(Enum):
    """What can be told about an owner from this process."""

    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"  # another host or pid namespace, or not an owner this module wrote


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state is [0], start [19])."""
    text = _read(PROC / str(pid) / "stat")
    if text is None or ")" not in text:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields if len(fields) > 19 else None


def _boot_id() -> str | None:
    text = _read(PROC / "sys" / "kernel" / "random" / "boot_id")
    if text is None:
        return None
    return text.strip().replace("-", "")[:8] or None


def _pid_namespace(pid: int | str) -> str | None:
    try:
        link = os.readlink(PROC / str(pid) / "ns" / "pid")  # "pid:[4026531836]"
    except OSError:
        return None
    return link.partition("[")[2].rstrip("]") or None


def _identity(pid: int) -> str:
    boot, ns, fields = _boot_id(), _pid_namespace(pid), _stat_fields(pid)
    if boot is None or ns is None or fields is None:
        return "-"
    return f"boot={boot},ns={ns},start={fields[19]}"


@functools.cache
def _this_process(pid: int) -> str:
    return f"{socket.gethostname()}/{pid}/{_identity(pid)}"


def process_owner() -> str:
    """This process as a run owner (cached per pid, so a forked child gets its own)."""
    return _this_process(os.getpid())


def owner_state(owner: str | None) -> OwnerState:
    """Whether the process `owner` names is alive, dead, or cannot be judged from here."""
    if not owner:
        return OwnerState.UNKNOWN
    try:
        host, pid_text, ident = owner.split("/", 2)
        pid = int(pid_text)
    except ValueError:
        return OwnerState.UNKNOWN
    if host != socket.gethostname() or pid <= 0:
        return OwnerState.UNKNOWN
    if owner == process_owner():
        return OwnerState.ALIVE
    marks = dict(part.partition("=")[::2] for part in ident.split(",") if "=" in part)
    if {"boot", "ns", "start"} <= marks.keys():
        return _judge(pid, marks)
    return OwnerState.ALIVE if _pid_exists(pid) else OwnerState.DEAD


def _judge(pid: int, marks: dict[str, str]) -> OwnerState:
    boot = _boot_id()
    if boot is None:
        return OwnerState.UNKNOWN  # /proc is not what it was when the owner was written
    if marks["boot"] != boot:
        return OwnerState.DEAD  # written during an earlier boot of this host
    if marks["ns"] != _pid_namespace("self"):
        return OwnerState.UNKNOWN  # another container: its pids are not ours
    fields = _stat_fields(pid)
    if fields is None:
        return OwnerState.ALIVE if _pid_exists(pid) else OwnerState.DEAD
    if fields[0] in ("Z", "X"):  # a zombie (killed, not reaped yet) or dying
        return OwnerState.DEAD
    return OwnerState.ALIVE if fields[19] == marks["start"] else OwnerState.DEAD


def _pid_exists(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there: assume alive
        return True
    try:
        os.kill(pid, 0)  # signal 0: an existence check, nothing is sent
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def describe_owner(owner: str) -> str:
    """`process 1234 on HOST` for messages."""
    host, _, rest = owner.partition("/")
    pid = rest.partition("/")[0]
    return f"process {pid} on {host}" if pid else owner
