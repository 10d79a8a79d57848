"""A fake OpenAI-compatible server: real HTTP on 127.0.0.1, in a thread.

It speaks enough of the chat-completions protocol for LangChain's ChatOpenAI and the openai SDK:

* POST /v1/chat/completions, plain JSON or streamed (SSE ``data: {...}`` chunks, ``data: [DONE]``);
* assistant replies with text and/or ``tool_calls`` (streamed as deltas, like the real API);
* GET /v1/models (used by ``LLMClient.ping``).

Replies are scripted: a queue (``push``) or a callable deciding the reply from the request body
(``handler``). Every request body is recorded in ``requests``. ``delay`` (seconds before the
answer) simulates a slow server; ``chunk_delay`` slows a stream between chunks.

    with FakeOpenAI(replies=["Hej [p_1]."]) as srv:
        client = LLMClient(Settings(llm_base_url=srv.base_url))
        ...
        srv.requests[0]["messages"]

A reply is one of:
* a string: the assistant's text;
* a dict ``{"content": str | None, "tool_calls": [{"name": ..., "arguments": dict | str, "id": ...}]}``;
* a dict ``{"status": 500, "error": "message"}``: an HTTP error response;
* a ``Reply`` instance (the same fields as attributes).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

DEFAULT_REPLY = "OK"


@dataclass
class Reply:
    content: str | None = None
    tool_calls: list[dict] = field(default_factory=list)
    status: int = 200
    error: str | None = None

    @classmethod
    def of(cls, value: Any) -> "Reply":
        if isinstance(value, Reply):
            return value
        if value is None:
            return cls(content=DEFAULT_REPLY)
        if isinstance(value, str):
            return cls(content=value)
        if isinstance(value, dict):
            return cls(
                content=value.get("content"),
                tool_calls=list(value.get("tool_calls") or []),
                status=int(value.get("status", 200)),
                error=value.get("error"),
            )
        raise TypeError(f"unsupported reply: {value!r}")


def _tool_calls(reply: Reply) -> list[dict]:
    out = []
    for i, tc in enumerate(reply.tool_calls):
        args = tc.get("arguments", {})
        out.append({
            "id": tc.get("id") or f"call_{i + 1}",
            "type": "function",
            "function": {"name": tc["name"], "arguments": args if isinstance(args, str) else json.dumps(args)},
        })
    return out


class FakeOpenAI:
    def __init__(
        self,
        replies: list[Any] | None = None,
        handler: Callable[[dict], Any] | None = None,
        delay: float = 0.0,
        chunk_delay: float = 0.0,
        model: str = "fake-model",
    ):
        self.queue: deque = deque(replies or [])
        self.handler = handler
        self.delay = delay
        self.chunk_delay = chunk_delay
        self.model = model
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting ----------------------------------------------------------------------
    def push(self, *replies: Any) -> None:
        with self._lock:
            self.queue.extend(replies)

    def _next_reply(self, body: dict) -> Reply:
        if self.handler is not None:
            return Reply.of(self.handler(body))
        with self._lock:
            value = self.queue.popleft() if self.queue else None
        return Reply.of(value)

    # -- life cycle ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "FakeOpenAI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _send_json(self, status: int, obj: dict) -> None:
                data = json.dumps(obj).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                try:
                    if self.path.rstrip("/").endswith("/models"):
                        self._send_json(200, {"object": "list", "data": [
                            {"id": fake.model, "object": "model", "created": 0, "owned_by": "fake"}]})
                    else:
                        self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self):
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                    raw = self.rfile.read(length) if length else b""
                    try:
                        body = json.loads(raw or b"{}")
                    except json.JSONDecodeError:
                        self._send_json(400, {"error": {"message": "bad json", "type": "invalid_request_error"}})
                        return
                    if not self.path.rstrip("/").endswith("/chat/completions"):
                        self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                        return
                    with fake._lock:
                        fake.requests.append(body)
                    reply = fake._next_reply(body)
                    if fake.delay:
                        time.sleep(fake.delay)
                    if reply.status != 200:
                        self._send_json(reply.status, {"error": {
                            "message": reply.error or "error", "type": "server_error", "code": None}})
                        return
                    if body.get("stream"):
                        self._stream(body, reply)
                    else:
                        self._send_json(200, fake._completion(body, reply))
                except (BrokenPipeError, ConnectionResetError, socket.timeout):
                    pass  # the client gave up (a time-out test): nothing to do

            def _stream(self, body: dict, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for chunk in fake._chunks(body, reply):
                    self.wfile.write(b"data: " + json.dumps(chunk).encode("utf-8") + b"\n\n")
                    self.wfile.flush()
                    if fake.chunk_delay:
                        time.sleep(fake.chunk_delay)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- protocol -----------------------------------------------------------------------
    def _completion(self, body: dict, reply: Reply) -> dict:
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        tool_calls = _tool_calls(reply)
        if tool_calls:
            message["tool_calls"] = tool_calls
        prompt_chars = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
        return {
            "id": f"chatcmpl-fake-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model),
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if tool_calls else "stop"}],
            "usage": {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(reply.content or "") // 4,
                      "total_tokens": (prompt_chars + len(reply.content or "")) // 4},
        }

    def _chunks(self, body: dict, reply: Reply):
        base = {"id": f"chatcmpl-fake-{len(self.requests)}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": body.get("model", self.model)}

        def chunk(delta: dict, finish: str | None = None) -> dict:
            return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

        yield chunk({"role": "assistant", "content": ""})
        text = reply.content or ""
        # Split into small pieces (words with their following space), as a real server would.
        piece = ""
        for ch in text:
            piece += ch
            if ch == " " and len(piece) >= 3:
                yield chunk({"content": piece})
                piece = ""
        if piece:
            yield chunk({"content": piece})
        tool_calls = _tool_calls(reply)
        for i, tc in enumerate(tool_calls):
            args = tc["function"]["arguments"]
            yield chunk({"tool_calls": [{"index": i, "id": tc["id"], "type": "function",
                                         "function": {"name": tc["function"]["name"], "arguments": ""}}]})
            half = len(args) // 2
            for part in (args[:half], args[half:]):
                if part:
                    yield chunk({"tool_calls": [{"index": i, "function": {"arguments": part}}]})
        yield chunk({}, "tool_calls" if tool_calls else "stop")


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
