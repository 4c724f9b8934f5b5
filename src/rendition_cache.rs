//! Renditions of uploaded images, each made once and kept: the hottest in
//! memory, the rest on disk, both bounded in bytes, the least recently used
//! out first. It knows no HTTP, database or image format: a caller names a
//! rendition by an opaque key and says how to make it.
//!
//! A request is answered from memory (a hash lookup and a reference count
//! under a short lock), else from disk (read on the blocking pool), else by
//! running `make` on the blocking pool. Concurrent requests for one cold key
//! share one flight, and at most `concurrent_renders` makes run at once, so a
//! burst of cold renditions leaves blocking threads to file reads and to the
//! database.
//!
//! Disk hits are read on the blocking pool, not on the worker thread. From
//! the page cache a 20-200 KB file reads in 8-13 µs and a disk hit costs
//! about 120 µs through the pool (debug build, 2 cores); but disk hits are
//! the renditions memory did not keep, the likeliest to be out of the page
//! cache too, and a read that waits on the device would stall every
//! connection of its worker, `/healthz` and the API's reads included.
//!
//! The disk bound is kept by this process's index: a second process sharing
//! the directory may read and write the same files safely (writes are
//! atomic renames of identical content), but each keeps its own bound.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::{Semaphore, watch};

/// Files in the fan-out directories that start so are writes in progress,
/// or left by a crash.
const TEMP_PREFIX: &str = ".tmp";

/// A write in progress takes milliseconds; a temporary file this old was
/// left by a crash, not by a second process still writing it.
const STALE_TEMP: Duration = Duration::from_secs(600);

pub struct CacheSettings {
    pub dir: PathBuf,
    pub max_disk_bytes: u64,
    pub max_memory_bytes: u64,
    pub concurrent_renders: usize,
    /// How long a cold request waits for a render slot before `Busy`.
    pub render_wait: Duration,
}

impl CacheSettings {
    /// 1 GiB on disk, 32 MiB in memory, one render per CPU, 10 s of waiting.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            max_disk_bytes: 1 << 30,
            max_memory_bytes: 32 << 20,
            concurrent_renders: std::thread::available_parallelism().map_or(1, usize::from),
            render_wait: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Memory,
    Disk,
    /// Made for this request, or for the request it waited on.
    Made,
}

#[derive(Debug, Clone)]
pub struct Served {
    /// `actix_web::web::Bytes` is this type: a response sends it uncopied.
    pub bytes: Bytes,
    pub source: Source,
}

#[derive(Debug, thiserror::Error)]
pub enum MakeError<E> {
    /// `make` failed. Every request that waited on it gets this same error,
    /// hence the `Arc`; the failure is not kept, the next request tries again.
    #[error("the rendition could not be made")]
    Failed(Arc<E>),
    /// No render slot came free within `render_wait`.
    #[error("every render slot stayed taken")]
    Busy,
    #[error("the rendition cache failed: {0}")]
    Io(#[source] io::Error),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits_memory: u64,
    pub hits_disk: u64,
    pub made: u64,
    /// Files deleted to keep the disk under its bound.
    pub evicted: u64,
    pub disk_bytes: u64,
    pub memory_bytes: u64,
}

pub struct RenditionCache {
    inner: Arc<Inner>,
}

/// What a finished render or disk read must reach from the blocking pool,
/// even after the request that started it went away.
struct Inner {
    dir: PathBuf,
    max_disk_bytes: u64,
    max_memory_bytes: u64,
    /// Render slots: a permit is held while `make` runs.
    renders: Arc<Semaphore>,
    render_wait: Duration,
    state: Mutex<State>,
    hits_memory: AtomicU64,
    hits_disk: AtomicU64,
    made: AtomicU64,
    evicted: AtomicU64,
}

/// One lock for both layers and the flights: a memory hit refreshes the
/// disk's recency too, and a request checks memory and joins or starts a
/// flight in one step.
struct State {
    /// By the caller's key, so a hit hashes nothing.
    memory: Lru<Remembered>,
    /// By file name; sizes only, the bytes stay on disk.
    disk: Lru<()>,
    /// Keys being read or made; every request for one watches its outcome.
    flights: HashMap<String, watch::Receiver<Option<Outcome>>>,
}

struct Remembered {
    bytes: Bytes,
    file_name: Arc<str>,
}

/// A flight's result as every request waiting on it can have it, whatever
/// its `E`.
type Outcome = Result<Served, SharedFailure>;

#[derive(Clone)]
enum SharedFailure {
    Failed(Arc<dyn Any + Send + Sync>),
    Busy,
    Io(io::ErrorKind, Arc<str>),
}

impl RenditionCache {
    /// Creates `dir` or takes up what a previous run left in it, the files'
    /// modification times standing for their last use, and deletes the
    /// least recently used down to `max_disk_bytes`.
    pub fn open(settings: CacheSettings) -> io::Result<Self> {
        fs::create_dir_all(&settings.dir)?;
        let mut found = scan(&settings.dir)?;
        found.sort_by_key(|file| file.modified);
        let mut disk = Lru::default();
        for file in found {
            disk.insert(file.name, (), file.size);
        }
        let inner = Arc::new(Inner {
            dir: settings.dir,
            max_disk_bytes: settings.max_disk_bytes,
            max_memory_bytes: settings.max_memory_bytes,
            renders: Arc::new(Semaphore::new(settings.concurrent_renders.max(1))),
            render_wait: settings.render_wait,
            state: Mutex::new(State {
                memory: Lru::default(),
                disk,
                flights: HashMap::new(),
            }),
            hits_memory: AtomicU64::new(0),
            hits_disk: AtomicU64::new(0),
            made: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
        });
        let over = inner.over_disk_bound(&mut inner.lock());
        inner.delete(over);
        Ok(Self { inner })
    }

