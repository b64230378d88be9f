//! The rows of a collection: what `entities/insert` stores and `entities/query`/`search` read.
//!
//! Each collection holds its rows behind a lock of its own ([`RowsHandle`], an `Arc<RwLock<Rows>>` kept in
//! [`Collection`](crate::catalog::Collection)), so the data plane never works under the catalog's database lock:
//! a call looks the collection up under the catalog lock, clones the handle and the bits of schema and load state
//! it needs, lets the catalog go, and only then locks the rows. A long search in one collection therefore never
//! holds up calls on another.
//!
//! Rows are stored per partition and by column ([`mod@column`]): each vector field is one contiguous row-major
//! `Vec<f32>`, scalars are typed vectors, JSON and Array values are `serde_json::Value`s, nullable fields carry a
//! validity mask, and the dynamic `$meta` object of each row sits beside the columns. A delete sets a tombstone and
//! takes the key out of the partition's primary-key index; a partition whose rows are mostly tombstones is compacted.
//! Inserted keys are never deduplicated (Milvus keeps both rows); an upsert deletes the key in the target partition
//! first. Dropping a partition or a collection drops its rows; renames keep them; a release keeps them too (release
//! only gates reads).
//!
//! The row conversion from REST's JSON is in [`convert`], the rendering of rows back to JSON in [`render`].

pub mod calls;
pub mod column;
pub mod convert;
pub mod predicate;
pub mod render;
pub mod vector_search;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::Value;

use crate::catalog::{CollectionSpec, NameHasher};
pub use column::{Cell, Column, SparseVector, Values};

/// A primary key: Milvus's pk fields are Int64 or VarChar (the filter module's type, so a filter's keys need no
/// conversion).
pub use crate::filter::Key;

impl Key {
    /// The key as a JSON value (an Int64 key as a number).
    pub fn to_json(&self) -> Value {
        match self {
            Key::Int(i) => Value::from(*i),
            Key::Str(s) => Value::from(s.as_str()),
        }
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

/// Rows converted from a request, not yet stored: one column per schema field, the dynamic `$meta` objects, and
/// the primary keys in row order.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub columns: Vec<Column>,
    /// One object per row (`Value::Null` when the row has no dynamic key); `None` when no row has one.
    pub meta: Option<Vec<Value>>,
    pub keys: Vec<Key>,
}

impl Batch {
    /// How many rows.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it has no row.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Where each primary key lives in one partition: the first row holding it, and any further rows with the same key
/// (Milvus keeps duplicates on insert).
#[derive(Debug, Clone, Default)]
struct PkIndex {
    ints: FastMap<i64, u32>,
    strs: FastMap<String, u32>,
    duplicates: FastMap<Key, Vec<u32>>,
}

impl PkIndex {
    fn insert(&mut self, key: &Key, row: u32) {
        let first = match key {
            Key::Int(i) => self.ints.entry(*i).or_insert(row),
            Key::Str(s) => self.strs.entry(s.clone()).or_insert(row),
        };
        if *first != row {
            self.duplicates.entry(key.clone()).or_default().push(row);
        }
    }

    /// Takes a key out; the rows that held it.
    fn remove(&mut self, key: &Key) -> Vec<u32> {
        let first = match key {
            Key::Int(i) => self.ints.remove(i),
            Key::Str(s) => self.strs.remove(s),
        };
        let Some(first) = first else { return Vec::new() };
        let mut rows = vec![first];
        rows.extend(self.duplicates.remove(key).unwrap_or_default());
        rows
    }

