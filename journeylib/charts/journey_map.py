"""The journey map as one Altair chart (stages as columns), and as HTML for presenting it."""

from __future__ import annotations

import textwrap
from html import escape

import altair as alt
import pandas as pd

from journeylib.charts.base import check_small, localized
from journeylib.i18n import formats, label, number, t
from journeylib.journey_map import outcome_names
from journeylib.journeys import BUYER_JOURNEY, CUSTOMER_JOURNEY

BUYER_DARK, CUSTOMER_DARK = "#0072B2", "#007A5A"
PAIN_FILL, PAIN_LINE, PAIN_TEXT = "#FBE1D3", "#D55E00", "#A63F00"
DELIGHT_FILL, DELIGHT_LINE, DELIGHT_TEXT = "#D9F2E7", "#009E73", "#00694C"
PLAIN_FILL, PLAIN_LINE, PLAIN_TEXT = "#F4F5F7", "#C9CDD3", "#1F2933"
_AXIS_WIDTH = 92
_NAME_LINE = 18  # px between two lines of a card's name, at scale 1


def _row_axis(title: str, scale: float) -> alt.Axis:
    """A y axis of fixed width holding only the row's name, so every row lines up."""
    return alt.Axis(
        title=title.split("\n"), labels=False, ticks=False, domain=False, grid=False,
        minExtent=_AXIS_WIDTH, maxExtent=_AXIS_WIDTH, titleFontSize=round(14 * scale),
        titleColor="#52606D", titleAngle=0, titleAlign="right", titleBaseline="middle",
        titleX=-8,
    )


def _signed(value: float) -> str:
    """A valence such as ``+0.28`` / ``−0,01`` (a true minus) in the current language."""
    return formats.signed(value, 2)


def _kpi_text(row: pd.Series) -> str:
    """The card's KPI line ("Negative share 0.36 / 0.20 ✗"); "" without a target."""
    if pd.isna(row["target"]):
        return ""
    return t(
        "journey_map.chart.kpi", kpi=t(f"touchpoints.kpi_name.{row['kpi']}"),
        value=number(row["kpi_value"], 2), target=number(row["target"], 2),
        mark="✓" if row["status"] == "on target" else "✗",
    )


