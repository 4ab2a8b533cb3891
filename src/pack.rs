//! Where rule files come from: the pack built into the binary, or files and folders on disk.
//! Both resolve `include` paths relative to the including file, and name each file by its
//! normalised path so that a file included twice is loaded once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Error};
use crate::ir::RuleSet;
use crate::limits::Limits;
use crate::source::{files_under, normalise, SourceFile};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/pack.rs"));
}

/// The shipped rule pack's files, as `(path, text)`.
pub fn files() -> &'static [(&'static str, &'static str)] {
    embedded::PACK
}

fn include_target(from: &SourceFile, path: &str) -> PathBuf {
    let base = Path::new(from.name()).parent().unwrap_or(Path::new(""));
    normalise(&base.join(path))
}

/// The word that names the built-in pack among `--rules` paths, so that users layer their
/// own rule files on it (`--rules builtin --rules my-policy.cg`).
pub const BUILTIN: &str = "builtin";

/// The folder the built-in pack's file names start with.
const BUILTIN_ROOT: &str = "rules";

/// The built-in pack's files as sources.
fn builtin_roots() -> Vec<Arc<SourceFile>> {
    files()
        .iter()
        .map(|(name, text)| SourceFile::new(*name, *text))
        .collect()
}

/// The built-in file an include names.
fn builtin_include(from: &SourceFile, path: &str) -> Result<Arc<SourceFile>, String> {
    let key = include_target(from, path)
        .to_string_lossy()
        .replace('\\', "/");
    files()
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(name, text)| SourceFile::new(*name, *text))
        .ok_or_else(|| format!("`{key}` is not part of the built-in rule pack"))
}

/// Compiles the shipped pack.
pub fn builtin(limits: &Limits) -> Result<RuleSet, Error> {
    let mut rules = crate::compile::compile(builtin_roots(), &builtin_include, limits)?;
    rules.digest = digest(&rules.sources, &[PathBuf::from(BUILTIN_ROOT)]);
    Ok(rules)
}

/// `sha256:…` over every rule file's name and text, each name relative to the root it was
/// found under (the folder named by `--rules`, the folder of a file named by `--rules`, or
/// `rules/` for the built-in pack), so that the same rules give the same digest from any
/// path. A file included from outside every root keeps its name as read.
pub(crate) fn digest(sources: &[Arc<SourceFile>], roots: &[PathBuf]) -> String {
    use sha2::{Digest, Sha256};
    let relative = |name: &str| -> String {
        let path = Path::new(name);
        roots
            .iter()
            .filter_map(|r| path.strip_prefix(r).ok())
            .min_by_key(|rest| rest.components().count())
            .map_or_else(
                || name.to_string(),
                |rest| rest.to_string_lossy().replace('\\', "/"),
            )
    };
    let mut names: Vec<(String, &str)> = sources
        .iter()
        .map(|s| (relative(s.name()), s.text()))
        .collect();
    names.sort();
    let mut hasher = Sha256::new();
    for (name, text) in names {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    format!("sha256:{:x}", hasher.finalize())
}

/// Compiles rule files and folders from disk (a folder contributes every `.cg` file in it,
/// recursively, in name order); `builtin` among the paths adds the built-in pack, so that a
/// user's rule files are layered on it without copying it.
pub fn from_paths(paths: &[PathBuf], limits: &Limits) -> Result<RuleSet, Error> {
    let mut roots = Vec::new();
    let mut errors = Vec::new();
    let mut bases: Vec<PathBuf> = Vec::new();
    // The built-in pack's files, by identity: their includes resolve within the pack (a
    // file on disk may have the same name).
    let builtin: std::cell::RefCell<Vec<Arc<SourceFile>>> = std::cell::RefCell::new(Vec::new());
    for path in paths {
        if path.as_os_str() == BUILTIN && !path.exists() {
            let pack = builtin_roots();
            builtin.borrow_mut().extend(pack.iter().cloned());
            roots.extend(pack);
            bases.push(PathBuf::from(BUILTIN_ROOT));
        } else if path.is_dir() {
            bases.push(normalise(path));
            let found = files_under(path, &["cg"]);
            if found.is_empty() {
                errors.push(
                    Diagnostic::error(
                        Code::RulesEmptyFolder,
                        format!("`{}` holds no `.cg` rule files", path.display()),
                    )
                    .help("rule files end in `.cg`"),
                );
            }
            for f in found {
                // One file past the limit is enough for the compiler to refuse, located.
                if roots.len() > limits.max_rule_files {
                    break;
                }
                match read_rule_file(&f, limits) {
                    Ok(s) => roots.push(s),
                    Err(d) => errors.push(d),
                }
            }
        } else {
            bases.push(
                normalise(path)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
            );
            match read_rule_file(path, limits) {
                Ok(s) => roots.push(s),
                Err(d) => errors.push(d),
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::from(errors));
    }
    let resolve = |from: &SourceFile, path: &str| -> Result<Arc<SourceFile>, String> {
        let from_pack = builtin
            .borrow()
            .iter()
            .any(|b| std::ptr::eq(b.as_ref(), from));
        if from_pack {
            let found = builtin_include(from, path)?;
            builtin.borrow_mut().push(Arc::clone(&found));
            return Ok(found);
        }
        read_rule_file(&include_target(from, path), limits).map_err(|d| d.message)
    };
    let mut rules = crate::compile::compile(roots, &resolve, limits)?;
    rules.digest = digest(&rules.sources, &bases);
    Ok(rules)
}

/// Compiles rule texts held in memory; includes resolve among the given names.
pub fn from_sources(sources: &[(String, String)], limits: &Limits) -> Result<RuleSet, Error> {
    let mut roots: Vec<Arc<SourceFile>> = Vec::with_capacity(sources.len());
    let mut errors = Vec::new();
    for (n, t) in sources {
        let name = normalise(Path::new(n)).to_string_lossy().replace('\\', "/");
        if t.len() > limits.max_file_bytes {
            // The same refusal as for a file on disk.
            match crate::facts::decode(&name, t.as_bytes().to_vec(), limits) {
                Err(e) => errors.extend(e.diagnostics),
                Ok(s) => roots.push(s),
            }
            continue;
        }
        roots.push(SourceFile::new(name, t.as_str()));
    }
    if !errors.is_empty() {
        return Err(Error::from(errors));
    }
    let all = roots.clone();
    let resolve = move |from: &SourceFile, path: &str| -> Result<Arc<SourceFile>, String> {
        let key = include_target(from, path)
            .to_string_lossy()
            .replace('\\', "/");
        all.iter()
            .find(|s| s.name() == key)
            .cloned()
            .ok_or_else(|| format!("no rule source is named `{key}`"))
    };
    crate::compile::compile(roots, &resolve, limits)
}

fn read_rule_file(path: &Path, limits: &Limits) -> Result<Arc<SourceFile>, Diagnostic> {
    let name = normalise(path).to_string_lossy().replace('\\', "/");
    // Never read more than the size limit (and one byte to tell that it is over).
    let cap = u64::try_from(limits.max_file_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| {
        use std::io::Read;
        f.take(cap).read_to_end(&mut bytes)
    });
    read.map_err(|e| {
        Diagnostic::error(
            Code::RulesUnreadable,
            format!("cannot read rule file `{name}`: {e}"),
        )
        .help("check the path given to --rules")
    })?;
    crate::facts::decode(&name, bytes, limits).map_err(|e| {
        e.diagnostics
            .into_iter()
            .next()
            .unwrap_or_else(|| Diagnostic::error(Code::RulesUnreadable, "unreadable"))
    })
}
