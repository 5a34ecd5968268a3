"""A TCP proxy on loopback that can cut a connection in the middle of a server's answer:
the way a flaky network or a restarting server breaks an IMAP fetch."""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttingProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.cut_after: int | None = None  # server->client bytes after which to cut, once
        self.cuts = 0
        self.connections = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_once_after(self, nbytes: int) -> None:
        with self._lock:
            self.cut_after = nbytes

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_server: bool) -> None:
        passed = 0
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                if from_server:
                    with self._lock:
                        limit = self.cut_after
                        if limit is not None and passed + len(data) > limit:
                            self.cut_after = None
                            self.cuts += 1
                            dst.sendall(data[: max(0, limit - passed)])
                            raise ConnectionAbortedError("cut by the test")
                    passed += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self.sock.close()
