//! Search over stored rows: the [`crate::search`] module's exact top-k, run over the partitions a read may see,
//! with the filter applied before the top-k is taken (pre-filtering, contract part 2 §E.2), range search, and
//! grouping (§E.3).
//!
//! Text queries on the sparse output field of a BM25 function are scored from the function's input texts: the
//! searched rows' texts give the BM25 statistics, and each row's BM25 weights are scanned as its sparse vector
//! ([`crate::search::Corpus`]).
//!
//! Each row's ordinal is its place in the scan (partition by partition in the target's order, rows in insertion
//! order), so ties between equal distances come out in insertion order; for rows inserted with increasing keys
//! that is Milvus's observed ascending-pk order (§E.1, UNCONFIRMED in Milvus's source).

use serde_json::Value;

use super::column::Values;
use super::predicate::Predicate;
use super::{PartitionRows, Rows};
use crate::catalog::ReadTarget;
use crate::search::{
    Column, Corpus, DEFAULT_B, DEFAULT_K1, GroupParams, Hit, Metric, QueryVector, Range, SparseVector, TopK, group,
    scan_batch, term_frequencies,
};

/// One search, ready to run.
#[derive(Debug, Clone)]
pub struct Search {
    /// The vector field's position in the schema.
    pub field: usize,
    pub metric: Metric,
    pub queries: Vec<QueryVector>,
    pub limit: usize,
    pub offset: usize,
    pub range: Option<Range>,
    /// The grouping field's position, and how to group.
    pub grouping: Option<(usize, GroupParams)>,
}

/// A hit: which stored row, and its distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowHit {
    /// Index into `Rows::partitions`.
    pub part: usize,
    pub row: usize,
    pub distance: f32,
}

/// Row ordinals: a partition's index in the high bits, the row in the low ones.
const ROW_BITS: u32 = 40;

/// The search column of one partition's vector field.
fn column_of(part: &PartitionRows, field: usize) -> Option<Column<'_>> {
    match &part.columns[field].values {
        Values::FloatVector { dim, data } | Values::PackedVector { dim, data, .. } => {
            Some(Column::Float { dim: *dim, data })
        }
        Values::BinaryVector { dim, data } => Some(Column::Binary { dim: *dim, data }),
        Values::Sparse(rows) => Some(Column::Sparse(rows)),
        _ => None,
    }
}

/// Runs `search` over `rows`: per query vector, the hits best first (after `offset`, at most `limit`, or the
/// groups' hits when grouping).
pub fn run(rows: &Rows, target: &ReadTarget, predicate: &Predicate, search: &Search) -> Vec<Vec<RowHit>> {
    match bm25_input(target, search) {
        Some(input) => run_bm25(rows, target, predicate, search, input),
        None => scan(rows, target, predicate, search, &search.queries, |_, part| column_of(part, search.field)),
    }
}

/// The input (text) field of the BM25 function that fills the searched field, when the queries are texts.
fn bm25_input(target: &ReadTarget, search: &Search) -> Option<usize> {
    if !search.queries.iter().any(|q| matches!(q, QueryVector::Text(_))) {
        return None;
    }
    let output = &target.spec.fields[search.field].name;
    let function = target
        .spec
        .functions
        .iter()
        .find(|f| f.function_type.eq_ignore_ascii_case("BM25") && f.output_field_names.contains(output))?;
    let input = function.input_field_names.first()?;
    target.spec.fields.iter().position(|f| &f.name == input)
}

