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
        _ => return Err(Error::Invalid { file: Box::new(source), diags }),
    };
    diags.extend(check::check(&org));
    // Report in file order, as a reader goes through the file.
    diags.sort_by_key(|d| source.locate(&d.at).map(|s| (s.start.line, s.start.col)));
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid { file: Box::new(source), diags });
    }
    let base_dir = FsPath::new(name).parent().map(FsPath::to_path_buf).unwrap_or_default();
    Ok(Loaded { org, source, warnings: diags, base_dir })
}
