//! The command line: parses arguments, runs a command, writes to injected streams and returns
//! the exit code (0 ok, 1 invalid input or stale output, 2 usage or I/O error).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::diag::{self, Diagnostic, Severity, Source};
use crate::output::review::DiffFormat;
use crate::output::{self, Change};
use crate::render::Format;
use crate::{EXIT_INVALID, EXIT_OK, EXIT_USAGE, Error, config};

/// The starter org file written by `init`.
pub const STARTER: &str = include_str!("../templates/starter.yaml");

#[derive(Parser, Debug)]
#[command(
    name = "studioform",
    version,
    about = "One YAML file describing a SageMaker Studio estate in, validated CloudFormation out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Only errors: no warnings, no summaries of what was written.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Colour in diagnostics: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Diagnostics for people, or one JSON object per line (on stderr) for tools.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
}

/// When diagnostics are coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    /// Position, snippet and help.
    Human,
    /// One JSON object per finding and line.
    Json,
}

/// Which of the output streams are terminals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Terminals {
    /// Standard output.
    pub stdout: bool,
    /// Standard error.
    pub stderr: bool,
    /// Standard output's width in columns, when it is a terminal.
    pub width: Option<usize>,
}

/// How findings and summaries are printed.
#[derive(Clone, Copy, Debug, Default)]
struct Ui {
    quiet: bool,
    json: bool,
    /// Colour for what goes to stderr (diagnostics).
    color: bool,
    /// Colour for findings printed to stdout (`validate`'s).
    color_stdout: bool,
    /// The width stdout's tables fit in (`COLUMNS`, else the terminal's); none: as wide as
    /// their content.
    width: Option<usize>,
}

impl Ui {
    /// This way of printing, for stdout.
    fn stdout(self) -> Self {
        Self { color: self.color_stdout, ..self }
    }

    /// Prints a message that is not a finding about a file (`level` is `error`, `warning` or
    /// `note`): `level: message` for people, a JSON object with `--message-format json`;
    /// nothing but errors with `--quiet`.
    fn say(&self, w: &mut dyn Write, level: &str, message: &str) {
        if self.quiet && level != "error" {
            return;
        }
        let _ = if self.json {
            writeln!(w, "{}", serde_json::json!({"severity": level, "message": message}))
        } else {
            writeln!(w, "{level}: {message}")
        };
    }

    /// Prints `diags` (of `source`) to `w`, as this run prints findings.
    fn findings(&self, w: &mut dyn Write, diags: &[Diagnostic], source: &Source) {
        if self.json {
            for d in diags {
                let line = serde_json::to_string(&diag::JsonDiagnostic::new(d, source)).unwrap_or_default();
                let _ = writeln!(w, "{line}");
            }
        } else if self.color {
            let _ = w.write_all(diag::paint(&diag::render(diags, source)).as_bytes());
        } else {
            let _ = diag::write(w, diags, source);
        }
    }
}