def journey_map_chart(
    stages: pd.DataFrame,
    touchpoints: pd.DataFrame,
    focus: str | None = None,
    column_width: int = 250,
    scale: float = 1.0,
    title: str | None = None,
    note: str = "",
    name_lines: int = 1,
    quote_lines: int = 4,
    curve_height: int = 130,
):
    """Stages as columns: journey band, stage headers, the emotion curve across all columns,
    top touchpoint cards (pain red, delight green, ★ moment of truth, owner and KPI), top
    channels and one negative and one positive customer quote per stage.

    ``stages`` / ``touchpoints`` are :class:`journeylib.journey_map.JourneyMap` frames.
    ``focus``: a stage to highlight (the others are dimmed), for presenting stage by stage.
    ``column_width`` (pixels per stage) and ``scale`` (type size) make it legible on a
    projector. ``title``: None for the default title, "" for none. ``note``: one more legend
    line under the title (e.g. :func:`journeylib.journey_map.map_note`), "" for none.
    ``name_lines``: a card's name is cut at spaces into up to that many lines (the last one
    cut short by the card's width), the cards growing by a line for each line some name needs
    (1: one line, as on screen). ``quote_lines``: at most that many lines a customer quote
    (shortened with "…"). ``curve_height``: the feeling row's height at scale 1 (px). The
    handout builds its page's map with these (:func:`journeylib.handout.journey_map_page`).
    """
    check_small(stages)
    check_small(touchpoints)
    order = stages["stage"].tolist()
    width = column_width * len(order)
    xscale = alt.Scale(domain=order, paddingInner=0.06, paddingOuter=0.03)
    x = alt.X("stage:N", sort=order, scale=xscale, axis=None)
    dim = alt.Opacity("dim:N", scale=alt.Scale(domain=[False, True], range=[1.0, 0.25]),
                      legend=None)
    font = lambda size: round(size * scale)  # noqa: E731
    # characters per line of 13px text in a column (average glyph ~7.3px, italic included)
    chars = max(16, int((column_width - 16) / (7.3 * scale)))

    st = stages.assign(dim=stages["stage"].ne(focus) if focus else False)
    # The chart data carries the journey parts in the interface language, not as codes.
    st["journey_label"] = st["journey"].map(label).where(
        st["journey"].ne(st["journey"].shift()), "")
    st["journey"] = st["journey"].map(label)
    journey_colors = alt.Scale(domain=[label(BUYER_JOURNEY), label(CUSTOMER_JOURNEY)],
                               range=[BUYER_DARK, CUSTOMER_DARK])
    journey_color = alt.Color("journey:N", scale=journey_colors, legend=None)
    band_base = alt.Chart(st).encode(x=alt.X("stage:N", sort=order, scale=xscale, axis=None,
                                             bandPosition=0))
    band = alt.layer(
        band_base.mark_text(align="left", baseline="bottom", fontWeight="bold",
                            fontSize=font(15), dx=2).encode(
            text=alt.Text("journey_label:N"), color=journey_color, y=alt.value(font(18))
        ),
        alt.Chart(st).mark_rect().encode(
            x=x, color=journey_color, y=alt.value(font(21)), y2=alt.value(font(25))
        ),
    ).properties(width=width, height=font(26))
    header_base = alt.Chart(st).encode(x=x, opacity=dim)
    header = alt.layer(
        header_base.mark_rect(cornerRadius=6).encode(color=journey_color),
        header_base.mark_text(color="white", fontWeight="bold", fontSize=font(19)).encode(
            text=alt.Text("stage:N")
        ),
    ).properties(width=width, height=font(44))

    curve_data = st.dropna(subset=["valence_mean"]).assign(
        label=lambda f: f["valence_mean"].map(_signed)
    )
    curve_base = alt.Chart(curve_data).encode(x=x)
    yscale = alt.Scale(zero=False, nice=True, padding=font(18))
    yaxis = _row_axis(t("journey_map.chart.row_feeling"), scale)
    y = alt.Y("valence_mean:Q", scale=yscale, axis=yaxis)
    curve = alt.layer(
        curve_base.mark_area(color=BUYER_DARK, opacity=0.15).encode(
            y=alt.Y("ci_low:Q", scale=yscale, axis=yaxis), y2="ci_high:Q"
        ),
        curve_base.mark_line(color="#3E4C59", strokeWidth=font(4)).encode(y=y),
        curve_base.mark_circle(color="#3E4C59", size=font(14) ** 2, opacity=1).encode(
            y=y, opacity=dim,
            tooltip=[alt.Tooltip("stage:N", title=t("emotions.by.stage")),
                     alt.Tooltip("valence_mean:Q", title=t("emotions.chart.valence"),
                                 format="+.2f"),
                     alt.Tooltip("n:Q", title=t("emotions.chart.ratings"), format=",")],
        ),
        curve_base.mark_text(dy=-font(20), fontSize=font(15), fontWeight="bold",
                             color="#1F2933").encode(y=y, text=alt.Text("label:N"), opacity=dim),
    ).properties(width=width, height=font(curve_height))

    tp = touchpoints.copy()
    tp["dim"] = tp["stage"].ne(focus) if focus else False
    tp = tp.assign(**card_lines(tp, column_width - 24, font(13)))
    names = [_name_lines(n, column_width - 24, font(16), name_lines) for n in tp["name"]]
    used = max((len(n) for n in names), default=1)
    for i in range(used):
        tp[f"name_{i}"] = [[*n, *[""] * used][i] for n in names]
    looks = {"pain": (PAIN_FILL, PAIN_LINE, PAIN_TEXT),
             "delight": (DELIGHT_FILL, DELIGHT_LINE, DELIGHT_TEXT)}
    tp["fill"], tp["line"], tp["ink"] = zip(
        *[looks.get(f, (PLAIN_FILL, PLAIN_LINE, PLAIN_TEXT)) for f in tp["flag"]], strict=True
    ) if len(tp) else ([], [], [])
    ranks = list(range(int(tp["rank"].max()) + 1)) if len(tp) else [0]
    ry = alt.Y("rank:O", scale=alt.Scale(domain=ranks, paddingInner=0.12, paddingOuter=0.04),
               axis=_row_axis(t("journey_map.chart.row_touchpoints"), scale))
    fill = alt.Color("fill:N", scale=None)
    line = alt.Stroke("line:N", scale=None)
    ink = alt.Color("ink:N", scale=None)
    card_base = alt.Chart(tp).encode(x=x, y=ry, opacity=dim)
    limit = column_width - 24
    # Owner and KPI get a line each (in long languages they do not fit one), shown only when
    # set; cards grow by a line only when some card has both.
    extra = 16 if (tp["meta_2"] != "").any() else 0
    # A name of more lines moves the name up and the rest down, by half a line each.
    name_extra = _NAME_LINE * (used - 1)
    card_h = font(84 + extra + name_extra)
    up, down = extra // 2, name_extra / 2
    name_marks = [
        card_base.mark_text(fontSize=font(16), fontWeight="bold",
                            dy=-font(25 + up + down) + i * font(_NAME_LINE),
                            limit=limit).encode(text=alt.Text(f"name_{i}:N"), color=ink)
        for i in range(used)
    ] if used > 1 else [
        card_base.mark_text(fontSize=font(16), fontWeight="bold", dy=-font(25 + up),
                            limit=limit).encode(text=alt.Text("name:N"), color=ink)
    ]
    cards = alt.layer(
        card_base.mark_rect(cornerRadius=6, strokeWidth=font(2)).encode(color=fill,
                                                                         stroke=line),
        *name_marks,
        card_base.mark_text(fontSize=font(13), dy=-font(6 + up - down), limit=limit,
                            color=PLAIN_TEXT).encode(text=alt.Text("facts:N")),
        card_base.mark_text(fontSize=font(13), dy=font(11 - up + down), limit=limit,
                            fontStyle="italic").encode(text=alt.Text("why:N"), color=ink),
        card_base.mark_text(fontSize=font(12), dy=font(27 - up + down), limit=limit,
                            color="#52606D").encode(text=alt.Text("meta_1:N")),
        card_base.mark_text(fontSize=font(12), dy=font(27 + up + down), limit=limit,
                            color="#52606D").encode(text=alt.Text("meta_2:N")),
    ).properties(width=width, height=card_h * len(ranks))

    channels = alt.Chart(st.assign(text=st["channels"].map(
        lambda c: "\n".join(_pack(c.split(", "), chars))))).mark_text(
        fontSize=font(13), color="#1F2933", lineHeight=font(18), baseline="middle",
        lineBreak="\n",
    ).encode(x=x, text=alt.Text("text"), opacity=dim, y=alt.value(font(28)))
    channels = _label_row(channels, t("journey_map.chart.row_channels"), scale).properties(
        width=width, height=font(56))

    most = max(1, quote_lines)
    quote_lines = min(most, max(
        [len(_wrap_quote(q, chars, most)) for q in [*st["quote_negative"],
                                                    *st["quote_positive"]]],
        default=1,
    ))
    quotes = st.assign(
        neg=st["quote_negative"].map(lambda q: "\n".join(_wrap_quote(q, chars, quote_lines))),
        pos=st["quote_positive"].map(lambda q: "\n".join(_wrap_quote(q, chars, quote_lines))),
    )
    line_h = font(18)
    quote_h = line_h * quote_lines
    quote_base = alt.Chart(quotes).encode(x=x, opacity=dim)
    voice = alt.layer(
        quote_base.mark_text(fontSize=font(13), fontStyle="italic", color=PAIN_TEXT,
                             baseline="top", lineHeight=line_h, lineBreak="\n").encode(
            text=alt.Text("neg"), y=alt.value(font(6))),
        quote_base.mark_text(fontSize=font(13), fontStyle="italic", color=DELIGHT_TEXT,
                             baseline="top", lineHeight=line_h, lineBreak="\n").encode(
            text=alt.Text("pos"), y=alt.value(font(14) + quote_h)),
    )
    voice = _label_row(voice, t("journey_map.chart.row_voice"), scale).properties(
        width=width, height=2 * quote_h + font(24)
    )

    return localized(
        alt.vconcat(band, header, curve, cards, channels, voice, spacing=font(8))
        .resolve_scale(x="shared", color="independent", opacity="independent",
                       y="independent")
        .properties(
            title=alt.Title(
                t("journey_map.chart.title") if title is None else title,
                subtitle=[t("journey_map.chart.legend_cards"), t("journey_map.chart.legend_rows"),
                          *filter(None, [note])],
                fontSize=font(24), subtitleFontSize=font(14), anchor="start",
            )
        )
        .configure(font="Helvetica, Arial, sans-serif", background="white", padding=font(16))
        .configure_view(stroke=None)
    )


