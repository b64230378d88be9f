//! Exact (brute-force) vector search: distances, top-k, range search, grouping and hybrid reranking.
//!
//! This module is pure: it knows nothing of HTTP, the catalog or locks. The data plane keeps each vector field of a
//! partition in one contiguous [`Column`], and calls in here with a query, an acceptance callback and the number of
//! hits it wants (part 2 §E of `../shared/milvus-rest-v2-part2.md`):
//!
//! * [`Metric`] says how a distance is computed and which direction is better (§E.1);
//! * [`TopK`] scans columns (several partitions in turn) and keeps the best `limit + offset` hits; the caller drops
//!   the first `offset` (§E.2). [`scan_batch`] serves nq > 1 queries in one pass over the data;
//! * [`Range`] is range search (`radius`, `range_filter`) with knowhere's inequalities;
//! * [`group()`] is grouping search (`groupingField`, `groupSize`, `strictGroupSize`, §E.3);
//! * [`Corpus`] turns text queries and documents into sparse vectors whose inner product is their BM25 score, for
//!   the sparse output field of a collection's BM25 function;
//! * [`rerank_rrf`] and [`rerank_weighted`] merge the sub-searches of a hybrid search (§E.4); [`rrf_scores`] and
//!   [`weighted_scores`] give the merged scores before ranking, for [`Reranked::grouped`] (grouping after reranking).
//!
//! **Ties** between equal distances are broken by the caller's ordinal, smaller first, so results are deterministic
//! whatever the order of the scan (Milvus shows ascending primary keys for ties, §E.1, UNCONFIRMED in source). The
//! rerankers break ties by their key (the primary key), smaller first, as Milvus's rerankers do.
//!
//! ```
//! use milvus_mock::search::{Column, Metric, QueryVector, TopK};
//!
//! // Three 2-dimensional rows, stored row-major.
//! let rows = [0.0, 0.0, 1.0, 1.0, 3.0, 4.0];
//! let column = Column::Float { dim: 2, data: &rows };
//! let mut top = TopK::new(Metric::L2, 2, None);
//! // Every row is accepted; its ordinal (here its primary key) is 100 + the row number.
//! top.scan(&column, &QueryVector::Float(vec![1.0, 1.0]), |row| Some(100 + row as u64)).unwrap();
//! let hits = top.into_sorted();
//! assert_eq!((hits[0].ordinal, hits[0].distance), (101, 0.0));
//! assert_eq!((hits[1].ordinal, hits[1].distance), (100, 2.0)); // squared L2, no square root
//! ```

mod batch;
mod bm25;
mod group;
mod kernels;
mod metric;
mod rerank;
mod topk;

pub use batch::scan_batch;
pub use bm25::{Corpus, DEFAULT_B, DEFAULT_K1, term_frequencies, tokenize};
pub use group::{GroupParams, group};
pub use metric::{Metric, Range};
pub use rerank::{
    GroupScorer, RerankError, Reranked, Scored, SubSearch, rerank_rrf, rerank_weighted, rrf_scores, weighted_scores,
};
pub use topk::TopK;

/// A sparse float vector: strictly increasing `indices`, one value each.
///
/// ```
/// use milvus_mock::search::SparseVector;
/// let v = SparseVector::new(vec![7, 2], vec![0.5, 1.0]);
/// assert_eq!((v.indices, v.values), (vec![2, 7], vec![1.0, 0.5]));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl SparseVector {
    /// Builds a sparse vector from pairs in any order, sorting them by index. Indices must be distinct (the caller
    /// validates, as Milvus rejects duplicates on insert); `values` has one entry per index.
    pub fn new(indices: Vec<u32>, values: Vec<f32>) -> Self {
        let mut pairs: Vec<(u32, f32)> = indices.into_iter().zip(values).collect();
        pairs.sort_unstable_by_key(|&(i, _)| i);
        let (indices, values) = pairs.into_iter().unzip();
        SparseVector { indices, values }
    }
}

/// One vector field of one partition, as the data plane stores it.
///
/// Float16 and BFloat16 fields are converted to `f32` by the caller and stored as `Float`.
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    /// `dim` floats per row, row after row.
    Float { dim: usize, data: &'a [f32] },
    /// `dim / 8` bytes per row, row after row (Milvus's binary vector layout, dim a multiple of 8).
    Binary { dim: usize, data: &'a [u8] },
    /// One sparse vector per row.
    Sparse(&'a [SparseVector]),
}

impl Column<'_> {
    /// How many rows the column holds.
    ///
    /// ```
    /// use milvus_mock::search::Column;
    /// assert_eq!(Column::Binary { dim: 16, data: &[0u8; 6] }.rows(), 3);
    /// ```
    pub fn rows(&self) -> usize {
        match *self {
            Column::Float { dim, data } => data.len().checked_div(dim).unwrap_or(0),
            Column::Binary { dim, data } => data.len().checked_div(dim / 8).unwrap_or(0),
            Column::Sparse(rows) => rows.len(),
        }
    }
}

/// One query vector of a search request (`data[i]`).
#[derive(Debug, Clone, PartialEq)]
pub enum QueryVector {
    Float(Vec<f32>),
    /// `dim / 8` bytes.
    Binary(Vec<u8>),
    Sparse(SparseVector),
    /// A text, searched against the sparse output field of a BM25 function: the caller turns it into a
    /// [`QueryVector::Sparse`] with [`Corpus::query`] before scanning (a scan refuses it as the wrong kind).
    Text(String),
}

/// One search hit: the caller's ordinal for the row (a primary key, or a row number it can map back) and the
/// distance as Milvus reports it (§E.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub ordinal: u64,
    pub distance: f32,
}

/// Why a query cannot be run against a column. The REST layer validates requests first (dimension, vector kind),
/// so these only guard the module's own contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchError {
    /// The query is not the column's kind (e.g. a float query on a binary column).
    KindMismatch,
    /// The metric does not apply to the column's kind (e.g. HAMMING on float vectors).
    MetricMismatch { metric: Metric },
    /// The query's length does not match the column's dimension (for binary: bytes, `dim / 8`).
    DimensionMismatch { expected: usize, actual: usize },
}

impl std::fmt::Display for SearchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SearchError::KindMismatch => write!(f, "query vector type does not match the vector field"),
            SearchError::MetricMismatch { metric } => {
                write!(f, "metric type {} does not apply to this vector field", metric.as_str())
            }
            SearchError::DimensionMismatch { expected, actual } => {
                write!(f, "query vector has {actual} components, the field has {expected}")
            }
        }
    }
}

impl std::error::Error for SearchError {}
