"""Hostile: talk to a process outside the sandbox through a Unix socket that has a path.

Tries: the network namespace hides TCP/UDP and abstract sockets, and Landlock
(ABI <= 7) denies TCP, but neither stops connect()/sendto() on a *pathname*
Unix socket the child can reach by permissions: the test listens on a
world-accessible socket file (path baked into BAKED) standing in for any
local service (D-Bus, an X server, a database, a docker.sock, or another
process of the grader); the submission also probes a few well-known ones.
Must happen: nothing reaches the test's listener (stream or datagram).
"""
import socket

BAKED = {}

_targets = list(BAKED.get("stream", ())) + ["/run/dbus/system_bus_socket", "/var/run/docker.sock",
                                            "/tmp/.X11-unix/X0"]
for path in _targets:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(path)
            sock.sendall(b"hello from the sandbox")
        print(f"CONNECTED {path}")
    except OSError as exc:
        print(f"blocked {path}: {exc.strerror or exc}")
for path in BAKED.get("dgram", ()):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"hello from the sandbox", path)
        print(f"SENT {path}")
    except OSError as exc:
        print(f"blocked {path}: {exc.strerror or exc}")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
