//! The output directory: rendering a bundle into files, the manifest, atomic writes, and
//! `--check` (compare instead of write).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::build::Bundle;
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
    /// Every file except the manifest itself, in deploy order.
    pub files: Vec<Entry>,
}

/// One file of the output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// sha256 of the content, hex.
    pub sha256: String,
    /// What the file is.
    pub kind: StackKind,
    /// CloudFormation stack name.
    pub stack: String,
    /// Deploy order: deploy every stack of order n before any of order n+1.
    pub order: u32,
    /// Number of resources in the template.
    pub resources: usize,
}

/// A file to write: path relative to the output directory, and content.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Relative path, `/`-separated.
    pub path: String,
    /// Content.
    pub content: String,
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

/// Renders every stack of `bundle` and the manifest, in a stable order.
pub fn render(org: &str, bundle: &Bundle, format: Format) -> Vec<File> {
    let mut files = Vec::with_capacity(bundle.stacks.len() + 1);
    let mut manifest = Manifest { studioform: MANIFEST_VERSION, org: org.to_owned(), format, files: Vec::new() };
    let rendered = crate::par_map(&bundle.stacks, |stack| format.render(stack.json()));
    for (stack, content) in bundle.stacks.iter().zip(rendered) {
        let path = format!("{}.{}", stack.file_stem(), format.extension());
        manifest.files.push(Entry {
            path: path.clone(),
            sha256: sha256(&content),
            kind: stack.kind,
            stack: stack.name.clone(),
            order: stack.kind.order(),
            resources: stack.template.resources.len(),
        });
        files.push(File { path, content });
    }
    files.push(File {
        path: MANIFEST.to_owned(),
        content: crate::render::json(&serde_json::to_value(&manifest).unwrap_or_default()),
    });
    files
}

/// Reads the manifest in `dir`, if there is a readable one.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = fs::read_to_string(dir.join(MANIFEST)).ok()?;
    serde_json::from_str(&text).ok()
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

/// What writing `files` into `dir` would change.
pub fn changes(dir: &Path, files: &[File]) -> Vec<Change> {
    let mut out = Vec::new();
    let written: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for f in files {
        match fs::read(dir.join(&f.path)) {
            Ok(bytes) if bytes == f.content.as_bytes() => {}
            Ok(_) => out.push(Change::Modified(f.path.clone())),
            Err(_) => out.push(Change::Added(f.path.clone())),
        }
    }
    if let Some(old) = read_manifest(dir) {
        for e in old.files {
            if !written.contains(e.path.as_str()) && dir.join(&e.path).exists() {
                out.push(Change::Removed(e.path));
            }
        }
    }
    out
}

/// Writes `files` into `dir` so that a failure leaves the previous output as it was: every
/// changed file is first written beside its target; only when all are written are they
/// renamed into place, the manifest last. Files the previous manifest listed and this run
/// does not write are removed; nothing else in `dir` is touched.
pub fn write(dir: &Path, files: &[File]) -> Result<Vec<Change>, Error> {
    guard_foreign_dir(dir)?;
    let changes = changes(dir, files);
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
