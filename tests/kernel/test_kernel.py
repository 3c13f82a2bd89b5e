"""The MML kernel through Jupyter's own clients: every output kind, interrupts, completion,
inspection, completeness, commands in cells, bad messages, two clients on one kernel, the ipc
transport, hostile peers on its ZeroMQ sockets, and installation."""

import json
import os
import re
import socket
import struct
import subprocess
import tempfile
import time

import nbformat
import pytest
import zmq
from jupyter_client.manager import KernelManager, start_new_kernel
from jupyter_client.session import Session
from nbclient import NotebookClient

from conftest import MML_BIN

TIMEOUT = 30


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="mml")
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run(kc, code):
    """Executes `code`; returns the reply's content and the iopub messages it caused."""
    msg_id = kc.execute(code)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        if msg["msg_type"] not in ("status", "execute_input"):
            outputs.append(msg)
    return reply["content"], outputs


def png_size(data):
    """Width and height from a PNG's IHDR chunk; fails unless the bytes are a PNG."""
    import base64

    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert raw[12:16] == b"IHDR"
    return struct.unpack(">II", raw[16:24])


def test_every_output_kind_in_a_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "mml", "display_name": "MML", "language": "mml"}
    nb.cells = [
        nbformat.v4.new_code_cell('print("hello")\nprint("again")'),
        nbformat.v4.new_code_cell("A = [1, 2.5; 3, 4]\nA"),
        nbformat.v4.new_code_cell("plot([1, 2, 3], [1, 4, 9])"),
        nbformat.v4.new_code_cell("scatter([1, 2], [2, 1])\ninv([1, 2; 2, 4])"),
        nbformat.v4.new_code_cell("z = [1 + 2i, 3]\nz"),
        nbformat.v4.new_code_cell("f(x) = x^2 * sin(x)\ndiff(f)"),
        nbformat.v4.new_code_cell("r = {name = \"w\", W = [1, 2; 3, 4]}\nr"),
        nbformat.v4.new_code_cell("y = 3;"),
        nbformat.v4.new_code_cell("y + 1"),
        nbformat.v4.new_code_cell("ans * 10"),
    ]
    NotebookClient(nb, timeout=TIMEOUT, kernel_name="mml", allow_errors=True, coalesce_streams=True).execute()
    out = [c.outputs for c in nb.cells]

    assert [o.output_type for o in out[0]] == ["stream"]
    assert out[0][0].name == "stdout" and out[0][0].text == "hello\nagain\n"

    assert [o.output_type for o in out[1]] == ["execute_result"]
    data = out[1][0].data
    assert data["text/plain"] == "2×2 matrix\n  1  2.5\n  3  4", data["text/plain"]
    assert "<caption" in data["text/html"] and ">2.5</td>" in data["text/html"]
    assert data["text/latex"] == r"$$\begin{bmatrix}1 & 2.5 \\ 3 & 4\end{bmatrix}$$"
    assert out[1][0].execution_count == 2

    assert [o.output_type for o in out[2]] == ["display_data"]
    fig = out[2][0]
    w, h = png_size(fig.data["image/png"])
    meta = fig.metadata["image/png"]
    assert (w, h) == (2 * meta["width"], 2 * meta["height"]), "a high-DPI PNG shown at half size"
    assert fig.data["image/svg+xml"].lstrip().startswith("<svg")

    # A cell that drew and then failed shows the figure, then the error.
    assert [o.output_type for o in out[3]] == ["display_data", "error"]
    err = out[3][1]
    assert err.ename == "singular-matrix"
    assert "singular" in err.evalue
    tb = "\n".join(err.traceback)
    assert "\x1b[" in tb, "the traceback keeps its colours"
    plain = re.sub(r"\x1b\[[0-9;]*m", "", tb)
    assert "In[4]:2:5" in plain and "inv([1, 2; 2, 4])" in plain, plain

    assert out[4][0].data["text/plain"].startswith("2×1 complex matrix")
    assert ">1 + 2i</td>" in out[4][0].data["text/html"]

    assert out[5][0].data["text/plain"] == "2*x*sin(x) + x^2*cos(x)"
    assert out[5][0].data["text/latex"] == r"$$2 \, x \, \sin\left(x\right) + x^{2} \, \cos\left(x\right)$$"

    assert "2×2 matrix" in out[6][0].data["text/html"] and ">W</th>" in out[6][0].data["text/html"]

    assert out[7] == [], "a trailing ; hides the value"
    assert out[8][0].data["text/plain"] == "4"
    assert out[9][0].data["text/plain"] == "40", "ans is the last value shown"


