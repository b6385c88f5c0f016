"""trustdialog: guided, turn-based conversations that help two partners build trust."""

__version__ = "0.1.0"
