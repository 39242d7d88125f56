//! XLSX writing: a small declarative spec of sheets, columns and rows turned into workbook
//! bytes. The only user of rust_xlsxwriter; `init` (the blank register) and the annual
//! report build a [`Book`] and call [`write`].
//!
//! The output is deterministic: the creation time is fixed and nothing reads the clock, so
//! the same spec always gives the same bytes. Cells use a Japanese font (BIZ UDゴシック);
//! dates are real Excel dates shown in 和暦; closed lists become dropdowns (data
//! validation) on the data rows; long lists are kept on a hidden sheet [`LISTS_SHEET`].

use crate::date::Date;
use crate::error::{Error, Result};
use rust_xlsxwriter::{
    Chart, ChartAxisCrossing, ChartFont, ChartType, DataValidation, DataValidationErrorStyle,
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Note, Table,
    TableColumn, TableStyle, Workbook, Worksheet, XlsxError,
};

/// The font of every cell. BIZ UDゴシック ships with Windows 10 and later and is the
/// universal-design font many municipalities use.
pub const FONT: &str = "BIZ UDゴシック";
/// Font size of body cells, in points.
pub const FONT_SIZE: f64 = 11.0;
/// 和暦 date format: Excel and LibreOffice both show 令和8年4月1日. (`[$-ja-JP-x-gannen]`
/// would show 元年 for 2019 in Excel, but LibreOffice 7 then shows the bare serial number.)
pub const DATE_FORMAT: &str = r#"[$-411]ggge"年"m"月"d"日";@"#;
/// Whole yen, with separators and the 円 sign.
pub const YEN_FORMAT: &str = r##"#,##0"円""##;
/// Whole numbers, with separators.
pub const INTEGER_FORMAT: &str = "#,##0";
/// Text (`@`): Excel keeps what is typed (no `1-2` turned into a date).
pub const TEXT_FORMAT: &str = "@";
/// The hidden sheet that holds dropdown lists too long to be written inline (Excel caps an
/// inline list at 255 characters).
pub const LISTS_SHEET: &str = "選択肢";
/// The fixed creation time stamped into the document properties.
const CREATED: (u16, u8, u8) = (2026, 1, 1);
/// Default header fill (light blue).
const HEADER_FILL: u32 = 0xDDEBF7;

/// A whole workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    pub sheets: Vec<SheetSpec>,
    /// Document title (file properties).
    pub title: String,
    /// Document author (file properties, author of header notes).
    pub author: String,
}

/// One worksheet: a header row (row 1) followed by data rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetSpec {
    pub name: String,
    pub columns: Vec<Column>,
    /// Data rows from row 2, one value per column (missing trailing values are blank).
    pub rows: Vec<Vec<CellValue>>,
    /// Keep row 1 visible while scrolling.
    pub freeze_header: bool,
    /// Make the header and rows a real Excel table (banded rows, autofilter).
    pub table: bool,
    /// A plain autofilter on the header row (ignored when `table` is set).
    pub autofilter: bool,
    /// The last 1-based row to which dropdowns apply (at least the last data row); 1000
    /// leaves room for typing. Column formats apply to the whole column.
    pub input_rows: u32,
    pub charts: Vec<ChartSpec>,
    /// Print in landscape (A4, one page wide, header row repeated on every page).
    pub landscape: bool,
    /// Tab colour (RGB), if any.
    pub tab_color: Option<u32>,
    /// Print on a single page (cells and charts together) instead of one page wide.
    pub fit_to_page: bool,
    /// Hidden in Excel (a form's provenance).
    pub hidden: bool,
    /// Protected without a password: only the [`Column::open`] columns' data cells can be
    /// edited. It guards against slips, not against intent.
    pub protect: bool,
    /// A fill (RGB) for some data rows (0-based positions in `rows`), e.g. an example row.
    pub row_fill: Option<(Vec<usize>, u32)>,
}

impl SheetSpec {
    /// A sheet with a frozen header, landscape printing and room for 1000 rows.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> SheetSpec {
        SheetSpec {
            name: name.into(),
            columns,
            rows: Vec::new(),
            freeze_header: true,
            table: false,
            autofilter: false,
            input_rows: 1000,
            charts: Vec::new(),
            landscape: true,
            tab_color: None,
            fit_to_page: false,
            hidden: false,
            protect: false,
            row_fill: None,
        }
    }

    pub fn with_rows(mut self, rows: Vec<Vec<CellValue>>) -> SheetSpec {
        self.rows = rows;
        self
    }
}

