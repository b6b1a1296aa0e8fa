//! The output directory on disk: opened under a lock, read and written only through paths
//! that stay inside it (no symbolic link is ever followed below `--out`), and written a whole
//! generation at a time.
//!
//! How a write is atomic. studioform keeps its state in `<out>/.studioform/` (ignored by git
//! through its own `.gitignore`): a `lock` file, and during a write a `txn/` folder and a
//! `journal.json`. A write
//!
//! 1. stages every new file in `txn/` and flushes it to disk; the output is untouched;
//! 2. writes the journal (every file to put in place or remove) and renames it into place:
//!    this rename is the commit point;
//! 3. moves each old file to `txn/` as a backup and each staged file into place, the
//!    manifest last, then removes files the old manifest listed and the new one does not;
//! 4. deletes the journal and `txn/`.
//!
//! A run that stops before step 2 leaves the previous generation; one that stops after it
//! leaves a journal that the next studioform command on the directory completes before it
//! reads anything, under the same lock. A step-3 operation that fails (permissions, a full
//! disk) makes the run restore every backup it took and report the failure, so a failed run
//! leaves the previous generation too.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Change, File as OutFile, MANIFEST, MANIFEST_VERSION, Manifest};
use crate::Error;

/// The folder inside the output directory where studioform keeps its lock and, during a
/// write, its journal and staged files.
pub const STATE_DIR: &str = ".studioform";
const LOCK: &str = "lock";
const JOURNAL: &str = "journal.json";
const JOURNAL_TEMP: &str = "journal.json.tmp";
const STAGING: &str = "txn";
const GITIGNORE: &str = ".gitignore";

/// Largest file of the output studioform reads back (a template body is at most 1 MB; the
/// manifest of a very large estate is a few MB).
const MAX_OUTPUT_FILE: u64 = 64 * 1024 * 1024;

/// What a command will do with the output directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `synth`: create the directory if needed and write a new generation.
    Write,
    /// `diff`, `synth --check`, `publish`: read only. A directory studioform never wrote is
    /// left exactly as it is.
    Read,
}

/// What to do when another studioform run holds the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Wait for it, after saying so on the notice stream.
    Yes,
    /// Fail at once with [`Error::Busy`].
    No,
}

/// A step of a write, as a fault-injection hook sees it (see [`OutDir::write_with`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Writing a staged copy of this file.
    Stage(String),
    /// Writing the journal: the commit point of a write, or the start of a rollback.
    Journal,
    /// Moving the old version of this file aside.
    Backup(String),
    /// Moving the new version of this file into place.
    Place(String),
    /// Deleting this file, which the new generation no longer has.
    Remove(String),
    /// Restoring the old version of this file (rolling back).
    Restore(String),
    /// Deleting the journal: the write is complete.
    Finish,
}

/// What a fault-injection hook makes happen at a step.
#[derive(Debug)]
pub enum Fault {
    /// The process dies here: nothing more happens, nothing is cleaned up.
    Crash,
    /// The operation fails with this error, and the writer handles it as a real failure.
    Fail(io::Error),
}

/// An open output directory. While it lives, it holds the directory's lock.
#[derive(Debug)]
pub struct OutDir {
    root: PathBuf,
    lock: Option<File>,
    /// Opened for writing but not there yet: created (and locked) by the write itself, so a
    /// run that fails before writing leaves no trace.
    create: bool,
    /// What opening found and did: an interrupted write completed or rolled back.
    pub recovered: Option<String>,
}

/// The journal of a write in progress.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    studioform: u32,
    /// `commit`: complete the write; `rollback`: restore the previous generation.
    state: JournalState,
    ops: Vec<Op>,
    /// Folders the write creates, parents first; a rollback removes them again.
    #[serde(default)]
    created_dirs: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum JournalState {
    Commit,
    Rollback,
}

/// One file of a write. The staged copy of op `i` is `txn/<i>`, its backup `txn/<i>.old`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Op {
    path: String,
    /// Put the staged file in place (true) or remove the file (false).
    put: bool,
    /// The file existed before the write, so a rollback restores it.
    existed: bool,
}

