"""The plan evaluation 规划实施评估 (第七章二) and the reports sent from it (第七章三): every
indicator of 专栏二 and 专栏四 as of a year's end, from the services holding its records."""
