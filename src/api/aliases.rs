//! `/v2/vectordb/aliases/*` (part 2 §B).

use crate::catalog::Catalog;
use crate::envelope::{MilvusRequest, Reply};
use crate::error::Result;
use crate::gojson::{GoObject, Required};

/// `aliases/drop|describe`.
pub struct AliasReq {
    pub db_name: String,
    pub alias_name: String,
}

impl MilvusRequest for AliasReq {
    const GO_TYPE: &'static str = "httpserver.AliasReq";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self { db_name: o.string("dbName"), alias_name: o.string("aliasName") }
    }
    fn required(&self, r: &mut Required) {
        r.check("AliasReq", "AliasName", !self.alias_name.is_empty());
    }
    fn db_name(&self) -> &str {
        &self.db_name
    }
}

/// `aliases/create|alter`.
pub struct AliasCollectionReq {
    pub db_name: String,
    pub collection_name: String,
    pub alias_name: String,
}

impl MilvusRequest for AliasCollectionReq {
    const GO_TYPE: &'static str = "httpserver.AliasCollectionReq";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            alias_name: o.string("aliasName"),
        }
    }
    fn required(&self, r: &mut Required) {
        r.check("AliasCollectionReq", "CollectionName", !self.collection_name.is_empty());
        r.check("AliasCollectionReq", "AliasName", !self.alias_name.is_empty());
    }
    fn db_name(&self) -> &str {
        &self.db_name
    }
}

/// `aliases/list`: `collectionName` is an optional filter.
pub struct OptionalCollectionNameReq {
    pub db_name: String,
    pub collection_name: String,
}

impl MilvusRequest for OptionalCollectionNameReq {
    const GO_TYPE: &'static str = "httpserver.OptionalCollectionNameReq";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self { db_name: o.string("dbName"), collection_name: o.string("collectionName") }
    }
    fn required(&self, _: &mut Required) {}
    fn db_name(&self) -> &str {
        &self.db_name
    }
}

pub fn create_alias(catalog: &Catalog, db: &str, req: AliasCollectionReq) -> Result<Reply> {
    catalog.create_alias(db, &req.collection_name, &req.alias_name)?;
    Ok(Reply::Empty)
}

pub fn alter_alias(catalog: &Catalog, db: &str, req: AliasCollectionReq) -> Result<Reply> {
    catalog.alter_alias(db, &req.collection_name, &req.alias_name)?;
    Ok(Reply::Empty)
}

pub fn drop_alias(catalog: &Catalog, db: &str, req: AliasReq) -> Result<Reply> {
    catalog.drop_alias(db, &req.alias_name)?;
    Ok(Reply::Empty)
}

pub fn describe_alias(catalog: &Catalog, db: &str, req: AliasReq) -> Result<Reply> {
    Ok(Reply::Data(catalog.describe_alias(db, &req.alias_name)?))
}

pub fn list_aliases(catalog: &Catalog, db: &str, req: OptionalCollectionNameReq) -> Result<Reply> {
    Ok(Reply::List(catalog.list_aliases(db, &req.collection_name)?))
}
