//! A WebSub hub of the test's own on 127.0.0.1: it records every request it gets (method,
//! path, form fields) and answers with the status the test sets.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{Method, Response, Uri};

/// One request the hub received.
#[derive(Clone, Debug)]
pub struct HubRequest {
    pub method: String,
    pub path: String,
    /// The form fields of the body, in order.
    pub form: Vec<(String, String)>,
}

impl HubRequest {
    /// The first value of the form field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct HubState {
    status: u16,
    /// The status of subscription requests (202 Accepted, as WebSub §5.1.1 has hubs answer).
    subscribe_status: u16,
    seen: Vec<HubRequest>,
}

/// The hub: answers 204 until told otherwise.
pub struct Hub {
    addr: SocketAddr,
    state: Arc<Mutex<HubState>>,
}

impl Hub {
    pub fn start() -> Hub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(HubState {
            status: 204,
            subscribe_status: 202,
            seen: Vec::new(),
        }));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        Hub { addr, state }
    }

    /// The hub's URL.
    pub fn url(&self) -> String {
        format!("http://{}/hub", self.addr)
    }

    /// Answers every request from now on with `status`.
    pub fn answer(&self, status: u16) {
        self.state.lock().unwrap().status = status;
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<HubRequest> {
        self.state.lock().unwrap().seen.clone()
    }

    /// The `hub.url` of every publish ping so far, in order.
    pub fn published(&self) -> Vec<String> {
        self.seen()
            .iter()
            .filter(|r| r.method == "POST" && r.field("hub.mode") == Some("publish"))
            .filter_map(|r| r.field("hub.url").map(str::to_string))
            .collect()
    }

    /// The subscription requests (`hub.mode` subscribe or unsubscribe) so far, in order.
    pub fn requests(&self, mode: &str) -> Vec<HubRequest> {
        self.seen()
            .into_iter()
            .filter(|r| r.method == "POST" && r.field("hub.mode") == Some(mode))
            .collect()
    }

    /// Forgets the requests seen so far.
    pub fn clear(&self) {
        self.state.lock().unwrap().seen.clear();
    }
}

async fn handle(
    State(state): State<Arc<Mutex<HubState>>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response<Body> {
    let form = url::form_urlencoded::parse(&body).into_owned().collect();
    let mut state = state.lock().unwrap();
    state.seen.push(HubRequest {
        method: method.to_string(),
        path: uri.path().to_string(),
        form,
    });
    let request = state.seen.last().unwrap();
    let subscribing = matches!(request.field("hub.mode"), Some("subscribe" | "unsubscribe"));
    let status = if subscribing {
        state.subscribe_status
    } else {
        state.status
    };
    Response::builder()
        .status(status)
        .body(Body::empty())
        .unwrap()
}

/// One HTTP/1.1 request over a fresh loopback connection (no client library in between):
/// the status, the headers and the body of the answer.
pub fn http_request(
    method: &str,
    addr: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> super::HttpResponse {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    // A server may refuse before reading all of a large body: a failed write is its answer.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.trim_end().lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let body = raw[split..].to_vec();
    super::HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        raw: body,
    }
}

/// `X-Hub-Signature` for `body` with `secret`: `sha256=<hex>` (or `sha1=`).
pub fn sign(method: &str, secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    let code = match method {
        "sha1" => {
            let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        _ => {
            let mut mac =
                <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
    };
    format!("{method}={}", hex(&code))
}
