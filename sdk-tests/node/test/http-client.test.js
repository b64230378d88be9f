'use strict';
// Drives milvus-mock with the official Node SDK's RESTful client
// (`HttpClient` from @zilliz/milvus2-sdk-node) through the partition
// load/release lifecycle of the seed page (seed/release-partitions.md) and
// the not-found errors of contract §6/§7 (Milvus 2.6 behaviour).
//
// Server: env MILVUS_URI (default http://127.0.0.1:19530).
//
// What the SDK puts on the wire (3.0.6, dist/milvus/HttpClient.js): every
// call is `POST <endpoint>/v2/vectordb/<category>/<action>` with the body
// JSON.stringify(params) plus `dbName` (params.dbName ?? config.database ??
// 'default'), and the headers `Authorization: Bearer <token>`,
// `Accept: application/json`, `Accept-Type-Allow-Int64: false` and a
// misspelt `ContentType: application/json`. Because of that misspelling the
// real Content-Type is fetch's default for a string body,
// `text/plain;charset=UTF-8`. No `Request-Timeout` header is sent. Each
// method resolves to the raw `{code,data,message}` envelope (it throws only
// for a non-2xx HTTP status), so the tests compare whole envelopes.
//
// Isolation: the lifecycle runs in a database of its own (created here,
// dropped at the end), using the seed page's names `quick_setup` and
// `january`; the errors for the default database use a collection name that
// cannot exist. So the file can run against a server that is already in use.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { HttpClient } = require('@zilliz/milvus2-sdk-node');

const ENDPOINT = (process.env.MILVUS_URI || 'http://127.0.0.1:19530').replace(/\/+$/, '');
const SUFFIX = `${process.pid}_${Date.now()}`;
const DB = `sdk_node_${SUFFIX}`; // the lifecycle's own database
const COLLECTION = 'quick_setup';
const MISSING_COLLECTION = `no_such_collection_${SUFFIX}`;

const OK = { code: 0, data: {} };
const LOADED = { code: 0, data: { loadProgress: 100, loadState: 'LoadStateLoaded' }, message: '' };
const NOT_LOADED = { code: 0, data: { loadState: 'LoadStateNotLoad' } };

// Every request the SDK makes goes through this fetch, which keeps the last
// one so that a failing assertion can say exactly what was sent.
let lastExchange = null;
async function recordingFetch(url, init) {
  const exchange = { method: init.method, url, headers: init.headers, body: init.body };
  lastExchange = exchange;
  const response = await fetch(url, init);
  exchange.status = response.status;
  exchange.answer = await response.clone().text();
  return response;
}

function client(database) {
  return new HttpClient({ endpoint: ENDPOINT, database, timeout: 15000, fetch: recordingFetch });
}
const db = client(DB); // dbName defaults to the test database
const dflt = client(); // dbName defaults to 'default'

// assert.deepStrictEqual, with the SDK's request and the raw answer on failure.
function same(actual, expected) {
  try {
    assert.deepStrictEqual(actual, expected);
  } catch (err) {
    throw new assert.AssertionError({
      message: `${err.message}\nrequest sent by the SDK (fetch adds Content-Type: text/plain;charset=UTF-8): ${JSON.stringify(lastExchange, null, 2)}`,
      actual,
      expected,
      operator: 'deepStrictEqual',
      stackStartFn: same,
    });
  }
}

function describeBody(loadState) {
  return {
    aliases: [],
    autoId: false,
    collectionName: COLLECTION,
    consistencyLevel: 'Bounded',
    description: '',
    enableDynamicField: true,
    fields: [
      {
        autoId: false, clusteringKey: false, description: '', id: 100, name: 'id',
        nullable: false, partitionKey: false, primaryKey: true, type: 'Int64',
      },
      {
        autoId: false, clusteringKey: false, description: '', id: 101, name: 'vector',
        nullable: false, params: [{ key: 'dim', value: '5' }], partitionKey: false,
        primaryKey: false, type: 'FloatVector',
      },
    ],
    functions: [],
    indexes: [{ fieldName: 'vector', indexName: 'vector', metricType: 'COSINE' }],
    load: loadState,
    partitionsNum: 2,
    properties: [],
    shardsNum: 1,
  };
}

// collectionID is server-assigned (and, as in Milvus, above 2^53, so
// JSON.parse rounds it): check it is an integer, then compare the rest whole.
function assertDescribe(res, loadState) {
  assert.equal(typeof res?.data?.collectionID, 'number', JSON.stringify(res));
  assert.ok(Number.isInteger(res.data.collectionID) && res.data.collectionID > 0);
  const { collectionID, ...data } = res.data;
  same({ ...res, data }, { code: 0, data: describeBody(loadState), message: '' });
}

