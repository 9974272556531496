"""Themes in what customers say: the ``note`` column (interview lines, survey comments, reviews)
in English, Russian and Polish, offline.

Steps, all deterministic and without any model downloaded at run time:

1. **Notes.** One engine (Ibis) query returns only the rows with a note: ``customer_id``,
   ``touchpoint``, ``stage``, ``valence``, the note and the customer's outcome (1 when the
   customer has any conversion under the data's rule, :func:`journeylib.journeys.conversion_event`;
   null when the data has no purchase information). At most ``max_notes`` notes are analysed:
   above that, a deterministic sample by customer id (the customer hash buckets of
   :mod:`journeylib.moments`, whole customers first, the last one cut at the cap); the result's
   ``info`` says so.
2. **Language** of each note (:func:`detect_language`): any Cyrillic letter → ``"ru"``; any
   Polish letter (ą ć ę ł ń ó ś ź ż) → ``"pl"``; otherwise more Polish than English stop words →
   ``"pl"``; else ``"en"``.
3. **Words.** Letters-only tokens, lower case, lemmatised with ``simplemma`` in the note's
   language, stop words of the ``stop-words`` package and lemmas under three letters dropped. A
   small built-in glossary (:data:`GLOSSARY`) joins the same shop word across the three
   languages (cart / корзина / koszyk), so one theme can span languages; other lemmas stay
   language-specific.
4. **Themes.** TF-IDF of the lemmas (scikit-learn, sublinear term frequency) and NMF topics
   (``init="nndsvda"``, ``random_state=0``); each note belongs to its strongest topic (none when
   it has no known word). Topics mentioned by fewer than ``min_customers`` customers are dropped;
   at most ``max_themes`` are kept, ranked by customers who mention them.

Associations with the outcome compare customers who mention a theme with the other analysed
customers (customers with a note); they are associations, not causes (a note may be written
after the purchase, and unhappy customers write more).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import ibis
import numpy as np
import pandas as pd
import simplemma
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from stop_words import get_stop_words

from journeylib.dataset import Dataset
from journeylib.engine import scalar, to_pandas
from journeylib.errors import DataError
from journeylib.moments import _customer_bucket, purchase_event
from journeylib.stats import proportion_difference, valence_interval

LANGS = ("en", "ru", "pl")
MAX_NOTES = 20_000
MAX_THEMES = 8
MIN_CUSTOMERS = 5
MIN_NOTES = 10
RANDOM_STATE = 0
TOP_WORDS = 5
TOP_PLACES = 3
_TOPICS = 12  # NMF components per language, before small topics are dropped and the cap
MERGE_COSINE = 0.6
MERGE_MASS = 0.2

_CYRILLIC = re.compile("[\u0400-\u04ff]")
_POLISH = re.compile("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Concept code -> the same word in each language (any inflection: entries are lemmatised).
GLOSSARY: dict[str, dict[str, tuple[str, ...]]] = {
    "cart": {"en": ("cart", "basket"), "ru": ("корзина",), "pl": ("koszyk",)},
    "reset": {"en": ("reset",), "ru": ("сбрасываться", "сбросить", "сброс"),
              "pl": ("resetować", "zresetować")},
    "again": {"en": ("again",), "ru": ("заново", "снова"), "pl": ("nowo",)},
    "card": {"en": ("card",), "ru": ("карта", "картой"), "pl": ("karta", "kartą")},
    "delivery": {"en": ("delivery", "deliver", "shipping"), "ru": ("доставка",),
                 "pl": ("dostawa",)},
    "courier": {"en": ("courier",), "ru": ("курьер",), "pl": ("kurier",)},
    "late": {"en": ("late",), "ru": ("опоздать",), "pl": ("spóźnić",)},
    "support": {"en": ("support", "agent"), "ru": ("поддержка", "оператор"),
                "pl": ("infolinia", "konsultant")},
    "wait": {"en": ("wait",), "ru": ("ждать",), "pl": ("czekać",)},
    "confirmation": {"en": ("confirmation",), "ru": ("подтверждение",),
                     "pl": ("potwierdzenie",)},
    "review": {"en": ("review",), "ru": ("отзыв",), "pl": ("opinia",)},
    "product": {"en": ("product",), "ru": ("товар",), "pl": ("produkt",)},
    "minute": {"en": ("minute",), "ru": ("минута",), "pl": ("minuta",)},
    "recommend": {"en": ("recommend",), "ru": ("советовать", "рекомендовать"),
                  "pl": ("polecić",)},
    "friend": {"en": ("friend",), "ru": ("друг",), "pl": ("znajomy",)},
    "page": {"en": ("page", "site"), "ru": ("страница", "сайт"), "pl": ("strona",)},
}

THEME_COLUMNS = ["theme", "rank", "customers", "customer_share", "notes", "rated_notes",
                 "valence_mean", "ci_low", "ci_high", "top_touchpoint", "top_touchpoint_notes",
                 "top_stage", "top_stage_notes", "languages", "outcome_rate", "outcome_rate_other",
                 "effect", "effect_low", "effect_high", "p_value"]
WORD_COLUMNS = ["theme", "lang", "rank", "lemma", "weight"]
PLACE_COLUMNS = ["theme", "field", "rank", "value", "notes", "customers"]
NOTE_COLUMNS = ["customer_id", "timestamp", "touchpoint", "stage", "valence", "note", "outcome",
                "lang", "theme"]


@dataclass
class ThemeResult:
    """What :func:`find_themes` returns.

    ``themes``: one row per theme, ranked (:data:`THEME_COLUMNS`): ``theme`` (code ``"T1"``,
    ``"T2"``… by rank), ``rank`` (1 = most customers), ``customers`` (distinct customers with a
    note in the theme), ``customer_share`` (of the analysed customers, 0..1), ``notes``,
    ``rated_notes`` (notes with a valence), ``valence_mean`` with ``ci_low`` / ``ci_high``
    (Student-t 95%, in [-1, 1], NaN under two rated notes), ``top_touchpoint`` /
    ``top_stage`` with their note counts, ``languages`` (codes joined by ","),
    ``outcome_rate`` (0..1, customers who mention it), ``outcome_rate_other`` (the other
    analysed customers), ``effect`` (difference of the two, 0..1 units, shown in points) with
    its Wald 95% interval ``effect_low`` / ``effect_high`` and two-sided ``p_value``; the
    outcome columns are NaN when the data has no purchase information or a group is empty.

    ``words``: the top lemmas per theme and language (:data:`WORD_COLUMNS`; ``weight`` is the
    lemma's share of its topic's weight in those notes, 0..1). ``places``: the top
    touchpoints and stages per theme (:data:`PLACE_COLUMNS`, ``field`` = ``"touchpoint"`` or
    ``"stage"``). ``notes``: the analysed notes with their language and theme code (None: no
    theme) (:data:`NOTE_COLUMNS`). ``info``: ``notes_total`` (notes in the data),
    ``notes_analysed``, ``customers`` (analysed), ``sampled`` (True when the cap cut the
    notes), ``max_notes``, ``max_themes``, ``outcome`` (``"purchase"`` or None).
    """

    themes: pd.DataFrame
    words: pd.DataFrame
    places: pd.DataFrame
    notes: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)


def detect_language(text: object) -> str:
    """``"ru"``, ``"pl"`` or ``"en"`` for one note, by the rule in the module's docstring."""
    s = "" if text is None else str(text)
    if _CYRILLIC.search(s):
        return "ru"
    if _POLISH.search(s):
        return "pl"
    words = [w.lower() for w in _WORD.findall(s)]
    pl, en = _stop_words("pl"), _stop_words("en")
    n_pl = sum(w in pl for w in words)
    n_en = sum(w in en for w in words)
    return "pl" if n_pl > n_en else "en"


