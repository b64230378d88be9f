'use strict';
// The data plane through the official Node SDK's RESTful client
// (`HttpClient` from @zilliz/milvus2-sdk-node): insert, load, search, query,
// get, delete and release, and what a released partition does to reads
// (contract part 2 §C, §D, §E; Milvus 2.6 behaviour).
//
// Server: env MILVUS_URI (default http://127.0.0.1:19530).
//
// The SDK sends `Accept-Type-Allow-Int64: false` on every call (3.0.6,
// dist/milvus/HttpClient.js), so every Int64 value comes back as a decimal
// string: `insertIds`, search `id`, the `id` field of query rows and the
// `count(*)` column, which is an Int64 column too (part 2 §C.6,
// `buildQueryResp`). Its `search` splits `data` into one list per query vector
// when `topks` has more than one entry (dist/milvus/http/Vector.js).
//
// The collection is a quick-setup one (dimension 4, L2, so that distances are
// small integers: row k has the vector [k,0,0,0] and its squared distance from
// the origin is k*k) in a database of its own, created and dropped here.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { HttpClient } = require('@zilliz/milvus2-sdk-node');

const ENDPOINT = (process.env.MILVUS_URI || 'http://127.0.0.1:19530').replace(/\/+$/, '');
const DB = `sdk_node_entities_${process.pid}_${Date.now()}`;
const COLLECTION = 'books';

const OK = { code: 0, data: {} };
const NOT_LOADED = { code: 0, data: { loadState: 'LoadStateNotLoad' } };

// Keeps the last exchange so that a failing assertion shows what was sent.
let lastExchange = null;
async function recordingFetch(url, init) {
  const exchange = { url, headers: init.headers, body: init.body };
  lastExchange = exchange;
  const response = await fetch(url, init);
  exchange.status = response.status;
  exchange.answer = await response.clone().text();
  return response;
}

const client = new HttpClient({ endpoint: ENDPOINT, database: DB, timeout: 15000, fetch: recordingFetch });
const admin = new HttpClient({ endpoint: ENDPOINT, timeout: 15000, fetch: recordingFetch });

function same(actual, expected) {
  try {
    assert.deepStrictEqual(actual, expected);
  } catch (err) {
    throw new assert.AssertionError({
      message: `${err.message}\nlast exchange: ${JSON.stringify(lastExchange, null, 2)}`,
      actual,
      expected,
      operator: 'deepStrictEqual',
      stackStartFn: same,
    });
  }
}

// Query rows come in engine order (part 2 §C.5): compare them sorted by id.
function sameRows(res, rows) {
  const byId = (a, b) => Number(a.id) - Number(b.id);
  same({ ...res, data: Array.isArray(res.data) ? [...res.data].sort(byId) : res.data },
    { code: 0, cost: 0, data: [...rows].sort(byId) });
}

// A 201 whose text is a chain; only the code and `partition not loaded` are
// reliable (part 2 §D.4 step 3).
function partitionNotLoaded(res) {
  same(Object.keys(res).sort(), ['code', 'message']);
  same(res.code, 201);
  assert.match(res.message, /partition not loaded/, JSON.stringify(res));
}

const row = (k, title) => ({ id: k, vector: [k, 0, 0, 0], title });
const hit = (k) => ({ distance: k * k, id: String(k) });
const base = (extra) => ({ collectionName: COLLECTION, ...extra });
const origin = [[0, 0, 0, 0]];
const search = (extra = {}) => client.search(base({ data: origin, consistencyLevel: 'Strong', ...extra }));
const count = (extra = {}) => client.query(base({ outputFields: ['count(*)'], ...extra }));
const counted = (n) => ({ code: 0, cost: 0, data: [{ 'count(*)': String(n) }] });

