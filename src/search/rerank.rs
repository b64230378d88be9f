//! Hybrid search reranking: `rrf` and `weighted` (part 2 §E.4), as Milvus 2.6 computes them
//! (`internal/util/function/rerank/rrf_function.go`, `weighted_function.go`, `util.go`).
//!
//! Scores are computed in `f32` in the same order as Milvus, so the reported `distance` matches to the last bit.

use std::collections::HashMap;
use std::hash::Hash;

use super::{GroupParams, Metric};

/// A hit identified by its key (the primary key: ties between equal scores are broken by it, smaller first, as
/// Milvus's `newIDScores` does), with its distance or score.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored<K> {
    pub key: K,
    pub score: f32,
}

/// One sub-search of a hybrid search: its metric and its hits, best first, as the sub-search returned them (each
/// sub-search first takes its own `limit`).
#[derive(Debug, Clone, PartialEq)]
pub struct SubSearch<K> {
    pub metric: Metric,
    pub hits: Vec<Scored<K>>,
}

/// Why rerank parameters were refused, with Milvus's text (the proxy reports these as the request's error).
#[derive(Debug, Clone, PartialEq)]
pub enum RerankError {
    /// `rrf` `k` outside (0, 16384).
    RrfK,
    /// `weighted` without `weights`.
    WeightsMissing,
    /// A weight outside [0, 1].
    WeightOutOfRange,
    /// Not one weight per sub-search.
    WeightCount { searches: usize, weights: usize },
}

impl std::fmt::Display for RerankError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RerankError::RrfK => write!(f, "The rank params k should be in range (0, 16384)"),
            RerankError::WeightsMissing => write!(f, "weights not found"),
            RerankError::WeightOutOfRange => write!(f, "rank param weight should be in range [0, 1]"),
            // merr.WrapErrParameterInvalid(len(cols), len(weights), msg)
            RerankError::WeightCount { searches, weights } => write!(
                f,
                "the length of weights param mismatch with ann search requests: invalid parameter[expected={searches}][actual={weights}]"
            ),
        }
    }
}

impl std::error::Error for RerankError {}

/// Reciprocal rank fusion: each hit scores Σ 1 / (k + rank) over the sub-searches it appears in, rank counted from
/// 1. Highest score first; `offset` hits are skipped and at most `limit` returned.
///
/// ```
/// use milvus_mock::search::{Metric, Scored, SubSearch, rerank_rrf};
/// let sub = |metric, keys: &[u64]| SubSearch {
///     metric,
///     hits: keys.iter().map(|&key| Scored { key, score: 0.0 }).collect(),
/// };
/// let merged = rerank_rrf(&[sub(Metric::L2, &[1, 2]), sub(Metric::Ip, &[2, 3])], 60.0, 10, 0).unwrap();
/// let expected = [(2, 1.0 / 62.0 + 1.0 / 61.0), (1, 1.0 / 61.0), (3, 1.0 / 62.0)];
/// assert_eq!(merged.iter().map(|s| (s.key, s.score)).collect::<Vec<_>>(), expected);
/// ```
pub fn rerank_rrf<K: Ord + Hash + Clone>(
    searches: &[SubSearch<K>],
    k: f64,
    limit: usize,
    offset: usize,
) -> Result<Vec<Scored<K>>, RerankError> {
    Ok(rrf_scores(searches, k)?.top(limit, offset))
}

/// The merged scores of [`rerank_rrf`], before ranking (for [`Reranked::grouped`]).
pub fn rrf_scores<K: Hash + Eq + Clone>(searches: &[SubSearch<K>], k: f64) -> Result<Reranked<K>, RerankError> {
    if !(k > 0.0 && k < 16384.0) {
        return Err(RerankError::RrfK);
    }
    let k = k as f32;
    let scores = accumulate(searches, |_, rank, _| 1.0 / (k + (rank + 1) as f32));
    Ok(Reranked { scores, descending: true })
}

