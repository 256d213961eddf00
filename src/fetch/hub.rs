//! WebSub's HTTP requests to hubs: telling the planet's hub that one of its topics (a merged
//! feed) changed, with a `hub.mode=publish` POST (the form most hubs take: WebSub leaves the
//! publish request to the hub; Google's, Superfeedr's and WebSub.rocks' accept this one), and
//! asking a member's hub to subscribe or unsubscribe (W3C WebSub §5.1).
//!
//! In: the hub's URL and the form to send. Out: `Ok` when the hub accepted (any 2xx), else why
//! not, as a message for the log and the store. Never an `Err` that ends a refresh.

use std::time::Duration;

use reqwest::header;
use url::Url;

use super::{network_failure, Fetcher, Reach};

/// How long a hub may take to answer a ping: it only has to queue the work, and a render must
/// not wait on a slow hub for long (a failed ping is tried again after the next render).
pub const PING_TIMEOUT: Duration = Duration::from_secs(10);

impl Fetcher {
    /// Tells `hub` that `topic` changed. The hub is the admin's choice, so its reach is what
    /// its configured URL says (as for a feed); its redirects are not followed.
    pub async fn ping_hub(&self, hub: &Url, topic: &str) -> Result<(), String> {
        let form = [("hub.mode", "publish"), ("hub.url", topic)];
        self.post_form(Reach::of(hub), hub, &form).await
    }

    /// Sends a member's hub a subscription request (`form`: `hub.mode`, `hub.topic`,
    /// `hub.callback`…). The hub was named by the member's feed, so it gets that feed's reach:
    /// a feed configured with a public address cannot make the planet post to an internal one.
    pub async fn ask_hub(
        &self,
        feed_url: &str,
        hub: &Url,
        form: &[(&str, &str)],
    ) -> Result<(), String> {
        let reach = Url::parse(feed_url.trim()).map_or(Reach::Public, |u| Reach::of(&u));
        self.post_form(reach, hub, form).await
    }

    /// POSTs `form` to `hub` with the client of `reach`.
    async fn post_form(
        &self,
        reach: Reach,
        hub: &Url,
        form: &[(&str, &str)],
    ) -> Result<(), String> {
        let client = self.clients.get(reach);
        client.reach.check_url(hub)?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = client
            .http
            .post(hub.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .timeout(PING_TIMEOUT.min(self.settings.timeout))
            .body(body)
            .send()
            .await
            .map_err(|e| network_failure(e).message)?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!(
                "the hub answered {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_string())
        }
    }
}
