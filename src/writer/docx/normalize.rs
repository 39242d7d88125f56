//! Makes the DOCX packages docx-rs 0.4.22 writes valid against the Office Open XML schema
//! (ECMA-376 transitional, as checked by the Open XML SDK and `openxml-audit`).
//!
//! docx-rs serialises the children of property elements in its own order (`<w:rPr/>` first
//! and `w:jc` before `w:spacing` in `w:pPr`, `w:sz` before `w:b` in `w:rPr`,
//! `w:footerReference` after `w:pgMar`, ...), writes attributes the schema does not declare
//! (`w:type` on `w:gridCol`) and empty elements it forbids (`<w:rPr/>` in the `w:pPr` of
//! styles, paragraph defaults and numbering levels), writes no theme, and packs parts that
//! nothing refers to (comments, numbering, footnotes, a commentsExtended relationship
//! without comments).
//!
//! [`normalize_package`] takes the finished ZIP (`XMLDocx::pack`'s output) and returns a
//! valid one. It works on the ZIP because `pack` writes every part of [`docx_rs::XMLDocx`]
//! unconditionally (an empty `Vec` still becomes a zero-byte entry, and
//! `[Content_Types].xml` still lists it) and `XMLDocx` has no field for a theme part.
//!
//! - XML parts: the children of the ordered parents in [`SEQUENCES`] are stably sorted by
//!   the schema's sequence (elements of the same name keep their order); an element the
//!   table does not allow there is an error (so a docx-rs upgrade that writes something new
//!   fails a test instead of producing an invalid file), except the empty elements listed
//!   in [`DROP_IF_EMPTY`], which are removed. Attributes in [`DROP_ATTRS`] are removed.
//!   Everything else (declarations, namespace declarations, attribute order and quoting,
//!   whitespace, text) is copied byte for byte from the input: the parser only tokenises,
//!   and the output is made of the input's own byte spans.
//! - Package: parts that no relationship reaches from `_rels/.rels` are left out (with
//!   their `[Content_Types].xml` overrides), and so are ZIP directory entries;
//!   comment-extension relationships without a comments relationship are removed; a
//!   minimal theme ([`THEME`]) is added to the main document when it has none. The ZIP is
//!   written with every entry dated 1980-01-01 00:00, parts of 4 KiB or more deflated and
//!   smaller ones stored, in the input's entry order (`[Content_Types].xml` first, the
//!   theme last), so the same input gives the same bytes.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// The WordprocessingML main namespace, which the `w:` names of the tables refer to.
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const CT_NS: &str = "http://schemas.openxmlformats.org/package/2006/content-types";
const RELS_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const REL_OFFICE_DOCUMENT: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
const REL_THEME: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme";
const REL_COMMENTS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
/// Relationships that only make sense next to a comments part.
const REL_COMMENT_EXTENSIONS: &[&str] = &[
    "http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
    "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds",
    "http://schemas.microsoft.com/office/2018/08/relationships/commentsExtensible",
];
const CT_THEME: &str = "application/vnd.openxmlformats-officedocument.theme+xml";
/// Content types of the parts whose XML is normalised.
const CT_WORDML_PREFIX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.";

/// An ordered parent: the element `elem` (inside `parent`, or anywhere when `None`) whose
/// children must appear in the order of `children` (ECMA-376 complex type `ct`, flattened:
/// every element the type allows, in schema order, the members of a choice in the order the
/// schema lists them).
pub struct Seq {
    pub ct: &'static str,
    pub parent: Option<&'static str>,
    pub elem: &'static str,
    pub children: &'static [&'static str],
}

