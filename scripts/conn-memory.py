#!/usr/bin/env python3
"""RSS of a milvus-mock binary while N keep-alive connections (one call each) are open, and after they close; three
waves. Usage: python3 scripts/conn-memory.py target/release/milvus-mock 10000 [flags...] (needs a descriptor limit
above N). The figures of README "Running the server" come from it."""
import socket, sys, time, resource, subprocess, os
resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],)*2)
bin_, n = sys.argv[1], int(sys.argv[2])
_s=socket.socket(); _s.bind(("127.0.0.1",0)); port=_s.getsockname()[1]; _s.close()
env = dict(os.environ, RUST_LOG="warn")  # no log lines: only connections count
p = subprocess.Popen([bin_, "--port", str(port)] + sys.argv[3:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                     preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],)*2))
time.sleep(0.5)
def rss():
    for l in open(f"/proc/{p.pid}/status"):
        if l.startswith("VmRSS"): return int(l.split()[1]) // 1024
body = b'{"collectionName":"x"}'
req = b"POST /v2/vectordb/collections/has HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
print("idle", rss())
for wave in range(3):
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port)); s.sendall(req); socks.append(s)
    for s in socks: s.recv(4096)
    print("open", rss())
    for s in socks: s.close()
    time.sleep(2)
    print("closed", rss())
p.terminate(); p.wait()
