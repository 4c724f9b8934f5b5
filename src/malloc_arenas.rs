//! The binary's cap on glibc's malloc arenas. glibc gives a thread that
//! finds the allocator busy an arena of its own, up to eight per CPU, and
//! memory freed into an arena is reused only by the threads on it. The
//! server parks a thread for every write in flight (64 on SQLite, see
//! `db::Db`) beside the pool's readers, so under writes most of them came
//! to hold an arena: in the 95/5 read/write mix at 10,000 articles the peak
//! RSS measured 53 to 56 MiB with glibc's default and 39 to 41 MiB with
//! two arenas, at the same request rate.

/// Caps the arenas at one per CPU (two at least), unless the operator set
/// `MALLOC_ARENA_MAX`, which glibc reads itself. Call before any thread
/// starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn cap_per_cpu() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    let arenas = libc::c_int::try_from(cpus).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt sets one of glibc's allocator parameters and has no
    // other effect; M_ARENA_MAX accepts any positive count.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

/// Other allocators manage their own arenas.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn cap_per_cpu() {}
