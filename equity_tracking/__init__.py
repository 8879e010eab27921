from equity_tracking.analytics.scores import ratio_to_score as ratio_to_score
