//! The catalog's views as Milvus's REST JSON: the keys, the wording and the conversions the Go REST handler applies
//! (`printFieldDetail`, `printIndexes`, `printFunctionDetails`, `convertDefaultValue` in
//! internal/distributed/proxy/httpserver/utils.go), and the REST handler's own answers built from them. The envelope
//! around them is [`Reply`]'s.

use serde_json::{Value, json};

use crate::catalog::{
    AliasView, CollectionView, DataType, DatabaseView, FieldView, FunctionView, IndexView, LoadProgress, LoadState,
};
use crate::envelope::Reply;
use crate::error::Error;
use crate::version::Profile;

/// `collections/describe`'s `data`.
pub fn collection(view: &CollectionView) -> Value {
    json!({
        "aliases": view.aliases,
        "autoId": view.auto_id,
        "collectionID": view.id,
        "collectionName": view.name,
        "consistencyLevel": view.consistency_level.as_str(),
        "description": view.description,
        "enableDynamicField": view.enable_dynamic_field,
        "fields": view.fields.iter().map(field).collect::<Vec<_>>(),
        "functions": view.functions.iter().map(function).collect::<Vec<_>>(),
        "indexes": view.indexes.iter().map(index_summary).collect::<Vec<_>>(),
        "load": view.load_state.as_str(),
        "partitionsNum": view.partitions_num,
        "properties": key_values(&view.properties),
        "shardsNum": view.shards_num,
    })
}

/// `printFieldDetail` (V2): `params` only when there are type params, `elementType` only for arrays.
fn field(f: &FieldView) -> Value {
    let mut out = json!({
        "autoId": f.auto_id,
        "clusteringKey": f.clustering_key,
        "description": f.description,
        "id": f.id,
        "name": f.name,
        "nullable": f.nullable,
        "partitionKey": f.partition_key,
        "primaryKey": f.primary_key,
        "type": f.data_type.as_str(),
    });
    if !f.params.is_empty() {
        out["params"] = key_values(&f.params);
    }
    if let Some(element) = &f.element_type {
        out["elementType"] = json!(element.as_str());
    }
    if let Some(default) = &f.default_value {
        out["defaultValue"] = value_field(f.data_type, default);
    }
    if f.function_output {
        out["isFunctionOutput"] = json!(true);
    }
    out
}

/// The protobuf `ValueField` a default value becomes, as Go's `encoding/json` prints the oneof wrapper.
///
/// A number is the `float64` Go decoded, converted as `convertDefaultValue` (`httpserver/utils.go`) does:
/// `int32(v)` for `IntData`, `int64(v)` for `LongData` (both drop the fraction), `float32(v)` for `FloatData`,
/// `v` for `DoubleData`; so `1e3` and `1000.0` read back as `1000`, and an integer beyond 2^53 as its nearest
/// `float64`. Out of their type's range, Go's integer conversions are platform-defined; these saturate.
fn value_field(data_type: DataType, value: &Value) -> Value {
    let number = value.as_f64();
    let (key, data) = match (data_type, number) {
        (DataType::Bool, _) => ("BoolData", value.clone()),
        (DataType::Int8 | DataType::Int16 | DataType::Int32, Some(v)) => ("IntData", json!(v as i32)),
        (DataType::Int8 | DataType::Int16 | DataType::Int32, None) => ("IntData", value.clone()),
        (DataType::Int64, Some(v)) => ("LongData", json!(v as i64)),
        (DataType::Int64, None) => ("LongData", value.clone()),
        (DataType::Float, Some(v)) => ("FloatData", json!(float32(v))),
        (DataType::Float, None) => ("FloatData", value.clone()),
        (DataType::Double, Some(v)) => ("DoubleData", json!(v)),
        (DataType::Double, None) => ("DoubleData", value.clone()),
        _ => ("StringData", value.clone()),
    };
    json!({"Data": {key: data}})
}

/// Go's `float32(v)` as `encoding/json` prints it (32-bit shortest digits: `0.1`, not `0.10000000149011612`),
/// as the `f64` with those digits.
fn float32(v: f64) -> f64 {
    let single = v as f32;
    single.to_string().parse().unwrap_or(f64::from(single))
}

/// One schema function as `printFunctionDetails` shows it.
fn function(f: &FunctionView) -> Value {
    json!({
        "description": f.description,
        "id": f.id,
        "inputFieldNames": f.input_field_names,
        "name": f.name,
        "outputFieldNames": f.output_field_names,
        "params": key_values(&f.params),
        "type": f.function_type,
    })
}

/// One entry of `collections/describe`'s `indexes` (`printIndexes`). An index without a metric (a scalar one)
/// has no `metric_type` param, and `getMetricType` falls back to `DefaultMetricType`, COSINE
/// (internal/distributed/proxy/httpserver/utils.go, constant.go).
fn index_summary(i: &IndexView) -> Value {
    let metric = if i.metric_type.is_empty() { "COSINE" } else { i.metric_type.as_str() };
    json!({"fieldName": i.field, "indexName": i.name, "metricType": metric})
}

/// `indexes/describe`'s `data`: a one-entry list.
pub fn index(i: &IndexView) -> Value {
    json!([{
        "failReason": "",
        "fieldName": i.field,
        "indexName": i.name,
        "indexState": i.state.as_str(),
        "indexType": i.index_type,
        "indexedRows": i.indexed_rows,
        "metricType": i.metric_type,
        "pendingRows": i.pending_rows,
        "totalRows": i.total_rows,
    }])
}