/// How `validate` prints findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum FindingsFormat {
    /// For people: position, snippet and help.
    Human,
    /// One finding per line: `file:line:col: severity CODE: message (at path) help: ...`.
    Short,
    /// One JSON array of findings.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load the org file, build, validate and write every template.
    Synth {
        /// The org file.
        #[arg(long, default_value = "studioform.yaml")]
        config: PathBuf,
        /// Output directory.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Template format.
        #[arg(long, value_enum, default_value_t = Format::Yaml)]
        format: Format,
        /// Compare with the output on disk instead of writing; exit 1 when it is stale.
        #[arg(long)]
        check: bool,
        /// Write even when the change deletes or replaces a Studio domain or user profile:
        /// alone, every such change; `user:<name>` or `domain:<name>` (repeatable), that
        /// profile or domain only.
        #[arg(long, value_name = "SCOPE", num_args = 0..=1, default_missing_value = "all", action = clap::ArgAction::Append)]
        allow_replace: Vec<String>,
        /// Record that a retired stack (one the output README lists under "Stacks to delete")
        /// was deleted, so that it is no longer listed; `all` for every one (repeatable).
        #[arg(long, value_name = "STACK")]
        forget_stack: Vec<String>,
    },
    /// Show what synth would change, per stack: resources added, removed, modified and
    /// replaced, and IAM statements added and removed.
    Diff {
        /// The org file.
        #[arg(long, default_value = "studioform.yaml")]
        config: PathBuf,
        /// Output directory to compare with.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// How to print the changes.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit 1 when anything would change.
        #[arg(long)]
        fail: bool,
    },
    /// Check CloudFormation templates (YAML or JSON), hand-written ones included. Exit 0 when
    /// clean (warnings allowed), 1 on errors, 2 when a file cannot be read or parsed.
    Validate {
        /// Template files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format of the findings.
        #[arg(long, value_enum, default_value_t = FindingsFormat::Human)]
        format: FindingsFormat,
    },
    /// Upload the product templates of an output directory to S3, each to its
    /// content-addressed key; keys that exist are skipped.
    Publish {
        /// Output directory `synth` wrote.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Destination bucket.
        #[arg(long)]
        bucket: String,
        /// Key prefix (the portfolio's TemplatePrefix).
        #[arg(long, default_value = "")]
        prefix: String,
        /// AWS region (default: from the environment or profile).
        #[arg(long)]
        region: Option<String>,
        /// S3-compatible endpoint URL.
        #[arg(long)]
        endpoint_url: Option<String>,
    },
    /// Who can do what in the estate of an output directory, evaluated offline from its own
    /// policies: people, team roles, admins, the deployment and launch roles. Exit 1 when a
    /// request isolation forbids is allowed.
    Access {
        /// Output directory `synth` wrote.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// How to print.
        #[arg(long, value_enum, default_value_t = crate::access::Format::Text)]
        format: crate::access::Format,
        /// Only principals whose name contains this (`team-vision`, `CloudAdmin`).
        #[arg(long)]
        who: Option<String>,
    },
    /// Write a commented starter org file.
    Init {
        /// Where to write it.
        #[arg(long, default_value = "studioform.yaml")]
        config: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print the JSON Schema of the org file, for editor completion.
    Schema,
    /// Print a shell completion script: `studioform completions bash > /etc/bash_completion.d/studioform`,
    /// `studioform completions zsh > "${fpath[1]}/_studioform"`, `studioform completions fish >
    /// ~/.config/fish/completions/studioform.fish`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Runs studioform with `args` (the first is the program name), as if stderr were not a
/// terminal.
pub fn run(args: impl IntoIterator<Item = String>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_on(args, out, err, Terminals::default())
}

/// [`run`], told which streams are terminals: findings are coloured on a terminal unless
/// NO_COLOR is set or `--color` says otherwise, and never in a file or a pipe.
pub fn run_on(
    args: impl IntoIterator<Item = String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminals: Terminals,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { err.write_all(text.as_bytes()) } else { out.write_all(text.as_bytes()) };
            return code;
        }
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let colour = |terminal: bool| match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    };
    let ui = Ui {
        quiet: cli.quiet,
        json: cli.message_format == MessageFormat::Json,
        color: colour(terminals.stderr),
        color_stdout: colour(terminals.stdout),
        width: std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).filter(|w| *w > 0).or(terminals.width),
    };
    let result = match cli.command {
        Command::Synth { config, out: dir, format, check, allow_replace, forget_stack } => {
            let approval = match output::diff::Approval::parse(&allow_replace) {
                Ok(a) => a,
                Err(why) => {
                    let _ = writeln!(err, "error: {why}");
                    return EXIT_USAGE;
                }
            };
            synth(&config, &dir, format, Mode { check, approval, forget: forget_stack, ui }, out, err)
        }
        Command::Diff { config, out: dir, format, fail } => diff(&config, &dir, format, fail, ui, out, err),
        Command::Validate { files, format } => Ok(validate(&files, format, ui, out, err)),
        Command::Publish { out: dir, bucket, prefix, region, endpoint_url } => {
            let opts = crate::publish::Options { out: dir, bucket, prefix, region, endpoint_url };
            crate::publish::publish(&opts, out).map(|_| EXIT_OK)
        }
        Command::Access { out: dir, format, who } => access(&dir, format, who.as_deref(), out, err),
        Command::Init { config, force } => init(&config, force, out),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into memory first: the generator panics on a write error, such as a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "studioform", &mut script);
            let _ = out.write_all(&script);
            Ok(EXIT_OK)
        }
        Command::Schema => {
            let _ = out.write_all(crate::render::json(&config::json_schema()).as_bytes());
            Ok(EXIT_OK)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let code = report(&e, err, ui);
            // Findings about a large org file hold its whole tree; the process is about to
            // end, so free them off the main thread, as `synth` does with an estate.
            std::thread::spawn(move || drop(e));
            code
        }
    }
}

