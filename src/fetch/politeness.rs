//! Politeness toward the hosts Mercury fetches from: many members share one blog host, and it
//! must not see a burst of requests from one refresh.
//!
//! In: [`FeedRequest`]s and their URLs. Out: the requests in a host-interleaved order
//! ([`interleave_by_host`]) and one semaphore per host ([`HostLimits`]) whose permit a fetch holds
//! while it runs.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::model::FeedRequest;

/// One semaphore per host name, created on first use.
pub(crate) struct HostLimits {
    per_host: usize,
    hosts: std::sync::Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimits {
    /// At most `per_host` requests to one host at once (at least one).
    pub(crate) fn new(per_host: usize) -> Self {
        HostLimits {
            per_host: per_host.max(1),
            hosts: Default::default(),
        }
    }

    /// The semaphore of `url`'s host name (case-insensitive): hold one of its permits while
    /// fetching from that host.
    pub(crate) fn for_url(&self, url: &url::Url) -> Arc<Semaphore> {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
            .clone()
    }
}

/// Orders requests round-robin across hosts, so that feeds of one big host do not fill every
/// global slot while they wait for that host's permits.
pub(crate) fn interleave_by_host(requests: Vec<FeedRequest>) -> Vec<FeedRequest> {
    let mut order: Vec<String> = Vec::new();
    let mut by_host: HashMap<String, VecDeque<FeedRequest>> = HashMap::new();
    for r in requests {
        let host = r.fetch_url.host_str().unwrap_or("").to_ascii_lowercase();
        if !by_host.contains_key(&host) {
            order.push(host.clone());
        }
        by_host.entry(host).or_default().push_back(r);
    }
    let mut out = Vec::new();
    loop {
        let mut any = false;
        for host in &order {
            if let Some(r) = by_host.get_mut(host).and_then(|q| q.pop_front()) {
                out.push(r);
                any = true;
            }
        }
        if !any {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(url: &str) -> FeedRequest {
        // Keep the URL as written (the identity), as sync_feeds does.
        FeedRequest {
            url: url.into(),
            ..FeedRequest::fresh(&url::Url::parse(url).unwrap())
        }
    }

    #[test]
    fn hosts_are_interleaved() {
        let input = vec![
            req("http://a.example/1"),
            req("http://a.example/2"),
            req("http://a.example/3"),
            req("http://b.example/1"),
            req("http://c.example/1"),
            req("http://B.example/2"),
        ];
        let order: Vec<String> = interleave_by_host(input)
            .into_iter()
            .map(|r| r.url)
            .collect();
        assert_eq!(
            order,
            [
                "http://a.example/1",
                "http://b.example/1",
                "http://c.example/1",
                "http://a.example/2",
                "http://B.example/2",
                "http://a.example/3"
            ]
        );
    }
}
