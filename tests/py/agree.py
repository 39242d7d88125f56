"""Copies a register and records what was agreed, as staff would in Excel (openpyxl).

usage: agree.py IN.xlsx OUT.xlsx JSON

JSON: {"set": [[sheet, 協定番号, header, value], ...],
       "clauses": [[協定番号, 書類, 条・項, 文言], ...]}
`set` changes the cell of the row with that 協定番号 under that header; `clauses` appends rows
to the 条文 sheet (made with its header row when the register has none).
"""
import json
import sys

import openpyxl

src, dst, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
wb = openpyxl.load_workbook(src)
for sheet, agreement, header, value in spec.get("set", []):
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    col = headers.index(header) + 1
    rows = [r for r in ws.iter_rows(min_row=2) if r[0].value == agreement]
    if not rows:
        sys.exit(f"no row {agreement} in {sheet}")
    rows[0][col - 1].value = value
if spec.get("clauses"):
    if "条文" in wb.sheetnames:
        ws = wb["条文"]
    else:
        ws = wb.create_sheet("条文")
        ws.append(["協定番号", "書類", "条・項", "文言"])
    for row in spec["clauses"]:
        ws.append(row)
wb.save(dst)