/// Ordered parents and their child sequences, from the ECMA-376 transitional schema as the
/// Open XML SDK models it (the data `openxml-audit` validates with). Names are qualified with
/// the conventional prefixes (`w`, `w14`, `w15`, `m`, `sl`), which are the ones docx-rs
/// writes; the `w` prefix is checked against the namespace on each part's root.
#[rustfmt::skip]
pub const SEQUENCES: &[Seq] = &[
    Seq {
        ct: "CT_PPr",
        parent: Some("w:p"),
        elem: "w:pPr",
        children: &[
            "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
            "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
            "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
            "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
            "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
            "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
            "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
        ],
    },
    Seq {
        ct: "CT_PPrStyle",
        parent: Some("w:style"),
        elem: "w:pPr",
        children: &[
            "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
            "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
            "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
            "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
            "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
            "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
            "w:pPrChange"
        ],
    },
    Seq {
        ct: "CT_PPrBaseStyleable",
        parent: Some("w:pPrDefault"),
        elem: "w:pPr",
        children: &[
            "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
            "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
            "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
            "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
            "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
            "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl"
        ],
    },
    Seq {
        ct: "CT_PPrBase",
        parent: Some("w:lvl"),
        elem: "w:pPr",
        children: &[
            "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
            "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
            "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
            "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
            "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
            "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl"
        ],
    },
    Seq {
        ct: "CT_RPr",
        parent: Some("w:r"),
        elem: "w:rPr",
        children: &[
            "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
            "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
            "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
            "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
            "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
            "w:specVanish", "w14:glow", "w14:shadow", "w14:reflection", "w14:textOutline",
            "w14:textFill", "w14:scene3d", "w14:props3d", "w14:ligatures", "w14:numForm",
            "w14:numSpacing", "w14:stylisticSets", "w14:cntxtAlts", "w:rPrChange"
        ],
    },
    Seq {
        ct: "CT_ParaRPr",
        parent: Some("w:pPr"),
        elem: "w:rPr",
        children: &[
            "w:ins", "w:del", "w:moveFrom", "w:moveTo", "w14:conflictIns", "w14:conflictDel",
            "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
            "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
            "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
            "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
            "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
            "w:specVanish", "w14:glow", "w14:shadow", "w14:reflection", "w14:textOutline",
            "w14:textFill", "w14:scene3d", "w14:props3d", "w14:ligatures", "w14:numForm",
            "w14:numSpacing", "w14:stylisticSets", "w14:cntxtAlts", "w:oMath", "w:rPrChange"
        ],
    },
    Seq {
        ct: "CT_RPrStyle",
        parent: Some("w:style"),
        elem: "w:rPr",
        children: &[
            "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
            "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
            "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
            "w:position", "w:sz", "w:szCs", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
            "w:vertAlign", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:rPrChange"
        ],
    },
    Seq {
        ct: "CT_RPrBaseStyleable",
        parent: Some("w:rPrDefault"),
        elem: "w:rPr",
        children: &[
            "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
            "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
            "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
            "w:position", "w:sz", "w:szCs", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
            "w:vertAlign", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish"
        ],
    },
    Seq {
        ct: "CT_RPrList",
        parent: Some("w:lvl"),
        elem: "w:rPr",
        children: &[
            "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
            "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
            "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
            "w:position", "w:sz", "w:szCs", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
            "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish"
        ],
    },
    Seq {
        ct: "CT_SectPr",
        parent: None,
        elem: "w:sectPr",
        children: &[
            "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type",
            "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType",
            "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
            "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w15:footnoteColumns",
            "w:sectPrChange"
        ],
    },
    Seq {
        ct: "CT_TblPr",
        parent: Some("w:tbl"),
        elem: "w:tblPr",
        children: &[
            "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblW", "w:jc",
            "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
            "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
        ],
    },
    Seq {
        ct: "CT_TblPrStyle",
        parent: Some("w:style"),
        elem: "w:tblPr",
        children: &[
            "w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:jc", "w:tblCellSpacing",
            "w:tblInd", "w:tblBorders", "w:shd", "w:tblCellMar"
        ],
    },
    Seq {
        ct: "CT_TblBorders",
        parent: None,
        elem: "w:tblBorders",
        children: &[
            "w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end", "w:insideH", "w:insideV"
        ],
    },
    Seq {
        ct: "CT_TcBorders",
        parent: None,
        elem: "w:tcBorders",
        children: &[
            "w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end", "w:insideH", "w:insideV",
            "w:tl2br", "w:tr2bl"
        ],
    },
    Seq {
        ct: "CT_TblCellMar",
        parent: None,
        elem: "w:tblCellMar",
        children: &[
            "w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end"
        ],
    },
    Seq {
        ct: "CT_TcMar",
        parent: None,
        elem: "w:tcMar",
        children: &[
            "w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end"
        ],
    },
    Seq {
        ct: "CT_TcPr",
        parent: Some("w:tc"),
        elem: "w:tcPr",
        children: &[
            "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
            "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
            "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange"
        ],
    },
    Seq {
        ct: "CT_TcPrStyle",
        parent: Some("w:style"),
        elem: "w:tcPr",
        children: &[
            "w:shd", "w:noWrap", "w:tcMar", "w:vAlign"
        ],
    },
    Seq {
        ct: "CT_TrPr",
        parent: Some("w:tr"),
        elem: "w:trPr",
        children: &[
            "w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter",
            "w:trHeight", "w:hidden", "w:cantSplit", "w:tblHeader", "w:tblCellSpacing", "w:jc",
            "w:ins", "w:del", "w:trPrChange", "w14:conflictIns", "w14:conflictDel"
        ],
    },
    Seq {
        ct: "CT_TrPrBaseStyleable",
        parent: Some("w:style"),
        elem: "w:trPr",
        children: &[
            "w:hidden", "w:cantSplit", "w:tblHeader", "w:tblCellSpacing", "w:jc"
        ],
    },
    Seq {
        ct: "CT_Style",
        parent: Some("w:styles"),
        elem: "w:style",
        children: &[
            "w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
            "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked",
            "w:personal", "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr",
            "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"
        ],
    },
    Seq {
        ct: "CT_Lvl",
        parent: None,
        elem: "w:lvl",
        children: &[
            "w:start", "w:numFmt", "w:lvlRestart", "w:pStyle", "w:isLgl", "w:suff", "w:lvlText",
            "w:lvlPicBulletId", "w:legacy", "w:lvlJc", "w:pPr", "w:rPr"
        ],
    },
    Seq {
        ct: "CT_Settings",
        parent: None,
        elem: "w:settings",
        children: &[
            "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
            "w:removeDateAndTime", "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape",
            "w:printPostScriptOverText", "w:printFractionalCharacterWidth", "w:printFormsData",
            "w:embedTrueTypeFonts", "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData",
            "w:mirrorMargins", "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader",
            "w:bordersDoNotSurroundFooter", "w:gutterAtTop", "w:hideSpellingErrors",
            "w:hideGrammaticalErrors", "w:activeWritingStyle", "w:proofState", "w:formsDesign",
            "w:attachedTemplate", "w:linkStyles", "w:stylePaneFormatFilter",
            "w:stylePaneSortMethod", "w:documentType", "w:mailMerge", "w:revisionView",
            "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
            "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
            "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit",
            "w:hyphenationZone", "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength",
            "w:clickAndTypeStyle", "w:defaultTableStyle", "w:evenAndOddHeaders",
            "w:bookFoldRevPrinting", "w:bookFoldPrinting", "w:bookFoldPrintingSheets",
            "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
            "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
            "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
            "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
            "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
            "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
            "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
            "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
            "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags",
            "w:alwaysMergeEmptyNamespace", "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr",
            "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:uiCompat97To2003",
            "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
            "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
            "w:captions", "w:readModeInkLockDown", "sl:schemaLibrary", "w:shapeDefaults",
            "w:decimalSymbol", "w:listSeparator", "w14:docId", "w14:discardImageEditingData",
            "w14:defaultImageDpi", "w14:conflictMode", "w15:chartTrackingRefBased", "w15:docId"
        ],
    },
    Seq {
        ct: "CT_Compat",
        parent: None,
        elem: "w:compat",
        children: &[
            "w:useSingleBorderforContiguousCells", "w:wpJustification", "w:noTabHangInd",
            "w:noLeading", "w:spaceForUL", "w:noColumnBalance",
            "w:balanceSingleByteDoubleByteWidth", "w:noExtraLineSpacing",
            "w:doNotLeaveBackslashAlone", "w:ulTrailSpace", "w:doNotExpandShiftReturn",
            "w:spacingInWholePoints", "w:lineWrapLikeWord6", "w:printBodyTextBeforeHeader",
            "w:printColBlack", "w:wpSpaceWidth", "w:showBreaksInFrames", "w:subFontBySize",
            "w:suppressBottomSpacing", "w:suppressTopSpacing", "w:suppressSpacingAtTopOfPage",
            "w:suppressTopSpacingWP", "w:suppressSpBfAfterPgBrk", "w:swapBordersFacingPages",
            "w:convMailMergeEsc", "w:truncateFontHeightsLikeWP6", "w:mwSmallCaps",
            "w:usePrinterMetrics", "w:doNotSuppressParagraphBorders", "w:wrapTrailSpaces",
            "w:footnoteLayoutLikeWW8", "w:shapeLayoutLikeWW8", "w:alignTablesRowByRow",
            "w:forgetLastTabAlignment", "w:adjustLineHeightInTable", "w:autoSpaceLikeWord95",
            "w:noSpaceRaiseLower", "w:doNotUseHTMLParagraphAutoSpacing", "w:layoutRawTableWidth",
            "w:layoutTableRowsApart", "w:useWord97LineBreakRules", "w:doNotBreakWrappedTables",
            "w:doNotSnapToGridInCell", "w:selectFldWithFirstOrLastChar", "w:applyBreakingRules",
            "w:doNotWrapTextWithPunct", "w:doNotUseEastAsianBreakRules",
            "w:useWord2002TableStyleRules", "w:growAutofit", "w:useFELayout",
            "w:useNormalStyleForList", "w:doNotUseIndentAsNumberingTabStop",
            "w:useAltKinsokuLineBreakRules", "w:allowSpaceOfSameStyleInTable",
            "w:doNotSuppressIndentation", "w:doNotAutofitConstrainedTables",
            "w:autofitToFirstFixedWidthCell", "w:underlineTabInNumList",
            "w:displayHangulFixedWidth", "w:splitPgBreakAndParaMark", "w:doNotVertAlignCellWithSp",
            "w:doNotBreakConstrainedForcedTable", "w:doNotVertAlignInTxbx", "w:useAnsiKerningPairs",
            "w:cachedColBalance", "w:compatSetting"
        ],
    },
    Seq {
        ct: "CT_DocDefaults",
        parent: None,
        elem: "w:docDefaults",
        children: &[
            "w:rPrDefault", "w:pPrDefault"
        ],
    },
    Seq {
        ct: "CT_RPrDefault",
        parent: None,
        elem: "w:rPrDefault",
        children: &[
            "w:rPr"
        ],
    },
    Seq {
        ct: "CT_PPrDefault",
        parent: None,
        elem: "w:pPrDefault",
        children: &[
            "w:pPr"
        ],
    },
    Seq {
        ct: "CT_PBdr",
        parent: None,
        elem: "w:pBdr",
        children: &[
            "w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"
        ],
    },
    Seq {
        ct: "CT_Styles",
        parent: None,
        elem: "w:styles",
        children: &[
            "w:docDefaults", "w:latentStyles", "w:style"
        ],
    },
    Seq {
        ct: "CT_Numbering",
        parent: None,
        elem: "w:numbering",
        children: &[
            "w:numPicBullet", "w:abstractNum", "w:num", "w:numIdMacAtCleanup"
        ],
    },
    Seq {
        ct: "CT_AbstractNum",
        parent: None,
        elem: "w:abstractNum",
        children: &[
            "w:nsid", "w:multiLevelType", "w:tmpl", "w:name", "w:styleLink", "w:numStyleLink",
            "w:lvl"
        ],
    },
    Seq {
        ct: "CT_Num",
        parent: None,
        elem: "w:num",
        children: &[
            "w:abstractNumId", "w:lvlOverride"
        ],
    },
    Seq {
        ct: "CT_NumPr",
        parent: None,
        elem: "w:numPr",
        children: &[
            "w:ilvl", "w:numId", "w:numberingChange", "w:ins"
        ],
    },
    Seq {
        ct: "CT_NumLvl",
        parent: None,
        elem: "w:lvlOverride",
        children: &[
            "w:startOverride", "w:lvl"
        ],
    },
    Seq {
        ct: "CT_Font",
        parent: None,
        elem: "w:font",
        children: &[
            "w:altName", "w:panose1", "w:charset", "w:family", "w:notTrueType", "w:pitch", "w:sig",
            "w:embedRegular", "w:embedBold", "w:embedItalic", "w:embedBoldItalic"
        ],
    },
];

