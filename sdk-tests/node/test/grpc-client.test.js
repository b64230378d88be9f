'use strict';
// Drives milvus-mock's gRPC front with the official Node SDK's gRPC client
// (`MilvusClient` from @zilliz/milvus2-sdk-node) through the partition
// lifecycle and its errors (Milvus 2.6 behaviour, ../shared/milvus-grpc.md
// §4/§5).
//
// Server: env MILVUS_URI (default http://127.0.0.1:19530); gRPC and REST
// share the port.
//
// What the SDK does (3.0.6, dist/milvus/grpc/): it connects with `Connect`
// (a non-zero identifier turns on its client-id header), sends
// `dbname: <database>` metadata, and decodes answers with proto-loader's
// `keepCase, enums: String, longs: String, defaults: true`, so a status reads
// `{error_code: 'CollectionNotExists', reason, code: 100, retriable, detail,
// extra_info}`. Business errors are RETURNED, not thrown; the tests compare
// whole status objects.
//
// Isolation: the lifecycle runs in a database of its own (created here,
// dropped at the end); the errors for the default database use a collection
// name that cannot exist.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { MilvusClient } = require('@zilliz/milvus2-sdk-node');

const ADDRESS = (process.env.MILVUS_URI || 'http://127.0.0.1:19530').replace(/\/+$/, '');
const SUFFIX = `${process.pid}_${Date.now()}`;
const DB = `sdk_node_grpc_${SUFFIX}`;
const COLLECTION = 'quick_setup';
const MISSING = `no_such_collection_${SUFFIX}`;

function client(database) {
  return new MilvusClient({ address: ADDRESS, database, timeout: 15000 });
}
const dflt = client();
let db; // created once the database exists

// `common.Status` as the SDK decodes it.
function status(code = 0, errorCode = 'Success', reason = '') {
  return { extra_info: {}, error_code: errorCode, reason, code, retriable: false, detail: reason };
}
const OK = status();
const collectionNotFound = (name, database = 'default') =>
  status(100, 'CollectionNotExists', `collection not found[database=${database}][collection=${name}]`);
const partitionNotFound = (name) => status(200, 'MetaFailed', `partition not found[partition=${name}]`);

async function loadState(partitionNames) {
  const req = { collection_name: COLLECTION };
  if (partitionNames) req.partition_names = partitionNames;
  const res = await db.getLoadState(req);
  assert.deepEqual(res.status, OK, JSON.stringify(res));
  return res.state;
}
const release = (partitionNames) =>
  db.releasePartitions({ collection_name: COLLECTION, partition_names: partitionNames });

