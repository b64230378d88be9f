//! Type checking: the tree becomes a [`Pred`], with the checks and error texts of Milvus's `ParserVisitor`
//! (`internal/parser/planparserv2/parser_visitor.go`, `utils.go`).
//!
//! Each `visit` answers what Milvus's visitor answers for the node (`ExprWithType`): a constant, a column, an
//! arithmetic expression over a column, or an executable boolean predicate. The checks run in Milvus's order, so
//! the first error is the one Milvus reports. Template values (`{name}`) are filled from the request's
//! `exprParams`; as in Milvus (`FillExpressionValue`, after parsing), a missing or ill-typed value is reported
//! only when the rest of the expression is valid, and without the `cannot parse expression` prefix.

use serde_json::{Map, Value};

use super::eval::{ArithOp, CmpOp, Col, ContainsMode, Lit, Pattern, Pred, Source, TermSet};
use super::lexer::{Tok, Token};
use super::parser::{Ast, Node, text};
use crate::catalog::{CollectionSpec, DataType};

/// A column with what the checks need to know about it (`planpb.ColumnInfo`).
#[derive(Debug, Clone)]
pub(crate) struct ColInfo {
    pub col: Col,
    pub data_type: DataType,
    pub element_type: DataType,
}

/// `BinaryArithExpr`: both sides as typed, and the result type.
#[derive(Debug, Clone)]
struct ArithExpr {
    left: Typed,
    right: Typed,
    op: ArithOp,
    data_type: DataType,
}

/// What a node stands for (`ExprWithType`).
#[derive(Debug, Clone)]
enum Typed {
    /// A constant; `template` names the `{placeholder}` it came from.
    Value {
        lit: Lit,
        template: Option<String>,
    },
    Column(ColInfo),
    Arith(Box<ArithExpr>),
    ArrayLength(ColInfo),
    Pred(Pred),
}

fn lit_type(lit: &Lit) -> DataType {
    match lit {
        Lit::Bool(_) => DataType::Bool,
        Lit::Int(_) => DataType::Int64,
        Lit::Float(_) => DataType::Double,
        Lit::Str(_) => DataType::VarChar,
        Lit::Array(_) => DataType::Array,
    }
}

/// The element type of an array literal: the common type, `None` when mixed or empty.
fn array_element_type(items: &[Lit]) -> DataType {
    let mut types = items.iter().map(lit_type);
    let first = types.next().unwrap_or(DataType::None);
    if types.all(|t| t == first) { first } else { DataType::None }
}

impl Typed {
    fn data_type(&self) -> DataType {
        match self {
            Typed::Value { lit, .. } => lit_type(lit),
            Typed::Column(c) => c.data_type,
            Typed::Arith(a) => a.data_type,
            Typed::ArrayLength(_) => DataType::Int64,
            Typed::Pred(_) => DataType::Bool,
        }
    }

    /// `getArrayElementType`.
    fn element_type(&self) -> DataType {
        match self {
            Typed::Column(c) => c.element_type,
            Typed::Value { lit: Lit::Array(items), .. } => array_element_type(items),
            _ => DataType::None,
        }
    }

    fn column(&self) -> Option<&ColInfo> {
        match self {
            Typed::Column(c) => Some(c),
            _ => None,
        }
    }

    /// `getGenericValue`: a constant that is not a template.
    fn generic_value(&self) -> Option<&Lit> {
        match self {
            Typed::Value { lit, template: None } => Some(lit),
            _ => None,
        }
    }

    /// `getValueExpr`: any constant, template or not.
    fn is_value(&self) -> bool {
        matches!(self, Typed::Value { .. })
    }

    fn is_template(&self) -> bool {
        match self {
            Typed::Value { template, .. } => template.is_some(),
            Typed::Arith(a) => a.left.is_template() || a.right.is_template(),
            _ => false,
        }
    }

    /// `getDataType`, as error messages print it.
    fn type_name(&self) -> String {
        let data_type = self.data_type();
        if data_type == DataType::Array { format!("Array[{}]", self.element_type()) } else { data_type.to_string() }
    }
}

/// The checker's state: the tokens (for texts), the schema, the template values and the first fill error.
pub(crate) struct Checker<'a, 's> {
    pub tokens: &'a [Token<'s>],
    pub spec: &'a CollectionSpec,
    pub params: Option<&'a Map<String, Value>>,
    /// The first template error, reported after the whole expression checked out (`FillExpressionValue`).
    pub fill_error: Option<String>,
}

type Check<T> = Result<T, String>;

impl Checker<'_, '_> {
    /// The predicate of the whole expression, or the error Milvus reports for it (without the outer wrapping).
    pub(crate) fn check_root(&mut self, node: &Node, expr: &str) -> Result<Pred, RootError> {
        let typed = self.visit(node).map_err(RootError::Visit)?;
        match typed {
            Typed::Pred(pred) => Ok(pred),
            other => Err(RootError::NotBoolean(format!(
                "predicate is not a boolean expression: {expr}, data type: {}",
                other.data_type()
            ))),
        }
    }

    fn text(&self, node: &Node) -> String {
        text(self.tokens, node)
    }

    fn fill_failed(&mut self, message: String) {
        self.fill_error.get_or_insert(message);
    }

