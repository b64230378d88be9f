//! REST rows (`data` of `entities/insert` and `upsert`) into columns, with Milvus's checks and texts (contract
//! part 2 §C.3; Milvus `internal/distributed/proxy/httpserver/utils.go`, `checkAndSetData` and `anyToColumns`).
//!
//! Milvus binds `data` as `[]map[string]interface{}`, then reads each value again from the body's text (gjson) and
//! converts it by the field's type. This module does the same in two cheap passes over the text: each row is split
//! into its keys and their raw JSON text (serde's `RawValue`, no copy), then each schema field's text is parsed
//! straight into its type. Fields are checked in schema order, then the keys the schema lacks (dynamic fields).
//! Every failure is [`ConvertError::Data`] (code 1804, `fail to deal the insert data, error: <detail>`), except a
//! row that is not an object (the binding's 1801) and a VarChar over its `max_length` (the proxy's 1100).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::column::{Cell, Column, dim_of};
use super::{Batch, Key};
use crate::catalog::{CollectionSpec, DataType, Field};

/// Why rows could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvertError {
    /// 1801: Go's binding error (a row that is not an object, `data` that is not a list).
    Bind(String),
    /// 1804 with this detail.
    Data(String),
    /// 1100 with this whole message (proxy-side checks such as `max_length`).
    Invalid(String),
}

/// Whether rows are inserted or upserted (autoID primary keys differ), or restored from a fixture or a dump (an
/// autoID key is kept when given, generated when not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Insert,
    Upsert,
    Restore,
}

/// Converted rows, split by target: one batch per partition slot (a partition-key collection routes each row to
/// slot `hash(key) % slots`; otherwise every row goes to slot 0).
#[derive(Debug)]
pub struct Converted {
    pub batches: Vec<Batch>,
    /// Every primary key in request order (`insertIds`).
    pub keys: Vec<Key>,
}

/// One row: its keys and their raw JSON text, in document order; on the fast path, float vectors already parsed
/// (their keys are then not among `members`).
#[derive(Default)]
struct RawRow<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
    floats: Vec<(Cow<'a, str>, Vec<f32>)>,
}

/// Converts the JSON text of `data` (an array) into batches. `slots` is the number of partitions a partition key
/// hashes into (1 otherwise).
pub fn convert(data: &str, spec: &CollectionSpec, mode: Mode, slots: usize) -> Result<Converted, ConvertError> {
    let mut rows = match fast_rows(data, spec) {
        Some(rows) => rows,
        None => slow_rows(data)?,
    };
    if rows.is_empty() {
        return Err(ConvertError::Data("missing required parameters".into()));
    }
    let partition_key = spec.fields.iter().position(|f| f.partition_key);
    let slots = if partition_key.is_some() { slots.max(1) } else { 1 };
    let mut batches: Vec<Batch> = (0..slots).map(|_| empty_batch(spec)).collect();
    let mut keys = Vec::with_capacity(rows.len());
    let pk = spec.fields.iter().position(|f| f.primary_key).unwrap_or(0);
    let auto_ids = match mode {
        Mode::Insert | Mode::Restore if spec.fields[pk].auto_id => Some(super::auto_ids(rows.len())),
        _ => None,
    };
    // One buffer for every row's cells (a row is moved into the columns cell by cell).
    let mut cells = Vec::with_capacity(spec.fields.len());
    for (i, row) in rows.iter_mut().enumerate() {
        let pk_given = lookup(row, &spec.fields[pk].name).is_some();
        let meta = convert_row(row, i, spec, mode, &mut cells)?;
        if let Some(ids) = auto_ids.as_ref().filter(|_| !pk_given || mode == Mode::Insert) {
            cells[pk] = Cell::Int(ids.start + i as i64);
        }
        let key = match &cells[pk] {
            Cell::Str(s) => Key::Str(s.clone()),
            Cell::Int(i) => Key::Int(*i),
            _ => Key::Int(0),
        };
        let slot = partition_key.map_or(0, |f| (route_hash(&cells[f]) % slots as u32) as usize);
        let batch = &mut batches[slot];
        push_row(batch, cells.drain(..), meta);
        batch.keys.push(key.clone());
        keys.push(key);
    }
    Ok(Converted { batches, keys })
}

