//! The output directory as a hostile repository or a crash would treat it: a write stopped at
//! any point leaves exactly the old generation or exactly the new one, runs take turns under
//! a lock, and nothing outside `--out` is ever read, written or deleted through a link.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{cli, generation, minimal, synth_files, temp_dir, tree};
use studioform::Error;
use studioform::output::{self, Access, Fault, File, OutDir, Step, Wait};
use studioform::render::Format;

/// Two generations that differ in every way a write can: files modified, files added in new
/// folders (the catalog), and a file removed (the `spare` domain's stack).
fn generations() -> (Vec<File>, Vec<File>) {
    let old = minimal().replace("  - name: research\n", "  - name: research\n  - name: spare\n");
    let new = minimal().replace("id: alice", "id: alice2")
        + "catalog:\n  portfolio: P\n  provider: Q\n  launch_principals: [arn:aws:iam::111122223333:role/CloudAdmin]\n";
    (synth_files(&old, Format::Yaml), synth_files(&new, Format::Yaml))
}

fn as_tree(files: &[File]) -> Vec<(String, String)> {
    let mut t: Vec<(String, String)> = files.iter().map(|f| (f.path.clone(), f.content.clone())).collect();
    t.sort();
    t
}

/// Opens `dir` for writing. Waits for the lock: a test that spawns processes elsewhere in
/// this binary may hold a copy of it for the instant between fork and exec.
fn open(dir: &Path) -> OutDir {
    OutDir::open(dir, Access::Write, Wait::Yes, &mut std::io::sink()).unwrap()
}

/// Writes `files` into `dir` with a hook that injects `fault` at the `at`-th step.
fn write_faulty(dir: &Path, files: &[File], at: usize, fault: fn() -> Fault) -> Result<(), Error> {
    let out = open(dir);
    let on_disk = out.read_manifest().unwrap();
    let mut n = 0;
    let result = out.write_with(on_disk.as_ref(), files, &mut |_| {
        n += 1;
        (n - 1 == at).then(fault)
    });
    result.map(drop)
}

fn crash() -> Fault {
    Fault::Crash
}

fn fail() -> Fault {
    Fault::Fail(std::io::Error::other("injected failure"))
}

/// The steps of writing `new` over `old`.
fn steps(name: &str, old: &[File], new: &[File]) -> Vec<Step> {
    let dir = temp_dir(&format!("{name}-steps"));
    output::write(&dir, old).unwrap();
    let out = open(&dir);
    let on_disk = out.read_manifest().unwrap();
    let mut steps = Vec::new();
    out.write_with(on_disk.as_ref(), new, &mut |s| {
        steps.push(s.clone());
        None
    })
    .unwrap();
    assert_eq!(generation(&dir), as_tree(new));
    steps
}

fn state_files(dir: &Path) -> Vec<String> {
    tree(dir).into_iter().map(|(p, _)| p).filter(|p| p.starts_with(".studioform")).collect()
}

/// Writes `new` over `old` in a fresh directory, crashes at step `k` of `steps` (whose
/// journal is at `commit`), and reopens the directory: the next run must find exactly the old
/// generation before the journal and the new one after, with no state of the write left.
/// Returns the directory and the reopened handle.
fn crash_and_reopen(
    name: &str,
    old: &[File],
    new: &[File],
    steps: &[Step],
    k: usize,
    commit: usize,
) -> (std::path::PathBuf, OutDir) {
    let at = &steps[k];
    let dir = temp_dir(name);
    output::write(&dir, old).unwrap();
    let result = write_faulty(&dir, new, k, crash);
    assert!(matches!(result, Err(Error::Interrupted { .. })), "crash at {at:?}: {result:?}");
    // The next run on the directory, whatever it is, first completes or discards the write.
    let reopened = open(&dir);
    let want = as_tree(if k <= commit { old } else { new });
    assert_eq!(generation(&dir), want, "crash at step {k}, {at:?}");
    assert_eq!(state_files(&dir), [".studioform/.gitignore", ".studioform/lock"], "crash at {at:?}");
    (dir, reopened)
}

