//! Reading an org file: text → YAML tree with spans → shape check against the generated
//! JSON Schema → typed [`Org`] → semantic checks. Every stage reports with locations.

use std::path::Path as FsPath;

use super::{Org, check, json_schema, shape};
use crate::diag::{At, Diagnostic, Source};
use crate::{Error, yaml};

/// A successfully loaded org file.
#[derive(Debug)]
pub struct Loaded {
    /// The org.
    pub org: Org,
    /// The file it came from, for rendering findings.
    pub source: Source,
    /// Warnings found along the way.
    pub warnings: Vec<Diagnostic>,
    /// The directory relative paths in the org file start from.
    pub base_dir: std::path::PathBuf,
    /// The teams and people renamed with a `previous_name`. In `org` they carry their previous
    /// name, under which their resources were created and stay.
    pub renamed: Vec<Renamed>,
}

/// A team or person renamed in the org file, whose resources keep the previous name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renamed {
    /// `team` or `user`.
    pub what: &'static str,
    /// The name in the org file.
    pub name: String,
    /// The name the resources keep.
    pub kept: String,
}

/// `org` as the estate is built from it: each team and person renamed with a `previous_name`
/// goes by that name (and people point at their team by it), so that every resource keeps the
/// name it was created under. Also returns the renames.
fn keep_previous_names(mut org: Org) -> (Org, Vec<Renamed>) {
    let mut renamed = Vec::new();
    let mut teams = std::collections::HashMap::new();
    for t in &mut org.teams {
        if let Some(previous) = t.previous_name.take().filter(|p| *p != t.name) {
            let name = std::mem::replace(&mut t.name, previous.clone());
            teams.insert(name.clone(), previous.clone());
            renamed.push(Renamed { what: "team", name, kept: previous });
        }
    }
    for u in &mut org.users {
        if let Some(team) = teams.get(&u.team) {
            u.team.clone_from(team);
        }
        if let Some(previous) = u.previous_name.take().filter(|p| *p != u.name) {
            let name = std::mem::replace(&mut u.name, previous.clone());
            renamed.push(Renamed { what: "user", name, kept: previous });
        }
    }
    (org, renamed)
}

/// Reads and checks the org file at `path`.
pub fn load(path: &FsPath) -> Result<Loaded, Error> {
    let bytes = crate::input::read(path, crate::input::MAX_INPUT_BYTES)
        .map_err(|source| Error::Read { path: path.to_owned(), source })?;
    let name = path.display().to_string();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let source = Source::new(name, String::new());
            let d = Diagnostic {
                at: At::File,
                ..Diagnostic::error(
                    "CFG000",
                    crate::path::Path::root(),
                    format!("the file is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()),
                )
            }
            .help("save the org file as UTF-8");
            return Err(Error::Invalid { file: Box::new(source), diags: vec![d] });
        }
    };
    load_str(&name, text)
}

/// Checks org-file `text`, naming it `name` in findings.
pub fn load_str(name: &str, text: String) -> Result<Loaded, Error> {
    let mut source = Source::new(name, text);
    let root = match yaml::parse(&source.text) {
        Ok(root) => root,
        Err(e) => {
            let mut d = Diagnostic {
                at: At::Span(e.span),
                ..Diagnostic::error("CFG000", crate::path::Path::root(), e.message)
            };
            d.help = e.help;
            return Err(Error::Invalid { file: Box::new(source), diags: vec![d] });
        }
    };
    let mut diags = Vec::new();
    let json = shape::check(&root, &json_schema(), &mut diags);
    source.root = Some(root);
    let org = match json.map(serde_json::from_value::<Org>) {
        Some(Ok(org)) if diags.is_empty() => org,
        Some(Err(e)) if diags.is_empty() => {
            diags.push(Diagnostic::error(
                "CFG002",
                crate::path::Path::root(),
                format!("the org file does not have the expected shape: {e}"),
            ));
            return Err(Error::Invalid { file: Box::new(source), diags });
        }
        _ => {
            // `domains:` or `teams:` missing, and nothing else wrong with the shape: the checks
            // across sections run as if the list were empty, so that what points into it (every
            // team of a missing `domains:`) is reported in the same run.
            diags.extend(across_missing_lists(&source, &diags));
            diags.sort_by_key(|d| source.locate(&d.at).map(|s| (s.start.line, s.start.col)));
            return Err(Error::Invalid { file: Box::new(source), diags });
        }
    };
    diags.extend(check::check(&org));
    // Report in file order, as a reader goes through the file.
    diags.sort_by_key(|d| source.locate(&d.at).map(|s| (s.start.line, s.start.col)));
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid { file: Box::new(source), diags });
    }
    let base_dir = FsPath::new(name).parent().map(FsPath::to_path_buf).unwrap_or_default();
    let (org, renamed) = keep_previous_names(org);
    Ok(Loaded { org, source, warnings: diags, base_dir, renamed })
}

/// The top-level lists the checks across sections can do without.
const LISTS: [&str; 2] = ["domains", "teams"];

/// The findings of the checks across sections on `source` with its missing [`LISTS`] empty,
/// when those are the only shape errors (`shape`); none otherwise. Findings about the missing
/// lists themselves are left out: the shape check reported them.
fn across_missing_lists(source: &Source, shape: &[Diagnostic]) -> Vec<Diagnostic> {
    let Some(crate::yaml::NodeKind::Map(entries)) = source.root.as_ref().map(|r| &r.kind) else { return Vec::new() };
    let missing: Vec<&str> = LISTS.iter().copied().filter(|k| entries.find(k).is_none()).collect();
    let only_missing = shape.iter().all(|d| d.code == "CFG003" && d.path().is_none_or(crate::path::Path::is_root));
    if missing.is_empty() || shape.len() != missing.len() || !only_missing {
        return Vec::new();
    }
    let mut text = source.text.clone();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    for key in &missing {
        text.push_str(&format!("{key}: []\n"));
    }
    let Ok(root) = yaml::parse(&text) else { return Vec::new() };
    let mut again = Vec::new();
    let Some(json) = shape::check(&root, &json_schema(), &mut again) else { return Vec::new() };
    let Ok(org) = serde_json::from_value::<Org>(json) else { return Vec::new() };
    if !again.is_empty() {
        return Vec::new();
    }
    check::check(&org)
        .into_iter()
        .filter(|d| {
            let first = d.path().and_then(|p| p.0.first().cloned());
            !matches!(first, Some(crate::path::Segment::Key(k)) if missing.contains(&k.as_str()))
        })
        .collect()
}
