"""A classroom's network for the class benchmark: students behind one shaped link.

On loopback a student's 1.9 MB of scripts arrives at once. A classroom shares
one Wi-Fi, so what the server sends waits for the network, and a worker thread
writing an answer waits with it until the kernel holds the rest. With
``CLASS_NETWORK_MBIT=100`` the students run in a network namespace of their own,
joined to the machine by a veth pair whose server-to-student side is shaped to
that rate (``tc tbf``: one queue, shared by the whole class, as one access
point is). The server listens on loopback and on the pair's address; the real
browser alongside stays on loopback (the teacher's machine beside the server).

Needs root and iproute2 (``ip``, ``tc``), as the machine's own network does;
everything made here is removed on the way out.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import socket
import subprocess

NAMESPACE = "hclust-class"
HOST_SIDE, STUDENT_SIDE = "hclust-srv", "hclust-std"
HOST_IP, STUDENT_IP = "10.231.0.1", "10.231.0.2"
CLONE_NEWNET = 0x40000000


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(("ip", *args), check=check, capture_output=True, text=True)


def available() -> str | None:
    """Why a shaped network cannot be made here, or None when it can."""
    if os.geteuid() != 0:
        return "a shaped network needs root (network namespaces and tc)"
    missing = [tool for tool in ("ip", "tc") if shutil.which(tool) is None]
    if missing:
        return f"a shaped network needs iproute2 ({', '.join(missing)} not found)"
    return None


@contextlib.contextmanager
def shaped_network(mbit: float):
    """A namespace for the students behind a `mbit` Mbit/s link; yields the server's address."""
    reason = available()
    if reason:
        raise RuntimeError(f"CLASS_NETWORK_MBIT: {reason}")
    _remove()  # what a killed run left
    try:
        _ip("netns", "add", NAMESPACE)
        _ip("link", "add", HOST_SIDE, "type", "veth", "peer", "name", STUDENT_SIDE)
        _ip("link", "set", STUDENT_SIDE, "netns", NAMESPACE)
        _ip("addr", "add", f"{HOST_IP}/24", "dev", HOST_SIDE)
        _ip("link", "set", HOST_SIDE, "up")
        inside = ("netns", "exec", NAMESPACE, "ip")
        _ip(*inside, "addr", "add", f"{STUDENT_IP}/24", "dev", STUDENT_SIDE)
        _ip(*inside, "link", "set", STUDENT_SIDE, "up")
        _ip(*inside, "link", "set", "lo", "up")
        # the server's answers, queued at the access point: a burst of 64 KB, 100 ms of queue
        subprocess.run(
            ("tc", "qdisc", "replace", "dev", HOST_SIDE, "root", "tbf")
            + ("rate", f"{mbit:g}mbit", "burst", "64kb", "latency", "100ms"),
            check=True,
            capture_output=True,
        )
        yield HOST_IP
    finally:
        _remove()


def _remove() -> None:
    _ip("link", "del", HOST_SIDE, check=False)
    _ip("netns", "del", NAMESPACE, check=False)


def enter_student_side() -> None:
    """Move this process into the students' namespace (a pool's initializer: its threads
    and the sockets they open follow it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open(f"/var/run/netns/{NAMESPACE}") as namespace:
        if libc.setns(namespace.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns into the students' network namespace")
    # the students' side of the link is here, and only here: or nothing is shaped
    if STUDENT_SIDE not in {name for _, name in socket.if_nameindex()}:
        raise RuntimeError("not in the students' network namespace after setns")
