//! Layers read where the daemon keeps them (overlay2, through the helper container) give the
//! same measurement as the `docker save` export, field by field; and when the helper cannot
//! run, the export is read and the report says why. On the machine's daemon (Engine 20.10
//! here); tests/in_place_next.rs holds the same on Engine 26.1.5.

mod support;

use support::inplace::{self, assert_both_ways_equal, assert_shapes_present, measure, without_read};

#[tokio::test]
async fn layers_read_in_place_equal_the_export_and_a_failing_helper_falls_back() {
    let Some(engine) = support::daemon("in_place").await else { return };
    let Some(helper) = inplace::helper_binary("in_place") else { return };
    let tag = "shiplight-test/in-place:shapes";
    inplace::build_shapes(&engine, tag).await;

    let run = assert_both_ways_equal("in_place", tag, None, &helper);
    assert_shapes_present(&run);
    let read = run.json["layers_read"].as_str().unwrap();
    assert!(read.contains("CAP_DAC_READ_SEARCH only"), "the report names the helper's one capability: {read}");

    // the 719 MB python:3.9 stand-in (real dpkg and pip databases), when scripts/fixtures.sh made it
    if engine.exists("python:3.9").await {
        assert_both_ways_equal("in_place", "python:3.9", None, &helper);
    } else {
        support::need("in_place", "the python:3.9 stand-in", false, "scripts/fixtures.sh python:3.9");
    }

    // a helper that fails (busybox, which has no `layer-scan` applet, in the helper's place):
    // the export is read, the numbers are the same, and the report says why
    let busybox = ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| std::path::Path::new(p).is_file());
    let busybox = busybox.expect("busybox-static is needed: apt-get install busybox-static");
    let failed = measure(tag, None, Some(std::path::Path::new(busybox)), "auto", false);
    let read = failed.json["layers_read"].as_str().unwrap();
    assert!(read.starts_with("export (the helper container") && read.contains("exit code"), "{read}");
    assert_eq!(without_read(&failed.json), without_read(&run.json), "the fallback measures the same");

    // a dynamically linked shiplight (this test's debug build) cannot be the helper: it says so
    let dynamic = measure(tag, None, None, "auto", false);
    let read = dynamic.json["layers_read"].as_str().unwrap();
    assert!(read.starts_with("export (") && read.contains("dynamically linked"), "{read}");

    // the text report says it too
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["measure", "--no-compressed", tag])
        .env("SHIPLIGHT_HELPER_BIN", &helper)
        .env("SHIPLIGHT_CACHE_DIR", failed.cache.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("layers read: cache"), "every layer known by digest, nothing read: {text}");
    support::cleanup(&engine, &[tag]).await;
}
