//! Workbooks for the reader tests, built in memory with rust_xlsxwriter: the contract's
//! sheets with their headers (from `model::sheet::SHEETS`) and one example agreement, which
//! a test then changes cell by cell. Also raw zip surgery for hostile files.

use kyotei::model::sheet;
use rust_xlsxwriter::{Format, Formula, Workbook};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// A cell to write.
#[derive(Debug, Clone)]
pub enum C {
    S(String),
    N(f64),
    /// A number with a date format (a real Excel date).
    D(f64),
    /// A formula and the result Excel cached.
    F(&'static str, &'static str),
}

pub fn s(x: &str) -> C {
    C::S(x.to_string())
}

/// The Excel serial of a date.
pub fn serial(y: i32, m: u32, d: u32) -> f64 {
    kyotei::date::Date::new(y, m, d).unwrap().to_excel_serial()
}

#[derive(Debug, Clone)]
pub struct SheetSpec {
    pub name: String,
    pub hidden: bool,
    /// Row 1.
    pub headers: Vec<String>,
    /// Rows 2…, values by header name (a value whose header is absent is not written).
    pub rows: Vec<BTreeMap<String, C>>,
    /// Cells at fixed places (0-based row, column).
    pub extra: Vec<(u32, u16, C)>,
}

#[derive(Debug, Clone)]
pub struct Book {
    pub sheets: Vec<SheetSpec>,
}

impl Book {
    /// Every sheet of the contract with its headers and no data.
    pub fn empty() -> Book {
        Book {
            sheets: sheet::SHEETS
                .iter()
                .map(|sh| SheetSpec {
                    name: sh.name.to_string(),
                    hidden: false,
                    headers: sh.headers().map(|h| h.to_string()).collect(),
                    rows: Vec::new(),
                    extra: Vec::new(),
                })
                .collect(),
        }
    }

    /// The contract's sheets with one complete example agreement (R8-001).
    pub fn example() -> Book {
        let fields = kyotei::guideline::profile::Profile::isesaki().fields;
        let mut b = Book::empty();
        b.add(
            sheet::SETTINGS,
            &[("項目", s("市長氏名")), ("値", s("伊勢崎 一郎"))],
        );
        b.add(
            sheet::SETTINGS,
            &[("項目", s("所管電話")), ("値", s("0270-27-0000"))],
        );
        b.add(
            sheet::AGREEMENTS,
            &[
                ("協定番号", s("R8-001")),
                ("企業等名", s("株式会社サンプル")),
                ("企業等所在地", s("群馬県伊勢崎市今泉町一丁目1番地")),
                ("代表者役職", s("代表取締役")),
                ("代表者氏名", s("見本 太郎")),
                ("担当者名", s("山田 花子")),
                ("担当者電話", C::N(270000000.0)),
                ("担当者メール", s("yamada@example.jp")),
                ("申出日", C::D(serial(2026, 3, 1))),
                ("申出目的", s("地域への貢献")),
                ("目的", s("子育て支援、防災、シティプロモーション")),
                ("締結日", C::D(serial(2026, 4, 1))),
                ("押印方式", s("記名押印")),
            ],
        );
        let mut req = vec![
            ("協定番号", s("R8-001")),
            ("確認日", s("令和8年3月15日")),
            ("確認者", s("戦略係 鈴木")),
            ("3(1)意欲", s("はい")),
            ("3(3)継続的対話", s("はい")),
        ];
        let dq: Vec<&str> = sheet::SHEETS[2].headers().skip(5).collect();
        for h in &dq {
            req.push((h, s("該当しない")));
        }
        b.add(sheet::REQUIREMENTS, &req);
        for i in [0, 6, 9] {
            b.add(
                sheet::FIELDS,
                &[("協定番号", s("R8-001")), ("分野", s(&fields[i]))],
            );
        }
        b.add(
            sheet::PROJECTS,
            &[
                ("協定番号", s("R8-001")),
                ("番号", C::N(1.0)),
                ("連携事項", s(&fields[0])),
                ("事業内容", s("子育て講座の開催")),
                ("評価", s("○")),
                ("コメント", s("実施可能")),
                ("担当部", s("こども部")),
                ("担当課", s("こども保育課")),
                ("担当者連絡先", s("内線1234")),
                ("市の費用負担", s("なし")),
                ("禁止事業確認", s("該当なし")),
            ],
        );
        b.add(
            sheet::MEMO,
            &[
                ("協定番号", s("R8-001")),
                (
                    "連携事項",
                    s("高齢者、障がい者及び子どもの支援に関すること"),
                ),
                ("連携事業", s("高齢者の異変等を発見したとき。")),
                ("担当課", s("長寿社会部高齢政策課")),
            ],
        );
        b.add(
            sheet::PUBLICITY,
            &[
                ("協定番号", s("R8-001")),
                ("連携事業", s("チラシの配架")),
                ("部数", C::N(100.0)),
            ],
        );
        b.add(
            sheet::CONTACTS,
            &[
                ("協定番号", s("R8-001")),
                ("当事者", s("市")),
                ("部署", s("戦略推進課")),
            ],
        );
        b.add(
            sheet::CONTACTS,
            &[
                ("協定番号", s("R8-001")),
                ("当事者", s("企業等")),
                ("担当者", s("山田 花子")),
            ],
        );
        b.add(
            sheet::RESULTS,
            &[
                ("協定番号", s("R8-001")),
                ("報告番号", C::N(1.0)),
                ("連携事項", s(&fields[6])),
                ("事業名", s("防災訓練")),
                ("開始日", s("R8.5.10")),
                ("終了日", s("2026/5/10")),
                ("参加者数", C::N(120.0)),
                ("報告日", C::D(serial(2026, 5, 20))),
                ("市の費用負担額", C::N(0.0)),
            ],
        );
        b
    }

