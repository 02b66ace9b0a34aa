"""What a learner looks at: rendered notebooks, interactive explorers, offline HTML and the study guide.

``render``    learner and solution notebooks from the specs (deterministic; never overwrites an edit)
``widgets``   the explorers (threshold, cost, capacity, calibration, prevalence), one module each
``html``      notebooks as offline HTML pages with live widgets
``guide``     the static study-guide site
``start_here`` where to start: a path by level and by seed question, with a time per case
``kernels``   kernels started with transport encryption (no per-kernel "without encryption" warning)
"""