/// Children that the schema does not allow in the ordered parent of type `.0` but that
/// docx-rs writes there empty: removed when empty, an error when they have content.
pub const DROP_IF_EMPTY: &[(&str, &str)] = &[
    ("CT_PPrStyle", "w:rPr"),
    ("CT_PPrBaseStyleable", "w:rPr"),
    ("CT_PPrBase", "w:rPr"),
];

/// Attributes that the schema does not declare: (element, attribute), removed.
pub const DROP_ATTRS: &[(&str, &str)] = &[("w:gridCol", "w:type")];

/// Elements whose content model depends on their parent: one inside a parent that has no
/// entry for it in [`SEQUENCES`] is an error rather than copied unsorted.
const CONTEXTUAL: &[&str] = &["w:pPr", "w:rPr", "w:tblPr", "w:tcPr", "w:trPr"];

/// Entries of at least this many bytes are deflated, smaller ones stored: each deflated
/// entry costs a compressor set-up of some 50 µs, and the small parts gain little.
const DEFLATE_FROM: usize = 4096;

/// A minimal DrawingML theme (Word always writes one; the schema requires the colour,
/// font and format schemes with at least three fill, line, effect and background styles).
/// The theme fonts are the document fonts.
pub const THEME: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme">"#,
    r#"<a:themeElements>"#,
    r#"<a:clrScheme name="Office">"#,
    r#"<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>"#,
    r#"<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>"#,
    r#"<a:dk2><a:srgbClr val="44546A"/></a:dk2>"#,
    r#"<a:lt2><a:srgbClr val="E7E6E6"/></a:lt2>"#,
    r#"<a:accent1><a:srgbClr val="4472C4"/></a:accent1>"#,
    r#"<a:accent2><a:srgbClr val="ED7D31"/></a:accent2>"#,
    r#"<a:accent3><a:srgbClr val="A5A5A5"/></a:accent3>"#,
    r#"<a:accent4><a:srgbClr val="FFC000"/></a:accent4>"#,
    r#"<a:accent5><a:srgbClr val="5B9BD5"/></a:accent5>"#,
    r#"<a:accent6><a:srgbClr val="70AD47"/></a:accent6>"#,
    r#"<a:hlink><a:srgbClr val="0563C1"/></a:hlink>"#,
    r#"<a:folHlink><a:srgbClr val="954F72"/></a:folHlink>"#,
    r#"</a:clrScheme>"#,
    r#"<a:fontScheme name="Office">"#,
    r#"<a:majorFont><a:latin typeface="BIZ UDゴシック"/><a:ea typeface=""/><a:cs typeface=""/><a:font script="Jpan" typeface="BIZ UDゴシック"/></a:majorFont>"#,
    r#"<a:minorFont><a:latin typeface="BIZ UD明朝"/><a:ea typeface=""/><a:cs typeface=""/><a:font script="Jpan" typeface="BIZ UD明朝"/></a:minorFont>"#,
    r#"</a:fontScheme>"#,
    r#"<a:fmtScheme name="Office">"#,
    r#"<a:fillStyleLst>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"</a:fillStyleLst>"#,
    r#"<a:lnStyleLst>"#,
    r#"<a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#,
    r#"<a:ln w="12700"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#,
    r#"<a:ln w="19050"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#,
    r#"</a:lnStyleLst>"#,
    r#"<a:effectStyleLst>"#,
    r#"<a:effectStyle><a:effectLst/></a:effectStyle>"#,
    r#"<a:effectStyle><a:effectLst/></a:effectStyle>"#,
    r#"<a:effectStyle><a:effectLst/></a:effectStyle>"#,
    r#"</a:effectStyleLst>"#,
    r#"<a:bgFillStyleLst>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#,
    r#"</a:bgFillStyleLst>"#,
    r#"</a:fmtScheme>"#,
    r#"</a:themeElements>"#,
    r#"<a:objectDefaults/><a:extraClrSchemeLst/>"#,
    r#"</a:theme>"#
);

// ---------------------------------------------------------------------------------------
// XML parts

