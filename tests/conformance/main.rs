//! The one home of contract behaviour: Milvus's answers route by route, portable to a real Milvus (`MILVUS_URI`).
//!
//! The conformance suite: black-box HTTP scenarios drawn from the contract (`../shared/milvus-rest-v2.md` and
//! its part 2), run against any Milvus REST endpoint.
//!
//! By default it spawns a fresh milvus-mock (authentication on, token `root:Milvus`); with `MILVUS_URI` it talks
//! to that server instead (a real Milvus), with `MILVUS_TOKEN` sent as `Authorization: Bearer <token>`
//! (`MILVUS_AUTH_ENABLED=1` when the server checks it, to run the 401 checks). `MILVUS_VERSION` (2.4, 2.5, 2.6 or 3.0; default
//! 2.6) picks the scenarios and the expected texts, and the version the spawned mock imitates. Every database,
//! collection and alias it makes is named `conf_<pid>_<millis>_<kind><n>` and dropped after its scenario, even a
//! failing one. At the end it prints a table of checks per route and `N passed, N failed`, and exits non-zero
//! when a scenario failed. See `tests/conformance/README.md`.
//!
//! It is a `harness = false` test binary: `cargo test --test conformance`; an argument filters scenarios by name,
//! `--list` lists them.

mod harness;
mod scenarios;

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::{Abort, Ledger, Scn, Target, Version};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The libtest arguments that matter here: a name filter, `--skip`, `--list` and `--ignored` (there are no
/// ignored scenarios). Other flags (`--nocapture`, `--test-threads 1`...) are accepted and ignored.
struct Args {
    filter: Option<String>,
    skip: Vec<String>,
    list: bool,
    ignored: bool,
}

fn parse_args() -> Args {
    let mut args = Args { filter: None, skip: Vec::new(), list: false, ignored: false };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--list" => args.list = true,
            "--ignored" => args.ignored = true,
            "--skip" => args.skip.extend(it.next()),
            "--test-threads" | "--format" | "--color" | "--logfile" | "-Z" => {
                it.next();
            }
            a if a.starts_with('-') => {}
            a => args.filter = Some(a.to_string()),
        }
    }
    args
}

