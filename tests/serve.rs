//! `kyotei serve` over HTTP: the pages and downloads, the security model (Host, Origin,
//! token, paths, links), one render at a time, and a bounded load test on loopback.
//!
//! Every server here is a child process on a free port of 127.0.0.1, stopped when its test
//! ends; every request goes to 127.0.0.1.

use crate::common::serve::{Served, http, links};
use crate::common::{example_with, files, kyotei, renamed, save_as_excel_does, stderr, temp};
use std::time::{Duration, Instant};

/// How long a render of the sample may take in a debug build, at the most.
const RENDER_LIMIT: Duration = Duration::from_secs(180);

#[test]
fn pages_show_the_register_and_downloads_carry_japanese_names() {
    let s = Served::sample("serve-pages", &[]);
    let index = s.get("/");
    assert_eq!(index.status, 200);
    let html = index.text();
    assert!(html.contains("<html lang=\"ja\">"), "{html}");
    for id in ["R8-001", "R8-002", "R2-005"] {
        assert!(html.contains(&format!("data-id=\"{id}\"")), "{id}: {html}");
    }
    assert!(html.contains("株式会社あかぎ商事"));
    // The agreement with errors: its findings with their cells, final disabled with the reason.
    let a = s.get("/agreements/R8-002");
    assert_eq!(a.status, 200);
    let page = a.text();
    for cell in ["連携事項!B10", "要件確認!E3", "要件確認!J3", "連携事業!K13"] {
        assert!(page.contains(cell), "{cell}");
    }
    assert!(page.contains("id=\"final-blocked\""));
    assert!(page.contains("id=\"make-final\" disabled"));
    // Full-width IDs find the same agreement; an unknown one is a Japanese 404.
    assert_eq!(s.get("/agreements/%EF%BC%B28-001").status, 200);
    let none = s.get("/agreements/R9-999");
    assert_eq!(none.status, 404);
    assert!(none.text().contains("見つかりません"));
    // The filter works without the script too.
    let filtered = s.get("/?q=%E3%81%82%E3%81%8B%E3%81%8E").text();
    assert!(filtered.contains("data-id=\"R8-001\"") && !filtered.contains("data-id=\"R8-002\""));
    // 予定 with its ICS, 報告 with the workbook and the CSV.
    let sched = s.get("/schedule?months=0");
    assert_eq!(sched.status, 200);
    assert!(sched.text().contains("R2-005"));
    let ics = s.get("/schedule.ics?months=0");
    assert_eq!(ics.status, 200);
    assert!(ics.text().starts_with("BEGIN:VCALENDAR"));
    assert!(
        ics.header("content-disposition")
            .unwrap()
            .contains("filename*=UTF-8''%E5%8C%85%E6%8B%AC")
    );
    let report = s.get("/report?fy=2026");
    assert_eq!(report.status, 200);
    assert!(report.text().contains("令和8年度"));
    let xlsx = s.get("/report/annual.xlsx?fy=2026");
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with(b"PK"));
    assert!(
        xlsx.header("content-disposition")
            .unwrap()
            .contains(&percent("年次報告_令和8年度.xlsx"))
    );
    // The same workbook `kyotei report` writes.
    let o = kyotei(
        &[
            "report",
            "台帳.xlsx",
            "--fiscal-year",
            "2026",
            "-o",
            "r.xlsx",
        ],
        &s.dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(s.dir.join("r.xlsx")).unwrap(), xlsx.body);
    let csv = s.get("/report/open-data.csv");
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("\u{feff}".as_bytes()));
    // The assets, with the bundled font.
    assert_eq!(s.get("/static/style.css").status, 200);
    let font = s.get("/static/fonts/BIZUDGothic-Regular.ttf");
    assert_eq!(font.status, 200);
    assert_eq!(font.header("content-type"), Some("font/ttf"));
    // Every response carries the security headers.
    let csp = index.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'self'"));
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(index.header("referrer-policy"), Some("no-referrer"));
    // Reading pages wrote nothing.
    assert!(!s.dir.join("出力").exists());
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn a_render_from_the_page_makes_what_render_makes_one_at_a_time() {
    let s = Served::sample("serve-render", &[]);
    let r = s.post_form("/agreements/R8-001/render", "mode=final");
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), Some("/agreements/R8-001"));
    // A second request while the first runs is refused and names the running one.
    let again = s.post_form("/render", "mode=final");
    if again.status == 409 {
        assert!(
            again.text().contains("協定 R8-001 の書類（確定）"),
            "{}",
            again.text()
        );
    } else {
        // The first render already ended (a fast machine): the second one started.
        assert_eq!(again.status, 303);
    }
    let job = s.wait_for_job(RENDER_LIMIT);
    assert_eq!(job["ok"], true, "{job}");
    let _ = s.wait_for_job(RENDER_LIMIT);
    // The page lists the documents; the PDF is the one `kyotei render` makes.
    let page = s.get("/agreements/R8-001").text();
    let pdf = links(&page, "/files/R8-001/")
        .into_iter()
        .find(|h| h.ends_with(".pdf") && h.contains("%E5%8D%94%E5%AE%9A%E6%9B%B8")) // 協定書
        .unwrap_or_else(|| panic!("no 協定書 link: {page}"));
    let got = s.get(&pdf);
    assert_eq!(got.status, 200);
    assert!(got.body.starts_with(b"%PDF"));
    assert!(
        got.header("content-disposition")
            .unwrap()
            .contains(&percent("R8-001_協定書.pdf"))
    );
    assert_eq!(s.rendered_by_cli("R8-001", "R8-001/協定書.pdf"), got.body);
    // The ZIP holds the agreement's current documents.
    let zip = s.get("/agreements/R8-001/documents.zip");
    assert_eq!(zip.status, 200);
    assert!(zip.body.starts_with(b"PK"));
    // A final render of the agreement with errors makes nothing for it, and says why.
    assert_eq!(
        s.post_form("/agreements/R8-002/render", "mode=final")
            .status,
        303
    );
    let job = s.wait_for_job(RENDER_LIMIT);
    assert_eq!(job["ok"], false);
    assert!(job["message"].as_str().unwrap().contains("R8-002"), "{job}");
    assert!(!s.dir.join("出力/R8-002").exists());
    // A draft of it is made, in 案/.
    assert_eq!(
        s.post_form("/agreements/R8-002/render", "mode=draft")
            .status,
        303
    );
    let _ = s.wait_for_job(RENDER_LIMIT);
    assert!(s.dir.join("出力/R8-002/案/協定書.pdf").exists());
    let page = s.get("/agreements/R8-002").text();
    assert!(
        !links(&page, "/files/R8-002/%E6%A1%88/").is_empty(),
        "{page}"
    );
}

