"""Hypothesis strategies for what people, bots and broken clients send."""

import string

from hypothesis import strategies as st

# Inputs that have broken web forms before: NUL (PostgreSQL refuses it in
# text), lone surrogates (not encodable as UTF-8), direction marks, emoji
# with joiners, byte-order marks, markup and template syntax, header
# injection, numbers that overflow.
SPECIAL = [
    "",
    " ",
    "\t\r\n ",
    "\u00a0\u2003\u3000",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\u202eevil\u202c",
    "\u200f\u200e\u200b\u2060",
    "\ufeff",
    "\uffff\U0010ffff",
    "👮🏽\u200d♀️🇬🇧",
    "Zoë Ó Súilleabháin-Nguyễn",
    "ß\ufb03İ",
    "%00",
    "%",
    "&amp;",
    "<script>alert(1)</script>",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "' OR '1'='1' --",
    "../../etc/passwd",
    "\r\nBcc: victim@example.com",
    "null",
    "NaN",
    "-1",
    "0",
    "1e309",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 400,
]

WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u00a0\u1680\u2000\u2028\u2029\u202f\u3000"


def long_text() -> st.SearchStrategy[str]:
    """Far past every limit, and just past the usual ones."""
    return st.builds(
        lambda piece, times: piece * times,
        st.text(min_size=1, max_size=3),
        st.sampled_from([101, 151, 255, 501, 1001, 5000, 20000]),
    )


def junk() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SPECIAL),
        st.text(max_size=40),  # any code point: NUL and lone surrogates included
        st.text(alphabet=WHITESPACE, max_size=8),
        long_text(),
    )


def junk_pairs(*, max_size: int) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A form body or query string of junk names and values, as a bot sends."""
    return st.lists(st.tuples(junk(), junk()), max_size=max_size)


def wrong_choice(*known: str) -> st.SearchStrategy[str]:
    """A value for a choice field that is not one of its choices: forged
    ids, other fields' choices, numbers of every size, junk."""
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(known) if known else st.nothing(),
        st.sampled_from(known).map(lambda value: value + "\x00") if known else st.nothing(),
        st.sampled_from(known).map(str.upper) if known else st.nothing(),
        junk(),
    )


# Fields no public form has, which a forger might hope a view passes on.
FORGED_FIELDS = [
    "id",
    "pk",
    "status",
    "event",
    "event_id",
    "registration",
    "reference",
    "email_key",
    "token_hash",
    "confirmed_at",
    "cancelled_at",
    "checked_in_at",
    "assigned_mentor",
    "is_staff",
    "csrfmiddlewaretoken",
    "answered",
    "follow_up",
    "skip",
]


@st.composite
def mutated(draw, valid: dict, *, wrong: dict | None = None) -> list[tuple[str, str]]:
    """`valid` (field -> value, or list of values) as form pairs, with up to
    three fields dropped, blanked, replaced, or sent twice, and perhaps
    fields the form does not have. `wrong` gives a field its own strategy
    for bad values (e.g. a choice field's wrong choices)."""
    wrong = wrong or {}
    names = sorted(valid)
    chosen = draw(st.sets(st.sampled_from(names), max_size=3))
    pairs = []
    for name in names:
        values = valid[name] if isinstance(valid[name], list) else [valid[name]]
        if name not in chosen:
            pairs += [(name, value) for value in values]
            continue
        bad = wrong.get(name, junk())
        action = draw(st.sampled_from(["drop", "blank", "replace", "add", "twice"]))
        if action == "blank":
            pairs.append((name, ""))
        elif action == "replace":
            pairs.append((name, draw(bad)))
        elif action == "add":
            pairs += [(name, value) for value in values] + [(name, draw(bad))]
        elif action == "twice":
            pairs += [(name, draw(bad))] + [(name, value) for value in values]
    extra_names = st.one_of(st.sampled_from(FORGED_FIELDS), st.text(max_size=10))
    pairs += draw(st.lists(st.tuples(extra_names, junk()), max_size=2))
    return draw(st.permutations(pairs))


# Secret tokens --------------------------------------------------------------

URLSAFE = string.ascii_letters + string.digits + "-_"
# Letters that look like the token's but are not: Cyrillic, Greek, fullwidth.
LOOKALIKES = "АВСЕНКМОРТХаеорсух" + "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ" + "ＡＢＣａｂｃ０１２"


def tampered(token: str) -> st.SearchStrategy[str]:
    """Every way a real token can be got wrong: cut short, lengthened, one
    character changed (perhaps to a look-alike), its case changed, a token
    of the right shape that was never issued, or junk."""
    length = len(token)
    return st.one_of(
        st.integers(min_value=1, max_value=length - 1).map(lambda n: token[:n]),
        st.text(min_size=1, max_size=4).map(lambda extra: token + extra),
        st.text(min_size=1, max_size=3).map(lambda extra: extra + token),
        st.tuples(
            st.integers(min_value=0, max_value=length - 1),
            st.one_of(st.sampled_from(URLSAFE), st.sampled_from(LOOKALIKES), st.characters()),
        ).map(lambda change: token[: change[0]] + change[1] + token[change[0] + 1 :]),
        st.just(token.swapcase()),
        st.just(token + "/"),
        st.just(token * 3),
        st.text(alphabet=URLSAFE, min_size=length, max_size=length),
        junk().filter(bool),
    ).filter(lambda candidate: candidate != token)


# Email addresses --------------------------------------------------------------

LOCAL = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~"


@st.composite
def valid_emails(draw) -> str:
    """Addresses Django's EmailValidator accepts, short enough that the
    case-folded copy stored beside them fits too."""
    local = ".".join(
        draw(st.lists(st.text(LOCAL, min_size=1, max_size=12), min_size=1, max_size=3))
    )
    label = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
    labels = draw(st.lists(label, min_size=1, max_size=3))
    tld = draw(st.sampled_from(["com", "org", "uk", "police.uk", "example"]))
    case = draw(st.sampled_from([str, str.upper, str.title]))
    return case(f"{local}@{'.'.join([*labels, tld])}")


@st.composite
def growing_emails(draw) -> str:
    """Valid addresses, at most 254 characters, that grow when case-folded
    (as the stores of one-per-address keep them): an international domain
    whose letters fold to two or three (ß to ss, the ﬃ ligature to ffi)."""
    letter = draw(st.sampled_from(["ß", "ẞ", "ŉ", "ﬃ"]))
    label = letter * draw(st.integers(min_value=20, max_value=31))
    count = draw(st.integers(min_value=5, max_value=7))
    return "a@" + ".".join([label] * count) + ".com"


def emails() -> st.SearchStrategy[str]:
    return st.one_of(valid_emails(), growing_emails(), junk())


# Raw request bodies -----------------------------------------------------------

CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "multipart/form-data",
    "multipart/form-data; boundary=fuzz",
    "text/plain",
    "application/json",
    "",
]
ONE_CLICK = b"List-Unsubscribe=One-Click"


def raw_bodies() -> st.SearchStrategy[tuple[str, bytes]]:
    """What a page that needs no fields may be sent: any bytes, as any
    content type (a mail program's RFC 8058 one-click body among them)."""
    return st.tuples(
        st.sampled_from(CONTENT_TYPES),
        st.one_of(
            st.binary(max_size=300),
            st.just(ONE_CLICK),
            st.text(max_size=50).map(lambda text: text.encode("utf-8", "surrogatepass")),
        ),
    )