/// An open element.
struct Open<'a> {
    name: &'a [u8],
    /// The index in [`SEQUENCES`] of this element's child sequence, when it is an ordered
    /// parent.
    seq: Option<usize>,
    /// Where this element's child units begin in the unit stack.
    units_base: usize,
    /// Output offset just after this element's start tag.
    content_start: usize,
    /// Output offset where the next child unit begins (whitespace and comments before a
    /// child travel with it).
    next_start: usize,
    /// This element's rank among its ordered parent's children.
    rank: Option<usize>,
}

/// A child of an ordered parent: its output bytes `start..end` and its rank.
#[derive(Clone, Copy)]
struct Unit {
    rank: usize,
    start: usize,
    end: usize,
}

/// Normalises one WordprocessingML XML part (`name` is only used in error messages): the
/// children of ordered parents sorted by the schema's sequences, undeclared attributes
/// dropped, forbidden empty elements removed, all other bytes copied as they are.
pub fn normalize_part(name: &str, xml: &[u8]) -> Result<Vec<u8>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::with_capacity(xml.len());
    let mut stack: Vec<Open<'_>> = Vec::with_capacity(32);
    let mut units: Vec<Unit> = Vec::with_capacity(64);
    let mut scratch: Vec<u8> = Vec::new();
    let mut root_seen = false;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| format!("{name}: XML error at byte {}: {e}", reader.error_position()))?;
        let raw = &xml[before..reader.buffer_position() as usize];
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let qn = tag_name(raw, 1);
                if !root_seen {
                    check_root(name, e)?;
                    root_seen = true;
                }
                let index = index();
                let parent = stack.last();
                let mut rank = None;
                if let Some(si) = parent.and_then(|p| p.seq) {
                    let seq = &SEQUENCES[si];
                    match index.children[si].get(qn) {
                        Some(&Child::Rank(r)) => rank = Some(r),
                        Some(Child::DropIfEmpty) => {
                            if !empty {
                                // Only a start tag directly followed by its end tag goes.
                                match reader.read_event() {
                                    Ok(Event::End(_)) => {}
                                    _ => {
                                        return Err(format!(
                                            "{name}: <{}> with content is not allowed in <{}> ({})",
                                            show(qn),
                                            seq.elem,
                                            seq.ct
                                        ));
                                    }
                                }
                            }
                            continue;
                        }
                        None => {
                            return Err(format!(
                                "{name}: <{}> is not allowed in <{}> ({}) at byte {before}",
                                show(qn),
                                seq.elem,
                                seq.ct
                            ));
                        }
                    }
                }
                let elem = index.elems.get(qn);
                let seq = match elem {
                    Some(elem) => elem.sequence(name, parent.map(|p| p.name), qn)?,
                    None => None,
                };
                if elem.is_some_and(|e| e.edit_tag) {
                    write_tag(name, &mut out, raw, qn)?;
                } else {
                    out.extend_from_slice(raw);
                }
                if empty {
                    if let Some(rank) = rank {
                        push_unit(&mut stack, &mut units, rank, out.len());
                    }
                } else {
                    stack.push(Open {
                        name: qn,
                        seq,
                        units_base: units.len(),
                        content_start: out.len(),
                        next_start: out.len(),
                        rank,
                    });
                }
            }
            Event::End(_) => {
                let open = stack
                    .pop()
                    .ok_or_else(|| format!("{name}: unbalanced end tag at byte {before}"))?;
                if open.seq.is_some() {
                    sort_units(&mut out, &mut units, &open, &mut scratch);
                }
                out.extend_from_slice(raw);
                if let Some(rank) = open.rank {
                    push_unit(&mut stack, &mut units, rank, out.len());
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::PI(_) => out.extend_from_slice(raw),
            Event::Text(_) if raw.iter().all(|b| b" \t\r\n".contains(b)) => {
                out.extend_from_slice(raw)
            }
            _ => {
                // Text, CDATA, references, declarations: not inside ordered parents.
                if let Some(seq) = stack.last().and_then(|p| p.seq).map(|i| &SEQUENCES[i]) {
                    return Err(format!(
                        "{name}: text is not allowed in <{}> ({}) at byte {before}",
                        seq.elem, seq.ct
                    ));
                }
                out.extend_from_slice(raw);
            }
        }
    }
    if !stack.is_empty() {
        return Err(format!(
            "{name}: unclosed <{}>",
            show(stack[stack.len() - 1].name)
        ));
    }
    Ok(out)
}

/// Records the element that just ended at `end` as a unit of its (ordered) parent.
fn push_unit(stack: &mut [Open<'_>], units: &mut Vec<Unit>, rank: usize, end: usize) {
    let parent = stack.last_mut().expect("a ranked element has a parent");
    units.push(Unit {
        rank,
        start: parent.next_start,
        end,
    });
    parent.next_start = end;
}

/// Rewrites the content of the ordered parent `open` (which is at the end of `out`) with its
/// child units stably sorted by rank; what follows the last unit (whitespace) stays last.
fn sort_units(out: &mut Vec<u8>, units: &mut Vec<Unit>, open: &Open<'_>, scratch: &mut Vec<u8>) {
    let mine = &mut units[open.units_base..];
    if mine.windows(2).any(|w| w[0].rank > w[1].rank) {
        let base = open.content_start;
        let tail = open.next_start;
        mine.sort_by_key(|u| u.rank);
        scratch.clear();
        scratch.extend_from_slice(&out[base..]);
        out.truncate(base);
        for u in mine.iter() {
            out.extend_from_slice(&scratch[u.start - base..u.end - base]);
        }
        out.extend_from_slice(&scratch[tail - base..]);
    }
    units.truncate(open.units_base);
}

/// What the tables say about one element name.
#[derive(Default)]
struct Elem {
    /// Entries of [`SEQUENCES`] for this element inside a given parent.
    in_parent: Vec<(&'static [u8], usize)>,
    /// The entry for this element inside any other parent.
    anywhere: Option<usize>,
    /// Attributes to drop ([`DROP_ATTRS`]).
    edit_tag: bool,
}

impl Elem {
    /// The sequence of this element (`elem`) inside `parent`, if it is an ordered parent.
    fn sequence(
        &self,
        name: &str,
        parent: Option<&[u8]>,
        elem: &[u8],
    ) -> Result<Option<usize>, String> {
        if let Some(&(_, i)) = self.in_parent.iter().find(|(p, _)| Some(*p) == parent) {
            return Ok(Some(i));
        }
        if self.anywhere.is_none()
            && !self.in_parent.is_empty()
            && CONTEXTUAL.iter().any(|c| c.as_bytes() == elem)
        {
            return Err(format!(
                "{name}: no schema sequence known for <{}> inside <{}>",
                show(elem),
                parent.map(show).unwrap_or_default()
            ));
        }
        Ok(self.anywhere)
    }
}

/// A child of an ordered parent.
enum Child {
    Rank(usize),
    DropIfEmpty,
}

/// FNV-1a: the keys are short element names.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type NameMap<V> = HashMap<&'static [u8], V, BuildHasherDefault<Fnv>>;

/// The tables as hash maps, built on first use.
struct Index {
    elems: NameMap<Elem>,
    /// For each entry of [`SEQUENCES`], its children.
    children: Vec<NameMap<Child>>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut elems: NameMap<Elem> = NameMap::default();
        let mut children = Vec::with_capacity(SEQUENCES.len());
        for (i, s) in SEQUENCES.iter().enumerate() {
            let e = elems.entry(s.elem.as_bytes()).or_default();
            match s.parent {
                Some(p) => e.in_parent.push((p.as_bytes(), i)),
                None => e.anywhere = Some(i),
            }
            let mut c: NameMap<Child> = s
                .children
                .iter()
                .enumerate()
                .map(|(r, n)| (n.as_bytes(), Child::Rank(r)))
                .collect();
            for &(_, n) in DROP_IF_EMPTY.iter().filter(|(ct, _)| *ct == s.ct) {
                c.insert(n.as_bytes(), Child::DropIfEmpty);
            }
            children.push(c);
        }
        for e in DROP_ATTRS.iter().map(|(e, _)| e) {
            elems.entry(e.as_bytes()).or_default().edit_tag = true;
        }
        Index { elems, children }
    })
}

