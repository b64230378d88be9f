//! Partitions and their load state (contract §6.3, §7.1). `partitions/release` is the centre of the mock.

use std::time::Instant;

use super::Catalog;
use super::collections::{lookup, lookup_mut, release_all};
use crate::catalog::model::*;
use crate::error::{Error, NameKind, Result};
use crate::names;

impl Catalog {
    /// The partition a load/release/stats name means: from 2.5 on, `""` is the default partition.
    pub(super) fn find_partition<'a>(&self, c: &'a Collection, name: &str) -> Option<&'a Partition> {
        self.find_position(c, name).map(|i| &c.partitions[i])
    }

    fn find_position(&self, c: &Collection, name: &str) -> Option<usize> {
        let name = if name.is_empty() && self.profile.empty_partition_is_default { DEFAULT_PARTITION } else { name };
        c.partition_position(name)
    }

    /// Resolves every name to a partition index, in order; the first missing name is 200.
    fn resolve_partitions(&self, c: &Collection, names: &[String]) -> Result<Vec<usize>> {
        names
            .iter()
            .map(|n| self.find_position(c, n).ok_or_else(|| Error::PartitionNotFound { name: n.clone() }))
            .collect()
    }

    fn check_collection_name(&self, name: &str) -> Result<()> {
        names::validate_collection(name, NameKind::Collection, &self.profile)
    }

    fn refuse_partition_key(c: &Collection, action: &'static str) -> Result<()> {
        if c.has_partition_key() { Err(Error::PartitionKeyMode { action }) } else { Ok(()) }
    }

    /// `partitions/create`: idempotent for an existing name; a partition of a collection loaded as a whole is
    /// loaded at once.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_partition("default", "quick_setup", "january").unwrap();
    /// assert_eq!(catalog.list_partitions("default", "quick_setup").unwrap(), ["_default", "january"]);
    /// ```
    pub fn create_partition(&self, db: &str, collection: &str, partition: &str) -> Result<()> {
        self.check_collection_name(collection)?;
        self.write(db, |d| {
            let c = lookup_mut(d, collection)?;
            Self::refuse_partition_key(c, "create partition")?;
            names::validate_partition(partition, &self.profile)?;
            if c.partition(partition).is_some() {
                return Ok(());
            }
            if c.partitions.len() >= self.limits.max_partitions {
                return Err(Error::PartitionLimit {
                    count: c.partitions.len(),
                    max: self.limits.max_partitions,
                    collection: c.name().to_string(),
                });
            }
            let loaded_since = (c.load_type == LoadType::Collection).then(Instant::now);
            c.add_partition(Partition { id: self.next_id(), name: partition.to_string(), loaded_since });
            Ok(())
        })
    }

    /// `partitions/drop`: idempotent for a missing partition; refuses a loaded partition and `_default`.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_partition("default", "quick_setup", "january").unwrap();
    /// let loaded = catalog.drop_partition("default", "quick_setup", "january").unwrap_err();
    /// assert_eq!(loaded.code(catalog.profile()), 65535); // release it first
    /// catalog.release_partitions("default", "quick_setup", &["january".to_string()]).unwrap();
    /// catalog.drop_partition("default", "quick_setup", "january").unwrap();
    /// ```
    pub fn drop_partition(&self, db: &str, collection: &str, partition: &str) -> Result<()> {
        self.check_collection_name(collection)?;
        self.write(db, |d| {
            let c = lookup_mut(d, collection)?;
            Self::refuse_partition_key(c, "drop partition")?;
            names::validate_partition(partition, &self.profile)?;
            let Some(position) = c.partition_position(partition) else {
                return Ok(());
            };
            if c.is_loaded() && c.partitions[position].loaded_since.is_some() {
                return Err(Error::DropLoadedPartition);
            }
            if partition == DEFAULT_PARTITION {
                return Err(Error::DropDefaultPartition);
            }
            c.remove_partition(position);
            Ok(())
        })
    }

    /// `partitions/has`: the partition name is checked before the collection is looked up.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert!(catalog.has_partition("default", "quick_setup", "_default").unwrap());
    /// ```
    pub fn has_partition(&self, db: &str, collection: &str, partition: &str) -> Result<bool> {
        self.check_collection_name(collection)?;
        names::validate_partition(partition, &self.profile)?;
        self.read(db, |d| Ok(lookup(d, collection)?.partition(partition).is_some()))
    }

    /// `partitions/list`, in creation order.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert_eq!(catalog.list_partitions("default", "quick_setup").unwrap(), ["_default"]);
    /// ```
    pub fn list_partitions(&self, db: &str, collection: &str) -> Result<Vec<String>> {
        self.check_collection_name(collection)?;
        self.read(db, |d| Ok(lookup(d, collection)?.partitions.iter().map(|p| p.name.clone()).collect()))
    }

    /// `partitions/get_stats`: the partition's flushed rows (contract part 2 §D.6), or its live rows with
    /// [`Catalog::set_live_row_counts`].
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert_eq!(catalog.partition_row_count("default", "quick_setup", "_default").unwrap(), 0);
    /// ```
    pub fn partition_row_count(&self, db: &str, collection: &str, partition: &str) -> Result<i64> {
        self.check_collection_name(collection)?;
        self.read(db, |d| {
            let c = lookup(d, collection)?;
            self.find_partition(c, partition)
                .map(|p| self.stats_rows(c, &[p.id]))
                .ok_or_else(|| Error::PartitionNotFound { name: partition.to_string() })
        })
    }

    /// `partitions/load`: adds the named partitions to what is loaded.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_partition("default", "quick_setup", "january").unwrap();
    /// catalog.release_collection("default", "quick_setup").unwrap();
    /// catalog.load_partitions("default", "quick_setup", &["january".to_string()]).unwrap();
    /// assert_eq!(catalog.loaded_partitions("default", "quick_setup").unwrap(), ["january"]);
    /// ```
    pub fn load_partitions(&self, db: &str, collection: &str, partitions: &[String]) -> Result<()> {
        self.check_collection_name(collection)?;
        self.write(db, |d| {
            let c = lookup_mut(d, collection)?;
            Self::refuse_partition_key(c, "load partitions")?;
            if c.indexes.is_empty() {
                return Err(Error::IndexNotFoundCollection { name: c.name().to_string() });
            }
            if !c.vector_fields().any(|f| c.indexes.iter().any(|i| i.field == f.name)) {
                return Err(Error::NoVectorIndexOnCollection { name: c.name().to_string() });
            }
            let targets = self.resolve_partitions(c, partitions)?;
            if targets.is_empty() {
                return Err(Error::LoadEmptyList);
            }
            let now = Instant::now();
            for i in targets {
                c.partitions[i].loaded_since.get_or_insert(now);
            }
            if c.load_type == LoadType::NotLoaded {
                c.load_type = LoadType::Partitions;
            }
            Ok(())
        })
    }

    /// `partitions/release`: releasing every loaded partition releases the collection (querycoord's
    /// `ReleasePartitionJob`); otherwise only the named partitions are released.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_partition("default", "quick_setup", "january").unwrap();
    /// let seed_page = ["_default".to_string(), "january".to_string()];
    /// catalog.release_partitions("default", "quick_setup", &seed_page).unwrap();
    /// assert!(catalog.loaded_partitions("default", "quick_setup").unwrap().is_empty());
    /// ```
    pub fn release_partitions(&self, db: &str, collection: &str, partitions: &[String]) -> Result<()> {
        self.check_collection_name(collection)?;
        self.write(db, |d| {
            let c = lookup_mut(d, collection)?;
            Self::refuse_partition_key(c, "release partitions")?;
            let targets = self.resolve_partitions(c, partitions)?;
            if targets.is_empty() {
                return Err(Error::ReleaseEmptyList);
            }
            if !c.is_loaded() {
                return Ok(());
            }
            let mut targets = targets;
            targets.sort_unstable();
            targets.dedup();
            // Does a partition outside the list stay loaded? The scan stops at the first one, so a partial release
            // is usually decided within a few partitions, even among 1,024.
            let others_loaded = c
                .partitions
                .iter()
                .enumerate()
                .any(|(i, p)| p.loaded_since.is_some() && targets.binary_search(&i).is_err());
            if !others_loaded {
                release_all(c);
            } else {
                for i in targets {
                    c.partitions[i].loaded_since = None;
                }
            }
            Ok(())
        })
    }
}
