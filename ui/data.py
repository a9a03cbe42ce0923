"""The views pages may ask for, as typed functions, cached per store and data version.

Each function here is metrics.views (or insights) run on a cursor of the shared connection; the cache key
holds the store path and its data version, so an import or undo shows everywhere at once.
"""
from __future__ import annotations

from typing import Callable, TypeVar

import pandas as pd
import streamlit as st

from metrics import insights, views
from metrics.assessment import view as assessment
from metrics.assessment.scores import Scored
from metrics.views import Scope

from . import state

T = TypeVar("T")
_FUNCTIONS: dict[str, Callable] = {}


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, path: str, version: tuple, *args: object) -> object:
    """The named view's result for this store and data version."""
    return state.run(_FUNCTIONS[name], *args)


def _view(fn: Callable[..., T]) -> Callable[..., T]:
    """A cached, typed wrapper of a view function (its module and name tell the cache entries apart)."""
    name = f"{fn.__module__}.{fn.__name__}"
    _FUNCTIONS[name] = fn

    def run(*args: object) -> T:
        return _cached(name, state.store_path(), state.version(), *args)  # type: ignore[return-value]

    run.__doc__ = fn.__doc__
    run.__name__ = fn.__name__
    return run


def clear() -> None:
    """Drop every cached view (after an import or undo in this process)."""
    _cached.clear()


kpis: Callable[[Scope], pd.DataFrame] = _view(views.kpis)
trend: Callable[[Scope, str, int, str | None], pd.DataFrame] = _view(views.trend)
ranking: Callable[[Scope, str, str], pd.DataFrame] = _view(views.ranking)
hierarchy: Callable[[Scope, str], pd.DataFrame] = _view(views.hierarchy)
below_thresholds: Callable[[Scope], pd.DataFrame] = _view(views.below_thresholds)
peer_ranks: Callable[[Scope, str, tuple], pd.DataFrame] = _view(views.peer_ranks)
breakdown: Callable[[Scope, tuple, str], pd.DataFrame] = _view(views.breakdown)
wish_funnel: Callable[[Scope], pd.DataFrame] = _view(views.wish_funnel)
compare_units: Callable[[Scope, tuple, tuple], pd.DataFrame] = _view(views.compare_units)
peer_reference: Callable[[Scope, tuple], pd.DataFrame] = _view(views.peer_reference)
_units = _view(views.units)
_community_profile = _view(views.community_profile)


def units() -> pd.DataFrame:
    """The communities the signed-in user may compare, with their brands."""
    return _units(state.access())


def community_profile(district: str | None, community: str) -> dict:
    """A community's register row, empty when it is not registered or not within the user's scope."""
    return _community_profile(district, community, state.access())
explain: Callable[[Scope, str], list] = _view(insights.explain)
scores: Callable[[Scope, str, str], Scored] = _view(assessment.scores)
alert_list: Callable[[Scope, str, tuple], pd.DataFrame] = _view(assessment.alert_list)
change: Callable[[Scope, str, str], assessment.Change] = _view(assessment.change)
schemes: Callable[[], list] = _view(assessment.schemes)
scheme_for: Callable[[Scope, str], object] = _view(assessment.scheme_for)
scheme_history: Callable[[str], pd.DataFrame] = _view(assessment.scheme_history)

