//! Name resolution: turns the AST into the resolved tree ([`crate::hir`]), mapping every
//! name to a frame slot, a global, a builtin or a constant, and reporting unknown names.
//!
//! Scoping rules (as in Python): a name assigned anywhere in a function body (or a parameter,
//! loop variable or nested function name) is local to that function; other names are read
//! from the enclosing function (captured by value when the inner function is created), then
//! from the globals (read at call time), then the builtins and constants. Blocks do not
//! open scopes.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use mml_lang::ast::{self, Accessor as AAccessor, ExprKind as A, FnBody, StmtKind as S};
use mml_lang::{Diagnostic, Span, KEYWORDS};

use crate::builtin::{find_foreign, Library, FOREIGN_MODULES};
use crate::error::{ErrorKind, NameHint, RuntimeError};
use crate::hir::*;
use crate::interp::fast;
use crate::names::{Occurrence, Role, Target};

/// Deepest expression nesting the resolver accepts (a sum of this many terms is this deep).
const MAX_NESTING: usize = 10_000;

/// The global names of a session: they keep their slots across REPL inputs.
#[derive(Default, Debug)]
pub(crate) struct GlobalNames {
    map: HashMap<Rc<str>, u32>,
    names: Vec<Rc<str>>,
}

impl GlobalNames {
    pub(crate) fn slot(&mut self, name: &Rc<str>) -> u32 {
        if let Some(&i) = self.map.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.map.insert(name.clone(), i);
        self.names.push(name.clone());
        i
    }

    /// The name of global slot `i`.
    pub(crate) fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("?", |n| n)
    }

    /// The number of global slots.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

struct FnScope {
    name: Option<Rc<str>>,
    locals: HashMap<Rc<str>, u32>,
    nslots: u32,
    /// Captured names in capture order, with where they come from in the parent.
    captures: Vec<(Rc<str>, Var)>,
    capture_names: HashMap<Rc<str>, usize>,
    /// Whether the function refers to itself by name.
    recursive: bool,
    /// The function's number, for [`Target::Local`].
    id: u32,
    /// What the function's own name refers to where it is defined (for occurrences).
    self_target: Option<Target>,
}

struct Resolver<'a> {
    globals: &'a mut GlobalNames,
    library: &'static Library,
    scopes: Vec<FnScope>,
    diags: Vec<Diagnostic>,
    depth: usize,
    loops: usize,
    /// How many blocks of `if` expressions enclose this point (in the current function).
    value_blocks: usize,
    /// Unknown names already reported: each is reported once per run.
    reported: HashSet<Rc<str>>,
    /// When recording (for editors), every name met and what it refers to.
    record: Option<Recording>,
}

/// What the resolver records for [`crate::names::occurrences`].
#[derive(Default)]
struct Recording {
    found: Vec<Occurrence>,
    /// Functions numbered so far.
    functions: u32,
    /// The captured slots of each function, by (function, slot): the variable they copy.
    captures: HashMap<(u32, u32), Target>,
    /// The target of the function about to be resolved's own name.
    pending_self: Option<Target>,
}

/// Resolves a program against the session's globals and library.
pub(crate) fn resolve_program(
    program: &ast::Program,
    globals: &mut GlobalNames,
    library: &'static Library,
) -> (Vec<Stmt>, Vec<Diagnostic>) {
    let (stmts, diags, _) = resolve(program, globals, library, None);
    (stmts, diags)
}

/// Resolves a program, recording every name it meets and what it refers to.
pub(crate) fn resolve_program_recording(
    program: &ast::Program,
    globals: &mut GlobalNames,
    library: &'static Library,
) -> (Vec<Stmt>, Vec<Occurrence>, Vec<Diagnostic>) {
    let (stmts, diags, recording) = resolve(program, globals, library, Some(Recording::default()));
    (stmts, recording.map(|r| r.found).unwrap_or_default(), diags)
}

