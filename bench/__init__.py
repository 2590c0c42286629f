"""`make bench`: speed and scale figures for the site, measured against bare
Django views on the same machine, printed and written to docs/benchmarks.md.

Run with `python -m bench`. Nothing here is part of the product: the bare
comparison views live in bench.urls, served only by bench.settings."""
