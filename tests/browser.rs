//! `kyotei serve` in a real browser (headless Chromium over WebDriver): what a member of
//! staff does, page by page, with axe-core on each page (no violation of impact serious or
//! critical). With `KYOTEI_SCREENSHOTS=DIR`, it also saves a screenshot of each page there
//! (the README's pictures come from `docs/images`).

use crate::common::browser::{Driver, axe, axe_source, wait_until};
use crate::common::serve::{Served, unescape};
use crate::common::{renamed, save_as_excel_does};
use fantoccini::{Client, Locator};
use std::time::Duration;

/// With `KYOTEI_SCREENSHOTS=DIR`, the whole page as `DIR/serve-<name>.png` (the window is
/// made as tall as the page, up to 2,400 pixels, for the picture).
async fn shot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("KYOTEI_SCREENSHOTS") {
        let height = c
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(1000)
            .clamp(600, 2400) as u32;
        c.set_window_size(1280, height + 140).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let png = c.screenshot().await.unwrap();
        c.set_window_size(1280, 1000).await.unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join(format!("serve-{name}.png")),
            png,
        )
        .unwrap();
    }
}

async fn accessible(c: &Client, axe_js: &str, page: &str) {
    let violations = axe(c, axe_js).await;
    assert!(violations.is_empty(), "{page}: {violations:#?}");
}

/// The text of the element `css` selects, waiting (bounded) for it to appear. Read in one
/// script, so a part of the page swapped in meanwhile (the page follows the server) cannot
/// leave a stale element behind.
async fn text_of(c: &Client, css: &str) -> String {
    let probe = format!(
        "const e = document.querySelector({}); return e ? e.innerText : null;",
        serde_json::to_string(css).unwrap()
    );
    let v = wait_until(c, &probe, Duration::from_secs(30), |v| v.is_string()).await;
    v.as_str().unwrap().to_string()
}

/// Clicks the element `css` selects, finding it again if the page swapped it meanwhile.
async fn click(c: &Client, css: &str) {
    for _ in 0..5 {
        let e = c
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        match e.click().await {
            Ok(()) => return,
            Err(e) if e.is_stale_element_reference() => {}
            Err(e) => panic!("{css}: {e}"),
        }
    }
    panic!("{css} kept going stale");
}

