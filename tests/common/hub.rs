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
    Response::builder()
        .status(state.status)
        .body(Body::empty())
        .unwrap()
}