@cache
def _stop_words(lang: str) -> frozenset[str]:
    return frozenset(w.lower() for w in get_stop_words(lang))


@cache
def _concepts() -> dict[tuple[str, str], str]:
    """(language, lemma) -> concept code of :data:`GLOSSARY`."""
    out: dict[tuple[str, str], str] = {}
    for code, words in GLOSSARY.items():
        for lang, forms in words.items():
            for form in forms:
                out[(lang, form)] = code
                out[(lang, simplemma.lemmatize(form, lang=lang).lower())] = code
    return out


@lru_cache(maxsize=65536)
def _lemma(word: str, lang: str) -> str:
    return simplemma.lemmatize(word, lang=lang).lower()


def lemmas(text: object, lang: str) -> list[str]:
    """The lemmas of one note in ``lang``: letters-only tokens, lower case, lemmatised, without
    stop words and lemmas shorter than three letters."""
    stop = _stop_words(lang)
    out = []
    for word in _WORD.findall("" if text is None else str(text)):
        w = word.lower()
        if w in stop:
            continue
        lemma = _lemma(w, lang)
        if len(lemma) >= 3 and lemma not in stop:
            out.append(lemma)
    return out


def _token(lang: str, lemma: str) -> str:
    """The vocabulary token of a lemma: its glossary concept (``"~cart"``) or the lemma."""
    code = _concepts().get((lang, lemma))
    return f"~{code}" if code else lemma