describe('HttpClient data plane (insert, search, query, delete, release)', () => {
  let collectionID = null;

  after(async () => {
    await client.dropCollection({ collectionName: COLLECTION }).catch(() => {});
    await admin.dropDatabase({ dbName: DB }).catch(() => {});
  });

  it('creates a database and a quick-setup L2 collection with a partition p1', async () => {
    same(await admin.createDatabase({ dbName: DB }), OK);
    same(await client.createCollection({
      collectionName: COLLECTION, dimension: 4, metricType: 'L2', params: { consistencyLevel: 'Strong' },
    }), OK);
    same(await client.createPartition(base({ partitionName: 'p1' })), OK);
    // The id is above 2^53 (as in Milvus), which JSON.parse rounds: read its digits from the raw answer.
    await client.describeCollection(base());
    collectionID = /"collectionID":(\d+)/.exec(lastExchange.answer)?.[1];
    assert.ok(collectionID, lastExchange.answer);
  });

  it('insert: ids as strings, cost 0, into _default and p1', async () => {
    same(await client.insert(base({ data: [row(1, 'a'), row(2, 'b')] })),
      { code: 0, cost: 0, data: { insertCount: 2, insertIds: ['1', '2'] } });
    same(await client.insert(base({ partitionName: 'p1', data: [row(10, 'x'), row(11, 'y'), row(12, 'z')] })),
      { code: 0, cost: 0, data: { insertCount: 3, insertIds: ['10', '11', '12'] } });
  });

  it('insert into a partition that does not exist: 200', async () => {
    same(await client.insert(base({ partitionName: 'nope', data: [row(20, 'n')] })),
      { code: 200, message: 'partition not found[partition=nope]' });
  });

  it('loadCollection (already loaded) and its load state', async () => {
    same(await client.loadCollection(base()), OK);
    same(await client.getCollectionLoadState(base()),
      { code: 0, data: { loadProgress: 100, loadState: 'LoadStateLoaded' }, message: '' });
  });

  it('search: squared L2 distances, best first, topks', async () => {
    same(await search(), { code: 0, cost: 0, data: [hit(1), hit(2), hit(10), hit(11), hit(12)], topks: [5] });
    same(await search({ limit: 2, offset: 1, outputFields: ['title'] }), {
      code: 0, cost: 0, data: [{ ...hit(2), title: 'b' }, { ...hit(10), title: 'x' }], topks: [2],
    });
    same(await search({ filter: 'id > 5', partitionNames: ['p1'], limit: 1 }),
      { code: 0, cost: 0, data: [hit(10)], topks: [1] });
  });

  it('search with two query vectors: the SDK splits data by topks', async () => {
    same(await search({ data: [[0, 0, 0, 0], [12, 0, 0, 0]], limit: 2 }), {
      code: 0, cost: 0,
      data: [[hit(1), hit(2)], [{ distance: 0, id: '12' }, { distance: 1, id: '11' }]],
      topks: [2, 2],
    });
  });

  it('query: filter and outputFields, count(*) as a string', async () => {
    sameRows(await client.query(base({ filter: 'id >= 2 and id <= 10', outputFields: ['title'] })),
      [{ id: '2', title: 'b' }, { id: '10', title: 'x' }]);
    same(await count(), counted(5));
    same(await count({ partitionNames: ['p1'] }), counted(3));
  });

  it('get by ids', async () => {
    sameRows(await client.get(base({ id: [1, 11], outputFields: ['title', 'vector'] })),
      [{ id: '1', title: 'a', vector: [1, 0, 0, 0] }, { id: '11', title: 'y', vector: [11, 0, 0, 0] }]);
    same(await client.get(base({ id: [99] })), { code: 0, cost: 0, data: [] });
  });

  it('delete by ids: deleteCount is the number of keys listed, no cost', async () => {
    same(await client.delete(base({ filter: 'id in [2, 99]' })), { code: 0, data: { deleteCount: 2 } });
    same(await client.get(base({ id: [2] })), { code: 0, cost: 0, data: [] });
    same(await count(), counted(4));
  });

  it('upsert replaces the row', async () => {
    same(await client.upsert(base({ data: [row(1, 'A')] })),
      { code: 0, cost: 0, data: { upsertCount: 1, upsertIds: ['1'] } });
    sameRows(await client.query(base({ filter: 'id == 1', outputFields: ['title'] })), [{ id: '1', title: 'A' }]);
  });

  describe('released partition', () => {
    it('releasePartitions([p1]) keeps the collection loaded', async () => {
      same(await client.releasePartitions(base({ partitionNames: ['p1'] })), OK);
      same(await client.getCollectionLoadState(base()),
        { code: 0, data: { loadProgress: 100, loadState: 'LoadStateLoaded' }, message: '' });
    });

    it('naming it: 201 partition not loaded', async () => {
      partitionNotLoaded(await search({ partitionNames: ['p1'] }));
      partitionNotLoaded(await count({ partitionNames: ['p1'] }));
      partitionNotLoaded(await client.get(base({ id: [10], partitionNames: ['p1'] })));
    });

    it('naming none: only the loaded partition is read', async () => {
      same(await search(), { code: 0, cost: 0, data: [hit(1)], topks: [1] });
      same(await client.get(base({ id: [10] })), { code: 0, cost: 0, data: [] });
      same(await count(), counted(1));
    });

    it('naming a missing partition: 65535', async () => {
      same(await search({ partitionNames: ['nope'] }), { code: 65535, message: 'partition name nope not found' });
      same(await count({ partitionNames: ['nope'] }), { code: 65535, message: 'partition name nope not found' });
    });

    it('writes into the released partition need no load', async () => {
      same(await client.insert(base({ partitionName: 'p1', data: [row(13, 'w')] })),
        { code: 0, cost: 0, data: { insertCount: 1, insertIds: ['13'] } });
      same(await client.delete(base({ partitionName: 'p1', filter: 'id in [11]' })),
        { code: 0, data: { deleteCount: 1 } });
    });

    it('releaseCollection: reads are 101 with the collection id', async () => {
      same(await client.releaseCollection(base()), OK);
      same(await client.getCollectionLoadState(base()), NOT_LOADED);
      same(await search(), { code: 101, message: `failed to search: collection not loaded[collection=${collectionID}]` });
      same(await count(), { code: 101, message: `failed to query: collection not loaded[collection=${collectionID}]` });
    });

    it('loadCollection: every live row is visible again', async () => {
      same(await client.loadCollection(base()), OK);
      same(await search(), { code: 0, cost: 0, data: [hit(1), hit(10), hit(12), hit(13)], topks: [4] });
      same(await count({ partitionNames: ['p1'] }), counted(3));
    });
  });

  it('drops the collection and the database', async () => {
    same(await client.dropCollection(base()), OK);
    same(await admin.dropDatabase({ dbName: DB }), OK);
  });
});
