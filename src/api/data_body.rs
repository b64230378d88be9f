//! The REST body of `entities/insert` and `entities/upsert` (`CollectionDataReq`), bound so that `data` is read once.
//!
//! Why: the other routes' fast path decodes the plain body with serde, and serde finds where a value ends by
//! validating every token of it. For an insert that value is `data`, nearly the whole body, which the rows' parser
//! ([`crate::rows::convert`]) then reads a second time into `f32`s. With 10,000-row bodies the first reading was a
//! quarter of the server's time (bench/README.md, "Data plane (REST)").
//!
//! So the fast path here is a structural scan ([`members`]): it finds the top-level keys and where each value ends,
//! minding strings and their escapes and nothing else; it reads the small values with serde and leaves `data` unread
//! in the body. The rows' parser then parses and validates `data` once, knowing the schema.
//!
//! Answers stay those of the Go-compatible binding:
//! - The scan takes only the plain body serde took before (a JSON object with the exact keys, each at most once, of
//!   their own JSON type, `data` a list or `null`). Anything else is bound by Go's rules, as before.
//! - What the scan does not know is whether `data` is well-formed JSON, and a malformed body answers 1801 before
//!   anything else ("collection not found", a missing `collectionName`). So an answer other than success stands
//!   only once `data` is known to be well-formed; when it is not, the body is bound again by Go's rules and the call
//!   runs as that binding says. Nothing was written by then: rows are converted whole before any is stored. A
//!   success has read all of `data`.
//! - One difference is left, outside Milvus's answers: the names under which the journal records such a malformed
//!   call and fault rules match it are those its top-level keys give, where the failed binding gave none.

use std::ops::Range;

use axum::body::Bytes;
use axum::http::HeaderMap;

use super::CallTarget;
use super::entities::DataReq;
use crate::catalog::Catalog;
use crate::envelope::Reply;
use crate::error::{Error, Result};
use crate::go::bind::{MilvusRequest, decode_go};
use crate::go::json::{GoObject, Required};

/// `CollectionDataReq` as a REST body binds it: a [`DataReq`] and, on the fast path, the body with `data` unread.
#[derive(Debug, PartialEq)]
pub struct DataBody {
    /// The request; on the fast path its `data` is `None` and the rows are in `unread`.
    req: DataReq,
    unread: Option<Unread>,
}

/// The body and where `data` (a list, not validated yet) lies in it.
#[derive(Debug, PartialEq)]
struct Unread {
    body: Bytes,
    data: Range<usize>,
}

impl Unread {
    /// The text of `data`, if it is UTF-8.
    fn rows(&self) -> Option<&str> {
        std::str::from_utf8(&self.body[self.data.clone()]).ok()
    }
}

/// A write of the rows `data` (insert or upsert), as [`crate::api::entities`] runs it.
pub type Write = fn(&Catalog, &str, &DataReq, &str) -> Result<Reply>;

impl DataBody {
    /// Runs `write` with the rows. On the fast path, an error is the answer only if `data` is well-formed JSON;
    /// otherwise the body is bound by Go's rules and runs as that binding says (see the module docs).
    pub fn run(self, catalog: &Catalog, db: &str, write: Write) -> Result<Reply> {
        let Some(unread) = self.unread else {
            return write(catalog, db, &self.req, self.req.rows());
        };
        let rows = unread.rows();
        match rows.map(|rows| write(catalog, db, &self.req, rows)) {
            Some(Ok(reply)) => Ok(reply),
            Some(Err(e)) if rows.is_some_and(well_formed) => Err(e),
            _ => {
                // The scan read the same names as Go's binding does, so `db` is still the call's database.
                let mut req: DataReq = decode_go(&unread.body).map_err(Error::Binding)?;
                req.int64_as_number = self.req.int64_as_number;
                write(catalog, db, &req, req.rows())
            }
        }
    }

