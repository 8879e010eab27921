"""The load test's Streamlit client (benchmarks/streamlit_client.py) builds the messages the server
reads and reads the messages the server sends, as the browser's frontend does.

No server and no Locust: the server's side is played by Streamlit's own functions where it has them
(the ForwardMsg hash and cache reference of ``streamlit.runtime.forward_msg_cache``, the query
string clean-up of ``AppSession``), so that a change in Streamlit's protocol shows here.
"""

from __future__ import annotations

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import sanitize_query_string
from streamlit.runtime.forward_msg_cache import create_reference_msg, populate_hash_if_needed

from benchmarks.streamlit_client import (
    CacheMissError,
    MessageCache,
    RunReader,
    RunResult,
    rerun_message,
    stream_url,
)


def test_the_stream_url_follows_the_server_and_its_base_path():
    assert stream_url("http://127.0.0.1:8501") == "ws://127.0.0.1:8501/_stcore/stream"
    assert (
        stream_url("https://equity.example.org/tracker/") == "wss://equity.example.org/tracker/_stcore/stream"
    )


def test_a_first_run_names_the_page_by_its_path_and_carries_the_query():
    raw = rerun_message(query_string="?bureau=TR&fy=2018-19", page_name="bureau").SerializeToString()

    received = BackMsg()
    received.ParseFromString(raw)  # what the server's WebSocket handler does with the frame
    assert received.WhichOneof("type") == "rerun_script"
    state = received.rerun_script
    assert sanitize_query_string(state.query_string) == "bureau=TR&fy=2018-19"
    assert (state.page_name, state.page_script_hash) == ("bureau", "")
    assert state.context_info.timezone == "America/Los_Angeles"


def test_a_later_run_names_the_page_by_its_hash_and_lists_the_cached_messages():
    message = rerun_message(
        query_string="goal=2", page_script_hash="abc123", page_name="goal", cached_message_hashes=["h1", "h2"]
    )

    state = message.rerun_script
    assert (state.page_script_hash, state.page_name) == ("abc123", "")
    assert list(state.cached_message_hashes) == ["h1", "h2"]


def _element(text: str) -> ForwardMsg:
    """A large element, hashed and marked cacheable as the server does before sending it."""
    message = ForwardMsg()
    message.delta.new_element.markdown.body = text * 2000  # over global.minCachedMessageSize
    populate_hash_if_needed(message)
    return message


def _finished(status: int = ForwardMsg.FINISHED_SUCCESSFULLY) -> bytes:
    message = ForwardMsg()
    message.script_finished = status  # type: ignore[assignment]
    return message.SerializeToString()


def test_a_cached_element_comes_back_in_place_of_the_servers_reference():
    cache, pages = MessageCache(), {}
    element = _element("chart ")
    assert element.metadata.cacheable
    first = RunReader(cache, pages, RunResult())
    assert not first.feed(element.SerializeToString())
    assert first.feed(_finished())
    assert cache.hashes() == [element.hash]  # sent up with the next rerun

    reference = create_reference_msg(element)  # what the server sends once the client holds it
    resolved = cache.resolve(reference, reference.SerializeToString())
    assert resolved.delta.new_element.markdown.body == element.delta.new_element.markdown.body

    with pytest.raises(CacheMissError):
        cache.resolve(create_reference_msg(_element("other ")), b"")


def test_an_element_unused_for_more_runs_than_the_servers_limit_is_forgotten():
    cache = MessageCache()
    element = _element("table ")
    cache.resolve(element, element.SerializeToString())
    cache.finish_run(max_age=2)
    cache.finish_run(max_age=2)
    assert cache.hashes() == [element.hash]
    cache.finish_run(max_age=2)
    assert cache.hashes() == []


def test_a_run_is_read_until_its_script_finishes_and_reports_what_went_wrong():
    new_session = ForwardMsg()
    new_session.new_session.page_script_hash = "page-hash"
    new_session.new_session.config.max_cached_message_age = 5
    navigation = ForwardMsg()
    page = navigation.navigation.app_pages.add()
    page.url_pathname, page.page_script_hash = "bureau", "bureau-hash"
    failure = ForwardMsg()
    failure.delta.new_element.exception.type = "DatabaseError"
    failure.delta.new_element.exception.message = "no such table"

    pages: dict[str, str] = {}
    result = RunResult()
    reader = RunReader(MessageCache(), pages, result)
    for message in (new_session, navigation, failure):
        assert not reader.feed(message.SerializeToString())
    assert not reader.feed(_finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN))  # the rerun follows
    assert reader.feed(_finished())

    assert pages == {"bureau": "bureau-hash"}
    assert (result.page_script_hash, reader.max_cached_message_age) == ("page-hash", 5)
    assert result.errors == ["DatabaseError: no such table"]
    assert not result.ok
    assert result.messages == 5


def test_a_clean_run_is_ok():
    result = RunResult()
    assert RunReader(MessageCache(), {}, result).feed(_finished())
    assert result.ok
