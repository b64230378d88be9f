//! nq > 1: one pass over a column for a whole batch of queries.
//!
//! One query at a time, a scan is bound by reading the column (and each row's query pairs); a batch can share every
//! row it reads between its queries. Float columns take a blocked path: [`SUB_BLOCK`] accepted rows are copied
//! dimension-major into a small buffer that stays in the L1 cache, and [`GROUP`] queries at a time are compared with
//! all of them, so each value read feeds `GROUP × SUB_BLOCK` multiply-adds that the compiler vectorises across rows.
//!
//! The blocked path adds the products of each row in exactly the order of the one-query kernels (lane `i` sums the
//! dimensions `i`, `i + LANES`, ... in turn, then the lanes are folded by the same tree), so a query's distances are
//! bit-for-bit the same in a batch and alone. Binary and sparse columns go row by row.

use super::kernels::{self, LANES};
use super::topk::{Kernel, with_distance};
use super::{Column, Metric, QueryVector, SearchError, TopK};

/// Rows compared with every query at once (two 128-bit registers per query and lane).
const SUB_BLOCK: usize = 8;
/// Queries compared with a sub-block at once: 4 queries × 8 rows of accumulators fit the registers.
const GROUP: usize = 4;

/// Scans one column for nq queries at once: `tops[i]` collects the hits of `queries[i]`.
///
/// Same hits and distances as calling [`TopK::scan`] per query, but the column is read from memory once per batch,
/// and `accept` is called once per row (not once per query).
///
/// ```
/// use milvus_mock::search::{Column, Metric, QueryVector, TopK, scan_batch};
/// let rows = [0.0f32, 1.0, 2.0, 3.0];
/// let queries = [QueryVector::Float(vec![0.1]), QueryVector::Float(vec![2.9])];
/// let mut tops = vec![TopK::new(Metric::L2, 1, None), TopK::new(Metric::L2, 1, None)];
/// scan_batch(&mut tops, &Column::Float { dim: 1, data: &rows }, &queries, |row| Some(row as u64)).unwrap();
/// let best: Vec<u64> = tops.into_iter().map(|t| t.into_sorted()[0].ordinal).collect();
/// assert_eq!(best, [0, 3]);
/// ```
pub fn scan_batch(
    tops: &mut [TopK],
    column: &Column<'_>,
    queries: &[QueryVector],
    accept: impl FnMut(usize) -> Option<u64>,
) -> Result<(), SearchError> {
    assert_eq!(tops.len(), queries.len(), "scan_batch needs one TopK per query");
    let kernels = tops
        .iter()
        .zip(queries)
        .map(|(top, query)| Kernel::new(top.metric(), column, query))
        .collect::<Result<Vec<_>, _>>()?;
    let metric = tops.first().map(TopK::metric);
    match (*column, metric) {
        (Column::Float { dim, data }, Some(metric)) if tops.iter().all(|t| t.metric() == metric) => {
            let queries: Vec<&[f32]> = queries
                .iter()
                .map(|q| match q {
                    QueryVector::Float(v) => v.as_slice(),
                    _ => unreachable!("Kernel::new checked the kinds"),
                })
                .collect();
            scan_float_batch(tops, &FloatBatch { metric, dim, data, queries }, accept);
        }
        _ => scan_row_by_row(tops, &kernels, column.rows(), accept),
    }
    Ok(())
}

/// The generic path: every accepted row against every query, with the one-query kernels.
fn scan_row_by_row(
    tops: &mut [TopK],
    kernels: &[Kernel<'_>],
    rows: usize,
    mut accept: impl FnMut(usize) -> Option<u64>,
) {
    const BLOCK_ROWS: usize = 64;
    let mut block: Vec<(usize, u64)> = Vec::with_capacity(BLOCK_ROWS);
    for start in (0..rows).step_by(BLOCK_ROWS) {
        block.clear();
        block.extend((start..rows.min(start + BLOCK_ROWS)).filter_map(|row| accept(row).map(|ordinal| (row, ordinal))));
        for (top, kernel) in tops.iter_mut().zip(kernels) {
            with_distance!(*kernel, distance => {
                for &(row, ordinal) in &block {
                    top.push(ordinal, distance(row));
                }
            });
        }
    }
}

/// A batch of float queries with one metric (IP, L2 or COSINE) against one float column.
struct FloatBatch<'a> {
    metric: Metric,
    dim: usize,
    data: &'a [f32],
    queries: Vec<&'a [f32]>,
}

