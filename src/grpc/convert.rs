//! Protobuf to catalog and back: a serialized `schema.CollectionSchema` into a [`CollectionSpec`], and the catalog's
//! views into the messages Milvus's `DescribeCollection` and `DescribeIndex` answer. The REST side does the same to
//! JSON in `src/api/render.rs`.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use milvus::proto::common::KeyValuePair;
use milvus::proto::milvus as pb;
use milvus::proto::schema::{self, value_field::Data};
use prost::Message;
use serde_json::Value;

use crate::catalog::{
    CollectionSpec, CollectionView, ConsistencyLevel, DataType, FIRST_FIELD_ID, Field, FieldView, FunctionSpec,
    FunctionView, IndexView,
};
use crate::error::Error;
use crate::version::Profile;

/// Protobuf `KeyValuePair`s as the catalog keeps them.
pub(super) fn from_pairs(pairs: Vec<KeyValuePair>) -> Vec<(String, String)> {
    pairs.into_iter().map(|p| (p.key, p.value)).collect()
}

/// The catalog's pairs as protobuf `KeyValuePair`s.
pub(super) fn to_pairs(pairs: &[(String, String)]) -> Vec<KeyValuePair> {
    pairs.iter().map(|(key, value)| KeyValuePair { key: key.clone(), value: value.clone() }).collect()
}

/// A hybrid timestamp (Milvus's TSO: physical milliseconds shifted left by 18 bits) for the time the process first
/// answered a gRPC call. The catalog keeps no creation times, so every `created_timestamp` is this one: earlier
/// than any call, and the same for every object.
pub(super) fn created_timestamp() -> u64 {
    created_utc_ms() << 18
}

/// [`created_timestamp`]'s physical part, in milliseconds since the Unix epoch.
pub(super) fn created_utc_ms() -> u64 {
    static STARTED: OnceLock<u64> = OnceLock::new();
    *STARTED.get_or_init(now_ms)
}

/// Milliseconds since the Unix epoch.
pub(super) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// `CreateCollection`'s request as a spec: the schema bytes decoded, field ids assigned from 100 (as rootcoord
/// does, whatever the client sent), `shards_num` 0 as the default 1, `num_partitions` 0 as the profile's default.
/// A field marked `is_dynamic` (`$meta`) is Milvus's own and is left out, as the catalog adds none.
pub(super) fn collection_spec(
    request: &pb::CreateCollectionRequest,
    profile: &Profile,
) -> Result<CollectionSpec, Error> {
    let schema = schema::CollectionSchema::decode(request.schema.as_slice())
        .map_err(|e| Error::Plain(format!("proto: cannot parse invalid wire-format data: {e}")))?;
    let outputs: Vec<&str> =
        schema.functions.iter().flat_map(|f| f.output_field_names.iter().map(String::as_str)).collect();
    #[allow(deprecated)] // `CollectionSchema.autoID`: old clients still set it instead of the field's flag.
    let schema_auto_id = schema.auto_id;
    let mut fields = Vec::with_capacity(schema.fields.len());
    for f in schema.fields.iter().filter(|f| !f.is_dynamic) {
        let mut field = Field::new(FIRST_FIELD_ID + fields.len() as i64, &f.name, data_type(f.data_type())?);
        if field.data_type == DataType::Array {
            field.element_type = Some(data_type(f.element_type())?);
        }
        field.primary_key = f.is_primary_key;
        field.auto_id = f.is_primary_key && (f.auto_id || schema_auto_id);
        field.partition_key = f.is_partition_key;
        field.clustering_key = f.is_clustering_key;
        field.nullable = f.nullable;
        field.description = f.description.clone();
        field.params = from_pairs(f.type_params.clone());
        field.default_value = f.default_value.as_ref().and_then(|v| v.data.as_ref()).map(default_json);
        field.function_output = f.is_function_output || outputs.contains(&f.name.as_str());
        fields.push(field);
    }
    let functions = schema.functions.iter().map(function_spec).collect();
    let consistency_level = ConsistencyLevel::parse(request.consistency_level().as_str_name())
        .expect("every commonpb.ConsistencyLevel has a catalog name");
    Ok(CollectionSpec {
        name: request.collection_name.clone(),
        description: schema.description,
        fields,
        functions,
        enable_dynamic_field: schema.enable_dynamic_field,
        shards_num: if request.shards_num > 0 { i64::from(request.shards_num) } else { 1 },
        consistency_level,
        properties: from_pairs(request.properties.clone()),
        partition_key_partitions: usize::try_from(request.num_partitions)
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or(profile.default_partition_key_partitions),
    })
}

