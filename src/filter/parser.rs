//! The syntax tree of a filter, parsed with the precedence of Milvus's ANTLR grammar (`Plan.g4`, rule `expr`).
//!
//! ANTLR gives the alternatives of a left-recursive rule decreasing precedence in the order they are written, so
//! the levels below follow `Plan.g4`: `like` binds tightest, then `**`, the prefix operators (`-`, `+`, `~`,
//! `not`), `* / %`, `+ -`, shifts, `in`, chained ranges, `< <= > >=`, `== !=`, `&`, `^`, `|`, `and`, `or`. A prefix
//! `not` therefore binds tighter than a comparison: `not a == 1` is `(not a) == 1`, which Milvus rejects, as this
//! parser's caller does. Like Milvus's `handleInternal`, parsing stops at the first token that cannot continue the
//! expression, and the caller reports leftover input as `invalid expression: <expr>`.

use super::lexer::{Tok, Token};

/// A node and the tokens it spans (for ANTLR's `GetText`: the tokens' texts joined without blanks).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub ast: Ast,
    pub first: usize,
    pub last: usize,
    /// The height of the tree under this node (a leaf is 1), bounded by [`MAX_HEIGHT`].
    pub height: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum Ast {
    Int(usize),
    Float(usize),
    Bool(usize),
    Str(usize),
    /// An identifier or `$meta`.
    Ident(usize),
    JsonIdent(usize),
    /// `{name}`: the token of the name.
    Template(usize),
    Array(Vec<Node>),
    EmptyArray,
    Exists(Box<Node>),
    /// The operand and the pattern's string token.
    Like(Box<Node>, usize),
    Unary(Tok, Box<Node>),
    Binary(Tok, Box<Node>, Box<Node>),
    /// A chain of `and` (or of `or`), flattened: `a and b and c` is one node with three operands, so long
    /// chains cost no stack depth.
    Logical(Tok, Vec<Node>),
    Term {
        not: bool,
        column: Box<Node>,
        list: Box<Node>,
    },
    /// `json_contains*` / `array_contains*`: the function's token kind, the column, the element(s).
    Contains(Tok, Box<Node>, Box<Node>),
    /// `array_length(<identifier or JSON path token>)`.
    ArrayLength(usize),
    /// `lower op1 column op2 upper`, with `ascending` for `<`/`<=` chains and not for `>`/`>=` chains.
    Range {
        lower: Box<Node>,
        op1: Tok,
        column: usize,
        op2: Tok,
        upper: Box<Node>,
        ascending: bool,
    },
    /// `column is null` / `column is not null`, on an identifier or JSON path token.
    IsNull {
        column: usize,
        not: bool,
    },
    /// `text_match(column, "query"[, minimum_should_match=N])`: the identifier, string and integer tokens.
    TextMatch {
        column: usize,
        query: usize,
        minimum: Option<usize>,
    },
    /// `phrase_match(column, "query"[, slop])`.
    PhraseMatch {
        column: usize,
        query: usize,
        slop: Option<Box<Node>>,
    },
    /// A call the mock does not evaluate (`random_sample`, other functions).
    Call(usize),
}

