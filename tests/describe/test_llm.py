"""Optional LLM describer: talks to an OpenAI-compatible endpoint on loopback, falls back on trouble."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from needminer.describe import describe_needs
from needminer.errors import ConfigError
from needminer.types import Discovery, Fragment, NeedCluster


class _Handler(BaseHTTPRequestHandler):
    reply: str = ""
    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append((self.path, body))
        out = json.dumps({"choices": [{"message": {"content": type(self).reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture()
def server():
    srv = HTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.seen = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()


def _data():
    texts = ["早上化妆时间不够，希望底妆又快又服帖", "赶时间时底妆总弄不均匀", "想要伪素颜效果，自然有气色"]
    frags = [Fragment(id=f"f{i}", message_id=f"m{i}", chat="c", speaker=f"成员-{i}", text=t, span=(0, len(t))) for i, t in enumerate(texts)]
    return Discovery(clusters=(NeedCluster(id="N1", fragment_ids=("f0", "f1", "f2"), keywords=("底妆",)),)), frags


@pytest.mark.parametrize(
    "reply, expected",
    [
        ('{"title": "赶时间伪素颜底妆", "statement": "早上赶时间，想要自然的伪素颜底妆。"}', "赶时间伪素颜底妆"),
        ("好的：```json\n{\"title\": \"底妆服帖\", \"statement\": \"\"}\n```", "底妆服帖"),
        # words nobody said (熬夜党, 快速): back to the extractive wording
        ('{"title": "熬夜党快速伪素颜底妆", "statement": "上班族早上赶时间，想要快速自然的底妆。"}', None),
        ('{"title": "这是一个远远超过十六个汉字长度限制的需求标题啊啊"}', None),  # too long: fall back
        ("not json at all", None),
    ],
)
def test_llm_titles_and_fallback(server, reply, expected):
    srv, url = server
    _Handler.reply = reply
    disc, frags = _data()
    (stmt,) = describe_needs(disc, frags, describer="llm.v1", options={"base_url": url, "model": "local"})
    extractive = describe_needs(disc, frags)[0]
    assert stmt.title == (expected or extractive.title)
    assert stmt.slots == extractive.slots  # slots still cite fragments
    path, body = _Handler.seen[-1]
    assert path == "/v1/chat/completions" and body["model"] == "local"
    sent = body["messages"][1]["content"]
    assert "成员-" not in sent  # only slots, keywords and quotes are sent, not speakers


def test_unreachable_endpoint_falls_back():
    disc, frags = _data()
    (stmt,) = describe_needs(disc, frags, describer="llm.v1", options={"base_url": "http://127.0.0.1:9/v1", "timeout_s": 2})
    assert stmt.title == describe_needs(disc, frags)[0].title


def test_llm_needs_an_url():
    disc, frags = _data()
    with pytest.raises(ConfigError, match="llm_base_url"):
        describe_needs(disc, frags, describer="llm.v1")
