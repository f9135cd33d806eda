"""RouterOS facts shared by the pure core (`balancer/`) and the providers, in one place: the menus
and fields routeros-lb manages (`menus`), durations (`durations`), versions (`versions`) and
ownership tags (`tags`). Plain data and functions, standard library only: no Pulumi, no sockets.
"""
