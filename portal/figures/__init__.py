"""Accountability: the public figures page and the committee's monthly report.

``compute`` counts (public figures, cached by data version), ``report`` the monthly report
for an organisation subtree and its XLSX, ``views`` the thin HTTP layer.
"""
