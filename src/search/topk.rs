//! The top-k accumulator and the column scans that feed it.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::{Column, Hit, Metric, QueryVector, Range, SearchError, SparseVector, kernels};

/// One query prepared against one column: the distance function and what it reads.
#[derive(Clone, Copy)]
pub(super) enum Kernel<'a> {
    Ip { dim: usize, data: &'a [f32], query: &'a [f32] },
    L2 { dim: usize, data: &'a [f32], query: &'a [f32] },
    Cosine { dim: usize, data: &'a [f32], query: &'a [f32], query_norm: f32 },
    Hamming { bytes: usize, data: &'a [u8], query: &'a [u8] },
    Jaccard { bytes: usize, data: &'a [u8], query: &'a [u8] },
    Sparse { rows: &'a [SparseVector], query: &'a SparseVector },
}

impl<'a> Kernel<'a> {
    pub(super) fn new(metric: Metric, column: &Column<'a>, query: &'a QueryVector) -> Result<Self, SearchError> {
        if !metric.applies_to(column, query) {
            return Err(match (column, query) {
                (Column::Float { .. }, QueryVector::Float(_))
                | (Column::Binary { .. }, QueryVector::Binary(_))
                | (Column::Sparse(_), QueryVector::Sparse(_)) => SearchError::MetricMismatch { metric },
                _ => SearchError::KindMismatch,
            });
        }
        let check = |expected: usize, actual: usize| {
            if expected == actual { Ok(()) } else { Err(SearchError::DimensionMismatch { expected, actual }) }
        };
        Ok(match (*column, query) {
            (Column::Float { dim, data }, QueryVector::Float(query)) => {
                check(dim, query.len())?;
                match metric {
                    Metric::L2 => Kernel::L2 { dim, data, query },
                    Metric::Cosine => Kernel::Cosine { dim, data, query, query_norm: kernels::norm(query) },
                    _ => Kernel::Ip { dim, data, query },
                }
            }
            (Column::Binary { dim, data }, QueryVector::Binary(query)) => {
                check(dim / 8, query.len())?;
                match metric {
                    Metric::Hamming => Kernel::Hamming { bytes: dim / 8, data, query },
                    _ => Kernel::Jaccard { bytes: dim / 8, data, query },
                }
            }
            (Column::Sparse(rows), QueryVector::Sparse(query)) => Kernel::Sparse { rows, query },
            _ => unreachable!("applies_to checked the kinds"),
        })
    }
}

/// Binds `$distance` to the kernel's `row -> distance` closure and runs `$body` once per kernel kind, so each loop
/// is compiled (and vectorised) for one distance function instead of matching on the kind per row.
macro_rules! with_distance {
    ($kernel:expr, $distance:ident => $body:block) => {
        match $kernel {
            Kernel::Ip { dim, data, query } => {
                let $distance = |row: usize| kernels::dot(query, &data[row * dim..][..dim]);
                $body
            }
            Kernel::L2 { dim, data, query } => {
                let $distance = |row: usize| kernels::l2_squared(query, &data[row * dim..][..dim]);
                $body
            }
            Kernel::Cosine { dim, data, query, query_norm } => {
                let $distance = |row: usize| kernels::cosine(query, query_norm, &data[row * dim..][..dim]);
                $body
            }
            Kernel::Hamming { bytes, data, query } => {
                let $distance = |row: usize| kernels::hamming(query, &data[row * bytes..][..bytes]);
                $body
            }
            Kernel::Jaccard { bytes, data, query } => {
                let $distance = |row: usize| kernels::jaccard(query, &data[row * bytes..][..bytes]);
                $body
            }
            Kernel::Sparse { rows, query } => {
                let $distance = |row: usize| {
                    let r = &rows[row];
                    kernels::sparse_dot(&query.indices, &query.values, &r.indices, &r.values)
                };
                $body
            }
        }
    };
}

