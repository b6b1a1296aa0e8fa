//! The output directory: rendering a bundle into files, the manifest, atomic writes, and
//! `--check` (compare instead of write), and `diff`.

pub mod diff;
pub mod review;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::build::Bundle;
use crate::build::catalog::History;
use crate::build::layout::StackKind;
use crate::render::Format;

/// Name of the manifest file.
pub const MANIFEST: &str = "manifest.json";
/// Version of the manifest format.
pub const MANIFEST_VERSION: u32 = 1;

/// The manifest: every file written, with its hash, stack and deploy order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format version.
    pub studioform: u32,
    /// Org name.
    pub org: String,
    /// Template format.
    pub format: Format,
    /// Every file except the manifest itself: stacks in deploy order, then products.
    pub files: Vec<Entry>,
    /// Every version of every product published so far, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<History>,
}

/// One file of the output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// sha256 of the content, hex.
    pub sha256: String,
    /// What the file is.
    pub kind: FileKind,
    /// CloudFormation stack name (stacks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Deploy order: deploy every stack of order n before any of order n+1 (stacks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
    /// Number of resources in the template (templates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<usize>,
    /// Products only: the key `publish` uploads the file to, under its `--prefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Users stacks only: the profiles it holds. The next `synth` keeps each of them there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<crate::build::Placement>,
}

/// What a file of the output is: a template of some kind of stack, or the README. Written
/// as the stack kind's own name (`domain`, `users`, `stack-set`...), or `readme`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// The README.
    Readme,
    /// A template.
    #[serde(untagged)]
    Stack(StackKind),
}

/// A file to write: path relative to the output directory, and content.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Relative path, `/`-separated.
    pub path: String,
    /// Content.
    pub content: String,
    /// Hex sha256 of the content.
    pub sha256: String,
}

impl File {
    /// A file with `content` at `path`.
    pub fn new(path: String, content: String) -> Self {
        let sha256 = sha256(&content);
        Self { path, content, sha256 }
    }
}

/// Hex sha256 of `content`.
pub fn sha256(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    hex
}

/// A row of the output README.
#[derive(Serialize)]
struct ReadmeStack<'a> {
    order: u32,
    name: &'a str,
    path: &'a str,
    holds: &'static str,
    portfolio: bool,
    stackset: bool,
}

/// A product row of the output README.
#[derive(Serialize)]
struct ReadmeProduct<'a> {
    name: &'a str,
    path: &'a str,
    key: &'a str,
    version: &'a str,
}

/// The output README, rendered from `templates/readme.md.hbs`.
pub const README_TEMPLATE: &str = include_str!("../../templates/readme.md.hbs");

/// Renders every stack and product of `bundle`, the README and the manifest, in a stable order.
/// The first `bundle.stacks.len()` files are the stacks', in the same order.
pub fn render(org: &str, bundle: &Bundle, format: Format) -> Vec<File> {
    let mut files = Vec::with_capacity(bundle.stacks.len() + 2);
    let mut manifest = Manifest {
        studioform: MANIFEST_VERSION,
        org: org.to_owned(),
        format,
        files: Vec::new(),
        products: bundle.products.clone(),
    };
    let rendered = crate::par_map(&bundle.stacks, |stack| {
        File::new(format!("{}.{}", stack.file_stem(), format.extension()), format.render(stack.json()))
    });
    for (stack, file) in bundle.stacks.iter().zip(rendered) {
        let product = stack.kind == StackKind::Product;
        manifest.files.push(Entry {
            path: file.path.clone(),
            sha256: file.sha256.clone(),
            kind: FileKind::Stack(stack.kind),
            stack: (!product).then(|| stack.name.clone()),
            order: stack.kind.order(),
            resources: Some(stack.resource_count()),
            key: stack.key.clone(),
            placement: stack.placement.clone(),
        });
        files.push(file);
    }
    let readme = readme(org, bundle, &manifest);
    manifest.files.push(Entry {
        path: "README.md".into(),
        sha256: sha256(&readme),
        kind: FileKind::Readme,
        stack: None,
        order: None,
        resources: None,
        key: None,
        placement: None,
    });
    files.push(File::new("README.md".into(), readme));
    files.push(File::new(
        MANIFEST.to_owned(),
        crate::render::json(&serde_json::to_value(&manifest).unwrap_or_default()),
    ));
    files
}

fn readme(org: &str, bundle: &Bundle, manifest: &Manifest) -> String {
    let stacks: Vec<ReadmeStack<'_>> = manifest
        .files
        .iter()
        .filter_map(|e| {
            let FileKind::Stack(kind) = e.kind else { return None };
            Some(ReadmeStack {
                order: e.order?,
                name: e.stack.as_deref()?,
                path: &e.path,
                holds: kind.holds(),
                portfolio: kind == StackKind::Portfolio,
                stackset: kind == StackKind::StackSet,
            })
        })
        .collect();
    let products: Vec<ReadmeProduct<'_>> = manifest
        .files
        .iter()
        .filter(|e| e.kind == FileKind::Stack(StackKind::Product))
        .filter_map(|e| {
            let name = e.path.rsplit('/').next()?.rsplit_once('.')?.0;
            let history = bundle.products.iter().find(|h| h.name == name)?;
            Some(ReadmeProduct { name, path: &e.path, key: e.key.as_deref()?, version: &history.versions.last()?.name })
        })
        .collect();
    let data = serde_json::json!({"org": org, "stacks": stacks, "products": products});
    // The template ships with studioform and its data is built here: a failure is a bug.
    crate::render::prose(README_TEMPLATE, &data).unwrap_or_else(|e| format!("README template error: {e}\n"))
}

