//! Indexes (part 2 §A). Quick setup and custom schemas with `indexParams` create theirs through
//! [`Catalog::create_index_in`] too.

use super::Catalog;
use super::collections::{lookup, lookup_mut};
use crate::catalog::model::*;
use crate::catalog::views::IndexView;
use crate::error::{Error, NameKind, Result};
use crate::names;

/// One entry of `indexParams`, after the REST layer's `convertToExtraParams`.
///
/// ```
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
/// use milvus_mock::catalog::IndexRequest;
/// catalog.release_collection("default", "quick_setup").unwrap();
/// catalog.drop_index("default", "quick_setup", "vector").unwrap();
/// let hnsw = IndexRequest { field: "vector".into(), index_type: "HNSW".into(), metric_type: "IP".into(), ..Default::default() };
/// catalog.create_indexes("default", "quick_setup", vec![hnsw]).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexRequest {
    pub field: String,
    /// Empty: the field's name, or the name of the index the field already has.
    pub name: String,
    /// Empty: `index_type` from `params`, else `AUTOINDEX`.
    pub index_type: String,
    /// Empty: the default metric of the field's vector kind.
    pub metric_type: String,
    pub params: Vec<(String, String)>,
    /// A gRPC `CreateIndex`'s `extra_params` as sent (kept for `DescribeIndex`); `None` over REST.
    pub user_params: Option<Vec<(String, String)>>,
}

const FLOAT_INDEXES: &[&str] = &[
    "FLAT",
    "IVF_FLAT",
    "IVF_SQ8",
    "IVF_PQ",
    "IVF_RABITQ",
    "HNSW",
    "HNSW_SQ",
    "HNSW_PQ",
    "HNSW_PRQ",
    "DISKANN",
    "SCANN",
    "GPU_CAGRA",
    "GPU_IVF_FLAT",
    "GPU_IVF_PQ",
    "GPU_BRUTE_FORCE",
    "AUTOINDEX",
];
const BINARY_INDEXES: &[&str] = &["BIN_FLAT", "BIN_IVF_FLAT", "MINHASH_LSH", "AUTOINDEX"];
const SPARSE_INDEXES: &[&str] = &["SPARSE_INVERTED_INDEX", "SPARSE_WAND", "AUTOINDEX"];
const SCALAR_INDEXES: &[&str] = &["INVERTED", "STL_SORT", "Trie", "TRIE", "BITMAP", "NGRAM", "RTREE", "AUTOINDEX"];

fn metrics(kind: VectorKind) -> &'static [&'static str] {
    match kind {
        VectorKind::Float => &["L2", "IP", "COSINE"],
        VectorKind::Binary => &["HAMMING", "JACCARD", "SUBSTRUCTURE", "SUPERSTRUCTURE", "MHJACCARD"],
        VectorKind::Sparse => &["IP", "BM25"],
    }
}

fn default_metric(kind: VectorKind) -> &'static str {
    match kind {
        VectorKind::Float => "COSINE",
        VectorKind::Binary => "HAMMING",
        VectorKind::Sparse => "IP",
    }
}

fn kind_words(kind: VectorKind) -> &'static str {
    match kind {
        VectorKind::Float => "float vector",
        VectorKind::Binary => "binary vector",
        VectorKind::Sparse => "sparse float vector",
    }
}

