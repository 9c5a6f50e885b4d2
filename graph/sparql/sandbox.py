"""Cut a query worker off from the network, and tie its life to its parent's.

The read-only guard refuses `SERVICE` and foreign `FROM` before a query runs; this is the second
wall behind it. A worker calls `isolate_network()` before it loads anything: from then on the
kernel refuses every socket other than a Unix one (the worker's own pipe to the server) with
EACCES, so even a query that slipped past the guard cannot fetch a URL, resolve a name or scan a
port. It uses seccomp through libseccomp (the standard library for it, via pyseccomp's ctypes
bindings): no privileges needed, and the filter cannot be lifted by the process it applies to.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import signal
import socket
import sys

_PR_SET_PDEATHSIG = 1


class IsolationError(RuntimeError):
    """The worker could not be cut off from the network, so it must not run user queries."""


def isolate_network() -> None:
    """Refuse every non-Unix socket (and io_uring, which could open one) in this process, for good.

    Applied to all threads of the process (TSYNC) and inherited by any child it might start.
    """
    if not sys.platform.startswith("linux"):
        raise IsolationError(f"network isolation of query workers needs Linux seccomp; this is {sys.platform}")
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError) as err:  # RuntimeError: libseccomp.so.2 not found
        raise IsolationError(f"network isolation of query workers needs libseccomp: {err}") from None
    refuse = seccomp.ERRNO(errno.EACCES)
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
        rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
            rules.add_rule(refuse, call)
        rules.load()
    except OSError as err:
        raise IsolationError(f"could not install the seccomp filter: {err}") from None


def network_is_blocked() -> bool:
    """True when this process can no longer open an Internet socket (used by tests and /healthz)."""
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        return True
    probe.close()
    return False


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when the thread that started it ends (Linux), and exit now
    if the parent is already gone, so a server killed mid-query never leaves a worker spinning."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)