def test_interrupt_stops_a_loop_and_keeps_the_session(kernel):
    km, kc = kernel
    content, _ = run(kc, "kept = 5")
    assert content["status"] == "ok"
    msg_id = kc.execute("while true { }")
    time.sleep(1.0)
    start = time.monotonic()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert time.monotonic() - start < 2.0, "stopped within a second or so"
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "interrupted"
    content, outputs = run(kc, "kept + 1")
    assert content["status"] == "ok"
    assert outputs[-1]["content"]["data"]["text/plain"] == "6"


def test_interrupt_between_cells_does_not_stop_the_next(kernel):
    km, kc = kernel
    km.interrupt_kernel()
    time.sleep(0.3)
    content, outputs = run(kc, "s = 0\nfor i in 1:1000 { s = s + i }\ns")
    assert content["status"] == "ok"
    assert outputs[-1]["content"]["data"]["text/plain"] == "500500"


def complete(kc, code, cursor=None):
    kc.complete(code, cursor_pos=cursor)
    return kc.get_shell_msg(timeout=TIMEOUT)["content"]


def test_completion(kernel):
    _, kc = kernel
    run(kc, "rec = {alpha = 1, beta = 2}\nθ = 1\nθs = [1, 2]")
    c = complete(kc, "rec.al")
    assert c["matches"] == ["alpha"] and (c["cursor_start"], c["cursor_end"]) == (4, 6)
    # Cursor positions count code points: `θ` is one, though two bytes.
    c = complete(kc, "θ + θ")
    assert set(c["matches"]) == {"θ", "θs"} and (c["cursor_start"], c["cursor_end"]) == (4, 5)
    c = complete(kc, "linspace(0, 1, n")
    assert "n = " in c["matches"]
    c = complete(kc, "x = eig", 7)
    assert {"eig", "eigh"} <= set(c["matches"])
    types = {t["text"]: t["type"] for t in c["metadata"]["_jupyter_types_experimental"]}
    assert types["eig"] == "function"
    c = complete(kc, "whi")
    assert c["matches"] == ["while"]


def test_inspection(kernel):
    _, kc = kernel
    kc.inspect("y = linspace(0, 1", cursor_pos=8)
    reply = kc.get_shell_msg(timeout=TIMEOUT)["content"]
    assert reply["found"]
    assert reply["data"]["text/plain"].startswith("linspace(a, b, n = 100)")
    assert reply["data"]["text/markdown"].startswith("```mml\nlinspace(a, b, n = 100)\n```")
    # Inside the call's arguments: the function being called.
    kc.inspect("linspace(0, ", cursor_pos=12)
    assert kc.get_shell_msg(timeout=TIMEOUT)["content"]["found"]
    kc.inspect("nonesuch_name", cursor_pos=3)
    assert not kc.get_shell_msg(timeout=TIMEOUT)["content"]["found"]


def test_is_complete_gives_an_indent(kernel):
    _, kc = kernel
    kc.is_complete("for i in 1:3 {")
    reply = kc.get_shell_msg(timeout=TIMEOUT)["content"]
    assert reply == {"status": "incomplete", "indent": "    "}
    kc.is_complete("x = 1")
    assert kc.get_shell_msg(timeout=TIMEOUT)["content"]["status"] == "complete"


def test_commands_in_cells(kernel):
    _, kc = kernel
    run(kc, "vv = 7")
    content, outputs = run(kc, ":vars")
    assert content["status"] == "ok"
    assert any("vv" in m["content"].get("text", "") and "= 7" in m["content"]["text"] for m in outputs)
    content, _ = run(kc, ":help eig")
    page = content["payload"][0]
    assert page["source"] == "page" and "eig(" in page["data"]["text/plain"]
    content, _ = run(kc, "eig?")
    assert "eig(" in content["payload"][0]["data"]["text/plain"]
    content, outputs = run(kc, ":nonsense")
    assert content["status"] == "error" and "unknown command" in content["evalue"]


