//! `--scenario search` (issue 14): the in-process exact search (`milvus_mock::search`) against faiss-cpu's
//! `IndexFlatIP`/`IndexFlatL2` at nq = 1 and numpy's matrix-product search at nq = 100, one thread each, on the same
//! 100,000 random 128-dimension vectors, top 10.
//!
//! The baselines run in `bench/search_baseline.py`, one Python child process for the whole scenario, from a venv
//! with the pinned packages of `bench/search-requirements.txt` (`target/search-venv`, created on first use). The
//! bench writes the vectors to `target/search-data/`, and each round runs one window of each side in turn, so a
//! ratio compares two windows seconds apart (the median of the per-round ratios is checked, as elsewhere).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use milvus_mock::search::{Column, Hit, Metric, QueryVector, TopK, scan_batch};

use crate::procs::own_thread_cpu;
use crate::{Bench, median};

const ROWS: usize = 100_000;
const DIM: usize = 128;
const TOP_K: usize = 10;
/// Queries of the nq = 100 comparison.
const BATCH: usize = 100;
/// Distinct query vectors: nq = 1 windows cycle through them, nq = 100 windows through their batches of 100.
const QUERIES: usize = 1_000;
/// Queries whose top 10 ids are compared with faiss's.
const AGREEMENT_QUERIES: usize = 20;

/// One comparison: the in-process side against a baseline command of the Python child.
struct Pair {
    what: &'static str,
    metric: Metric,
    batch: bool,
    baseline: &'static str,
    /// Minimum speed ratio (in-process / baseline), or `None` for information.
    target: Option<f64>,
}

const PAIRS: [Pair; 6] = [
    Pair {
        what: "search nq=1 IP: in-process / faiss",
        metric: Metric::Ip,
        batch: false,
        baseline: "faiss",
        target: Some(0.8),
    },
    Pair {
        what: "search nq=1 L2: in-process / faiss",
        metric: Metric::L2,
        batch: false,
        baseline: "faiss",
        target: Some(0.8),
    },
    Pair {
        what: "search nq=100 IP: in-process / numpy",
        metric: Metric::Ip,
        batch: true,
        baseline: "numpy",
        target: Some(0.5),
    },
    Pair {
        what: "search nq=100 L2: in-process / numpy",
        metric: Metric::L2,
        batch: true,
        baseline: "numpy",
        target: Some(0.5),
    },
    Pair {
        what: "search nq=100 IP: in-process / faiss",
        metric: Metric::Ip,
        batch: true,
        baseline: "faiss-batch",
        target: None,
    },
    Pair {
        what: "search nq=100 L2: in-process / faiss",
        metric: Metric::L2,
        batch: true,
        baseline: "faiss-batch",
        target: None,
    },
];

