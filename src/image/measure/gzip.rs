//! The gzip size of a layer (what a push sends, what a pull costs), estimated in 1 MiB blocks
//! compressed on every core.

use std::io::Write;
use std::sync::mpsc;

/// The gzip size of a stream, compressed in 1 MiB blocks on every core (as pigz does, but
/// without carrying the window across blocks: the estimate is within a fraction of a percent
/// of one gzip stream, and a large new layer no longer keeps one core busy after the export
/// has ended). Level 6, as `docker push` compresses.
pub(super) struct BlockGzip {
    block: Vec<u8>,
    tx: Option<mpsc::SyncSender<Vec<u8>>>,
    helpers: Vec<std::thread::JoinHandle<std::io::Result<u64>>>,
}

const GZIP_BLOCK: usize = 1024 * 1024;

impl BlockGzip {
    pub(super) fn new() -> BlockGzip {
        let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(n);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let helpers = (0..n)
            .map(|_| {
                let rx = rx.clone();
                std::thread::spawn(move || {
                    let mut total = 0u64;
                    loop {
                        let block = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok(block) = block else { break };
                        let mut z =
                            flate2::write::DeflateEncoder::new(Counter::default(), flate2::Compression::default());
                        z.write_all(&block)?;
                        total += z.finish()?.0;
                    }
                    Ok(total)
                })
            })
            .collect();
        BlockGzip { block: Vec::with_capacity(GZIP_BLOCK), tx: Some(tx), helpers }
    }

    pub(super) fn write(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = (GZIP_BLOCK - self.block.len()).min(bytes.len());
            self.block.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.block.len() == GZIP_BLOCK {
                self.flush_block();
            }
        }
    }

    fn flush_block(&mut self) {
        let full = std::mem::replace(&mut self.block, Vec::with_capacity(GZIP_BLOCK));
        if let Some(tx) = &self.tx {
            let _ = tx.send(full);
        }
    }

    /// The compressed size: the blocks' deflate streams plus gzip's 18-byte frame.
    pub(super) fn finish(mut self) -> std::io::Result<u64> {
        if !self.block.is_empty() {
            self.flush_block();
        }
        drop(self.tx.take());
        let mut total = 18;
        for h in self.helpers.drain(..) {
            total += h.join().map_err(|_| std::io::Error::other("a gzip helper stopped"))??;
        }
        Ok(total)
    }
}

/// Counts what is written and drops it.
#[derive(Default)]
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_gzip_is_within_a_percent_of_one_stream() {
        // 6 MiB of text-like bytes with some noise: compressible, not trivially
        let mut x = 7u64;
        let data: Vec<u8> = (0..6 * 1024 * 1024)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 5 == 0 {
                    (x >> 32) as u8
                } else {
                    b"the quick brown fox "[i % 20]
                }
            })
            .collect();
        let mut one = flate2::write::GzEncoder::new(Counter::default(), flate2::Compression::default());
        one.write_all(&data).unwrap();
        let one = one.finish().unwrap().0;
        let mut blocks = BlockGzip::new();
        for chunk in data.chunks(100_000) {
            blocks.write(chunk);
        }
        let blocks = blocks.finish().unwrap();
        let off = (blocks as f64 - one as f64).abs() / one as f64;
        assert!(off < 0.01, "one stream {one} B, blocks {blocks} B ({:.3} %)", off * 100.0);
    }
}