    fn visit(&mut self, node: &Node) -> Check<Typed> {
        let value = |lit| Ok(Typed::Value { lit, template: None });
        match &node.ast {
            Ast::Int(t) => value(Lit::Int(parse_int(self.tokens[*t].text)?)),
            Ast::Float(t) => value(Lit::Float(parse_float(self.tokens[*t].text)?)),
            Ast::Bool(t) => value(Lit::Bool(self.tokens[*t].text.eq_ignore_ascii_case("true"))),
            Ast::Str(t) => value(Lit::Str(unquote(self.tokens[*t].text)?)),
            Ast::Ident(t) => self.field(self.tokens[*t].text).map(Typed::Column),
            Ast::JsonIdent(t) => self.json_identifier(self.tokens[*t].text).map(Typed::Column),
            Ast::Template(t) => Ok(self.template(self.tokens[*t].text)),
            Ast::Array(items) => self.array(items),
            Ast::EmptyArray => value(Lit::Array(Vec::new())),
            Ast::Exists(inner) => self.exists(inner),
            Ast::Like(inner, pattern) => self.like(inner, *pattern),
            Ast::Unary(op, inner) => self.unary(*op, inner),
            Ast::Binary(op, left, right) => self.binary(node, *op, left, right),
            Ast::Logical(op, operands) => self.logical_chain(*op, operands),
            Ast::Term { not, column, list } => self.term(*not, column, list),
            Ast::Contains(kind, column, element) => self.contains(*kind, column, element),
            Ast::ArrayLength(t) => self.array_length(node, *t),
            Ast::Range { lower, op1, column, op2, upper, ascending } => {
                self.range(lower, *op1, *column, *op2, upper, *ascending)
            }
            Ast::IsNull { column, not } => self.is_null(*column, *not),
            Ast::TextMatch { column, query, minimum } => self.text_match(*column, *query, *minimum),
            Ast::PhraseMatch { column, query, slop } => self.phrase_match(*column, *query, slop.as_deref()),
            Ast::Call(name) => {
                Err(format!("function {} is not supported by milvus-mock", self.tokens[*name].text.to_lowercase()))
            }
        }
    }

    /// `translateIdentifier` / `GetFieldFromNameDefaultJSON`: a schema field, else the dynamic field with the name
    /// as its key.
    fn field(&self, name: &str) -> Check<ColInfo> {
        if let Some((i, field)) = self.spec.fields.iter().enumerate().find(|(_, f)| f.name == name) {
            if field.data_type == DataType::Text {
                return Err(format!("filter on text field ({name}) is not supported yet"));
            }
            let col = Col { source: Source::Field(i), path: Vec::new() };
            return Ok(ColInfo {
                col,
                data_type: field.data_type,
                element_type: field.element_type.unwrap_or(DataType::None),
            });
        }
        if !self.spec.enable_dynamic_field {
            return Err(format!("field {name} not exist"));
        }
        let path = if name == "$meta" { Vec::new() } else { vec![name.to_string()] };
        Ok(ColInfo { col: Col { source: Source::Meta, path }, data_type: DataType::Json, element_type: DataType::None })
    }

    /// `getColumnInfoFromJSONIdentifier`: `name["key"][0]...`, split as Milvus splits it.
    fn json_identifier(&self, identifier: &str) -> Check<ColInfo> {
        let field_name = identifier.split('[').next().unwrap_or_default();
        let mut info = self.field(field_name)?;
        if !matches!(info.data_type, DataType::Json | DataType::Array) {
            return Err(format!("{} data type not supported accessed with []", info.data_type));
        }
        for segment in identifier[field_name.len()..].split("][") {
            let key = segment.trim_matches(['[', ']']);
            let invalid = || format!("invalid identifier: {identifier}");
            if key.is_empty() {
                return Err(invalid());
            }
            let quoted = key.len() >= 2
                && ((key.starts_with('"') && key.ends_with('"')) || (key.starts_with('\'') && key.ends_with('\'')));
            if quoted {
                let inner = &key[1..key.len() - 1];
                if inner.is_empty() {
                    return Err(invalid());
                }
                if info.data_type == DataType::Array {
                    return Err("can only access array field with integer index".to_string());
                }
                info.col.path.push(inner.to_string());
            } else if key.parse::<i64>().is_ok() {
                info.col.path.push(key.to_string());
            } else {
                return Err(format!("json key must be enclosed in double quotes or single quotes: \"{key}\""));
            }
        }
        Ok(info)
    }

    /// A column named by an identifier or JSON-path token (`getChildColumnInfo`).
    fn column_token(&self, token: usize) -> Check<ColInfo> {
        let token = &self.tokens[token];
        match token.kind {
            Tok::JsonIdent => self.json_identifier(token.text),
            _ => self.field(token.text),
        }
    }

    fn template(&mut self, name: &str) -> Typed {
        let lit = self.params.and_then(|p| p.get(name)).and_then(json_to_lit);
        let lit = lit.unwrap_or_else(|| {
            self.fill_failed(format!("the value of expression template variable name {{{name}}} is not found"));
            Lit::Int(0)
        });
        Typed::Value { lit, template: Some(name.to_string()) }
    }

    fn array(&mut self, items: &[Node]) -> Check<Typed> {
        let mut lits = Vec::with_capacity(items.len());
        for item in items {
            let typed = self.visit(item)?;
            match typed.generic_value() {
                Some(lit) => lits.push(lit.clone()),
                None => return Err(format!("array element type must be generic value, but got: {}", self.text(item))),
            }
        }
        Ok(Typed::Value { lit: Lit::Array(lits), template: None })
    }

    fn exists(&mut self, inner: &Node) -> Check<Typed> {
        let typed = self.visit(inner)?;
        let Some(column) = typed.column() else {
            return Err(format!(
                "exists operations are only supported on single fields now, got: {}",
                self.text(inner)
            ));
        };
        if column.data_type != DataType::Json {
            return Err(format!("exists operations are only supportted on json field, got:{}", column.data_type));
        }
        if column.col.path.is_empty() {
            return Err("exists operations are only supportted on json key".to_string());
        }
        Ok(Typed::Pred(Pred::Exists { col: column.col.clone() }))
    }

    fn like(&mut self, inner: &Node, pattern: usize) -> Check<Typed> {
        let typed = self.visit(inner)?;
        let Some(column) = typed.column() else {
            return Err("like operation on complicated expr is unsupported".to_string());
        };
        check_direct_comparison(&typed)?;
        let string_like = is_string(column.data_type)
            || column.data_type == DataType::Json
            || (column.data_type == DataType::Array && is_string(column.element_type));
        if !string_like {
            return Err("like operation on non-string or no-json field is unsupported".to_string());
        }
        let pattern = unquote(self.tokens[pattern].text)?;
        Ok(Typed::Pred(Pred::Like { col: column.col.clone(), pattern: Pattern::new(&pattern) }))
    }

