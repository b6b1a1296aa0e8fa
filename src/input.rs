//! Reading input files without being led astray: only regular files are read (a FIFO, a
//! device or `/dev/zero` is refused before a byte is read, and opening never waits for a
//! writer), reading stops at a size limit, and [`read_inside`] refuses a path that leaves a
//! directory, through `..`, an absolute path or a symbolic link.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// Largest org file or template read, in bytes.
pub const MAX_INPUT_BYTES: u64 = crate::yaml::MAX_INPUT_BYTES as u64;

/// Largest custom product template read, in bytes: what it renders to must fit
/// CloudFormation's 1 MB template body, and the template is rarely larger than its output.
pub const MAX_CUSTOM_TEMPLATE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads the regular file at `path`, at most `limit` bytes. Symbolic links are followed (the
/// path is the user's own choice); anything but a regular file is an error.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    read_bounded(file, limit)
}

/// Reads `relative` inside the directory `base`, at most `limit` bytes, refusing a path that
/// is absolute, climbs with `..`, or resolves (through symbolic links) outside `base`.
pub fn read_inside(base: &Path, relative: &str, limit: u64) -> io::Result<Vec<u8>> {
    let rel = Path::new(relative);
    if relative.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the path must be relative to the org file's directory and must not climb out of it with `..`",
        ));
    }
    let base = canonical(base)?;
    let resolved = canonical(&base.join(rel))?;
    if !resolved.starts_with(&base) {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "it resolves through a symbolic link to a file outside the org file's directory ({})",
                resolved.display()
            ),
        ));
    }
    read(&resolved, limit)
}

fn canonical(path: &Path) -> io::Result<PathBuf> {
    let path = if path.as_os_str().is_empty() { Path::new(".") } else { path };
    path.canonicalize()
}

/// Opens `path` for reading if it is a regular file. A FIFO opens without blocking, and is
/// then refused like any other non-file.
fn open_regular(path: &Path) -> io::Result<File> {
    // Checked before opening too: opening some devices has effects.
    not_a_file(&std::fs::metadata(path)?)?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    not_a_file(&file.metadata()?)?;
    Ok(file)
}

fn not_a_file(meta: &Metadata) -> io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    Err(io::Error::new(io::ErrorKind::InvalidInput, format!("it is {}, not a regular file", describe(meta))))
}

/// A noun for what kind of file system entry `meta` describes.
pub fn describe(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a directory";
    }
    if ft.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
    }
    if ft.is_file() { "a file" } else { "not a file" }
}

fn read_bounded(file: File, limit: u64) -> io::Result<Vec<u8>> {
    let declared = file.metadata()?.len();
    if declared > limit {
        return Err(too_large(limit));
    }
    let mut buf = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    // `/proc` files declare no size and a file may grow while it is read: stop one byte past
    // the limit either way.
    file.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(buf)
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("it is larger than {limit} bytes, the most studioform reads"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("studioform-input-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn stops_reading_at_the_limit() {
        let dir = temp("limit");
        std::fs::write(dir.join("a"), vec![b'x'; 100]).unwrap();
        assert_eq!(read(&dir.join("a"), 100).unwrap().len(), 100);
        assert!(read(&dir.join("a"), 99).unwrap_err().to_string().contains("larger than 99 bytes"));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_and_directories() {
        let e = read(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(e.to_string().contains("a device, not a regular file"), "{e}");
        let e = read(Path::new("/"), 10).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_relative_reads_inside_the_base() {
        let dir = temp("inside");
        std::fs::create_dir_all(dir.join("base/sub")).unwrap();
        std::fs::write(dir.join("base/sub/ok.hbs"), "a").unwrap();
        std::fs::write(dir.join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(dir.join("secret"), dir.join("base/link.hbs")).unwrap();
        std::os::unix::fs::symlink("sub/ok.hbs", dir.join("base/inner.hbs")).unwrap();
        let base = dir.join("base");
        assert_eq!(read_inside(&base, "sub/ok.hbs", 10).unwrap(), b"a");
        assert_eq!(read_inside(&base, "inner.hbs", 10).unwrap(), b"a");
        for bad in ["../secret", "link.hbs", "sub/../../secret", "/etc/hostname", ""] {
            assert_eq!(read_inside(&base, bad, 10).unwrap_err().kind(), io::ErrorKind::PermissionDenied, "{bad}");
        }
    }
}
