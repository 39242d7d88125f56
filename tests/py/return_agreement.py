"""Edits a 協定書 the way a partner does in Word, with python-docx (the compare tests' fixture).

usage: return_agreement.py IN.docx OUT.docx

- 代表者氏名 (the last paragraph) becomes 赤城 次郎, typed as three runs (赤城 / 次 / 郎);
- 第6条's sentence ends 「…この限りではない。」 → 「…この限りでない。」 (model text);
- 第4条 gets a tracked insertion 「速やかに」 and a tracked deletion 「書面をもって」 by 乙社;
- a comment by 乙社 on 「秘密」 of 第6条.
"""
import copy
import sys

import docx
from docx.oxml.ns import qn
from docx.oxml import OxmlElement

src, dst = sys.argv[1], sys.argv[2]
d = docx.Document(src)
paras = d.paragraphs


def find(prefix):
    for p in paras:
        if p.text.startswith(prefix):
            return p
    raise SystemExit(f"no paragraph starts with {prefix}")


# 1. the representative's name, split in three runs
sig = [p for p in paras if p.text.startswith("代表取締役社長")][0]
name_run = sig.runs[-1]
assert name_run.text == "赤城 一郎", name_run.text
name_run.text = "赤城 "
for piece in ("次", "郎"):
    r = copy.deepcopy(name_run._r)
    r.find(qn("w:t")).text = piece
    name_run._r.addnext(r) if piece == "次" else sig.runs[-1]._r.addnext(r)

# 2. a model sentence of 第6条
a6 = find("第6条")
body = a6.runs[1]
assert body.text.endswith("この限りではない。"), body.text
body.text = body.text.replace("この限りではない。", "この限りでない。")

# 3. tracked changes in 第4条
a4 = find("第4条")
run = a4.runs[1]
text = run.text
cut = text.index("書面をもって")
before, after = text[:cut], text[cut + len("書面をもって"):]
ins_at = before.index("解除予定日")
run.text = before[:ins_at]


def tracked(tag, content, deleted, id_):
    el = OxmlElement(tag)
    el.set(qn("w:id"), str(id_))
    el.set(qn("w:author"), "乙社")
    el.set(qn("w:date"), "2026-12-01T10:00:00Z")
    r = copy.deepcopy(run._r)
    t = r.find(qn("w:t"))
    if deleted:
        t.tag = qn("w:delText")
    t.text = content
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    el.append(r)
    return el


def plain(content):
    r = copy.deepcopy(run._r)
    t = r.find(qn("w:t"))
    t.text = content
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


anchor = run._r
for el in (
    tracked("w:ins", "速やかに", False, 901),
    plain(before[ins_at:]),
    tracked("w:del", "書面をもって", True, 902),
    plain(after),
):
    anchor.addnext(el)
    anchor = el

# 4. a comment on 「秘密」 of 第6条
body = a6.runs[1]
text = body.text
k = text.index("秘密")
body.text = text[:k]
mid = copy.deepcopy(body._r)
mid.find(qn("w:t")).text = "秘密"
tail = copy.deepcopy(body._r)
tail.find(qn("w:t")).text = text[k + 2:]
body._r.addnext(mid)
mid.addnext(tail)
mid_run = [r for r in a6.runs if r.text == "秘密"][0]
d.add_comment(mid_run, text="「秘密」の範囲を定義してください", author="乙社", initials="乙")

d.save(dst)
