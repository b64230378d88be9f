//! The data plane's gate (contract part 2 §C.2, §D): which rows a call may write or read, decided under the catalog
//! lock, then handed out as a [`WriteTarget`] or [`ReadTarget`] that holds the collection's row handle, so the
//! rows are locked only after the catalog lock is gone.
//!
//! Reads follow Milvus's proxy order (§D.4): the collection (100), then each named partition (65535
//! `partition name <p> not found`, before any load check), then the load state: not loaded 101, a load still in progress 103, a
//! named partition not loaded 201; with no partition named, only the loaded partitions are read. Writes need no
//! load (§D.2); a named partition that does not exist is 200.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::collections::lookup;
use super::{Catalog, Collection, CollectionSpec, DEFAULT_PARTITION, LoadState};
use crate::error::{Error, Result};
use crate::rows::RowsHandle;

/// Where a write goes: the collection's rows and the target partitions (for a partition-key collection, every
/// partition, in the order its key hashes into them; otherwise the one named, or `_default`).
#[derive(Debug, Clone)]
pub struct WriteTarget {
    pub collection_id: i64,
    pub spec: CollectionSpec,
    pub rows: RowsHandle,
    pub partitions: Vec<i64>,
    /// Every partition of the collection (a delete without `partitionName` covers them all).
    pub all_partitions: Vec<i64>,
    /// Whether the collection has a partition key (rows are routed by it).
    pub partition_key: bool,
    /// The partitions a read made for the write (a filter delete, a partial upsert) may see, or why it may not.
    pub readable: std::result::Result<Vec<i64>, Error>,
}

/// What a read sees: the collection's rows, its schema, the partitions to read (in creation order) and the metric
/// of each indexed vector field.
#[derive(Debug, Clone)]
pub struct ReadTarget {
    pub collection_id: i64,
    pub spec: CollectionSpec,
    pub rows: RowsHandle,
    pub partitions: Vec<i64>,
    /// `(field, metric)` of each index.
    pub metrics: Vec<(String, String)>,
    /// A named partition that does not exist (65535): the proxy finds it after REST's own conversion of the
    /// request, so the call asks [`ReadTarget::check_partitions`] at that point.
    pub partition_error: Option<Error>,
    /// Why the collection cannot be read now (101, 103, 201); Milvus finds out only after its own checks of the
    /// request, so the call asks [`ReadTarget::check_loaded`] when it is ready to read.
    pub load_error: Option<Error>,
}

impl ReadTarget {
    /// Whether every named partition exists (65535 `partition name <p> not found` otherwise).
    pub fn check_partitions(&self) -> Result<()> {
        self.partition_error.clone().map_or(Ok(()), Err)
    }

    /// The load state's verdict: 101, 103 or 201, or fine.
    pub fn check_loaded(&self) -> Result<()> {
        self.load_error.clone().map_or(Ok(()), Err)
    }

    /// The metric of a field's index (`COSINE` if it has none, as quick setup's AUTOINDEX).
    pub fn metric(&self, field: &str) -> &str {
        self.metrics.iter().find(|(f, _)| f == field).map_or("COSINE", |(_, m)| m.as_str())
    }
}

/// A query through the Rust API ([`Catalog::query_rows`]).
#[derive(Debug, Clone, Default)]
pub struct QueryRequest {
    pub filter: String,
    pub partition_names: Vec<String>,
    pub output_fields: Vec<String>,
    pub limit: Option<usize>,
    pub offset: usize,
}

/// Which wording a missing collection gets: the schema pre-fetch of REST's insert, upsert, delete, get and
/// search (`can't find collection`), or the proxy's (query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Describe,
    Proxy,
}

impl Catalog {
    /// Whether `get_stats` counts live rows (`--live-row-counts`) rather than flushed ones (Milvus).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// catalog.set_live_row_counts(true);
    /// assert!(catalog.live_row_counts());
    /// ```
    pub fn set_live_row_counts(&self, live: bool) {
        self.live_row_counts.store(live, Ordering::Relaxed);
    }

    /// See [`Catalog::set_live_row_counts`].
    pub fn live_row_counts(&self) -> bool {
        self.live_row_counts.load(Ordering::Relaxed)
    }

    /// The `rowCount` of `get_stats` for some partitions of a collection (contract part 2 §D.6).
    pub(super) fn stats_rows(&self, c: &Collection, partition_ids: &[i64]) -> i64 {
        c.rows.stats_count(partition_ids, self.live_row_counts()) as i64
    }