fn empty_batch(spec: &CollectionSpec) -> Batch {
    Batch { columns: spec.fields.iter().map(Column::for_field).collect(), meta: None, keys: Vec::new() }
}

fn push_row(batch: &mut Batch, cells: impl Iterator<Item = Cell>, meta: Option<Map<String, Value>>) {
    let rows_before = batch.keys.len();
    for (column, cell) in batch.columns.iter_mut().zip(cells) {
        column.push(cell);
    }
    match (&mut batch.meta, meta) {
        (Some(all), meta) => all.push(meta.map_or(Value::Null, Value::Object)),
        (None, Some(meta)) => {
            let mut all = vec![Value::Null; rows_before];
            all.push(Value::Object(meta));
            batch.meta = Some(all);
        }
        (None, None) => {}
    }
}

/// The Go kind of a JSON text, as `UnmarshalTypeError` names it.
fn go_kind(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        _ => "number",
    }
}

/// The fast path: one pass over `data` that parses float vectors straight into `f32`s and keeps every other value
/// as raw text. `None` when anything is unusual (a row that is not an object, a vector that is not a list of
/// numbers, ...): [`slow_rows`] then reads it again and words the error as Milvus does.
fn fast_rows<'a>(data: &'a str, spec: &CollectionSpec) -> Option<Vec<RawRow<'a>>> {
    use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
    let vectors: Vec<(&str, usize)> = spec
        .fields
        .iter()
        .filter(|f| f.data_type == DataType::FloatVector)
        .map(|f| (f.name.as_str(), dim_of(f)))
        .collect();
    #[derive(Clone, Copy)]
    struct RowSeed<'s>(&'s [(&'s str, usize)]);
    impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
        type Value = RawRow<'de>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for RowSeed<'_> {
        type Value = RawRow<'de>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut row = RawRow::default();
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if let Some(&(_, dim)) = self.0.iter().find(|(name, _)| *name == key) {
                    let floats = map.next_value_seed(Floats(dim))?;
                    row.floats.push((key, floats));
                } else {
                    row.members.push((key, map.next_value::<&'de RawValue>()?));
                }
            }
            Ok(row)
        }
    }
    /// A list of numbers as `f32`s, in a vector sized for the field's dimension (serde's `Vec` would grow it seven
    /// times for 128 dimensions).
    struct Floats(usize);
    impl<'de> DeserializeSeed<'de> for Floats {
        type Value = Vec<f32>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for Floats {
        type Value = Vec<f32>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of numbers")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut floats = Vec::with_capacity(self.0.min(1 << 16));
            while let Some(f) = seq.next_element()? {
                floats.push(f);
            }
            Ok(floats)
        }
    }
    struct RowsSeed<'s>(RowSeed<'s>);
    impl<'de> Visitor<'de> for RowsSeed<'_> {
        type Value = Vec<RawRow<'de>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(row) = seq.next_element_seed(self.0)? {
                rows.push(row);
            }
            Ok(rows)
        }
    }
    let mut de = serde_json::Deserializer::from_str(data);
    let rows = serde::Deserializer::deserialize_seq(&mut de, RowsSeed(RowSeed(&vectors))).ok()?;
    de.end().ok()?;
    Some(rows)
}

/// The slow path: every value as raw text, and Go's binding errors for a `data` or a row of the wrong type.
fn slow_rows(data: &str) -> Result<Vec<RawRow<'_>>, ConvertError> {
    let rows: Vec<&RawValue> = serde_json::from_str(data).map_err(|_| {
        ConvertError::Bind(format!(
            "json: cannot unmarshal {} into Go struct field CollectionDataReq.data of type []map[string]interface {{}}",
            go_kind(data)
        ))
    })?;
    rows.into_iter().map(split_row).collect()
}

