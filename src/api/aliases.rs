//! `/v2/vectordb/aliases/*` (part 2 §B).

use crate::catalog::Catalog;
use crate::envelope::Reply;
use crate::error::Result;

request! {
    fast
    /// `aliases/drop|describe`.
    AliasReq("AliasReq") db = db_name {
        db_name: String = string("dbName");
        alias_name: String = string("aliasName"), required "AliasName";
    }
}

request! {
    fast
    /// `aliases/create|alter`.
    AliasCollectionReq("AliasCollectionReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        alias_name: String = string("aliasName"), required "AliasName";
    }
}

request! {
    fast
    /// `aliases/list`: `collectionName` is an optional filter.
    OptionalCollectionNameReq("OptionalCollectionNameReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName");
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
    Ok(Reply::Data(super::render::alias(&catalog.describe_alias(db, &req.alias_name)?)))
}

pub fn list_aliases(catalog: &Catalog, db: &str, req: OptionalCollectionNameReq) -> Result<Reply> {
    Ok(Reply::List(catalog.list_aliases(db, &req.collection_name)?))
}
