//! tests/in_place.rs's equality on Debian 13's Engine 26.1.5 (API 1.45), which
//! scripts/dockerd-next.sh runs beside the machine's Engine 20.10 and scripts/test names in
//! SHIPLIGHT_NEXT_DOCKER_HOST.

mod support;

use support::inplace::{self, assert_both_ways_equal, assert_shapes_present};

#[tokio::test]
async fn layers_read_in_place_equal_the_export_on_engine_26() {
    let Some(host) = std::env::var("SHIPLIGHT_NEXT_DOCKER_HOST").ok().filter(|h| !h.is_empty()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the newer engine (scripts/dockerd-next.sh via scripts/test)"
        );
        eprintln!("SKIPPED in_place_next: run scripts/dockerd-next.sh and set SHIPLIGHT_NEXT_DOCKER_HOST");
        return;
    };
    // the only test in this binary: the process talks to the newer engine
    std::env::set_var("DOCKER_HOST", &host);
    let Some(engine) = support::daemon("in_place_next").await else { return };
    let Some(helper) = inplace::helper_binary("in_place_next") else { return };
    let tag = "shiplight-test/in-place:shapes";
    inplace::build_shapes(&engine, tag).await;
    let run = assert_both_ways_equal("in_place_next", tag, Some(&host), &helper);
    assert_shapes_present(&run);
    support::cleanup(&engine, &[tag]).await;
}