    fn unary(&mut self, op: Tok, inner: &Node) -> Check<Typed> {
        let child = self.visit(inner)?;
        if let Some(lit) = child.generic_value() {
            let lit = match (op, lit) {
                (Tok::Add, _) => lit.clone(),
                (Tok::Sub, Lit::Int(i)) => Lit::Int(i.wrapping_neg()),
                (Tok::Sub, Lit::Float(f)) => Lit::Float(-f),
                (Tok::Not, Lit::Bool(b)) => Lit::Bool(!b),
                (Tok::Not, _) => return Err("not op can only be applied on boolean value".to_string()),
                (Tok::Sub, _) => return Err("negative op can only be applied on integer or float value".to_string()),
                _ => return Err(format!("unexpected op: {}", op_text(op))),
            };
            return Ok(Typed::Value { lit, template: None });
        }
        check_direct_comparison(&child)?;
        match (op, child) {
            (Tok::Add, child) => Ok(child),
            (Tok::Not, Typed::Pred(pred)) => Ok(Typed::Pred(Pred::Not(Box::new(pred)))),
            (Tok::Not, _) => Err("not op can only be applied on boolean expression".to_string()),
            _ => Err(format!("unexpected op: {}", op_text(op))),
        }
    }

    /// A flattened `and`/`or` chain, checked pair by pair from the left as Milvus's left-deep tree is.
    fn logical_chain(&mut self, op: Tok, operands: &[Node]) -> Check<Typed> {
        let mut operands = operands.iter();
        let first = operands.next().ok_or("empty logical chain")?;
        let mut acc = self.visit(first)?;
        for operand in operands {
            let right = self.visit(operand)?;
            acc = logical(op, acc, right)?;
        }
        Ok(acc)
    }

    fn binary(&mut self, node: &Node, op: Tok, left: &Node, right: &Node) -> Check<Typed> {
        let unsupported = |what: &str| Err(format!("{what} is not supported: {}", self.text(node)));
        match op {
            Tok::Shl | Tok::Shr => return unsupported("shift"),
            Tok::BAnd => return unsupported("BitAnd"),
            Tok::BXor => return unsupported("BitXor"),
            Tok::BOr => return unsupported("BitOr"),
            _ => {}
        }
        let l = self.visit(left)?;
        let r = self.visit(right)?;
        match op {
            Tok::Pow => match (l.generic_value(), r.generic_value()) {
                (Some(a), Some(b)) => power(a, b),
                _ => Err(format!("power can only apply on constants: {}", self.text(node))),
            },
            Tok::Add | Tok::Sub | Tok::Mul | Tok::Div | Tok::Mod => arithmetic(op, l, r),
            Tok::Eq | Tok::Ne | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge => {
                let cmp = cmp_op(op);
                if l.is_value() && r.is_value() {
                    return fold_comparison(op, &l, &r, || self.text(node));
                }
                if !matches!(cmp, CmpOp::Eq | CmpOp::Ne) {
                    check_direct_comparison(&l)?;
                    check_direct_comparison(&r)?;
                }
                self.handle_compare(cmp, l, r).map(Typed::Pred)
            }
            _ => Err(format!("unexpected op: {}", op_text(op))),
        }
    }

    /// `HandleCompare`.
    fn handle_compare(&mut self, op: CmpOp, left: Typed, right: Typed) -> Check<Pred> {
        if !left.is_template() && !right.is_template() && !can_be_compared(&left, &right) {
            return Err(format!(
                "comparisons between {} and {} are not supported",
                left.type_name(),
                right.type_name()
            ));
        }
        match (left, right) {
            (Typed::Value { lit, template }, right) => self.compare_with_value(op.reversed(), right, lit, template),
            (left, Typed::Value { lit, template }) => self.compare_with_value(op, left, lit, template),
            (Typed::Column(a), Typed::Column(b)) => {
                if a.data_type == DataType::Json || b.data_type == DataType::Json {
                    return Err("two column comparison with JSON type is not supported".to_string());
                }
                Ok(Pred::ColumnCmp { left: a.col, op, right: b.col })
            }
            _ => Err("only comparison between two fields is supported".to_string()),
        }
    }

    /// `handleCompareRightValue`: `left <op> value`.
    fn compare_with_value(&mut self, op: CmpOp, left: Typed, lit: Lit, template: Option<String>) -> Check<Pred> {
        let mut data_type = left.data_type();
        if let Some(c) = left.column().filter(|c| c.data_type == DataType::Array && !c.col.path.is_empty()) {
            data_type = c.element_type;
        }
        let value = match (&template, left.is_template()) {
            (None, false) => cast_value(data_type, lit)?,
            (Some(_), _) => self.fill_cast(data_type, lit),
            (None, true) => lit,
        };
        match left {
            Typed::Arith(arith) => self.arith_compare(op, *arith, value),
            Typed::ArrayLength(c) => Ok(Pred::ArrayLength { col: c.col, op, value }),
            Typed::Column(c) => Ok(Pred::Cmp { col: c.col, op, value }),
            _ => Err("not supported to combine multiple fields".to_string()),
        }
    }

    /// A template value cast at fill time: a failure is a fill error, reported after the checks.
    fn fill_cast(&mut self, data_type: DataType, lit: Lit) -> Lit {
        match cast_value(data_type, lit.clone()) {
            Ok(v) => v,
            Err(e) => {
                self.fill_failed(e);
                lit
            }
        }
    }