    fn lookup_collection<'a>(&self, d: &'a super::Database, name: &str, how: Lookup) -> Result<&'a Collection> {
        lookup(d, name).map_err(|e| match how {
            Lookup::Describe => Error::CollectionNotFoundDescribe { db: d.name.clone(), name: name.to_string() },
            Lookup::Proxy => e,
        })
    }

    /// Where an insert, upsert or delete writes: `partition` (`""` is `_default`, or every partition of a
    /// partition-key collection).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 2).unwrap();
    /// let err = catalog.write_target("default", "quick_setup", "missing").unwrap_err();
    /// assert_eq!(err.code(catalog.profile()), 200);
    /// ```
    pub fn write_target(&self, db: &str, collection: &str, partition: &str) -> Result<WriteTarget> {
        self.read(db, |d| {
            let c = self.lookup_collection(d, collection, Lookup::Describe)?;
            let partition_key = c.has_partition_key();
            let partitions = if partition_key {
                if !partition.is_empty() {
                    return Err(Error::InvalidParameter(
                        "not support manually specifying the partition names if partition key mode is used".into(),
                    ));
                }
                c.partitions.iter().map(|p| p.id).collect()
            } else {
                let name = if partition.is_empty() { DEFAULT_PARTITION } else { partition };
                let p = c.partition(name).ok_or_else(|| Error::PartitionNotFound { name: name.to_string() })?;
                vec![p.id]
            };
            let named: Vec<String> = if partition.is_empty() { Vec::new() } else { vec![partition.to_string()] };
            let readable = self.readable(c, &named, "query", Instant::now()).and_then(|r| r);
            Ok(WriteTarget {
                collection_id: c.id,
                spec: c.spec.clone(),
                rows: c.rows.clone(),
                partitions,
                all_partitions: c.partitions.iter().map(|p| p.id).collect(),
                partition_key,
                readable,
            })
        })
    }

    /// What a query, get or search reads (`action` is `query` or `search`, for the texts), per the gate above.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 2).unwrap();
    /// use milvus_mock::catalog::Lookup;
    /// catalog.release_collection("default", "quick_setup").unwrap();
    /// let target = catalog.read_target("default", "quick_setup", &[], "search", Lookup::Describe).unwrap();
    /// assert_eq!(target.check_loaded().unwrap_err().code(catalog.profile()), 101);
    /// ```
    pub fn read_target(
        &self,
        db: &str,
        collection: &str,
        partition_names: &[String],
        action: &'static str,
        how: Lookup,
    ) -> Result<ReadTarget> {
        self.read(db, |d| {
            let c = self.lookup_collection(d, collection, how)?;
            let (partitions, partition_error, load_error) =
                match self.readable(c, partition_names, action, Instant::now()) {
                    Ok(Ok(partitions)) => (partitions, None, None),
                    Ok(Err(e)) => (Vec::new(), None, Some(e)),
                    Err(e) => (Vec::new(), Some(e), None),
                };
            Ok(ReadTarget {
                collection_id: c.id,
                spec: c.spec.clone(),
                rows: c.rows.clone(),
                partitions,
                metrics: c.indexes.iter().map(|i| (i.field.clone(), i.metric_type.clone())).collect(),
                partition_error,
                load_error,
            })
        })
    }

    /// The partitions a read may see (§D.4 order): named ones must exist, then the collection must be loaded (and
    /// done loading), then the named ones must be loaded; none named means every loaded partition.
    /// The outer error is a missing partition (found first); the inner one the load state's.
    fn readable(
        &self,
        c: &Collection,
        names: &[String],
        action: &'static str,
        now: Instant,
    ) -> Result<Result<Vec<i64>>> {
        let mut named = Vec::with_capacity(names.len());
        for name in names {
            let p = c.partition(name).ok_or_else(|| {
                let text = format!("partition name {name} not found");
                if self.profile.parameter_invalid_errors {
                    Error::InvalidParameter(format!("{text}: invalid parameter"))
                } else {
                    Error::Plain(text)
                }
            })?;
            named.push(p);
        }
        match self.load_state(c, now) {
            LoadState::NotLoad => return Ok(Err(Error::CollectionNotLoaded { action, id: c.id })),
            LoadState::Loading => return Ok(Err(Error::CollectionNotFullyLoaded { action, id: c.id })),
            LoadState::Loaded => {}
        }
        let unloaded: Vec<i64> = named.iter().filter(|p| p.loaded_since.is_none()).map(|p| p.id).collect();
        if !unloaded.is_empty() {
            return Ok(Err(Error::PartitionNotLoaded { action, ids: unloaded }));
        }
        if named.is_empty() {
            return Ok(Ok(c.partitions.iter().filter(|p| p.loaded_since.is_some()).map(|p| p.id).collect()));
        }
        let mut ids: Vec<i64> = named.iter().map(|p| p.id).collect();
        ids.dedup();
        Ok(Ok(ids))
    }

    /// `collections/flush`: every row inserted so far counts in `get_stats`.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 2).unwrap();
    /// catalog.insert_rows("default", "quick_setup", "", vec![serde_json::json!({"id": 1, "vector": [0.1, 0.2]})]).unwrap();
    /// assert_eq!(catalog.collection_row_count("default", "quick_setup").unwrap(), 0);
    /// catalog.flush("default", "quick_setup").unwrap();
    /// assert_eq!(catalog.collection_row_count("default", "quick_setup").unwrap(), 1);
    /// ```
    pub fn flush(&self, db: &str, collection: &str) -> Result<()> {
        let rows = self.read(db, |d| Ok(self.lookup_collection(d, collection, Lookup::Describe)?.rows.clone()))?;
        rows.write().flush();
        Ok(())
    }
}
