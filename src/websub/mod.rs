//! WebSub (W3C Recommendation), both ways.
//!
//! - `publish`: after a render, the planet's hub (`[planet] hub`) is told which merged feeds
//!   changed, so that their readers get new posts at once.
//! - `subscribe`: under `serve` with `[server] public_url`, the planet subscribes to the hubs
//!   its members' feeds announce: what to ask of which hub (pure `plan`), asking, renewing
//!   before the lease ends, unsubscribing from members who left feeds.toml.
//! - `signature`: the `X-Hub-Signature` check of a pushed body (HMAC over its exact bytes).
//!
//! The callback that hubs call (`/websub/<id>`) is served by `serve::websub`; a pushed body
//! goes through the refresh's own per-feed processing (`refresh::ingest_push`).

mod publish;
pub mod signature;
pub mod subscribe;

pub use publish::publish;
