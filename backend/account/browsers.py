"""A User-Agent header, told as a person names their browser: "Firefox on Linux".

The account page needs only the family and the system, to tell one's sessions
apart; a table of tokens does that without a parser library and its rule file.
Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", Android
says "Linux" and iOS "like Mac OS X", so the more particular token comes first.
"""

import re

BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
)
SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("ChromeOS", r"CrOS"),
    ("macOS", r"Macintosh|Mac OS X"),
    ("Linux", r"Linux|X11"),
)
UNKNOWN = "Unknown browser"


def describe(user_agent):
    """ "Chrome on Android", "Firefox", "A browser on Linux", or "Unknown browser"
    (a session from before sessions kept their browser has none)."""
    browser, system = _first(BROWSERS, user_agent), _first(SYSTEMS, user_agent)
    if browser and system:
        return f"{browser} on {system}"
    if system:
        return f"A browser on {system}"
    return browser or UNKNOWN


def _first(table, user_agent):
    return next((name for name, token in table if re.search(token, user_agent or "")), None)