def _fetch_notes(ds: Dataset, touchpoint: str | None, max_notes: int
                 ) -> tuple[pd.DataFrame, int, str | None]:
    """The notes to analyse (at most ``max_notes``), the number of notes in the data and the
    outcome code (None without purchase information)."""
    t = ds.table
    notes = t.filter(t.note.notnull() & (t.note.strip().length() > 0))
    if touchpoint is not None:
        notes = notes.filter(notes.touchpoint == touchpoint)
    total = int(scalar(notes.count()))
    if total == 0:
        return pd.DataFrame(columns=NOTE_COLUMNS[:7]), 0, None
    try:
        bought = purchase_event(ds)
    except DataError:
        outcome = None
        notes = notes.mutate(outcome=ibis.null("int64"))
    else:
        outcome = "purchase"
        buyers = t.filter(bought).select("customer_id").distinct().mutate(_buyer=1)
        notes = notes.left_join(buyers, "customer_id")
        notes = notes.mutate(outcome=notes._buyer.fill_null(0).cast("int64"))
    notes = notes.mutate(_bucket=_customer_bucket(notes))
    ordered = notes.order_by([notes._bucket, notes.customer_id, notes.timestamp,
                              notes.source_row])
    cols = ["customer_id", "timestamp", "touchpoint", "stage", "valence", "note", "outcome"]
    return to_pandas(ordered.select(cols).limit(max_notes)), total, outcome


def _empty(info: dict[str, Any]) -> ThemeResult:
    return ThemeResult(pd.DataFrame(columns=THEME_COLUMNS), pd.DataFrame(columns=WORD_COLUMNS),
                       pd.DataFrame(columns=PLACE_COLUMNS), pd.DataFrame(columns=NOTE_COLUMNS),
                       info)


