//! Two pieces of work at once, on the machine's cores: the render's reading and writing use a
//! second thread for the digest (a year of posts) beside the rest.
//!
//! In: two closures. Out: both results, as if run one after the other; a panic in either is
//! raised again on the caller's thread.

/// Runs `a` on the calling thread and `b` on a scoped second thread, and returns both results.
pub fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    std::thread::scope(|s| {
        let b = s.spawn(b);
        let a = a();
        let b = b
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_run_and_a_panic_reaches_the_caller() {
        let (a, b) = super::join(|| 1 + 1, || "b".repeat(2));
        assert_eq!((a, b.as_str()), (2, "bb"));
        let caught = std::panic::catch_unwind(|| super::join(|| 0, || panic!("in b")));
        assert!(caught.is_err());
    }
}
