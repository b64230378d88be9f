//! Fixtures: a JSON description of databases, collections, partitions, indexes, aliases and load states, used to
//! seed a server at start-up (`--fixtures`), by [`MockMilvusBuilder::fixture`](crate::MockMilvusBuilder::fixture),
//! and as the control plane's state dump (`GET /_mock/state`).
//!
//! The format, in short (README "Fixtures" has the full reference):
//!
//! ```json
//! {"databases": [{"name": "default", "collections": [
//!     {"collectionName": "quick_setup", "dimension": 5,
//!      "partitions": ["_default", "january"], "loaded": true}
//! ]}]}
//! ```
//!
//! A collection is the body of `collections/create` (quick setup with `dimension`, or `schema` + `indexParams`),
//! plus `id`, `properties`, `partitions`, `aliases`, `loaded` (`true`, `false` or a list of partition names),
//! `loadType` (`collection` or `partitions`, with a list) and `loadDurationMs`. It is created through the same code
//! as the REST call, so a fixture breaks the same rules a request would, and every problem is reported with the
//! file and the place in it. Nothing is applied unless the whole set is valid.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::api::collections::CollectionReq;
use crate::api::databases::properties;
use crate::catalog::{Catalog, Collection, DEFAULT_DATABASE, Database, FunctionSpec, LoadType};
use crate::go::bind::MilvusRequest;
use crate::go::json::GoObject;

/// A fixture that failed: where, and why.
///
/// ```
/// use milvus_mock::{MockMilvus, fixtures::Fixture};
/// let bad = Fixture::new("inline", serde_json::json!({"databases": "nope"}));
/// let err = MockMilvus::builder().fixture(bad).try_start_blocking().unwrap_err();
/// assert_eq!(err.to_string(), "inline: \"databases\" must be a list");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureError(pub String);

impl std::fmt::Display for FixtureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FixtureError {}

/// One fixture document and where it came from (a path, or a name for fixtures built in code).
///
/// ```
/// use milvus_mock::{MockMilvus, fixtures::Fixture};
/// let seed = Fixture::new("seed", serde_json::json!({"databases": [{"name": "analytics"}]}));
/// let milvus = MockMilvus::builder().fixture(seed).start_blocking();
/// assert_eq!(milvus.catalog().list_databases(), ["default", "analytics"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fixture {
    pub source: String,
    pub value: Value,
}

impl Fixture {
    /// A fixture built in code.
    ///
    /// ```
    /// use milvus_mock::fixtures::Fixture;
    /// let f = Fixture::new("inline", serde_json::json!({"databases": [{"name": "analytics"}]}));
    /// assert_eq!(f.source, "inline");
    /// ```
    pub fn new(source: &str, value: Value) -> Self {
        Self { source: source.to_string(), value }
    }

    /// Reads a fixture file, or every `*.json` file of a folder in name order.
    ///
    /// ```
    /// let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/quick_setup.json");
    /// let fixtures = milvus_mock::fixtures::Fixture::load(&path).unwrap();
    /// assert_eq!(fixtures.len(), 1);
    /// ```
    pub fn load(path: &Path) -> Result<Vec<Fixture>, FixtureError> {
        let files: Vec<PathBuf> = if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            let entries = std::fs::read_dir(path)
                .map_err(|e| FixtureError(format!("{}: cannot read the folder: {e}", path.display())))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            files.sort();
            files
        } else {
            vec![path.to_path_buf()]
        };
        files
            .into_iter()
            .map(|file| {
                let text = read_regular_file(&file)?;
                let value = serde_json::from_str(&text)
                    .map_err(|e| FixtureError(format!("{}: not valid JSON: {e}", file.display())))?;
                Ok(Fixture { source: file.display().to_string(), value })
            })
            .collect()
    }
}

/// The largest fixture file read (1 GiB): a bound, so that a wrong path cannot read until memory runs out.
pub const MAX_FIXTURE_FILE: u64 = 1 << 30;

