"""A local fake of an OpenAI-compatible chat-completions endpoint, for ``[classifier]``:
``POST /v1/chat/completions`` answered in the API's shape, served by the standard library's
HTTP server on 127.0.0.1 in a background thread.

    fake = FakeLLM().start()
    [classifier] endpoint = fake.url                # http://127.0.0.1:<port>/v1
    fake.says("dispute", 0.9, ["arrived broken"])   # every request gets this opinion
    fake.says_raw("not json")                       # ... or this message content
    fake.fails(500)                                 # ... or this HTTP status
    fake.stalls(5)                                  # ... after waiting this long
    fake.requests                                   # what was asked: path, headers, JSON body
    fake.stop()
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._content = json.dumps({"label": "other", "confidence": 0.5, "evidence": [],
                                    "promise_date": None})
        self._status = 200
        self._body: bytes | None = None
        self._stall = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # -- what the tests steer and read ---------------------------------------------------------

    def says(self, label: str, confidence: float, evidence: list[str] | tuple[str, ...] = (),
             promise_date: str | None = None) -> None:
        """Answer every request with this opinion, as a model following the instructions would."""
        self.says_raw(json.dumps({"label": label, "confidence": confidence, "evidence": list(evidence),
                                  "promise_date": promise_date}))

    def says_raw(self, content: str) -> None:
        """Answer with this assistant message content, whatever it is."""
        with self._lock:
            self._content, self._status, self._body = content, 200, None

    def answers_body(self, body: bytes) -> None:
        """Answer HTTP 200 with this whole body instead of a chat completion."""
        with self._lock:
            self._status, self._body = 200, body

    def fails(self, status: int) -> None:
        with self._lock:
            self._status = status

    def stalls(self, seconds: float) -> None:
        with self._lock:
            self._stall = seconds

    def asked(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)

    # -- serving -----------------------------------------------------------------------------

    def start(self) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with fake._lock:
                    fake.requests.append({"path": self.path, "body": body,
                                          "headers": {k.lower(): v for k, v in self.headers.items()}})
                    status, content, whole, stall = fake._status, fake._content, fake._body, fake._stall
                if stall:
                    fake._released.wait(stall)
                if self.path != "/v1/chat/completions":
                    status, whole = 404, b'{"error": {"message": "not found"}}'
                if status != 200:
                    out = json.dumps({"error": {"message": "the model is not loaded",
                                                "type": "server_error"}})
                    self._send(status, whole or out.encode())
                    return
                model = body.get("model") if isinstance(body, dict) else None
                self._send(200, whole if whole is not None else json.dumps({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode())

            def _send(self, status: int, data: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass   # the client gave up waiting (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = False   # server_close() waits for every answer in progress
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-llm",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
