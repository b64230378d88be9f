//! Collection lifecycle and load state (contract §6.2, §7).

use std::collections::HashSet;
use std::time::Instant;

use super::Catalog;
use super::indexes::IndexRequest;
use crate::catalog::model::*;
use crate::catalog::views::{CollectionView, LoadProgress};
use crate::error::{Error, NameKind, Result};
use crate::names;

/// Property keys that cannot change while a collection is loaded.
const MMAP_KEYS: [&str; 2] = ["mmap.enabled", "lazyload.enabled"];

/// Looks a collection (or an alias of one) up; 100 with rootcoord's text when missing.
pub(super) fn lookup<'a>(db: &'a Database, name: &str) -> Result<&'a Collection> {
    db.collections
        .get(db.resolve(name))
        .ok_or_else(|| Error::CollectionNotFound { db: db.name.clone(), name: name.to_string() })
}

pub(super) fn lookup_mut<'a>(db: &'a mut Database, name: &str) -> Result<&'a mut Collection> {
    // Disjoint borrows of the database's fields: no copy of the names is needed.
    let Database { name: db_name, collections, aliases, .. } = db;
    let real = aliases.get(name).map(String::as_str).unwrap_or(name);
    collections.get_mut(real).ok_or_else(|| Error::CollectionNotFound { db: db_name.clone(), name: name.to_string() })
}

/// Rootcoord's schema checks (`createCollectionTask.Prepare`), after the proxy's and before the existing-collection
/// comparison. Only the primary key's default value is modelled; its text and place follow the issue, not a source
/// line (see README, fidelity notes).
fn validate_field_schemas(spec: &CollectionSpec) -> Result<()> {
    match spec.fields.iter().find(|f| f.primary_key && f.default_value.is_some()) {
        Some(f) => Err(Error::InvalidParameter(format!(
            "primary field not support default_value, type:{}, name:{}: invalid parameter",
            f.data_type, f.name
        ))),
        None => Ok(()),
    }
}

impl Catalog {
    fn validate_collection_name(&self, name: &str) -> Result<()> {
        names::validate_collection(name, NameKind::Collection, &self.profile)
    }

