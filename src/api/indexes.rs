//! `/v2/vectordb/indexes/*` (part 2 §A).

use serde_json::{Map, Value};

use super::collections::CollectionNameReq;
use super::databases::properties;
use crate::catalog::{Catalog, IndexRequest};
use crate::envelope::{MilvusRequest, Reply};
use crate::error::Result;
use crate::gojson::{GoObject, Required};

/// One entry of `indexParams`. Its `required` tag on `fieldName` is not enforced (no `dive`).
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
        }
    }
}

/// Reads `indexParams` (`None` when missing or `null`) of the struct `strukt`.
pub fn read_index_params(o: &mut GoObject<'_>, _strukt: &str) -> Option<Vec<IndexParam>> {
    let present = o.any("indexParams").is_some();
    let params = o.objects("indexParams", "[]httpserver.IndexParam", "IndexParam", |p| IndexParam {
        field_name: p.string("fieldName"),
        index_name: p.string("indexName"),
        metric_type: p.string("metricType"),
        index_type: p.string("indexType"),
        params: p.map("params"),
    });
    present.then_some(params)
}

/// `indexes/create`.
pub struct IndexParamReq {
    pub db_name: String,
    pub collection_name: String,
    pub index_params: Option<Vec<IndexParam>>,
}

impl MilvusRequest for IndexParamReq {
    const GO_TYPE: &'static str = "httpserver.IndexParamReq";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            index_params: read_index_params(o, "IndexParamReq"),
        }
    }
    fn required(&self, r: &mut Required) {
        r.check("IndexParamReq", "CollectionName", !self.collection_name.is_empty());
        r.check("IndexParamReq", "IndexParams", self.index_params.is_some());
    }
    fn db_name(&self) -> &str {
        &self.db_name
    }
}

/// `indexes/describe|drop|alter_properties|drop_properties`: one index by name.
pub struct IndexReq {
    pub db_name: String,
    pub collection_name: String,
    pub index_name: String,
    pub properties: Option<Map<String, Value>>,
    pub property_keys: Vec<String>,
    go_struct: &'static str,
}

macro_rules! index_req {
    ($name:ident, $go:literal) => {
        /// An [`IndexReq`] under the Go struct name Milvus uses for this route.
        pub struct $name(pub IndexReq);

        impl MilvusRequest for $name {
            const GO_TYPE: &'static str = concat!("httpserver.", $go);
            fn read(o: &mut GoObject<'_>) -> Self {
                $name(IndexReq {
                    db_name: o.string("dbName"),
                    collection_name: o.string("collectionName"),
                    index_name: o.string("indexName"),
                    properties: o.map("properties"),
                    property_keys: o.strings("propertyKeys").unwrap_or_default(),
                    go_struct: $go,
                })
            }
            fn required(&self, r: &mut Required) {
                self.0.required(r)
            }
            fn db_name(&self) -> &str {
                &self.0.db_name
            }
        }
    };
}

index_req!(IndexNameReq, "IndexReq");
index_req!(IndexReqWithProperties, "IndexReqWithProperties");
index_req!(DropIndexPropertiesReq, "DropIndexPropertiesReq");

impl IndexReq {
    fn required(&self, r: &mut Required) {
        r.check(self.go_struct, "CollectionName", !self.collection_name.is_empty());
        r.check(self.go_struct, "IndexName", !self.index_name.is_empty());
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

pub fn describe_index(catalog: &Catalog, db: &str, IndexNameReq(req): IndexNameReq) -> Result<Reply> {
    Ok(Reply::Data(catalog.describe_index(db, &req.collection_name, &req.index_name)?))
}

pub fn drop_index(catalog: &Catalog, db: &str, IndexNameReq(req): IndexNameReq) -> Result<Reply> {
    catalog.drop_index(db, &req.collection_name, &req.index_name)?;
    Ok(Reply::Empty)
}

pub fn alter_index_properties(
    catalog: &Catalog,
    db: &str,
    IndexReqWithProperties(req): IndexReqWithProperties,
) -> Result<Reply> {
    catalog.alter_index_properties(db, &req.collection_name, &req.index_name, properties(req.properties), &[])?;
    Ok(Reply::Empty)
}

pub fn drop_index_properties(
    catalog: &Catalog,
    db: &str,
    DropIndexPropertiesReq(req): DropIndexPropertiesReq,
) -> Result<Reply> {
    catalog.alter_index_properties(db, &req.collection_name, &req.index_name, Vec::new(), &req.property_keys)?;
    Ok(Reply::Empty)
}
