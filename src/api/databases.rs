//! `/v2/vectordb/databases/*` (contract §4.1, §6.1; 2.5+).

use serde_json::{Map, Value};

use crate::catalog::Catalog;
use crate::envelope::Reply;
use crate::error::Result;
use crate::go::fmt::go_format;

/// Property maps become `KeyValuePair`s with Go's `%v` (`true` -> `"true"`).
pub(crate) fn properties(map: Option<Map<String, Value>>) -> Vec<(String, String)> {
    map.unwrap_or_default().iter().map(|(k, v)| (k.clone(), go_format(v))).collect()
}

request! {
    /// `databases/create`, `databases/alter`, `databases/alter_properties`.
    DatabaseReqWithProperties("DatabaseReqWithProperties") {
        db_name: String = string("dbName"), required "DbName";
        properties: Option<Map<String, Value>> = map("properties");
    }
}

request! {
    /// `databases/drop`, `databases/describe`.
    DatabaseReqRequiredName("DatabaseReqRequiredName") {
        db_name: String = string("dbName"), required "DbName";
    }
}

request! {
    fast
    /// `databases/drop_properties` (2.6+).
    DropDatabasePropertiesReq("DropDatabasePropertiesReq") {
        db_name: String = string("dbName"), required "DbName";
        property_keys: Option<Vec<String>> = strings("propertyKeys");
    }
}

request! {
    fast
    /// `databases/list`: any object; its fields, `dbName` included, are ignored.
    EmptyReq("EmptyReq") {}
}

pub fn create_database(catalog: &Catalog, _db: &str, req: DatabaseReqWithProperties) -> Result<Reply> {
    catalog.create_database(&req.db_name, properties(req.properties))?;
    Ok(Reply::Empty)
}

pub fn drop_database(catalog: &Catalog, _db: &str, req: DatabaseReqRequiredName) -> Result<Reply> {
    catalog.drop_database(&req.db_name)?;
    Ok(Reply::Empty)
}

pub fn list_databases(catalog: &Catalog, _db: &str, _req: EmptyReq) -> Result<Reply> {
    Ok(Reply::List(catalog.list_databases()))
}

pub fn describe_database(catalog: &Catalog, _db: &str, req: DatabaseReqRequiredName) -> Result<Reply> {
    Ok(Reply::Data(super::render::database(&catalog.describe_database(&req.db_name)?)))
}

pub fn alter_database(catalog: &Catalog, _db: &str, req: DatabaseReqWithProperties) -> Result<Reply> {
    catalog.alter_database(&req.db_name, properties(req.properties))?;
    Ok(Reply::Empty)
}

pub fn drop_database_properties(catalog: &Catalog, _db: &str, req: DropDatabasePropertiesReq) -> Result<Reply> {
    catalog.drop_database_properties(&req.db_name, &req.property_keys.unwrap_or_default())?;
    Ok(Reply::Empty)
}
