//! Small feeds written by the tests that decide what shows (filters, moderation, cross-posts,
//! `why`): RSS 2.0, Atom and JSON Feed documents built from a list of [`Post`]s.

/// One post of a test feed.
#[derive(Clone, Debug)]
pub struct Post {
    pub title: String,
    pub link: String,
    /// Days before 1 March 2026 (older posts have larger numbers).
    pub days_ago: u32,
    pub categories: Vec<String>,
    pub body: String,
}

/// A post called `title`, linked at `link`, `days_ago` days before 1 March 2026.
pub fn post(title: &str, link: &str, days_ago: u32) -> Post {
    Post {
        title: title.into(),
        link: link.into(),
        days_ago,
        categories: Vec::new(),
        body: format!("<p>The text of {title}.</p>"),
    }
}

impl Post {
    pub fn tagged(mut self, categories: &[&str]) -> Post {
        self.categories = categories.iter().map(|c| c.to_string()).collect();
        self
    }

    pub fn body(mut self, body: &str) -> Post {
        self.body = body.into();
        self
    }

    fn date(&self) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
            - chrono::Duration::days(self.days_ago as i64)
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An RSS 2.0 feed of `posts` (categories as `<category>`).
pub fn rss(title: &str, posts: &[Post]) -> String {
    let mut items = String::new();
    for p in posts {
        items.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid>{}</guid><pubDate>{}</pubDate>{}<description>{}</description></item>\n",
            xml(&p.title),
            xml(&p.link),
            xml(&p.link),
            p.date().to_rfc2822(),
            p.categories
                .iter()
                .map(|c| format!("<category>{}</category>", xml(c)))
                .collect::<String>(),
            xml(&p.body),
        ));
    }
    format!(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>{}</title><link>https://example.org/</link><description>d</description>\n{items}</channel></rss>\n",
        xml(title)
    )
}

/// An Atom feed of `posts` (categories as `<category term>`).
pub fn atom(title: &str, posts: &[Post]) -> String {
    let mut entries = String::new();
    for p in posts {
        entries.push_str(&format!(
            "<entry><title>{}</title><link href=\"{}\"/><id>{}</id><updated>{}</updated>{}<content type=\"html\">{}</content></entry>\n",
            xml(&p.title),
            xml(&p.link),
            xml(&p.link),
            p.date().to_rfc3339(),
            p.categories
                .iter()
                .map(|c| format!("<category term=\"{}\"/>", xml(c)))
                .collect::<String>(),
            xml(&p.body),
        ));
    }
    format!(
        "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{}</title><id>urn:test:{}</id><updated>2026-03-01T09:00:00Z</updated>\n{entries}</feed>\n",
        xml(title),
        xml(title)
    )
}

/// A JSON Feed 1.1 of `posts` (categories as `tags`).
pub fn json_feed(title: &str, posts: &[Post]) -> String {
    let items: Vec<serde_json::Value> = posts
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.link,
                "url": p.link,
                "title": p.title,
                "date_published": p.date().to_rfc3339(),
                "tags": p.categories,
                "content_html": p.body,
            })
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "items": items,
    })
    .to_string()
}

/// The titles of the posts on a page, in order.
pub fn titles_on(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("<h3 class=\"title\">").skip(1) {
        let end = part.find("</h3>").unwrap_or(part.len());
        let inner = &part[..end];
        // Strip the link around the title.
        let text: String = {
            let mut t = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => t.push(c),
                    _ => {}
                }
            }
            t
        };
        out.push(text.trim().to_string());
    }
    out
}