/// A fixture file's text: regular files only (checked before opening, so a FIFO or a device cannot block or
/// stream forever), at most [`MAX_FIXTURE_FILE`] bytes.
fn read_regular_file(file: &Path) -> Result<String, FixtureError> {
    use std::io::Read;
    let fail = |what: String| FixtureError(format!("{}: {what}", file.display()));
    let metadata = std::fs::metadata(file).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !metadata.is_file() {
        return Err(fail(
            "not a regular file (a FIFO, a device or a socket?); fixtures are read from files or folders".into(),
        ));
    }
    if metadata.len() > MAX_FIXTURE_FILE {
        return Err(fail(format!("{} bytes, more than the 1 GiB a fixture file may have", metadata.len())));
    }
    let mut text = String::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_FIXTURE_FILE + 1).read_to_string(&mut text))
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if text.len() as u64 > MAX_FIXTURE_FILE {
        return Err(fail("more than the 1 GiB a fixture file may have".into()));
    }
    Ok(text)
}

/// Builds the state the fixtures describe, on top of a fresh Milvus with the catalog's settings; nothing is changed
/// in `catalog` itself. Apply the result with [`Catalog::replace_all`].
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// use milvus_mock::fixtures::{Fixture, build};
/// let seed = Fixture::new("seed", serde_json::json!({"databases": [{"name": "analytics"}]}));
/// catalog.replace_all(build(&catalog, &[seed]).unwrap());
/// assert_eq!(catalog.list_databases(), ["default", "analytics"]);
/// ```
pub fn build(catalog: &Catalog, fixtures: &[Fixture]) -> Result<Vec<Database>, FixtureError> {
    let scratch = Catalog::new(catalog.profile().clone(), catalog.limits().clone(), Duration::ZERO);
    for fixture in fixtures {
        apply(&scratch, &fixture.value).map_err(|e| FixtureError(format!("{}: {e}", fixture.source)))?;
    }
    let mut databases = scratch.snapshot();
    // What a fixture or a dump says is loaded is loaded: it does not go through the load duration again.
    for p in databases.iter_mut().flat_map(|d| d.collections.values_mut()).flat_map(|c| c.partitions.iter_mut()) {
        if p.loaded_since.is_some() {
            p.loaded_since = Some(*crate::catalog::ALREADY_LOADED);
        }
    }
    Ok(databases)
}

fn milvus(catalog: &Catalog) -> impl Fn(crate::error::Error) -> String + '_ {
    |e| format!("{} (Milvus code {})", e.message(catalog.profile()), e.code(catalog.profile()))
}

fn apply(catalog: &Catalog, fixture: &Value) -> Result<(), String> {
    let root = fixture.as_object().ok_or("the document must be a JSON object with a \"databases\" list")?;
    let databases = match root.get("databases") {
        None => return Err("missing \"databases\"".into()),
        Some(Value::Array(dbs)) => dbs,
        Some(_) => return Err("\"databases\" must be a list".into()),
    };
    for (i, db) in databases.iter().enumerate() {
        let at = format!("databases[{i}]");
        let db = db.as_object().ok_or_else(|| format!("{at}: must be an object"))?;
        let name = db.get("name").and_then(Value::as_str).ok_or_else(|| format!("{at}: needs a \"name\" string"))?;
        let at = format!("{at} ({name})");
        let props = properties(db.get("properties").and_then(Value::as_object).cloned());
        if name == DEFAULT_DATABASE || catalog.list_databases().iter().any(|d| d == name) {
            catalog.alter_database(name, props).map_err(milvus(catalog)).map_err(|e| format!("{at}: {e}"))?;
        } else {
            catalog.create_database(name, props).map_err(milvus(catalog)).map_err(|e| format!("{at}: {e}"))?;
        }
        if let Some(id) = id_of(db.get("id")).map_err(|e| format!("{at}: {e}"))? {
            catalog.update_database(name, |d| d.id = id).map_err(milvus(catalog))?;
        }
        let collections = match db.get("collections") {
            None => continue,
            Some(Value::Array(c)) => c,
            Some(_) => return Err(format!("{at}: \"collections\" must be a list")),
        };
        for (j, c) in collections.iter().enumerate() {
            let at = format!("{at}.collections[{j}]");
            let c = c.as_object().ok_or_else(|| format!("{at}: must be an object"))?;
            apply_collection(catalog, name, c).map_err(|e| format!("{at}: {e}"))?;
        }
    }
    Ok(())
}

