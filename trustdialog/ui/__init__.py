"""The Textual UI: renders engine state and turns keys into events; never decides flow."""
