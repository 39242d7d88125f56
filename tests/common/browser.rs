//! A headless Chromium driven over WebDriver (Debian's `chromium` and `chromium-driver`), and
//! axe-core (the npm package's `axe.min.js`) to check each page's accessibility.
//!
//! Nothing is skipped when a tool is missing: `.ci/run` installs them, and this module
//! installs axe-core itself (`npm install` into `target/npm`) when it is not there yet.

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The axe-core version the tests use.
pub const AXE_VERSION: &str = "4.14.1";

/// A chromedriver on a free loopback port, killed when dropped.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            // Chromium's own words (the file chooser's button) in Japanese, as staff see them.
            .env("LANGUAGE", "ja")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (Debian's chromium-driver; `bash .ci/run` installs it)");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, port }
    }

    /// A new headless browser session.
    pub async fn client(&self) -> Client {
        let mut caps = serde_json::Map::new();
        let mut options = serde_json::json!({
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
                "--lang=ja",
            ],
        });
        if std::path::Path::new("/usr/bin/chromium").exists() {
            options["binary"] = "/usr/bin/chromium".into();
        }
        caps.insert("goog:chromeOptions".into(), options);
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `axe.min.js`, installed from npm into `target/npm` the first time.
pub fn axe_source() -> String {
    let prefix = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/npm");
    let file = prefix.join("node_modules/axe-core/axe.min.js");
    if !file.exists() {
        let status = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&prefix)
            .arg(format!("axe-core@{AXE_VERSION}"))
            .status()
            .expect("npm runs (Debian's npm; `bash .ci/run` installs it)");
        assert!(status.success(), "npm install axe-core failed");
    }
    std::fs::read_to_string(&file).unwrap()
}

/// Runs axe-core on the open page: the violations of impact serious or critical, as
/// `rule: selectors` lines (empty when there are none).
pub async fn axe(c: &Client, source: &str) -> Vec<String> {
    c.execute(source, vec![]).await.expect("axe-core loads");
    let got = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
axe.run(document, { iframes: false, resultTypes: ["violations"] })
  .then((r) => done(r.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "))))
  .catch((e) => done(["axe failed: " + e]));"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    got.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Polls `probe` (a script returning a value) until `ok` accepts what it returns, for at
/// most `limit`; the last value.
pub async fn wait_until(
    c: &Client,
    probe: &str,
    limit: Duration,
    ok: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let v = c.execute(probe, vec![]).await.unwrap_or_default();
        if ok(&v) {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "not within {limit:?}: {probe} gave {v}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
