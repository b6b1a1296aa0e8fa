//! Prints a [`Diff`] for people (text in the style of `cdk diff`), for a pull-request comment
//! (markdown) or for programs (JSON).

use std::fmt::Write as _;

use super::diff::{Change, Diff, IamChange, PropertyChange, ResourceChange, StackDiff, show};

/// How `diff` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// For a terminal: `[+]`/`[-]`/`[~]` lines and IAM tables.
    Text,
    /// One JSON document.
    Json,
    /// For a pull-request comment.
    Markdown,
}

/// Renders `diff` in `format`. Text tables fit in `width` columns when given, their cells
/// wrapped (every character is still shown; `--format json` has one value per field).
pub fn render(diff: &Diff, format: DiffFormat, width: Option<usize>) -> String {
    match format {
        DiffFormat::Text => text(diff, width),
        DiffFormat::Json => crate::render::json(&serde_json::to_value(diff).unwrap_or_default()),
        DiffFormat::Markdown => markdown(diff),
    }
}

fn sign(c: Change) -> &'static str {
    match c {
        Change::Added => "[+]",
        Change::Removed => "[-]",
        Change::Modified | Change::Replaced => "[~]",
    }
}

/// Values are shown on one line, shortened past `max` characters (`--format json` shows them
/// whole).
fn short(v: Option<&serde_json::Value>, max: usize) -> String {
    let s = v.map_or_else(|| "(unset)".to_owned(), show);
    if s.chars().count() > max { format!("{}…", s.chars().take(max - 1).collect::<String>()) } else { s }
}

fn replacement_note(r: &ResourceChange) -> &'static str {
    match r.change {
        Change::Replaced if r.replaced_because.iter().any(|b| b.replacement == "always") => " (requires replacement)",
        Change::Replaced => " (may require replacement)",
        _ => "",
    }
}

fn summary(diff: &Diff) -> String {
    let (replaced, removed, added, modified) = diff.counts();
    let iam: usize = diff.stacks.iter().map(|s| s.iam.len()).sum();
    format!(
        "{} stack(s) change: {replaced} resource(s) replaced, {removed} removed, {added} added, {modified} modified; {iam} IAM statement change(s)",
        diff.stacks.len()
    )
}

/// Replaced resources, and stateful ones removed: what a reviewer must see first.
fn dangerous(diff: &Diff) -> Vec<(&StackDiff, &ResourceChange)> {
    diff.stacks
        .iter()
        .flat_map(|s| s.resources.iter().map(move |r| (s, r)))
        .filter(|(_, r)| {
            r.change == Change::Replaced
                || (r.change == Change::Removed && super::diff::STATEFUL.contains(&r.type_name.as_str()))
        })
        .collect()
}

/// What synth does with the dangerous changes it gates (every replaced or removed domain or
/// user profile, see [`super::diff::destructive`]), when there is one.
fn refusal(danger: &[(&StackDiff, &ResourceChange)]) -> Option<String> {
    let gated =
        danger.iter().filter(|(s, r)| !s.is_product() && super::diff::STATEFUL.contains(&r.type_name.as_str())).count();
    (gated > 0).then(|| {
        format!(
            "synth refuses to write {} (CFG050 names the setting responsible) unless given --allow-replace",
            if gated == 1 {
                "this change to a domain or user profile".to_owned()
            } else {
                format!("these {gated} changes to domains or user profiles")
            }
        )
    })
}

/// What is special about a stack, after its name: its note, or that it is new or gone.
fn status(s: &StackDiff, added: &str, removed: &str) -> String {
    match (&s.note, s.change) {
        (Some(note), _) => format!(" ({note})"),
        (None, Change::Added) => format!(" ({added})"),
        (None, Change::Removed) => format!(" ({removed})"),
        _ => String::new(),
    }
}

fn reasons(r: &ResourceChange) -> String {
    if r.change == Change::Removed {
        return r.moves_to.as_ref().map_or_else(|| "deleted".to_owned(), |to| format!("moves to {to}"));
    }
    r.replaced_because.iter().map(|b| b.property.clone()).collect::<Vec<_>>().join(", ")
}

