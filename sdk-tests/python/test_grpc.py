"""Drives milvus-mock's gRPC front with pymilvus's `MilvusClient` (the pinned
release of requirements.txt), as a Python user's tests would drive Milvus.

Server: env MILVUS_URI (default http://127.0.0.1:19530); the same port
serves REST, which the cross-transport tests call with urllib.

What pymilvus 3.0.2 sends and reads (../../../shared/milvus-grpc.md §3):
`MilvusClient(uri)` sends one `Connect`; each call's database travels in the
`dbname` metadata (request `db_name` stays empty); a business error is gRPC
OK carrying `common.Status`, which `check_status` turns into
`MilvusException(code=status.code, message=status.reason,
compatible_code=status.error_code)`; load calls poll `GetLoadingProgress`
until 100 and `create_index` polls `DescribeIndex` until `Finished`, so a
wait that never ends shows up as the run's timeout, not as a failure here.

The expected errors are Milvus 2.6's (§4): code 100 with the legacy
`error_code` CollectionNotExists (4) and the reason
`collection not found[database=<db>][collection=<name>]`; a missing
partition is code 200 with MetaFailed (15) and
`partition not found[partition=<name>]`; a missing database is code 800 with
UnexpectedError (1). Where the REST wire answers the same proxy error, the
tests also check that REST's `code`/`message` equal gRPC's `code`/`reason`.

Isolation: every test uses names of its own (suffix = pid + time), and the
lifecycle tests run in a database created for the run, so the file can run
against a server that is in use.
"""

import json
import os
import time
import urllib.request

import pytest
from pymilvus import AnnSearchRequest, DataType, Function, FunctionType, MilvusClient, MilvusException, RRFRanker
from pymilvus.client.types import LoadState
from pymilvus.exceptions import DescribeCollectionException

URI = os.environ.get("MILVUS_URI", "http://127.0.0.1:19530").rstrip("/")
SUFFIX = f"{os.getpid()}_{int(time.time() * 1000)}"

# Legacy `common.ErrorCode` values (milvus-sdk-rust 3.0.3's common.proto), as
# Milvus's merr `oldCode` maps the codes used here.
UNEXPECTED_ERROR = 1
COLLECTION_NOT_EXISTS = 4
META_FAILED = 15


def name(prefix):
    return f"{prefix}_{SUFFIX}"