def card_lines(touchpoints: pd.DataFrame, width: float = 1e9, size: float = 13
                ) -> dict[str, list[str]]:
    """The text of each touchpoint card (rows of a JourneyMap ``touchpoints`` frame), in the
    current language: ``name`` ("★ " first for a moment of truth), ``facts`` (valence and
    customers), ``why`` (moment of truth, pain or delight point; "" for a plain card; the short
    moment wording when the full one is wider than ``width`` px at ``size`` px), ``meta_1`` and
    ``meta_2``: the owner line and the KPI line, each only when set (an owner given, a target
    set), moved up so that a card with one of them has it in ``meta_1``; "" when unset."""
    tp = touchpoints
    meta = [[line for line in (t("journey_map.chart.owner", owner=o) if o else "", k) if line]
            for o, k in zip(tp["owner"].fillna("").astype(str).str.strip(),
                            [_kpi_text(r) for _, r in tp.iterrows()], strict=True)]
    return {
        "name": [("★ " if m else "") + n for n, m in zip(tp["touchpoint"],
                                                         tp["moment_of_truth"], strict=True)],
        "facts": [
            t("journey_map.chart.facts", valence=_signed(v) if pd.notna(v) else t(
                "journey_map.chart.unrated"), n=int(c))
            for v, c in zip(tp["valence"], tp["customers"], strict=True)
        ],
        "why": [
            _why_moment(outcome_names(m), width, size) if m
            else t(f"journey_map.chart.why_{f}") if f else ""
            for m, f in zip(tp["moment_of_truth"], tp["flag"], strict=True)
        ],
        "meta_1": [[*m, ""][0] for m in meta],
        "meta_2": [[*m, "", ""][1] for m in meta],
    }


