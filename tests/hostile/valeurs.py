"""Hostile values (hypothesis strategies): what a careless, unlucky or malicious person can send.

A browser only sends text, so every value is a str (or several of them for one name, as a list).
Python strings cannot hold lone surrogates; everything else of Unicode is fair game.
"""

import datetime

from hypothesis import strategies as st

# Markup and script: once stored, they must come back as text, never as active content.
CHARGES_HTML = [
    "<script>alert('hostile')</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    '<a href="javascript:alert(3)">lien</a>',
    "javascript:alert(4)",
    '" onmouseover="alert(5)" x="',
    "<iframe src=//exemple.invalid></iframe>",
    "{{ request.user.password }}{% debug %}",
    "<!--",
    "]]><![CDATA[",
]
ENORMES = ["A" * 100_000, "é" * 100_000, "<b>" * 30_000, "\n" * 50_000, "9" * 100_000]
CONTROLES = ["\x00", "a\x00b", "\x01\x02\x03", "\x07\x08\x0b\x0c", "\x1b[31mrouge", "\x7f", "\r\n\r\n", "\t"]
UNICODE = [
    "\u202eesilimaf",  # right-to-left override
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and BOM
    "👨‍👩‍👧‍👦 famille",
    "e\u0301" * 40 + "\u0336" * 200,  # combining characters
    "𝕳𝖔𝖘𝖙𝖎𝖑𝖊",
    "\uffff\U0010ffff\ufffd",
    "\u2028\u2029",
    "١٢٣",  # Arabic-Indic digits (int() accepts them)
    "²",  # a digit for str.isdigit(), not for int()
    "ǅ ß ﬁ İ",
]
NOMBRES = [
    "-1",
    "-1000000",
    "0",
    str(10**30),
    "-" + str(10**30),
    "1e999",
    "-1e999",
    "1e-999",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1,5",
    "1.5.5",
    "1 000,50",
    "0x10",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999.99",
    "0.0000000001",
    "+5",
    "5-",
    "½",
]
DATES = [
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2025-02-30",
    "2025-13-01",
    "-2025-01-01",
    "31/12/2025",
    "2025-06-01T25:61:00",
    "hier",
    "1900-01-01",
    "2999-01-01",
]
AUTRES_TYPES = ["", " ", "[]", "[1, 2]", '{"a": 1}', "null", "None", "true", "on", "off", "0" * 30, "' OR 1=1 --"]

texte_aleatoire = st.text(st.characters(codec="utf-8"), max_size=40)
texte_hostile = st.one_of(
    st.sampled_from(CHARGES_HTML),
    st.sampled_from(ENORMES),
    st.sampled_from(CONTROLES),
    st.sampled_from(UNICODE),
    st.sampled_from(NOMBRES),
    st.sampled_from(DATES),
    st.sampled_from(AUTRES_TYPES),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
    texte_aleatoire,
)
