//! The state's records: databases, collections, fields, partitions and indexes. What the describe calls answer
//! about them is in [`views`](super::views); how REST spells that is the REST adapter's business.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Milvus's first user field id (`common.StartOfUserFieldID`).
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let id = catalog.collection("default", "quick_setup", |c| c.spec.fields[0].id).unwrap();
/// assert_eq!(id, milvus_mock::catalog::FIRST_FIELD_ID);
/// ```
pub const FIRST_FIELD_ID: i64 = 100;
/// The default partition's name (`common.defaultPartitionName`).
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// assert_eq!(catalog.list_partitions("default", "quick_setup").unwrap(), [milvus_mock::catalog::DEFAULT_PARTITION]);
/// ```
pub const DEFAULT_PARTITION: &str = "_default";
/// The database every Milvus starts with.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// assert_eq!(catalog.list_databases(), [milvus_mock::catalog::DEFAULT_DATABASE]);
/// ```
pub const DEFAULT_DATABASE: &str = "default";

/// A map keyed by names (databases, collections, aliases, partitions), hashed with [`NameHasher`].
pub type NameMap<V> = HashMap<String, V, BuildHasherDefault<NameHasher>>;

/// The hash of the catalog's maps: the multiply-rotate hash rustc uses (FxHash), a few instructions per 8 bytes,
/// with murmur3's finaliser.
/// std's default SipHash resists hash flooding by hostile clients, which a local test double does not face, and
/// costs several times more on every name of every call.
///
/// ```
/// let mut names = milvus_mock::catalog::NameMap::default();
/// names.insert("quick_setup".to_string(), 1);
/// assert_eq!(names.get("quick_setup"), Some(&1));
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        // The multiply leaves low bits that depend on low input bits only (`c_000001`, `c_000002`, ... would share
        // their buckets); murmur3's final mix spreads every bit over the whole word.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// Declares a fieldless enum of Milvus names: `as_str` gives the name, `parse` reads it back (case-sensitively, as
/// Go's `map[string]int32` lookups of protobuf enum names do) and `ALL` lists every variant in declaration order.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The Milvus name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The variant with this exact Milvus name.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum! {
    /// A field's type: `schemapb.DataType`, by the names the REST API uses.
    ///
    /// ```
    /// use milvus_mock::catalog::DataType;
    /// assert_eq!(DataType::parse("FloatVector"), Some(DataType::FloatVector));
    /// assert_eq!(DataType::parse("floatvector"), None); // case-sensitive, as Milvus
    /// assert_eq!(DataType::VarChar.as_str(), "VarChar");
    /// assert!(DataType::Int8Vector.is_vector() && !DataType::Array.is_vector());
    /// ```
    DataType {
        None = "None",
        Bool = "Bool",
        Int8 = "Int8",
        Int16 = "Int16",
        Int32 = "Int32",
        Int64 = "Int64",
        Float = "Float",
        Double = "Double",
        String = "String",
        VarChar = "VarChar",
        Array = "Array",
        Json = "JSON",
        Geometry = "Geometry",
        Text = "Text",
        Timestamptz = "Timestamptz",
        BinaryVector = "BinaryVector",
        FloatVector = "FloatVector",
        Float16Vector = "Float16Vector",
        BFloat16Vector = "BFloat16Vector",
        SparseFloatVector = "SparseFloatVector",
        Int8Vector = "Int8Vector",
        ArrayOfVector = "ArrayOfVector",
        ArrayOfStruct = "ArrayOfStruct",
    }
}

impl DataType {
    /// Whether fields of this type hold vectors (and so need an index before a load).
    ///
    /// ```
    /// use milvus_mock::catalog::DataType;
    /// assert!(DataType::SparseFloatVector.is_vector());
    /// assert!(!DataType::ArrayOfVector.is_vector()); // an array, not a vector field
    /// ```
    pub fn is_vector(self) -> bool {
        vector_kind(self).is_some()
    }
}