    fn get(&self, key: &Key) -> Vec<u32> {
        let first = match key {
            Key::Int(i) => self.ints.get(i),
            Key::Str(s) => self.strs.get(s),
        };
        let Some(&first) = first else { return Vec::new() };
        let mut rows = vec![first];
        rows.extend(self.duplicates.get(key).into_iter().flatten());
        rows
    }
}

/// The rows of one partition.
#[derive(Debug, Clone)]
pub struct PartitionRows {
    /// The partition's id (names change hands; ids do not).
    pub partition_id: i64,
    /// One per schema field, in schema order.
    pub columns: Vec<Column>,
    /// The dynamic `$meta` object of each row (`Value::Null` when none); `None` until a row has one.
    pub meta: Option<Vec<Value>>,
    /// The primary key's position in `columns` (keys are read from that column, not stored twice).
    pk: usize,
    /// One flag per stored row (deleted rows stay until compaction).
    deleted: Vec<bool>,
    deleted_count: usize,
    index: PkIndex,
    /// Rows ever inserted (an upsert's insert counts; deletes do not subtract): what a flush makes visible to
    /// `get_stats` (contract part 2 §D.6).
    inserted: u64,
    /// `inserted` at the last flush.
    flushed: u64,
}

impl PartitionRows {
    fn new(partition_id: i64, spec: &CollectionSpec) -> Self {
        Self {
            partition_id,
            columns: spec.fields.iter().map(Column::for_field).collect(),
            meta: None,
            pk: spec.fields.iter().position(|f| f.primary_key).unwrap_or(0),
            deleted: Vec::new(),
            deleted_count: 0,
            index: PkIndex::default(),
            inserted: 0,
            flushed: 0,
        }
    }

    /// Rows stored, deleted ones included.
    pub fn len(&self) -> usize {
        self.deleted.len()
    }

    /// Whether no row was ever stored (or all were compacted away).
    pub fn is_empty(&self) -> bool {
        self.deleted.is_empty()
    }

    /// Rows not deleted.
    pub fn live(&self) -> usize {
        self.deleted.len() - self.deleted_count
    }

    /// The primary key of row `i`.
    pub fn key(&self, i: usize) -> Key {
        match &self.columns[self.pk].values {
            Values::Int64(v) => Key::Int(v[i]),
            Values::Str(v) => Key::Str(v[i].clone()),
            _ => Key::Int(0),
        }
    }

    /// Whether row `i` was deleted.
    pub fn is_deleted(&self, i: usize) -> bool {
        self.deleted[i]
    }

    /// The live rows, in insertion order.
    pub fn live_rows(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.deleted.len()).filter(|&i| !self.deleted[i])
    }

    fn append(&mut self, batch: Batch) {
        let start = self.len();
        let n = batch.len();
        for (column, mut more) in self.columns.iter_mut().zip(batch.columns) {
            append_column(column, &mut more);
        }
        match (&mut self.meta, batch.meta) {
            (Some(meta), Some(more)) => meta.extend(more),
            (Some(meta), None) => meta.resize(start + n, Value::Null),
            (None, Some(more)) => {
                let mut meta = vec![Value::Null; start];
                meta.extend(more);
                self.meta = Some(meta);
            }
            (None, None) => {}
        }
        for (i, key) in batch.keys.iter().enumerate() {
            self.index.insert(key, (start + i) as u32);
        }
        self.deleted.resize(start + n, false);
        self.inserted += n as u64;
    }

    /// Deletes every row holding one of `keys`; how many rows went.
    fn delete_keys(&mut self, keys: &[Key]) -> usize {
        let mut gone = 0;
        for key in keys {
            for row in self.index.remove(key) {
                gone += self.tombstone(row as usize) as usize;
            }
        }
        self.maybe_compact();
        gone
    }

    /// Deletes given rows (positions from a scan of this partition); how many were live.
    fn delete_rows(&mut self, rows: &[usize]) -> usize {
        let mut gone = 0;
        for &row in rows {
            if self.tombstone(row) {
                let key = self.key(row);
                // The key's other rows stay: only the scanned ones matched.
                let others: Vec<u32> = self.index.remove(&key).into_iter().filter(|&r| r as usize != row).collect();
                for r in others {
                    if !self.deleted[r as usize] {
                        self.index.insert(&key, r);
                    }
                }
                gone += 1;
            }
        }
        self.maybe_compact();
        gone
    }

    fn tombstone(&mut self, row: usize) -> bool {
        if self.deleted[row] {
            return false;
        }
        self.deleted[row] = true;
        self.deleted_count += 1;
        true
    }

    /// The live rows holding `key`.
    pub fn rows_of(&self, key: &Key) -> Vec<usize> {
        self.index.get(key).into_iter().map(|r| r as usize).filter(|&r| !self.deleted[r]).collect()
    }