/// A row's keys and raw values; `null` is Go's nil map (no keys), anything else but an object is a binding error.
fn split_row(raw: &RawValue) -> Result<RawRow<'_>, ConvertError> {
    let text = raw.get();
    if text == "null" {
        return Ok(RawRow::default());
    }
    if !text.starts_with('{') {
        return Err(ConvertError::Bind(format!(
            "json: cannot unmarshal {} into Go struct field CollectionDataReq.data of type map[string]interface {{}}",
            go_kind(text)
        )));
    }
    struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);
    impl<'de> Deserialize<'de> for Members<'de> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Members<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut members = Vec::new();
                    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                        members.push((key, map.next_value::<&'de RawValue>()?));
                    }
                    Ok(Members(members))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_str::<Members<'_>>(text)
        .map(|m| RawRow { members: m.0, floats: Vec::new() })
        .map_err(|e| ConvertError::Bind(format!("invalid character in row: {e}")))
}

/// The last value given for `key` (Go's map keeps the last duplicate).
fn lookup<'a>(row: &'a RawRow<'a>, key: &str) -> Option<&'a RawValue> {
    row.members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// A float vector the fast path already parsed (the last one given for `key`).
fn take_floats(row: &mut RawRow<'_>, key: &str) -> Option<Vec<f32>> {
    row.floats.iter_mut().rev().find(|(k, _)| k == key).map(|(_, v)| std::mem::take(v))
}

/// One row: its cells (one per schema field) pushed onto `cells`, which is empty; its dynamic object returned.
fn convert_row(
    row: &mut RawRow<'_>,
    row_number: usize,
    spec: &CollectionSpec,
    mode: Mode,
    cells: &mut Vec<Cell>,
) -> Result<Option<Map<String, Value>>, ConvertError> {
    for (position, field) in spec.fields.iter().enumerate() {
        if field.data_type == DataType::FloatVector
            && let Some(floats) = take_floats(row, &field.name)
        {
            cells.push(Cell::FloatVector(checked_dim(field, floats)?));
            continue;
        }
        let raw = lookup(row, &field.name);
        if field.primary_key && field.auto_id {
            match (mode, raw) {
                (Mode::Insert, Some(_)) => {
                    return Err(ConvertError::Data(format!(
                        "no need to pass pk field({}) when autoid==true in insert: invalid parameter",
                        field.name
                    )));
                }
                (Mode::Insert | Mode::Restore, None) => {
                    cells.push(Cell::Int(0));
                    continue;
                }
                (Mode::Upsert, None) => {
                    return Err(ConvertError::Data(format!("row {position} does not has field {}", field.name)));
                }
                (Mode::Upsert | Mode::Restore, Some(_)) => {}
            }
        }
        if field.function_output {
            cells.push(Cell::Null);
            continue;
        }
        cells.push(field_cell(field, raw, row_number)?);
    }
    dynamic_keys(row, spec)
}

/// The keys the schema lacks: the dynamic `$meta` object, or an error without dynamic fields.
fn dynamic_keys(row: &RawRow<'_>, spec: &CollectionSpec) -> Result<Option<Map<String, Value>>, ConvertError> {
    let mut meta: Option<Map<String, Value>> = None;
    for (key, raw) in &row.members {
        if spec.fields.iter().any(|f| f.name == *key) {
            continue;
        }
        if !spec.enable_dynamic_field {
            return Err(ConvertError::Data(
                "has pass more field without dynamic schema, please check it: invalid parameter".into(),
            ));
        }
        if key == "$meta" {
            return Err(ConvertError::Data(
                "use the invalid field name($meta) when enable dynamicField: invalid parameter".into(),
            ));
        }
        let value = json_value(raw.get());
        if !value.is_null() {
            meta.get_or_insert_with(Map::new).insert(key.to_string(), value);
        }
    }
    Ok(meta)
}

/// A value's JSON text as Go decodes it: serde for the usual text, Go's decoder where serde refuses it (a lone
/// surrogate in a string, which Go turns into U+FFFD instead of failing).
fn json_value(text: &str) -> Value {
    serde_json::from_str(text).ok().or_else(|| crate::go::json::scan(text.as_bytes()).ok()).unwrap_or(Value::Null)
}

/// gjson's `String()` of a value: a string's content, `""` for null, the raw text otherwise.
fn text_of(raw: &RawValue) -> Cow<'_, str> {
    let text = raw.get();
    if text.starts_with('"') {
        match json_value(text) {
            Value::String(s) => Cow::Owned(s),
            _ => Cow::Borrowed(text),
        }
    } else if text == "null" {
        Cow::Borrowed("")
    } else {
        Cow::Borrowed(text)
    }
}

