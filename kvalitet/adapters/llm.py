"""Thin wrapper over the chat model: LangChain's ChatOpenAI against an OpenAI-compatible endpoint.

Pipeline modules speak to this class with plain dicts and our own small types; LangChain's
message and response types never leave this module. Every failure to get an answer (time-out,
refused connection, HTTP error, a stream that stalls) becomes `LLMUnavailable` with a message
that says what happened and what to do. Nothing hangs: the HTTP client has a time-out, the
blocking call has a wall-clock deadline on top of it, and a stream has one between chunks.

Messages are dicts in the OpenAI shape:
    {"role": "system" | "user" | "assistant" | "tool", "content": str,
     "tool_calls": [{"id", "name", "arguments": dict}],   # assistant only
     "tool_call_id": str}                                  # tool only
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, TypeVar

from kvalitet.settings import Settings
from kvalitet.errors import ConfigError, LLMUnavailable

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

log = logging.getLogger(__name__)

T = TypeVar("T")
Message = dict[str, Any]


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass
class ChatReply:
    """One assistant turn: its text and the tools it asks to call."""

    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)

    def as_message(self) -> Message:
        msg: Message = {"role": "assistant", "content": self.text}
        if self.tool_calls:
            msg["tool_calls"] = [{"id": t.id, "name": t.name, "arguments": t.arguments} for t in self.tool_calls]
        return msg


def _to_langchain(messages: Sequence[Message] | str):
    from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

    if isinstance(messages, str):
        return [HumanMessage(content=messages)]
    out: list[BaseMessage] = []
    for m in messages:
        role, content = m.get("role"), m.get("content") or ""
        if role == "system":
            out.append(SystemMessage(content=content))
        elif role == "user":
            out.append(HumanMessage(content=content))
        elif role == "assistant":
            calls = [
                {"id": t["id"], "name": t["name"], "args": t.get("arguments") or {}, "type": "tool_call"}
                for t in m.get("tool_calls") or []
            ]
            out.append(AIMessage(content=content, tool_calls=calls))
        elif role == "tool":
            out.append(ToolMessage(content=content, tool_call_id=m["tool_call_id"]))
        else:
            raise ValueError(f"unknown message role {role!r}")
    return out


def _text_of(content: Any) -> str:
    """LangChain content is a string or a list of blocks; we want the text."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(block.get("text", ""))
    return "".join(parts)


def _reply_of(ai) -> ChatReply:
    calls = []
    for t in getattr(ai, "tool_calls", None) or []:
        args = t.get("args") or {}
        if isinstance(args, str):  # pragma: no cover - LangChain parses them already
            try:
                args = json.loads(args)
            except json.JSONDecodeError:
                args = {"_raw": args}
        calls.append(ToolCall(id=t.get("id") or "", name=t.get("name") or "", arguments=args))
    return ChatReply(text=_text_of(ai.content), tool_calls=calls)


