"""The report machinery: notebooks, charts, sentences, rendering and the run record.

``pipeline`` runs the chapter notebooks (``notebook`` is what they call, ``charts`` and
``figures`` draw, ``summary``, ``findings``, ``brief``, ``publication``, ``reply`` and
``wording`` write), ``render`` and ``officialdoc`` turn them into HTML and DOCX (``cover``
frames them, ``templates`` holds the nbconvert template), ``runrecord`` writes ``run.json``.
The numbers all come from ``perfanalysis.engine`` and ``perfanalysis.studies``.

This ``__init__`` imports nothing, so ``import perfanalysis`` stays light.
"""
