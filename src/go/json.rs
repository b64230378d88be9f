//! Request decoding the way Milvus's gin handlers do it, down to the error text.
//!
//! Milvus binds every body with Go's `encoding/json` (`json.NewDecoder(body).Decode(&req)`) and then runs the
//! `binding:"required"` validator. Clients see Go's own error strings in code 1801 and 1802 answers, so this module
//! reproduces them:
//!
//! * [`scan`] parses with Go's scanner rules and returns the same syntax-error text
//!   (`invalid character 'x' looking for beginning of value`, `unexpected EOF`, ...). Only the first JSON value is
//!   read; trailing bytes are ignored, as Go's `Decoder` does.
//! * [`GoObject`] reads fields from the parsed value with Go's rules: keys match case-insensitively, `null` leaves a
//!   field at its zero value, and a wrong type records Go's `UnmarshalTypeError` text (the first one wins, decoding
//!   goes on).
//! * [`Required`] collects the go-playground/validator lines for missing required fields.

use serde_json::{Map, Value};

/// Why a body could not be decoded. Both become code 1801 answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The body is empty or only whitespace (Go's `io.EOF`).
    Empty,
    /// A syntax or type error, with Go's text.
    Invalid(String),
}

/// Parses the first JSON value of `body` with Go's scanner rules and texts.
///
/// The parser is iterative, so no body can overflow the stack: nesting is refused past Go's own limit (10,000,
/// `exceeded max depth`), and parts deeper than `KEPT_DEPTH` are checked but not kept (no request field lives that
/// deep; Go would ignore them too, or fail on a type long before). Strings decode as Go does: invalid UTF-8 and
/// lone surrogates become U+FFFD. Numbers become what Go's `interface{}` holds, a `float64` (see
/// `Json::into_value`); `parse` keeps their text.
pub fn scan(body: &[u8]) -> Result<Value, DecodeError> {
    parse(body).map(Json::into_value)
}

/// [`scan`], keeping every member of every object in document order (repeated keys included) with the byte
/// offset of its value, as Go's decoder sees them.
pub fn parse(body: &[u8]) -> Result<Json, DecodeError> {
    let mut p = Parser { b: body, i: 0 };
    p.skip_ws();
    if p.i >= body.len() {
        return Err(DecodeError::Empty);
    }
    p.value().map_err(DecodeError::Invalid)
}

/// A parsed JSON value that keeps what Go's decoder sees and a map forgets: every object member in document
/// order, a repeated key as often as it occurs, where each member's value starts (Go keeps the type error met
/// first in the document), and each number's text as written (Go's type errors quote it, `number 1e1`, and an
/// integer field takes any integer that fits it, however long its text).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's text, exactly as in the body (the grammar is checked).
    Number(Box<str>),
    String(String),
    /// Elements as `(offset, value)`.
    Array(Vec<(usize, Json)>),
    /// Members as `(key, offset of the value, value)`.
    Object(Vec<(String, usize, Json)>),
}

impl Json {
    /// The value as Go decodes it into an `interface{}`: a repeated key keeps its last value (`m[key] = value`),
    /// a number is a `float64`. A number `float64` cannot hold (`1e400`) is `null`: Go leaves the `interface{}`
    /// nil and records a type error, which [`GoObject`] reports.
    ///
    /// An integer that fits `i64` or `u64` is kept as one, so it reads back as written; every use of a number
    /// from an `interface{}` goes through `f64` (`as_f64`), as Go's does.
    pub fn into_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(text) => number_value(&text).map_or(Value::Null, Value::Number),
            Json::String(s) => Value::String(s),
            Json::Array(items) => Value::Array(items.into_iter().map(|(_, v)| v.into_value()).collect()),
            Json::Object(members) => Value::Object(members.into_iter().map(|(k, _, v)| (k, v.into_value())).collect()),
        }
    }

    /// A serde value as members (offsets all 0: the order of type errors is then the reading order).
    pub fn from_value(value: Value) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n.to_string().into()),
            Value::String(s) => Json::String(s),
            Value::Array(items) => Json::Array(items.into_iter().map(|v| (0, Json::from_value(v))).collect()),
            Value::Object(m) => Json::Object(m.into_iter().map(|(k, v)| (k, 0, Json::from_value(v))).collect()),
        }
    }

    /// The offset and text of the first number, in document order, that Go cannot decode into an `interface{}`
    /// (`strconv.ParseFloat` fails: the value is beyond `float64`'s range). `at` is this value's own offset.
    fn out_of_range(&self, at: usize) -> Option<(usize, &str)> {
        match self {
            Json::Number(text) if number_value(text).is_none() => Some((at, text)),
            Json::Array(items) => items.iter().find_map(|(at, v)| v.out_of_range(*at)),
            Json::Object(members) => members.iter().find_map(|(_, at, v)| v.out_of_range(*at)),
            _ => None,
        }
    }

    /// The word Go uses for the value's kind in `cannot unmarshal <kind> into ...`.
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

