"""Every radio button and checkbox stands right before its own words, on the same line, at
desktop and phone width (a broad `input { width: 100% }` once put the circle mid-column and its
label at the far right)."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests import factories

# For each visible radio and checkbox: where its own words start and where the box ends. The
# words are the label's text outside the input (a wrapping <label> or a <label for=…>).
MEASURE = """() => {
  const found = [];
  for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    const box = input.getBoundingClientRect();
    if (!box.width || getComputedStyle(input).visibility === 'hidden') continue;
    const label = input.closest('label') || (input.id && document.querySelector(`label[for="${input.id}"]`));
    if (!label) { found.push({name: input.name, problem: 'no label'}); continue; }
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    let text = null;
    while (walker.nextNode()) { if (walker.currentNode.textContent.trim()) { text = walker.currentNode; break; } }
    if (!text) { found.push({name: input.name, problem: 'no words'}); continue; }
    const range = document.createRange();
    range.selectNodeContents(text);
    const words = range.getClientRects()[0];
    found.push({
      name: input.name, words: text.textContent.trim().slice(0, 40),
      gap: words.left - box.right, boxMiddle: (box.top + box.bottom) / 2,
      wordsTop: words.top, wordsBottom: words.bottom,
    });
  }
  return found;
}"""


def misplaced(page) -> list:
    bad = []
    for item in page.evaluate(MEASURE):
        if "problem" in item:
            bad.append(item)
        elif not (0 <= item["gap"] <= 16 and item["wordsTop"] - 4 <= item["boxMiddle"] <= item["wordsBottom"] + 4):
            bad.append(item)
    return bad


@pytest.mark.parametrize(("width", "locale"), [(1280, "de"), (390, "en")])
def test_each_radio_and_checkbox_sits_beside_its_words(page, salon, log_in, width, locale):
    salon.owner.locale = locale
    db.session.commit()
    customer = factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, salon.owner, factories.PASSWORD)
    measured = 0
    wrong = {}

    def check(url: str) -> None:
        nonlocal measured
        measured += len(page.evaluate(MEASURE))
        if bad := misplaced(page):
            wrong[url] = bad

    for url in (
        "/customers/new",
        f"/customers/{customer}/messages",
        f"/settings/privacy/locations/{salon.location.id}",
        "/settings/bonus-programs",
        "/settings/team/",
        "/checkout/new",  # the till's payment choice
        "/settings/privacy/processors/new",
    ):
        assert page.goto(url).status == 200, url
        check(url)

    # The export wizard's recipient (step 1) and format (step 2).
    page.goto("/settings/exports")
    page.locator(".page-head button.primary").click()
    page.wait_for_selector("input[name=recipient]")
    check("export step 1")
    page.locator("input[name=recipient]").first.check()
    page.locator("#wizard button.primary").click()
    page.wait_for_selector("input[name=file_format]")
    check("export step 2")

    assert measured > 20  # the pages really have radios and checkboxes to measure
    assert wrong == {}
