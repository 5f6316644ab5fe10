"""Hostile: reach the network: a listener of the grader's machine on 127.0.0.1, and its own loopback.

Tries (loopback addresses only): TCP connect to 127.0.0.1:<port> and
[::1]:<port>, a UDP datagram to 127.0.0.1:<port> (ports baked in by the test
into BAKED, since the environment is scrubbed), a connection to an abstract
Unix socket the test listens on, and a TCP listener of its own on 127.0.0.1
that it then connects to (a covert channel to a later process, or a test of
whether any network exists at all).
Must happen: nothing reaches the test's listeners; every attempt fails
(network namespace without interfaces up, and Landlock's TCP rules); the
grade is the wrong loss's.
"""
import socket

BAKED = {}


def _attempt(label, action):
    try:
        action()
        print(f"CONNECTED {label}")
    except OSError as exc:
        print(f"blocked {label}: {exc.strerror or exc}")


def _tcp(family, address):
    def action():
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(address)
            sock.sendall(b"hello from the sandbox")
    return action


def _udp(address):
    def action():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"hello from the sandbox", address)
    return action


def _abstract(name):
    def action():
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect("\0" + name)
            sock.sendall(b"hello from the sandbox")
    return action


def _own_loopback():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1.0) as client:
            client.sendall(b"ping")


port = BAKED.get("tcp_port", 9)
_attempt(f"tcp 127.0.0.1:{port}", _tcp(socket.AF_INET, ("127.0.0.1", port)))
_attempt(f"tcp [::1]:{port}", _tcp(socket.AF_INET6, ("::1", port)))
_attempt(f"udp 127.0.0.1:{BAKED.get('udp_port', 9)}", _udp(("127.0.0.1", BAKED.get("udp_port", 9))))
_attempt("abstract unix socket", _abstract(BAKED.get("abstract", "hostile-nobody-listens")))
_attempt("own loopback listener", _own_loopback)


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
