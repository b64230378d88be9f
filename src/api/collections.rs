//! `/v2/vectordb/collections/*` (contract §4.2, §6.2, §7).

use serde_json::{Map, Value, json};

use super::databases::properties;
use super::indexes::{IndexParam, ReadIndexParams};
use super::render;
use crate::catalog::{
    Catalog, CollectionSpec, ConsistencyLevel, DataType, FIRST_FIELD_ID, Field, FunctionSpec, IndexRequest,
};
use crate::envelope::Reply;
use crate::error::{Error, Result};
use crate::go::bind::MilvusRequest;
use crate::go::fmt::{go_format, parse_bool};
use crate::go::json::{GoObject, Required};

request! {
    fast
    /// `collections/list` (`DatabaseReq`).
    DatabaseReq("DatabaseReq") db = db_name {
        db_name: String = string("dbName");
    }
}

request! {
    fast
    /// The body of most collection routes; `partitionNames` is used only by `get_load_state`.
    CollectionNameReq("CollectionNameReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        partition_names: Option<Vec<String>> = strings("partitionNames");
    }
}

request! {
    fast
    /// `collections/rename`; an empty `newDbName` means the same database.
    RenameCollectionReq("RenameCollectionReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        new_collection_name: String = string("newCollectionName"), required "NewCollectionName";
        new_db_name: String = string("newDbName");
    }
}

request! {
    /// `collections/alter_properties`.
    CollectionReqWithProperties("CollectionReqWithProperties") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        properties: Option<Map<String, Value>> = map("properties");
    }
}

request! {
    fast
    /// `collections/drop_properties`.
    DropCollectionPropertiesReq("DropCollectionPropertiesReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        property_keys: Option<Vec<String>> = strings("propertyKeys");
    }
}

/// One entry of `schema.fields`.
pub struct FieldSchema {
    pub field_name: String,
    pub data_type: String,
    pub element_data_type: String,
    pub is_primary: bool,
    pub is_partition_key: bool,
    pub is_clustering_key: bool,
    pub element_type_params: Option<Map<String, Value>>,
    pub nullable: bool,
    pub default_value: Option<Value>,
    pub description: String,
}

/// `schema`.
#[derive(Default)]
pub struct CollectionSchema {
    pub fields: Vec<FieldSchema>,
    pub functions: Vec<FunctionSpec>,
    pub auto_id: bool,
    pub enable_dynamic_field: bool,
}

/// `collections/create` (`CollectionReq`).
pub struct CollectionReq {
    pub db_name: String,
    pub collection_name: String,
    pub dimension: i64,
    pub id_type: String,
    pub auto_id: bool,
    pub metric_type: String,
    pub primary_field_name: String,
    pub vector_field_name: String,
    pub schema: CollectionSchema,
    pub index_params: Vec<IndexParam>,
    pub params: Map<String, Value>,
    pub description: String,
}

fn read_field(o: &mut GoObject<'_>) -> FieldSchema {
    FieldSchema {
        field_name: o.string("fieldName"),
        data_type: o.string("dataType"),
        element_data_type: o.string("elementDataType"),
        is_primary: o.bool("isPrimary"),
        is_partition_key: o.bool("isPartitionKey"),
        is_clustering_key: o.bool("isClusteringKey"),
        element_type_params: o.map("elementTypeParams"),
        nullable: o.bool("nullable"),
        default_value: o.any("defaultValue"),
        description: o.string("description"),
    }
}

fn read_function(o: &mut GoObject<'_>) -> FunctionSpec {
    FunctionSpec {
        name: o.string("name"),
        description: o.string("description"),
        function_type: o.string("type"),
        input_field_names: o.strings("inputFieldNames").unwrap_or_default(),
        output_field_names: o.strings("outputFieldNames").unwrap_or_default(),
        params: o.map("params").unwrap_or_default(),
    }
}

