//! The mock's state: databases, their collections, partitions, indexes and aliases, and the load state.
//!
//! Handlers make one call here and wrap the result. Each method follows Milvus's order of checks (contract §6) and
//! returns the [`Error`] Milvus would answer. State lives in a `DashMap` keyed by database; a change to anything
//! inside one database happens under that database's entry lock, so multi-step changes (release of every loaded
//! partition releasing the collection, a collection load loading its partitions) are atomic. The map sits behind a
//! `RwLock` that every call shares; whole-state swaps (reset, restore) and renames into another database take it
//! exclusively, so they are atomic for every reader. Database create/drop are serialised by `admin`. No method holds
//! a guard while it calls back into the map, and nothing here is async, so no guard can live across an `.await`.
//!
//! Nothing here knows a wire format: describe calls answer typed [`views`], and the steps a front chains into one
//! call (REST's create, index and load) run under one lock through [`Catalog::create_collection_then`]. The REST
//! adapter (`src/api/`) words and renders them.

mod aliases;
mod collections;
pub mod data;
mod indexes;
pub mod model;
mod partitions;
pub mod views;

use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use dashmap::DashMap;

pub use collections::CollectionSetup;
pub use data::{Lookup, QueryRequest, ReadTarget, WriteTarget};
pub use indexes::IndexRequest;
pub use model::*;
pub use views::{
    AliasView, CollectionView, DatabaseView, FieldView, FunctionView, IndexState, IndexView, LoadProgress,
};

use crate::error::{Error, Result};
use crate::names;
use crate::version::Profile;

/// Milvus's default limits (contract §8.4).
///
/// ```
/// use milvus_mock::{Limits, MockMilvus};
/// let milvus = MockMilvus::builder().limits(Limits { max_partitions: 4, ..Limits::default() }).start_blocking();
/// assert_eq!(milvus.catalog().limits().max_partitions, 4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// `rootCoord.maxPartitionNum`, counting `_default`.
    pub max_partitions: usize,
    /// `rootCoord.maxDatabaseNum`, not counting `default`.
    pub max_databases: usize,
    /// `quotaAndLimits.limits.maxCollectionNum`, across all databases.
    pub max_collections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_partitions: 1024, max_databases: 64, max_collections: 65_536 }
    }
}

/// The in-memory Milvus.
///
/// ```
/// let milvus = milvus_mock::MockMilvus::start_blocking();
/// let catalog: &milvus_mock::Catalog = milvus.catalog();
/// catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// assert_eq!(catalog.list_collections("default").unwrap(), ["quick_setup"]);
/// ```
#[derive(Debug)]
pub struct Catalog {
    profile: Profile,
    limits: Limits,
    /// Every call shares this lock (an uncontended read lock is one atomic operation); a whole-state swap and a
    /// cross-database rename take it exclusively, so a reader sees the state before or after them, never between.
    databases: RwLock<Databases>,
    next_id: AtomicI64,
    /// How many collections exist, across databases. Changed only under `databases`' lock (shared by creates and
    /// drops, which change it with the collection under the database's entry lock; exclusive for swaps), so it always
    /// agrees with the state.
    collection_count: AtomicUsize,
    /// Bumped by every change under the exclusive lock, so a snapshot taken a database at a time can tell.
    generation: AtomicU64,
    /// Serialises database create/drop and cross-database renames.
    admin: Mutex<()>,
    /// How long a load takes to reach 100 %, in milliseconds (zero: at once).
    load_duration_ms: AtomicU64,
    /// `get_stats` counts live rows instead of flushed ones (`--live-row-counts`).
    live_row_counts: std::sync::atomic::AtomicBool,
}

type Databases = DashMap<String, Database, BuildHasherDefault<NameHasher>>;

/// The largest id a fixture or a restored state may set: ids allocated after it (one per database, collection and
/// partition) then have 2^62 values to go before `i64::MAX`.
pub const MAX_ID: i64 = 1 << 62;

/// The `loaded_since` of a partition that a fixture or a restored state (`PUT /_mock/state`) says is loaded: it is
/// 100 % loaded at once, whatever the load duration (a restore does not start loading again). Taken when the first
/// catalog is built, so no load that a call starts afterwards can carry the same instant.
pub static ALREADY_LOADED: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);