#[test]
fn a_write_stopped_at_any_point_leaves_exactly_the_old_or_the_new_generation() {
    let (old, new) = generations();
    let want_new = as_tree(&new);
    let steps = steps("atomic-crash", &old, &new);
    let commit = steps.iter().position(|s| *s == Step::Journal).unwrap();
    assert!(steps[..commit].iter().all(|s| matches!(s, Step::Stage(_))), "{steps:?}");
    assert!(steps.iter().any(|s| matches!(s, Step::Backup(p) if p == "stacks/acme-domain-spare.yaml")), "{steps:?}");
    assert!(steps.iter().any(|s| matches!(s, Step::Place(p) if p == "catalog/products/domain.yaml")), "{steps:?}");
    assert_eq!(steps.last(), Some(&Step::Finish));
    for (k, at) in steps.iter().enumerate() {
        let (dir, reopened) = crash_and_reopen("atomic-crash", &old, &new, &steps, k, commit);
        assert!(reopened.recovered.is_some(), "crash at step {k}, {at:?}");
        drop(reopened);
        output::write(&dir, &new).unwrap();
        assert_eq!(generation(&dir), want_new, "the run after a crash at {at:?}");
    }
}

/// A write that stages enough files to flush them with one syncfs (Linux) keeps the same
/// promise: stopped before its journal it leaves the old generation, after it the new one.
#[test]
fn a_bulk_write_stopped_at_any_point_leaves_exactly_the_old_or_the_new_generation() {
    let text = common::estate(140, 1, 70);
    let (old, new) =
        (synth_files(&text, Format::Yaml), synth_files(&text.replace("-data]", "-datasets]"), Format::Yaml));
    let (want_old, want_new) = (as_tree(&old), as_tree(&new));
    let steps = steps("bulk-crash", &old, &new);
    let commit = steps.iter().position(|s| *s == Step::Journal).unwrap();
    assert!(commit >= 70, "{commit} files staged: too few to flush in bulk");
    // Every kind of step, and the first, a middle and the last file staged.
    let mut picks = vec![0, commit / 2, commit - 1, commit, commit + 1, steps.len() - 2, steps.len() - 1];
    picks.dedup();
    for k in picks {
        let at = &steps[k];
        drop(crash_and_reopen("bulk-crash", &old, &new, &steps, k, commit));
        let dir = temp_dir("bulk-fail");
        output::write(&dir, &old).unwrap();
        match write_faulty(&dir, &new, k, fail) {
            Ok(()) => assert_eq!(generation(&dir), want_new, "failure at the last step {at:?}"),
            Err(e) => assert_eq!(generation(&dir), want_old, "failure at step {k}, {at:?}: {e}"),
        }
    }
}

#[test]
fn a_write_that_fails_at_any_point_restores_the_old_generation_itself() {
    let (old, new) = generations();
    let want_old = as_tree(&old);
    let steps = steps("atomic-fail", &old, &new);
    for (k, at) in steps.iter().enumerate() {
        let dir = temp_dir("atomic-fail");
        output::write(&dir, &old).unwrap();
        let result = write_faulty(&dir, &new, k, fail);
        if *at == Step::Finish {
            // Every file is in place; the journal that could not be deleted is harmless.
            assert!(result.is_ok(), "{result:?}");
            assert_eq!(generation(&dir), as_tree(&new));
            continue;
        }
        let e = result.unwrap_err();
        assert!(e.to_string().contains("injected failure"), "{e}");
        assert_eq!(generation(&dir), want_old, "failure at step {k}, {at:?}, without another run");
        if k > steps.iter().position(|s| *s == Step::Journal).unwrap() {
            assert!(matches!(e, Error::RolledBack { .. }), "{e}");
            assert!(e.to_string().contains("nothing was changed"), "{e}");
        }
        assert_eq!(state_files(&dir), [".studioform/.gitignore", ".studioform/lock"], "failure at {at:?}");
        output::write(&dir, &new).unwrap();
        assert_eq!(generation(&dir), as_tree(&new));
    }
}

