//! `init [DIR]`: a commented starter feeds.toml for a new planet, never over an existing one.
//!
//! In: the folder (created when missing). Out: `DIR/feeds.toml`, written beside and then
//! linked into place, so it appears whole or not at all and an existing file is never replaced.

use std::path::Path;

use anyhow::Context;

use crate::error::Error;
use crate::output::outln;

/// The starter file: valid as it is (`check` passes), with the planet's name and link to fill in.
pub const STARTER: &str = include_str!("starter.toml");

/// Writes `dir/feeds.toml` and says what to do next.
pub fn init(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let path = dir.join("feeds.toml");
    if path.exists() {
        return Err(anyhow::anyhow!(
            "{} already exists; init never overwrites it (edit it, or run `mercury init` in \
             another folder)",
            path.display()
        )
        .into());
    }
    let temp = dir.join(format!(".feeds.toml.init-{}", std::process::id()));
    std::fs::write(&temp, STARTER).with_context(|| format!("cannot write {}", temp.display()))?;
    // A hard link fails when the name exists: no race with another writer can be overwritten.
    let linked = std::fs::hard_link(&temp, &path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(anyhow::anyhow!(
                "{} already exists; init never overwrites it",
                path.display()
            )
            .into())
        }
        Err(e) => {
            return Err(anyhow::anyhow!("cannot write {}: {e}", path.display()).into());
        }
    }
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", dir.display())
    };
    outln!(
        "wrote {}\nnext: fill in [planet] name and link, then\n  {cd}mercury add https://a-member.example/\n  mercury update   (or: mercury serve)",
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_is_a_valid_config() {
        let c =
            crate::config::Config::from_str_at(STARTER, Path::new("/srv/p/feeds.toml")).unwrap();
        assert!(c.feeds.is_empty());
        assert_eq!(c.planet.lang, "en");
        assert!(c.warnings.is_empty());
    }
}
