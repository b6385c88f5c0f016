"""The SSH server for facilitators: one trustdialog app per connection, in its own pty."""

import warnings

# asyncssh still names cryptography's DSA classes at import, and cryptography 46 and
# later warn that DSA is going away each time it does: a person starting `serve` or
# adding a key would read a traceback-like warning about a key type nobody here uses.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"asyncssh(\.|$)")
