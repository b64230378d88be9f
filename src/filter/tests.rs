//! Unit tests: each construct parsed and evaluated over small in-memory rows, error texts asserted whole.

use serde_json::{Value, json};

use super::*;
use crate::catalog::{DataType, Field};

/// A schema with one field of each kind the tests need, and the dynamic field.
pub(super) fn spec(dynamic: bool) -> CollectionSpec {
    let mut id = Field::new(100, "id", DataType::Int64);
    id.primary_key = true;
    let mut age = Field::new(102, "age", DataType::Int32);
    age.nullable = true;
    let mut tags = Field::new(105, "tags", DataType::Array);
    tags.element_type = Some(DataType::VarChar);
    let mut nums = Field::new(106, "nums", DataType::Array);
    nums.element_type = Some(DataType::Int64);
    CollectionSpec {
        enable_dynamic_field: dynamic,
        ..CollectionSpec::new(
            "c",
            vec![
                id,
                Field::new(101, "name", DataType::VarChar),
                age,
                Field::new(103, "score", DataType::Double),
                Field::new(104, "meta", DataType::Json),
                tags,
                nums,
                Field::new(107, "flag", DataType::Bool),
                Field::new(108, "vector", DataType::FloatVector),
            ],
        )
    }
}

/// A row of [`spec`], its cells as JSON values in field order (null = a null cell), plus `$meta`.
pub(super) struct Row {
    pub cells: Vec<Value>,
    pub meta: Option<Value>,
}

impl RowValues for Row {
    fn value(&self, field: usize) -> Cell<'_> {
        match (field, &self.cells[field]) {
            (_, Value::Null) => Cell::Null,
            (4..=6, v) => Cell::Json(v),
            (8, _) => Cell::Vector,
            (_, Value::Bool(b)) => Cell::Bool(*b),
            (_, Value::String(s)) => Cell::Str(s),
            (_, Value::Number(n)) if n.is_i64() => Cell::Int(n.as_i64().unwrap_or_default()),
            (_, Value::Number(n)) => Cell::Float(n.as_f64().unwrap_or_default()),
            (_, v) => Cell::Json(v),
        }
    }

    fn meta(&self) -> Option<&Value> {
        self.meta.as_ref()
    }
}

fn rows() -> Vec<Row> {
    let row = |id: i64,
               name: &str,
               age: Value,
               score: f64,
               meta: Value,
               tags: Value,
               nums: Value,
               flag: bool,
               dynamic: Value| Row {
        cells: vec![json!(id), json!(name), age, json!(score), meta, tags, nums, json!(flag), json!([0.0])],
        meta: Some(dynamic),
    };
    vec![
        row(
            1,
            "apple",
            json!(30),
            1.5,
            json!({"a": 1, "b": {"c": "x"}, "arr": [1, 2, 3]}),
            json!(["red", "green"]),
            json!([1, 2]),
            true,
            json!({"color": "red", "n": 1}),
        ),
        row(
            2,
            "banana",
            Value::Null,
            2.5,
            json!({"a": 2.5, "arr": ["x"]}),
            json!(["yellow"]),
            json!([3]),
            false,
            json!({"color": "blue"}),
        ),
        row(3, "cherry", json!(10), 0.0, Value::Null, json!([]), json!([]), true, json!({})),
        row(4, "a%b", json!(40), -1.0, json!({"a": "1"}), json!(["red"]), json!([4, 5, 6]), false, json!({"n": 2.0})),
    ]
}

/// The ids of the rows the filter keeps.
fn ids(expr: &str) -> Vec<i64> {
    ids_with(expr, None, true)
}

fn ids_with(expr: &str, params: Option<&Map<String, Value>>, dynamic: bool) -> Vec<i64> {
    let filter = compile(expr, params, &spec(dynamic)).unwrap_or_else(|e| panic!("{expr}: {}", e.message));
    rows().iter().filter(|r| filter.matches(*r)).map(|r| r.cells[0].as_i64().unwrap_or_default()).collect()
}

fn error(expr: &str) -> String {
    error_with(expr, None, false)
}