const release = (partitionNames, extra = {}) =>
  db.releasePartitions({ collectionName: COLLECTION, partitionNames, ...extra });
const loadState = (extra = {}) =>
  db.getCollectionLoadState({ collectionName: COLLECTION, ...extra });

describe('HttpClient lifecycle (seed page: release partitions)', () => {
  after(async () => {
    // Best-effort cleanup; the drops are asserted in the last tests.
    await db.dropCollection({ collectionName: COLLECTION }).catch(() => {});
    await dflt.dropDatabase({ dbName: DB }).catch(() => {});
  });

  it('createDatabase for this run', async () => {
    same(await dflt.createDatabase({ dbName: DB }), OK);
  });

  it('lists the new database', async () => {
    const res = await dflt.listDatabases();
    assert.equal(res.code, 0, JSON.stringify(res));
    assert.deepEqual(Object.keys(res).sort(), ['code', 'data']);
    assert.ok(res.data.includes('default') && res.data.includes(DB), JSON.stringify(res));
  });

  it('starts with no collections in the new database', async () => {
    same(await db.listCollections({}), { code: 0, data: [] });
  });

  it('createCollection: quick setup, dimension 5', async () => {
    same(await db.createCollection({ collectionName: COLLECTION, dimension: 5 }), OK);
  });

  it('listCollections / hasCollection see it', async () => {
    same(await db.listCollections({}), { code: 0, data: [COLLECTION] });
    same(await db.hasCollection({ collectionName: COLLECTION }), { code: 0, data: { has: true } });
  });

  it('quick setup loads the collection', async () => {
    same(await loadState(), LOADED);
  });

  it("createPartition 'january'", async () => {
    same(await db.createPartition({ collectionName: COLLECTION, partitionName: 'january' }), OK);
  });

  it('listPartitions / hasPartition', async () => {
    same(await db.listPartitions({ collectionName: COLLECTION }),
      { code: 0, data: ['_default', 'january'] });
    same(await db.hasPartition({ collectionName: COLLECTION, partitionName: 'january' }),
      { code: 0, data: { has: true } });
    same(await db.hasPartition({ collectionName: COLLECTION, partitionName: 'february' }),
      { code: 0, data: { has: false } });
  });

  it('describeCollection while loaded', async () => {
    assertDescribe(await db.describeCollection({ collectionName: COLLECTION }), 'LoadStateLoaded');
  });

  it("releasePartitions(['_default','january']) as on the seed page", async () => {
    same(await release(['_default', 'january']), OK);
  });

  it('after the release the load state is LoadStateNotLoad', async () => {
    same(await loadState(), NOT_LOADED);
    assertDescribe(await db.describeCollection({ collectionName: COLLECTION }), 'LoadStateNotLoad');
  });

  it('releasing again is a no-op success', async () => {
    same(await release(['_default', 'january']), OK);
    same(await loadState(), NOT_LOADED);
  });

  it("loadPartitions(['january']) loads the collection", async () => {
    same(await db.loadPartitions({ collectionName: COLLECTION, partitionNames: ['january'] }), OK);
    same(await loadState(), LOADED);
    same(await loadState({ partitionNames: ['january'] }), LOADED);
  });

  it('load state of a partition that is not loaded: Loading, -1 and a message (contract §7.2)', async () => {
    const res = await loadState({ partitionNames: ['_default'] });
    assert.match(String(res.message), /^partition not loaded\[partition=\d+\]\.$/, JSON.stringify(res));
    same(res, { code: 0, data: { loadProgress: -1, loadState: 'LoadStateLoading' }, message: res.message });
  });

  it('releasing an unloaded partition keeps the collection loaded', async () => {
    same(await release(['_default']), OK);
    same(await loadState(), LOADED);
  });

  it('releasing every loaded partition releases the collection', async () => {
    same(await release(['january']), OK);
    same(await loadState(), NOT_LOADED);
  });

  it('loadCollection, then the seed release again', async () => {
    same(await db.loadCollection({ collectionName: COLLECTION }), OK);
    same(await loadState(), LOADED);
    assertDescribe(await db.describeCollection({ collectionName: COLLECTION }), 'LoadStateLoaded');
    same(await release(['_default', 'january']), OK);
    same(await loadState(), NOT_LOADED);
  });

  describe('unknown partition', () => {
    before(async () => {
      same(await db.loadCollection({ collectionName: COLLECTION }), OK);
    });

    it('releasePartitions: 200 partition not found', async () => {
      same(await release(['x']), { code: 200, message: 'partition not found[partition=x]' });
    });

    it('releasePartitions with one unknown name releases nothing', async () => {
      same(await release(['_default', 'x']), { code: 200, message: 'partition not found[partition=x]' });
      same(await loadState(), LOADED);
      same(await loadState({ partitionNames: ['_default'] }), LOADED);
    });

    it('loadPartitions: 200 partition not found', async () => {
      same(await db.loadPartitions({ collectionName: COLLECTION, partitionNames: ['x'] }),
        { code: 200, message: 'partition not found[partition=x]' });
    });

    it('hasPartition answers false', async () => {
      same(await db.hasPartition({ collectionName: COLLECTION, partitionName: 'x' }),
        { code: 0, data: { has: false } });
    });
  });

  describe('unknown collection (default database)', () => {
    const name = MISSING_COLLECTION;
    const notFound = { code: 100, message: `collection not found[database=default][collection=${name}]` };

    it('describeCollection: 100 can\'t find collection', async () => {
      same(await dflt.describeCollection({ collectionName: name }),
        { code: 100, message: `can't find collection[database=default][collection=${name}]` });
    });

    it('getCollectionLoadState: 100 without the database part', async () => {
      same(await dflt.getCollectionLoadState({ collectionName: name }),
        { code: 100, message: `collection not found[collection=${name}]` });
    });

    it('loadCollection / loadPartitions / releasePartitions: 100', async () => {
      same(await dflt.loadCollection({ collectionName: name }), notFound);
      same(await dflt.loadPartitions({ collectionName: name, partitionNames: ['january'] }), notFound);
      same(await dflt.releasePartitions({ collectionName: name, partitionNames: ['_default', 'january'] }), notFound);
    });

    it('listPartitions / createPartition / hasPartition: 100', async () => {
      same(await dflt.listPartitions({ collectionName: name }), notFound);
      same(await dflt.createPartition({ collectionName: name, partitionName: 'january' }), notFound);
      same(await dflt.hasPartition({ collectionName: name, partitionName: 'january' }), notFound);
    });

    it('hasCollection answers false', async () => {
      same(await dflt.hasCollection({ collectionName: name }), { code: 0, data: { has: false } });
    });
  });

  describe("unknown database 'nope'", () => {
    const dbNotFound = { code: 800, message: 'database not found[database=nope]' };
    const nope = client('nope'); // dbName 'nope' from the client config

    it('listCollections: 800', async () => {
      same(await dflt.listCollections({ dbName: 'nope' }), dbNotFound);
      same(await nope.listCollections({}), dbNotFound);
    });

    it('describeCollection / listPartitions / releasePartitions / loadCollection: 800', async () => {
      same(await nope.describeCollection({ collectionName: COLLECTION }), dbNotFound);
      same(await nope.listPartitions({ collectionName: COLLECTION }), dbNotFound);
      same(await nope.releasePartitions({ collectionName: COLLECTION, partitionNames: ['_default', 'january'] }), dbNotFound);
      same(await nope.loadCollection({ collectionName: COLLECTION }), dbNotFound);
    });

    it('getCollectionLoadState: 100 collection not found, not 800 (contract §7.2)', async () => {
      same(await nope.getCollectionLoadState({ collectionName: COLLECTION }),
        { code: 100, message: `collection not found[collection=${COLLECTION}]` });
    });

    it('describeDatabase: 800', async () => {
      same(await dflt.describeDatabase({ dbName: 'nope' }), dbNotFound);
    });
  });

  describe('cleanup', () => {
    it('dropCollection, then the collection is gone', async () => {
      same(await db.dropCollection({ collectionName: COLLECTION }), OK);
      same(await db.listCollections({}), { code: 0, data: [] });
      same(await loadState(), { code: 100, message: `collection not found[collection=${COLLECTION}]` });
    });

    it('dropDatabase, then it is no longer listed', async () => {
      same(await dflt.dropDatabase({ dbName: DB }), OK);
      const res = await dflt.listDatabases();
      assert.equal(res.code, 0, JSON.stringify(res));
      assert.ok(!res.data.includes(DB), JSON.stringify(res));
      same(await db.listCollections({}), { code: 800, message: `database not found[database=${DB}]` });
    });
  });
});
