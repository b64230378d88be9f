//! Grouping search: `groupingField`, `groupSize`, `strictGroupSize` (part 2 §E.3).

use std::collections::HashMap;
use std::hash::Hash;

use super::Hit;

/// The grouping parameters of a search request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupParams {
    /// At most this many groups are returned (the request's `limit`).
    pub limit: usize,
    /// The first `offset` groups are skipped (the request's `offset`).
    pub offset: usize,
    /// At most this many hits per group (`groupSize`, default 1).
    pub group_size: usize,
    /// `strictGroupSize`: keep looking for hits until every group is full, rather than stopping once there are
    /// enough groups.
    pub strict: bool,
}

/// Groups hits by key: given every candidate hit best first, each with its group's key (the row's value of the
/// grouping field; `None`-like keys for nulls form one group of their own), returns the kept hits, group by group.
/// The candidates are every accepted row in range: a [`TopK`](super::TopK) with `k = usize::MAX` gives them.
///
/// Milvus does this in two steps, and so does this function:
///
/// 1. **Per segment** (segcore `GroupByMap`, `internal/core/src/exec/operator/search-groupby/`): walk the hits best
///    first. A hit joins its group unless the group already holds `group_size` hits, or it would open a new group
///    when `limit + offset` groups exist. The walk stops as soon as `limit + offset` groups exist (not strict), or
///    once they exist and all are full (strict). So **without `strictGroupSize`, groups can hold fewer than
///    `group_size` hits even when the data has more**: the walk stopped at the last new group. The mock is one
///    segment.
/// 2. **In the proxy** (`reduceSearchResultDataWithGroupBy`, `internal/proxy/search_reduce_util.go`): skip the
///    first `offset` groups, keep the next `limit`, and return them in order of their best hit, each group's hits
///    best first.
///
/// ```
/// use milvus_mock::search::{GroupParams, Hit, group};
/// let hit = |ordinal, distance| Hit { ordinal, distance };
/// // Best first: a, a, b, a, c, b.
/// let hits = [(hit(1, 0.9), "a"), (hit(2, 0.8), "a"), (hit(3, 0.7), "b"), (hit(4, 0.6), "a"), (hit(5, 0.5), "c"), (hit(6, 0.4), "b")];
/// let ordinals = |params| group(hits.iter().copied(), &params).iter().map(|h| h.ordinal).collect::<Vec<_>>();
/// // Two groups of up to two: the walk stops once "b" opens the second group.
/// assert_eq!(ordinals(GroupParams { limit: 2, offset: 0, group_size: 2, strict: false }), [1, 2, 3]);
/// // Strict: it goes on until both groups are full; "c" is refused, the second "b" fills its group.
/// assert_eq!(ordinals(GroupParams { limit: 2, offset: 0, group_size: 2, strict: true }), [1, 2, 3, 6]);
/// // Offset 1 skips group "a".
/// assert_eq!(ordinals(GroupParams { limit: 2, offset: 1, group_size: 1, strict: false }), [3, 5]);
/// ```
pub fn group<K: Eq + Hash + Clone>(hits: impl IntoIterator<Item = (Hit, K)>, params: &GroupParams) -> Vec<Hit> {
    let kept = collect_segment_groups(hits, params);
    reduce_groups(kept, params)
}

/// Step 1: the hits one segment contributes, in the order they were walked (best first).
fn collect_segment_groups<K: Eq + Hash + Clone>(
    hits: impl IntoIterator<Item = (Hit, K)>,
    params: &GroupParams,
) -> Vec<(Hit, K)> {
    let capacity = params.limit + params.offset;
    let mut counts: HashMap<K, usize> = HashMap::new();
    let mut full_groups = 0;
    let mut kept = Vec::new();
    for (hit, key) in hits {
        let enough = counts.len() == capacity && (!params.strict || full_groups == capacity);
        if enough {
            break;
        }
        if counts.len() >= capacity && !counts.contains_key(&key) {
            continue;
        }
        let count = counts.entry(key.clone()).or_insert(0);
        if *count >= params.group_size {
            continue;
        }
        *count += 1;
        if *count == params.group_size {
            full_groups += 1;
        }
        kept.push((hit, key));
    }
    kept
}

