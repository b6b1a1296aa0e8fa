//! studioform: one YAML file describing an organisation's SageMaker Studio estate in,
//! validated CloudFormation out.
//!
//! The pipeline runs one way: [`config`] loads the org file, [`build`] turns it into a
//! [`build::Bundle`] of stacks made of [`model`] types, [`validate`] checks every template,
//! [`render`] prints them and [`output`] writes them atomically with a manifest.

pub mod build;
pub mod cli;
pub mod config;
pub mod diag;
pub mod ids;
pub mod model;
pub mod output;
pub mod path;
pub mod render;
pub mod validate;
pub mod yaml;

use std::path::PathBuf;

use diag::{Diagnostic, Source};

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: invalid input, findings, or stale output.
pub const EXIT_INVALID: i32 = 1;
/// Exit code: usage or I/O error.
pub const EXIT_USAGE: i32 = 2;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The output directory holds files studioform did not write.
    #[error(
        "refusing to write into {}: it is not empty and has no {}, so studioform did not create it; choose another --out or empty it",
        dir.display(),
        output::MANIFEST
    )]
    ForeignOutput {
        /// The directory.
        dir: PathBuf,
    },
    /// The input has errors; each is a diagnostic located in `file`.
    #[error("{} has {} error(s)", file.name, diags.iter().filter(|d| d.is_error()).count())]
    Invalid {
        /// The file the diagnostics point into.
        file: Box<Source>,
        /// The findings.
        diags: Vec<Diagnostic>,
    },
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Invalid { .. } => EXIT_INVALID,
            _ => EXIT_USAGE,
        }
    }
}

/// Builds and validates every stack of a loaded org. Findings point back into the org file.
pub fn synth(loaded: &config::Loaded) -> Result<build::Bundle, Vec<Diagnostic>> {
    let bundle = build::bundle(&loaded.org);
    let findings = validate::bundle(&bundle);
    if findings.iter().any(Diagnostic::is_error) {
        return Err(findings);
    }
    Ok(bundle)
}
