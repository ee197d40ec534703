"""Child processes that never outlive the program that started them.

The embedded broker, the sandbox and adapter processes started by tests, the demo, the
benchmark and the chaos suite are stopped by their context managers; if the parent itself is
killed (SIGKILL, a CI time-out), Linux's parent-death signal stops them too.
"""

from __future__ import annotations

import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """``preexec_fn`` for ``subprocess.Popen``: SIGTERM this child when its parent dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