fn error_with(expr: &str, params: Option<&Map<String, Value>>, dynamic: bool) -> String {
    let err = compile(expr, params, &spec(dynamic)).expect_err(expr);
    assert_eq!(err.code, 1100);
    err.message
}

fn parse_error(expr: &str, detail: &str) -> String {
    format!("failed to create query plan: cannot parse expression: {expr}, error: {detail}: invalid parameter")
}

#[test]
fn the_empty_expression_matches_every_row() {
    assert_eq!(ids(""), [1, 2, 3, 4]);
    assert_eq!(ids("   "), [1, 2, 3, 4]);
}

#[test]
fn comparisons_on_numbers_and_strings() {
    assert_eq!(ids("id == 2"), [2]);
    assert_eq!(ids("id != 2"), [1, 3, 4]);
    assert_eq!(ids("id < 3"), [1, 2]);
    assert_eq!(ids("id <= 3"), [1, 2, 3]);
    assert_eq!(ids("id > 3"), [4]);
    assert_eq!(ids("id >= 3"), [3, 4]);
    assert_eq!(ids("3 > id"), [1, 2]);
    assert_eq!(ids(r#"name == "banana""#), [2]);
    assert_eq!(ids("name == 'banana'"), [2]);
    assert_eq!(ids(r#"name > "b""#), [2, 3]);
    assert_eq!(ids("score >= 1"), [1, 2]);
    assert_eq!(ids("score < 0.5"), [3, 4]);
    assert_eq!(ids("flag == True"), [1, 3]);
    assert_eq!(ids("flag != TRUE"), [2, 4]);
    assert_eq!(ids("id == -1 + 3"), [2]);
    assert_eq!(ids("id == 0x2"), [2]);
}

#[test]
fn chained_ranges_in_both_directions() {
    assert_eq!(ids("1 < id < 4"), [2, 3]);
    assert_eq!(ids("1 <= id <= 2"), [1, 2]);
    assert_eq!(ids("4 > id >= 2"), [2, 3]);
    assert_eq!(ids(r#""a" < name < "c""#), [1, 2, 4]);
    assert_eq!(ids(r#""b" < name < "c""#), [2]);
    assert_eq!(error("3 < id < 1"), parse_error("3 < id < 1", "invalid range: lowerbound is greater than upperbound"));
    assert_eq!(error("1 < id < 1"), parse_error("1 < id < 1", "invalid range: lowerbound is greater than upperbound"));
    assert_eq!(ids("1 <= id <= 1"), [1]);
}

#[test]
fn in_and_not_in() {
    assert_eq!(ids("id in [1, 3, 5]"), [1, 3]);
    assert_eq!(ids("id not in [1, 3]"), [2, 4]);
    assert_eq!(ids("id in []"), Vec::<i64>::new());
    assert_eq!(ids(r#"name in ["apple", 'cherry',]"#), [1, 3]);
    assert_eq!(ids("score in [1, 2.5]"), [2]);
}

#[test]
fn logic_words_and_symbols_with_parentheses() {
    assert_eq!(ids("id == 1 or id == 2 and flag == true"), [1]);
    assert_eq!(ids("(id == 1 or id == 2) and flag == false"), [2]);
    assert_eq!(ids("id == 1 || id == 4 && score < 0"), [1, 4]);
    assert_eq!(ids("not (id == 1)"), [2, 3, 4]);
    assert_eq!(ids("!(id in [1, 2])"), [3, 4]);
    assert_eq!(ids("NOT (id > 1) OR id == 4"), [1, 4]);
}

#[test]
fn like_prefix_infix_suffix_and_wildcards() {
    assert_eq!(ids(r#"name like "b%""#), [2]);
    assert_eq!(ids(r#"name like "%rry""#), [3]);
    assert_eq!(ids(r#"name like "%an%""#), [2]);
    assert_eq!(ids(r#"name LIKE "_pple""#), [1]);
    assert_eq!(ids(r#"name like "a\\%%""#), [4]);
    assert_eq!(ids(r#"meta["b"]["c"] like "x%""#), [1]);
    assert_eq!(ids(r#"color like "r%""#), [1]);
    assert_eq!(ids(r#"tags[0] like "re%""#), [1, 4]);
}

#[test]
fn null_cells_are_unknown_and_never_match() {
    assert_eq!(ids("age > 0"), [1, 3, 4]);
    assert_eq!(ids("not (age > 20)"), [3]);
    assert_eq!(ids("age is null"), [2]);
    assert_eq!(ids("age IS NOT NULL"), [1, 3, 4]);
    assert_eq!(ids("age > 20 or id == 2"), [1, 2, 4]);
    assert_eq!(ids("meta is null"), [3]);
}

#[test]
fn json_paths_and_missing_keys() {
    assert_eq!(ids(r#"meta["a"] == 1"#), [1]);
    assert_eq!(ids(r#"meta["a"] > 1"#), [2]);
    assert_eq!(ids(r#"meta['a'] == "1""#), [4]);
    assert_eq!(ids(r#"meta["b"]["c"] == "x""#), [1]);
    assert_eq!(ids(r#"meta["arr"][0] == 1"#), [1]);
    // A missing key compares false, except `!=`, which is true (segcore's JSON not-equal).
    assert_eq!(ids(r#"meta["zz"] == 1"#), Vec::<i64>::new());
    assert_eq!(ids(r#"meta["a"] != 1"#), [2, 4]);
    assert_eq!(ids(r#"meta["a"] is null"#), [3]);
    assert_eq!(ids(r#"meta["a"] is not null"#), [1, 2, 4]);
    assert_eq!(ids(r#"exists meta["b"]"#), [1]);
}

#[test]
fn dynamic_keys_read_meta() {
    assert_eq!(ids(r#"color == "red""#), [1]);
    assert_eq!(ids(r#"color != "red""#), [2, 3, 4]);
    assert_eq!(ids("n == 2"), [4]);
    assert_eq!(ids(r#"$meta["color"] == "blue""#), [2]);
    assert_eq!(ids(r#"color["x"] == 1"#), Vec::<i64>::new());
}

#[test]
fn template_values_come_from_expr_params() {
    let params = json!({"ids": [2, 4], "low": 2, "name": "cherry", "pattern": [1]});
    let params = params.as_object();
    assert_eq!(ids_with("id in {ids}", params, true), [2, 4]);
    assert_eq!(ids_with("id > {low}", params, true), [3, 4]);
    assert_eq!(ids_with("name == {name}", params, true), [3]);
    assert_eq!(ids_with("{low} <= id <= 3", params, true), [2, 3]);
    // Go reads JSON numbers as float64: an integral 2.0 is the integer 2, and 2^53 + 1 loses its last digit.
    let go_numbers = json!({"two": 2.0, "big": [9_007_199_254_740_993_i64]});
    assert_eq!(ids_with("id == {two}", go_numbers.as_object(), true), [2]);
    let filter = compile("id in {big}", go_numbers.as_object(), &spec(true)).unwrap();
    assert_eq!(filter.primary_keys(), Some(&[Key::Int(9_007_199_254_740_992)][..]));
    assert_eq!(
        error_with("id in {missing}", params, true),
        "failed to create query plan: the value of expression template variable name {missing} is not found: invalid parameter"
    );
    assert_eq!(
        error_with("id in {low}", params, true),
        "failed to create query plan: the value of term expression template variable {low} is not array: invalid parameter"
    );
    assert_eq!(
        error_with("id < {name}", params, true),
        "failed to create query plan: cannot cast value to Int64, value: string_val:\"cherry\": invalid parameter"
    );
    assert_eq!(
        error_with("{low} < id < {high}", params, true),
        "failed to create query plan: the upper value of expression template variable name {high} is not found: invalid parameter"
    );
    assert_eq!(
        error_with("{low} == {low}", params, true),
        parse_error("{low} == {low}", "placeholder was not supported between two constants with operator: ==")
    );
}

#[test]
fn arithmetic_on_a_column_and_a_constant() {
    assert_eq!(ids("id + 1 == 3"), [2]);
    assert_eq!(ids("id * 2 > 5"), [3, 4]);
    assert_eq!(ids("2 * id == 8"), [4]);
    assert_eq!(ids("id % 2 == 0"), [2, 4]);
    assert_eq!(ids("id - 1 != 0"), [2, 3, 4]);
    assert_eq!(ids("score / 2 < 0"), [4]);
    assert_eq!(ids(r#"meta["a"] + 1 == 2"#), [1]);
    assert_eq!(ids("n % 2 == 1"), [1]);
    assert_eq!(error("id / 0 == 1"), parse_error("id / 0 == 1", "division or modulus by zero"));
    assert_eq!(ids("id == 7 / 2 - 1"), [2]);
    assert_eq!(ids("score == 2 ** -1"), Vec::<i64>::new());
    assert_eq!(ids("score == 5 / 2.0"), [2]);
    assert_eq!(error("id == 1 / 0"), parse_error("id == 1 / 0", "cannot divide by zero"));
    assert_eq!(error("id == 1 % 0"), parse_error("id == 1 % 0", "cannot modulo by zero"));
    assert_eq!(error("id == 1.5 % 1"), parse_error("id == 1.5 % 1", "modulo can only apply on integer"));
    assert_eq!(error("id == \"a\" / 1"), parse_error("id == \"a\" / 1", "divide cannot apply on string field"));
    assert_eq!(error("score % 2 == 1"), parse_error("score % 2 == 1", "modulo can only apply on integer types"));
    assert_eq!(error("2 - id == 1"), parse_error("2 - id == 1", "module field is not yet supported"));
}

#[test]
fn array_and_json_functions() {
    assert_eq!(ids(r#"array_contains(tags, "red")"#), [1, 4]);
    assert_eq!(ids(r#"array_contains_all(tags, ["red", "green"])"#), [1]);
    assert_eq!(ids(r#"ARRAY_CONTAINS_ANY(tags, ["yellow", "green"])"#), [1, 2]);
    assert_eq!(ids(r#"json_contains(meta["arr"], 2)"#), [1]);
    assert_eq!(ids(r#"json_contains_any(meta["arr"], ["x", 3])"#), [1, 2]);
    assert_eq!(ids(r#"json_contains_all(meta["arr"], [1, 3])"#), [1]);
    assert_eq!(ids("array_length(nums) == 3"), [4]);
    assert_eq!(ids("array_length(nums) > 0"), [1, 2, 4]);
    assert_eq!(ids(r#"array_length(meta["arr"]) == 1"#), [2]);
    assert_eq!(ids("nums[1] == 2"), [1]);
    assert_eq!(ids("nums == [3]"), [2]);
    assert_eq!(
        error(r#"array_contains(nums, "x")"#),
        parse_error(r#"array_contains(nums, "x")"#, "cannot cast value to Int64, value: string_val:\"x\"")
    );
    assert_eq!(
        error("array_contains_all(nums, 1)"),
        parse_error("array_contains_all(nums, 1)", "ContainsAll operation element must be an array")
    );
    assert_eq!(
        error("json_contains(name, 1)"),
        parse_error(
            "json_contains(name, 1)",
            "contains operation are only supported on json or array fields now, got: name"
        )
    );
}

#[test]
fn float_fields_compare_with_the_constant_rounded_to_f32() {
    let mut spec = spec(false);
    spec.fields[3].data_type = DataType::Float;
    let stored = Row { cells: vec![json!(1), json!(""), json!(1), json!(f64::from(1.1f32))], meta: None };
    for expr in ["score == 1.1", "score in [1.1]", "1.0 < score <= 1.1"] {
        assert!(compile(expr, None, &spec).unwrap().matches(&stored), "{expr}");
    }
}

#[test]
fn text_match_needs_enable_match_and_matches_any_word() {
    let mut spec = spec(false);
    spec.fields[1].params.push(("enable_match".into(), "true".into()));
    let matching = |expr: &str| {
        let filter = compile(expr, None, &spec).unwrap_or_else(|e| panic!("{}", e.message));
        rows()
            .iter()
            .filter(|r| filter.matches(*r))
            .map(|r| r.cells[0].as_i64().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(matching(r#"text_match(name, "Cherry pie")"#), [3]);
    assert_eq!(matching(r#"TEXT_MATCH(name, 'kiwi banana')"#), [2]);
    assert_eq!(matching(r#"text_match(name, "a")"#), [4]);
    assert_eq!(matching(r#"text_match(name, "a b c", minimum_should_match=2)"#), [4]);
    assert_eq!(matching(r#"text_match(name, "a b c", minimum_should_match=3)"#), Vec::<i64>::new());
    let zero = r#"text_match(name, "a", minimum_should_match=0)"#;
    let err = compile(zero, None, &spec).unwrap_err().message;
    assert_eq!(err, parse_error(zero, "minimum_should_match should be >= 1, got 0"));
    assert_eq!(
        error(r#"text_match(name, "x")"#),
        parse_error(r#"text_match(name, "x")"#, "field \"name\" does not enable match")
    );
    assert_eq!(
        error(r#"text_match(id, "x")"#),
        parse_error(r#"text_match(id, "x")"#, "text match operation on non-string is unsupported")
    );
}

#[test]
fn phrase_match_keeps_order_within_the_slop() {
    let mut spec = spec(false);
    spec.fields[1].params.push(("enable_match".into(), "true".into()));
    let texts = ["the quick brown fox", "quick the fox", "Quick, brown; FOX!", "fox"];
    let row = |text: &str| Row { cells: vec![json!(1), json!(text)], meta: None };
    let matching = |expr: &str| {
        let filter = compile(expr, None, &spec).unwrap_or_else(|e| panic!("{}", e.message));
        texts.iter().filter(|t| filter.matches(&row(t))).copied().collect::<Vec<_>>()
    };
    assert_eq!(matching(r#"phrase_match(name, "quick brown")"#), ["the quick brown fox", "Quick, brown; FOX!"]);
    assert_eq!(matching(r#"phrase_match(name, "quick fox")"#), Vec::<&str>::new());
    assert_eq!(matching(r#"phrase_match(name, "fox quick", 5)"#), Vec::<&str>::new());
    assert_eq!(matching(r#"phrase_match(name, "quick fox", 1)"#), texts[..3].to_vec());
    let negative = r#"phrase_match(name, "a", -1)"#;
    let err = compile(negative, None, &spec).unwrap_err().message;
    assert_eq!(err, parse_error(negative, "\"slop\" should not be a negative interger. \"slop\" passed: -1"));
}

#[test]
fn two_columns_compare() {
    assert_eq!(ids("id < age"), [1, 3, 4]);
    assert_eq!(ids("score > id"), [1, 2]);
}

#[test]
fn primary_keys_are_reported_for_pk_lookups_only() {
    let spec = spec(false);
    let keys = |expr: &str| compile(expr, None, &spec).unwrap().primary_keys().map(<[Key]>::to_vec);
    assert_eq!(keys("id in [3, 1, 3]"), Some(vec![Key::Int(1), Key::Int(3)]));
    assert_eq!(keys("id == 7"), Some(vec![Key::Int(7)]));
    assert_eq!(keys("id > 7"), None);
    assert_eq!(keys("id in [1] and flag == true"), None);
    assert_eq!(keys("age in [1]"), None);
}

#[test]
fn unknown_fields_and_type_errors_carry_milvus_texts() {
    assert_eq!(error("size > 1"), parse_error("size > 1", "field size not exist"));
    assert_eq!(
        error(r#"id == "a""#),
        parse_error(r#"id == "a""#, "comparisons between Int64 and VarChar are not supported")
    );
    assert_eq!(error("id == 1.5"), parse_error("id == 1.5", "cannot cast value to Int64, value: float_val:1.5"));
    assert_eq!(error("name > 1"), parse_error("name > 1", "comparisons between VarChar and Int64 are not supported"));
    assert_eq!(error("tags > 1"), parse_error("tags > 1", "can not comparisons array fields directly"));
    assert_eq!(
        error("id like \"a%\""),
        parse_error("id like \"a%\"", "like operation on non-string or no-json field is unsupported")
    );
    assert_eq!(
        error("id in [1, \"a\"]"),
        parse_error("id in [1, \"a\"]", "value 'string_val:\"a\"' in list cannot be casted to Int64")
    );
    assert_eq!(error("id in 1"), parse_error("id in 1", "the right-hand side of 'in' must be a list, but got: 1"));
    assert_eq!(
        error("1 in [1]"),
        parse_error("1 in [1]", "'term' can only be used on non-const expression, but got: 1")
    );
    assert_eq!(
        error("id > 1 and 2"),
        parse_error("id > 1 and 2", "'and' can only be used between boolean expressions")
    );
    assert_eq!(error("not id"), parse_error("not id", "not op can only be applied on boolean expression"));
    assert_eq!(
        error(r#"name["a"] == 1"#),
        parse_error(r#"name["a"] == 1"#, "VarChar data type not supported accessed with []")
    );
    assert_eq!(
        error(r#"tags["a"] == 1"#),
        parse_error(r#"tags["a"] == 1"#, "can only access array field with integer index")
    );
    assert_eq!(
        error("vector > 1"),
        parse_error("vector > 1", "comparisons between FloatVector and Int64 are not supported")
    );
    assert_eq!(error("id << 1"), parse_error("id << 1", "shift is not supported: id<<1"));
    assert_eq!(
        error(r#"random_sample(0.5)"#),
        parse_error(r#"random_sample(0.5)"#, "function random_sample is not supported by milvus-mock")
    );
    assert_eq!(
        error("flag"),
        "failed to create query plan: predicate is not a boolean expression: flag, data type: Bool: invalid parameter"
    );
    assert_eq!(
        error("id"),
        "failed to create query plan: predicate is not a boolean expression: id, data type: Int64: invalid parameter"
    );
}

#[test]
fn syntax_errors_carry_antlr_style_positions() {
    assert_eq!(error("id == 1 id"), parse_error("id == 1 id", "invalid expression: id == 1 id"));
    assert_eq!(error("id = 1"), parse_error("id = 1", "invalid expression: id = 1"));
    assert_eq!(error("(id == 1"), parse_error("(id == 1", "line 1:8 missing ')' at '<EOF>'"));
    assert_eq!(error("id == "), parse_error("id == ", "line 1:6 no viable alternative at input '<EOF>'"));
    assert_eq!(error("id == #"), parse_error("id == #", "line 1:6 token recognition error at: '#'"));
    assert_eq!(
        error("name like {p}"),
        parse_error("name like {p}", "line 1:10 mismatched input '{' expecting StringLiteral")
    );
}

#[test]
fn delete_words_the_same_error_with_its_own_prefix() {
    let err = compile("size > 1", None, &spec(false)).unwrap_err().for_delete();
    assert_eq!(
        err.message,
        "failed to create delete plan: cannot parse expression: size > 1, error: field size not exist: invalid parameter"
    );
}

#[test]
fn string_escapes_follow_go() {
    assert_eq!(ids(r#"name == "ban\x61na""#), [2]);
    assert_eq!(ids(r#"name == 'ban\u0061na'"#), [2]);
    assert_eq!(error(r#"name == "a\qb""#), parse_error(r#"name == "a\qb""#, "invalid syntax"));
}

/// Runs `f` on a thread with the 2 MiB stack of a tokio worker, where the filter is compiled in the server.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap();
}

#[test]
fn long_and_or_chains_cost_no_depth() {
    on_small_stack(|| {
        let chain: Vec<String> = (0..20_000).map(|i| format!("id == {i}")).collect();
        assert_eq!(ids(&chain.join(" or ")), [1, 2, 3, 4]);
        assert_eq!(ids(&chain.join(" && ")), Vec::<i64>::new());
    });
}

#[test]
fn the_tallest_accepted_trees_fit_a_worker_stack_and_taller_ones_are_refused() {
    on_small_stack(|| {
        let tall = |unit: &str, n: usize, core: &str| format!("{}{core}{}", unit.repeat(n), ")".repeat(n));
        assert_eq!(ids(&tall("(", 290, "id == 1")), [1]);
        assert_eq!(ids(&tall("not (", 147, "id == 1")), [2, 3, 4]);
        let sum = format!("id{} == 148", " + 1".repeat(147));
        assert_eq!(error(&sum), parse_error(&sum, "complicated arithmetic operations are not supported"));
        for deep in
            [tall("not (", 1000, "id == 1"), tall("(", 1000, "id == 1"), format!("id{} == 1", " + 1".repeat(200))]
        {
            assert!(error(&deep).contains("expression nesting depth exceeds 150"), "{deep}");
        }
    });
}