/// Prints an error and returns its exit code.
fn report(e: &Error, err: &mut dyn Write, ui: Ui) -> i32 {
    match e {
        Error::Invalid { file, diags } | Error::Unusable { file, diags } => {
            let shown: Vec<Diagnostic> = diags.iter().filter(|d| !ui.quiet || d.is_error()).cloned().collect();
            ui.findings(err, &shown, file);
            if !ui.json {
                let _ = writeln!(err, "{e}");
            }
        }
        other => ui.say(err, "error", &other.to_string()),
    }
    e.exit_code()
}

fn warnings(diags: &[Diagnostic], source: &Source, err: &mut dyn Write, ui: Ui) {
    let warnings: Vec<Diagnostic> = diags.iter().filter(|d| d.severity == Severity::Warning).cloned().collect();
    if !warnings.is_empty() && !ui.quiet {
        ui.findings(err, &warnings, source);
    }
}

/// How `synth` runs.
#[derive(Clone, Debug)]
struct Mode {
    check: bool,
    approval: output::diff::Approval,
    /// Retired stacks said deleted (`--forget-stack`).
    forget: Vec<String>,
    ui: Ui,
}

/// What `synth` would write into `dir`, and what is there now.
struct Built {
    loaded: config::Loaded,
    bundle: crate::estate::Bundle,
    files: Vec<output::File>,
    on_disk: Option<output::Manifest>,
}

/// Opens the output directory, waiting for another run's lock, and says what it repaired.
fn open_out(dir: &Path, access: output::Access, err: &mut dyn Write) -> Result<output::OutDir, Error> {
    let out = output::OutDir::open(dir, access, output::Wait::Yes, err)?;
    if let Some(note) = &out.recovered {
        let _ = writeln!(err, "note: {note}");
    }
    Ok(out)
}

/// Loads, builds and renders: what `synth` would write into `out`.
fn build(
    loaded: config::Loaded,
    out: &output::OutDir,
    format: Option<Format>,
    forget: &[String],
    ui: Ui,
    err: &mut dyn Write,
) -> Result<Built, Error> {
    warnings(&loaded.warnings, &loaded.source, err, ui);
    let on_disk = out.read_manifest()?;
    let mut previous = output::previous(on_disk.as_ref());
    let listed: Vec<&str> = on_disk.iter().flat_map(|m| &m.retired).map(|r| r.stack.as_str()).collect();
    let live: Vec<&str> = on_disk.iter().flat_map(|m| &m.files).filter_map(|e| e.stack.as_deref()).collect();
    for name in forget.iter().filter(|f| *f != "all" && !listed.contains(&f.as_str())) {
        let message = match crate::diag::did_you_mean(name, &listed) {
            _ if live.contains(&name.as_str()) => {
                format!("--forget-stack {name}: this stack is synthesized, not retired; nothing to forget")
            }
            Some(best) => format!("--forget-stack {name}: no retired stack has this name; did you mean `{best}`?"),
            None if listed.is_empty() => format!("--forget-stack {name}: the output lists no retired stacks"),
            None => format!("--forget-stack {name}: no retired stack has this name; retired: {}", listed.join(", ")),
        };
        ui.say(err, "warning", &message);
    }
    // Only retired stacks are forgotten, never one the last output had.
    let forgotten: std::collections::HashSet<&str> =
        listed.iter().copied().filter(|s| forget.iter().any(|f| f == "all" || f == s)).collect();
    previous.stacks.retain(|s| !forgotten.contains(s.stack.as_str()));
    // Without a format asked for, compare in the one on disk, so that only real changes show.
    let format = format.or(on_disk.as_ref().map(|m| m.format)).unwrap_or(Format::Yaml);
    let bundle = match crate::synth(&loaded, &previous, format) {
        Ok(b) => b,
        Err(diags) => return Err(Error::Invalid { file: Box::new(loaded.source), diags }),
    };
    let files = output::render(&loaded.org.name, &bundle, format);
    Ok(Built { loaded, bundle, files, on_disk })
}

