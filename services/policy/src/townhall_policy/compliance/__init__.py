"""The compliance officers' questions: who could, what could, grant timelines, the
decision log, the trail's events, and verification of the trail against the tables.

It reads every package; nothing but the app imports it.
"""