/// A number's text as a serde number: an integer that fits `i64` or `u64` as that integer, anything else as the
/// `float64` Go's `strconv.ParseFloat` reads; `None` when that overflows (Go's `convertNumber` fails).
fn number_value(text: &str) -> Option<serde_json::Number> {
    // `-0` is a float in Go (`-0` again when printed), not the integer 0.
    let integer = !text.contains(['.', 'e', 'E']) && text != "-0";
    if integer {
        if let Ok(i) = text.parse::<i64>() {
            return Some(i.into());
        }
        if let Ok(u) = text.parse::<u64>() {
            return Some(u.into());
        }
    }
    // The grammar is checked, so the parse itself cannot fail; only the range can.
    text.parse::<f64>().ok().and_then(serde_json::Number::from_f64)
}

/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

/// Containers deeper than this are parsed and checked but dropped from the result.
pub const KEPT_DEPTH: usize = 64;

const UNEXPECTED_EOF: &str = "unexpected EOF";

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

/// An open container while parsing; `None` contents mean "too deep to keep".
enum Open {
    /// Elements so far, and the offset of the element being read.
    Array(Option<Vec<(usize, Json)>>, usize),
    /// Members so far, and the key and value offset of the member being read.
    Object(Option<Vec<(String, usize, Json)>>, String, usize),
}

/// Go's `quoteChar`: how a byte is shown in a syntax error.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            // Go converts the byte to a rune (U+0000..U+00FF) and quotes it with strconv.Quote.
            let ch = c as char;
            let inner = match ch {
                '\x07' => "\\a".to_string(),
                '\x08' => "\\b".to_string(),
                '\x0c' => "\\f".to_string(),
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                '\x0b' => "\\v".to_string(),
                '\\' => "\\\\".to_string(),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("\\x{:02x}", c as u32),
                c if (0x80..0xa0).contains(&(c as u32)) || c as u32 == 0xad => format!("\\u{:04x}", c as u32),
                c => c.to_string(),
            };
            format!("'{inner}'")
        }
    }
}