named_enum! {
    /// A collection's read consistency: `commonpb.ConsistencyLevel`.
    ///
    /// ```
    /// use milvus_mock::catalog::ConsistencyLevel;
    /// assert_eq!(ConsistencyLevel::parse("Bounded"), Some(ConsistencyLevel::Bounded));
    /// assert_eq!(ConsistencyLevel::parse("bounded"), None);
    /// assert_eq!(ConsistencyLevel::Eventually.as_str(), "Eventually");
    /// ```
    ConsistencyLevel {
        Strong = "Strong",
        Session = "Session",
        Bounded = "Bounded",
        Eventually = "Eventually",
        Customized = "Customized",
    }
}

/// One database and everything in it. Aliases are per database, as in Milvus.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// let databases: Vec<milvus_mock::catalog::Database> = catalog.snapshot();
/// assert_eq!((databases[0].id, databases[0].name.as_str()), (1, "default"));
/// ```
#[derive(Debug, Clone)]
pub struct Database {
    pub id: i64,
    pub name: String,
    pub properties: Vec<(String, String)>,
    pub collections: NameMap<Collection>,
    /// alias -> collection name
    pub aliases: NameMap<String>,
}

impl Database {
    /// An empty database.
    ///
    /// ```
    /// let db = milvus_mock::catalog::Database::new(7, "analytics");
    /// assert!(db.collections.is_empty());
    /// ```
    pub fn new(id: i64, name: &str) -> Self {
        Self {
            id,
            name: name.to_string(),
            properties: Vec::new(),
            collections: NameMap::default(),
            aliases: NameMap::default(),
        }
    }

    /// The real collection behind `name`: an alias resolves first, as rootcoord's lookup does.
    ///
    /// ```
    /// let mut db = milvus_mock::catalog::Database::new(7, "analytics");
    /// db.aliases.insert("current".into(), "events_v2".into());
    /// assert_eq!(db.resolve("current"), "events_v2");
    /// assert_eq!(db.resolve("events_v1"), "events_v1");
    /// ```
    pub fn resolve<'a>(&'a self, name: &'a str) -> &'a str {
        self.aliases.get(name).map(String::as_str).unwrap_or(name)
    }

    /// Aliases of one collection, sorted for a stable answer.
    ///
    /// ```
    /// let mut db = milvus_mock::catalog::Database::new(7, "analytics");
    /// db.aliases.insert("b".into(), "events".into());
    /// db.aliases.insert("a".into(), "events".into());
    /// assert_eq!(db.aliases_of("events"), ["a", "b"]);
    /// ```
    pub fn aliases_of(&self, collection: &str) -> Vec<String> {
        let mut out: Vec<String> =
            self.aliases.iter().filter(|(_, c)| c.as_str() == collection).map(|(a, _)| a.clone()).collect();
        out.sort();
        out
    }
}

/// One field of a collection schema.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let vector = catalog.collection("default", "quick_setup", |c| c.spec.fields[1].clone()).unwrap();
/// assert_eq!((vector.name.as_str(), vector.data_type), ("vector", milvus_mock::catalog::DataType::FloatVector));
/// assert_eq!(vector.params, [("dim".to_string(), "5".to_string())]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
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
    /// The `defaultValue` as Go decodes it into an `interface{}` (a number stands for a `float64`); describe
    /// converts it for the field's type, as Milvus's `convertDefaultValue` does.
    pub default_value: Option<Value>,
    pub function_output: bool,
}

impl Field {
    /// A field of this type, every flag off and no type params.
    ///
    /// ```
    /// use milvus_mock::catalog::{DataType, Field};
    /// let mut field = Field::new(100, "id", DataType::Int64);
    /// field.primary_key = true;
    /// assert!(!field.is_vector());
    /// ```
    pub fn new(id: i64, name: &str, data_type: DataType) -> Self {
        Self {
            id,
            name: name.to_string(),
            data_type,
            element_type: None,
            primary_key: false,
            partition_key: false,
            clustering_key: false,
            auto_id: false,
            nullable: false,
            description: String::new(),
            params: Vec::new(),
            default_value: None,
            function_output: false,
        }
    }

    /// Whether the field holds vectors (and so needs an index before a load).
    ///
    /// ```
    /// use milvus_mock::catalog::{DataType, Field};
    /// assert!(Field::new(101, "v", DataType::SparseFloatVector).is_vector());
    /// ```
    pub fn is_vector(&self) -> bool {
        self.data_type.is_vector()
    }
}