impl MilvusRequest for CollectionReq {
    const GO_TYPE: &'static str = "httpserver.CollectionReq";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            dimension: o.int("dimension", "int32", 32),
            id_type: o.string("idType"),
            auto_id: o.bool("autoID"),
            metric_type: o.string("metricType"),
            primary_field_name: o.string("primaryFieldName"),
            vector_field_name: o.string("vectorFieldName"),
            schema: o
                .object("schema", "httpserver.CollectionSchema", "CollectionSchema", |s| CollectionSchema {
                    fields: s
                        .objects("fields", "[]httpserver.FieldSchema", "FieldSchema", read_field)
                        .unwrap_or_default(),
                    functions: s
                        .objects("functions", "[]httpserver.FunctionSchema", "FunctionSchema", read_function)
                        .unwrap_or_default(),
                    auto_id: s.bool("autoID"),
                    enable_dynamic_field: s.bool("enableDynamicField"),
                })
                .unwrap_or_default(),
            index_params: o.index_params("indexParams").unwrap_or_default(),
            params: o.map("params").unwrap_or_default(),
            description: o.string("description"),
        }
    }
    fn required(&self, r: &mut Required) {
        r.check("CollectionReq", "CollectionName", !self.collection_name.is_empty());
    }
    fn take_db_name(&mut self) -> String {
        std::mem::take(&mut self.db_name)
    }
}

impl CollectionReq {
    fn param(&self, key: &str) -> Option<String> {
        self.params.get(key).map(go_format)
    }

    /// Turns the request into a spec and its index requests, with the REST handler's checks (1100 / 1802).
    pub fn into_spec(self, catalog: &Catalog) -> Result<(CollectionSpec, Vec<IndexRequest>)> {
        let consistency_level = self.param("consistencyLevel").unwrap_or_else(|| "Bounded".to_string());
        let parsed_consistency_level = ConsistencyLevel::parse(&consistency_level);
        let shards_num = self.param("shardsNum").and_then(|s| s.parse().ok()).unwrap_or(1);
        let mut props = Vec::new();
        if let Some(ttl) = self.param("ttlSeconds") {
            props.push(("collection.ttl.seconds".to_string(), ttl));
        }
        if let Some(isolation) = self.param("partitionKeyIsolation") {
            props.push(("partitionkey.isolation".to_string(), isolation));
        }
        let partition_key_partitions = self
            .param("partitionsNum")
            .and_then(|s| s.parse().ok())
            .unwrap_or(catalog.profile().default_partition_key_partitions);
        let (fields, functions, enable_dynamic_field, indexes) =
            if self.schema.fields.is_empty() { self.quick_setup()? } else { self.custom_schema()? };
        let Some(consistency_level) = parsed_consistency_level else {
            return Err(Error::InvalidParameter(format!(
                "consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded: \
                 invalid parameter[expected=Strong, Session, Bounded, Eventually, Customized][actual={consistency_level}]"
            )));
        };
        let spec = CollectionSpec {
            name: self.collection_name.clone(),
            description: self.description.clone(),
            fields,
            functions,
            enable_dynamic_field,
            shards_num,
            consistency_level,
            properties: props,
            partition_key_partitions,
        };
        Ok((spec, indexes))
    }

    #[allow(clippy::type_complexity)]
    fn quick_setup(&self) -> Result<(Vec<Field>, Vec<FunctionSpec>, bool, Vec<IndexRequest>)> {
        if self.dimension == 0 {
            return Err(Error::InvalidParameter(
                "dimension is required for quickly create collection(default metric type: COSINE): \
                 invalid parameter[expected=collectionName & dimension][actual=collectionName]"
                    .into(),
            ));
        }
        let primary_name = if self.primary_field_name.is_empty() { "id" } else { &self.primary_field_name };
        let vector_name = if self.vector_field_name.is_empty() { "vector" } else { &self.vector_field_name };
        let mut primary = match self.id_type.as_str() {
            "" | "Int64" | "int64" => Field::new(FIRST_FIELD_ID, primary_name, DataType::Int64),
            "VarChar" | "Varchar" => {
                let mut f = Field::new(FIRST_FIELD_ID, primary_name, DataType::VarChar);
                // No default: a missing max_length is sent as Go's "<nil>" and fails in the proxy.
                let max_length = self.param("max_length").unwrap_or_else(|| "<nil>".to_string());
                f.params.push(("max_length".into(), max_length));
                f
            }
            other => {
                return Err(Error::InvalidParameter(format!(
                    "idType can only be [Int64, VarChar], default: Int64: invalid parameter[expected=Int64, Varchar][actual={other}]"
                )));
            }
        };
        primary.primary_key = true;
        primary.auto_id = self.auto_id;
        let mut vector = Field::new(FIRST_FIELD_ID + 1, vector_name, DataType::FloatVector);
        vector.params.push(("dim".into(), self.dimension.to_string()));
        let enable_dynamic = match self.param("enableDynamicField") {
            None => true,
            Some(v) => parse_bool(&v).ok_or_else(|| {
                Error::InvalidParameter(format!(
                    "parse enableDynamicField fail, err: strconv.ParseBool: parsing \"{v}\": invalid syntax"
                ))
            })?,
        };
        let metric = if self.metric_type.is_empty() { "COSINE" } else { &self.metric_type };
        let index = IndexRequest {
            field: vector_name.to_string(),
            name: vector_name.to_string(),
            metric_type: metric.to_string(),
            ..IndexRequest::default()
        };
        Ok((vec![primary, vector], Vec::new(), enable_dynamic, vec![index]))
    }