/// The cell for one field of one row.
fn field_cell(field: &Field, raw: Option<&RawValue>, row_number: usize) -> Result<Cell, ConvertError> {
    let absent = raw.is_none_or(|r| r.get() == "null");
    if absent {
        if let Some(default) = &field.default_value {
            return Ok(default_cell(field, default));
        }
        if field.nullable {
            return Ok(Cell::Null);
        }
    }
    let text = raw.map(text_of).unwrap_or(Cow::Borrowed(""));
    let expected = field.data_type.as_str();
    let invalid = |go_error: String| {
        ConvertError::Data(format!("{go_error}: invalid parameter[expected={expected}][actual={text}]"))
    };
    match field.data_type {
        DataType::Bool => match &*text {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(Cell::Bool(true)),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(Cell::Bool(false)),
            _ => Err(invalid(format!("strconv.ParseBool: parsing {text:?}: invalid syntax"))),
        },
        DataType::Int8 => parse_int(&text, 8).map(Cell::Int).map_err(invalid),
        DataType::Int16 => parse_int(&text, 16).map(Cell::Int).map_err(invalid),
        DataType::Int32 => parse_int(&text, 32).map(Cell::Int).map_err(invalid),
        DataType::Int64 | DataType::Timestamptz => parse_int(&text, 64).map(Cell::Int).map_err(invalid),
        DataType::Float | DataType::Double => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Cell::Float)
            .ok_or_else(|| invalid(format!("strconv.ParseFloat: parsing {text:?}: invalid syntax"))),
        DataType::VarChar | DataType::String | DataType::Text => varchar_cell(field, text.into_owned(), row_number),
        DataType::Json => Ok(Cell::Json(json_cell(raw))),
        DataType::FloatVector => float_vector(field, raw).map(Cell::FloatVector),
        DataType::Float16Vector | DataType::BFloat16Vector | DataType::Int8Vector => packed_vector(field, raw),
        DataType::BinaryVector => binary_vector(field, raw),
        DataType::SparseFloatVector => sparse_vector(field, raw).map(Cell::Sparse),
        _ => Ok(Cell::Json(raw.map_or(Value::Null, |r| json_value(r.get())))),
    }
}

/// A field's `defaultValue` (as Go decoded it: numbers are float64) as a cell of the field's type.
fn default_cell(field: &Field, default: &Value) -> Cell {
    match (field.data_type, default) {
        (DataType::Bool, Value::Bool(b)) => Cell::Bool(*b),
        (DataType::Float | DataType::Double, v) => Cell::Float(v.as_f64().unwrap_or(0.0)),
        (DataType::VarChar | DataType::String | DataType::Text, Value::String(s)) => Cell::Str(s.clone()),
        (DataType::Json, v) => Cell::Json(v.clone()),
        (_, Value::Number(n)) => Cell::Int(n.as_f64().unwrap_or(0.0) as i64),
        (_, v) => Cell::Json(v.clone()),
    }
}

/// Go's `strconv.ParseInt(text, 10, bits)`, with its error text.
fn parse_int(text: &str, bits: u32) -> Result<i64, String> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.ParseInt: parsing {text:?}: invalid syntax"));
    }
    let max = (1i128 << (bits - 1)) - 1;
    match text.parse::<i128>() {
        Ok(v) if v <= max && v >= -max - 1 => Ok(v as i64),
        _ => Err(format!("strconv.ParseInt: parsing {text:?}: value out of range")),
    }
}

fn varchar_cell(field: &Field, text: String, row_number: usize) -> Result<Cell, ConvertError> {
    let max = field.params.iter().find(|(k, _)| k == "max_length").and_then(|(_, v)| v.parse::<usize>().ok());
    if let Some(max) = max.filter(|&m| text.len() > m) {
        return Err(ConvertError::Invalid(format!(
            "length of varchar field {} exceeds max length, row number: {row_number}, length: {}, max length: {max}: invalid parameter",
            field.name,
            text.len()
        )));
    }
    Ok(Cell::Str(text))
}

