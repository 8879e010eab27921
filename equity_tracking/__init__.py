"""Equity Plan Tracker: the library behind the app (plain Python; only ``ui`` imports Streamlit).

Importing the package stays light (no pandas, SQLAlchemy or Streamlit): the modules are imported
where they are used. ``ratio_to_score`` is the one name exported here, for the Equity Indicators
conversion from a disparity ratio to a 1–100 equity score.
"""

from equity_tracking.analytics.scores import ratio_to_score as ratio_to_score
