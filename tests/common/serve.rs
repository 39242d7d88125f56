//! Helpers for the `serve` tests: a `kyotei serve` child process on a free loopback port
//! that stops when dropped, and a small HTTP/1.1 client that sends exactly what it is given
//! (a foreign Host, a missing Origin, a path with `..`), which a browser or a general
//! client would not.

use super::{AS_OF, SAMPLE, kyotei, root, stderr, temp};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `kyotei serve`, killed when dropped.
pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The address it printed to open (with `?token=…` when there is one).
    pub url: String,
    /// The scratch folder: the register is `台帳.xlsx`, the output `出力/`.
    pub dir: PathBuf,
    /// The folder was made for this server (by [`Served::sample`]) and goes with it.
    owns_dir: bool,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Served {
    /// `kyotei serve` on a copy of the sample in a fresh folder named after the test, on a
    /// free loopback port, with the sample's reference date and `extra` options.
    pub fn sample(name: &str, extra: &[&str]) -> Served {
        let dir = temp(name);
        std::fs::copy(root().join(SAMPLE), dir.join("台帳.xlsx")).unwrap();
        let mut s = Served::start(&dir, extra);
        s.owns_dir = true;
        s
    }

    /// `kyotei serve 台帳.xlsx -o 出力` in `dir`.
    pub fn start(dir: &Path, extra: &[&str]) -> Served {
        let mut args = vec!["serve", "台帳.xlsx", "-o", "出力", "--as-of", AS_OF];
        if !extra.contains(&"--listen") {
            args.extend(["--listen", "127.0.0.1:0"]);
        }
        args.extend(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_kyotei"))
            .args(&args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kyotei serve starts");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        // The address it prints, read on a thread so that a server that never prints it
        // fails the test after a while instead of hanging it.
        let out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in out.lines() {
                let Ok(line) = line else { break };
                if let Some(u) = line.trim().strip_prefix("http://")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(format!("http://{u}"));
                }
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "kyotei serve printed no address: {}",
                    stderr.lock().unwrap()
                );
            }
        };
        let host_port = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let port = host_port.rsplit(':').next().unwrap();
        Served {
            child,
            addr: format!("127.0.0.1:{port}"),
            url,
            dir: dir.to_path_buf(),
            owns_dir: false,
            stderr,
        }
    }

    /// A GET with the Host the browser would send.
    pub fn get(&self, path: &str) -> Response {
        http(&self.addr, "GET", path, &[], b"")
    }

    /// A same-origin form POST, as the page's buttons send it.
    pub fn post_form(&self, path: &str, body: &str) -> Response {
        let origin = format!("http://{}", self.addr);
        http(
            &self.addr,
            "POST",
            path,
            &[
                ("Origin", origin.as_str()),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
    }

    /// A same-origin `multipart/form-data` POST of one file in the field `field`, as the
    /// page's upload forms send it.
    pub fn post_file(&self, path: &str, field: &str, name: &str, bytes: &[u8]) -> Response {
        let boundary = "kyoteiUpload7MA4YWxk";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let origin = format!("http://{}", self.addr);
        let ct = format!("multipart/form-data; boundary={boundary}");
        http(
            &self.addr,
            "POST",
            path,
            &[("Origin", origin.as_str()), ("Content-Type", ct.as_str())],
            &body,
        )
    }

    /// Waits (bounded) until the render job has ended; its JSON view.
    pub fn wait_for_job(&self, limit: Duration) -> serde_json::Value {
        let start = std::time::Instant::now();
        loop {
            let r = self.get("/job");
            assert_eq!(r.status, 200, "{}", r.text());
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            if v.get("running") == Some(&serde_json::Value::Bool(false)) {
                return v;
            }
            assert!(
                start.elapsed() < limit,
                "the render did not end within {limit:?}: {v}; {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The file `rel` (e.g. `R8-001/協定書.pdf`) as `kyotei render --agreement ID` makes it from
    /// this server's register, in a folder of its own: what a page-made file must equal.
    pub fn rendered_by_cli(&self, id: &str, rel: &str) -> Vec<u8> {
        let other = temp(&format!(
            "{}-cli",
            self.dir.file_name().unwrap().to_string_lossy()
        ));
        std::fs::copy(self.dir.join("台帳.xlsx"), other.join("台帳.xlsx")).unwrap();
        let o = kyotei(
            &[
                "render",
                "台帳.xlsx",
                "--agreement",
                id,
                "-o",
                "出力",
                "--as-of",
                AS_OF,
            ],
            &other,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let bytes = std::fs::read(other.join("出力").join(rel)).unwrap();
        std::fs::remove_dir_all(&other).unwrap();
        bytes
    }

    /// The server's process id (to read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server printed on standard error so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Served {
    /// Stops the server; a folder of its own goes too, unless the test failed (to look at).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.owns_dir && !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A response: status, headers (names in lower case) and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request to `addr`, sent exactly as given (`Host` is `addr` unless `headers`
/// name one), read to the end (`Connection: close`).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("reads the response");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..eol])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = eol + 2;
        out.extend_from_slice(&b[start..start + size]);
        b = &b[start + size + 2..];
    }
}

/// An attribute's text with the entities minijinja's escaping writes undone.
pub fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `href`s in an HTML page that start with `prefix`.
pub fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(unescape)
        .filter(|h| h.starts_with(prefix))
        .collect()
}
