//! Memory given back to the system when the server is idle.
//!
//! glibc's allocator keeps what a burst of work freed (a password hash's 19 MiB, a large
//! blocklist, a page of results) in its heaps rather than returning it, and gives every
//! thread that allocates an arena of its own: a server that was busy an hour ago would sit
//! at several times the memory it needs. At start the arenas are capped, and once the
//! server has been idle for a while the freed memory is returned, once per idle spell.

use std::time::Duration;

use tokio::sync::watch;

use crate::app::App;

/// How often the server looks whether it has been idle.
const LOOK_EVERY: Duration = Duration::from_secs(5);

/// Caps the allocator's arenas (call once, before threads start). Two arenas keep the
/// tokio workers from contending while the database threads share them.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_ARENA_MAX: libc::c_int = -8;
        // SAFETY: mallopt only sets an allocator parameter; it is called before any other
        // thread exists, as glibc asks.
        unsafe {
            libc::mallopt(M_ARENA_MAX, 2);
        }
    }
}

/// Returns freed memory to the system when no request was answered since the last look
/// and none is being served, once until the server is busy again.
pub fn spawn(app: App, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = app.metrics.activity().0;
        let mut trimmed = false;
        loop {
            tokio::select! {
                () = tokio::time::sleep(LOOK_EVERY) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                return;
            }
            let (answered, in_flight) = app.metrics.activity();
            let idle = answered == last && in_flight == 0;
            last = answered;
            if !idle {
                trimmed = false;
            } else if !trimmed {
                trimmed = true;
                let _ = tokio::task::spawn_blocking(give_back).await;
            }
        }
    })
}

/// Returns the allocator's free memory to the system.
fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only releases free pages of the allocator's heaps; it is
        // safe to call from any thread at any time.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}
