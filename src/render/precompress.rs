//! Compressed variants of the output's text files: `name.br` and `name.gz` beside `name`, made
//! once when the render writes a file, so `serve` sends them as they are instead of compressing
//! per request (parallel brotli requests for a large feed.json starved every other request: the
//! review's finding 4, figures in BENCHMARKS.md). Any other web server can send them too
//! (nginx's `gzip_static`, `brotli_static`).
//!
//! In: a file's path and bytes as just written. Out: its variants on disk. The one policy both
//! sides read: which files have variants ([`compressible`]), their names ([`variant_path`]), and
//! how a variant is tied to its file: it carries the file's modification time, so a variant
//! left from an earlier version of the file (a render stopped between the two writes) is never
//! taken for the current one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A content coding with a variant on disk, in the server's order of preference (brotli is
/// smaller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    pub const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The `Content-Encoding` token (RFC 9110 §8.4.1).
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// The file name suffix of the variant.
    pub fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    fn compress(self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(bytes.len() / 4);
        match self {
            Encoding::Brotli => {
                // Quality 5 (of 11), window 4 MB: every render pays it for each changed file, and
                // past 5 each step costs far more time than it saves bytes (BENCHMARKS.md).
                let mut w = brotli::CompressorWriter::new(&mut out, 64 << 10, 5, 22);
                w.write_all(bytes)?;
                w.flush()?;
            }
            Encoding::Gzip => {
                // zlib's default level: the best one is barely smaller and slower.
                let mut w = flate2::write::GzEncoder::new(&mut out, flate2::Compression::default());
                w.write_all(bytes)?;
                w.finish()?;
            }
        }
        Ok(out)
    }
}

/// Files shorter than this are not worth a variant (headers cost more than the bytes saved).
const MIN_BYTES: usize = 512;

/// Whether files of this name get compressed variants: text formats; images and fonts are
/// compressed already.
pub fn compressible(name: &str) -> bool {
    matches!(
        name.rsplit_once('.').map(|(_, ext)| ext),
        Some("html" | "css" | "js" | "xml" | "json" | "txt" | "svg")
    )
}

/// Whether `name` is the variant of a compressible file (`feed.json.br`): such a name is not a
/// file of the site of its own.
pub fn is_variant(name: &str) -> bool {
    Encoding::ALL.iter().any(|e| {
        name.strip_suffix(e.suffix())
            .and_then(|n| n.strip_suffix('.'))
            .is_some_and(compressible)
    })
}

/// Where the variant of `path` in `encoding` lives.
pub fn variant_path(path: &Path, encoding: Encoding) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(encoding.suffix());
    path.with_file_name(name)
}

/// Writes the variants of the file at `path`, which holds `bytes`. `changed`: the file was just
/// rewritten; otherwise variants already tied to it (same modification time) are kept, so an
/// unchanged file costs no compression. A variant no smaller than the file is not kept.
pub(super) fn write_variants(path: &Path, bytes: &[u8], changed: bool) -> anyhow::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !compressible(name) || bytes.len() < MIN_BYTES {
        remove_variants(path);
        return Ok(());
    }
    let modified = std::fs::metadata(path)?.modified()?;
    for encoding in Encoding::ALL {
        let variant = variant_path(path, encoding);
        if !changed && tied_to(&variant, modified) {
            continue;
        }
        let packed = encoding.compress(bytes)?;
        if packed.len() >= bytes.len() {
            let _ = std::fs::remove_file(&variant);
            continue;
        }
        crate::atomic::write_replacing(&variant, &packed, Some(modified))?;
    }
    Ok(())
}

/// Whether the variant at `variant` is a regular file carrying `modified`.
fn tied_to(variant: &Path, modified: SystemTime) -> bool {
    std::fs::symlink_metadata(variant)
        .is_ok_and(|m| m.is_file() && m.modified().ok() == Some(modified))
}

/// Removes the variants of `path` (the file is gone, or too small to need them).
pub(super) fn remove_variants(path: &Path) {
    for encoding in Encoding::ALL {
        let _ = std::fs::remove_file(variant_path(path, encoding));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_files_have_variants_and_variants_are_named_after_them() {
        for (name, text, variant) in [
            ("index.html", true, false),
            ("feed.json", true, false),
            ("style.css", true, false),
            ("face.png", false, false),
            ("feed.json.br", false, true),
            ("index.html.gz", false, true),
            ("archive.tar.gz", false, false),
            ("x.br", false, false),
        ] {
            assert_eq!(compressible(name), text, "{name}");
            assert_eq!(is_variant(name), variant, "{name}");
        }
        assert_eq!(
            variant_path(Path::new("/p/tags/x/atom.xml"), Encoding::Gzip),
            PathBuf::from("/p/tags/x/atom.xml.gz")
        );
    }

    #[test]
    fn variants_decode_to_the_file_and_follow_its_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feed.json");
        let text = "{\"items\": [\"a post about catalogues\"]}\n".repeat(100);
        crate::atomic::write_replacing(&path, text.as_bytes(), None).unwrap();
        write_variants(&path, text.as_bytes(), true).unwrap();
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        for encoding in Encoding::ALL {
            let variant = variant_path(&path, encoding);
            assert!(tied_to(&variant, modified), "{encoding:?}");
            let packed = std::fs::read(&variant).unwrap();
            let mut plain = Vec::new();
            match encoding {
                Encoding::Brotli => {
                    brotli::BrotliDecompress(&mut &packed[..], &mut plain).unwrap();
                }
                Encoding::Gzip => {
                    use std::io::Read;
                    flate2::read::GzDecoder::new(&packed[..])
                        .read_to_end(&mut plain)
                        .unwrap();
                }
            }
            assert_eq!(plain, text.as_bytes(), "{encoding:?}");
        }
        // Too small for variants now: the old ones go.
        crate::atomic::write_replacing(&path, b"{}", None).unwrap();
        write_variants(&path, b"{}", true).unwrap();
        for encoding in Encoding::ALL {
            assert!(!variant_path(&path, encoding).exists(), "{encoding:?}");
        }
    }
}
