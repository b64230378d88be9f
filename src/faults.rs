//! Fault rules (`POST /_mock/faults`, `MockMilvus::add_fault`): which calls they match, by operation, database and
//! collection, and what they do to them (an answer, latency, a closed connection, a panic); and the calls a latency
//! fault delayed past their answer, which a reset cancels.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ops::Operation;

/// A fault rule: which calls it matches and what it does to them.
///
/// ```
/// use milvus_mock::FaultRule;
/// let rule: FaultRule = serde_json::from_value(serde_json::json!(
///     {"path": "partitions/release", "collection": "quick_setup", "latencyMs": 200, "probability": 0.5, "seed": 7}
/// )).unwrap();
/// let milvus = milvus_mock::MockMilvus::start_blocking();
/// assert_eq!(milvus.add_fault(rule).unwrap(), 1);
/// ```
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultRule {
    /// The operation: its REST path in full (`/v2/vectordb/partitions/release`) or its name
    /// (`partitions/release`, which a gRPC `ReleasePartitions` carries too); `*` matches every operation.
    pub path: String,
    pub db_name: Option<String>,
    pub collection: Option<String>,
    /// Answer this Milvus code (with `message`) instead of running the call.
    pub code: Option<i64>,
    pub message: Option<String>,
    /// The HTTP status of the injected answer (default 200, as Milvus's errors).
    pub http_status: Option<u16>,
    /// Close the connection instead of answering.
    #[serde(default)]
    pub close_connection: bool,
    /// Panic inside the handler: exercises the server's panic handling (HTTP 500 `{"code":500}`).
    #[serde(default)]
    pub panic: bool,
    /// Delay the call (and its answer) by this much; past the request's `Request-Timeout` the answer is 408.
    pub latency_ms: Option<u64>,
    /// Apply to the next N matching calls only (default: every one).
    pub times: Option<u64>,
    /// Apply with this probability (0..=1), drawn from a generator seeded with `seed`, so runs repeat.
    pub probability: Option<f64>,
    pub seed: Option<u64>,
}

/// What a matching rule does to one call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FaultAction {
    pub latency: Option<Duration>,
    pub answer: Option<(u16, i64, String)>,
    pub close_connection: bool,
    pub panic: bool,
}

#[derive(Debug)]
struct ActiveFault {
    id: u64,
    rule: FaultRule,
    remaining: Option<u64>,
    rng: u64,
    applied: u64,
}

/// The fault rules in force.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    inner: Mutex<(u64, Vec<ActiveFault>)>,
    /// How many rules are in force, readable without the lock: the hot path only looks here.
    active: AtomicUsize,
    delayed: DelayedCalls,
}

/// The calls a latency fault delayed past their answer (408), still to run: a generation that cancelling bumps.
/// A call runs while it holds the generation's read lock, and cancelling takes the write lock: a call either runs
/// entirely before a cancel returns or not at all.
#[derive(Debug)]
pub(crate) struct DelayedCalls(Arc<tokio::sync::watch::Sender<u64>>);

impl Default for DelayedCalls {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(0)))
    }
}

/// One delayed call's ticket: cancelled when the generation it was issued in ends.
pub(crate) struct DelayedCall {
    generation: u64,
    changes: tokio::sync::watch::Receiver<u64>,
}

impl DelayedCalls {
    /// Cancels every delayed call that has not run yet, after waiting for one that is running.
    pub fn cancel_all(&self) {
        self.0.send_modify(|g| *g += 1);
    }
}

impl DelayedCall {
    /// Runs `f` after `delay` unless cancelled meanwhile (then `None`, and whatever `f` holds is freed at once).
    pub async fn run_after<T>(mut self, delay: Duration, f: impl FnOnce() -> T) -> Option<T> {
        let generation = self.generation;
        {
            let cancelled = async { self.changes.wait_for(|g| *g != generation).await.is_ok() };
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                true = cancelled => return None,
            }
        }
        let current = self.changes.borrow();
        (*current == generation).then(f)
    }
}