fn resolve(
    program: &ast::Program,
    globals: &mut GlobalNames,
    library: &'static Library,
    record: Option<Recording>,
) -> (Vec<Stmt>, Vec<Diagnostic>, Option<Recording>) {
    // Every name assigned at top level is a global, known before any statement is
    // resolved, so functions may refer to globals defined further down.
    let mut assigned = Vec::new();
    collect_assigned(&program.stmts, &mut assigned);
    for name in &assigned {
        globals.slot(name);
    }
    let mut r = Resolver {
        globals,
        library,
        scopes: Vec::new(),
        diags: Vec::new(),
        depth: 0,
        loops: 0,
        value_blocks: 0,
        reported: HashSet::new(),
        record,
    };
    let stmts = r.stmts(&program.stmts);
    (stmts, r.diags, r.record)
}

/// Collects the names a statement list assigns (not looking inside nested functions).
fn collect_assigned(stmts: &[ast::Stmt], out: &mut Vec<Rc<str>>) {
    for s in stmts {
        match &s.node {
            S::Assign { targets, .. } => out.extend(targets.iter().map(|t| t.root.node.clone())),
            S::FnDef(def) => {
                if let Some(n) = &def.name {
                    out.push(n.node.clone());
                }
            }
            S::If { branches, else_block } => {
                for (_, b) in branches {
                    collect_assigned(&b.stmts, out);
                }
                if let Some(b) = else_block {
                    collect_assigned(&b.stmts, out);
                }
            }
            S::While { body, .. } => collect_assigned(&body.stmts, out),
            S::For { var, body, .. } => {
                out.push(var.node.clone());
                collect_assigned(&body.stmts, out);
            }
            S::Block(b) => collect_assigned(&b.stmts, out),
            S::Expr(_) | S::Break | S::Continue | S::Return(_) | S::Error => {}
        }
    }
}

