//! The theme: static files embedded in the binary, each overridable by a same-named file in the
//! theme folder (`[planet] theme`, default `<config dir>/templates/`).

use std::path::Path;

/// Embedded theme files: (file name, contents).
pub const EMBEDDED: &[(&str, &[u8])] =
    &[("style.css", include_bytes!("../../templates/style.css"))];

/// Every theme file to write: the override from `theme_dir` when present, else the embedded one.
pub fn theme_files(theme_dir: &Path) -> std::io::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut files = Vec::with_capacity(EMBEDDED.len());
    for (name, embedded) in EMBEDDED {
        let custom = theme_dir.join(name);
        let bytes = match std::fs::read(&custom) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded.to_vec(),
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("cannot read the theme file {}: {e}", custom.display()),
                ))
            }
        };
        files.push((*name, bytes));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_over_embedded() {
        let dir = tempfile::tempdir().unwrap();
        let embedded = theme_files(dir.path()).unwrap();
        assert_eq!(embedded[0].1, EMBEDDED[0].1);
        std::fs::write(dir.path().join("style.css"), "body{}").unwrap();
        let custom = theme_files(dir.path()).unwrap();
        assert_eq!(custom[0].1, b"body{}");
    }
}
