//! The server's connections: accepting them under a cap, and closing those that stall.
//!
//! In: the listener, the router, the cap and the stop signal. Out: connections served until
//! the stop. axum::serve sets no timeout and no cap: with 1,024 descriptors, 1,100 connections
//! sending half a request blocked every other client for as long as they stayed, and silent,
//! half-sent and idle connections were all still open after 125 s (the review's finding 4).
//! Here:
//! - a request's head must arrive within [`HEADER_TIMEOUT`] of the connection opening or of the
//!   previous response, so a silent, half-sent or idle keep-alive connection closes then
//!   (hyper's header-read timer, restarted for each request on a connection);
//! - a connection on which no byte moves either way for [`STALL_TIMEOUT`] is dropped (a client
//!   that stops reading a response);
//! - at most `max_connections` are open. At the cap, a new connection takes the place of the
//!   one idle longest, if that one has been idle for [`REPLACEABLE_AFTER`] — as nginx reuses
//!   idle keep-alive connections when it runs out — so slow clients holding every slot do not
//!   keep a normal request out; when every connection is busy, the new one waits in the
//!   listen backlog for a slot;
//! - an accept error (out of descriptors: EMFILE) is logged and retried after a pause; it never
//!   ends the loop.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, OwnedSemaphorePermit, Semaphore};

/// The most a client may take to send a request's head, counted from the connection's opening
/// or from the end of the previous response: also how long a keep-alive connection may idle.
/// Browsers send a head at once and reuse a connection within seconds.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The most a connection may go with no byte read or written: a client that stopped reading a
/// response. nginx's `send_timeout` is 60 s; a planet's largest file is a few MB.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// At the cap, a connection idle this long may be closed to make room for a new one; one that
/// moved a byte more recently keeps its place (a transfer in progress is not cut for a
/// newcomer unless its client stops reading).
pub const REPLACEABLE_AFTER: Duration = Duration::from_secs(1);

/// Request heads larger than this are refused, and a connection buffers no more than this of a
/// response beyond the file chunk it is sending (hyper's default is 400 KB), so slow readers
/// cost little memory each.
const MAX_BUFFER: usize = 64 << 10;

/// Serves connections from `listener` with `app` until `stop` turns true, then lets open
/// connections finish their request for up to `grace`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    max_connections: usize,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) {
    let slots = Arc::new(Semaphore::new(max_connections));
    let open = Arc::new(Open::default());
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped(&mut stop) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // The client gave up before we accepted: nothing to report.
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of descriptors (EMFILE, ENFILE) or memory: the listener stays; closing
                // connections will free what it needs.
                tracing::warn!("cannot accept a connection: {e}; trying again in 250 ms");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => continue,
                    _ = stopped(&mut stop) => break,
                }
            }
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => match make_room(&slots, &open, &mut stop).await {
                Some(slot) => slot,
                None => break,
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            stream,
            app.clone(),
            slot,
            open.clone(),
            stop.clone(),
        ));
    }
    // Every connection holds a slot until it ends: all slots back means all connections done.
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(grace, slots.acquire_many(all)).await;
}

/// Resolves once the server is stopping.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Waits for a free slot, closing the connection idle longest (if idle long enough) to make one.
/// `None` when the server stops meanwhile.
async fn make_room(
    slots: &Arc<Semaphore>,
    open: &Open,
    stop: &mut watch::Receiver<bool>,
) -> Option<OwnedSemaphorePermit> {
    loop {
        open.close_idlest(REPLACEABLE_AFTER);
        tokio::select! {
            slot = slots.clone().acquire_owned() => return slot.ok(),
            // Nobody idle enough yet: look again soon.
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = stopped(stop) => return None,
        }
    }
}

/// One connection, served until it ends, is closed to make room, or the server stops.
async fn connection(
    stream: TcpStream,
    app: Router,
    slot: OwnedSemaphorePermit,
    open: Arc<Open>,
    mut stop: watch::Receiver<bool>,
) {
    let activity = Arc::new(AtomicU64::new(open.now_ms()));
    let (id, closed) = open.add(activity.clone());
    let io = TokioIo::new(Watched::new(stream, activity, open.clone(), STALL_TIMEOUT));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true)
        .max_buf_size(MAX_BUFFER);
    let conn = builder.serve_connection(io, TowerToHyperService::new(app));
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => Some(result),
        _ = closed => None,
        _ = stopped(&mut stop) => {
            // Finish the request in flight, then close; the stall timeout still bounds it.
            conn.as_mut().graceful_shutdown();
            Some(conn.as_mut().await)
        }
    };
    if let Some(Err(e)) = result {
        // Timeouts, resets and malformed requests: the client's problem, not the server's.
        tracing::debug!("connection ended: {e}");
    }
    open.remove(id);
    drop(slot);
}

/// The open connections: when each last moved a byte, and how to close it.
struct Open {
    started: Instant,
    conns: Mutex<Conns>,
}

#[derive(Default)]
struct Conns {
    next_id: u64,
    by_id: HashMap<u64, Entry>,
}

