//! The theme: static files embedded in the binary, each overridable by a same-named file in the
//! theme folder (`[planet] theme`, default `<config dir>/templates/`); other files there (a logo,
//! a font) are published beside them, and the members' faces it holds (`faces/bob.png`) at
//! their paths. The theme's page fragments (`head.html`, `header.html`, `sidebar.html`,
//! `footer.html`) and `strings.toml` are read, not published.

use std::path::Path;

/// Embedded theme files: (file name, contents).
pub const EMBEDDED: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../templates/style.css")),
    ("favicon.svg", include_bytes!("../../templates/favicon.svg")),
];

/// The fragments of the admin's own HTML that every page takes (see `html::layout`).
pub const FRAGMENTS: [&str; 4] = ["head.html", "header.html", "sidebar.html", "footer.html"];

/// Theme files that are read by the render, never published.
const NOT_PUBLISHED: [&str; 5] = [
    "head.html",
    "header.html",
    "sidebar.html",
    "footer.html",
    "strings.toml",
];

/// The admin's page fragments, each as written (`None`: the theme folder has none).
#[derive(Debug, Clone, Default)]
pub struct Fragments {
    pub head: Option<String>,
    pub header: Option<String>,
    pub sidebar: Option<String>,
    pub footer: Option<String>,
}

/// Reads the fragments of `theme_dir`.
pub fn fragments(theme_dir: &Path) -> std::io::Result<Fragments> {
    let read = |name: &str| -> std::io::Result<Option<String>> {
        let path = theme_dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(std::io::Error::new(
                e.kind(),
                format!(
                    "cannot read the theme fragment {}: {e} (it must be UTF-8 text)",
                    path.display()
                ),
            )),
        }
    };
    let [head, header, sidebar, footer] = FRAGMENTS;
    Ok(Fragments {
        head: read(head)?,
        header: read(header)?,
        sidebar: read(sidebar)?,
        footer: read(footer)?,
    })
}

/// Every theme file to write: the override from `theme_dir` when present, else the embedded one;
/// then the theme folder's other files (not hidden ones, not sub-folders).
pub fn theme_files(theme_dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
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
        files.push((name.to_string(), bytes));
    }
    for entry in std::fs::read_dir(theme_dir).into_iter().flatten().flatten() {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let known =
            EMBEDDED.iter().any(|(n, _)| *n == name) || NOT_PUBLISHED.contains(&name.as_str());
        if known || name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot read the theme file {}: {e}", entry.path().display()),
            )
        })?;
        files.push((name, bytes));
    }
    Ok(files)
}

/// The faces that members' `face` keys name inside the theme folder (`faces/bob.png`), to be
/// published at the same path. The config checked that each is a plain relative path to a file.
pub fn theme_faces(
    theme_dir: &Path,
    feeds: &[crate::model::FeedView],
) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for f in feeds {
        let Some(face) = f.member.face.as_deref() else {
            continue;
        };
        let themed = !face.starts_with("http:") && !face.starts_with("https:");
        if !themed || files.iter().any(|(n, _)| n == face) {
            continue;
        }
        let path = theme_dir.join(face);
        let bytes = std::fs::read(&path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot read {} (the face of {}): {e}",
                    path.display(),
                    f.member.name
                ),
            )
        })?;
        files.push((face.to_string(), bytes));
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
        std::fs::write(dir.path().join("logo.png"), "png").unwrap();
        std::fs::write(dir.path().join(".hidden"), "no").unwrap();
        std::fs::write(dir.path().join("header.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.path().join("strings.toml"), "").unwrap();
        let custom = theme_files(dir.path()).unwrap();
        assert_eq!(custom[0].1, b"body{}");
        assert!(custom
            .iter()
            .any(|(n, b)| n == "favicon.svg" && !b.is_empty()));
        assert!(custom.iter().any(|(n, b)| n == "logo.png" && b == b"png"));
        assert!(!custom.iter().any(|(n, _)| n == ".hidden"));
        assert!(!custom
            .iter()
            .any(|(n, _)| n == "header.html" || n == "strings.toml"));
        let f = fragments(dir.path()).unwrap();
        assert_eq!(f.header.as_deref(), Some("<p>hi</p>"));
        assert!(f.footer.is_none());
    }
}
