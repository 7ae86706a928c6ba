"""Settings that install ``devtools``: ``development`` (the default of ``manage.py``, ``make up``) and ``test``.

Production uses ``oas.settings.production``, which needs nothing from here.
"""