    pub fn sheet(&mut self, name: &str) -> &mut SheetSpec {
        self.sheets
            .iter_mut()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no sheet {name}"))
    }

    /// Append a data row.
    pub fn add(&mut self, sheet: &str, cells: &[(&str, C)]) {
        let row = cells
            .iter()
            .map(|(h, c)| (h.to_string(), c.clone()))
            .collect();
        self.sheet(sheet).rows.push(row);
    }

    /// Set a cell of the `n`th data row (0 = Excel row 2).
    pub fn set(&mut self, sheet: &str, n: usize, header: &str, c: C) {
        self.sheet(sheet).rows[n].insert(header.to_string(), c);
    }

    pub fn remove_sheet(&mut self, name: &str) {
        self.sheets.retain(|s| s.name != name);
    }

    pub fn rename_header(&mut self, sheet: &str, from: &str, to: &str) {
        let sh = self.sheet(sheet);
        let h = sh.headers.iter_mut().find(|h| *h == from).expect("header");
        *h = to.to_string();
    }

    /// The .xlsx bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        let date = Format::new().set_num_format("yyyy/m/d");
        for spec in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(&spec.name).unwrap();
            if spec.hidden {
                ws.set_hidden(true);
            }
            for (c, h) in spec.headers.iter().enumerate() {
                ws.write_string(0, c as u16, h).unwrap();
            }
            let mut cells: Vec<(u32, u16, &C)> = Vec::new();
            for (r, row) in spec.rows.iter().enumerate() {
                for (h, v) in row {
                    if let Some(c) = spec.headers.iter().position(|x| x == h) {
                        cells.push((r as u32 + 1, c as u16, v));
                    }
                }
            }
            cells.extend(spec.extra.iter().map(|(r, c, v)| (*r, *c, v)));
            for (r, c, v) in cells {
                match v {
                    C::S(x) => ws.write_string(r, c, x).map(|_| ()),
                    C::N(x) => ws.write_number(r, c, *x).map(|_| ()),
                    C::D(x) => ws.write_number_with_format(r, c, *x, &date).map(|_| ()),
                    C::F(f, res) => ws
                        .write_formula(r, c, Formula::new(*f).set_result(*res))
                        .map(|_| ()),
                }
                .unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }
}

/// Rewrite a zip: every entry is copied, except that `replace` may give new contents for an
/// entry (by name), written deflated.
pub fn rewrite_zip(bytes: &[u8], replace: impl Fn(&str, &[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
    rewrite_zip_streaming(bytes, |name, old, w| match replace(name, old) {
        Some(new) => {
            w.write_all(&new).unwrap();
            true
        }
        None => false,
    })
}

/// Like [`rewrite_zip`], but the new contents are streamed into the writer (for entries far
/// larger than memory should hold); `replace` returns whether it wrote anything.
pub fn rewrite_zip_streaming(
    bytes: &[u8],
    replace: impl Fn(&str, &[u8], &mut dyn Write) -> bool,
) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut old = Vec::new();
        f.read_to_end(&mut old).unwrap();
        out.start_file(name.as_str(), opts).unwrap();
        if !replace(&name, &old, &mut out) {
            out.write_all(&old).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// A worksheet XML whose `sheetData` holds `padding` bytes of spaces (valid XML that
/// inflates enormously).
pub fn padded_sheet_xml(w: &mut dyn Write, padding: u64) {
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    )
    .unwrap();
    let chunk = vec![b' '; 1 << 20];
    let mut left = padding;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    w.write_all(b"</sheetData></worksheet>").unwrap();
}