/// A `schemapb.DataType` the catalog knows (it has the proto's names); the newer ones (`Mol`, `Date`, ...) are
/// refused with the proxy's text for a type it does not support.
fn data_type(proto: schema::DataType) -> Result<DataType, Error> {
    DataType::parse(proto.as_str_name())
        .ok_or_else(|| Error::Plain(format!("field data type: {} is not supported", proto.as_str_name())))
}

/// A default value as the catalog keeps it: the JSON value REST would have sent.
fn default_json(data: &Data) -> Value {
    match data {
        Data::BoolData(b) => Value::Bool(*b),
        Data::IntData(i) | Data::DateData(i) => Value::from(*i),
        Data::LongData(i) | Data::TimestamptzData(i) | Data::TimeData(i) => Value::from(*i),
        Data::FloatData(f) => Value::from(f64::from(*f)),
        Data::DoubleData(f) => Value::from(*f),
        Data::StringData(s) => Value::String(s.clone()),
        Data::BytesData(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
    }
}

fn function_spec(f: &schema::FunctionSchema) -> FunctionSpec {
    FunctionSpec {
        name: f.name.clone(),
        description: f.description.clone(),
        function_type: f.r#type().as_str_name().to_string(),
        input_field_names: f.input_field_names.clone(),
        output_field_names: f.output_field_names.clone(),
        params: f.params.iter().map(|p| (p.key.clone(), Value::String(p.value.clone()))).collect(),
    }
}

/// `DescribeCollection`'s answer (`describeCollectionTask.Execute` in `internal/proxy/task.go`): the schema with
/// field ids, the channel names rootcoord gives each shard, and the creation time (see [`created_timestamp`]).
pub(super) fn describe_collection(view: &CollectionView, db_id: i64) -> pb::DescribeCollectionResponse {
    let ids = |names: &[String]| -> Vec<i64> {
        names.iter().filter_map(|n| view.fields.iter().find(|f| &f.name == n).map(|f| f.id)).collect()
    };
    #[allow(deprecated)] // `CollectionSchema.autoID` is deprecated; Milvus still fills it.
    let schema = schema::CollectionSchema {
        name: view.name.clone(),
        description: view.description.clone(),
        auto_id: view.auto_id,
        fields: view.fields.iter().map(field_schema).collect(),
        enable_dynamic_field: view.enable_dynamic_field,
        functions: view
            .functions
            .iter()
            .map(|f| function_schema(f, ids(&f.input_field_names), ids(&f.output_field_names)))
            .collect(),
        db_name: view.db.clone(),
        ..Default::default()
    };
    let shards = 0..view.shards_num;
    pb::DescribeCollectionResponse {
        status: Some(Default::default()),
        schema: Some(schema),
        collection_id: view.id,
        virtual_channel_names: shards.clone().map(|i| format!("by-dev-rootcoord-dml_{i}_{}v{i}", view.id)).collect(),
        physical_channel_names: shards.map(|i| format!("by-dev-rootcoord-dml_{i}")).collect(),
        created_timestamp: created_timestamp(),
        created_utc_timestamp: created_utc_ms(),
        shards_num: view.shards_num as i32,
        aliases: view.aliases.clone(),
        consistency_level: proto_consistency(view.consistency_level) as i32,
        collection_name: view.name.clone(),
        properties: to_pairs(&view.properties),
        db_name: view.db.clone(),
        num_partitions: view.partitions_num as i64,
        db_id,
        update_timestamp: created_timestamp(),
        update_timestamp_str: created_timestamp().to_string(),
        ..Default::default()
    }
}

fn proto_consistency(level: ConsistencyLevel) -> milvus::proto::common::ConsistencyLevel {
    milvus::proto::common::ConsistencyLevel::from_str_name(level.as_str())
        .expect("every catalog consistency level is a commonpb.ConsistencyLevel")
}

fn proto_data_type(data_type: DataType) -> schema::DataType {
    schema::DataType::from_str_name(data_type.as_str()).expect("every catalog data type is a schemapb.DataType")
}

fn field_schema(f: &FieldView) -> schema::FieldSchema {
    schema::FieldSchema {
        field_id: f.id,
        name: f.name.clone(),
        is_primary_key: f.primary_key,
        description: f.description.clone(),
        data_type: proto_data_type(f.data_type) as i32,
        type_params: to_pairs(&f.params),
        auto_id: f.auto_id,
        element_type: f.element_type.map_or(0, |t| proto_data_type(t) as i32),
        default_value: f
            .default_value
            .as_ref()
            .map(|v| schema::ValueField { data: Some(default_data(f.data_type, v)) }),
        is_partition_key: f.partition_key,
        is_clustering_key: f.clustering_key,
        nullable: f.nullable,
        is_function_output: f.function_output,
        ..Default::default()
    }
}

/// A default value in the field's `ValueField` case, converted as `convertDefaultValue` (REST) or the client
/// (gRPC) would have: integers for integer types, `float32` for `Float`, the text for strings.
fn default_data(data_type: DataType, value: &Value) -> Data {
    let number = value.as_f64().unwrap_or_default();
    match data_type {
        DataType::Bool => Data::BoolData(value.as_bool().unwrap_or_default()),
        DataType::Int8 | DataType::Int16 | DataType::Int32 => Data::IntData(number as i32),
        DataType::Int64 => Data::LongData(value.as_i64().unwrap_or(number as i64)),
        DataType::Float => Data::FloatData(number as f32),
        DataType::Double => Data::DoubleData(number),
        _ => Data::StringData(value.as_str().map_or_else(|| value.to_string(), str::to_string)),
    }
}

fn function_schema(f: &FunctionView, input_ids: Vec<i64>, output_ids: Vec<i64>) -> schema::FunctionSchema {
    schema::FunctionSchema {
        name: f.name.clone(),
        id: f.id,
        description: f.description.clone(),
        r#type: schema::FunctionType::from_str_name(&f.function_type).map_or(0, |t| t as i32),
        input_field_names: f.input_field_names.clone(),
        input_field_ids: input_ids,
        output_field_names: f.output_field_names.clone(),
        output_field_ids: output_ids,
        params: to_pairs(&f.params),
    }
}

/// One `IndexDescription`: the user's index params as the client sent them (`index_type`, `metric_type`, and the
/// build params as one JSON object under `params`, which pymilvus decodes), the properties set since, and the
/// state `Finished`: the mock builds at once.
pub(super) fn index_description(i: &IndexView) -> pb::IndexDescription {
    let params = match &i.user_params {
        // Created over gRPC: the request's pairs, as Milvus keeps them.
        Some(sent) => to_pairs(sent).into_iter().chain(to_pairs(&i.properties)).collect(),
        None => rest_index_params(i),
    };
    pb::IndexDescription {
        index_name: i.name.clone(),
        index_id: i.id,
        params,
        field_name: i.field.clone(),
        indexed_rows: i.indexed_rows,
        total_rows: i.total_rows,
        state: milvus::proto::common::IndexState::Finished as i32,
        pending_index_rows: i.pending_rows,
        ..Default::default()
    }
}

/// The params of an index created over REST, as the REST handler sent them to the proxy: `index_type`,
/// `metric_type`, and the build params as one JSON `params` entry.
fn rest_index_params(i: &IndexView) -> Vec<KeyValuePair> {
    let mut params = vec![KeyValuePair { key: "index_type".into(), value: i.index_type.clone() }];
    if !i.metric_type.is_empty() {
        params.push(KeyValuePair { key: "metric_type".into(), value: i.metric_type.clone() });
    }
    if !i.params.is_empty() {
        let object: serde_json::Map<String, Value> = (i.params.iter())
            .map(|(k, v)| (k.clone(), serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.clone()))))
            .collect();
        params.push(KeyValuePair { key: "params".into(), value: Value::Object(object).to_string() });
    }
    params.extend(to_pairs(&i.properties));
    params
}

/// `CreateIndex`'s `extra_params` as a catalog index request: `index_type` and `metric_type` by name, `params` (a
/// JSON object) spread into build params with Go's `%v` of each value, and any other key kept as a build param.
pub(super) fn index_request(request: &pb::CreateIndexRequest) -> Result<crate::catalog::IndexRequest, Error> {
    let mut index = crate::catalog::IndexRequest {
        field: request.field_name.clone(),
        name: request.index_name.clone(),
        user_params: Some(request.extra_params.iter().map(|p| (p.key.clone(), p.value.clone())).collect()),
        ..Default::default()
    };
    for p in &request.extra_params {
        match p.key.as_str() {
            "index_type" => index.index_type = p.value.clone(),
            "metric_type" => index.metric_type = p.value.clone(),
            "params" => {
                let object: serde_json::Map<String, Value> = serde_json::from_str(&p.value).map_err(|e| {
                    Error::InvalidParameter(format!("index params is not a json object: {e}: invalid parameter"))
                })?;
                index.params.extend(object.iter().map(|(k, v)| (k.clone(), crate::go::fmt::go_format(v))));
            }
            _ => index.params.push((p.key.clone(), p.value.clone())),
        }
    }
    Ok(index)
}
