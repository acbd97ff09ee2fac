"""Answering a survey, whoever types the answers: the answer form built at run time from a
survey version, storing a response exactly once, and finding the placement a QR code points to.

Residents use it on their phones and kiosks (``app.respond``), staff when they type in paper
forms or fill in a survey together with a resident and in the builder's preview
(``app.manage``), the start page for a typed code (``app.main``), and the demo data. No blueprint
lives here, and nothing here imports one.
"""