fn main() -> ExitCode {
    let args = parse_args();
    let all: Vec<harness::Scenario> = scenarios::all()
        .into_iter()
        .filter(|s| args.filter.as_ref().is_none_or(|f| s.name.contains(f.as_str())))
        .filter(|s| !args.skip.iter().any(|k| s.name.contains(k.as_str())))
        .collect();
    if args.list {
        for s in &all {
            println!("{}: test", s.name);
        }
        return ExitCode::SUCCESS;
    }
    if args.ignored || all.is_empty() {
        println!("conformance: no scenario selected");
        return ExitCode::SUCCESS;
    }
    let version = match env("MILVUS_VERSION") {
        None => Version::V2_6,
        Some(v) => match Version::parse(&v) {
            Some(v) => v,
            None => {
                eprintln!("MILVUS_VERSION={v:?}: expected 2.4, 2.5, 2.6 or 3.0");
                return ExitCode::FAILURE;
            }
        },
    };
    let success_code = match env("MILVUS_SUCCESS_CODE").map(|c| c.parse::<i64>()) {
        None => 0,
        Some(Ok(c)) => c,
        Some(Err(_)) => {
            eprintln!("MILVUS_SUCCESS_CODE must be an integer (0, or 200 for early 2.4 builds)");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime builds");
    runtime.block_on(run(all, version, success_code))
}

async fn run(all: Vec<harness::Scenario>, version: Version, success_code: i64) -> ExitCode {
    // Keep the spawned mock alive until the end of the run.
    let (target, mock) = match env("MILVUS_URI") {
        Some(uri) => {
            let base = uri.trim_end_matches('/');
            let base = if base.contains("://") { base.to_string() } else { format!("http://{base}") };
            let auth_enabled = env("MILVUS_AUTH_ENABLED").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
            let token = env("MILVUS_TOKEN");
            let target = Target { base, token, auth_enabled, version, is_mock: false, success_code };
            (target, None)
        }
        None => {
            // Authentication on, so the token path and the auth scenario run too.
            let mock = milvus_mock::MockMilvus::builder()
                .milvus_version(mock_version(version))
                .success_code(success_code)
                .auth()
                .start()
                .await;
            let token = Some("root:Milvus".to_string());
            let target = Target { base: mock.uri(), token, auth_enabled: true, version, is_mock: true, success_code };
            (target, Some(mock))
        }
    };
    let kind = if target.is_mock { "the spawned milvus-mock" } else { "a real Milvus" };
    println!("conformance: Milvus {version} at {} ({kind})", target.base);

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let scn = Scn::new(target, ledger.clone());
    let per_scenario = if scn.target().is_mock { Duration::from_secs(60) } else { Duration::from_secs(600) };
    let (mut passed, mut failed, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    let mut leftovers = Vec::new();

    for scenario in &all {
        if !scenario.applies_to(version) {
            skipped.push(format!("{} (for Milvus {}..={})", scenario.name, scenario.since, scenario.until));
            continue;
        }
        if scenario.needs_auth && !(scn.target().auth_enabled && scn.target().token.is_some()) {
            skipped.push(format!("{} (needs MILVUS_AUTH_ENABLED=1 and MILVUS_TOKEN)", scenario.name));
            continue;
        }
        let started = Instant::now();
        {
            let mut ledger = ledger.lock().unwrap_or_else(|e| e.into_inner());
            ledger.failures.clear();
            ledger.current = scenario.name;
        }
        // A task of its own, so a panic fails only this scenario and its cleanup still runs.
        let task = tokio::spawn((scenario.run)(scn.clone()));
        let abort = match tokio::time::timeout(per_scenario, task).await {
            Ok(Ok(Ok(()))) => None,
            Ok(Ok(Err(Abort(why)))) => Some(format!("stopped: {why}")),
            Ok(Err(join)) => Some(format!("panicked: {join}")),
            Err(_) => Some(format!("timed out after {per_scenario:?}")),
        };
        leftovers.extend(scn.cleanup().await);
        let failures = std::mem::take(&mut ledger.lock().unwrap_or_else(|e| e.into_inner()).failures);
        let ms = started.elapsed().as_millis();
        if abort.is_none() && failures.is_empty() {
            println!("  ok      {} ({ms} ms)", scenario.name);
            passed.push(scenario.name);
        } else {
            println!("  FAILED  {} ({ms} ms)", scenario.name);
            for f in &failures {
                println!("    - {f}");
            }
            if let Some(why) = abort {
                println!("    - {why}");
            }
            failed.push(scenario.name);
        }
    }

    // On the spawned mock, check that the cleanup really left nothing behind.
    if let Some(mock) = &mock {
        let state = mock.state();
        let databases = state["databases"].as_array().cloned().unwrap_or_default();
        let clean = databases.len() == 1
            && databases[0]["name"] == "default"
            && databases[0]["collections"].as_array().is_some_and(|c| c.is_empty());
        if !clean {
            leftovers.push(format!("the mock's state after the run is not empty: {state}"));
        }
    }

    let ledger = ledger.lock().unwrap_or_else(|e| e.into_inner());
    println!();
    println!("{:<34} {:>9} {:>7} {:>7}", "route", "scenarios", "passed", "failed");
    println!("{}", "-".repeat(60));
    let (mut checks_ok, mut checks_failed) = (0, 0);
    for (route, (ok, bad)) in &ledger.routes {
        let scenarios = ledger.scenarios.get(route).map_or(0, |s| s.len());
        println!("{route:<34} {scenarios:>9} {ok:>7} {bad:>7}");
        checks_ok += ok;
        checks_failed += bad;
    }
    println!("{}", "-".repeat(60));
    println!("{:<34} {:>9} {checks_ok:>7} {checks_failed:>7}", "checks", "");
    println!();
    for s in &skipped {
        println!("skipped: {s}");
    }
    for l in &leftovers {
        println!("cleanup could not drop: {l}");
    }
    if !failed.is_empty() {
        println!("failed scenarios: {}", failed.join(", "));
    }
    println!("{} passed, {} failed, {} skipped", passed.len(), failed.len(), skipped.len());
    if !leftovers.is_empty() {
        println!("the cleanup left {} resources behind", leftovers.len());
    }
    if failed.is_empty() && leftovers.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn mock_version(v: Version) -> milvus_mock::MilvusVersion {
    match v {
        Version::V2_4 => milvus_mock::MilvusVersion::V2_4,
        Version::V2_5 => milvus_mock::MilvusVersion::V2_5,
        Version::V2_6 => milvus_mock::MilvusVersion::V2_6,
        Version::V3_0 => milvus_mock::MilvusVersion::V3_0,
    }
}
