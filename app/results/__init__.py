"""The results service, shared by every room that shows or hands out figures: planners' pages
and exports (``app.analyse``), the read-only API (``app.api``), the public results page
(``app.public``), the coordinators' monitor (``app.manage``) and the command line.

``queries`` counts answers with SQL and hands them to the domain's aggregation and suppression,
``cache`` keeps a survey's counts between requests, ``exports`` builds the export bundle and
writes its files. No blueprint lives here, and nothing here imports one.
"""