    /// The bytes for `key`, from memory, else disk, else by running `make`
    /// on the blocking pool and keeping what it returns. Concurrent requests
    /// for one key run `make` once and share its outcome.
    ///
    /// `key` may be any string: files are named by its SHA-256, so no key
    /// can reach outside the directory.
    pub async fn get_or_make<F, E>(&self, key: &str, make: F) -> Result<Served, MakeError<E>>
    where
        F: FnOnce() -> Result<Vec<u8>, E> + Send + 'static,
        E: Send + Sync + 'static,
    {
        loop {
            let (mut receiver, flight) = {
                let mut state = self.inner.lock();
                if let Some(bytes) = state.recall(key) {
                    self.inner.hits_memory.fetch_add(1, Ordering::Relaxed);
                    return Ok(Served {
                        bytes,
                        source: Source::Memory,
                    });
                }
                match state.flights.get(key) {
                    Some(receiver) => (receiver.clone(), None),
                    None => {
                        let (sender, receiver) = watch::channel(None);
                        state.flights.insert(key.to_owned(), receiver.clone());
                        let flight = Flight {
                            inner: self.inner.clone(),
                            key: key.to_owned(),
                            sender,
                            outcome: None,
                        };
                        (receiver, Some(flight))
                    }
                }
            };
            // The flight is a task of its own, not part of this request: a
            // client that hangs up neither strands the requests waiting on
            // it nor throws away a render they would then start again.
            if let Some(flight) = flight {
                tokio::spawn(flight.fly(make));
                return wait(&mut receiver)
                    .await
                    .expect("a flight fails with its own make's error type");
            }
            if let Some(result) = wait(&mut receiver).await {
                return result;
            }
        }
    }

    pub fn stats(&self) -> CacheStats {
        let inner = &self.inner;
        let (disk_bytes, memory_bytes) = {
            let state = inner.lock();
            (state.disk.bytes, state.memory.bytes)
        };
        CacheStats {
            hits_memory: inner.hits_memory.load(Ordering::Relaxed),
            hits_disk: inner.hits_disk.load(Ordering::Relaxed),
            made: inner.made.load(Ordering::Relaxed),
            evicted: inner.evicted.load(Ordering::Relaxed),
            disk_bytes,
            memory_bytes,
        }
    }
}

/// A flight's outcome once it lands. `None` when it failed with another
/// error type than this request's: only a caller bug (two kinds of make
/// for one key) does that, and the request then starts a flight of its own.
async fn wait<E: Send + Sync + 'static>(
    receiver: &mut watch::Receiver<Option<Outcome>>,
) -> Option<Result<Served, MakeError<E>>> {
    let outcome = match receiver.wait_for(Option::is_some).await {
        Ok(landed) => landed.clone().expect("wait_for waits until it is landed"),
        // Only a runtime shutting down drops a flight before it lands.
        Err(_) => Err(SharedFailure::Io(
            io::ErrorKind::Interrupted,
            "the render was abandoned".into(),
        )),
    };
    unshare(outcome)
}