fn text(diff: &Diff, width: Option<usize>) -> String {
    let mut out = String::new();
    for n in &diff.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if diff.is_empty() {
        out.push_str("There were no differences\n");
        return out;
    }
    let danger = dangerous(diff);
    if !danger.is_empty() {
        out.push_str("Requires replacement or deletes people's work:\n");
        for (s, r) in &danger {
            let _ =
                writeln!(out, "  {} {} {} in {}: {}", sign(r.change), r.type_name, r.logical_id, s.stack, reasons(r));
        }
        if let Some(refusal) = refusal(&danger) {
            let _ = writeln!(out, "{refusal}");
        }
        out.push('\n');
    }
    for s in &diff.stacks {
        let verb = status(s, "new stack", "no longer synthesized: delete the stack");
        let _ = writeln!(out, "Stack {} ({}){verb}", s.stack, s.file);
        if !s.resources.is_empty() {
            out.push_str("Resources\n");
            for r in &s.resources {
                let moved = r.moves_to.as_ref().map(|to| format!(" (moves to stack {to})")).unwrap_or_default();
                let _ =
                    writeln!(out, "{} {} {}{}{moved}", sign(r.change), r.type_name, r.logical_id, replacement_note(r));
                properties(&mut out, &r.properties, width);
            }
        }
        if !s.iam.is_empty() {
            out.push_str("IAM Statement Changes\n");
            out.push_str(&iam_table(&s.iam, width));
        }
        if !s.managed_policies.is_empty() {
            out.push_str("IAM Policy Changes\n");
            let rows: Vec<Vec<String>> = s
                .managed_policies
                .iter()
                .map(|p| vec![plus(p.change).into(), p.principal.clone(), p.policy.clone()])
                .collect();
            out.push_str(&table(&["", "Resource", "Managed Policy ARN"], &rows, width));
        }
        for c in &s.sections {
            let name = if c.name.is_empty() { String::new() } else { format!(" {}", c.name) };
            let _ = writeln!(out, "{} {}{name}", sign(c.change), c.section.trim_end_matches('s'));
        }
        out.push('\n');
    }
    out.push_str(&summary(diff));
    out.push('\n');
    out
}

fn properties(out: &mut String, props: &[PropertyChange], width: Option<usize>) {
    // A value's line starts with 12 columns of rails and marks.
    let max = width.map_or(160, |w| w.saturating_sub(12).clamp(40, 160));
    for (i, p) in props.iter().enumerate() {
        let last = i + 1 == props.len();
        let (branch, rail) = if last { (" └─", "    ") } else { (" ├─", " │  ") };
        let note = match p.replacement {
            Some("always") => " (requires replacement)",
            Some(_) => " (may require replacement)",
            None => "",
        };
        let path = p.path.strip_prefix("Properties.").unwrap_or(&p.path);
        if p.policy {
            let _ = writeln!(out, "{branch} [~] {path}{note}: see IAM Statement Changes");
            continue;
        }
        let s = match (&p.old, &p.new) {
            (None, Some(_)) => "[+]",
            (Some(_), None) => "[-]",
            _ => "[~]",
        };
        let _ = writeln!(out, "{branch} {s} {path}{note}");
        if p.old.is_some() {
            let _ = writeln!(
                out,
                "{rail} {} [-] {}",
                if p.new.is_some() { "├─" } else { "└─" },
                short(p.old.as_ref(), max)
            );
        }
        if p.new.is_some() {
            let _ = writeln!(out, "{rail} └─ [+] {}", short(p.new.as_ref(), max));
        }
    }
}

fn plus(c: Change) -> &'static str {
    match c {
        Change::Added => "+",
        Change::Removed => "-",
        Change::Modified | Change::Replaced => "~",
    }
}

fn iam_rows(iam: &[IamChange]) -> Vec<Vec<String>> {
    iam.iter()
        .map(|c| {
            vec![
                plus(c.change).to_owned(),
                c.resources.join("\n"),
                c.effect.clone(),
                c.actions.join("\n"),
                c.principal.clone(),
                c.condition.clone(),
            ]
        })
        .collect()
}

fn iam_table(iam: &[IamChange], width: Option<usize>) -> String {
    table(&["", "Resource", "Effect", "Action", "Principal", "Condition"], &iam_rows(iam), width)
}

/// The narrowest a wrapped column gets: below this a cell is more breaks than text.
const MIN_COLUMN: usize = 8;

