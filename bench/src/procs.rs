//! Child processes and what `/proc` tells about them and about the bench's own threads.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::load;

/// A free loopback port (bound, read, released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// A server child process; killed (by its own pid) and reaped on drop.
pub struct Server {
    pub child: Child,
    pub address: SocketAddr,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kB` of a `/proc/PID/status` line such as `VmRSS`.
pub fn status_kb(pid: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

pub fn rss_kb(pid: u32) -> Option<u64> {
    status_kb(&pid.to_string(), "VmRSS")
}

/// CPU time (user + system) from a `stat` file, at the kernel's usual 100 ticks a second.
fn stat_cpu(path: &str) -> Option<Duration> {
    let text = std::fs::read_to_string(path).ok()?;
    // Fields after the `(comm)`, which may hold spaces: state is field 3, utime 14, stime 15.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Busy CPU time of the whole machine (all cores; idle and iowait excluded), from `/proc/stat`.
pub fn machine_busy() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = text.lines().next()?.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal ...
    let busy: u64 = fields.iter().enumerate().filter(|(i, _)| *i != 3 && *i != 4 && *i < 8).map(|(_, v)| v).sum();
    Some(Duration::from_millis(busy * 10))
}

/// CPU time of the bench process itself (all its threads: client and in-process servers).
pub fn self_cpu() -> Option<Duration> {
    stat_cpu("/proc/self/stat")
}

/// CPU time of a whole process (all its threads).
pub fn process_cpu(pid: u32) -> Option<Duration> {
    stat_cpu(&format!("/proc/{pid}/stat"))
}

/// CPU time of one of the bench's threads: `schedstat` (nanoseconds) when the kernel has it, else `stat`.
pub fn thread_cpu(tid: u32) -> Option<Duration> {
    if let Ok(text) = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat"))
        && let Some(ns) = text.split_whitespace().next().and_then(|v| v.parse::<u64>().ok())
    {
        return Some(Duration::from_nanos(ns));
    }
    stat_cpu(&format!("/proc/self/task/{tid}/stat"))
}

/// CPU time of the calling thread (the load generator runs on the main thread).
pub fn own_thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// The bench's threads, to spot the one a server start adds.
pub fn threads() -> HashSet<u32> {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// The thread added since `before` whose name starts with `prefix`. A thread names itself once it runs, so this
/// waits a little for it.
pub fn new_thread(before: &HashSet<u32>, prefix: &str) -> Option<u32> {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let found = threads().into_iter().filter(|t| !before.contains(t)).find(|t| {
            std::fs::read_to_string(format!("/proc/self/task/{t}/comm")).is_ok_and(|c| c.starts_with(prefix))
        });
        if found.is_some() || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Starts `program` with `args` and `env` on `port`, output discarded.
pub fn spawn(program: &Path, args: &[String], env: &[(&str, &str)], port: u16) -> std::io::Result<Server> {
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let child = command.spawn()?;
    Ok(Server { child, address: SocketAddr::from(([127, 0, 0, 1], port)) })
}

/// Polls `address` with `collections/list` until an HTTP 200; the time from `since`.
pub fn wait_ready(address: SocketAddr, since: Instant, timeout: Duration) -> Option<Duration> {
    while since.elapsed() < timeout {
        if let Ok((200, _)) =
            load::request_blocking(address, "/v2/vectordb/collections/list", "{}", Duration::from_secs(1))
        {
            return Some(since.elapsed());
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    None
}

/// Starts one of the bench's own server modes (`bench serve-mock ...`) and waits for its `ready` line.
pub fn spawn_self(args: &[String]) -> Server {
    let exe = std::env::current_exe().expect("the bench's own path");
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn a bench server");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("ready line");
    let address = line
        .strip_prefix("ready ")
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or_else(|| panic!("bench server said {line:?}"));
    Server { child, address }
}

/// Completes when standard input closes: a bench server child ends with its parent.
pub async fn stdin_closed() {
    let _ = tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
    })
    .await;
}

/// Threads pinned to one core each while a window runs; their former affinity comes back on drop (so child
/// processes started later are not confined).
pub struct Pinned {
    restore: Vec<(u32, libc::cpu_set_t)>,
}

impl Pinned {
    /// Pins each `(tid, cpu)`; tid 0 is the calling thread. Returns `None` (and pins nothing) when the machine has
    /// fewer cores than asked or the kernel refuses.
    pub fn new(pins: &[(u32, usize)]) -> Option<Self> {
        let mut pinned = Pinned { restore: Vec::new() };
        for &(tid, cpu) in pins {
            let old = affinity(tid)?;
            if !set_affinity(tid, &one_cpu(cpu)) {
                return None; // `pinned` drops here and restores the threads done so far
            }
            pinned.restore.push((tid, old));
        }
        Some(pinned)
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        for (tid, old) in self.restore.drain(..).rev() {
            set_affinity(tid, &old);
        }
    }
}

fn one_cpu(cpu: usize) -> libc::cpu_set_t {
    // SAFETY: cpu_set_t is a plain bit array; all zeroes is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: CPU_SET only writes the bit of `cpu` inside `set` (it checks the bound).
    unsafe { libc::CPU_SET(cpu, &mut set) };
    set
}

fn affinity(tid: u32) -> Option<libc::cpu_set_t> {
    // SAFETY: as in `one_cpu`.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: the kernel writes at most `size_of::<cpu_set_t>()` bytes into `set`.
    let ok = unsafe { libc::sched_getaffinity(tid as libc::pid_t, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    (ok == 0).then_some(set)
}

fn set_affinity(tid: u32, set: &libc::cpu_set_t) -> bool {
    // SAFETY: the kernel reads `size_of::<cpu_set_t>()` bytes from `set`.
    unsafe { libc::sched_setaffinity(tid as libc::pid_t, std::mem::size_of::<libc::cpu_set_t>(), set) == 0 }
}

/// The cores this process may run on.
pub fn usable_cpus() -> Vec<usize> {
    let Some(set) = affinity(0) else { return Vec::new() };
    // SAFETY: CPU_ISSET reads one bit of the set `affinity` filled in (it checks the bound).
    (0..libc::CPU_SETSIZE as usize).filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) }).collect()
}
