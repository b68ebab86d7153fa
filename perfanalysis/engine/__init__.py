"""The engine: loading, validation and scoring.

Files → ``data`` / ``office`` (through ``readers``, ``parsing``, ``intake``) → ``scheme`` →
``scoring`` (``targets``, ``methods``, ``adjustments``) → ``tiers`` → ``scorecard``; then
``history`` (follow-ups), ``rewards``, ``cadres``, ``ranks``, ``scenarios`` and the
uncertainty studies' ``errormodel``; ``presets`` says which preset scheme fits a data set.
Nothing here plots or renders; the report machinery is ``perfanalysis.report``.

This ``__init__`` imports nothing, so ``import perfanalysis`` stays light; the public names
are re-exported lazily by ``perfanalysis``.
"""