def test_a_failed_cell_aborts_the_queued_ones(kernel):
    _, kc = kernel
    # The first cell runs long enough for the second to be queued behind it.
    first = kc.execute("s = 0\nfor i in 1:300000 { s = s + i }\nerror(\"stop here\")")
    second = kc.execute("never_set = 1")
    replies = {}
    while len(replies) < 2:
        r = kc.get_shell_msg(timeout=TIMEOUT)
        replies[r["parent_header"]["msg_id"]] = r["content"]
    assert replies[first]["status"] == "error"
    assert replies[second]["status"] == "aborted"
    content, _ = run(kc, "never_set")
    assert content["status"] == "error"


def test_bad_messages_do_not_stop_the_kernel(kernel):
    km, kc = kernel
    info = km.get_connection_info()
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.connect(f"tcp://{info['ip']}:{info['shell_port']}")
    header = json.dumps({"msg_id": "x", "msg_type": "kernel_info_request", "session": "s", "username": "u",
                         "date": "2026-01-01T00:00:00Z", "version": "5.3"}).encode()
    # A wrong signature, a truncated message, garbage JSON, and an unknown message type.
    sock.send_multipart([b"<IDS|MSG>", b"0" * 64, header, b"{}", b"{}", b"{}"])
    sock.send_multipart([b"<IDS|MSG>"])
    sock.send_multipart([b"no delimiter at all"])
    sock.close()
    unknown = kc.session.msg("frobnicate_request", {})
    kc.shell_channel.send(unknown)
    content, outputs = run(kc, "1 + 1")
    assert content["status"] == "ok" and outputs[-1]["content"]["data"]["text/plain"] == "2"
    assert km.is_alive()


def test_two_clients_share_one_kernel(kernel):
    km, kc = kernel
    other = km.client()
    other.start_channels()
    try:
        other.wait_for_ready(timeout=TIMEOUT)
        msg_id = kc.execute('print("to both")\n6 * 7')
        for client in (kc, other):
            texts, results = [], []
            while True:
                msg = client.get_iopub_msg(timeout=TIMEOUT)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    texts.append(msg["content"]["text"])
                if msg["msg_type"] == "execute_result":
                    results.append(msg["content"]["data"]["text/plain"])
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            assert "".join(texts) == "to both\n" and results == ["42"]
        assert kc.get_shell_msg(timeout=TIMEOUT)["parent_header"]["msg_id"] == msg_id
        # Replies go to the client that asked: the first client's next shell message is the
        # reply to its own request, not the other's.
        content, outputs = run(other, "kept_by_other = 3\nkept_by_other")
        assert content["status"] == "ok" and outputs[-1]["content"]["data"]["text/plain"] == "3"
        mine = kc.execute("kept_by_other + 1")
        assert kc.get_shell_msg(timeout=TIMEOUT)["parent_header"]["msg_id"] == mine
    finally:
        other.stop_channels()


def test_the_ipc_transport():
    km = KernelManager(kernel_name="mml", transport="ipc")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=TIMEOUT)
        info = km.get_connection_info()
        assert info["transport"] == "ipc"
        path = f"{info['ip']}-{info['shell_port']}"
        assert os.path.exists(path), "the shell socket is a Unix socket file"
        content, outputs = run(kc, 'print("over ipc")\n2 ^ 10')
        assert content["status"] == "ok"
        assert [m["content"]["text"] for m in outputs if m["msg_type"] == "stream"] == ["over ipc\n"]
        assert outputs[-1]["content"]["data"]["text/plain"] == "1024"
    finally:
        kc.stop_channels()
        km.shutdown_kernel()


def zmtp_greeting(major=3, minor=1, mechanism=b"NULL"):
    """A ZMTP 3 greeting: signature, version, mechanism, as-server, filler (64 bytes)."""
    return b"\xff" + b"\0" * 8 + b"\x7f" + bytes([major, minor]) + mechanism.ljust(20, b"\0") + b"\0" * 32


def zmtp_ready(socket_type):
    name = b"Socket-Type"
    body = b"\x05READY" + bytes([len(name)]) + name + struct.pack(">I", len(socket_type)) + socket_type
    return bytes([0x04, len(body)]) + body