/// How a column's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, kept as typed (`@`).
    Text,
    /// Real Excel dates in 和暦 ([`DATE_FORMAT`]); text typed into the cell stays text.
    Date,
    /// Whole numbers.
    Integer,
    /// Whole yen (`#,##0"円"`).
    Yen,
    /// General (numbers and text as Excel sees fit).
    General,
}

/// A column: header, width and format, and an optional dropdown and header note.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Width in Excel character units (a kanji is about 2). Set by hand: autofit
    /// undercounts kanji.
    pub width: f64,
    pub kind: Kind,
    /// Wrap long text in the cell.
    pub wrap: bool,
    /// A dropdown on the data rows.
    pub list: Option<ListSpec>,
    /// A note (comment) on the header cell explaining what to enter.
    pub note: Option<String>,
    /// Header fill colour (RGB); `None` for the default light blue.
    pub header_color: Option<u32>,
    /// On a protected sheet, the data cells of this column stay editable (unlocked).
    pub open: bool,
    /// Excel refuses a value that is not a whole number from 0 (on the input rows of an
    /// `Integer` or `Yen` column), or not a date (a `Date` column).
    pub checked: bool,
}

impl Column {
    pub fn new(header: impl Into<String>, width: f64, kind: Kind) -> Column {
        Column {
            header: header.into(),
            width,
            kind,
            wrap: false,
            list: None,
            note: None,
            header_color: None,
            open: false,
            checked: false,
        }
    }

    /// Editable on a protected sheet.
    pub fn open(mut self) -> Column {
        self.open = true;
        self
    }

    /// Whole numbers (`Integer`, `Yen`) or dates (`Date`) only, as Excel checks them.
    pub fn checked(mut self) -> Column {
        self.checked = true;
        self
    }

    /// A strict dropdown: any other value is refused.
    pub fn list<S: Into<String>>(mut self, items: impl IntoIterator<Item = S>) -> Column {
        self.list = Some(ListSpec::items(items, Strictness::Stop));
        self
    }

    /// A dropdown that still accepts other input (Excel shows an information box).
    pub fn open_list<S: Into<String>>(mut self, items: impl IntoIterator<Item = S>) -> Column {
        self.list = Some(ListSpec::items(items, Strictness::Information));
        self
    }

    pub fn with_list(mut self, list: ListSpec) -> Column {
        self.list = Some(list);
        self
    }

    pub fn note(mut self, text: impl Into<String>) -> Column {
        self.note = Some(text.into());
        self
    }

    pub fn wrap(mut self) -> Column {
        self.wrap = true;
        self
    }

    pub fn header_color(mut self, rgb: u32) -> Column {
        self.header_color = Some(rgb);
        self
    }
}

/// A dropdown (list data validation).
#[derive(Debug, Clone, PartialEq)]
pub struct ListSpec {
    pub source: ListSource,
    pub strictness: Strictness,
}

impl ListSpec {
    pub fn items<S: Into<String>>(
        items: impl IntoIterator<Item = S>,
        strictness: Strictness,
    ) -> ListSpec {
        ListSpec {
            source: ListSource::Items(items.into_iter().map(Into::into).collect()),
            strictness,
        }
    }

    /// The values of another sheet's column, rows `first_row..=last_row` (1-based), e.g.
    /// the IDs of `協定`.
    pub fn range(
        sheet: impl Into<String>,
        col: u16,
        first_row: u32,
        last_row: u32,
        strictness: Strictness,
    ) -> ListSpec {
        ListSpec {
            source: ListSource::Range {
                sheet: sheet.into(),
                col,
                first_row,
                last_row,
            },
            strictness,
        }
    }
}

/// Where a dropdown's values come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ListSource {
    Items(Vec<String>),
    /// A column range of a sheet of the book (0-based column, 1-based rows).
    Range {
        sheet: String,
        col: u16,
        first_row: u32,
        last_row: u32,
    },
}

/// What Excel does when a value outside the list is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Refuse it.
    Stop,
    /// Ask, default yes.
    Warning,
    /// Inform, and accept it.
    Information,
}

/// A cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Date(Date),
    Int(i64),
    Number(f64),
}

impl CellValue {
    pub fn text(s: impl Into<String>) -> CellValue {
        CellValue::Text(s.into())
    }
}