def _name_lines(name: str, width: float, size: float, lines: int) -> list[str]:
    """A card's ``name`` cut at spaces into at most ``lines`` lines of ``width`` px in bold
    ``size`` px type; the rest joins the last line (the chart's ``limit`` cuts it short)."""
    if lines <= 1:
        return [name]
    from journeylib.export import wrap_text

    wrapped = wrap_text(name, size, width, bold=True)
    return [*wrapped[: lines - 1], " ".join(wrapped[lines - 1:])] if len(wrapped) > lines \
        else wrapped


def _label_row(chart: alt.Chart | alt.LayerChart, title: str, scale: float) -> alt.LayerChart:
    """Give a text-only row the same fixed-width left label as the other rows: an invisible
    mark carries the y axis, the text marks place themselves in pixels."""
    carrier = alt.Chart(pd.DataFrame({"row": [""]})).mark_point(opacity=0).encode(
        y=alt.Y("row:N", axis=_row_axis(title, scale))
    )
    return alt.layer(carrier, chart)


def _text_px(text: str, size: float) -> float:
    """Rough width in pixels of ``text`` in Helvetica/Arial at ``size`` px: average glyph
    widths in em (Cyrillic letters are wider than Latin ones)."""
    em = sum(0.62 if "\u0400" <= c <= "\u04ff" else 0.68 if c.isupper()
             else 0.3 if c in " .,:;·'" else 0.52 for c in text)
    return em * size


def _why_moment(outcomes: str, width: float, size: float) -> str:
    """The card line of a moment of truth; "★ <outcomes>" when the full wording ("момент
    истины: удержание") would not fit ``width`` pixels at ``size`` px and be cut."""
    full = t("journey_map.chart.why_moment", outcomes=outcomes)
    return full if _text_px(full, size) <= width else t("journey_map.chart.why_moment_short",
                                                        outcomes=outcomes)


