//! Go's `encoding/json` output: what every REST answer's bytes look like.

use serde::Serialize;
use serde_json::Value;

/// Serialises like Go's `json.Marshal` of a `gin.H`: serde_json's map is sorted, floats are written as Go writes
/// a `float64` (no `.0` on a whole number, `1e+21`), and the HTML-safe escapes are added. Outside strings JSON has
/// no `<`, `>`, `&` or U+2028/9, so replacing them everywhere is exact.
pub fn to_go_json(value: &Value) -> String {
    let mut bytes = Vec::with_capacity(128);
    let written = value.serialize(&mut serde_json::Serializer::with_formatter(&mut bytes, GoFloats));
    debug_assert!(written.is_ok(), "a Value always serialises");
    // serde_json writes UTF-8 only.
    let text = String::from_utf8(bytes).unwrap_or_default();
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// serde_json's compact output, but for floats: Go's `encoding/json` writes a `float64` as ES6 does, with no `.0`
/// on a whole number (`1000`, where serde_json writes `1000.0`) and exponent form below 1e-6 and from 1e21 on,
/// with a signed exponent (`1e+21`, `1e-7`), as `floatEncoder.encode` does.
struct GoFloats;

impl serde_json::ser::Formatter for GoFloats {
    fn write_f64<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: f64) -> std::io::Result<()> {
        writer.write_all(go_float(value).as_bytes())
    }
}

/// `strconv.AppendFloat(f, fmt, -1, 64)` with `encoding/json`'s choice of `fmt` and its exponent clean-up. Rust's
/// `{}` and `{:e}` give the same shortest digits as Go's `-1` precision.
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return format!("{f}");
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    // Go prints `e+21` and `e-07`, then shortens a negative one-digit exponent to `e-7`.
    match exp.strip_prefix('-') {
        Some(negative) => format!("{mantissa}e-{negative}"),
        None => format!("{mantissa}e+{exp:0>2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_are_written_as_go_writes_a_float64() {
        let cases: &[(f64, &str)] = &[
            (1000.0, "1000"),
            (1.5, "1.5"),
            (-0.0, "-0"),
            (0.0, "0"),
            (0.1, "0.1"),
            (1e-6, "0.000001"),
            (1.5e-7, "1.5e-7"),
            (1e-100, "1e-100"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (-1.2345e300, "-1.2345e+300"),
            (9007199254740993.0, "9007199254740992"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for &(f, go) in cases {
            assert_eq!(to_go_json(&json!(f)), go, "{f:e}");
        }
        assert_eq!(to_go_json(&json!({"a": [1.0, 2, 0.5]})), r#"{"a":[1,2,0.5]}"#);
    }
}
