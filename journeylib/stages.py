"""Stage models: the ordered list of journey stages and where the purchase splits it."""

from __future__ import annotations

import ibis

from journeylib import limits
from journeylib.engine import scalar, to_pandas
from journeylib.i18n import t
from journeylib.i18n.formats import label_key

# Keys are the presets' identifiers (API values, saved in workspaces and links); the interface
# shows them with preset_name() and preset_stage_names().
STAGE_PRESETS: dict[str, list[str]] = {
    "Awareness → Advocacy": ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"],
    "Discovery → Loyalty": [
        "Discovery",
        "Evaluation",
        "Purchase",
        "After-sales service",
        "Loyalty",
    ],
    "Need → Advocacy": ["Need", "Search", "Purchase", "Usage", "Repeat purchase", "Advocacy"],
}
# The presets' stage names in Russian and Polish (several spellings where usage varies), so
# data exported with translated stage names still gets its preset's order.
STAGE_TRANSLATIONS: dict[str, dict[str, list[str]]] = {
    "Awareness": {"ru": ["Осведомленность", "Осведомлённость", "Знакомство"], "pl": ["Świadomość"]},
    "Consideration": {"ru": ["Рассмотрение", "Оценка вариантов"], "pl": ["Rozważanie"]},
    "Purchase": {"ru": ["Покупка"], "pl": ["Zakup"]},
    "Retention": {"ru": ["Удержание"], "pl": ["Utrzymanie", "Retencja"]},
    "Advocacy": {
        "ru": ["Рекомендации", "Адвокация", "Лояльность и рекомендации"],
        "pl": ["Rekomendacja", "Polecanie"],
    },
    "Discovery": {"ru": ["Поиск информации", "Открытие"], "pl": ["Odkrycie"]},
    "Evaluation": {"ru": ["Оценка"], "pl": ["Ocena"]},
    "After-sales service": {
        "ru": ["Послепродажное обслуживание", "Сервис"],
        "pl": ["Obsługa posprzedażowa", "Serwis"],
    },
    "Loyalty": {"ru": ["Лояльность"], "pl": ["Lojalność"]},
    "Need": {"ru": ["Потребность"], "pl": ["Potrzeba"]},
    "Search": {"ru": ["Поиск"], "pl": ["Wyszukiwanie"]},
    "Usage": {"ru": ["Использование"], "pl": ["Użytkowanie"]},
    "Repeat purchase": {"ru": ["Повторная покупка"], "pl": ["Ponowny zakup"]},
}
# Stage names that mark the purchase; the buyer journey ends there, the customer journey follows.
PURCHASE_WORDS = (
    "purchase",
    "buy",
    "order",
    "checkout",
    "покупка",
    "заказ",
    "оплата",
    "zakup",
    "zamówienie",
    "kupno",
)


def preset_name(preset: str, lang: str | None = None) -> str:
    """The display name of the preset ``preset`` (a :data:`STAGE_PRESETS` key) in the language
    (default: the current one), e.g. ``"Осведомлённость → Рекомендации"``."""
    return t(f"stages.presets.{label_key(preset)}", lang)


def preset_stage_names(preset: str, lang: str | None = None) -> list[str]:
    """The stages of the preset ``preset``, in order, named in the language."""
    return [t(f"stages.names.{label_key(stage)}", lang) for stage in STAGE_PRESETS[preset]]


def _preset_ranks(preset: list[str]) -> dict[str, int]:
    """Position in the preset of each stage name, in English and its translations (folded)."""
    rank: dict[str, int] = {}
    for i, stage in enumerate(preset):
        names = [stage] + [n for names in STAGE_TRANSLATIONS.get(stage, {}).values() for n in names]
        for name in names:
            rank.setdefault(name.casefold().replace("ё", "е"), i)
    return rank


def _fold(stage: str) -> str:
    return stage.strip().casefold().replace("ё", "е")


def preset_for(stages: list[str]) -> str | None:
    """Name of the preset that holds every one of ``stages`` (case-insensitive, in English,
    Russian or Polish), if any."""
    found = {_fold(s) for s in stages}
    for name, preset in STAGE_PRESETS.items():
        if found and found <= set(_preset_ranks(preset)):
            return name
    return None


def order_by_preset(stages: list[str], preset: list[str]) -> list[str]:
    """``stages`` in the preset's order; stages the preset does not name go last."""
    rank = _preset_ranks(preset)
    return sorted(stages, key=lambda s: (rank.get(_fold(s), len(preset)), s))


def infer_stage_order(table: ibis.Table) -> list[str]:
    """Order stages by when customers first reach them.

    For every pair of stages, counts the customers who reached one before the other (first
    event in each stage); a stage ranks by how many other stages it precedes for most
    customers (Copeland count), then by its earliest event. Robust to the odd customer who
    skips or goes back. Only stage pairs come back, one row per unordered pair.

    Raises :class:`~journeylib.limits.LimitError` (code ``too_many_stages``) before comparing
    anything when there are more distinct stages than the limit.
    """
    t = table.filter(table.stage.notnull())
    limits.check(limits.STAGES, int(scalar(t.stage.nunique())))
    firsts = t.group_by(["customer_id", "stage"]).agg(first=t.timestamp.min())
    a = firsts.view()
    b = firsts.view()
    # Each unordered pair once (a < b): half the rows of joining every stage with every other.
    pairs = a.join(b, (a.customer_id == b.customer_id) & (a.stage < b.stage))
    pairs = pairs.select(
        a_stage=a.stage,
        b_stage=b.stage,
        a_first=(a.first < b.first).cast("int64"),
        b_first=(b.first < a.first).cast("int64"),
    )
    counts = to_pandas(
        pairs.group_by(["a_stage", "b_stage"])
        .agg(a_first=pairs.a_first.sum(), b_first=pairs.b_first.sum(), both=pairs.count())
    )
    earliest = to_pandas(t.group_by("stage").agg(first=t.timestamp.min()))
    stages = list(earliest.sort_values(["first", "stage"]).stage)
    wins = {s: 0.0 for s in stages}
    for row in counts.itertuples(index=False):
        for stage, before in ((row.a_stage, row.a_first), (row.b_stage, row.b_first)):
            share = before / row.both if row.both else 0.5
            wins[stage] += 1.0 if share > 0.5 else 0.5 if share == 0.5 else 0.0
    first_seen = {s: i for i, s in enumerate(stages)}
    return sorted(stages, key=lambda s: (-wins[s], first_seen[s]))


def find_purchase_stage(stages: list[str]) -> str | None:
    """The first stage whose name says purchase (``Purchase``, ``Покупка``, ``Zakup``, ...)."""
    for stage in stages:
        folded = stage.casefold()
        if any(word in folded for word in PURCHASE_WORDS):
            return stage
    return None