    /// `handleBinaryArithExpr`: `column <arith> constant <op> value`.
    fn arith_compare(&mut self, op: CmpOp, arith: ArithExpr, value: Lit) -> Check<Pred> {
        let (col, operand) = match (arith.left, arith.right) {
            (Typed::Column(_), Typed::Column(_)) => {
                return Err("not supported to do arithmetic operations between multiple fields".to_string());
            }
            (Typed::Value { .. }, Typed::Value { .. }) => {
                return Err("unexpected, should be optimized already".to_string());
            }
            (Typed::Column(c), Typed::Value { lit, template }) => (c, (lit, template)),
            (Typed::Value { lit, template }, Typed::Column(c)) => match arith.op {
                ArithOp::Add | ArithOp::Mul => (c, (lit, template)),
                _ => return Err("module field is not yet supported".to_string()),
            },
            _ => return Err("complicated arithmetic operations are not supported".to_string()),
        };
        let operand = match operand {
            (lit, None) => cast_value(arith.data_type, lit)?,
            (lit, Some(_)) => self.fill_cast(arith.data_type, lit),
        };
        let zero = matches!(operand, Lit::Int(0)) || matches!(operand, Lit::Float(f) if f == 0.0);
        if zero && matches!(arith.op, ArithOp::Div | ArithOp::Mod) {
            return Err("division or modulus by zero".to_string());
        }
        Ok(Pred::Arith { col: col.col, arith: arith.op, operand, op, value })
    }