struct Entry {
    /// Milliseconds since `started` of the last byte read or written.
    activity: Arc<AtomicU64>,
    close: oneshot::Sender<()>,
}

impl Default for Open {
    fn default() -> Self {
        Open {
            started: Instant::now(),
            conns: Mutex::default(),
        }
    }
}

impl Open {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn conns(&self) -> std::sync::MutexGuard<'_, Conns> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add(&self, activity: Arc<AtomicU64>) -> (u64, oneshot::Receiver<()>) {
        let (close, closed) = oneshot::channel();
        let mut conns = self.conns();
        let id = conns.next_id;
        conns.next_id += 1;
        conns.by_id.insert(id, Entry { activity, close });
        (id, closed)
    }

    fn remove(&self, id: u64) {
        self.conns().by_id.remove(&id);
    }

    /// Closes the connection idle longest, if it has been idle for `at_least`.
    fn close_idlest(&self, at_least: Duration) {
        let now = self.now_ms();
        let mut conns = self.conns();
        let idlest = conns
            .by_id
            .iter()
            .map(|(id, e)| (*id, e.activity.load(Ordering::Relaxed)))
            .min_by_key(|(_, last)| *last);
        if let Some((id, last)) = idlest {
            if now.saturating_sub(last) >= at_least.as_millis() as u64 {
                if let Some(entry) = conns.by_id.remove(&id) {
                    tracing::debug!(
                        "at the connection cap: closing one idle for {} ms",
                        now - last
                    );
                    let _ = entry.close.send(());
                }
            }
        }
    }
}

/// A connection's socket that records when a byte last moved, and fails once none has moved
/// for `limit` ([`STALL_TIMEOUT`]) while the server waits on the client.
struct Watched {
    stream: TcpStream,
    activity: Arc<AtomicU64>,
    open: Arc<Open>,
    limit: Duration,
    last: tokio::time::Instant,
    stall: Pin<Box<tokio::time::Sleep>>,
}

impl Watched {
    fn new(stream: TcpStream, activity: Arc<AtomicU64>, open: Arc<Open>, limit: Duration) -> Self {
        let last = tokio::time::Instant::now();
        Watched {
            stream,
            activity,
            open,
            limit,
            last,
            stall: Box::pin(tokio::time::sleep_until(last + limit)),
        }
    }

    fn moved(&mut self) {
        self.last = tokio::time::Instant::now();
        self.activity.store(self.open.now_ms(), Ordering::Relaxed);
    }

    /// The socket is not ready: an error once the stall timeout has passed since the last byte.
    /// What a write's result means for the stall timer: bytes moved, or still waiting.
    fn wrote(
        &mut self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match written {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.moved();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Pending => self.pending(cx),
            other => other,
        }
    }

    fn pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let deadline = self.last + self.limit;
        if self.stall.deadline() != deadline {
            self.stall.as_mut().reset(deadline);
        }
        match self.stall.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no byte moved for the stall timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.moved();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => this.pending(cx),
            other => other,
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.wrote(cx, written)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.wrote(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_flush(cx) {
            Poll::Pending => this.pending(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_shutdown(cx) {
            Poll::Pending => this.pending(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    /// A client that stops reading a response: the server's writes fail once nothing has moved
    /// for the stall limit, instead of waiting forever (and holding a slot).
    #[tokio::test]
    async fn a_client_that_stops_reading_is_dropped_after_the_stall_limit() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        let open = Arc::new(Open::default());
        let activity = Arc::new(AtomicU64::new(0));
        let mut watched = Watched::new(stream, activity, open, Duration::from_millis(300));
        let chunk = vec![b'x'; 64 << 10];
        let started = Instant::now();
        let error = loop {
            // Fills the socket buffers, then waits on a client that never reads.
            if let Err(e) = watched.write_all(&chunk).await {
                break e;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "never timed out"
            );
        };
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        drop(client);
    }

    #[test]
    fn at_the_cap_the_connection_idle_longest_is_closed_if_idle_long_enough() {
        let open = Open {
            started: Instant::now().checked_sub(Duration::from_secs(60)).unwrap(),
            conns: Mutex::default(),
        };
        let now = open.now_ms();
        let moved = |ms_ago: u64| Arc::new(AtomicU64::new(now - ms_ago));
        let (_, mut busy) = open.add(moved(200));
        let (_, mut idlest) = open.add(moved(5_000));
        let (_, mut idle) = open.add(moved(3_000));
        open.close_idlest(REPLACEABLE_AFTER);
        assert!(idlest.try_recv().is_ok(), "the idlest stays open");
        assert!(idle.try_recv().is_err() && busy.try_recv().is_err());
        open.close_idlest(REPLACEABLE_AFTER);
        assert!(idle.try_recv().is_ok(), "the next idlest stays open");
        open.close_idlest(REPLACEABLE_AFTER);
        assert!(
            busy.try_recv().is_err(),
            "closed a connection that moved 200 ms ago"
        );
    }
}
