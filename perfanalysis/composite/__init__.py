"""Composite-indicator methods (the OECD/JRC Handbook; COINr's toolkit), as pure functions.

Modules, one job each, in pipeline order:

- ``spec``: the typed step models a scheme's ``composite:`` section and a ``Recipe`` hold;
- ``tree``: the hierarchy (indicator → group → sub-index → index) and effective weights;
- ``denominate``: divide indicators by population, GDP, area…;
- ``impute``: group mean/median, the unit's last value in a panel, availability screening;
- ``outliers``: COINr's skew/kurtosis rule, winsorisation, log transforms, a treatment log;
- ``normalise``: min–max, z-score, ranks, distance to target, goalposts, Chinese methods;
- ``aggregate``: weighted arithmetic, geometric, harmonic, generalised means, Copeland;
- ``build``: ``Recipe`` → ``run_build`` → ``BuildResult`` with every step and its log;
- ``coin``: COINr iData/iMeta import and export, and building from a scheme and a dataset.

This package's ``__init__`` imports nothing, so ``perfanalysis.engine.scheme`` can import ``spec``
without a cycle; the public functions are re-exported from ``perfanalysis``.
"""