    /// Proxy `PreExecute` checks of a new collection's schema, before any state is looked at.
    fn validate_spec(&self, spec: &CollectionSpec) -> Result<()> {
        if spec.shards_num > 16 {
            return Err(Error::Plain("maximum shards's number should be limited to 16".into()));
        }
        if spec.fields.len() > 64 {
            return Err(Error::Plain("maximum field's number should be limited to 64".into()));
        }
        if !spec.fields.iter().any(Field::is_vector) {
            return Err(Error::InvalidParameter("schema does not contain vector field: invalid parameter".into()));
        }
        self.validate_collection_name(&spec.name)?;
        let mut seen = HashSet::new();
        for field in &spec.fields {
            if !seen.insert(field.name.as_str()) {
                return Err(Error::Plain(format!("duplicated field name {} found", field.name)));
            }
        }
        let primaries: Vec<&Field> = spec.fields.iter().filter(|f| f.primary_key).collect();
        match primaries.as_slice() {
            [] => return Err(Error::Plain("primary key is not specified".into())),
            [_] => {}
            [a, b, ..] => {
                return Err(Error::Plain(format!(
                    "there are more than one primary key, field name = {}, {}",
                    a.name, b.name
                )));
            }
        }
        // createCollectionTask.validatePartitionKey (internal/proxy/task.go), up to the nullable check.
        let mut partition_key: Option<&Field> = None;
        for field in spec.fields.iter().filter(|f| f.partition_key) {
            if let Some(first) = partition_key {
                return Err(Error::Plain(format!(
                    "there are more than one partition key, field name = {}, {}",
                    first.name, field.name
                )));
            }
            if field.primary_key {
                return Err(Error::Plain("the partition key field must not be primary field".into()));
            }
            if field.nullable {
                return Err(Error::InvalidParameter(
                    "partition key field not support nullable: invalid parameter".into(),
                ));
            }
            partition_key = Some(field);
        }
        for field in &spec.fields {
            let param = |key: &str| field.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
            if field.is_vector() && field.data_type != DataType::SparseFloatVector {
                match param("dim").map(str::parse::<i64>) {
                    None => {
                        return Err(Error::Plain(
                            "dimension is not defined in field type params, check type param `dim` for vector field"
                                .into(),
                        ));
                    }
                    Some(Ok(dim)) if (1..=32_768).contains(&dim) => {}
                    Some(_) => {
                        return Err(Error::Plain(format!(
                            "invalid dimension: {}. should be in range 2 ~ 32768",
                            param("dim").unwrap_or_default()
                        )));
                    }
                }
            }
            if field.data_type == DataType::VarChar {
                match param("max_length").map(str::parse::<i64>) {
                    Some(Ok(n)) if (1..=65_535).contains(&n) => {}
                    None => {
                        return Err(Error::Plain(format!(
                            "type param(max_length) should be specified for the field({}) of collection {}",
                            field.name, spec.name
                        )));
                    }
                    Some(_) => {
                        return Err(Error::Plain(format!(
                            "the maximum length specified for the field({}) should be in (0, 65535], but got {} instead",
                            field.name,
                            param("max_length").unwrap_or_default()
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// Creates a collection (`collections/create`, gRPC `CreateCollection`): validates, then creates; an identical
    /// schema under the same name is fine (nothing changes), a different one is refused.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// use milvus_mock::catalog::{CollectionSpec, ConsistencyLevel, DataType, Field};
    /// let mut id = Field::new(100, "id", DataType::Int64);
    /// id.primary_key = true;
    /// let mut vector = Field::new(101, "vector", DataType::FloatVector);
    /// vector.params.push(("dim".into(), "4".into()));
    /// let spec = CollectionSpec {
    ///     name: "c".into(), description: String::new(), fields: vec![id, vector], functions: vec![],
    ///     enable_dynamic_field: true, shards_num: 1, consistency_level: ConsistencyLevel::Bounded, properties: vec![],
    ///     partition_key_partitions: 64,
    /// };
    /// catalog.create_collection("default", spec).unwrap();
    /// assert!(catalog.has_collection("default", "c").unwrap());
    /// assert!(catalog.list_indexes("default", "c").unwrap().is_empty());
    /// ```
    pub fn create_collection(&self, db: &str, spec: CollectionSpec) -> Result<()> {
        self.create_collection_then(db, spec, |_| Ok(()))
    }

    /// [`create_collection`](Self::create_collection), then `setup` on the new collection under the same lock: no
    /// other call sees the collection before `setup` is done (the REST quick setup creates, indexes and loads as
    /// one step). An error from `setup` is answered, but the collection stays, as in Milvus, where the steps are
    /// separate calls.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # use milvus_mock::catalog::{CollectionSpec, ConsistencyLevel, DataType, Field, IndexRequest};
    /// # let mut id = Field::new(100, "id", DataType::Int64);
    /// # id.primary_key = true;
    /// # let mut vector = Field::new(101, "vector", DataType::FloatVector);
    /// # vector.params.push(("dim".into(), "4".into()));
    /// # let spec = CollectionSpec {
    /// #     name: "c".into(), description: String::new(), fields: vec![id, vector], functions: vec![],
    /// #     enable_dynamic_field: true, shards_num: 1, consistency_level: ConsistencyLevel::Bounded, properties: vec![],
    /// #     partition_key_partitions: 64,
    /// # };
    /// catalog.create_collection_then("default", spec, |setup| {
    ///     setup.create_index(IndexRequest { field: "vector".into(), ..Default::default() })?;
    ///     setup.load()
    /// }).unwrap();
    /// assert_eq!(catalog.loaded_partitions("default", "c").unwrap(), ["_default"]);
    /// ```
    pub fn create_collection_then<T>(
        &self,
        db: &str,
        spec: CollectionSpec,
        setup: impl FnOnce(&mut CollectionSetup<'_>) -> Result<T>,
    ) -> Result<T> {
        self.validate_spec(&spec)?;
        self.write(db, |d| {
            if d.aliases.contains_key(&spec.name) {
                return Err(Error::CollectionNameIsAlias { name: spec.name.clone() });
            }
            validate_field_schemas(&spec)?;
            match d.collections.get(&spec.name) {
                Some(existing) if existing.spec == spec => {}
                Some(_) => {
                    return Err(Error::DuplicateCollection { name: spec.name.clone() });
                }
                None => {
                    let limit = self.limits.max_collections;
                    self.collection_count
                        .fetch_update(std::sync::atomic::Ordering::SeqCst, std::sync::atomic::Ordering::SeqCst, |n| {
                            (n < limit).then_some(n + 1)
                        })
                        .map_err(|_| Error::CollectionLimit { db: d.name.clone(), limit })?;
                    let collection = self.new_collection(spec.clone());
                    d.collections.insert(spec.name.clone(), collection);
                }
            }
            let collection = lookup_mut(d, &spec.name)?;
            setup(&mut CollectionSetup { catalog: self, collection })
        })
    }

    fn new_collection(&self, spec: CollectionSpec) -> Collection {
        let partition_names: Vec<String> = if spec.fields.iter().any(|f| f.partition_key) {
            (0..spec.partition_key_partitions).map(|i| format!("{DEFAULT_PARTITION}_{i}")).collect()
        } else {
            vec![DEFAULT_PARTITION.to_string()]
        };
        let partitions = partition_names
            .into_iter()
            .map(|name| Partition { id: self.next_id(), name, loaded_since: None })
            .collect();
        Collection::new(self.next_id(), spec, partitions)
    }

    /// Collection names by creation (Milvus's own order is unspecified).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert_eq!(catalog.list_collections("default").unwrap(), ["quick_setup"]);
    /// ```
    pub fn list_collections(&self, db: &str) -> Result<Vec<String>> {
        self.read(db, |d| {
            let mut all: Vec<(i64, &str)> = d.collections.values().map(|c| (c.id, c.name())).collect();
            all.sort_unstable();
            Ok(all.into_iter().map(|(_, n)| n.to_string()).collect())
        })
    }

    /// `collections/has`: never an error for a missing collection or database.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert!(catalog.has_collection("default", "quick_setup").unwrap());
    /// assert!(!catalog.has_collection("default", "other").unwrap());
    /// ```
    pub fn has_collection(&self, db: &str, name: &str) -> Result<bool> {
        self.validate_collection_name(name)?;
        Ok(self.dbs().get(db).is_some_and(|d| d.collections.contains_key(d.resolve(name))))
    }

    /// `collections/describe`: the collection (or the one an alias names) as a [`CollectionView`].
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// use milvus_mock::catalog::LoadState;
    /// catalog.create_alias("default", "quick_setup", "qs").unwrap();
    /// let view = catalog.describe_collection("default", "qs").unwrap();
    /// assert_eq!((view.name.as_str(), view.load_state), ("quick_setup", LoadState::Loaded));
    /// assert_eq!((view.aliases.as_slice(), view.indexes.len()), (&["qs".to_string()][..], 1));
    /// ```
    pub fn describe_collection(&self, db: &str, name: &str) -> Result<CollectionView> {
        self.validate_collection_name(name)?;
        self.read(db, |d| {
            let c = lookup(d, name)
                .map_err(|_| Error::CollectionNotFoundDescribe { db: db.to_string(), name: name.to_string() })?;
            // Every index of the collection, scalar ones too: the REST handler sends DescribeIndex the first
            // vector field's name, but the proxy's describeIndexTask asks datacoord by collection (and index
            // name) only (internal/proxy/task_index.go). Datacoord's order is a Go map's; here it is creation order.
            Ok(CollectionView::new(d, c, self.load_state(c, Instant::now())))
        })
    }

    /// `collections/get_stats`: the flushed rows (contract part 2 §D.6), or the live rows with
    /// [`Catalog::set_live_row_counts`].
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert_eq!(catalog.collection_row_count("default", "quick_setup").unwrap(), 0);
    /// ```
    pub fn collection_row_count(&self, db: &str, name: &str) -> Result<i64> {
        self.validate_collection_name(name)?;
        self.read(db, |d| {
            let c = lookup(d, name)?;
            Ok(self.stats_rows(c, &c.partitions.iter().map(|p| p.id).collect::<Vec<_>>()))
        })
    }

    /// `collections/get_load_state` (contract §7.2): the load progress of the collection, or of some of its
    /// partitions.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// use milvus_mock::catalog::LoadProgress;
    /// catalog.create_partition("default", "quick_setup", "january").unwrap();
    /// catalog.release_partitions("default", "quick_setup", &["january".to_string()]).unwrap();
    /// let january = catalog.collection("default", "quick_setup", |c| c.partition("january").unwrap().id).unwrap();
    /// let asked = ["_default".to_string(), "january".to_string()];
    /// let report = catalog.get_load_state("default", "quick_setup", Some(&asked)).unwrap();
    /// assert_eq!(report, LoadProgress::PartitionNotLoaded { id: january });
    /// ```
    pub fn get_load_state(&self, db: &str, name: &str, partitions: Option<&[String]>) -> Result<LoadProgress> {
        self.validate_collection_name(name)?;
        let not_found = || Error::CollectionNotFoundNoDb { name: name.to_string() };
        let dbs = self.dbs();
        let guard = dbs.get(db).ok_or_else(not_found)?;
        let c = lookup(&guard, name).map_err(|_| not_found())?;
        if !c.is_loaded() {
            return Ok(LoadProgress::NotLoaded);
        }
        let now = Instant::now();
        let names = partitions.unwrap_or_default();
        if names.is_empty() {
            return Ok(LoadProgress::Percent(self.collection_progress(c, now)));
        }
        // GetLoadingProgress: resolve every name first, then ask for the loaded ones.
        let mut targets = Vec::with_capacity(names.len());
        for n in names {
            match self.find_partition(c, n) {
                Some(p) => targets.push(p),
                None => return Ok(LoadProgress::PartitionNotFound { name: n.clone() }),
            }
        }
        if let Some(p) = targets.iter().find(|p| p.loaded_since.is_none()) {
            return Ok(LoadProgress::PartitionNotLoaded { id: p.id });
        }
        let sum: i64 = targets.iter().map(|p| self.partition_progress(c, p, now)).sum();
        Ok(LoadProgress::Percent(sum / targets.len() as i64))
    }

    /// `collections/drop`: idempotent for a missing collection or database; refuses aliases.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.drop_collection("default", "quick_setup").unwrap();
    /// catalog.drop_collection("default", "quick_setup").unwrap(); // idempotent
    /// assert!(!catalog.has_collection("default", "quick_setup").unwrap());
    /// ```
    pub fn drop_collection(&self, db: &str, name: &str) -> Result<()> {
        self.validate_collection_name(name)?;
        let dbs = self.dbs();
        let Some(mut d) = dbs.get_mut(db) else {
            return Ok(());
        };
        if d.aliases.contains_key(name) {
            return Err(Error::DropViaAlias { alias: name.to_string() });
        }
        if !d.collections.contains_key(name) {
            return Ok(());
        }
        let aliases = d.aliases_of(name);
        if !aliases.is_empty() {
            if self.profile.refuse_drop_with_aliases {
                return Err(Error::CollectionHasAliases { name: name.to_string(), aliases });
            }
            d.aliases.retain(|_, c| c != name);
        }
        d.collections.remove(name);
        self.collection_count.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// `collections/rename`, within a database or into another one.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.rename_collection("default", "quick_setup", "renamed", "").unwrap();
    /// assert_eq!(catalog.list_collections("default").unwrap(), ["renamed"]);
    /// ```
    pub fn rename_collection(&self, db: &str, old: &str, new: &str, new_db: &str) -> Result<()> {
        self.validate_collection_name(old)?;
        self.validate_collection_name(new)?;
        let target_db = if new_db.is_empty() { db } else { new_db };
        let _admin = self.admin();
        let check_source = |d: &Database| {
            if d.aliases.contains_key(old) {
                return Err(Error::RenameFromAlias { alias: old.to_string() });
            }
            if !d.collections.contains_key(old) {
                return Err(Error::CollectionNotFound { db: db.to_string(), name: old.to_string() });
            }
            Ok(())
        };
        let check_target = |t: &Database| {
            if t.aliases.contains_key(new) {
                Err(Error::RenameToAlias { alias: new.to_string() })
            } else if t.collections.contains_key(new) {
                Err(Error::RenameDuplicate { db: target_db.to_string(), name: new.to_string() })
            } else {
                Ok(())
            }
        };
        if target_db == db {
            // One lock: checks, move, and the aliases follow the collection (they point at it, not at its name).
            return self.write(db, |d| {
                check_source(d)?;
                check_target(d)?;
                let mut collection = d.collections.remove(old).expect("checked above");
                collection.spec.name = new.to_string();
                d.collections.insert(new.to_string(), collection);
                for target in d.aliases.values_mut().filter(|c| c.as_str() == old) {
                    *target = new.to_string();
                }
                Ok(())
            });
        }
        // Between databases: under the exclusive lock, so the checks and the move are one step that no other call
        // can come between (a collection created meanwhile under either name is never overwritten). Rare enough
        // that stopping every other call for it costs nothing.
        let dbs = self.dbs_exclusive();
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        {
            let d = dbs.get(db).ok_or_else(|| Error::DatabaseNotFound { db: db.to_string() })?;
            check_source(&d)?;
            if !d.aliases_of(old).is_empty() {
                return Err(Error::Plain(format!(
                    "fail to rename collection between db, must drop all aliases of collection {old} before rename"
                )));
            }
        }
        match dbs.get(target_db) {
            Some(t) => check_target(&t)?,
            None => return Err(Error::RenameTargetDatabaseMissing { db: target_db.to_string() }),
        }
        // One entry guard at a time (two databases may share a shard); nothing can change in between.
        let mut collection = dbs.get_mut(db).and_then(|mut d| d.collections.remove(old)).expect("checked above");
        collection.spec.name = new.to_string();
        dbs.get_mut(target_db).expect("checked above").collections.insert(new.to_string(), collection);
        Ok(())
    }

    /// `collections/load`.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.release_collection("default", "quick_setup").unwrap();
    /// catalog.load_collection("default", "quick_setup").unwrap();
    /// assert_eq!(catalog.loaded_partitions("default", "quick_setup").unwrap(), ["_default"]);
    /// ```
    pub fn load_collection(&self, db: &str, name: &str) -> Result<()> {
        self.validate_collection_name(name)?;
        self.write(db, |d| {
            let c = lookup_mut(d, name)?;
            self.load_whole(c)
        })
    }

    fn load_whole(&self, c: &mut Collection) -> Result<()> {
        if c.indexes.is_empty() {
            return Err(Error::IndexNotFoundCollection { name: c.name().to_string() });
        }
        let unindexed: Vec<String> = c
            .vector_fields()
            .filter(|f| !c.indexes.iter().any(|i| i.field == f.name))
            .map(|f| f.name.clone())
            .collect();
        if !unindexed.is_empty() {
            return Err(Error::NoVectorIndexOnFields { fields: unindexed });
        }
        let now = Instant::now();
        for p in &mut c.partitions {
            p.loaded_since.get_or_insert(now);
        }
        c.load_type = LoadType::Collection;
        Ok(())
    }

    /// `collections/refresh_load`: only a loaded collection can be refreshed.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.refresh_load("default", "quick_setup").unwrap();
    /// ```
    pub fn refresh_load(&self, db: &str, name: &str) -> Result<()> {
        self.validate_collection_name(name)?;
        self.read(db, |d| {
            let c = lookup(d, name)?;
            if c.is_loaded() {
                Ok(())
            } else {
                Err(Error::Plain(format!(
                    "call query coordinator LoadCollection: collection not loaded[collection={}]",
                    c.id
                )))
            }
        })
    }

    /// `collections/release`: a no-op for a collection that is not loaded.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.release_collection("default", "quick_setup").unwrap();
    /// assert!(catalog.loaded_partitions("default", "quick_setup").unwrap().is_empty());
    /// ```
    pub fn release_collection(&self, db: &str, name: &str) -> Result<()> {
        self.validate_collection_name(name)?;
        self.write(db, |d| {
            let c = lookup_mut(d, name)?;
            release_all(c);
            Ok(())
        })
    }

    /// `collections/alter_properties`.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.alter_collection_properties("default", "quick_setup", vec![("collection.ttl.seconds".into(), "60".into())]).unwrap();
    /// let view = catalog.describe_collection("default", "quick_setup").unwrap();
    /// assert_eq!(view.properties, [("collection.ttl.seconds".to_string(), "60".to_string())]);
    /// ```
    pub fn alter_collection_properties(&self, db: &str, name: &str, properties: Vec<(String, String)>) -> Result<()> {
        self.validate_collection_name(name)?;
        self.write(db, |d| {
            let c = lookup_mut(d, name)?;
            if c.is_loaded() && properties.iter().any(|(k, _)| MMAP_KEYS.contains(&k.as_str())) {
                return Err(Error::AlterMmapLoaded { name: name.to_string() });
            }
            merge_properties(&mut c.spec.properties, properties);
            Ok(())
        })
    }

    /// `collections/drop_properties`.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.alter_collection_properties("default", "quick_setup", vec![("a".into(), "1".into())]).unwrap();
    /// catalog.drop_collection_properties("default", "quick_setup", &["a".to_string()]).unwrap();
    /// assert!(catalog.describe_collection("default", "quick_setup").unwrap().properties.is_empty());
    /// ```
    pub fn drop_collection_properties(&self, db: &str, name: &str, keys: &[String]) -> Result<()> {
        self.validate_collection_name(name)?;
        self.write(db, |d| {
            let c = lookup_mut(d, name)?;
            if c.is_loaded() && keys.iter().any(|k| MMAP_KEYS.contains(&k.as_str())) {
                return Err(Error::AlterMmapLoaded { name: name.to_string() });
            }
            drop_properties(&mut c.spec.properties, keys);
            Ok(())
        })
    }
}

/// Releases every partition and the collection.
pub(super) fn release_all(c: &mut Collection) {
    for p in &mut c.partitions {
        p.loaded_since = None;
    }
    c.load_type = LoadType::NotLoaded;
}

/// A collection being created, inside [`Catalog::create_collection_then`]: the steps that may follow a create under
/// the same lock.
pub struct CollectionSetup<'a> {
    catalog: &'a Catalog,
    collection: &'a mut Collection,
}

impl CollectionSetup<'_> {
    /// The new collection (or the identical one that was already there).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// # let spec = catalog.collection("default", "quick_setup", |c| c.spec.clone()).unwrap();
    /// // An identical create changes nothing, and sees the existing collection.
    /// let loaded = catalog.create_collection_then("default", spec, |setup| Ok(setup.collection().is_loaded())).unwrap();
    /// assert!(loaded);
    /// ```
    pub fn collection(&self) -> &Collection {
        self.collection
    }

    /// `indexes/create` of one index, with its checks.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// # let mut spec = catalog.collection("default", "quick_setup", |c| c.spec.clone()).unwrap();
    /// # spec.name = "copy".into();
    /// use milvus_mock::catalog::IndexRequest;
    /// let wrong = IndexRequest { field: "vector".into(), metric_type: "HAMMING".into(), ..Default::default() };
    /// let err = catalog.create_collection_then("default", spec, |setup| setup.create_index(wrong)).unwrap_err();
    /// assert_eq!(err.code(catalog.profile()), 1100);
    /// assert!(catalog.has_collection("default", "copy").unwrap()); // the create stays
    /// ```
    pub fn create_index(&mut self, request: IndexRequest) -> Result<()> {
        self.catalog.create_index_in(self.collection, request)
    }

    /// `collections/load`, with its checks.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// # let mut spec = catalog.collection("default", "quick_setup", |c| c.spec.clone()).unwrap();
    /// # spec.name = "copy".into();
    /// let err = catalog.create_collection_then("default", spec, |setup| setup.load()).unwrap_err();
    /// assert_eq!(err.code(catalog.profile()), 700); // no index yet
    /// ```
    pub fn load(&mut self) -> Result<()> {
        self.catalog.load_whole(self.collection)
    }
}
