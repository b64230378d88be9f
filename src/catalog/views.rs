//! What the catalog's describe calls answer: typed, transport-neutral copies of the state, taken under one lock.
//!
//! The catalog says what a collection, an index, a database or an alias *is*; how an answer spells it is the
//! front's job. The REST adapter turns these into Milvus's JSON (`src/api/render.rs`); the gRPC front turns them
//! into `schema.CollectionSchema`, `milvus.IndexDescription` and so on (`src/grpc/convert.rs`). So nothing here knows
//! a JSON key.

use serde_json::Value;

use crate::go::fmt::go_format;

use super::model::{Collection, ConsistencyLevel, DataType, Database, Field, FunctionSpec, Index, LoadState};

/// A collection as `collections/describe` (gRPC `DescribeCollection`) sees it.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// use milvus_mock::catalog::{CollectionView, LoadState};
/// let view: CollectionView = catalog.describe_collection("default", "quick_setup").unwrap();
/// assert_eq!((view.name.as_str(), view.db.as_str()), ("quick_setup", "default"));
/// assert_eq!(view.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["id", "vector"]);
/// assert_eq!(view.load_state, LoadState::Loaded);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CollectionView {
    pub id: i64,
    /// The real name (describing through an alias gives the collection's own name).
    pub name: String,
    /// The database it lives in.
    pub db: String,
    pub description: String,
    /// In schema order.
    pub fields: Vec<FieldView>,
    /// In schema order, with the ids Milvus gives functions (after the last field's).
    pub functions: Vec<FunctionView>,
    /// Every index of the collection, scalar ones too, in creation order.
    pub indexes: Vec<IndexView>,
    pub properties: Vec<(String, String)>,
    pub consistency_level: ConsistencyLevel,
    pub shards_num: i64,
    /// How many partitions it has, `_default` included.
    pub partitions_num: usize,
    pub load_state: LoadState,
    /// Its aliases, sorted.
    pub aliases: Vec<String>,
    pub enable_dynamic_field: bool,
    /// The primary field's auto-id flag.
    pub auto_id: bool,
}

impl CollectionView {
    pub(crate) fn new(db: &Database, c: &Collection, load_state: LoadState) -> Self {
        let first_function_id = super::FIRST_FIELD_ID + c.spec.fields.len() as i64;
        Self {
            id: c.id,
            name: c.name().to_string(),
            db: db.name.clone(),
            description: c.spec.description.clone(),
            fields: c.spec.fields.iter().map(FieldView::from).collect(),
            functions: (c.spec.functions.iter().enumerate())
                .map(|(i, f)| FunctionView::new(f, first_function_id + i as i64))
                .collect(),
            indexes: c.indexes.iter().map(IndexView::from).collect(),
            properties: c.spec.properties.clone(),
            consistency_level: c.spec.consistency_level,
            shards_num: c.spec.shards_num,
            partitions_num: c.partitions.len(),
            load_state,
            aliases: db.aliases_of(c.name()),
            enable_dynamic_field: c.spec.enable_dynamic_field,
            auto_id: c.auto_id(),
        }
    }
}

/// One field of a described collection's schema.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let vector = &catalog.describe_collection("default", "quick_setup").unwrap().fields[1];
/// assert_eq!((vector.id, vector.data_type), (101, milvus_mock::catalog::DataType::FloatVector));
/// assert_eq!(vector.params, [("dim".to_string(), "5".to_string())]);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FieldView {
    pub id: i64,
    pub name: String,
    pub data_type: DataType,
    /// For `Array` fields.
    pub element_type: Option<DataType>,
    pub primary_key: bool,
    pub partition_key: bool,
    pub clustering_key: bool,
    pub auto_id: bool,
    pub nullable: bool,
    pub description: String,
    /// Type params such as `dim` and `max_length`, as strings.
    pub params: Vec<(String, String)>,
    /// The default value as sent (see [`Field::default_value`]); each front converts it for the field's type.
    pub default_value: Option<Value>,
    /// Whether a schema function writes this field.
    pub function_output: bool,
}

impl From<&Field> for FieldView {
    fn from(f: &Field) -> Self {
        Self {
            id: f.id,
            name: f.name.clone(),
            data_type: f.data_type,
            element_type: f.element_type,
            primary_key: f.primary_key,
            partition_key: f.partition_key,
            clustering_key: f.clustering_key,
            auto_id: f.auto_id,
            nullable: f.nullable,
            description: f.description.clone(),
            params: f.params.clone(),
            default_value: f.default_value.clone(),
            function_output: f.function_output,
        }
    }
}

/// One schema function of a described collection (`schemapb.FunctionSchema`).
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// let body = serde_json::json!({"collectionName": "docs", "schema": {
///     "fields": [
///         {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
///         {"fieldName": "text", "dataType": "VarChar", "elementTypeParams": {"max_length": 64, "enable_analyzer": true}},
///         {"fieldName": "sparse", "dataType": "SparseFloatVector"}],
///     "functions": [{"name": "bm25", "type": "BM25", "inputFieldNames": ["text"], "outputFieldNames": ["sparse"]}]}});
/// catalog.create_collection_from_json("default", body).unwrap();
/// let view = catalog.describe_collection("default", "docs").unwrap();
/// assert_eq!((view.functions[0].id, view.functions[0].function_type.as_str()), (103, "BM25"));
/// assert!(view.fields[2].function_output);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FunctionView {
    /// Functions are numbered after the fields.
    pub id: i64,
    pub name: String,
    pub description: String,
    /// A `FunctionType` name: `BM25`, `TextEmbedding`, ...
    pub function_type: String,
    pub input_field_names: Vec<String>,
    pub output_field_names: Vec<String>,
    /// The params as strings (Go's `%v` of each value sent), in the request's order.
    pub params: Vec<(String, String)>,
}