/// The kinds of vector field, which decide the index types and metrics allowed on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VectorKind {
    Float,
    Binary,
    Sparse,
}

pub(crate) fn vector_kind(data_type: DataType) -> Option<VectorKind> {
    match data_type {
        DataType::FloatVector | DataType::Float16Vector | DataType::BFloat16Vector | DataType::Int8Vector => {
            Some(VectorKind::Float)
        }
        DataType::BinaryVector => Some(VectorKind::Binary),
        DataType::SparseFloatVector => Some(VectorKind::Sparse),
        _ => None,
    }
}

/// One index on one field.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let index = catalog.collection("default", "quick_setup", |c| c.indexes[0].clone()).unwrap();
/// assert_eq!((index.index_type.as_str(), index.metric_type.as_str()), ("AUTOINDEX", "COSINE"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Allocated from the catalog's ids when the index is created, as Milvus's datacoord allocates `IndexID`:
    /// stable for the index's life, never 0 (gRPC `DescribeIndex`'s `index_id`).
    pub id: i64,
    pub name: String,
    pub field: String,
    pub index_type: String,
    pub metric_type: String,
    /// The build params as sent (`params` of `indexParams[]`), rendered with Go's `%v`.
    pub params: Vec<(String, String)>,
    /// Index properties set by `indexes/alter_properties` (for example `mmap.enabled`).
    pub properties: Vec<(String, String)>,
    /// The `extra_params` of a gRPC `CreateIndex` exactly as sent: Milvus keeps them (`UserIndexParams`,
    /// `internal/proxy/task_index.go`) and `DescribeIndex` answers them unchanged. `None` for REST-created indexes.
    pub user_params: Option<Vec<(String, String)>>,
}

/// A partition and its load state.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let default = catalog.collection("default", "quick_setup", |c| c.partitions[0].clone()).unwrap();
/// assert_eq!(default.name, "_default");
/// assert!(default.loaded_since.is_some());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    pub id: i64,
    pub name: String,
    /// When the partition's load began; `None` when released.
    pub loaded_since: Option<Instant>,
}

/// How a collection was loaded: querycoord's load type decides whether new partitions load by themselves.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// use milvus_mock::catalog::LoadType;
/// assert_eq!(catalog.collection("default", "quick_setup", |c| c.load_type).unwrap(), LoadType::Collection);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadType {
    NotLoaded,
    /// `collections/load`: every partition, including ones created later.
    Collection,
    /// `partitions/load`: only the partitions named.
    Partitions,
}

/// A collection's load state: `commonpb.LoadState`.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// use milvus_mock::catalog::LoadState;
/// assert_eq!(catalog.collection_load_state("default", "quick_setup").unwrap(), LoadState::Loaded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadState {
    NotLoad,
    Loading,
    Loaded,
}

impl LoadState {
    /// The `commonpb.LoadState` name, which the REST API also answers.
    ///
    /// ```
    /// assert_eq!(milvus_mock::catalog::LoadState::NotLoad.as_str(), "LoadStateNotLoad");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            LoadState::NotLoad => "LoadStateNotLoad",
            LoadState::Loading => "LoadStateLoading",
            LoadState::Loaded => "LoadStateLoaded",
        }
    }
}

/// Everything needed to create a collection, whether from a request (quick setup or custom schema) or a fixture.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let spec = catalog.collection("default", "quick_setup", |c| c.spec.clone()).unwrap();
/// assert_eq!((spec.shards_num, spec.consistency_level), (1, milvus_mock::catalog::ConsistencyLevel::Bounded));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionSpec {
    pub name: String,
    pub description: String,
    pub fields: Vec<Field>,
    pub functions: Vec<FunctionSpec>,
    pub enable_dynamic_field: bool,
    pub shards_num: i64,
    pub consistency_level: ConsistencyLevel,
    pub properties: Vec<(String, String)>,
    /// Partitions of a partition-key collection (`partitionsNum`); ignored otherwise.
    pub partition_key_partitions: usize,
}