fn diff(
    config: &Path,
    dir: &Path,
    format: DiffFormat,
    fail: bool,
    ui: Ui,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Error> {
    let loaded = config::load(config)?;
    let out_dir = open_out(dir, output::Access::Read, err)?;
    let built = build(loaded, &out_dir, None, &[], ui, err)?;
    let mut diff = output::diff::compute(&out_dir, built.on_disk.as_ref(), &built.bundle, &built.files)?;
    if built.on_disk.is_none() {
        diff.notes.push(format!("{} holds no {}: everything is new", dir.display(), output::MANIFEST));
    }
    let _ = out.write_all(output::review::render(&diff, format, ui.width).as_bytes());
    Ok(if fail && !diff.is_empty() { EXIT_INVALID } else { EXIT_OK })
}

fn synth(
    config: &Path,
    dir: &Path,
    format: Format,
    mode: Mode,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Error> {
    let loaded = config::load(config)?;
    let access = if mode.check { output::Access::Read } else { output::Access::Write };
    let out_dir = open_out(dir, access, err)?;
    let Built { loaded, bundle, files, on_disk } = build(loaded, &out_dir, Some(format), &mode.forget, mode.ui, err)?;
    if mode.check {
        let changes = out_dir.changes(on_disk.as_ref(), &files)?;
        if changes.is_empty() {
            let _ = writeln!(out, "{} is up to date ({} files)", dir.display(), files.len());
            return Ok(EXIT_OK);
        }
        let _ =
            writeln!(err, "{} is stale: {} file(s) differ from what synth would write", dir.display(), changes.len());
        for c in &changes {
            let _ = match c {
                Change::Added(p) => writeln!(err, "  missing   {p}"),
                Change::Modified(p) => writeln!(err, "  changed   {p}"),
                Change::Removed(p) => writeln!(err, "  obsolete  {p}"),
            };
        }
        if let Some(Change::Modified(p)) =
            changes.iter().find(|c| matches!(c, Change::Modified(p) if p != output::MANIFEST))
        {
            let old =
                out_dir.read(p).ok().flatten().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            let new = files.iter().find(|f| &f.path == p).map(|f| f.content.as_str()).unwrap_or_default();
            let _ = writeln!(err, "\n{p}:\n{}", output::excerpt_diff(&old, new, 20));
        }
        let mut flag = if format == Format::Json { " --format json".to_owned() } else { String::new() };
        for f in &mode.forget {
            flag.push_str(&format!(" --forget-stack {f}"));
        }
        if let Some(m) = on_disk.as_ref().filter(|m| m.format != format) {
            let on_disk = m.format.extension();
            let _ = writeln!(err, "note: the output on disk is {on_disk}; check it with --format {on_disk}");
        }
        let _ = writeln!(
            err,
            "run `studioform synth --config {} --out {}{flag}` (after `studioform diff` to review) and commit the result",
            config.display(),
            dir.display()
        );
        return Ok(EXIT_INVALID);
    }
    if on_disk.is_some() {
        let diff = output::diff::compute(&out_dir, on_disk.as_ref(), &bundle, &files)?;
        let (destructive, unmatched) = output::diff::destructive(&diff, &bundle, &loaded.org, &mode.approval);
        for scope in &unmatched {
            let message =
                format!("--allow-replace {scope} approves nothing: no such profile or domain is deleted or replaced");
            mode.ui.say(err, "warning", &message);
        }
        if destructive.iter().any(Diagnostic::is_error) {
            // The gate compared with what is on disk; say when that is not what was written.
            for note in &diff.notes {
                mode.ui.say(err, "note", note);
            }
            return Err(Error::Invalid { file: Box::new(loaded.source), diags: destructive });
        }
        if !destructive.is_empty() {
            warnings(&destructive, &loaded.source, err, mode.ui);
        }
        // A stack file that is not what synth last wrote could hide a deletion: never guess.
        if !diff.notes.is_empty() && !mode.approval.all {
            return Err(Error::BadOutput {
                path: dir.to_owned(),
                why: format!(
                    "{}; synth cannot tell whether this change deletes or replaces anyone's Studio (pass --allow-replace to write anyway)",
                    diff.notes.join("; ")
                ),
            });
        }
    }
    let changes = out_dir.write(on_disk.as_ref(), &files)?;
    // --quiet: what was written, and the stacks to deploy, are not said.
    let quiet = &mut std::io::sink();
    let out: &mut dyn Write = if mode.ui.quiet { quiet } else { out };
    let resources: usize = bundle.stacks.iter().map(crate::estate::Stack::resource_count).sum();
    let _ = writeln!(
        out,
        "wrote {} stacks ({} resources) to {}: {} file(s) changed",
        bundle.stacks.len(),
        resources,
        dir.display(),
        changes.len()
    );
    changed_stacks(&loaded, &changes, &bundle, on_disk.as_ref(), mode.ui, out, err);
    // Freeing an estate of many thousand profiles takes a noticeable share of the run; the
    // process is about to end, so let it happen off the main thread.
    std::thread::spawn(move || drop((loaded, bundle, files)));
    Ok(EXIT_OK)
}

/// After a write: the stacks whose templates changed (the ones to deploy), and the stacks no
/// longer synthesized, which CloudFormation keeps running until they are deleted, with the
/// commands to delete them in a safe order.
fn changed_stacks(
    loaded: &config::Loaded,
    changes: &[Change],
    bundle: &crate::estate::Bundle,
    on_disk: Option<&output::Manifest>,
    ui: Ui,
    out: &mut dyn Write,
    err: &mut dyn Write,
) {
    /// How many changed stacks are named one by one.
    const LISTED: usize = 20;
    let deployed = |kind: &output::FileKind| matches!(kind, output::FileKind::Stack(k) if *k != crate::estate::layout::StackKind::Product);
    let by_stem: std::collections::HashMap<String, &crate::estate::Stack> = bundle
        .stacks
        .iter()
        .filter(|s| s.kind != crate::estate::layout::StackKind::Product)
        .map(|s| (s.file_stem(), s))
        .collect();
    let stack_of = |path: &str| {
        let stem = path.rsplit_once('.').map_or(path, |(stem, _)| stem);
        by_stem.get(stem).map(|s| s.name.clone())
    };
    let changed: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Added(p) | Change::Modified(p) => stack_of(p),
            Change::Removed(_) => None,
        })
        .collect();
    if !changed.is_empty() {
        let shown: Vec<&str> = changed.iter().take(LISTED).map(String::as_str).collect();
        let more = changed.len().saturating_sub(LISTED);
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        let _ = writeln!(out, "changed stacks (deploy these): {}{tail}", shown.join(", "));
    }
    // By stack name, not file: a change of format rewrites every file and retires nothing.
    let live_before: std::collections::HashSet<&str> = on_disk
        .into_iter()
        .flat_map(|m| &m.files)
        .filter(|e| deployed(&e.kind))
        .filter_map(|e| e.stack.as_deref())
        .filter(|name| output::is_stack_name(name))
        .collect();
    let kind = crate::estate::layout::StackKind::Team;
    let team_prefix = format!("{}-team-", loaded.org.name);
    // In reverse deploy order: a stack that imports another's exports deploys after it, so
    // it is deleted before it.
    let gone: Vec<&crate::estate::Retired> =
        bundle.retired.iter().rev().filter(|r| live_before.contains(r.stack.as_str())).collect();
    let old_teams: Vec<&str> =
        gone.iter().filter(|r| r.kind == kind).filter_map(|r| r.stack.strip_prefix(&team_prefix)).collect();
    // A team renamed with a previous name that no stack of the last output had: its role and
    // tag are new, and what it made stays under the old tag.
    if on_disk.is_some() {
        // A stack the last output listed as retired comes back: the team returns to its name.
        let retired_before: std::collections::HashSet<&str> =
            on_disk.iter().flat_map(|m| &m.retired).map(|r| r.stack.as_str()).collect();
        for r in loaded.renamed.iter().filter(|r| r.what == "team") {
            let stack = format!("{team_prefix}{}", r.kept);
            if live_before.contains(stack.as_str()) || retired_before.contains(stack.as_str()) {
                continue;
            }
            let hint = match old_teams.first() {
                Some(old) => format!(
                    " If it is team `{old}`, whose stack leaves the output, set `previous_name: {old}` and synth again."
                ),
                None => String::new(),
            };
            let message = format!(
                "team `{}` keeps the name `{}` (its previous_name), but the last output had no stack {stack}: a new role and team tag `{}` are created, and what the team made under its old tag is out of its reach. A previous name is the name the team's stack, role and tag were created with (the output README lists the stacks).{hint}",
                r.name, r.kept, r.kept
            );
            ui.say(err, "warning", &message);
        }
    }
    if gone.is_empty() {
        return;
    }
    let mut message = format!(
        "{} stack(s) no longer synthesized: their files were removed, but CloudFormation keeps them running. Deploy the new output first (so that no stack imports their exports any more), then delete them in this order:",
        gone.len()
    );
    for r in &gone {
        message.push_str(&format!("\n  aws cloudformation delete-stack --stack-name {}", r.stack));
    }
    message.push_str("\nThe output README lists them under \"Stacks to delete\" until `synth --forget-stack`.");
    // A team stack gone and another new: perhaps a rename, which keeps nothing without
    // `previous_name` (a role cannot be renamed, and the team tag is on what the team made).
    let new_teams: Vec<&str> = bundle
        .stacks
        .iter()
        .filter(|s| s.kind == kind && !live_before.contains(s.name.as_str()))
        .filter_map(|s| s.name.strip_prefix(&team_prefix))
        .filter(|t| !loaded.renamed.iter().any(|r| r.what == "team" && r.kept == *t))
        .collect();
    if let (Some(old), Some(new)) = (old_teams.first(), new_teams.first()) {
        message.push_str(&format!(
            "\nIf team `{new}` is team `{old}` renamed, set `previous_name: {old}` on it and synth again: its role, team tag and stack then keep the name `{old}`, and what the team made stays under its control."
        ));
    }
    ui.say(err, "warning", &message);
}