/// The blocked path for float columns.
fn scan_float_batch(tops: &mut [TopK], batch: &FloatBatch<'_>, mut accept: impl FnMut(usize) -> Option<u64>) {
    let dim = batch.dim;
    let query_norms: Vec<f32> = batch.queries.iter().map(|q| kernels::norm(q)).collect();
    let mut block = SubBlock { rows: Vec::with_capacity(SUB_BLOCK), transposed: vec![0.0; dim * SUB_BLOCK] };
    let rows = batch.data.len().checked_div(dim).unwrap_or(0);
    for row in 0..rows {
        if let Some(ordinal) = accept(row) {
            block.rows.push((row, ordinal));
            if block.rows.len() == SUB_BLOCK {
                block.compare(tops, batch, &query_norms);
                block.rows.clear();
            }
        }
    }
    if !block.rows.is_empty() {
        block.compare(tops, batch, &query_norms);
    }
}

/// Up to [`SUB_BLOCK`] accepted rows, copied dimension-major: `transposed[d * SUB_BLOCK + r]` is row r's value d.
struct SubBlock {
    rows: Vec<(usize, u64)>,
    transposed: Vec<f32>,
}

impl SubBlock {
    /// Compares the rows with every query and offers the distances to the queries' accumulators.
    fn compare(&mut self, tops: &mut [TopK], batch: &FloatBatch<'_>, query_norms: &[f32]) {
        let dim = batch.dim;
        self.transposed.fill(0.0);
        for (r, &(row, _)) in self.rows.iter().enumerate() {
            for (d, &value) in batch.data[row * dim..][..dim].iter().enumerate() {
                self.transposed[d * SUB_BLOCK + r] = value;
            }
        }
        let row_norms: [f32; SUB_BLOCK] = match batch.metric {
            Metric::Cosine => std::array::from_fn(|r| {
                self.rows.get(r).map_or(0.0, |&(row, _)| kernels::norm(&batch.data[row * dim..][..dim]))
            }),
            _ => [0.0; SUB_BLOCK],
        };
        let mut first = 0;
        while first < batch.queries.len() {
            let queries = &batch.queries[first..];
            if queries.len() >= GROUP {
                let distances = self.distances::<GROUP>(batch, &queries[..GROUP]);
                self.offer(&mut tops[first..], &distances, &query_norms[first..], &row_norms, batch.metric);
                first += GROUP;
            } else {
                let distances = self.distances::<1>(batch, &queries[..1]);
                self.offer(&mut tops[first..], &distances, &query_norms[first..], &row_norms, batch.metric);
                first += 1;
            }
        }
    }

    /// Offers `distances[j][r]` (query j, row r) to `tops[j]`, turning inner products into cosines for COSINE.
    fn offer(
        &self,
        tops: &mut [TopK],
        distances: &[[f32; SUB_BLOCK]],
        query_norms: &[f32],
        row_norms: &[f32; SUB_BLOCK],
        metric: Metric,
    ) {
        for ((top, row_distances), &query_norm) in tops.iter_mut().zip(distances).zip(query_norms) {
            for ((&(_, ordinal), &d), &row_norm) in self.rows.iter().zip(row_distances).zip(row_norms) {
                let d = match metric {
                    Metric::Cosine => {
                        let denominator = query_norm * row_norm;
                        if denominator == 0.0 { 0.0 } else { d / denominator }
                    }
                    _ => d,
                };
                top.push(ordinal, d);
            }
        }
    }

    /// The L2 distance or inner product of `G` queries with the sub-block's rows.
    #[inline(always)]
    fn distances<const G: usize>(&self, batch: &FloatBatch<'_>, queries: &[&[f32]]) -> [[f32; SUB_BLOCK]; G] {
        let queries: [&[f32]; G] = std::array::from_fn(|j| &queries[j][..batch.dim]);
        match batch.metric {
            Metric::L2 => self.lanes(batch.dim, queries, |acc, q, x| {
                let t = q - x;
                acc + t * t
            }),
            _ => self.lanes(batch.dim, queries, |acc, q, x| acc + q * x),
        }
    }