/// The one read or make of a cold key; every request for the key watches
/// `sender`. Dropping it ends the flight, landed or not.
struct Flight {
    inner: Arc<Inner>,
    key: String,
    sender: watch::Sender<Option<Outcome>>,
    outcome: Option<Outcome>,
}

impl Flight {
    async fn fly<F, E>(mut self, make: F)
    where
        F: FnOnce() -> Result<Vec<u8>, E> + Send + 'static,
        E: Send + Sync + 'static,
    {
        let result = self
            .inner
            .clone()
            .read_or_make(self.key.clone(), make)
            .await;
        self.outcome = Some(share(&result));
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        // Removed before the outcome is sent: a request that looks again
        // (see `wait`) must not find this finished flight.
        self.inner.lock().flights.remove(&self.key);
        if let Some(outcome) = self.outcome.take() {
            self.sender.send_replace(Some(outcome));
        }
    }
}

fn share<E: Send + Sync + 'static>(result: &Result<Served, MakeError<E>>) -> Outcome {
    match result {
        Ok(served) => Ok(served.clone()),
        Err(MakeError::Failed(e)) => Err(SharedFailure::Failed(e.clone())),
        Err(MakeError::Busy) => Err(SharedFailure::Busy),
        Err(MakeError::Io(e)) => Err(SharedFailure::Io(e.kind(), e.to_string().into())),
    }
}

fn unshare<E: Send + Sync + 'static>(outcome: Outcome) -> Option<Result<Served, MakeError<E>>> {
    Some(match outcome {
        Ok(served) => Ok(served),
        Err(SharedFailure::Failed(e)) => Err(MakeError::Failed(e.downcast().ok()?)),
        Err(SharedFailure::Busy) => Err(MakeError::Busy),
        Err(SharedFailure::Io(kind, message)) => {
            Err(MakeError::Io(io::Error::new(kind, message.to_string())))
        }
    })
}

fn blocking_failed<E>(e: tokio::task::JoinError) -> MakeError<E> {
    MakeError::Io(io::Error::other(format!("a blocking task failed: {e}")))
}

impl State {
    fn recall(&mut self, key: &str) -> Option<Bytes> {
        let remembered = self.memory.get(key)?;
        let bytes = remembered.bytes.clone();
        let file_name = remembered.file_name.clone();
        self.disk.get(&file_name);
        Some(bytes)
    }
}

