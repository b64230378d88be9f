#!/usr/bin/env bash
# The seed page's curl example (../shared/seed/release-partitions.md),
# verbatim, as a test against milvus-mock (or any Milvus 2.5+/2.6 server).
#
# Usage: MILVUS_URI=http://127.0.0.1:PORT sdk-tests/seed-curl.sh
#   MILVUS_URI may be given with or without the http:// scheme (the page's
#   form is host:port); it defaults to the page's localhost:19530.
#
# Steps: seed the state the page assumes (collection quick_setup, quick
# setup with dimension 5, which is loaded; partition january), run the page's
# command unchanged, then check its output is exactly {"code":0,"data":{}}
# (the contract's success code; the page's own sample shows 200, see contract
# §1.2/§11) and that get_load_state says LoadStateNotLoad.
# Works in the default database, and drops quick_setup there first so that
# it can be rerun against the same server.
set -u

target="${MILVUS_URI:-}"
target="${target#http://}"
target="${target%/}"

pass=0
fail=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# check NAME EXPECTED ACTUAL: byte-exact comparison.
check() {
    if [ "$2" == "$3" ]; then
        pass=$((pass + 1))
        echo "ok   - $1"
    else
        fail=$((fail + 1))
        echo "FAIL - $1"
        echo "       expected: $2"
        echo "       actual:   $3"
    fi
}

# post ACTION BODY: our own requests (seeding and checks), body on stdout.
post() {
    curl -sS --max-time 10 -X POST "http://${MILVUS_URI}/v2/vectordb/$1" \
        -H "Content-Type: application/json" -d "$2"
}

# ---- the page's example, character for character -----------------------
export MILVUS_URI="localhost:19530"

release_seed_partitions() {
curl --location --request POST "http://${MILVUS_URI}/v2/vectordb/partitions/release" \
--header "Content-Type: application/json" \
--data-raw '{
    "partitionNames": [
        "_default",
        "january"
    ],
    "collectionName": "quick_setup"
}'
}
# -------------------------------------------------------------------------

# Point it at the server under test (the page's export is the default).
if [ -n "$target" ]; then
    export MILVUS_URI="$target"
fi
echo "# seed page curl example against http://${MILVUS_URI}"

# Seed the state the page assumes.
check "drop quick_setup (clean start)" '{"code":0,"data":{}}' \
    "$(post collections/drop '{"collectionName":"quick_setup"}')"
check "create quick_setup, dimension 5" '{"code":0,"data":{}}' \
    "$(post collections/create '{"collectionName":"quick_setup","dimension":5}')"
check "create partition january" '{"code":0,"data":{}}' \
    "$(post partitions/create '{"collectionName":"quick_setup","partitionName":"january"}')"
check "list partitions" '{"code":0,"data":["_default","january"]}' \
    "$(post partitions/list '{"collectionName":"quick_setup"}')"
check "load state before the release" \
    '{"code":0,"data":{"loadProgress":100,"loadState":"LoadStateLoaded"},"message":""}' \
    "$(post collections/get_load_state '{"collectionName":"quick_setup"}')"

# The page's command. Its stdout must be exactly the success envelope (no
# trailing newline either); stderr carries curl's progress meter.
release_seed_partitions >"$tmp/out" 2>"$tmp/err"
rc=$?
check "page's curl command exits 0" "0" "$rc"
printf '%s' '{"code":0,"data":{}}' >"$tmp/want"
if cmp -s "$tmp/want" "$tmp/out"; then
    actual='{"code":0,"data":{}}'
else
    actual="$(cat -v "$tmp/out") [$(wc -c <"$tmp/out") bytes]"
    sed 's/^/       curl stderr: /' "$tmp/err" | tr '\r' '\n' | tail -3
fi
check "page's curl command output, byte-exact" '{"code":0,"data":{}}' "$actual"

check "load state after the release" '{"code":0,"data":{"loadState":"LoadStateNotLoad"}}' \
    "$(post collections/get_load_state '{"collectionName":"quick_setup"}')"
check "describe says LoadStateNotLoad" '"load":"LoadStateNotLoad"' \
    "$(post collections/describe '{"collectionName":"quick_setup"}' | grep -o '"load":"[A-Za-z]*"')"

# Clean up.
check "drop quick_setup" '{"code":0,"data":{}}' \
    "$(post collections/drop '{"collectionName":"quick_setup"}')"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