    /// Lane by lane (the one-query kernels' order), the `step` sums of every query and row, folded.
    #[inline(always)]
    fn lanes<const G: usize>(
        &self,
        dim: usize,
        queries: [&[f32]; G],
        step: impl Fn(f32, f32, f32) -> f32,
    ) -> [[f32; SUB_BLOCK]; G] {
        let mut partial = [[[0.0f32; SUB_BLOCK]; G]; LANES];
        let values = self.transposed[..dim * SUB_BLOCK].chunks_exact(SUB_BLOCK);
        for (lane, sums) in partial.iter_mut().enumerate().take(dim) {
            // The accumulators live in registers for the whole lane; the lane's dimensions are lane, lane + LANES, ...
            let mut acc = [[0.0f32; SUB_BLOCK]; G];
            for (d, x) in values.clone().enumerate().skip(lane).step_by(LANES) {
                let x: &[f32; SUB_BLOCK] = x.try_into().expect("chunks_exact");
                for (acc, query) in acc.iter_mut().zip(queries) {
                    let q = query[d];
                    for (a, &x) in acc.iter_mut().zip(x) {
                        *a = step(*a, q, x);
                    }
                }
            }
            *sums = acc;
        }
        std::array::from_fn(|j| kernels::fold_rows(std::array::from_fn(|lane| partial[lane][j])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(top: TopK) -> Vec<(u64, f32)> {
        top.into_sorted().into_iter().map(|h| (h.ordinal, h.distance)).collect()
    }

    proptest! {
        /// Bit-for-bit: the batch's distances are those of one-query scans (dims below, at and past LANES).
        #[test]
        fn a_batch_scan_equals_one_scan_per_query(
            metric in prop_oneof![Just(Metric::L2), Just(Metric::Ip), Just(Metric::Cosine)],
            (dim, data, queries) in prop_oneof![Just(1usize), Just(4), Just(16), Just(21), Just(40)].prop_flat_map(|dim| (
                Just(dim),
                prop::collection::vec(-2.0f32..2.0, dim..dim * 50),
                prop::collection::vec(prop::collection::vec(-2.0f32..2.0, dim), 1..10),
            )),
            k in 1usize..6,
        ) {
            let data = &data[..data.len() / dim * dim];
            let column = Column::Float { dim, data };
            let queries: Vec<QueryVector> = queries.into_iter().map(QueryVector::Float).collect();
            let accept = |row: usize| (!row.is_multiple_of(3)).then_some(row as u64 * 7);
            let mut tops: Vec<TopK> = queries.iter().map(|_| TopK::new(metric, k, None)).collect();
            scan_batch(&mut tops, &column, &queries, accept).unwrap();
            for (top, query) in tops.into_iter().zip(&queries) {
                let mut single = TopK::new(metric, k, None);
                single.scan(&column, query, accept).unwrap();
                prop_assert_eq!(pairs(top), pairs(single));
            }
        }

        #[test]
        fn a_binary_batch_equals_one_scan_per_query(
            data in prop::collection::vec(any::<u8>(), 2..200),
            queries in prop::collection::vec(prop::collection::vec(any::<u8>(), 2), 1..5),
        ) {
            let data = &data[..data.len() / 2 * 2];
            let column = Column::Binary { dim: 16, data };
            let queries: Vec<QueryVector> = queries.into_iter().map(QueryVector::Binary).collect();
            let mut tops: Vec<TopK> = queries.iter().map(|_| TopK::new(Metric::Hamming, 3, None)).collect();
            scan_batch(&mut tops, &column, &queries, |row| Some(row as u64)).unwrap();
            for (top, query) in tops.into_iter().zip(&queries) {
                let mut single = TopK::new(Metric::Hamming, 3, None);
                single.scan(&column, query, |row| Some(row as u64)).unwrap();
                prop_assert_eq!(pairs(top), pairs(single));
            }
        }
    }

    #[test]
    fn a_batch_with_a_bad_query_is_refused() {
        let column = Column::Float { dim: 2, data: &[0.0; 4] };
        let queries = [QueryVector::Float(vec![0.0; 2]), QueryVector::Float(vec![0.0; 3])];
        let mut tops = vec![TopK::new(Metric::Ip, 1, None), TopK::new(Metric::Ip, 1, None)];
        assert_eq!(
            scan_batch(&mut tops, &column, &queries, |row| Some(row as u64)),
            Err(SearchError::DimensionMismatch { expected: 2, actual: 3 })
        );
    }
}