impl Inner {
    /// Disk, else `make`. The file is read even when the index does not
    /// know it: a second process sharing the directory may have written it.
    async fn read_or_make<F, E>(
        self: Arc<Self>,
        key: String,
        make: F,
    ) -> Result<Served, MakeError<E>>
    where
        F: FnOnce() -> Result<Vec<u8>, E> + Send + 'static,
        E: Send + Sync + 'static,
    {
        let name = file_name(&key);
        let path = self.path_of(&name);
        let (inner, reader_key, found_name) = (self.clone(), key.clone(), name.clone());
        let read = tokio::task::spawn_blocking(move || {
            let bytes = Bytes::from(read_and_touch(&path)?);
            inner.found_on_disk(&reader_key, found_name, &bytes);
            Ok::<_, io::Error>(bytes)
        })
        .await
        .map_err(blocking_failed)?;
        match read {
            Ok(bytes) => {
                return Ok(Served {
                    bytes,
                    source: Source::Disk,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // Deleted behind the index's back, by another process or a
                // concurrent eviction: it is made again below.
                self.lock().disk.remove(&name);
            }
            Err(e) => {
                tracing::warn!(error = %e, file = %name, "could not read a kept rendition; making it again");
            }
        }

        let permit = tokio::time::timeout(self.render_wait, self.renders.clone().acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or(MakeError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut made = make().map_err(|e| MakeError::Failed(Arc::new(e)))?;
            // The memory bound counts lengths: spare capacity would be
            // memory it does not see.
            made.shrink_to_fit();
            let bytes = Bytes::from(made);
            self.made.fetch_add(1, Ordering::Relaxed);
            self.keep(&key, name, &bytes);
            Ok(Served {
                bytes,
                source: Source::Made,
            })
        })
        .await
        .map_err(blocking_failed)?
    }

    /// The maps stay consistent whatever panicked while they were locked:
    /// every change to them is a few lines that do not panic.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A two-level fan-out keeps each directory to a few hundred entries.
    fn path_of(&self, file_name: &str) -> PathBuf {
        self.dir.join(&file_name[..2]).join(file_name)
    }

    fn found_on_disk(&self, key: &str, file_name: Arc<str>, bytes: &Bytes) {
        self.hits_disk.fetch_add(1, Ordering::Relaxed);
        let over = {
            let mut state = self.lock();
            if state.disk.get(&file_name).is_none() {
                state.disk.insert(file_name.clone(), (), bytes.len() as u64);
            }
            self.remember(&mut state, key, file_name, bytes);
            self.over_disk_bound(&mut state)
        };
        self.delete(over);
    }

    /// Writes a made rendition to disk and memory. A failed write is logged
    /// and the bytes served all the same: the next request makes them again.
    fn keep(&self, key: &str, file_name: Arc<str>, bytes: &Bytes) {
        let written = self.write_atomically(&file_name, bytes);
        let over = {
            let mut state = self.lock();
            match written {
                Ok(()) => state.disk.insert(file_name.clone(), (), bytes.len() as u64),
                Err(e) => {
                    tracing::warn!(error = %e, file = %file_name, "could not keep a rendition on disk; serving it anyway");
                }
            }
            self.remember(&mut state, key, file_name, bytes);
            self.over_disk_bound(&mut state)
        };
        self.delete(over);
    }

    /// A reader, in this process or another sharing the directory, sees the
    /// whole file or none. Synced before the rename, so a power cut cannot
    /// leave an empty file under the final name to be served forever.
    fn write_atomically(&self, file_name: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path_of(file_name);
        let fan_out = path.parent().expect("a file name has a fan-out directory");
        fs::create_dir_all(fan_out)?;
        let mut file = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(fan_out)?;
        file.write_all(bytes)?;
        file.as_file().sync_data()?;
        file.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Renditions larger than an eighth of the memory bound stay on disk
    /// only: one of them would push out many hot small ones.
    fn remember(&self, state: &mut State, key: &str, file_name: Arc<str>, bytes: &Bytes) {
        let size = bytes.len() as u64;
        if size > self.max_memory_bytes / 8 {
            return;
        }
        let bytes = bytes.clone();
        state
            .memory
            .insert(key.into(), Remembered { bytes, file_name }, size);
        while state.memory.bytes > self.max_memory_bytes && state.memory.pop_oldest().is_some() {}
    }

    /// Takes the least recently used files out of the index until it is
    /// under the bound; the caller deletes them after unlocking.
    fn over_disk_bound(&self, state: &mut State) -> Vec<Arc<str>> {
        let mut over = Vec::new();
        while state.disk.bytes > self.max_disk_bytes {
            match state.disk.pop_oldest() {
                Some((name, ())) => over.push(name),
                None => break,
            }
        }
        over
    }

    fn delete(&self, file_names: Vec<Arc<str>>) {
        for name in file_names {
            self.evicted.fetch_add(1, Ordering::Relaxed);
            match fs::remove_file(self.path_of(&name)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!(error = %e, file = %name, "could not evict a rendition"),
            }
        }
    }
}

/// The hex SHA-256 of the key: any key, even `../x`, names a file inside
/// the directory, and the fan-out is even.
fn file_name(key: &str) -> Arc<str> {
    let digest = Sha256::digest(key.as_bytes());
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .into()
}

fn is_file_name(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Reads a kept rendition and marks it used now: its modification time is
/// its last use when the next run starts.
fn read_and_touch(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    // Only the order after a restart depends on it.
    let _ = file.set_modified(SystemTime::now());
    Ok(bytes)
}

struct FoundFile {
    name: Arc<str>,
    size: u64,
    modified: SystemTime,
}

/// The renditions a previous run kept; deletes temporary files a crash left.
/// Files another process deletes meanwhile are skipped; others are left alone.
fn scan(dir: &Path) -> io::Result<Vec<FoundFile>> {
    let mut found = Vec::new();
    for fan_out in fs::read_dir(dir)? {
        let fan_out = fan_out?;
        let prefix = fan_out.file_name();
        let Some(prefix) = prefix.to_str() else {
            continue;
        };
        if prefix.len() != 2 || !fan_out.file_type()?.is_dir() {
            continue;
        }
        for entry in fs::read_dir(fan_out.path())? {
            let entry = entry?;
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let modified = meta.modified()?;
            if meta.is_file() && is_file_name(name) && name.starts_with(prefix) {
                found.push(FoundFile {
                    name: name.into(),
                    size: meta.len(),
                    modified,
                });
            } else if name.starts_with(TEMP_PREFIX)
                && modified.elapsed().is_ok_and(|age| age > STALE_TEMP)
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    Ok(found)
}

/// Least recently used first, weighed in bytes. `order` maps each entry's
/// last use, a tick of `clock`, to its key: the first is the oldest.
struct Lru<V> {
    entries: HashMap<Arc<str>, Slot<V>>,
    order: BTreeMap<u64, Arc<str>>,
    clock: u64,
    bytes: u64,
}

struct Slot<V> {
    value: V,
    size: u64,
    last_use: u64,
}

impl<V> Default for Lru<V> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            clock: 0,
            bytes: 0,
        }
    }
}

impl<V> Lru<V> {
    /// The value, now the most recently used.
    fn get(&mut self, key: &str) -> Option<&V> {
        let slot = self.entries.get_mut(key)?;
        let key = self
            .order
            .remove(&slot.last_use)
            .expect("every entry is in the order");
        self.clock += 1;
        slot.last_use = self.clock;
        self.order.insert(self.clock, key);
        Some(&slot.value)
    }

    fn insert(&mut self, key: Arc<str>, value: V, size: u64) {
        self.remove(&key);
        self.clock += 1;
        self.order.insert(self.clock, key.clone());
        self.bytes += size;
        let last_use = self.clock;
        self.entries.insert(
            key,
            Slot {
                value,
                size,
                last_use,
            },
        );
    }

    fn remove(&mut self, key: &str) -> Option<V> {
        let slot = self.entries.remove(key)?;
        self.order.remove(&slot.last_use);
        self.bytes -= slot.size;
        Some(slot.value)
    }

    fn pop_oldest(&mut self) -> Option<(Arc<str>, V)> {
        let (_, key) = self.order.pop_first()?;
        let slot = self
            .entries
            .remove(&key)
            .expect("every key in the order is an entry");
        self.bytes -= slot.size;
        Some((key, slot.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn settings(dir: &Path) -> CacheSettings {
        CacheSettings::new(dir.join("cache"))
    }

    fn open(settings: CacheSettings) -> RenditionCache {
        RenditionCache::open(settings).expect("the cache opens")
    }

    /// A make that counts its runs and returns `size` bytes of `fill`.
    fn counted(
        runs: &Arc<AtomicUsize>,
        fill: u8,
        size: usize,
    ) -> impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static {
        let runs = runs.clone();
        move || {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(vec![fill; size])
        }
    }

    async fn get(cache: &RenditionCache, key: &str, runs: &Arc<AtomicUsize>) -> Served {
        cache
            .get_or_make(key, counted(runs, 7, 100))
            .await
            .unwrap_or_else(|e| panic!("{key} was not served: {e}"))
    }

    fn kept_on_disk(cache: &RenditionCache, key: &str) -> bool {
        cache.inner.path_of(&file_name(key)).is_file()
    }

    #[tokio::test]
    async fn a_rendition_is_made_once_then_served_from_memory() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = open(settings(tmp.path()));
        let runs = Arc::new(AtomicUsize::new(0));

        let first = get(&cache, "k", &runs).await;
        let second = get(&cache, "k", &runs).await;

        assert_eq!(first.source, Source::Made);
        assert_eq!(second.source, Source::Memory);
        assert_eq!(first.bytes, second.bytes);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let stats = cache.stats();
        assert_eq!((stats.made, stats.hits_memory), (1, 1));
        assert_eq!((stats.disk_bytes, stats.memory_bytes), (100, 100));
    }

    #[tokio::test]
    async fn a_new_cache_on_the_same_dir_serves_from_disk() {
        let tmp = tempfile::tempdir().unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        get(&open(settings(tmp.path())), "k", &runs).await;

        let cache = open(settings(tmp.path()));
        let served = get(&cache, "k", &runs).await;

        assert_eq!(served.source, Source::Disk);
        assert_eq!(served.bytes, vec![7; 100]);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(get(&cache, "k", &runs).await.source, Source::Memory);
    }

    #[tokio::test]
    async fn the_least_recently_used_files_are_evicted_to_stay_under_the_disk_bound() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = open(CacheSettings {
            max_disk_bytes: 250,
            ..settings(tmp.path())
        });
        let runs = Arc::new(AtomicUsize::new(0));

        for key in ["a", "b", "c", "d", "e"] {
            get(&cache, key, &runs).await;
        }

        for key in ["a", "b", "c"] {
            assert!(!kept_on_disk(&cache, key), "{key} should be evicted");
        }
        for key in ["d", "e"] {
            assert!(kept_on_disk(&cache, key), "{key} should be kept");
        }
        let stats = cache.stats();
        assert_eq!((stats.disk_bytes, stats.evicted), (200, 3));
    }

    #[tokio::test]
    async fn an_access_refreshes_a_renditions_recency() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = open(CacheSettings {
            max_disk_bytes: 250,
            ..settings(tmp.path())
        });
        let runs = Arc::new(AtomicUsize::new(0));

        get(&cache, "a", &runs).await;
        get(&cache, "b", &runs).await;
        assert_eq!(get(&cache, "a", &runs).await.source, Source::Memory);
        get(&cache, "c", &runs).await;

        assert!(kept_on_disk(&cache, "a"));
        assert!(!kept_on_disk(&cache, "b"));
        assert!(kept_on_disk(&cache, "c"));
    }

    #[tokio::test]
    async fn concurrent_requests_for_a_cold_key_make_it_once() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Arc::new(open(settings(tmp.path())));
        let runs = Arc::new(AtomicUsize::new(0));

        let mut requests = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (cache, runs) = (cache.clone(), runs.clone());
            requests.spawn(async move {
                cache
                    .get_or_make("cold", move || {
                        runs.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        Ok::<_, String>(vec![1; 10])
                    })
                    .await
            });
        }

        for served in requests.join_all().await {
            assert_eq!(served.expect("every request is served").bytes, vec![1; 10]);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(cache.stats().made, 1);
    }

    #[tokio::test]
    async fn no_more_makes_run_at_once_than_concurrent_renders() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Arc::new(open(CacheSettings {
            concurrent_renders: 2,
            ..settings(tmp.path())
        }));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));

