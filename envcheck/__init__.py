"""envcheck: checks that a job-seeker's device meets the online counselling terms of use.

Data flows one way (see docs/architecture.md):
probes (touch the machine) -> facts (typed, pure) -> checks (rules, pure) -> report.
"""

__version__ = "0.1.0"