/// Weighted scoring: each hit scores Σ wᵢ · norm(dᵢ) over the sub-searches it appears in.
///
/// With `norm_score` (default false in 2.6's legacy `rerank.params`), every distance is normalised to [0, 1]:
/// COSINE (1 + d)/2, IP 0.5 + atan(d)/π, BM25 2·atan(d)/π, the others (L2, HAMMING, JACCARD) 1 − 2·atan(d)/π, and
/// the highest score comes first. Without it, distances are summed raw when all sub-searches rank the same way (then
/// an all-L2 search is sorted ascending, smaller first), and only when metrics are mixed are the smaller-is-better
/// ones turned around with 1 − 2·atan(d)/π and the result sorted descending.
///
/// ```
/// use milvus_mock::search::{Metric, Scored, SubSearch, rerank_weighted};
/// let a = SubSearch { metric: Metric::Cosine, hits: vec![Scored { key: 1u64, score: 0.5 }] };
/// let b = SubSearch { metric: Metric::L2, hits: vec![Scored { key: 1, score: 1.0 }] };
/// let merged = rerank_weighted(&[a, b], &[0.5, 1.0], true, 10, 0).unwrap();
/// // 0.5 · (1 + 0.5)/2 + 1.0 · (1 − 2·atan(1)/π) = 0.375 + 0.5
/// assert_eq!(merged, [Scored { key: 1, score: 0.875 }]);
/// ```
pub fn rerank_weighted<K: Ord + Hash + Clone>(
    searches: &[SubSearch<K>],
    weights: &[f32],
    norm_score: bool,
    limit: usize,
    offset: usize,
) -> Result<Vec<Scored<K>>, RerankError> {
    Ok(weighted_scores(searches, weights, norm_score)?.top(limit, offset))
}

/// The merged scores of [`rerank_weighted`], before ranking (for [`Reranked::grouped`]).
pub fn weighted_scores<K: Hash + Eq + Clone>(
    searches: &[SubSearch<K>],
    weights: &[f32],
    norm_score: bool,
) -> Result<Reranked<K>, RerankError> {
    if weights.is_empty() {
        return Err(RerankError::WeightsMissing);
    }
    if weights.iter().any(|w| !(0.0..=1.0).contains(w)) {
        return Err(RerankError::WeightOutOfRange);
    }
    if weights.len() != searches.len() {
        return Err(RerankError::WeightCount { searches: searches.len(), weights: weights.len() });
    }
    let larger = searches.iter().filter(|s| s.metric.higher_is_better()).count();
    let mixed = larger > 0 && larger < searches.len();
    let descending = norm_score || larger == searches.len() || mixed;
    let scores = accumulate(searches, |search, _, distance| {
        weights[search] * normalize(searches[search].metric, distance, norm_score, mixed)
    });
    Ok(Reranked { scores, descending })
}

/// The merged score of every hit of a hybrid search, before ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Reranked<K> {
    /// One entry per distinct key, in no particular order.
    pub scores: Vec<Scored<K>>,
    /// Whether a higher score ranks first (always, except `weighted` without `norm_score` over smaller-is-better
    /// metrics only).
    pub descending: bool,
}

/// How a group of a grouped hybrid search is scored (`rank_group_scorer`; Milvus's default is `max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupScorer {
    #[default]
    Max,
    Sum,
    Avg,
}

impl<K: Ord + Clone> Reranked<K> {
    /// Best first (ties: smaller key first), the first `offset` skipped, at most `limit` kept (`newIDScores`).
    pub fn top(self, limit: usize, offset: usize) -> Vec<Scored<K>> {
        ranked(self.scores, self.descending, limit, offset)
    }