    #[allow(clippy::type_complexity)]
    fn custom_schema(&self) -> Result<(Vec<Field>, Vec<FunctionSpec>, bool, Vec<IndexRequest>)> {
        let mut fields = Vec::with_capacity(self.schema.fields.len());
        let outputs: Vec<String> =
            self.schema.functions.iter().flat_map(|f| f.output_field_names.iter().cloned()).collect();
        for (i, fs) in self.schema.fields.iter().enumerate() {
            // Matched case-sensitively, as Milvus does.
            let Some(data_type) = DataType::parse(&fs.data_type) else {
                return Err(Error::InvalidParameter(format!(
                    "invalid parameter, data type {} is invalid(case sensitive).",
                    fs.data_type
                )));
            };
            // convertDefaultValue (httpserver/utils.go) runs between the two type checks; it knows scalar types
            // only. Text, Geometry and Timestamptz are left alone (their handling differs across versions).
            let no_default = matches!(data_type, DataType::Json | DataType::Array) || fs.data_type.ends_with("Vector");
            if fs.default_value.is_some() && no_default {
                return Err(Error::InvalidParameter(format!(
                    "convert defaultValue fail, err:Unexpected default value type: {}: invalid parameter",
                    fs.data_type
                )));
            }
            let mut f = Field::new(FIRST_FIELD_ID + i as i64, &fs.field_name, data_type);
            if data_type == DataType::Array {
                let Some(element_type) = DataType::parse(&fs.element_data_type) else {
                    return Err(Error::InvalidParameter(format!(
                        "invalid parameter, element data type {} is invalid(case sensitive).",
                        fs.element_data_type
                    )));
                };
                f.element_type = Some(element_type);
            }
            f.primary_key = fs.is_primary;
            f.auto_id = fs.is_primary && self.schema.auto_id;
            f.partition_key = fs.is_partition_key;
            f.clustering_key = fs.is_clustering_key;
            f.nullable = fs.nullable;
            f.description = fs.description.clone();
            f.params = properties(fs.element_type_params.clone());
            f.default_value = fs.default_value.clone();
            f.function_output = outputs.contains(&fs.field_name);
            fields.push(f);
        }
        let functions = self.schema.functions.clone();
        let indexes = self.index_params.iter().map(IndexParam::to_request).collect();
        Ok((fields, functions, self.schema.enable_dynamic_field, indexes))
    }
}

pub fn create_collection(catalog: &Catalog, db: &str, req: CollectionReq) -> Result<Reply> {
    let (spec, indexes) = req.into_spec(catalog)?;
    let load = !indexes.is_empty();
    create_indexed(catalog, db, spec, indexes, load)?;
    Ok(Reply::Empty)
}