fn apply_collection(catalog: &Catalog, db: &str, c: &Map<String, Value>) -> Result<(), String> {
    let mut type_error = None;
    let mut body = c.clone();
    let request = CollectionReq::read(&mut GoObject::new(&mut body, "CollectionReq", &mut type_error));
    if let Some(e) = type_error {
        return Err(e);
    }
    let name = request.collection_name.clone();
    if name.is_empty() {
        return Err("needs a \"collectionName\"".into());
    }
    let index_properties: Vec<Vec<(String, String)>> = c
        .get("indexParams")
        .and_then(Value::as_array)
        .map(|ps| ps.iter().map(|p| properties(p.get("properties").and_then(Value::as_object).cloned())).collect())
        .unwrap_or_default();
    let (mut spec, indexes) = request.into_spec(catalog).map_err(milvus(catalog))?;
    let index_names: Vec<String> = indexes.iter().map(|i| i.name.clone()).collect();
    crate::catalog::merge_properties(
        &mut spec.properties,
        properties(c.get("properties").and_then(Value::as_object).cloned()),
    );
    let has_indexes = !indexes.is_empty();
    crate::api::collections::create_indexed(catalog, db, spec, indexes, false).map_err(milvus(catalog))?;
    let at = |e: String| format!("collection {name}: {e}");

    // Ids, partitions and index properties, set directly.
    let partitions = partition_entries(c.get("partitions"))?;
    for (partition, _) in &partitions {
        if catalog.collection(db, &name, |col| col.partition(partition).is_none()).map_err(milvus(catalog))? {
            catalog.create_partition(db, &name, partition).map_err(milvus(catalog)).map_err(at)?;
        }
    }
    let collection_id = id_of(c.get("id"))?;
    catalog
        .update_collection(db, &name, |col| {
            if let Some(id) = collection_id {
                col.id = id;
            }
            for (partition, id) in &partitions {
                if let (Some(p), Some(id)) = (col.partitions.iter_mut().find(|p| &p.name == partition), id) {
                    p.id = *id;
                }
            }
            for (index_name, props) in index_names.iter().zip(index_properties) {
                let found = col.indexes.iter_mut().find(|i| i.name == *index_name || index_name.is_empty());
                if let Some(index) = found {
                    crate::catalog::merge_properties(&mut index.properties, props);
                }
            }
            if let Some(ms) = c.get("loadDurationMs").and_then(Value::as_u64) {
                col.load_duration = Some(Duration::from_millis(ms));
            }
        })
        .map_err(milvus(catalog))?;

    if let Some(aliases) = c.get("aliases") {
        let aliases = aliases.as_array().ok_or_else(|| at("\"aliases\" must be a list of names".into()))?;
        for alias in aliases {
            let alias = alias.as_str().ok_or_else(|| at("\"aliases\" must be a list of names".into()))?;
            catalog.create_alias(db, &name, alias).map_err(milvus(catalog)).map_err(at)?;
        }
    }

    // Load state: the REST default (loaded when it has indexes) unless the fixture says otherwise.
    match c.get("loaded") {
        None if has_indexes => catalog.load_collection(db, &name).map_err(milvus(catalog)).map_err(at)?,
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => catalog.load_collection(db, &name).map_err(milvus(catalog)).map_err(at)?,
        Some(Value::Array(names)) => {
            let names: Vec<String> = names.iter().filter_map(|n| n.as_str().map(str::to_string)).collect();
            if names.is_empty() {
                // nothing loaded
            } else if c.get("loadType").and_then(Value::as_str) == Some("collection") {
                // Loaded as a whole, then some partitions released.
                catalog.load_collection(db, &name).map_err(milvus(catalog)).map_err(at)?;
                catalog
                    .update_collection(db, &name, |col| {
                        for p in col.partitions.iter_mut().filter(|p| !names.contains(&p.name)) {
                            p.loaded_since = None;
                        }
                    })
                    .map_err(milvus(catalog))?;
            } else {
                catalog.load_partitions(db, &name, &names).map_err(milvus(catalog)).map_err(at)?;
            }
        }
        Some(_) => return Err(at("\"loaded\" must be true, false or a list of partition names".into())),
    }
    Ok(())
}

