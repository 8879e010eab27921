"""Page-shaped views of the analytics: pure functions that turn analytics frames into the tiles,
tables and chart data each dashboard shows. No Streamlit here; one module per page family."""