#[test]
fn editions_and_their_comparisons_are_listed_and_served() {
    let s = Served::sample("serve-editions", &[]);
    assert_eq!(
        s.post_form("/agreements/R8-001/render", "mode=final")
            .status,
        303
    );
    let _ = s.wait_for_job(RENDER_LIMIT);
    let page = s.get("/agreements/R8-001").text();
    assert!(page.contains("id=\"editions\""), "{page}");
    // The company renamed in Excel: the page follows the save, and the next final render
    // makes the second edition of the 協定書 and the 申し合わせ事項, with their 新旧対照表.
    let register = s.dir.join("台帳.xlsx");
    save_as_excel_does(&register, &renamed(&std::fs::read(&register).unwrap()));
    let start = Instant::now();
    while !s
        .get("/agreements/R8-001")
        .text()
        .contains("株式会社あかぎ商会")
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the save was not followed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        s.post_form("/agreements/R8-001/render", "mode=final")
            .status,
        303
    );
    let job = s.wait_for_job(RENDER_LIMIT);
    assert_eq!(job["ok"], true, "{job}");
    let page = s.get("/agreements/R8-001").text();
    // Each file once (the documents table and the editions table both link the 新旧対照表).
    let unique = |prefix: &str| -> std::collections::BTreeSet<String> {
        links(&page, prefix)
            .into_iter()
            .map(|h| h.trim_end_matches("?inline=1").to_string())
            .collect()
    };
    let history = unique("/files/R8-001/%E5%B1%A5%E6%AD%B4/"); // 履歴/
    let comparisons = unique("/files/R8-001/%E6%96%B0%E6%97%A7"); // 新旧対照表
    assert_eq!(history.len(), 4, "{page}"); // 協定書 and 申し合わせ事項, 第1版, PDF and DOCX
    assert_eq!(comparisons.len(), 4, "{page}");
    for href in history.iter().chain(&comparisons) {
        let r = s.get(href);
        assert_eq!(r.status, 200, "{href}");
        assert!(
            r.body.starts_with(b"%PDF") || r.body.starts_with(b"PK"),
            "{href}"
        );
    }
    // A name kyotei would not make in 履歴/ is not served, even when the file is there.
    std::fs::write(s.dir.join("出力/R8-001/履歴/メモ.pdf"), b"%PDF private").unwrap();
    assert_eq!(
        s.get("/files/R8-001/%E5%B1%A5%E6%AD%B4/%E3%83%A1%E3%83%A2.pdf")
            .status,
        404
    );
}

