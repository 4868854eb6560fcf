"""The app's data layer: frames, filters, pipeline, places and matching (no Streamlit)."""