    /// Grouping after reranking, as Milvus's `newGroupingIDScores` (`internal/util/function/rerank/util.go`) does
    /// it: hits by score, highest first whatever the metrics (ties: smaller key); up to `group_size` hits per group;
    /// groups ordered by their score (`scorer`; ties: the larger group, then the smaller first key); `offset`
    /// groups skipped, `limit` kept, and with `strict` a kept group with fewer than `group_size` hits is dropped
    /// (it still counts towards `limit`). A group's `max` starts at 0, as in Milvus, so a group of negative scores
    /// scores 0.
    ///
    /// ```
    /// use milvus_mock::search::{GroupParams, GroupScorer, Reranked, Scored};
    /// let scored = |key: u64, score| Scored { key, score };
    /// let reranked = Reranked { scores: vec![scored(1, 0.9), scored(2, 0.85), scored(3, 0.8), scored(4, 0.75), scored(5, 0.7)], descending: true };
    /// let group_of = |key: &u64| match key { 1 | 2 | 4 => "a", 3 => "b", _ => "c" };
    /// let params = GroupParams { limit: 3, offset: 0, group_size: 2, strict: true };
    /// let kept: Vec<u64> = reranked.grouped(group_of, &params, GroupScorer::Max).iter().map(|s| s.key).collect();
    /// assert_eq!(kept, [1, 2]); // "b" and "c" hold one hit each: dropped by strictGroupSize
    /// ```
    pub fn grouped<G: Hash + Eq>(
        self,
        group_of: impl Fn(&K) -> G,
        params: &GroupParams,
        scorer: GroupScorer,
    ) -> Vec<Scored<K>> {
        let hits = ranked(self.scores, true, usize::MAX, 0);
        let mut index: HashMap<G, usize> = HashMap::new();
        let mut groups: Vec<Group<K>> = Vec::new();
        for hit in hits {
            let slot = *index.entry(group_of(&hit.key)).or_insert_with(|| {
                groups.push(Group { hits: Vec::new(), max: 0.0, sum: 0.0 });
                groups.len() - 1
            });
            let group = &mut groups[slot];
            if group.hits.len() >= params.group_size {
                continue;
            }
            group.max = group.max.max(hit.score);
            group.sum += hit.score;
            group.hits.push(hit);
        }
        let score = |g: &Group<K>| match scorer {
            GroupScorer::Max => g.max,
            GroupScorer::Sum => g.sum,
            GroupScorer::Avg => g.sum / g.hits.len() as f32,
        };
        groups.sort_by(|a, b| {
            score(b)
                .total_cmp(&score(a))
                .then(b.hits.len().cmp(&a.hits.len()))
                .then_with(|| a.hits[0].key.cmp(&b.hits[0].key))
        });
        groups
            .into_iter()
            .skip(params.offset)
            .take(params.limit)
            .filter(|g| !params.strict || g.hits.len() >= params.group_size)
            .flat_map(|g| g.hits)
            .collect()
    }
}

/// A group of a grouped hybrid search.
struct Group<K> {
    hits: Vec<Scored<K>>,
    max: f32,
    sum: f32,
}

/// Milvus's `getNormalizeFunc`, in its `f32`/`f64` mix.
fn normalize(metric: Metric, d: f32, norm_score: bool, mixed: bool) -> f32 {
    let atan = (d as f64).atan() as f32;
    let pi = std::f32::consts::PI;
    match (norm_score, metric) {
        (false, _) if !mixed || metric.higher_is_better() => d,
        (true, Metric::Cosine) => (1.0 + d) * 0.5,
        (true, Metric::Ip) => 0.5 + atan / pi,
        (true, Metric::Bm25) => 2.0 * atan / pi,
        _ => 1.0 - 2.0 * atan / pi,
    }
}

/// Sums `score(search, rank, distance)` per key, in sub-search order (the order Milvus adds them in `f32`). Keys
/// are listed in first-seen order; the sort makes that order irrelevant.
fn accumulate<K: Hash + Eq + Clone>(
    searches: &[SubSearch<K>],
    score: impl Fn(usize, usize, f32) -> f32,
) -> Vec<Scored<K>> {
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut totals: Vec<Scored<K>> = Vec::new();
    for (search, sub) in searches.iter().enumerate() {
        for (rank, hit) in sub.hits.iter().enumerate() {
            let add = score(search, rank, hit.score);
            match index.get(&hit.key) {
                Some(&i) => totals[i].score += add,
                None => {
                    index.insert(hit.key.clone(), totals.len());
                    totals.push(Scored { key: hit.key.clone(), score: add });
                }
            }
        }
    }
    totals
}

