"""Speed and scale benchmarks; run each as `python -m bench.<name>` (see docs/bench/speed.md)."""
