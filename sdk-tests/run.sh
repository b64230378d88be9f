#!/usr/bin/env bash
# Runs the official-SDK tests against a fresh milvus-mock: the seed page's
# curl example (seed-curl.sh), @zilliz/milvus2-sdk-node's HttpClient (REST)
# and MilvusClient (gRPC) (node/), and pymilvus's MilvusClient (gRPC, with
# REST cross-checks) (python/). REST and gRPC share the server's port.
#
# Builds nothing. Needs node (20+), npm, curl and python3 (3.10+, with venv);
# the pymilvus venv is created by python/venv.sh (skipped when up to date).
#   MOCK_BIN  path to the server binary
#             (default: target/release/milvus-mock under the repo root)
# Exits non-zero if the server does not come up or any test fails.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
bin="${MOCK_BIN:-$root/target/release/milvus-mock}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac

for tool in node npm curl python3; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "run.sh: no server binary at $bin (cargo build --release, or set MOCK_BIN)" >&2; exit 2; }

work="$(mktemp -d)"
pid=""
stop_server() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The expectations are the mock's defaults (Milvus 2.6, success code 0, no
# auth, instant loads): keep settings from the environment out.
for v in $(env | sed -n 's/^\(MILVUS_MOCK_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Start the server on a free port. Retry only if it exited (say, another
# process took the port in between); a live server gets 20 s to answer.
uri=""
for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    "$bin" --port "$port" >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || break
        answer="$(curl -s --max-time 2 -X POST "http://127.0.0.1:$port/v2/vectordb/databases/list" \
            -H 'Content-Type: application/json' -d '{}' 2>/dev/null)"
        case "$answer" in '{"code":'*) uri="http://127.0.0.1:$port"; break ;; esac
        sleep 0.1
    done
    [ -n "$uri" ] && break
    kill -0 "$pid" 2>/dev/null && break # alive but silent: give up
    stop_server
done
if [ -z "$uri" ]; then
    echo "run.sh: milvus-mock did not come up; its log:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
echo "# milvus-mock ($bin) at $uri"

# Install the SDK exactly as locked (skipped when node_modules matches it).
cd "$here/node" || exit 2
stamp="node_modules/.run-sh-lock-stamp"
if [ ! -d node_modules ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --ignore-scripts --no-audit --no-fund || { echo "run.sh: npm ci failed" >&2; exit 1; }
    cp package-lock.json "$stamp"
fi

status=0

echo "# seed page curl example"
MILVUS_URI="$uri" bash "$here/seed-curl.sh" || status=1

echo "# @zilliz/milvus2-sdk-node HttpClient"
MILVUS_URI="$uri" node --test --test-reporter=spec test/http-client.test.js || status=1
MILVUS_URI="$uri" node --test --test-reporter=spec test/http-entities.test.js || status=1

echo "# @zilliz/milvus2-sdk-node MilvusClient (gRPC)"
MILVUS_URI="$uri" node --test --test-reporter=spec test/grpc-client.test.js || status=1

echo "# pymilvus MilvusClient (gRPC)"
if python="$(bash "$here/python/venv.sh" | tail -n 1)"; then
    (cd "$here/python" && MILVUS_URI="$uri" "$python" -m pytest -p no:cacheprovider -v test_grpc.py) || status=1
else
    echo "run.sh: the pymilvus venv could not be built" >&2
    status=1
fi

if [ "$status" -ne 0 ]; then
    echo "# FAILED; server log (tail):"
    tail -n 40 "$work/server.log"
else
    echo "# all passed"
fi
exit "$status"