/// The qualified name of the tag in `raw` (`skip` = 1 for `<name`, 2 for `</name`).
fn tag_name(raw: &[u8], skip: usize) -> &[u8] {
    let rest = &raw[skip.min(raw.len())..];
    let end = rest
        .iter()
        .position(|b| b" \t\r\n/>".contains(b))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The root element must bind `w` to the WordprocessingML namespace if it binds it at all,
/// since the tables match qualified names.
fn check_root(name: &str, e: &BytesStart<'_>) -> Result<(), String> {
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| format!("{name}: bad attribute on the root: {err}"))?;
        if a.key.as_ref() == b"xmlns:w" && a.value.as_ref() != W_NS.as_bytes() {
            return Err(format!(
                "{name}: the prefix w is bound to {}, not to {W_NS}",
                show(&a.value)
            ));
        }
    }
    Ok(())
}

/// Copies the start or empty tag `raw` (qualified name `qn`) to `out` without the
/// attributes in [`DROP_ATTRS`] (each removed with the whitespace before it).
fn write_tag(name: &str, out: &mut Vec<u8>, raw: &[u8], qn: &[u8]) -> Result<(), String> {
    let bad = || {
        format!(
            "{name}: malformed attributes in {}",
            String::from_utf8_lossy(raw)
        )
    };
    let ws = |b: u8| b" \t\r\n".contains(&b);
    let mut i = 1 + qn.len();
    let mut copied = 0;
    loop {
        let attr_start = i;
        while i < raw.len() && ws(raw[i]) {
            i += 1;
        }
        if i >= raw.len() || raw[i] == b'/' || raw[i] == b'>' {
            break;
        }
        let key_start = i;
        while i < raw.len() && raw[i] != b'=' && !ws(raw[i]) {
            i += 1;
        }
        let key = &raw[key_start..i];
        while i < raw.len() && ws(raw[i]) {
            i += 1;
        }
        if raw.get(i) != Some(&b'=') {
            return Err(bad());
        }
        i += 1;
        while i < raw.len() && ws(raw[i]) {
            i += 1;
        }
        let quote = *raw.get(i).ok_or_else(bad)?;
        if quote != b'"' && quote != b'\'' {
            return Err(bad());
        }
        i += 1;
        i += raw[i..].iter().position(|&b| b == quote).ok_or_else(bad)? + 1;
        if DROP_ATTRS
            .iter()
            .any(|(e, a)| e.as_bytes() == qn && a.as_bytes() == key)
        {
            out.extend_from_slice(&raw[copied..attr_start]);
            copied = i;
        }
    }
    out.extend_from_slice(&raw[copied..]);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The package

/// A relationship of a `.rels` part.
#[derive(Clone)]
struct Rel {
    id: String,
    kind: String,
    target: String,
    external: bool,
}

/// Rewrites a DOCX package (as `docx_rs::XMLDocx::pack` writes it) into a schema-valid one:
/// WordprocessingML parts normalised by [`normalize_part`], unreferenced parts and ZIP
/// directory entries left out, comment-extension relationships without comments removed,
/// a minimal theme added. Deterministic: same input bytes, same output bytes; entries are
/// dated 1980-01-01 00:00, those of [`DEFLATE_FROM`] bytes or more deflated.
pub fn normalize_package(docx_zip: &[u8]) -> Result<Vec<u8>, String> {
    let zerr = |e: zip::result::ZipError| format!("DOCX package: {e}");
    let mut archive = zip::ZipArchive::new(Cursor::new(docx_zip)).map_err(zerr)?;
    let mut parts: Vec<(String, Vec<u8>)> = Vec::with_capacity(archive.len() + 1);
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(zerr)?;
        if f.is_dir() {
            continue;
        }
        let mut buf = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut buf)
            .map_err(|e| format!("DOCX package: {}: {e}", f.name()))?;
        parts.push((f.name().to_string(), buf));
    }
    let index: HashMap<String, usize> = parts
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.clone(), i))
        .collect();
    let part = |n: &str| -> Result<&[u8], String> {
        index
            .get(n)
            .map(|&i| parts[i].1.as_slice())
            .ok_or_else(|| format!("DOCX package: no part {n}"))
    };

    let (defaults, overrides) = parse_content_types(part("[Content_Types].xml")?)?;
    let package_rels = parse_rels("_rels/.rels", part("_rels/.rels")?)?;
    let main = package_rels
        .iter()
        .find(|r| r.kind == REL_OFFICE_DOCUMENT && !r.external)
        .map(|r| resolve("", &r.target))
        .ok_or("DOCX package: no officeDocument relationship")?;
    let main_rels_name = rels_name(&main);
    let mut main_rels = match index.get(&main_rels_name) {
        Some(&i) => parse_rels(&main_rels_name, &parts[i].1)?,
        None => Vec::new(),
    };

    // The main document's relationships: comment extensions need comments; a theme.
    let mut main_rels_changed = false;
    if !main_rels.iter().any(|r| r.kind == REL_COMMENTS) {
        let n = main_rels.len();
        main_rels.retain(|r| !REL_COMMENT_EXTENSIONS.contains(&r.kind.as_str()));
        main_rels_changed |= main_rels.len() != n;
    }
    let mut theme_part = None;
    if !main_rels.iter().any(|r| r.kind == REL_THEME) {
        let dir = dir_of(&main);
        let name = format!("{dir}theme/theme1.xml");
        if index.contains_key(&name) {
            return Err(format!("DOCX package: {name} exists but is not the theme"));
        }
        let mut id = "rIdTheme1".to_string();
        while main_rels.iter().any(|r| r.id == id) {
            id.push('_');
        }
        main_rels.push(Rel {
            id,
            kind: REL_THEME.to_string(),
            target: "theme/theme1.xml".to_string(),
            external: false,
        });
        main_rels_changed = true;
        theme_part = Some(name);
    }

    // Parts reached from the package relationships.
    let mut keep: HashSet<String> = HashSet::new();
    keep.insert("[Content_Types].xml".to_string());
    keep.insert("_rels/.rels".to_string());
    let mut queue: Vec<(String, Vec<Rel>)> = vec![(String::new(), package_rels)];
    let mut seen: HashSet<String> = HashSet::new();
    while let Some((source, rels)) = queue.pop() {
        for r in rels.iter().filter(|r| !r.external) {
            let target = resolve(dir_of(&source), &r.target);
            if !seen.insert(target.clone()) {
                continue;
            }
            if Some(&target) == theme_part.as_ref() {
                continue;
            }
            if !index.contains_key(&target) {
                return Err(format!(
                    "DOCX package: relationship {} of {} points to a missing part {target}",
                    r.id,
                    if source.is_empty() {
                        "the package"
                    } else {
                        &source
                    }
                ));
            }
            keep.insert(target.clone());
            let rn = rels_name(&target);
            if target == main {
                keep.insert(rn);
                queue.push((target, main_rels.clone()));
            } else if let Some(&i) = index.get(&rn) {
                keep.insert(rn.clone());
                queue.push((target, parse_rels(&rn, &parts[i].1)?));
            }
        }
    }

    // Output parts, in the input's order with [Content_Types].xml first and the theme last.
    let mut out_parts: Vec<(String, Vec<u8>)> = Vec::with_capacity(parts.len() + 1);
    for (name, bytes) in parts.iter().filter(|(n, _)| keep.contains(n)) {
        if name == "[Content_Types].xml" {
            continue;
        }
        let bytes = if *name == main_rels_name && main_rels_changed {
            write_rels(&main_rels)
        } else if content_type(name, &defaults, &overrides)
            .is_some_and(|ct| ct.starts_with(CT_WORDML_PREFIX))
        {
            normalize_part(name, bytes)?
        } else {
            bytes.clone()
        };
        out_parts.push((name.clone(), bytes));
    }
    if main_rels_changed && !index.contains_key(&main_rels_name) {
        out_parts.push((main_rels_name.clone(), write_rels(&main_rels)));
    }
    let mut overrides: Vec<(String, String)> = overrides
        .into_iter()
        .filter(|(p, _)| keep.contains(p.trim_start_matches('/')))
        .collect();
    if let Some(name) = &theme_part {
        out_parts.push((name.clone(), THEME.as_bytes().to_vec()));
        overrides.push((format!("/{name}"), CT_THEME.to_string()));
    }
    for (name, _) in &out_parts {
        if content_type(name, &defaults, &overrides).is_none() {
            return Err(format!("DOCX package: no content type for {name}"));
        }
    }
    let content_types = write_content_types(&defaults, &overrides);

    let mut w = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(docx_zip.len() / 2)));
    let options = zip::write::SimpleFileOptions::default()
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut add = |name: &str, bytes: &[u8]| -> Result<(), String> {
        let method = if bytes.len() >= DEFLATE_FROM {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        w.start_file(name, options.compression_method(method))
            .map_err(zerr)?;
        w.write_all(bytes)
            .map_err(|e| format!("DOCX package: {name}: {e}"))
    };
    add("[Content_Types].xml", &content_types)?;
    for (name, bytes) in &out_parts {
        add(name, bytes)?;
    }
    Ok(w.finish().map_err(zerr)?.into_inner())
}