    fn term(&mut self, not: bool, column: &Node, list: &Node) -> Check<Typed> {
        let child = self.visit(column)?;
        if child.generic_value().is_some() {
            return Err(format!("'term' can only be used on non-const expression, but got: {}", self.text(column)));
        }
        let Some(info) = child.column().cloned() else {
            return Err(format!("'term' can only be used on single field, but got: {}", self.text(column)));
        };
        let mut data_type = info.data_type;
        if data_type == DataType::Array && !info.col.path.is_empty() {
            data_type = info.element_type;
        }
        let values = match self.visit(list)? {
            Typed::Value { lit, template: Some(name) } => self.fill_term(&name, data_type, lit),
            Typed::Value { lit: Lit::Array(items), template: None } => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    let text = proto_text(&item);
                    let cast = cast_value(data_type, item)
                        .map_err(|_| format!("value '{text}' in list cannot be casted to {data_type}"))?;
                    values.push(cast);
                }
                values
            }
            Typed::Value { .. } => {
                return Err(format!("the right-hand side of 'in' must be a list, but got: {}", self.text(list)));
            }
            _ => return Err(format!("value '{}' in list cannot be a non-const expression", self.text(list))),
        };
        let term = Pred::Term { col: info.col, set: TermSet::new(&values) };
        Ok(Typed::Pred(if not { Pred::Not(Box::new(term)) } else { term }))
    }

    fn fill_term(&mut self, name: &str, data_type: DataType, lit: Lit) -> Vec<Lit> {
        let Lit::Array(items) = lit else {
            self.fill_failed(format!("the value of term expression template variable {{{name}}} is not array"));
            return Vec::new();
        };
        items.into_iter().map(|item| self.fill_cast(data_type, item)).collect()
    }

    fn contains(&mut self, kind: Tok, column: &Node, element: &Node) -> Check<Typed> {
        let (mode, name, op_name) = match kind {
            Tok::JsonContains | Tok::ArrayContains => (ContainsMode::One, "contains", "Contains"),
            Tok::JsonContainsAll | Tok::ArrayContainsAll => (ContainsMode::All, "contains_all", "ContainsAll"),
            _ => (ContainsMode::Any, "contains_any", "ContainsAny"),
        };
        let field = self.visit(column)?;
        let info = match field.column() {
            Some(c) if matches!(c.data_type, DataType::Json | DataType::Array) => c.clone(),
            _ => {
                let text = self.text(column);
                return Err(format!("{name} operation are only supported on json or array fields now, got: {text}"));
            }
        };
        let (lit, template) = match self.visit(element)? {
            Typed::Value { lit, template } => (lit, template),
            _ => {
                let text = self.text(element);
                return Err(format!("{name} operation are only supported explicitly specified element, got: {text}"));
            }
        };
        let elements = match check_contains_element(&info, mode, op_name, lit) {
            Ok(elements) => elements,
            Err(e) if template.is_some() => {
                self.fill_failed(e);
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        Ok(Typed::Pred(Pred::Contains { col: info.col, mode, elements }))
    }

    fn array_length(&mut self, node: &Node, column: usize) -> Check<Typed> {
        let info = self.column_token(column)?;
        if !matches!(info.data_type, DataType::Json | DataType::Array) {
            let text = self.text(node);
            return Err(format!("array_length operation are only supported on json or array fields now, got: {text}"));
        }
        Ok(Typed::ArrayLength(info))
    }

    fn range(
        &mut self,
        first: &Node,
        op1: Tok,
        column: usize,
        op2: Tok,
        second: &Node,
        ascending: bool,
    ) -> Check<Typed> {
        let info = self.column_token(column)?;
        check_direct_comparison(&Typed::Column(info.clone()))?;
        let (lower_node, upper_node) = if ascending { (first, second) } else { (second, first) };
        // `FillBinaryRangeExpressionValue` names the bound whose template value is missing.
        self.missing_bound(lower_node, "lower");
        self.missing_bound(upper_node, "upper");
        let lower = self.visit(lower_node);
        let upper = self.visit(upper_node);
        let (lower, upper) = (lower?, upper?);
        let Typed::Value { lit: lower, template: lower_template } = lower else {
            return Err(format!("lowerbound cannot be a non-const expression: {}", self.text(first)));
        };
        let Typed::Value { lit: upper, template: upper_template } = upper else {
            return Err(format!("upperbound cannot be a non-const expression: {}", self.text(second)));
        };
        let data_type = if info.data_type == DataType::Array { info.element_type } else { info.data_type };
        let lower = self.range_bound(data_type, lower, lower_template.is_some())?;
        let upper = self.range_bound(data_type, upper, upper_template.is_some())?;
        let (lower_inclusive, upper_inclusive) =
            if ascending { (op1 == Tok::Le, op2 == Tok::Le) } else { (op2 == Tok::Ge, op1 == Tok::Ge) };
        if lower_template.is_none() && upper_template.is_none() {
            let ordering = fold_order(&lower, &upper);
            let empty = if lower_inclusive && upper_inclusive {
                ordering == Some(std::cmp::Ordering::Greater)
            } else {
                ordering.is_some_and(|o| o != std::cmp::Ordering::Less)
            };
            if empty {
                return Err("invalid range: lowerbound is greater than upperbound".to_string());
            }
        }
        Ok(Typed::Pred(Pred::Range { col: info.col, lower, lower_inclusive, upper, upper_inclusive }))
    }

    fn missing_bound(&mut self, bound: &Node, which: &str) {
        if let Ast::Template(t) = bound.ast {
            let name = self.tokens[t].text;
            if self.params.and_then(|p| p.get(name)).and_then(json_to_lit).is_none() {
                self.fill_failed(format!(
                    "the {which} value of expression template variable name {{{name}}} is not found"
                ));
            }
        }
    }

    fn range_bound(&mut self, data_type: DataType, lit: Lit, template: bool) -> Check<Lit> {
        match cast_range_value(data_type, lit.clone()) {
            Ok(v) => Ok(v),
            Err(e) if template => {
                self.fill_failed(e);
                Ok(lit)
            }
            Err(e) => Err(e),
        }
    }

    /// The column of `text_match` / `phrase_match`: a string field whose `enable_match` type param is true.
    fn match_column(&self, column: usize, what: &str) -> Check<Col> {
        let name = self.tokens[column].text;
        let info = self.field(name)?;
        if !is_string(info.data_type) {
            return Err(format!("{what} match operation on non-string is unsupported"));
        }
        let enabled = match info.col.source {
            Source::Field(i) => self.spec.fields[i].params.iter().any(|(k, v)| k == "enable_match" && parse_bool(v)),
            Source::Meta => false,
        };
        if !enabled {
            return Err(format!("field \"{name}\" does not enable match"));
        }
        Ok(info.col)
    }

    /// `VisitPhraseMatch`: the slop must be a constant integer in `0..=u32::MAX`.
    fn phrase_match(&mut self, column: usize, query: usize, slop: Option<&Node>) -> Check<Typed> {
        let col = self.match_column(column, "phrase")?;
        let query = unquote(self.tokens[query].text)?;
        let slop = match slop {
            None => 0,
            Some(node) => {
                let text = self.text(node);
                let value = self.visit(node)?;
                match value.generic_value() {
                    Some(Lit::Int(n)) if *n < 0 => {
                        return Err(format!("\"slop\" should not be a negative interger. \"slop\" passed: {text}"));
                    }
                    Some(Lit::Int(n)) if *n > i64::from(u32::MAX) => {
                        let message =
                            format!("\"slop\" exceeds the range of \"uint32\". \"slop\" expression passed: {text}");
                        return Err(message);
                    }
                    Some(Lit::Int(n)) => *n as usize,
                    _ => {
                        let expected = "should be a const integer expression with \"uint32\" value";
                        return Err(format!("\"slop\" {expected}. \"slop\" expression passed: {text}"));
                    }
                }
            }
        };
        Ok(Typed::Pred(Pred::PhraseMatch { col, tokens: super::eval::phrase_tokens(&query), slop }))
    }

    /// `VisitTextMatch`.
    fn text_match(&mut self, column: usize, query: usize, minimum: Option<usize>) -> Check<Typed> {
        let col = self.match_column(column, "text")?;
        let query = unquote(self.tokens[query].text)?;
        let minimum = match minimum.map(|t| self.tokens[t].text) {
            None => 1,
            Some(text) => match parse_int(text) {
                Ok(n @ 1..=1000) => n as usize,
                Ok(n) if n < 1 => return Err(format!("minimum_should_match should be >= 1, got {n}")),
                Ok(n) => return Err(format!("minimum_should_match should be <= 1000, got {n}")),
                Err(_) => return Err(format!("invalid minimum_should_match value: {text}")),
            },
        };
        let tokens = super::eval::analyze(&query);
        Ok(Typed::Pred(Pred::TextMatch { col, tokens, minimum }))
    }

    fn is_null(&mut self, column: usize, not: bool) -> Check<Typed> {
        let info = self.column_token(column)?;
        // A JSON path's `is null` is "the key does not exist" (`VisitIsNull`).
        if !info.col.path.is_empty() {
            let exists = Pred::Exists { col: info.col };
            return Ok(Typed::Pred(if not { exists } else { Pred::Not(Box::new(exists)) }));
        }
        Ok(Typed::Pred(Pred::IsNull { col: info.col, not }))
    }
}

/// Why the root failed: a visitor error (wrapped in `cannot parse expression`) or a non-boolean result.
pub(crate) enum RootError {
    Visit(String),
    NotBoolean(String),
}

fn is_string(data_type: DataType) -> bool {
    matches!(data_type, DataType::String | DataType::VarChar | DataType::Text)
}

fn is_integer(data_type: DataType) -> bool {
    matches!(data_type, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64)
}

fn is_floating(data_type: DataType) -> bool {
    matches!(data_type, DataType::Float | DataType::Double)
}

fn is_arithmetic(data_type: DataType) -> bool {
    is_integer(data_type) || is_floating(data_type)
}

/// `checkDirectComparisonBinaryField`.
fn check_direct_comparison(typed: &Typed) -> Check<()> {
    match typed.column() {
        Some(c) if c.data_type == DataType::Array && c.col.path.is_empty() => {
            Err("can not comparisons array fields directly".to_string())
        }
        _ => Ok(()),
    }
}

/// `canBeComparedDataType`.
fn can_be_compared_types(left: DataType, right: DataType) -> bool {
    let json = right == DataType::Json;
    match left {
        DataType::Bool => right == DataType::Bool || json,
        l if is_arithmetic(l) => is_arithmetic(right) || json,
        l if is_string(l) => is_string(right) || json,
        DataType::Json => true,
        _ => false,
    }
}

/// `canBeCompared`.
fn can_be_compared(left: &Typed, right: &Typed) -> bool {
    let resolve = |t: &Typed| if t.data_type() == DataType::Array { t.element_type() } else { t.data_type() };
    can_be_compared_types(resolve(left), resolve(right))
}

/// `castValue`.
fn cast_value(data_type: DataType, lit: Lit) -> Check<Lit> {
    match (&lit, data_type) {
        (_, DataType::Json) => Ok(lit),
        (Lit::Array(_), DataType::Array) => Ok(lit),
        (Lit::Str(_), t) if is_string(t) => Ok(lit),
        (Lit::Bool(_), DataType::Bool) => Ok(lit),
        (Lit::Float(f), t) if is_floating(t) => Ok(Lit::Float(narrow(t, *f))),
        (Lit::Int(i), t) if is_floating(t) => Ok(Lit::Float(narrow(t, *i as f64))),
        (Lit::Int(_), t) if is_integer(t) => Ok(lit),
        _ => Err(format!("cannot cast value to {data_type}, value: {}", proto_text(&lit))),
    }
}

/// segcore reads a constant compared with a `Float` field as a C++ `float` (`GetValueFromProto<float>`), so
/// `score == 1.1` finds the rows inserted with 1.1: the constant is rounded to `f32` as the stored values are.
fn narrow(data_type: DataType, value: f64) -> f64 {
    if data_type == DataType::Float { f64::from(value as f32) } else { value }
}

/// `castRangeValue`.
fn cast_range_value(data_type: DataType, lit: Lit) -> Check<Lit> {
    let invalid = || Err("invalid range operations".to_string());
    match data_type {
        t if is_string(t) => {
            if matches!(lit, Lit::Str(_)) {
                Ok(lit)
            } else {
                invalid()
            }
        }
        DataType::Bool => Err("invalid range operations on boolean expr".to_string()),
        t if is_integer(t) => {
            if matches!(lit, Lit::Int(_)) {
                Ok(lit)
            } else {
                invalid()
            }
        }
        t if is_floating(t) => match lit {
            Lit::Int(i) => Ok(Lit::Float(narrow(t, i as f64))),
            Lit::Float(f) => Ok(Lit::Float(narrow(t, f))),
            _ => invalid(),
        },
        _ => Ok(lit),
    }
}

/// `checkContainsElement`, returning the elements to look for.
fn check_contains_element(info: &ColInfo, mode: ContainsMode, op_name: &str, lit: Lit) -> Check<Vec<Lit>> {
    let elements = match (mode, lit) {
        (ContainsMode::One, lit) if info.data_type == DataType::Array => vec![cast_value(info.element_type, lit)?],
        (ContainsMode::One, lit) => vec![lit],
        (_, Lit::Array(items)) => items,
        _ => return Err(format!("{op_name} operation element must be an array")),
    };
    if info.data_type == DataType::Array {
        for element in &elements {
            let element_type = lit_type(element);
            if !can_be_compared_types(info.element_type, element_type) {
                return Err(format!(
                    "{op_name} operation can't compare between array element type: {} and {element_type}",
                    info.element_type
                ));
            }
        }
    }
    Ok(elements)
}

fn cmp_op(op: Tok) -> CmpOp {
    match op {
        Tok::Eq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        _ => CmpOp::Ge,
    }
}

fn op_text(op: Tok) -> &'static str {
    match op {
        Tok::Add => "+",
        Tok::Sub => "-",
        Tok::Mul => "*",
        Tok::Div => "/",
        Tok::Mod => "%",
        Tok::Eq => "==",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::BNot => "~",
        Tok::Not => "not",
        _ => "?",
    }
}