impl Resolver<'_> {
    /// Records an occurrence of a name (when recording).
    fn note(&mut self, span: Span, target: Target, role: Role) {
        if let Some(r) = &mut self.record {
            r.found.push(Occurrence { span, target, role });
        }
    }

    /// What `var`, as seen from the innermost function, refers to.
    fn target_of(&self, var: Var) -> Target {
        match var {
            Var::Global(g) => Target::Global(g),
            Var::Local(slot) => {
                let function = self.scopes.last().map_or(0, |s| s.id);
                self.local_target(function, slot)
            }
        }
    }

    /// A local slot, or the variable it was captured from.
    fn local_target(&self, function: u32, slot: u32) -> Target {
        let local = Target::Local { function, slot };
        self.record.as_ref().and_then(|r| r.captures.get(&(function, slot)).copied()).unwrap_or(local)
    }

    fn error(&mut self, kind: ErrorKind, span: Span) {
        self.diags.push(RuntimeError::new(kind, span).to_diagnostic());
    }

    fn stmts(&mut self, stmts: &[ast::Stmt]) -> Vec<Stmt> {
        stmts.iter().filter_map(|s| self.stmt(s)).collect()
    }

    fn block(&mut self, b: &ast::Block) -> Vec<Stmt> {
        // Blocks nest through statements, not expressions: the stack grows here too.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.stmts(&b.stmts))
    }

    fn stmt(&mut self, s: &ast::Stmt) -> Option<Stmt> {
        let span = s.span;
        let kind = match &s.node {
            S::Expr(e) => StmtKind::Expr(self.expr(e)),
            S::Assign { targets, op, value } => {
                let value = self.expr(value);
                if targets.len() == 1 {
                    let place = self.place(&targets[0]);
                    match (place.path.is_empty(), op) {
                        (true, None) => {
                            let code = fast::worth_compiling(&value).then(|| fast::compile(&value)).flatten();
                            StmtKind::SetVar(place.root, value, code)
                        }
                        (true, Some(op)) => StmtKind::OpVar(place.root, *op, value),
                        (false, op) => {
                            let store = match (&place.element, place.path.as_slice()) {
                                (Some(plan), [Accessor::Index(ix, _)]) => {
                                    fast::store(place.root, plan, ix.len(), *op, &value)
                                }
                                _ => None,
                            };
                            StmtKind::SetPlace(place, *op, value, store)
                        }
                    }
                } else {
                    let places = targets.iter().map(|t| self.place(t)).collect();
                    StmtKind::Destructure(places, value)
                }
            }
            S::FnDef(def) => {
                let name = def.name.as_ref().map(|n| n.node.clone()).unwrap_or_else(|| Rc::from("<lambda>"));
                let var = self.assign_var(&name);
                if self.record.is_some() {
                    let target = self.target_of(var);
                    if let Some(n) = &def.name {
                        self.note(n.span, target, Role::Function);
                    }
                    if let Some(r) = &mut self.record {
                        r.pending_self = Some(target);
                    }
                }
                let lambda = self.function(def, span);
                StmtKind::SetVar(var, lambda, None)
            }
            S::If { branches, else_block } => {
                let branches = branches.iter().map(|(c, b)| (self.expr(c), self.block(b))).collect();
                let else_block = else_block.as_ref().map(|b| self.block(b));
                StmtKind::If(branches, else_block)
            }
            S::While { cond, body } => {
                let cond = self.expr(cond);
                self.loops += 1;
                let body = self.block(body);
                self.loops -= 1;
                StmtKind::While(cond, body)
            }
            S::For { var, iter, body } => {
                let iter = self.expr(iter);
                let v = self.assign_var(&var.node);
                self.note(var.span, self.target_of(v), Role::LoopVar);
                self.loops += 1;
                let body = self.block(body);
                self.loops -= 1;
                StmtKind::For(v, iter, body)
            }
            S::Break | S::Continue | S::Return(_) if self.value_blocks > 0 => {
                let keyword = match s.node {
                    S::Break => "break",
                    S::Continue => "continue",
                    _ => "return",
                };
                self.error(ErrorKind::ControlInValue { keyword }, span);
                return None;
            }
            S::Break | S::Continue => {
                let keyword = if matches!(s.node, S::Break) { "break" } else { "continue" };
                if self.loops == 0 {
                    self.error(ErrorKind::MisplacedControl { keyword }, span);
                    return None;
                }
                if keyword == "break" {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                }
            }
            S::Return(e) => {
                if self.scopes.is_empty() {
                    self.error(ErrorKind::MisplacedControl { keyword: "return" }, span);
                    return None;
                }
                StmtKind::Return(e.as_ref().map(|e| self.expr(e)))
            }
            S::Block(b) => StmtKind::Block(self.block(b)),
            S::Error => return None,
        };
        Some(Stmt { kind, span })
    }

    /// The variable an assignment to `name` writes: a local inside functions, else a global.
    fn assign_var(&mut self, name: &Rc<str>) -> Var {
        match self.scopes.last_mut() {
            Some(scope) => match scope.locals.get(name) {
                Some(&slot) => Var::Local(slot),
                None => {
                    // Pre-scan registered every assigned name; this is only reached for
                    // names introduced by constructs the pre-scan does not see.
                    let slot = scope.nslots;
                    scope.nslots += 1;
                    scope.locals.insert(name.clone(), slot);
                    Var::Local(slot)
                }
            },
            None => Var::Global(self.globals.slot(name)),
        }
    }

    fn place(&mut self, p: &ast::Place) -> Place {
        let root = self.assign_var(&p.root.node);
        self.note(p.root.span, self.target_of(root), Role::Write);
        let path: Vec<Accessor> = p
            .path
            .iter()
            .map(|a| match a {
                AAccessor::Index(ix, span) => Accessor::Index(ix.iter().map(|e| self.expr(e)).collect(), *span),
                AAccessor::Field(f) => {
                    self.note(f.span, Target::Field, Role::Label);
                    Accessor::Field(f.node.clone(), f.span)
                }
            })
            .collect();
        let element = match path.as_slice() {
            [Accessor::Index(ix, _)] if (1..=2).contains(&ix.len()) && ix.iter().all(crate::hir::pure) => {
                Some(crate::hir::IndexOp::plan(ix))
            }
            _ => None,
        };
        Place { root, name: p.root.node.clone(), path, span: p.span, element }
    }

    /// Resolves a function definition into a closure-creating expression.
    fn function(&mut self, def: &ast::FnDef, span: Span) -> Expr {
        let name: Rc<str> = def.name.as_ref().map(|n| n.node.clone()).unwrap_or_else(|| Rc::from("<lambda>"));
        let (id, self_target) = match &mut self.record {
            Some(r) => {
                r.functions += 1;
                (r.functions, r.pending_self.take())
            }
            None => (0, None),
        };
        let mut scope = FnScope {
            name: def.name.as_ref().map(|n| n.node.clone()),
            locals: HashMap::new(),
            nslots: 0,
            captures: Vec::new(),
            capture_names: HashMap::new(),
            recursive: false,
            id,
            self_target,
        };
        let mut seen = HashSet::new();
        for p in &def.params {
            if !seen.insert(p.name.node.clone()) {
                self.error(ErrorKind::DuplicateArgument { name: p.name.node.to_string() }, p.name.span);
            }
            let slot = scope.locals.get(&p.name.node).copied().unwrap_or(scope.nslots);
            self.note(p.name.span, Target::Local { function: id, slot }, Role::Parameter);
            scope.locals.insert(p.name.node.clone(), scope.nslots);
            scope.nslots += 1;
        }
        if let FnBody::Block(b) = &def.body {
            let mut assigned = Vec::new();
            collect_assigned(&b.stmts, &mut assigned);
            for n in assigned {
                if !scope.locals.contains_key(&n) {
                    scope.locals.insert(n, scope.nslots);
                    scope.nslots += 1;
                }
            }
        }
        self.scopes.push(scope);
        let saved_loops = std::mem::replace(&mut self.loops, 0);
        let saved_value_blocks = std::mem::replace(&mut self.value_blocks, 0);
        let params = def
            .params
            .iter()
            .map(|p| Param { name: p.name.node.clone(), default: p.default.as_ref().map(|d| self.expr(d)) })
            .collect();
        let body = match &def.body {
            FnBody::Expr(e) => Body::Expr(self.expr(e)),
            FnBody::Block(b) => Body::Block(self.block(b)),
        };
        self.loops = saved_loops;
        self.value_blocks = saved_value_blocks;
        let scope = self.scopes.pop().unwrap_or_else(|| FnScope {
            name: None,
            locals: HashMap::new(),
            nslots: 0,
            captures: Vec::new(),
            capture_names: HashMap::new(),
            recursive: false,
            id: 0,
            self_target: None,
        });
        let ncaptures = scope.captures.len() as u32;
        let proto = Proto { name, params, nslots: scope.nslots, ncaptures, recursive: scope.recursive, body };
        let sources = scope.captures.into_iter().map(|(_, v)| v).collect();
        Expr { kind: ExprKind::Lambda(Rc::new(proto), sources), span }
    }

    /// Looks `name` up from function scope `level` (exclusive upper bound) outwards.
    fn lookup(&mut self, name: &Rc<str>, level: usize) -> Option<Result<Var, ()>> {
        if level == 0 {
            return self.globals.map.get(name).map(|&i| Ok(Var::Global(i)));
        }
        let scope = &self.scopes[level - 1];
        if let Some(&slot) = scope.locals.get(name) {
            return Some(Ok(Var::Local(slot)));
        }
        if let Some(&k) = scope.capture_names.get(name) {
            return Some(Ok(Var::Local(scope.nslots - scope.captures.len() as u32 + k as u32)));
        }
        if scope.name.as_ref() == Some(name) {
            return Some(Err(()));
        }
        let is_lambda = scope.name.is_none();
        match self.lookup(name, level - 1)? {
            // A lambda copies the values it uses when it is created, globals included;
            // named functions read globals when they run.
            Ok(source @ Var::Global(_)) if is_lambda => Some(Ok(self.add_capture(level - 1, name, source))),
            Ok(source @ Var::Local(_)) => Some(Ok(self.add_capture(level - 1, name, source))),
            Ok(Var::Global(g)) => Some(Ok(Var::Global(g))),
            // The enclosing function's own name: capture it like any other value when it
            // is a local there; otherwise it is reached as a global.
            Err(()) => self.globals.map.get(name).map(|&i| Ok(Var::Global(i))),
        }
    }

    /// Adds a captured variable to function scope `index`, copied from `source` in the
    /// enclosing scope when the function is created; returns its slot.
    fn add_capture(&mut self, index: usize, name: &Rc<str>, source: Var) -> Var {
        if self.record.is_some() {
            let from = match source {
                Var::Global(g) => Target::Global(g),
                Var::Local(s) => {
                    let parent = index.checked_sub(1).and_then(|i| self.scopes.get(i)).map_or(0, |p| p.id);
                    self.local_target(parent, s)
                }
            };
            let (id, slot) = (self.scopes[index].id, self.scopes[index].nslots);
            if let Some(r) = &mut self.record {
                r.captures.insert((id, slot), from);
            }
        }
        let scope = &mut self.scopes[index];
        // Captures sit after every other slot; the pre-scan fixed the locals, so appending
        // keeps the layout [params, locals, captures].
        let slot = scope.nslots;
        scope.nslots += 1;
        scope.capture_names.insert(name.clone(), scope.captures.len());
        scope.captures.push((name.clone(), source));
        Var::Local(slot)
    }

    fn name(&mut self, name: &Rc<str>, span: Span) -> ExprKind {
        match self.lookup(name, self.scopes.len()) {
            Some(Ok(v)) => {
                self.note(span, self.target_of(v), Role::Read);
                return ExprKind::Var(v, name.clone());
            }
            Some(Err(())) => {
                // Only the innermost function's own name resolves to itself.
                let mut target = Target::Unknown;
                if let Some(scope) = self.scopes.last_mut() {
                    scope.recursive = true;
                    target = scope.self_target.unwrap_or(Target::Unknown);
                }
                self.note(span, target, Role::Read);
                return ExprKind::SelfFn;
            }
            None => {}
        }
        if let Some(b) = self.library.builtins.iter().find(|b| b.name == &**name) {
            self.note(span, Target::Builtin, Role::Read);
            return ExprKind::Builtin(b);
        }
        if let Some(c) = self.library.constants.iter().find(|c| c.name == &**name) {
            self.note(span, Target::Constant, Role::Read);
            return ExprKind::Num(c.value);
        }
        self.note(span, Target::Unknown, Role::Read);
        if !self.reported.insert(name.clone()) {
            return ExprKind::Nothing;
        }
        if let Some(f) = find_foreign(self.library.foreign, name) {
            self.error(
                ErrorKind::UnknownName { name: name.to_string(), suggestion: None, hint: Some(NameHint::Foreign(f)) },
                span,
            );
            return ExprKind::Nothing;
        }
        let mut candidates: Vec<&str> = self.library.builtins.iter().map(|b| b.name).collect();
        candidates.extend(self.library.constants.iter().map(|c| c.name));
        candidates.extend(self.globals.names.iter().map(|n| &**n));
        for s in &self.scopes {
            candidates.extend(s.locals.keys().map(|n| &**n));
        }
        candidates.extend(KEYWORDS.iter().copied());
        let suggestion = closest(name, candidates.into_iter());
        self.error(ErrorKind::UnknownName { name: name.to_string(), suggestion, hint: None }, span);
        ExprKind::Nothing
    }

    /// Is `name` unknown here (no variable, builtin or constant of that name)?
    fn is_unknown(&mut self, name: &Rc<str>) -> bool {
        self.lookup(name, self.scopes.len()).is_none()
            && !self.library.builtins.iter().any(|b| b.name == &**name)
            && !self.library.constants.iter().any(|c| c.name == &**name)
    }

    /// `np.linalg.eig`, `math.pi`: a chain of fields on an unknown name, reported as one
    /// unknown dotted name with what MML writes instead. `None` when `e` is not such a chain
    /// or when the root is known (then the fields are read at run time).
    fn dotted_name(&mut self, e: &ast::Expr) -> Option<ExprKind> {
        let mut parts: Vec<&str> = Vec::new();
        let mut cur = e;
        let root = loop {
            match &cur.node {
                A::Field(base, field) => {
                    parts.push(&field.node);
                    cur = base;
                }
                A::Ident(root) => break root,
                _ => return None,
            }
        };
        if !self.is_unknown(root) {
            return None;
        }
        parts.push(root);
        parts.reverse();
        let path: Rc<str> = Rc::from(parts.join("."));
        if !self.reported.insert(path.clone()) {
            return Some(ExprKind::Nothing);
        }
        let last = parts.last().copied().unwrap_or_default();
        let module = parts[..parts.len() - 1].join(".");
        let is_module = FOREIGN_MODULES.contains(&&**root);
        let hint = if let Some(f) = find_foreign(self.library.foreign, &path) {
            Some(NameHint::Foreign(f))
        } else if is_module
            && (self.library.builtins.iter().any(|b| b.name == last)
                || self.library.constants.iter().any(|c| c.name == last))
        {
            Some(NameHint::Prefixed { module, builtin: last.to_string() })
        } else if is_module {
            Some(NameHint::Module { module: root.to_string() })
        } else {
            None
        };
        let Some(hint) = hint else {
            // An ordinary unknown name with fields: report the name itself.
            self.reported.remove(&path);
            return None;
        };
        self.error(ErrorKind::UnknownName { name: path.to_string(), suggestion: None, hint: Some(hint) }, e.span);
        Some(ExprKind::Nothing)
    }

    fn expr(&mut self, e: &ast::Expr) -> Expr {
        self.depth += 1;
        let kind = if self.depth > MAX_NESTING {
            self.diags.push(
                Diagnostic::error("nesting-limit", "expression nested too deeply")
                    .with_primary(e.span, format!("more than {MAX_NESTING} levels"))
                    .with_help("split the expression into several assignments"),
            );
            self.depth = usize::MAX / 2;
            ExprKind::Nothing
        } else {
            stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_kind(e))
        };
        self.depth -= 1;
        let chain = matches!(
            kind,
            ExprKind::Binary(..)
                | ExprKind::Unary(..)
                | ExprKind::Transpose(..)
                | ExprKind::Call(..)
                | ExprKind::Index(..)
                | ExprKind::Element(..)
                | ExprKind::Field(..)
        );
        if chain && self.depth.is_multiple_of(DEEP_EVERY) && self.depth > 0 {
            return Expr { kind: ExprKind::Deep(Deep::new(Expr { kind, span: e.span })), span: e.span };
        }
        Expr { kind, span: e.span }
    }

    fn boxed(&mut self, e: &ast::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn expr_kind(&mut self, e: &ast::Expr) -> ExprKind {
        match &e.node {
            A::Num(x) => ExprKind::Num(*x),
            A::Imag(x) => ExprKind::Imag(*x),
            A::Bool(b) => ExprKind::Bool(*b),
            A::Nothing | A::Error => ExprKind::Nothing,
            A::Str(parts) => {
                if parts.iter().all(|p| matches!(p, ast::StrPart::Lit(_))) {
                    let s: String = parts
                        .iter()
                        .filter_map(|p| if let ast::StrPart::Lit(s) = p { Some(s.as_str()) } else { None })
                        .collect();
                    ExprKind::Str(Rc::new(s))
                } else {
                    ExprKind::Interp(
                        parts
                            .iter()
                            .map(|p| match p {
                                ast::StrPart::Lit(s) => StrPart::Lit(Rc::from(s.as_str())),
                                ast::StrPart::Interp(e) => StrPart::Expr(self.expr(e)),
                            })
                            .collect(),
                    )
                }
            }
            A::Ident(name) => self.name(name, e.span),
            A::End => ExprKind::End,
            A::Colon => ExprKind::Colon,
            A::Matrix(rows) => {
                ExprKind::Matrix(rows.iter().map(|r| r.iter().map(|x| self.expr(x)).collect()).collect())
            }
            A::List(items) => ExprKind::List(items.iter().map(|x| self.expr(x)).collect()),
            A::Record(fields) => {
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                for (name, value) in fields {
                    if !seen.insert(name.node.clone()) {
                        self.diags.push(
                            Diagnostic::error("duplicate-field", format!("field `{}` is given twice", name.node))
                                .with_primary(name.span, "given again here"),
                        );
                    }
                    self.note(name.span, Target::Field, Role::Label);
                    out.push((name.node.clone(), self.expr(value)));
                }
                ExprKind::Record(out)
            }
            A::Range { start, step, stop } => {
                ExprKind::Range(self.boxed(start), step.as_ref().map(|s| self.boxed(s)), self.boxed(stop))
            }
            A::Unary(op, x) => ExprKind::Unary(*op, self.boxed(x)),
            A::Binary(op, l, r) => ExprKind::Binary(*op, self.boxed(l), self.boxed(r)),
            A::Transpose(x) => ExprKind::Transpose(self.boxed(x)),
            A::Call(f, args) => {
                let f = self.boxed(f);
                let args = args
                    .iter()
                    .map(|a| {
                        if let Some(n) = &a.name {
                            self.note(n.span, Target::ArgName, Role::Label);
                        }
                        Arg { name: a.name.as_ref().map(|n| (n.node.clone(), n.span)), value: self.expr(&a.value) }
                    })
                    .collect();
                ExprKind::Call(f, args)
            }
            A::Index(base, ix) => {
                let base = self.boxed(base);
                let ix: Vec<Expr> = ix.iter().map(|x| self.expr(x)).collect();
                match base.kind {
                    ExprKind::Var(var, ref name) if (1..=2).contains(&ix.len()) && ix.iter().all(crate::hir::pure) => {
                        let plan = crate::hir::IndexOp::plan(&ix);
                        ExprKind::Element(Box::new(crate::hir::Element {
                            var,
                            name: name.clone(),
                            base_span: base.span,
                            read: fast::element(var, &plan, ix.len()),
                            ix,
                            plan,
                        }))
                    }
                    _ => ExprKind::Index(base, ix),
                }
            }
            A::Field(base, name) => match self.dotted_name(e) {
                Some(kind) => kind,
                None => {
                    let base = self.boxed(base);
                    self.note(name.span, Target::Field, Role::Label);
                    ExprKind::Field(base, name.node.clone())
                }
            },
            A::Lambda(def) => self.function(def, e.span).kind,
            A::If { branches, else_block } => {
                let mut out = Vec::with_capacity(branches.len());
                for (c, b) in branches {
                    let cond = self.expr(c);
                    self.value_blocks += 1;
                    out.push((cond, self.block(b)));
                    self.value_blocks -= 1;
                }
                self.value_blocks += 1;
                let else_block = else_block.as_ref().map(|b| self.block(b));
                self.value_blocks -= 1;
                ExprKind::If(out, else_block)
            }
        }
    }
}

