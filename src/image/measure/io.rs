//! The readers between the parts of a measurement: the async export stream and the blocking
//! scanners ([`AsyncChannelReader`]), the outer tar's walker and a worker fed through a
//! channel ([`ChunkReader`]), or through a spool file it reads behind the writer ([`spool`]).

use std::io::{Read, Write};
use std::sync::mpsc;

use bytes::Bytes;

/// A blocking `Read` over chunks sent from the async side.
pub(super) struct AsyncChannelReader {
    pub(super) rx: tokio::sync::mpsc::Receiver<Bytes>,
    pub(super) cur: Bytes,
}

impl Read for AsyncChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.cur.is_empty() {
            match self.rx.blocking_recv() {
                Some(b) => self.cur = b,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len());
        buf[..n].copy_from_slice(&self.cur[..n]);
        self.cur = self.cur.slice(n..);
        Ok(n)
    }
}

/// A blocking `Read` over chunks from a std channel (a worker's input).
pub(super) struct ChunkReader {
    pub(super) rx: mpsc::Receiver<Vec<u8>>,
    pub(super) cur: Vec<u8>,
    pub(super) pos: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.cur.len() {
            match self.rx.recv() {
                Ok(b) => {
                    self.cur = b;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len() - self.pos);
        buf[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A worker's input when it gzips: the layer is written to an unlinked temporary file as it
/// streams out of the export, and the worker reads behind the writer. gzip is slower than the
/// daemon's export; with only a channel between them the export would stall for every large
/// new layer. The file costs page cache, not memory; it is gone when both ends are.
struct Spool {
    state: std::sync::Mutex<(u64, bool)>,
    grew: std::sync::Condvar,
}

pub(super) struct SpoolWriter {
    file: std::fs::File,
    spool: std::sync::Arc<Spool>,
}

pub(super) struct SpoolReader {
    file: std::fs::File,
    spool: std::sync::Arc<Spool>,
    pos: u64,
}

pub(super) fn spool() -> std::io::Result<(SpoolWriter, SpoolReader)> {
    let file = tempfile::tempfile()?;
    let reader = file.try_clone()?;
    let spool =
        std::sync::Arc::new(Spool { state: std::sync::Mutex::new((0, false)), grew: std::sync::Condvar::new() });
    Ok((SpoolWriter { file, spool: spool.clone() }, SpoolReader { file: reader, spool, pos: 0 }))
}

impl SpoolWriter {
    pub(super) fn push(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        let mut s = self.spool.state.lock().map_err(|_| std::io::Error::other("a layer scanner stopped"))?;
        s.0 += bytes.len() as u64;
        self.spool.grew.notify_one();
        Ok(())
    }
}

impl Drop for SpoolWriter {
    fn drop(&mut self) {
        if let Ok(mut s) = self.spool.state.lock() {
            s.1 = true;
        }
        self.spool.grew.notify_one();
    }
}

impl Read for SpoolReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let available = {
            let mut s = self.spool.state.lock().map_err(|_| std::io::Error::other("the export reader stopped"))?;
            while s.0 <= self.pos && !s.1 {
                s = self.spool.grew.wait(s).map_err(|_| std::io::Error::other("the export reader stopped"))?;
            }
            s.0 - self.pos
        };
        if available == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(available as usize);
        // positional reads: the writer's handle keeps its own offset
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}