impl Catalog {
    /// A fresh Milvus: only the `default` database.
    ///
    /// ```
    /// use milvus_mock::{Catalog, Limits, Profile};
    /// let catalog = Catalog::new(Profile::default(), Limits::default(), std::time::Duration::ZERO);
    /// assert_eq!(catalog.list_databases(), ["default"]);
    /// ```
    pub fn new(profile: Profile, limits: Limits, load_duration: Duration) -> Self {
        std::sync::LazyLock::force(&ALREADY_LOADED);
        let databases = Databases::default();
        databases.insert(DEFAULT_DATABASE.into(), Database::new(1, DEFAULT_DATABASE));
        Self {
            profile,
            limits,
            databases: RwLock::new(databases),
            // Milvus ids are large timestamp-derived numbers; these look alike and stay deterministic.
            next_id: AtomicI64::new(456_000_000_000_000_000),
            collection_count: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
            admin: Mutex::new(()),
            load_duration_ms: AtomicU64::new(load_duration.as_millis() as u64),
            live_row_counts: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The Milvus version profile this catalog answers as.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// assert_eq!(catalog.profile().version, milvus_mock::MilvusVersion::V2_6);
    /// ```
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The limits in force (partitions, databases, collections).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// assert_eq!(catalog.limits().max_partitions, 1024);
    /// ```
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn next_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The databases, shared with other calls (a poisoned lock is still usable: a panic under a shared guard
    /// changed nothing the lock protects, and a swap does not panic half way).
    fn dbs(&self) -> RwLockReadGuard<'_, Databases> {
        self.databases.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The databases, exclusively: no other call runs meanwhile.
    fn dbs_exclusive(&self) -> RwLockWriteGuard<'_, Databases> {
        self.databases.write().unwrap_or_else(|e| e.into_inner())
    }

    fn admin(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic elsewhere cannot leave the unit value inconsistent, so a poisoned lock is still usable.
        self.admin.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on a database under a shared lock; 800 when it does not exist.
    fn read<T>(&self, db: &str, f: impl FnOnce(&Database) -> Result<T>) -> Result<T> {
        let dbs = self.dbs();
        let guard = dbs.get(db).ok_or_else(|| Error::DatabaseNotFound { db: db.to_string() })?;
        f(&guard)
    }

    /// Runs `f` on a database under its exclusive lock; 800 when it does not exist.
    fn write<T>(&self, db: &str, f: impl FnOnce(&mut Database) -> Result<T>) -> Result<T> {
        let dbs = self.dbs();
        let mut guard = dbs.get_mut(db).ok_or_else(|| Error::DatabaseNotFound { db: db.to_string() })?;
        f(&mut guard)
    }

    // ---- databases (contract §6.1) ----

    /// `databases/create`: validates the name, refuses duplicates and the 65th database.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// catalog.create_database("analytics", vec![("database.max.collections".into(), "10".into())]).unwrap();
    /// assert_eq!(catalog.list_databases(), ["default", "analytics"]);
    /// ```
    pub fn create_database(&self, name: &str, properties: Vec<(String, String)>) -> Result<()> {
        names::validate_database(name)?;
        let _admin = self.admin();
        let dbs = self.dbs();
        if dbs.contains_key(name) {
            return Err(Error::DatabaseExists { db: name.to_string() });
        }
        if dbs.len() > self.limits.max_databases {
            return Err(Error::DatabaseLimit { limit: self.limits.max_databases });
        }
        let mut db = Database::new(self.next_id(), name);
        merge_properties(&mut db.properties, properties);
        dbs.insert(name.to_string(), db);
        Ok(())
    }

    /// `databases/drop`: refuses `default` and non-empty databases; a missing one is fine.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// catalog.create_database("scratch", vec![]).unwrap();
    /// catalog.drop_database("scratch").unwrap();
    /// assert_eq!(catalog.list_databases(), ["default"]);
    /// ```
    pub fn drop_database(&self, name: &str) -> Result<()> {
        names::validate_database(name)?;
        if name == DEFAULT_DATABASE {
            return Err(Error::DropDefaultDatabase);
        }
        let _admin = self.admin();
        let dbs = self.dbs();
        // Checked and removed under the entry's lock: a collection created meanwhile cannot be lost.
        if dbs.remove_if(name, |_, db| db.collections.is_empty()).is_some() {
            return Ok(());
        }
        if dbs.contains_key(name) {
            return Err(Error::DatabaseNotEmpty { db: name.to_string() });
        }
        Ok(()) // dropping a missing database succeeds
    }

    /// `default` first, then the others by creation.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// assert_eq!(catalog.list_databases(), ["default"]);
    /// ```
    pub fn list_databases(&self) -> Vec<String> {
        let mut dbs: Vec<(i64, String)> = self.dbs().iter().map(|d| (d.id, d.name.clone())).collect();
        dbs.sort();
        dbs.into_iter().map(|(_, n)| n).collect()
    }

    /// `databases/describe`: id, name and properties.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// assert_eq!(catalog.describe_database("default").unwrap().id, 1);
    /// ```
    pub fn describe_database(&self, name: &str) -> Result<DatabaseView> {
        self.read(name, |db| Ok(DatabaseView::from(db)))
    }

    /// `databases/alter`: sets or replaces properties.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// catalog.alter_database("default", vec![("k".into(), "v".into())]).unwrap();
    /// assert_eq!(catalog.describe_database("default").unwrap().properties, [("k".to_string(), "v".to_string())]);
    /// ```
    pub fn alter_database(&self, name: &str, properties: Vec<(String, String)>) -> Result<()> {
        self.write(name, |db| {
            merge_properties(&mut db.properties, properties);
            Ok(())
        })
    }

    /// `databases/drop_properties`: removes properties by key.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// catalog.alter_database("default", vec![("k".into(), "v".into())]).unwrap();
    /// catalog.drop_database_properties("default", &["k".to_string()]).unwrap();
    /// assert!(catalog.describe_database("default").unwrap().properties.is_empty());
    /// ```
    pub fn drop_database_properties(&self, name: &str, keys: &[String]) -> Result<()> {
        self.write(name, |db| {
            drop_properties(&mut db.properties, keys);
            Ok(())
        })
    }

    // ---- whole-state operations (fixtures, the control plane) ----

    /// A copy of every database, by creation.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// let snapshot = catalog.snapshot();
    /// assert_eq!(snapshot[0].collections.len(), 1);
    /// ```
    pub fn snapshot(&self) -> Vec<Database> {
        // One database at a time, each under a shared lock of its own: a snapshot of a large state never holds a
        // lock for long (a swap waiting for it would hold up every other call). A swap or a cross-database rename
        // in between makes the copy inconsistent, so it is taken again; after a few tries, under one lock.
        for _ in 0..3 {
            let generation = self.generation.load(Ordering::SeqCst);
            let names: Vec<String> = self.dbs().iter().map(|d| d.key().clone()).collect();
            let mut all: Vec<Database> = names.iter().filter_map(|n| self.dbs().get(n).map(|d| d.clone())).collect();
            if self.generation.load(Ordering::SeqCst) == generation {
                all.sort_by_key(|d| d.id);
                return all;
            }
        }
        let mut all: Vec<Database> = self.dbs().iter().map(|d| d.clone()).collect();
        all.sort_by_key(|d| d.id);
        all
    }

    /// Replaces the whole state (a restore or a reset), atomically: a concurrent call sees the old state or the new
    /// one. `default` is created if `databases` lacks it. Ids are not checked here ([`crate::fixtures::build`]
    /// refuses those above [`MAX_ID`]); allocation goes on after the largest.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// let before = catalog.snapshot();
    /// catalog.drop_collection("default", "quick_setup").unwrap();
    /// catalog.replace_all(before);
    /// assert!(catalog.has_collection("default", "quick_setup").unwrap());
    /// ```
    pub fn replace_all(&self, databases: Vec<Database>) {
        let fresh = Databases::default();
        let mut max_id = 0;
        let mut collections = 0;
        for db in databases {
            max_id = max_id.max(db.id);
            for c in db.collections.values() {
                collections += 1;
                max_id = max_id.max(c.id);
                max_id = c.partitions.iter().map(|p| p.id).fold(max_id, i64::max);
                max_id = c.indexes.iter().map(|i| i.id).fold(max_id, i64::max);
            }
            fresh.insert(db.name.clone(), db);
        }
        if !fresh.contains_key(DEFAULT_DATABASE) {
            fresh.insert(DEFAULT_DATABASE.into(), Database::new(1, DEFAULT_DATABASE));
        }
        let _admin = self.admin();
        let old = {
            let mut dbs = self.dbs_exclusive();
            self.generation.fetch_add(1, Ordering::SeqCst);
            self.collection_count.store(collections, Ordering::SeqCst);
            self.next_id.fetch_max(max_id.saturating_add(1), Ordering::SeqCst);
            std::mem::replace(&mut *dbs, fresh)
        };
        drop(old); // freed after the lock is released
    }

    /// Replaces one database (or removes it when `database` is `None`), leaving the others alone; atomically, as
    /// [`replace_all`](Self::replace_all).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// catalog.create_database("scratch", vec![]).unwrap();
    /// catalog.replace_database("scratch", None);
    /// assert_eq!(catalog.list_databases(), ["default"]);
    /// ```
    pub fn replace_database(&self, name: &str, database: Option<Database>) {
        let database = database.or_else(|| (name == DEFAULT_DATABASE).then(|| Database::new(1, DEFAULT_DATABASE)));
        let _admin = self.admin();
        let old = {
            let dbs = self.dbs_exclusive();
            self.generation.fetch_add(1, Ordering::SeqCst);
            let old = dbs.remove(name);
            if let Some((_, old)) = &old {
                self.collection_count.fetch_sub(old.collections.len(), Ordering::SeqCst);
            }
            if let Some(db) = database {
                self.collection_count.fetch_add(db.collections.len(), Ordering::SeqCst);
                let max_id = db.collections.values().flat_map(|c| {
                    c.partitions.iter().map(|p| p.id).chain(c.indexes.iter().map(|i| i.id)).chain([c.id])
                });
                self.next_id.fetch_max(max_id.fold(db.id, i64::max).saturating_add(1), Ordering::SeqCst);
                dbs.insert(name.to_string(), db);
            }
            old
        };
        drop(old);
    }

    /// Changes a database directly, skipping Milvus's checks (fixtures set ids and such).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// catalog.update_database("default", |db| db.properties.push(("k".into(), "v".into()))).unwrap();
    /// ```
    pub fn update_database(&self, db: &str, f: impl FnOnce(&mut Database)) -> Result<()> {
        self.write(db, |d| {
            f(d);
            Ok(())
        })
    }

    /// Changes a collection directly, skipping Milvus's checks (fixtures set ids, load states and such).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.update_collection("default", "quick_setup", |c| c.id = 42).unwrap();
    /// assert_eq!(catalog.collection("default", "quick_setup", |c| c.id).unwrap(), 42);
    /// ```
    pub fn update_collection(&self, db: &str, name: &str, f: impl FnOnce(&mut Collection)) -> Result<()> {
        self.write(db, |d| {
            f(collections::lookup_mut(d, name)?);
            Ok(())
        })
    }

    /// Reads a collection (or an alias of one), to check state from a test.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// let err = milvus.catalog().collection("default", "missing", |c| c.id).unwrap_err();
    /// assert_eq!(err.code(milvus.catalog().profile()), 100);
    /// ```
    pub fn collection<T>(&self, db: &str, name: &str, f: impl FnOnce(&Collection) -> T) -> Result<T> {
        self.read(db, |d| collections::lookup(d, name).map(f))
    }

    /// The names of a collection's loaded partitions, in creation order.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_partition("default", "quick_setup", "january").unwrap();
    /// assert_eq!(catalog.loaded_partitions("default", "quick_setup").unwrap(), ["_default", "january"]);
    /// ```
    pub fn loaded_partitions(&self, db: &str, name: &str) -> Result<Vec<String>> {
        self.collection(db, name, |c| {
            c.partitions.iter().filter(|p| p.loaded_since.is_some()).map(|p| p.name.clone()).collect()
        })
    }

    /// The load state `collections/describe` would report.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// use milvus_mock::catalog::LoadState;
    /// assert_eq!(catalog.collection_load_state("default", "quick_setup").unwrap(), LoadState::Loaded);
    /// ```
    pub fn collection_load_state(&self, db: &str, name: &str) -> Result<LoadState> {
        self.collection(db, name, |c| self.load_state(c, Instant::now()))
    }

    // ---- load progress ----

    /// How long loads take from now on, where a collection sets nothing of its own.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// use milvus_mock::catalog::LoadState;
    /// catalog.set_load_duration(std::time::Duration::from_secs(60));
    /// catalog.quick_setup("default", "slow", 4).unwrap();
    /// assert_eq!(catalog.collection_load_state("default", "slow").unwrap(), LoadState::Loading);
    /// ```
    pub fn set_load_duration(&self, duration: Duration) {
        self.load_duration_ms.store(duration.as_millis() as u64, Ordering::Relaxed);
    }

    /// A partition's load progress in percent.
    fn partition_progress(&self, collection: &Collection, partition: &Partition, now: Instant) -> i64 {
        let Some(since) = partition.loaded_since else {
            return 0;
        };
        if since == *ALREADY_LOADED {
            return 100;
        }
        let server_default = Duration::from_millis(self.load_duration_ms.load(Ordering::Relaxed));
        let duration = collection.load_duration.unwrap_or(server_default);
        if duration.is_zero() {
            return 100;
        }
        let done = now.saturating_duration_since(since).as_millis() * 100 / duration.as_millis();
        done.min(100) as i64
    }

    /// querycoord's collection percentage: the average over the loaded partitions.
    fn collection_progress(&self, collection: &Collection, now: Instant) -> i64 {
        let loaded: Vec<i64> = collection
            .partitions
            .iter()
            .filter(|p| p.loaded_since.is_some())
            .map(|p| self.partition_progress(collection, p, now))
            .collect();
        if loaded.is_empty() { 0 } else { loaded.iter().sum::<i64>() / loaded.len() as i64 }
    }

    /// The raw load state, as `collections/describe` reports it.
    fn load_state(&self, collection: &Collection, now: Instant) -> LoadState {
        if !collection.is_loaded() {
            LoadState::NotLoad
        } else if self.collection_progress(collection, now) >= 100 {
            LoadState::Loaded
        } else {
            LoadState::Loading
        }
    }
}

#[cfg(test)]
mod tests;