/// A JSON field's value: an object, array or scalar as given; a string holding JSON is read as that JSON.
fn json_cell(raw: Option<&RawValue>) -> Value {
    let value = raw.map_or(Value::Null, |r| json_value(r.get()));
    match value {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        v => v,
    }
}

/// `missing vector field: <f>: invalid parameter[expected=<Type>][actual=]`.
fn missing_vector(field: &Field) -> ConvertError {
    ConvertError::Data(format!(
        "missing vector field: {}: invalid parameter[expected={}][actual=]",
        field.name,
        field.data_type.as_str()
    ))
}

/// The raw text of a vector value, or the missing-vector error (absent, `null` or `""`).
fn vector_text<'a>(field: &Field, raw: Option<&'a RawValue>) -> Result<&'a str, ConvertError> {
    match raw.map(RawValue::get) {
        None | Some("null") | Some("\"\"") => Err(missing_vector(field)),
        Some(text) => Ok(text),
    }
}

/// Go's `json.Unmarshal` of a vector text into `[]<elem>`, with Go's type error.
fn numbers<T: for<'de> Deserialize<'de>>(field: &Field, text: &str, elem: &str) -> Result<Vec<T>, ConvertError> {
    serde_json::from_str::<Vec<T>>(text).map_err(|_| {
        let go_error = if text.starts_with('[') {
            let first_bad = serde_json::from_str::<Vec<Value>>(text)
                .ok()
                .and_then(|items| items.into_iter().find(|v| !v.is_number()))
                .map_or("number", |v| go_kind(&v.to_string()));
            format!("json: cannot unmarshal {first_bad} into Go value of type {elem}")
        } else {
            format!("json: cannot unmarshal {} into Go value of type []{elem}", go_kind(text))
        };
        ConvertError::Data(format!(
            "{go_error}: invalid parameter[expected={}][actual={text}]",
            field.data_type.as_str()
        ))
    })
}

fn float_vector(field: &Field, raw: Option<&RawValue>) -> Result<Vec<f32>, ConvertError> {
    let text = vector_text(field, raw)?;
    checked_dim(field, numbers(field, text, "float32")?)
}

/// A float vector of the field's dimension, or Milvus's size error.
fn checked_dim(field: &Field, floats: Vec<f32>) -> Result<Vec<f32>, ConvertError> {
    let dim = dim_of(field);
    if floats.len() != dim {
        return Err(ConvertError::Data(format!(
            "[]float32 size {} doesn't equal to vector dimension {dim} of FloatVector",
            floats.len()
        )));
    }
    Ok(floats)
}

/// `[]byte size <n> doesn't equal to vector dimension <d> of <Type>`.
fn byte_size_error(field: &Field, n: usize) -> ConvertError {
    ConvertError::Data(format!(
        "[]byte size {n} doesn't equal to vector dimension {} of {}",
        dim_of(field),
        field.data_type.as_str()
    ))
}

/// The bytes of a JSON string of base64 text.
fn base64_bytes(field: &Field, text: &str) -> Result<Vec<u8>, ConvertError> {
    use base64::Engine;
    let s: String = serde_json::from_str(text).unwrap_or_default();
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| ConvertError::Data(format!("{e}: invalid parameter[expected={}][actual={text}]", field.data_type)))
}

/// Float16, BFloat16 (a list of floats, or base64 bytes) and Int8 vectors (a list of integers).
fn packed_vector(field: &Field, raw: Option<&RawValue>) -> Result<Cell, ConvertError> {
    let text = vector_text(field, raw)?;
    let dim = dim_of(field);
    if field.data_type == DataType::Int8Vector {
        let ints: Vec<i8> = numbers(field, text, "int8")?;
        if ints.len() != dim {
            return Err(byte_size_error(field, ints.len()));
        }
        let floats = ints.iter().map(|&i| f32::from(i)).collect();
        return Ok(Cell::PackedVector(floats, ints.iter().map(|&i| i as u8).collect()));
    }
    let half = field.data_type == DataType::Float16Vector;
    let bytes: Vec<u8> = if text.starts_with('"') {
        base64_bytes(field, text)?
    } else {
        let floats: Vec<f32> = numbers(field, text, "float32")?;
        floats.iter().flat_map(|&f| if half { f32_to_f16(f) } else { f32_to_bf16(f) }.to_le_bytes()).collect()
    };
    if bytes.len() != dim * 2 {
        return Err(byte_size_error(field, bytes.len()));
    }
    let floats = bytes
        .chunks_exact(2)
        .map(|b| {
            let bits = u16::from_le_bytes([b[0], b[1]]);
            if half { f16_to_f32(bits) } else { f32::from_bits(u32::from(bits) << 16) }
        })
        .collect();
    Ok(Cell::PackedVector(floats, bytes))
}