        let mut requests = tokio::task::JoinSet::new();
        for i in 0..6 {
            let (cache, running, most) = (cache.clone(), running.clone(), most.clone());
            requests.spawn(async move {
                cache
                    .get_or_make(&format!("key-{i}"), move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(30));
                        running.fetch_sub(1, Ordering::SeqCst);
                        Ok::<_, String>(vec![i; 10])
                    })
                    .await
            });
        }

        for served in requests.join_all().await {
            assert_eq!(
                served.expect("every request is served").source,
                Source::Made
            );
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_request_that_goes_away_neither_strands_its_waiters_nor_wastes_its_render() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Arc::new(open(settings(tmp.path())));
        let runs = Arc::new(AtomicUsize::new(0));
        let slow = |runs: &Arc<AtomicUsize>| {
            let runs = runs.clone();
            move || {
                runs.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(50));
                Ok::<_, String>(vec![5; 10])
            }
        };
        let first = {
            let (cache, make) = (cache.clone(), slow(&runs));
            tokio::spawn(async move { cache.get_or_make("k", make).await })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        let second = {
            let (cache, make) = (cache.clone(), slow(&runs));
            tokio::spawn(async move { cache.get_or_make("k", make).await })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;

        first.abort();

        let served = second.await.unwrap().expect("the waiter is served");
        assert_eq!((served.source, served.bytes.len()), (Source::Made, 10));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    /// actix-web runs handlers on its own runtime; flights are spawned there.
    #[actix_web::test]
    async fn the_cache_serves_on_actix_webs_runtime() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = open(settings(tmp.path()));
        let runs = Arc::new(AtomicUsize::new(0));

        assert_eq!(get(&cache, "k", &runs).await.source, Source::Made);
        assert_eq!(get(&cache, "k", &runs).await.source, Source::Memory);
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_for_a_render_slot_is_busy() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Arc::new(open(CacheSettings {
            concurrent_renders: 1,
            render_wait: Duration::from_millis(20),
            ..settings(tmp.path())
        }));
        let slow = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .get_or_make("slow", || {
                        std::thread::sleep(Duration::from_millis(300));
                        Ok::<_, String>(vec![0; 10])
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;

        let waited = cache
            .get_or_make("other", || Ok::<_, String>(vec![0; 10]))
            .await;

        assert!(matches!(waited, Err(MakeError::Busy)), "{waited:?}");
        assert!(slow.await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_failed_make_is_shared_by_its_waiters_and_not_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Arc::new(open(settings(tmp.path())));
        let runs = Arc::new(AtomicUsize::new(0));

        let mut requests = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let (cache, runs) = (cache.clone(), runs.clone());
            requests.spawn(async move {
                cache
                    .get_or_make("broken", move || {
                        runs.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(30));
                        Err::<Vec<u8>, _>("corrupt original".to_owned())
                    })
                    .await
            });
        }
        for result in requests.join_all().await {
            match result {
                Err(MakeError::Failed(e)) => assert_eq!(*e, "corrupt original"),
                other => panic!("expected the make's error, got {other:?}"),
            }
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);

        let retried = get(&cache, "broken", &runs).await;
        assert_eq!(retried.source, Source::Made);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_restart_takes_up_kept_files_oldest_first() {
        let tmp = tempfile::tempdir().unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        {
            let cache = open(settings(tmp.path()));
            for (key, size) in [("old", 10), ("mid", 20), ("new", 30)] {
                cache
                    .get_or_make(key, counted(&runs, 1, size))
                    .await
                    .unwrap();
            }
            let now = SystemTime::now();
            for (key, age) in [("old", 30), ("mid", 20), ("new", 10)] {
                let file = fs::File::options()
                    .write(true)
                    .open(cache.inner.path_of(&file_name(key)))
                    .unwrap();
                file.set_modified(now - Duration::from_secs(age)).unwrap();
            }
        }

        assert_eq!(open(settings(tmp.path())).stats().disk_bytes, 60);

        let cache = open(CacheSettings {
            max_disk_bytes: 50,
            ..settings(tmp.path())
        });
        let stats = cache.stats();
        assert_eq!((stats.disk_bytes, stats.evicted), (50, 1));
        assert!(!kept_on_disk(&cache, "old"));
        let served = cache
            .get_or_make("mid", counted(&runs, 1, 20))
            .await
            .unwrap();
        assert_eq!((served.source, served.bytes.len()), (Source::Disk, 20));
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn renditions_too_large_for_memory_are_served_from_disk() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = open(CacheSettings {
            max_memory_bytes: 400,
            ..settings(tmp.path())
        });
        let runs = Arc::new(AtomicUsize::new(0));

        get(&cache, "large", &runs).await;

        assert_eq!(get(&cache, "large", &runs).await.source, Source::Disk);
        assert_eq!(cache.stats().memory_bytes, 0);
    }

    #[tokio::test]
    async fn no_key_reaches_outside_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = open(settings(tmp.path()));
        let runs = Arc::new(AtomicUsize::new(0));
        let keys = [
            "../escape",
            "../../etc/passwd",
            "/tmp/abs",
            "a/b",
            "..",
            ".",
            "",
        ];

        for key in keys {
            get(&cache, key, &runs).await;
        }

        let outside: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(outside, ["cache"]);
        let mut kept = 0;
        for fan_out in fs::read_dir(tmp.path().join("cache")).unwrap() {
            for file in fs::read_dir(fan_out.unwrap().path()).unwrap() {
                assert!(is_file_name(file.unwrap().file_name().to_str().unwrap()));
                kept += 1;
            }
        }
        assert_eq!(kept, keys.len());
    }
}