impl From<&str> for CellValue {
    fn from(s: &str) -> CellValue {
        if s.is_empty() {
            CellValue::Empty
        } else {
            CellValue::Text(s.to_string())
        }
    }
}

impl From<String> for CellValue {
    fn from(s: String) -> CellValue {
        if s.is_empty() {
            CellValue::Empty
        } else {
            CellValue::Text(s)
        }
    }
}

impl From<Date> for CellValue {
    fn from(d: Date) -> CellValue {
        CellValue::Date(d)
    }
}

impl From<i64> for CellValue {
    fn from(n: i64) -> CellValue {
        CellValue::Int(n)
    }
}

impl<T: Into<CellValue>> From<Option<T>> for CellValue {
    fn from(v: Option<T>) -> CellValue {
        v.map_or(CellValue::Empty, Into::into)
    }
}

/// A chart of one sheet's data rows: categories from one column, one series per value
/// column.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub title: String,
    pub kind: ChartKind,
    /// 0-based column holding the category labels.
    pub category_col: u16,
    /// 0-based columns holding the values, one series each (named by the header).
    pub value_cols: Vec<u16>,
    /// Top-left cell (0-based row, column); `None` = one column right of the data, row 2.
    pub anchor: Option<(u32, u16)>,
    /// The 0-based sheet rows (first, last) holding the chart's data; `None` = every data
    /// row. Lets one sheet carry several small tables side by side, each with its chart.
    pub rows: Option<(u32, u32)>,
    /// The values are counts: the value axis starts at 0 and steps in whole numbers.
    pub integer_values: bool,
    /// Size in pixels.
    pub width: u32,
    pub height: u32,
}

impl ChartSpec {
    pub fn bar(title: impl Into<String>, category_col: u16, value_col: u16) -> ChartSpec {
        ChartSpec {
            title: title.into(),
            kind: ChartKind::Bar,
            category_col,
            value_cols: vec![value_col],
            anchor: None,
            rows: None,
            integer_values: false,
            width: 600,
            height: 360,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars (long Japanese category labels read well).
    Bar,
    /// Vertical columns.
    Column,
}

fn xerr(e: XlsxError) -> Error {
    Error::Writer {
        format: "XLSX",
        reason: e.to_string(),
    }
}

/// The body format of a column (font, number format, wrap).
fn body_format(col: &Column) -> Format {
    let f = base_format().set_align(FormatAlign::VerticalCenter);
    let f = match col.kind {
        Kind::Text => f.set_num_format(TEXT_FORMAT),
        Kind::Date => f.set_num_format(DATE_FORMAT).set_align(FormatAlign::Left),
        // Numbers keep a little space from the text column to their right.
        Kind::Integer => f
            .set_num_format(INTEGER_FORMAT)
            .set_align(FormatAlign::Right)
            .set_indent(1),
        Kind::Yen => f
            .set_num_format(YEN_FORMAT)
            .set_align(FormatAlign::Right)
            .set_indent(1),
        Kind::General => f,
    };
    let f = if col.open { f.set_unlocked() } else { f };
    if col.wrap { f.set_text_wrap() } else { f }
}

fn base_format() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(FONT_SIZE)
        .set_font_charset(128)
        .set_font_family(3)
}

fn header_format(col: &Column) -> Format {
    base_format()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(col.header_color.unwrap_or(HEADER_FILL))
        .set_border(FormatBorder::Thin)
}

/// Quote a sheet name for a formula: `'協定'`.
fn quoted(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

/// A1-style absolute column range: `$A$2:$A$14`.
fn abs_range(col: u16, first_row: u32, last_row: u32) -> String {
    let c = crate::model::CellRef::col_letters(u32::from(col));
    format!("${c}${first_row}:${c}${last_row}")
}

/// Can the list be written inline (Excel: at most 255 characters with commas, no commas
/// or quotes inside an item)?
fn fits_inline(items: &[String]) -> bool {
    let len: usize =
        items.iter().map(|s| s.chars().count()).sum::<usize>() + items.len().saturating_sub(1);
    len <= 255 && items.iter().all(|s| !s.contains(',') && !s.contains('"'))
}

/// Lists that go to the hidden sheet, in first-use order, deduplicated.
fn long_lists(book: &Book) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for sheet in &book.sheets {
        for col in &sheet.columns {
            if let Some(ListSpec {
                source: ListSource::Items(items),
                ..
            }) = &col.list
                && !fits_inline(items)
                && !out.iter().any(|(_, l)| l == items)
            {
                out.push((col.header.clone(), items.clone()));
            }
        }
    }
    out
}

/// Write the book as XLSX bytes.
pub fn write(book: &Book) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    wb.set_default_format(&base_format(), 24, 72)
        .map_err(xerr)?;
    let created = ExcelDateTime::from_ymd(CREATED.0, CREATED.1, CREATED.2).map_err(xerr)?;
    let props = DocProperties::new()
        .set_title(&book.title)
        .set_author(&book.author)
        .set_creation_datetime(&created);
    wb.set_properties(&props);

