"""Real local receivers for the channel tests: an HTTP server in a thread standing in for a
webhook / WeCom / DingTalk endpoint, and an aiosmtpd SMTP server. Both bind 127.0.0.1 on a
free port; nothing leaves the machine."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Hit:
    path: str
    query: dict
    headers: dict
    body: bytes
    at: float

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request; `accepted` keeps the first per delivery key (the receiver-side
    dedupe), `duplicates` counts the repeats it dropped."""

    answer: object = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    status: int = 200
    delay: float = 0.0
    script: list = field(default_factory=list)  # (status, answer) for the next requests
    hits: list[Hit] = field(default_factory=list)
    accepted: dict[str, Hit] = field(default_factory=dict)
    duplicates: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                parsed = urllib.parse.urlsplit(self.path)
                hit = Hit(
                    path=parsed.path,
                    query=dict(urllib.parse.parse_qsl(parsed.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    at=time.time(),
                )
                key = hit.headers.get("x-shaobao-delivery", "")
                with receiver.lock:
                    receiver.hits.append(hit)
                    status, answer = (
                        receiver.script.pop(0)
                        if receiver.script
                        else (receiver.status, receiver.answer)
                    )
                    if status == 200 and isinstance(answer, dict) and not answer.get("errcode"):
                        if key in receiver.accepted:
                            receiver.duplicates += 1
                        else:
                            receiver.accepted[key] = hit
                if receiver.delay:
                    time.sleep(receiver.delay)
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                try:
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender died mid-request (the crash test does that on purpose)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class SmtpSink:
    """aiosmtpd on 127.0.0.1 and a free port; keeps the received messages."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(envelope)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())

    @property
    def port(self):
        return self.controller.port

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
