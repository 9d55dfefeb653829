//! Go binaries: their build info (what `go version -m` prints), found in the binary itself
//! by its magic (`\xff Go buildinf:`) while the layer scan streams the file past
//! ([`build_info`]). The main module takes the binary's bytes; the modules linked into it are
//! listed with 0 bytes, via the main module. Build info in the inline format (Go 1.18 and
//! later) is read; older binaries are named in the inventory's notes.

use std::io::Read;

use super::{Capture, Captured, Ecosystem, Image, Package, Reader};

/// The Go reader.
pub struct Go;

impl Reader for Go {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Go
    }

    /// Any executable large enough to be a Go binary; its build info is looked for as it
    /// streams past.
    fn capture(&self, _path: &str, mode: u32, size: u64) -> Option<Capture> {
        (mode & 0o111 != 0 && size >= MIN_BINARY).then_some(Capture::Stream)
    }

    fn stream(&self, path: &str, file: &mut dyn Read, into: &mut Captured) -> std::io::Result<()> {
        if let Some(info) = build_info(file)? {
            into.go.push((path.to_owned(), info));
        }
        Ok(())
    }

    fn read(&self, image: &Image) -> Vec<(Package, Vec<String>)> {
        read(image)
    }
}

/// Executables smaller than this are not searched (a Go binary is over a megabyte).
pub const MIN_BINARY: u64 = 512 * 1024;

pub const MAGIC: &[u8] = b"\xff Go buildinf:";

/// The build info that follows the magic at `data` (which starts at the magic): the Go
/// version and the module lines, or `None` for the pointer format of Go before 1.18.
pub fn parse(data: &[u8]) -> Option<(String, String)> {
    if data.len() < 32 || !data.starts_with(MAGIC) {
        return None;
    }
    let flags = data[15];
    if flags & 0x2 == 0 {
        return None; // pointer format: the strings are elsewhere in the binary
    }
    let mut rest = &data[32..];
    let read_string = |rest: &mut &[u8]| -> Option<String> {
        let (len, used) = uvarint(rest)?;
        let end = used.checked_add(len as usize)?;
        let s = rest.get(used..end)?;
        *rest = &rest[end..];
        Some(String::from_utf8_lossy(s).into_owned())
    };
    let version = read_string(&mut rest)?;
    let mut modinfo = read_string(&mut rest)?;
    // the module info is framed by 16 sentinel bytes on each side
    if modinfo.len() >= 33 && modinfo.as_bytes()[modinfo.len() - 17] == b'\n' {
        modinfo = modinfo[16..modinfo.len() - 16].to_owned();
    }
    Some((version, modinfo))
}

/// The module lines of a Go binary's build info, read while the file streams past: an ELF
/// file is searched for the build-info magic, which Go places near the start of its data.
/// `None` for a file that is not an ELF binary or has no (inline) build info.
pub fn build_info(r: &mut dyn Read) -> std::io::Result<Option<String>> {
    const READ: u64 = 256 * 1024;
    let mut first = Vec::with_capacity(4);
    (&mut *r).take(4).read_to_end(&mut first)?;
    if first != b"\x7fELF" {
        return Ok(None);
    }
    let finder = memchr::memmem::Finder::new(MAGIC);
    let mut window: Vec<u8> = Vec::with_capacity(2 * READ as usize);
    loop {
        if (&mut *r).take(READ).read_to_end(&mut window)? == 0 {
            return Ok(None);
        }
        if let Some(at) = finder.find(&window) {
            // the header and the two strings follow; 64 kB holds any module list but a huge one
            let mut data = window.split_off(at);
            let want = (64 * 1024usize).saturating_sub(data.len());
            (&mut *r).take(want as u64).read_to_end(&mut data)?;
            return Ok(parse(&data).map(|(_, modules)| modules));
        }
        // keep the tail, in case the magic straddles two reads
        let keep = window.len().saturating_sub(MAGIC.len() - 1);
        window.drain(..keep);
    }
}

fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut x = 0u64;
    for (i, byte) in b.iter().enumerate().take(10) {
        x |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((x, i + 1));
        }
    }
    None
}