    let lists = long_lists(book);
    if book.sheets.iter().any(|s| s.name == LISTS_SHEET) && !lists.is_empty() {
        return Err(Error::Writer {
            format: "XLSX",
            reason: format!("シート名「{LISTS_SHEET}」は選択肢用に予約されています"),
        });
    }
    for sheet in &book.sheets {
        let ws = wb.add_worksheet();
        write_sheet(ws, sheet, &lists, &book.author).map_err(xerr)?;
    }
    if !lists.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name(LISTS_SHEET).map_err(xerr)?;
        let header = header_format(&Column::new("", 0.0, Kind::Text));
        let body = base_format().set_num_format(TEXT_FORMAT);
        for (i, (name, items)) in lists.iter().enumerate() {
            let c = i as u16;
            ws.set_column_width(c, 40).map_err(xerr)?;
            ws.write_string_with_format(0, c, name, &header)
                .map_err(xerr)?;
            for (r, item) in items.iter().enumerate() {
                ws.write_string_with_format(r as u32 + 1, c, item, &body)
                    .map_err(xerr)?;
            }
        }
        ws.set_hidden(true);
    }
    wb.save_to_buffer().map_err(xerr)
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &SheetSpec,
    lists: &[(String, Vec<String>)],
    author: &str,
) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    if sheet.columns.is_empty() {
        return Ok(());
    }
    let ncols = sheet.columns.len() as u16;
    let last_data_row = sheet.rows.len() as u32; // 0-based
    let last_input_row = (sheet.input_rows.max(2) - 1).max(last_data_row); // 0-based

    let bodies: Vec<Format> = sheet.columns.iter().map(body_format).collect();
    for (c, col) in sheet.columns.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, col.width)?;
        ws.set_column_format(c, &bodies[usize::from(c)])?;
        ws.write_string_with_format(0, c, &col.header, &header_format(col))?;
        if let Some(text) = &col.note {
            let note = Note::new(text)
                .set_author(author)
                .add_author_prefix(false)
                .set_font_name(FONT)
                .set_width(300)
                .set_height(120);
            ws.insert_note(0, c, &note)?;
        }
    }
    // Two lines of header fit the default height; a header wrapping further gets room.
    let header_lines = sheet
        .columns
        .iter()
        .map(|col| wrapped_lines(&col.header, col.width))
        .max()
        .unwrap_or(1);
    let header_height = if header_lines > 2 {
        LINE_HEIGHT * header_lines as f64 + 4.0
    } else {
        30.0
    };
    ws.set_row_height(0, header_height)?;

    // Data cells; typed values in new rows follow the column format.
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1;
        let filled = sheet
            .row_fill
            .as_ref()
            .filter(|(rows, _)| rows.contains(&(r as usize - 1)));
        for (c, col) in sheet.columns.iter().enumerate() {
            let fill;
            let fmt = match filled {
                Some((_, rgb)) => {
                    fill = bodies[c].clone().set_background_color(*rgb);
                    &fill
                }
                None => &bodies[c],
            };
            let value = row.get(c).unwrap_or(&CellValue::Empty);
            write_cell(ws, r, c as u16, col.kind, value, fmt)?;
        }
        // Excel and LibreOffice do not reliably grow a row for wrapped text on opening;
        // estimate the height instead.
        let lines = sheet
            .columns
            .iter()
            .zip(row)
            .filter(|(col, _)| col.wrap)
            .map(|(col, v)| match v {
                CellValue::Text(s) => wrapped_lines(s, col.width),
                _ => 1,
            })
            .max()
            .unwrap_or(1);
        if lines > 1 {
            ws.set_row_height(r, LINE_HEIGHT * lines as f64 + 4.0)?;
        }
    }

    // Dropdowns and checks on the input rows.
    for (c, col) in sheet.columns.iter().enumerate() {
        if let Some(list) = &col.list {
            let dv = validation(list, lists)?;
            ws.add_data_validation(1, c as u16, last_input_row.max(1), c as u16, &dv)?;
        } else if let Some(dv) = col.checked.then(|| check(col.kind)).flatten() {
            ws.add_data_validation(1, c as u16, last_input_row.max(1), c as u16, &dv?)?;
        }
    }

    if sheet.table {
        let columns: Vec<TableColumn> = sheet
            .columns
            .iter()
            .map(|col| {
                TableColumn::new()
                    .set_header(&col.header)
                    .set_header_format(header_format(col))
            })
            .collect();
        let table = Table::new()
            .set_columns(&columns)
            .set_style(TableStyle::Light9);
        ws.add_table(0, 0, last_data_row.max(1), ncols - 1, &table)?;
    } else if sheet.autofilter {
        ws.autofilter(0, 0, last_data_row.max(1), ncols - 1)?;
    }
    if sheet.freeze_header {
        ws.set_freeze_panes(1, 0)?;
    }

    for chart in &sheet.charts {
        if sheet.rows.is_empty() {
            continue;
        }
        let mut ch = Chart::new(match chart.kind {
            ChartKind::Bar => ChartType::Bar,
            ChartKind::Column => ChartType::Column,
        });
        ch.title().set_name(&chart.title);
        let (first, last) = chart.rows.unwrap_or((1, last_data_row));
        for &vc in &chart.value_cols {
            let name = sheet
                .columns
                .get(usize::from(vc))
                .map(|c| c.header.as_str())
                .unwrap_or("");
            ch.add_series()
                .set_name(name)
                .set_categories((
                    sheet.name.as_str(),
                    first,
                    chart.category_col,
                    last,
                    chart.category_col,
                ))
                .set_values((sheet.name.as_str(), first, vc, last, vc));
        }
        if chart.value_cols.len() < 2 {
            ch.legend().set_hidden();
        }
        let mut font = ChartFont::new();
        font.set_name(FONT);
        ch.title().set_font(font.clone().set_bold());
        ch.x_axis().set_font(&font);
        ch.y_axis().set_font(&font);
        if chart.kind == ChartKind::Bar {
            // Excel draws the first bar at the bottom; list the rows top to bottom instead.
            ch.y_axis()
                .set_reverse()
                .set_crossing(ChartAxisCrossing::Max);
        }
        if chart.integer_values {
            let max = sheet
                .rows
                .iter()
                .skip(first.saturating_sub(1) as usize)
                .take((last + 1).saturating_sub(first) as usize)
                .flat_map(|row| {
                    chart
                        .value_cols
                        .iter()
                        .filter_map(|&vc| row.get(usize::from(vc)))
                })
                .map(|v| match v {
                    CellValue::Int(n) => *n as f64,
                    CellValue::Number(x) => *x,
                    _ => 0.0,
                })
                .fold(0.0, f64::max);
            let axis = if chart.kind == ChartKind::Bar {
                ch.x_axis()
            } else {
                ch.y_axis()
            };
            // Whole-number gridlines from 0 to one step above the largest value.
            let step = count_step(max);
            let top = ((max / step).floor() + 1.0) * step;
            axis.set_min(0.0)
                .set_max(top)
                .set_major_unit(step)
                .set_num_format("#,##0");
        }
        ch.set_width(chart.width).set_height(chart.height);
        let (r, c) = chart.anchor.unwrap_or((1, ncols + 1));
        ws.insert_chart(r, c, &ch)?;
    }

    ws.set_paper_size(9); // A4
    if sheet.landscape {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, if sheet.fit_to_page { 1 } else { 0 });
    ws.set_repeat_rows(0, 0)?;
    if let Some(rgb) = sheet.tab_color {
        ws.set_tab_color(rgb);
    }
    if sheet.protect {
        // No password: a guard against slips. Filtering and widening columns stay allowed.
        let options = rust_xlsxwriter::ProtectionOptions {
            use_autofilter: true,
            format_columns: true,
            format_rows: true,
            ..rust_xlsxwriter::ProtectionOptions::new()
        };
        ws.protect_with_options(&options);
    }
    if sheet.hidden {
        ws.set_hidden(true);
    }
    Ok(())
}