/// A list of bytes, or their base64 text (as query answers render them, so a dump loads back).
fn binary_vector(field: &Field, raw: Option<&RawValue>) -> Result<Cell, ConvertError> {
    let text = vector_text(field, raw)?;
    let bytes: Vec<u8> =
        if text.starts_with('"') { base64_bytes(field, text)? } else { numbers(field, text, "uint8")? };
    if bytes.len() * 8 != dim_of(field) {
        return Err(byte_size_error(field, bytes.len()));
    }
    Ok(Cell::BinaryVector(bytes))
}

/// A sparse vector: `{"<index>": value, ...}` or `{"indices": [...], "values": [...]}`.
fn sparse_vector(field: &Field, raw: Option<&RawValue>) -> Result<super::SparseVector, ConvertError> {
    let text = vector_text(field, raw)?;
    let bad = || {
        ConvertError::Data(format!(
            "invalid sparse float vector: invalid parameter[expected=SparseFloatVector][actual={text}]"
        ))
    };
    let object: Map<String, Value> = serde_json::from_str(text).map_err(|_| bad())?;
    let pairs: Vec<(u32, f32)> = match (object.get("indices"), object.get("values")) {
        (Some(Value::Array(indices)), Some(Value::Array(values))) if indices.len() == values.len() => indices
            .iter()
            .zip(values)
            .map(|(i, v)| Some((u32::try_from(i.as_u64()?).ok()?, v.as_f64()? as f32)))
            .collect::<Option<_>>()
            .ok_or_else(bad)?,
        _ => object
            .iter()
            .map(|(k, v)| Some((k.parse::<u32>().ok()?, v.as_f64()? as f32)))
            .collect::<Option<_>>()
            .ok_or_else(bad)?,
    };
    let (indices, values): (Vec<u32>, Vec<f32>) = pairs.into_iter().unzip();
    Ok(super::SparseVector::new(indices, values))
}

/// IEEE half precision from single, rounding to nearest even.
fn f32_to_f16(f: f32) -> u16 {
    let bits = f.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let mantissa = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if mantissa != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = (mantissa | 0x80_0000) >> (1 - e);
        let round = (m >> 12) & 1 != 0 && (m & 0x1fff) != 0x1000 || (m >> 13) & 1 != 0 && (m & 0x1fff) == 0x1000;
        return sign | ((m >> 13) as u16 + round as u16);
    }
    let half = sign | ((e as u16) << 10) | (mantissa >> 13) as u16;
    let rest = mantissa & 0x1fff;
    if rest > 0x1000 || (rest == 0x1000 && half & 1 != 0) { half + 1 } else { half }
}

/// Single precision from IEEE half.
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let mantissa = u32::from(h & 0x3ff);
    let bits = match (exp, mantissa) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: normalise.
            let shift = m.leading_zeros() - 21;
            sign | ((113 - shift) << 23) | ((m << (shift + 1)) & 0x3ff) << 13
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// bfloat16 from single, rounding to nearest even.
fn f32_to_bf16(f: f32) -> u16 {
    let bits = f.to_bits();
    if f.is_nan() {
        return ((bits >> 16) | 0x40) as u16;
    }
    let round = 0x7fff + ((bits >> 16) & 1);
    (bits.wrapping_add(round) >> 16) as u16
}