impl FunctionView {
    fn new(f: &FunctionSpec, id: i64) -> Self {
        Self {
            id,
            name: f.name.clone(),
            description: f.description.clone(),
            function_type: f.function_type.clone(),
            input_field_names: f.input_field_names.clone(),
            output_field_names: f.output_field_names.clone(),
            params: f.params.iter().map(|(k, v)| (k.clone(), go_format(v))).collect(),
        }
    }
}

/// Where an index build is (`commonpb.IndexState`). The mock builds at once, so every index is finished.
///
/// ```
/// assert_eq!(milvus_mock::catalog::IndexState::Finished.as_str(), "Finished");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexState {
    Finished,
}

impl IndexState {
    /// The `commonpb.IndexState` name.
    ///
    /// ```
    /// assert_ne!(milvus_mock::catalog::IndexState::Finished.as_str(), "InProgress");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            IndexState::Finished => "Finished",
        }
    }
}

/// One index as `indexes/describe` (gRPC `DescribeIndex`) and `collections/describe` see it.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// use milvus_mock::catalog::IndexState;
/// let index = catalog.describe_index("default", "quick_setup", "vector").unwrap();
/// assert_eq!((index.field.as_str(), index.index_type.as_str(), index.metric_type.as_str()), ("vector", "AUTOINDEX", "COSINE"));
/// assert_eq!((index.state, index.total_rows), (IndexState::Finished, 0));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IndexView {
    /// The index's id ([`Index::id`]).
    pub id: i64,
    pub name: String,
    /// The field it indexes.
    pub field: String,
    pub index_type: String,
    /// Empty for a scalar index.
    pub metric_type: String,
    /// The build params, `index_type` and `metric_type` left out.
    pub params: Vec<(String, String)>,
    /// Set by `indexes/alter_properties` (for example `mmap.enabled`).
    pub properties: Vec<(String, String)>,
    /// A gRPC `CreateIndex`'s `extra_params` as sent (`Index::user_params`).
    pub user_params: Option<Vec<(String, String)>>,
    pub state: IndexState,
    /// Row counters, set by [`Catalog::describe_index`](crate::Catalog::describe_index) (0 in `IndexView::from`).
    pub indexed_rows: i64,
    pub pending_rows: i64,
    pub total_rows: i64,
}

impl From<&Index> for IndexView {
    fn from(i: &Index) -> Self {
        Self {
            id: i.id,
            name: i.name.clone(),
            field: i.field.clone(),
            index_type: i.index_type.clone(),
            metric_type: i.metric_type.clone(),
            params: i.params.clone(),
            properties: i.properties.clone(),
            user_params: i.user_params.clone(),
            state: IndexState::Finished,
            indexed_rows: 0,
            pending_rows: 0,
            total_rows: 0,
        }
    }
}

/// A database as `databases/describe` sees it.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// catalog.create_database("analytics", vec![("k".into(), "v".into())]).unwrap();
/// let view = catalog.describe_database("analytics").unwrap();
/// assert_eq!((view.name.as_str(), view.properties.as_slice()), ("analytics", &[("k".to_string(), "v".to_string())][..]));
/// assert_ne!(view.id, catalog.describe_database("default").unwrap().id);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DatabaseView {
    pub id: i64,
    pub name: String,
    /// In the order they were first set.
    pub properties: Vec<(String, String)>,
}

impl From<&Database> for DatabaseView {
    fn from(d: &Database) -> Self {
        Self { id: d.id, name: d.name.clone(), properties: d.properties.clone() }
    }
}

/// An alias as `aliases/describe` sees it.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// catalog.create_alias("default", "quick_setup", "qs").unwrap();
/// let view = catalog.describe_alias("default", "qs").unwrap();
/// assert_eq!((view.alias.as_str(), view.collection.as_str(), view.db.as_str()), ("qs", "quick_setup", "default"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AliasView {
    pub alias: String,
    /// The collection it points at.
    pub collection: String,
    pub db: String,
}

/// What `collections/get_load_state` finds (gRPC `GetLoadState` and `GetLoadingProgress`), before any front words
/// it: REST answers the last two with code 0, progress -1 and a message; gRPC's `GetLoadingProgress` answers an error
/// status, its `GetLoadState` `LoadStateNotLoad` for the last one.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// use milvus_mock::catalog::LoadProgress;
/// assert_eq!(catalog.get_load_state("default", "quick_setup", None).unwrap(), LoadProgress::Percent(100));
/// let nope = ["nope".to_string()];
/// let missing = catalog.get_load_state("default", "quick_setup", Some(&nope)).unwrap();
/// assert_eq!(missing, LoadProgress::PartitionNotFound { name: "nope".into() });
/// catalog.release_collection("default", "quick_setup").unwrap();
/// assert_eq!(catalog.get_load_state("default", "quick_setup", None).unwrap(), LoadProgress::NotLoaded);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadProgress {
    /// The collection is not loaded (the partitions asked about are then not looked at).
    NotLoaded,
    /// Loading (below 100) or loaded: the collection's percentage, or the average over the partitions asked about.
    Percent(i64),
    /// A partition asked about does not exist: the first one in the request.
    PartitionNotFound { name: String },
    /// Every partition asked about exists, but this one (the first in the request) is not loaded.
    PartitionNotLoaded { id: i64 },
}