/// The files each folder's studioform manifest lists (none when it has no readable one), read
/// once per folder however many of its files are validated.
type Listed = std::collections::HashMap<PathBuf, Option<std::collections::HashSet<String>>>;

/// True when `path` is a file of a studioform output directory: the manifest of one of its
/// parent folders (up to three levels up) lists it.
fn written_by_synth(path: &std::path::Path, listed: &mut Listed) -> bool {
    let Ok(path) = path.canonicalize() else { return false };
    path.ancestors().skip(1).take(3).any(|dir| {
        let files = listed.entry(dir.to_owned()).or_insert_with(|| {
            let bytes = crate::input::read(&dir.join(crate::output::MANIFEST), crate::input::MAX_INPUT_BYTES).ok()?;
            let manifest = serde_json::from_slice::<crate::output::Manifest>(&bytes).ok()?;
            Some(manifest.files.into_iter().map(|e| e.path).collect())
        });
        let Ok(rel) = path.strip_prefix(dir) else { return false };
        files.as_ref().is_some_and(|f| f.contains(&rel.to_string_lossy().replace('\\', "/")))
    })
}

fn validate(files: &[PathBuf], format: FindingsFormat, ui: Ui, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    let mut counts = (0, 0);
    let mut listed = Listed::new();
    for path in files {
        let (source, diags) = match crate::validate::file(path) {
            Ok(found) => found,
            Err(Error::Unusable { file, diags }) => {
                let _ = err.write_all(diag::render_lines(&diags, &file).as_bytes());
                code = EXIT_USAGE;
                continue;
            }
            Err(e) => {
                code = code.max(report(&e, err, ui));
                continue;
            }
        };
        let mut diags = diags;
        // synth's README deploys its stacks through a bucket, and Service Catalog reads products
        // from one: the inline-size warning is moot for what synth wrote, as synth says.
        if written_by_synth(path, &mut listed) {
            diags.retain(|d| d.code != "TPL503");
            diags = diags.into_iter().map(crate::validate::strict).collect();
        }
        let errors = diags.iter().filter(|d| d.is_error()).count();
        counts.0 += errors;
        counts.1 += diags.len() - errors;
        if ui.quiet {
            diags.retain(Diagnostic::is_error);
        }
        if errors > 0 {
            code = code.max(EXIT_INVALID);
        }
        match format {
            FindingsFormat::Human => ui.stdout().findings(out, &diags, &source),
            FindingsFormat::Short => {
                let _ = out.write_all(diag::render_lines(&diags, &source).as_bytes());
            }
            FindingsFormat::Json => {
                json.extend(
                    diags
                        .iter()
                        .map(|d| serde_json::to_value(diag::JsonDiagnostic::new(d, &source)).unwrap_or_default()),
                );
            }
        }
    }
    match format {
        FindingsFormat::Human | FindingsFormat::Short if !ui.quiet => {
            let _ = writeln!(out, "{} file(s) checked: {} error(s), {} warning(s)", files.len(), counts.0, counts.1);
        }
        FindingsFormat::Human | FindingsFormat::Short => {}
        FindingsFormat::Json => {
            let _ = out.write_all(crate::render::json(&serde_json::Value::Array(json)).as_bytes());
        }
    }
    code
}

