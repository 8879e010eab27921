"""Equity Plan Tracker: the Streamlit entry point.

Routes only: who is looking → which pages they may open → run the chosen page. Everything else
lives in the ``equity_tracking`` package; each page script guards itself.
"""

import streamlit as st

from equity_tracking import ui

st.set_page_config(page_title="Equity Plan Tracker", page_icon=ui.FAVICON, layout="wide")
principal = ui.current_principal()
with ui.routing(principal):
    # expanded: every page listed (Streamlit folds a list of more than ten under "View more"); an
    # embed (?embed=true) has no sidebar.
    st.navigation(ui.navigation_pages(principal), expanded=True, position=ui.navigation_position()).run()
