//! Everything Milvus does the Go way, in one place: clients see Go's texts and bytes, so the mock reproduces them.
//!
//! * [`json`]: Go's `encoding/json` decoder (syntax and type errors word for word, numbers kept as text, repeated and
//!   case-folded keys) and the struct reader `GoObject`.
//! * [`bind`]: gin's binding of a REST body into a request type (`MilvusRequest`), and its 1801/1802 failures
//!   ([`bind::BindError`]), which are not domain errors.
//! * [`encode`]: Go's `json.Marshal` output (sorted keys, HTML escapes, `float64` formatting).
//! * [`fmt`]: `fmt.Sprintf("%v")` and `strconv.ParseBool`, as Milvus applies them to request values.

pub mod bind;
pub mod encode;
pub mod fmt;
pub mod json;
