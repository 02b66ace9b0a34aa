"""Scenarios: the spec format, drills (variants), finding scenarios, data generators and the solvers.

``spec``       TOML -> a typed :class:`~caselab.scenarios.spec.Scenario`, every problem reported at once
``variants``   fresh givens for drills, drawn from a spec's ``[variants]`` ranges
``casebook``   finding scenarios: the bundled casebook or a spec file anywhere on disk; solving, cached
``coverage``   which scenarios cover which part of the seed interview questions
``data``       the data generators scenarios train and score on
``text``       how a scenario's text reads everywhere: numbers, givens, worked answers, Markdown
``solvers``    one module per scenario family: givens -> answers and worked steps, via :mod:`caselab.maths`
"""