    /// The plain body by the structural scan, keeping `body` if `data` is a list; `None` for anything else.
    fn plain(body: &Bytes) -> Option<Self> {
        let mut req = DataReq {
            db_name: String::new(),
            collection_name: String::new(),
            partition_name: String::new(),
            partial_update: false,
            data: None,
            int64_as_number: true,
        };
        let mut data = None;
        let members = members(body)?;
        for (i, (key, value)) in members.iter().enumerate() {
            if members[..i].iter().any(|(k, _)| k == key) {
                return None;
            }
            let text = &body[value.clone()];
            match *key {
                b"dbName" => req.db_name = serde_json::from_slice(text).ok()?,
                b"collectionName" => req.collection_name = serde_json::from_slice(text).ok()?,
                b"partitionName" => req.partition_name = serde_json::from_slice(text).ok()?,
                b"partialUpdate" => req.partial_update = serde_json::from_slice(text).ok()?,
                b"data" if text == b"null" => {}
                b"data" if text.starts_with(b"[") => data = Some(value.clone()),
                _ => return None,
            }
        }
        let unread = data.map(|data| Unread { body: body.clone(), data });
        // A missing `collectionName` answers 1802, unless `data` is malformed (1801 comes first).
        if req.collection_name.is_empty()
            && let Some(u) = &unread
            && !u.rows().is_some_and(well_formed)
        {
            return None;
        }
        Some(Self { req, unread })
    }
}

impl MilvusRequest for DataBody {
    const GO_TYPE: &'static str = DataReq::GO_TYPE;

    fn read(o: &mut GoObject<'_>) -> Self {
        Self { req: DataReq::read(o), unread: None }
    }

    fn required(&self, r: &mut Required) {
        self.req.required_with(r, self.req.data.is_some() || self.unread.is_some());
    }

    fn take_db_name(&mut self) -> String {
        self.req.take_db_name()
    }

    fn fast(body: &[u8]) -> Option<Self> {
        Self::plain(&Bytes::copy_from_slice(body))
    }

    fn fast_body(body: &Bytes) -> Option<Self> {
        Self::plain(body)
    }

    fn read_headers(&mut self, headers: &HeaderMap) {
        self.req.read_headers(headers);
    }
}

impl CallTarget for DataBody {
    fn target(&self) -> Option<(&str, &str)> {
        self.req.target()
    }
}

/// Whether `text` is one well-formed JSON value (serde's reading, which the rows' parser uses).
fn well_formed(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// The members of a body that is one JSON object: each key's text (between its quotes) and where its value lies.
/// `None` unless the object's punctuation is in place and no key has an escape. Values are delimited, not
/// validated: strings by their closing quote, lists and objects by their matching bracket (counting brackets outside
/// strings), other values by the next delimiter.
fn members(b: &[u8]) -> Option<Vec<(&[u8], Range<usize>)>> {
    let mut members = Vec::new();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(members);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(b, i)?;
        let key = &b[i + 1..key_end - 1];
        if key.contains(&b'\\') {
            return None;
        }
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(b, i + 1);
        let end = value_end(b, start)?;
        members.push((key, start..end));
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (skip_ws(b, i + 1) == b.len()).then_some(members),
            _ => return None,
        }
    }
}

/// The index after JSON's whitespace from `i`.
fn skip_ws(b: &[u8], i: usize) -> usize {
    i + b[i.min(b.len())..].iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')).count()
}

/// The index after the value that starts at `start`.
fn value_end(b: &[u8], start: usize) -> Option<usize> {
    match b.get(start)? {
        b'"' => string_end(b, start),
        b'[' | b'{' => nested_end(b, start),
        _ => {
            let len = b[start..]
                .iter()
                .take_while(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b',' | b'}' | b']'))
                .count();
            (len > 0).then_some(start + len)
        }
    }
}

/// The index after the string whose opening quote is at `start` (a backslash escapes the byte after it).
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        i += b[i..].iter().position(|&c| c == b'"' || c == b'\\')?;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
        if i > b.len() {
            return None;
        }
    }
}

/// The index after the list or object that opens at `start`: where as many brackets have closed as opened,
/// outside strings.
fn nested_end(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    loop {
        i = next_quote_or_bracket(b, i)?;
        match b[i] {
            b'"' => {
                i = string_end(b, i)?;
                continue;
            }
            b'[' | b'{' => depth += 1,
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
        }
        i += 1;
    }
}

