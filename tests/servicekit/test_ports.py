"""Ports for the servers the tests start: never from the range the kernel gives outgoing
connections (one of those took an e2e service's port before it could bind), never twice."""

import socket

from devkit.ports import HOST, LOWEST, _ephemeral_start, free_port, free_ports


def test_ports_lie_below_the_ephemeral_range_and_are_handed_out_once():
    ports = free_ports(20) + [free_port() for _ in range(20)]
    assert len(set(ports)) == 40
    assert all(LOWEST <= port < _ephemeral_start() for port in ports)
    with socket.socket() as server:
        server.bind((HOST, ports[-1]))  # still free for the server it was chosen for


def test_an_outgoing_connection_never_gets_a_chosen_port():
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        clients = [socket.create_connection(listener.getsockname()) for _ in range(50)]
        try:
            assert all(c.getsockname()[1] >= _ephemeral_start() for c in clients)
        finally:
            for client in clients:
                client.close()
