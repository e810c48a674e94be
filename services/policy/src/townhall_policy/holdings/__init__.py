"""Who holds what: the tables of the directory, the grants and the suspensions, with their
SQL, and the separation of duties checked over all three.

Every change to one of them (in `directory`, `grants`, `suspensions`) must respect rules
that read all of them (nobody holds roles that must stay apart; a policy admin remains),
so their rows live below the packages that change them.
"""
