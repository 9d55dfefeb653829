//! The package-database readers on arbitrary bytes: a dpkg status file, an apk database, a
//! pip RECORD and METADATA, an npm package.json, an rpm header and Go build info, read as
//! one layer of an image. None may panic or run away, whatever the image holds.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use shiplight::image::packages::{self, deb, go, rpm, Captured};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = rpm::parse_header(data);
    let _ = go::parse(data);
    let _ = deb::installed(&text);
    let site = "usr/lib/python3/site-packages/x-1.dist-info";
    let paths = [
        deb::STATUS.to_owned(),
        format!("{}x.list", deb::INFO),
        deb::EXTENDED_STATES.to_owned(),
        packages::apk::INSTALLED.to_owned(),
        format!("{site}/RECORD"),
        format!("{site}/METADATA"),
        "app/node_modules/x/package.json".to_owned(),
    ];
    let captured = vec![Captured {
        files: paths.iter().map(|p| (p.clone(), text.clone())).collect(),
        go: vec![("bin/x".into(), text.clone())],
        links: vec![("bin".into(), text.clone())],
        ..Captured::default()
    }];
    let mut files: BTreeMap<String, (usize, u64)> = paths.iter().map(|p| (p.clone(), (0, data.len() as u64))).collect();
    files.insert("bin/x".into(), (0, 1));
    for line in text.lines().take(64) {
        files.insert(line.trim_start_matches('/').to_owned(), (0, line.len() as u64));
    }
    let _ = packages::inventory(&captured, &files);
});