/// Step 2: skip `offset` groups, keep `limit` groups, and lay them out group by group.
fn reduce_groups<K: Eq + Hash + Clone>(kept: Vec<(Hit, K)>, params: &GroupParams) -> Vec<Hit> {
    let mut skipped: HashMap<K, ()> = HashMap::new();
    let mut order: Vec<K> = Vec::new();
    let mut members: HashMap<K, Vec<Hit>> = HashMap::new();
    let bound = params.group_size * params.limit;
    let mut taken = 0;
    for (hit, key) in kept {
        if taken == bound {
            break;
        }
        if skipped.len() < params.offset || skipped.contains_key(&key) {
            skipped.insert(key, ());
            continue;
        }
        let group = members.entry(key.clone()).or_default();
        if group.is_empty() {
            if order.len() >= params.limit {
                continue;
            }
            order.push(key);
        } else if group.len() >= params.group_size {
            continue;
        }
        group.push(hit);
        taken += 1;
    }
    order.iter().flat_map(|key| members.remove(key).unwrap_or_default()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(keys: &[&'static str]) -> Vec<(Hit, &'static str)> {
        keys.iter().enumerate().map(|(i, &k)| (Hit { ordinal: i as u64, distance: -(i as f32) }, k)).collect()
    }

    fn ordinals(keys: &[&'static str], params: GroupParams) -> Vec<u64> {
        group(hits(keys), &params).iter().map(|h| h.ordinal).collect()
    }

    #[test]
    fn group_size_one_keeps_the_best_hit_of_each_of_limit_groups() {
        let params = GroupParams { limit: 3, offset: 0, group_size: 1, strict: false };
        assert_eq!(ordinals(&["a", "a", "b", "a", "c", "d"], params), [0, 2, 4]);
    }

    #[test]
    fn groups_come_out_together_in_order_of_their_best_hit() {
        let params = GroupParams { limit: 2, offset: 0, group_size: 3, strict: true };
        // a b a b a b: strict keeps walking until both groups hold 3.
        assert_eq!(ordinals(&["a", "b", "a", "b", "a", "b"], params), [0, 2, 4, 1, 3, 5]);
    }

    #[test]
    fn strict_groups_stay_short_when_the_data_runs_out() {
        let params = GroupParams { limit: 2, offset: 0, group_size: 3, strict: true };
        assert_eq!(ordinals(&["a", "b", "a", "c", "c"], params), [0, 2, 1]);
    }

    #[test]
    fn offset_skips_whole_groups_including_their_later_hits() {
        let params = GroupParams { limit: 1, offset: 1, group_size: 2, strict: true };
        assert_eq!(ordinals(&["a", "b", "a", "b", "c"], params), [1, 3]);
    }

    #[test]
    fn fewer_groups_than_limit_returns_what_exists() {
        let params = GroupParams { limit: 5, offset: 0, group_size: 2, strict: false };
        assert_eq!(ordinals(&["a", "a", "a", "b"], params), [0, 1, 3]);
        assert!(ordinals(&[], params).is_empty());
    }

    #[test]
    fn null_keys_form_one_group() {
        let rows = [
            (Hit { ordinal: 1, distance: 1.0 }, None),
            (Hit { ordinal: 2, distance: 2.0 }, Some(7)),
            (Hit { ordinal: 3, distance: 3.0 }, None),
        ];
        let params = GroupParams { limit: 2, offset: 0, group_size: 2, strict: true };
        let got: Vec<u64> = group(rows, &params).iter().map(|h| h.ordinal).collect();
        assert_eq!(got, [1, 3, 2]);
    }
}