impl Catalog {
    /// Validates and adds one index to a collection (proxy `createIndexTask`, then datacoord `CanCreateIndex`).
    pub(super) fn create_index_in(&self, c: &mut Collection, request: IndexRequest) -> Result<()> {
        let field =
            c.field(&request.field).ok_or_else(|| Error::IndexOnMissingField { field: request.field.clone() })?;
        let param = |key: &str| request.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let index_type = [request.index_type.clone(), param("index_type").unwrap_or_default()]
            .into_iter()
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| "AUTOINDEX".to_string());
        let kind = vector_kind(field.data_type);
        let allowed = match kind {
            Some(VectorKind::Float) => FLOAT_INDEXES,
            Some(VectorKind::Binary) => BINARY_INDEXES,
            Some(VectorKind::Sparse) => SPARSE_INDEXES,
            None => SCALAR_INDEXES,
        };
        if !allowed.contains(&index_type.as_str()) {
            return Err(Error::InvalidIndexType { index_type });
        }
        let metric_type = match kind {
            Some(kind) => {
                let given = [request.metric_type.clone(), param("metric_type").unwrap_or_default()]
                    .into_iter()
                    .find(|m| !m.is_empty());
                let metric = given.unwrap_or_else(|| default_metric(kind).to_string());
                if !metrics(kind).contains(&metric.as_str()) {
                    return Err(Error::InvalidMetricType { vector_kind: kind_words(kind), metric });
                }
                metric
            }
            None => request.metric_type.clone(),
        };
        let on_field = c.indexes.iter().find(|i| i.field == field.name);
        let name = match (&request.name, on_field) {
            (n, _) if !n.is_empty() => n.clone(),
            (_, Some(existing)) => existing.name.clone(),
            _ => field.name.clone(),
        };
        let mut index = Index {
            id: 0,
            name,
            field: field.name.clone(),
            index_type,
            metric_type,
            params: request.params.into_iter().filter(|(k, _)| k != "index_type" && k != "metric_type").collect(),
            properties: Vec::new(),
            user_params: request.user_params,
        };
        if let Some(same_name) = c.indexes.iter().find(|i| i.name == index.name) {
            let same = same_name.field == index.field
                && same_name.index_type == index.index_type
                && same_name.metric_type == index.metric_type
                && same_name.params == index.params;
            return if same { Ok(()) } else { Err(Error::DistinctIndexPerField) };
        }
        if on_field.is_some() {
            return Err(Error::MultipleIndexesOnField);
        }
        index.id = self.next_id();
        c.indexes.push(index);
        Ok(())
    }

    /// `indexes/create`: entries in order; the first failure is returned and earlier indexes stay.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// use milvus_mock::catalog::IndexRequest;
    /// let schema = serde_json::json!({"collectionName": "c", "schema": {"fields": [
    ///     {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
    ///     {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]}});
    /// catalog.create_collection_from_json("default", schema).unwrap();
    /// let hnsw = IndexRequest { field: "v".into(), index_type: "HNSW".into(), metric_type: "L2".into(), ..Default::default() };
    /// catalog.create_indexes("default", "c", vec![hnsw]).unwrap();
    /// assert_eq!(catalog.list_indexes("default", "c").unwrap(), ["v"]);
    /// ```
    pub fn create_indexes(&self, db: &str, collection: &str, requests: Vec<IndexRequest>) -> Result<()> {
        names::validate_collection(collection, NameKind::Collection, &self.profile)?;
        self.write(db, |d| {
            let c = lookup_mut(d, collection)?;
            requests.into_iter().try_for_each(|r| self.create_index_in(c, r))
        })
    }

    /// `indexes/list`: names; `[]` when there is none.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// assert_eq!(catalog.list_indexes("default", "quick_setup").unwrap(), ["vector"]);
    /// ```
    pub fn list_indexes(&self, db: &str, collection: &str) -> Result<Vec<String>> {
        names::validate_collection(collection, NameKind::Collection, &self.profile)?;
        self.read(db, |d| Ok(lookup(d, collection)?.indexes.iter().map(|i| i.name.clone()).collect()))
    }

    /// `indexes/describe`: a one-entry list.
    ///
    /// The row counters are datacoord's (`completeIndexInfo` over the flushed segments): `totalRows` counts the
    /// rows `get_stats` counts (flushed rows, deletes included until compaction, contract part 2 §A.3, §D.6; live
    /// rows with `--live-row-counts`), and as the mock builds an index at once they are all `indexedRows`, with no
    /// `pendingRows`.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 2).unwrap();
    /// catalog.insert_rows("default", "quick_setup", "", vec![serde_json::json!({"id": 1, "vector": [0.1, 0.2]})]).unwrap();
    /// let described = catalog.describe_index("default", "quick_setup", "vector").unwrap();
    /// assert_eq!((described.index_type.as_str(), described.metric_type.as_str()), ("AUTOINDEX", "COSINE"));
    /// assert_eq!((described.total_rows, described.indexed_rows), (0, 0)); // not flushed yet
    /// catalog.flush("default", "quick_setup").unwrap();
    /// let described = catalog.describe_index("default", "quick_setup", "vector").unwrap();
    /// assert_eq!((described.total_rows, described.indexed_rows, described.pending_rows), (1, 1, 0));
    /// ```
    pub fn describe_index(&self, db: &str, collection: &str, index: &str) -> Result<IndexView> {
        names::validate_collection(collection, NameKind::Collection, &self.profile)?;
        self.read(db, |d| {
            let c = lookup(d, collection)?;
            let mut view = IndexView::from(find_index(c, index)?);
            let rows = self.stats_rows(c, &c.partitions.iter().map(|p| p.id).collect::<Vec<_>>());
            (view.total_rows, view.indexed_rows) = (rows, rows);
            Ok(view)
        })
    }

    /// `indexes/drop`: refused on a loaded collection before the index is looked for; a missing index is fine.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.release_collection("default", "quick_setup").unwrap();
    /// catalog.drop_index("default", "quick_setup", "vector").unwrap();
    /// assert!(catalog.list_indexes("default", "quick_setup").unwrap().is_empty());
    /// ```
    pub fn drop_index(&self, db: &str, collection: &str, index: &str) -> Result<()> {
        names::validate_collection(collection, NameKind::Collection, &self.profile)?;
        self.write(db, |d| {
            let c = lookup_mut(d, collection)?;
            if c.is_loaded() {
                return Err(Error::DropIndexOfLoadedCollection);
            }
            c.indexes.retain(|i| i.name != index);
            Ok(())
        })
    }

    /// `indexes/alter_properties` and `indexes/drop_properties`: refused while the collection is loaded.
    ///
    /// ```
    /// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
    /// # catalog.quick_setup("default", "quick_setup", 5).unwrap();
    /// catalog.release_collection("default", "quick_setup").unwrap();
    /// let set = vec![("mmap.enabled".to_string(), "true".to_string())];
    /// catalog.alter_index_properties("default", "quick_setup", "vector", set, &[]).unwrap();
    /// ```
    pub fn alter_index_properties(
        &self,
        db: &str,
        collection: &str,
        index: &str,
        set: Vec<(String, String)>,
        remove: &[String],
    ) -> Result<()> {
        // alterIndexTask.PreExecute (internal/proxy/task_index.go) checks the keys before anything else.
        let keys = set.iter().map(|(k, _)| k).chain(remove);
        if let Some(key) = keys.into_iter().find(|k| !CONFIGURABLE_INDEX_KEYS.contains(&k.as_str())) {
            return Err(Error::InvalidParameter(format!(
                "{key} is not a configable index property: invalid parameter"
            )));
        }
        names::validate_collection(collection, NameKind::Collection, &self.profile)?;
        self.write(db, |d| {
            let c = lookup_mut(d, collection)?;
            if c.is_loaded() {
                return Err(Error::AlterIndexLoaded { name: collection.to_string() });
            }
            find_index(c, index)?;
            // Datacoord's AlterIndex validates the merged params once the index is found
            // (ValidateIndexParams -> ValidateMmapIndexParams, which parses with Go's strconv.ParseBool).
            if let Some((_, v)) = set.iter().find(|(k, _)| k == "mmap.enabled")
                && !matches!(v.as_str(), "1" | "t" | "T" | "TRUE" | "true" | "True" | "0" | "f" | "F" | "FALSE" | "false" | "False")
            {
                return Err(Error::InvalidParameter(format!(
                    "invalid mmap index params: invalid mmap.enabled value: {v}, expected: true, false: invalid parameter"
                )));
            }
            let i = c.indexes.iter_mut().find(|i| i.name == index).expect("found above");
            merge_properties(&mut i.properties, set);
            i.properties.retain(|(k, _)| !remove.contains(k));
            Ok(())
        })
    }
}

/// `indexparams.configableIndexParams` (pkg/util/indexparams): the only keys `indexes/alter_properties` and
/// `indexes/drop_properties` take.
const CONFIGURABLE_INDEX_KEYS: [&str; 3] = ["mmap.enabled", "indexoffsetcache.enabled", "warmup"];

fn find_index<'a>(c: &'a Collection, name: &str) -> Result<&'a Index> {
    c.indexes.iter().find(|i| i.name == name).ok_or_else(|| Error::IndexNotFoundName { index: name.to_string() })
}