/// The best `k` hits seen so far, over any number of scanned columns.
///
/// A search for `limit` hits after `offset` asks for `k = limit + offset` and drops the first `offset` of
/// [`TopK::into_sorted`] (part 2 §E.2). Rows are pre-filtered: the scan's `accept` callback returns `None` for a row
/// that is deleted or fails the filter, so it never competes. Equal distances are ordered by ordinal, smaller first,
/// whatever order the columns are scanned in. NaN distances (only possible with NaN or infinite stored components,
/// which inserts reject) are skipped.
///
/// ```
/// use milvus_mock::search::{Column, Metric, QueryVector, TopK};
/// let partition_a = [1.0f32, 0.0, 0.0, 1.0];
/// let partition_b = [1.0f32, 0.0];
/// let query = QueryVector::Float(vec![1.0, 0.0]);
/// let mut top = TopK::new(Metric::Ip, 2, None);
/// top.scan(&Column::Float { dim: 2, data: &partition_a }, &query, |row| Some([7, 8][row])).unwrap();
/// // Partition b's only row ties with row 0 of a (IP 1.0) but has the smaller ordinal.
/// top.scan(&Column::Float { dim: 2, data: &partition_b }, &query, |_| Some(3)).unwrap();
/// let ordinals: Vec<u64> = top.into_sorted().iter().map(|h| h.ordinal).collect();
/// assert_eq!(ordinals, [3, 7]);
/// ```
#[derive(Debug, Clone)]
pub struct TopK {
    metric: Metric,
    k: usize,
    range: Option<Range>,
    /// A max-heap on (key, ordinal): the worst kept hit is on top, so a better one replaces it in O(log k).
    heap: BinaryHeap<Entry>,
    /// The key of the worst kept hit once `k` are kept (+∞ before): a hit with a larger key cannot get in.
    worst_key: f32,
}

impl TopK {
    /// An empty accumulator for the `k` best hits under `metric`, keeping only hits inside `range` if given.
    pub fn new(metric: Metric, k: usize, range: Option<Range>) -> Self {
        // Reserve for small k only: a range or grouping search may ask for every row and keep few.
        let worst_key = if k == 0 { f32::NEG_INFINITY } else { f32::INFINITY };
        TopK { metric, k, range, heap: BinaryHeap::with_capacity(k.min(1024)), worst_key }
    }

    /// The metric the hits are ranked by.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Offers one hit computed elsewhere (it goes through the same range check and tie rule as scanned rows).
    ///
    /// ```
    /// use milvus_mock::search::{Metric, TopK};
    /// let mut top = TopK::new(Metric::L2, 1, None);
    /// top.push(9, 0.5);
    /// top.push(4, 0.5);
    /// assert_eq!(top.into_sorted()[0].ordinal, 4);
    /// ```
    #[inline(always)]
    pub fn push(&mut self, ordinal: u64, distance: f32) {
        // Lower key = better hit; `+ 0.0` turns -0.0 into 0.0 so the two tie as Milvus sees them.
        let key = if self.metric.higher_is_better() { -distance } else { distance } + 0.0;
        // Most rows of a scan lose to the worst kept hit: reject them here, without touching the heap. (A NaN key
        // compares false and goes on to be dropped below.)
        if key > self.worst_key {
            return;
        }
        self.offer(Entry { key, ordinal, distance });
    }

    /// The slow path of [`TopK::push`]: range check, tie rule and heap update.
    #[inline(never)]
    fn offer(&mut self, entry: Entry) {
        if entry.distance.is_nan() || self.range.is_some_and(|range| !range.contains(entry.distance)) {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            *worst = entry;
        }
        if self.heap.len() == self.k {
            self.worst_key = self.heap.peek().map_or(f32::NEG_INFINITY, |worst| worst.key);
        }
    }

    /// Scans one column for one query. `accept(row)` gives the row's ordinal, or `None` to skip the row.
    ///
    /// Fails if the query's kind or length, or the metric, does not fit the column.
    pub fn scan(
        &mut self,
        column: &Column<'_>,
        query: &QueryVector,
        mut accept: impl FnMut(usize) -> Option<u64>,
    ) -> Result<(), SearchError> {
        let kernel = Kernel::new(self.metric, column, query)?;
        with_distance!(kernel, distance => {
            for row in 0..column.rows() {
                if let Some(ordinal) = accept(row) {
                    self.push(ordinal, distance(row));
                }
            }
        });
        Ok(())
    }

    /// The kept hits, best first (ties: smaller ordinal first).
    pub fn into_sorted(self) -> Vec<Hit> {
        self.heap.into_sorted_vec().into_iter().map(|e| Hit { ordinal: e.ordinal, distance: e.distance }).collect()
    }
}

pub(super) use with_distance;