#[test]
fn register_values_are_text_in_the_pages_and_links() {
    let dir = temp("serve-hostile");
    let company = "<script>alert(1)</script>\"'&<b>株式会社";
    example_with(&dir, "台帳.xlsx", "企業等名", company);
    let s = Served::start(&dir, &[]);
    let index = s.get("/").text();
    assert!(
        index.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{index}"
    );
    assert!(!index.contains("<script>alert") && !index.contains("<b>株式会社"));
    let page = s.get("/agreements/%E4%BE%8B-001").text(); // 例-001
    assert!(page.contains("&lt;b&gt;株式会社") && !page.contains("<script>alert"));
    drop(s);
    // An ID with a slash, dots and markup: one path segment in every link, its files inside
    // the output folder.
    example_with(&dir, "台帳.xlsx", "協定番号", "../<i>例/001");
    let s = Served::start(&dir, &[]);
    let index = s.get("/").text();
    assert!(!index.contains("<i>例"));
    let href = links(&index, "/agreements/").into_iter().next().unwrap();
    assert_eq!(href, "/agreements/..%2F%3Ci%3E%E4%BE%8B%2F001");
    let page = s.get(&href);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("&lt;i&gt;例"));
    assert_eq!(
        s.post_form(&format!("{href}/render"), "mode=draft").status,
        303
    );
    let job = s.wait_for_job(RENDER_LIMIT);
    assert_eq!(job["ok"], true, "{job}");
    let made = files(&dir);
    assert!(
        made.keys()
            .any(|p| p.starts_with("出力/") && p.ends_with(".pdf"))
    );
    assert!(
        made.keys()
            .all(|p| p == "台帳.xlsx" || p.starts_with("出力/")),
        "{:?}",
        made.keys()
    );
    let page = s.get(&href).text();
    for file in links(&page, "/files/") {
        assert_eq!(s.get(&file).status, 200, "{file}");
    }
    drop(s);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_foreign_host_is_refused_on_loopback() {
    let s = Served::sample("serve-host", &[]);
    for host in [
        "evil.example",
        "evil.example:8421",
        "localhost.evil.example",
    ] {
        let r = http(&s.addr, "GET", "/", &[("Host", host)], b"");
        assert_eq!(r.status, 421, "{host}");
        assert!(!r.text().contains("R8-001"));
    }
    let origin = format!("http://{}", s.addr);
    let r = http(
        &s.addr,
        "POST",
        "/render",
        &[
            ("Host", "evil.example"),
            ("Origin", origin.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"mode=final",
    );
    assert_eq!(r.status, 421);
    for host in ["localhost", &s.addr, "[::1]:1"] {
        assert_eq!(
            http(&s.addr, "GET", "/", &[("Host", host)], b"").status,
            200
        );
    }
    assert!(!s.dir.join("出力").exists());
}

#[test]
fn a_post_from_another_origin_or_none_changes_nothing() {
    let s = Served::sample("serve-origin", &[]);
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    for origin in [
        Some("http://evil.example"),
        Some("null"),
        Some("https://127.0.0.1"),
        None,
    ] {
        let mut headers = vec![form];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        for path in ["/render", "/agreements/R8-001/render"] {
            let r = http(&s.addr, "POST", path, &headers, b"mode=final");
            assert_eq!(r.status, 403, "{origin:?} {path}");
        }
    }
    // `Origin: null` is what a browser sends for a form of a page with `Referrer-Policy:
    // no-referrer`: accepted only when the browser says the page is ours (Fetch Metadata).
    for site in ["cross-site", "same-site", "none"] {
        let r = http(
            &s.addr,
            "POST",
            "/render",
            &[form, ("Origin", "null"), ("Sec-Fetch-Site", site)],
            b"mode=final",
        );
        assert_eq!(r.status, 403, "{site}");
    }
    // Other methods are refused.
    assert_eq!(http(&s.addr, "DELETE", "/", &[], b"").status, 405);
    assert_eq!(s.get("/job").text(), "null");
    assert!(!s.dir.join("出力").exists());
}

#[test]
fn another_address_needs_the_token() {
    let dir = temp("serve-token");
    std::fs::copy(
        crate::common::root().join(crate::common::SAMPLE),
        dir.join("台帳.xlsx"),
    )
    .unwrap();
    // Listening on every address (the test only talks to 127.0.0.1): a token is generated.
    let s = Served::start(&dir, &["--listen", "0.0.0.0:0"]);
    let token = s
        .url
        .split("?token=")
        .nth(1)
        .unwrap_or_else(|| panic!("no token in {}", s.url))
        .to_string();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    let missing = s.get("/");
    assert_eq!(missing.status, 401);
    assert!(missing.text().contains("トークン"));
    assert!(!missing.text().contains("R8-001"));
    assert_eq!(s.get("/?token=wrong").status, 401);
    assert_eq!(s.get(&format!("/?token={}", &token[..63])).status, 401);
    assert_eq!(
        http(
            &s.addr,
            "GET",
            "/files/R8-001/協定書.pdf",
            &[("Cookie", "kyotei_token=wrong")],
            b""
        )
        .status,
        401
    );
    // The right token: kept in an HttpOnly, SameSite=Strict cookie, and taken out of the address.
    let ok = s.get(&format!("/agreements/R8-001?token={token}"));
    assert_eq!(ok.status, 303);
    assert_eq!(ok.header("location"), Some("/agreements/R8-001"));
    let cookie = ok.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    let page = http(
        &s.addr,
        "GET",
        "/agreements/R8-001",
        &[("Cookie", pair)],
        b"",
    );
    assert_eq!(page.status, 200);
    assert!(page.text().contains("株式会社あかぎ商事"));
    // A POST needs the token too, and the Origin.
    let r = http(
        &s.addr,
        "POST",
        "/render",
        &[
            ("Origin", &format!("http://{}", s.addr)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"mode=final",
    );
    assert_eq!(r.status, 401);
    drop(s);
    // A token given on the command line is the one required, on loopback too.
    let s = Served::start(&dir, &["--token", "himitsu-no-kotoba"]);
    assert!(s.url.ends_with("?token=himitsu-no-kotoba"));
    assert_eq!(s.get("/").status, 401);
    assert_eq!(
        http(
            &s.addr,
            "GET",
            "/",
            &[("Cookie", "kyotei_token=himitsu-no-kotoba")],
            b""
        )
        .status,
        200
    );
    assert!(!dir.join("出力").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn only_files_kyotei_made_are_served_and_no_link_is_followed() {
    let s = Served::sample("serve-paths", &[]);
    for path in [
        "/files/../../etc/passwd",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/..%2f..%2fetc%2fpasswd",
        "/files//etc/passwd",
        "/files/%2Fetc%2Fpasswd",
        "/static/../Cargo.toml",
        "/static/fonts/..%2f..%2fCargo.toml",
        "/files/台帳.xlsx",
        "/files/manifest.json",
    ] {
        let r = http(&s.addr, "GET", path, &[], b"");
        assert!(matches!(r.status, 400 | 404), "{path}: {}", r.status);
        assert!(!r.text().contains("root:"), "{path}");
        assert!(!r.body.starts_with(b"PK"), "{path}");
    }
    // A link inside the output folder, even to a file named as kyotei names them, is not
    // followed: not to serve a file from elsewhere, and not to write there.
    let out = s.dir.join("出力");
    let elsewhere = s.dir.join("elsewhere");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("協定書.pdf"), b"secret").unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("R8-001")).unwrap();
    std::fs::write(
        out.join("manifest.json"),
        r#"{"kyotei_version":"0","input_sha256":"","guideline":"","files":[{"path":"R8-001/協定書.pdf","sha256":""}]}"#,
    )
    .unwrap();
    let r = s.get("/files/R8-001/%E5%8D%94%E5%AE%9A%E6%9B%B8.pdf");
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("secret"));
    let before = files(&s.dir);
    assert_eq!(
        s.post_form("/agreements/R8-001/render", "mode=final")
            .status,
        303
    );
    let job = s.wait_for_job(RENDER_LIMIT);
    assert_eq!(job["ok"], false, "{job}");
    assert!(job["message"].as_str().unwrap().contains("リンク"), "{job}");
    assert_eq!(files(&elsewhere).len(), 1);
    assert_eq!(
        std::fs::read(elsewhere.join("協定書.pdf")).unwrap(),
        b"secret"
    );
    assert_eq!(files(&s.dir), before);
}

#[test]
fn an_upload_is_checked_from_memory_and_never_stored() {
    let s = Served::sample("serve-upload", &[]);
    let sample = std::fs::read(s.dir.join("台帳.xlsx")).unwrap();
    let form = |name: &str, bytes: &[u8]| {
        let boundary = "kyoteiBoundary7MA4YWxk";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"register\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let origin = format!("http://{}", s.addr);
        let ct = format!("multipart/form-data; boundary={boundary}");
        http(
            &s.addr,
            "POST",
            "/check",
            &[("Origin", origin.as_str()), ("Content-Type", ct.as_str())],
            &body,
        )
    };
    let before = files(&s.dir);
    let ok = form("届いた台帳.xlsx", &sample);
    assert_eq!(ok.status, 200);
    let html = ok.text();
    assert!(html.contains("届いた台帳.xlsx"));
    assert!(
        html.contains("連携事項!B10") && html.contains("エラー <strong>5</strong> 件"),
        "{html}"
    );
    let broken = form("<script>alert(1)</script>.xlsx", b"not a workbook");
    assert_eq!(broken.status, 200);
    let html = broken.text();
    assert!(html.contains("台帳を読み込めません"), "{html}");
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    assert_eq!(s.get("/").status, 200);
    assert_eq!(files(&s.dir), before, "an upload left a file");
}

/// 20 clients read pages and download files for about 20 seconds while two renders are
/// requested: no 5xx, no request over 2 s but the renders, and afterwards every file in
/// the output folder is the one manifest.json lists.
#[test]
fn load_twenty_clients_while_two_renders_run() {
    let s = std::sync::Arc::new(Served::sample("serve-load", &[]));
    // The first render, so there are files to download from the start.
    assert_eq!(s.post_form("/render", "mode=final").status, 303);
    let _ = s.wait_for_job(RENDER_LIMIT);
    let files_to_get: Vec<String> = links(&s.get("/agreements/R8-001").text(), "/files/");
    assert!(files_to_get.len() >= 8, "{files_to_get:?}");
    let run_for = Duration::from_secs(20);
    let start = Instant::now();
    let clients: Vec<_> = (0..20)
        .map(|i| {
            let s = s.clone();
            let files_to_get = files_to_get.clone();
            std::thread::spawn(move || {
                let pages = [
                    "/",
                    "/agreements/R8-001",
                    "/agreements/R8-002",
                    "/schedule?months=12",
                    "/report",
                    "/check",
                    "/static/style.css",
                    "/job",
                ];
                let mut seen: Vec<(String, u16, Duration)> = Vec::new();
                let mut n = i;
                while start.elapsed() < run_for {
                    let path = match n % 3 {
                        0 => files_to_get[n % files_to_get.len()].clone(),
                        _ => pages[n % pages.len()].to_string(),
                    };
                    let t = Instant::now();
                    let r = s.get(&path);
                    seen.push((path, r.status, t.elapsed()));
                    n += 7;
                }
                seen
            })
        })
        .collect();
    // Two renders while the clients read: a draft of everything, then every final document
    // again with --force's opposite (unchanged ones are kept).
    std::thread::sleep(Duration::from_secs(2));
    let t = Instant::now();
    assert_eq!(s.post_form("/render", "mode=draft").status, 303);
    let render_request = t.elapsed();
    let _ = s.wait_for_job(RENDER_LIMIT);
    assert_eq!(s.post_form("/render", "mode=final").status, 303);
    let _ = s.wait_for_job(RENDER_LIMIT);
    let mut all = Vec::new();
    for c in clients {
        all.extend(c.join().unwrap());
    }
    let slowest = all.iter().map(|(_, _, d)| *d).max().unwrap();
    let server_errors: Vec<_> = all.iter().filter(|(_, st, _)| *st >= 500).collect();
    let slow: Vec<_> = all
        .iter()
        .filter(|(_, _, d)| *d > Duration::from_secs(2))
        .collect();
    eprintln!(
        "load: {} requests in {:?}, slowest {:?}, render request answered in {:?}",
        all.len(),
        start.elapsed(),
        slowest,
        render_request
    );
    assert!(server_errors.is_empty(), "{server_errors:?}");
    assert!(slow.is_empty(), "{slow:?}");
    assert!(
        all.iter().all(|(_, st, _)| *st == 200),
        "{:?}",
        all.iter()
            .filter(|(_, st, _)| *st != 200)
            .take(5)
            .collect::<Vec<_>>()
    );
    assert!(all.len() > 200, "{}", all.len());
    // Every file in the folder (but 履歴/ and the manifest) is listed, with its bytes.
    let out = s.dir.join("出力");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed: std::collections::BTreeMap<String, String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let on_disk = files(&out);
    for (path, bytes) in &on_disk {
        if path == "manifest.json" || path.starts_with("履歴/") || path.contains("/履歴/") {
            continue;
        }
        let want = listed
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not in manifest.json"));
        assert_eq!(&kyotei::output::sha256_hex(bytes), want, "{path}");
    }
    for path in listed.keys() {
        assert!(on_disk.contains_key(path), "{path} is listed but missing");
    }
    assert!(listed.keys().any(|p| p.contains("/案/")));
}
