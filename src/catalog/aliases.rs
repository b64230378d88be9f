//! Aliases (part 2 §B). Every collection lookup resolves aliases first (`Database::resolve`), as rootcoord does.

use super::Catalog;
use super::views::AliasView;
use crate::error::{Error, NameKind, Result};
use crate::names;

impl Catalog {
    fn check_alias_and_collection(&self, alias: &str, collection: &str) -> Result<()> {
        names::validate_collection(alias, NameKind::Alias, &self.profile)?;
        names::validate_collection(collection, NameKind::Collection, &self.profile)
    }

    /// `aliases/create`: idempotent when the alias already names the same collection.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_alias("default", "quick_setup", "qs").unwrap();
    /// assert_eq!(catalog.list_aliases("default", "quick_setup").unwrap(), ["qs"]);
    /// ```
    pub fn create_alias(&self, db: &str, collection: &str, alias: &str) -> Result<()> {
        self.check_alias_and_collection(alias, collection)?;
        self.write(db, |d| {
            if d.collections.contains_key(alias) {
                return Err(Error::AliasCollectionConflict { db: db.to_string(), alias: alias.to_string() });
            }
            // The target must be a real collection: an alias is not resolved here.
            if !d.collections.contains_key(collection) {
                return Err(Error::CollectionNotFound { db: db.to_string(), name: collection.to_string() });
            }
            match d.aliases.get(alias) {
                Some(current) if current == collection => Ok(()),
                Some(current) => Err(Error::AliasExists {
                    db: db.to_string(),
                    alias: alias.to_string(),
                    collection: current.clone(),
                }),
                None => {
                    d.aliases.insert(alias.to_string(), collection.to_string());
                    Ok(())
                }
            }
        })
    }

    /// `aliases/alter`: moves an existing alias to another collection.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// # catalog.quick_setup("default", "other", 5).unwrap();
    /// catalog.create_alias("default", "quick_setup", "current").unwrap();
    /// catalog.alter_alias("default", "other", "current").unwrap();
    /// assert_eq!(catalog.describe_alias("default", "current").unwrap().collection, "other");
    /// ```
    pub fn alter_alias(&self, db: &str, collection: &str, alias: &str) -> Result<()> {
        self.check_alias_and_collection(alias, collection)?;
        self.write(db, |d| {
            if !d.aliases.contains_key(alias) {
                return Err(Error::AliasNotFound { db: db.to_string(), alias: alias.to_string() });
            }
            if !d.collections.contains_key(collection) {
                return Err(Error::CollectionNotFoundNoDb { name: collection.to_string() });
            }
            d.aliases.insert(alias.to_string(), collection.to_string());
            Ok(())
        })
    }

    /// `aliases/drop`: a missing alias (or database) is success.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_alias("default", "quick_setup", "qs").unwrap();
    /// catalog.drop_alias("default", "qs").unwrap();
    /// catalog.drop_alias("default", "qs").unwrap(); // a missing alias is fine
    /// assert!(catalog.list_aliases("default", "").unwrap().is_empty());
    /// ```
    pub fn drop_alias(&self, db: &str, alias: &str) -> Result<()> {
        if self.profile.validate_alias_on_drop {
            names::validate_collection(alias, NameKind::Alias, &self.profile)?;
        }
        if let Some(mut d) = self.dbs().get_mut(db) {
            d.aliases.remove(alias);
        }
        Ok(())
    }

    /// `aliases/describe`.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_alias("default", "quick_setup", "qs").unwrap();
    /// let alias = catalog.describe_alias("default", "qs").unwrap();
    /// assert_eq!((alias.alias.as_str(), alias.collection.as_str(), alias.db.as_str()), ("qs", "quick_setup", "default"));
    /// ```
    pub fn describe_alias(&self, db: &str, alias: &str) -> Result<AliasView> {
        self.read(db, |d| {
            let collection = d
                .aliases
                .get(alias)
                .ok_or_else(|| Error::AliasNotFound { db: db.to_string(), alias: alias.to_string() })?;
            Ok(AliasView { alias: alias.to_string(), collection: collection.clone(), db: db.to_string() })
        })
    }

    /// `aliases/list`: every alias of the database, or of one collection; sorted for a stable answer.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_alias("default", "quick_setup", "b").unwrap();
    /// catalog.create_alias("default", "quick_setup", "a").unwrap();
    /// assert_eq!(catalog.list_aliases("default", "").unwrap(), ["a", "b"]);
    /// ```
    pub fn list_aliases(&self, db: &str, collection: &str) -> Result<Vec<String>> {
        self.read(db, |d| {
            if collection.is_empty() {
                let mut all: Vec<String> = d.aliases.keys().cloned().collect();
                all.sort();
                return Ok(all);
            }
            let real = d.resolve(collection);
            if !d.collections.contains_key(real) {
                return Err(Error::CollectionNotFoundNoDb { name: collection.to_string() });
            }
            Ok(d.aliases_of(real))
        })
    }
}