/// The order of two constants, when they are comparable (numbers, strings, booleans).
fn fold_order(a: &Lit, b: &Lit) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Lit::Int(x), Lit::Int(y)) => Some(x.cmp(y)),
        (Lit::Int(x), Lit::Float(y)) => (*x as f64).partial_cmp(y),
        (Lit::Float(x), Lit::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Lit::Float(x), Lit::Float(y)) => x.partial_cmp(y),
        (Lit::Str(x), Lit::Str(y)) => Some(x.cmp(y)),
        (Lit::Bool(x), Lit::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// A comparison of two constants folds to a boolean constant (which is not a filter on its own).
fn fold_comparison(op: Tok, l: &Typed, r: &Typed, text: impl Fn() -> String) -> Check<Typed> {
    if l.is_template() || r.is_template() {
        return Err(format!("placeholder was not supported between two constants with operator: {}", op_text(op)));
    }
    let (Typed::Value { lit: a, .. }, Typed::Value { lit: b, .. }) = (l, r) else {
        return Err(format!("comparison operations cannot be applied to two incompatible operands: {}", text()));
    };
    let ordering = fold_order(a, b);
    let relational = !matches!(op, Tok::Eq | Tok::Ne);
    if ordering.is_none() || (relational && matches!(a, Lit::Bool(_))) {
        return Err(format!("comparison operations cannot be applied to two incompatible operands: {}", text()));
    }
    Ok(Typed::Value { lit: Lit::Bool(cmp_op(op).holds_ordering(ordering)), template: None })
}

impl CmpOp {
    fn holds_ordering(self, ordering: Option<std::cmp::Ordering>) -> bool {
        use std::cmp::Ordering::*;
        matches!(
            (self, ordering),
            (CmpOp::Eq, Some(Equal))
                | (CmpOp::Ne, Some(Less | Greater))
                | (CmpOp::Lt, Some(Less))
                | (CmpOp::Le, Some(Less | Equal))
                | (CmpOp::Gt, Some(Greater))
                | (CmpOp::Ge, Some(Greater | Equal))
        )
    }
}

fn arith_op(op: Tok) -> (ArithOp, &'static str) {
    match op {
        Tok::Add => (ArithOp::Add, "add"),
        Tok::Sub => (ArithOp::Sub, "subtract"),
        Tok::Mul => (ArithOp::Mul, "multiply"),
        Tok::Div => (ArithOp::Div, "divide"),
        _ => (ArithOp::Mod, "modulo"),
    }
}

/// `VisitAddSub` / `VisitMulDivMod`.
fn arithmetic(op: Tok, l: Typed, r: Typed) -> Check<Typed> {
    let (arith, name) = arith_op(op);
    if l.is_value() && r.is_value() {
        if l.is_template() || r.is_template() {
            return Err(format!("placeholder was not supported between two constants with operator: {}", op_text(op)));
        }
        let (Typed::Value { lit: a, .. }, Typed::Value { lit: b, .. }) = (&l, &r) else { unreachable!() };
        return fold_arith(arith, a, b).map(|lit| Typed::Value { lit, template: None });
    }
    check_direct_comparison(&l)?;
    check_direct_comparison(&r)?;
    let reverse = l.is_value();
    let data_type = if l.is_template() {
        r.data_type()
    } else if r.is_template() {
        l.data_type()
    } else {
        let resolve = |t: &Typed| if t.data_type() == DataType::Array { t.element_type() } else { t.data_type() };
        let (mut a, mut b) = (resolve(&l), resolve(&r));
        if reverse {
            std::mem::swap(&mut a, &mut b);
        }
        if !can_arithmetic(a, b) {
            return Err(format!("'{name}' cannot perform arithmetic between {a} field and {b}"));
        }
        let integral = |t: &Typed| {
            is_integer(t.data_type())
                || t.data_type() == DataType::Json
                || (t.data_type() == DataType::Array && is_integer(t.element_type()))
        };
        if arith == ArithOp::Mod && (!integral(&l) || !integral(&r)) {
            return Err("modulo can only apply on integer types".to_string());
        }
        target_type(a, b)?
    };
    Ok(Typed::Arith(Box::new(ArithExpr { left: l, right: r, op: arith, data_type })))
}

/// `canArithmeticDataType`.
fn can_arithmetic(left: DataType, right: DataType) -> bool {
    let json = right == DataType::Json;
    match left {
        l if is_integer(l) => is_integer(right) || json,
        l if is_floating(l) => is_arithmetic(right) || json,
        DataType::Json => is_arithmetic(right),
        _ => false,
    }
}

/// `getTargetType`.
fn target_type(left: DataType, right: DataType) -> Check<DataType> {
    let json = |t| t == DataType::Json;
    let result = match (left, right) {
        (l, r) if json(l) && json(r) => Some(DataType::Json),
        (l, r) if json(l) && is_floating(r) => Some(DataType::Double),
        (l, r) if json(l) && is_integer(r) => Some(DataType::Int64),
        (l, r) if is_floating(l) && (json(r) || is_arithmetic(r)) => Some(DataType::Double),
        (l, r) if is_integer(l) && is_floating(r) => Some(DataType::Double),
        (l, r) if is_integer(l) && (is_integer(r) || json(r)) => Some(DataType::Int64),
        _ => None,
    };
    result.ok_or_else(|| format!("incompatible data type, {left}, {right}"))
}

/// Arithmetic on two constants, with the checks and texts of `operators.go` (`Divide`, `Modulo`, ...).
fn fold_arith(op: ArithOp, a: &Lit, b: &Lit) -> Check<Lit> {
    let numeric = |l: &Lit| matches!(l, Lit::Int(_) | Lit::Float(_));
    match op {
        ArithOp::Mod => match (a, b) {
            (Lit::Int(_), Lit::Int(0)) => Err("cannot modulo by zero".to_string()),
            (Lit::Int(x), Lit::Int(y)) => Ok(Lit::Int(x.wrapping_rem(*y))),
            _ => Err("modulo can only apply on integer".to_string()),
        },
        ArithOp::Div if matches!(a, Lit::Bool(_)) || matches!(b, Lit::Bool(_)) => {
            Err("divide cannot apply on bool field".to_string())
        }
        ArithOp::Div if matches!(a, Lit::Str(_)) || matches!(b, Lit::Str(_)) => {
            Err("divide cannot apply on string field".to_string())
        }
        ArithOp::Div if matches!(b, Lit::Int(0)) || matches!(b, Lit::Float(f) if *f == 0.0) => {
            Err("cannot divide by zero".to_string())
        }
        _ if !numeric(a) || !numeric(b) => {
            Err(format!("{} can only apply on integer or float values", arith_op_name(op)))
        }
        _ => Ok(match (a, b) {
            (Lit::Int(x), Lit::Int(y)) => Lit::Int(match op {
                ArithOp::Add => x.wrapping_add(*y),
                ArithOp::Sub => x.wrapping_sub(*y),
                ArithOp::Mul => x.wrapping_mul(*y),
                _ => x.wrapping_div(*y),
            }),
            _ => {
                let (x, y) = (as_f64(a), as_f64(b));
                Lit::Float(match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    _ => x / y,
                })
            }
        }),
    }
}