impl Bench {
    pub(crate) fn search(&mut self) {
        println!("\n== search: {ROWS} x {DIM} float vectors, top {TOP_K}, one thread; nq = 1 and nq = {BATCH}");
        let data = SearchData::random();
        let mut baseline = match Baseline::start(&data) {
            Ok(baseline) => baseline,
            Err(e) => {
                self.check("search baselines", format!("not run: {e}"), "faiss-cpu and numpy in a venv", Some(false));
                return;
            }
        };
        self.search_agreement(&data, &mut baseline);
        let seconds = self.settings.duration.as_secs_f64();
        let rounds = self.settings.rounds;
        let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); PAIRS.len()];
        for round in 0..rounds {
            for (pair, ratios) in PAIRS.iter().zip(&mut ratios) {
                let ours = time_window(seconds, |i| data.run(pair.metric, pair.batch, i));
                let theirs = baseline.time(pair.baseline, pair.metric, seconds);
                let unit = if pair.batch { "batch" } else { "query" };
                eprintln!(
                    "  round {}/{rounds} {:<36} CPU ms/{unit}: in-process {:>8.3}, {} {:>8.3} (wall {:.3} / {:.3})",
                    round + 1,
                    pair.what,
                    ours.cpu * 1e3,
                    pair.baseline,
                    theirs.cpu * 1e3,
                    ours.wall * 1e3,
                    theirs.wall * 1e3,
                );
                ratios.push(theirs.cpu / ours.cpu);
            }
        }
        for (pair, mut ratios) in PAIRS.iter().zip(ratios) {
            ratios.sort_by(f64::total_cmp);
            let ratio = median(&ratios);
            let spread = match (ratios.first(), ratios.last()) {
                (Some(lo), Some(hi)) if ratios.len() > 1 => format!(" (rounds {lo:.2}-{hi:.2})"),
                _ => String::new(),
            };
            let target = pair.target.map_or("reported".to_string(), |t| format!(">= {t:.2}x"));
            self.check(pair.what, format!("{ratio:.2}x{spread}"), &target, pair.target.map(|t| ratio >= t));
        }
    }

    /// Checks that both sides answer the same: the top 10 ids of the first queries, in-process vs faiss.
    fn search_agreement(&mut self, data: &SearchData, baseline: &mut Baseline) {
        for metric in [Metric::Ip, Metric::L2] {
            let theirs = baseline.ids(metric, AGREEMENT_QUERIES);
            let ours: Vec<u64> =
                (0..AGREEMENT_QUERIES).flat_map(|i| data.search_one(metric, i)).map(|hit| hit.ordinal).collect();
            let same = ours.iter().zip(&theirs).filter(|(a, b)| a == b).count();
            let total = AGREEMENT_QUERIES * TOP_K;
            self.check(
                &format!("search {} top-{TOP_K} ids equal to faiss's", metric.as_str()),
                format!("{same}/{total}"),
                &format!("{total}/{total}"),
                Some(same == total),
            );
        }
    }
}

/// CPU and wall seconds per call of a timed window.
#[derive(Clone, Copy)]
struct PerCall {
    cpu: f64,
    wall: f64,
}

/// Runs `call(0)` once to warm up, then `call(i)` for i = 0, 1, ... until `seconds` have passed (at least 3
/// calls). CPU time is the calling thread's (the in-process search runs on it).
fn time_window(seconds: f64, mut call: impl FnMut(usize) -> usize) -> PerCall {
    std::hint::black_box(call(0));
    let (start, cpu_start) = (Instant::now(), own_thread_cpu().unwrap_or_default());
    let mut n = 0;
    loop {
        std::hint::black_box(call(n));
        n += 1;
        let elapsed = start.elapsed().as_secs_f64();
        if elapsed >= seconds && n >= 3 {
            let cpu = (own_thread_cpu().unwrap_or_default() - cpu_start).as_secs_f64();
            return PerCall { cpu: cpu / n as f64, wall: elapsed / n as f64 };
        }
    }
}

/// The rows and queries both sides search, uniform in [0, 1) from a fixed seed.
struct SearchData {
    rows: Vec<f32>,
    queries: Vec<QueryVector>,
}

impl SearchData {
    fn random() -> Self {
        let mut state = 0x5eed_u64;
        let mut next = move || {
            // splitmix64, 24 random bits per float.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
        };
        let rows: Vec<f32> = (0..ROWS * DIM).map(|_| next()).collect();
        let queries = (0..QUERIES).map(|_| QueryVector::Float((0..DIM).map(|_| next()).collect())).collect();
        SearchData { rows, queries }
    }

    /// The column as the server holds it: its dimension is only known at run time (a constant would let the
    /// compiler specialise the kernels for 128, which the server never can).
    fn column(&self) -> Column<'_> {
        Column::Float { dim: std::hint::black_box(DIM), data: &self.rows }
    }

    fn search_one(&self, metric: Metric, i: usize) -> Vec<Hit> {
        let mut top = TopK::new(metric, TOP_K, None);
        top.scan(&self.column(), &self.queries[i % QUERIES], |row| Some(row as u64)).expect("a float query");
        top.into_sorted()
    }

    fn search_batch(&self, metric: Metric, i: usize) -> Vec<Vec<Hit>> {
        let start = i % (QUERIES / BATCH) * BATCH;
        let queries = &self.queries[start..start + BATCH];
        let mut tops: Vec<TopK> = queries.iter().map(|_| TopK::new(metric, TOP_K, None)).collect();
        scan_batch(&mut tops, &self.column(), queries, |row| Some(row as u64)).expect("float queries");
        tops.into_iter().map(TopK::into_sorted).collect()
    }

    /// One timed call; returns something that depends on the result, so nothing is optimised away.
    fn run(&self, metric: Metric, batch: bool, i: usize) -> usize {
        if batch { self.search_batch(metric, i).len() } else { self.search_one(metric, i).len() }
    }

    /// Writes the rows and queries as little-endian f32 files for the Python side.
    fn write(&self, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir)?;
        let bytes = |values: &mut dyn Iterator<Item = f32>| values.flat_map(f32::to_le_bytes).collect::<Vec<u8>>();
        let (rows, queries) = (dir.join("rows.f32"), dir.join("queries.f32"));
        std::fs::write(&rows, bytes(&mut self.rows.iter().copied()))?;
        let mut query_values = self.queries.iter().flat_map(|q| match q {
            QueryVector::Float(v) => v.clone(),
            _ => unreachable!("float queries"),
        });
        std::fs::write(&queries, bytes(&mut query_values))?;
        Ok((rows, queries))
    }
}

