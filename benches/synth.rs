//! End-to-end synth of generated estates: load, build, validate, render and write, with the
//! process's peak memory. Run with `cargo bench --bench synth`; pass estates to override the
//! defaults, each as `people:domains:teams`, with `:catalog` for a Service Catalog portfolio
//! (`cargo bench --bench synth -- 1000:4:20 12000:120:1200:catalog`), and `--runs N` for the
//! number of runs per estate (3 by default; each row is the median one, the slower of the
//! middle two for an even N). Last, each estate with a catalog against the largest narrow
//! one: the median of the runs' ratios, each run's wide estate against its narrow one.

use std::time::Instant;

#[path = "support/estate.rs"]
mod support;
use support::{estate, with_catalog, with_quotas};

/// Peak resident memory of this process so far, in MB (Linux).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// One estate to time: people, domains, teams, and whether it has a catalog.
#[derive(Clone, Copy)]
struct Spec {
    people: usize,
    domains: usize,
    teams: usize,
    catalog: bool,
}

impl Spec {
    fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split(':');
        let mut next = || parts.next()?.parse().ok();
        let (people, domains, teams) = (next()?, next()?, next()?);
        let catalog = match s.split(':').nth(3) {
            None => false,
            Some("catalog") => true,
            Some(_) => return None,
        };
        Some(Self { people, domains, teams, catalog })
    }

    fn name(self) -> String {
        let (p, d, t) = (self.people, self.domains, self.teams);
        if self.catalog { format!("{p}:{d}:{t}:catalog") } else { format!("{p}:{d}:{t}") }
    }

    fn text(self) -> String {
        let text = estate(self.people, self.domains, self.teams);
        let text = if self.catalog { with_catalog(&text) } else { text };
        // A role and a stack per team: beyond about a thousand teams an account needs AWS
        // to raise the roles and stacks quotas, and the org file says it did.
        if self.teams > 900 { with_quotas(&text, "  cloudformation_stacks: 3000\n  iam_roles: 3000\n") } else { text }
    }
}

