//! The `studioform` binary.

/// synth allocates millions of small values, on every core: mimalloc does that in a third
/// less time than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let terminals = studioform::cli::Terminals {
        stdout: std::io::IsTerminal::is_terminal(&stdout),
        stderr: std::io::IsTerminal::is_terminal(&stderr),
        width: terminal_size::terminal_size_of(&stdout).map(|(w, _)| usize::from(w.0)),
    };
    let code = studioform::cli::run_on(std::env::args(), &mut stdout.lock(), &mut stderr.lock(), terminals);
    std::process::exit(code);
}
