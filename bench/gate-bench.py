#!/usr/bin/env python3
"""What a client can make `artemis-headless serve` hold before and around auth (issue #21).

Three scenarios against one `serve` started with a token, all on 127.0.0.1:
  bodies    CLIENTS (150) unauthenticated clients each send a BODY_MB (10) MB body to
            POST /api/v1/hunts; serve's VmRSS before, at its peak while they send, and
            5 s after they have all closed.
  trickle   TRICKLERS (50) authenticated clients declare a 1000-byte body and send one byte
            a second; how many are closed (408 --body-timeout) and how long it took.
  pipeline  one client pipelines PIPELINED (40) GETs of a ~ANSWER_MB (10) MB results page and
            reads nothing for 3 s; serve's VmRSS before and while it waits, then all answers.
Usage: bench/gate-bench.py [ARTEMIS_BIN]   (default build/release/app/artemis-headless)
Only the Python 3 standard library; every socket goes to 127.0.0.1.
"""
import json, os, selectors, socket, subprocess, sys, tempfile, threading, time
import http.server, socketserver

BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "build", "release", "app", "artemis-headless")
CLIENTS = int(os.environ.get("CLIENTS", 150))
BODY_MB = int(os.environ.get("BODY_MB", 10))
TRICKLERS = int(os.environ.get("TRICKLERS", 50))
PIPELINED = int(os.environ.get("PIPELINED", 40))
ANSWER_MB = int(os.environ.get("ANSWER_MB", 10))
TOKEN = "gate-bench-token"


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return -1


def start_serve(data, extra=()):
    env = dict(os.environ, ARTEMIS_TOKEN=TOKEN)
    proc = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    port = int(line.split("http://127.0.0.1:")[1].split(",")[0].split("/")[0])
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, port


def request(port, method, path, body=b"", timeout=30):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    s.sendall(head.encode() + body)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0]
                 .split(b":")[1])
    while len(rest) < length:
        rest += s.recv(1 << 20)
    s.close()
    return int(head.split()[1]), rest


def bodies(port, pid):
    before = rss_mb(pid)
    sel = selectors.DefaultSelector()
    chunk = b" " * 65536
    body = BODY_MB * 1024 * 1024
    statuses = {}
    for i in range(CLIENTS):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        s.send(f"POST /api/v1/hunts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
               f"\r\nContent-Length: {body}\r\n\r\n".encode())
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, [0, b""])
    peak = before
    start = time.time()
    open_ = CLIENTS
    sent = 0
    while open_ and time.time() - start < 120:
        for key, events in sel.select(0.05):
            s, state = key.fileobj, key.data
            done = False
            if events & selectors.EVENT_READ:
                try:
                    state[1] += s.recv(65536)  # the answer; EOF: keep sending till refused
                except OSError:
                    done = True
            if events & selectors.EVENT_WRITE and not done:
                try:
                    n = s.send(chunk[: min(len(chunk), body - state[0])])
                    state[0] += n
                    sent += n
                    done = state[0] >= body
                except BlockingIOError:
                    pass
                except OSError:
                    done = True
            if done:
                statuses[s.fileno()] = state[1][9:12].decode() or "none"
                sel.unregister(s)
                s.close()
                open_ -= 1
        peak = max(peak, rss_mb(pid))
    closed_at = time.time()
    time.sleep(5)
    after = rss_mb(pid)
    counts = {}
    for v in statuses.values():
        counts[v] = counts.get(v, 0) + 1
    print(f"bodies: {CLIENTS} clients x {BODY_MB} MB unauthenticated: answers {counts}, "
          f"{sent / 1e6:.0f} MB sent in {closed_at - start:.1f} s; RSS before {before:.1f} MB, peak {peak:.1f} MB "
          f"(+{peak - before:.1f}), 5 s after {after:.1f} MB ({after - before:+.1f})")


def trickle(port):
    clients = []
    for i in range(TRICKLERS):
        s = socket.create_connection(("127.0.0.1", port))
        s.send(f"POST /api/v1/hunts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}"
               f"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{".encode())
        s.setblocking(False)
        clients.append(s)
    start = time.time()
    closed = {}
    while len(closed) < len(clients) and time.time() - start < 60:
        for s in clients:
            if s in closed:
                continue
            try:
                data = s.recv(65536)
                if data:
                    closed[s] = (data[9:12].decode(), time.time() - start)
                    continue
                closed[s] = ("closed", time.time() - start)
            except BlockingIOError:
                try:
                    s.send(b" ")
                except OSError:
                    closed[s] = ("reset", time.time() - start)
            except OSError:
                closed[s] = ("reset", time.time() - start)
        time.sleep(1)
    codes = {}
    for code, _ in closed.values():
        codes[code] = codes.get(code, 0) + 1
    last = max((t for _, t in closed.values()), default=0)
    print(f"trickle: {TRICKLERS} clients at 1 byte/s: {len(closed)} closed within {last:.1f} s, "
          f"answers {codes}")


class BigNode(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def pipeline(port, pid):
    BigNode.body = json.dumps({"padding": "y" * (ANSWER_MB * 1024 * 1024 // 10)}).encode()
    nodes = []
    for i in range(10):
        srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), BigNode)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        nodes.append(f"127.0.0.1:{srv.server_address[1]}")
    status, body = request(port, "POST", "/api/v1/hunts",
                           json.dumps({"nodes": nodes, "url": "metric"}).encode())
    hunt = json.loads(body)["hunt"]
    for _ in range(100):
        if json.loads(request(port, "GET", f"/api/v1/hunts/{hunt}")[1])["state"] == "done":
            break
        time.sleep(0.1)
    path = f"/api/v1/hunts/{hunt}/results?limit=10"
    size = len(request(port, "GET", path)[1])
    before = rss_mb(pid)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
               * PIPELINED).encode())
    peak = before
    for _ in range(30):
        time.sleep(0.1)
        peak = max(peak, rss_mb(pid))
    s.settimeout(10)
    total = 0
    answers = 0
    tail = b""
    while True:
        try:
            data = s.recv(1 << 20)
        except socket.timeout:
            break
        if not data:
            break
        total += len(data)
        answers += (tail + data).count(b"HTTP/1.1 200 OK")
        tail = data[-20:]
        if total >= PIPELINED * size:
            break
    print(f"pipeline: {PIPELINED} pipelined GETs of a {size / 1e6:.1f} MB answer, unread for 3 s: "
          f"RSS before {before:.1f} MB, peak {peak:.1f} MB (+{peak - before:.1f}); then "
          f"{answers} answers, {total / 1e6:.0f} MB read")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for n, scenario in enumerate((bodies, pipeline)):
            proc, port = start_serve(os.path.join(tmp, str(n)))
            try:
                request(port, "GET", "/healthz")  # warm: the first request allocates
                scenario(port, proc.pid)
            finally:
                proc.kill()
                proc.wait()
        proc, port = start_serve(os.path.join(tmp, "b"), ["--body-timeout", "5s"])
        try:
            trickle(port)
        finally:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