class LLMClient:
    """The chat model of the service. Built once per process (Services.llm)."""

    def __init__(self, settings: Settings):
        if not settings.llm_base_url:
            raise ConfigError(
                "Ingen språkmodell är konfigurerad: sätt KVALITET_LLM_BASE_URL. / "
                "No LLM configured: set KVALITET_LLM_BASE_URL."
            )
        self.settings = settings
        self.base_url = settings.llm_base_url.rstrip("/")
        self.model = settings.llm_model
        self.timeout = float(settings.llm_timeout)
        self._chat: ChatOpenAI | None = None  # built on first use (chat)
        self._lock = threading.Lock()

    # -- the LangChain model, built lazily ----------------------------------------------
    @property
    def chat(self):
        with self._lock:
            if self._chat is None:
                import httpx
                from langchain_openai import ChatOpenAI

                self._chat = ChatOpenAI(
                    model=self.model,
                    base_url=self.base_url,
                    api_key=self.settings.llm_api_key,
                    timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
                    max_retries=self.settings.llm_max_retries,
                    temperature=0,
                    use_responses_api=False,  # OpenAI-compatible servers speak chat completions
                    stream_usage=False,
                )
            return self._chat

    # -- errors -------------------------------------------------------------------------
    def _unavailable(self, exc: BaseException) -> LLMUnavailable:
        name = type(exc).__name__
        if isinstance(exc, LLMUnavailable):
            return exc
        if "Timeout" in name or isinstance(exc, TimeoutError):
            reason = "timeout"
            what = (f"språkmodellen svarade inte inom {self.timeout:g} s / the LLM did not answer within "
                    f"{self.timeout:g} s (KVALITET_LLM_TIMEOUT)")
        elif "Connection" in name or isinstance(exc, OSError):
            reason = "unreachable"
            what = (f"språkmodellen på {self.base_url} går inte att nå / the LLM at {self.base_url} "
                    "cannot be reached (KVALITET_LLM_BASE_URL)")
        elif "Authentication" in name or "PermissionDenied" in name:
            reason = "auth"
            what = "språkmodellen nekade nyckeln / the LLM refused the API key (KVALITET_LLM_API_KEY)"
        elif "NotFound" in name:
            reason = "model_not_found"
            what = (f"modellen {self.model!r} finns inte på servern / the model was not found "
                    "(KVALITET_LLM_MODEL)")
        else:
            reason = "error"
            status = getattr(exc, "status_code", None)
            what = f"språkmodellen svarade med ett fel / the LLM answered with an error ({name}" + (
                f", HTTP {status})" if status else ")")
        sv, en = what.split(" / ", 1)
        return LLMUnavailable(f"Språkmodellen är inte tillgänglig: {sv}.", f"The LLM is unavailable: {en}.",
                              reason=reason, detail={"reason": reason})

    def _deadline(self) -> float:
        # The HTTP time-out applies per attempt and per read; this bounds the whole call.
        return self.timeout * (self.settings.llm_max_retries + 1) + 2.0

    def _call(self, fn: Callable[[], T]) -> T:
        """Run `fn` with a wall-clock deadline; map every failure to LLMUnavailable."""
        box: queue.Queue = queue.Queue(maxsize=1)

        def run() -> None:
            try:
                box.put((True, fn()))
            except BaseException as exc:  # handed to the caller
                box.put((False, exc))

        worker = threading.Thread(target=run, name="llm-call", daemon=True)
        worker.start()
        try:
            ok, value = box.get(timeout=self._deadline())
        except queue.Empty:
            raise self._unavailable(TimeoutError()) from None
        if ok:
            return value
        raise self._unavailable(value) from value

    # -- the calls ----------------------------------------------------------------------
    def complete(self, messages: Sequence[Message] | str) -> str:
        """A plain completion: the assistant's text."""
        lc = _to_langchain(messages)
        return _text_of(self._call(lambda: self.chat.invoke(lc)).content)

    def stream(self, messages: Sequence[Message] | str) -> Iterator[str]:
        """The assistant's text piece by piece. Raises LLMUnavailable before the first piece
        when the server cannot be reached, and mid-stream when it stalls."""
        lc = _to_langchain(messages)
        started = time.monotonic()
        limit = self._deadline()
        try:
            for chunk in self.chat.stream(lc):
                text = _text_of(chunk.content)
                if text:
                    yield text
                if time.monotonic() - started > max(limit, self.timeout * 10):
                    raise TimeoutError("stream too slow")
        except GeneratorExit:
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc

    def chat_turn(self, messages: Sequence[Message], tools: Sequence[Any] | None = None,
                  tool_choice: str | None = None) -> ChatReply:
        """One assistant turn with tools available (OpenAI function schemas, LangChain tools or
        pydantic models). The chat feature loops: run the tool calls, append the results as
        {"role": "tool", ...} messages, call again."""
        lc = _to_langchain(messages)
        model = self.bind_tools(tools, tool_choice) if tools else self.chat
        return _reply_of(self._call(lambda: model.invoke(lc)))

    def bind_tools(self, tools: Sequence[Any], tool_choice: str | None = None):
        """The LangChain runnable with `tools` bound (for callers composing their own chain)."""
        kw = {"tool_choice": tool_choice} if tool_choice else {}
        return self.chat.bind_tools(list(tools), **kw)

    def ping(self) -> bool:
        """Whether the server answers (GET /models), within a short time-out. Never raises."""
        import httpx

        try:
            r = httpx.get(
                self.base_url + "/models",
                headers={"Authorization": f"Bearer {self.settings.llm_api_key}"},
                timeout=min(self.timeout, 5.0),
            )
            return r.status_code < 500
        except Exception as exc:  # a health check reports, it does not fail
            log.info("llm ping failed: %s", type(exc).__name__)
            return False