/// The index of the first `"`, `[`, `]`, `{` or `}` from `i`. Rows are mostly numbers, so it tests eight bytes at a
/// time (a bit trick, no `unsafe`), then finds the byte in the word that has one.
fn next_quote_or_bracket(b: &[u8], mut i: usize) -> Option<usize> {
    while let Some(word) = b.get(i..i + 8) {
        if has_quote_or_bracket(u64::from_le_bytes(word.try_into().ok()?)) {
            break;
        }
        i += 8;
    }
    let offset = b[i..].iter().position(|&c| matches!(c, b'"' | b'[' | b']' | b'{' | b'}'))?;
    Some(i + offset)
}

/// Whether one of the eight bytes of `word` is `"`, `[`, `]`, `{` or `}`. Setting bit 5 turns `[` and `]` into `{`
/// and `}` (and no other byte into them), so three byte comparisons do, each by the exact "has a zero byte" test
/// `(v - 0x01..) & !v & 0x80..`.
fn has_quote_or_bracket(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let has_zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & (ONES << 7) != 0;
    let folded = word | (ONES * 0x20);
    has_zero_byte(word ^ (ONES * u64::from(b'"')))
        || has_zero_byte(folded ^ (ONES * u64::from(b'{')))
        || has_zero_byte(folded ^ (ONES * u64::from(b'}')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::go::bind::decode_body;
    use proptest::prelude::*;

    /// Values for the names: plain, with brackets, quotes or escapes, and ones that are not strings.
    const NAMES: &[&str] = &[
        r#""c""#,
        r#""quick_setup""#,
        r#""january""#,
        r#""""#,
        r#""a]{\"b}""#,
        r#""\u0063""#,
        r#""\ud800""#,
        "null",
        "1",
    ];

    /// Values for `partialUpdate`.
    const FLAGS: &[&str] = &["true", "false", "null", "1"];

    /// Values for `data`: well-formed or not, with brackets and quotes inside strings, and not lists.
    const DATA: &[&str] = &[
        r#"[{"id":1,"vector":[1,2]}]"#,
        "[]",
        r#"[{"k]{\"":"v}[\"\\","x":"]"}]"#,
        r#"[{"id":1,"vector":[1,2}]"#,
        r#"[{"id":01}]"#,
        r#"["]",1"#,
        r#"[{"a":"\q"}]"#,
        "[[[]],{}]",
        "null",
        "{}",
        r#""x""#,
    ];

    /// Keys Go matches to a field (another case, an escape) or ignores.
    const OTHER_KEYS: &[&str] = &["Data", "collectionname", "d\\u0061ta", "other"];

    /// Bodies near an insert's: the fields in any order, each present or not; then sometimes a key repeated,
    /// respelled or added, the body cut short or followed by bytes, or a byte that is not UTF-8.
    fn body() -> impl Strategy<Value = Vec<u8>> {
        let field = |key: &'static str, values: &'static [&'static str]| {
            prop::option::weighted(0.8, prop::sample::select(values)).prop_map(move |v| v.map(|v| (key, v)))
        };
        let fields = (
            field("dbName", NAMES),
            field("collectionName", NAMES),
            field("partitionName", NAMES),
            field("partialUpdate", FLAGS),
            field("data", DATA),
        )
            .prop_map(|(a, b, c, d, e)| [a, b, c, d, e].into_iter().flatten().collect::<Vec<_>>())
            .prop_shuffle();
        let change = (0..16u8, prop::sample::select(OTHER_KEYS), 0..200usize, prop::bool::ANY);
        (fields, change).prop_map(|(mut members, (change, other, cut, blank))| {
            let at = cut % members.len().max(1);
            match change {
                0 if !members.is_empty() => members.push(members[at]),
                1 if !members.is_empty() => members[at].0 = other,
                2 => members.insert(at, (other, "[1]")),
                _ => {}
            }
            let sep = if blank { " \n" } else { "" };
            let members: Vec<String> = members.iter().map(|(k, v)| format!("{sep}\"{k}\"{sep}:{sep}{v}")).collect();
            let mut bytes = format!("{{{}}}", members.join(",")).into_bytes();
            match change {
                3 => bytes.extend_from_slice(b" x"),
                4 => bytes.truncate(cut.min(bytes.len())),
                5 => {
                    if let Some(i) = bytes.iter().rposition(|&b| b == b'a') {
                        bytes[i] = 0xe9;
                    }
                }
                _ => {}
            }
            bytes
        })
    }

    /// The fast path binds as Go's rules do: the same error, or the same names and, once `data` is well-formed,
    /// the same rows. (With `data` malformed, `run` binds again by Go's rules under the names read here.)
    fn binds_as_go(body: &[u8], deferred: &mut u32) -> Result<(), TestCaseError> {
        let go = decode_go::<DataReq>(body);
        let text = String::from_utf8_lossy(body);
        let Ok(DataBody { req, unread }) = decode_body::<DataBody>(&Bytes::copy_from_slice(body)) else {
            prop_assert_eq!(decode_body::<DataBody>(&Bytes::copy_from_slice(body)).map(|b| b.req), go, "{}", text);
            return Ok(());
        };
        let Some(unread) = unread else {
            prop_assert_eq!(Ok(req), go, "{}", text);
            return Ok(());
        };
        *deferred += 1;
        let rows = unread.rows().filter(|r| well_formed(r));
        match (go, rows) {
            (Ok(go), rows) => {
                let names = |r: &DataReq| (r.db_name.clone(), r.collection_name.clone(), r.partition_name.clone());
                prop_assert_eq!(names(&go), names(&req), "{}", text);
                prop_assert_eq!(go.partial_update, req.partial_update, "{}", text);
                if let Some(rows) = rows {
                    let value = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
                    prop_assert_eq!(value(go.rows()), value(rows), "{}", text);
                }
            }
            (Err(e), Some(_)) => prop_assert!(false, "Go: {:?}, fast path: well-formed, for {}", e, text),
            (Err(_), None) => {}
        }
        Ok(())
    }

    #[test]
    fn the_fast_path_binds_as_go_does() {
        let config = ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() };
        let deferred = std::cell::Cell::new(0);
        proptest::test_runner::TestRunner::new(config)
            .run(&body(), |body| {
                let mut n = 0;
                binds_as_go(&body, &mut n)?;
                deferred.set(deferred.get() + n);
                Ok(())
            })
            .unwrap();
        assert!(deferred.get() > 500, "data deferred {} times", deferred.get());
    }

    #[test]
    fn the_word_test_finds_exactly_quotes_and_brackets() {
        for byte in 0..=255u8 {
            for at in 0..8 {
                let mut word = *b"01234567";
                word[at] = byte;
                let expected = matches!(byte, b'"' | b'[' | b']' | b'{' | b'}');
                assert_eq!(has_quote_or_bracket(u64::from_le_bytes(word)), expected, "{byte:#x} at {at}");
            }
        }
        assert_eq!(next_quote_or_bracket(b"0.123456789,-0.5e3,1]", 0), Some(20));
        assert_eq!(next_quote_or_bracket(b"0.1234567", 0), None);
    }

    #[test]
    fn the_scan_delimits_values_minding_strings_only() {
        let body = br#" {"a" : "x\"}]" ,"data":[{"k]{\"":"v}[\"\\"},[1,{}]] , "n":-1.5e3}"#;
        let found: Vec<(&[u8], &[u8])> = members(body).unwrap().into_iter().map(|(k, at)| (k, &body[at])).collect();
        let expected: Vec<(&[u8], &[u8])> =
            vec![(b"a", br#""x\"}]""#), (b"data", br#"[{"k]{\"":"v}[\"\\"},[1,{}]]"#), (b"n", b"-1.5e3")];
        assert_eq!(found, expected);
        assert_eq!(members(b"{}"), Some(vec![]));
        for bad in [&b"{\"a\":[1,2}"[..], b"{\"a\":\"x}", b"{\"a\" 1}", b"{\"a\":1,}", b"{\"a\\n\":1}", b"[1]", b"{} x"]
        {
            assert_eq!(members(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
