"""Steps of the proposal editor that several browser tests walk through."""

import datetime
import re

from django.utils import timezone


def start_proposal(page, round_pk: int, title: str):
    """On the "new proposal" page: a draft in 12,500 GHS at 12.5 GHS per USD."""
    page.locator("select[name=round]").select_option(str(round_pk))
    page.locator("input[name=title]").fill(title)
    page.locator("input[name=currency]").fill("GHS")
    page.locator("input[name=exchange_rate]").fill("12.5")
    page.locator("input[name=amount_requested]").fill("12500")
    page.locator("form:has(input[name=start]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/edit/basics/$"))


def fill_basics(page, summary: str):
    """The summary and dates 40 to 190 days from now."""
    page.locator("textarea[name=summary]").fill(summary)
    start = timezone.localdate() + datetime.timedelta(40)
    page.locator("input[name=start_date]").fill(start.isoformat())
    end = start + datetime.timedelta(150)
    page.locator("input[name=end_date]").fill(end.isoformat())


def fill_line(page, index, activity, quantity, unit_cost):
    row = page.locator("[data-budget-body] [data-budget-row]").nth(index)
    row.locator("input[name$=-activity]").fill(activity)
    row.locator("select[name$=-category]").select_option("travel_events")
    row.locator("input[name$=-unit]").fill("day")
    row.locator("input[name$=-quantity]").fill(quantity)
    row.locator("input[name$=-unit_cost]").fill(unit_cost)
