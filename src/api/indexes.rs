//! `/v2/vectordb/indexes/*` (part 2 §A).

use serde_json::{Map, Value};

use super::collections::CollectionNameReq;
use super::databases::properties;
use super::render;
use crate::catalog::{Catalog, IndexRequest};
use crate::envelope::Reply;
use crate::error::Result;
use crate::go::json::GoObject;

/// One entry of `indexParams`. Its `required` tag on `fieldName` is not enforced (no `dive`).
#[derive(Debug, PartialEq)]
pub struct IndexParam {
    pub field_name: String,
    pub index_name: String,
    pub metric_type: String,
    pub index_type: String,
    pub params: Option<Map<String, Value>>,
}

impl IndexParam {
    /// `convertToExtraParams`: the REST layer's view of one index request.
    pub fn to_request(&self) -> IndexRequest {
        IndexRequest {
            field: self.field_name.clone(),
            name: self.index_name.clone(),
            index_type: self.index_type.clone(),
            metric_type: self.metric_type.clone(),
            params: properties(self.params.clone()),
            user_params: None,
        }
    }
}

/// Reads `indexParams` (`None` when missing or `null`), in the request macro's reader style.
pub trait ReadIndexParams {
    fn index_params(&mut self, key: &str) -> Option<Vec<IndexParam>>;
}

impl ReadIndexParams for GoObject<'_> {
    fn index_params(&mut self, key: &str) -> Option<Vec<IndexParam>> {
        self.objects(key, "[]httpserver.IndexParam", "IndexParam", |p| IndexParam {
            field_name: p.string("fieldName"),
            index_name: p.string("indexName"),
            metric_type: p.string("metricType"),
            index_type: p.string("indexType"),
            params: p.map("params"),
        })
    }
}

request! {
    /// `indexes/create`.
    IndexParamReq("IndexParamReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        index_params: Option<Vec<IndexParam>> = index_params("indexParams"), required "IndexParams";
    }
}

request! {
    fast
    /// `indexes/describe|drop`.
    IndexReq("IndexReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        index_name: String = string("indexName"), required "IndexName";
    }
}

request! {
    /// `indexes/alter_properties`.
    IndexReqWithProperties("IndexReqWithProperties") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        index_name: String = string("indexName"), required "IndexName";
        properties: Option<Map<String, Value>> = map("properties");
    }
}

request! {
    fast
    /// `indexes/drop_properties`.
    DropIndexPropertiesReq("DropIndexPropertiesReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        index_name: String = string("indexName"), required "IndexName";
        property_keys: Option<Vec<String>> = strings("propertyKeys");
    }
}

pub fn create_index(catalog: &Catalog, db: &str, req: IndexParamReq) -> Result<Reply> {
    let requests = req.index_params.unwrap_or_default().iter().map(IndexParam::to_request).collect();
    catalog.create_indexes(db, &req.collection_name, requests)?;
    Ok(Reply::Empty)
}

pub fn list_indexes(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    Ok(Reply::List(catalog.list_indexes(db, &req.collection_name)?))
}

pub fn describe_index(catalog: &Catalog, db: &str, req: IndexReq) -> Result<Reply> {
    Ok(Reply::Data(render::index(&catalog.describe_index(db, &req.collection_name, &req.index_name)?)))
}

pub fn drop_index(catalog: &Catalog, db: &str, req: IndexReq) -> Result<Reply> {
    catalog.drop_index(db, &req.collection_name, &req.index_name)?;
    Ok(Reply::Empty)
}

pub fn alter_index_properties(catalog: &Catalog, db: &str, req: IndexReqWithProperties) -> Result<Reply> {
    catalog.alter_index_properties(db, &req.collection_name, &req.index_name, properties(req.properties), &[])?;
    Ok(Reply::Empty)
}

pub fn drop_index_properties(catalog: &Catalog, db: &str, req: DropIndexPropertiesReq) -> Result<Reply> {
    catalog.alter_index_properties(
        db,
        &req.collection_name,
        &req.index_name,
        Vec::new(),
        &req.property_keys.unwrap_or_default(),
    )?;
    Ok(Reply::Empty)
}