/// A BM25 search: the term frequencies of every row's text in the searched partitions, the statistics of the live
/// ones, then the ordinary sparse scan of each row's BM25 weights against each query's IDF-weighted terms.
fn run_bm25(
    rows: &Rows,
    target: &ReadTarget,
    predicate: &Predicate,
    search: &Search,
    input: usize,
) -> Vec<Vec<RowHit>> {
    let searched = |part: &PartitionRows| target.partitions.contains(&part.partition_id);
    // One entry per stored row (empty outside the searched partitions), so row numbers stay the scan's.
    let tfs: Vec<Vec<SparseVector>> =
        rows.partitions.iter().map(|part| if searched(part) { texts(part, input) } else { Vec::new() }).collect();
    let live = rows.partitions.iter().zip(&tfs).filter(|(part, _)| searched(part));
    let corpus = Corpus::new(live.flat_map(|(part, tf)| part.live_rows().map(move |row| &tf[row])));
    let docs: Vec<Vec<SparseVector>> =
        tfs.iter().map(|tf| tf.iter().map(|doc| corpus.document(doc, DEFAULT_K1, DEFAULT_B)).collect()).collect();
    let queries: Vec<QueryVector> = search
        .queries
        .iter()
        .map(|query| match query {
            QueryVector::Text(text) => QueryVector::Sparse(corpus.query(text)),
            other => other.clone(),
        })
        .collect();
    // Only documents sharing a term with the query are candidates (knowhere walks the query terms' posting lists).
    // Every BM25 weight is positive, so those are the documents scoring above 0: a range with radius 0 keeps them.
    let search = Search { range: search.range.or(Range::new(Metric::Bm25, 0.0, None).ok()), ..search.clone() };
    scan(rows, target, predicate, &search, &queries, |index, _| Some(Column::Sparse(&docs[index])))
}

/// The term frequencies of a text field's rows (a null text has no terms).
fn texts(part: &PartitionRows, field: usize) -> Vec<SparseVector> {
    let column = &part.columns[field];
    match &column.values {
        Values::Str(values) => values
            .iter()
            .enumerate()
            .map(|(row, text)| if column.is_valid(row) { term_frequencies(text) } else { SparseVector::default() })
            .collect(),
        _ => vec![SparseVector::default(); part.len()],
    }
}

/// The top-k scan of `queries` over each searched partition's `column`.
fn scan<'a>(
    rows: &'a Rows,
    target: &ReadTarget,
    predicate: &Predicate,
    search: &Search,
    queries: &[QueryVector],
    column: impl Fn(usize, &'a PartitionRows) -> Option<Column<'a>>,
) -> Vec<Vec<RowHit>> {
    let keep = match search.grouping {
        // Grouping walks every candidate best first.
        Some(_) => usize::MAX,
        None => search.limit + search.offset,
    };
    let mut tops: Vec<TopK> = queries.iter().map(|_| TopK::new(search.metric, keep, search.range)).collect();
    for (index, part) in rows.partitions.iter().enumerate() {
        if !target.partitions.contains(&part.partition_id) {
            continue;
        }
        let Some(column) = column(index, part) else { continue };
        let base = (index as u64) << ROW_BITS;
        let accept = |row: usize| {
            (!part.is_deleted(row) && part.columns[search.field].is_valid(row) && predicate.matches(part, row))
                .then_some(base | row as u64)
        };
        // The REST layer checked kinds and sizes; a mismatch here finds nothing rather than failing the call.
        // One query scans on its own (the search module's fastest path for nq = 1); more share one pass.
        let _ = match (tops.as_mut_slice(), queries) {
            ([top], [query]) => top.scan(&column, query, accept),
            _ => scan_batch(&mut tops, &column, queries, accept),
        };
    }
    let locate = |hit: &Hit| RowHit {
        part: (hit.ordinal >> ROW_BITS) as usize,
        row: (hit.ordinal & ((1 << ROW_BITS) - 1)) as usize,
        distance: hit.distance,
    };
    tops.into_iter()
        .map(|top| {
            let hits = top.into_sorted();
            match search.grouping {
                None => hits.iter().skip(search.offset).map(locate).collect(),
                Some((field, params)) => {
                    let keyed = hits.into_iter().map(|hit| {
                        let at = locate(&hit);
                        (hit, group_key(&rows.partitions[at.part], field, at.row))
                    });
                    group(keyed, &params).iter().map(locate).collect()
                }
            }
        })
        .collect()
}

/// A row's value of the grouping field, as a hashable text (nulls form one group).
pub(crate) fn group_key(part: &PartitionRows, field: usize, row: usize) -> String {
    let column = &part.columns[field];
    if !column.is_valid(row) {
        return String::from("\0null");
    }
    let value = match &column.values {
        Values::Bool(v) => Value::from(v[row]),
        Values::Int8(v) => Value::from(v[row]),
        Values::Int16(v) => Value::from(v[row]),
        Values::Int32(v) => Value::from(v[row]),
        Values::Int64(v) => Value::from(v[row]),
        Values::Str(v) => Value::from(v[row].as_str()),
        Values::Json(v) => v[row].clone(),
        _ => Value::Null,
    };
    value.to_string()
}
