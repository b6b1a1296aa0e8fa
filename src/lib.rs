//! studioform: one YAML file describing an organisation's SageMaker Studio estate in,
//! validated CloudFormation out.
//!
//! The pipeline runs one way: [`config`] loads the org file, [`estate`] turns it into a
//! [`estate::Bundle`] of stacks made of [`model`] types, [`validate`] checks every template,
//! [`quotas`] counts what the estate creates against its account's quotas, [`access`]
//! evaluates every principal's policies against the isolation promises, [`render`] prints
//! them and [`output`] writes them atomically with a manifest, under a lock.
//!
//! ```text
//! org file --load--> Org --build--> Bundle --validate--> --render--> --write--> out/
//!  config/          estate/   model/        validate/,    render/     output/
//!                                           quotas, access/
//! ```
//!
//! The module tree:
//!
//! - [`config`]: the org file (input types, loading with locations, semantic checks in
//!   `config/check/`, one file per section). Nothing else reads the org file's YAML.
//! - [`estate`]: the SageMaker knowledge, from an `Org` to a `Bundle` (domains, teams, user
//!   profiles, personas, access, MLflow, deployment, catalog), with [`estate::layout`]
//!   deciding names, placement and deploy order.
//! - [`model`]: CloudFormation's own vocabulary: templates, values with intrinsics, typed
//!   resources and IAM policy documents.
//! - [`validate`]: checks any template, ours or hand-written; it knows nothing of the org
//!   file.
//! - [`quotas`]: account and region quotas across the whole estate.
//! - [`access`]: an offline IAM evaluator and the isolation invariants.
//! - [`render`]: JSON, YAML with short-form tags, and handlebars prose.
//! - [`output`]: the output directory (manifest, atomic writes, `--check`, `diff`).
//! - [`publish`]: S3 upload of product templates (feature `publish`).
//! - [`cli`]: the command line.
//! - Shared: [`diag`] (diagnostics and did-you-mean), [`path`], [`yaml`], [`input`] (reading
//!   files within bounds), [`ids`], [`glob`].

pub mod access;
pub mod cli;
pub mod config;
pub mod diag;
pub mod estate;
pub mod glob;
pub mod ids;
pub mod input;
pub mod model;
pub mod output;
pub mod path;
pub mod publish;
pub mod quotas;
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
    /// The output directory holds files but no manifest.
    #[error(
        "refusing to write into {}: it is not empty and has no {m}. If studioform wrote it, restore {m} from version control: it records where each user profile lives and every product version, and synthesizing without it could move people to other stacks. Otherwise choose another --out",
        dir.display(),
        m = output::MANIFEST
    )]
    ForeignOutput {
        /// The directory.
        dir: PathBuf,
    },
    /// The output on disk cannot be trusted to compare with.
    #[error(
        "cannot use {}: {why}. The output directory is the estate's memory (where each user profile lives, every product version): restore it from version control, for example `git checkout -- {}`",
        path.display(),
        path.display()
    )]
    BadOutput {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The output directory holds something studioform must not read or write through: a
    /// symbolic link, a FIFO, a folder where a file goes, a manifest from a newer version.
    #[error("refusing to use {}: {why}", path.display())]
    Unsafe {
        /// The offending entry.
        path: PathBuf,
        /// What it is and what to do.
        why: String,
    },
    /// Another studioform run holds the output directory's lock.
    #[error("{} is in use by another studioform run; try again when it has finished", dir.display())]
    Busy {
        /// The output directory.
        dir: PathBuf,
    },
    /// Writing failed part-way and every file was put back as it was.
    #[error("{cause}; nothing was changed: the previous output in {} is intact", dir.display())]
    RolledBack {
        /// The output directory.
        dir: PathBuf,
        /// What failed.
        cause: Box<Self>,
    },
    /// A fault injected by a test stopped a write the way a kill would.
    #[error("a write of {} was stopped part-way; the next studioform run on it completes the write", dir.display())]
    Interrupted {
        /// The output directory.
        dir: PathBuf,
    },
    /// A file could not be read as a template or org file at all.
    #[error("{} cannot be read as YAML or JSON", file.name)]
    Unusable {
        /// The file.
        file: Box<Source>,
        /// Why.
        diags: Vec<Diagnostic>,
    },
    /// Publishing failed; nothing was recorded as published.
    #[error("{message}")]
    Publish {
        /// What happened and what to do.
        message: String,
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

/// Maps `f` over `items` on every available core, keeping order. Stacks are independent, so
/// validating and rendering them splits cleanly.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    // Workers take the next item as they finish one: stacks differ a lot in size.
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Builds and validates every stack of a loaded org, honouring what an earlier run wrote
/// (`previous`). Findings point back into the org file.
pub fn synth(
    loaded: &config::Loaded,
    previous: &estate::Previous,
    format: render::Format,
) -> Result<estate::Bundle, Vec<Diagnostic>> {
    let mut bundle = estate::bundle(&loaded.org, &loaded.base_dir, previous, format)?;
    for stack in &mut bundle.stacks {
        stack.seal();
    }
    let mut findings = validate::bundle(&bundle);
    findings.extend(quotas::check(&loaded.org, &bundle));
    if !findings.iter().any(Diagnostic::is_error) {
        findings.extend(access::findings(&bundle));
    }
    if findings.iter().any(Diagnostic::is_error) {
        return Err(findings);
    }
    Ok(bundle)
}