/// Why a write stopped.
enum Stop {
    Crash,
    Failed(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Self::Failed(e)
    }
}

type Hook<'h> = &'h mut dyn FnMut(&Step) -> Option<Fault>;

impl OutDir {
    /// Opens the output directory `dir`. For [`Access::Write`] it is created if missing and
    /// must be empty or hold studioform's output. Takes the lock (see `wait`; `notice` hears
    /// about waiting), then completes or rolls back a write that an earlier run left
    /// unfinished and removes its leftovers.
    pub fn open(dir: &Path, access: Access, wait: Wait, notice: &mut dyn Write) -> Result<Self, Error> {
        Self::open_with(dir, access, wait, notice, &mut |_| None)
    }

    /// [`Self::open`], calling `hook` before every operation that completing or rolling back an
    /// unfinished write makes, so that tests can stop that too.
    pub fn open_with(
        dir: &Path,
        access: Access,
        wait: Wait,
        notice: &mut dyn Write,
        hook: Hook<'_>,
    ) -> Result<Self, Error> {
        let mut out = Self { root: dir.to_owned(), lock: None, create: false, recovered: None };
        match fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(Error::Unsafe {
                    path: dir.to_owned(),
                    why: format!("--out must name a directory, and this is {}", crate::input::describe(&m)),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                out.create = access == Access::Write;
                return Ok(out);
            }
            Err(source) => return Err(Error::Read { path: dir.to_owned(), source }),
        }
        let state = out.state_dir()?;
        let ours = state.is_some() || out.entry_kind(MANIFEST)?.is_some();
        if access == Access::Read && !ours {
            return Ok(out);
        }
        if access == Access::Write && !ours && out.has_entries()? {
            return Err(Error::ForeignOutput { dir: dir.to_owned() });
        }
        match out.lock(wait, notice) {
            Ok(()) => {}
            // A read-only checkout can still be read, unless a write was left unfinished.
            Err(Error::Write { source, .. })
                if access == Access::Read
                    && matches!(source.kind(), io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem)
                    && out.entry_kind(&format!("{STATE_DIR}/{JOURNAL}"))?.is_none() =>
            {
                return Ok(out);
            }
            Err(e) => return Err(e),
        }
        out.recovered = out.recover(hook)?;
        out.sweep_legacy_temp_files();
        Ok(out)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The state folder, if there is one; an error when it is anything but a real folder.
    fn state_dir(&self) -> Result<Option<PathBuf>, Error> {
        match self.entry_kind(STATE_DIR)? {
            None => Ok(None),
            Some(Kind::Dir) => Ok(Some(self.root.join(STATE_DIR))),
            Some(other) => Err(self.unsafe_entry(STATE_DIR, other)),
        }
    }

    fn has_entries(&self) -> Result<bool, Error> {
        let entries = fs::read_dir(&self.root).map_err(|source| Error::Read { path: self.root.clone(), source })?;
        Ok(entries.flatten().any(|e| e.file_name() != STATE_DIR))
    }

    fn lock(&mut self, wait: Wait, notice: &mut dyn Write) -> Result<(), Error> {
        self.lock = Some(self.take_lock(wait, notice)?);
        Ok(())
    }

    fn take_lock(&self, wait: Wait, notice: &mut dyn Write) -> Result<File, Error> {
        let state = self.root.join(STATE_DIR);
        match fs::create_dir(&state) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(Error::Write { path: state, source }),
        }
        // Checked again after creating: something else may have been there.
        self.state_dir()?;
        let ignore = state.join(GITIGNORE);
        if self.entry_kind(&format!("{STATE_DIR}/{GITIGNORE}"))?.is_none() {
            // The lock and an interrupted write's files are never part of a commit.
            let _ = write_new(&ignore, b"# studioform's lock and unfinished writes: never commit them\n*\n", false);
        }
        let path = state.join(LOCK);
        // Only studioform writes here; something else planted under this name goes.
        if matches!(self.entry_kind(&format!("{STATE_DIR}/{LOCK}"))?, Some(Kind::Link | Kind::Other)) {
            let _ = fs::remove_file(&path);
        }
        let file = open_no_follow(&path, true).map_err(|source| Error::Write { path: path.clone(), source })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) if wait == Wait::Yes => {
                let _ = writeln!(
                    notice,
                    "waiting for another studioform run to finish with {} (it holds {})",
                    self.root.display(),
                    path.display()
                );
                file.lock().map_err(|source| Error::Write { path: path.clone(), source })?;
            }
            Err(fs::TryLockError::WouldBlock) => return Err(Error::Busy { dir: self.root.clone() }),
            Err(fs::TryLockError::Error(source)) => return Err(Error::Write { path, source }),
        }
        Ok(file)
    }

    /// Reads the manifest: `None` when there is none. A manifest that cannot be read, does not
    /// parse, comes from a newer studioform, or names a file outside the directory is an
    /// error: it is the estate's memory (where each profile lives, every product version), and
    /// going on without it would silently move people or forget versions.
    pub fn read_manifest(&self) -> Result<Option<Manifest>, Error> {
        let path = self.root.join(MANIFEST);
        let bad = |why: String| Error::BadOutput { path: path.clone(), why };
        let Some(bytes) = self.read(MANIFEST)? else { return Ok(None) };
        let text = String::from_utf8(bytes).map_err(|_| bad("it is not UTF-8 text".into()))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if let Some(v) =
            value.get("studioform").and_then(serde_json::Value::as_u64).filter(|v| *v > MANIFEST_VERSION.into())
        {
            return Err(Error::Unsafe {
                path,
                why: format!(
                    "it is manifest format {v}, written by a newer studioform; this one reads format {MANIFEST_VERSION}. Upgrade studioform (`cargo install studioform`) and run it again"
                ),
            });
        }
        let manifest: Manifest = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        if let Some(e) = manifest.files.iter().find(|e| !inside(&e.path) || e.path == MANIFEST || is_state(&e.path)) {
            return Err(bad(format!("it lists `{}`, which is not a file inside the output directory", e.path)));
        }
        Ok(Some(manifest))
    }

    /// The content of `rel` (a `/`-separated path inside the directory), or `None` when there
    /// is no such file. A symbolic link or anything but a regular file on the way is an error.
    pub fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, Error> {
        let path = self.root.join(rel);
        match self.entry_kind(rel)? {
            None => return Ok(None),
            Some(Kind::File) => {}
            Some(other) => return Err(self.unsafe_entry(rel, other)),
        }
        let file = open_no_follow(&path, false).map_err(|source| Error::Read { path: path.clone(), source })?;
        let mut buf = Vec::new();
        file.take(MAX_OUTPUT_FILE + 1)
            .read_to_end(&mut buf)
            .map_err(|source| Error::Read { path: path.clone(), source })?;
        if buf.len() as u64 > MAX_OUTPUT_FILE {
            return Err(Error::BadOutput { path, why: format!("it is larger than {MAX_OUTPUT_FILE} bytes") });
        }
        Ok(Some(buf))
    }

    /// What writing `files` would change, compared byte for byte with the files on disk.
    /// `on_disk` is the manifest [`Self::read_manifest`] read.
    pub fn changes(&self, on_disk: Option<&Manifest>, files: &[OutFile]) -> Result<Vec<Change>, Error> {
        let mut out = Vec::new();
        let written: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        for f in files {
            match self.read(&f.path)? {
                Some(bytes) if bytes == f.content.as_bytes() => {}
                Some(_) => out.push(Change::Modified(f.path.clone())),
                None => out.push(Change::Added(f.path.clone())),
            }
        }
        for e in on_disk.iter().flat_map(|m| &m.files) {
            if !written.contains(e.path.as_str()) && self.entry_kind(&e.path)?.is_some() {
                out.push(Change::Removed(e.path.clone()));
            }
        }
        Ok(out)
    }

    /// Writes `files` as the new generation: what changed is put in place, files the previous
    /// manifest (`on_disk`) listed that are no longer written are removed, nothing else in the
    /// directory is touched. Either all of it happens or none of it does.
    pub fn write(&self, on_disk: Option<&Manifest>, files: &[OutFile]) -> Result<Vec<Change>, Error> {
        self.write_with(on_disk, files, &mut |_| None)
    }

    /// [`Self::write`], calling `hook` before every operation that changes the disk, so that
    /// tests can make any of them fail or stop the run as a kill would.
    pub fn write_with(
        &self,
        on_disk: Option<&Manifest>,
        files: &[OutFile],
        hook: Hook<'_>,
    ) -> Result<Vec<Change>, Error> {
        // A directory that did not exist when it was opened is created now, under the lock; if
        // another run wrote into it meanwhile, this run's comparison is out of date.
        let _lock = if self.create {
            fs::create_dir_all(&self.root).map_err(|source| Error::Write { path: self.root.clone(), source })?;
            let lock = self.take_lock(Wait::Yes, &mut io::sink())?;
            if self.entry_kind(MANIFEST)?.is_some() {
                return Err(Error::Busy { dir: self.root.clone() });
            }
            Some(lock)
        } else if self.lock.is_none() {
            return Err(Error::Unsafe { path: self.root.clone(), why: "it was not opened for writing".into() });
        } else {
            None
        };
        let changes = self.changes(on_disk, files)?;
        if changes.is_empty() {
            return Ok(changes);
        }
        let (journal, contents) = self.plan(&changes, files)?;
        match self.commit(&journal, &contents, hook) {
            Ok(()) => Ok(changes),
            Err(Stop::Crash) => Err(Error::Interrupted { dir: self.root.clone() }),
            Err(Stop::Failed(e)) => Err(e),
        }
    }

    /// The journal of a write, checked before anything changes: no path runs through a link
    /// or a file, and no target is a directory or a link.
    fn plan<'f>(&self, changes: &[Change], files: &'f [OutFile]) -> Result<(Journal, Vec<&'f str>), Error> {
        let mut ops = Vec::new();
        let mut contents = Vec::new();
        let mut created_dirs: Vec<String> = Vec::new();
        let mut last = None;
        for c in changes {
            let (path, put) = match c {
                Change::Added(p) | Change::Modified(p) => (p.as_str(), true),
                Change::Removed(p) => (p.as_str(), false),
            };
            let existed = match self.entry_kind(path)? {
                None => false,
                Some(Kind::File) => true,
                Some(other) => return Err(self.unsafe_entry(path, other)),
            };
            if put {
                for dir in self.missing_parents(path)? {
                    if !created_dirs.contains(&dir) {
                        created_dirs.push(dir);
                    }
                }
                let content = files.iter().find(|f| f.path == path).map_or("", |f| f.content.as_str());
                let op = Op { path: path.to_owned(), put, existed };
                // The manifest goes last: a reader of a half-written generation would
                // otherwise see a manifest newer than the files.
                if path == MANIFEST {
                    last = Some((op, content));
                    continue;
                }
                ops.push(op);
                contents.push(content);
            } else {
                ops.push(Op { path: path.to_owned(), put, existed });
                contents.push("");
            }
        }
        // Files in place first, then removals, then the manifest.
        let mut order: Vec<usize> = (0..ops.len()).collect();
        order.sort_by_key(|&i| !ops[i].put);
        let mut ops: Vec<Op> = order.iter().map(|&i| ops[i].clone()).collect();
        let mut contents: Vec<&str> = order.iter().map(|&i| contents[i]).collect();
        if let Some((op, content)) = last {
            ops.push(op);
            contents.push(content);
        }
        Ok((Journal { studioform: MANIFEST_VERSION, state: JournalState::Commit, ops, created_dirs }, contents))
    }

    fn commit(&self, journal: &Journal, contents: &[&str], hook: Hook<'_>) -> Result<(), Stop> {
        let state = self.root.join(STATE_DIR);
        let staging = state.join(STAGING);
        // 1. Stage. Nothing visible changes; a failure only leaves `txn/` behind.
        let staged = (|| {
            remove_all(&staging).map_err(|source| Error::Write { path: staging.clone(), source })?;
            fs::create_dir(&staging).map_err(|source| Error::Write { path: staging.clone(), source })?;
            // Each file is written and flushed to disk before the journal commits to them, on
            // every core: a wide estate stages thousands of files, and each flush waits on the
            // disk. The steps are announced in order first; a fault stops the staging there.
            let mut todo: Vec<(PathBuf, &str)> = Vec::new();
            let mut fault = None;
            for (i, (op, content)) in journal.ops.iter().zip(contents).enumerate() {
                if !op.put {
                    continue;
                }
                let temp = staging.join(i.to_string());
                match hook(&Step::Stage(op.path.clone())) {
                    Some(Fault::Crash) => fault = Some(Stop::Crash),
                    Some(Fault::Fail(source)) => fault = Some(Stop::Failed(Error::Write { path: temp, source })),
                    None => {
                        todo.push((temp, content));
                        continue;
                    }
                }
                break;
            }
            // Opened before the writes, so that syncfs reports any of their write-backs that fail.
            let bulk = if cfg!(target_os = "linux") && todo.len() >= BULK_FLUSH {
                Some(File::open(&staging).map_err(|source| Error::Write { path: staging.clone(), source })?)
            } else {
                None
            };
            let written = crate::par_map(&todo, |(temp, content)| write_new(temp, content.as_bytes(), bulk.is_none()));
            for ((temp, _), result) in todo.iter().zip(written) {
                result.map_err(|source| Error::Write { path: temp.clone(), source })?;
            }
            if let Some(dir) = &bulk {
                flush_file_system(dir).map_err(|source| Error::Write { path: staging.clone(), source })?;
            }
            if let Some(stop) = fault {
                return Err(stop);
            }
            sync_dir(&staging);
            Ok::<(), Stop>(())
        })();
        if let Err(stop) = staged {
            if matches!(stop, Stop::Failed(_)) {
                let _ = remove_all(&staging);
            }
            return Err(stop);
        }
        // 2. Commit.
        if let Err(stop) = self.write_journal(journal, hook) {
            if matches!(stop, Stop::Failed(_)) {
                let _ = fs::remove_file(state.join(JOURNAL_TEMP));
                let _ = remove_all(&staging);
            }
            return Err(stop);
        }
        // 3. Apply, keeping backups; on a failure, roll back.
        for (i, op) in journal.ops.iter().enumerate() {
            if let Err(stop) = self.apply(i, op, journal, hook) {
                let Stop::Failed(cause) = stop else { return Err(Stop::Crash) };
                let rollback = Journal {
                    studioform: journal.studioform,
                    state: JournalState::Rollback,
                    ops: journal.ops.clone(),
                    created_dirs: journal.created_dirs.clone(),
                };
                self.write_journal(&rollback, hook)?;
                self.roll_back(&rollback, hook)?;
                self.finish(&rollback, hook)?;
                return Err(Stop::Failed(Error::RolledBack { dir: self.root.clone(), cause: Box::new(cause) }));
            }
        }
        self.finish(journal, hook)
    }

    fn apply(&self, i: usize, op: &Op, journal: &Journal, hook: Hook<'_>) -> Result<(), Stop> {
        let target = self.root.join(&op.path);
        let staging = self.root.join(STATE_DIR).join(STAGING);
        if op.put {
            for dir in journal.created_dirs.iter().filter(|d| op.path.starts_with(&format!("{d}/"))) {
                self.make_dir(dir)?;
            }
        }
        if op.existed {
            let backup = staging.join(format!("{i}.old"));
            step(hook, Step::Backup(op.path.clone()), &target, || fs::rename(&target, &backup))?;
        }
        if op.put {
            let temp = staging.join(i.to_string());
            step(hook, Step::Place(op.path.clone()), &target, || fs::rename(&temp, &target))?;
        }
        Ok(())
    }

    fn write_journal(&self, journal: &Journal, hook: Hook<'_>) -> Result<(), Stop> {
        let state = self.root.join(STATE_DIR);
        let temp = state.join(JOURNAL_TEMP);
        let path = state.join(JOURNAL);
        let text = serde_json::to_vec(journal).unwrap_or_default();
        step(hook, Step::Journal, &path, || {
            remove_if_present(&temp)?;
            write_new(&temp, &text, true)?;
            fs::rename(&temp, &path)
        })?;
        sync_dir(&state);
        Ok(())
    }

    /// Flushes the folders the journal changed, deletes the journal (the write is done), then
    /// the staged files and backups.
    fn finish(&self, journal: &Journal, hook: Hook<'_>) -> Result<(), Stop> {
        let state = self.root.join(STATE_DIR);
        let dirs: BTreeSet<&str> =
            journal.ops.iter().map(|op| op.path.rsplit_once('/').map_or("", |(dir, _)| dir)).collect();
        for dir in dirs {
            if matches!(self.entry_kind(dir), Ok(Some(Kind::Dir))) {
                sync_dir(&self.root.join(dir));
            }
        }
        let journal = state.join(JOURNAL);
        // Every file is in place: a journal that cannot be deleted only makes the next run
        // complete a write that is already complete (the staged files stay for it).
        match step(hook, Step::Finish, &journal, || fs::remove_file(&journal)) {
            Err(Stop::Crash) => return Err(Stop::Crash),
            Err(Stop::Failed(_)) => return Ok(()),
            Ok(()) => {}
        }
        sync_dir(&state);
        let _ = remove_all(&state.join(STAGING));
        Ok(())
    }

    /// Completes or rolls back a write an earlier run left unfinished, and removes what a run
    /// that stopped before its commit point left in `txn/`.
    fn recover(&self, hook: Hook<'_>) -> Result<Option<String>, Error> {
        let state = self.root.join(STATE_DIR);
        let journal_rel = format!("{STATE_DIR}/{JOURNAL}");
        let found = self.read(&journal_rel)?;
        let _ = remove_if_present(&state.join(JOURNAL_TEMP));
        let Some(bytes) = found else {
            if self.entry_kind(&format!("{STATE_DIR}/{STAGING}"))?.is_some() {
                let _ = remove_all(&state.join(STAGING));
                return Ok(Some(format!(
                    "removed what an interrupted studioform run had staged in {}; the output was not touched",
                    state.display()
                )));
            }
            return Ok(None);
        };
        let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| Error::BadOutput {
            path: state.join(JOURNAL),
            why: format!("an interrupted write left a journal that cannot be read ({e}), so it can be neither completed nor undone; restore the output directory from version control, then delete {}", state.display()),
        })?;
        if let Some(op) = journal.ops.iter().find(|op| !inside(&op.path) || is_state(&op.path)) {
            return Err(Error::BadOutput {
                path: state.join(JOURNAL),
                why: format!("the journal names `{}`, which is not a file of the output directory", op.path),
            });
        }
        let done = match journal.state {
            JournalState::Commit => self.roll_forward(&journal, hook).map(|()| "completed"),
            JournalState::Rollback => self.roll_back(&journal, hook).map(|()| "rolled back"),
        };
        match done.and_then(|what| self.finish(&journal, hook).map(|()| what)) {
            Ok(what) => Ok(Some(format!(
                "{what} a write of {} that an earlier studioform run left unfinished",
                self.root.display()
            ))),
            Err(Stop::Failed(e)) => Err(e),
            Err(Stop::Crash) => Err(Error::Interrupted { dir: self.root.clone() }),
        }
    }

    fn roll_forward(&self, journal: &Journal, hook: Hook<'_>) -> Result<(), Stop> {
        let staging = self.root.join(STATE_DIR).join(STAGING);
        for (i, op) in journal.ops.iter().enumerate() {
            let target = self.checked(&op.path)?;
            if op.put {
                let temp = staging.join(i.to_string());
                if exists(&temp) {
                    for dir in journal.created_dirs.iter().filter(|d| op.path.starts_with(&format!("{d}/"))) {
                        self.make_dir(dir)?;
                    }
                    step(hook, Step::Place(op.path.clone()), &target, || fs::rename(&temp, &target))?;
                }
            } else if exists(&target) {
                step(hook, Step::Remove(op.path.clone()), &target, || fs::remove_file(&target))?;
            }
        }
        Ok(())
    }

    fn roll_back(&self, journal: &Journal, hook: Hook<'_>) -> Result<(), Stop> {
        let staging = self.root.join(STATE_DIR).join(STAGING);
        for (i, op) in journal.ops.iter().enumerate().rev() {
            let target = self.checked(&op.path)?;
            let backup = staging.join(format!("{i}.old"));
            if exists(&backup) {
                step(hook, Step::Restore(op.path.clone()), &target, || fs::rename(&backup, &target))?;
            } else if op.put && !op.existed && !exists(&staging.join(i.to_string())) && exists(&target) {
                step(hook, Step::Restore(op.path.clone()), &target, || fs::remove_file(&target))?;
            }
        }
        for dir in journal.created_dirs.iter().rev() {
            if matches!(self.entry_kind(dir), Ok(Some(Kind::Dir))) {
                let _ = fs::remove_dir(self.root.join(dir));
            }
        }
        Ok(())
    }

    /// Removes temporary files that studioform versions before the journal left beside their
    /// targets (`.<name>.studioform-<pid>`) when they were stopped.
    fn sweep_legacy_temp_files(&self) {
        let mut dirs: BTreeSet<String> =
            ["", "stacks", "catalog", "catalog/products", "deploy"].map(String::from).into();
        if let Ok(Some(manifest)) = self.read_manifest() {
            dirs.extend(manifest.files.iter().filter_map(|e| e.path.rsplit_once('/').map(|(d, _)| d.to_owned())));
        }
        for dir in &dirs {
            if !matches!(self.entry_kind(dir), Ok(Some(Kind::Dir))) {
                continue;
            }
            let Ok(entries) = fs::read_dir(self.root.join(dir)) else { continue };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let legacy = name.starts_with('.')
                    && name
                        .rsplit_once(".studioform-")
                        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
                if legacy && e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }

    /// What is at `rel`, without following a link: `None` when nothing is. Every folder on the
    /// way must be a real folder.
    fn entry_kind(&self, rel: &str) -> Result<Option<Kind>, Error> {
        let mut path = self.root.clone();
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            return Ok(Some(Kind::Dir));
        }
        for (n, part) in parts.iter().enumerate() {
            path.push(part);
            let kind = match fs::symlink_metadata(&path) {
                Ok(m) => Kind::of(&m),
                Err(e) if matches!(e.kind(), io::ErrorKind::NotFound) => return Ok(None),
                Err(source) => return Err(Error::Read { path, source }),
            };
            if n + 1 == parts.len() {
                return Ok(Some(kind));
            }
            if kind != Kind::Dir {
                return Err(self.unsafe_entry(&parts[..=n].join("/"), kind));
            }
        }
        Ok(None)
    }

    /// `rel` as a path, after checking no folder on the way is a link or a file.
    fn checked(&self, rel: &str) -> Result<PathBuf, Error> {
        if let Some((parent, _)) = rel.rsplit_once('/') {
            match self.entry_kind(parent)? {
                None | Some(Kind::Dir) => {}
                Some(other) => return Err(self.unsafe_entry(parent, other)),
            }
        }
        if let Some(Kind::Dir) = self.entry_kind(rel)? {
            return Err(self.unsafe_entry(rel, Kind::Dir));
        }
        Ok(self.root.join(rel))
    }

    /// The folders on the way to `rel` that do not exist yet, parents first.
    fn missing_parents(&self, rel: &str) -> Result<Vec<String>, Error> {
        let parts: Vec<&str> = rel.split('/').collect();
        let mut missing = Vec::new();
        for n in 1..parts.len() {
            let dir = parts[..n].join("/");
            match self.entry_kind(&dir)? {
                None => missing.push(dir),
                Some(Kind::Dir) => {}
                Some(other) => return Err(self.unsafe_entry(&dir, other)),
            }
        }
        Ok(missing)
    }

    fn make_dir(&self, rel: &str) -> Result<(), Error> {
        let path = self.root.join(rel);
        match fs::create_dir(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match self.entry_kind(rel)? {
                Some(Kind::Dir) => Ok(()),
                Some(other) => Err(self.unsafe_entry(rel, other)),
                None => Err(Error::Write { path, source: e }),
            },
            Err(source) => Err(Error::Write { path, source }),
        }
    }

    fn unsafe_entry(&self, rel: &str, kind: Kind) -> Error {
        let why = match kind {
            Kind::Link => "it is a symbolic link, and studioform never follows a link inside the output directory (it could lead anywhere); replace it with the real folder or file".to_owned(),
            Kind::Dir => "a folder is where studioform writes a file; move it away".to_owned(),
            Kind::File => "a file is where studioform needs a folder; move it away".to_owned(),
            Kind::Other => "it is not a regular file or folder (a FIFO, socket or device); remove it".to_owned(),
        };
        Error::Unsafe { path: self.root.join(rel), why }
    }
}

