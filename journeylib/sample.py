"""Synthetic multi-channel customer journeys with planted, documented effects.

The generator feeds the demo dashboard and the analytics test suite: every effect listed in
:func:`generate` is built in on purpose, with a known true size, so that funnel, attribution and
emotion analyses can be checked against ground truth. Regenerate the committed sample with
``make sample`` (``python -m journeylib.sample sample_data``).
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from journeylib.columns import CANONICAL

PERIOD_START = pd.Timestamp("2026-03-01 00:00:00")
PERIOD_END = pd.Timestamp("2026-08-31 23:59:59")

STAGES = ("Awareness", "Consideration", "Purchase", "Retention", "Advocacy")
CHANNELS = ("search", "social", "email", "display", "referral", "direct", "store", "phone")
SEGMENTS = ("New customer", "Returning", "Business")
COLUMNS = CANONICAL

# touchpoint -> (stage, mean CSAT before noise, probability that the event carries a score).
# Impressions are rarely rated; transactional moments almost always are. Checkout and Support
# call scores come from a two-component mixture instead (see _mixture_score), so their mean here
# is only nominal.
TOUCHPOINTS: dict[str, tuple[str, float, float]] = {
    "Display ad": ("Awareness", 3.4, 0.10),
    "Social post": ("Awareness", 3.7, 0.40),
    "Search result": ("Awareness", 3.6, 0.40),
    "Friend referral": ("Awareness", 4.2, 0.65),
    "Newsletter": ("Awareness", 3.5, 0.40),
    "Homepage visit": ("Awareness", 3.6, 0.55),
    "Website visit": ("Consideration", 3.8, 0.75),
    "Product page": ("Consideration", 3.9, 0.75),
    "Reviews": ("Consideration", 3.9, 0.70),
    "Price comparison": ("Consideration", 3.5, 0.70),
    "Checkout": ("Consideration", 3.0, 0.92),
    "Order placed": ("Purchase", 4.1, 0.90),
    "Delivery": ("Retention", 3.9, 0.90),
    "Onboarding email": ("Retention", 3.7, 0.60),
    "Support call": ("Retention", 3.2, 0.95),
    "Repeat order": ("Retention", 4.2, 0.80),
    "Product review": ("Advocacy", 4.4, 0.95),
    "Referral invite": ("Advocacy", 4.5, 0.75),
}
SCORE_SD = 0.9

# Pre-purchase channels: each is present in a journey independently with this probability, so
# the purchase model below has uncorrelated regressors and its coefficients stay identifiable.
PRE_CHANNELS = ("display", "direct", "search", "social", "email", "referral")
CHANNEL_PRESENCE = np.array([0.68, 0.58, 0.50, 0.40, 0.42, 0.45])
# Display is shown repeatedly, in one burst of impressions (retargeting), which is what makes it
# the most frequent touch by count without reaching more journeys.
EXTRA_TOUCHES = np.array([2.6, 1.5, 1.5, 1.5, 1.5, 1.5])

# Most display bursts are prospecting: they open the journey, days to weeks before the customer
# starts researching on their own.
P_DISPLAY_FIRST = 0.70
PROSPECTING_GAP_MIN = 3.0
PROSPECTING_GAP_MEAN = 14.0

AWARENESS_TOUCHPOINT = {
    "display": "Display ad",
    "social": "Social post",
    "search": "Search result",
    "referral": "Friend referral",
    "email": "Newsletter",
    "direct": "Homepage visit",
}
CONSIDERATION_TOUCHPOINTS = {
    "display": ("Product page", "Price comparison"),
    "social": ("Reviews", "Product page"),
    "search": ("Price comparison", "Reviews", "Product page", "Website visit"),
    "referral": ("Website visit", "Product page"),
    "email": ("Website visit", "Product page"),
    "direct": ("Website visit", "Website visit", "Product page"),
}

# Purchase model, conditional on reaching Checkout (log-odds).
PURCHASE_INTERCEPT = -1.05
PURCHASE_COEF = {
    "display": 0.0,
    "direct": 0.1,
    "search": 0.5,
    "social": 0.2,
    "email": 1.8,
    "referral": 2.4,
}
BAD_CHECKOUT_COEF = -2.4
_COEF_VECTOR = np.array([PURCHASE_COEF[c] for c in PRE_CHANNELS])

P_CONSIDERATION = 0.80
P_CHECKOUT = 0.55
P_DIRECT_CLOSES = 0.85
P_RETENTION = 0.80
P_BACKTRACK = 0.08

# Mixture used for the two "moments of truth": a bad component (score 1-2) and a good one.
P_BAD_CHECKOUT = 0.33
P_BAD_SUPPORT = 0.32
P_SUPPORT_CALL = 0.40
P_ADVOCACY = {"none": 0.48, "good": 0.52, "bad": 0.10}
REPEAT_RATE = {"none": 0.70, "good": 0.90, "bad": 0.25}

JUNE_SHIFT = -0.8
P_NOTE = 0.115

SEGMENT_SHARE = np.array([0.55, 0.30, 0.15])
SEGMENT_MEDIAN_REVENUE = np.array([85.0, 115.0, 260.0])
REVENUE_SIGMA = 0.45
REPEAT_REVENUE_FACTOR = 0.8

_MINUTE = 60.0
_HOUR = 3600.0
_DAY = 86400.0

# Quotes by topic; None is the generic pool used when no topical quote applies.
QUOTES: dict[tuple[str, str], dict[str | None, tuple[str, ...]]] = {
    ("neg", "en"): {
        "checkout": (
            "The checkout kept timing out.",
            "I had to enter my card details three times before the payment went through.",
            "Shipping costs only showed up at the very last step, so I gave up.",
            "My cart kept resetting, so I had to add everything again.",
        ),
        "delivery": (
            "The parcel arrived a week late and nobody told me why.",
            "The courier left the box at the wrong door.",
        ),
        "support": (
            "I waited 40 minutes on hold and the issue still isn't solved.",
            "Support kept transferring me between departments.",
        ),
        "order": ("The order confirmation never arrived in my inbox.",),
        "browse": ("The product page didn't say whether it fits my model.",),
        None: (
            "Honestly, a frustrating experience from start to finish.",
            "Too many pop-ups, I couldn't find what I needed.",
        ),
    },
    ("pos", "en"): {
        "checkout": (
            "Paying took less than a minute, really smooth.",
            "Loved that I could check out with Apple Pay.",
        ),
        "delivery": (
            "Delivered the next morning, well packed.",
            "The courier called ahead and came right on time.",
        ),
        "support": (
            "The agent solved my problem in five minutes.",
            "Support was patient and actually listened.",
        ),
        "order": ("Order confirmation and tracking came instantly.",),
        "browse": ("The reviews were detailed and helped me choose.",),
        "advocacy": ("Happy to leave a review - the product is excellent.",),
        None: (
            "Great experience overall, I'd recommend you to friends.",
            "Everything was clear and easy.",
        ),
    },
    ("neg", "ru"): {
        "checkout": (
            "Оплата картой не прошла с первого раза",
            "Корзина всё время сбрасывалась, пришлось собирать заказ заново",
            "Стоимость доставки показали только на последнем шаге",
        ),
        "delivery": (
            "Курьер опоздал на три дня и не предупредил",
            "Коробка пришла помятой, пришлось оформлять возврат",
        ),
        "support": (
            "Полчаса ждал ответа оператора, вопрос так и не решили",
            "В поддержке переключали с одного специалиста на другого",
        ),
        "order": ("Письмо с подтверждением заказа так и не пришло",),
        "browse": ("На странице товара не хватает характеристик",),
        None: (
            "Сайт медленно грузится и постоянно всплывают баннеры",
            "В целом остались неприятные впечатления",
        ),
    },
    ("pos", "ru"): {
        "checkout": (
            "Оформил заказ за пару минут, всё понятно",
            "Удобно, что можно оплатить через СБП",
        ),
        "delivery": (
            "Привезли на следующий день, всё аккуратно упаковано",
            "Курьер позвонил заранее и приехал вовремя",
        ),
        "support": (
            "Оператор быстро разобрался и помог",
            "В поддержке вежливо и по делу ответили",
        ),
        "order": ("Подтверждение и трек-номер пришли сразу",),
        "browse": ("Отзывы подробные, помогли с выбором",),
        "advocacy": ("С удовольствием оставил отзыв, товар отличный",),
        None: (
            "Отличный сервис, буду советовать друзьям",
            "Всё просто и удобно",
        ),
    },
    ("neg", "pl"): {
        "checkout": (
            "Płatność kartą nie przeszła za pierwszym razem",
            "Koszyk ciągle się resetował, musiałem wszystko dodawać od nowa",
            "Koszt dostawy pokazali dopiero na ostatnim kroku",
        ),
        "delivery": (
            "Kurier spóźnił się trzy dni i nikogo nie uprzedził",
            "Paczka przyszła zgnieciona, musiałem zgłosić zwrot",
        ),
        "support": (
            "Czekałem pół godziny na konsultanta i sprawa nadal nie jest załatwiona",
            "Na infolinii przełączali mnie od jednej osoby do drugiej",
        ),
        "order": ("Mail z potwierdzeniem zamówienia w ogóle nie przyszedł",),
        "browse": ("Na stronie produktu brakuje parametrów technicznych",),
        None: (
            "Strona wolno się ładuje i ciągle wyskakują reklamy",
            "Ogólnie bardzo nieprzyjemne wrażenia",
        ),
    },
    ("pos", "pl"): {
        "checkout": (
            "Zamówienie złożyłem w kilka minut, wszystko jasne",
            "Wygodnie, że można zapłacić BLIKIEM",
        ),
        "delivery": (
            "Przywieźli następnego dnia, wszystko starannie zapakowane",
            "Kurier zadzwonił wcześniej i przyjechał punktualnie",
        ),
        "support": (
            "Konsultant szybko wszystko wyjaśnił i pomógł",
            "Na infolinii odpowiedzieli uprzejmie i konkretnie",
        ),
        "order": ("Potwierdzenie i numer przesyłki przyszły od razu",),
        "browse": ("Opinie są szczegółowe, pomogły mi wybrać",),
        "advocacy": ("Chętnie wystawiłem opinię, produkt jest świetny",),
        None: (
            "Świetna obsługa, polecę znajomym",
            "Wszystko proste i wygodne",
        ),
    },
}
QUOTE_TOPIC = {
    "Checkout": "checkout",
    "Delivery": "delivery",
    "Support call": "support",
    "Order placed": "order",
    "Repeat order": "order",
    "Website visit": "browse",
    "Product page": "browse",
    "Reviews": "browse",
    "Price comparison": "browse",
    "Product review": "advocacy",
    "Referral invite": "advocacy",
}
P_TOPICAL_QUOTE = 0.75
# Note texts only (issue 18): half of the English-speaking customers' notes are written in
# Polish instead, and a negative Checkout note is the planted "cart reset" theme with this
# probability. Both are drawn from their own stream (_TEXT_STREAM), after the main stream has
# made every draw it made before, so no count, score or other column changes.
P_POLISH = 0.5
P_CART_RESET = 0.75
CART_RESET = {
    "en": "My cart kept resetting, so I had to add everything again.",
    "ru": "Корзина всё время сбрасывалась, пришлось собирать заказ заново",
    "pl": "Koszyk ciągle się resetował, musiałem wszystko dodawać od nowa",
}
_TEXT_STREAM = 18


class _Clock:
    """Seconds since PERIOD_START of the two month boundaries the June effect needs."""

    june_start = (pd.Timestamp("2026-06-01") - PERIOD_START).total_seconds()
    july_start = (pd.Timestamp("2026-07-01") - PERIOD_START).total_seconds()
    end = (PERIOD_END - PERIOD_START).total_seconds()


def _is_june(t: float) -> bool:
    return _Clock.june_start <= t < _Clock.july_start


def _mixture_score(rng: np.random.Generator, p_bad: float, t: float) -> float:
    """Score of a moment of truth: bad component around 1.4, good around 4.0."""
    latent = rng.normal(1.4, 0.5) if rng.random() < p_bad else rng.normal(4.0, 0.8)
    if _is_june(t):
        latent += JUNE_SHIFT
    return float(min(5.0, max(1.0, round(latent))))


def _browse_gap(rng: np.random.Generator) -> float:
    """Gap between pre-purchase touches: either the same session or a later day."""
    if rng.random() < 0.35:
        return _MINUTE + rng.exponential(8 * _MINUTE)
    return _HOUR + rng.exponential(2.0 * _DAY)


def _prospecting_gap(rng: np.random.Generator) -> float:
    """Gap between an opening display burst and the customer's first own research session."""
    return PROSPECTING_GAP_MIN * _DAY + rng.exponential(PROSPECTING_GAP_MEAN * _DAY)


