"""A local fake of Slack for the tests: the Web API methods arbot calls, a Socket Mode
websocket, and response URLs, served by aiohttp on 127.0.0.1 in a background thread.

    fake = FakeSlack().start()
    WebClient(token="xoxb-...", base_url=fake.api_url)       # or [slack] api_base_url
    fake.calls_to("chat.postMessage")    # what was asked, in order, with "answered" (HTTP status)
    fake.fail_next("chat.postMessage", error="not_in_channel")
    fake.rate_limit_next("chat.postMessage", retry_after=30)   # HTTP 429 + Retry-After
    fake.outage(True)                                           # every call answers HTTP 503
    fake.stop()

Answers follow the shapes Slack documents, trimmed to what a client reads. Messages posted
are kept per channel, so ``conversations.history`` finds them (with their metadata) as
Slack would.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from typing import Any

from aiohttp import WSMsgType, web

TEAM, BOT_USER, BOT_ID, APP_ID = "T0TEST0001", "U0BOT00001", "B0BOT00001", "A0TEST0001"
_JSON_FIELDS = ("blocks", "view", "metadata", "attachments", "files")


class FakeSlack:
    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", 0
        self.calls: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.socket_acks: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._failures: dict[str, list[tuple[int, str, int]]] = {}
        self._down = False
        self._ts = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._ws_ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -- what the tests read and steer -----------------------------------------------------

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c["method"] == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self.responses.clear()

    def fail_next(self, method: str, error: str = "internal_error", times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ok:false with ``error`` (HTTP 200)."""
        with self._lock:
            self._failures.setdefault(method, []).extend([(200, error, 0)] * times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer HTTP 429 with Retry-After."""
        with self._lock:
            self._failures.setdefault(method, []).extend([(429, "ratelimited", retry_after)] * times)

    def outage(self, down: bool) -> None:
        """While down, every Web API call answers HTTP 503."""
        self._down = down

    # -- the Web API -----------------------------------------------------------------------

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = json.loads(raw) if raw.strip() else {}
        elif request.content_type.startswith("multipart/"):
            pass
        elif raw:
            from urllib.parse import parse_qsl
            params = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        params.update(request.query)
        for name in _JSON_FIELDS:
            if isinstance(params.get(name), str) and params[name][:1] in "[{":
                params[name] = json.loads(params[name])
        auth = request.headers.get("Authorization", "")
        call = {"method": method, "params": params, "auth": auth}
        status, body, headers = self._answer_call(method, params, auth)
        call["answered"] = status
        with self._lock:
            self.calls.append(call)
        return web.json_response(body, status=status, headers={"x-slack-req-id": uuid.uuid4().hex, **headers})

    def _answer_call(self, method: str, p: dict[str, Any],
                     auth: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self._down:
            return 503, {"ok": False, "error": "service_unavailable"}, {}
        prefix = "Bearer xapp-" if method == "apps.connections.open" else "Bearer xoxb-"
        if not auth.startswith(prefix):
            return 200, {"ok": False, "error": "not_authed"}, {}
        with self._lock:
            queued = self._failures.get(method)
            failure = queued.pop(0) if queued else None
        if failure is not None:
            status, error, after = failure
            headers = {"Retry-After": str(after)} if status == 429 else {}
            return status, {"ok": False, "error": error}, headers
        return 200, self._answer(method, p), {}

    def _answer(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        channel = p.get("channel") or p.get("channel_id")
        if method == "auth.test":
            return {"ok": True, "url": "https://example-team.slack.com/", "team": "Example Team",
                    "user": "arbot",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "app_id": APP_ID,
                       "text": p.get("text", ""), "blocks": p.get("blocks") or [], "team": TEAM, "ts": ts}
            if p.get("thread_ts"):
                message["thread_ts"] = p["thread_ts"]
            if p.get("metadata"):
                message["metadata"] = p["metadata"]
            with self._lock:
                self.history.setdefault(str(channel), []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            with self._lock:
                for m in self.history.get(str(channel), []):
                    if m["ts"] == p.get("ts"):
                        m.update(text=p.get("text", ""), blocks=p.get("blocks") or [])
                        break
                else:
                    return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": channel, "ts": p.get("ts"), "text": p.get("text", ""),
                    "message": {"type": "message", "user": BOT_USER, "text": p.get("text", ""),
                                "blocks": p.get("blocks") or []}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.getPermalink":
            return {"ok": True, "channel": channel,
                    "permalink": f"https://example-team.slack.com/archives/{channel}/"
                                 f"p{p.get('message_ts', '')}"}
        if method == "conversations.history":
            oldest = float(p.get("oldest") or 0)
            with self._lock:
                found = [dict(m) for m in reversed(self.history.get(str(channel), []))
                         if float(m["ts"]) >= oldest]
            if str(p.get("include_all_metadata", "")).lower() not in ("1", "true"):
                for m in found:
                    m.pop("metadata", None)
            return {"ok": True, "messages": found, "has_more": False}
        if method == "conversations.info":
            return {"ok": True, "channel": {"id": channel, "name": "approvals", "is_member": True}}
        if method == "users.info":
            user = p.get("user", "U0USER0001")
            return {"ok": True, "user": {"id": user, "team_id": TEAM, "name": user.lower(), "is_bot": False,
                                         "tz": "Europe/London", "profile": {"real_name": user}}}
        if method == "usergroups.users.list":
            group = p.get("usergroup", "")
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(self.usergroups[group])}
        if method in ("views.open", "views.update", "views.publish"):
            view = p.get("view") or {}
            return {"ok": True, "view": {"id": "V0TEST0001", "team_id": TEAM, "app_id": APP_ID,
                                         "bot_id": BOT_ID,
                                         "type": view.get("type", "modal"), "blocks": view.get("blocks", []),
                                         "callback_id": view.get("callback_id", ""),
                                         "private_metadata": view.get("private_metadata", ""),
                                         "state": {"values": {}}, "hash": "1700000000.abcdef"}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D0TEST0001"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F0{uuid.uuid4().hex[:9].upper()}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = p.get("files") or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title", "")} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://{self.host}:{self.port}/socket?ticket={uuid.uuid4()}"}
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: the file's bytes are the body."""
        data = await request.read()
        with self._lock:
            self.uploads[request.match_info["file_id"]] = data
        return web.Response(text=f"OK - {len(data)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self.responses.append({"path": request.path, "json": body})
        return web.json_response({"ok": True})

    # -- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 18060},
                            "connection_info": {"app_id": APP_ID}})
        self._ws_ready.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                with self._lock:
                    self.socket_acks.append(json.loads(msg.data))
        return ws

    def connected(self, timeout: float = 5) -> bool:
        return self._ws_ready.wait(timeout)

    def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push an event or interaction to the connected Socket Mode client."""
        if self._ws is None:
            raise RuntimeError("no Socket Mode client is connected")
        asyncio.run_coroutine_threadsafe(self._ws.send_json(envelope), self._loop).result(5)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for ack in self.socket_acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
            time.sleep(0.01)
        return None

    # -- running -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def start(self) -> FakeSlack:
        def run() -> None:
            asyncio.set_event_loop(self._loop)
            app = web.Application(client_max_size=20 * 1024 * 1024)
            app.router.add_route("*", "/api/{method}", self._api)
            app.router.add_post("/upload/{file_id}", self._upload)
            app.router.add_post("/response/{rest:.*}", self._response_url)
            app.router.add_get("/socket", self._socket)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, self.host, 0)
            self._loop.run_until_complete(site.start())
            server = site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self._ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-slack", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the fake Slack did not start")
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._ws is not None:
                await self._ws.close()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