def rest(action, body):
    """POST /v2/vectordb/<action> over HTTP/1.1; the parsed JSON answer."""
    request = urllib.request.Request(
        f"{URI}/v2/vectordb/{action}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, response.status
        return json.loads(response.read())


def expect_error(call, code, compatible_code, message, kind=MilvusException):
    """`call()` raises `kind` with exactly this code, legacy code and message."""
    with pytest.raises(kind) as caught:
        call()
    err = caught.value
    assert (type(err), err.code, err.compatible_code, err.message) == (
        kind,
        code,
        compatible_code,
        message,
    ), repr(err)
    return err


def collection_not_found(collection, db="default"):
    return f"collection not found[database={db}][collection={collection}]"


@pytest.fixture(scope="module")
def client():
    return MilvusClient(uri=URI, timeout=20)


@pytest.fixture(scope="module")
def db():
    """A database of the run's own, dropped (with its collections) at the end."""
    db_name = name("pymilvus_db")
    admin = MilvusClient(uri=URI, timeout=20)
    admin.create_database(db_name)
    yield db_name
    scoped = MilvusClient(uri=URI, db_name=db_name, timeout=20)
    for collection in scoped.list_collections():
        scoped.drop_collection(collection)
    admin.drop_database(db_name)


@pytest.fixture(scope="module")
def dbc(db):
    """A client whose calls go to the run's database (the `dbname` metadata)."""
    return MilvusClient(uri=URI, db_name=db, timeout=20)


def quick_setup_describe(collection, num_partitions=1):
    """`describe_collection` of a quick-setup collection (dimension 5), less
    the server-assigned `collection_id` and timestamps (MilvusClient drops
    `struct_array_fields` from the dict itself)."""
    return {
        "collection_name": collection,
        "auto_id": False,
        "num_shards": 1,
        "description": "",
        "fields": [
            {
                "field_id": 100,
                "name": "id",
                "description": "",
                "type": DataType.INT64,
                "params": {},
                "is_primary": True,
            },
            {
                "field_id": 101,
                "name": "vector",
                "description": "",
                "type": DataType.FLOAT_VECTOR,
                "params": {"dim": 5},
            },
        ],
        "functions": [],
        "aliases": [],
        "consistency_level": 2,
        "consistency_level_name": "Bounded",
        "properties": {},
        "num_partitions": num_partitions,
        "enable_dynamic_field": True,
        "enable_namespace": False,
        "schema_version": 0,
    }


def server_assigned(described):
    """Pops and checks the server-assigned fields of a describe_collection."""
    described = dict(described)
    for key in ("collection_id", "created_timestamp", "update_timestamp"):
        value = described.pop(key, None)
        assert isinstance(value, int) and value > 0, (key, value)
    return described


# ---- connection -----------------------------------------------------------


def test_connect_and_server_version(client):
    version = client.get_server_version()
    assert version.startswith("v2.6."), version


# ---- collections ------------------------------------------------------------


def test_quick_setup_creates_indexes_and_loads(dbc):
    collection = name("quick")
    assert dbc.create_collection(collection, dimension=5) is None
    assert dbc.has_collection(collection) is True
    assert collection in dbc.list_collections()
    assert server_assigned(dbc.describe_collection(collection)) == quick_setup_describe(collection)
    assert dbc.get_load_state(collection) == {"state": LoadState.Loaded}
    assert dbc.list_indexes(collection) == ["vector"]
    assert dbc.describe_index(collection, "vector") == {
        "index_type": "AUTOINDEX",
        "metric_type": "COSINE",
        "field_name": "vector",
        "index_name": "vector",
        "total_rows": 0,
        "indexed_rows": 0,
        "pending_index_rows": 0,
        "state": "Finished",
    }
    assert dbc.get_collection_stats(collection) == {"row_count": 0}


def custom_schema():
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("title", DataType.VARCHAR, max_length=64)
    schema.add_field("embedding", DataType.FLOAT_VECTOR, dim=8)
    return schema


def test_custom_schema_is_neither_indexed_nor_loaded(dbc):
    collection = name("custom")
    dbc.create_collection(collection, schema=custom_schema())
    described = server_assigned(dbc.describe_collection(collection))
    assert described["fields"] == [
        {"field_id": 100, "name": "pk", "description": "", "type": DataType.INT64, "params": {}, "is_primary": True},
        {"field_id": 101, "name": "title", "description": "", "type": DataType.VARCHAR, "params": {"max_length": 64}},
        {"field_id": 102, "name": "embedding", "description": "", "type": DataType.FLOAT_VECTOR, "params": {"dim": 8}},
    ]
    assert (described["enable_dynamic_field"], described["auto_id"], described["num_partitions"]) == (False, False, 1)
    assert dbc.get_load_state(collection) == {"state": LoadState.NotLoad}
    assert dbc.list_indexes(collection) == []
    assert dbc.describe_index(collection, "embedding") is None


def test_missing_collection(client):
    missing = name("no_such_collection")
    assert client.has_collection(missing) is False
    assert missing not in client.list_collections()
    # gRPC GetLoadState of a missing collection is a success (Milvus impl.go GetLoadState).
    assert client.get_load_state(missing) == {"state": LoadState.NotExist}
    # DescribeCollection's own rewrite "for compatibility with PyMilvus" (internal/proxy/task.go):
    # UnexpectedError, `can't find collection`, flagged as the user's error.
    err = expect_error(
        lambda: client.describe_collection(missing),
        100,
        UNEXPECTED_ERROR,
        f"can't find collection[database=default][collection={missing}]",
        DescribeCollectionException,
    )
    assert err.is_input_error is True
    not_found = collection_not_found(missing)
    calls = {
        "partitions/release": lambda: client.release_partitions(missing, ["_default", "january"]),
        "partitions/load": lambda: client.load_partitions(missing, ["january"]),
        "partitions/create": lambda: client.create_partition(missing, "january"),
        "partitions/has": lambda: client.has_partition(missing, "january"),
        "partitions/list": lambda: client.list_partitions(missing),
        "partitions/drop": lambda: client.drop_partition(missing, "january"),
        "collections/load": lambda: client.load_collection(missing),
        "collections/release": lambda: client.release_collection(missing),
        "collections/get_stats": lambda: client.get_collection_stats(missing),
    }
    bodies = {
        "partitions/release": {"partitionNames": ["_default", "january"]},
        "partitions/load": {"partitionNames": ["january"]},
        "partitions/create": {"partitionName": "january"},
        "partitions/has": {"partitionName": "january"},
        "partitions/drop": {"partitionName": "january"},
    }
    for action, call in calls.items():
        expect_error(call, 100, COLLECTION_NOT_EXISTS, not_found)
        body = {"collectionName": missing, **bodies.get(action, {})}
        assert rest(action, body) == {"code": 100, "message": not_found}, action


def test_missing_collection_names_the_database(dbc, db):
    missing = name("no_such_collection")
    expect_error(
        lambda: dbc.release_partitions(missing, ["_default"]),
        100,
        COLLECTION_NOT_EXISTS,
        collection_not_found(missing, db),
    )


# ---- partitions -------------------------------------------------------------


def test_partition_lifecycle(dbc):
    collection = name("lifecycle")
    dbc.create_collection(collection, dimension=5)
    state = lambda partition="": dbc.get_load_state(collection, partition)  # noqa: E731

    dbc.create_partition(collection, "january")
    assert dbc.list_partitions(collection) == ["_default", "january"]
    assert dbc.has_partition(collection, "january") is True
    assert dbc.has_partition(collection, "february") is False
    assert state() == {"state": LoadState.Loaded}

    # The seed page's call, over gRPC.
    assert dbc.release_partitions(collection, ["_default", "january"]) is None
    assert state() == {"state": LoadState.NotLoad}
    assert state("january") == {"state": LoadState.NotLoad}
    assert dbc.release_partitions(collection, ["_default", "january"]) is None  # no-op

    assert dbc.load_partitions(collection, ["january"]) is None
    assert state() == {"state": LoadState.Loaded}
    assert state("january") == {"state": LoadState.Loaded}
    assert state("_default") == {"state": LoadState.NotLoad}

    dbc.release_partitions(collection, ["january"])
    assert state() == {"state": LoadState.NotLoad}

    dbc.load_collection(collection)
    assert state() == {"state": LoadState.Loaded}
    assert state("_default") == {"state": LoadState.Loaded}
    dbc.release_collection(collection)
    assert state() == {"state": LoadState.NotLoad}

    dbc.drop_partition(collection, "january")
    assert dbc.list_partitions(collection) == ["_default"]
    assert dbc.has_partition(collection, "january") is False
    dbc.drop_collection(collection)
    assert dbc.has_collection(collection) is False


def test_missing_partition(dbc):
    collection = name("no_partition")
    dbc.create_collection(collection, dimension=5)
    not_found = "partition not found[partition=x]"
    expect_error(lambda: dbc.release_partitions(collection, ["x"]), 200, META_FAILED, not_found)
    # One unknown name releases nothing.
    expect_error(lambda: dbc.release_partitions(collection, ["_default", "x"]), 200, META_FAILED, not_found)
    assert dbc.get_load_state(collection) == {"state": LoadState.Loaded}
    assert dbc.get_load_state(collection, "_default") == {"state": LoadState.Loaded}
    expect_error(lambda: dbc.load_partitions(collection, ["x"]), 200, META_FAILED, not_found)
    assert dbc.has_partition(collection, "x") is False
    body = {"dbName": dbc._config.db_name, "collectionName": collection, "partitionNames": ["x"]}
    assert rest("partitions/release", body) == {"code": 200, "message": not_found}


def test_loaded_partition_cannot_be_dropped(dbc, db):
    collection = name("drop_loaded")
    dbc.create_collection(collection, dimension=5)
    dbc.create_partition(collection, "january")
    dbc.load_partitions(collection, ["january"])
    with pytest.raises(MilvusException) as caught:
        dbc.drop_partition(collection, "january")
    answer = rest("partitions/drop", {"dbName": db, "collectionName": collection, "partitionName": "january"})
    assert answer["code"] != 0, answer
    assert (caught.value.code, caught.value.message) == (answer["code"], answer["message"])
    assert dbc.has_partition(collection, "january") is True


# ---- databases --------------------------------------------------------------


def test_databases(client):
    created = name("pymilvus_db2")
    client.create_database(created)
    assert "default" in client.list_databases()
    assert created in client.list_databases()
    assert client.describe_database(created) == {"name": created}

    scoped = MilvusClient(uri=URI, timeout=20)
    scoped.use_database(created)
    assert scoped.list_collections() == []
    collection = name("in_db2")
    scoped.create_collection(collection, dimension=5)
    assert scoped.list_collections() == [collection]
    assert collection not in client.list_collections()  # the default database
    # db_name given per client, not per call:
    other = MilvusClient(uri=URI, db_name=created, timeout=20)
    assert other.has_collection(collection) is True
    expect_error(
        lambda: client.drop_database(created),
        65535,
        UNEXPECTED_ERROR,
        f"database:{created} not empty, must drop all collections before drop database",
    )
    scoped.drop_collection(collection)
    client.drop_database(created)
    assert created not in client.list_databases()


def test_missing_database(client):
    nope = name("nope")
    message = f"database not found[database={nope}]"
    expect_error(lambda: MilvusClient(uri=URI, timeout=20).use_database(nope), 800, UNEXPECTED_ERROR, message)
    in_nope = MilvusClient(uri=URI, db_name=nope, timeout=20)
    expect_error(lambda: in_nope.list_collections(), 800, UNEXPECTED_ERROR, message)
    assert rest("collections/list", {"dbName": nope}) == {"code": 800, "message": message}


# ---- indexes ----------------------------------------------------------------


def create_ivf_index(client, collection):
    client.create_collection(collection, schema=custom_schema())
    params = MilvusClient.prepare_index_params()
    params.add_index(
        field_name="embedding", index_name="emb_idx", index_type="IVF_FLAT", metric_type="L2", params={"nlist": 128}
    )
    assert client.create_index(collection, params) is None


def test_index_lifecycle(dbc):
    collection = name("indexes")
    create_ivf_index(dbc, collection)
    assert dbc.list_indexes(collection) == ["emb_idx"]
    assert dbc.list_indexes(collection, field_name="embedding") == ["emb_idx"]
    assert dbc.list_indexes(collection, field_name="title") == []
    assert dbc.describe_index(collection, "emb_idx")["state"] == "Finished"

    dbc.load_collection(collection)
    assert dbc.get_load_state(collection) == {"state": LoadState.Loaded}
    dbc.release_collection(collection)
    assert dbc.drop_index(collection, "emb_idx") is None
    assert dbc.list_indexes(collection) == []
    assert dbc.describe_index(collection, "emb_idx") is None


def test_describe_index_echoes_the_request_params(dbc):
    """Milvus keeps a CreateIndex request's `extra_params` as they came
    (`createIndexTask.parseIndexParams`: `newExtraParams = req.GetExtraParams()`,
    sent as `UserIndexParams`) and DescribeIndex answers them. MilvusClient
    sends `params={"nlist": 128}` flattened (`nlist: "128"`, pymilvus
    `milvus_client/index.py`), so describe_index reads `nlist` as the string
    `"128"`, not a `params` dict."""
    collection = name("describe_index")
    create_ivf_index(dbc, collection)
    assert dbc.describe_index(collection, "emb_idx") == {
        "index_type": "IVF_FLAT",
        "metric_type": "L2",
        "nlist": "128",
        "field_name": "embedding",
        "index_name": "emb_idx",
        "total_rows": 0,
        "indexed_rows": 0,
        "pending_index_rows": 0,
        "state": "Finished",
    }


# ---- aliases ----------------------------------------------------------------


def test_alias_lifecycle(dbc, db):
    first, second = name("alias_a"), name("alias_b")
    alias = name("alias")
    dbc.create_collection(first, dimension=5)
    dbc.create_collection(second, dimension=5)

    assert dbc.create_alias(first, alias) is None
    assert dbc.describe_alias(alias) == {"alias": alias, "collection_name": first, "db_name": db}
    assert dbc.list_aliases(first) == {"aliases": [alias], "collection_name": first, "db_name": db}
    assert dbc.describe_collection(first)["aliases"] == [alias]
    assert dbc.has_collection(alias) is True

    assert dbc.alter_alias(second, alias) is None
    assert dbc.describe_alias(alias)["collection_name"] == second
    assert dbc.list_aliases(first)["aliases"] == []
    assert dbc.list_aliases(second)["aliases"] == [alias]

    # A call through the alias reaches the collection behind it.
    dbc.release_partitions(alias, ["_default"])
    assert dbc.get_load_state(second) == {"state": LoadState.NotLoad}

    assert dbc.drop_alias(alias) is None
    assert dbc.list_aliases(second)["aliases"] == []
    with pytest.raises(MilvusException) as caught:
        dbc.describe_alias(alias)
    answer = rest("aliases/describe", {"dbName": db, "aliasName": alias})
    assert (caught.value.code, caught.value.message) == (answer["code"], answer["message"]), answer


# ---- the same state over both wires -----------------------------------------


def test_rest_create_grpc_release_rest_reads(client):
    collection = name("cross_rest_first")
    assert rest("collections/create", {"collectionName": collection, "dimension": 5}) == {"code": 0, "data": {}}
    assert rest("partitions/create", {"collectionName": collection, "partitionName": "january"}) == {"code": 0, "data": {}}
    assert client.has_collection(collection) is True
    assert client.list_partitions(collection) == ["_default", "january"]
    assert client.get_load_state(collection) == {"state": LoadState.Loaded}

    client.release_partitions(collection, ["_default", "january"])
    answer = rest("collections/get_load_state", {"collectionName": collection})
    assert answer == {"code": 0, "data": {"loadState": "LoadStateNotLoad"}}, answer
    client.drop_collection(collection)
    answer = rest("collections/has", {"collectionName": collection})
    assert answer == {"code": 0, "data": {"has": False}}, answer


def test_grpc_create_rest_release_grpc_reads(client):
    collection = name("cross_grpc_first")
    client.create_collection(collection, dimension=5)
    client.create_partition(collection, "january")
    answer = rest("collections/get_load_state", {"collectionName": collection})
    assert answer == {"code": 0, "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""}, answer

    body = {"collectionName": collection, "partitionNames": ["_default", "january"]}
    assert rest("partitions/release", body) == {"code": 0, "data": {}}
    assert client.get_load_state(collection) == {"state": LoadState.NotLoad}
    assert rest("partitions/load", {"collectionName": collection, "partitionNames": ["january"]}) == {"code": 0, "data": {}}
    assert client.get_load_state(collection, "january") == {"state": LoadState.Loaded}
    assert client.get_load_state(collection, "_default") == {"state": LoadState.NotLoad}
    assert rest("collections/drop", {"collectionName": collection}) == {"code": 0, "data": {}}
    assert client.has_collection(collection) is False
    assert client.get_load_state(collection) == {"state": LoadState.NotExist}


# ---- data plane -------------------------------------------------------------
# What pymilvus sends (§3.2): `insert` is `Insert` with one `FieldData` column
# per field (dynamic keys in `$meta`); `get` is `Query` with `id in [...]`;
# `search` is `Search` with the vectors in a serialized `PlaceholderGroup`;
# `delete(ids=)` is `Delete` with `id in [...]`; `flush` is `Flush`, then
# `GetFlushState` until flushed.

ROWS = [
    {"id": 1, "vector": [1.0, 0.0, 0.0, 0.0], "color": "red"},
    {"id": 2, "vector": [0.0, 1.0, 0.0, 0.0], "color": "green"},
    {"id": 3, "vector": [0.6, 0.8, 0.0, 0.0], "color": "blue"},
]


def loaded_with_rows(client, prefix):
    """A quick-setup collection (dimension 4, COSINE, loaded) holding ROWS."""
    collection = name(prefix)
    client.create_collection(collection, dimension=4)
    inserted = client.insert(collection, ROWS)
    assert (inserted["insert_count"], list(inserted["ids"])) == (3, [1, 2, 3])
    return collection


def plain(rows):
    """Query rows as plain dicts; vectors are float32 on the wire, so 6 decimals."""
    return [
        {key: [round(float(x), 6) for x in value] if key == "vector" else value for key, value in row.items()}
        for row in rows
    ]


def hits(result):
    """Search hits of the first query as (id, distance rounded, entity)."""
    return [(hit["id"], round(hit["distance"], 4), dict(hit["entity"])) for hit in result[0]]


def test_insert_get_query_and_count(dbc):
    collection = loaded_with_rows(dbc, "data_rw")
    assert plain(dbc.get(collection, ids=[2])) == [ROWS[1]]
    got = dbc.query(collection, filter="id in [1, 3]", output_fields=["*"])
    assert plain(got) == [ROWS[0], ROWS[2]]
    # MilvusClient asks for "*" when no output field is given.
    assert plain(dbc.query(collection, filter='color == "green"')) == [ROWS[1]]
    assert list(dbc.query(collection, filter="", output_fields=["count(*)"])) == [{"count(*)": 3}]
    paged = dbc.query(collection, filter="", output_fields=["id"], limit=1, offset=1)
    assert list(paged) == [{"id": 2}]


def test_search_with_filter_and_output_fields(dbc):
    collection = loaded_with_rows(dbc, "data_search")
    found = dbc.search(collection, data=[[1.0, 0.0, 0.0, 0.0]], limit=2, output_fields=["color"])
    assert hits(found) == [(1, 1.0, {"color": "red"}), (3, 0.6, {"color": "blue"})]
    filtered = dbc.search(collection, data=[[1.0, 0.0, 0.0, 0.0]], limit=3, filter="id > 1")
    assert hits(filtered) == [(3, 0.6, {}), (2, 0.0, {})]
    two = dbc.search(collection, data=[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]], limit=1)
    assert [[hit["id"] for hit in query] for query in two] == [[1], [2]]


def test_hybrid_search_with_rrf(dbc):
    collection = loaded_with_rows(dbc, "data_hybrid")
    requests = [
        AnnSearchRequest(data=[[1.0, 0.0, 0.0, 0.0]], anns_field="vector", param={}, limit=2),
        AnnSearchRequest(data=[[0.0, 1.0, 0.0, 0.0]], anns_field="vector", param={}, limit=2),
    ]
    found = dbc.hybrid_search(collection, requests, RRFRanker(60), limit=1, output_fields=["color"])
    # Row 3 is second in both sub-searches: 2 / (60 + 2).
    assert hits(found) == [(3, 0.0323, {"color": "blue"})]


def test_hybrid_search_answers_every_query(dbc):
    collection = loaded_with_rows(dbc, "data_hybrid_nq")
    queries = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
    requests = [AnnSearchRequest(data=queries, anns_field="vector", param={}, limit=2) for _ in range(2)]
    found = dbc.hybrid_search(collection, requests, RRFRanker(60), limit=1)
    # Each query reranked on its own: 2 / (60 + 1) for the row first in both sub-searches.
    assert [[(hit["id"], round(hit["distance"], 4)) for hit in query] for query in found] == [
        [(1, 0.0328)],
        [(2, 0.0328)],
    ]


def test_search_with_another_metric_than_the_index_fails(dbc):
    collection = loaded_with_rows(dbc, "data_metric")
    search = lambda: dbc.search(  # noqa: E731
        collection, data=[[1.0, 0.0, 0.0, 0.0]], limit=1, search_params={"metric_type": "L2"}
    )
    text = "failed to search: metric type not match: invalid parameter[expected=COSINE][actual=L2]"
    expect_error(search, 65535, UNEXPECTED_ERROR, text)
    found = dbc.search(collection, data=[[1.0, 0.0, 0.0, 0.0]], limit=1, search_params={"metric_type": "COSINE"})
    assert hits(found) == [(1, 1.0, {})]


def test_delete_upsert_and_flush(dbc, db):
    collection = loaded_with_rows(dbc, "data_write")
    assert dbc.get_collection_stats(collection) == {"row_count": 0}
    dbc.flush(collection)
    assert dbc.get_collection_stats(collection) == {"row_count": 3}
    assert dbc.delete(collection, ids=[1])["delete_count"] == 1
    upserted = dbc.upsert(collection, [{"id": 2, "vector": [0.0, 0.0, 1.0, 0.0], "color": "grey"}])
    assert upserted["upsert_count"] == 1
    rows = dbc.query(collection, filter="id > 0", output_fields=["color"])
    assert list(rows) == [{"id": 3, "color": "blue"}, {"id": 2, "color": "grey"}]
    over_rest = rest("entities/query", {"dbName": db, "collectionName": collection, "filter": "id > 0"})
    assert [row["id"] for row in over_rest["data"]] == [3, 2]


def test_reads_after_a_release_fail_as_over_rest(dbc, db):
    collection = loaded_with_rows(dbc, "data_release")
    dbc.release_partitions(collection, ["_default"])
    body = {"dbName": db, "collectionName": collection, "filter": "id > 0"}
    refused = rest("entities/query", body)
    assert refused["code"] == 101, refused
    expect_error(lambda: dbc.query(collection, filter="id > 0"), 101, UNEXPECTED_ERROR, refused["message"])
    body = {"dbName": db, "collectionName": collection, "data": [[1.0, 0.0, 0.0, 0.0]]}
    refused = rest("entities/search", body)
    assert refused["code"] == 101, refused
    search = lambda: dbc.search(collection, data=[[1.0, 0.0, 0.0, 0.0]], limit=1)  # noqa: E731
    expect_error(search, 101, UNEXPECTED_ERROR, refused["message"])
    # Writes need no load.
    assert dbc.insert(collection, [{"id": 9, "vector": [0.0, 0.0, 0.0, 1.0]}])["insert_count"] == 1


def test_rows_cross_the_wires(dbc, db):
    collection = name("data_cross")
    dbc.create_collection(collection, dimension=4)
    body = {"dbName": db, "collectionName": collection, "data": [{"id": 7, "vector": [0, 1, 0, 0], "tag": "rest"}]}
    assert rest("entities/insert", body)["data"]["insertCount"] == 1
    found = dbc.search(collection, data=[[0.0, 1.0, 0.0, 0.0]], limit=5, output_fields=["tag"])
    assert hits(found) == [(7, 1.0, {"tag": "rest"})]
    dbc.insert(collection, [{"id": 8, "vector": [1.0, 0.0, 0.0, 0.0], "tag": "grpc"}])
    read = rest("entities/get", {"dbName": db, "collectionName": collection, "id": [8], "outputFields": ["tag"]})
    assert read == {"code": 0, "cost": 0, "data": [{"id": 8, "tag": "grpc"}]}



def test_delete_answers_the_count_not_the_keys(dbc):
    """Milvus (2.3.2 on) answers a delete with an empty `IDs`; MilvusClient
    then returns the count. `delete_cnt` is the keys listed for a key list
    (9 is not there), the rows matched for any other filter."""
    collection = loaded_with_rows(dbc, "data_delete")
    assert dbc.delete(collection, ids=[1, 9]) == {"delete_count": 2, "cost": 0}
    assert dbc.delete(collection, filter="id >= {low}", filter_params={"low": 3}) == {"delete_count": 1, "cost": 0}
    assert list(dbc.query(collection, filter="id > 0", output_fields=["id"])) == [{"id": 2}]


def test_filter_params_fill_query_and_search_filters(dbc):
    collection = loaded_with_rows(dbc, "data_templates")
    params = {"ids": [1, 2, 3], "color": "red"}
    got = dbc.query(collection, filter="id in {ids} and color != {color}", filter_params=params, output_fields=["color"])
    assert list(got) == [{"id": 2, "color": "green"}, {"id": 3, "color": "blue"}]
    found = dbc.search(collection, data=[[1.0, 0.0, 0.0, 0.0]], limit=3, filter="id >= {low}", filter_params={"low": 3})
    assert hits(found) == [(3, 0.6, {})]


def test_search_by_primary_keys(dbc):
    """2.6's `search(ids=...)`: the keys' stored vectors are the query vectors."""
    collection = loaded_with_rows(dbc, "data_by_keys")
    found = dbc.search(collection, ids=[2], anns_field="vector", limit=2)
    assert hits(found) == [(2, 1.0, {}), (3, 0.8, {})]
    missing = "some of the provided primary key IDs do not exist: missing IDs = [7]: invalid parameter"
    expect_error(lambda: dbc.search(collection, ids=[2, 7], anns_field="vector", limit=2), 1100, 5, missing)


def test_full_text_search_with_a_bm25_function(dbc):
    collection = name("data_bm25")
    schema = MilvusClient.create_schema()
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=64, enable_analyzer=True)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    bm25 = Function(
        name="bm25", function_type=FunctionType.BM25, input_field_names=["text"], output_field_names=["sparse"]
    )
    schema.add_function(bm25)
    index = dbc.prepare_index_params()
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    dbc.create_collection(collection, schema=schema, index_params=index)
    texts = ["Apple pie", "apple, apple & banana", "cherry tart"]
    inserted = dbc.insert(collection, [{"id": i + 1, "text": text} for i, text in enumerate(texts)])
    assert inserted["insert_count"] == 3
    found = dbc.search(collection, data=["APPLE"], anns_field="sparse", limit=3, output_fields=["text"])
    # "apple" twice among three words beats once among two; "cherry tart" shares no word.
    assert [(hit["id"], hit["entity"]["text"]) for hit in found[0]] == [(2, texts[1]), (1, texts[0])]
    refused = "not allowed to retrieve raw data of field sparse"
    expect_error(lambda: dbc.query(collection, filter="id > 0", output_fields=["sparse"]), 65535, 1, refused)