/// splitmix64: small, fast and repeatable for a seed.
fn next_random(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Vec<ActiveFault>)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether any rule is in force: the hot path checks this before anything else.
    pub fn is_empty(&self) -> bool {
        self.active.load(Ordering::Relaxed) == 0
    }

    pub fn add(&self, rule: FaultRule) -> Result<u64, String> {
        if rule.path.is_empty() {
            return Err("\"path\" is required (a Milvus route such as /v2/vectordb/partitions/release, or *)".into());
        }
        if let Some(p) = rule.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("\"probability\" must be between 0 and 1, got {p}"));
        }
        let does_something = rule.code.is_some()
            || rule.http_status.is_some()
            || rule.latency_ms.is_some()
            || rule.close_connection
            || rule.panic;
        if !does_something {
            let kinds = "\"code\", \"httpStatus\", \"latencyMs\", \"closeConnection\", \"panic\"";
            return Err(format!("a fault needs at least one of {kinds}"));
        }
        if let Some(status) = rule.http_status
            && !(200..=599).contains(&status)
        {
            return Err(format!("\"httpStatus\" must be from 200 to 599, got {status}"));
        }
        if rule.times == Some(0) {
            return Err("\"times\" must be at least 1 (leave it out for every call)".into());
        }
        let mut inner = self.lock();
        inner.0 += 1;
        let id = inner.0;
        let rng = rule.seed.unwrap_or(id);
        inner.1.push(ActiveFault { id, remaining: rule.times, rng, applied: 0, rule });
        self.active.store(inner.1.len(), Ordering::Relaxed);
        Ok(id)
    }

    pub fn list(&self) -> Value {
        let inner = self.lock();
        let rules: Vec<Value> = inner
            .1
            .iter()
            .map(|f| json!({"id": f.id, "rule": f.rule, "remaining": f.remaining, "applied": f.applied}))
            .collect();
        Value::Array(rules)
    }

    /// Removes every rule and cancels the calls they delayed.
    pub fn clear(&self) {
        {
            let mut inner = self.lock();
            inner.1.clear();
            self.active.store(0, Ordering::Relaxed);
        }
        self.cancel_delayed();
    }

    /// A ticket for a call delayed past its answer.
    pub fn delayed(&self) -> DelayedCall {
        let changes = self.delayed.0.subscribe();
        let generation = *changes.borrow();
        DelayedCall { generation, changes }
    }

    /// Cancels the delayed calls (a reset or a state replacement: nothing from before may change the new state).
    pub fn cancel_delayed(&self) {
        self.delayed.cancel_all();
    }

    /// The action of the first rule that matches this call, consuming one of its `times`. Rules match by operation
    /// (see [`Operation::matches`]), whatever the transport.
    pub fn take(&self, operation: Operation, db: &str, collection: Option<&str>) -> Option<FaultAction> {
        let mut inner = self.lock();
        let rules = &mut inner.1;
        let mut hit = None;
        for (i, f) in rules.iter_mut().enumerate() {
            let r = &f.rule;
            let path_ok = operation.matches(&r.path);
            let db_ok = r.db_name.as_deref().is_none_or(|d| d == db);
            let coll_ok = r.collection.as_deref().is_none_or(|c| Some(c) == collection);
            if !(path_ok && db_ok && coll_ok) || f.remaining == Some(0) {
                continue;
            }
            if let Some(p) = r.probability
                && next_random(&mut f.rng) >= p
            {
                continue;
            }
            f.applied += 1;
            if let Some(n) = f.remaining.as_mut() {
                *n -= 1;
            }
            let answer = (r.code.is_some() || r.http_status.is_some()).then(|| {
                let code = r.code.unwrap_or(65535);
                let message = r.message.clone().unwrap_or_else(|| "injected fault".into());
                (r.http_status.unwrap_or(200), code, message)
            });
            hit = Some((
                i,
                FaultAction {
                    latency: r.latency_ms.map(Duration::from_millis),
                    answer,
                    close_connection: r.close_connection,
                    panic: r.panic,
                },
            ));
            break;
        }
        let (i, action) = hit?;
        if rules[i].remaining == Some(0) {
            rules.remove(i);
            self.active.store(rules.len(), Ordering::Relaxed);
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Operation;
    use serde_json::{Value, json};

    fn rule(json: Value) -> FaultRule {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_fault_with_times_applies_that_many_times_then_goes() {
        let faults = Faults::default();
        faults
            .add(rule(
                json!({"path": "/v2/vectordb/partitions/release", "code": 65535, "message": "injected", "times": 1}),
            ))
            .unwrap();
        let first = faults.take(Operation::ReleasePartitions, "default", Some("c")).unwrap();
        assert_eq!(first.answer, Some((200, 65535, "injected".to_string())));
        assert!(faults.take(Operation::ReleasePartitions, "default", Some("c")).is_none());
        assert!(faults.is_empty());
    }

    #[test]
    fn probability_with_a_seed_repeats() {
        let draws = || {
            let faults = Faults::default();
            faults.add(rule(json!({"path": "*", "code": 1, "probability": 0.5, "seed": 42}))).unwrap();
            (0..32).map(|_| faults.take(Operation::ListCollections, "default", None).is_some()).collect::<Vec<_>>()
        };
        let a = draws();
        assert_eq!(a, draws());
        assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x));
    }
}