def find_themes(
    ds: Dataset, *, touchpoint: str | None = None, max_notes: int = MAX_NOTES,
    max_themes: int = MAX_THEMES, min_customers: int = MIN_CUSTOMERS,
) -> ThemeResult:
    """Themes in the notes of ``ds`` (only notes written at ``touchpoint`` when given); see
    :class:`ThemeResult` for the returned frames. A dataset without notes (or too few to find
    topics in, under :data:`MIN_NOTES`) gives empty frames, not an error."""
    if max_notes < 1 or max_themes < 1:
        raise ValueError("max_notes and max_themes must be at least 1")
    notes, total, outcome = _fetch_notes(ds, touchpoint, int(max_notes))
    info: dict[str, Any] = {
        "notes_total": total, "notes_analysed": len(notes),
        "customers": int(notes["customer_id"].nunique()) if len(notes) else 0,
        "sampled": total > len(notes), "max_notes": int(max_notes),
        "max_themes": int(max_themes), "outcome": outcome,
    }
    if len(notes) < MIN_NOTES:
        return _empty(info)
    notes = notes.reset_index(drop=True)
    notes["lang"] = notes["note"].map(detect_language)
    lemma_lists = [lemmas(n, lang) for n, lang in zip(notes["note"], notes["lang"], strict=True)]
    docs = [[_token(lang, lemma) for lemma in ls]
            for ls, lang in zip(lemma_lists, notes["lang"], strict=True)]
    topic = np.full(len(notes), -1)
    topics: list[tuple[str, np.ndarray, np.ndarray]] = []  # (lang, topic weights, vocabulary)
    for lang in LANGS:
        idx = np.flatnonzero((notes["lang"] == lang).to_numpy())
        found = _topics([docs[i] for i in idx])
        if found is None:
            continue
        w, h, vocab = found
        best = np.where(w.max(axis=1) > 0, w.argmax(axis=1), -1)
        topic[idx] = np.where(best >= 0, best + len(topics), -1)
        topics.extend((lang, h[j], vocab) for j in range(h.shape[0]))
    if not topics:
        return _empty(info)
    group = _merge_languages(topics)
    notes["_topic"] = np.where(topic >= 0, group[np.maximum(topic, 0)], -1)

    sizes = (notes[notes["_topic"] >= 0].groupby("_topic")["customer_id"].nunique()
             .rename("customers").reset_index())
    sizes = sizes[sizes["customers"] >= min_customers]
    # Rank: most customers first; ties by the topic's strongest word, for a stable order.
    strongest = {}
    for j, (_lang, h, vocab) in enumerate(topics):
        strongest.setdefault(int(group[j]), vocab[int(np.argmax(h))])
    sizes["_word"] = sizes["_topic"].map(strongest)
    sizes = sizes.sort_values(["customers", "_word"], ascending=[False, True]).head(max_themes)
    code = {int(k_): f"T{i + 1}" for i, k_ in enumerate(sizes["_topic"])}
    notes["theme"] = notes["_topic"].map(code).astype(object)
    notes.loc[notes["theme"].isna(), "theme"] = None

    themes = _theme_rows(notes, code, outcome, info["customers"])
    words = _theme_words(notes, lemma_lists, code, topics, group)
    places = _theme_places(notes, code)
    themes = _with_top_places(themes, places)
    out_notes = notes.drop(columns="_topic")[NOTE_COLUMNS]
    return ThemeResult(themes, words, places, out_notes, info)


def _identity(doc: list[str]) -> list[str]:
    return doc


def _topics(docs: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """NMF topics of one language's notes: note weights ``W``, topic weights ``H`` (rows
    normalised to sum 1) and the vocabulary; None when there are too few notes or words."""
    if sum(1 for d in docs if d) < MIN_NOTES:
        return None
    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2)
    try:
        x = vectorizer.fit_transform(docs)
    except ValueError:  # no token in two notes: nothing to group
        return None
    k = min(_TOPICS, x.shape[1], x.shape[0] - 1)
    if k < 1:
        return None
    model = NMF(n_components=k, init="nndsvda", random_state=RANDOM_STATE, max_iter=500)
    w = model.fit_transform(x)
    h = model.components_
    h = h / np.maximum(h.sum(axis=1, keepdims=True), 1e-12)
    return w, h, vectorizer.get_feature_names_out()


def _concept_vector(h: np.ndarray, vocab: np.ndarray) -> np.ndarray:
    """A topic's weights on the glossary concepts, in :data:`GLOSSARY` order."""
    order = {f"~{c}": i for i, c in enumerate(GLOSSARY)}
    out = np.zeros(len(order))
    for j, tok in enumerate(vocab):
        if tok in order:
            out[order[tok]] = h[j]
    return out


def _merge_languages(topics: list[tuple[str, np.ndarray, np.ndarray]]) -> np.ndarray:
    """Group index of each topic: topics of different languages whose glossary words agree
    (cosine of their concept weights ≥ :data:`MERGE_COSINE`, each with at least
    :data:`MERGE_MASS` of its weight on glossary words) are one theme, at most one topic per
    language in a theme, closest pairs first."""
    vectors = [_concept_vector(h, vocab) for _lang, h, vocab in topics]
    n = len(topics)
    pairs = []
    for a in range(n):
        for b in range(a + 1, n):
            va, vb = vectors[a], vectors[b]
            if topics[a][0] == topics[b][0] or min(va.sum(), vb.sum()) < MERGE_MASS:
                continue
            cos = float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb)))
            if cos >= MERGE_COSINE:
                pairs.append((-cos, a, b))
    group = np.arange(n)
    langs = {i: {topics[i][0]} for i in range(n)}
    for _neg, a, b in sorted(pairs):
        ga, gb = group[a], group[b]
        if ga == gb or langs[ga] & langs[gb]:
            continue
        keep, drop = min(ga, gb), max(ga, gb)
        group[group == drop] = keep
        langs[keep] |= langs.pop(drop)
    return group