/// Bytes to text as Go's `unquote` does: every byte that does not start a valid UTF-8 sequence becomes one U+FFFD
/// (`utf8.DecodeRune` gives `RuneError, 1`), so a truncated sequence `e2 82` becomes two, where Rust's
/// `from_utf8_lossy` would write one.
fn go_lossy(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                bytes = &rest[1..];
            }
        }
    }
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {}", quote_char(c), context)
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or_else(|| UNEXPECTED_EOF.to_string())?;
        self.i += 1;
        Ok(c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// After `{` or `,` in an object: a key string and its colon.
    fn key(&mut self) -> Result<String, String> {
        self.skip_ws();
        match self.next()? {
            b'"' => {}
            c => return Err(invalid(c, "looking for beginning of object key string")),
        }
        let key = self.string()?;
        self.skip_ws();
        match self.next()? {
            b':' => Ok(key),
            c => Err(invalid(c, "after object key")),
        }
    }

    /// One whole value, containers included, without recursion.
    fn value(&mut self) -> Result<Json, String> {
        let mut stack: Vec<Open> = Vec::new();
        'values: loop {
            // Read the start of a value: a scalar completes at once, a container opens.
            self.skip_ws();
            if let Some(Open::Object(_, _, at) | Open::Array(_, at)) = stack.last_mut() {
                *at = self.i;
            }
            let c = self.next()?;
            let mut done = match c {
                b'{' | b'[' => {
                    if stack.len() + 1 > MAX_DEPTH {
                        return Err(invalid(c, "exceeded max depth"));
                    }
                    let keep = stack.len() < KEPT_DEPTH;
                    self.skip_ws();
                    let close = if c == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.i += 1;
                        match (c, keep) {
                            (_, false) => Json::Null,
                            (b'{', true) => Json::Object(Vec::new()),
                            _ => Json::Array(Vec::new()),
                        }
                    } else if c == b'{' {
                        let key = self.key()?;
                        stack.push(Open::Object(keep.then(Vec::new), key, 0));
                        continue 'values;
                    } else {
                        stack.push(Open::Array(keep.then(Vec::new), 0));
                        continue 'values;
                    }
                }
                b'"' => Json::String(self.string()?),
                b'-' | b'0'..=b'9' => self.number(c)?,
                b't' => self.literal(b"rue", "true", Json::Bool(true))?,
                b'f' => self.literal(b"alse", "false", Json::Bool(false))?,
                b'n' => self.literal(b"ull", "null", Json::Null)?,
                _ => return Err(invalid(c, "looking for beginning of value")),
            };
            // Hand the finished value to its container; close containers as they end.
            loop {
                let Some(top) = stack.last_mut() else { return Ok(done) };
                self.skip_ws();
                let c = self.next()?;
                match top {
                    Open::Array(items, at) => {
                        if let Some(items) = items {
                            items.push((*at, done));
                        }
                        match c {
                            b',' => continue 'values,
                            b']' => {}
                            _ => return Err(invalid(c, "after array element")),
                        }
                    }
                    Open::Object(members, key, at) => {
                        if let Some(members) = members {
                            // A repeated key is kept: Go decodes every occurrence, in order.
                            members.push((std::mem::take(key), *at, done));
                        }
                        match c {
                            b',' => {
                                *key = self.key()?;
                                continue 'values;
                            }
                            b'}' => {}
                            _ => return Err(invalid(c, "after object key:value pair")),
                        }
                    }
                }
                done = match stack.pop() {
                    Some(Open::Array(Some(items), _)) => Json::Array(items),
                    Some(Open::Object(Some(members), _, _)) => Json::Object(members),
                    _ => Json::Null,
                };
            }
        }
    }

    /// The rest of a string after its opening quote, decoded as Go does.
    fn string(&mut self) -> Result<String, String> {
        // Most strings are plain: no escape, no control byte, valid UTF-8. Those are copied in one go; anything
        // else is decoded byte by byte below, from the start of the string.
        let rest = &self.b[self.i..];
        if let Some(end) = rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            && rest[end] == b'"'
            && let Ok(plain) = std::str::from_utf8(&rest[..end])
        {
            self.i += end + 1;
            return Ok(plain.to_owned());
        }
        let mut out: Vec<u8> = Vec::new();
        loop {
            match self.next()? {
                b'"' => {
                    return Ok(String::from_utf8(out).unwrap_or_else(|invalid| go_lossy(invalid.as_bytes())));
                }
                b'\\' => match self.next()? {
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    c @ (b'\\' | b'/' | b'"') => out.push(c),
                    b'u' => {
                        let first = self.hex4()?;
                        let ch = if (0xD800..0xDC00).contains(&first)
                            && self.b.get(self.i..self.i + 2) == Some(b"\\u".as_slice())
                        {
                            // A high surrogate: combine with a following low one, else U+FFFD.
                            let save = self.i;
                            self.i += 2;
                            let second = self.hex4()?;
                            if (0xDC00..0xE000).contains(&second) {
                                char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                            } else {
                                self.i = save;
                                None
                            }
                        } else {
                            char::from_u32(first)
                        };
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.unwrap_or('\u{FFFD}').encode_utf8(&mut buf).as_bytes());
                    }
                    c => return Err(invalid(c, "in string escape code")),
                },
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut n = 0;
        for _ in 0..4 {
            let h = self.next()?;
            let d = (h as char).to_digit(16).ok_or_else(|| invalid(h, "in \\u hexadecimal character escape"))?;
            n = n * 16 + d;
        }
        Ok(n)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }

    /// A number ends at the first byte that cannot continue it; what follows is judged by the caller.
    fn number(&mut self, first: u8) -> Result<Json, String> {
        let start = self.i - 1;
        let first = if first == b'-' {
            let c = self.next()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in numeric literal"));
            }
            c
        } else {
            first
        };
        if first != b'0' {
            self.digits();
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let c = self.next()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "after decimal point in numeric literal"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            let mut c = self.next()?;
            if c == b'+' || c == b'-' {
                c = self.next()?;
            }
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        // The grammar is checked above, and it is all ASCII.
        let text = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("0");
        Ok(Json::Number(text.into()))
    }

    fn literal(&mut self, rest: &[u8], word: &str, value: Json) -> Result<Json, String> {
        for &want in rest {
            let c = self.next()?;
            if c != want {
                let context = format!("in literal {word} (expecting {})", quote_char(want));
                return Err(invalid(c, &context));
            }
        }
        Ok(value)
    }
}