fn arith_op_name(op: ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "add",
        ArithOp::Sub => "subtract",
        ArithOp::Mul => "multiply",
        ArithOp::Div => "divide",
        ArithOp::Mod => "modulo",
    }
}

fn as_f64(lit: &Lit) -> f64 {
    match lit {
        Lit::Int(i) => *i as f64,
        Lit::Float(f) => *f,
        _ => f64::NAN,
    }
}

fn power(a: &Lit, b: &Lit) -> Check<Typed> {
    match (a, b) {
        (Lit::Int(_) | Lit::Float(_), Lit::Int(_) | Lit::Float(_)) => {
            Ok(Typed::Value { lit: Lit::Float(as_f64(a).powf(as_f64(b))), template: None })
        }
        _ => Err("power can only apply on integer or float values".to_string()),
    }
}

/// `VisitLogicalAnd` / `VisitLogicalOr`.
fn logical(op: Tok, l: Typed, r: Typed) -> Check<Typed> {
    let word = if op == Tok::And { "and" } else { "or" };
    let not_boolean = || Err(format!("'{word}' can only be used between boolean expressions"));
    match (l.generic_value(), r.generic_value()) {
        (Some(Lit::Bool(a)), Some(Lit::Bool(b))) => {
            let lit = Lit::Bool(if op == Tok::And { *a && *b } else { *a || *b });
            return Ok(Typed::Value { lit, template: None });
        }
        (Some(_), Some(_)) => return Err(format!("{word} can only apply on boolean")),
        (Some(_), None) | (None, Some(_)) => return not_boolean(),
        (None, None) => {}
    }
    match (l, r, op) {
        (Typed::Pred(Pred::And(mut operands)), Typed::Pred(b), Tok::And) => {
            operands.push(b);
            Ok(Typed::Pred(Pred::And(operands)))
        }
        (Typed::Pred(Pred::Or(mut operands)), Typed::Pred(b), Tok::Or) => {
            operands.push(b);
            Ok(Typed::Pred(Pred::Or(operands)))
        }
        (Typed::Pred(a), Typed::Pred(b), Tok::And) => Ok(Typed::Pred(Pred::And(vec![a, b]))),
        (Typed::Pred(a), Typed::Pred(b), _) => Ok(Typed::Pred(Pred::Or(vec![a, b]))),
        _ => not_boolean(),
    }
}