    /// Drops tombstoned rows once they are most of the partition (and many), so deletes and upserts do not grow
    /// memory for ever. Row positions change, so the key index is rebuilt.
    fn maybe_compact(&mut self) {
        if self.deleted_count < 4096 || self.deleted_count * 2 < self.len() {
            return;
        }
        let keep: Vec<bool> = self.deleted.iter().map(|d| !d).collect();
        for column in &mut self.columns {
            column.retain(&keep);
        }
        if let Some(meta) = &mut self.meta {
            column::retain_by(meta, &keep);
        }
        let live = self.live();
        self.deleted = vec![false; live];
        self.deleted_count = 0;
        self.index = PkIndex::default();
        for row in 0..live {
            let key = self.key(row);
            self.index.insert(&key, row as u32);
        }
    }
}

/// Moves `more`'s values to the end of `column`.
fn append_column(column: &mut Column, more: &mut Column) {
    match (&mut column.valid, more.valid.take()) {
        (Some(valid), Some(more)) => valid.extend(more),
        (Some(valid), None) => valid.resize(valid.len() + more_len(&more.values), true),
        _ => {}
    }
    let more = std::mem::replace(&mut more.values, Values::Bool(Vec::new()));
    match (&mut column.values, more) {
        (Values::Bool(a), Values::Bool(b)) => a.extend(b),
        (Values::Int8(a), Values::Int8(b)) => a.extend(b),
        (Values::Int16(a), Values::Int16(b)) => a.extend(b),
        (Values::Int32(a), Values::Int32(b)) => a.extend(b),
        (Values::Int64(a), Values::Int64(b)) => a.extend(b),
        (Values::Float(a), Values::Float(b)) => a.extend(b),
        (Values::Double(a), Values::Double(b)) => a.extend(b),
        (Values::Str(a), Values::Str(b)) => a.extend(b),
        (Values::Json(a), Values::Json(b)) => a.extend(b),
        (Values::Sparse(a), Values::Sparse(b)) => a.extend(b),
        (Values::FloatVector { data: a, .. }, Values::FloatVector { data: b, .. }) => a.extend_from_slice(&b),
        (Values::PackedVector { data: a, raw: ar, .. }, Values::PackedVector { data: b, raw: br, .. }) => {
            a.extend_from_slice(&b);
            ar.extend_from_slice(&br);
        }
        (Values::BinaryVector { data: a, .. }, Values::BinaryVector { data: b, .. }) => a.extend_from_slice(&b),
        _ => debug_assert!(false, "a batch column of another type"),
    }
}

/// How many rows a column's values hold.
fn more_len(values: &Values) -> usize {
    match values {
        Values::Bool(v) => v.len(),
        Values::Int8(v) => v.len(),
        Values::Int16(v) => v.len(),
        Values::Int32(v) => v.len(),
        Values::Int64(v) => v.len(),
        Values::Float(v) => v.len(),
        Values::Double(v) => v.len(),
        Values::Str(v) => v.len(),
        Values::Json(v) => v.len(),
        Values::Sparse(v) => v.len(),
        Values::FloatVector { dim, data } | Values::PackedVector { dim, data, .. } => data.len() / (*dim).max(1),
        Values::BinaryVector { dim, data } => data.len() / dim.div_ceil(8).max(1),
    }
}

/// A collection's rows, per partition (in the order partitions first received rows).
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub partitions: Vec<PartitionRows>,
}

impl Rows {
    /// A partition's rows, if it has any.
    pub fn partition(&self, partition_id: i64) -> Option<&PartitionRows> {
        self.partitions.iter().find(|p| p.partition_id == partition_id)
    }

    fn partition_mut(&mut self, partition_id: i64, spec: &CollectionSpec) -> &mut PartitionRows {
        let position = match self.partitions.iter().position(|p| p.partition_id == partition_id) {
            Some(position) => position,
            None => {
                self.partitions.push(PartitionRows::new(partition_id, spec));
                self.partitions.len() - 1
            }
        };
        &mut self.partitions[position]
    }

    /// Appends converted rows to a partition.
    pub fn insert(&mut self, partition_id: i64, spec: &CollectionSpec, batch: Batch) {
        if !batch.is_empty() {
            self.partition_mut(partition_id, spec).append(batch);
        }
    }

