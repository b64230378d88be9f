//! The harness: the target (a spawned mock or a real Milvus), a small REST client that records every checked call
//! per route, a JSON matcher with placeholders, unique names and the cleanup of everything a scenario created.
//!
//! Checks are soft: a mismatch is recorded with its diff and the scenario goes on, so one run shows every
//! disagreement. Arrangement steps (`arrange`, `quick`, `wait_loaded`...) are hard: when they fail the scenario
//! stops with an [`Abort`], because what follows would only report noise.
//!
//! This client is conformance's own, not the shared `tests/common` one of the other binaries, on purpose: it must
//! run against a foreign server (a real Milvus, with its token, load polling and cleanup) and must not depend on
//! anything of the mock's.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// The prefix of every Milvus v2 route.
pub const PREFIX: &str = "/v2/vectordb";

/// A Milvus release line a scenario can apply to (`MILVUS_VERSION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V2_4,
    V2_5,
    V2_6,
    /// master / 3.0-dev.
    V3_0,
}

impl Version {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().trim_start_matches('v') {
            "2.4" => Some(Self::V2_4),
            "2.5" => Some(Self::V2_5),
            "2.6" => Some(Self::V2_6),
            "3.0" | "master" => Some(Self::V3_0),
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V2_4 => "2.4",
            Self::V2_5 => "2.5",
            Self::V2_6 => "2.6",
            Self::V3_0 => "3.0",
        })
    }
}

/// Where the scenarios run.
#[derive(Debug)]
pub struct Target {
    /// `http://host:port`, without a trailing slash.
    pub base: String,
    /// Sent as `Authorization: Bearer <token>` when set.
    pub token: Option<String>,
    /// The server checks credentials (`MILVUS_AUTH_ENABLED=1`; always for the spawned mock), so requests without
    /// them can be checked for 401.
    pub auth_enabled: bool,
    pub version: Version,
    /// The spawned mock: loads complete at once, so polling can give up quickly.
    pub is_mock: bool,
    /// `code` of a successful answer (0; 200 for early 2.4 builds).
    pub success_code: i64,
}

/// Why a scenario stopped before its end.
#[derive(Debug)]
pub struct Abort(pub String);

pub type Step<T = ()> = Result<T, Abort>;

/// What a scenario returns.
pub type ScenarioFuture = Pin<Box<dyn Future<Output = Step> + Send>>;

/// One named scenario and the versions it applies to (inclusive).
pub struct Scenario {
    pub name: &'static str,
    pub since: Version,
    pub until: Version,
    /// Needs authentication on (a token to send, and one to withhold).
    pub needs_auth: bool,
    pub run: fn(Scn) -> ScenarioFuture,
}

impl Scenario {
    pub fn applies_to(&self, v: Version) -> bool {
        self.since <= v && v <= self.until
    }
}

/// Resources to drop after a scenario, in the order they must go.
#[derive(Debug, Default)]
struct Created {
    aliases: Vec<(String, String)>,
    collections: Vec<(String, String)>,
    databases: Vec<String>,
}

/// Counters per route and the failures of the running scenario; shared so a panicking scenario loses nothing.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Checks passed and failed per route.
    pub routes: BTreeMap<String, (u32, u32)>,
    /// The scenarios that checked each route.
    pub scenarios: BTreeMap<String, BTreeSet<&'static str>>,
    /// The running scenario.
    pub current: &'static str,
    pub failures: Vec<String>,
    created: Created,
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub content_type: Option<String>,
    pub text: String,
    pub json: Option<Value>,
}

impl Resp {
    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn describe(&self) -> String {
        format!("HTTP {} {}", self.status, self.text)
    }
}

/// The handle a scenario works with. Cheap to clone.
#[derive(Clone)]
pub struct Scn {
    client: reqwest::Client,
    target: Arc<Target>,
    ledger: Arc<Mutex<Ledger>>,
    prefix: Arc<str>,
    counter: Arc<AtomicU32>,
}

