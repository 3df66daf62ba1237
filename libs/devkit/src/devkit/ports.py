"""Ports for the servers that tests, benchmarks and ``mineadmin dev`` start on 127.0.0.1, chosen
so that nothing else takes one between the choice and the server's own bind.

``bind(0)`` gets a port from the kernel's ephemeral range (``net.ipv4.ip_local_port_range``),
the range it also draws every outgoing connection's local port from. A server process takes
seconds to start (Python imports, a JVM), and in that time a connection to PostgreSQL or Kafka
can take the port: "address already in use" (seen in CI on an e2e uvicorn process). Ports below
the ephemeral range are never given to connections; each is probed free and handed out once by
this process.
"""

import random
import socket
import threading
from pathlib import Path

HOST = "127.0.0.1"
LOWEST = 10_000  # below: well-known and registered services' habits
_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_handed: set[int] = set()
_lock = threading.Lock()


def _ephemeral_start() -> int:
    try:
        return int(_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """``count`` different ports free on 127.0.0.1 now, outside the ephemeral range, none handed
    out before by this process."""
    candidates = range(LOWEST, _ephemeral_start())
    chosen: list[int] = []
    with _lock:
        for port in random.sample(candidates, min(len(candidates), 50 * count + 100)):
            if port not in _handed and _bindable(port):
                _handed.add(port)
                chosen.append(port)
                if len(chosen) == count:
                    return chosen
    raise RuntimeError(f"no {count} free ports on {HOST} between {LOWEST} and {candidates.stop}")


def free_port() -> int:
    return free_ports(1)[0]