def _customer_events(
    rng: np.random.Generator,
    start: float,
    present: np.ndarray,
    segment: int,
) -> list[tuple[float, str, str, float]]:
    """Events of one customer as (seconds since start of period, touchpoint, channel, score).

    ``score`` is only filled for Checkout and Support call, whose outcome drives the journey;
    every other score is drawn later in one vectorised pass.
    """
    nan = float("nan")
    idx = np.flatnonzero(present)
    counts = 1 + rng.poisson(EXTRA_TOUCHES[idx])
    # Display impressions come in one retargeting burst; every other touch is its own session.
    units = [
        [PRE_CHANNELS[j]] * k if PRE_CHANNELS[j] == "display" else [PRE_CHANNELS[j]]
        for j, k in zip(idx, counts, strict=True)
        for _ in range(1 if PRE_CHANNELS[j] == "display" else k)
    ]
    order = [int(u) for u in rng.permutation(len(units))]
    burst = 0
    display_unit = next((u for u in order if units[u][0] == "display"), None)
    if display_unit is not None and rng.random() < P_DISPLAY_FIRST:
        order.remove(display_unit)
        order.insert(0, display_unit)
        burst = len(units[display_unit])
    touches = [ch for u in order for ch in units[u]]
    # The closing session is typed in directly for most journeys that have direct at all,
    # whatever the outcome: last touch then over-credits direct without direct causing sales.
    if "direct" in touches and rng.random() < P_DIRECT_CLOSES:
        touches.remove("direct")
        touches.append("direct")

    considers = rng.random() < P_CONSIDERATION
    if considers:
        if len(touches) == 1:
            touches.append(touches[0])
        n_aware = 1 if len(touches) == 2 else 1 + int(rng.random() < 0.5)
        aware, consider = touches[:n_aware], touches[n_aware:]
    else:
        aware, consider = touches, []

    # gaps[k] leads to touch k. ``start`` is when the customer's own sessions begin: an opening
    # display burst runs before it (as far as the period allows), so prospecting does not push
    # purchases past the end of the period.
    gaps = [0.0] + [
        _prospecting_gap(rng) if k == burst else _browse_gap(rng) for k in range(1, len(touches))
    ]
    t = start - min(sum(gaps[:burst]) if burst < len(touches) else 0.0, start)
    events: list[tuple[float, str, str, float]] = []
    for k, ch in enumerate(aware):
        t += gaps[k]
        events.append((t, AWARENESS_TOUCHPOINT[ch], ch, nan))
    for k, ch in enumerate(consider, start=len(aware)):
        t += gaps[k]
        options = CONSIDERATION_TOUCHPOINTS[ch]
        events.append((t, options[rng.integers(len(options))], ch, nan))

    if not considers or rng.random() >= P_CHECKOUT:
        return events

    # Checkout continues the last session, so it inherits that session's channel.
    t += rng.uniform(2, 20) * _MINUTE
    checkout_score = _mixture_score(rng, P_BAD_CHECKOUT, t)
    events.append((t, "Checkout", consider[-1], checkout_score))
    logit = (
        PURCHASE_INTERCEPT
        + float(_COEF_VECTOR[idx].sum())
        + (BAD_CHECKOUT_COEF if checkout_score <= 2 else 0.0)
    )
    if rng.random() >= 1.0 / (1.0 + np.exp(-logit)):
        return events

    t_order = t + rng.uniform(1, 12) * _MINUTE
    p_phone = 0.25 if segment == 2 else 0.08
    order_channel = str(rng.choice(["direct", "store", "phone"], p=[0.77 - p_phone, 0.23, p_phone]))
    events.append((t_order, "Order placed", order_channel, nan))

    if rng.random() < P_BACKTRACK:
        t_back = t_order + rng.uniform(1, 10) * _DAY
        events.append((t_back, "Product page", "email" if rng.random() < 0.5 else "direct", nan))

    if rng.random() >= P_RETENTION:
        return events

    service: list[tuple[float, str, str, float]] = []
    if order_channel != "store" or rng.random() < 0.3:
        ch = "store" if order_channel == "store" else "direct"
        service.append((t_order + rng.uniform(1, 6) * _DAY, "Delivery", ch, nan))
    if rng.random() < 0.6:
        service.append((t_order + rng.uniform(0.3, 3) * _DAY, "Onboarding email", "email", nan))
    support = "none"
    if rng.random() < P_SUPPORT_CALL:
        t_call = t_order + rng.uniform(3, 25) * _DAY
        score = _mixture_score(rng, P_BAD_SUPPORT, t_call)
        support = "bad" if score <= 2 else "good"
        service.append((t_call, "Support call", "phone", score))
    if not service:
        service.append((t_order + rng.uniform(0.3, 3) * _DAY, "Onboarding email", "email", nan))
    events.extend(service)

    t_repeat = t_order
    for _ in range(rng.poisson(REPEAT_RATE[support])):
        t_repeat += 5 * _DAY + rng.exponential(35 * _DAY)
        ch = str(rng.choice(["direct", "email", "store", "phone"], p=[0.5, 0.25, 0.15, 0.1]))
        events.append((t_repeat, "Repeat order", ch, nan))

    if rng.random() < P_ADVOCACY[support]:
        t_adv = max(e[0] for e in service) + 2 * _DAY + rng.exponential(8 * _DAY)
        review = rng.random() < 0.75
        if review:
            ch = str(rng.choice(["direct", "social", "email"], p=[0.5, 0.3, 0.2]))
            events.append((t_adv, "Product review", ch, nan))
        if not review or rng.random() < 0.4:
            t_inv = t_adv + rng.uniform(0.5, 10) * _DAY
            ch = "referral" if rng.random() < 0.8 else "social"
            events.append((t_inv, "Referral invite", ch, nan))
    return events


