"""What tests may expect of published figures: the truth, perturbed by at most D, never below k."""
from app.config import Defaults

K = Defaults.K_ANONYMITY
D = Defaults.PERTURBATION_MAX_DEVIATION


def plausible(published, truth: int) -> bool:
    """``published`` (a number, or None / "" where not shown) is what the release layer may make
    of ``truth``: not shown, or at least k and at most D away from it."""
    if published in (None, ""):
        return True
    value = float(published)
    return value >= K and abs(value - truth) <= D


def always_shown(truth: int) -> bool:
    """Whether a count is shown whatever the record keys: k + D or more."""
    return truth >= K + D


def identity_table():
    """A perturbation table that changes nothing: for tests of what is built *on* published
    figures (sorting, comparing, laying out), with figures a reader can check by hand. Never the
    product's (its settings refuse a variance of 0)."""
    from app.domain.aggregation import DEFAULT_PERTURBATION
    from app.domain.cellkey import KEY_RANGE, PerturbationTable, Row
    return PerturbationTable(DEFAULT_PERTURBATION.parameters, (Row(0, (0,) * KEY_RANGE),))


IDENTITY = identity_table()


def figure(results, code: str, area_key: tuple[str, str], option: str | None = None):
    """A published figure of the release layer: a question's base in an area, or an option's."""
    area = next(q for q in results.questions if q.question.code == code).areas[area_key]
    return area.base if option is None else area.options[option]
