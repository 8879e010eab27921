"""The methodology page: the plain-language methodology, true to the code, and the data dictionary."""

from apptest_support import open_app, table_with
from apptest_support import shown as shown_text

from equity_tracking.dictionary import data_dictionary
from equity_tracking.docs import methodology_sections


def test_methodology_document_has_sections_for_every_judgement():
    titles = " ".join(title.lower() for title, _ in methodology_sections())
    for topic in (
        "progress",
        "health",
        "trend",
        "forecast",
        "equity score",
        "representation",
        "small numbers",
    ):
        assert topic in titles, topic


def test_methodology_says_what_the_code_does_about_small_numbers():
    body = "\n".join(text for _, text in methodology_sections())
    assert "comes later" not in body  # suppression is done, not promised
    assert "fewer than 10 people" in body
    assert '**Every hidden figure reads "hidden"**' in body


def test_methodology_page_shows_every_section_and_the_dictionary(demo_engine, monkeypatch):
    app = open_app("pages/methodology.py", demo_engine, monkeypatch)
    app.run()
    assert not app.exception
    labels = [shown_text(expander.label) for expander in app.expander]
    assert labels[:-1] == [title for title, _ in methodology_sections()]
    assert labels[-1] == f"Every field, what it means and how it is written ({len(data_dictionary())})"
    fields = table_with(app, "Meaning")
    assert fields["Field"].tolist() == data_dictionary()["Field"].tolist()
    assert "Equity score" in set(fields["Field"])
