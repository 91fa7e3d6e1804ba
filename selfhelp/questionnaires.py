"""Validated questionnaires: definitions, scoring and plain-English guidance.

Pure Python on purpose: it imports nothing from Django, so clinicians' tools, the public
self-help pages and the tests all share one scoring rule without needing settings.

Sources (see /work/shared/DOMAIN.md):
- PHQ-9: Kroenke, Spitzer & Williams 2001. Free to reproduce.
- GAD-7: Spitzer et al. 2006. Free to reproduce.
- AUDIT: WHO, Babor et al. 2001 (second edition). AUDIT-C is its first three items
  (Bush et al. 1998), scored as used in the UK: 5 or more is positive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MEASURES",
    "URGENT_GUIDANCE",
    "Band",
    "Guidance",
    "Item",
    "Measure",
    "Option",
    "Result",
    "band_guidance",
    "measure_for_slug",
    "score",
]


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    options: tuple[Option, ...]

    @property
    def allowed_values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.options)


@dataclass(frozen=True)
class Band:
    """An inclusive range of totals and its published name."""

    lowest: int
    highest: int
    name: str


@dataclass(frozen=True)
class Measure:
    code: str
    title: str
    stem: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    source: str
    # Item whose any non-zero answer needs immediate safety information (PHQ-9 item 9).
    urgent_item: int | None = None

    @property
    def slug(self) -> str:
        return self.code.lower()

    @property
    def min_total(self) -> int:
        return sum(min(item.allowed_values) for item in self.items)

    @property
    def max_total(self) -> int:
        return sum(max(item.allowed_values) for item in self.items)

    def band_for(self, total: int) -> Band:
        for band in self.bands:
            if band.lowest <= total <= band.highest:
                return band
        raise ValueError(f"{self.code}: total {total} is outside {self.min_total}-{self.max_total}")


@dataclass(frozen=True)
class Result:
    code: str
    total: int
    band: str
    urgent: bool

    @property
    def guidance(self) -> Guidance:
        return band_guidance(self.code, self.band)


@dataclass(frozen=True)
class Guidance:
    title: str
    meaning: str
    next_steps: str


# --- Answer scales -------------------------------------------------------------------------

FREQUENCY_2_WEEKS = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)

AUDIT_HOW_OFTEN_DRINK = (
    Option(0, "Never"),
    Option(1, "Monthly or less"),
    Option(2, "2 to 4 times a month"),
    Option(3, "2 to 3 times a week"),
    Option(4, "4 or more times a week"),
)

AUDIT_TYPICAL_DAY = (
    Option(0, "1 or 2"),
    Option(1, "3 or 4"),
    Option(2, "5 or 6"),
    Option(3, "7, 8 or 9"),
    Option(4, "10 or more"),
)

AUDIT_FREQUENCY = (
    Option(0, "Never"),
    Option(1, "Less than monthly"),
    Option(2, "Monthly"),
    Option(3, "Weekly"),
    Option(4, "Daily or almost daily"),
)

# Items 9 and 10 deliberately skip 1 and 3: the WHO scoring gives 0, 2 or 4 only.
AUDIT_EVER = (
    Option(0, "No"),
    Option(2, "Yes, but not in the last year"),
    Option(4, "Yes, during the last year"),
)

TWO_WEEK_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"

AUDIT_STEM = (
    "These questions ask about your use of alcohol during the past year. "
    "A 'drink' means one standard drink (in the UK, roughly one unit of alcohol)."
)


def _items(texts: Sequence[str], options: tuple[Option, ...]) -> tuple[Item, ...]:
    return tuple(Item(number, text, options) for number, text in enumerate(texts, start=1))


PHQ9_ITEMS = _items(
    [
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed, or the opposite: "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead, or of hurting yourself in some way",
    ],
    FREQUENCY_2_WEEKS,
)

GAD7_ITEMS = _items(
    [
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ],
    FREQUENCY_2_WEEKS,
)

AUDIT_ITEMS = (
    Item(1, "How often do you have a drink containing alcohol?", AUDIT_HOW_OFTEN_DRINK),
    Item(
        2,
        "How many drinks containing alcohol do you have on a typical day when you are drinking?",
        AUDIT_TYPICAL_DAY,
    ),
    Item(3, "How often do you have six or more drinks on one occasion?", AUDIT_FREQUENCY),
    Item(
        4,
        "How often during the last year have you found that you were not able to stop drinking once you had started?",
        AUDIT_FREQUENCY,
    ),
    Item(
        5,
        "How often during the last year have you failed to do what was normally expected of you because of drinking?",
        AUDIT_FREQUENCY,
    ),
    Item(
        6,
        "How often during the last year have you needed a first drink in the morning to get "
        "yourself going after a heavy drinking session?",
        AUDIT_FREQUENCY,
    ),
    Item(
        7,
        "How often during the last year have you had a feeling of guilt or remorse after drinking?",
        AUDIT_FREQUENCY,
    ),
    Item(
        8,
        "How often during the last year have you been unable to remember what happened the "
        "night before because you had been drinking?",
        AUDIT_FREQUENCY,
    ),
    Item(
        9,
        "Have you or someone else been injured as a result of your drinking?",
        AUDIT_EVER,
    ),
    Item(
        10,
        "Has a relative, friend, doctor or other health worker been concerned about your "
        "drinking or suggested you cut down?",
        AUDIT_EVER,
    ),
)


MEASURES: dict[str, Measure] = {
    measure.code: measure
    for measure in (
        Measure(
            code="PHQ-9",
            title="Patient Health Questionnaire (PHQ-9)",
            stem=TWO_WEEK_STEM,
            items=PHQ9_ITEMS,
            bands=(
                Band(0, 4, "minimal"),
                Band(5, 9, "mild"),
                Band(10, 14, "moderate"),
                Band(15, 19, "moderately severe"),
                Band(20, 27, "severe"),
            ),
            source="Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16:606-13.",
            urgent_item=9,
        ),
        Measure(
            code="GAD-7",
            title="Generalised Anxiety Disorder scale (GAD-7)",
            stem=TWO_WEEK_STEM,
            items=GAD7_ITEMS,
            bands=(
                Band(0, 4, "minimal"),
                Band(5, 9, "mild"),
                Band(10, 14, "moderate"),
                Band(15, 21, "severe"),
            ),
            source="Spitzer RL, Kroenke K, Williams JBW, Löwe B. Arch Intern Med 2006;166:1092-7.",
        ),
        Measure(
            code="AUDIT-C",
            title="Alcohol Use Disorders Identification Test - Consumption (AUDIT-C)",
            stem=AUDIT_STEM,
            items=AUDIT_ITEMS[:3],
            bands=(Band(0, 4, "negative"), Band(5, 12, "positive")),
            source="Bush K et al. Arch Intern Med 1998;158:1789-95; UK threshold of 5.",
        ),
        Measure(
            code="AUDIT",
            title="Alcohol Use Disorders Identification Test (AUDIT)",
            stem=AUDIT_STEM,
            items=AUDIT_ITEMS,
            bands=(
                Band(0, 7, "lower risk"),
                Band(8, 15, "increasing risk"),
                Band(16, 19, "higher risk"),
                Band(20, 40, "possible dependence"),
            ),
            source="Babor TF et al. AUDIT: guidelines for use in primary care. WHO, 2001.",
        ),
    )
}

_BY_SLUG: dict[str, Measure] = {measure.slug: measure for measure in MEASURES.values()}


def measure_for_slug(slug: str) -> Measure:
    """Return the measure for a URL slug such as "phq-9"; KeyError if there is none."""
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise KeyError(f"no questionnaire with slug {slug!r}") from None


def score(code: str, answers: Sequence[int]) -> Result:
    """Score a complete set of answers, in item order.

    Raises ValueError for an unknown measure, a partial or over-long questionnaire (a
    partial one is never scored), or any answer the item does not allow.
    """
    measure = MEASURES.get(code)
    if measure is None:
        raise ValueError(f"unknown questionnaire {code!r}; expected one of {sorted(MEASURES)}")
    if len(answers) != len(measure.items):
        raise ValueError(f"{code} needs {len(measure.items)} answers, one per item; got {len(answers)}")
    for item, answer in zip(measure.items, answers, strict=True):
        # bool is a subclass of int, but True/False is never a legitimate answer value.
        if not isinstance(answer, int) or isinstance(answer, bool):
            raise ValueError(f"{code} item {item.number}: answer must be a whole number, got {answer!r}")
        if answer not in item.allowed_values:
            allowed = ", ".join(str(value) for value in item.allowed_values)
            raise ValueError(f"{code} item {item.number}: answer {answer} is not allowed; allowed values are {allowed}")

    total = sum(answers)
    urgent = measure.urgent_item is not None and answers[measure.urgent_item - 1] > 0
    return Result(code=code, total=total, band=measure.band_for(total).name, urgent=urgent)


# --- Guidance ------------------------------------------------------------------------------
# Written for a doctor or dentist reading their own result. Plain, warm, not alarming,
# and honest that a questionnaire is a snapshot, not a diagnosis.

_SEE_GP = (
    "If you are not registered with a GP, or would rather not see one where you work, "
    "please register with one near your home: you deserve the same care you give others."
)

_SELF_REFER = (
    "You can refer yourself to Practitioner Health using the self-referral form on this site. "
    "It is confidential, and nothing is shared with your employer or regulator without your "
    "consent except in the rare case of a serious risk to patients."
)

_GUIDANCE: dict[tuple[str, str], Guidance] = {
    ("PHQ-9", "minimal"): Guidance(
        title="Few signs of low mood",
        meaning=(
            "Your answers suggest few or no symptoms of depression over the last two weeks. "
            "Everyone has flat days, and this score sits within the range most people report."
        ),
        next_steps=(
            "Keep doing the things that keep you well: sleep, time away from work, people you "
            "trust. If things change, you can take this questionnaire again at any time."
        ),
    ),
    ("PHQ-9", "mild"): Guidance(
        title="Some signs of low mood",
        meaning=(
            "Your answers suggest some symptoms of low mood. That is common, especially after "
            "a heavy run at work, and it often eases with rest, support and some small changes."
        ),
        next_steps=(
            "Our articles on burnout and sleep may help. Talk to someone you trust, and take "
            "the questionnaire again in two weeks. If it is not improving, or it starts to get "
            "in the way of work or home life, see your GP or refer yourself to Practitioner "
            "Health. " + _SEE_GP
        ),
    ),
    ("PHQ-9", "moderate"): Guidance(
        title="Signs of moderate low mood",
        meaning=(
            "Your answers suggest a moderate level of depressive symptoms. This is the level "
            "at which talking therapy or other treatment usually helps, and it is very "
            "treatable. Many doctors and dentists have been here and recovered well."
        ),
        next_steps="Please do not carry this alone. " + _SELF_REFER + " You can also see your GP. " + _SEE_GP,
    ),
    ("PHQ-9", "moderately severe"): Guidance(
        title="Signs of moderately severe low mood",
        meaning=(
            "Your answers suggest your mood has been low enough, for long enough, to be having "
            "a real effect on you. This is not a weakness or a failing: it is a health problem "
            "that responds to treatment, and getting help now is the right call."
        ),
        next_steps=(
            "We would encourage you to get support soon. "
            + _SELF_REFER
            + " Please also see your GP in the next few days. "
            + _SEE_GP
        ),
    ),
    ("PHQ-9", "severe"): Guidance(
        title="Signs of severe low mood",
        meaning=(
            "Your answers suggest you are struggling a great deal at the moment. You have done "
            "something useful by checking in with yourself, and things can get better with the "
            "right help."
        ),
        next_steps=(
            "Please get support now rather than waiting: see your GP as soon as you can. "
            + _SELF_REFER
            + " If you feel unsafe at any point, call 999, NHS 111 (option 2) or Samaritans "
            "on 116 123."
        ),
    ),
    ("GAD-7", "minimal"): Guidance(
        title="Few signs of anxiety",
        meaning=(
            "Your answers suggest few or no symptoms of anxiety over the last two weeks. Some "
            "worry is a normal part of clinical work and life."
        ),
        next_steps="Keep an eye on how you are, and come back to this questionnaire if that changes.",
    ),
    ("GAD-7", "mild"): Guidance(
        title="Some signs of anxiety",
        meaning=(
            "Your answers suggest some symptoms of anxiety. This is common in demanding jobs "
            "and often settles with rest, support and a little space to think."
        ),
        next_steps=(
            "Our article on anxiety and panic has practical ideas. Take the questionnaire "
            "again in two weeks; if it has not eased, or it is affecting your sleep or work, "
            "see your GP or refer yourself to Practitioner Health. " + _SEE_GP
        ),
    ),
    ("GAD-7", "moderate"): Guidance(
        title="Signs of moderate anxiety",
        meaning=(
            "Your answers suggest a moderate level of anxiety: enough to be wearing and worth "
            "treating. Anxiety responds well to talking therapies such as CBT."
        ),
        next_steps=(
            "You do not have to wait until it gets worse. " + _SELF_REFER + " You can also see your GP. " + _SEE_GP
        ),
    ),
    ("GAD-7", "severe"): Guidance(
        title="Signs of severe anxiety",
        meaning=(
            "Your answers suggest anxiety is having a big effect on you right now. That is "
            "exhausting to live with, and it is treatable."
        ),
        next_steps=(
            "Please get support soon. " + _SELF_REFER + " Please see your GP in the next few days too. " + _SEE_GP
        ),
    ),
    ("AUDIT-C", "negative"): Guidance(
        title="Lower-risk drinking",
        meaning=(
            "Your answers suggest your drinking is at a lower-risk level. The UK Chief Medical "
            "Officers advise no more than 14 units a week, spread over three or more days."
        ),
        next_steps=(
            "No action is needed. If your drinking goes up, for example during a stressful "
            "spell at work, you can take this check again."
        ),
    ),
    ("AUDIT-C", "positive"): Guidance(
        title="Worth a closer look",
        meaning=(
            "Your answers suggest you may be drinking at a level that could affect your health. "
            "These three questions are a quick screen, so they cannot tell the whole story."
        ),
        next_steps=(
            "Please take the full AUDIT questionnaire: it has seven more questions and gives a "
            "clearer picture. Our article on alcohol and drugs may also help."
        ),
    ),
    ("AUDIT", "lower risk"): Guidance(
        title="Lower-risk drinking",
        meaning="Your answers suggest your drinking is unlikely to be harming you at the moment.",
        next_steps=(
            "Keep to the UK guideline of no more than 14 units a week, with several drink-free "
            "days. Come back to this check if things change."
        ),
    ),
    ("AUDIT", "increasing risk"): Guidance(
        title="Increasing-risk drinking",
        meaning=(
            "Your answers suggest your drinking is at a level that raises the risk to your "
            "health over time. Many people drift into this without noticing, often as a way "
            "to switch off after work."
        ),
        next_steps=(
            "Try a few drink-free days each week and keep track of units for a month. If you "
            "find cutting down harder than you expected, talk to your GP or refer yourself to "
            "Practitioner Health, which has a lot of experience helping colleagues with this."
        ),
    ),
    ("AUDIT", "higher risk"): Guidance(
        title="Higher-risk drinking",
        meaning=(
            "Your answers suggest your drinking is likely to be affecting your health and "
            "possibly other parts of your life. Support works, and it is much easier to change "
            "course early."
        ),
        next_steps=(
            "We would encourage you to get confidential support. " + _SELF_REFER + " Please also talk to your GP."
        ),
    ),
    ("AUDIT", "possible dependence"): Guidance(
        title="Possible alcohol dependence",
        meaning=(
            "Your answers suggest you may be dependent on alcohol. This is a health condition, "
            "not a moral failing, and doctors and dentists recover from it and return to "
            "practice all the time."
        ),
        next_steps=(
            "Please get help soon, and do not stop drinking suddenly on your own: if you are "
            "dependent, stopping abruptly can be dangerous and should be planned with a "
            "clinician. " + _SELF_REFER + " Practitioner Health offers addiction support, "
            "including community detoxification."
        ),
    ),
}

URGENT_GUIDANCE = Guidance(
    title="You told us you have had thoughts of being better off dead or of hurting yourself",
    meaning=(
        "Thank you for answering honestly. Thoughts like these are more common than people "
        "realise, including among doctors and dentists, and you do not have to manage them "
        "alone."
    ),
    next_steps=(
        "If you are in danger now, call 999. For urgent mental health help in England, call "
        "NHS 111 and choose option 2. You can call Samaritans free on 116 123 at any time, or "
        "text SHOUT to 85258. BMA wellbeing support is open 24/7 on 0330 123 1245. "
        "Please also refer yourself to Practitioner Health or see your GP soon."
    ),
)


def band_guidance(code: str, band: str) -> Guidance:
    """Plain-English meaning and next steps for a band; ValueError if the pair is unknown."""
    try:
        return _GUIDANCE[(code, band)]
    except KeyError:
        raise ValueError(f"no guidance for {code!r} band {band!r}") from None