#[test]
fn staff_use_the_page_in_a_browser() {
    let s = Served::sample("serve-browser", &[]);
    let driver = Driver::start();
    let axe_js = axe_source();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The whole walk is bounded: a browser that stops answering fails the test, never hangs it.
    let walk = async {
        let c = tokio::time::timeout(Duration::from_secs(60), driver.client())
            .await
            .expect("Chromium started within a minute");
        let base = format!("http://{}", s.addr);

        // 台帳: every agreement, with the counts of its findings.
        c.goto(&base).await.unwrap();
        let rows = c
            .find_all(Locator::Css("#agreements tbody tr"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 3);
        let table = text_of(&c, "#agreements").await;
        for want in [
            "R8-001",
            "株式会社あかぎ商事",
            "R8-002",
            "R2-005",
            "協議中",
            "有効",
        ] {
            assert!(table.contains(want), "{want}: {table}");
        }
        accessible(&c, &axe_js, "台帳").await;
        shot(&c, "index").await;
        // The filter box hides the other rows as one types.
        c.find(Locator::Id("filter"))
            .await
            .unwrap()
            .send_keys("あかぎ")
            .await
            .unwrap();
        let shown = c
            .execute(
                "return [...document.querySelectorAll('#agreements tbody tr')].filter((tr) => !tr.hidden).map((tr) => tr.dataset.id)",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(shown, serde_json::json!(["R8-001"]));

        // 協定 with errors: its findings with their cells; final documents refused, with why.
        c.goto(&base).await.unwrap();
        click(&c, "a[href='/agreements/R8-002']").await;
        let findings = text_of(&c, "table.findings").await;
        for cell in ["連携事項!B10", "要件確認!E3", "連携事業!K13"] {
            assert!(findings.contains(cell), "{cell}: {findings}");
        }
        assert!(findings.contains("シティプロモーションに関すること。"));
        let disabled = c
            .execute(
                "return document.getElementById('make-final').disabled;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(disabled, serde_json::json!(true));
        assert!(text_of(&c, "#final-blocked").await.contains("エラーが"));
        accessible(&c, &axe_js, "協定（エラーあり）").await;
        shot(&c, "agreement-errors").await;

        // A clean agreement: make its final documents; the page shows them when they are
        // done, by itself, and the 協定書 PDF is the one `kyotei render` makes.
        c.goto(&format!("{base}/agreements/R8-001")).await.unwrap();
        click(&c, "#make-final").await;
        let probe = r#"const a = document.querySelector('#documents tr[data-doc="協定書"]:not(.draft) a.pdf'); return a ? a.getAttribute('href') : null;"#;
        let href = wait_until(&c, probe, Duration::from_secs(240), |v| v.is_string()).await;
        let href = unescape(href.as_str().unwrap());
        let pdf = s.get(&href);
        assert_eq!(pdf.status, 200, "{href}");
        assert!(pdf.body.starts_with(b"%PDF"));
        assert_eq!(s.rendered_by_cli("R8-001", "R8-001/協定書.pdf"), pdf.body);
        let status = text_of(&c, "#job").await;
        assert!(status.contains("作成済み"), "{status}");
        accessible(&c, &axe_js, "協定（書類あり）").await;
        shot(&c, "agreement").await;

        // 予定 and 報告.
        c.goto(&format!("{base}/schedule?months=0")).await.unwrap();
        assert!(text_of(&c, "#schedule").await.contains("R2-005"));
        accessible(&c, &axe_js, "予定").await;
        shot(&c, "schedule").await;
        c.goto(&format!("{base}/report?fy=2026")).await.unwrap();
        assert!(
            text_of(&c, "#annual")
                .await
                .contains("年次報告_令和8年度.xlsx")
        );
        accessible(&c, &axe_js, "報告").await;
        shot(&c, "report").await;

        // 確認: a broken workbook gives its error; the server goes on answering.
        c.goto(&format!("{base}/check")).await.unwrap();
        accessible(&c, &axe_js, "確認").await;
        let broken = s.dir.join("届いた台帳.xlsx");
        std::fs::write(&broken, b"this is not a workbook").unwrap();
        c.find(Locator::Id("register"))
            .await
            .unwrap()
            .send_keys(broken.to_str().unwrap())
            .await
            .unwrap();
        click(&c, "#check-submit").await;
        let error = text_of(&c, "#upload-error").await;
        assert!(error.contains("台帳を読み込めません"), "{error}");
        accessible(&c, &axe_js, "確認（結果）").await;
        // The register itself, uploaded: its findings as on the agreement page.
        c.find(Locator::Id("register"))
            .await
            .unwrap()
            .send_keys(s.dir.join("台帳.xlsx").to_str().unwrap())
            .await
            .unwrap();
        click(&c, "#check-submit").await;
        let probe = "const e = document.getElementById('result'); return e ? e.innerText : null;";
        wait_until(&c, probe, Duration::from_secs(30), |v| {
            v.as_str().is_some_and(|t| t.contains("連携事項!B10"))
        })
        .await;
        shot(&c, "check").await;
        assert_eq!(s.get("/").status, 200);

        // A save of the register shows on the open page, without a reload.
        c.goto(&base).await.unwrap();
        c.execute("window.kyoteiMarker = 42; return true;", vec![])
            .await
            .unwrap();
        let register = s.dir.join("台帳.xlsx");
        save_as_excel_does(&register, &renamed(&std::fs::read(&register).unwrap()));
        wait_until(
            &c,
            "return document.getElementById('agreements').textContent",
            Duration::from_secs(20),
            |v| v.as_str().is_some_and(|t| t.contains("株式会社あかぎ商会")),
        )
        .await;
        let marker = c
            .execute("return window.kyoteiMarker;", vec![])
            .await
            .unwrap();
        assert_eq!(marker, serde_json::json!(42), "the page was reloaded");
        c.close().await.unwrap();
    };
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(900), walk)
            .await
            .expect("the walk through the pages ended within 15 minutes")
    });
}
