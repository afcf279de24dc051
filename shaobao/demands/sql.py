"""The three rates' facts in SQL, for the set-based readers (assessment runs, the dashboards'
rollup): the same definitions as rates.three_rates, written once. `d` is the demand, `c` its
latest callback (NULL when none)."""

from shaobao.core.sql import table

# dispatched, not ruled out of assessment by the hotline, not a repeat
COUNTED = "(d.dispatched_at IS NOT NULL AND NOT d.excluded AND d.status <> 'DUPLICATE')"
# the caller was contacted, or the deadline had passed by the moment given as the parameter
RESPONSE_DUE = "(d.contacted_at IS NOT NULL OR d.deadline_at <= %s)"
# the caller was contacted by the deadline
CONTACTED_ON_TIME = "(d.contacted_at <= d.deadline_at)"


def demands_with_latest_callback() -> str:
    """`FROM` clause: every demand `d` with its latest callback version `c`."""
    from shaobao.demands.models import Callback, Demand

    return f"""
        FROM {table(Demand)} d
        LEFT JOIN {table(Callback)} c ON c.demand_id = d.id AND NOT EXISTS (
            SELECT 1 FROM {table(Callback)} c2
            WHERE c2.demand_id = c.demand_id AND c2.version > c.version)"""
