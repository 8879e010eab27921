"""``python -m equity_tracking reminders``: what each bureau lead owes, listed and (with --send)
emailed through a real SMTP server that the test starts on localhost (aiosmtpd). Expected items
come from the golden city (tests/golden_city.py), worked out by hand."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from golden_city import build_golden_city
from principals import make_user
from sqlalchemy import text

from equity_tracking.cli import main
from equity_tracking.permissions import Role

# As of 20 Sep 2021, FY 2020-21's report (due 30 Sep 2021) is due in 10 days. Bureau of Alpha owes:
# M2's and M3's FY 2020-21 totals (M1's 29.0 is submitted), a status update on A1 (A2 is
# completed) and the FY 2020-21 narrative.
ALPHA = """Bureau of Alpha (AA): the FY 2020-21 report is due by 30 September 2021.
  Values to enter (2):
    - Employees by race/ethnicity (FY 2020-21)
    - Vital documents translated (FY 2020-21)
  Actions without a status update (1):
    - Translate the vital documents
  The annual narrative is not written yet."""


@pytest.fixture
def city(database_factory):
    engine = database_factory.new_engine()
    build_golden_city(engine)
    make_user(engine, "alpha.lead@city.example", Role.BUREAU_EDITOR, "AA", name="Alex Alpha")
    return engine


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_reminders_list_what_each_lead_owes(city, capsys):
    assert main(["--database-url", _url(city), "reminders", "--today", "2021-09-20", "--within", "14"]) == 0
    printed = capsys.readouterr().out
    assert "To: Alex Alpha <alpha.lead@city.example>\n" + ALPHA in printed


def test_a_cycle_due_later_than_asked_is_left_out_and_a_late_one_is_in(city, capsys):
    main(["--database-url", _url(city), "reminders", "--today", "2021-09-20", "--within", "5"])
    assert "Bureau of Alpha" not in capsys.readouterr().out
    main(["--database-url", _url(city), "reminders", "--today", "2021-10-01", "--within", "5"])
    assert (
        "Bureau of Alpha (AA): the FY 2020-21 report was due by 30 September 2021." in capsys.readouterr().out
    )


def test_send_emails_each_lead_through_the_smtp_server(city, capsys, monkeypatch):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("EQUITY_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("EQUITY_SMTP_PORT", str(port))
        monkeypatch.setenv("EQUITY_SMTP_STARTTLS", "false")
        monkeypatch.setenv("EQUITY_SMTP_FROM", "equity@city.example")
        code = main(["--database-url", _url(city), "reminders", "--today", "2021-09-20", "--send"])
    finally:
        controller.stop()
    assert code == 0
    assert "Sent 1 reminder(s)." in capsys.readouterr().out
    [message] = inbox.messages
    assert message["To"] == "alpha.lead@city.example"
    assert message["From"] == "equity@city.example"
    assert message["Subject"] == "Racial equity plan report due soon: Bureau of Alpha, FY 2020-21"
    assert ALPHA in message.get_payload().replace("\r\n", "\n")
    with city.connect() as connection:
        sent = connection.execute(
            text("SELECT entity_id FROM audit_log WHERE action = 'reminder_sent'")
        ).all()
    assert sent == [("AA",)]


def test_send_without_a_mail_server_says_what_to_set(city, capsys, monkeypatch):
    monkeypatch.delenv("EQUITY_SMTP_HOST", raising=False)
    assert main(["--database-url", _url(city), "reminders", "--send"]) == 1
    assert "EQUITY_SMTP_HOST" in capsys.readouterr().err
