"""The accsyn SDK benchmark suite: every claim measured side by side, in one run.

Run it from the repository root::

    .venv/bin/python -m bench            # the full run (under 10 minutes on 2 cores)
    .venv/bin/python -m bench --quick    # a smoke run (about a minute)

Every figure is a ratio against a baseline measured in the same run (the official
``accsyn-python-api`` client, a bare httpx floor, plain Lark, a pure-Python
evaluator), the median of repeated runs. The full run writes
``bench/results/results.md``, ``bench/results/results.json`` and the plot
``docs/assets/bench.png``; ``--quick`` writes to ``bench/results/quick/`` only.

Modules: ``_calls`` (per-call overhead), ``_bulk`` (10,000-row reads), ``_fanout``
(async fan-out under latency), ``_paging`` (peak memory over a million rows),
``query`` (parser and renderer throughput), ``emulator`` (find latency over
100,000 transfers). Each has ``run(quick) -> dict`` and ``table(result) -> str``.
"""
