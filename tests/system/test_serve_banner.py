"""`kvalitet serve --demo-users` (what `make run` ends with): once the server answers, a short
block with the address and each demo user's fresh key, after the start-up log lines; logs are
JSON when they do not go to a terminal (or when KVALITET_LOG_JSON=true) and readable lines on a
terminal or with KVALITET_LOG_JSON=false."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time

import httpx

from kvalitet.ops.logging import setup_logging, wants_json
from kvalitet.settings import Settings
from tests.helpers.paths import REPO
from tests.helpers.server import free_port



def test_serve_ends_with_the_address_and_the_demo_users(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Uppföljning av verksamhetsplan 2021\n\nText.\n", encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "KVALITET_INDEX_DIR": str(tmp_path / "index"),
           "KVALITET_CORPUS_DIR": str(corpus), "KVALITET_EMBEDDER": "hash", "KVALITET_PORT": str(port)}
    env.pop("KVALITET_LOG_JSON", None)
    proc = subprocess.Popen([sys.executable, "-m", "kvalitet.cli", "serve", "--demo-users"], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("Stoppa med Ctrl+C."):
                break
        text = "\n".join(lines)
        assert "Stoppa med Ctrl+C." in text, text
        start = max(i for i, ln in enumerate(lines) if ln.startswith("Kvalitet körs på"))
        block = lines[start:]
        assert block[0] == f"Kvalitet körs på http://127.0.0.1:{port}"
        assert f"http://127.0.0.1:{port}/docs" in "\n".join(block)
        users = [ln.split() for ln in block if ln.startswith("  demo-")]
        assert [u[0] for u in users] == ["demo-rektor", "demo-granskare", "demo-kvalitetsutvecklare", "demo-admin"]
        # the server is up when the block shows, and each key works
        for name, _role, token in users:
            r = httpx.get(f"http://127.0.0.1:{port}/api/reports", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (name, r.text)
        # the start-up lines before the block: JSON (stderr is a pipe, not a terminal)
        before = [ln for ln in lines[:start] if ln.strip() and not ln.startswith("─")]
        assert before and all(json.loads(ln)["level"] for ln in before)
        assert not any("kv_" in ln for ln in before)  # keys only in the block
    finally:
        proc.terminate()
        proc.wait(20)


def test_log_format_follows_the_setting_and_the_terminal(tmp_path):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    base = {"index_dir": tmp_path / "i", "corpus_dir": tmp_path, "embedder": "hash"}
    assert wants_json(Settings(**base), io.StringIO()) is True
    assert wants_json(Settings(**base), Tty()) is False
    assert wants_json(Settings(**base, log_json=True), Tty()) is True
    assert wants_json(Settings(**base, log_json=False), io.StringIO()) is False

    stream = Tty()
    handler = setup_logging(Settings(**base), stream)
    try:
        logging.getLogger("kvalitet.access").info("GET /rapporter 200", extra={
            "method": "GET", "path": "/rapporter", "status": 200, "ms": 12.5, "user": 3, "request_id": "abc"})
        logging.getLogger("kvalitet.api").warning("token=kv_abcdefghijklmnopqrstu went wrong")
        out = stream.getvalue().splitlines()
        assert out[0].endswith("INFO  GET /rapporter 200 12.5 ms (användare 3)")
        assert "WARNING kvalitet.api: token=[REDACTED] went wrong" in out[1]
        assert not out[0].startswith("{")
    finally:
        logging.getLogger().removeHandler(handler)
