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
            // The checks across sections still run, on what is well shaped.
            diags.extend(beside_shape_errors(&source, &diags));
            diags.sort_by_key(|d| source.locate(&d.at).map(|s| (s.start.line, s.start.col)));
            return Err(Error::Invalid { file: Box::new(source), diags });
        }
    };
    diags.extend(check::check(&org));
    diags.extend(empty_instance_types(&source));
    // Report in file order, as a reader goes through the file.
    diags.sort_by_key(|d| source.locate(&d.at).map(|s| (s.start.line, s.start.col)));
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid { file: Box::new(source), diags });
    }
    let base_dir = FsPath::new(name).parent().map(FsPath::to_path_buf).unwrap_or_default();
    let (org, renamed) = keep_previous_names(org);
    Ok(Loaded { org, source, warnings: diags, base_dir, renamed })
}

/// A team's `instance_types: []` reads like "none", but an empty list, like none at all,
/// allows every instance type: said, since the typed org cannot tell the two apart.
fn empty_instance_types(source: &Source) -> Vec<Diagnostic> {
    use crate::yaml::NodeKind;
    let Some(NodeKind::Map(root)) = source.root.as_ref().map(|r| &r.kind) else { return Vec::new() };
    let Some((_, teams)) = root.find("teams") else { return Vec::new() };
    let NodeKind::Seq(teams) = &teams.kind else { return Vec::new() };
    teams
        .iter()
        .enumerate()
        .filter_map(|(i, team)| {
            let NodeKind::Map(fields) = &team.kind else { return None };
            let (_, types) = fields.find("instance_types")?;
            matches!(&types.kind, NodeKind::Seq(items) if items.is_empty()).then(|| {
                Diagnostic::warning(
                    "CFG038",
                    crate::path::Path::root().key("teams").index(i).key("instance_types"),
                    "an empty `instance_types` allows every instance type, as leaving it out does".to_owned(),
                )
                .help(
                    "list the instance types the team may launch (e.g. [ml.t3.medium]), or remove the key to allow any",
                )
            })
        })
        .collect()
}

/// The findings of the checks across sections on what of `source` is well shaped (see
/// [`shape::partial`]), reported beside its shape errors `shape`, so that a file with several
/// mistakes needs one run: a missing `domains:` with every team that points into it, a
/// misspelt key with a wrong bucket name. Findings under what was left out are not made: the
/// shape error stands for them, as does one at the same place.
fn beside_shape_errors(source: &Source, shape: &[Diagnostic]) -> Vec<Diagnostic> {
    let Some(root) = source.root.as_ref() else { return Vec::new() };
    let Some((json, dropped)) = shape::partial(root, &json_schema()) else { return Vec::new() };
    let Ok(org) = serde_json::from_value::<Org>(json) else { return Vec::new() };
    let reported: Vec<&crate::path::Path> = shape.iter().filter_map(Diagnostic::path).collect();
    check::check(&org)
        .into_iter()
        .filter(|d| {
            d.path().is_none_or(|p| {
                !dropped.iter().any(|gone| p.0.starts_with(&gone.0)) && !reported.iter().any(|r| r.0 == p.0)
            })
        })
        .collect()
}
