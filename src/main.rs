//! The `studioform` binary.

fn main() {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = studioform::cli::run(std::env::args(), &mut stdout.lock(), &mut stderr.lock());
    std::process::exit(code);
}
