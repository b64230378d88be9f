//! The binary's text log format: tracing-subscriber's default ("full") format, byte for byte, with a fast path for
//! the per-call line (`milvus call`, from `ops::finish`).
//!
//! Why not only the crate's formatter: it writes every field through `core::fmt` with `nu_ansi_term` styles even
//! when colours are off. Measured with callgrind on the release binary, the per-call line cost 11.1k instructions,
//! a third of a whole `partitions/release` call (bench/README.md). The fast path writes the same bytes with plain
//! string pushes; every other event, a span in scope, or a coloured terminal goes to the crate's formatter.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The target of the per-call line.
const CALL_TARGET: &str = "milvus_mock::ops";

/// tracing-subscriber's full format with timer `T`, the per-call line written directly.
pub struct Lines<T> {
    full: Format<Full, T>,
    timer: T,
}

impl<T: FormatTime + Clone> Lines<T> {
    pub fn new(timer: T) -> Self {
        Self { full: Format::default().with_timer(timer.clone()), timer }
    }
}

impl<S, N, T> FormatEvent<S, N> for Lines<T>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    T: FormatTime,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let meta = event.metadata();
        if meta.target() != CALL_TARGET || writer.has_ansi_escapes() || ctx.lookup_current().is_some() {
            return self.full.format_event(ctx, writer, event);
        }
        // As `Format<Full>` without colours: time, a space, the level padded to five, a space, target, `: `.
        self.timer.format_time(&mut writer)?;
        writer.write_str(match *meta.level() {
            tracing::Level::TRACE => " TRACE ",
            tracing::Level::DEBUG => " DEBUG ",
            tracing::Level::INFO => "  INFO ",
            tracing::Level::WARN => "  WARN ",
            tracing::Level::ERROR => " ERROR ",
        })?;
        writer.write_str(CALL_TARGET)?;
        writer.write_str(": ")?;
        // Built in a reused buffer and written once: the writer is a `dyn fmt::Write`, one call per piece otherwise.
        thread_local! {
            static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        LINE.with_borrow_mut(|line| {
            line.clear();
            let mut fields = Fields { line, first: true, result: Ok(()) };
            event.record(&mut fields);
            fields.result?;
            line.push('\n');
            writer.write_str(line)
        })
    }
}

/// `DefaultVisitor` without colours: the message as is, then ` name=value` with values as `{:?}` writes them.
struct Fields<'a> {
    line: &'a mut String,
    first: bool,
    result: fmt::Result,
}

impl Fields<'_> {
    /// The space before every field but the first, then `name=` (nothing for the message).
    fn start(&mut self, field: &Field) {
        if !std::mem::take(&mut self.first) {
            self.line.push(' ');
        }
        if field.name() != "message" {
            self.line.push_str(field.name());
            self.line.push('=');
        }
    }

    fn integer(&mut self, field: &Field, negative: bool, value: u64) {
        self.start(field);
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = value;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if negative {
            self.line.push('-');
        }
        self.line.extend(digits[at..].iter().map(|&d| d as char));
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            return self.record_debug(field, &format_args!("{value}"));
        }
        self.start(field);
        // `{:?}` of a string. The usual value, printable ASCII without a quote or a backslash, is copied as is (the
        // byte test runs over the whole string without an early exit, so it vectorises).
        let plain = value.bytes().fold(true, |plain, b| plain & (0x20..0x7f).contains(&b) & (b != b'"') & (b != b'\\'));
        if plain {
            self.line.push('"');
            self.line.push_str(value);
            self.line.push('"');
        } else {
            self.result = self.result.and_then(|()| write!(self.line, "{value:?}"));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.integer(field, value < 0, value.unsigned_abs());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.integer(field, false, value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.start(field);
        self.result = self.result.and_then(|()| write!(self.line, "{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    /// A clock that always says `T`, so two formatters' lines can be compared.
    #[derive(Clone)]
    struct Fixed;

    impl FormatTime for Fixed {
        fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
            w.write_str("T")
        }
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    /// The call line as `ops::finish` logs it, with awkward values.
    fn log_calls() {
        let names = ["c", "x\"y", "back\\slash", "tab\there", "caf\u{e9}", "new\nline", "", "\u{1b}[31m", "a'b"];
        for (i, name) in names.iter().enumerate() {
            tracing::info!(
                target: "milvus_mock::ops",
                method = "POST",
                path = "/v2/vectordb/partitions/release",
                operation = "partitions/release",
                transport = "rest",
                db = %name,
                collection = *name,
                code = [0i64, -1, 1100, i64::MIN, i64::MAX][i % 5],
                latency_us = [0u64, 7, u64::MAX][i % 3],
                "milvus call"
            );
        }
        tracing::warn!(target: "milvus_mock::ops", flag = true, ratio = 0.5, "another event");
        tracing::info!(target: "milvus_mock", address = "127.0.0.1:19530", "not a call line");
    }

    fn lines(fast: bool) -> String {
        let out = Captured::default();
        let builder = tracing_subscriber::fmt().with_ansi(false).with_writer(out.clone());
        if fast {
            tracing::subscriber::with_default(builder.event_format(Lines::new(Fixed)).finish(), log_calls);
        } else {
            tracing::subscriber::with_default(builder.with_timer(Fixed).finish(), log_calls);
        }
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn the_fast_call_line_is_the_crate_s_line_byte_for_byte() {
        let (fast, crate_s) = (lines(true), lines(false));
        assert_eq!(fast.matches("milvus call").count(), 9, "{fast}");
        assert_eq!(fast, crate_s);
        assert!(fast.starts_with(
            "T  INFO milvus_mock::ops: milvus call method=\"POST\" path=\"/v2/vectordb/partitions/release\" \
             operation=\"partitions/release\" transport=\"rest\" db=c collection=\"c\" code=0 latency_us=0\n"
        ));
    }
}
