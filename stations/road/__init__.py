"""Along the road: where stations lie on a route line, and which are ahead of a driver.

``geometry`` projects points onto a line (pure Python, no Django), ``querysets`` reads the
stored positions, ``services`` keeps them current when a station or a line changes.
"""