impl Scn {
    pub fn new(target: Target, ledger: Arc<Mutex<Ledger>>) -> Self {
        let millis = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()
            .expect("a plain HTTP client builds");
        Scn {
            client,
            target: Arc::new(target),
            ledger,
            prefix: format!("conf_{}_{millis}", std::process::id()).into(),
            counter: Arc::new(AtomicU32::new(0)),
        }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn version(&self) -> Version {
        self.target.version
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- names ----

    /// A fresh name no other run can use: `conf_<pid>_<millis>_<kind><n>`. Nothing is registered for cleanup.
    pub fn name(&self, kind: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}_{kind}{n}", self.prefix)
    }

    /// A fresh collection name in `db`, dropped after the scenario whether or not it gets created.
    pub fn collection_in(&self, db: &str) -> String {
        let name = self.name("c");
        self.ledger().created.collections.push((db.to_string(), name.clone()));
        name
    }

    /// A fresh collection name in `default`.
    pub fn collection(&self) -> String {
        self.collection_in("default")
    }

    /// Registers a collection name chosen by the scenario (e.g. a 255-byte one) for cleanup.
    pub fn track_collection(&self, db: &str, name: &str) {
        self.ledger().created.collections.push((db.to_string(), name.to_string()));
    }

    /// Registers a database name chosen by the scenario (e.g. a 255-byte one) for cleanup.
    pub fn track_database(&self, name: &str) {
        self.ledger().created.databases.push(name.to_string());
    }

    /// A fresh database name, dropped after the scenario.
    pub fn database(&self) -> String {
        let name = self.name("db");
        self.ledger().created.databases.push(name.clone());
        name
    }

    /// A fresh alias name in `db`, dropped after the scenario.
    pub fn alias_in(&self, db: &str) -> String {
        let name = self.name("a");
        self.ledger().created.aliases.push((db.to_string(), name.clone()));
        name
    }

    // ---- expected bodies ----

    pub fn success_code(&self) -> i64 {
        self.target.success_code
    }

    /// `{"code":0,"data":{}}`.
    pub fn ok(&self) -> Value {
        json!({"code": self.success_code(), "data": {}})
    }

    pub fn data(&self, data: Value) -> Value {
        json!({"code": self.success_code(), "data": data})
    }

    pub fn has(&self, has: bool) -> Value {
        self.data(json!({"has": has}))
    }

    pub fn loaded(&self) -> Value {
        json!({"code": self.success_code(), "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""})
    }

    pub fn not_loaded(&self) -> Value {
        self.data(json!({"loadState": "LoadStateNotLoad"}))
    }

    /// `get_load_state` naming a released partition of a loaded collection (§7.2): Loading, -1 and its id.
    pub fn partition_not_loaded(&self) -> Value {
        let message = if self.version() == Version::V2_4 {
            "partition {int} has not been loaded to memory or load failed: partition not loaded[partition={int}]."
        } else {
            "partition not loaded[partition={int}]."
        };
        self.progress(-1, message)
    }

    /// `get_load_state` with a progress and a message (Loading when below 100).
    pub fn progress(&self, progress: i64, message: &str) -> Value {
        let state = if progress >= 100 { "LoadStateLoaded" } else { "LoadStateLoading" };
        json!({"code": self.success_code(), "data": {"loadProgress": progress, "loadState": state}, "message": message})
    }

    /// An error answer.
    pub fn err(&self, code: i64, message: impl Into<String>) -> Value {
        json!({"code": code, "message": message.into()})
    }

    /// A plain Go error in 2.4-2.6 (65535) that master words as `ErrParameterInvalid` (1100, `: invalid parameter`).
    pub fn plain_or_invalid(&self, message: &str) -> Value {
        if self.version() >= Version::V3_0 {
            self.err(1100, format!("{message}: invalid parameter"))
        } else {
            self.err(65535, message)
        }
    }

    /// 1802 with one validator line per missing field.
    pub fn missing(&self, fields: &[(&str, &str)]) -> Value {
        let lines: Vec<String> = fields
            .iter()
            .map(|(s, f)| format!("Key: '{s}.{f}' Error:Field validation for '{f}' failed on the 'required' tag"))
            .collect();
        self.err(1802, format!("missing required parameters, error: {}", lines.join("\n")))
    }

    // ---- transport ----

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.target.base)
    }

    /// Sends any method to any path (prefix included) with these exact bytes. An `Authorization` in `headers`
    /// replaces the target's token; an empty one sends no `Authorization` at all.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &str, headers: &[(&str, &str)]) -> Step<Resp> {
        let mut request = self.client.request(method.clone(), self.url(path)).body(body.to_string());
        let own_auth = headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
        if let (Some(token), false) = (&self.target.token, own_auth) {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers.iter().filter(|(_, v)| !v.is_empty()) {
            request = request.header(*name, *value);
        }
        let response = request.send().await.map_err(|e| Abort(format!("{method} {path}: request failed: {e}")))?;
        let status = response.status().as_u16();
        let response_headers = response.headers().clone();
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        let text = response.text().await.map_err(|e| Abort(format!("{method} {path}: unreadable body: {e}")))?;
        let json = serde_json::from_str(&text).ok();
        Ok(Resp { status, headers: response_headers, content_type, text, json })
    }

    /// POSTs raw bytes to a route below `/v2/vectordb` (`route` is e.g. `partitions/release`); nothing recorded.
    pub async fn post_raw(&self, route: &str, body: &str, headers: &[(&str, &str)]) -> Step<Resp> {
        self.send(reqwest::Method::POST, &format!("{PREFIX}/{route}"), body, headers).await
    }

    /// POSTs JSON; nothing recorded.
    pub async fn post(&self, route: &str, body: &Value) -> Step<Resp> {
        self.post_raw(route, &body.to_string(), &[("Content-Type", "application/json")]).await
    }

    // ---- recording ----

    /// Counts one check of `route`; a failure keeps its explanation.
    pub fn record(&self, route: &str, outcome: Result<(), String>) {
        let mut ledger = self.ledger();
        let current = ledger.current;
        ledger.scenarios.entry(route.to_string()).or_default().insert(current);
        let entry = ledger.routes.entry(route.to_string()).or_default();
        match outcome {
            Ok(()) => entry.0 += 1,
            Err(why) => {
                entry.1 += 1;
                ledger.failures.push(format!("{route}: {why}"));
            }
        }
    }

    // ---- checks ----

    /// POSTs `body` and checks the whole answer: HTTP 200 and a JSON body equal to `expected` (placeholders
    /// allowed, see [`diff`]). Returns the answer's JSON (`Null` when it was not JSON).
    pub async fn check(&self, route: &str, body: Value, expected: Value) -> Step<Value> {
        let resp = self.post(route, &body).await?;
        self.judge(route, &body.to_string(), &resp, &expected);
        Ok(resp.json.unwrap_or(Value::Null))
    }

    /// [`Scn::check`] with these exact body bytes and extra headers.
    pub async fn check_raw(&self, route: &str, body: &str, headers: &[(&str, &str)], expected: Value) -> Step<Value> {
        let resp = self.post_raw(route, body, headers).await?;
        self.judge(route, body, &resp, &expected);
        Ok(resp.json.unwrap_or(Value::Null))
    }

    fn judge(&self, route: &str, request: &str, resp: &Resp, expected: &Value) {
        let outcome = match &resp.json {
            _ if resp.status != 200 => Err(format!("expected HTTP 200, got {}", resp.describe())),
            None => Err(format!("the answer is not JSON: {}", resp.describe())),
            Some(actual) => diff(expected, actual, "$").map_or(Ok(()), |at| {
                Err(format!("{at}\n      expected {}\n      actual   {}", compact(expected), compact(actual)))
            }),
        };
        self.record(route, outcome.map_err(|why| format!("request {request}\n      {why}")));
    }

    /// POSTs `body` and checks the answer byte for byte (key order, escapes, no trailing newline: §1.5).
    pub async fn check_bytes(&self, route: &str, body: Value, expected: &str) -> Step {
        let resp = self.post(route, &body).await?;
        let outcome = if resp.status == 200 && resp.text == expected {
            Ok(())
        } else {
            Err(format!("request {body}\n      expected HTTP 200 {expected:?}\n      actual   {}", resp.describe()))
        };
        self.record(route, outcome);
        Ok(())
    }

    /// POSTs `body` and checks only the answer's `code` (where the contract leaves the message open).
    pub async fn check_code(&self, route: &str, body: Value, code: i64) -> Step<Value> {
        let resp = self.post(route, &body).await?;
        let actual = resp.json.clone().unwrap_or(Value::Null);
        let outcome = if resp.status == 200 && actual["code"] == json!(code) {
            Ok(())
        } else {
            Err(format!("request {body}\n      expected code {code}, got {}", resp.describe()))
        };
        self.record(route, outcome);
        Ok(actual)
    }

    /// POSTs `body` and lets `judge` decide (lists whose content Milvus shares with other clients, ...).
    pub async fn check_with(
        &self,
        route: &str,
        body: Value,
        judge: impl FnOnce(&Value) -> Result<(), String>,
    ) -> Step<Value> {
        let resp = self.post(route, &body).await?;
        let actual = resp.json.clone().unwrap_or(Value::Null);
        let outcome = if resp.status != 200 {
            Err(format!("expected HTTP 200, got {}", resp.describe()))
        } else {
            judge(&actual).map_err(|why| format!("{why}\n      actual   {}", compact(&actual)))
        };
        self.record(route, outcome.map_err(|why| format!("request {body}\n      {why}")));
        Ok(actual)
    }

    /// POSTs `body` and checks that every key of `expected` is in the answer with a matching value; other keys
    /// may be present (the describe keys that differ by version).
    pub async fn check_subset(&self, route: &str, body: Value, expected: Value) -> Step<Value> {
        self.check_with(route, body, |actual| match subset_diff(&expected, actual, "$") {
            None => Ok(()),
            Some(at) => Err(format!("{at}\n      expected ⊆ {}", compact(&expected))),
        })
        .await
    }

    /// An arrangement step: the call must succeed (code 0, `data` `{}`), or the scenario stops. Counted per route.
    pub async fn arrange(&self, route: &str, body: Value) -> Step {
        let resp = self.post(route, &body).await?;
        if resp.status == 200 && resp.json.as_ref() == Some(&self.ok()) {
            self.record(route, Ok(()));
            Ok(())
        } else {
            let why = format!("arranging with {body}: expected {}, got {}", compact(&self.ok()), resp.describe());
            self.record(route, Err(why.clone()));
            Err(Abort(format!("{route}: {why}")))
        }
    }

    // ---- arrangements ----

    /// Quick setup (dimension 5) in `db`: Milvus creates, indexes and loads it; waits until it is loaded.
    pub async fn quick(&self, db: &str, name: &str) -> Step {
        self.arrange("collections/create", with_db(db, json!({"collectionName": name, "dimension": 5}))).await?;
        self.wait_loaded(db, name, &[]).await
    }

    /// A custom schema without `indexParams`: created, no index, not loaded.
    pub async fn custom(&self, db: &str, name: &str) -> Step {
        self.arrange("collections/create", with_db(db, custom_schema(name))).await
    }

    pub async fn partition(&self, db: &str, collection: &str, partition: &str) -> Step {
        self.arrange(
            "partitions/create",
            with_db(db, json!({"collectionName": collection, "partitionName": partition})),
        )
        .await
    }

    /// Polls `get_load_state` (not recorded) until the collection, or these partitions, report
    /// `LoadStateLoaded`. Real Milvus loads in the background; the mock answers at once.
    pub async fn wait_loaded(&self, db: &str, collection: &str, partitions: &[&str]) -> Step {
        let mut body = with_db(db, json!({"collectionName": collection}));
        if !partitions.is_empty() {
            body["partitionNames"] = json!(partitions);
        }
        let limit = if self.target.is_mock { Duration::from_secs(2) } else { Duration::from_secs(120) };
        let start = Instant::now();
        loop {
            let resp = self.post("collections/get_load_state", &body).await?;
            let state = resp.json.as_ref().map(|v| v["data"]["loadState"].clone()).unwrap_or(Value::Null);
            if state == json!("LoadStateLoaded") {
                return Ok(());
            }
            if start.elapsed() > limit {
                return Err(Abort(format!("waiting for {body} to be loaded: still {}", resp.describe())));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    // ---- cleanup ----

    /// Drops everything registered so far (aliases, then collections, then databases), ignoring answers that
    /// say it is already gone. Returns what could not be dropped.
    pub async fn cleanup(&self) -> Vec<String> {
        let created = std::mem::take(&mut self.ledger().created);
        let mut leftovers = Vec::new();
        for (db, alias) in created.aliases {
            let body = with_db(&db, json!({"aliasName": alias}));
            self.drop_quietly("aliases/drop", body, &mut leftovers).await;
        }
        for (db, name) in created.collections {
            // Aliases made through other names would block the drop in 2.6; the scenarios register theirs.
            let body = with_db(&db, json!({"collectionName": name}));
            self.drop_quietly("collections/drop", body, &mut leftovers).await;
        }
        for db in created.databases {
            self.drop_quietly("databases/drop", json!({"dbName": db}), &mut leftovers).await;
        }
        leftovers
    }

    async fn drop_quietly(&self, route: &str, body: Value, leftovers: &mut Vec<String>) {
        match self.post(route, &body).await {
            Ok(resp) if resp.json.as_ref().is_some_and(|v| v["code"] == json!(self.success_code())) => {}
            // A version without the route (databases on 2.4) has nothing to clean.
            Ok(resp) if resp.status == 404 => {}
            Ok(resp) => leftovers.push(format!("{route} {body}: {}", resp.describe())),
            Err(Abort(why)) => leftovers.push(why),
        }
    }
}

/// Adds `dbName` unless it is `default` (requests in `default` leave it out, as most clients do).
pub fn with_db(db: &str, mut body: Value) -> Value {
    if db != "default" {
        body["dbName"] = json!(db);
    }
    body
}

/// A custom schema (`id`, `vector` dim 8, `title`) with no `indexParams`.
pub fn custom_schema(name: &str) -> Value {
    json!({
        "collectionName": name,
        "schema": {
            "autoID": false,
            "enableDynamicField": false,
            "fields": [
                {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
                {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": "8"}},
                {"fieldName": "title", "dataType": "VarChar", "elementTypeParams": {"max_length": "64"}}
            ]
        }
    })
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 1500 { format!("{}…", s.chars().take(1500).collect::<String>()) } else { s }
}

/// Whether `actual` matches a string pattern in which every `{int}` stands for an optionally signed integer.
fn matches_pattern(pattern: &str, actual: &str) -> bool {
    let mut parts = pattern.split("{int}");
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    for part in parts {
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        let n = digits.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        let after = &digits[n..];
        match after.strip_prefix(part) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Where `actual` departs from `expected`, or `None` when it matches. In `expected`, the string `"{int}"` matches
/// any integer number, `"{any}"` any value, and a string holding `{int}` matches text with integers there.
pub fn diff(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::String(p), _) if p == "{any}" => None,
        (Value::String(p), Value::Number(n)) if p == "{int}" => {
            (!n.is_i64()).then(|| format!("at {at}: not an integer"))
        }
        (Value::String(p), Value::String(a)) if p.contains("{int}") => {
            (!matches_pattern(p, a)).then(|| format!("at {at}: {a:?} does not match {p:?}"))
        }
        (Value::Object(e), Value::Object(a)) => {
            let missing: Vec<&String> = e.keys().filter(|k| !a.contains_key(*k)).collect();
            let extra: Vec<&String> = a.keys().filter(|k| !e.contains_key(*k)).collect();
            if !missing.is_empty() || !extra.is_empty() {
                return Some(format!("at {at}: missing keys {missing:?}, unexpected keys {extra:?}"));
            }
            e.iter().find_map(|(k, v)| diff(v, &a[k], &format!("{at}.{k}")))
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Some(format!("at {at}: {} items instead of {}", a.len(), e.len()));
            }
            e.iter().zip(a).enumerate().find_map(|(i, (e, a))| diff(e, a, &format!("{at}[{i}]")))
        }
        _ => (expected != actual).then(|| format!("at {at}: {actual} instead of {expected}")),
    }
}

/// Like [`diff`], but objects in `actual` may have keys `expected` does not name.
fn subset_diff(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().find_map(|(k, v)| match a.get(k) {
            None => Some(format!("at {at}: missing key {k:?}")),
            Some(av) => subset_diff(v, av, &format!("{at}.{k}")),
        }),
        _ => diff(expected, actual, at),
    }
}

/// A judge for lists Milvus shares with other clients: every name in `present` is in `data`, none of `absent`.
pub fn list_has(present: &[&str], absent: &[&str], code: i64) -> impl FnOnce(&Value) -> Result<(), String> {
    let present: Vec<String> = present.iter().map(|s| s.to_string()).collect();
    let absent: Vec<String> = absent.iter().map(|s| s.to_string()).collect();
    move |v: &Value| {
        if v["code"] != json!(code) {
            return Err(format!("expected code {code}"));
        }
        let Some(items) = v["data"].as_array() else {
            return Err("data is not a list".into());
        };
        let has = |name: &String| items.iter().any(|i| i.as_str() == Some(name.as_str()));
        let missing: Vec<&String> = present.iter().filter(|n| !has(n)).collect();
        let unexpected: Vec<&String> = absent.iter().filter(|n| has(n)).collect();
        if missing.is_empty() && unexpected.is_empty() {
            Ok(())
        } else {
            Err(format!("the list lacks {missing:?} or holds {unexpected:?}"))
        }
    }
}

/// A judge for lists whose order Milvus leaves unspecified: the same names in any order.
pub fn same_names(names: &[&str], code: i64) -> impl FnOnce(&Value) -> Result<(), String> {
    let mut wanted: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    wanted.sort();
    move |v: &Value| {
        let mut got: Vec<String> = v["data"]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        got.sort();
        if v["code"] == json!(code) && v.as_object().is_some_and(|o| o.len() == 2) && got == wanted {
            Ok(())
        } else {
            Err(format!("expected code {code} and the names {wanted:?} in any order"))
        }
    }
}
