//! The binary's settings of glibc's malloc: a cap on its arenas, and large
//! blocks returned to the system (see `return_large_blocks`).
//!
//! The cap on glibc's malloc arenas. glibc gives a thread that
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

/// Hands blocks of 4 MiB and more straight back to the system when freed,
/// unless the operator set `MALLOC_MMAP_THRESHOLD_`. A rendition decodes a
/// photo into buffers of tens of MiB on whichever blocking thread runs it;
/// glibc's default raises its mmap threshold after the first such free, so
/// later buffers came from an arena, and each arena kept its largest decode:
/// with 64 connections asking for cold renditions, one at a time, peak RSS
/// reached 192 MiB with two arenas, for some 60 MiB of live data.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn return_large_blocks() {
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_some() {
        return;
    }
    const LARGE_BLOCK: libc::c_int = 4 * 1024 * 1024;
    // SAFETY: as above; M_MMAP_THRESHOLD accepts any size up to 32 MiB.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_large_blocks() {}

/// Hands the free pages inside every arena back to the system. A cold
/// rendition frees tens of MiB in blocks under the mmap threshold (an AVIF
/// encoder's planes and tables); without this, each arena kept what its
/// last render left, on top of the next render's peak.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_free_memory() {
    // SAFETY: malloc_trim only returns free memory to the system; it takes
    // the arenas' locks itself and touches nothing in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() {}