/// A whole-number axis step giving at most about six gridlines up to `max`: 1, 2, 5, 10, 20…
fn count_step(max: f64) -> f64 {
    let mut step = 1.0;
    if !max.is_finite() {
        return step;
    }
    for m in [2.0, 2.5, 2.0].iter().cycle() {
        if max / step <= 6.0 {
            break;
        }
        step *= m;
    }
    step
}

fn write_cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    kind: Kind,
    value: &CellValue,
    fmt: &Format,
) -> Result<(), XlsxError> {
    match value {
        CellValue::Empty => {
            ws.write_blank(r, c, fmt)?;
        }
        CellValue::Text(s) => {
            ws.write_string_with_format(r, c, s, fmt)?;
        }
        CellValue::Date(d) => match excel_date(*d) {
            Some(dt) => {
                // A date in a non-date column still shows as a date.
                if kind == Kind::Date {
                    ws.write_datetime_with_format(r, c, &dt, fmt)?;
                } else {
                    let f = fmt.clone().set_num_format(DATE_FORMAT);
                    ws.write_datetime_with_format(r, c, &dt, &f)?;
                }
            }
            None => {
                ws.write_string_with_format(r, c, d.iso(), fmt)?;
            }
        },
        CellValue::Int(n) => {
            if kind == Kind::Text {
                ws.write_string_with_format(r, c, n.to_string(), fmt)?;
            } else {
                ws.write_number_with_format(r, c, *n as f64, fmt)?;
            }
        }
        CellValue::Number(x) => {
            ws.write_number_with_format(r, c, *x, fmt)?;
        }
    }
    Ok(())
}