impl CollectionSpec {
    /// A collection of these fields with Milvus's defaults: no description, functions or properties, no dynamic
    /// field, one shard, `Bounded` consistency.
    ///
    /// ```
    /// use milvus_mock::catalog::{CollectionSpec, ConsistencyLevel};
    /// let spec = CollectionSpec::new("c", vec![]);
    /// assert_eq!((spec.shards_num, spec.consistency_level, spec.enable_dynamic_field), (1, ConsistencyLevel::Bounded, false));
    /// ```
    pub fn new(name: &str, fields: Vec<Field>) -> Self {
        Self {
            name: name.to_string(),
            description: String::new(),
            fields,
            functions: Vec::new(),
            enable_dynamic_field: false,
            shards_num: 1,
            consistency_level: ConsistencyLevel::Bounded,
            properties: Vec::new(),
            partition_key_partitions: 0,
        }
    }
}

/// One schema function (`schemapb.FunctionSchema`), as the request gave it.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// let body = serde_json::json!({"collectionName": "docs", "schema": {
///     "fields": [
///         {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
///         {"fieldName": "text", "dataType": "VarChar", "elementTypeParams": {"max_length": 64}},
///         {"fieldName": "sparse", "dataType": "SparseFloatVector"}],
///     "functions": [{"name": "bm25", "type": "BM25", "inputFieldNames": ["text"], "outputFieldNames": ["sparse"]}]}});
/// catalog.create_collection_from_json("default", body).unwrap();
/// let bm25 = catalog.collection("default", "docs", |c| c.spec.functions[0].clone()).unwrap();
/// assert_eq!((bm25.function_type.as_str(), bm25.output_field_names.as_slice()), ("BM25", &["sparse".to_string()][..]));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunctionSpec {
    pub name: String,
    pub description: String,
    /// A `FunctionType` name: `BM25`, `TextEmbedding`, ...
    pub function_type: String,
    pub input_field_names: Vec<String>,
    pub output_field_names: Vec<String>,
    /// The params as Go decoded them into `interface{}` values; describe shows each with Go's `%v`
    /// ([`FunctionView::params`](super::FunctionView::params)).
    pub params: serde_json::Map<String, Value>,
}

/// A collection, its partitions (in creation order, like rootcoord) and its indexes.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// let partitions = catalog.collection("default", "quick_setup", |c: &milvus_mock::catalog::Collection| c.partitions.len()).unwrap();
/// assert_eq!(partitions, 1);
/// ```
#[derive(Debug, Clone)]
pub struct Collection {
    pub id: i64,
    pub spec: CollectionSpec,
    /// In creation order. Their load state may be changed in place; add and remove them with
    /// [`Collection::add_partition`] and [`Collection::remove_partition`], which keep the name index right.
    pub partitions: Vec<Partition>,
    pub indexes: Vec<Index>,
    pub load_type: LoadType,
    /// How long a load takes to reach 100 %, when it is not the server's default.
    pub load_duration: Option<Duration>,
    /// Partition name -> position in `partitions`, so lookups stay flat with 1,024 partitions.
    partition_positions: NameMap<usize>,
    /// The rows, behind their own lock (see [`crate::rows`]); a clone of the collection shares them.
    pub rows: crate::rows::RowsHandle,
}

impl Collection {
    /// A collection that is not loaded and has no index yet.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// let spec = catalog.collection("default", "quick_setup", |c| c.spec.clone()).unwrap();
    /// let copy = milvus_mock::catalog::Collection::new(7, spec, vec![]);
    /// assert!(copy.partitions.is_empty() && !copy.is_loaded());
    /// ```
    pub fn new(id: i64, spec: CollectionSpec, partitions: Vec<Partition>) -> Self {
        let mut c = Self {
            id,
            spec,
            partitions: Vec::new(),
            indexes: Vec::new(),
            load_type: LoadType::NotLoaded,
            load_duration: None,
            partition_positions: NameMap::default(),
            rows: crate::rows::RowsHandle::default(),
        };
        partitions.into_iter().for_each(|p| c.add_partition(p));
        c
    }

    /// Appends a partition.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// use milvus_mock::catalog::Partition;
    /// catalog.update_collection("default", "quick_setup", |c| {
    ///     c.add_partition(Partition { id: 9, name: "seeded".into(), loaded_since: None })
    /// }).unwrap();
    /// assert_eq!(catalog.list_partitions("default", "quick_setup").unwrap(), ["_default", "seeded"]);
    /// ```
    pub fn add_partition(&mut self, partition: Partition) {
        self.partition_positions.insert(partition.name.clone(), self.partitions.len());
        self.partitions.push(partition);
    }

