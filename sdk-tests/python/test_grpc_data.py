"""The data plane through pymilvus's `MilvusClient`: insert, get, query
(with `count(*)`), search, delete, upsert, flush, and the reads a release
refuses, with the same code and text REST answers. Rows inserted over one
wire are read over the other.

What pymilvus 3.0.2 sends (../../../shared/milvus-grpc.md §3.2): `insert`
is `Insert` with one `FieldData` column per field (dynamic keys in `$meta`);
`get` is `Query` with `id in [...]` and `output_fields ["*"]`; `search` is
`Search` with the vectors in a serialized `PlaceholderGroup`; `delete(ids=)`
is `Delete` with `id in [...]`; `flush` is `Flush` and then `GetFlushState`
until flushed.

The helpers (URI, names, REST calls, exact exception checks) and the
run's database fixtures are test_grpc.py's, this file's sibling.
"""

from pymilvus import AnnSearchRequest, RRFRanker

from test_grpc import db, dbc, expect_error, name, rest  # noqa: F401 (fixtures)

UNEXPECTED_ERROR = 1

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