def _pick_notes(
    rng: np.random.Generator, touchpoints: np.ndarray, scores: np.ndarray, seed: int = 7
) -> np.ndarray:
    """Quotes on a random ~8% of rated events, tone matching the score (none on a neutral 3).

    Which events carry a note, and the main stream's draws for each, are as before Polish was
    added; the Polish wording and the planted cart-reset theme come from a separate stream
    (``default_rng([seed, _TEXT_STREAM])``), so they change note texts and nothing else.
    """
    text_rng = np.random.default_rng([seed, _TEXT_STREAM])
    notes = np.full(len(scores), None, dtype=object)
    polar = ~np.isnan(scores) & (scores != 3)
    chosen = np.flatnonzero(polar & (rng.random(len(scores)) < P_NOTE))
    for i in chosen:
        tone = "neg" if scores[i] <= 2 else "pos"
        lang = "ru" if rng.random() < 0.5 else "en"
        pools = QUOTES[(tone, lang)]
        topic = QUOTE_TOPIC.get(str(touchpoints[i]))
        topical = topic in pools and rng.random() < P_TOPICAL_QUOTE
        pool = pools[topic] if topical else pools[None]
        notes[i] = pool[rng.integers(len(pool))]
        if lang == "en" and text_rng.random() < P_POLISH:
            lang = "pl"
            pool = QUOTES[(tone, lang)][topic if topical else None]
            notes[i] = pool[text_rng.integers(len(pool))]
        if tone == "neg" and topic == "checkout" and text_rng.random() < P_CART_RESET:
            notes[i] = CART_RESET[lang]
    return notes


