#!/usr/bin/env python3
"""Reads one of Mercury's merged feeds as a real feed reader does and checks it against its
specification. Used by tests/feed_readers.rs.

    read_feed.py atom|rss|json FILE [SCHEMA]

Prints one JSON object: what feedparser read (for JSON Feed, which feedparser 6.0 does not read,
the same fields taken by their JSON Feed names) (bozo flag, version, feed title, and per entry its
title, link, id, dates, author, content and source) and "problems", the ways the file breaks its
specification (RSS 2.0 rules, or the JSON Feed 1.1 schema given as SCHEMA, or the two Atom rules
that RFC 4287's schema states in Schematron). The calling test decides what to assert.
"""
import email.utils
import json
import re
import sys
import xml.etree.ElementTree as ET

import feedparser

ATOM = "{http://www.w3.org/2005/Atom}"
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} ([+-]\d{4}|GMT|UT|Z)$"
)


def iso(parsed):
    if not parsed:
        return None
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % tuple(parsed[:6])


def read(path):
    d = feedparser.parse(path)
    entries = []
    for e in d.entries:
        content = None
        if e.get("content"):
            content = e.content[0].value
        elif e.get("summary") is not None:
            content = e.summary
        entries.append({
            "title": e.get("title"),
            "link": e.get("link"),
            "id": e.get("id"),
            "published": iso(e.get("published_parsed")),
            "updated": iso(e.get("updated_parsed")),
            "author": e.get("author"),
            "content": content,
            "source_title": (e.get("source") or {}).get("title"),
            "enclosures": [x.get("href") for x in e.get("enclosures", [])],
        })
    return {
        "bozo": 1 if d.bozo else 0,
        "bozo_exception": repr(d.get("bozo_exception")) if d.bozo else None,
        "version": d.version,
        "title": d.feed.get("title"),
        "entries": entries,
    }


def read_json(path):
    """feedparser 6.0 reads no JSON Feed, so a JSON Feed is read by the specification's own
    field names (and checked against the schema below)."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    entries = []
    for item in doc.get("items", []):
        authors = item.get("authors") or doc.get("authors") or [{}]
        entries.append({
            "title": item.get("title"),
            "link": item.get("url"),
            "id": item.get("id"),
            "published": normal_date(item.get("date_published")),
            "updated": normal_date(item.get("date_modified")),
            "author": authors[0].get("name"),
            "content": item.get("content_html", item.get("content_text")),
            "source_title": (item.get("_mercury") or {}).get("feed_title"),
            "enclosures": [a.get("url") for a in item.get("attachments", [])],
        })
    return {"bozo": 0, "bozo_exception": None, "version": doc.get("version"),
            "title": doc.get("title"), "entries": entries}


def normal_date(text):
    """An RFC 3339 date as UTC "YYYY-MM-DDTHH:MM:SSZ" (the form iso() gives for feedparser's)."""
    if not text:
        return None
    import datetime
    try:
        d = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return "unreadable: " + text
    return d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rss_problems(path):
    """RSS 2.0 (the specification at rssboard.org has no schema): the required elements and the
    formats of the values that feed readers rely on."""
    problems = []
    root = ET.parse(path).getroot()
    if root.tag != "rss" or root.get("version") != "2.0":
        problems.append("root is not <rss version=\"2.0\">")
    channels = root.findall("channel")
    if len(channels) != 1:
        return problems + ["exactly one <channel> expected, found %d" % len(channels)]
    ch = channels[0]
    for name in ("title", "link", "description"):
        if ch.find(name) is None:
            problems.append("channel lacks <%s>" % name)
    for name in ("pubDate", "lastBuildDate"):
        for el in ch.findall(name):
            if not RFC822.match(el.text or ""):
                problems.append("channel <%s> is not an RFC 822 date: %r" % (name, el.text))
    for i, item in enumerate(ch.findall("item")):
        where = "item %d" % i
        if item.find("title") is None and item.find("description") is None:
            problems.append(where + " has neither <title> nor <description>")
        for el in item.findall("pubDate"):
            if not RFC822.match(el.text or "") or email.utils.parsedate_to_datetime(el.text) is None:
                problems.append(where + " <pubDate> is not an RFC 822 date: %r" % el.text)
        for el in item.findall("guid"):
            if not (el.text or "").strip():
                problems.append(where + " has an empty <guid>")
            if el.get("isPermaLink") not in (None, "true", "false"):
                problems.append(where + " <guid isPermaLink> is neither true nor false")
        for el in item.findall("source"):
            if not el.get("url"):
                problems.append(where + " <source> lacks url")
        for el in item.findall("enclosure"):
            for attr in ("url", "length", "type"):
                if el.get(attr) is None:
                    problems.append(where + " <enclosure> lacks " + attr)
            if el.get("length") is not None and not el.get("length").isdigit():
                problems.append(where + " <enclosure length> is not a number")
        for el in item.findall("link"):
            if not re.match(r"^https?://", (el.text or "").strip()):
                problems.append(where + " <link> is not an http(s) URL: %r" % el.text)
    return problems


def atom_problems(path):
    """The two rules of RFC 4287 that its RELAX NG schema leaves to Schematron."""
    problems = []
    root = ET.parse(path).getroot()
    feed_author = root.find(ATOM + "author") is not None
    for i, entry in enumerate(root.findall(ATOM + "entry")):
        has_author = entry.find(ATOM + "author") is not None or (
            entry.find(ATOM + "source") is not None
            and entry.find(ATOM + "source/" + ATOM + "author") is not None)
        if not (feed_author or has_author):
            problems.append("entry %d has no author and the feed has none" % i)
        if entry.find(ATOM + "content") is None:
            alternates = [l for l in entry.findall(ATOM + "link") if l.get("rel", "alternate") == "alternate"]
            if not alternates:
                problems.append("entry %d has no content and no alternate link" % i)
    return problems


def json_problems(path, schema_path):
    import jsonschema
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    with open(schema_path, encoding="utf-8") as fh:
        schema = json.load(fh)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return ["%s: %s" % ("/".join(str(p) for p in err.absolute_path) or "(root)", err.message)
            for err in validator.iter_errors(doc)]


def main():
    kind, path = sys.argv[1], sys.argv[2]
    out = read_json(path) if kind == "json" else read(path)
    if kind == "rss":
        out["problems"] = rss_problems(path)
    elif kind == "atom":
        out["problems"] = atom_problems(path)
    elif kind == "json":
        out["problems"] = json_problems(path, sys.argv[3])
    else:
        sys.exit("unknown kind %r" % kind)
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