/// Reads the manifest in `dir`: `None` when there is none. A manifest that cannot be read,
/// does not parse, or names a file outside `dir` is an error: it is the estate's memory
/// (where each profile lives, every product version), and going on without it would
/// silently move people or forget versions.
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>, Error> {
    let path = dir.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::BadOutput { path, why: e.to_string() }),
    };
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| Error::BadOutput { path: path.clone(), why: e.to_string() })?;
    if let Some(bad) = manifest.files.iter().find(|e| !inside(&e.path)) {
        return Err(Error::BadOutput {
            path,
            why: format!("it lists `{}`, which is not a file inside the output directory", bad.path),
        });
    }
    Ok(Some(manifest))
}

/// True for a relative path that stays inside the directory it is joined to.
fn inside(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty() && p.components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// What the manifest of the output on disk (`on_disk`, from [`read_manifest`]) says later runs
/// must honour: product versions, and where each user profile lives.
pub fn previous(on_disk: Option<&Manifest>) -> crate::build::Previous {
    let Some(m) = on_disk else { return crate::build::Previous::default() };
    let mut placement: std::collections::HashMap<String, std::collections::HashMap<String, usize>> =
        std::collections::HashMap::new();
    for p in m.files.iter().filter_map(|e| e.placement.as_ref()) {
        let domain = placement.entry(p.domain.clone()).or_default();
        for name in &p.profiles {
            domain.entry(name.clone()).or_insert(p.shard);
        }
    }
    crate::build::Previous { products: m.products.clone(), placement }
}

/// How a file on disk differs from what `synth` would write.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Not on disk yet.
    Added(String),
    /// On disk with other content.
    Modified(String),
    /// On disk, listed in the old manifest, no longer written.
    Removed(String),
}

impl Change {
    /// The file's relative path.
    pub fn path(&self) -> &str {
        match self {
            Self::Added(p) | Self::Modified(p) | Self::Removed(p) => p,
        }
    }
}

/// What writing `files` into `dir`, whose manifest is `on_disk`, would change.
pub fn changes(dir: &Path, on_disk: Option<&Manifest>, files: &[File]) -> Vec<Change> {
    let mut out = Vec::new();
    let written: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for f in files {
        match fs::read(dir.join(&f.path)) {
            Ok(bytes) if bytes == f.content.as_bytes() => {}
            Ok(_) => out.push(Change::Modified(f.path.clone())),
            Err(_) => out.push(Change::Added(f.path.clone())),
        }
    }
    for e in on_disk.iter().flat_map(|m| &m.files) {
        if !written.contains(e.path.as_str()) && dir.join(&e.path).exists() {
            out.push(Change::Removed(e.path.clone()));
        }
    }
    out
}

/// Writes `files` into `dir` so that a failure leaves the previous output as it was: every
/// changed file is first written beside its target; only when all are written are they
/// renamed into place, the manifest last. Files the previous manifest listed and this run
/// does not write are removed; nothing else in `dir` is touched. `on_disk` is the manifest
/// in `dir`, as [`read_manifest`] read it.
pub fn write(dir: &Path, on_disk: Option<&Manifest>, files: &[File]) -> Result<Vec<Change>, Error> {
    guard_foreign_dir(dir)?;
    let changes = changes(dir, on_disk, files);
    let changed: BTreeSet<&str> =
        changes.iter().filter(|c| !matches!(c, Change::Removed(_))).map(Change::path).collect();
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for f in files.iter().filter(|f| changed.contains(f.path.as_str())) {
            let target = dir.join(&f.path);
            if target.is_dir() {
                return Err(Error::Write {
                    path: target,
                    source: std::io::Error::other("a directory is in the way of this file"),
                });
            }
            let parent = target.parent().unwrap_or(dir);
            fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_owned(), source })?;
            let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let temp = parent.join(format!(".{name}.studioform-{}", std::process::id()));
            fs::write(&temp, &f.content).map_err(|source| Error::Write { path: temp.clone(), source })?;
            staged.push((temp, target));
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (temp, _) in &staged {
            let _ = fs::remove_file(temp);
        }
        return Err(e);
    }
    // The manifest goes last, so a reader never sees a manifest newer than the files.
    staged.sort_by_key(|(_, target)| target.ends_with(MANIFEST));
    for (temp, target) in &staged {
        fs::rename(temp, target).map_err(|source| Error::Write { path: target.clone(), source })?;
    }
    for c in &changes {
        if let Change::Removed(p) = c {
            let _ = fs::remove_file(dir.join(p));
        }
    }
    Ok(changes)
}

/// Refuses to write into a non-empty directory that studioform did not create.
fn guard_foreign_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Write {
            path: dir.to_owned(),
            source: std::io::Error::other("it is a file, not a directory"),
        });
    }
    let has_entries = fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(false);
    if has_entries && !dir.join(MANIFEST).exists() {
        return Err(Error::ForeignOutput { dir: dir.to_owned() });
    }
    Ok(())
}

/// A short line diff between `old` and `new`: the first differing region with context.
pub fn excerpt_diff(old: &str, new: &str, max_lines: usize) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let start = prefix.saturating_sub(2);
    let mut out = format!("@@ line {} @@\n", start + 1);
    for line in &a[start..prefix] {
        out.push_str(&format!("  {line}\n"));
    }
    let removed = &a[prefix..a.len() - suffix];
    let added = &b[prefix..b.len() - suffix];
    let mut shown = 0;
    for line in removed {
        if shown == max_lines {
            break;
        }
        out.push_str(&format!("- {line}\n"));
        shown += 1;
    }
    for line in added {
        if shown == max_lines {
            break;
        }
        out.push_str(&format!("+ {line}\n"));
        shown += 1;
    }
    if removed.len() + added.len() > shown {
        out.push_str(&format!("  ... {} more changed lines\n", removed.len() + added.len() - shown));
    }
    out
}