def generate(n_customers: int = 5000, seed: int = 7) -> pd.DataFrame:
    """Generate synthetic touchpoint events for ``n_customers`` customers.

    One row per event, sorted by ``customer_id`` then ``timestamp``, all timestamps between
    2026-03-01 and 2026-08-31 (journeys are cut at the end of the period). Deterministic for a
    given ``seed``: only ``numpy.random.default_rng(seed)`` is used.

    Columns: ``customer_id`` ("C00001"), ``timestamp`` (naive datetime64, whole seconds),
    ``stage`` (Awareness, Consideration, Purchase, Retention, Advocacy), ``channel`` (search,
    social, email, display, referral, direct, store, phone), ``touchpoint``, ``emotion`` (CSAT
    1-5 as float, NaN when the event was not rated, ~60% rated), ``converted`` (1 on "Order
    placed" and "Repeat order"), ``revenue`` (lognormal, > 0 exactly on converted rows),
    ``segment`` (New customer / Returning / Business, Business spends ~2.5x more) and ``note``
    (a Russian, English or Polish quote — about half, a quarter and a quarter — on ~8% of rated
    events, negative for scores <= 2, positive for >= 4; missing otherwise).

    Journey model: every customer has Awareness touches; 80% go on to Consideration touches, 55%
    of those reach "Checkout" (always the last Consideration touch before a purchase); buyers get
    "Order placed", 80% of buyers get Retention events (Delivery, Onboarding email, Support call,
    Repeat order) and some of those Advocacy events (Product review, Referral invite); 8% of
    buyers revisit a product page after buying. A customer's display impressions come as one
    burst of consecutive touches; 70% of bursts open the journey (prospecting) and end 3 days +
    Exponential(14 days) before the customer's own sessions start.

    Planted effects (true sizes; measured values on the default sample are in brackets):

    1. Checkout pain point. The Checkout score is a mixture: 33% "bad" component around 1.4,
       else around 4.0, so ~37% of checkouts score 1-2 [36.4% of rated checkouts]. A bad
       checkout adds -2.4 to the purchase log-odds: purchase rate ~0.30 after a bad checkout vs
       ~0.69 after a good one [0.28 vs 0.68]. Hence Consideration -> Purchase is the lowest step
       conversion of the stage funnel [customers reaching each stage 5000 / 3949 / 1071 / 874 /
       340; steps 0.79, 0.27, 0.82, 0.39].
    2. Support-call moment of truth. 40% of retained buyers call support; 32% of calls fall in a
       bad component (score 1-2; June's shift adds a few more) [39% of rated calls]. Advocacy
       probability is 0.10 after a bad call, 0.52 after a good one, 0.48 without a call [0.09 vs
       0.47]; repeat orders are Poisson with mean 0.25 after a bad call, 0.90 after a good one,
       0.70 without a call [0.25 vs 0.61 repeat orders per caller].
    3. Channels of known incremental value. Each pre-purchase channel is present in a journey
       independently (display 0.68, direct 0.58, search 0.50, referral 0.45, email 0.42, social
       0.40); display is shown 1 + Poisson(2.6) times in one burst, the others 1 + Poisson(1.5)
       times in separate sessions, so display is the most frequent touch [30% of pre-purchase
       touches, reaching 69% of customers]. Given Checkout, purchase is logistic with intercept
       -1.05 and log-odds coefficients referral +2.4, email +1.8, search +0.5, social +0.2,
       direct +0.1, display 0.0, plus -2.4 for a bad checkout (a good checkout converts 26% of
       journeys with none of these channels, 79% with referral alone, 68% with email alone)
       [refit on rated checkouts: referral 2.37, email 1.89, search 0.46, social 0.40, direct
       0.08, display -0.15, bad checkout -2.45]. Reaching Consideration and Checkout does not
       depend on channels. Independently of the outcome, 85% of journeys with a direct touch
       have it as the closing session, which Checkout continues, so direct is by far the most
       common channel right before "Order placed" [48% of orders; referral next with 15%]
       although non-buyers have a direct touch almost as often as buyers [51% vs 55%;
       purchase-rate contrast, touched minus not touched: referral +0.19, email +0.13, search
       +0.06, social +0.03, direct +0.03, display -0.03]. Attribution with the default 30-day
       lookback [conversions credited: Markov email 247, referral 229, display 196; Shapley
       email 288, referral 240, display 178; last touch gives direct 48% of conversions,
       Markov 22%].
    4. Emotion dip: every score in June 2026 is shifted by -0.8 on the latent 1-5 scale before
       rounding and clipping ("June 2026 delivery problems") [June mean 2.98 vs 3.73 in the
       other months, a 0.75 drop].
    5. A theme in what customers say (issue 18): 75% of negative Checkout notes say the cart
       kept resetting ("My cart kept resetting…", "Корзина всё время сбрасывалась…", "Koszyk
       ciągle się resetował…"), in the note's language; the rest keep the usual Checkout and
       generic complaints. Only note texts carry it (drawn from a separate random stream).

    Default sample: 45,066 events for 5,000 customers (9.0 per customer), 63% rated, 21% of
    customers buy at least once.
    """
    rng = np.random.default_rng(seed)
    n = int(n_customers)
    segments = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    starts = rng.uniform(0.0, _Clock.end, size=n)
    present = rng.random((n, len(PRE_CHANNELS))) < CHANNEL_PRESENCE
    # A journey needs at least one touch; display is the realistic default first impression.
    present[~present.any(axis=1), 0] = True

    cust: list[int] = []
    times: list[float] = []
    tps: list[str] = []
    chans: list[str] = []
    fixed: list[float] = []
    for i in range(n):
        events = _customer_events(rng, float(starts[i]), present[i], int(segments[i]))
        events.sort(key=lambda e: e[0])
        cust.extend([i] * len(events))
        for t, tp, ch, score in events:
            times.append(t)
            tps.append(tp)
            chans.append(ch)
            fixed.append(score)

    cust_arr = np.asarray(cust, dtype=np.int64)
    secs = np.floor(np.asarray(times))
    keep = secs <= _Clock.end
    cust_arr, secs = cust_arr[keep], secs[keep]
    tp_arr = np.asarray(tps, dtype=object)[keep]
    ch_arr = np.asarray(chans, dtype=object)[keep]
    fixed_arr = np.asarray(fixed)[keep]
    m = len(secs)

    stage_arr = np.array([TOUCHPOINTS[tp][0] for tp in tp_arr], dtype=object)
    mu = np.array([TOUCHPOINTS[tp][1] for tp in tp_arr], dtype=np.float64)
    p_rated = np.array([TOUCHPOINTS[tp][2] for tp in tp_arr], dtype=np.float64)

    june = (secs >= _Clock.june_start) & (secs < _Clock.july_start)
    latent = mu + rng.normal(0.0, SCORE_SD, m) + np.where(june, JUNE_SHIFT, 0.0)
    scores = np.clip(np.round(latent), 1.0, 5.0)
    scores = np.where(np.isnan(fixed_arr), scores, fixed_arr)
    scores = np.where(rng.random(m) < p_rated, scores, np.nan)

    converted = np.isin(tp_arr, ["Order placed", "Repeat order"]).astype(np.int64)
    seg_arr = segments[cust_arr]
    median = SEGMENT_MEDIAN_REVENUE[seg_arr] * np.where(
        tp_arr == "Repeat order", REPEAT_REVENUE_FACTOR, 1.0
    )
    revenue = np.round(median * np.exp(rng.normal(0.0, REVENUE_SIGMA, m)), 2)
    revenue = np.where(converted == 1, np.maximum(revenue, 1.0), 0.0)

    notes = _pick_notes(rng, tp_arr, scores, seed)
    ids = np.array([f"C{i + 1:05d}" for i in range(n)], dtype=object)
    timestamps = PERIOD_START.to_datetime64() + secs.astype("timedelta64[s]")

    return pd.DataFrame(
        {
            "customer_id": pd.array(ids[cust_arr], dtype="str"),
            "timestamp": pd.to_datetime(timestamps).astype("datetime64[us]"),
            "stage": pd.array(stage_arr, dtype="str"),
            "channel": pd.array(ch_arr, dtype="str"),
            "touchpoint": pd.array(tp_arr, dtype="str"),
            "emotion": scores.astype(np.float64),
            "converted": converted,
            "revenue": revenue.astype(np.float64),
            "segment": pd.array(np.asarray(SEGMENTS, dtype=object)[seg_arr], dtype="str"),
            "note": pd.array(notes, dtype="str"),
        },
        columns=list(COLUMNS),
    )