/// Go's `strconv.ParseBool`, as Milvus reads boolean type params.
fn parse_bool(text: &str) -> bool {
    matches!(text, "1" | "t" | "T" | "TRUE" | "true" | "True")
}

/// `strconv.ParseInt(literal, 0, 64)`.
fn parse_int(literal: &str) -> Check<i64> {
    let lower = literal.to_ascii_lowercase();
    let parsed = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16)
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i64::from_str_radix(bin, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        i64::from_str_radix(&lower[1..], 8)
    } else {
        lower.parse::<i64>()
    };
    parsed.map_err(|_| format!("strconv.ParseInt: parsing \"{literal}\": value out of range"))
}

/// `strconv.ParseFloat(literal, 64)`.
fn parse_float(literal: &str) -> Check<f64> {
    match literal.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        _ => Err(format!("strconv.ParseFloat: parsing \"{literal}\": value out of range")),
    }
}

/// A string literal's value: `convertEscapeSingle` then Go's `strconv.Unquote`.
pub(crate) fn unquote(literal: &str) -> Check<String> {
    let invalid = || "invalid syntax".to_string();
    let quote = literal.chars().next().ok_or_else(invalid)?;
    if quote != '"' && quote != '\'' {
        // An encoding prefix (`u8"..."`) leaves the quote elsewhere, and Go's `Unquote` then fails.
        return Err(invalid());
    }
    let body = &literal[1..literal.len() - 1];
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let escaped = chars.next().ok_or_else(invalid)?;
        match escaped {
            'a' => out.push(7),
            'b' => out.push(8),
            'f' => out.push(12),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'v' => out.push(11),
            '\\' => out.push(b'\\'),
            '"' => out.push(b'"'),
            '\'' => out.push(b'\''),
            'x' => out.push(u8::try_from(read_digits(&mut chars, 2, 16).ok_or_else(invalid)?).map_err(|_| invalid())?),
            'u' | 'U' => {
                let n = if escaped == 'u' { 4 } else { 8 };
                let code = read_digits(&mut chars, n, 16).ok_or_else(invalid)?;
                let c = char::from_u32(code).ok_or_else(invalid)?;
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            '0'..='7' => {
                let rest = read_digits(&mut chars, 2, 8).ok_or_else(invalid)?;
                let value = escaped.to_digit(8).unwrap_or(0) * 64 + rest;
                out.push(u8::try_from(value).map_err(|_| invalid())?);
            }
            _ => return Err(invalid()),
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn read_digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize, radix: u32) -> Option<u32> {
    let mut value = 0u32;
    for _ in 0..n {
        value = value.checked_mul(radix)? + chars.next()?.to_digit(radix)?;
    }
    Some(value)
}

/// An `exprParams` value as Milvus's REST handler turns it into a template value (`generateExpressionTemplate`):
/// Go decodes every JSON number as a `float64`, and an integral one becomes an `Int64Val`, so `2.0` is the integer
/// 2 and integers beyond 2^53 lose their last digits, as in Milvus.
fn json_to_lit(value: &Value) -> Option<Lit> {
    Some(match value {
        Value::Bool(b) => Lit::Bool(*b),
        Value::Number(n) => {
            let v = n.as_f64()?;
            // `i64::MAX as f64` is 2^63, one past the largest i64: Go's `v <= math.MaxInt64` accepts it too, and
            // its conversion saturates as Rust's `as` does.
            if v == v.trunc() && v >= i64::MIN as f64 && v <= i64::MAX as f64 {
                Lit::Int(v as i64)
            } else {
                Lit::Float(v)
            }
        }
        Value::String(s) => Lit::Str(s.clone()),
        Value::Array(items) => Lit::Array(items.iter().map(json_to_lit).collect::<Option<_>>()?),
        Value::Null | Value::Object(_) => return None,
    })
}

/// A value as Go's protobuf text format prints a `GenericValue` in error messages.
fn proto_text(lit: &Lit) -> String {
    match lit {
        Lit::Bool(b) => format!("bool_val:{b}"),
        Lit::Int(i) => format!("int64_val:{i}"),
        Lit::Float(f) => format!("float_val:{f}"),
        Lit::Str(s) => format!("string_val:{s:?}"),
        Lit::Array(items) => {
            let inner: Vec<String> = items.iter().map(|i| format!("array:{{{}}}", proto_text(i))).collect();
            format!("array_val:{{{}}}", inner.join(" "))
        }
    }
}