/// `word/document.xml` → `word/_rels/document.xml.rels`.
fn rels_name(part: &str) -> String {
    let dir = dir_of(part);
    format!("{dir}_rels/{}.rels", &part[dir.len()..])
}

/// The folder of a part name, with its trailing slash (`""` at the top).
fn dir_of(part: &str) -> &str {
    part.rfind('/').map_or("", |i| &part[..=i])
}

/// A relationship target relative to `dir` as a part name (no leading slash).
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{dir}{target}"),
    };
    let mut segs: Vec<&str> = Vec::new();
    for s in joined.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    segs.join("/")
}

fn content_type<'a>(
    name: &str,
    defaults: &'a [(String, String)],
    overrides: &'a [(String, String)],
) -> Option<&'a str> {
    if let Some((_, ct)) = overrides
        .iter()
        .find(|(p, _)| p.trim_start_matches('/').eq_ignore_ascii_case(name))
    {
        return Some(ct);
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    defaults
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map(|(_, ct)| ct.as_str())
}

/// The attributes of each element named `elem` in a small package XML part.
fn elements(part: &str, xml: &[u8], elem: &[u8]) -> Result<Vec<HashMap<String, String>>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == elem => {
                let mut attrs = HashMap::new();
                for a in e.attributes() {
                    let a = a.map_err(|err| format!("{part}: {err}"))?;
                    let v = a
                        .decoded_and_normalized_value(XmlVersion::Implicit1_0, reader.decoder())
                        .map_err(|err| format!("{part}: {err}"))?;
                    attrs.insert(show(a.key.as_ref()), v.into_owned());
                }
                found.push(attrs);
            }
            Ok(Event::Eof) => return Ok(found),
            Ok(_) => {}
            Err(e) => return Err(format!("{part}: XML error: {e}")),
        }
    }
}

type ContentTypes = (Vec<(String, String)>, Vec<(String, String)>);

/// ([Content_Types].xml) → (Default extension → type, Override part name → type).
fn parse_content_types(xml: &[u8]) -> Result<ContentTypes, String> {
    let name = "[Content_Types].xml";
    let pick = |elem: &[u8], key: &str| -> Result<Vec<(String, String)>, String> {
        elements(name, xml, elem)?
            .into_iter()
            .map(|mut a| match (a.remove(key), a.remove("ContentType")) {
                (Some(k), Some(ct)) => Ok((k, ct)),
                _ => Err(format!(
                    "{name}: {} without {key} or ContentType",
                    show(elem)
                )),
            })
            .collect()
    };
    Ok((
        pick(b"Default", "Extension")?,
        pick(b"Override", "PartName")?,
    ))
}