def raw_peer(info, port, socket_type=b"DEALER"):
    """A TCP connection that has done the ZMTP handshake by hand."""
    s = socket.create_connection((info["ip"], port), timeout=TIMEOUT)
    s.sendall(zmtp_greeting() + zmtp_ready(socket_type))
    got = b""
    while len(got) < 64 + 2:
        chunk = s.recv(4096)
        assert chunk, "the kernel closed a well-behaved connection"
        got += chunk
    assert got[0] == 0xFF and got[9] == 0x7F and got[10] == 3, got[:12]
    assert got[64] == 0x04, "READY is a command frame"
    return s


def closed_by_kernel(s):
    """Reads until the kernel ends the connection; false if it is still open after TIMEOUT."""
    try:
        while s.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    finally:
        s.close()


def test_hostile_peers_leave_the_kernel_answering(kernel):
    km, kc = kernel
    info = km.get_connection_info()
    for port in (info["shell_port"], info["control_port"], info["iopub_port"], info["hb_port"]):
        # Not ZeroMQ at all.
        s = socket.create_connection((info["ip"], port), timeout=TIMEOUT)
        s.sendall(b"GET / HTTP/1.1\r\nHost: kernel\r\n\r\n" + b"x" * 60)
        assert closed_by_kernel(s), port
    # ZMTP 2, and a security mechanism other than NULL.
    for greeting in (zmtp_greeting(major=2, minor=0), zmtp_greeting(mechanism=b"CURVE")):
        s = socket.create_connection((info["ip"], info["shell_port"]), timeout=TIMEOUT)
        s.sendall(greeting)
        assert closed_by_kernel(s)
    # A PUB peer on the shell socket is the wrong type.
    s = socket.create_connection((info["ip"], info["shell_port"]), timeout=TIMEOUT)
    s.sendall(zmtp_greeting() + zmtp_ready(b"PUB"))
    assert closed_by_kernel(s)
    # A frame announcing 4 EiB.
    s = raw_peer(info, info["shell_port"])
    s.sendall(b"\x02" + struct.pack(">Q", 1 << 62))
    assert closed_by_kernel(s)
    # A frame that announces 200 bytes, then the connection closes after 3.
    s = raw_peer(info, info["shell_port"])
    s.sendall(b"\x01\x03<ID" + b"\x00\xc8abc")
    s.close()
    # The same on iopub, as a subscriber.
    s = raw_peer(info, info["iopub_port"], b"SUB")
    s.sendall(b"\x00\x01\x01" + b"\x02" + struct.pack(">Q", 1 << 40))
    assert closed_by_kernel(s)
    # A heartbeat request still comes back, envelope and all, after all that.
    s = raw_peer(info, info["hb_port"], b"REQ")
    s.sendall(b"\x01\x00" + b"\x00\x04beat")
    echoed = b""
    while len(echoed) < 8:
        echoed += s.recv(4096)
    assert echoed == b"\x01\x00\x00\x04beat"
    s.close()

    content, outputs = run(kc, "2 + 3")
    assert content["status"] == "ok" and outputs[-1]["content"]["data"]["text/plain"] == "5"
    assert km.is_alive()


def test_a_message_signed_with_another_key_is_not_answered(kernel):
    km, kc = kernel
    info = km.get_connection_info()
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.connect(f"tcp://{info['ip']}:{info['shell_port']}")
    try:
        forged = Session(key=b"not the kernel's key", username="u").send(sock, "kernel_info_request", {})
        genuine = km.session.send(sock, "kernel_info_request", {})
        assert forged["header"]["msg_id"] != genuine["header"]["msg_id"]
        # The first (and only) reply answers the genuine request.
        assert sock.poll(TIMEOUT * 1000)
        _, parts = km.session.feed_identities(sock.recv_multipart())
        reply = km.session.deserialize(parts)
        assert reply["msg_type"] == "kernel_info_reply"
        assert reply["parent_header"]["msg_id"] == genuine["header"]["msg_id"]
        assert reply["content"]["implementation"] == "mml"
    finally:
        sock.close(linger=0)