    /// Deletes every row with one of `keys` in the given partitions; how many rows went.
    pub fn delete_keys(&mut self, partition_ids: &[i64], keys: &[Key]) -> usize {
        self.partitions
            .iter_mut()
            .filter(|p| partition_ids.contains(&p.partition_id))
            .map(|p| p.delete_keys(keys))
            .sum()
    }

    /// Deletes rows found by a scan: `(partition id, row)` pairs; how many were live.
    pub fn delete_rows(&mut self, rows: &[(i64, usize)]) -> usize {
        let mut gone = 0;
        for p in &mut self.partitions {
            let mine: Vec<usize> = rows.iter().filter(|(id, _)| *id == p.partition_id).map(|(_, r)| *r).collect();
            if !mine.is_empty() {
                gone += p.delete_rows(&mine);
            }
        }
        gone
    }

    /// Forgets a dropped partition's rows.
    pub fn drop_partition(&mut self, partition_id: i64) {
        self.partitions.retain(|p| p.partition_id != partition_id);
    }

    /// Live rows in the given partitions.
    pub fn live(&self, partition_ids: &[i64]) -> usize {
        self.partitions.iter().filter(|p| partition_ids.contains(&p.partition_id)).map(|p| p.live()).sum()
    }

    /// `collections/flush`: every row inserted so far counts in `get_stats`.
    pub fn flush(&mut self) {
        for p in &mut self.partitions {
            p.flushed = p.inserted;
        }
    }
}

/// A collection's rows behind their own lock. Cloning the handle shares the rows (a catalog snapshot shares them
/// with the live state; a restore builds new ones).
///
/// Two things never wait for the rows lock, because the catalog asks for them under its own lock: the `get_stats`
/// counts (kept beside the rows, updated when a write guard is released) and dropping a partition (recorded, and
/// its rows freed by the next write).
#[derive(Debug, Clone, Default)]
pub struct RowsHandle(Arc<Shared>);

#[derive(Debug, Default)]
struct Shared {
    rows: RwLock<Rows>,
    /// Per partition id: (live rows, flushed rows).
    counts: Mutex<FastMap<i64, (u64, u64)>>,
    /// Partitions dropped since the last write.
    dropped: Mutex<Vec<i64>>,
}

impl RowsHandle {
    /// Fresh rows holding `rows`.
    pub fn new(rows: Rows) -> Self {
        let handle = Self::default();
        *handle.write() = rows;
        handle
    }

    /// Shared access (a poisoned lock is still usable: a panic mid-call leaves what Milvus would).
    pub fn read(&self) -> RwLockReadGuard<'_, Rows> {
        self.0.rows.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Exclusive access; the counts are published when the guard goes.
    pub fn write(&self) -> RowsWriteGuard<'_> {
        let mut guard = self.0.rows.write().unwrap_or_else(|e| e.into_inner());
        let dropped = std::mem::take(&mut *lock(&self.0.dropped));
        for id in dropped {
            guard.drop_partition(id);
        }
        RowsWriteGuard { guard, counts: &self.0.counts }
    }

    /// Forgets a dropped partition's rows, without waiting for the rows lock (the next write frees them; no read
    /// asks for a dropped partition's id).
    pub fn drop_partition(&self, partition_id: i64) {
        lock(&self.0.dropped).push(partition_id);
        lock(&self.0.counts).remove(&partition_id);
    }

    /// Rows `get_stats` reports for the given partitions: flushed ones, or live ones with `live` set.
    pub fn stats_count(&self, partition_ids: &[i64], live: bool) -> u64 {
        let counts = lock(&self.0.counts);
        partition_ids.iter().filter_map(|id| counts.get(id)).map(|&(l, f)| if live { l } else { f }).sum()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Exclusive access to a collection's rows; releasing it publishes the `get_stats` counts.
pub struct RowsWriteGuard<'a> {
    guard: RwLockWriteGuard<'a, Rows>,
    counts: &'a Mutex<FastMap<i64, (u64, u64)>>,
}