/// `databases/describe`'s `data`.
pub fn database(d: &DatabaseView) -> Value {
    json!({"dbID": d.id, "dbName": d.name, "properties": key_values(&d.properties)})
}

/// `aliases/describe`'s `data`.
pub fn alias(a: &AliasView) -> Value {
    json!({"aliasName": a.alias, "collectionName": a.collection, "dbName": a.db})
}

/// `collections/get_load_state`'s answer. The proxy's `GetLoadingProgress` errors (a partition missing or not loaded)
/// do not make an error answer: the REST handler answers code 0, progress -1 and the error's text with a `.`.
pub fn load_state(progress: &LoadProgress, profile: &Profile) -> Reply {
    let percent = |progress: i64, message: String| {
        let state = if progress >= 100 { LoadState::Loaded } else { LoadState::Loading };
        Reply::DataWithMessage(json!({"loadProgress": progress, "loadState": state.as_str()}), message)
    };
    match progress {
        LoadProgress::NotLoaded => Reply::Data(json!({"loadState": LoadState::NotLoad.as_str()})),
        LoadProgress::Percent(p) => percent(*p, String::new()),
        LoadProgress::PartitionNotFound { name } => {
            let err = Error::PartitionNotFound { name: name.clone() };
            percent(-1, format!("{}.", err.message(profile)))
        }
        LoadProgress::PartitionNotLoaded { id } => {
            let base = format!("partition not loaded[partition={id}]");
            let message = if profile.long_partition_not_loaded {
                format!("partition {id} has not been loaded to memory or load failed: {base}.")
            } else {
                format!("{base}.")
            };
            percent(-1, message)
        }
    }
}

/// Protobuf `KeyValuePair`s: `{"key":..,"value":..}`; an empty value is omitted (`omitempty`).
fn key_values(pairs: &[(String, String)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| if v.is_empty() { json!({"key": k}) } else { json!({"key": k, "value": v}) })
            .collect(),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn empty_property_values_drop_the_value_key() {
        let kv = key_values(&[("a".into(), "".into()), ("b".into(), "1".into())]);
        assert_eq!(kv, json!([{"key": "a"}, {"key": "b", "value": "1"}]));
    }

    #[test]
    fn a_partition_not_loaded_reads_as_the_profile_words_it() {
        use crate::MilvusVersion;
        let not_loaded = LoadProgress::PartitionNotLoaded { id: 7 };
        let long = "partition 7 has not been loaded to memory or load failed: partition not loaded[partition=7].";
        let expected = |message: &str| {
            Reply::DataWithMessage(json!({"loadProgress": -1, "loadState": "LoadStateLoading"}), message.into())
        };
        assert_eq!(load_state(&not_loaded, &Profile::new(MilvusVersion::V2_4)), expected(long));
        assert_eq!(load_state(&not_loaded, &Profile::default()), expected("partition not loaded[partition=7]."));
    }

    #[test]
    fn describe_shows_functions_with_ids_after_the_fields_and_params_as_go_prints_them() {
        let catalog = crate::Catalog::new(Default::default(), Default::default(), Default::default());
        catalog.create_collection_from_json("default", bm25_collection()).unwrap();
        let data = collection(&catalog.describe_collection("default", "docs").unwrap());
        let expected = json!([{
            "description": "", "id": 103, "inputFieldNames": ["text"], "name": "bm25", "outputFieldNames": ["sparse"],
            "params": [{"key": "b", "value": "0.75"}, {"key": "k1", "value": "1.2"}, {"key": "on", "value": "true"}],
            "type": "BM25",
        }]);
        assert_eq!(data["functions"], expected);
        assert_eq!(data["fields"][2]["isFunctionOutput"], true);
        assert_eq!(data["fields"][1].get("isFunctionOutput"), None);
    }

    /// `docs`: a BM25 function from `text` into `sparse`.
    pub(crate) fn bm25_collection() -> Value {
        json!({"collectionName": "docs", "schema": {
            "fields": [
                {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
                {"fieldName": "text", "dataType": "VarChar", "elementTypeParams": {"max_length": 64}},
                {"fieldName": "sparse", "dataType": "SparseFloatVector"}],
            "functions": [{"name": "bm25", "type": "BM25", "inputFieldNames": ["text"], "outputFieldNames": ["sparse"],
                           "params": {"k1": 1.2, "b": 0.75, "on": true}}]}})
    }

    #[test]
    fn a_scalar_index_shows_cosine_in_collection_describe_and_no_metric_in_index_describe() {
        let catalog = crate::Catalog::new(Default::default(), Default::default(), Default::default());
        let body = json!({"collectionName": "c", "schema": {"fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]},
            "indexParams": [{"fieldName": "id", "indexName": "pk", "indexType": "STL_SORT"},
                            {"fieldName": "v", "metricType": "L2"}]});
        catalog.create_collection_from_json("default", body).unwrap();
        let view = catalog.describe_collection("default", "c").unwrap();
        assert_eq!(
            collection(&view)["indexes"][0],
            json!({"fieldName": "id", "indexName": "pk", "metricType": "COSINE"})
        );
        assert_eq!(index(&view.indexes[0])[0]["metricType"], "");
    }
}
