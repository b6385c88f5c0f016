"""The app's main screens: welcome, picker, ready check, exercise, summary (and resuming)."""