/// Parses the tokens into a tree; `Ok` also carries the index of the first unconsumed token.
pub(crate) fn parse(tokens: &[Token<'_>]) -> Result<(Node, usize), String> {
    let mut parser = Parser { tokens, pos: 0, depth: 0 };
    let node = parser.expr(0)?;
    Ok((node, parser.pos))
}

fn child_height(ast: &Ast) -> usize {
    let h = |n: &Node| n.height;
    match ast {
        Ast::Binary(_, a, b) | Ast::Contains(_, a, b) => h(a).max(h(b)),
        Ast::Term { column, list, .. } => h(column).max(h(list)),
        Ast::Range { lower, upper, .. } => h(lower).max(h(upper)),
        Ast::Unary(_, a) | Ast::Exists(a) | Ast::Like(a, _) => h(a),
        Ast::PhraseMatch { slop: Some(a), .. } => h(a),
        Ast::Array(items) | Ast::Logical(_, items) => items.iter().map(h).max().unwrap_or(0),
        _ => 0,
    }
}

/// The ANTLR text of the tokens `first..=last`.
pub(crate) fn text(tokens: &[Token<'_>], node: &Node) -> String {
    tokens[node.first..=node.last].iter().map(|t| t.text).collect()
}

/// Trees taller than this are refused, so hostile input cannot overflow the stack of the checker, the evaluator
/// or `Drop` (Milvus 2.6 has no such limit; master adds `proxy.maxExpressionDepth`).
pub(crate) const MAX_HEIGHT: usize = 150;

const LIKE: u8 = 15;
const POWER: u8 = 14;
const UNARY: u8 = 13;
const EXISTS: u8 = 16;

struct Parser<'t, 's> {
    tokens: &'t [Token<'s>],
    pos: usize,
    depth: usize,
}

fn binary_level(kind: Tok) -> Option<u8> {
    Some(match kind {
        Tok::Pow => POWER,
        Tok::Mul | Tok::Div | Tok::Mod => 12,
        Tok::Add | Tok::Sub => 11,
        Tok::Shl | Tok::Shr => 10,
        Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge => 7,
        Tok::Eq | Tok::Ne => 6,
        Tok::BAnd => 5,
        Tok::BXor => 4,
        Tok::BOr => 3,
        Tok::And => 2,
        Tok::Or => 1,
        _ => return None,
    })
}

const TERM: u8 = 9;

/// What one infix step did: grew the left operand, or found nothing to apply and handed it back.
enum Step {
    Grew(Node),
    Done(Node),
}
const RANGE: u8 = 8;

impl<'s> Parser<'_, 's> {
    fn peek(&self) -> &Token<'s> {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn kind_at(&self, offset: usize) -> Tok {
        self.tokens.get(self.pos + offset).map_or(Tok::Eof, |t| t.kind)
    }

    fn bump(&mut self) -> usize {
        let at = self.pos;
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        at
    }

    fn error_at(&self, token: &Token<'_>, message: &str) -> String {
        format!("line {}:{} {}", token.line, token.column, message)
    }

    fn expect(&mut self, kind: Tok) -> Result<usize, String> {
        let token = self.peek();
        if token.kind == kind {
            return Ok(self.bump());
        }
        let message = if token.kind == Tok::Eof {
            format!("missing {} at '<EOF>'", kind.display())
        } else {
            format!("mismatched input '{}' expecting {}", token.text, kind.display())
        };
        Err(self.error_at(token, &message))
    }

    fn no_viable(&self) -> String {
        let token = self.peek();
        self.error_at(token, &format!("no viable alternative at input '{}'", token.text))
    }

    fn too_deep(&self) -> String {
        self.error_at(self.peek(), &format!("expression nesting depth exceeds {MAX_HEIGHT}"))
    }

    fn node(&self, ast: Ast, first: usize) -> Result<Node, String> {
        let height = 1 + child_height(&ast);
        if height > MAX_HEIGHT {
            return Err(self.too_deep());
        }
        Ok(Node { ast, first, last: self.pos.saturating_sub(1).max(first), height })
    }

    fn expr(&mut self, min: u8) -> Result<Node, String> {
        self.depth += 1;
        // A level of the tree takes one or two nested calls here (`not (` takes two); the bound keeps an
        // unoptimised build within a 2 MiB thread stack.
        if self.depth > 2 * MAX_HEIGHT {
            return Err(self.too_deep());
        }
        let mut lhs = self.primary()?;
        loop {
            match self.infix(lhs, min)? {
                Step::Grew(next) => lhs = next,
                Step::Done(done) => {
                    lhs = done;
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(lhs)
    }

    /// One infix or postfix step on `lhs` if the next tokens allow one at precedence `min` or above.
    fn infix(&mut self, lhs: Node, min: u8) -> Result<Step, String> {
        let first = lhs.first;
        let kind = self.peek().kind;
        if kind == Tok::Like && LIKE >= min {
            self.bump();
            let pattern = self.expect(Tok::Str)?;
            return Ok(Step::Grew(self.node(Ast::Like(Box::new(lhs), pattern), first)?));
        }
        let not_in = kind == Tok::Not && self.kind_at(1) == Tok::In;
        if (kind == Tok::In || not_in) && TERM >= min {
            self.bump();
            if not_in {
                self.bump();
            }
            let list = self.expr(TERM + 1)?;
            return Ok(Step::Grew(
                self.node(Ast::Term { not: not_in, column: Box::new(lhs), list: Box::new(list) }, first)?,
            ));
        }
        if RANGE >= min && self.starts_range(kind) {
            return self.range(lhs).map(Step::Grew);
        }
        match binary_level(kind) {
            Some(level) if level >= min => {
                self.bump();
                let rhs = self.expr(level + 1)?;
                if matches!(kind, Tok::And | Tok::Or) {
                    return self.logical(kind, lhs, rhs).map(Step::Grew);
                }
                Ok(Step::Grew(self.node(Ast::Binary(kind, Box::new(lhs), Box::new(rhs)), first)?))
            }
            _ => Ok(Step::Done(lhs)),
        }
    }

    /// `lhs and rhs`: appended to `lhs` when it is already a chain of the same operator.
    fn logical(&mut self, kind: Tok, lhs: Node, rhs: Node) -> Result<Node, String> {
        let (first, last) = (lhs.first, self.pos - 1);
        // The height grows with the operands' heights, not with their number (and is updated, not recomputed,
        // so a chain of n operands is built in O(n)).
        let height = match &lhs.ast {
            Ast::Logical(op, _) if *op == kind => lhs.height.max(rhs.height + 1),
            _ => lhs.height.max(rhs.height) + 1,
        };
        let ast = match lhs.ast {
            Ast::Logical(op, mut operands) if op == kind => {
                operands.push(rhs);
                Ast::Logical(kind, operands)
            }
            ast => Ast::Logical(kind, vec![Node { ast, ..lhs }, rhs]),
        };
        if height > MAX_HEIGHT {
            return Err(self.too_deep());
        }
        Ok(Node { ast, first, last, height })
    }

    /// `<`/`<=` (or `>`/`>=`) followed by a column and a second operator of the same direction.
    fn starts_range(&self, kind: Tok) -> bool {
        let column = matches!(self.kind_at(1), Tok::Ident | Tok::JsonIdent);
        let second = self.kind_at(2);
        column
            && match kind {
                Tok::Lt | Tok::Le => matches!(second, Tok::Lt | Tok::Le),
                Tok::Gt | Tok::Ge => matches!(second, Tok::Gt | Tok::Ge),
                _ => false,
            }
    }

    fn range(&mut self, lower: Node) -> Result<Node, String> {
        let first = lower.first;
        let op1 = self.tokens[self.bump()].kind;
        let column = self.bump();
        let op2 = self.tokens[self.bump()].kind;
        let upper = self.expr(RANGE + 1)?;
        let ascending = matches!(op1, Tok::Lt | Tok::Le);
        let ast = Ast::Range { lower: Box::new(lower), op1, column, op2, upper: Box::new(upper), ascending };
        self.node(ast, first)
    }

    fn primary(&mut self) -> Result<Node, String> {
        let first = self.pos;
        let kind = self.peek().kind;
        let ast = match kind {
            Tok::Int => Ast::Int(self.bump()),
            Tok::Float => Ast::Float(self.bump()),
            Tok::Bool => Ast::Bool(self.bump()),
            Tok::Str => Ast::Str(self.bump()),
            Tok::EmptyArray => {
                self.bump();
                Ast::EmptyArray
            }
            Tok::Ident | Tok::Meta | Tok::JsonIdent => return self.column(),
            Tok::LBrace => {
                self.bump();
                let name = self.expect(Tok::Ident)?;
                self.expect(Tok::RBrace)?;
                Ast::Template(name)
            }
            Tok::LParen => {
                self.bump();
                let inner = self.expr(0)?;
                self.expect(Tok::RParen)?;
                // Parentheses leave no node of their own, but their tokens count in the text.
                return Ok(Node { last: self.pos - 1, first, ..inner });
            }
            Tok::LBracket => Ast::Array(self.array()?),
            Tok::Exists => {
                self.bump();
                Ast::Exists(Box::new(self.expr(EXISTS)?))
            }
            Tok::Add | Tok::Sub | Tok::BNot | Tok::Not => {
                self.bump();
                Ast::Unary(kind, Box::new(self.expr(UNARY)?))
            }
            Tok::JsonContains
            | Tok::JsonContainsAll
            | Tok::JsonContainsAny
            | Tok::ArrayContains
            | Tok::ArrayContainsAll
            | Tok::ArrayContainsAny => {
                self.bump();
                self.expect(Tok::LParen)?;
                let column = self.expr(0)?;
                self.expect(Tok::Comma)?;
                let element = self.expr(0)?;
                self.expect(Tok::RParen)?;
                Ast::Contains(kind, Box::new(column), Box::new(element))
            }
            Tok::ArrayLength => {
                self.bump();
                self.expect(Tok::LParen)?;
                if !matches!(self.peek().kind, Tok::Ident | Tok::JsonIdent) {
                    return Err(self.no_viable());
                }
                let column = self.bump();
                self.expect(Tok::RParen)?;
                Ast::ArrayLength(column)
            }
            Tok::TextMatch => {
                self.bump();
                self.expect(Tok::LParen)?;
                let column = self.expect(Tok::Ident)?;
                self.expect(Tok::Comma)?;
                let query = self.expect(Tok::Str)?;
                let mut minimum = None;
                if self.peek().kind == Tok::Comma {
                    self.bump();
                    self.expect(Tok::MinimumShouldMatch)?;
                    self.expect(Tok::Assign)?;
                    minimum = Some(self.expect(Tok::Int)?);
                }
                self.expect(Tok::RParen)?;
                Ast::TextMatch { column, query, minimum }
            }
            Tok::PhraseMatch => {
                self.bump();
                self.expect(Tok::LParen)?;
                let column = self.expect(Tok::Ident)?;
                self.expect(Tok::Comma)?;
                let query = self.expect(Tok::Str)?;
                let mut slop = None;
                if self.peek().kind == Tok::Comma {
                    self.bump();
                    slop = Some(Box::new(self.expr(0)?));
                }
                self.expect(Tok::RParen)?;
                Ast::PhraseMatch { column, query, slop }
            }
            Tok::RandomSample => {
                let name = self.bump();
                self.arguments()?;
                Ast::Call(name)
            }
            _ => return Err(self.no_viable()),
        };
        self.node(ast, first)
    }

    /// An identifier, `$meta` or JSON path, possibly followed by `is [not] null` or a call's arguments.
    fn column(&mut self) -> Result<Node, String> {
        let first = self.pos;
        let token = self.bump();
        let kind = self.tokens[token].kind;
        let ast = match self.peek().kind {
            Tok::IsNull | Tok::IsNotNull if kind != Tok::Meta => {
                let not = self.tokens[self.bump()].kind == Tok::IsNotNull;
                Ast::IsNull { column: token, not }
            }
            Tok::LParen if kind == Tok::Ident => {
                self.arguments()?;
                Ast::Call(token)
            }
            _ if kind == Tok::JsonIdent => Ast::JsonIdent(token),
            _ => Ast::Ident(token),
        };
        self.node(ast, first)
    }

    /// `( [expr (, expr)* ,?] )`, checked for syntax only: the calls that take them are not evaluated.
    fn arguments(&mut self) -> Result<(), String> {
        self.expect(Tok::LParen)?;
        while self.peek().kind != Tok::RParen {
            self.expr(0)?;
            if self.peek().kind != Tok::Comma {
                break;
            }
            self.bump();
        }
        self.expect(Tok::RParen)?;
        Ok(())
    }

    /// `[ expr (, expr)* ,? ]`
    fn array(&mut self) -> Result<Vec<Node>, String> {
        self.bump();
        let mut items = vec![self.expr(0)?];
        while self.peek().kind == Tok::Comma {
            self.bump();
            if self.peek().kind == Tok::RBracket {
                break;
            }
            items.push(self.expr(0)?);
        }
        self.expect(Tok::RBracket)?;
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn shape(node: &Node) -> String {
        match &node.ast {
            Ast::Binary(op, l, r) => format!("({:?} {} {})", op, shape(l), shape(r)),
            Ast::Logical(op, items) => {
                format!("({:?} {})", op, items.iter().map(shape).collect::<Vec<_>>().join(" "))
            }
            Ast::Unary(op, e) => format!("({:?} {})", op, shape(e)),
            Ast::Term { not, column, list } => {
                format!("(in{} {} {})", if *not { "!" } else { "" }, shape(column), shape(list))
            }
            Ast::Range { lower, column, upper, .. } => format!("(range {} #{} {})", shape(lower), column, shape(upper)),
            Ast::Like(e, _) => format!("(like {})", shape(e)),
            Ast::Ident(t) | Ast::Int(t) | Ast::JsonIdent(t) => format!("#{t}"),
            other => format!("{other:?}"),
        }
    }

    fn parsed(src: &str) -> String {
        let tokens = tokenize(src).unwrap();
        shape(&parse(&tokens).unwrap().0)
    }

    #[test]
    fn precedence_follows_the_grammar() {
        assert_eq!(parsed("a or b and c"), "(Or #0 (And #2 #4))");
        assert_eq!(parsed("a + 1 * 2 == 3"), "(Eq (Add #0 (Mul #2 #4)) #6)");
        assert_eq!(parsed("not a == 1"), "(Eq (Not #1) #3)");
        assert_eq!(parsed("a not in b"), "(in! #0 #3)");
        assert_eq!(parsed("1 < a <= 5"), "(range #0 #2 #4)");
        assert_eq!(parsed("-a like \"x\""), "(Sub (like #1))");
    }

    #[test]
    fn parentheses_keep_their_tokens_in_the_text() {
        let tokens = tokenize("(a == 1) and b").unwrap();
        let (node, end) = parse(&tokens).unwrap();
        assert_eq!((text(&tokens, &node), end), ("(a==1)andb".to_string(), 7));
    }

    #[test]
    fn syntax_errors_are_worded_as_antlr_does() {
        let err = |src| parse(&tokenize(src).unwrap()).unwrap_err();
        assert_eq!(err("(a == 1"), "line 1:7 missing ')' at '<EOF>'");
        assert_eq!(err("a == )"), "line 1:5 no viable alternative at input ')'");
        assert_eq!(err("a like {x}"), "line 1:7 mismatched input '{' expecting StringLiteral");
    }
}