fn parse_rels(name: &str, xml: &[u8]) -> Result<Vec<Rel>, String> {
    elements(name, xml, b"Relationship")?
        .into_iter()
        .map(|mut a| {
            let external = a.get("TargetMode").is_some_and(|m| m == "External");
            match (a.remove("Id"), a.remove("Type"), a.remove("Target")) {
                (Some(id), Some(kind), Some(target)) => Ok(Rel {
                    id,
                    kind,
                    target,
                    external,
                }),
                _ => Err(format!("{name}: Relationship without Id, Type or Target")),
            }
        })
        .collect()
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn write_rels(rels: &[Rel]) -> Vec<u8> {
    let mut s = String::from(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    s.push_str(&format!(r#"<Relationships xmlns="{RELS_NS}">"#));
    for r in rels {
        s.push_str(&format!(
            r#"<Relationship Id="{}" Type="{}" Target="{}"{} />"#,
            escape_attr(&r.id),
            escape_attr(&r.kind),
            escape_attr(&r.target),
            if r.external {
                r#" TargetMode="External""#
            } else {
                ""
            }
        ));
    }
    s.push_str("</Relationships>");
    s.into_bytes()
}

fn write_content_types(defaults: &[(String, String)], overrides: &[(String, String)]) -> Vec<u8> {
    let mut s = String::from(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    s.push_str(&format!(r#"<Types xmlns="{CT_NS}">"#));
    for (ext, ct) in defaults {
        s.push_str(&format!(
            r#"<Default Extension="{}" ContentType="{}" />"#,
            escape_attr(ext),
            escape_attr(ct)
        ));
    }
    for (part, ct) in overrides {
        s.push_str(&format!(
            r#"<Override PartName="{}" ContentType="{}" />"#,
            escape_attr(part),
            escape_attr(ct)
        ));
    }
    s.push_str("</Types>");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml">"#;

    /// `body` inside a document root, normalised, root removed again.
    fn norm(body: &str) -> Result<String, String> {
        let xml = format!("{ROOT}{body}</w:document>");
        let out = String::from_utf8(normalize_part("test.xml", xml.as_bytes())?).unwrap();
        Ok(out[ROOT.len()..out.len() - "</w:document>".len()].to_string())
    }

    #[test]
    fn ppr_children_follow_the_schema_sequence() {
        let input = concat!(
            r#"<w:body><w:p w14:paraId="10000001"><w:pPr><w:rPr /><w:jc w:val="center" />"#,
            r#"<w:spacing w:after="360" /><w:snapToGrid w:val="false" /><w:ind w:left="210" />"#,
            r#"<w:keepNext /></w:pPr><w:r><w:t xml:space="preserve"> a  b </w:t></w:r></w:p></w:body>"#
        );
        let want = concat!(
            r#"<w:body><w:p w14:paraId="10000001"><w:pPr><w:keepNext /><w:snapToGrid w:val="false" />"#,
            r#"<w:spacing w:after="360" /><w:ind w:left="210" /><w:jc w:val="center" /><w:rPr />"#,
            r#"</w:pPr><w:r><w:t xml:space="preserve"> a  b </w:t></w:r></w:p></w:body>"#
        );
        assert_eq!(norm(input).unwrap(), want);
    }

    #[test]
    fn rpr_children_follow_the_schema_sequence() {
        let input = concat!(
            r#"<w:body><w:p><w:r><w:rPr><w:sz w:val="28" /><w:szCs w:val="28" /><w:b /><w:bCs />"#,
            r#"<w:highlight w:val="yellow" /><w:u w:val="single" />"#,
            r#"<w:rFonts w:ascii="BIZ UDゴシック" w:eastAsia="BIZ UDゴシック" /></w:rPr>"#,
            r#"<w:t>x</w:t></w:r></w:p></w:body>"#
        );
        let want = concat!(
            r#"<w:body><w:p><w:r><w:rPr><w:rFonts w:ascii="BIZ UDゴシック" w:eastAsia="BIZ UDゴシック" />"#,
            r#"<w:b /><w:bCs /><w:sz w:val="28" /><w:szCs w:val="28" /><w:highlight w:val="yellow" />"#,
            r#"<w:u w:val="single" /></w:rPr><w:t>x</w:t></w:r></w:p></w:body>"#
        );
        assert_eq!(norm(input).unwrap(), want);
    }

    #[test]
    fn paragraph_mark_rpr_inside_ppr_is_sorted_too() {
        let input = r#"<w:p><w:pPr><w:rPr><w:sz w:val="2" /><w:b /></w:rPr><w:jc w:val="left" /></w:pPr></w:p>"#;
        let want = r#"<w:p><w:pPr><w:jc w:val="left" /><w:rPr><w:b /><w:sz w:val="2" /></w:rPr></w:pPr></w:p>"#;
        assert_eq!(norm(input).unwrap(), want);
    }

    #[test]
    fn same_names_keep_their_order_and_whitespace_travels_with_its_element() {
        let input = concat!(
            "<w:sectPr>\n  <w:pgSz w:w=\"1\" />\n  <w:footerReference w:type=\"default\" r:id=\"a\" />",
            "\n  <w:headerReference w:type=\"even\" r:id=\"b\" />",
            "\n  <w:headerReference w:type=\"default\" r:id=\"c\" />\n</w:sectPr>"
        );
        let want = concat!(
            "<w:sectPr>\n  <w:headerReference w:type=\"even\" r:id=\"b\" />",
            "\n  <w:headerReference w:type=\"default\" r:id=\"c\" />",
            "\n  <w:footerReference w:type=\"default\" r:id=\"a\" />\n  <w:pgSz w:w=\"1\" />\n</w:sectPr>"
        );
        assert_eq!(norm(input).unwrap(), want);
    }

    #[test]
    fn unknown_child_of_an_ordered_parent_is_an_error() {
        let err =
            norm(r#"<w:p><w:pPr><w:jc w:val="left" /><w:frobnicate /></w:pPr></w:p>"#).unwrap_err();
        assert!(
            err.contains("w:frobnicate") && err.contains("w:pPr"),
            "{err}"
        );
        let err = norm(r#"<w:tbl><w:tblPr><w:b /></w:tblPr></w:tbl>"#).unwrap_err();
        assert!(err.contains("<w:b>") && err.contains("w:tblPr"), "{err}");
        let err = norm(r#"<w:p><w:pPr>text</w:pPr></w:p>"#).unwrap_err();
        assert!(err.contains("text"), "{err}");
        let err = norm(r#"<w:rPrChange><w:rPr /></w:rPrChange>"#).unwrap_err();
        assert!(err.contains("w:rPrChange"), "{err}");
    }

    #[test]
    fn grid_col_type_attribute_is_dropped() {
        let input = r#"<w:tblGrid><w:gridCol w:w="3000" w:type="dxa" /><w:gridCol w:type='dxa'  w:w="2000"/></w:tblGrid>"#;
        let want = r#"<w:tblGrid><w:gridCol w:w="3000" /><w:gridCol  w:w="2000"/></w:tblGrid>"#;
        assert_eq!(norm(input).unwrap(), want);
    }

    #[test]
    fn empty_rpr_is_removed_where_the_schema_forbids_it() {
        let styles = concat!(
            r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
            r#"<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="21" /><w:rFonts w:ascii="A" /></w:rPr>"#,
            r#"</w:rPrDefault><w:pPrDefault><w:pPr><w:rPr /></w:pPr></w:pPrDefault></w:docDefaults>"#,
            r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:rPr />"#,
            r#"<w:pPr><w:rPr></w:rPr></w:pPr><w:qFormat /><w:basedOn w:val="X" /></w:style></w:styles>"#
        );
        let want = concat!(
            r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
            r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="A" /><w:sz w:val="21" /></w:rPr>"#,
            r#"</w:rPrDefault><w:pPrDefault><w:pPr></w:pPr></w:pPrDefault></w:docDefaults>"#,
            r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" />"#,
            r#"<w:basedOn w:val="X" /><w:qFormat /><w:pPr></w:pPr><w:rPr /></w:style></w:styles>"#
        );
        let out = normalize_part("styles.xml", styles.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), want);
        // With content it is an error, not silently dropped.
        let bad = styles.replace("<w:rPr></w:rPr>", "<w:rPr><w:b /></w:rPr>");
        assert!(normalize_part("styles.xml", bad.as_bytes()).is_err());
    }

    #[test]
    fn parts_without_ordered_parents_are_copied_byte_for_byte() {
        let xml = concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
            "<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" ",
            "xmlns:r='x'>\n <!-- c --><w:p><w:r><w:t xml:space=\"preserve\">a &amp; b &lt;c&gt; ",
            "</w:t><w:instrText> PAGE </w:instrText></w:r></w:p>\r\n</w:ftr>"
        );
        assert_eq!(
            normalize_part("f.xml", xml.as_bytes()).unwrap(),
            xml.as_bytes()
        );
    }

    #[test]
    fn wrong_w_namespace_is_an_error() {
        let xml = r#"<w:document xmlns:w="urn:other"><w:body /></w:document>"#;
        assert!(normalize_part("d.xml", xml.as_bytes()).is_err());
    }

    /// A document built with the docx-rs calls kyotei's writer makes.
    fn sample_docx() -> Vec<u8> {
        use docx_rs::*;
        let fonts = |n: &str| RunFonts::new().ascii(n).hi_ansi(n).east_asia(n).cs(n);
        let border = |pos| {
            TableBorder::new(pos)
                .size(4)
                .color("000000")
                .border_type(BorderType::Single)
        };
        let cell = |t: &str| {
            TableCell::new()
                .width(3000, WidthType::Dxa)
                .vertical_align(VAlignType::Center)
                .shading(
                    Shading::new()
                        .shd_type(ShdType::Clear)
                        .color("auto")
                        .fill("D9D9D9"),
                )
                .add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_text(t).fonts(fonts("G")).bold()),
                )
        };
        let table = Table::new(vec![
            TableRow::new(vec![cell("a"), cell("b").grid_span(2)]).cant_split(),
            TableRow::new(vec![
                cell("c").vertical_merge(VMergeType::Restart),
                cell("d"),
                cell("e"),
            ])
            .cant_split(),
        ])
        .set_grid(vec![3000, 3000, 3000])
        .width(9000, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .set_borders(
            TableBorders::new()
                .set(border(TableBorderPosition::Top))
                .set(border(TableBorderPosition::Left))
                .set(border(TableBorderPosition::InsideV)),
        )
        .margins(TableCellMargins::new().margin(28, 85, 28, 85));
        let body = Document::new()
            .page_size(PageSize::new().size(11906, 16838))
            .page_margin(
                PageMargin::new()
                    .top(1701)
                    .bottom(1418)
                    .left(1418)
                    .right(1418),
            )
            .doc_grid(DocGrid::new().grid_type(DocGridType::Lines).line_pitch(360))
            .add_paragraph(
                Paragraph::new()
                    .id("10000001")
                    .align(AlignmentType::Center)
                    .keep_next(true)
                    .keep_lines(true)
                    .snap_to_grid(false)
                    .line_spacing(LineSpacing::new().before(180).after(360))
                    .indent(Some(420), Some(SpecialIndentType::Hanging(210)), None, None)
                    .add_run(
                        Run::new()
                            .add_text("題")
                            .fonts(fonts("G"))
                            .bold()
                            .size(28)
                            .underline("single")
                            .highlight("yellow")
                            .add_break(BreakType::TextWrapping)
                            .add_tab(),
                    ),
            )
            .add_table(table)
            .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
        let footer = Footer::new().add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text("- "))
                .add_page_num(PageNum::new())
                .add_run(Run::new().add_text(" -")),
        );
        let xml = Docx::new()
            .document(body)
            .default_fonts(fonts("M"))
            .default_size(21)
            .created_at("2000-01-01T00:00:00Z")
            .updated_at("2000-01-01T00:00:00Z")
            .footer(footer)
            .build();
        let mut out = Cursor::new(Vec::new());
        xml.pack(&mut out).unwrap();
        out.into_inner()
    }

    fn entries(zip_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut a = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
        (0..a.len())
            .map(|i| {
                let mut f = a.by_index(i).unwrap();
                let mut b = Vec::new();
                f.read_to_end(&mut b).unwrap();
                (f.name().to_string(), b)
            })
            .collect()
    }

    #[test]
    fn package_is_deterministic_and_idempotent() {
        let input = sample_docx();
        let a = normalize_package(&input).unwrap();
        let b = normalize_package(&input).unwrap();
        assert_eq!(a, b);
        // Normalising again changes no part.
        let again = normalize_package(&a).unwrap();
        assert_eq!(entries(&a), entries(&again));
        let mut archive = zip::ZipArchive::new(Cursor::new(&a[..])).unwrap();
        for i in 0..archive.len() {
            let f = archive.by_index(i).unwrap();
            let t = f.last_modified().unwrap();
            assert_eq!(
                (t.year(), t.month(), t.day(), t.hour(), t.minute()),
                (1980, 1, 1, 0, 0)
            );
        }
    }

    #[test]
    fn package_gets_a_theme_and_loses_unreferenced_parts() {
        let out = entries(&normalize_package(&sample_docx()).unwrap());
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], "[Content_Types].xml");
        assert!(names.contains(&"word/theme/theme1.xml"), "{names:?}");
        assert!(names.contains(&"word/footer1.xml"), "{names:?}");
        for gone in [
            "word/comments.xml",
            "word/commentsExtended.xml",
            "word/numbering.xml",
            "word/footnotes.xml",
            "word/",
        ] {
            assert!(!names.contains(&gone), "{gone} in {names:?}");
        }
        let text = |n: &str| {
            String::from_utf8(out.iter().find(|(m, _)| m == n).unwrap().1.clone()).unwrap()
        };
        let ct = text("[Content_Types].xml");
        assert!(
            !ct.contains("comments") && !ct.contains("numbering"),
            "{ct}"
        );
        assert!(ct.contains(r#"PartName="/word/theme/theme1.xml""#), "{ct}");
        let rels = text("word/_rels/document.xml.rels");
        assert!(
            !rels.contains("commentsExtended") && rels.contains("theme/theme1.xml"),
            "{rels}"
        );
        let doc = text("word/document.xml");
        assert!(doc.contains("<w:gridCol w:w=") && !doc.contains("<w:gridCol w:w=\"3000\" w:type"));
        assert!(!doc.contains("<w:pPr><w:rPr /><w:"), "{doc}");
        let styles = text("word/styles.xml");
        assert!(styles.contains("<w:rFonts"), "{styles}");
    }
}
