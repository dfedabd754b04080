"""``dsio evaluate``: score a detector against labelled anomalies, the NAB way.

``nab`` holds the scoring rules, ``threshold`` the exact threshold search, ``corpus`` finds the
series and their labels, ``replay`` scores a series as the engine does, ``evaluation`` puts
these together, ``results`` writes NAB's results layout, ``report`` formats what the user sees
and ``command`` is the click command. Nothing is imported here, so that registering the command
stays cheap.
"""