/// Sorts by score (descending or ascending), ties by key ascending, then applies offset and limit.
fn ranked<K: Ord>(mut scores: Vec<Scored<K>>, descending: bool, limit: usize, offset: usize) -> Vec<Scored<K>> {
    scores.sort_by(|a, b| {
        let order = if descending { b.score.total_cmp(&a.score) } else { a.score.total_cmp(&b.score) };
        order.then_with(|| a.key.cmp(&b.key))
    });
    scores.into_iter().skip(offset).take(limit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(metric: Metric, hits: &[(u64, f32)]) -> SubSearch<u64> {
        SubSearch { metric, hits: hits.iter().map(|&(key, score)| Scored { key, score }).collect() }
    }

    fn pairs(scored: Vec<Scored<u64>>) -> Vec<(u64, f32)> {
        scored.into_iter().map(|s| (s.key, s.score)).collect()
    }

    #[test]
    fn rrf_ranks_count_from_one_and_ties_go_to_the_smaller_key() {
        let a = sub(Metric::L2, &[(5, 0.1), (9, 0.2)]);
        let b = sub(Metric::L2, &[(9, 0.3), (5, 0.4)]);
        // 5 and 9 both score 1/61 + 1/62 (added in a different order, same f32 here): 5 first.
        let merged = pairs(rerank_rrf(&[a, b], 60.0, 10, 0).unwrap());
        assert_eq!(merged.iter().map(|p| p.0).collect::<Vec<_>>(), [5, 9]);
        assert_eq!(merged[0].1, 1.0f32 / 61.0 + 1.0f32 / 62.0);
    }

    #[test]
    fn rrf_applies_offset_then_limit_and_checks_k() {
        let a = sub(Metric::Ip, &[(1, 0.0), (2, 0.0), (3, 0.0), (4, 0.0)]);
        let merged = pairs(rerank_rrf(std::slice::from_ref(&a), 1.0, 2, 1).unwrap());
        assert_eq!(merged, [(2, 1.0 / 3.0), (3, 1.0 / 4.0)]);
        assert_eq!(rerank_rrf(std::slice::from_ref(&a), 0.0, 1, 0), Err(RerankError::RrfK));
        assert_eq!(rerank_rrf(&[a], 16384.0, 1, 0), Err(RerankError::RrfK));
        assert_eq!(RerankError::RrfK.to_string(), "The rank params k should be in range (0, 16384)");
    }

    #[test]
    fn weighted_with_norm_score_uses_milvus_normalisations() {
        let searches =
            [sub(Metric::Ip, &[(1, 2.0)]), sub(Metric::Bm25, &[(1, 3.0)]), sub(Metric::Jaccard, &[(2, 0.5)])];
        let merged = pairs(rerank_weighted(&searches, &[1.0, 0.5, 0.25], true, 10, 0).unwrap());
        let pi = std::f32::consts::PI;
        let ip = 0.5 + (2.0f64.atan() as f32) / pi;
        let bm25 = 2.0 * (3.0f64.atan() as f32) / pi;
        let jaccard = 1.0 - 2.0 * (0.5f64.atan() as f32) / pi;
        assert_eq!(merged, [(1, ip + 0.5 * bm25), (2, 0.25 * jaccard)]);
    }

    #[test]
    fn weighted_without_norm_sums_raw_l2_distances_and_sorts_ascending() {
        let searches = [sub(Metric::L2, &[(1, 4.0), (2, 5.0)]), sub(Metric::L2, &[(2, 1.0), (3, 0.5)])];
        let merged = pairs(rerank_weighted(&searches, &[0.5, 1.0], false, 10, 0).unwrap());
        assert_eq!(merged, [(3, 0.5), (1, 2.0), (2, 3.5)]);
    }

    #[test]
    fn weighted_without_norm_turns_l2_around_only_when_metrics_are_mixed() {
        let searches = [sub(Metric::Ip, &[(1, 0.25)]), sub(Metric::L2, &[(2, 1.0)])];
        let merged = pairs(rerank_weighted(&searches, &[1.0, 1.0], false, 10, 0).unwrap());
        // L2 1.0 becomes 1 - 2·atan(1)/π = 0.5, above IP's raw 0.25.
        assert_eq!(merged, [(2, 0.5), (1, 0.25)]);
    }

    /// Milvus's `TestNewGroupingIDScoresWithStrictGroupSize` data: a = {1, 2, 4}, b = {3}, c = {5}.
    fn grouped(strict: bool, limit: usize, offset: usize, scorer: GroupScorer) -> Vec<u64> {
        let scores = [(1, 0.9), (2, 0.85), (3, 0.8), (4, 0.75), (5, 0.7)];
        let reranked =
            Reranked { scores: scores.iter().map(|&(key, score)| Scored { key, score }).collect(), descending: true };
        let group_of = |key: &u64| match key {
            1 | 2 | 4 => 'a',
            3 => 'b',
            _ => 'c',
        };
        let params = GroupParams { limit, offset, group_size: 2, strict };
        reranked.grouped(group_of, &params, scorer).into_iter().map(|s| s.key).collect()
    }

    #[test]
    fn grouping_after_reranking_follows_milvus_tests() {
        assert_eq!(grouped(true, 3, 0, GroupScorer::Max), [1, 2]);
        assert_eq!(grouped(false, 3, 0, GroupScorer::Max), [1, 2, 3, 5]);
        assert_eq!(grouped(false, 2, 0, GroupScorer::Max), [1, 2, 3]);
        assert_eq!(grouped(false, 2, 1, GroupScorer::Max), [3, 5]);
    }

    #[test]
    fn group_scorers_order_groups_by_sum_or_average() {
        // Sums: a 1.75, b 0.8, c 0.7. Averages: a 0.875, b 0.8, c 0.7. Same order here; a sum of two beats a max.
        assert_eq!(grouped(false, 3, 0, GroupScorer::Sum), [1, 2, 3, 5]);
        assert_eq!(grouped(false, 1, 2, GroupScorer::Avg), [5]);
    }

    #[test]
    fn equal_group_scores_prefer_the_larger_group_then_the_smaller_first_key() {
        let scores = [(7, 0.5), (8, 0.5), (3, 0.5), (9, 0.4)];
        let reranked =
            Reranked { scores: scores.iter().map(|&(key, score)| Scored { key, score }).collect(), descending: true };
        // Groups: x = {3} (first key 3), y = {7, 9}, z = {8}; all have max 0.5.
        let group_of = |key: &u64| match key {
            3 => 'x',
            7 | 9 => 'y',
            _ => 'z',
        };
        let params = GroupParams { limit: 3, offset: 0, group_size: 2, strict: false };
        let keys: Vec<u64> = reranked.grouped(group_of, &params, GroupScorer::Max).into_iter().map(|s| s.key).collect();
        assert_eq!(keys, [7, 9, 3, 8]);
    }

    #[test]
    fn weighted_checks_its_weights() {
        let searches = [sub(Metric::Ip, &[]), sub(Metric::Ip, &[])];
        assert_eq!(rerank_weighted(&searches, &[], false, 1, 0), Err(RerankError::WeightsMissing));
        assert_eq!(rerank_weighted(&searches, &[0.5, 1.5], false, 1, 0), Err(RerankError::WeightOutOfRange));
        let err = rerank_weighted(&searches, &[0.5], false, 1, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the length of weights param mismatch with ann search requests: invalid parameter[expected=2][actual=1]"
        );
    }
}
