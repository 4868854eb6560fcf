"""Core of the Progressive MS Trial Explorer: fetching, caching, classifying and reading trials.

Nothing in this package imports Streamlit, so the fetch script, the export script, the
benchmarks and the tests all share exactly the logic the app uses.
"""
