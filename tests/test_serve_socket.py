"""serve.py's listening socket: connections it accepts send small replies at once (TCP_NODELAY).

Streamlit binds with protocol 0, on which asyncio leaves Nagle's algorithm on: each reply on a
kept-alive connection then waited ~40 ms for the client's delayed acknowledgement. Checked in a
fresh process, through asyncio's own accept path (the one uvicorn uses), on a real connection.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import asyncio, json, socket
from streamlit.web.server.starlette import starlette_server

def accepted_nodelay():
    sock = starlette_server._bind_socket("127.0.0.1", 0, 8)
    port = sock.getsockname()[1]
    seen = {}

    class Probe(asyncio.Protocol):
        def connection_made(self, transport):
            accepted = transport.get_extra_info("socket")
            seen["nodelay"] = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            transport.close()

    async def main():
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.read()
        writer.close()
        server.close()

    asyncio.run(main())
    return seen["nodelay"]

before = accepted_nodelay()
import serve  # noqa: E402  (patches asyncio on import; Streamlit has bound its socket before that)
after = accepted_nodelay()
serve.reply_without_delay()  # a second call changes nothing
from asyncio import base_events
print(json.dumps({"before": before, "after": after, "same": base_events._set_nodelay._equity_tcp}))
"""


def test_connections_accepted_by_the_server_have_nagle_off():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0  # Streamlit's own socket: Nagle left on (if this changes, the patch can go)
    assert seen["after"] != 0
    assert seen["same"] is True