/// Times one estate in this process and prints its table row: a first synth (load, build +
/// validate, render, write), then a second synth with one more person, as a user runs it
/// (`studioform synth`: the manifest's placement, the safety gate, the write of one changed
/// stack).
fn one(spec: Spec, dir: &std::path::Path) {
    let text = spec.text();
    let n = spec.people;
    let out = dir.join(spec.name().replace(':', "-"));
    let _ = std::fs::remove_dir_all(&out);
    let t0 = Instant::now();
    let loaded = match studioform::config::load_str("bench.yaml", text.clone()) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let t1 = Instant::now();
    let bundle = studioform::synth(&loaded, &Default::default(), studioform::render::Format::Yaml)
        .unwrap_or_else(|d| panic!("{d:?}"));
    let synth = t1.elapsed().as_secs_f64();
    // The isolation check synth runs last, timed again on its own: synth without it takes
    // `synth - access`.
    let ta = Instant::now();
    let _ = studioform::access::findings(&bundle);
    let access = ta.elapsed().as_secs_f64();
    // What it evaluated, recorded request by request as `studioform access` shows it: untimed.
    let (report, _) = studioform::access::bundle(&bundle);
    let t2 = Instant::now();
    let files = studioform::output::render(&loaded.org.name, &bundle, studioform::render::Format::Yaml);
    let t3 = Instant::now();
    if let Err(e) = studioform::output::write(&out, &files) {
        panic!("{e}");
    }
    let t4 = Instant::now();
    let bytes: usize = files.iter().map(|f| f.content.len()).sum();
    let (count, first_peak) = (files.len(), peak_mb());
    let stacks = bundle.stacks.len();
    drop((loaded, bundle, files));

    let config = dir.join(format!("{}.yaml", spec.name().replace(':', "-")));
    let more = text.replace("users:\n", "users:\n  - name: newcomer\n    team: team0\n    id: newcomer\n");
    if let Err(e) = std::fs::write(&config, more) {
        panic!("{e}");
    }
    let args = ["studioform", "synth", "--config", &config.to_string_lossy(), "--out", &out.to_string_lossy()]
        .map(str::to_owned);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let t5 = Instant::now();
    let code = studioform::cli::run(args, &mut stdout, &mut stderr);
    let t6 = Instant::now();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    // Load, synth, render and write: neither the isolation check timed again on its own nor
    // the report recorded beside it.
    let total = (t1 - t0).as_secs_f64() + synth + (t4 - t2).as_secs_f64();
    // The total, for the parent to pick the median run by, then the table row.
    println!(
        "{total}\t| {} | {} | {} | {n} | {stacks} | {:.3} | {synth:.3} | {:.3} | {access:.3} ({} principals, {} requests) | {:.3} | {:.3} | {total:.3} | {first_peak:.0} | {count} | {bytes} | {:.3} | {:.0} |",
        spec.name(),
        spec.domains,
        spec.teams,
        (t1 - t0).as_secs_f64(),
        synth - access,
        report.principals.len(),
        report.requests,
        (t3 - t2).as_secs_f64(),
        (t4 - t3).as_secs_f64(),
        (t6 - t5).as_secs_f64(),
        peak_mb(),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::env::temp_dir().join(format!("studioform-bench-{}", std::process::id()));
    if let Some(spec) = args.iter().position(|a| a == "--one").and_then(|i| Spec::parse(args.get(i + 1)?)) {
        let parent = args.iter().position(|a| a == "--dir").and_then(|i| args.get(i + 1)).map(std::path::PathBuf::from);
        one(spec, &parent.unwrap_or(dir));
        return;
    }
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3);
    let specs: Vec<Spec> = args.iter().filter_map(|a| Spec::parse(a)).collect();
    let specs = if specs.is_empty() {
        // Narrow estates of growing size, then the wide ones: thousands of teams, a hundred
        // domains, a catalog.
        [
            "1000:4:20",
            "10000:4:20",
            "100000:4:20",
            "100000:1:2000:catalog",
            "100000:100:2000:catalog",
            "12000:120:1200:catalog",
        ]
        .iter()
        .filter_map(|s| Spec::parse(s))
        .collect()
    } else {
        specs
    };
    println!(
        "| estate (people:domains:teams) | domains | teams | people | stacks | load s | build+validate+isolation s | without isolation s | isolation check s | render s | write s | total s | peak MB | files | bytes | synth +1 person s | peak MB after |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let me = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    // Every estate is run `runs` times, the estates taking turns, so that a machine slowing
    // down for a while slows them alike; each row is the run with the median total.
    let mut rows: Vec<Vec<(f64, String)>> = vec![Vec::new(); specs.len()];
    for run in 0..runs {
        // Every run writes beside the others, and nothing is deleted before the end: ext4
        // without a journal, when it creates a file, steps over every inode deleted in the
        // last minutes, so removing one estate's thousands of files slows the next one's
        // writes (to 0.3 ms a file, measured), a cost no user's synth pays for the bench.
        let run_dir = dir.join(format!("run{run}"));
        for (spec, rows) in specs.iter().zip(&mut rows) {
            // A process per estate, so that each peak is its own.
            let output = std::process::Command::new(&me)
                .args(["--one", &spec.name(), "--dir", &run_dir.to_string_lossy()])
                .stderr(std::process::Stdio::inherit())
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(output.status.success());
            let line = String::from_utf8_lossy(&output.stdout);
            let (total, row) = line.trim().split_once('\t').unwrap_or_else(|| panic!("no total in {line:?}"));
            rows.push((total.parse().unwrap_or(f64::NAN), row.to_owned()));
            // The next estate starts on a quiet disk: what this one wrote is flushed rather
            // than written back while the next one creates its files. Best effort.
            let _ = std::process::Command::new("sync").status();
        }
    }
    // Each run's totals, in run order, before the rows are sorted.
    let totals: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|(t, _)| *t).collect()).collect();
    let mut medians = Vec::new();
    for rows in &mut rows {
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (total, row) = &rows[rows.len() / 2];
        println!("{row}");
        medians.push(*total);
    }
    let _ = std::fs::remove_dir_all(&dir);
    // The wide estates against the largest narrow one (no catalog), as measured together.
    // Each run sets a wide estate against the narrow one run just before it, so that a
    // machine slowing down for a while (this one's speed swings by a third) weighs on both
    // sides of the ratio; the median of those ratios is reported.
    let narrow = (0..specs.len()).filter(|&i| !specs[i].catalog).max_by_key(|&i| specs[i].people);
    if let Some(n) = narrow {
        println!("\nmedian of {runs} run(s) per estate; total time against {}, run by run:", specs[n].name());
        for (i, s) in specs.iter().enumerate().filter(|(_, s)| s.catalog) {
            let mut ratios: Vec<f64> = totals[i].iter().zip(&totals[n]).map(|(w, b)| w / b).collect();
            let each = ratios.iter().map(|r| format!("{r:.2}x")).collect::<Vec<_>>().join(", ");
            ratios.sort_by(f64::total_cmp);
            println!(
                "- {}: {:.2}x (runs: {each}; medians {:.3} s against {:.3} s)",
                s.name(),
                ratios[ratios.len() / 2],
                medians[i],
                medians[n]
            );
        }
    }
}

/// The binary's allocator (see `src/main.rs`), so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
