"""The stream of domain events as other government systems read it: the pollable feed
(``GET /events``), the catalogue of event types, and the one shape every event leaves in (a
structured-mode CloudEvent, personal fields stripped for callers not entitled to them)."""