/// Height of one line of body text, in points.
const LINE_HEIGHT: f64 = 15.5;

/// Display width of text in Excel character units: wide (CJK, full-width) characters
/// count 2.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x2460..=0x24FF
        | 0x25A0..=0x25FF | 0x2600..=0x26FF | 0x20000..=0x3FFFD)
}

/// How many lines a text takes in a wrapped column of `width` character units.
fn wrapped_lines(s: &str, width: f64) -> usize {
    let per_line = (width - 2.0).max(2.0);
    s.split('\n')
        .map(|line| ((display_width(line) as f64) / per_line).ceil().max(1.0) as usize)
        .sum()
}

/// Excel dates exist from 1900 to 9999.
fn excel_date(d: Date) -> Option<ExcelDateTime> {
    let y = u16::try_from(d.year)
        .ok()
        .filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(y, d.month as u8, d.day as u8).ok()
}

/// The check of a [`Column::checked`] column: whole numbers from 0, or dates Excel knows.
fn check(kind: Kind) -> Option<Result<DataValidation, XlsxError>> {
    use rust_xlsxwriter::{DataValidationRule, ExcelDateTime as D};
    let (dv, message) = match kind {
        Kind::Integer | Kind::Yen => (
            DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)),
            "0以上の整数を入力してください。",
        ),
        Kind::Date => {
            let (from, to) = match (D::from_ymd(1900, 1, 1), D::from_ymd(9999, 12, 31)) {
                (Ok(f), Ok(t)) => (f, t),
                (Err(e), _) | (_, Err(e)) => return Some(Err(e)),
            };
            (
                DataValidation::new().allow_date(DataValidationRule::Between(from, to)),
                "日付（例: 2026/7/1）を入力してください。",
            )
        }
        Kind::Text | Kind::General => return None,
    };
    Some(
        dv.set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("入力できない値です")
            .and_then(|dv| dv.set_error_message(message)),
    )
}

