"""The studies: one module per study, pure functions on ``Dataset``/frames, no plotting.

``targets`` (differentiated targets), ``fairness`` (growth-vs-level scoring),
``boundaries`` (tier boundaries and uncertainty), ``weightings`` (alternative weightings).
"""