def _theme_rows(notes: pd.DataFrame, code: dict[int, str], outcome: str | None,
                analysed: int) -> pd.DataFrame:
    per_customer = notes.groupby("customer_id").agg(outcome=("outcome", "max"))
    rows = []
    for rank, (k, theme) in enumerate(code.items(), start=1):
        part = notes[notes["_topic"] == k]
        who = part["customer_id"].unique()
        rated = part["valence"].dropna().astype(float)
        low, high = valence_interval([len(rated)], [rated.mean() if len(rated) else np.nan],
                                     [rated.std(ddof=1) if len(rated) > 1 else np.nan])
        row = {"theme": theme, "rank": rank, "customers": len(who),
               "customer_share": len(who) / analysed if analysed else np.nan,
               "notes": len(part), "rated_notes": len(rated),
               "valence_mean": float(rated.mean()) if len(rated) else np.nan,
               "ci_low": float(low[0]), "ci_high": float(high[0]),
               "languages": ",".join(lang for lang in LANGS if (part["lang"] == lang).any())}
        mention = per_customer.index.isin(who)
        y = per_customer["outcome"]
        if outcome is not None and mention.any() and (~mention).any():
            diff = proportion_difference(
                [y[~mention].sum()], [(~mention).sum()], [y[mention].sum()], [mention.sum()])
            row.update(outcome_rate=float(diff["rate1"][0]),
                       outcome_rate_other=float(diff["rate0"][0]),
                       effect=float(diff["effect"][0]), effect_low=float(diff["ci_low"][0]),
                       effect_high=float(diff["ci_high"][0]),
                       p_value=float(diff["p_value"][0]))
        else:
            row.update(outcome_rate=math.nan, outcome_rate_other=math.nan, effect=math.nan,
                       effect_low=math.nan, effect_high=math.nan, p_value=math.nan)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[c for c in THEME_COLUMNS if not c.startswith("top_")])
    for c in ("rank", "customers", "notes", "rated_notes"):
        frame[c] = frame[c].astype("int64")
    return frame


def _theme_words(notes: pd.DataFrame, lemma_lists: list[list[str]], code: dict[int, str],
                 topics: list[tuple[str, np.ndarray, np.ndarray]], group: np.ndarray
                 ) -> pd.DataFrame:
    """Top lemmas per theme and language: each lemma weighs its token's weight in the theme's
    topic of that language times how often it occurs in the theme's notes of that language."""
    rows = []
    for k, theme in code.items():
        for j in np.flatnonzero(group == k):
            lang, weights, vocab = topics[j]
            index = {tok: i for i, tok in enumerate(vocab)}
            idx = notes.index[(notes["_topic"] == k) & (notes["lang"] == lang)]
            score: dict[str, float] = {}
            for i in idx:
                for lemma in lemma_lists[i]:
                    t = index.get(_token(lang, lemma))
                    if t is not None and weights[t] > 0:
                        score[lemma] = score.get(lemma, 0.0) + float(weights[t])
            total = sum(score.values())
            top = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_WORDS]
            rows.extend({"theme": theme, "lang": lang, "rank": r + 1, "lemma": lemma,
                         "weight": v / total} for r, (lemma, v) in enumerate(top))
    out = pd.DataFrame(rows, columns=WORD_COLUMNS)
    out["_lang"] = out["lang"].map({lang: i for i, lang in enumerate(LANGS)})
    out["_theme"] = out["theme"].map({theme: i for i, theme in enumerate(code.values())})
    out = out.sort_values(["_theme", "_lang", "rank"]).drop(columns=["_lang", "_theme"])
    return out.reset_index(drop=True)