#[test]
fn a_rollback_or_a_recovery_stopped_part_way_is_finished_by_the_next_run() {
    let (old, new) = generations();
    let (want_old, want_new) = (as_tree(&old), as_tree(&new));
    let steps = steps("atomic-rollback", &old, &new);
    let commit = steps.iter().position(|s| *s == Step::Journal).unwrap();
    let applying: Vec<usize> = (commit + 1..steps.len() - 1).collect();
    for &k in &applying {
        // A failure at step k, then a crash at every step of the rollback it starts.
        for j in 0.. {
            let dir = temp_dir("atomic-rollback");
            output::write(&dir, &old).unwrap();
            let out = open(&dir);
            let on_disk = out.read_manifest().unwrap();
            let mut n = 0;
            let result = out.write_with(on_disk.as_ref(), &new, &mut |_| {
                n += 1;
                match n - 1 {
                    i if i == k => Some(fail()),
                    i if i == k + 1 + j => Some(Fault::Crash),
                    _ => None,
                }
            });
            drop(out);
            let crashed = matches!(result, Err(Error::Interrupted { .. }));
            open(&dir);
            let g = generation(&dir);
            assert!(g == want_old || (j == 0 && g == want_new), "fail at {k}, crash {j} into the rollback");
            if !crashed {
                break;
            }
        }
        // A crash at step k, then a crash at every step of the recovery that completes it.
        for j in 0.. {
            let dir = temp_dir("atomic-recovery");
            output::write(&dir, &old).unwrap();
            write_faulty(&dir, &new, k, crash).unwrap_err();
            let mut n = 0;
            let reopened = OutDir::open_with(&dir, Access::Write, Wait::Yes, &mut std::io::sink(), &mut |_| {
                n += 1;
                (n - 1 == j).then_some(Fault::Crash)
            });
            let crashed = matches!(reopened, Err(Error::Interrupted { .. }));
            drop(reopened);
            open(&dir);
            assert_eq!(generation(&dir), want_new, "crash at {k}, then at step {j} of the recovery");
            if !crashed {
                break;
            }
        }
    }
}