def test_install_and_uninstall():
    with tempfile.TemporaryDirectory() as prefix:
        done = subprocess.run([MML_BIN, "kernel", "install", "--prefix", prefix, "--max-seconds", "30"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        folder = os.path.join(prefix, "share", "jupyter", "kernels", "mml")
        spec = json.load(open(os.path.join(folder, "kernel.json")))
        assert os.path.isabs(spec["argv"][0]) and os.path.samefile(spec["argv"][0], MML_BIN)
        assert spec["argv"][1:] == ["kernel", "--connection-file", "{connection_file}", "--max-seconds", "30"]
        assert spec["interrupt_mode"] == "message" and spec["language"] == "mml"
        for size in (32, 64):
            raw = open(os.path.join(folder, f"logo-{size}x{size}.png"), "rb").read()
            assert raw[:8] == b"\x89PNG\r\n\x1a\n"
            assert struct.unpack(">II", raw[16:24]) == (size, size)
        done = subprocess.run([MML_BIN, "kernel", "uninstall", "--prefix", prefix], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert not os.path.exists(folder)
        done = subprocess.run([MML_BIN, "kernel", "uninstall", "--prefix", prefix], capture_output=True, text=True)
        assert done.returncode == 2 and "no MML kernel is installed" in done.stderr


def test_unusable_paths_are_clear_errors():
    done = subprocess.run([MML_BIN, "kernel", "--connection-file", "/nonexistent/conn.json"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "cannot read the connection file `/nonexistent/conn.json`" in done.stderr
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        f.write("{not json")
        f.flush()
        done = subprocess.run([MML_BIN, "kernel", "--connection-file", f.name], capture_output=True, text=True)
        assert done.returncode == 2 and "is not valid" in done.stderr
    with tempfile.NamedTemporaryFile() as f:
        # A file where the folder should be: the install cannot create it.
        done = subprocess.run([MML_BIN, "kernel", "install", "--prefix", f.name], capture_output=True, text=True)
        assert done.returncode == 2 and "cannot write" in done.stderr
    done = subprocess.run([MML_BIN, "kernel", "install", "--max-seconds", "soon"], capture_output=True, text=True)
    assert done.returncode == 2 and "--max-seconds" in done.stderr
    ports = {f"{c}_port": 40000 + i for i, c in enumerate(["shell", "iopub", "stdin", "control", "hb"])}
    for changed, message in [({"signature_scheme": "hmac-md5"}, "signature scheme `hmac-md5`"),
                             ({"transport": "udp"}, "`transport`"), ({"hb_port": 0}, "`hb_port`")]:
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"ip": "127.0.0.1", "transport": "tcp", "key": "k", "signature_scheme": "hmac-sha256",
                       **ports, **changed}, f)
            f.flush()
            done = subprocess.run([MML_BIN, "kernel", "--connection-file", f.name], capture_output=True, text=True,
                                  timeout=TIMEOUT)
            assert done.returncode == 2 and message in done.stderr, done.stderr


def test_printed_lines_show_while_the_cell_still_runs(kernel):
    _, kc = kernel
    sent = time.monotonic()
    msg_id = kc.execute('print("start")\ntic()\nwhile toc() < 1.5 { }\nprint("end")')
    first = None
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and first is None:
            first = (time.monotonic() - sent, msg["content"]["text"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            finished = time.monotonic() - sent
            break
    assert first is not None and first[1] == "start\n", first
    assert first[0] < finished - 1.0, f"`start` arrived at {first[0]:.2f} s, the cell ended at {finished:.2f} s"


def test_limits_in_the_kernelspec_hold_for_every_cell():
    kernels = os.path.join(os.environ["JUPYTER_PATH"], "kernels")
    spec = json.load(open(os.path.join(kernels, "mml", "kernel.json")))
    spec["argv"] += ["--max-seconds", "1"]
    os.makedirs(os.path.join(kernels, "mml-limited"), exist_ok=True)
    with open(os.path.join(kernels, "mml-limited", "kernel.json"), "w") as f:
        json.dump(spec, f)
    km, kc = start_new_kernel(kernel_name="mml-limited")
    try:
        content, _ = run(kc, "while true { }")
        assert content["status"] == "error" and content["ename"] == "timeout", content
        content, outputs = run(kc, "1 + 1")
        assert outputs[-1]["content"]["data"]["text/plain"] == "2"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