/// The candidate closest to `name` by edit distance, if close enough to suggest.
pub(crate) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // The edit distance is at least the difference in length: checked first, so that a
        // name of 100,000 letters costs nothing to compare.
        if c == name || c.chars().count().abs_diff(len) > limit {
            continue;
        }
        // Case does not count against a candidate (`a` for `A`); a candidate must share a
        // letter with the name, so a one-letter name is not matched with every other one.
        let d = if c.to_lowercase() == lower { 0 } else { strsim::damerau_levenshtein(name, c) };
        let shares = c.chars().any(|x| name.chars().any(|y| x.eq_ignore_ascii_case(&y)));
        if d <= limit && shares && short_edit_ok(name, c) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// For a short name (four letters or fewer) one changed letter usually makes another word
/// (`proj` and `prod`, `ans` and `abs`, `ref` and `re`), so only edits that keep the word are
/// suggested: a different case, two swapped letters, a different digit (`x2` for `x1`), a
/// letter left out (`dta` for `data`, `zero` for `zeros`), or one too many when three letters
/// remain (`eyes` for `eye`).
fn short_edit_ok(name: &str, candidate: &str) -> bool {
    let a: Vec<char> = name.chars().collect();
    let b: Vec<char> = candidate.chars().collect();
    if a.len() > 4 || name.to_lowercase() == candidate.to_lowercase() {
        return true;
    }
    if a.len() == b.len() {
        let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        return match diff[..] {
            [i] => a[i].is_ascii_digit() && b[i].is_ascii_digit(),
            [i, j] => j == i + 1 && a[i] == b[j] && a[j] == b[i],
            _ => false,
        };
    }
    // A letter left out (`dta` for `data`) is a typo; a letter too many is one only when
    // what is left is still a word of three letters (`ref` is not `re`).
    let (short, long) = if a.len() < b.len() { (&a, &b) } else { (&b, &a) };
    (b.len() > a.len() || b.len() >= 3)
        && long.len() == short.len() + 1
        && (0..long.len()).any(|k| {
            let mut l = long.clone();
            l.remove(k);
            l == *short
        })
}