impl std::ops::Deref for RowsWriteGuard<'_> {
    type Target = Rows;
    fn deref(&self) -> &Rows {
        &self.guard
    }
}

impl std::ops::DerefMut for RowsWriteGuard<'_> {
    fn deref_mut(&mut self) -> &mut Rows {
        &mut self.guard
    }
}

impl Drop for RowsWriteGuard<'_> {
    fn drop(&mut self) {
        let fresh: FastMap<i64, (u64, u64)> =
            self.guard.partitions.iter().map(|p| (p.partition_id, (p.live() as u64, p.flushed))).collect();
        *lock(self.counts) = fresh;
    }
}

/// The next auto-generated primary keys: `n` increasing Int64 values that look like Milvus's (a millisecond
/// timestamp shifted left by 18 bits, as its TSO allocator builds them), never repeated within a process.
pub fn auto_ids(n: usize) -> std::ops::Range<i64> {
    static NEXT: AtomicI64 = AtomicI64::new(0);
    let now_ms =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let floor = now_ms << 18;
    let mut current = NEXT.load(Ordering::Relaxed);
    loop {
        let start = current.max(floor);
        match NEXT.compare_exchange_weak(current, start + n as i64, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return start..start + n as i64,
            Err(seen) => current = seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DataType, Field};

    fn spec() -> CollectionSpec {
        let mut id = Field::new(100, "id", DataType::Int64);
        id.primary_key = true;
        CollectionSpec::new("c", vec![id])
    }

    fn batch(spec: &CollectionSpec, ids: &[i64]) -> Batch {
        let mut column = Column::for_field(&spec.fields[0]);
        ids.iter().for_each(|&i| column.push(Cell::Int(i)));
        Batch { columns: vec![column], meta: None, keys: ids.iter().map(|&i| Key::Int(i)).collect() }
    }

    #[test]
    fn duplicates_are_kept_and_a_key_delete_removes_every_copy() {
        let spec = spec();
        let mut rows = Rows::default();
        rows.insert(7, &spec, batch(&spec, &[1, 2, 1]));
        assert_eq!(rows.live(&[7]), 3);
        assert_eq!(rows.delete_keys(&[7], &[Key::Int(1), Key::Int(9)]), 2);
        assert_eq!(rows.live(&[7]), 1);
        assert_eq!(rows.partition(7).unwrap().rows_of(&Key::Int(2)), [1]);
    }

    #[test]
    fn flushed_counts_ignore_deletes_and_live_counts_follow_them() {
        let spec = spec();
        let handle = RowsHandle::default();
        handle.write().insert(7, &spec, batch(&spec, &[1, 2, 3]));
        assert_eq!(handle.stats_count(&[7], false), 0);
        {
            let mut rows = handle.write();
            rows.flush();
            rows.delete_keys(&[7], &[Key::Int(1)]);
        }
        assert_eq!((handle.stats_count(&[7], false), handle.stats_count(&[7], true)), (3, 2));
    }

    #[test]
    fn a_dropped_partition_is_forgotten_without_the_rows_lock() {
        let spec = spec();
        let handle = RowsHandle::default();
        handle.write().insert(7, &spec, batch(&spec, &[1]));
        let reader = handle.read();
        handle.drop_partition(7); // would deadlock if it took the rows lock
        drop(reader);
        assert_eq!(handle.stats_count(&[7], true), 0);
        assert!(handle.write().partition(7).is_none());
    }

    #[test]
    fn compaction_keeps_the_live_rows_and_their_keys() {
        let spec = spec();
        let mut rows = Rows::default();
        let ids: Vec<i64> = (0..10_000).collect();
        rows.insert(7, &spec, batch(&spec, &ids));
        let doomed: Vec<Key> = (0..9_000).map(Key::Int).collect();
        assert_eq!(rows.delete_keys(&[7], &doomed), 9_000);
        let p = rows.partition(7).unwrap();
        assert_eq!((p.len(), p.live()), (1_000, 1_000));
        assert_eq!(p.rows_of(&Key::Int(9_500)), [500]);
    }

    #[test]
    fn auto_ids_increase() {
        let a = auto_ids(3);
        let b = auto_ids(1);
        assert!(b.start >= a.end && a.start > 1 << 50);
    }
}