    /// Removes the partition at `position`, and its rows.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.update_collection("default", "quick_setup", |c| { c.remove_partition(0); }).unwrap();
    /// assert!(catalog.list_partitions("default", "quick_setup").unwrap().is_empty());
    /// ```
    pub fn remove_partition(&mut self, position: usize) -> Partition {
        let removed = self.partitions.remove(position);
        self.rows.drop_partition(removed.id);
        self.partition_positions = self.partitions.iter().enumerate().map(|(i, p)| (p.name.clone(), i)).collect();
        removed
    }

    /// Where a partition is in `partitions`.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert_eq!(catalog.collection("default", "quick_setup", |c| c.partition_position("_default")).unwrap(), Some(0));
    /// ```
    pub fn partition_position(&self, name: &str) -> Option<usize> {
        self.partition_positions.get(name).copied()
    }

    /// The collection's real name (an alias resolves to it).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.create_alias("default", "quick_setup", "qs").unwrap();
    /// assert_eq!(catalog.collection("default", "qs", |c| c.name().to_string()).unwrap(), "quick_setup");
    /// ```
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Whether a field is the partition key (partition routes are then refused).
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert!(!catalog.collection("default", "quick_setup", |c| c.has_partition_key()).unwrap());
    /// ```
    pub fn has_partition_key(&self) -> bool {
        self.spec.fields.iter().any(|f| f.partition_key)
    }

    /// A partition by name.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert!(catalog.collection("default", "quick_setup", |c| c.partition("_default").is_some()).unwrap());
    /// ```
    pub fn partition(&self, name: &str) -> Option<&Partition> {
        self.partition_position(name).map(|i| &self.partitions[i])
    }

    /// Whether the collection is loaded, wholly or in part.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert!(catalog.collection("default", "quick_setup", |c| c.is_loaded()).unwrap());
    /// ```
    pub fn is_loaded(&self) -> bool {
        self.load_type != LoadType::NotLoaded
    }

    /// The vector fields, in schema order.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert_eq!(catalog.collection("default", "quick_setup", |c| c.vector_fields().count()).unwrap(), 1);
    /// ```
    pub fn vector_fields(&self) -> impl Iterator<Item = &Field> {
        self.spec.fields.iter().filter(|f| f.is_vector())
    }

    /// A field by name.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert!(catalog.collection("default", "quick_setup", |c| c.field("id").unwrap().primary_key).unwrap());
    /// ```
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.spec.fields.iter().find(|f| f.name == name)
    }

    /// The primary field's auto-id flag, as describe reports it.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert!(!catalog.collection("default", "quick_setup", |c| c.auto_id()).unwrap());
    /// ```
    pub fn auto_id(&self) -> bool {
        self.spec.fields.iter().find(|f| f.primary_key).is_some_and(|f| f.auto_id)
    }
}

/// Sets or replaces keys, keeping first-seen order. Linear: a few updates are looked up directly, more through
/// an index of the keys (60,000 properties in one call must not take seconds).
pub(crate) fn merge_properties(target: &mut Vec<(String, String)>, updates: Vec<(String, String)>) {
    if updates.len() <= 8 {
        for (k, v) in updates {
            match target.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => target.push((k, v)),
            }
        }
        return;
    }
    let mut index: HashMap<String, usize> = target.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect();
    for (k, v) in updates {
        match index.get(&k) {
            Some(&i) => target[i].1 = v,
            None => {
                index.insert(k.clone(), target.len());
                target.push((k, v));
            }
        }
    }
}

/// Removes the properties with one of `keys`; linear, as [`merge_properties`].
pub(crate) fn drop_properties(target: &mut Vec<(String, String)>, keys: &[String]) {
    if keys.len() <= 8 {
        target.retain(|(k, _)| !keys.contains(k));
    } else {
        let keys: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
        target.retain(|(k, _)| !keys.contains(k.as_str()));
    }
}
