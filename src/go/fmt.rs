//! Go's `fmt` and `strconv` as Milvus uses them on request values: `%v` of an `interface{}` (how property and
//! param values become strings) and `strconv.ParseBool`.

use serde_json::Value;

/// Go's `fmt.Sprintf("%v", x)` of a value decoded into `interface{}`: how Milvus turns property values into strings.
pub(crate) fn go_format(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => go_format_float(n.as_f64().unwrap_or(0.0)),
        Value::Array(items) => format!("[{}]", items.iter().map(go_format).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            // Go prints maps with sorted keys.
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys.iter().map(|k| format!("{k}:{}", go_format(&m[*k]))).collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// `%v` of a float64: Go's shortest `%g`, which switches to exponent form when the exponent is below -4 or at
/// least 6 (`1e+06`, `1e-05`).
fn go_format_float(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let sci = format!("{f:e}"); // e.g. "1.5e-5", "-1.234567e6"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) { format!("{f}") } else { go_exponent(mantissa, exp) }
}

fn go_exponent(mantissa: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_format_matches_fmt_v() {
        assert_eq!(go_format(&json!(true)), "true");
        assert_eq!(go_format(&json!(1)), "1");
        assert_eq!(go_format(&json!(1.5)), "1.5");
        assert_eq!(go_format(&json!(3600)), "3600");
        assert_eq!(go_format(&json!("x")), "x");
        assert_eq!(go_format(&json!(null)), "<nil>");
        assert_eq!(go_format(&json!(["a", 1])), "[a 1]");
        assert_eq!(go_format(&json!(1e21)), "1e+21");
        assert_eq!(go_format(&json!(0.00001)), "1e-05");
        assert_eq!(go_format(&json!(1000000)), "1e+06");
        assert_eq!(go_format(&json!(123456)), "123456");
    }
}
