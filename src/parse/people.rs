//! People as feeds write them: a name and an e-mail address in one string, in any of the forms
//! RSS `author`, `dc:creator` and `itunes:author` come in (`email (Name)`, `Name (email)`,
//! `(Name)`, `Name <email>`, a bare address, a bare name).
//!
//! In: the element's text (XML references already decoded). Out: a [`Person`] whose name is
//! plain text without the parentheses or the address, and the address apart.

use crate::sanitize;

/// A name and, when the text held one, an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The name to show; the address when the text held nothing else; may be empty.
    pub name: String,
    pub email: Option<String>,
}

/// Splits `raw` into name and address.
pub fn person(raw: &str) -> Person {
    let raw = raw.trim();
    let mut email = None;
    let mut rest = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        if email.is_none() {
            if let Some(address) = address_in(word) {
                email = Some(address.to_string());
                continue;
            }
        }
        if !rest.is_empty() {
            rest.push(' ');
        }
        rest.push_str(word);
    }
    let name = sanitize::html_to_text(unwrap_brackets(&rest));
    let name = if name.is_empty() {
        email.clone().unwrap_or_default()
    } else {
        name
    };
    Person { name, email }
}

/// The address a word holds (`me@example.org`, `<me@example.org>`, `(mailto:me@example.org)`),
/// or `None` when it is not an address (`@handle`, `a@b`).
fn address_in(word: &str) -> Option<&str> {
    let word = word.trim_matches(|c| matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | ',' | ';'));
    let word = word
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("mailto:"))
        .map_or(word, |_| &word[7..]);
    let (local, domain) = word.split_once('@')?;
    let is_address = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !word.contains(['<', '>', '(', ')', '"']);
    is_address.then_some(word)
}

/// The name left once the address is out: `(Name)` and `<Name>` lose their brackets, and the
/// empty `()` an address leaves behind goes.
fn unwrap_brackets(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let inner = s
            .strip_prefix('(')
            .and_then(|i| i.strip_suffix(')'))
            .filter(|i| !i.contains(['(', ')']));
        match inner {
            Some(i) => s = i.trim(),
            None => break,
        }
    }
    for empty in ["()", "<>", "[]"] {
        if let Some(before) = s.strip_suffix(empty) {
            s = before.trim_end();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form() {
        let named = |name: &str, email: Option<&str>| Person {
            name: name.to_string(),
            email: email.map(str::to_string),
        };
        let z = "Zoë Erin Haddad";
        let e = Some("erin@example.org");
        for (raw, want) in [
            ("erin@example.org (Zoë Erin Haddad)", named(z, e)),
            ("Zoë Erin Haddad (erin@example.org)", named(z, e)),
            ("(Zoë Erin Haddad)", named(z, None)),
            ("Zoë Erin Haddad <erin@example.org>", named(z, e)),
            ("<erin@example.org>", named("erin@example.org", e)),
            ("erin@example.org", named("erin@example.org", e)),
            ("  Zoë   Erin Haddad ", named(z, None)),
            ("Zoë Erin Haddad ()", named(z, None)),
            ("mailto:erin@example.org (Zoë Erin Haddad)", named(z, e)),
            ("@zoe (Zoë)", named("@zoe (Zoë)", None)),
            ("John Smith (editor)", named("John Smith (editor)", None)),
            ("", named("", None)),
        ] {
            assert_eq!(person(raw), want, "{raw:?}");
        }
    }
}