/// The Go modules of the image.
fn read(image: &Image) -> Vec<(Package, Vec<String>)> {
    let mut out = Vec::new();
    for (layer, c) in image.captured.iter().enumerate() {
        for (path, info) in &c.go {
            let Some((_, size)) = image.files.get(path).filter(|(l, _)| *l == layer) else { continue };
            let mut main: Option<String> = None;
            for line in info.lines() {
                let fields: Vec<&str> = line.split('\t').collect();
                match fields.as_slice() {
                    ["mod", name, version, ..] => {
                        main = Some(name.to_string());
                        let package = Package {
                            location: Some(format!("/{path}")),
                            ..Package::new(Ecosystem::Go, name, version, *size, layer)
                        };
                        out.push((package, vec![path.clone()]));
                    }
                    ["dep", name, version, ..] => {
                        let package = Package {
                            location: Some(format!("/{path}")),
                            via: main.clone(),
                            ..Package::new(Ecosystem::Go, name, version, 0, layer)
                        };
                        out.push((package, Vec::new()));
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Build info framed the way the Go linker writes it (inline strings, Go 1.18+).
    fn build_info_bytes(version: &str, modules: &str) -> Vec<u8> {
        let framed = format!("{}{modules}{}", "0".repeat(16), "1".repeat(16));
        let mut data = MAGIC.to_vec();
        data.push(8); // pointer size
        data.push(0x2); // inline strings
        data.resize(32, 0);
        for s in [version, framed.as_str()] {
            data.push(s.len() as u8 | if s.len() > 127 { 0x80 } else { 0 });
            if s.len() > 127 {
                data.push((s.len() >> 7) as u8);
            }
            data.extend_from_slice(s.as_bytes());
        }
        data
    }

    #[test]
    fn build_info_is_found_in_a_streaming_elf_file_wherever_it_starts() {
        let mods = "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\n";
        // the magic straddles the scanner's 256 KiB reads
        for at in [100, 256 * 1024 - 5, 700_000] {
            let mut file = b"\x7fELF".to_vec();
            file.resize(at, 0);
            file.extend_from_slice(&build_info_bytes("go1.21.0", mods));
            file.resize(file.len() + 1000, 0);
            assert_eq!(build_info(&mut &file[..]).unwrap().as_deref(), Some(mods), "magic at {at}");
        }
        let mut not_elf = b"#!/bin/sh\n".to_vec();
        not_elf.extend_from_slice(&build_info_bytes("go1.21.0", mods));
        assert_eq!(build_info(&mut &not_elf[..]).unwrap(), None);
        assert_eq!(build_info(&mut &b"\x7fELF no build info"[..]).unwrap(), None);
    }

    #[test]
    fn inline_build_info() {
        let mods =
            "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\ndep\tgolang.org/x/text\tv0.14.0\th1:abc=\n";
        let framed = format!("{}{mods}{}", "0".repeat(16), "1".repeat(16));
        let mut data = MAGIC.to_vec();
        data.push(8); // pointer size
        data.push(0x2); // inline strings
        data.resize(32, 0);
        for s in ["go1.19.8", framed.as_str()] {
            data.push(s.len() as u8 | if s.len() > 127 { 0x80 } else { 0 });
            if s.len() > 127 {
                data.push((s.len() >> 7) as u8);
            }
            data.extend_from_slice(s.as_bytes());
        }
        let (version, info) = parse(&data).unwrap();
        assert_eq!(version, "go1.19.8");
        assert_eq!(info, mods);
        let captured = vec![Captured { go: vec![("usr/local/bin/hello".into(), info)], ..Default::default() }];
        let mut files = BTreeMap::new();
        files.insert("usr/local/bin/hello".to_string(), (0, 2_000_000));
        let found = Go.read(&Image::new(&captured, &files));
        let got: Vec<(&str, u64, Option<&str>)> =
            found.iter().map(|(p, _)| (p.name.as_str(), p.bytes, p.via.as_deref())).collect();
        assert_eq!(got, [("example.com/hello", 2_000_000, None), ("golang.org/x/text", 0, Some("example.com/hello"))]);
    }
}
