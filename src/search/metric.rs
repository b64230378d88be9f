//! Metrics (part 2 §E.1) and range search bounds (§E.2).

use super::{Column, QueryVector};

/// A distance metric, as named by an index's `metric_type`.
///
/// | metric | vectors | `distance` | better |
/// | --- | --- | --- | --- |
/// | `L2` | float | squared Euclidean distance | smaller |
/// | `IP` | float, sparse | inner product | larger |
/// | `COSINE` | float | cosine similarity | larger |
/// | `HAMMING` | binary | differing bits | smaller |
/// | `JACCARD` | binary | 1 − \|a∧b\| / \|a∨b\| | smaller |
/// | `BM25` | sparse | inner product of the stored sparse values (see below) | larger |
///
/// **BM25 is approximated**: Milvus scores a text query against the analyzed document with BM25 statistics. This
/// module has no analyzer, so BM25 is the inner product of the query's and the row's sparse values; a caller that
/// builds term-weight vectors gets ranking by those weights.
///
/// ```
/// use milvus_mock::search::Metric;
/// assert_eq!(Metric::parse("cosine"), Some(Metric::Cosine));
/// assert!(Metric::Ip.higher_is_better() && !Metric::L2.higher_is_better());
/// assert_eq!(Metric::parse("TANIMOTO"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    L2,
    Ip,
    Cosine,
    Hamming,
    Jaccard,
    Bm25,
}

impl Metric {
    /// Reads an index's `metric_type`, ignoring ASCII case (Milvus upper-cases it). `None` for any other name.
    pub fn parse(name: &str) -> Option<Metric> {
        const ALL: [Metric; 6] =
            [Metric::L2, Metric::Ip, Metric::Cosine, Metric::Hamming, Metric::Jaccard, Metric::Bm25];
        ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(name))
    }

    /// Milvus's name for the metric.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::L2 => "L2",
            Metric::Ip => "IP",
            Metric::Cosine => "COSINE",
            Metric::Hamming => "HAMMING",
            Metric::Jaccard => "JACCARD",
            Metric::Bm25 => "BM25",
        }
    }

    /// Whether a larger distance is a better hit (Milvus's `metric.PositivelyRelated`: IP, COSINE, BM25).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::Ip | Metric::Cosine | Metric::Bm25)
    }

    /// Whether the metric can be computed on this column with this query.
    pub(super) fn applies_to(self, column: &Column<'_>, query: &QueryVector) -> bool {
        match (column, query) {
            (Column::Float { .. }, QueryVector::Float(_)) => matches!(self, Metric::L2 | Metric::Ip | Metric::Cosine),
            (Column::Binary { .. }, QueryVector::Binary(_)) => matches!(self, Metric::Hamming | Metric::Jaccard),
            (Column::Sparse(_), QueryVector::Sparse(_)) => matches!(self, Metric::Ip | Metric::Bm25),
            _ => false,
        }
    }

    /// `a` is a strictly better distance than `b` under this metric.
    ///
    /// ```
    /// use milvus_mock::search::Metric;
    /// assert!(Metric::Cosine.better(0.9, 0.5) && Metric::Hamming.better(1.0, 2.0));
    /// ```
    pub fn better(self, a: f32, b: f32) -> bool {
        if self.higher_is_better() { a > b } else { a < b }
    }
}

/// Range search bounds: `radius` and the optional `range_filter` of `searchParams.params`.
///
/// Kept hits follow knowhere's `distance_in_range`: for IP, COSINE and BM25 `radius < d <= range_filter`; for L2,
/// HAMMING and JACCARD `range_filter <= d < radius`. A missing `range_filter` leaves that side open.
///
/// ```
/// use milvus_mock::search::{Metric, Range};
/// let r = Range::new(Metric::L2, 4.0, Some(1.0)).unwrap();
/// assert!(r.contains(1.0) && r.contains(3.9) && !r.contains(4.0) && !r.contains(0.5));
/// let r = Range::new(Metric::Ip, 0.5, None).unwrap();
/// assert!(!r.contains(0.5) && r.contains(1e9));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    higher_is_better: bool,
    radius: f32,
    range_filter: Option<f32>,
}

impl Range {
    /// Checks the bounds as the proxy does (`checkRangeSearchParams`, `internal/proxy/task_search.go`): for IP and
    /// COSINE `range_filter` must be greater than `radius`, for the others less. The error is the proxy's text; the
    /// caller reports it as 1100 with `: invalid parameter` appended (`merr.WrapErrParameterInvalidMsg`).
    ///
    /// ```
    /// use milvus_mock::search::{Metric, Range};
    /// assert_eq!(
    ///     Range::new(Metric::Cosine, 0.8, Some(0.2)).unwrap_err(),
    ///     "range_filter must be greater than radius for IP/COSINE, range_filter:0.200000, radius:0.800000"
    /// );
    /// ```
    pub fn new(metric: Metric, radius: f32, range_filter: Option<f32>) -> Result<Range, String> {
        let higher_is_better = metric.higher_is_better();
        if let Some(filter) = range_filter {
            if higher_is_better && radius >= filter {
                return Err(format!(
                    "range_filter must be greater than radius for IP/COSINE, range_filter:{filter:.6}, radius:{radius:.6}"
                ));
            }
            if !higher_is_better && radius <= filter {
                return Err(format!(
                    "range_filter must be less than radius for L2/HAMMING/JACCARD, range_filter:{filter:.6}, radius:{radius:.6}"
                ));
            }
        }
        Ok(Range { higher_is_better, radius, range_filter })
    }

    /// Whether a hit at distance `d` is kept.
    pub fn contains(&self, d: f32) -> bool {
        if self.higher_is_better {
            self.radius < d && self.range_filter.is_none_or(|filter| d <= filter)
        } else {
            d < self.radius && self.range_filter.is_none_or(|filter| filter <= d)
        }
    }
}