/// A kept hit. Ordered by `key` (lower is better), then by ordinal: the heap's order is the result's order.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: f32,
    ordinal: u64,
    distance: f32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.total_cmp(&other.key).then(self.ordinal.cmp(&other.ordinal))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The naive search: every accepted row's distance, sorted best first (ties by ordinal), the first k.
    fn naive(metric: Metric, hits: &[(u64, f32)], k: usize, range: Option<Range>) -> Vec<(u64, f32)> {
        let mut kept: Vec<(u64, f32)> =
            hits.iter().copied().filter(|&(_, d)| range.is_none_or(|r| r.contains(d))).collect();
        kept.sort_by(|a, b| {
            let order = if metric.higher_is_better() { b.1.total_cmp(&a.1) } else { a.1.total_cmp(&b.1) };
            order.then(a.0.cmp(&b.0))
        });
        kept.truncate(k);
        kept
    }

    fn pairs(hits: Vec<Hit>) -> Vec<(u64, f32)> {
        hits.into_iter().map(|h| (h.ordinal, h.distance)).collect()
    }

    /// Rows of a small integer grid, so equal distances (ties) are common.
    fn grid_rows(dim: usize) -> impl Strategy<Value = Vec<f32>> {
        prop::collection::vec((-3i8..=3).prop_map(f32::from), dim..=dim * 60).prop_map(move |mut v| {
            v.truncate(v.len() / dim * dim);
            v
        })
    }

    fn float_metric() -> impl Strategy<Value = Metric> {
        prop_oneof![Just(Metric::L2), Just(Metric::Ip), Just(Metric::Cosine)]
    }

    proptest! {
        #[test]
        fn topk_equals_sort_then_take_of_a_naive_scan(
            metric in float_metric(),
            data in grid_rows(3),
            query in prop::collection::vec((-3i8..=3).prop_map(f32::from), 3),
            k in 0usize..12,
            seed in any::<u64>(),
        ) {
            let column = Column::Float { dim: 3, data: &data };
            let query = QueryVector::Float(query);
            // Ordinals out of row order, every fifth row rejected by the "filter".
            let ordinal = |row: usize| (row as u64).wrapping_mul(2_654_435_761) ^ seed;
            let accept = |row: usize| (row % 5 != 4).then(|| ordinal(row));
            let mut top = TopK::new(metric, k, None);
            top.scan(&column, &query, accept).unwrap();

            let all: Vec<(u64, f32)> = (0..column.rows())
                .filter_map(|row| accept(row).map(|o| (o, single_distance(metric, &column, &query, row))))
                .collect();
            prop_assert_eq!(pairs(top.into_sorted()), naive(metric, &all, k, None));
        }

        #[test]
        fn scanning_partitions_in_any_order_gives_the_same_hits(
            metric in float_metric(),
            a in grid_rows(2),
            b in grid_rows(2),
            k in 1usize..8,
        ) {
            let query = QueryVector::Float(vec![1.0, -1.0]);
            let (ca, cb) = (Column::Float { dim: 2, data: &a }, Column::Float { dim: 2, data: &b });
            let offset = ca.rows() as u64;
            let run = |first_a: bool| {
                let mut top = TopK::new(metric, k, None);
                let scan_a = |t: &mut TopK| t.scan(&ca, &query, |row| Some(row as u64)).unwrap();
                let scan_b = |t: &mut TopK| t.scan(&cb, &query, |row| Some(offset + row as u64)).unwrap();
                if first_a { scan_a(&mut top); scan_b(&mut top) } else { scan_b(&mut top); scan_a(&mut top) }
                pairs(top.into_sorted())
            };
            prop_assert_eq!(run(true), run(false));
        }

        #[test]
        fn range_search_equals_naive_filtering(
            metric in float_metric(),
            data in grid_rows(2),
            radius in -20i32..20,
            width in prop::option::of(1i32..20),
        ) {
            let radius = radius as f32;
            let filter = width.map(|w| if metric.higher_is_better() { radius + w as f32 } else { radius - w as f32 });
            let range = Range::new(metric, radius, filter).unwrap();
            let column = Column::Float { dim: 2, data: &data };
            let query = QueryVector::Float(vec![2.0, 1.0]);
            let mut top = TopK::new(metric, usize::MAX, Some(range));
            top.scan(&column, &query, |row| Some(row as u64)).unwrap();
            let all: Vec<(u64, f32)> =
                (0..column.rows()).map(|row| (row as u64, single_distance(metric, &column, &query, row))).collect();
            prop_assert_eq!(pairs(top.into_sorted()), naive(metric, &all, usize::MAX, Some(range)));
        }
    }

    /// The distance of one row, through a one-row column (the code path under test, row by row).
    fn single_distance(metric: Metric, column: &Column<'_>, query: &QueryVector, row: usize) -> f32 {
        let Column::Float { dim, data } = *column else { unreachable!() };
        let one = Column::Float { dim, data: &data[row * dim..][..dim] };
        let mut top = TopK::new(metric, 1, None);
        top.scan(&one, query, |_| Some(0)).unwrap();
        top.into_sorted()[0].distance
    }

    /// The best `k` hits of a scan where every row is accepted with its row number as ordinal.
    fn first_hits(metric: Metric, column: &Column<'_>, query: &QueryVector, k: usize) -> Vec<(u64, f32)> {
        let mut top = TopK::new(metric, k, None);
        top.scan(column, query, |row| Some(row as u64)).unwrap();
        pairs(top.into_sorted())
    }

    #[test]
    fn distances_are_the_formulas_of_part_2_e1() {
        let data = [1.0f32, 2.0, 3.0, 4.0];
        let column = Column::Float { dim: 2, data: &data };
        let query = QueryVector::Float(vec![1.0, 1.0]);
        let hits = |metric| first_hits(metric, &column, &query, 2);
        assert_eq!(hits(Metric::L2), [(0, 1.0), (1, 13.0)]);
        assert_eq!(hits(Metric::Ip), [(1, 7.0), (0, 3.0)]);
        let cos = |a: [f32; 2]| (a[0] + a[1]) / (2f32.sqrt() * (a[0] * a[0] + a[1] * a[1]).sqrt());
        let got = hits(Metric::Cosine);
        assert_eq!((got[0].0, got[1].0), (1, 0));
        assert!((got[0].1 - cos([3.0, 4.0])).abs() < 1e-6 && (got[1].1 - cos([1.0, 2.0])).abs() < 1e-6);
    }

    #[test]
    fn binary_metrics_rank_by_bit_counts() {
        // Two 16-bit rows.
        let data = [0b1111_0000u8, 0, 0b1111_1111, 0b1111_1111];
        let column = Column::Binary { dim: 16, data: &data };
        let query = QueryVector::Binary(vec![0b1111_0000, 0b0000_0001]);
        let hits = |metric| first_hits(metric, &column, &query, 2);
        assert_eq!(hits(Metric::Hamming), [(0, 1.0), (1, 11.0)]);
        assert_eq!(hits(Metric::Jaccard), [(0, 1.0 - 4.0 / 5.0), (1, 1.0 - 5.0 / 16.0)]);
    }

    #[test]
    fn sparse_ip_multiplies_shared_indices_only() {
        let rows = [SparseVector::new(vec![1, 5], vec![2.0, 3.0]), SparseVector::new(vec![2], vec![9.0])];
        let query = QueryVector::Sparse(SparseVector::new(vec![5, 2, 1], vec![1.0, 0.5, 1.0]));
        for metric in [Metric::Ip, Metric::Bm25] {
            assert_eq!(first_hits(metric, &Column::Sparse(&rows), &query, 5), [(0, 5.0), (1, 4.5)]);
        }
    }

    #[test]
    fn mismatched_queries_and_metrics_are_errors() {
        let data = [0.0f32; 4];
        let column = Column::Float { dim: 2, data: &data };
        let mut top = TopK::new(Metric::L2, 1, None);
        assert_eq!(top.scan(&column, &QueryVector::Binary(vec![0]), |_| Some(0)), Err(SearchError::KindMismatch));
        assert_eq!(
            top.scan(&column, &QueryVector::Float(vec![0.0; 3]), |_| Some(0)),
            Err(SearchError::DimensionMismatch { expected: 2, actual: 3 })
        );
        let mut top = TopK::new(Metric::Hamming, 1, None);
        assert_eq!(
            top.scan(&column, &QueryVector::Float(vec![0.0; 2]), |_| Some(0)),
            Err(SearchError::MetricMismatch { metric: Metric::Hamming })
        );
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        let mut top = TopK::new(Metric::Ip, 2, None);
        top.push(5, 0.0);
        top.push(2, -0.0);
        let ordinals: Vec<u64> = top.into_sorted().iter().map(|h| h.ordinal).collect();
        assert_eq!(ordinals, [2, 5]);
    }

    #[test]
    fn k_zero_keeps_nothing() {
        let mut top = TopK::new(Metric::L2, 0, None);
        top.push(1, 1.0);
        assert!(top.into_sorted().is_empty());
    }
}
