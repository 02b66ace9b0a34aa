"""Practice: the verdict and the learner API, headless grading, the journal and the mock interview.

``grading``        the one verdict (:func:`~caselab.practice.grading.check_answer`) and ``caselab.case``
``runner``         grade a notebook headless: load it, execute it, judge every question
``submission``     a learner's notebook as the grader loads it (read once, never written)
``kernel``         executing cells in a fresh Jupyter kernel (timeouts, interrupts, restarts)
``values``         answers across the kernel boundary (encoded in the kernel, rebuilt here)
``pytest_plugin``  one pytest item per question; ``caselab grade``
``journal``        the learner's progress journal (atomic, locked, set aside when damaged)
``mock``           the timed mock interview in the terminal
``workspace``      the learner's workspace: where notebooks are answered, synced by ``caselab study``
"""