fn validation(
    list: &ListSpec,
    lists: &[(String, Vec<String>)],
) -> Result<DataValidation, XlsxError> {
    let dv = DataValidation::new();
    let dv = match &list.source {
        ListSource::Items(items) if fits_inline(items) => dv.allow_list_strings(items)?,
        ListSource::Items(items) => {
            let i = lists
                .iter()
                .position(|(_, l)| l == items)
                .expect("collected by long_lists");
            let range = abs_range(i as u16, 2, items.len() as u32 + 1);
            dv.allow_list_formula(Formula::new(format!("={}!{range}", quoted(LISTS_SHEET))))
        }
        ListSource::Range {
            sheet,
            col,
            first_row,
            last_row,
        } => {
            let range = abs_range(*col, *first_row, *last_row);
            dv.allow_list_formula(Formula::new(format!("={}!{range}", quoted(sheet))))
        }
    };
    let dv = match list.strictness {
        Strictness::Stop => dv
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("一覧にない値です")?
            .set_error_message("セルの右の▼から選んでください。")?,
        Strictness::Warning => dv
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title("一覧にない値です")?
            .set_error_message("このまま入力しますか？（「はい」で入力します）")?,
        Strictness::Information => dv
            .set_error_style(DataValidationErrorStyle::Information)
            .set_error_title("一覧にない値です")?
            .set_error_message("一覧にない値ですが、そのまま入力します。")?,
    };
    Ok(dv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::new(y, m, day).unwrap()
    }

    fn sample_book() -> Book {
        let long: Vec<String> = (1..=20)
            .map(|i| format!("とても長い選択肢の名前その{i}に関すること。"))
            .collect();
        let cols = vec![
            Column::new("名前", 20.0, Kind::Text).list(long.clone()),
            Column::new("日付", 18.0, Kind::Date),
            Column::new("件数", 8.0, Kind::Integer).open_list(["1", "2"]),
            Column::new("金額", 12.0, Kind::Yen).note("市が負担した額"),
        ];
        let mut sheet = SheetSpec::new("一覧", cols).with_rows(vec![
            vec!["甲".into(), d(2026, 4, 1).into(), 3.into(), 1200.into()],
            vec!["乙".into(), "令和8年7月1日".into(), 5.into()],
        ]);
        sheet.table = true;
        sheet.charts.push(ChartSpec::bar("件数", 0, 2));
        Book {
            sheets: vec![sheet],
            title: "試験".into(),
            author: "伊勢崎市".into(),
        }
    }

    /// Whether the package has a part: ZIP stores part names uncompressed, so the raw
    /// bytes can be searched (the zip crate belongs to xlsx_in).
    fn has_part(bytes: &[u8], name: &str) -> bool {
        bytes.windows(name.len()).any(|w| w == name.as_bytes())
    }

    #[test]
    fn writes_the_same_bytes_twice() {
        let book = sample_book();
        let a = write(&book).unwrap();
        let b = write(&book).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with(b"PK"));
    }

    #[test]
    fn puts_long_lists_on_a_hidden_sheet_and_adds_table_chart_and_note() {
        let bytes = write(&sample_book()).unwrap();
        assert!(has_part(&bytes, "xl/worksheets/sheet2.xml"), "lists sheet");
        assert!(!has_part(&bytes, "xl/worksheets/sheet3.xml"));
        assert!(has_part(&bytes, "xl/tables/table1.xml"), "table");
        assert!(has_part(&bytes, "xl/charts/chart1.xml"), "chart");
        assert!(has_part(&bytes, "xl/comments1.xml"), "note");
    }

    #[test]
    fn refuses_a_sheet_named_like_the_lists_sheet() {
        let mut book = sample_book();
        book.sheets[0].name = LISTS_SHEET.into();
        assert!(matches!(write(&book), Err(Error::Writer { .. })));
    }

    #[test]
    fn inline_limit_follows_excel() {
        assert!(fits_inline(&["はい".into(), "いいえ".into()]));
        assert!(!fits_inline(&["a,b".into()]));
        assert!(!fits_inline(&vec!["あ".repeat(100); 3]));
        assert_eq!(abs_range(0, 2, 14), "$A$2:$A$14");
        assert_eq!(quoted("協定"), "'協定'");
    }

    #[test]
    fn estimates_wrapped_lines() {
        assert_eq!(display_width("協定abc"), 7);
        assert_eq!(wrapped_lines("あいう", 10.0), 1);
        assert_eq!(wrapped_lines(&"あ".repeat(10), 9.0), 3);
        assert_eq!(wrapped_lines("一\n二\n三", 20.0), 3);
    }

    #[test]
    fn count_axes_step_by_1_2_5() {
        assert_eq!(count_step(0.0), 1.0);
        assert_eq!(count_step(6.0), 1.0);
        assert_eq!(count_step(7.0), 2.0);
        assert_eq!(count_step(13.0), 5.0);
        assert_eq!(count_step(500.0), 100.0);
        assert_eq!(count_step(f64::NAN), 1.0);
    }

    #[test]
    fn dates_outside_excel_fall_back_to_text() {
        assert!(excel_date(d(1899, 12, 31)).is_none());
        assert!(excel_date(d(2026, 4, 1)).is_some());
    }
}