/// What a directory entry is, links not followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Link,
    Other,
}

impl Kind {
    fn of(m: &fs::Metadata) -> Self {
        let t = m.file_type();
        if t.is_symlink() {
            Self::Link
        } else if t.is_dir() {
            Self::Dir
        } else if t.is_file() {
            Self::File
        } else {
            Self::Other
        }
    }
}

/// Runs `op` on `path` unless the hook injects a fault at `what`.
fn step(hook: Hook<'_>, what: Step, path: &Path, op: impl FnOnce() -> io::Result<()>) -> Result<(), Stop> {
    let failed = |source| Stop::Failed(Error::Write { path: path.to_owned(), source });
    match hook(&what) {
        Some(Fault::Crash) => Err(Stop::Crash),
        Some(Fault::Fail(e)) => Err(failed(e)),
        None => op().map_err(failed),
    }
}

/// True for a relative path that stays inside the directory it is joined to.
pub(crate) fn inside(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty() && !path.contains('\\') && p.components().all(|c| matches!(c, Component::Normal(_)))
}

fn is_state(path: &str) -> bool {
    path == STATE_DIR || path.starts_with(&format!("{STATE_DIR}/"))
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn remove_all(path: &Path) -> io::Result<()> {
    // `remove_dir_all` removes a link itself, never what it points to.
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates `path`, which must not exist (a link planted there is not followed), and writes
/// `bytes`, flushed to disk when `sync`.
fn write_new(path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)?;
    if sync {
        f.sync_all()?;
    }
    Ok(())
}

/// Opens `path` without following a link at its last component and without waiting on a
/// FIFO; `create` for the lock file.
fn open_no_follow(path: &Path, create: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    if create {
        options.write(true).create(true).truncate(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    Ok(file)
}

/// From how many staged files one flush of the whole file system replaces an fsync per file.
/// Each fsync waits on the disk: 2,400 files took 0.7 s on an ext4 disk with two threads,
/// one syncfs 0.13 s. But syncfs also writes back whatever other programs left unflushed on
/// that file system, so a synth that changes a few files flushes only those.
const BULK_FLUSH: usize = 64;

/// Flushes everything written to the file system that holds the folder `dir`, reporting a
/// write-back that failed since it was opened (Linux 5.8 and later; syncfs(2)).
#[cfg(target_os = "linux")]
fn flush_file_system(dir: &File) -> io::Result<()> {
    rustix::fs::syncfs(dir).map_err(io::Error::from)
}

/// Never called: elsewhere every file is flushed on its own.
#[cfg(not(target_os = "linux"))]
fn flush_file_system(_: &File) -> io::Result<()> {
    Ok(())
}

/// Flushes a folder's entries (renames in it) to disk, where the platform allows it.
fn sync_dir(path: &Path) {
    if let Ok(d) = File::open(path) {
        let _ = d.sync_all();
    }
}