/// Column widths that fit `natural` (each column's widest line) into `width` terminal columns:
/// the widest columns give up room first, none below [`MIN_COLUMN`] (or its natural width).
/// A table that cannot fit even so is as narrow as it gets.
fn fit(natural: &[usize], width: usize) -> Vec<usize> {
    // Borders and padding: `│ ` before each cell, ` ` after, and the closing `│`.
    let room = width.saturating_sub(3 * natural.len() + 1);
    if natural.iter().sum::<usize>() <= room {
        return natural.to_vec();
    }
    let floor = |n: usize| n.min(MIN_COLUMN);
    let capped = |cap: usize| natural.iter().map(|&n| n.min(cap.max(floor(n)))).sum::<usize>();
    // The largest cap that fits: columns wider than it are cut to it.
    let (mut lo, mut hi) = (0, natural.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if capped(mid) <= room { lo = mid } else { hi = mid - 1 }
    }
    natural.iter().map(|&n| n.min(lo.max(floor(n)))).collect()
}

/// `line` cut into pieces of at most `width` characters, after a separator (`,` `/` `:` space
/// `.` `}`) where one is in the second half of a piece.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= width || width == 0 {
        return vec![line.to_owned()];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    while chars.len() - start > width {
        let window = &chars[start..start + width];
        let cut =
            window.iter().rposition(|c| ",/: .}".contains(*c)).filter(|&i| i + 1 >= width / 2).map_or(width, |i| i + 1);
        pieces.push(chars[start..start + cut].iter().collect::<String>().trim_end().to_owned());
        start += cut;
    }
    pieces.push(chars[start..].iter().collect());
    pieces
}

/// A box-drawn table; cells may hold several lines. With a `width`, cells wrap so that the
/// table fits it.
fn table(header: &[&str], rows: &[Vec<String>], width: Option<usize>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let w = cell.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            widths[i] = widths[i].max(w);
        }
    }
    let wrapped: Vec<Vec<String>>;
    let rows = match width.map(|w| fit(&widths, w)).filter(|fitted| *fitted != widths) {
        Some(fitted) => {
            wrapped = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .zip(&fitted)
                        .map(|(cell, &w)| cell.lines().flat_map(|l| wrap(l, w)).collect::<Vec<_>>().join("\n"))
                        .collect()
                })
                .collect();
            widths = fitted;
            &wrapped
        }
        None => rows,
    };
    // A header wider than its fitted column is cut, never the borders.
    let header: Vec<String> = header.iter().zip(&widths).map(|(h, &w)| h.chars().take(w).collect()).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rule = |l: &str, m: &str, r: &str| {
        let inner: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
        format!("{l}{}{r}\n", inner.join(m))
    };
    let line = |cells: &[&str]| {
        let inner: Vec<String> =
            cells.iter().zip(&widths).map(|(c, w)| format!(" {c}{} ", " ".repeat(w - c.chars().count()))).collect();
        format!("│{}│\n", inner.join("│"))
    };
    let mut out = rule("┌", "┬", "┐");
    out.push_str(&line(&header));
    for row in rows {
        out.push_str(&rule("├", "┼", "┤"));
        let height = row.iter().map(|c| c.lines().count().max(1)).max().unwrap_or(1);
        for k in 0..height {
            let cells: Vec<&str> = row.iter().map(|c| c.lines().nth(k).unwrap_or("")).collect();
            out.push_str(&line(&cells));
        }
    }
    out.push_str(&rule("└", "┴", "┘"));
    out
}

/// A markdown table cell: pipes escaped, lines joined with `<br>`, code-formatted.
fn cell(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    s.lines().map(|l| format!("`{}`", l.replace('|', "\\|").replace('`', "'"))).collect::<Vec<_>>().join("<br>")
}