fn access(
    dir: &Path,
    format: crate::access::Format,
    who: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Error> {
    let out_dir = open_out(dir, output::Access::Read, err)?;
    let org = out_dir.read_manifest()?.map(|m| m.org).unwrap_or_default();
    let report = crate::access::read_output(&out_dir)?;
    if let Some(w) = who
        && !report.principals.iter().any(|(name, _)| name.contains(w))
    {
        // Names are `role/<name>`, `user/<name>`...: compared by what follows the kind.
        let names: Vec<&str> =
            report.principals.iter().map(|(n, _)| n.rsplit_once('/').map_or(n.as_str(), |(_, name)| name)).collect();
        let hint = crate::diag::did_you_mean(w, &names).map(|b| format!("; did you mean `{b}`?")).unwrap_or_default();
        let _ = writeln!(err, "warning: --who {w}: no principal's name contains it{hint}");
    }
    let _ = out.write_all(crate::access::render(&org, &report, format, who).as_bytes());
    Ok(if report.violations.is_empty() { EXIT_OK } else { EXIT_INVALID })
}

fn init(path: &Path, force: bool, out: &mut dyn Write) -> Result<i32, Error> {
    if path.exists() && !force {
        return Err(Error::Write {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "it already exists (pass --force to overwrite)",
            ),
        });
    }
    std::fs::write(path, STARTER).map_err(|source| Error::Write { path: path.to_owned(), source })?;
    let _ = writeln!(out, "wrote {}: edit it, then run `studioform synth --config {}`", path.display(), path.display());
    Ok(EXIT_OK)
}