/// The REST handler's create sequence: create the collection, then its `indexParams` (each field checked first,
/// 1802, once the collection exists), then load when asked; as one step under the database's lock, so no other
/// call sees the collection half set up. The REST handler loads whenever there are indexes; fixtures decide.
pub(crate) fn create_indexed(
    catalog: &Catalog,
    db: &str,
    spec: CollectionSpec,
    indexes: Vec<IndexRequest>,
    load: bool,
) -> Result<()> {
    catalog.create_collection_then(db, spec, |setup| {
        for request in indexes {
            if setup.collection().field(&request.field).is_none() {
                return Err(Error::IndexFieldNotInSchema(request.field));
            }
            setup.create_index(request)?;
        }
        if load { setup.load() } else { Ok(()) }
    })
}

pub fn list_collections(catalog: &Catalog, db: &str, _req: DatabaseReq) -> Result<Reply> {
    Ok(Reply::List(catalog.list_collections(db)?))
}

pub fn has_collection(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    Ok(Reply::Has(catalog.has_collection(db, &req.collection_name)?))
}

pub fn describe_collection(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    let view = catalog.describe_collection(db, &req.collection_name)?;
    // The REST handler's sub-calls (DescribeIndex, ...) add their errors to `message` and answer anyway.
    let mut message = String::new();
    if view.indexes.is_empty() {
        message.push_str(&Error::IndexNotFoundCollection { name: view.name.clone() }.message(catalog.profile()));
        message.push(';');
    }
    Ok(Reply::DataWithMessage(render::collection(&view), message))
}

pub fn get_collection_stats(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    Ok(Reply::RowCount(catalog.collection_row_count(db, &req.collection_name)?))
}

pub fn get_load_state(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    let progress = catalog.get_load_state(db, &req.collection_name, req.partition_names.as_deref())?;
    Ok(render::load_state(&progress, catalog.profile()))
}

pub fn drop_collection(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    catalog.drop_collection(db, &req.collection_name)?;
    Ok(Reply::Empty)
}

pub fn rename_collection(catalog: &Catalog, db: &str, req: RenameCollectionReq) -> Result<Reply> {
    catalog.rename_collection(db, &req.collection_name, &req.new_collection_name, &req.new_db_name)?;
    Ok(Reply::Empty)
}

pub fn load_collection(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    catalog.load_collection(db, &req.collection_name)?;
    Ok(Reply::Empty)
}

pub fn refresh_load(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    catalog.refresh_load(db, &req.collection_name)?;
    Ok(Reply::Empty)
}

pub fn release_collection(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    catalog.release_collection(db, &req.collection_name)?;
    Ok(Reply::Empty)
}

pub fn alter_collection_properties(catalog: &Catalog, db: &str, req: CollectionReqWithProperties) -> Result<Reply> {
    catalog.alter_collection_properties(db, &req.collection_name, properties(req.properties))?;
    Ok(Reply::Empty)
}

pub fn drop_collection_properties(catalog: &Catalog, db: &str, req: DropCollectionPropertiesReq) -> Result<Reply> {
    catalog.drop_collection_properties(db, &req.collection_name, &req.property_keys.unwrap_or_default())?;
    Ok(Reply::Empty)
}

impl Catalog {
    /// Creates a collection from a `collections/create` body, exactly as the route would (quick setup or schema,
    /// indexes, load).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// let body = serde_json::json!({"collectionName": "books", "dimension": 8, "metricType": "L2"});
    /// catalog.create_collection_from_json("default", body).unwrap();
    /// assert_eq!(catalog.list_collections("default").unwrap(), ["books"]);
    /// ```
    pub fn create_collection_from_json(&self, db: &str, body: Value) -> Result<()> {
        let bytes = body.to_string();
        let request: CollectionReq = crate::go::bind::decode(bytes.as_bytes()).map_err(Error::Binding)?;
        let (spec, indexes) = request.into_spec(self)?;
        let load = !indexes.is_empty();
        create_indexed(self, db, spec, indexes, load)
    }

    /// Quick setup, like `{"collectionName": name, "dimension": dimension}`: created, indexed and loaded.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert_eq!(catalog.loaded_partitions("default", "quick_setup").unwrap(), ["_default"]);
    /// ```
    pub fn quick_setup(&self, db: &str, name: &str, dimension: i64) -> Result<()> {
        self.create_collection_from_json(db, json!({"collectionName": name, "dimension": dimension}))
    }
}
