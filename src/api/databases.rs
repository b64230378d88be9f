//! `/v2/vectordb/databases/*` (contract §4.1, §6.1; 2.5+).

use serde_json::{Map, Value};

use crate::catalog::{Catalog, go_format};
use crate::envelope::{MilvusRequest, Reply};
use crate::error::Result;
use crate::gojson::{GoObject, Required};

/// Property maps become `KeyValuePair`s with Go's `%v` (`true` -> `"true"`).
pub(crate) fn properties(map: Option<Map<String, Value>>) -> Vec<(String, String)> {
    map.unwrap_or_default().iter().map(|(k, v)| (k.clone(), go_format(v))).collect()
}

/// `databases/create`, `databases/alter`, `databases/alter_properties`.
pub struct DatabaseReqWithProperties {
    pub db_name: String,
    pub properties: Option<Map<String, Value>>,
}

impl MilvusRequest for DatabaseReqWithProperties {
    const GO_TYPE: &'static str = "httpserver.DatabaseReqWithProperties";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self { db_name: o.string("dbName"), properties: o.map("properties") }
    }
    fn required(&self, r: &mut Required) {
        r.check("DatabaseReqWithProperties", "DbName", !self.db_name.is_empty());
    }
}

/// `databases/drop`, `databases/describe`.
pub struct DatabaseReqRequiredName {
    pub db_name: String,
}

impl MilvusRequest for DatabaseReqRequiredName {
    const GO_TYPE: &'static str = "httpserver.DatabaseReqRequiredName";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self { db_name: o.string("dbName") }
    }
    fn required(&self, r: &mut Required) {
        r.check("DatabaseReqRequiredName", "DbName", !self.db_name.is_empty());
    }
}

/// `databases/drop_properties` (2.6+).
pub struct DropDatabasePropertiesReq {
    pub db_name: String,
    pub property_keys: Vec<String>,
}

impl MilvusRequest for DropDatabasePropertiesReq {
    const GO_TYPE: &'static str = "httpserver.DropDatabasePropertiesReq";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self { db_name: o.string("dbName"), property_keys: o.strings("propertyKeys").unwrap_or_default() }
    }
    fn required(&self, r: &mut Required) {
        r.check("DropDatabasePropertiesReq", "DbName", !self.db_name.is_empty());
    }
}

/// `databases/list`: any object; its fields, `dbName` included, are ignored.
pub struct EmptyReq;

impl MilvusRequest for EmptyReq {
    const GO_TYPE: &'static str = "httpserver.EmptyReq";
    fn read(_: &mut GoObject<'_>) -> Self {
        EmptyReq
    }
    fn required(&self, _: &mut Required) {}
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
    Ok(Reply::Data(catalog.describe_database(&req.db_name)?))
}

pub fn alter_database(catalog: &Catalog, _db: &str, req: DatabaseReqWithProperties) -> Result<Reply> {
    catalog.alter_database(&req.db_name, properties(req.properties))?;
    Ok(Reply::Empty)
}

pub fn drop_database_properties(catalog: &Catalog, _db: &str, req: DropDatabasePropertiesReq) -> Result<Reply> {
    catalog.drop_database_properties(&req.db_name, &req.property_keys)?;
    Ok(Reply::Empty)
}
