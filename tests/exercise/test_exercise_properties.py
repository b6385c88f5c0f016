"""Property tests: the checker never raises, whatever text, bytes or TOML-ish document it gets."""

from __future__ import annotations

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustdialog.exercise import spec
from trustdialog.exercise.library import build

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Keys the format knows, plus near misses, so documents go deep into the checker.
KEYS = sorted({*spec.TOP, *spec.EXERCISE, *spec.STEP_COMMON, *spec.OPTION, *spec.FIELD_COMMON, *spec.VOCABULARY,
               *spec.GROUP, *(k for d in spec.STEP_KINDS.values() for k in d),
               *(k for d in spec.FIELD_KINDS.values() for k in d), "a", "speaker", "listener", "kid"})
WORDS = st.sampled_from(["say", "prompt", "choose", "confirm", "text", "pick", "rating", "list", "both", "end",
                         "speaker", "listener", "a", "b", "feelings", "{a}", "{speaker}", "{a@listener}", "x{"])
SCALARS = st.one_of(st.booleans(), st.integers(-3, 1000), WORDS, st.text(max_size=8), st.floats(allow_nan=False))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=30,
)
STEP = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8).map(
    lambda d: {"id": "s", "kind": "prompt", "by": "speaker", **d})
# Pieces of TOML syntax, so random text often gets past the parser.
PIECES = [*"[]{}=\"'.,#\n =abc1@", "format = 1\n", "[[steps]]\n", "[exercise]\n", "kind", "'''", '"""']
DOC = st.fixed_dictionaries(
    {"format": st.sampled_from([1, 1, 1, 2, "1"])},
    optional={
        "exercise": st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=10),
        "steps": st.lists(STEP, max_size=5),
        "vocabulary": st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5),
    },
)


def check_file(tmp_path, content):
    path = tmp_path / "doc.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    lib = build([path], [])
    for d in lib.diagnostics:
        assert d.code != "TD009", str(d)  # our own bug, caught: still must not happen
        assert d.line >= 1 and d.col >= 1
    return lib


@SETTINGS
@given(st.binary(max_size=300))
def test_never_raises_on_bytes(tmp_path, data):
    check_file(tmp_path, data)


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=80).map("".join))
def test_never_raises_on_toml_ish_text(tmp_path, text):
    check_file(tmp_path, text)


@SETTINGS
@given(DOC)
def test_never_raises_on_documents_and_errors_mean_nothing_loads(tmp_path, doc):
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return
    lib = check_file(tmp_path, text)
    if lib.errors:
        assert lib.exercises == {} and not any(v.path for v in lib.vocab.values() if v.path.endswith("doc.toml"))