/// The partition a partition-key value routes to (before `% partitions`): murmur3 (32-bit, seed 0) of an integer's
/// 8 little-endian bytes or of a string's bytes. Milvus hashes Int64 keys with murmur3 too
/// (`typeutil.Hash32Int64`) and VarChar keys with crc32 (`HashString2Uint32`); the mock uses one hash for both, so
/// which partition a string key lands in may differ from Milvus's (which rows a search sees does not).
pub fn route_hash(cell: &Cell) -> u32 {
    match cell {
        Cell::Int(i) => murmur3(&i.to_le_bytes()),
        Cell::Str(s) => murmur3(s.as_bytes()),
        _ => 0,
    }
}

fn murmur3(bytes: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h: u32 = 0;
    let mut chunks = bytes.chunks_exact(4);
    for chunk in &mut chunks {
        let k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, &b) in tail.iter().enumerate() {
            k |= u32::from(b) << (8 * i);
        }
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    }
    h ^= bytes.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dynamic: bool) -> CollectionSpec {
        let mut id = Field::new(100, "id", DataType::Int64);
        id.primary_key = true;
        let mut v = Field::new(101, "vector", DataType::FloatVector);
        v.params.push(("dim".into(), "2".into()));
        let mut age = Field::new(102, "age", DataType::Int32);
        age.nullable = true;
        CollectionSpec { enable_dynamic_field: dynamic, ..CollectionSpec::new("c", vec![id, v, age]) }
    }

    fn detail(data: &str, dynamic: bool) -> ConvertError {
        convert(data, &spec(dynamic), Mode::Insert, 1).unwrap_err()
    }

    #[test]
    fn rows_become_columns_with_nulls_and_dynamic_keys() {
        let data = r#"[{"id":1,"vector":[1,2],"age":30,"color":"red"},{"id":"2","vector":[3,4]}]"#;
        let c = convert(data, &spec(true), Mode::Insert, 1).unwrap();
        assert_eq!(c.keys, [Key::Int(1), Key::Int(2)]);
        let batch = &c.batches[0];
        assert_eq!(batch.columns[1].values, crate::rows::Values::FloatVector { dim: 2, data: vec![1., 2., 3., 4.] });
        assert_eq!(batch.columns[2].valid, Some(vec![true, false]));
        assert_eq!(batch.meta, Some(vec![serde_json::json!({"color": "red"}), Value::Null]));
    }

    #[test]
    fn conversion_errors_use_milvus_texts() {
        let e = |s: &str| ConvertError::Data(s.into());
        assert_eq!(detail("[]", false), e("missing required parameters"));
        assert_eq!(
            detail(r#"[{"id":1,"vector":[1,2,3]}]"#, false),
            e("[]float32 size 3 doesn't equal to vector dimension 2 of FloatVector")
        );
        assert_eq!(
            detail(r#"[{"id":1}]"#, false),
            e("missing vector field: vector: invalid parameter[expected=FloatVector][actual=]")
        );
        assert_eq!(
            detail(r#"[{"id":1.5,"vector":[1,2]}]"#, false),
            e(r#"strconv.ParseInt: parsing "1.5": invalid syntax: invalid parameter[expected=Int64][actual=1.5]"#)
        );
        assert_eq!(
            detail(r#"[{"id":1,"vector":[1,2],"x":1}]"#, false),
            e("has pass more field without dynamic schema, please check it: invalid parameter")
        );
        assert_eq!(
            detail(r#"[{"id":1,"vector":[1,2],"$meta":{}}]"#, true),
            e("use the invalid field name($meta) when enable dynamicField: invalid parameter")
        );
        assert_eq!(
            detail("[1]", false),
            ConvertError::Bind(
                "json: cannot unmarshal number into Go struct field CollectionDataReq.data of type map[string]interface {}"
                    .into()
            )
        );
    }

    #[test]
    fn half_precision_round_trips() {
        for f in [0.0f32, 1.0, -2.5, 0.333, 65504.0, 1e-6] {
            let back = f16_to_f32(f32_to_f16(f));
            assert!((back - f).abs() <= f.abs() * 1e-3 + 1e-7, "{f} -> {back}");
        }
        assert_eq!(f32::from_bits(u32::from(f32_to_bf16(1.5)) << 16), 1.5);
    }
}