def write(
    directory: str | Path = "sample_data", n_customers: int = 5000, seed: int = 7
) -> dict[str, Path]:
    """Write ``journeys.csv`` and ``journeys.xlsx`` for :func:`generate` into ``directory``.

    The CSV is UTF-8 and comma-separated, with "YYYY-MM-DD HH:MM:SS" timestamps, integer scores
    and empty cells for missing values. The workbook has one sheet, "Touchpoints", with real Excel
    datetimes. Returns ``{"csv": path, "xlsx": path}``.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    frame = generate(n_customers=n_customers, seed=seed)
    # Nullable integers keep scores as "4" rather than "4.0" while leaving gaps empty.
    frame["emotion"] = frame["emotion"].astype("Int64")

    csv_path = out / "journeys.csv"
    frame.to_csv(
        csv_path,
        index=False,
        encoding="utf-8",
        date_format="%Y-%m-%d %H:%M:%S",
        float_format="%.2f",
        lineterminator="\n",
    )

    xlsx_path = out / "journeys.xlsx"
    with pd.ExcelWriter(
        xlsx_path, engine="openpyxl", datetime_format="YYYY-MM-DD HH:MM:SS"
    ) as writer:
        frame.to_excel(writer, sheet_name="Touchpoints", index=False)
    return {"csv": csv_path, "xlsx": xlsx_path}


def _main(argv: list[str]) -> int:
    directory = argv[0] if argv else "sample_data"
    for kind, path in write(directory).items():
        print(f"{kind}: {path} ({path.stat().st_size / 2**20:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