/// An `id`: an integer from 0 to [`MAX_ID`](crate::catalog::MAX_ID), so that the ids allocated after the largest
/// one cannot overflow.
fn id_of(value: Option<&Value>) -> Result<Option<i64>, String> {
    let Some(value) = value else { return Ok(None) };
    match value.as_i64() {
        Some(id) if (0..=crate::catalog::MAX_ID).contains(&id) => Ok(Some(id)),
        _ => Err(format!(
            "\"id\" must be an integer from 0 to {} (new ids are allocated after the largest), got {value}",
            crate::catalog::MAX_ID
        )),
    }
}

/// `partitions`: names, or `{"name": .., "id": ..}` objects.
fn partition_entries(value: Option<&Value>) -> Result<Vec<(String, Option<i64>)>, String> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let items = value.as_array().ok_or("\"partitions\" must be a list")?;
    items
        .iter()
        .map(|p| match p {
            Value::String(name) => Ok((name.clone(), None)),
            Value::Object(o) => match o.get("name").and_then(Value::as_str) {
                Some(name) => Ok((name.to_string(), id_of(o.get("id")).map_err(|e| format!("partition {name}: {e}"))?)),
                None => Err("a partition object needs a \"name\"".to_string()),
            },
            _ => Err("a partition is a name or an object with a \"name\"".to_string()),
        })
        .collect()
}

/// The whole state in the fixture format: what `GET /_mock/state` answers. Building it back with [`build`] gives
/// the same answers to every Milvus call.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let state = milvus_mock::fixtures::dump(&catalog);
/// assert_eq!(state["databases"][0]["collections"][0]["collectionName"], "quick_setup");
/// ```
pub fn dump(catalog: &Catalog) -> Value {
    let databases: Vec<Value> = catalog.snapshot().iter().map(dump_database).collect();
    json!({"databases": databases})
}

/// [`dump`] as JSON bytes, written a collection at a time: the peak memory is the copy of the state and the bytes,
/// not a tree of the whole state besides. The same document as `dump(catalog).to_string()`.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let bytes = milvus_mock::fixtures::dump_json(&catalog);
/// assert_eq!(bytes, milvus_mock::fixtures::dump(&catalog).to_string().into_bytes());
/// ```
pub fn dump_json(catalog: &Catalog) -> Vec<u8> {
    let mut out = Vec::new();
    let write = |out: &mut Vec<u8>, value: &Value| serde_json::to_writer(out, value).expect("a Value serialises");
    out.extend_from_slice(b"{\"databases\":[");
    for (i, db) in catalog.snapshot().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // A database's keys in the order serde_json's sorted map writes them.
        out.extend_from_slice(b"{\"collections\":[");
        for (j, c) in sorted_collections(db).into_iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            write(&mut out, &dump_collection(db, c));
        }
        out.extend_from_slice(b"],\"id\":");
        write(&mut out, &json!(db.id));
        out.extend_from_slice(b",\"name\":");
        write(&mut out, &json!(db.name));
        out.extend_from_slice(b",\"properties\":");
        write(&mut out, &string_map(&db.properties));
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
}

fn sorted_collections(db: &Database) -> Vec<&Collection> {
    let mut collections: Vec<&Collection> = db.collections.values().collect();
    collections.sort_by_key(|c| c.id);
    collections
}

