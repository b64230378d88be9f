#!/usr/bin/env bash
# Builds the binary the way the Dockerfile does (release, static musl) and runs it the way the image does:
# listening on 0.0.0.0, fixtures mounted, health checked by the `healthcheck` subcommand, stopped by SIGTERM.
# No Docker engine needed. Prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-musl
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
# mimalloc (the static binary's allocator) is C: it builds with musl-gcc, as the image builds it with Alpine's gcc.
command -v musl-gcc >/dev/null || { apt-get update -qq && apt-get install -y -qq musl-tools >/dev/null; }
cargo build --release --locked -p milvus-mock --target "$target"
bin="target/$target/release/milvus-mock"

passed=0
failed=0
check() { # name, command...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   - $name"
  else
    failed=$((failed + 1))
    echo "FAIL - $name"
  fi
}

static_binary() { ! ldd "$bin" >/dev/null 2>&1 || ldd "$bin" 2>&1 | grep -q "statically linked\|not a dynamic"; }
check "the musl binary is static" static_binary
size_kb=$(($(stat -c %s "$bin") / 1024))
echo "     binary size: ${size_kb} KiB"
check "the binary weighs a few MB (< 15 MiB)" test "$size_kb" -lt 15360

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env -i PATH="$PATH" MILVUS_MOCK_HOST=0.0.0.0 MILVUS_MOCK_PORT="$port" \
  MILVUS_MOCK_FIXTURES=fixtures/quick_setup.json RUST_LOG=milvus_mock=info "$bin" >/tmp/milvus-mock-smoke.log 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT

healthy=1
for _ in $(seq 1 100); do
  if MILVUS_MOCK_PORT="$port" "$bin" healthcheck >/dev/null 2>&1; then healthy=0; break; fi
  sleep 0.05
done
check "the healthcheck subcommand reports healthy" test "$healthy" -eq 0
check "the server listens on 0.0.0.0" grep -q "0.0.0.0:$port" /tmp/milvus-mock-smoke.log

answer=$(curl -s -X POST "http://127.0.0.1:$port/v2/vectordb/partitions/release" \
  -H "Content-Type: application/json" \
  -d '{"partitionNames": ["_default", "january"], "collectionName": "quick_setup"}')
check "the seed page's release answers {\"code\":0,\"data\":{}}" test "$answer" = '{"code":0,"data":{}}'
state=$(curl -s -X POST "http://127.0.0.1:$port/v2/vectordb/collections/get_load_state" -d '{"collectionName":"quick_setup"}')
check "the fixture's collection is released afterwards" test "$state" = '{"code":0,"data":{"loadState":"LoadStateNotLoad"}}'

# gRPC on the same port (the default `grpc` feature): the seed page's release as a raw gRPC call over h2c, built
# by hand so that no gRPC client is needed: ReleasePartitionsRequest{collection_name: 3, partition_names: 4}
# (milvus.proto) in a 5-byte length-prefixed frame. A success is grpc-status 0 with an all-default common.Status,
# which protobuf encodes as an empty message.
grpc_release() {
  printf '\x00\x00\x00\x00\x20\x1a\x0bquick_setup\x22\x08_default\x22\x07january' |
    curl -s --http2-prior-knowledge -X POST "http://127.0.0.1:$port/milvus.proto.milvus.MilvusService/ReleasePartitions" \
      -H "content-type: application/grpc" -H "te: trailers" --data-binary @- -D "$1.head" -o "$1.body"
}
loaded=$(curl -s -X POST "http://127.0.0.1:$port/v2/vectordb/collections/load" -d '{"collectionName":"quick_setup"}')
check "REST loads the fixture's collection again" test "$loaded" = '{"code":0,"data":{}}'
grpc_out=$(mktemp)
grpc_release "$grpc_out"
check "gRPC ReleasePartitions answers grpc-status 0" grep -qi "^grpc-status: 0" "$grpc_out.head"
check "... with an OK common.Status (an empty message)" test "$(od -An -tx1 "$grpc_out.body" | tr -d ' \n')" = 0000000000
rm -f "$grpc_out" "$grpc_out.head" "$grpc_out.body"
state=$(curl -s -X POST "http://127.0.0.1:$port/v2/vectordb/collections/get_load_state" -d '{"collectionName":"quick_setup"}')
check "REST sees the collection released over gRPC" test "$state" = '{"code":0,"data":{"loadState":"LoadStateNotLoad"}}'

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
trap - EXIT
check "SIGTERM stops it cleanly (exit 0)" test "$status" -eq 0
dead=1
MILVUS_MOCK_PORT="$port" "$bin" healthcheck >/dev/null 2>&1 || dead=0
check "the healthcheck subcommand reports a stopped server as unhealthy" test "$dead" -eq 0

echo "$passed passed, $failed failed"
test "$failed" -eq 0