/// Go's `EqualFold` for a document key against one of our (ASCII) field names: ASCII case-insensitive, plus the
/// two non-ASCII letters that fold to ASCII ones, the long s (`ſ` ~ `s`) and the Kelvin sign (`K` ~ `k`).
fn equal_fold(document: &str, field: &str) -> bool {
    if document.is_ascii() {
        return document.eq_ignore_ascii_case(field);
    }
    let folded = document.chars().map(|c| match c {
        '\u{017F}' => 's',
        '\u{212A}' => 'k',
        c => c.to_ascii_lowercase(),
    });
    folded.eq(field.chars().map(|c| c.to_ascii_lowercase()))
}

/// Reads the top-level value as the Go struct `go_type` (for example `httpserver.CollectionNameReq`).
///
/// `null` decodes to an empty struct, as in Go; any other non-object is a type error.
pub fn top_level(value: Json, go_type: &str) -> Result<Vec<(String, usize, Json)>, DecodeError> {
    match value {
        Json::Object(members) => Ok(members),
        Json::Null => Ok(Vec::new()),
        other => Err(DecodeError::Invalid(format!(
            "json: cannot unmarshal {} into Go value of type {go_type}",
            other.kind()
        ))),
    }
}

/// One JSON object being read as one Go struct.
///
/// Go's decoder walks the members in document order and decodes each into the field its key names (exact match,
/// else `EqualFold`), so a field named twice is decoded twice: a later value overwrites a scalar, merges into a
/// struct or map, reuses a slice's elements; `null` leaves a scalar or struct alone and clears a slice, map or
/// `interface{}`; a value of the wrong type changes nothing and records an `UnmarshalTypeError`. The error kept
/// is the one met first in the document (by value offset), whatever order the fields are read in here.
pub struct GoObject<'a> {
    members: Vec<(String, usize, Json)>,
    /// Go struct name, used in type errors (`CollectionNameReq`).
    strukt: &'static str,
    /// JSON path of this object from the root (`schema.fields`), empty at the root.
    path: String,
    /// The first type error in the document, and the offset of the value it is about in `first_at`.
    first_error: &'a mut Option<String>,
    first_at: usize,
}

impl<'a> GoObject<'a> {
    /// Reads a serde object (its members are taken out of `map`).
    pub fn new(map: &'a mut Map<String, Value>, strukt: &'static str, first_error: &'a mut Option<String>) -> Self {
        let members = std::mem::take(map).into_iter().map(|(k, v)| (k, 0, Json::from_value(v))).collect();
        Self::from_members(members, strukt, first_error)
    }

    /// Reads parsed members (see [`parse`]).
    pub fn from_members(
        members: Vec<(String, usize, Json)>,
        strukt: &'static str,
        first_error: &'a mut Option<String>,
    ) -> Self {
        Self { members, strukt, path: String::new(), first_error, first_at: usize::MAX }
    }