fn string_map(pairs: &[(String, String)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

fn dump_database(db: &Database) -> Value {
    let collections: Vec<Value> = sorted_collections(db).into_iter().map(|c| dump_collection(db, c)).collect();
    json!({"name": db.name, "id": db.id, "properties": string_map(&db.properties), "collections": collections})
}

/// A schema function in its request form, which `collections/create` and a fixture read back.
fn dump_function(f: &FunctionSpec) -> Value {
    json!({
        "name": f.name,
        "description": f.description,
        "type": f.function_type,
        "inputFieldNames": f.input_field_names,
        "outputFieldNames": f.output_field_names,
        "params": f.params,
    })
}

fn dump_collection(db: &Database, c: &Collection) -> Value {
    let fields: Vec<Value> = c
        .spec
        .fields
        .iter()
        .map(|f| {
            let mut field = json!({
                "fieldName": f.name,
                "dataType": f.data_type.as_str(),
                "isPrimary": f.primary_key,
                "isPartitionKey": f.partition_key,
                "isClusteringKey": f.clustering_key,
                "nullable": f.nullable,
                "description": f.description,
                "elementTypeParams": string_map(&f.params),
            });
            if let Some(element) = &f.element_type {
                field["elementDataType"] = json!(element.as_str());
            }
            if let Some(default) = &f.default_value {
                field["defaultValue"] = default.clone();
            }
            field
        })
        .collect();
    let indexes: Vec<Value> = c
        .indexes
        .iter()
        .map(|i| {
            json!({
                "fieldName": i.field,
                "indexName": i.name,
                "indexType": i.index_type,
                "metricType": i.metric_type,
                "params": string_map(&i.params),
                "properties": string_map(&i.properties),
            })
        })
        .collect();
    let partitions: Vec<Value> = c.partitions.iter().map(|p| json!({"name": p.name, "id": p.id})).collect();
    let loaded: Vec<&str> = c.partitions.iter().filter(|p| p.loaded_since.is_some()).map(|p| p.name.as_str()).collect();
    let mut params = json!({"shardsNum": c.spec.shards_num, "consistencyLevel": c.spec.consistency_level.as_str()});
    if c.has_partition_key() {
        params["partitionsNum"] = json!(c.spec.partition_key_partitions);
    }
    let mut out = json!({
        "collectionName": c.name(),
        "id": c.id,
        "description": c.spec.description,
        "schema": {
            "autoID": c.auto_id(),
            "enableDynamicField": c.spec.enable_dynamic_field,
            "fields": fields,
            "functions": c.spec.functions.iter().map(dump_function).collect::<Vec<_>>(),
        },
        "params": params,
        "properties": string_map(&c.spec.properties),
        "indexParams": indexes,
        "partitions": partitions,
        "aliases": db.aliases_of(c.name()),
        "loaded": loaded,
        "loadType": match c.load_type {
            LoadType::Collection => "collection",
            _ => "partitions",
        },
    });
    if let Some(d) = c.load_duration {
        out["loadDurationMs"] = json!(d.as_millis() as u64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_keeps_schema_functions_in_their_request_form_and_builds_them_back() {
        let catalog = Catalog::new(Default::default(), Default::default(), Duration::ZERO);
        catalog.create_collection_from_json("default", crate::api::render::tests::bm25_collection()).unwrap();
        let dumped = dump(&catalog);
        let functions = &dumped["databases"][0]["collections"][0]["schema"]["functions"];
        let expected = json!([{"name": "bm25", "description": "", "type": "BM25", "inputFieldNames": ["text"],
            "outputFieldNames": ["sparse"], "params": {"b": 0.75, "k1": 1.2, "on": true}}]);
        assert_eq!(functions, &expected);
        let rebuilt = build(&catalog, &[Fixture::new("dump", dumped)]).unwrap();
        let spec = |dbs: &[Database]| dbs[0].collections["docs"].spec.clone();
        assert_eq!(spec(&rebuilt), spec(&catalog.snapshot()));
    }
}
