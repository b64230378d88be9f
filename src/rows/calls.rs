//! The data-plane calls, run on a target the catalog's gate handed out ([`WriteTarget`], [`ReadTarget`]): the rows
//! are locked here, after the catalog lock is gone. Also the Rust API to insert and read rows without HTTP
//! ([`Catalog::insert_rows`], [`Catalog::query_rows`]).

use serde_json::{Map, Value};

use super::convert::{self, ConvertError, Mode};
use super::predicate::Predicate;
use super::render::Output;
use super::{Key, PartitionRows};
use crate::catalog::{Catalog, Lookup, QueryRequest, ReadTarget, WriteTarget};
use crate::error::Error;
use crate::rows::Rows;

impl From<ConvertError> for Error {
    fn from(e: ConvertError) -> Self {
        match e {
            ConvertError::Bind(m) => Error::bad_json(m),
            ConvertError::Data(m) => Error::InsertData(m),
            ConvertError::Invalid(m) => Error::InvalidParameter(m),
        }
    }
}

/// Inserts or upserts rows given as the JSON text of a list; the primary keys in request order. An upsert first
/// deletes each key in the target partition (every partition of a partition-key collection), as Milvus's
/// delete-then-insert does (§C.3).
pub fn write(target: &WriteTarget, data: &str, mode: Mode) -> Result<Vec<Key>, Error> {
    let converted = convert::convert(data, &target.spec, mode, target.partitions.len())?;
    let mut rows = target.rows.write();
    if mode == Mode::Upsert {
        rows.delete_keys(&target.partitions, &converted.keys);
    }
    for (slot, batch) in converted.batches.into_iter().enumerate() {
        rows.insert(target.partitions[slot], &target.spec, batch);
    }
    Ok(converted.keys)
}

/// 2.6's `partialUpdate`: each row whose key is stored (in a partition the collection has loaded) is completed
/// with the stored row's other fields, given fields winning; a row with a new key stays as given. Then the rows are
/// upserted as usual. The caller has checked that the collection is loaded (§D.2).
pub fn partial_upsert(target: &WriteTarget, data: &str) -> Result<Vec<Key>, Error> {
    let rows: Vec<Value> = serde_json::from_str(data).unwrap_or_default();
    let readable = target.readable.clone()?;
    let spec = &target.spec;
    let pk = spec.fields.iter().find(|f| f.primary_key).map(|f| f.name.clone()).unwrap_or_default();
    let all = vec!["*".to_string()];
    let output = Output::resolve(spec, &all, true, true).unwrap_or_default();
    let merged: Vec<Value> = {
        let stored = target.rows.read();
        rows.into_iter()
            .map(|row| {
                let Value::Object(given) = row else { return row };
                let key = match given.get(&pk) {
                    Some(Value::Number(n)) => n.as_i64().map(Key::Int),
                    Some(Value::String(s)) => Some(Key::Str(s.clone())),
                    _ => None,
                };
                let found = key.and_then(|key| {
                    stored
                        .partitions
                        .iter()
                        .filter(|p| readable.contains(&p.partition_id))
                        .find_map(|p| p.rows_of(&key).last().map(|&r| output.row(spec, p, r)))
                });
                let mut full = found.unwrap_or_default();
                full.extend(given);
                Value::Object(full)
            })
            .collect()
    };
    write(target, &Value::Array(merged).to_string(), Mode::Upsert)
}

/// Deletes the rows a filter matches; `deleteCount`. A filter that only lists primary keys needs no load and
/// counts the keys listed; any other filter reads first, so it needs the rows readable (§C.4, §D.3).
pub fn delete(target: &WriteTarget, predicate: &Predicate, partition_named: bool) -> Result<usize, Error> {
    let scope = if partition_named { &target.partitions } else { &target.all_partitions };
    if let Some(keys) = predicate.primary_keys() {
        target.rows.write().delete_keys(scope, keys);
        return Ok(keys.len());
    }
    let readable = target.readable.clone()?;
    let mut rows = target.rows.write();
    let mut doomed = Vec::new();
    for part in rows.partitions.iter().filter(|p| readable.contains(&p.partition_id) && scope.contains(&p.partition_id))
    {
        doomed.extend(part.live_rows().filter(|&r| predicate.matches(part, r)).map(|r| (part.partition_id, r)));
    }
    Ok(rows.delete_rows(&doomed))
}