#[test]
fn a_second_run_waits_for_the_lock_and_the_result_is_one_whole_generation() {
    let dir = temp_dir("lock");
    let out = dir.join("out");
    let config = dir.join("studioform.yaml");
    std::fs::write(&config, minimal()).unwrap();
    let (config_s, out_s) = (config.to_str().unwrap().to_owned(), out.to_str().unwrap().to_owned());
    assert_eq!(cli(&["synth", "--config", &config_s, "--out", &out_s]).0, 0);

    let held = open(&out);
    let busy = OutDir::open(&out, Access::Write, Wait::No, &mut std::io::sink()).unwrap_err();
    assert!(matches!(busy, Error::Busy { .. }), "{busy}");
    assert!(busy.to_string().contains("in use by another studioform run"), "{busy}");

    // A synth started now waits, says so, and proceeds once the lock is released.
    std::fs::write(&config, minimal().replace("id: alice", "id: alice2")).unwrap();
    let notices = Arc::new(Mutex::new(Vec::new()));
    let run = {
        let notices = Arc::clone(&notices);
        let (config_s, out_s) = (config_s.clone(), out_s.clone());
        std::thread::spawn(move || {
            struct Shared(Arc<Mutex<Vec<u8>>>);
            impl std::io::Write for Shared {
                fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                    self.0.lock().unwrap().extend_from_slice(b);
                    Ok(b.len())
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            let argv = ["studioform", "synth", "--config", &config_s, "--out", &out_s, "--allow-replace"];
            studioform::cli::run(argv.map(str::to_owned), &mut std::io::sink(), &mut Shared(notices))
        })
    };
    let waiting = || String::from_utf8_lossy(&notices.lock().unwrap()).contains("waiting for another studioform run");
    while !waiting() {
        assert!(!run.is_finished(), "the second run did not wait");
        std::thread::yield_now();
    }
    drop(held);
    assert_eq!(run.join().unwrap(), 0);
    assert_eq!(cli(&["synth", "--config", &config_s, "--out", &out_s, "--check"]).0, 0);
}

#[test]
fn two_synths_at_once_leave_one_whole_generation() {
    let dir = temp_dir("lock-processes");
    let out = dir.join("out");
    let configs: Vec<String> = ["alice", "alice2"]
        .iter()
        .map(|id| {
            let path = dir.join(format!("{id}.yaml"));
            std::fs::write(&path, minimal().replace("id: alice", &format!("id: {id}"))).unwrap();
            path.to_str().unwrap().to_owned()
        })
        .collect();
    let out_s = out.to_str().unwrap();
    assert_eq!(cli(&["synth", "--config", &configs[0], "--out", out_s]).0, 0);
    for _ in 0..3 {
        let children: Vec<_> = configs
            .iter()
            .map(|c| {
                std::process::Command::new(env!("CARGO_BIN_EXE_studioform"))
                    .args(["synth", "--config", c, "--out", out_s, "--allow-replace"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let done = child.wait_with_output().unwrap();
            assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        }
        let up_to_date: Vec<bool> =
            configs.iter().map(|c| cli(&["synth", "--config", c, "--out", out_s, "--check"]).0 == 0).collect();
        assert_eq!(up_to_date.iter().filter(|u| **u).count(), 1, "exactly one run's generation: {up_to_date:?}");
    }
}

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    fn synth(config: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
        let mut args = vec!["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(extra);
        let (code, _, err) = cli(&args);
        (code, err)
    }

    fn setup(name: &str) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
        let dir = temp_dir(name);
        let config = dir.join("studioform.yaml");
        std::fs::write(&config, minimal()).unwrap();
        let outside = dir.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        (dir.join("out"), config, outside)
    }

    #[test]
    fn links_planted_at_temporary_file_names_are_removed_not_written_through() {
        let (out, config, outside) = setup("links-temp");
        assert_eq!(synth(&config, &out, &[]).0, 0);
        // Where studioform once staged files (`.<name>.studioform-<pid>`), and where it stages
        // them now.
        let mut planted = Vec::new();
        for (path, _) in generation(&out) {
            let (parent, name) = path.rsplit_once('/').unwrap_or(("", &path));
            let victim = outside.join(format!("victim-{}", planted.len()));
            std::fs::write(&victim, "keep").unwrap();
            let link = out.join(parent).join(format!(".{name}.studioform-{}", std::process::id()));
            symlink(&victim, &link).unwrap();
            planted.push((link, victim));
        }
        let victim = outside.join("staging-victim");
        std::fs::create_dir_all(&victim).unwrap();
        std::fs::write(victim.join("0"), "keep").unwrap();
        symlink(&victim, out.join(".studioform/txn")).unwrap();
        symlink(outside.join("journal-victim"), out.join(".studioform/journal.json.tmp")).unwrap();
        std::fs::write(&config, minimal().replace("id: alice", "id: alice2")).unwrap();
        let (code, err) = synth(&config, &out, &["--allow-replace"]);
        assert_eq!(code, 0, "{err}");
        for (link, victim) in &planted {
            assert_eq!(std::fs::read_to_string(victim).unwrap(), "keep");
            assert!(std::fs::symlink_metadata(link).is_err(), "leftover {} removed", link.display());
        }
        assert_eq!(std::fs::read_to_string(victim.join("0")).unwrap(), "keep");
        assert!(!outside.join("journal-victim").exists());
        assert_eq!(synth(&config, &out, &["--check"]).0, 0);
    }

    #[test]
    fn a_linked_folder_inside_the_output_is_never_written_through_or_emptied() {
        let (out, config, outside) = setup("links-folder");
        let with_catalog = minimal() + "catalog:\n  portfolio: P\n  provider: Q\n";
        std::fs::write(&config, &with_catalog).unwrap();
        assert_eq!(synth(&config, &out, &[]).0, 0);
        // The catalog folder replaced by a link to a folder elsewhere, and the manifest listing a
        // precious file there.
        std::fs::write(outside.join("precious.txt"), "keep").unwrap();
        std::fs::remove_dir_all(out.join("catalog")).unwrap();
        symlink(&outside, out.join("catalog")).unwrap();
        let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
        let planted = manifest.replacen(
            "\"path\": \"catalog/portfolio.yaml\"",
            "\"path\": \"catalog/precious.txt\", \"sha256\": \"0\", \"kind\": \"portfolio\"}, {\"path\": \"catalog/portfolio.yaml\"",
            1,
        );
        assert_ne!(planted, manifest);
        std::fs::write(out.join("manifest.json"), planted).unwrap();
        let before = tree(&outside);
        std::fs::write(&config, minimal()).unwrap();
        for extra in [&["--allow-replace"][..], &[], &["--check"]] {
            let (code, err) = synth(&config, &out, extra);
            assert_eq!(code, 2, "{err}");
            assert!(err.contains("out/catalog: it is a symbolic link"), "{err}");
        }
        let (code, _, err) = cli(&["diff", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert_eq!(tree(&outside), before, "nothing outside --out changed");
    }

    #[test]
    fn links_at_files_the_state_folder_or_the_manifest_are_refused() {
        let (out, config, outside) = setup("links-files");
        assert_eq!(synth(&config, &out, &[]).0, 0);
        std::fs::write(outside.join("stack.yaml"), "secret: value\n").unwrap();
        let stack = out.join("stacks/acme-team-vision.yaml");
        std::fs::remove_file(&stack).unwrap();
        symlink(outside.join("stack.yaml"), &stack).unwrap();
        let (code, err) = synth(&config, &out, &["--allow-replace"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("acme-team-vision.yaml: it is a symbolic link"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert_eq!(std::fs::read_to_string(outside.join("stack.yaml")).unwrap(), "secret: value\n");
        std::fs::remove_file(&stack).unwrap();

        let manifest = out.join("manifest.json");
        std::fs::rename(&manifest, outside.join("manifest.json")).unwrap();
        symlink(outside.join("manifest.json"), &manifest).unwrap();
        let (code, err) = synth(&config, &out, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("manifest.json: it is a symbolic link"), "{err}");
        std::fs::remove_file(&manifest).unwrap();
        std::fs::rename(outside.join("manifest.json"), &manifest).unwrap();

        std::fs::rename(out.join(".studioform"), outside.join("state")).unwrap();
        symlink(outside.join("state"), out.join(".studioform")).unwrap();
        let (code, err) = synth(&config, &out, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(".studioform: it is a symbolic link"), "{err}");
    }

    #[test]
    fn a_fifo_in_the_output_is_refused_without_blocking() {
        let (out, config, _) = setup("links-fifo");
        assert_eq!(synth(&config, &out, &[]).0, 0);
        let stack = out.join("stacks/acme-team-vision.yaml");
        std::fs::remove_file(&stack).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(&stack).status().unwrap().success());
        let (code, err) = synth(&config, &out, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("acme-team-vision.yaml: it is not a regular file or folder"), "{err}");
    }
}

#[test]
fn an_out_that_is_a_file_or_a_newer_manifest_is_refused_plainly() {
    let dir = temp_dir("out-kinds");
    let config = dir.join("studioform.yaml");
    std::fs::write(&config, minimal()).unwrap();
    let file = dir.join("out.txt");
    std::fs::write(&file, "not a folder").unwrap();
    let (code, _, err) = cli(&["synth", "--config", config.to_str().unwrap(), "--out", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--out must name a directory, and this is a file"), "{err}");
    assert!(!err.contains("restore"), "{err}");

    let out = dir.join("out");
    assert_eq!(cli(&["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()]).0, 0);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    std::fs::write(out.join("manifest.json"), manifest.replace("\"studioform\": 1,", "\"studioform\": 99,")).unwrap();
    let (code, _, err) = cli(&["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("manifest format 99, written by a newer studioform"), "{err}");
}

#[test]
fn diff_and_the_gate_compare_with_the_files_on_disk_not_the_manifest() {
    let dir = temp_dir("on-disk");
    let out = dir.join("out");
    let config = dir.join("studioform.yaml");
    let two = minimal() + "  - name: bob\n    team: vision\n    id: bob\n";
    std::fs::write(&config, &two).unwrap();
    let (c, o) = (config.to_str().unwrap(), out.to_str().unwrap());
    assert_eq!(cli(&["synth", "--config", c, "--out", o]).0, 0);
    let users = out.join("stacks/acme-users-research-1.yaml");
    let with_bob = std::fs::read_to_string(&users).unwrap();
    // Bob leaves, with the approval the gate asks for...
    std::fs::write(&config, minimal()).unwrap();
    assert_eq!(cli(&["synth", "--config", c, "--out", o, "--allow-replace"]).0, 0);
    // ...then the users stack alone is restored from an older commit, still holding Bob.
    std::fs::write(&users, &with_bob).unwrap();
    let (code, stdout, _) = cli(&["diff", "--config", c, "--out", o, "--fail"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("[-] AWS::SageMaker::UserProfile ProfileBob in acme-users-research-1: deleted"),
        "{stdout}"
    );
    assert!(stdout.contains("differs from what studioform last wrote"), "{stdout}");
    let (code, _, err) = cli(&["synth", "--config", c, "--out", o]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[CFG050]"), "{err}");
    assert_eq!(std::fs::read_to_string(&users).unwrap(), with_bob, "not silently rewritten");

    // A truncated or empty stack file cannot show what it held: synth refuses to guess.
    std::fs::write(&users, "").unwrap();
    let (code, _, err) = cli(&["synth", "--config", c, "--out", o]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a template (no Resources)"), "{err}");
    assert!(err.contains("cannot tell whether this change deletes or replaces anyone's Studio"), "{err}");
    for damaged in [&with_bob[..with_bob.len() / 2], ""] {
        std::fs::write(&users, damaged).unwrap();
        let (code, _, err) = cli(&["synth", "--config", c, "--out", o]);
        assert_ne!(code, 0, "{err}");
        assert!(err.contains("stacks/acme-users-research-1.yaml: differs from what studioform last wrote"), "{err}");
        assert_eq!(std::fs::read_to_string(&users).unwrap(), damaged);
        let (code, _, _) = cli(&["diff", "--config", c, "--out", o, "--fail"]);
        assert_eq!(code, 1, "diff sees the difference");
    }
}