/// The Python child that runs the baselines.
struct Baseline {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Baseline {
    fn start(data: &SearchData) -> Result<Self, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf();
        let python = ensure_venv(&root)?;
        let (rows, queries) = data.write(&root.join("target/search-data")).map_err(|e| format!("writing data: {e}"))?;
        let mut child = Command::new(python)
            .arg(root.join("bench/search_baseline.py"))
            .args(["--rows".as_ref(), rows.as_os_str(), "--queries".as_ref(), queries.as_os_str()])
            .args(["--dim", &DIM.to_string(), "--k", &TOP_K.to_string(), "--batch", &BATCH.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting search_baseline.py: {e}"))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut baseline = Baseline { child, stdin, stdout };
        let ready = baseline.line();
        println!("baseline: {}", ready.strip_prefix("ready ").unwrap_or(&ready));
        Ok(baseline)
    }

    fn ask(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").and_then(|()| self.stdin.flush()).expect("writing to search_baseline.py");
        self.line()
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("reading from search_baseline.py");
        assert!(!line.is_empty(), "search_baseline.py ended early (see its error above)");
        line.trim_end().to_string()
    }

    /// A timed window of `what` (`faiss`, `faiss-batch`, `numpy`); CPU time is the Python process's.
    fn time(&mut self, what: &str, metric: Metric, seconds: f64) -> PerCall {
        let answer = self.ask(&format!("time {what} {} {seconds}", metric.as_str()));
        let numbers: Vec<f64> = answer.split_whitespace().filter_map(|s| s.parse().ok()).collect();
        match numbers[..] {
            [cpu, wall, _] => PerCall { cpu, wall },
            _ => panic!("bad answer from search_baseline.py: {answer}"),
        }
    }

    /// faiss's top-k ids of the first `n` queries, query after query.
    fn ids(&mut self, metric: Metric, n: usize) -> Vec<u64> {
        let answer = self.ask(&format!("ids faiss {} {n}", metric.as_str()));
        answer.split_whitespace().map(|s| s.parse().unwrap_or(u64::MAX)).collect()
    }
}

impl Drop for Baseline {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The venv's python, with the pinned baseline packages installed (created on first use; needs PyPI then).
fn ensure_venv(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target/search-venv");
    let python = venv.join("bin/python");
    let imports = || {
        Command::new(&python)
            .args(["-c", "import faiss, numpy, threadpoolctl"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if imports() {
        return Ok(python);
    }
    let run = |program: &Path, args: &[&str]| -> Result<(), String> {
        println!("baseline setup: {} {}", program.display(), args.join(" "));
        match Command::new(program).args(args).status() {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(format!("{} {} failed: {status}", program.display(), args.join(" "))),
            Err(e) => Err(format!("{}: {e}", program.display())),
        }
    };
    if !python.exists() {
        run(Path::new("python3"), &["-m", "venv", venv.to_str().ok_or("venv path is not UTF-8")?])?;
    }
    let requirements = root.join("bench/search-requirements.txt");
    run(&python, &["-m", "pip", "install", "--quiet", "-r", requirements.to_str().ok_or("path is not UTF-8")?])?;
    if imports() { Ok(python) } else { Err("faiss, numpy or threadpoolctl still missing in the venv".into()) }
}
