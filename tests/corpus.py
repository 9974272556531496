"""A corpus of datasets shaped like real exports, for tests that every analysis and page survives.

Each shape is a function ``shape(seed=0) -> pandas.DataFrame`` with the columns a real export
would have (an online shop's orders, payments, deliveries and review scores, unless the shape
says otherwise); :data:`SHAPES` maps the shape's name to it. Every frame is small (at most a few
hundred customers, a few thousand rows) and built from a seeded generator, so the same seed gives
the same frame and the whole corpus loads in well under a second.

:data:`LOAD_OPTIONS` holds the keyword arguments of :func:`journeylib.load` a shape needs (the
touchpoint-to-stage mapping of the shape without stages). :func:`csv_bytes` writes a shape the
way an export tool would, for uploading into the app.

The frames use the export's own vocabulary, not the library's: ``review_score`` for the rating,
flags as 0/1 with blanks where a system leaves the cell empty, timestamps as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

START = pd.Timestamp("2024-01-08 08:00:00")
N_CUSTOMERS = 240
CHANNELS = ("search", "social", "email", "direct", "display", "marketplace")
SEGMENTS = ("New", "Returning", "Business")

# The shop's touchpoints in journey order: (touchpoint, stage).
VISIT = ("Homepage visit", "Awareness")
PRODUCT = ("Product page", "Consideration")
CART = ("Cart", "Consideration")
ORDER = ("Order placed", "Purchase")
PAYMENT = ("Payment", "Purchase")
CANCEL = ("Order cancelled", "Purchase")
DELIVERY = ("Delivery", "Retention")
REVIEW = ("Review", "Advocacy")
TOUCHPOINT_STAGES = {tp: stage for tp, stage in (VISIT, PRODUCT, CART, ORDER, PAYMENT, CANCEL,
                                                 DELIVERY, REVIEW)}

COLUMNS = ("customer_id", "timestamp", "stage", "channel", "touchpoint", "review_score",
           "converted", "revenue", "segment", "note")
NOTES_GOOD = ("Fast delivery, thank you", "Great product", "Easy checkout")
NOTES_BAD = ("Parcel arrived damaged", "Refund took weeks", "Nobody answered the phone")


@dataclass
class Shop:
    """How :func:`shop` draws journeys; each shape changes a few of these."""

    customers: int = N_CUSTOMERS
    channels: tuple[str, ...] = CHANNELS
    p_buy: float = 0.55
    p_cancel: float = 0.0
    p_repeat: float = 0.0
    # Touchpoints that carry a review score, and the probability that one does.
    rated: tuple[str, ...] = ("Review",)
    p_rated: float = 0.8
    scores: tuple[int, ...] = (1, 2, 3, 4, 5)
    score_weights: tuple[float, ...] = (0.12, 0.08, 0.15, 0.3, 0.35)
    # "row": 0/1 on every row; "order": 1 on placed orders, 0 on cancelled ones, blank elsewhere.
    flag: str = "row"


def shop(seed: int = 0, spec: Shop | None = None) -> pd.DataFrame:
    """Journeys of an online shop: visits and product pages through one of ``spec.channels``;
    buyers place an order (revenue on the order row), pay, get a delivery and may leave a review.

    Returns the columns of :data:`COLUMNS`, one row per event, sorted by customer and time.
    """
    spec = spec or Shop()
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    weights = np.asarray(spec.score_weights, float) / sum(spec.score_weights)
    for i in range(spec.customers):
        customer = f"C{i + 1:04d}"
        segment = SEGMENTS[int(rng.integers(len(SEGMENTS)))]
        clock = START + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 120)))
        purchases = 0
        while True:
            events = [VISIT] + [PRODUCT] * int(rng.integers(1, 4))
            buys = rng.random() < (spec.p_buy if purchases == 0 else spec.p_repeat)
            if buys:
                events += [CART, ORDER]
                cancelled = rng.random() < spec.p_cancel
                events += [CANCEL] if cancelled else [PAYMENT, DELIVERY, REVIEW]
            elif rng.random() < 0.4:
                events += [CART]
            amount = round(float(rng.gamma(2.0, 40.0)) + 5, 2)
            for touchpoint, stage in events:
                clock += pd.Timedelta(minutes=int(rng.integers(5, 60 * 24 * 3)))
                rows.append(_event(rng, spec, weights, customer, segment, clock, touchpoint,
                                   stage, amount))
            if not buys:
                break
            purchases += 1
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _event(rng, spec: Shop, weights, customer, segment, clock, touchpoint, stage, amount):
    is_order = touchpoint == ORDER[0]
    cancelled_order = touchpoint == CANCEL[0]
    score = (
        int(rng.choice(spec.scores, p=weights))
        if touchpoint in spec.rated and rng.random() < spec.p_rated else None
    )
    if spec.flag == "order":
        # The order system writes the flag on its own rows only; a cancelled order is 0 but
        # keeps the amount it would have brought.
        flag = 1 if is_order else 0 if cancelled_order else None
        revenue = amount if is_order or cancelled_order else None
    else:
        flag = int(is_order)
        revenue = amount if is_order else 0.0
    note = None
    if score is not None and rng.random() < 0.3:
        note = (NOTES_BAD if score <= 2 else NOTES_GOOD)[int(rng.integers(3))]
    return {
        "customer_id": customer,
        "timestamp": clock.strftime("%Y-%m-%d %H:%M:%S"),
        "stage": stage,
        "channel": spec.channels[int(rng.integers(len(spec.channels)))],
        "touchpoint": touchpoint,
        "review_score": score,
        "converted": flag,
        "revenue": revenue,
        "segment": segment,
        "note": note,
    }


def ratings_on_few_touchpoints(seed: int = 0) -> pd.DataFrame:
    """One review per order: only the Review touchpoint carries a score, most rows none."""
    return shop(seed)


def no_emotion_column(seed: int = 0) -> pd.DataFrame:
    """An order export with no rating column at all."""
    return shop(seed).drop(columns=["review_score", "note"])


def no_channel(seed: int = 0) -> pd.DataFrame:
    """No channel column (a CRM export without marketing sources)."""
    return shop(seed).drop(columns=["channel"])


def touchpoints_without_stages(seed: int = 0) -> pd.DataFrame:
    """Events named by touchpoint only; the stages come from :data:`TOUCHPOINT_STAGES` (see
    :data:`LOAD_OPTIONS`)."""
    return shop(seed).drop(columns=["stage"])


def single_stage(seed: int = 0) -> pd.DataFrame:
    """Every event in one stage ("Purchase"): an order-line export."""
    frame = shop(seed)
    frame["stage"] = "Purchase"
    return frame


def no_purchase_stage(seed: int = 0) -> pd.DataFrame:
    """A service journey whose stage names say nothing of a purchase (and nothing is flagged)."""
    frame = shop(seed)
    frame["stage"] = frame["stage"].map({
        "Awareness": "Discovery", "Consideration": "Evaluation", "Purchase": "Onboarding",
        "Retention": "Usage", "Advocacy": "Feedback",
    })
    return frame.drop(columns=["converted", "revenue"])


def converted_flag_with_cancellations(seed: int = 0) -> pd.DataFrame:
    """The flag only on order rows: 1 on a placed order, 0 on a cancelled one (which still
    carries its revenue); every other row leaves it blank."""
    return shop(seed, Shop(p_cancel=0.3, flag="order"))


def revenue_without_flag(seed: int = 0) -> pd.DataFrame:
    """Revenue on order rows, no converted column."""
    return shop(seed).drop(columns=["converted"])


def repeat_purchases(seed: int = 0) -> pd.DataFrame:
    """Buyers come back and buy again (up to several orders each)."""
    return shop(seed, Shop(customers=150, p_repeat=0.6))


def one_channel(seed: int = 0) -> pd.DataFrame:
    """Every event through the same channel."""
    return shop(seed, Shop(channels=("web",)))


def many_channels(seed: int = 0) -> pd.DataFrame:
    """20 channels: more than Shapley attribution takes (15)."""
    channels = tuple(f"partner-{k:02d}" for k in range(1, 21))
    return shop(seed, Shop(channels=channels, customers=300))


def one_heavy_customer(seed: int = 0) -> pd.DataFrame:
    """Ordinary customers plus one (a bot, a reseller) with 3,000 events."""
    frame = shop(seed, Shop(customers=120))
    rng = np.random.default_rng(seed + 1)
    n = 3000
    minutes = np.sort(rng.integers(0, 60 * 24 * 120, n))
    events = [VISIT, PRODUCT, CART, ORDER]
    picks = rng.integers(len(events), size=n)
    heavy = pd.DataFrame({
        "customer_id": "BOT-1",
        "timestamp": [(START + pd.Timedelta(minutes=int(m))).strftime("%Y-%m-%d %H:%M:%S")
                      for m in minutes],
        "stage": [events[k][1] for k in picks],
        "channel": [CHANNELS[int(k)] for k in rng.integers(len(CHANNELS), size=n)],
        "touchpoint": [events[k][0] for k in picks],
        "review_score": None,
        "converted": (picks == 3).astype(int),
        "revenue": np.where(picks == 3, 19.99, 0.0),
        "segment": "Business",
        "note": None,
    })
    return pd.concat([frame, heavy], ignore_index=True)


def all_ratings_negative(seed: int = 0) -> pd.DataFrame:
    """Scores 1 and 2 on a CSAT 1-5 scale (the column's name says which scale), on every
    touchpoint: every rating is negative."""
    frame = shop(seed, Shop(rated=tuple(TOUCHPOINT_STAGES), p_rated=0.5, scores=(1, 2),
                            score_weights=(0.6, 0.4)))
    return frame.rename(columns={"review_score": "CSAT"})


def empty_columns(seed: int = 0) -> pd.DataFrame:
    """A rating column and a segment column that are present but entirely empty."""
    frame = shop(seed)
    frame["review_score"] = None
    frame["segment"] = ""
    frame["note"] = None
    return frame


def unicode_names(seed: int = 0) -> pd.DataFrame:
    """A Russian export with Polish and emoji names: headers, stages, touchpoints, channels,
    segments and customer ids in Cyrillic, Polish letters and emoji; dates day first."""
    frame = shop(seed)
    frame["stage"] = frame["stage"].map({
        "Awareness": "Знакомство", "Consideration": "Rozważanie", "Purchase": "Zakup 🛒",
        "Retention": "Доставка 🚚", "Advocacy": "Opinia ⭐",
    })
    frame["touchpoint"] = frame["touchpoint"].map({
        "Homepage visit": "Главная страница", "Product page": "Strona produktu 📦",
        "Cart": "Koszyk", "Order placed": "Заказ оформлен ✅", "Payment": "Płatność BLIK",
        "Delivery": "Доставка курьером", "Review": "Отзыв 😊",
    })
    frame["channel"] = frame["channel"].map({
        "search": "поиск", "social": "społeczność 👥", "email": "e-mail", "direct": "прямой",
        "display": "reklama", "marketplace": "Allegro",
    })
    frame["segment"] = frame["segment"].map(
        {"New": "Новые", "Returning": "Powracający", "Business": "B2B 💼"})
    frame["customer_id"] = "Клиент-" + frame["customer_id"].str[1:]
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]).dt.strftime("%d.%m.%Y %H:%M")
    frame["note"] = frame["note"].map(
        {n: f"Ł{n[1:]} — спасибо 👍" for n in NOTES_GOOD} | {n: f"Źle: {n} 😡" for n in NOTES_BAD})
    return frame.rename(columns={
        "customer_id": "Клиент", "timestamp": "Дата", "stage": "Этап", "channel": "Канал",
        "touchpoint": "Точка контакта", "review_score": "Оценка", "converted": "Конверсия",
        "revenue": "Выручка", "segment": "Сегмент", "note": "Комментарий",
    })


SHAPES: dict[str, Callable[..., pd.DataFrame]] = {
    "ratings_on_few_touchpoints": ratings_on_few_touchpoints,
    "no_emotion_column": no_emotion_column,
    "no_channel": no_channel,
    "touchpoints_without_stages": touchpoints_without_stages,
    "single_stage": single_stage,
    "no_purchase_stage": no_purchase_stage,
    "converted_flag_with_cancellations": converted_flag_with_cancellations,
    "revenue_without_flag": revenue_without_flag,
    "repeat_purchases": repeat_purchases,
    "one_channel": one_channel,
    "many_channels": many_channels,
    "one_heavy_customer": one_heavy_customer,
    "all_ratings_negative": all_ratings_negative,
    "empty_columns": empty_columns,
    "unicode_names": unicode_names,
}

# Keyword arguments of journeylib.load a shape needs beyond the file itself.
LOAD_OPTIONS: dict[str, dict[str, object]] = {
    "touchpoints_without_stages": {"touchpoint_stages": TOUCHPOINT_STAGES},
}


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as an export tool writes it: UTF-8 CSV, blanks for missing values, whole numbers
    without ".0" (flags and scores are 0/1 and 1-5, not 1.0)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_float_dtype(values):
            numeric = pd.to_numeric(values, errors="coerce")
            whole = numeric.dropna()
            if len(whole) and values.notna().sum() == len(whole) and (whole % 1 == 0).all():
                out[column] = numeric.astype("Int64")
    return out.to_csv(index=False).encode("utf-8")