fn markdown(diff: &Diff) -> String {
    let mut out = String::from("### studioform diff\n\n");
    for n in &diff.notes {
        let _ = writeln!(out, "> note: {n}\n");
    }
    if diff.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let _ = writeln!(out, "{}\n", summary(diff));
    let danger = dangerous(diff);
    if !danger.is_empty() {
        out.push_str("> [!WARNING]\n> **Requires replacement or deletes people's work:**\n");
        for (s, r) in &danger {
            let _ = writeln!(out, "> - `{}` `{}` in `{}`: {}", r.type_name, r.logical_id, s.stack, reasons(r));
        }
        if let Some(refusal) = refusal(&danger) {
            let _ = writeln!(out, ">\n> {refusal}");
        }
        out.push('\n');
    }
    for s in &diff.stacks {
        let verb = status(s, "new", "removed");
        let _ = writeln!(out, "#### `{}`{verb}\n\n`{}`\n", s.stack, s.file);
        if !s.resources.is_empty() {
            out.push_str("| | Resource | Type | Changes |\n|---|---|---|---|\n");
            for r in &s.resources {
                let what = match r.change {
                    Change::Replaced => "**replace**",
                    Change::Removed => "remove",
                    Change::Added => "add",
                    Change::Modified => "modify",
                };
                let details: Vec<String> = r
                    .properties
                    .iter()
                    .map(|p| {
                        let path = p.path.strip_prefix("Properties.").unwrap_or(&p.path);
                        let note = if p.replacement.is_some() { " **(replacement)**" } else { "" };
                        if p.policy {
                            format!("`{path}`: see IAM changes")
                        } else {
                            format!(
                                "`{path}`{note}: {} → {}",
                                cell(&short(p.old.as_ref(), 160)),
                                cell(&short(p.new.as_ref(), 160))
                            )
                        }
                    })
                    .chain(r.moves_to.iter().map(|to| format!("moves to `{to}`")))
                    .collect();
                let _ = writeln!(out, "| {what} | `{}` | `{}` | {} |", r.logical_id, r.type_name, details.join("<br>"));
            }
            out.push('\n');
        }
        if !s.iam.is_empty() {
            let _ = writeln!(out, "<details><summary>IAM statement changes ({})</summary>\n", s.iam.len());
            out.push_str("| | Effect | Action | Resource | Principal | Condition |\n|---|---|---|---|---|---|\n");
            for c in &s.iam {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    plus(c.change),
                    c.effect,
                    cell(&c.actions.join("\n")),
                    cell(&c.resources.join("\n")),
                    cell(&c.principal),
                    cell(&c.condition)
                );
            }
            out.push_str("\n</details>\n\n");
        }
        for p in &s.managed_policies {
            let _ = writeln!(out, "- {} managed policy `{}` on `{}`", plus(p.change), p.policy, p.principal);
        }
        for c in &s.sections {
            let name = if c.name.is_empty() { String::new() } else { format!(" `{}`", c.name) };
            let _ = writeln!(out, "- {} {}{name}", plus(c.change), c.section.trim_end_matches('s'));
        }
        if !s.managed_policies.is_empty() || !s.sections.is_empty() {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_narrows_the_widest_columns_first_and_keeps_narrow_ones() {
        // 6 columns take 19 columns of borders and padding.
        assert_eq!(fit(&[1, 40, 6, 30, 20, 50], 200), vec![1, 40, 6, 30, 20, 50], "it fits: unchanged");
        let fitted = fit(&[1, 40, 6, 30, 20, 50], 100);
        assert!(fitted.iter().sum::<usize>() + 19 <= 100, "{fitted:?}");
        assert_eq!((fitted[0], fitted[2]), (1, 6), "narrow columns keep their width: {fitted:?}");
        assert_eq!(fitted[1], fitted[5], "the widest give up room alike: {fitted:?}");
        // Too narrow for anything: each column at its floor.
        assert_eq!(fit(&[1, 40, 6, 30], 10), vec![1, MIN_COLUMN, 6, MIN_COLUMN]);
        assert_eq!(MIN_COLUMN, 8);
    }

    #[test]
    fn wrap_breaks_after_separators_and_keeps_every_character() {
        let line = r#"{"StringEquals":{"aws:RequestTag/team":"vision"}}"#;
        let pieces = wrap(line, 20);
        assert!(pieces.iter().all(|p| p.chars().count() <= 20), "{pieces:?}");
        assert_eq!(pieces.concat(), line);
        assert_eq!(pieces[0], r#"{"StringEquals":"#, "{pieces:?}");
        // No separator in the second half: cut at the width.
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("short", 20), vec!["short"]);
    }

    #[test]
    fn a_fitted_table_has_no_line_wider_than_asked() {
        let rows = vec![vec!["+".to_owned(), "x".repeat(90), "Allow".to_owned()]];
        let t = table(&["", "Resource", "Effect"], &rows, Some(50));
        assert!(t.lines().all(|l| l.chars().count() <= 50), "{t}");
        assert_eq!(t.matches('x').count(), 90, "{t}");
        let whole = table(&["", "Resource", "Effect"], &rows, None);
        assert!(whole.lines().any(|l| l.chars().count() > 90), "{whole}");
    }
}
