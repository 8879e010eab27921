"""Chart builders: functions of DataFrames that return plotly figures, in one house style.

Every figure has a title, labelled axes with units, a "Source:" note, and colours from the
colour-blind-safe Okabe–Ito palette; states are also written as icon + label on the chart, never
shown by colour alone. Pages pair each figure with a text alternative and its data table.
"""