    /// A nested struct's reader; its errors count with this one's (see [`Self::read_nested`]).
    fn nested<T>(
        &mut self,
        members: Vec<(String, usize, Json)>,
        strukt: &'static str,
        path: String,
        read: impl FnOnce(&mut GoObject<'_>) -> T,
    ) -> T {
        let mut inner =
            GoObject { members, strukt, path, first_error: &mut *self.first_error, first_at: self.first_at };
        let out = read(&mut inner);
        self.first_at = inner.first_at;
        out
    }

    /// Every occurrence of the field `key`, in document order: Go matches a member to a field by exact name or
    /// `bytes.EqualFold`, and the fields of one struct never fold to the same name.
    fn get(&mut self, key: &str) -> Vec<(usize, Json)> {
        if !self.members.iter().any(|(k, _, _)| k == key || equal_fold(k, key)) {
            return Vec::new();
        }
        let (hits, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.members).into_iter().partition(|(k, _, _)| k == key || equal_fold(k, key));
        self.members = rest;
        hits.into_iter().map(|(_, at, v)| (at, v)).collect()
    }

    fn field_path(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    /// Records Go's `UnmarshalTypeError` for the value at `at`, unless one earlier in the document is recorded.
    fn type_error(&mut self, at: usize, value_kind: &str, key: &str, go_type: &str) {
        if self.first_error.is_some() && at >= self.first_at {
            return;
        }
        self.first_at = at;
        *self.first_error = Some(format!(
            "json: cannot unmarshal {value_kind} into Go struct field {}.{} of type {go_type}",
            self.strukt,
            self.field_path(key)
        ));
    }

    /// A Go `string` field. Missing or `null` gives `""`.
    pub fn string(&mut self, key: &str) -> String {
        let mut out = String::new();
        for (at, v) in self.get(key) {
            match v {
                Json::Null => {}
                Json::String(s) => out = s,
                v => self.type_error(at, v.kind(), key, "string"),
            }
        }
        out
    }

    /// A Go `[]string` field. `None` is Go's nil slice (missing or `null`).
    ///
    /// A second array decodes into the first one's elements (Go reuses the backing array, up to its capacity
    /// with what earlier arrays left there): `null` elements keep what was there.
    pub fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        self.slice(key, "[]string", "string", |slot: &mut String, item| match item {
            Json::String(s) => {
                *slot = s;
                None
            }
            other => Some(other),
        })
    }

    /// Go's decoding of a slice field, every occurrence in document order: `null` makes it nil, an array writes
    /// into the elements already there (Go reuses the backing array), a `null` element keeps what was there. `put`
    /// stores one element, or hands back a value of the wrong type, which is a type error against `elem_type`.
    fn slice<E: Default>(
        &mut self,
        key: &str,
        slice_type: &str,
        elem_type: &str,
        mut put: impl FnMut(&mut E, Json) -> Option<Json>,
    ) -> Option<Vec<E>> {
        let mut backing: Vec<E> = Vec::new();
        let mut len = None;
        for (at, v) in self.get(key) {
            match v {
                Json::Null => {
                    backing.clear();
                    len = None;
                }
                Json::Array(items) => {
                    if items.is_empty() {
                        backing.clear();
                    }
                    len = Some(items.len());
                    for (i, (at, item)) in items.into_iter().enumerate() {
                        if i == backing.len() {
                            backing.push(E::default());
                        }
                        if matches!(item, Json::Null) {
                            continue;
                        }
                        if let Some(wrong) = put(&mut backing[i], item) {
                            self.type_error(at, wrong.kind(), key, elem_type);
                        }
                    }
                }
                v => self.type_error(at, v.kind(), key, slice_type),
            }
        }
        len.map(|n| {
            backing.truncate(n);
            backing
        })
    }

    /// A Go integer field of type `go_type` (`int32`, `int64`); `bits` bounds it.
    pub fn int(&mut self, key: &str, go_type: &str, bits: u32) -> i64 {
        let mut out = 0;
        for (at, v) in self.get(key) {
            match v {
                Json::Null => {}
                Json::Number(text) => {
                    // Go's `strconv.ParseInt` of the text: `1e1` and `5.0` are not integers, whatever their value.
                    let max = (1i128 << (bits - 1)) - 1;
                    match text.parse::<i128>() {
                        Ok(v) if v <= max && v >= -max - 1 => out = v as i64,
                        _ => self.type_error(at, &format!("number {text}"), key, go_type),
                    }
                }
                v => self.type_error(at, v.kind(), key, go_type),
            }
        }
        out
    }

    /// A Go `bool` field.
    pub fn bool(&mut self, key: &str) -> bool {
        let mut out = false;
        for (at, v) in self.get(key) {
            match v {
                Json::Null => {}
                Json::Bool(b) => out = b,
                v => self.type_error(at, v.kind(), key, "bool"),
            }
        }
        out
    }

    /// A Go `map[string]interface{}` field. `None` is a nil map; a second object merges into the first.
    pub fn map(&mut self, key: &str) -> Option<Map<String, Value>> {
        let mut out: Option<Map<String, Value>> = None;
        for (at, v) in self.get(key) {
            match v {
                Json::Null => out = None,
                Json::Object(members) => {
                    let map = out.get_or_insert_with(Map::new);
                    for (k, at, v) in members {
                        self.float_range(at, &v, key);
                        map.insert(k, v.into_value());
                    }
                }
                v => self.type_error(at, v.kind(), key, "map[string]interface {}"),
            }
        }
        out
    }

    /// A Go `interface{}` field: any value is accepted, the last one stays.
    pub fn any(&mut self, key: &str) -> Option<Value> {
        let mut out = None;
        for (at, v) in self.get(key) {
            // A number Go cannot read leaves the field as it was.
            if !matches!(v, Json::Number(_)) || !self.float_range(at, &v, key) {
                out = Some(v.into_value());
            }
        }
        out.filter(|v| !v.is_null())
    }

    /// Records Go's type error for the first number in `v` that `float64` cannot hold, as Go's decoder does for
    /// every number it reads into an `interface{}` (its map keys are not part of the field path). True if any.
    fn float_range(&mut self, at: usize, v: &Json, key: &str) -> bool {
        match v.out_of_range(at) {
            Some((at, text)) => {
                self.type_error(at, &format!("number {text}"), key, "float64");
                true
            }
            None => false,
        }
    }

    /// A nested Go struct field (`go_type` as Go prints it, `strukt` the bare struct name). Every object given
    /// for it decodes into the same struct, so their members are read as one.
    pub fn object<T>(
        &mut self,
        key: &str,
        go_type: &str,
        strukt: &'static str,
        read: impl FnOnce(&mut GoObject<'_>) -> T,
    ) -> Option<T> {
        let mut merged: Option<Vec<(String, usize, Json)>> = None;
        for (at, v) in self.get(key) {
            match v {
                Json::Null => {}
                Json::Object(members) => merged.get_or_insert_with(Vec::new).extend(members),
                v => self.type_error(at, v.kind(), key, go_type),
            }
        }
        let members = merged?;
        let path = self.field_path(key);
        Some(self.nested(members, strukt, path, read))
    }

    /// A Go slice of structs (`go_type` such as `[]httpserver.FieldSchema`); `None` is a nil slice. A second
    /// array decodes into the first one's elements, as [`Self::strings`] describes.
    pub fn objects<T>(
        &mut self,
        key: &str,
        go_type: &str,
        strukt: &'static str,
        mut read: impl FnMut(&mut GoObject<'_>) -> T,
    ) -> Option<Vec<T>> {
        let elem_type = go_type.trim_start_matches("[]").trim_start_matches('*');
        let backing =
            self.slice(key, go_type, elem_type, |members: &mut Vec<(String, usize, Json)>, item| match item {
                Json::Object(more) => {
                    members.extend(more);
                    None
                }
                other => Some(other),
            })?;
        let path = self.field_path(key);
        Some(backing.into_iter().map(|members| self.nested(members, strukt, path.clone(), &mut read)).collect())
    }
}

/// The `binding:"required"` failures of one request, as go-playground/validator prints them.
#[derive(Default)]
pub struct Required {
    lines: Vec<String>,
}

impl Required {
    /// Records a failure of the field `go_field` in the namespace `ns` (`CollectionReq.Schema`).
    pub fn check(&mut self, ns: &str, go_field: &str, present: bool) {
        if !present {
            self.lines.push(format!(
                "Key: '{ns}.{go_field}' Error:Field validation for '{go_field}' failed on the 'required' tag"
            ));
        }
    }

    /// `None` when every required field is present, else the validator text (one line per field).
    pub fn into_message(self) -> Option<String> {
        if self.lines.is_empty() { None } else { Some(self.lines.join("\n")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> String {
        match scan(body.as_bytes()) {
            Err(DecodeError::Invalid(m)) => m,
            other => panic!("expected an error for {body:?}, got {other:?}"),
        }
    }

    #[test]
    fn whitespace_only_is_empty() {
        assert_eq!(scan(b"  \n\t").unwrap_err(), DecodeError::Empty);
        assert_eq!(scan(b"").unwrap_err(), DecodeError::Empty);
    }

    #[test]
    fn syntax_errors_read_as_go_prints_them() {
        assert_eq!(err("xyz"), "invalid character 'x' looking for beginning of value");
        assert_eq!(err("{\"a\":1"), "unexpected EOF");
        assert_eq!(err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(err("{\"a\":1 \"b\":2}"), "invalid character '\"' after object key:value pair");
        assert_eq!(err("{a:1}"), "invalid character 'a' looking for beginning of object key string");
        assert_eq!(err("{\"a\":[1 2]}"), "invalid character '2' after array element");
        assert_eq!(err("{\"a\":tru}"), "invalid character '}' in literal true (expecting 'e')");
        assert_eq!(err("{\"a\":\"x\ny\"}"), "invalid character '\\n' in string literal");
        assert_eq!(err("{\"a\":-x}"), "invalid character 'x' in numeric literal");
        assert_eq!(err("{\"a\":\"\\q\"}"), "invalid character 'q' in string escape code");
        assert_eq!(err("{'a':1}"), "invalid character '\\'' looking for beginning of object key string");
    }

    #[test]
    fn nesting_is_checked_to_go_s_limit_without_recursion() {
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(9_000), "]".repeat(9_000));
        let value = scan(deep.as_bytes()).unwrap();
        assert!(value["x"].is_array());
        let too_deep = "[".repeat(10_001);
        assert_eq!(err(&too_deep), "invalid character '[' exceeded max depth");
    }

    #[test]
    fn strings_decode_as_go_does() {
        let v = scan(br#"{"a":"\ud800x","b":"\ud83d\ude00","c":"\u00e9"}"#).unwrap();
        assert_eq!(v["a"], "\u{FFFD}x");
        assert_eq!(v["b"], "\u{1F600}");
        assert_eq!(v["c"], "é");
        let lossy = scan(b"{\"a\":\"\xff\"}").unwrap();
        assert_eq!(lossy["a"], "\u{FFFD}");
        // Go replaces byte by byte: a truncated three-byte sequence is two U+FFFD, a UTF-8 surrogate three.
        let truncated = scan(b"{\"a\":\"x\xe2\x82y\",\"b\":\"\xed\xa0\x80\",\"c\":\"\xf0\x9f\x98\"}").unwrap();
        assert_eq!(truncated["a"], "x\u{FFFD}\u{FFFD}y");
        assert_eq!(truncated["b"], "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(truncated["c"], "\u{FFFD}\u{FFFD}\u{FFFD}");
        // The fast path (a plain string) and the slow path (an escape) agree.
        let mixed = scan(b"{\"a\":\"caf\xc3\xa9\",\"b\":\"caf\\u00e9\",\"c\":\"\xc3\xa9\\n\xe2\x82\"}").unwrap();
        assert_eq!(mixed["a"], "café");
        assert_eq!(mixed["b"], "café");
        assert_eq!(mixed["c"], "é\n\u{FFFD}\u{FFFD}");
    }

    /// The members of a parsed object body.
    fn members(body: &str) -> Vec<(String, usize, Json)> {
        top_level(parse(body.as_bytes()).unwrap(), "T").unwrap()
    }

    #[test]
    fn type_errors_quote_a_number_exactly_as_written() {
        for literal in [
            "5.50",
            "1e1",
            "1E+01",
            "-0.0",
            "1e400",
            "9223372036854775808",
            "123456789012345678901234567890123456789012",
        ] {
            let mut first = None;
            let mut o =
                GoObject::from_members(members(&format!("{{\"dimension\":{literal}}}")), "CollectionReq", &mut first);
            o.int("dimension", "int64", 64);
            assert_eq!(
                first.unwrap(),
                format!(
                    "json: cannot unmarshal number {literal} into Go struct field CollectionReq.dimension of type int64"
                )
            );
        }
    }

    #[test]
    fn integer_fields_take_any_integer_text_that_fits() {
        let mut first = None;
        let mut o = GoObject::from_members(
            members(r#"{"a":9223372036854775807,"b":-9223372036854775808,"c":-0,"d":2147483648}"#),
            "T",
            &mut first,
        );
        assert_eq!(o.int("a", "int64", 64), i64::MAX);
        assert_eq!(o.int("b", "int64", 64), i64::MIN);
        assert_eq!(o.int("c", "int64", 64), 0);
        assert_eq!(o.int("d", "int32", 32), 0);
        assert_eq!(first.unwrap(), "json: cannot unmarshal number 2147483648 into Go struct field T.d of type int32");
    }

    #[test]
    fn interface_numbers_are_float64s_and_integers_stay_integers() {
        let v =
            scan(br#"{"i":7,"u":18446744073709551615,"big":123456789012345678901,"f":1.50,"e":1e3,"z":-0}"#).unwrap();
        assert!(v["i"].is_i64() && v["u"].is_u64());
        assert_eq!(v["big"], serde_json::json!(1.2345678901234568e20));
        assert_eq!(v["f"], serde_json::json!(1.5));
        assert_eq!(v["e"], serde_json::json!(1000.0));
        assert!(v["z"].as_f64().is_some_and(|z| z == 0.0 && z.is_sign_negative()));
    }

    #[test]
    fn a_number_beyond_float64_in_an_interface_is_go_s_type_error() {
        // Go's `convertNumber`: the value stays nil and the error names the field holding it (not a map key).
        let mut first = None;
        let mut o = GoObject::from_members(members(r#"{"params":{"a":1,"b":[2,-1e309]},"d":1e400}"#), "T", &mut first);
        let params = o.map("params").unwrap();
        assert_eq!(params["b"], serde_json::json!([2, null]));
        assert_eq!(o.any("d"), None);
        assert_eq!(
            first.unwrap(),
            "json: cannot unmarshal number -1e309 into Go struct field T.params of type float64"
        );
        // An earlier value of a repeated interface field stays.
        let mut first = None;
        let mut o = GoObject::from_members(members(r#"{"d":5,"d":1e400}"#), "T", &mut first);
        assert_eq!(o.any("d"), Some(serde_json::json!(5)));
        assert_eq!(first.unwrap(), "json: cannot unmarshal number 1e400 into Go struct field T.d of type float64");
    }

    /// Why numbers keep their text here and not through serde_json's `arbitrary_precision`: Cargo unifies
    /// features, so that feature would reach the serde_json of every crate that has this one as a dev-dependency,
    /// where it breaks floats under `#[serde(untagged)]` and `#[serde(flatten)]` (serde-rs/json#1108, #721). This
    /// fails as soon as the crate enables it again.
    #[test]
    fn a_dependent_s_serde_json_reads_floats_in_untagged_enums_and_flatten() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(untagged)]
        enum Either {
            Float(f64),
            Text(String),
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Outer {
            x: Either,
            #[serde(flatten)]
            rest: Inner,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Inner {
            y: f64,
        }
        let outer: Outer = serde_json::from_str(r#"{"x": 1.5, "y": 2.5}"#).expect("plain serde_json reads it");
        assert_eq!(outer, Outer { x: Either::Float(1.5), rest: Inner { y: 2.5 } });
    }

    #[test]
    fn trailing_bytes_after_the_first_value_are_ignored() {
        assert_eq!(scan(b"{\"a\":1} xyz").unwrap(), serde_json::json!({"a": 1}));
    }

    #[test]
    fn type_errors_name_the_go_struct_and_json_path() {
        let v = serde_json::json!({"collectionName": 5, "partitionNames": "p"});
        let mut first = None;
        let mut v = v;
        let map = v.as_object_mut().unwrap();
        let mut o = GoObject::new(map, "PartitionsReq", &mut first);
        o.string("collectionName");
        o.strings("partitionNames");
        assert_eq!(
            first.unwrap(),
            "json: cannot unmarshal number into Go struct field PartitionsReq.collectionName of type string"
        );
    }

    #[test]
    fn keys_fold_like_go_s_equal_fold() {
        assert!(equal_fold("COLLECTIONNAME", "collectionName"));
        assert!(equal_fold("dbNamſ", "dbNams"));
        assert!(equal_fold("\u{212A}ey", "key"));
        assert!(!equal_fold("dbNamé", "dbName"));
    }

    #[test]
    fn keys_match_case_insensitively() {
        let mut v = serde_json::json!({"COLLECTIONNAME": "c"});
        let mut first = None;
        let mut o = GoObject::new(v.as_object_mut().unwrap(), "X", &mut first);
        assert_eq!(o.string("collectionName"), "c");
    }

    #[test]
    fn repeated_fields_decode_in_document_order_as_go_does() {
        let Json::Object(members) =
            parse(br#"{"a":["x","y"],"a":[null],"m":{"k":1},"m":{"j":2},"s":"one","S":2,"s":"two"}"#).unwrap()
        else {
            panic!("an object")
        };
        let mut first = None;
        let mut o = GoObject::from_members(members, "T", &mut first);
        // A second array decodes into the first one's elements: `null` keeps "x"; the length is the new one.
        assert_eq!(o.strings("a"), Some(vec!["x".to_string()]));
        assert_eq!(o.map("m"), Some(serde_json::json!({"k": 1, "j": 2}).as_object().unwrap().clone()));
        assert_eq!(o.string("s"), "two");
        assert_eq!(first.unwrap(), "json: cannot unmarshal number into Go struct field T.s of type string");
    }
}