def _pack(items: list[str], chars: int) -> list[str]:
    """Join items with " · " into lines of at most ``chars`` characters, never splitting one."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 3 + len(item) <= chars:
            lines[-1] += f" · {item}"
        else:
            lines.append(item)
    return lines or [""]


def _wrap_quote(quote: str, chars: int, lines: int) -> list[str]:
    if not quote:
        return [""]
    wrapped = textwrap.wrap(f"“{quote}”", chars)
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1:]),
                                                           chars, placeholder="…”")]
    return wrapped


# The presentation view: sizes in px for a 1920×1080 projector, read from the back of a room.
PRESENTATION_STYLE = """<style>
.jm-strip { display: grid; gap: 14px; align-items: start; font-family: Helvetica, Arial,
  sans-serif; color: #1F2933; }
.jm-stage { min-width: 0; transition: opacity .2s; }
.jm-stage.is-faded { opacity: .3; }
.jm-head { color: white; border-radius: 8px; padding: 8px 12px; font-weight: bold;
  font-size: 22px; line-height: 1.2; overflow-wrap: anywhere; }
.jm-stage.is-focus .jm-head { font-size: 40px; padding: 10px 16px; }
.jm-line { font-size: 16px; line-height: 1.3; margin: 6px 2px; overflow-wrap: anywhere; }
.jm-stage.is-focus .jm-line { font-size: 24px; margin: 8px 2px; }
.jm-cards { display: grid; gap: 10px; margin-top: 8px; }
.jm-stage.is-focus .jm-cards { grid-template-columns: repeat(auto-fill, minmax(380px, 1fr));
  gap: 14px; }
.jm-card { border: 2px solid #C9CDD3; background: #F4F5F7; border-radius: 8px;
  padding: 6px 10px; min-width: 0; }
.jm-card.pain { border-color: #D55E00; background: #FBE1D3; }
.jm-card.delight { border-color: #009E73; background: #D9F2E7; }
.jm-card-title { font-size: 17px; font-weight: bold; line-height: 1.2;
  overflow-wrap: anywhere; }
.jm-card-line { font-size: 14px; line-height: 1.3; overflow-wrap: anywhere; }
.jm-stage.is-focus .jm-card { padding: 10px 16px; border-width: 3px; }
.jm-stage.is-focus .jm-card-title { font-size: 32px; }
.jm-stage.is-focus .jm-card-line { font-size: 24px; }
.jm-stage.is-faded .jm-card-line.why, .jm-stage.is-faded .jm-card-line.meta { display: none; }
.jm-card.pain .jm-card-title, .jm-card.pain .why, .jm-quote.negative { color: #A63F00; }
.jm-card.delight .jm-card-title, .jm-card.delight .why, .jm-quote.positive { color: #00694C; }
.jm-card-line.meta { color: #52606D; }
.jm-quote { font-style: italic; }
</style>"""
_QUOTE_CHARS = 180


def presentation_html(stages: pd.DataFrame, touchpoints: pd.DataFrame,
                      focus: str | None = None) -> str:
    """The journey map for presenting, as HTML (with its style): one column per stage with its
    header, feeling, channels and touchpoint cards (as :func:`card_lines`), coloured like the
    chart. With ``focus`` (a stage) that column is three times as wide, in large type (card
    titles 32 px, details 24 px, its two customer quotes) and the others are faded and show
    only their cards' names and facts. Every value from the data is escaped."""
    check_small(stages)
    check_small(touchpoints)
    widths = " ".join("3fr" if s == focus else "1fr" for s in stages["stage"])
    columns = []
    for row in stages.itertuples():
        state = "is-focus" if row.stage == focus else "is-faded" if focus else ""
        tp = touchpoints[touchpoints["stage"] == row.stage]
        color = BUYER_DARK if row.journey == BUYER_JOURNEY else CUSTOMER_DARK
        feeling = (t("journey_map.present.feeling", valence=_signed(row.valence_mean),
                     n=int(row.n)) if pd.notna(row.valence_mean)
                   else t("journey_map.describe.no_stage_ratings"))
        parts = [f'<div class="jm-head" style="background:{color}">{escape(row.stage)}</div>',
                 f'<div class="jm-line">{escape(feeling)}</div>']
        if row.channels and state != "is-faded":
            channels = t("journey_map.present.channels", channels=row.channels)
            parts.append(f'<div class="jm-line">{escape(channels)}</div>')
        parts.append(f'<div class="jm-cards">{_cards_html(tp)}</div>')
        if state == "is-focus":
            for tone in ("negative", "positive"):
                quote = getattr(row, f"quote_{tone}")
                if quote:
                    short = textwrap.shorten(quote, _QUOTE_CHARS, placeholder="…")
                    parts.append(f'<div class="jm-line jm-quote {tone}">“{escape(short)}”</div>')
        columns.append(f'<div class="jm-stage {state}" data-stage="{escape(row.stage)}">'
                       + "".join(parts) + "</div>")
    return (PRESENTATION_STYLE + f'<div class="jm-strip" style="grid-template-columns:{widths}">'
            + "".join(columns) + "</div>")


def _cards_html(touchpoints: pd.DataFrame) -> str:
    """The cards of one stage's touchpoints."""
    if touchpoints.empty:
        return ""
    lines = card_lines(touchpoints)
    cards = []
    for i, flag in enumerate(touchpoints["flag"]):
        body = [f'<div class="jm-card-title">{escape(lines["name"][i])}</div>',
                f'<div class="jm-card-line">{escape(lines["facts"][i])}</div>']
        if lines["why"][i]:
            body.append(f'<div class="jm-card-line why">{escape(lines["why"][i])}</div>')
        for key in ("meta_1", "meta_2"):
            if lines[key][i]:
                body.append(f'<div class="jm-card-line meta">{escape(lines[key][i])}</div>')
        cards.append(f'<div class="jm-card {escape(flag)}">' + "".join(body) + "</div>")
    return "".join(cards)