/// The live rows a read sees, partition by partition in the target's order, each in insertion order.
pub fn scan<'a>(
    parts: &'a [PartitionRows],
    target: &'a ReadTarget,
    predicate: &'a Predicate,
) -> impl Iterator<Item = (&'a PartitionRows, usize)> + 'a {
    target
        .partitions
        .iter()
        .filter_map(|id| parts.iter().find(|p| p.partition_id == *id))
        .flat_map(move |part| part.live_rows().filter(|&r| predicate.matches(part, r)).map(move |r| (part, r)))
}

/// Rows matching a filter, after `offset`, at most `limit` of them, rendered with `output`.
pub fn query(
    target: &ReadTarget,
    predicate: &Predicate,
    output: &Output,
    limit: Option<usize>,
    offset: usize,
) -> Vec<Map<String, Value>> {
    let rows = target.rows.read();
    scan(&rows.partitions, target, predicate)
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .map(|(part, row)| output.row(&target.spec, part, row))
        .collect()
}

/// How many rows match (`count(*)`).
pub fn count(target: &ReadTarget, predicate: &Predicate) -> usize {
    let rows = target.rows.read();
    if predicate.is_everything() {
        return rows.live(&target.partitions);
    }
    scan(&rows.partitions, target, predicate).count()
}

impl Catalog {
    /// Inserts rows (JSON objects, as REST's `data`) into a partition (`""`: `_default`), with REST's checks; the
    /// primary keys.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 2).unwrap();
    /// use milvus_mock::rows::Key;
    /// let keys = catalog.insert_rows("default", "quick_setup", "", vec![serde_json::json!({"id": 7, "vector": [0.1, 0.2]})]);
    /// assert_eq!(keys.unwrap(), [Key::Int(7)]);
    /// ```
    pub fn insert_rows(
        &self,
        db: &str,
        collection: &str,
        partition: &str,
        rows: Vec<Value>,
    ) -> Result<Vec<Key>, Error> {
        let target = self.write_target(db, collection, partition)?;
        write(&target, &Value::Array(rows).to_string(), Mode::Insert)
    }

    /// Restores rows into a partition as a fixture or a dump gives them (query's rendering; an autoID key is kept),
    /// counted as flushed: they were persisted before. A partition-key collection's rows go to the partition named,
    /// not through the key's hash.
    pub fn restore_rows(&self, db: &str, collection: &str, partition: &str, rows: &str) -> Result<usize, Error> {
        let (spec, handle, id) = self.collection(db, collection, |c| {
            let id = c.partition(partition).map(|p| p.id);
            (c.spec.clone(), c.rows.clone(), id)
        })?;
        let id = id.ok_or_else(|| Error::PartitionNotFound { name: partition.to_string() })?;
        let converted = convert::convert(rows, &spec, Mode::Restore, 1)?;
        let mut stored = handle.write();
        let n = converted.keys.len();
        for batch in converted.batches {
            stored.insert(id, &spec, batch);
        }
        stored.flush();
        Ok(n)
    }

    /// Every live row of a collection, partition by partition (partitions with rows only), as
    /// [`Catalog::restore_rows`] reads them back: what a state dump holds.
    pub fn dump_rows(&self, db: &str, collection: &str) -> Result<Vec<(String, Vec<Value>)>, Error> {
        // A copy of the metadata under the catalog lock; the rows are rendered after it is gone.
        let copy = self.collection(db, collection, Clone::clone)?;
        Ok(dump_rows(&copy))
    }

    /// Searches a float vector field as `entities/search` would (its index's metric, loaded partitions only): the
    /// `limit` best `(primary key, distance)` pairs.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 2).unwrap();
    /// use milvus_mock::rows::Key;
    /// catalog.insert_rows("default", "quick_setup", "", vec![serde_json::json!({"id": 7, "vector": [0.0, 1.0]})]).unwrap();
    /// let hits = catalog.search_rows("default", "quick_setup", "vector", &[0.0, 2.0], 10).unwrap();
    /// assert_eq!(hits, [(Key::Int(7), 1.0)]);
    /// ```
    pub fn search_rows(
        &self,
        db: &str,
        collection: &str,
        field: &str,
        vector: &[f32],
        limit: usize,
    ) -> Result<Vec<(Key, f32)>, Error> {
        let target = self.read_target(db, collection, &[], "search", Lookup::Describe)?;
        target.check_loaded()?;
        let position = target
            .spec
            .fields
            .iter()
            .position(|f| f.name == field && f.is_vector())
            .ok_or_else(|| Error::bad_json(format!("cannot find a vector field named: {field}")))?;
        let metric = crate::search::Metric::parse(target.metric(field)).unwrap_or(crate::search::Metric::Cosine);
        let search = super::vector_search::Search {
            field: position,
            metric,
            queries: vec![crate::search::QueryVector::Float(vector.to_vec())],
            limit,
            offset: 0,
            range: None,
            grouping: None,
        };
        let rows = target.rows.read();
        let everything = Predicate::compile("", None, &target.spec)?;
        let hits = super::vector_search::run(&rows, &target, &everything, &search);
        Ok(hits.into_iter().flatten().map(|h| (rows.partitions[h.part].key(h.row), h.distance)).collect())
    }

    /// Reads rows as `entities/query` would (load state included), as JSON objects.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 2).unwrap();
    /// use milvus_mock::catalog::QueryRequest;
    /// catalog.insert_rows("default", "quick_setup", "", vec![serde_json::json!({"id": 7, "vector": [0.5, 0.25]})]).unwrap();
    /// let rows = catalog.query_rows("default", "quick_setup", QueryRequest { output_fields: vec!["id".into()], ..Default::default() });
    /// assert_eq!(rows.unwrap(), [serde_json::json!({"id": 7})]);
    /// ```
    pub fn query_rows(&self, db: &str, collection: &str, request: QueryRequest) -> Result<Vec<Value>, Error> {
        let target = self.read_target(db, collection, &request.partition_names, "query", Lookup::Proxy)?;
        target.check_partitions()?;
        let predicate = Predicate::compile(&request.filter, None, &target.spec)?;
        if request.output_fields.len() == 1 && request.output_fields[0] == "count(*)" {
            target.check_loaded()?;
            return Ok(vec![serde_json::json!({"count(*)": count(&target, &predicate)})]);
        }
        let names = if request.output_fields.is_empty() { vec!["*".to_string()] } else { request.output_fields };
        let output = Output::resolve(&target.spec, &names, true, true).map_err(|e| Error::Plain(e.to_string()))?;
        target.check_loaded()?;
        let rows = query(&target, &predicate, &output, request.limit, request.offset);
        Ok(rows.into_iter().map(Value::Object).collect())
    }
}

/// A collection's live rows per partition (partitions with rows only, in creation order), rendered as a query with
/// `outputFields: ["*"]` renders them: what a state dump holds and [`Catalog::restore_rows`] reads back.
pub fn dump_rows(c: &crate::catalog::Collection) -> Vec<(String, Vec<Value>)> {
    let all = vec!["*".to_string()];
    let output = Output::resolve(&c.spec, &all, true, true).unwrap_or_default();
    let rows: &Rows = &c.rows.read();
    c.partitions
        .iter()
        .filter_map(|p| {
            let part = rows.partition(p.id).filter(|part| part.live() > 0)?;
            Some((p.name.clone(), part.live_rows().map(|r| Value::Object(output.row(&c.spec, part, r))).collect()))
        })
        .collect()
}
