//! Guards the README's commands table: it is one contiguous Markdown table (a blank line inside
//! it once turned half of it into a paragraph of pipes), and it lists every command the binary
//! has.

use std::process::Command;

#[test]
fn commands_table_is_one_table_listing_every_command() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("\n## Commands\n")
        .nth(1)
        .expect("a Commands section")
        .split("\n## ")
        .next()
        .unwrap();
    let lines: Vec<&str> = section.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("| command |"))
        .expect("the table's header");
    assert!(lines[header + 1].starts_with("|---"), "the header's rule");
    let rows: Vec<&str> = lines[header + 2..]
        .iter()
        .take_while(|l| l.starts_with('|'))
        .copied()
        .collect();
    let after = &lines[header + 2 + rows.len()..];
    assert!(
        !after.iter().any(|l| l.starts_with("| `")),
        "a row after the table ended: the table is split"
    );

    let help = Command::new(env!("CARGO_BIN_EXE_mercury"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        // A command's line is indented by two spaces; a wrapped description by more.
        .filter_map(|l| l.strip_prefix("  ").filter(|r| !r.starts_with(' ')))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 10, "{commands:?}");
    for command in commands {
        assert!(
            rows.iter().any(|r| r.starts_with(&format!("| `{command}"))),
            "`{command}` is not in the README's commands table"
        );
    }
}
