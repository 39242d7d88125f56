"""Edits a 申し合わせ事項 the way a partner does in Word, with python-docx.

usage: return_memorandum.py IN.docx OUT.docx OLD NEW

The first table cell whose text is OLD (a 担当課 of table 1) becomes NEW, typed over its runs.
"""
import sys

import docx

src, dst, old, new = sys.argv[1:5]
d = docx.Document(src)
for table in d.tables:
    for row in table.rows:
        for cell in row.cells:
            if cell.text == old:
                p = cell.paragraphs[0]
                p.runs[0].text = new
                for r in p.runs[1:]:
                    r.text = ""
                d.save(dst)
                sys.exit(0)
sys.exit(f"no cell reads {old}")