def _theme_places(notes: pd.DataFrame, code: dict[int, str]) -> pd.DataFrame:
    frames = []
    themed = notes[notes["theme"].notna()]
    for fld in ("touchpoint", "stage"):
        part = themed[themed[fld].notna()]
        if part.empty:
            continue
        g = (part.groupby(["theme", fld]).agg(notes=("note", "size"),
                                               customers=("customer_id", "nunique"))
             .reset_index().rename(columns={fld: "value"}))
        g = g.sort_values(["theme", "notes", "value"], ascending=[True, False, True])
        g["rank"] = g.groupby("theme").cumcount() + 1
        g = g[g["rank"] <= TOP_PLACES]
        g["field"] = fld
        frames.append(g)
    if not frames:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    order = {theme: i for i, theme in enumerate(code.values())}
    out["_order"] = out["theme"].map(order)
    out = out.sort_values(["_order", "field", "rank"], ascending=[True, False, True])
    return out[PLACE_COLUMNS].reset_index(drop=True)


def _with_top_places(themes: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    for fld in ("touchpoint", "stage"):
        top = places[(places["field"] == fld) & (places["rank"] == 1)].set_index("theme")
        themes[f"top_{fld}"] = themes["theme"].map(top["value"]).astype(object)
        themes[f"top_{fld}_notes"] = (themes["theme"].map(top["notes"]).fillna(0)
                                      .astype("int64"))
    return themes[THEME_COLUMNS]


def theme_label(result: ThemeResult, theme: str, per_lang: int = 2) -> str:
    """The theme's top lemmas, ``per_lang`` per language present, joined: ``"cart · reset /
    корзина · сбрасываться"`` (data words, not a sentence; the same in every interface
    language)."""
    w = result.words[result.words["theme"] == theme]
    parts = []
    for lang in LANGS:
        top = w[(w["lang"] == lang) & (w["rank"] <= per_lang)]["lemma"].tolist()
        if top:
            parts.append(" · ".join(top))
    return " / ".join(parts)


def theme_quotes(result: ThemeResult, theme: str, limit: int = 20) -> pd.DataFrame:
    """Notes of one theme, most negative first (unrated last), at most ``limit``: the columns
    of :data:`NOTE_COLUMNS`."""
    part = result.notes[result.notes["theme"] == theme]
    part = part.assign(_unrated=part["valence"].isna())
    part = part.sort_values(["_unrated", "valence", "timestamp"], kind="stable")
    return part.drop(columns="_unrated").head(limit).reset_index(drop=True)


STAGE_COLUMNS = ["stage", "theme", "customers", "notes", "stage_notes", "valence_mean"]


def top_theme_per_stage(result: ThemeResult, stages: list[str] | tuple[str, ...]
                        ) -> pd.DataFrame:
    """The theme most customers mention at each stage, stages in ``stages`` order (a stage with
    no themed note is left out). Columns (:data:`STAGE_COLUMNS`): ``stage``, ``theme`` (code),
    ``customers`` (who mention it at that stage), ``notes`` (its notes there), ``stage_notes``
    (all analysed notes at that stage), ``valence_mean`` (of its rated notes there, −1..1; NaN
    when none is rated). Ties go to the better-ranked theme."""
    notes = result.notes
    if notes.empty or result.themes.empty:
        return pd.DataFrame(columns=STAGE_COLUMNS)
    rank = dict(zip(result.themes["theme"], result.themes["rank"], strict=True))
    rows = []
    for stage in stages:
        here = notes[notes["stage"] == stage]
        themed = here[here["theme"].notna()]
        if themed.empty:
            continue
        g = themed.groupby("theme").agg(customers=("customer_id", "nunique"),
                                        notes=("note", "size"),
                                        valence_mean=("valence", "mean")).reset_index()
        g["_rank"] = g["theme"].map(rank)
        best = g.sort_values(["customers", "_rank"], ascending=[False, True]).iloc[0]
        rows.append({"stage": stage, "theme": best["theme"], "customers": int(best["customers"]),
                     "notes": int(best["notes"]), "stage_notes": len(here),
                     "valence_mean": float(best["valence_mean"])})
    return pd.DataFrame(rows, columns=STAGE_COLUMNS)