describe('gRPC MilvusClient: partition lifecycle', () => {
  after(async () => {
    if (db) {
      await db.dropCollection({ collection_name: COLLECTION }).catch(() => {});
      db.closeConnection();
    }
    await dflt.dropDatabase({ db_name: DB }).catch(() => {});
    dflt.closeConnection();
  });

  it('createDatabase and listDatabases', async () => {
    assert.deepEqual(await dflt.createDatabase({ db_name: DB }), OK);
    const res = await dflt.listDatabases();
    assert.deepEqual(res.status, OK);
    assert.ok(res.db_names.includes('default') && res.db_names.includes(DB), JSON.stringify(res));
    db = client(DB);
  });

  it('createCollection (quick setup, dimension 5) indexes and loads it', async () => {
    assert.deepEqual(await db.createCollection({ collection_name: COLLECTION, dimension: 5 }), OK);
    const has = await db.hasCollection({ collection_name: COLLECTION });
    assert.equal(has.value, true, JSON.stringify(has));
    const shown = await db.showCollections();
    assert.deepEqual(shown.status, OK);
    assert.deepEqual(shown.data.map((c) => c.name), [COLLECTION]);
    assert.equal(await loadState(), 'LoadStateLoaded');
  });

  it("createPartition 'january', listPartitions, hasPartition", async () => {
    assert.deepEqual(await db.createPartition({ collection_name: COLLECTION, partition_name: 'january' }), OK);
    const listed = await db.listPartitions({ collection_name: COLLECTION });
    assert.deepEqual(listed.status, OK);
    assert.deepEqual(listed.partition_names, ['_default', 'january']);
    const has = await db.hasPartition({ collection_name: COLLECTION, partition_name: 'january' });
    assert.deepEqual([has.status, has.value], [OK, true]);
    const hasNot = await db.hasPartition({ collection_name: COLLECTION, partition_name: 'february' });
    assert.deepEqual([hasNot.status, hasNot.value], [OK, false]);
  });

  it("releasePartitions(['_default','january']) releases the collection", async () => {
    assert.deepEqual(await release(['_default', 'january']), OK);
    assert.equal(await loadState(), 'LoadStateNotLoad');
    assert.deepEqual(await release(['_default', 'january']), OK); // no-op
  });

  it("loadPartitions(['january']) loads it and not '_default'", async () => {
    assert.deepEqual(await db.loadPartitions({ collection_name: COLLECTION, partition_names: ['january'] }), OK);
    assert.equal(await loadState(), 'LoadStateLoaded');
    assert.equal(await loadState(['january']), 'LoadStateLoaded');
    assert.equal(await loadState(['_default']), 'LoadStateNotLoad');
  });

  it('an unknown partition: 200 partition not found, nothing released', async () => {
    assert.deepEqual(await release(['x']), partitionNotFound('x'));
    assert.deepEqual(await release(['january', 'x']), partitionNotFound('x'));
    assert.equal(await loadState(['january']), 'LoadStateLoaded');
    assert.deepEqual(await db.loadPartitions({ collection_name: COLLECTION, partition_names: ['x'] }),
      partitionNotFound('x'));
  });

  it('releasing every loaded partition releases the collection; dropPartition', async () => {
    assert.deepEqual(await release(['january']), OK);
    assert.equal(await loadState(), 'LoadStateNotLoad');
    assert.deepEqual(await db.dropPartition({ collection_name: COLLECTION, partition_name: 'january' }), OK);
    const listed = await db.listPartitions({ collection_name: COLLECTION });
    assert.deepEqual(listed.partition_names, ['_default']);
  });

  it('an unknown collection: statuses with code 100 / CollectionNotExists', async () => {
    const notFound = collectionNotFound(MISSING);
    assert.deepEqual(
      await dflt.releasePartitions({ collection_name: MISSING, partition_names: ['_default', 'january'] }), notFound);
    assert.deepEqual(await dflt.loadPartitions({ collection_name: MISSING, partition_names: ['january'] }), notFound);
    assert.deepEqual(await dflt.createPartition({ collection_name: MISSING, partition_name: 'january' }), notFound);
    const has = await dflt.hasPartition({ collection_name: MISSING, partition_name: 'january' });
    assert.deepEqual(has.status, notFound);
    const listed = await dflt.listPartitions({ collection_name: MISSING });
    assert.deepEqual(listed.status, notFound);
    const hasCollection = await dflt.hasCollection({ collection_name: MISSING });
    assert.equal(hasCollection.value, false);
    // GetLoadState of a missing collection is a success over gRPC.
    const state = await dflt.getLoadState({ collection_name: MISSING });
    assert.deepEqual([state.status, state.state], [OK, 'LoadStateNotExist']);
  });

  it('the database is named in the error', async () => {
    assert.deepEqual(await db.releasePartitions({ collection_name: MISSING, partition_names: ['_default'] }),
      collectionNotFound(MISSING, DB));
  });

  it('dropCollection, dropDatabase', async () => {
    assert.deepEqual(await db.dropCollection({ collection_name: COLLECTION }), OK);
    assert.deepEqual(await dflt.dropDatabase({ db_name: DB }), OK);
    const res = await dflt.listDatabases();
    assert.ok(!res.db_names.includes(DB), JSON.stringify(res));
  });
});