#[cfg(test)]
mod tests {
    use super::closest;

    fn suggest(name: &str, candidates: &[&str]) -> Option<String> {
        closest(name, candidates.iter().copied())
    }

    #[test]
    fn suggestions_are_near_misses_not_any_short_name() {
        assert_eq!(suggest("pritn", &["print", "prod"]), Some("print".into()));
        assert_eq!(suggest("x2", &["x1", "y"]), Some("x1".into()));
        // Case alone does not count against a candidate.
        assert_eq!(suggest("A", &["e", "a"]), Some("a".into()));
        assert_eq!(suggest("Linspace", &["linspace"]), Some("linspace".into()));
        // A one-letter name is not matched with an unrelated one-letter name.
        assert_eq!(suggest("A", &["e", "pi"]), None);
        assert_eq!(suggest("q", &["e"]), None);
    }

    #[test]
    fn a_short_name_is_not_matched_with_another_word() {
        assert_eq!(suggest("proj", &["prod", "print"]), None);
        assert_eq!(suggest("ans", &["abs", "and"]), None);
        assert_eq!(suggest("ref", &["re"]), None);
        assert_eq!(suggest("sun", &["sum"]), None);
        // Edits that keep the word are still suggested.
        assert_eq!(suggest("zero", &["zeros", "norm"]), Some("zeros".into()));
        assert_eq!(suggest("dta", &["data"]), Some("data".into()));
        assert_eq!(suggest("eyes", &["eye"]), Some("eye".into()));
        assert_eq!(suggest("mena", &["mean"]), Some("mean".into()));
        assert_eq!(suggest("x3", &["x1", "y"]), Some("x1".into()));
        assert_eq!(suggest("Eye", &["eye"]), Some("eye".into()));
        assert_eq!(suggest("lenght", &["length"]), Some("length".into()));
        assert_eq!(suggest("linspce", &["linspace"]), Some("linspace".into()));
    }
}
